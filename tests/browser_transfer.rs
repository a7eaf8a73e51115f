//! A resident's answers handed back by QR code, in a real browser: the codes drawn by the
//! browser's own canvas from the path the screen shows, read back from the pixels, put
//! together, and imported into localStorage; a damaged code refused.
#![cfg(target_arch = "wasm32")]

use doorstep::form::builtin_form;
use doorstep::response::{sample, Value};
use doorstep::store::local::LocalStore;
use doorstep::store::ResponseStore;
use doorstep::transfer::codes::{encode, CodeError, Series};
use doorstep::transfer::handback::{form_of, import, pack, unpack, Imported};
use doorstep::transfer::qr;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Draws `code` on a canvas as the hand-back screen does (its SVG path, `scale` pixels a
/// module), and returns the canvas's pixels as greyscale.
fn photograph(code: &qr::Matrix, scale: usize) -> (usize, Vec<u8>) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement =
        doc.create_element("canvas").unwrap().dyn_into().unwrap();
    let side = code.side() * scale;
    canvas.set_width(side as u32);
    canvas.set_height(side as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, side as f64, side as f64);
    ctx.scale(scale as f64, scale as f64).unwrap();
    ctx.set_fill_style_str("#000");
    let path = web_sys::Path2d::new_with_path_string(&code.path()).unwrap();
    ctx.fill_with_path_2d(&path);
    let rgba = ctx
        .get_image_data(0.0, 0.0, side as f64, side as f64)
        .unwrap()
        .data();
    let luma = qr::luma(&rgba);
    (side, luma)
}

#[wasm_bindgen_test]
fn a_qr_round_trip_through_the_canvas_imports_the_response_once() {
    let kv = LocalStore::open().unwrap();
    kv.storage().clear().unwrap();
    let form = builtin_form();
    let mut r = sample::completed(form, "phone-qr-0001", 3);
    r.set_answer("room", Some(Value::Text("ROOMMARK".into())));
    let codes = encode(&pack(form, &r));

    let mut series = Series::default();
    for text in codes.iter().rev() {
        let code = qr::make(text).unwrap();
        let (side, luma) = photograph(&code, 4);
        let read = qr::scan(side, side, &luma);
        assert_eq!(read.len(), 1, "one code in the picture");
        assert_eq!(series.add(&read[0]), Ok(true));
    }
    let bytes = series.payload().unwrap().unwrap();
    assert_eq!(form_of(&bytes), Ok((form.id.clone(), form.version)));
    let back = unpack(&bytes, form).unwrap();
    let store = ResponseStore::open(kv.clone()).unwrap();
    assert_eq!(import(&store, back.clone()), Ok(Imported::New));
    assert_eq!(import(&store, back), Ok(Imported::AlreadyThere));
    let raw = kv
        .storage()
        .get_item("doorstep.r.phone-qr-0001")
        .unwrap()
        .unwrap();
    assert!(!raw.contains("ROOMMARK"), "the flat never left the phone");
    assert!(raw.contains("\"consent\":true"));
}

#[wasm_bindgen_test]
fn a_misread_code_is_refused_and_nothing_is_imported() {
    let form = builtin_form();
    let r = sample::completed(form, "phone-qr-0002", 4);
    let codes = encode(&pack(form, &r));
    // One character of the first code's data misread, then drawn and read back as such.
    let mut bad = codes[0].clone().into_bytes();
    let i = bad.len() - 3;
    bad[i] = if bad[i] == b'7' { b'8' } else { b'7' };
    let bad = String::from_utf8(bad).unwrap();
    let (side, luma) = photograph(&qr::make(&bad).unwrap(), 4);
    let read = qr::scan(side, side, &luma);
    let mut series = Series::default();
    assert_eq!(series.add(&read[0]), Err(CodeError::Checksum { index: 1 }));
    assert_eq!(series.progress().0, 0);
    assert_eq!(series.payload(), None);
}
