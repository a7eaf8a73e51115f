//! Storage figures in headless Chromium, printed as `name: value unit` for `make bench`.
//! Not timed tests: nothing here fails on a slow machine. Compiled only with `--features bench`.
#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use doorstep::form::builtin_form;
use doorstep::response::{sample, Value};
use doorstep::store::local::LocalStore;
use doorstep::store::{KvStore, ResponseStore, StoreError, LANG_KEY};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn id(n: u64) -> String {
    format!("{:08x}-7d1c-4b2a-9e3f-{:012x}", n, n * 7919)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[wasm_bindgen_test]
fn storage_capacity_and_save_latency() {
    let kv = LocalStore::open().unwrap();
    kv.storage().clear().unwrap();
    let store = ResponseStore::open(kv.clone()).unwrap();
    kv.set(LANG_KEY, "zh-CN").unwrap();
    let form = builtin_form();

    // Saving one answer with 2,000 responses already stored, through the same path the
    // survey screen uses (read-compare, serialise, setItem).
    for n in 0..2_000 {
        store.create(sample::completed(form, &id(n), n)).unwrap();
    }
    // The response being edited is a full one (the worst case for serialising it).
    let mut draft = sample::completed(form, &id(99_999), 99_999);
    draft.reopen();
    let mut open = store.create(draft).unwrap();
    let mut times = Vec::new();
    for i in 0..300 {
        let t0 = now_ms();
        open.response
            .set_answer("hh_size", Some(Value::Int(1 + i % 9)));
        store.save(&mut open, "2026-11-24T09:00:01+08:00").unwrap();
        times.push(now_ms() - t0);
    }
    // Batches as well: performance.now() is coarse (0.1 ms) in Chromium.
    let t0 = now_ms();
    for i in 0..1_000 {
        open.response
            .set_answer("hh_size", Some(Value::Int(1 + i % 9)));
        store.save(&mut open, "2026-11-24T09:00:01+08:00").unwrap();
    }
    let mean = (now_ms() - t0) / 1_000.0;
    console_log!(
        "save_one_answer_median_2000_stored: {:.3} ms",
        median(times)
    );
    console_log!("save_one_answer_mean_2000_stored: {:.3} ms", mean);

    let t0 = now_ms();
    let (list, _) = store.list(form).unwrap();
    console_log!(
        "list_2000_responses: {:.1} ms ({} rows)",
        now_ms() - t0,
        list.len()
    );

    // Capacity: keep adding completed responses until the browser says the quota is full.
    let mut n = 2_000u64;
    loop {
        match store.create(sample::completed(form, &id(n), n)) {
            Ok(_) => n += 1,
            Err(StoreError::QuotaExceeded) => break,
            Err(e) => panic!("{e}"),
        }
    }
    let fitted = store.ids().unwrap().len();
    let used = kv.chars_used().unwrap();
    console_log!("capacity_completed_responses: {} responses", fitted);
    console_log!("capacity_chars_per_response: {} chars", used / fitted);
    console_log!("capacity_chars_used: {} chars", used);
    kv.storage().clear().unwrap();
}
