//! Door-to-door visits: the walk list, the visit log, coverage and the contract's
//! indicators. Plain Rust: every count is tested natively.

pub mod coverage;
pub mod follow_up;
pub mod indicators;
pub mod log;
pub mod walk;

#[cfg(test)]
mod tests;
