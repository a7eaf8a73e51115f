//! Doorstep: offline door-to-door needs surveys.
//!
//! Everything outside `ui` and `store::local` is plain Rust with no browser in it, so the rules
//! (form parsing, validation, progress, saving) are tested natively in seconds.

pub mod export;
pub mod form;
pub mod handover;
pub mod i18n;
pub mod report;
pub mod response;
pub mod route;
pub mod store;
pub mod transfer;
pub mod vault;
pub mod visits;
pub mod xlsform;

#[cfg(target_arch = "wasm32")]
pub mod ui;
