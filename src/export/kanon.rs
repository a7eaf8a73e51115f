//! k-anonymity by suppression: every combination of quasi-identifier values that leaves
//! the device is shared by at least k records. Records in smaller groups have their values
//! blanked one quasi-identifier at a time, least important first, until every group holds
//! k. A blanked value is published exactly as a missing one (left out), so the two cannot
//! be told apart and the groups stay as counted here.

use std::collections::HashMap;

/// What suppression did to a table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suppression {
    /// Values blanked, by column.
    pub blanked: Vec<usize>,
    /// Rows still in a group smaller than k with every column blanked: they cannot be
    /// published.
    pub unmet: Vec<usize>,
}

/// Group sizes of the rows' value tuples, and the rows in groups smaller than `k`.
pub(crate) fn small_groups(rows: &[Vec<Option<String>>], k: usize) -> Vec<usize> {
    let mut sizes: HashMap<&[Option<String>], usize> = HashMap::with_capacity(rows.len());
    for r in rows {
        *sizes.entry(r.as_slice()).or_default() += 1;
    }
    rows.iter()
        .enumerate()
        .filter(|(_, r)| sizes[r.as_slice()] < k)
        .map(|(i, _)| i)
        .collect()
}

/// Blanks values of `rows` (each a tuple of quasi-identifiers, columns ordered least
/// important first) until every group of equal tuples has at least `k` rows, or says
/// which rows cannot get there (the caller withholds them). Only the first `blankable`
/// columns may be blanked; the rest (what the file shows anyway, such as how many members a
/// roster lists) count in the groups but stay.
pub fn suppress(rows: &mut [Vec<Option<String>>], k: usize, blankable: usize) -> Suppression {
    let columns = rows.first().map_or(0, Vec::len).min(blankable);
    let mut out = Suppression {
        blanked: vec![0; columns],
        unmet: Vec::new(),
    };
    for col in 0..columns {
        let small = small_groups(rows, k);
        if small.is_empty() {
            return out;
        }
        for i in small {
            if rows[i][col].take().is_some() {
                out.blanked[col] += 1;
            }
        }
    }
    out.unmet = small_groups(rows, k);
    out
}

/// Whether every group of equal tuples holds at least `k` rows (the tests' check).
pub fn holds(rows: &[Vec<Option<String>>], k: usize) -> bool {
    small_groups(rows, k).is_empty()
}
