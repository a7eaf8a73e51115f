//! The Leptos interface: one file per screen or widget. Components call the pure modules
//! (`form`, `response`, `store`) and hold nothing but signals.

mod app;
mod browser;
mod forms;
mod library;
mod list;
mod question;
mod review;
mod roster;
mod survey;

pub use app::{App, AppState};

/// Entry point of the wasm binary.
pub fn start() {
    // The panic message to the browser console. console_error_panic_hook would add the JS
    // stack too, at about 5 KB gzip of bundle; the message says enough to find the place.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    browser::register_service_worker();
    leptos::mount::mount_to_body(App);
}
