//! Forms as the screens need them: the built-in one, or a library version loaded once per
//! page and kept for the page's life (screens hold `&'static Form`; a page sees a handful).

use super::app::AppState;
use crate::form::{builtin_form, Form};
use crate::store::FormStore;
use std::cell::RefCell;

thread_local! {
    static LOADED: RefCell<Vec<&'static Form>> = const { RefCell::new(Vec::new()) };
}

/// The form `id` at `version`, if this device has it.
pub fn resolve(app: AppState, id: &str, version: u32) -> Option<&'static Form> {
    let b = builtin_form();
    if b.id == id && b.version == version {
        return Some(b);
    }
    if let Some(f) = LOADED.with_borrow(|l| {
        l.iter()
            .find(|f| f.id == id && f.version == version)
            .copied()
    }) {
        return Some(f);
    }
    let form = app
        .with_store(|s| FormStore::new(s.kv()).load(id, version).ok().flatten())
        .flatten()?;
    // Kept for the page's life: a stored version never changes, so this never goes stale.
    let form: &'static Form = Box::leak(Box::new(form));
    LOADED.with_borrow_mut(|l| l.push(form));
    Some(form)
}
