//! The hand-back module: a resident's answers as QR codes on their phone, and the tablet's
//! camera reading them (src/ui/handback.rs), as a wasm module of its own. The QR crates are
//! as large as the form library's, so neither the app's first load nor the coordinator
//! module carries them: this one is fetched only when `#/r/<id>/return` or `#/receive`
//! is opened.

#[cfg(target_arch = "wasm32")]
fn main() {
    doorstep::ui::start_handback();
}

/// Natively there is nothing to run: `cargo test` only needs this to build.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
