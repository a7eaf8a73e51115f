//! The durable journal as the screens see it (public/journal.js does the work, before the
//! app starts): whether a change is on disk yet, whether the start must wait for the
//! replay, and waiting for the last changes before a screen moves on.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Where the journal stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Durability {
    /// Every change up to this number is on disk.
    Up(f64),
    /// Writing to disk failed; it is tried again.
    Failing(f64),
    /// No journal on this browser (or none loaded): localStorage alone, which reaches the
    /// disk some seconds after a change.
    Unavailable,
}

fn journal() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"doorstepJournal".into())
        .ok()
        .filter(|j| j.is_object())
}

fn field(j: &JsValue, name: &str) -> JsValue {
    Reflect::get(j, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn durability() -> Durability {
    let Some(j) = journal() else {
        return Durability::Unavailable;
    };
    let durable = field(&j, "durable").as_f64().unwrap_or(0.0);
    match field(&j, "state").as_string().as_deref() {
        Some("failing") => Durability::Failing(durable),
        Some("unavailable") => Durability::Unavailable,
        _ => Durability::Up(durable),
    }
}

/// Whether change number `seq` (`store::local::last_change`) is on disk, as far as this
/// browser lets the app know: `None` while it is on its way.
pub fn on_disk(seq: f64) -> Option<bool> {
    match durability() {
        Durability::Up(d) | Durability::Failing(d) if d >= seq => Some(true),
        Durability::Failing(_) => Some(false),
        Durability::Up(_) => None,
        // Nothing more to wait for: the lock screen says so at start (`journal-missing`).
        Durability::Unavailable => Some(true),
    }
}

/// Changes a killed browser lost that did not fit back into storage at start.
pub fn unrestored() -> u32 {
    journal().map_or(0, |j| {
        field(&j, "unrestored").as_f64().unwrap_or(0.0) as u32
    })
}

/// Runs `f` once the promise the journal's method `name` returns settles (at once without
/// a journal, or when the method fails).
fn after(name: &str, f: impl FnOnce() + 'static) {
    let promise = journal().and_then(|j| {
        let method = field(&j, name);
        let p = if method.is_function() {
            method.unchecked_ref::<Function>().call0(&j).ok()?
        } else {
            method
        };
        p.dyn_into::<Promise>().ok()
    });
    match promise {
        Some(p) => {
            let f = std::cell::Cell::new(Some(f));
            let done = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                if let Some(f) = f.take() {
                    f()
                }
            });
            let _ = p.then2(&done, &done);
            done.forget();
        }
        None => f(),
    }
}

/// Whether the journal is still replaying; if so, it is asked to mount the app when done
/// (`mount_app` in src/main.rs), and the caller must not. `waiting` is when the app began
/// to wait (ms since the epoch), so the journal can say how long it kept the app waiting.
pub fn holds_start() -> bool {
    journal().is_some_and(|j| {
        let opening = field(&j, "state").as_string().as_deref() == Some("opening");
        let now = JsValue::from_f64(js_sys::Date::now());
        opening && Reflect::set(&j, &"waiting".into(), &now).unwrap_or(false)
    })
}

/// After every change made so far is on disk, or `most` milliseconds at the most (a
/// reload that waits longer would look like a hang; the changes are in localStorage, which
/// reaches the disk on its own unless the browser is killed in those seconds).
pub fn when_flushed(most: Option<u32>, f: impl FnOnce() + 'static) {
    let once = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let again = once.clone();
    after("flushed", move || {
        if let Some(f) = once.take() {
            f()
        }
    });
    if let Some(ms) = most {
        leptos::prelude::set_timeout(
            move || {
                if let Some(f) = again.take() {
                    f()
                }
            },
            std::time::Duration::from_millis(ms.into()),
        );
    }
}
