//! Store benchmarks on generated data: lead pages by keyset, FTS prefix search, logging an outreach.
//!
//! `cargo bench --bench store` generates 1,000,000 demo leads (~3,000,000 outreach) in a temporary file
//! first; set `LEADLINE_BENCH_DB=/path/to/existing.db` to reuse a database made by
//! `leadline --db PATH demo --leads 1000000`, or `LEADLINE_BENCH_LEADS=N` for another size.
//! Under `cargo test` the benches run once on a small database, as a smoke test.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use leadline::config::Config;
use leadline::domain::{Clock, OutreachKind};
use leadline::store::leads::{self, LeadQuery, LeadSort};
use leadline::store::outreach::{self, NewOutreach};
use leadline::store::{Store, search};

struct Fixture {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

fn fixture() -> Fixture {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let config = Config::defaults();
    if let Ok(path) = std::env::var("LEADLINE_BENCH_DB") {
        let store = Store::open(&PathBuf::from(path), &config, Clock::System).expect("open LEADLINE_BENCH_DB");
        return Fixture { store, _dir: None };
    }
    let n: usize = std::env::var("LEADLINE_BENCH_LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(if benchmarking {
        1_000_000
    } else {
        2_000
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("bench.db"), &config, Clock::System).expect("open");
    let started = Instant::now();
    leadline::demo::generate(&mut store, n, 42).expect("generate");
    eprintln!("generated {n} demo leads in {:.1}s", started.elapsed().as_secs_f64());
    Fixture { store, _dir: Some(dir) }
}

fn benches(c: &mut Criterion) {
    let mut f = fixture();
    for sort in [LeadSort::Score, LeadSort::LastContact] {
        c.bench_function(&format!("first page of 200 leads by {}", sort.as_str()), |b| {
            let db = f.store.db();
            b.iter(|| black_box(leads::list(&db, &LeadQuery { sort, limit: 200, ..Default::default() }).unwrap()))
        });
        c.bench_function(&format!("next page of 200 leads by {} (keyset)", sort.as_str()), |b| {
            let db = f.store.db();
            let first = leads::list(&db, &LeadQuery { sort, limit: 200, ..Default::default() }).unwrap();
            let after = first.last().map(|l| sort.cursor_of(l));
            b.iter(|| {
                black_box(
                    leads::list(&db, &LeadQuery { sort, after: after.clone(), limit: 200, ..Default::default() })
                        .unwrap(),
                )
            })
        });
    }
    // Filters many leads pass, and one that leaves few: walked along the sort index, or handed over.
    let owner = leadline::store::teams::list(&f.store.db()).unwrap()[0].id.0.clone();
    let filters = [
        ("an owner", leads::LeadFilter { owner: Some(owner), ..Default::default() }),
        (
            "customers",
            leads::LeadFilter { lifecycle: Some(leadline::domain::Lifecycle::Customer), ..Default::default() },
        ),
        ("a stage", leads::LeadFilter { stage: Some("Negotiation".into()), ..Default::default() }),
        ("a common stage", leads::LeadFilter { stage: Some("Won".into()), ..Default::default() }),
        ("a rare tag", leads::LeadFilter { tag: Some("no-such-tag".into()), ..Default::default() }),
    ];
    for (name, filter) in filters {
        c.bench_function(&format!("first page of 200 leads by score, {name}"), |b| {
            let db = f.store.db();
            let q = LeadQuery { filter: filter.clone(), limit: 200, ..Default::default() };
            b.iter(|| black_box(leads::list(&db, &q).unwrap()))
        });
        // The end of the list (the TUI's jump to the end), paged backwards.
        c.bench_function(&format!("last page of 200 leads by score, {name}"), |b| {
            let db = f.store.db();
            let q = LeadQuery { filter: filter.clone(), limit: 200, ..Default::default() };
            b.iter(|| black_box(leads::list_back(&db, &q, None).unwrap()))
        });
    }
    c.bench_function("page of 200 leads by score, 2,000 pages deep (keyset)", |b| {
        let db = f.store.db();
        let mut after = None;
        for _ in 0..2_000 {
            let page = leads::list(&db, &LeadQuery { after: after.clone(), limit: 200, ..Default::default() }).unwrap();
            match page.last() {
                Some(l) => after = Some(LeadSort::Score.cursor_of(l)),
                None => break,
            }
        }
        b.iter(|| {
            black_box(leads::list(&db, &LeadQuery { after: after.clone(), limit: 200, ..Default::default() }).unwrap())
        })
    });
    for q in ["ma", "gar", "ana lo", "northwind"] {
        c.bench_function(&format!("search '{q}' (50 leads)"), |b| {
            let db = f.store.db();
            b.iter(|| black_box(search::search(&db, q, 50).unwrap()))
        });
    }
    let target = leads::list(&f.store.db(), &LeadQuery { limit: 1, ..Default::default() }).unwrap()[0].id.clone();
    // The follow-ups view's losing-touch list (301 rows), with the default cadence alone and with the
    // shorter cadences of a hot tag and late stages, which are looked at first.
    let mut watched = Config::defaults().followup;
    watched.cadence_by_stage.insert("Negotiation".into(), 3);
    watched.cadence_by_stage.insert("Proposal".into(), 5);
    watched.cadence_by_tag.insert("hot".into(), 3);
    for (name, cfg) in [("default cadence", Config::defaults().followup), ("hot tag and late stages", watched)] {
        c.bench_function(&format!("losing touch, {name}"), |b| {
            b.iter(|| leadline::store::followups::losing_touch(&f.store.db(), &cfg, None, 301).unwrap())
        });
    }
    c.bench_function("log one outreach (with last-contact update)", |b| {
        b.iter(|| {
            f.store
                .write(|db| {
                    outreach::log(
                        db,
                        NewOutreach {
                            value: Some("Upwork".into()),
                            ..NewOutreach::new(target.clone(), OutreachKind::Platform)
                        },
                    )
                })
                .unwrap()
        })
    });
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(30);
    targets = benches
}
criterion_main!(store);
