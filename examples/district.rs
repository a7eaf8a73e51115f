//! Writes a district's worth of export files for the workspace benchmark
//! (`BENCH_ONLY=workspace node tests/e2e/bench.mjs` runs it):
//! `cargo run --release --features bench --example district -- <dir> [files] [per file]`.

use doorstep::report::fixture::{project, variant, worker_export};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/district".into());
    let files: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let per: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    std::fs::create_dir_all(&dir).expect("directory");
    let base = worker_export(&project(1), "W000", 0..per);
    for n in 0..files {
        let path = format!("{dir}/doorstep-community-needs-W{n:03}.json");
        std::fs::write(&path, variant(&base, n)).expect("written");
    }
    println!("{files} files of {per} households in {dir}");
}
