//! The form-import worker: XLSForm and definition files in, a checked form out.
//!
//! A separate wasm module, started by the form library only when someone imports a form,
//! so the zip, XML and CSV readers and the checking form parser never weigh on the app's
//! first load. It also keeps a large workbook from freezing the screen. Messages:
//! `{op: "import", files: [File…]}` and `{op: "finish", source, privacy, version}` (privacy
//! as JSON `[[id, class]…]`); every answer is one `xlsform::Reply` as JSON text.

#[cfg(target_arch = "wasm32")]
fn main() {
    use doorstep::i18n::Text;
    use doorstep::xlsform::{finish_import, import, ImportError, Reply};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

    fn field(data: &JsValue, name: &str) -> JsValue {
        js_sys::Reflect::get(data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    fn read(file: &File) -> Result<Vec<u8>, JsValue> {
        let buffer = FileReaderSync::new()?.read_as_array_buffer(file)?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }

    fn handle(data: JsValue) -> Reply {
        match field(&data, "op").as_string().as_deref() {
            Some("import") => {
                let mut files = Vec::new();
                for f in js_sys::Array::from(&field(&data, "files")).iter() {
                    let Ok(file) = f.dyn_into::<File>() else {
                        continue;
                    };
                    match read(&file) {
                        Ok(bytes) => files.push((file.name(), bytes)),
                        Err(_) => {
                            return Reply::Failed(ImportError {
                                message: Text::new(
                                    format!("无法读取文件“{}”。", file.name()),
                                    format!("The file \"{}\" could not be read.", file.name()),
                                ),
                            })
                        }
                    }
                }
                import(&files)
            }
            Some("finish") => {
                let source = field(&data, "source").as_string().unwrap_or_default();
                let privacy = field(&data, "privacy").as_string().unwrap_or_default();
                let privacy: Vec<(String, doorstep::form::Privacy)> =
                    serde_json::from_str(&privacy).unwrap_or_default();
                let version = field(&data, "version").as_f64().unwrap_or(1.0) as u32;
                finish_import(&source, &privacy, version)
            }
            _ => Reply::Failed(ImportError {
                message: Text::new("未知的请求。", "Unknown request."),
            }),
        }
    }

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let reply = serde_json::to_string(&handle(e.data())).unwrap_or_default();
        let _ = reply_to.post_message(&JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
}

/// Natively there is nothing to run: `cargo test` only needs this to build.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
