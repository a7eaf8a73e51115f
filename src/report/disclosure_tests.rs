//! The disclosure rules on crafted tables, each checked by an attacker written apart from
//! the ledger: it enumerates every filling of the hidden cells that agrees with what is
//! published (labels and sums) and sees what stays certain.

use super::{Cell, Disclosure, Ledger, Shown};
use crate::i18n::Lang;

/// A crafted table: cells, sums (total, parts) and inclusions (whole, part).
struct Crafted {
    values: Vec<u32>,
    sums: Vec<(Cell, Vec<Cell>)>,
    within: Vec<(Cell, Cell)>,
}

impl Crafted {
    fn ledger(&self, k: u32) -> Ledger {
        let mut l = Ledger::new(k);
        for &v in &self.values {
            l.cell(v);
        }
        for (t, parts) in &self.sums {
            l.sum(*t, parts);
        }
        for &(w, p) in &self.within {
            l.within(w, p);
        }
        l.protect();
        l
    }
}

/// The attacker: every filling of the hidden cells (an "<k" one from 1 to k−1, a protecting
/// one from 0 to `cap`) that satisfies every published sum and inclusion; returns, per
/// cell, the values it can take. Cells that are a sum's total are worked out from their
/// parts (in the order the sums are listed), the others enumerated.
fn feasible(
    c: &Crafted,
    shown: &[Shown],
    k: u32,
    cap: u32,
) -> Vec<std::collections::BTreeSet<u32>> {
    let n = c.values.len();
    let derived: Vec<bool> = (0..n)
        .map(|i| c.sums.iter().any(|(t, _)| *t == i))
        .collect();
    let free: Vec<Cell> = (0..n).filter(|&i| !derived[i]).collect();
    let range = |s: Shown| -> Vec<u32> {
        match s {
            Shown::Count(v) => vec![v],
            Shown::Under => (1..k).collect(),
            Shown::Protects => (0..=cap).collect(),
        }
    };
    let fits = |s: Shown, v: u32| match s {
        Shown::Count(x) => v == x,
        Shown::Under => v > 0 && v < k,
        Shown::Protects => true,
    };
    let mut out = vec![std::collections::BTreeSet::new(); n];
    let mut pick = vec![0u32; n];
    let mut stack = vec![0usize; free.len()];
    // No part exceeds a shown total it is part of.
    let ranges: Vec<Vec<u32>> = free
        .iter()
        .map(|&i| {
            let most = c
                .sums
                .iter()
                .filter(|(_, ps)| ps.contains(&i))
                .filter_map(|(t, _)| shown[*t].count())
                .min()
                .unwrap_or(cap);
            range(shown[i]).into_iter().filter(|v| *v <= most).collect()
        })
        .collect();
    if ranges.iter().any(Vec::is_empty) {
        return out;
    }
    loop {
        for (j, &i) in free.iter().enumerate() {
            pick[i] = ranges[j][stack[j]];
        }
        let mut ok = true;
        for (t, parts) in &c.sums {
            let v: u32 = parts.iter().map(|&p| pick[p]).sum();
            if derived[*t]
                && c.sums.iter().position(|(x, _)| x == t)
                    == c.sums.iter().position(|(x, ps)| x == t && ps == parts)
            {
                pick[*t] = v;
                ok &= fits(shown[*t], v);
            } else {
                ok &= pick[*t] == v;
            }
        }
        ok &= c.within.iter().all(|&(w, p)| pick[p] <= pick[w]);
        if ok {
            for (j, v) in pick.iter().enumerate() {
                out[j].insert(*v);
            }
        }
        // Next filling, odometer-style.
        let mut j = 0;
        loop {
            if j == free.len() {
                return out;
            }
            stack[j] += 1;
            if stack[j] < ranges[j].len() {
                break;
            }
            stack[j] = 0;
            j += 1;
        }
    }
}

/// What the attacker concludes a release gives away: an "<k" cell it knows exactly, or a
/// shown total minus shown parts from 1 to k−1, or a shown whole minus a shown part so.
fn attack(c: &Crafted, l: &Ledger, k: u32, cap: u32) -> Vec<String> {
    let shown: Vec<Shown> = (0..c.values.len()).map(|i| l.shown(i)).collect();
    let f = feasible(c, &shown, k, cap);
    let mut found = Vec::new();
    for (i, s) in shown.iter().enumerate() {
        assert!(f[i].contains(&c.values[i]), "the truth must be feasible");
        if *s == Shown::Under && f[i].len() == 1 {
            found.push(format!("cell {i} is exactly {}", c.values[i]));
        }
        if let Shown::Count(n) = s {
            assert!(*n == 0 || *n >= k, "a count under k shown: cell {i}");
        }
    }
    for (t, parts) in &c.sums {
        if let Some(total) = shown[*t].count() {
            let hidden: Vec<Cell> = parts
                .iter()
                .copied()
                .filter(|&p| shown[p].is_hidden())
                .collect();
            let rest: u32 = total - parts.iter().filter_map(|&p| shown[p].count()).sum::<u32>();
            if !hidden.is_empty() && rest > 0 && rest < k {
                found.push(format!("cells {hidden:?} hold {rest} together"));
            }
        }
    }
    for &(w, p) in &c.within {
        if let (Some(a), Some(b)) = (shown[w].count(), shown[p].count()) {
            if a > b && a - b < k {
                found.push(format!("{} of cell {w} are not in cell {p}", a - b));
            }
        }
    }
    found
}

/// Labels tell the truth: "<k" only on 1..k−1; a shown count is the count.
fn labels_true(c: &Crafted, l: &Ledger, k: u32) {
    for (i, &v) in c.values.iter().enumerate() {
        match l.shown(i) {
            Shown::Count(n) => assert_eq!(n, v),
            Shown::Under => assert!(v > 0 && v < k, "cell {i} = {v} labelled <{k}"),
            Shown::Protects => {}
        }
    }
}

/// A distribution: the total first, then its parts.
fn distribution(parts: &[u32]) -> Crafted {
    let mut values = vec![parts.iter().sum()];
    values.extend_from_slice(parts);
    Crafted {
        values,
        sums: vec![(0, (1..=parts.len()).collect())],
        within: Vec::new(),
    }
}

#[test]
fn a_row_with_one_hidden_cell_and_a_shown_total_hides_one_more() {
    let c = distribution(&[10, 3, 0, 7]);
    let l = c.ledger(5);
    labels_true(&c, &l, 5);
    assert_eq!(l.shown(2), Shown::Under);
    // The 7 goes (the smallest that helps), labelled for what it is, not "<5".
    assert_eq!(l.shown(4), Shown::Protects);
    assert_eq!(l.shown(1), Shown::Count(10));
    assert_eq!(l.shown(3), Shown::Count(0), "zeros are shown, never hidden");
    assert!(l.audit().is_empty());
    assert!(attack(&c, &l, 5, 20).is_empty());
    // Before complementary suppression the attacker wins: primary alone pins the 3.
    let only_primary: Vec<Shown> = c.values.iter().map(|&v| Shown::of(v, 5)).collect();
    let f = feasible(&c, &only_primary, 5, 20);
    assert_eq!(f[2].len(), 1, "the crafted case really is a disclosure");
    assert_eq!(Shown::Under.text(5, Lang::Zh), "<5");
    assert_eq!(Shown::Protects.text(5, Lang::Zh), "隐藏以保护其他格");
    assert_eq!(
        Shown::Protects.text(5, Lang::En),
        "hidden to protect another cell"
    );
}

#[test]
fn two_shown_numbers_whose_difference_is_under_k_do_not_both_stay() {
    // "9 answered, 7 chose it": 2 did not. A multiple choice option within its base.
    let c = Crafted {
        values: vec![9, 7, 9],
        sums: Vec::new(),
        within: vec![(0, 1), (0, 2)],
    };
    let mut bare = Ledger::new(3);
    for &v in &c.values {
        bare.cell(v);
    }
    bare.within(0, 1);
    assert!(matches!(
        bare.audit()[..],
        [Disclosure::Difference { n: 2, .. }]
    ));
    let l = c.ledger(3);
    labels_true(&c, &l, 3);
    assert!(l.audit().is_empty());
    assert!(attack(&c, &l, 3, 9).is_empty());
    assert_eq!(l.shown(1), Shown::Protects);
    assert_eq!(
        l.shown(2),
        Shown::Count(9),
        "all of them is no group under k"
    );
}

#[test]
fn two_small_cells_that_add_up_under_k_are_protected_too() {
    // 1 + 1 hidden with a shown 10 and total 12: each is pinned to 1.
    let c = distribution(&[1, 1, 10]);
    let l = c.ledger(3);
    labels_true(&c, &l, 3);
    assert!(l.audit().is_empty());
    assert!(attack(&c, &l, 3, 12).is_empty());
    assert_eq!(l.shown(3), Shown::Protects);
}

#[test]
fn a_cross_tab_with_its_margins_gives_nothing_away() {
    // 2 × 3 cells, row totals, column totals and the grand total all published.
    let inner = [[6, 2, 9], [5, 8, 4]];
    let mut values: Vec<u32> = inner.iter().flatten().copied().collect(); // 0..6
    let rows: Vec<u32> = inner.iter().map(|r| r.iter().sum()).collect();
    values.extend(&rows); // 6, 7
    let cols: Vec<u32> = (0..3).map(|c| inner[0][c] + inner[1][c]).collect();
    values.extend(&cols); // 8, 9, 10
    values.push(rows.iter().sum()); // 11
    let c = Crafted {
        values,
        sums: vec![
            (6, vec![0, 1, 2]),
            (7, vec![3, 4, 5]),
            (8, vec![0, 3]),
            (9, vec![1, 4]),
            (10, vec![2, 5]),
            (11, vec![6, 7]),
            (11, vec![8, 9, 10]),
        ],
        within: Vec::new(),
    };
    let l = c.ledger(5);
    labels_true(&c, &l, 5);
    assert!(l.audit().is_empty());
    assert!(
        attack(&c, &l, 5, 34).is_empty(),
        "{:?}",
        attack(&c, &l, 5, 34)
    );
}

/// A small generator of crafted tables (no dependency for it: an LCG is enough).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u32) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n)) as u32
    }
}

#[test]
fn random_tables_come_out_clean_against_the_attacker() {
    let mut rng = Lcg(7);
    for round in 0..60 {
        let k = 3;
        let c = if round % 2 == 0 {
            let parts: Vec<u32> = (0..3 + rng.next(3)).map(|_| rng.next(8)).collect();
            distribution(&parts)
        } else {
            // 2 × 2 with published row and column totals.
            let inner: Vec<u32> = (0..4).map(|_| rng.next(7)).collect();
            let mut values = inner.clone();
            values.push(inner[0] + inner[1]);
            values.push(inner[2] + inner[3]);
            values.push(inner[0] + inner[2]);
            values.push(inner[1] + inner[3]);
            Crafted {
                values,
                sums: vec![
                    (4, vec![0, 1]),
                    (5, vec![2, 3]),
                    (6, vec![0, 2]),
                    (7, vec![1, 3]),
                ],
                within: Vec::new(),
            }
        };
        let l = c.ledger(k);
        labels_true(&c, &l, k);
        assert!(l.audit().is_empty(), "round {round}: {:?}", l.audit());
        let cap = c.values.iter().sum::<u32>();
        let found = attack(&c, &l, k, cap.min(30));
        assert!(found.is_empty(), "round {round} {:?}: {found:?}", c.values);
    }
}
