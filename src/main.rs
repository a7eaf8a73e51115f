fn main() {
    #[cfg(target_arch = "wasm32")]
    doorstep::ui::start();
}

/// Mounts the app when its start waited for the durable journal's replay: the journal
/// (public/journal.js) calls it then. Exported from this binary only, so the other wasm
/// modules do not carry the app.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount_app() {
    doorstep::ui::mount();
}
