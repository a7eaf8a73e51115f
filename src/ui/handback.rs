//! A resident's answers from their own phone back to the worker's tablet, with no server
//! (in the coordinator module, so the codes' crates stay out of the app's first load):
//!
//! - `Return` (`#/r/<id>/return`, on the phone): the completed response, identifiers taken
//!   out, as a series of QR codes shown one at a time, or as a file for the share sheet;
//! - `Receive` (`#/receive`, on the tablet): the camera reads the codes in any order (or
//!   photos of them, or the file), checks them, and imports the response once.
//!
//! The format and the checks are `transfer/`; this file only draws and reads pixels.

use super::browser;
use crate::i18n::handback::HbMsg;
use crate::i18n::Lang;
use crate::response::Status;
use crate::route::Route;
use crate::store::local::LocalStore;
use crate::store::{FormStore, ResponseStore};
use crate::transfer::codes::{encode, Series};
use crate::transfer::handback::{form_of, import, pack, unpack, HandbackError, Imported};
use crate::transfer::qr;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// `#/r/<id>/return`: the codes of a completed response.
#[component]
pub fn Return(lang: Lang, kv: LocalStore) -> impl IntoView {
    let h = move |m: HbMsg| m.get(lang);
    let id = match Route::parse(&browser::location_hash()) {
        Route::HandBack { id } => id,
        _ => String::new(),
    };
    let response = ResponseStore::open(kv.clone())
        .ok()
        .and_then(|s| s.open_response(&id).ok().flatten())
        .map(|o| o.response);
    let Some(r) = response else {
        return view! { <p class="banner error" role="alert" data-testid="handback-problem">{h(HbMsg::NotFound)}</p> }
            .into_any();
    };
    let form = FormStore::new(&kv)
        .find(&r.form, r.form_version)
        .ok()
        .flatten();
    let (Some(form), Status::Completed) = (form, r.status) else {
        let review = Route::Review { id: id.clone() }.to_hash();
        return view! {
            <p class="banner error" role="alert" data-testid="handback-problem">{h(HbMsg::NotFinished)}</p>
            <a class="button" href=review>{crate::i18n::review::ReviewMsg::Review.get(lang)}</a>
        }
        .into_any();
    };
    let bytes = pack(&form, &r);
    let codes: Vec<qr::Matrix> = encode(&bytes).iter().filter_map(|c| qr::make(c)).collect();
    let n = codes.len();
    let shown = RwSignal::new(0usize);
    let cycling = RwSignal::new(false);
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    let stop = move || {
        if let Some(t) = timer.get_value() {
            t.clear();
        }
        timer.set_value(None);
        cycling.set(false);
    };
    let cycle = move |_| {
        if cycling.get_untracked() {
            stop();
            return;
        }
        // A code on screen long enough for a camera to settle on it.
        let t = set_interval_with_handle(
            move || shown.update(|s| *s = (*s + 1) % n),
            std::time::Duration::from_millis(1500),
        );
        timer.set_value(t.ok());
        cycling.set(true);
    };
    on_cleanup(stop);
    let text = String::from_utf8(bytes).unwrap_or_default();
    let date = r.completed.clone().unwrap_or_default();
    let file = format!("doorstep-return-{}.json", date.get(..10).unwrap_or("x"));
    let shared = RwSignal::new(false);
    let as_file = move |_| {
        if !browser::share(&file, &text, "application/json") {
            browser::download(&file, &text, "application/json");
            shared.set(true);
        }
    };
    view! {
        <section class="handback" data-testid="handback">
            <h2>{h(HbMsg::ReturnTitle)}</h2>
            <p class="note">{h(HbMsg::ReturnHelp)}</p>
            {codes.into_iter().enumerate().map(|(i, m)| {
                let side = m.side();
                let label = format!("{} {} / {n}", h(HbMsg::Code), i + 1);
                view! {
                    <figure class="qr" hidden=move || shown.get() != i data-testid="qr-code" data-index=i + 1>
                        <svg viewBox=format!("0 0 {side} {side}") role="img" aria-label=label.clone() shape-rendering="crispEdges">
                            <rect width=side height=side fill="#fff" />
                            <path d=m.path() fill="#000" />
                        </svg>
                        <figcaption>{label}</figcaption>
                    </figure>
                }
            }).collect_view()}
            <p class="actions" hidden=n < 2>
                <button class="button" data-testid="qr-previous" on:click=move |_| { stop(); shown.update(|s| *s = (*s + n - 1) % n) }>{h(HbMsg::Previous)}</button>
                <button class="button primary" data-testid="qr-next" on:click=move |_| { stop(); shown.update(|s| *s = (*s + 1) % n) }>{h(HbMsg::Next)}</button>
                <button class="button" data-testid="qr-cycle" on:click=cycle>
                    {move || if cycling.get() { h(HbMsg::Stop) } else { h(HbMsg::Cycle) }}
                </button>
            </p>
            <p class="actions">
                <button class="button" data-testid="handback-file" on:click=as_file>{h(HbMsg::AsFile)}</button>
            </p>
            <p class="note">{h(HbMsg::AsFileHelp)}</p>
            <p class="note" role="status" hidden=move || !shared.get()>{h(HbMsg::ShareUnavailable)}</p>
        </section>
    }
    .into_any()
}

#[derive(Clone, Debug, PartialEq)]
enum Note {
    /// Imported (or imported before): the message and the response to open.
    Done(&'static str, String),
    Problem(String),
}

/// Draws `source` (a video frame or a photo), at most 960 pixels wide, and reads every
/// code in it.
fn codes_in(
    width: u32,
    height: u32,
    draw: impl Fn(&web_sys::CanvasRenderingContext2d, f64, f64) -> Result<(), wasm_bindgen::JsValue>,
) -> Vec<String> {
    let run = || -> Option<Vec<String>> {
        if width == 0 || height == 0 {
            return Some(Vec::new());
        }
        let scale = (960.0 / f64::from(width)).min(1.0);
        let (w, h) = (
            (f64::from(width) * scale).round(),
            (f64::from(height) * scale).round(),
        );
        // One canvas for every frame of the page's life: the camera draws three a second.
        thread_local! {
            static CANVAS: Option<web_sys::HtmlCanvasElement> = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.create_element("canvas").ok())
                .and_then(|c| c.dyn_into().ok());
        }
        let canvas = CANVAS.with(Clone::clone)?;
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let ctx: web_sys::CanvasRenderingContext2d =
            canvas.get_context("2d").ok()??.dyn_into().ok()?;
        draw(&ctx, w, h).ok()?;
        let rgba = ctx.get_image_data(0.0, 0.0, w, h).ok()?.data();
        Some(qr::scan(w as usize, h as usize, &qr::luma(&rgba)))
    };
    run().unwrap_or_default()
}

/// `#/receive`: codes from the camera, photos of codes, or the returned file.
#[component]
pub fn Receive(lang: Lang, kv: LocalStore) -> impl IntoView {
    let h = move |m: HbMsg| m.get(lang);
    let kv = StoredValue::new_local(kv);
    let series = RwSignal::new(Series::default());
    let note = RwSignal::new(None::<Note>);
    let camera_on = RwSignal::new(false);
    let stream = StoredValue::new_local(None::<web_sys::MediaStream>);
    let timer = StoredValue::new_local(None::<IntervalHandle>);
    let video = NodeRef::<leptos::html::Video>::new();

    let stop_camera = move || {
        if let Some(t) = timer.get_value() {
            t.clear();
        }
        timer.set_value(None);
        if let Some(s) = stream.get_value() {
            for t in s.get_tracks().iter() {
                if let Ok(t) = t.dyn_into::<web_sys::MediaStreamTrack>() {
                    t.stop();
                }
            }
        }
        stream.set_value(None);
        camera_on.set(false);
    };
    on_cleanup(stop_camera);

    // A whole returned document: checked against its form, imported once.
    let finish = move |bytes: Vec<u8>| {
        series.set(Series::default());
        let read = kv.with_value(|kv| {
            let (id, v) = form_of(&bytes)?;
            let form = FormStore::new(kv)
                .find(&id, v)
                .ok()
                .flatten()
                .ok_or(HandbackError::UnknownForm(id, v))?;
            unpack(&bytes, &form)
        });
        let next = match read {
            Err(e) => Note::Problem(e.describe().get(lang).to_owned()),
            Ok(r) => {
                let id = r.id.clone();
                match kv
                    .with_value(|kv| ResponseStore::open(kv.clone()).and_then(|s| import(&s, r)))
                {
                    Ok(Imported::New) => Note::Done(h(HbMsg::Imported), id),
                    Ok(Imported::AlreadyThere) => Note::Done(h(HbMsg::AlreadyImported), id),
                    Err(e) => Note::Problem(format!("{}{e}", h(HbMsg::NotSaved))),
                }
            }
        };
        if matches!(next, Note::Done(..)) {
            stop_camera();
        }
        note.set(Some(next));
    };
    // Codes as the camera or a photo gave them.
    let take = move |texts: Vec<String>| {
        for text in texts {
            let mut s = series.get_untracked();
            match s.add(&text) {
                Ok(false) => continue,
                Ok(true) => {
                    note.set(None);
                    series.set(s.clone());
                }
                Err(e) => {
                    note.set(Some(Note::Problem(e.describe().get(lang).to_owned())));
                    continue;
                }
            }
            match s.payload() {
                None => {}
                Some(Ok(bytes)) => finish(bytes),
                Some(Err(e)) => {
                    series.set(Series::default());
                    note.set(Some(Note::Problem(e.describe().get(lang).to_owned())));
                }
            }
        }
    };

    let start_camera = move |_| {
        note.set(None);
        wasm_bindgen_futures::spawn_local(async move {
            let devices = web_sys::window().and_then(|w| w.navigator().media_devices().ok());
            let Some(devices) = devices else {
                note.set(Some(Note::Problem(h(HbMsg::CameraNone).into())));
                return;
            };
            let constraints = web_sys::MediaStreamConstraints::new();
            let wanted = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&wanted, &"facingMode".into(), &"environment".into());
            constraints.set_video(&wanted);
            constraints.set_audio(&false.into());
            let asked = devices
                .get_user_media_with_constraints(&constraints)
                .map(wasm_bindgen_futures::JsFuture::from);
            let got = match asked {
                Ok(p) => p
                    .await
                    .ok()
                    .and_then(|s| s.dyn_into::<web_sys::MediaStream>().ok()),
                Err(_) => None,
            };
            let (Some(s), Some(v)) = (got, video.get_untracked()) else {
                note.set(Some(Note::Problem(h(HbMsg::CameraRefused).into())));
                return;
            };
            v.set_src_object(Some(&s));
            let _ = v.play();
            stream.set_value(Some(s));
            camera_on.set(true);
            // A frame a third of a second: quick enough to feel instant, light on a tablet.
            let t = set_interval_with_handle(
                move || {
                    let Some(v) = video.get_untracked() else {
                        return;
                    };
                    let found = codes_in(v.video_width(), v.video_height(), |ctx, w, h| {
                        ctx.draw_image_with_html_video_element_and_dw_and_dh(&v, 0.0, 0.0, w, h)
                    });
                    take(found);
                },
                std::time::Duration::from_millis(300),
            );
            timer.set_value(t.ok());
        });
    };

    let picked = move |ev: leptos::ev::Event| {
        let files = browser::picked_files(&ev);
        wasm_bindgen_futures::spawn_local(async move {
            for f in files {
                let json =
                    f.name().to_lowercase().ends_with(".json") || f.type_() == "application/json";
                if json {
                    let buf = wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await;
                    match buf {
                        Ok(b) => finish(js_sys::Uint8Array::new(&b).to_vec()),
                        Err(_) => note.set(Some(Note::Problem(
                            HandbackError::NotOurs.describe().get(lang).to_owned(),
                        ))),
                    }
                    continue;
                }
                let bitmap = match web_sys::window().map(|w| w.create_image_bitmap_with_blob(&f)) {
                    Some(Ok(p)) => wasm_bindgen_futures::JsFuture::from(p)
                        .await
                        .ok()
                        .and_then(|b| b.dyn_into::<web_sys::ImageBitmap>().ok()),
                    _ => None,
                };
                let found = bitmap
                    .map(|b| {
                        codes_in(b.width(), b.height(), |ctx, w, h| {
                            ctx.draw_image_with_image_bitmap_and_dw_and_dh(&b, 0.0, 0.0, w, h)
                        })
                    })
                    .unwrap_or_default();
                if found.is_empty() {
                    note.set(Some(Note::Problem(h(HbMsg::NothingFound).into())));
                }
                take(found);
            }
        });
    };

    view! {
        <section class="receive" data-testid="receive">
            <h2>{h(HbMsg::ReceiveTitle)}</h2>
            <p class="note">{h(HbMsg::ReceiveHelp)}</p>
            <p class="actions">
                <button class="button primary" data-testid="camera-start" hidden=move || camera_on.get() on:click=start_camera>
                    {h(HbMsg::Camera)}
                </button>
                <button class="button" data-testid="camera-stop" hidden=move || !camera_on.get() on:click=move |_| stop_camera()>
                    {h(HbMsg::CameraStop)}
                </button>
                <label class="button file">
                    {h(HbMsg::Photo)}
                    <input type="file" multiple accept="image/*,.json,application/json" data-testid="receive-file" on:change=picked />
                </label>
            </p>
            <video node_ref=video class="camera" playsinline="" muted=true hidden=move || !camera_on.get()></video>
            <p role="status" data-testid="receive-progress">
                {move || {
                    let (got, of) = series.with(Series::progress);
                    (of > 0).then(|| {
                        let missing = series
                            .with(Series::missing)
                            .iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        format!("{} {got} / {of} · {} {missing}", h(HbMsg::Read), h(HbMsg::Missing))
                    })
                }}
            </p>
            <p hidden=move || series.with(|s| s.progress().1 == 0)>
                <button class="button" on:click=move |_| series.set(Series::default())>{h(HbMsg::Again)}</button>
            </p>
            {move || note.get().map(|n| match n {
                Note::Done(text, id) => {
                    let href = Route::Review { id }.to_hash();
                    view! {
                        <p class="banner ok" role="status" data-testid="receive-note">
                            {text}" "<a href=href data-testid="receive-open">{h(HbMsg::Open)}</a>
                        </p>
                    }
                    .into_any()
                }
                Note::Problem(text) => view! {
                    <p class="banner error" role="alert" data-testid="receive-note">{text}</p>
                }
                .into_any(),
            })}
        </section>
    }
}
