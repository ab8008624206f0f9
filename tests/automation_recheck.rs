//! The 48 h no-reply rule depends on the data only, not on the order of edits: a touch moved back in
//! time, or an older touch that becomes the latest after a newer one is removed, is looked at again.

use leadline::automation;
use leadline::config::Config;
use leadline::domain::time::HOUR_MS;
use leadline::domain::{Clock, LeadId, OutreachId, OutreachKind, Timestamp};
use leadline::engine;
use leadline::store::leads::NewLead;
use leadline::store::outreach::{NewOutreach, OutreachPatch};
use leadline::store::{Store, leads, outreach};

const T0: i64 = 1_790_000_000_000;

fn open(dir: &tempfile::TempDir, name: &str) -> (Store, Config) {
    let config = Config::defaults();
    let store = engine::open(&dir.path().join(name), &config, Clock::Fixed(Timestamp(T0))).unwrap();
    (store, config)
}

fn lead(store: &mut Store) -> LeadId {
    store
        .write(|db| {
            leads::create(
                db,
                NewLead { first_name: "Ana".into(), email: Some("ana@example.com".into()), ..Default::default() },
            )
        })
        .unwrap()
}

fn touch(store: &mut Store, lead: &LeadId, at: i64) -> OutreachId {
    store
        .write(|db| {
            let mut o = NewOutreach::new(lead.clone(), OutreachKind::Email);
            o.occurred_at = Some(Timestamp(at));
            outreach::log(db, o)
        })
        .unwrap()
}

/// Runs the automations at `at` and returns the outreach ids that have a bump task.
fn run_at(store: &mut Store, config: &Config, at: i64) -> Vec<String> {
    store.set_clock(Clock::Fixed(Timestamp(at)));
    let (scorer, autos) = engine::rules(config).unwrap();
    automation::run(store, &autos, &scorer, false).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT substr(dedupe_key, length('bump-after-48h:') + 1) FROM tasks WHERE kind = 'bump' ORDER BY 1")
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_touch_moved_back_in_time_is_bumped() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, config) = open(&dir, "a.db");
    let ana = lead(&mut store);
    let o = touch(&mut store, &ana, T0);
    assert!(run_at(&mut store, &config, T0 + 10 * HOUR_MS).is_empty(), "its 48 h have not passed");
    // The rep corrects the date: it happened three days earlier, behind the window already passed.
    store.set_clock(Clock::Fixed(Timestamp(T0 + 10 * HOUR_MS)));
    store
        .write(|db| {
            outreach::edit(
                db,
                &o,
                OutreachPatch { occurred_at: Some(Timestamp(T0 - 72 * HOUR_MS)), ..Default::default() },
            )
        })
        .unwrap();
    assert_eq!(run_at(&mut store, &config, T0 + 11 * HOUR_MS), vec![o.0.clone()]);
    assert_eq!(run_at(&mut store, &config, T0 + 12 * HOUR_MS), vec![o.0.clone()], "no second task");

    // A database holding the same data from the start gives the same outcome.
    let (mut fresh, _) = open(&dir, "b.db");
    let ana = lead(&mut fresh);
    let o = touch(&mut fresh, &ana, T0 - 72 * HOUR_MS);
    assert_eq!(run_at(&mut fresh, &config, T0 + 11 * HOUR_MS), vec![o.0]);
}

#[test]
fn an_older_touch_that_becomes_the_latest_is_bumped() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, config) = open(&dir, "a.db");
    let ana = lead(&mut store);
    let older = touch(&mut store, &ana, T0 - 100 * HOUR_MS);
    let newer = touch(&mut store, &ana, T0 - 10 * HOUR_MS);
    // The older touch was followed by another: no bump; the newer one's 48 h have not passed.
    assert!(run_at(&mut store, &config, T0).is_empty());
    store.set_clock(Clock::Fixed(Timestamp(T0 + HOUR_MS)));
    store.write(|db| outreach::remove(db, &newer)).unwrap();
    assert_eq!(run_at(&mut store, &config, T0 + 2 * HOUR_MS), vec![older.0.clone()]);
    assert_eq!(run_at(&mut store, &config, T0 + 3 * HOUR_MS), vec![older.0.clone()], "no second task");

    let (mut fresh, _) = open(&dir, "b.db");
    let ana = lead(&mut fresh);
    let older = touch(&mut fresh, &ana, T0 - 100 * HOUR_MS);
    assert_eq!(run_at(&mut fresh, &config, T0 + 2 * HOUR_MS), vec![older.0]);
}

#[test]
fn a_dry_run_sees_the_rechecked_touch_and_leaves_it_queued() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, config) = open(&dir, "a.db");
    let ana = lead(&mut store);
    let older = touch(&mut store, &ana, T0 - 100 * HOUR_MS);
    let newer = touch(&mut store, &ana, T0 - 10 * HOUR_MS);
    assert!(run_at(&mut store, &config, T0).is_empty());
    store.set_clock(Clock::Fixed(Timestamp(T0 + HOUR_MS)));
    store.write(|db| outreach::remove(db, &newer)).unwrap();
    let (scorer, autos) = engine::rules(&config).unwrap();
    store.set_clock(Clock::Fixed(Timestamp(T0 + 2 * HOUR_MS)));
    let report = automation::run(&mut store, &autos, &scorer, true).unwrap();
    assert_eq!(report.actions.iter().map(|d| d.subject.clone()).collect::<Vec<_>>(), vec![older.0.clone()]);
    assert_eq!(run_at(&mut store, &config, T0 + 2 * HOUR_MS), vec![older.0]);
}
