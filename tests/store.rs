//! The store through the library: derived fields, keyset pages, FTS upkeep, hooks, migrations.

use std::collections::HashSet;
use std::sync::Arc;

use leadline::config::Config;
use leadline::domain::{Clock, LeadId, OutreachKind, Timestamp};
use leadline::store::leads::{LeadFilter, LeadQuery, LeadSort, NewLead};
use leadline::store::outreach::{NewOutreach, OutreachPatch};
use leadline::store::{Change, ChangeHook, Db, Store, StoreError, leads, meetings, outreach, schema, search};

const NOW: Timestamp = Timestamp(1_795_608_000_000); // 2026-11-25T12:00:00.000Z

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("t.db"), &Config::defaults(), Clock::Fixed(NOW)).unwrap()
}

fn lead(store: &mut Store, first: &str, email: &str) -> LeadId {
    store
        .write(|db| {
            leads::create(db, NewLead { first_name: first.into(), email: Some(email.into()), ..Default::default() })
        })
        .unwrap()
}

fn last_contact(store: &Store, id: &LeadId) -> Option<Timestamp> {
    leads::get(&store.db(), id).unwrap().last_contacted_at
}

#[test]
fn last_contact_follows_edits_and_removals() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = lead(&mut s, "Ana", "ana@x.io");
    let log = |s: &mut Store, days: i64| {
        s.write(|db| {
            outreach::log(
                db,
                NewOutreach {
                    occurred_at: Some(NOW.plus_days(-days)),
                    ..NewOutreach::new(id.clone(), OutreachKind::Email)
                },
            )
        })
        .unwrap()
    };
    let recent = log(&mut s, 1);
    let old = log(&mut s, 5);
    assert_eq!(last_contact(&s, &id), Some(NOW.plus_days(-1)));
    // Removing the latest falls back to the next one.
    s.write(|db| outreach::remove(db, &recent)).unwrap();
    assert_eq!(last_contact(&s, &id), Some(NOW.plus_days(-5)));
    // Editing a touch's time moves the last contact with it, both ways.
    s.write(|db| {
        outreach::edit(db, &old, OutreachPatch { occurred_at: Some(NOW.plus_days(-2)), ..Default::default() })
    })
    .unwrap();
    assert_eq!(last_contact(&s, &id), Some(NOW.plus_days(-2)));
    // An attended meeting counts; removing it takes it back out.
    let m = s.write(|db| meetings::schedule(db, &id, NOW.plus_hours(-3), None, None)).unwrap();
    assert_eq!(last_contact(&s, &id), Some(NOW.plus_days(-2)));
    s.write(|db| meetings::mark(db, &m, true, None)).unwrap();
    assert_eq!(last_contact(&s, &id), Some(NOW.plus_hours(-3)));
    s.write(|db| meetings::remove(db, &m)).unwrap();
    assert_eq!(last_contact(&s, &id), Some(NOW.plus_days(-2)));
    s.write(|db| outreach::remove(db, &old)).unwrap();
    assert_eq!(last_contact(&s, &id), None);
}

#[test]
fn keyset_pages_cover_every_lead_once_in_every_sort() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    leadline::demo::generate(&mut s, 433, 3).unwrap();
    // Capital accented initials: their keys are folded the same way in the store and in the cursor.
    for (i, first) in ["Álvaro", "Íñigo", "Óscar", "Élodie"].into_iter().enumerate() {
        lead(&mut s, first, &format!("accent{i}@x.io"));
    }
    for sort in LeadSort::ALL {
        let db = s.db();
        let mut seen = HashSet::new();
        let mut order = Vec::new();
        let mut after = None;
        loop {
            let page =
                leads::list(&db, &LeadQuery { filter: LeadFilter::default(), sort, after: after.clone(), limit: 50 })
                    .unwrap();
            let Some(last) = page.last() else { break };
            after = Some(sort.cursor_of(last));
            for l in &page {
                assert!(seen.insert(l.id.clone()), "{sort:?}: {} twice", l.id);
                order.push(l.clone());
            }
        }
        assert_eq!(seen.len(), 437, "{sort:?}");
        let full = leads::list(&db, &LeadQuery { sort, limit: 1000, ..Default::default() }).unwrap();
        assert_eq!(full.iter().map(|l| &l.id).collect::<Vec<_>>(), order.iter().map(|l| &l.id).collect::<Vec<_>>());
        assert_eq!(leads::count(&db, &LeadFilter::default()).unwrap(), 437);
        if sort == LeadSort::Name {
            // "Álvaro" is among the A's, not after the Z's.
            let at = |first: &str| order.iter().position(|l| l.first_name == first).unwrap();
            let first_b = order.iter().position(|l| l.first_name.starts_with(['B', 'b'])).unwrap();
            assert!(at("Álvaro") < first_b, "{:?}", order.iter().map(|l| &l.first_name).collect::<Vec<_>>());
            assert!(at("Óscar") < order.iter().position(|l| l.first_name.starts_with(['P', 'p'])).unwrap());
        }
        // Re-reading from just before any row starts the page with that row (a refresh keeps its place).
        for row in order.iter().step_by(37) {
            let again = leads::list(
                &db,
                &LeadQuery { sort, after: Some(sort.cursor_before(row)), limit: 1, ..Default::default() },
            )
            .unwrap();
            assert_eq!(again[0].id, row.id, "{sort:?}");
        }
    }
}

#[test]
fn search_index_follows_edits_removals_and_company_renames() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = s
        .write(|db| {
            leads::create(
                db,
                NewLead {
                    first_name: "Zoë".into(),
                    last_name: "Quinn".into(),
                    company: Some("Initech".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let hits = |s: &Store, q: &str| search::search(&s.db(), q, 10).unwrap().len();
    assert_eq!(hits(&s, "zoe"), 1);
    assert_eq!(hits(&s, "initech"), 1);
    s.write(|db| leads::update(db, &id, leads::LeadPatch { last_name: Some("Rivers".into()), ..Default::default() }))
        .unwrap();
    assert_eq!(hits(&s, "quinn"), 0);
    assert_eq!(hits(&s, "riv"), 1);
    s.conn().execute("UPDATE accounts SET name = 'Globochem'", []).unwrap();
    assert_eq!(hits(&s, "initech"), 0);
    assert_eq!(hits(&s, "globo"), 1);
    s.write(|db| leads::remove(db, &id)).unwrap();
    assert_eq!(hits(&s, "riv"), 0);
}

/// The start of a phone number typed alone finds it from its fourth digit, read as the rep reads the number
/// out (without its calling code); among words, four digits are a word ("Studio 6001").
#[test]
fn the_start_of_a_national_number_finds_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    s.write(|db| {
        leads::create(
            db,
            NewLead { first_name: "Ana".into(), phone: Some("+34 600 11 22 33".into()), ..Default::default() },
        )?;
        leads::create(
            db,
            NewLead { first_name: "Bo".into(), company: Some("Studio 6001".into()), ..Default::default() },
        )
    })
    .unwrap();
    let found = |q: &str| -> Vec<String> {
        search::search(&s.db(), q, 10).unwrap().into_iter().map(|l| l.first_name).collect::<Vec<_>>()
    };
    for typed in ["600", "6001", "60011", "600 11", "600112", "+34 6001"] {
        assert!(found(typed).contains(&"Ana".to_string()), "{typed}: {:?}", found(typed));
    }
    assert_eq!(found("studio 6001"), ["Bo"]);
    assert_eq!(found("60012"), Vec::<String>::new());
}

/// A hook that refuses any outreach, to prove hooks run inside the writing transaction.
struct RefuseOutreach;
impl ChangeHook for RefuseOutreach {
    fn on_change(&self, _db: &Db<'_>, change: &Change) -> leadline::store::Result<()> {
        match change {
            Change::OutreachLogged { .. } => Err(StoreError::Refused("no outreach today".into())),
            _ => Ok(()),
        }
    }
}

#[test]
fn a_failing_hook_rolls_the_whole_write_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = lead(&mut s, "Ana", "ana@x.io");
    s.add_hook(Arc::new(RefuseOutreach));
    let err = s
        .write(|db| {
            outreach::log(
                db,
                NewOutreach { value: Some("Upwork".into()), ..NewOutreach::new(id.clone(), OutreachKind::Platform) },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("no outreach today"));
    assert!(outreach::for_lead(&s.db(), &id).unwrap().is_empty());
    assert_eq!(last_contact(&s, &id), None);
}

#[test]
fn databases_at_every_earlier_schema_version_migrate() {
    for version in 0..schema::latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrations().to_version(&mut conn, version).unwrap();
        }
        let mut s = Store::open(&path, &Config::defaults(), Clock::Fixed(NOW)).unwrap();
        let id = lead(&mut s, "Migrated", "m@x.io");
        assert_eq!(search::search(&s.db(), "migrated", 5).unwrap()[0].id, id, "from version {version}");
    }
}

#[test]
fn a_database_from_a_newer_leadline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let err = Store::open(&path, &Config::defaults(), Clock::Fixed(NOW)).err().unwrap();
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn teams_do_not_see_each_others_leads() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    lead(&mut s, "Mine", "mine@x.io");
    // Another team's lead in the same file (as sync would bring it).
    let conn = s.conn();
    conn.execute(
        "INSERT INTO teams (id, name, timezone, created_at, updated_at) VALUES ('t2', 'Other', 'UTC', 0, 0)",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO leads (id, team_id, first_name, email, email_key, created_at, updated_at)
         VALUES ('0193aaaa-0000-7000-8000-000000000001', 't2', 'Theirs', 'mine@x.io', 'mine@x.io', 0, 0)",
        [],
    )
    .unwrap();
    let db = s.db();
    let all = leads::list(&db, &LeadQuery { limit: 10, ..Default::default() }).unwrap();
    assert_eq!(all.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(), vec!["Mine"]);
    assert!(leads::resolve(&db, "Theirs").is_err());
    assert!(leads::resolve(&db, "0193aaaa-0000-7000-8000-000000000001").is_err());
    assert_eq!(leads::resolve(&db, "mine@x.io").unwrap(), all[0].id);
    // Search too: the other team's lead is in the search index of the same file, but never a match here.
    let text = |t: &str| LeadFilter { text: Some(t.into()), ..Default::default() };
    assert_eq!(leads::count_capped(&db, &text("theirs")).unwrap(), 0);
    assert_eq!(leads::count_capped(&db, &text("mine")).unwrap(), 1);
    let q = LeadQuery { filter: text("theirs"), limit: 10, ..Default::default() };
    assert!(leads::list_matches(&db, &q).unwrap().is_empty());
}

#[test]
fn the_outbox_hands_out_lead_acquired_events_once() {
    use leadline::store::deals::{self, NewDeal};
    use leadline::store::events;
    let dir = tempfile::tempdir().unwrap();
    let mut s = leadline::engine::open(&dir.path().join("t.db"), &Config::defaults(), Clock::Fixed(NOW)).unwrap();
    let id = lead(&mut s, "Ana", "ana@x.io");
    let origin = s.write(|db| outreach::log(db, NewOutreach::new(id.clone(), OutreachKind::Email))).unwrap();
    let deal = s
        .write(|db| {
            deals::create(db, NewDeal { origin_outreach: Some(origin.clone()), ..NewDeal::new(id.clone(), "Pilot") })
        })
        .unwrap();
    let pending = events::pending(&s.db(), 10).unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, "LeadAcquired");
    assert!(pending[0].payload.to_string().contains(deal.as_str()), "{}", pending[0].payload);
    assert!(pending[0].payload.to_string().contains(origin.as_str()), "{}", pending[0].payload);
}

/// New databases use 16 KB pages; a database made with another page size keeps it when opened.
#[test]
fn new_databases_get_large_pages_and_old_ones_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let size: i64 = store.conn().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(size, 16_384);
    let old = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x); PRAGMA journal_mode = WAL;").unwrap();
    }
    let store = Store::open(&old, &Config::defaults(), Clock::System).unwrap();
    let size: i64 = store.conn().query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    assert_eq!(size, 4096);
}

#[test]
fn leads_by_row_number_take_any_number_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let ana = lead(&mut s, "Ana", "ana@x.io");
    let bo = lead(&mut s, "Bo", "bo@x.io");
    let seq = |s: &Store, id: &LeadId| leads::get(&s.db(), id).unwrap().seq;
    // More row numbers than SQLite takes parameters in one statement (a long `lead list --limit`).
    let mut seqs: Vec<i64> = (1_000_000..1_040_000).collect();
    seqs.push(seq(&s, &bo));
    seqs.insert(0, seq(&s, &ana));
    let found = leads::by_seqs(&s.db(), &seqs).unwrap();
    assert_eq!(found.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(), ["Ana", "Bo"], "in the order asked");
}

#[test]
fn pipeline_totals_of_amounts_past_any_sum_still_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = lead(&mut s, "Ana", "ana@x.io");
    s.write(|db| {
        for title in ["One", "Two"] {
            leadline::store::deals::create(db, leadline::store::deals::NewDeal::new(id.clone(), title))?;
        }
        // Written by an older leadline, which took any amount that fitted a 64-bit number.
        db.conn.execute("UPDATE deals SET amount_minor = 9223372036854775807, currency = 'EUR'", [])?;
        Ok(())
    })
    .unwrap();
    let summary = leadline::store::deals::summary(&s.db()).unwrap();
    let new = summary.iter().find(|c| c.stage == "New").unwrap();
    assert_eq!(new.count, 2);
    assert_eq!(new.totals[0].minor, i64::MAX, "saturated, not an error that empties the board");
}

#[test]
fn a_tag_most_leads_carry_pages_the_same_leads_in_the_same_order_as_a_rare_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    leadline::demo::generate(&mut s, 200, 3).unwrap();
    // 24,000 leads carry "common" (past the count from which a list walks its sort index); 60 of them also
    // carry "rare" (whose few leads are sorted instead).
    s.write(|db| {
        db.conn.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 24000)
             INSERT INTO leads (id, team_id, first_name, name_key, tags, created_at, updated_at)
             SELECT printf('00000000-0000-7000-8000-%012d', i), (SELECT id FROM teams), 'Bulk' || i, 'bulk' || i, '', i, i
             FROM n;
             INSERT INTO lead_tags (tag, lead_id) SELECT 'common', id FROM leads WHERE first_name LIKE 'Bulk%';
             INSERT INTO lead_tags (tag, lead_id) SELECT 'rare', id FROM leads WHERE first_name LIKE 'Bulk%' AND seq % 400 = 0;",
        )?;
        Ok(())
    })
    .unwrap();
    let db = s.db();
    for sort in LeadSort::ALL {
        let pages = |tag: &str| -> Vec<String> {
            let filter = LeadFilter { tag: Some(tag.into()), ..Default::default() };
            let mut ids = Vec::new();
            let mut after = None;
            for _ in 0..3 {
                let page =
                    leads::list(&db, &LeadQuery { filter: filter.clone(), sort, after: after.clone(), limit: 40 })
                        .unwrap();
                let Some(last) = page.last() else { break };
                after = Some(sort.cursor_of(last));
                ids.extend(page.into_iter().map(|l| l.id.0));
            }
            ids
        };
        let common = pages("common");
        assert_eq!(common.len(), 120, "{sort:?}");
        // Every lead listed under "common" carries it, in the list's own order.
        let all: Vec<String> = leads::list(&db, &LeadQuery { sort, limit: 30_000, ..Default::default() })
            .unwrap()
            .into_iter()
            .map(|l| l.id.0)
            .filter(|id| id.starts_with("00000000-"))
            .collect();
        assert_eq!(common, all[..120], "{sort:?}");
        let rare = pages("rare");
        assert_eq!(rare.len(), 60, "{sort:?}");
        let rare_in_order: Vec<&String> = all.iter().filter(|id| rare.contains(id)).collect();
        assert_eq!(rare.iter().collect::<Vec<_>>(), rare_in_order, "{sort:?}");
    }
}

#[test]
fn a_member_removed_while_their_leadline_is_open_writes_nothing_more() {
    use leadline::domain::Role;
    use leadline::store::teams;
    let dir = tempfile::tempdir().unwrap();
    let mut admin = open(&dir);
    let ana = lead(&mut admin, "Ana", "ana@x.io");
    admin.write(|db| teams::add_member(db, "Tom Baker", "tom@x.io", Role::Rep)).unwrap();
    let mut config = Config::defaults();
    config.user.name = "Tom Baker".into();
    config.user.email = "tom@x.io".into();
    // Tom's leadline (a TUI, say) is open, and writes as him.
    let mut tom = Store::open(&dir.path().join("t.db"), &config, Clock::Fixed(NOW)).unwrap();
    let note = |s: &mut Store| s.write(|db| leadline::store::notes::add(db, Some(&ana), None, "called"));
    note(&mut tom).unwrap();
    let me = admin.ctx().user_name.clone();
    admin.write(|db| teams::remove_member(db, "Tom Baker", Some(&me))).unwrap();
    // Removed meanwhile: his next write is refused, saying so, and nothing of it is kept.
    let err = note(&mut tom).unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert!(err.to_string().contains("Tom Baker <tom@x.io> was removed from the team"), "{err}");
    let notes: i64 = admin.conn().query_row("SELECT count(*) FROM notes", [], |r| r.get(0)).unwrap();
    assert_eq!(notes, 1);
    // The admin still writes.
    note(&mut admin).unwrap();
}

/// Whether this process holds a lock of SQLite's on the file (Linux's list of locks). The list is read a
/// page at a time, and locks other tests take and drop meanwhile can make a reading skip a line: a lock
/// held shows in one of a few readings, one dropped in none.
#[cfg(target_os = "linux")]
fn holds_a_lock_on(path: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(path).unwrap().ino().to_string();
    let me = std::process::id().to_string();
    (0..20).any(|_| {
        std::fs::read_to_string("/proc/locks").unwrap().lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() > 5 && f[4] == me && f[5].rsplit(':').next() == Some(inode.as_str())
        })
    })
}

#[cfg(target_os = "linux")]
#[test]
fn a_second_connection_leaves_the_first_ones_locks_in_place() {
    // A connection in WAL mode holds a shared lock on the database file for as long as it is open: another
    // program closing the database last checkpoints and deletes the log only if nobody holds one. Opening the
    // file again in this process must not drop it (closing any descriptor of a file drops the process's locks).
    let dir = tempfile::tempdir().unwrap();
    let first = open(&dir);
    let path = dir.path().join("t.db");
    assert!(holds_a_lock_on(&path), "the first connection's lock");
    let second = open(&dir);
    assert!(holds_a_lock_on(&path), "still held once a second connection is open");
    drop(second);
    drop(first);
}

/// ø, ł, ß and the like are written plain when names and companies are compared ("Søren" is "Soren"), as
/// search finds them: a database keyed before is keyed again by its upgrade, and a lead is named either way.
#[test]
fn a_name_with_a_letter_written_plain_is_named_either_way_also_after_an_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let id = s
        .write(|db| {
            leads::create(
                db,
                NewLead {
                    first_name: "Søren".into(),
                    last_name: "Kierkegaard".into(),
                    company: Some("Øresund ApS".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    // As an earlier version keyed them, and left at its schema version.
    s.conn()
        .execute_batch(
            "UPDATE leads SET name_key = 'søren kierkegaard'; UPDATE accounts SET name_key = 'øresund aps';
             PRAGMA user_version = 40;",
        )
        .unwrap();
    drop(s);
    let s = open(&dir);
    let keys: (String, String) = s
        .conn()
        .query_row("SELECT l.name_key, a.name_key FROM leads l JOIN accounts a ON a.id = l.account_id", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(keys, ("soren kierkegaard".to_string(), "oresund aps".to_string()));
    for typed in ["Soren Kierkegaard", "Søren Kierkegaard", "SØREN KIERKEGAARD"] {
        assert_eq!(leads::resolve(&s.db(), typed).unwrap(), id, "{typed}");
    }
}

/// A lead's place in a sorted, filtered list is the number of leads listed before it, for every sort,
/// with and without a filter (what the TUI's header says of a lead a write moved far away).
#[test]
fn a_leads_rank_is_its_place_in_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    leadline::demo::generate(&mut store, 300, 7).unwrap();
    let db = store.db();
    let customers = LeadFilter { lifecycle: Some(leadline::domain::Lifecycle::Customer), ..Default::default() };
    for filter in [LeadFilter::default(), customers] {
        for sort in LeadSort::ALL {
            let q = LeadQuery { sort, filter: filter.clone(), limit: 1_000, ..Default::default() };
            let all = leads::list(&db, &q).unwrap();
            assert!(all.len() > 10, "{sort:?}");
            for i in [0, 1, all.len() / 3, all.len() / 2, all.len() - 1] {
                assert_eq!(leads::rank(&db, &q, &all[i]).unwrap(), i as i64, "{sort:?} {filter:?}");
            }
        }
    }
}

/// A number is found however it is typed and kept: with or without its calling code, with the trunk in
/// brackets after it ("+44 (0)20 …") or not, in groups or in one run; not by the same groups in another order.
#[test]
fn a_phone_number_is_found_however_it_is_typed_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let mut add = |first: &str, phone: &str| {
        store
            .write(|db| {
                leads::create(db, NewLead { first_name: first.into(), phone: Some(phone.into()), ..Default::default() })
            })
            .unwrap();
    };
    add("Trunk", "+44 (0)20 7946 0958");
    add("Plain", "+41 44 668 18 00");
    add("Swapped", "+34 622 785 910");
    add("Grouped", "+34 622 910 785");
    let db = store.db();
    let found = |typed: &str| -> Vec<String> {
        let mut names: Vec<String> =
            search::search(&db, typed, 10).unwrap().into_iter().map(|l| l.first_name).collect();
        names.sort();
        names
    };
    for typed in ["20 7946 0958", "020 7946 0958", "+44 20 7946 0958", "+44 (0)20 7946 0958", "0044 20 7946 0958"] {
        assert_eq!(found(typed), ["Trunk"], "{typed}");
    }
    for typed in ["44 668 18 00", "+41 (0)44 668 18 00", "044 668 18 00"] {
        assert_eq!(found(typed), ["Plain"], "{typed}");
    }
    assert_eq!(found("+34 622 910 785"), ["Grouped"]);
    assert_eq!(found("910 785"), ["Grouped", "Swapped"], "a number's end, by its groups");
}

/// Every deal read a page at a time comes in the pipeline's order (stages in turn, each by position, then
/// those at stages the pipeline no longer has) once, whatever the page size: as one list reads them.
#[test]
fn deals_read_in_pages_are_the_whole_list_in_order() {
    use leadline::store::deals::{self, DealFilter, DealPages, NewDeal};
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let ana = lead(&mut s, "Ana", "ana@x.io");
    s.write(|db| {
        for (i, stage) in ["Proposal", "New", "Won", "Proposal", "New", "Lost", "New"].iter().enumerate() {
            deals::create(
                db,
                NewDeal { stage: Some(stage.to_string()), ..NewDeal::new(ana.clone(), format!("D{i}")) },
            )?;
        }
        // Two at stages the config no longer has; two of New at one position (a move taken back gave one
        // its place back).
        db.conn.execute("UPDATE deals SET stage = 'Zeta' WHERE title = 'D0'", [])?;
        db.conn.execute("UPDATE deals SET stage = 'Alpha' WHERE title = 'D6'", [])?;
        db.conn.execute(
            "UPDATE deals SET position = (SELECT position FROM deals WHERE title = 'D1') WHERE title = 'D4'",
            [],
        )?;
        Ok(())
    })
    .unwrap();
    let db = s.db();
    for filter in [DealFilter::default(), DealFilter { stage: Some("new".into()), ..Default::default() }] {
        let whole: Vec<String> = deals::list(&db, &filter, 100).unwrap().into_iter().map(|d| d.title).collect();
        for size in 1..=3 {
            let mut pages = DealPages::new(&db, &filter).unwrap();
            let mut read = Vec::new();
            while let Some(page) = pages.next(&db, size).unwrap() {
                assert!(page.len() <= size);
                read.extend(page.into_iter().map(|d| d.title));
            }
            assert_eq!(read, whole, "pages of {size}");
        }
        if filter.stage.is_none() {
            // The two at one position in the order of their ids.
            let mut tied = whole[..2].to_vec();
            tied.sort();
            assert_eq!(tied, ["D1", "D4"]);
            assert_eq!(whole[2..], ["D3", "D2", "D5", "D6", "D0"]);
        }
    }
}

/// Open tasks read a page at a time come in the order of one list, once, many of them due at one time.
#[test]
fn tasks_read_in_pages_are_the_whole_list_in_order() {
    use leadline::store::tasks::{self, DueWindow, NewTask};
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    s.write(|db| {
        for (i, hours) in [5, 1, 1, 1, 3, 1, 1].iter().enumerate() {
            let due = Timestamp(db.now.0 + hours * 3_600_000);
            tasks::add(db, NewTask::manual(format!("T{i}"), due))?;
        }
        Ok(())
    })
    .unwrap();
    let db = s.db();
    let whole = tasks::list_due(&db, DueWindow::All, None, 100).unwrap();
    assert_eq!(whole.len(), 7);
    for size in 1..=3 {
        let (mut read, mut last) = (Vec::new(), None);
        loop {
            let page = tasks::list_due_page(&db, DueWindow::All, None, last.as_ref(), size).unwrap();
            if page.is_empty() {
                break;
            }
            last = page.last().cloned();
            read.extend(page.into_iter().map(|t| t.id));
        }
        assert_eq!(read, whole.iter().map(|t| t.id.clone()).collect::<Vec<_>>(), "pages of {size}");
    }
}

/// A database that made `former_contacts` when it held hashes has it made as it is now.
#[test]
fn former_contacts_made_with_hashes_are_made_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    drop(open(&dir));
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE former_contacts;
             CREATE TABLE former_contacts (team_id TEXT NOT NULL, lead_id TEXT NOT NULL, hash TEXT NOT NULL,
                                           PRIMARY KEY (lead_id, hash)) WITHOUT ROWID;
             PRAGMA user_version = 47;",
        )
        .unwrap();
    }
    let mut s = open(&dir);
    let id = lead(&mut s, "Ana", "ana@x.io");
    s.write(|db| leads::update(db, &id, leads::LeadPatch { email: Some("ana@y.io".into()), ..Default::default() }))
        .unwrap();
    let kept: String =
        s.conn().query_row("SELECT value FROM former_contacts WHERE kind = 'email'", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, "ana@x.io");
}

/// The rules that acted on a touch are read back whole, a touch's id from another system holding ':'.
#[test]
fn rules_fired_on_a_touch_are_read_back_whatever_its_id() {
    use leadline::automation::run::{mark_fired, rules_fired};
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    s.write(|db| {
        mark_fired(db, "crm:42", &["bump-after-48h".into(), "bad:name".into()])?;
        mark_fired(db, "01a2", &["bump-after-48h".into()])
    })
    .unwrap();
    let fired = rules_fired(&s.db()).unwrap();
    assert_eq!(fired.of("crm:42"), ["bump-after-48h"]);
    assert_eq!(fired.of("01a2"), ["bump-after-48h"]);
    assert!(fired.of("01a3").is_empty());
    assert_eq!(fired.len(), 2);
}

/// A listing printed a page at a time keeps its short ids as long as the longest of the pages before.
#[test]
fn short_ids_of_a_later_page_are_as_long_as_the_first_pages() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let ids = [
        "01a00000-0000-7000-8000-00000000000a",
        "01a00000-0000-7000-8000-00000000000b",
        "01b00000-0000-7000-8000-000000000000",
    ];
    for (i, id) in ids.iter().enumerate() {
        let made = lead(&mut s, &format!("L{i}"), &format!("l{i}@x.io"));
        s.conn().execute("UPDATE leads SET id = ?2 WHERE id = ?1", [made.as_str(), id]).unwrap();
    }
    let db = s.db();
    let paged = leadline::store::PagedShortIds::default();
    let first = paged.of(&db, "leads", &ids[..2]).unwrap();
    assert!(first.iter().all(|i| i.len() == 36), "{first:?}");
    assert_eq!(paged.of(&db, "leads", &ids[2..]).unwrap()[0].len(), 36);
    assert_eq!(leadline::store::short_ids(&db, "leads", &ids[2..]).unwrap()[0].len(), 13);
}
