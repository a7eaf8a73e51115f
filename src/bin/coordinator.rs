//! The coordinator module: the form library, with XLSForm import, as a second wasm module
//! the app fetches only when someone opens the library (see src/ui/library.rs). Keeping it
//! out of the app's first load keeps the survey fast to open on a worker's tablet.

#[cfg(target_arch = "wasm32")]
fn main() {
    doorstep::ui::start_coordinator();
}

/// Natively there is nothing to run: `cargo test` only needs this to build.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
