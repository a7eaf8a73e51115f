//! The dependency graph of a form's skip logic and calculations, built once when the form
//! loads.
//!
//! Every section and every question is a node. A node reads the nodes its expressions name
//! (`relevant`, `calculation`, `repeat_count`), its section and the repeat it sits in: a
//! question hidden with its section reads as empty, so whoever reads it must follow. The
//! nodes are sorted so that each comes after everything it reads; changing one answer then
//! re-evaluates only the nodes reachable from that question, in that order, instead of the
//! whole form (what keeps a 30-member roster instant; Enketo re-evaluates everything).

use super::{Form, Kind, Question};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Section(usize),
    /// A question: its section, and its place in the tree of questions (the index in the
    /// section, then the index inside each repeat around it).
    Question {
        section: usize,
        at: Vec<usize>,
    },
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// In an order where every node follows the nodes it reads.
    order: Vec<Node>,
    /// Node (by its place in `order`) of each question id.
    by_id: BTreeMap<String, usize>,
    /// For each node, the nodes that read it.
    readers: Vec<Vec<usize>>,
    /// The repeats around each node's question, outermost first (by place in `order`).
    chains: Vec<Vec<String>>,
    /// Questions whose expressions read each other in a circle (none in a valid form).
    cycle: Vec<String>,
}

impl Plan {
    pub fn new(form: &Form) -> Plan {
        // Document order first: nodes and what each reads.
        let mut nodes = Vec::new();
        let mut reads: Vec<Vec<String>> = Vec::new();
        let mut ids = Vec::new();
        let mut chains = Vec::new();
        for (si, s) in form.sections.iter().enumerate() {
            nodes.push(Node::Section(si));
            ids.push(None);
            chains.push(Vec::new());
            reads.push(s.relevant.iter().flat_map(|c| c.expr.refs()).collect());
            collect(
                si,
                &s.questions,
                &mut Vec::new(),
                &mut Vec::new(),
                &mut nodes,
                &mut reads,
                &mut ids,
                &mut chains,
            );
        }
        // Maps filled by `insert`, not `collect`: collecting into a map links a stable sort
        // and a bulk builder (about 8 KB of wasm) that nothing else needs.
        let mut by_doc: BTreeMap<String, usize> = BTreeMap::new();
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                by_doc.insert(id.clone(), i);
            }
        }
        let section_doc: Vec<usize> = (0..nodes.len())
            .filter(|&i| matches!(nodes[i], Node::Section(_)))
            .collect();
        // Edges input → reader, in document numbering.
        let n = nodes.len();
        let mut readers_doc: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, node) in nodes.iter().enumerate() {
            let mut inputs: Vec<usize> = reads[i]
                .iter()
                .filter_map(|r| by_doc.get(r.as_str()).copied())
                .collect();
            if let Node::Question { section, at } = node {
                inputs.push(section_doc[*section]);
                if at.len() > 1 {
                    // The repeat around it is the node whose place is `at` minus its last step.
                    let parent = &at[..at.len() - 1];
                    if let Some(p) = (0..i).rev().find(|&j| {
                        matches!(&nodes[j], Node::Question { section: s, at: a } if s == section && a == parent)
                    }) {
                        inputs.push(p);
                    }
                }
            }
            for input in inputs {
                if input != i && !readers_doc[input].contains(&i) {
                    readers_doc[input].push(i);
                }
            }
        }
        // Kahn's algorithm, taking the earliest ready node each time so that a form
        // without forward references keeps its document order.
        let mut waiting = vec![0usize; n];
        for rs in &readers_doc {
            for &r in rs {
                waiting[r] += 1;
            }
        }
        // `ready` is kept sorted, largest first, so `pop` takes the earliest.
        let mut ready: Vec<usize> = (0..n).rev().filter(|&i| waiting[i] == 0).collect();
        let mut sorted = Vec::with_capacity(n);
        while let Some(i) = ready.pop() {
            sorted.push(i);
            for &r in &readers_doc[i] {
                waiting[r] -= 1;
                if waiting[r] == 0 {
                    let at = ready.partition_point(|&x| x > r);
                    ready.insert(at, r);
                }
            }
        }
        // A circle never becomes ready: report it, and still evaluate its nodes (in
        // document order, after the rest) rather than fail the whole form.
        let cycle: Vec<String> = (0..n)
            .filter(|&i| waiting[i] > 0)
            .filter_map(|i| ids[i].clone())
            .collect();
        sorted.extend((0..n).filter(|&i| waiting[i] > 0));
        let mut place = vec![0; n];
        for (k, &i) in sorted.iter().enumerate() {
            place[i] = k;
        }
        let readers = sorted
            .iter()
            .map(|&i| readers_doc[i].iter().map(|&r| place[r]).collect())
            .collect();
        Plan {
            by_id: {
                let mut by_id = BTreeMap::new();
                for (id, i) in by_doc {
                    by_id.insert(id, place[i]);
                }
                by_id
            },
            chains: sorted
                .iter()
                .map(|&i| std::mem::take(&mut chains[i]))
                .collect(),
            order: sorted.into_iter().map(|i| nodes[i].clone()).collect(),
            readers,
            cycle,
        }
    }

    /// Nodes in evaluation order.
    pub fn nodes(&self) -> &[Node] {
        &self.order
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The repeats around question `id`, outermost first.
    pub fn chain(&self, id: &str) -> &[String] {
        self.by_id
            .get(id)
            .and_then(|&i| self.chains.get(i))
            .map_or(&[], Vec::as_slice)
    }

    /// Question ids that read each other in a circle (empty for a valid form).
    pub fn cycle(&self) -> &[String] {
        &self.cycle
    }

    /// The nodes to re-evaluate after the answers of `changed` changed: those questions'
    /// own nodes and everything that reads them, directly or not, in evaluation order.
    pub fn affected<'a>(&self, changed: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
        let mut seen = vec![false; self.order.len()];
        let mut stack: Vec<usize> = changed
            .into_iter()
            .filter_map(|id| self.by_id.get(id).copied())
            .collect();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            stack.extend(self.readers[i].iter().copied().filter(|&r| !seen[r]));
        }
        (0..seen.len()).filter(|&i| seen[i]).collect()
    }

    /// The question a node stands for.
    pub fn question<'f>(&self, form: &'f Form, node: usize) -> Option<&'f Question> {
        let Node::Question { section, at } = self.order.get(node)? else {
            return None;
        };
        let (first, rest) = at.split_first()?;
        let mut q = form.sections.get(*section)?.questions.get(*first)?;
        for &i in rest {
            q = q.kind.children().get(i)?;
        }
        Some(q)
    }
}

/// Adds the questions of one level (a section's, or a repeat's) to the node list.
#[allow(clippy::too_many_arguments)]
fn collect(
    section: usize,
    questions: &[Question],
    at: &mut Vec<usize>,
    chain: &mut Vec<String>,
    nodes: &mut Vec<Node>,
    reads: &mut Vec<Vec<String>>,
    ids: &mut Vec<Option<String>>,
    chains: &mut Vec<Vec<String>>,
) {
    for (i, q) in questions.iter().enumerate() {
        at.push(i);
        nodes.push(Node::Question {
            section,
            at: at.clone(),
        });
        ids.push(Some(q.id.clone()));
        let mut r: Vec<String> = q.relevant.iter().flat_map(|c| c.expr.refs()).collect();
        match &q.kind {
            Kind::Calculate { calculation } => r.extend(calculation.expr.refs()),
            Kind::Repeat { count: Some(c), .. } => r.extend(c.expr.refs()),
            _ => {}
        }
        reads.push(r);
        chains.push(chain.clone());
        if let Kind::Repeat { questions, .. } = &q.kind {
            chain.push(q.id.clone());
            collect(section, questions, at, chain, nodes, reads, ids, chains);
            chain.pop();
        }
        at.pop();
    }
}
