//! Scoring and automation benchmarks on generated data.
//!
//! Always: rescoring one lead (alone, and as part of a write with its hooks) on a 20,000-lead demo database.
//! With `LEADLINE_BENCH_DB=/tmp/auto-big.db` (made by `leadline --db /tmp/auto-big.db demo --leads 1000000`):
//! `score --recompute` and `automate run` with nothing to do over that database.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use leadline::config::Config;
use leadline::domain::{Clock, LeadId, OutreachKind, Timestamp};
use leadline::engine;
use leadline::scoring::{FactsSql, recompute, rescore_lead};
use leadline::store::outreach::{self, NewOutreach};

const NOW: i64 = 1_795_000_000_000;

fn small(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::defaults();
    let mut store = engine::open(&dir.path().join("bench.db"), &config, Clock::Fixed(Timestamp(NOW))).unwrap();
    // `cargo test --all-targets` runs each benchmark once as a smoke test: keep that database small.
    let leads = if std::env::args().any(|a| a == "--bench") { 20_000 } else { 500 };
    leadline::demo::generate(&mut store, leads, 7).unwrap();
    let (scorer, _) = engine::rules(&config).unwrap();
    let ids: Vec<LeadId> = {
        let mut stmt = store.conn().prepare("SELECT id FROM leads ORDER BY seq LIMIT 500").unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| LeadId(r.unwrap())).collect()
    };
    let sql = FactsSql::new(&scorer.stages);
    let mut i = 0;
    c.bench_function("rescore one lead", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let db = store.db();
            black_box(rescore_lead(&db, &scorer, &sql, &ids[i]).unwrap())
        })
    });
    c.bench_function("log outreach (write + automation and scoring hooks)", |b| {
        b.iter(|| {
            i = (i + 1) % ids.len();
            let lead = ids[i].clone();
            store.write(|db| outreach::log(db, NewOutreach::new(lead, OutreachKind::Call))).unwrap()
        })
    });
}

fn big(c: &mut Criterion) {
    let Ok(path) = std::env::var("LEADLINE_BENCH_DB") else {
        eprintln!("LEADLINE_BENCH_DB not set: skipping the 1,000,000-lead benchmarks");
        return;
    };
    let config = Config::defaults();
    let mut store = engine::open(Path::new(&path), &config, Clock::System).unwrap();
    let (scorer, autos) = engine::rules(&config).unwrap();
    // Bring the database to "nothing to do" at NOW first.
    leadline::automation::run(&mut store, &autos, &scorer, false).unwrap();
    let mut group = c.benchmark_group("1M leads");
    group.sample_size(10);
    group.bench_function("score --recompute", |b| {
        b.iter(|| black_box(store.write(|db| recompute(db, &scorer)).unwrap()))
    });
    group.bench_function("automate run, nothing to do", |b| {
        b.iter(|| black_box(leadline::automation::run(&mut store, &autos, &scorer, false).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, small, big);
criterion_main!(benches);
