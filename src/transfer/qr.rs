//! QR codes made and read: `qrcode` draws a code's modules, `quircs` (a Rust port of the
//! quirc decoder) finds and decodes codes in a camera frame. Both pure Rust, used without
//! image features. `rqrr`, the other quirc port, was tried first: the hand-back module was
//! 70 KB gzip larger with it (321.6 against 252.0 KB, `BENCH_ONLY=bundle`), most of it
//! Galois-field tables.

/// A code's modules: `size` × `size`, row by row, true for dark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    pub size: usize,
    pub dark: Vec<bool>,
}

/// The light border every reader needs around a code, in modules.
pub const QUIET: usize = 4;

/// The code for `text` at error correction level M (15 % of it may be unreadable), or
/// `None` if the text is too long for any QR code.
pub fn make(text: &str) -> Option<Matrix> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let size = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some(Matrix { size, dark })
}

impl Matrix {
    /// The dark modules as one SVG path (`M x y h1 v1 h-1 z` a module, runs merged), in a
    /// viewBox of `size + 2 × QUIET` units: drawn as an attribute, never as markup.
    pub fn path(&self) -> String {
        let mut d = String::new();
        for y in 0..self.size {
            let mut x = 0;
            while x < self.size {
                if self.dark[y * self.size + x] {
                    let start = x;
                    while x < self.size && self.dark[y * self.size + x] {
                        x += 1;
                    }
                    let w = x - start;
                    d.push_str(&format!("M{} {}h{w}v1h-{w}z", start + QUIET, y + QUIET));
                } else {
                    x += 1;
                }
            }
        }
        d
    }

    /// The side of the viewBox: the code and its quiet zone.
    pub fn side(&self) -> usize {
        self.size + 2 * QUIET
    }

    /// A greyscale picture of the code, `scale` pixels a module, quiet zone included
    /// (0 black, 255 white): what a camera frame of it would be at best.
    pub fn image(&self, scale: usize) -> (usize, Vec<u8>) {
        let side = self.side() * scale;
        let mut px = vec![255u8; side * side];
        for y in 0..self.size {
            for x in 0..self.size {
                if self.dark[y * self.size + x] {
                    for dy in 0..scale {
                        let row = ((y + QUIET) * scale + dy) * side;
                        let from = row + (x + QUIET) * scale;
                        px[from..from + scale].fill(0);
                    }
                }
            }
        }
        (side, px)
    }
}

/// The text of every QR code found in a greyscale frame (`luma`, row by row).
pub fn scan(width: usize, height: usize, luma: &[u8]) -> Vec<String> {
    if width == 0 || height == 0 || luma.len() != width * height {
        return Vec::new();
    }
    let mut quirc = quircs::Quirc::default();
    quirc
        .identify(width, height, luma)
        .filter_map(|code| code.ok()?.decode().ok())
        .filter_map(|data| String::from_utf8(data.payload).ok())
        .collect()
}

/// Greyscale of RGBA pixels (a canvas's `getImageData`), by the luma weights of BT.601.
pub fn luma(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .map(|p| {
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        })
        .collect()
}
