fn main() {
    #[cfg(target_arch = "wasm32")]
    doorstep::ui::start();
}
