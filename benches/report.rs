//! Native benchmark of the coordinator's dataset: `make bench` runs it
//! (`cargo bench --features bench --bench report`). Prints figures; asserts nothing.
//!
//! 50 files of 2,000 responses of the built-in form (100,000 in all): checking and merging
//! them, preparing the dashboard's view, and re-counting every question under a filter.

use doorstep::report::aggregate::{By, Filter, View};
use doorstep::report::fixture::{keyring, project, variant, worker_export};
use doorstep::report::publish::{Published, Scope};
use doorstep::report::{import, Dataset, FileResult};
use std::time::Instant;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let p = project(1);
    let base = worker_export(&p, "W000", 0..2000);
    let files: Vec<String> = (0..50).map(|n| variant(&base, n, 1)).collect();
    let bytes: usize = files.iter().map(String::len).sum();

    let t = Instant::now();
    let mut ds = Dataset::with_keys(keyring(1));
    for (n, f) in files.iter().enumerate() {
        match import(&mut ds, &format!("{n}.json"), f.as_bytes()) {
            FileResult::Accepted(_) => {}
            other => panic!("file {n}: {other:?}"),
        }
    }
    ds.seal();
    let import_s = t.elapsed().as_secs_f64();
    let n = ds.len();

    let t = Instant::now();
    let view = View::new(&ds, "community-needs").expect("view");
    let prepare_ms = t.elapsed().as_secs_f64() * 1000.0;

    let filters = [
        Filter::default(),
        Filter {
            areas: ["A".to_string()].into(),
            ..Filter::default()
        },
        Filter {
            workers: ["W007".to_string(), "W010".to_string()].into(),
            to: Some("2026-10-31".into()),
            ..Filter::default()
        },
    ];
    let mut times = Vec::new();
    for round in 0..9 {
        let t = Instant::now();
        let mask = view.select(&ds, &filters[round % filters.len()]);
        let mut sum = 0u64;
        for q in &view.questions {
            sum += u64::from(view.count(q, &mask).base);
        }
        if let Some(i) = view.questions.iter().position(|q| q.id == "top_needs") {
            let t = view.crosstab(&ds, &view.questions[i], By::Area, &mask);
            sum += t.cells.len() as u64;
        }
        std::hint::black_box(sum);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let agg_ms = median(times);

    // The full public report's release: every question counted, related and protected
    // together, then the audit alone (what a reader could work out).
    let mask = view.select(&ds, &Filter::default());
    let mut release = Vec::new();
    let mut audit = Vec::new();
    let mut cells = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let p = Published::new(&ds, &view, &mask, 5, Scope::report(true));
        release.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        assert!(p.ledger.audit().is_empty());
        audit.push(t.elapsed().as_secs_f64() * 1000.0);
        cells = p.ledger.len();
    }
    println!(
        "native_import_100k: {:.2} s for {} files, {} responses, {:.0} MB ({:.0} responses/s)",
        import_s,
        files.len(),
        n,
        bytes as f64 / 1e6,
        n as f64 / import_s
    );
    println!(
        "native_view_prepare_100k: {prepare_ms:.0} ms ({} questions)",
        view.questions.len()
    );
    // Where disclosure control has most to do: a small project (15 households, k = 3),
    // every question's dashboard with its cross-tab by area — many counts under k, many
    // complementary ones; the slowest of them.
    let mut small = Dataset::with_keys(keyring(1));
    for (i, w) in ["W01", "W02", "W03"].iter().enumerate() {
        let text = worker_export(&p, w, i * 5..(i + 1) * 5);
        assert!(matches!(
            import(&mut small, w, text.as_bytes()),
            FileResult::Accepted(_)
        ));
    }
    small.seal();
    let sv = View::new(&small, "community-needs").expect("view");
    let smask = sv.select(&small, &Filter::default());
    let mut worst = 0f64;
    let mut hidden = 0;
    for qi in 0..sv.questions.len() {
        let t = Instant::now();
        let p = Published::new(
            &small,
            &sv,
            &smask,
            3,
            Scope {
                cross: Some((qi, By::Area)),
                ..Scope::default()
            },
        );
        worst = worst.max(t.elapsed().as_secs_f64() * 1000.0);
        assert!(p.ledger.audit().is_empty());
        let (u, c) = p.hidden();
        hidden = hidden.max(u + c);
    }
    println!(
        "native_dashboard_disclosure_small_worst: {worst:.2} ms (15 households, k = 3, one question's dashboard with its cross-tab by area; up to {hidden} counts hidden)"
    );
    println!(
        "native_report_release_100k: {:.1} ms median to count, relate and protect the full report ({cells} counts); its disclosure audit alone {:.2} ms",
        median(release),
        median(audit)
    );
    println!(
        "native_aggregate_100k: {agg_ms:.1} ms median per filter change, every question and a cross-tab ({:.1} million responses aggregated per second)",
        n as f64 / (agg_ms / 1000.0) / 1e6
    );
}
