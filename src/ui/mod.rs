//! The Leptos interface: one file per screen or widget. Components call the pure modules
//! (`form`, `response`, `store`) and hold nothing but signals.

mod app;
mod browser;
mod list;
mod question;
mod review;
mod roster;
mod survey;

pub use app::{App, AppState};

/// Entry point of the wasm binary.
pub fn start() {
    console_error_panic_hook::set_once();
    browser::register_service_worker();
    leptos::mount::mount_to_body(App);
}
