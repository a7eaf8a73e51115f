//! The worker module: the screens around a survey that every day passes through — the
//! device lock (src/ui/lock.rs), hand-over's settings and hand-back screen
//! (src/ui/handover.rs), the review (src/ui/review.rs) — as a wasm module of its own, apart
//! from the QR codes and camera of the hand-back module. The lock screen opens every
//! start, so this module is fetched at every start: it carries nothing else.

#[cfg(target_arch = "wasm32")]
fn main() {
    doorstep::ui::start_worker();
}

/// Natively there is nothing to run: `cargo test` only needs this to build.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
