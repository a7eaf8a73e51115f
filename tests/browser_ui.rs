//! Components in a real DOM: the app mounted into a fresh element, driven by clicks and input
//! events, checked against the page and against localStorage.
#![cfg(target_arch = "wasm32")]

use doorstep::store::local::LocalStore;
use doorstep::store::KvStore;
use doorstep::store::ResponseStore;
use doorstep::ui::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn find(root: &HtmlElement, testid: &str) -> Option<HtmlElement> {
    root.query_selector(&format!("[data-testid='{testid}']"))
        .unwrap()
        .map(|e| e.unchecked_into())
}

fn count(root: &HtmlElement, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn type_into(input: &HtmlElement, text: &str) {
    let input: &HtmlInputElement = input.unchecked_ref();
    input.set_value(text);
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// The stored responses as JSON, their sealed answers opened with the held key (and none
/// of the answers typed readable in the raw records: `building` is an identifier).
fn stored_responses(kv: &LocalStore) -> Vec<serde_json::Value> {
    for k in kv
        .keys()
        .unwrap()
        .into_iter()
        .filter(|k| k.starts_with("doorstep.r."))
    {
        let raw = kv.get(&k).unwrap().unwrap();
        assert!(!raw.contains("\"building\""), "{raw}");
    }
    let (all, damaged) = ResponseStore::open(kv.clone()).unwrap().all().unwrap();
    assert!(damaged.is_empty());
    all.iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect()
}

/// The recipe a lock records (the key-encryption key itself is given, not derived).
fn test_recipe() -> doorstep::vault::lock::Recipe {
    doorstep::vault::lock::Recipe::current(doorstep::vault::lock::Secret::Pin, [1; 16])
}

/// Clears storage, gives the device a PIN (unlocked, as after typing it), opens the app at
/// `hash` inside a fresh element, and waits for it to draw.
async fn mount_app(hash: &str) -> (LocalStore, HtmlElement, impl Drop) {
    let kv = LocalStore::open().unwrap();
    kv.storage().clear().unwrap();
    let key = doorstep::store::vault::first_lock(&kv, &[7; 32], test_recipe()).unwrap();
    doorstep::vault::holder::hold(&key);
    web_sys::window()
        .unwrap()
        .location()
        .set_hash(hash)
        .unwrap();
    let root: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&root).unwrap();
    let handle = leptos::mount::mount_to(root.clone(), App);
    settle().await;
    (kv, root, handle)
}

async fn settle() {
    for _ in 0..3 {
        leptos::task::tick().await;
    }
}

#[wasm_bindgen_test]
async fn new_survey_saves_every_answer_as_it_is_typed() {
    // The list, with its "new survey" button, is the worker module's (end-to-end tests
    // drive it); `#/new` is the same start within the app's first load.
    let (kv, root, handle) = mount_app("#/new").await;
    assert!(
        count(&root, "[data-testid='question']") > 0,
        "first section shown"
    );
    assert_eq!(
        stored_responses(&kv).len(),
        1,
        "the draft exists before any answer"
    );

    find(&root, "choice-consent-yes").unwrap().click();
    settle().await;
    assert_eq!(
        stored_responses(&kv)[0]["a"]["consent"],
        serde_json::json!(true)
    );

    find(&root, "next").unwrap().click();
    settle().await;
    let building = find(&root, "input-building").expect("building box on section 2");
    type_into(&building, "1");
    type_into(&building, "12");
    settle().await;
    let saved = stored_responses(&kv);
    assert_eq!(saved[0]["a"]["building"], serde_json::json!("12"));
    assert_eq!(saved[0]["rev"], serde_json::json!(3), "one save per change");
    let progress = find(&root, "progress").unwrap().text_content().unwrap();
    assert!(
        progress.starts_with("已答 2/"),
        "progress counts two answers: {progress}"
    );

    drop(handle);
    root.remove();
    kv.storage().clear().unwrap();
}

#[wasm_bindgen_test]
async fn next_is_refused_with_messages_while_required_answers_are_missing() {
    let (kv, root, handle) = mount_app("#/new").await;

    assert!(
        find(&root, "issue-consent").is_none(),
        "no error before trying"
    );
    find(&root, "next").unwrap().click();
    settle().await;
    assert!(
        find(&root, "issue-consent").is_some(),
        "required message shown"
    );
    let position = find(&root, "section-position")
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        position.starts_with("第 1/"),
        "still on the first section: {position}"
    );

    find(&root, "choice-consent-yes").unwrap().click();
    settle().await;
    assert!(
        find(&root, "issue-consent").is_none(),
        "message gone once answered"
    );

    drop(handle);
    root.remove();
    kv.storage().clear().unwrap();
}
