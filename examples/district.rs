//! Writes a district's worth of export files for the workspace benchmark
//! (`BENCH_ONLY=workspace node tests/e2e/bench.mjs` runs it):
//! `cargo run --release --features bench --example district -- <dir> [files] [per file]`.
//! Also writes the project (`project.doorstep`) and its secret key (`project.secret`), which
//! the benchmark puts in the coordinator's browser.

use doorstep::report::fixture::{project_and_secret, variant, worker_export};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "target/district".into());
    let files: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);
    let per: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2000);
    std::fs::create_dir_all(&dir).expect("directory");
    let (p, secret) = project_and_secret(1);
    let base = worker_export(&p, "W000", 0..per);
    for n in 0..files {
        let path = format!("{dir}/doorstep-community-needs-W{n:03}.json");
        std::fs::write(&path, variant(&base, n, 1)).expect("written");
    }
    // The coordinator's side: the project and its secret key, for the benchmark to put in
    // the browser's storage (sealed) as if this browser had made the project.
    std::fs::write(format!("{dir}/project.doorstep"), p.to_file()).expect("written");
    std::fs::write(format!("{dir}/project.secret"), secret.to_hex().as_str()).expect("written");
    println!("{files} files of {per} households in {dir}");
}
