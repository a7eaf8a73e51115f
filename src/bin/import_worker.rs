//! The form-import worker: XLSForm and definition files in, a checked form out.
//!
//! A separate wasm module, started by the form library only when someone imports a form,
//! so the zip, XML and CSV readers and the checking form parser never weigh on the app's
//! first load. It also keeps a large workbook from freezing the screen. Messages:
//! `{op: "import", files: [File…]}` and `{op: "finish", source, privacy, version}` (privacy
//! as JSON `[[id, class]…]`); every answer is one `xlsform::Reply` as a plain object
//! (`to_js` below; read by src/ui/library.rs).

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

    /// The reply as a plain object of strings, numbers and arrays, which the app reads
    /// field by field: cheaper in its bundle than a JSON deserializer for these types.
    fn to_js(reply: Reply) -> JsValue {
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        let text =
            |t: &Text| js_sys::Array::of2(&t.zh.as_str().into(), &t.en.as_str().into()).into();
        match reply {
            Reply::Converted(c) => {
                set("kind", "converted".into());
                set("source", c.source.as_str().into());
                set("form_id", c.form_id.as_str().into());
                set("version", f64::from(c.version).into());
                set("version_given", c.version_given.into());
                set("questions", (c.questions as f64).into());
                set("title", text(&c.title));
                let warnings = js_sys::Array::new();
                for w in &c.warnings {
                    let row = w.row.map_or(JsValue::NULL, |r| (r as f64).into());
                    warnings.push(
                        &js_sys::Array::of4(
                            &w.sheet.as_str().into(),
                            &row,
                            &w.message.zh.as_str().into(),
                            &w.message.en.as_str().into(),
                        )
                        .into(),
                    );
                }
                set("warnings", warnings.into());
                let proposed = js_sys::Array::new();
                for (id, label, class) in &c.proposed {
                    proposed.push(
                        &js_sys::Array::of4(
                            &id.as_str().into(),
                            &label.zh.as_str().into(),
                            &label.en.as_str().into(),
                            &doorstep::xlsform::privacy_name(*class).into(),
                        )
                        .into(),
                    );
                }
                set("proposed", proposed.into());
            }
            Reply::Confirmed {
                source,
                compiled,
                form_id,
                version,
            } => {
                set("kind", "confirmed".into());
                set("source", source.into());
                set("compiled", compiled.into());
                set("form_id", form_id.into());
                set("version", f64::from(version).into());
            }
            Reply::Failed(e) => {
                set("kind", "failed".into());
                set("message", text(&e.message));
            }
        }
        o.into()
    }

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let _ = reply_to.post_message(&to_js(handle(e.data())));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Messages posted while the module was still loading are lost: the app waits for this.
    let ready = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ready, &"kind".into(), &"ready".into());
    let _ = scope.post_message(&ready);
}

/// Natively there is nothing to run: `cargo test` only needs this to build.
#[cfg(not(target_arch = "wasm32"))]
fn main() {}
