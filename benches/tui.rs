//! Terminal UI timings at 200x60: one frame of each view, key press to updated frame (scroll, page,
//! jump to the end) and a search keystroke to updated results. The database is a fresh demo one
//! (`LEADLINE_BENCH_LEADS`, default 20,000) or an existing file (`LEADLINE_BENCH_DB=/tmp/big.db`).
//! Requests run inline here, so key-to-frame includes the query the worker would run.

use criterion::{Criterion, criterion_group, criterion_main};

use leadline::config::Config;
use leadline::domain::Clock;
use leadline::tui::Setup;
use leadline::tui::driver::Driver;

fn driver() -> (Option<tempfile::TempDir>, Driver) {
    let config = Config::defaults();
    let clock = Clock::System;
    let (dir, store) = match std::env::var("LEADLINE_BENCH_DB") {
        Ok(path) => (None, leadline::engine::open(path.as_ref(), &config, clock).unwrap()),
        Err(_) => {
            let n = std::env::var("LEADLINE_BENCH_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
            let dir = tempfile::tempdir().unwrap();
            let mut store = leadline::engine::open(&dir.path().join("bench.db"), &config, clock).unwrap();
            leadline::demo::generate(&mut store, n, 1).unwrap();
            (Some(dir), store)
        }
    };
    (dir, Driver::new(Setup::new(&config, store, clock).unwrap(), 200, 60))
}

fn frames(c: &mut Criterion) {
    let (_dir, mut d) = driver();
    let mut g = c.benchmark_group("frame_200x60");
    for (name, keys) in [("leads", "1"), ("pipeline", "2"), ("inbox", "3"), ("scoring", "4"), ("followups", "5")] {
        d.keys(keys);
        g.bench_function(name, |b| b.iter(|| d.draw()));
    }
    d.keys("1 enter");
    g.bench_function("detail", |b| b.iter(|| d.draw()));
    d.keys("q");
    g.finish();

    let mut g = c.benchmark_group("key_to_frame");
    g.bench_function("scroll_down_up", |b| {
        b.iter(|| {
            d.keys("j");
            d.draw();
            d.keys("k");
            d.draw();
        })
    });
    g.bench_function("page_down_up", |b| {
        b.iter(|| {
            d.keys("pagedown");
            d.draw();
            d.keys("pageup");
            d.draw();
        })
    });
    g.bench_function("jump_end_and_top", |b| {
        b.iter(|| {
            d.keys("G");
            d.draw();
            d.keys("g g");
            d.draw();
        })
    });
    g.bench_function("kanban_scroll", |b| {
        d.keys("2");
        b.iter(|| {
            d.keys("j");
            d.draw();
            d.keys("k");
            d.draw();
        })
    });
    d.keys("1");
    g.finish();

    let mut g = c.benchmark_group("search_keystroke");
    d.keys("/");
    d.type_text("ma");
    g.bench_function("broad_ma_to_mar_and_back", |b| {
        b.iter(|| {
            d.type_text("r");
            d.draw();
            d.keys("backspace");
            d.draw();
        })
    });
    d.type_text("rt");
    g.bench_function("narrow_mart_to_marta_and_back", |b| {
        b.iter(|| {
            d.type_text("a");
            d.draw();
            d.keys("backspace");
            d.draw();
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(std::time::Duration::from_millis(300)).measurement_time(std::time::Duration::from_secs(2));
    targets = frames
}
criterion_main!(benches);
