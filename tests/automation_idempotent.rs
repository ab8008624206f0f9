//! Property: whatever happened before, running the automations twice leaves the same database as once.
//! Random histories come from a seeded generator (each failing seed is printed, so it can be replayed).

use leadline::automation;
use leadline::config::Config;
use leadline::domain::time::HOUR_MS;
use leadline::domain::{Clock, Direction, LeadId, MeetingId, OutreachId, OutreachKind, ReplyType, TaskId, Timestamp};
use leadline::engine;
use leadline::store::deals::NewDeal;
use leadline::store::leads::{LeadPatch, NewLead};
use leadline::store::outreach::NewOutreach;
use leadline::store::{Store, deals, leads, meetings, outreach, tasks};

const TABLES: [&str; 12] = [
    "leads",
    "lead_scores",
    "lead_tags",
    "outreach",
    "meetings",
    "deals",
    "tasks",
    "notes",
    "inbox_items",
    "events",
    "client_profiles",
    "automation_state",
];

/// Every row of every table the automations can touch, in a stable order.
fn dump(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for table in TABLES {
        let mut stmt = store.conn().prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect();
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn history(store: &mut Store, config: &Config, rng: &mut fastrand::Rng, start: i64) -> i64 {
    let mut now = start;
    let mut people: Vec<LeadId> = Vec::new();
    let mut touches: Vec<OutreachId> = Vec::new();
    let mut meetings_made: Vec<MeetingId> = Vec::new();
    let mut deals_made = Vec::new();
    for i in 0..4 {
        let id = store
            .write(|db| {
                leads::create(
                    db,
                    NewLead {
                        first_name: format!("Lead{i}"),
                        email: Some(format!("lead{i}@example.com")),
                        phone: Some("+34 600 000 000".into()),
                        industry: Some(["saas", "retail"][i % 2].into()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        people.push(id);
    }
    for _ in 0..rng.usize(10..40) {
        now += rng.i64(0..30) * HOUR_MS;
        store.set_clock(Clock::Fixed(Timestamp(now)));
        let lead = people[rng.usize(..people.len())].clone();
        // Refused writes (churning a lead that is no customer, ...) roll back and change nothing.
        let _ = match rng.u32(..11) {
            0..=2 => store.write(|db| {
                let mut o = NewOutreach::new(lead.clone(), [OutreachKind::Email, OutreachKind::Call][rng.usize(..2)]);
                if rng.bool() {
                    o.direction = Direction::Inbound;
                    o.reply_type = ReplyType::ALL[rng.usize(..4)];
                }
                o.cited_metric = rng.bool();
                o.occurred_at = Some(Timestamp(now - rng.i64(0..72) * HOUR_MS));
                touches.push(outreach::log(db, o)?);
                Ok(())
            }),
            3 => store.write(|db| {
                meetings_made.push(meetings::schedule(
                    db,
                    &lead,
                    Timestamp(now + rng.i64(-5..48) * HOUR_MS),
                    None,
                    None,
                )?);
                Ok(())
            }),
            4 if !meetings_made.is_empty() => store.write(|db| {
                meetings::mark(db, &meetings_made[rng.usize(..meetings_made.len())], rng.bool(), None).map(|_| ())
            }),
            5 => store.write(|db| {
                let origin = touches.last().filter(|_| rng.bool()).cloned();
                let origin = origin.filter(|o| outreach::get(db, o).is_ok_and(|o| o.lead_id == lead));
                deals_made.push(deals::create(
                    db,
                    NewDeal {
                        origin_outreach: origin,
                        ..NewDeal::new(lead.clone(), format!("Deal {}", deals_made.len()))
                    },
                )?);
                Ok(())
            }),
            6 if !deals_made.is_empty() => {
                let d = deals_made[rng.usize(..deals_made.len())].clone();
                let stage = config.pipeline.stages[rng.usize(..config.pipeline.stages.len())].clone();
                store.write(|db| deals::move_to(db, &d, &stage, None).map(|_| ()))
            }
            7 => store.write(|db| {
                leads::update(db, &lead, LeadPatch { add_tags: vec!["pilot".into()], ..Default::default() }).map(|_| ())
            }),
            8 => store.write(|db| automation::clients::churn(db, &lead, Some("price"))),
            9 => store.write(|db| {
                let open = tasks::list_due(db, tasks::DueWindow::All, None, 50)?;
                if let Some(t) = open.first() {
                    tasks::done(db, &TaskId(t.id.0.clone()))?;
                }
                Ok(())
            }),
            _ => engine::tick(store, config).map(|_| ()),
        };
    }
    now + rng.i64(0..100) * HOUR_MS
}

#[test]
fn automate_run_twice_is_the_same_as_once() {
    let config = Config::defaults();
    let mut acted = 0;
    for seed in 0..24u64 {
        let dir = tempfile::tempdir().unwrap();
        let start = 1_790_000_000_000;
        let mut store = engine::open(&dir.path().join("p.db"), &config, Clock::Fixed(Timestamp(start))).unwrap();
        let mut rng = fastrand::Rng::with_seed(seed);
        let end = history(&mut store, &config, &mut rng, start);
        store.set_clock(Clock::Fixed(Timestamp(end)));
        let first = engine::tick(&mut store, &config).unwrap();
        acted += first.actions.len();
        let once = dump(&store);
        let second = engine::tick(&mut store, &config).unwrap();
        let twice = dump(&store);
        assert!(second.actions.is_empty(), "seed {seed}: the second run acted again: {:?}", second.actions);
        assert_eq!(once, twice, "seed {seed}: a second run changed the database (first did {:?})", first.actions);

        // A dry run at a later instant reports but leaves no trace.
        store.set_clock(Clock::Fixed(Timestamp(end + 72 * HOUR_MS)));
        let (scorer, autos) = engine::rules(&config).unwrap();
        automation::run(&mut store, &autos, &scorer, true).unwrap();
        assert_eq!(dump(&store), twice, "seed {seed}: a dry run wrote something");
    }
    assert!(acted > 0, "the histories never gave the final run anything to do");
}

/// The set-based recompute and the one-lead rescoring (what the write hook runs) agree on every lead.
#[test]
fn batch_and_single_lead_scoring_agree() {
    let config = Config::defaults();
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        engine::open(&dir.path().join("d.db"), &config, Clock::Fixed(Timestamp(1_790_000_000_000))).unwrap();
    leadline::demo::generate(&mut store, 400, 3).unwrap();
    let (scorer, _) = engine::rules(&config).unwrap();
    let done = store.write(|db| leadline::scoring::recompute(db, &scorer)).unwrap();
    assert_eq!(done.leads, 400);
    assert!(done.changed > 100, "demo leads start at 0 and most score something");
    // Most rows changed at once: the score indexes still agree with the table.
    let check: String = store.conn().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let sql = leadline::scoring::FactsSql::new(&scorer.stages);
    let db = store.db();
    let ids: Vec<String> = db
        .conn
        .prepare("SELECT id FROM leads")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut customers = 0;
    for id in ids {
        let f = leadline::scoring::load_facts(&db, &sql, &LeadId(id)).unwrap().unwrap();
        assert_eq!(scorer.evaluate(&f, db.now), f.stored, "lead {}", f.id);
        customers += usize::from(f.lifecycle == "customer");
    }
    assert!(customers > 0);
    drop(db);
    assert_eq!(store.write(|db| leadline::scoring::recompute(db, &scorer)).unwrap().changed, 0);
}

/// A database written before this schema version (scores, no health or priority) migrates in place.
#[test]
fn databases_from_the_previous_version_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        leadline::store::schema::migrations().to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO teams (id, name, timezone, created_at, updated_at) VALUES ('t', 'T', 'UTC', 0, 0);
             INSERT INTO leads (id, team_id, first_name, industry, score, created_at, updated_at)
             VALUES ('l1', 't', 'Old', 'saas', 4, 0, 0);",
        )
        .unwrap();
    }
    let config = Config::defaults();
    let mut store = engine::open(&path, &config, Clock::Fixed(Timestamp(1_790_000_000_000))).unwrap();
    let (score, priority): (i64, i64) =
        store.conn().query_row("SELECT score, priority FROM lead_scores", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((score, priority), (4, 4), "priority starts as the old score");
    let (scorer, _) = engine::rules(&config).unwrap();
    assert_eq!(store.write(|db| leadline::scoring::recompute(db, &scorer)).unwrap().changed, 1);
    let score: i64 = store.conn().query_row("SELECT score FROM lead_scores", [], |r| r.get(0)).unwrap();
    assert_eq!(score, 2, "profile match only");
}

/// Demo data is scored as it is generated, from the facts the generator holds in memory: a recompute over
/// the database right after finds every lead already right.
#[test]
fn demo_leads_are_scored_as_they_are_made() {
    let config = Config::defaults();
    let dir = tempfile::tempdir().unwrap();
    let mut store =
        engine::open(&dir.path().join("d.db"), &config, Clock::Fixed(Timestamp(1_790_000_000_000))).unwrap();
    engine::demo(&mut store, &config, 600, 11, None).unwrap();
    let scored: i64 =
        store.conn().query_row("SELECT count(*) FROM lead_scores WHERE score != 0", [], |r| r.get(0)).unwrap();
    assert!(scored > 200, "most demo leads score something ({scored})");
    let (scorer, _) = engine::rules(&config).unwrap();
    let done = store.write(|db| leadline::scoring::recompute(db, &scorer)).unwrap();
    assert_eq!((done.leads, done.changed), (600, 0));
}
