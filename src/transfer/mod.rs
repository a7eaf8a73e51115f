//! Moving answers between devices with no server and no network: a resident who answered
//! on their own phone hands them back to the worker's tablet as a series of QR codes
//! (`codes`: the format, with checksums; `qr`: drawing and reading the codes).

pub mod codes;
pub mod handback;
pub mod qr;

#[cfg(test)]
mod tests;
