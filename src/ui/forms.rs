//! Forms as the screens need them: the built-in one, or a library version loaded once per
//! page and kept for the page's life (screens hold `&'static Form`; a page sees a handful).

use super::app::AppState;
use crate::form::{builtin_form, Form};
use crate::store::{FormStore, KvStore};
use std::cell::RefCell;

thread_local! {
    static LOADED: RefCell<Vec<&'static Form>> = const { RefCell::new(Vec::new()) };
}

/// The form `id` at `version`, if this device has it.
pub fn resolve(app: AppState, id: &str, version: u32) -> Option<&'static Form> {
    app.with_store(|s| resolve_in(s.kv(), id, version))
        .flatten()
}

/// The same, from a store (the screens of other wasm modules have no `AppState`).
pub fn resolve_in(kv: &dyn KvStore, id: &str, version: u32) -> Option<&'static Form> {
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
    let form = FormStore::new(kv).load(id, version).ok().flatten()?;
    // Kept for the page's life: a stored version never changes, so this never goes stale.
    let form: &'static Form = Box::leak(Box::new(form));
    LOADED.with_borrow_mut(|l| l.push(form));
    Some(form)
}

/// A new draft of `form`, stamped with the worker's code and, from the walk list, with
/// `household`'s address; stored at once. Returns its id.
pub fn new_response(
    kv: &crate::store::local::LocalStore,
    form: &'static Form,
    household: Option<&crate::visits::walk::Household>,
) -> Result<String, crate::store::StoreError> {
    use super::browser;
    let mut r = crate::response::Response::with_defaults(browser::new_uuid(), form, browser::now());
    if let Some(h) = household {
        r.start_at(form, h);
    }
    r.worker = crate::store::VisitStore::new(kv)
        .worker_code()?
        .unwrap_or_default();
    let id = r.id.clone();
    crate::store::ResponseStore::open(kv.clone())?.create(r)?;
    Ok(id)
}
