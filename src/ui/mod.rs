//! The Leptos interface: one file per screen or widget. Components call the pure modules
//! (`form`, `response`, `store`) and hold nothing but signals.

mod app;
mod browser;
pub mod export;
mod forms;
pub mod library;
mod list;
mod question;
mod review;
mod roster;
mod survey;
pub mod visits;

pub use app::{App, AppState};

/// Entry point of the coordinator module (src/bin/coordinator.rs): mounts the form library
/// into the placeholder the app draws for `#/forms`, now and whenever the app draws it
/// again (it says so with a `doorstep-coordinator` event).
pub fn start_coordinator() {
    use leptos::prelude::IntoAny;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    thread_local! {
        static MOUNTED: RefCell<Option<Box<dyn std::any::Any>>> = const { RefCell::new(None) };
    }
    fn mount() {
        let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("coordinator"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        // The module's own styles, once.
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if doc.get_element_by_id("tools-css").is_none() {
                if let (Ok(link), Some(head)) = (doc.create_element("link"), doc.head()) {
                    link.set_id("tools-css");
                    let _ = link.set_attribute("rel", "stylesheet");
                    let _ = link.set_attribute("href", "./tools.css");
                    let _ = head.append_child(&link);
                }
            }
        }
        // Unmount what an earlier visit drew (its placeholder is gone already).
        MOUNTED.with_borrow_mut(|m| m.take());
        let lang = el
            .get_attribute("data-lang")
            .and_then(|l| crate::i18n::Lang::parse(&l))
            .unwrap_or_default();
        el.set_text_content(None);
        let Ok(kv) = crate::store::local::LocalStore::open() else {
            el.set_text_content(Some(crate::i18n::Msg::StorageUnavailable.get(lang)));
            return;
        };
        let screen = el.get_attribute("data-screen").unwrap_or_default();
        let handle = leptos::mount::mount_to(el, move || match screen.as_str() {
            "visits" => leptos::view! { <visits::Visits lang=lang kv=kv /> }.into_any(),
            "export" => leptos::view! { <export::Export lang=lang kv=kv /> }.into_any(),
            _ => leptos::view! { <library::Library lang=lang kv=kv /> }.into_any(),
        });
        MOUNTED.with_borrow_mut(|m| *m = Some(Box::new(handle)));
    }
    mount();
    let again = Closure::<dyn FnMut()>::new(mount);
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback(
            "doorstep-coordinator",
            again.as_ref().unchecked_ref(),
        );
    }
    again.forget();
}

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
