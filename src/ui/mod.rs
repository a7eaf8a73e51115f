//! The Leptos interface: one file per screen or widget. Components call the pure modules
//! (`form`, `response`, `store`) and hold nothing but signals.

mod app;
mod backup;
mod browser;
pub mod export;
mod forms;
mod handback;
pub mod handover;
mod journal;
pub mod kek;
pub mod library;
mod list;
mod lock;
mod project_keys;
mod projects;
mod question;
mod release;
mod report;
mod results;
mod review;
mod roster;
mod survey;
pub mod visits;
pub mod workspace;

pub use app::{App, AppState};

/// Entry point of the coordinator module (src/bin/coordinator.rs): mounts the form library,
/// visits or export screen into the placeholder the app draws for them, now and whenever the
/// app draws it again.
pub fn start_coordinator() {
    start_module("coordinator", |lang, screen| {
        use leptos::prelude::IntoAny;
        let Ok(kv) = crate::store::local::LocalStore::open() else {
            return crate::i18n::Msg::StorageUnavailable.get(lang).into_any();
        };
        match screen {
            "visits" => leptos::view! { <visits::Visits lang=lang kv=kv /> }.into_any(),
            "export" => leptos::view! { <export::Export lang=lang kv=kv /> }.into_any(),
            _ => leptos::view! { <library::Library lang=lang kv=kv /> }.into_any(),
        }
    });
}

/// Entry point of the hand-back module (src/bin/handback.rs): a resident's answers as QR
/// codes, and the tablet reading them.
pub fn start_handback() {
    start_module("handback", |lang, screen| {
        use leptos::prelude::IntoAny;
        let Ok(kv) = crate::store::local::LocalStore::open() else {
            return crate::i18n::Msg::StorageUnavailable.get(lang).into_any();
        };
        match screen {
            "return" => leptos::view! { <handback::Return lang=lang kv=kv /> }.into_any(),
            _ => leptos::view! { <handback::Receive lang=lang kv=kv /> }.into_any(),
        }
    });
}

/// Entry point of the worker module (src/bin/worker.rs): the device lock, hand-over's
/// screens and the review.
pub fn start_worker() {
    start_module("worker", |lang, screen| {
        use leptos::prelude::IntoAny;
        let Ok(kv) = crate::store::local::LocalStore::open() else {
            // The app's banner says why; the list shows nothing it could not read.
            return leptos::view! { <list::ResponseList lang=lang store=None /> }.into_any();
        };
        match screen {
            "list" => {
                // Storage the app cannot even set up (full while fresh) is no storage.
                let store = crate::store::ResponseStore::open(kv).ok();
                leptos::view! { <list::ResponseList lang=lang store=store /> }.into_any()
            }
            "hand-over" => leptos::view! { <handover::Setup lang=lang kv=kv /> }.into_any(),
            "unlock" => leptos::view! { <handover::Unlock lang=lang kv=kv /> }.into_any(),
            "review" => leptos::view! { <review::Review lang=lang kv=kv /> }.into_any(),
            _ => leptos::view! { <lock::DeviceLock lang=lang kv=kv /> }.into_any(),
        }
    });
}

/// Entry point of the workspace module (src/bin/workspace.rs): the coordinator's imports,
/// dashboard and report.
pub fn start_workspace() {
    start_module("workspace", |lang, _| {
        use leptos::prelude::IntoAny;
        leptos::view! { <workspace::Workspace lang=lang /> }.into_any()
    });
}

/// Mounts a module's screen into the app's placeholder `#<module>` (see `ToolsHost` in
/// app.rs), now and on every `doorstep-<module>` event the app sends when it draws the
/// placeholder again.
fn start_module(
    module: &'static str,
    draw: fn(crate::i18n::Lang, &str) -> leptos::prelude::AnyView,
) {
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    thread_local! {
        static MOUNTED: RefCell<Option<Box<dyn std::any::Any>>> = const { RefCell::new(None) };
    }
    let mount = move || {
        let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(module))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        // The modules' own styles, once.
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
        let screen = el.get_attribute("data-screen").unwrap_or_default();
        // Built inside `mount_to`, which owns its signals and effects.
        let handle = leptos::mount::mount_to(el, move || draw(lang, &screen));
        MOUNTED.with_borrow_mut(|m| *m = Some(Box::new(handle)));
    };
    mount();
    let again = Closure::<dyn FnMut()>::new(mount);
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback(
            &format!("doorstep-{module}"),
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
    // The data key's home is this module's memory; the screens fetched later ask it.
    crate::vault::holder::install();
    // Not before the durable journal has put back what a killed browser lost: while it
    // is at it, it calls `mount_app` (src/main.rs) when done.
    if !journal::holds_start() {
        mount();
    }
}

/// Draws the app.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}
