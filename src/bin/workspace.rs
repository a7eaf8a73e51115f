//! The workspace module: the coordinator's imports of many workers' exports, the dashboard
//! and the report, as a wasm module of its own that the app fetches only when someone opens
//! `#/workspace` (see src/ui/app.rs). Workers' tablets never load it.

#[cfg(target_arch = "wasm32")]
fn main() {
    doorstep::ui::start_workspace();
}

/// Natively there is nothing to run: `cargo test` only needs this to build.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
