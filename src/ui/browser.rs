//! Small wrappers over browser APIs the screens need: time, ids, the URL, the service worker.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// Now, as stored in responses: RFC 3339 with the device's offset, to the second.
pub fn now() -> String {
    crate::response::rfc3339(&chrono::Local::now())
}

/// Milliseconds since the epoch, for timers (Playwright's clock moves it in tests).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Takes the focus (and the on-screen keyboard) away from whatever has it.
pub fn blur_active() {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.blur();
    }
}

/// "2026-11-24T09:15:00+08:00" → "2026-11-24 09:15" for lists.
pub fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

/// A random (v4) UUID from the browser's CSPRNG. `crypto.randomUUID()` needs a secure
/// context, as the service worker does; `getRandomValues` is the fallback elsewhere.
// `ok().expect`: a `Result`'s own `expect` would link JsValue's Debug into the first load.
#[allow(clippy::ok_expect)]
pub fn new_uuid() -> String {
    let window = web_sys::window().expect("window");
    let crypto = window.crypto().ok().expect("crypto");
    let has_random_uuid = Reflect::has(&crypto, &JsValue::from_str("randomUUID")).unwrap_or(false);
    if has_random_uuid {
        return crypto.random_uuid();
    }
    let mut b = [0u8; 16];
    crypto
        .get_random_values_with_u8_array(&mut b)
        .ok()
        .expect("getRandomValues");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Goes to a screen, with a history entry so the tablet's back button works.
pub fn set_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Changes the URL without a history entry (used after `#/new` created a response, so
/// a reload or "back" never creates a second one).
pub fn replace_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        if let Ok(h) = w.history() {
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(hash));
        }
    }
}

/// Removes `?lang=…` (any query) from the address, keeping the screen's fragment.
pub fn drop_query() {
    if location_search().is_empty() {
        return;
    }
    if let Some(w) = web_sys::window() {
        let path = w.location().pathname().unwrap_or_default();
        if let Ok(h) = w.history() {
            let url = format!("{path}{}", location_hash());
            let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
        }
    }
}

pub fn is_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

pub fn scroll_to_top() {
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Moves keyboard and screen-reader focus to an element and brings it into view.
/// False when there is no such element.
pub fn focus_by_id(id: &str) -> bool {
    use wasm_bindgen::JsCast;
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    match el {
        Some(el) => {
            let _ = el.focus();
            el.scroll_into_view();
            true
        }
        None => false,
    }
}

/// Registers `sw.js`, which precaches the build so the app opens without a network.
/// Skipped where service workers do not exist (insecure origins, some private modes).
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let _ = navigator.service_worker().register("./sw.js");
}

/// Asks the browser not to evict this origin's storage under pressure. Best effort: the
/// answer is not needed, and browsers without the API simply keep their default.
pub fn request_persistent_storage() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if Reflect::has(&navigator, &JsValue::from_str("storage")).unwrap_or(false) {
        let _ = navigator.storage().persist();
    }
}

/// Calls `f` when a new version of the app takes over this page (a new service worker
/// activated after one already controlled the page). Not on the very first install.
pub fn on_new_version(f: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        return;
    }
    let container = navigator.service_worker();
    // The first install also changes the controller (from none): that one is not news.
    let had_controller = std::cell::Cell::new(container.controller().is_some());
    let callback = Closure::<dyn Fn()>::new(move || {
        if had_controller.replace(true) {
            f();
        }
    });
    let _ = container
        .add_event_listener_with_callback("controllerchange", callback.as_ref().unchecked_ref());
    // Lives as long as the page.
    callback.forget();
}

/// Reloads the page (after a new version was installed).
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

/// Offers `text` as a file download (a Blob and a temporary object URL; nothing leaves the
/// device). False if the browser refused.
pub fn download(name: &str, text: &str, mime: &str) -> bool {
    offer_file(name, &JsValue::from_str(text), mime)
}

/// Offers bytes as a file download, as `download` does text.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) -> bool {
    offer_file(name, &js_sys::Uint8Array::from(bytes), mime)
}

fn offer_file(name: &str, part: &JsValue, mime: &str) -> bool {
    use wasm_bindgen::JsCast;
    let run = || -> Result<(), JsValue> {
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob =
            web_sys::Blob::new_with_blob_sequence_and_options(&js_sys::Array::of1(part), &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or(JsValue::NULL)?;
        let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
        a.set_href(&url);
        a.set_download(name);
        a.click();
        web_sys::Url::revoke_object_url(&url)
    };
    run().is_ok()
}

/// Offers a file to the share sheet (Web Share API level 2) where the browser can share
/// files; false where it cannot, and the screen says so.
pub fn share(name: &str, text: &str, mime: &str) -> bool {
    use wasm_bindgen::JsCast;
    let run = || -> Result<bool, JsValue> {
        let navigator = web_sys::window().ok_or(JsValue::NULL)?.navigator();
        let can_share = js_sys::Reflect::get(&navigator, &"canShare".into())?;
        let share = js_sys::Reflect::get(&navigator, &"share".into())?;
        let (Some(can_share), Some(share)) = (
            can_share.dyn_ref::<js_sys::Function>(),
            share.dyn_ref::<js_sys::Function>(),
        ) else {
            return Ok(false);
        };
        let parts = js_sys::Array::of1(&JsValue::from_str(text));
        let options = web_sys::FilePropertyBag::new();
        options.set_type(mime);
        let file = web_sys::File::new_with_str_sequence_and_options(&parts, name, &options)?;
        let data = js_sys::Object::new();
        js_sys::Reflect::set(&data, &"files".into(), &js_sys::Array::of1(&file))?;
        js_sys::Reflect::set(&data, &"title".into(), &name.into())?;
        if !can_share.call1(&navigator, &data)?.is_truthy() {
            return Ok(false);
        }
        // The promise settles when the person has picked an app or cancelled; either way
        // nothing more is to be done here.
        let _ = share.call1(&navigator, &data)?;
        Ok(true)
    };
    run().unwrap_or(false)
}

/// Reads `text` aloud in `lang` (a BCP 47 tag) with the browser's speech synthesis; false
/// where the device has no voice for the language (the caller says so). What is being
/// read stops first, so a second tap starts over.
pub fn speak(text: &str, lang: &str) -> bool {
    let Some(synth) = web_sys::window().and_then(|w| w.speech_synthesis().ok()) else {
        return false;
    };
    let prefix = lang.split('-').next().unwrap_or(lang);
    let has_voice = synth
        .get_voices()
        .iter()
        .filter_map(|v| {
            js_sys::Reflect::get(&v, &JsValue::from_str("lang"))
                .ok()?
                .as_string()
        })
        .any(|l| l.to_ascii_lowercase().starts_with(prefix));
    if !has_voice {
        return false;
    }
    let Ok(u) = web_sys::SpeechSynthesisUtterance::new_with_text(text) else {
        return false;
    };
    u.set_lang(lang);
    synth.cancel();
    synth.speak(&u);
    true
}

/// The files of a `FileList` (a file input's, or a drop's), in order.
pub fn file_list(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// The files chosen in the file input that `ev` came from. The input is emptied, so the
/// same file may be picked again after a fix.
pub fn picked_files(ev: &web_sys::Event) -> Vec<web_sys::File> {
    use wasm_bindgen::JsCast;
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = file_list(input.files());
    input.set_value("");
    files
}

/// A picked file's bytes, read in the browser's own time; `None` if it cannot be.
pub async fn file_bytes(file: web_sys::File) -> Option<Vec<u8>> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A picked file's text (UTF-8), read in the browser's own time; `None` if it cannot be.
pub async fn file_text(file: web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|v| v.as_string())
}
