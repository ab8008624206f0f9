//! Realistic demo data: accounts, leads, outreach of all five kinds, meetings, deals in every stage,
//! tasks and notes. Deterministic for a given seed and clock, and fast enough for a million leads
//! (one transaction, prepared statements, the FTS index filled in one pass at the end).
//!
//! One thread makes each lead with its whole history and score (`make`), another writes the rows
//! through prepared statements (`write`).

mod make;
mod write;

use crate::domain::Role;
use crate::scoring::Scorer;
use crate::store::{Result, Store, StoreError, bulk, teams};
use make::{LeadMaker, LeadRows, YEAR_MS};
use write::{Statements, Writer, insert_accounts};

const FIRST: &str = include_str!("../../assets/demo/first_names.txt");
const LAST: &str = include_str!("../../assets/demo/last_names.txt");
const COMPANIES: &str = include_str!("../../assets/demo/companies.txt");
const TITLES: &str = include_str!("../../assets/demo/titles.txt");
const INDUSTRIES: &str = include_str!("../../assets/demo/industries.txt");
const TAGS: &str = include_str!("../../assets/demo/tags.txt");
const PRODUCTS: &str = include_str!("../../assets/demo/products.txt");
const NOTES: &str = include_str!("../../assets/demo/notes.txt");

const SOURCES: [&str; 7] = ["linkedin", "email", "referral", "platform", "web", "import", "linkedin"];
const COMPANY_SUFFIXES: [&str; 12] = [
    "",
    " Group",
    " Labs",
    " & Co",
    " Partners",
    " Digital",
    " Holdings",
    " Studio",
    " Global",
    " Works",
    " Iberia",
    " Nordic",
];
const SIZES: [&str; 5] = ["1-10", "11-50", "51-200", "201-1000", "1000+"];
const PLATFORMS: [&str; 4] = ["Upwork", "Guru", "PeoplePerHour", "Fiverr"];
const MESSENGERS: [&str; 3] = ["whatsapp", "telegram", "signal"];
const VARIANTS: [&str; 3] = ["A", "B", "C"];
const LOST_REASONS: [&str; 4] = ["budget", "chose a competitor", "no decision", "timing"];
const DEMO_USERS: [(&str, &str); 3] =
    [("Marta Ruiz", "marta@demo.leadline"), ("Tom Baker", "tom@demo.leadline"), ("Aiko Mori", "aiko@demo.leadline")];

/// The last card's position in each stage of the pipeline, so the demo's deals go after the team's own.
fn last_positions(conn: &rusqlite::Connection, team: &str, stages: &[String]) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare(
        "SELECT ifnull(max(position), 0) FROM deals WHERE team_id = ?1 AND stage = ?2 AND deleted_at IS NULL",
    )?;
    let mut out = Vec::with_capacity(stages.len());
    for s in stages {
        out.push(stmt.query_row(rusqlite::params![team, s], |r| r.get(0))?);
    }
    Ok(out)
}

/// What `generate` wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    pub leads: usize,
    pub accounts: usize,
    pub outreach: usize,
    pub meetings: usize,
    pub deals: usize,
    pub tasks: usize,
    pub notes: usize,
}

struct Words {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    companies: Vec<&'static str>,
    titles: Vec<&'static str>,
    industries: Vec<&'static str>,
    tags: Vec<&'static str>,
    products: Vec<&'static str>,
    notes: Vec<&'static str>,
}

fn lines(s: &'static str) -> Vec<&'static str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

impl Words {
    fn load() -> Self {
        Self {
            first: lines(FIRST),
            last: lines(LAST),
            companies: lines(COMPANIES),
            titles: lines(TITLES),
            industries: lines(INDUSTRIES),
            tags: lines(TAGS),
            products: lines(PRODUCTS),
            notes: lines(NOTES),
        }
    }
}

/// A seeded generator; ids are UUID v7 built from the row's own time and seeded bytes, so the same
/// seed and clock give the same database.
struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.usize(..items.len())]
    }
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.u32(..100) < percent
    }
    fn id(&mut self, at: i64) -> String {
        let mut bytes = [0u8; 10];
        self.rng.fill(&mut bytes);
        uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &bytes).into_uuid().to_string()
    }
}

fn slug(s: &str) -> String {
    let folded: String = s
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            'č' | 'Č' => 'c',
            'ř' => 'r',
            'š' => 's',
            c => c,
        })
        .collect();
    folded.to_lowercase().chars().filter(char::is_ascii_alphanumeric).collect()
}

/// A demo account: id, web domain, industry.
struct Account {
    id: String,
    name: String,
    domain: String,
    industry: &'static str,
}

/// Adds `count` demo leads (with their history) to the store's team, unscored (scores 0).
pub fn generate(store: &mut Store, count: usize, seed: u64) -> Result<DemoSummary> {
    generate_scored(store, count, seed, None, None)
}

/// Adds `count` demo leads, each scored by `scorer` as it is written: the generator holds every fact the
/// rules read (its outreach, meetings, deals, tasks) in memory, so no recompute pass over the database
/// is needed afterwards. A recompute right after finds nothing to change (tested).
/// `stop`, once set (Ctrl-C), ends the load at the next batch: nothing of it is kept.
pub fn generate_scored(
    store: &mut Store,
    count: usize,
    seed: u64,
    scorer: Option<&Scorer>,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Result<DemoSummary> {
    let now = store.now().0;
    let ctx = store.ctx().clone();
    let words = Words::load();
    // Over leads already there (a second demo at the same clock), the same seed would write the same ids
    // again: it is moved on by what is there. Into an empty database, a seed gives the same data.
    let there: i64 = store.conn().query_row("SELECT ifnull(max(seq), 0) FROM leads", [], |r| r.get(0))?;
    let mut g =
        Gen { rng: fastrand::Rng::with_seed(seed.wrapping_add((there as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))) };
    let mut summary = DemoSummary { leads: count, ..Default::default() };

    // Team members to own leads: the current user plus three colleagues (added once).
    let mut owners = vec![ctx.user_id.0.clone()];
    store.write(|db| {
        let existing = teams::list(db)?;
        // A member of the team already named so is that colleague: two members of one name would make owners
        // ambiguous (`team add` refuses them too).
        for (name, email) in DEMO_USERS {
            let same = |u: &&teams::User| {
                u.email == email || crate::domain::text::fold(&u.name) == crate::domain::text::fold(name)
            };
            match existing.iter().find(same) {
                Some(u) => owners.push(u.id.0.clone()),
                None => owners.push(teams::add_user(db, name, email, Role::Rep)?.0),
            }
        }
        Ok(())
    })?;

    let conn = store.conn();
    // For the load, a rollback journal (pages added past the end of the file are not journaled, so the data is
    // written once instead of twice through the WAL) and a large page cache; both are put back afterwards.
    // If another process holds the database open, the journal mode simply stays WAL.
    let _ = conn.pragma_update(None, "journal_mode", "DELETE");
    conn.pragma_update(None, "cache_size", -512_000)?;
    // Every reference the demo writes points at a row it has just written (or the team's own users): checking
    // each against its parent would be millions of index seeks for nothing. Back on after the load.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    // Index builds then sort in small runs on disk, quicker than one sort of the whole key set in memory.
    conn.pragma_update(None, "temp_store", "FILE")?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let t0 = std::time::Instant::now();
    let result = (|| -> Result<()> {
        let first_seq: i64 = conn.query_row("SELECT ifnull(max(seq), 0) FROM leads", [], |r| r.get(0))?;
        let lift = bulk::Lift::begin(conn, bulk::Indexes::Lift(bulk::DEMO_TABLES))?;
        // The search index and the tag rows are built beside the load (into an empty database).
        let mut indexes = bulk::IndexBuild::start(conn)?;
        {
            let mut st = Statements::prepare(conn)?;
            let team = ctx.team_id.as_str();
            let accounts = insert_accounts(conn, &mut st, &mut g, &words, team, count, now)?;
            summary.accounts = accounts.len();
            let mut maker = LeadMaker {
                g,
                words: &words,
                accounts: &accounts,
                owners: owners.len(),
                stages: &ctx.stages,
                positions: last_positions(conn, team, ctx.stages.names())?,
                lead_deals: 0,
                scorer,
                now,
                first_seq,
                step: (YEAR_MS / count as i64).max(1),
            };
            let writer = Writer {
                team,
                accounts: &accounts,
                owners: &owners,
                stages: ctx.stages.names(),
                currency: &ctx.currency,
            };
            // Two cores: one thread makes the rows (names, ids, histories, scores), this one writes them.
            std::thread::scope(|scope| -> Result<()> {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<LeadRows>>(8);
                scope.spawn(move || {
                    for start in (0..count).step_by(BATCH) {
                        let batch: Vec<LeadRows> = (start..count.min(start + BATCH)).map(|i| maker.make(i)).collect();
                        if tx.send(batch).is_err() {
                            return; // the writer stopped on an error
                        }
                    }
                });
                for batch in rx {
                    if stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed)) {
                        return Err(StoreError::Refused("the demo was stopped; nothing of it was kept".into()));
                    }
                    for rows in &batch {
                        writer.write(conn, &mut st, rows, &mut summary, indexes.as_mut())?;
                    }
                }
                Ok(())
            })?;
        }
        if let Some(scorer) = scorer.filter(|_| first_seq == 0) {
            // Every lead of the team was scored just now: the first timer run need not rescore them all.
            crate::scoring::facts::mark_refreshed(conn, ctx.team_id.as_str(), ctx.user_id.as_str(), now, scorer)?;
        }
        tracing::debug!(elapsed = ?t0.elapsed(), "demo: rows");
        lift.restore_with(conn, indexes)?;
        tracing::debug!(elapsed = ?t0.elapsed(), "demo: indexes");
        // Customers have the record their win made, as they would have had it been recorded live; churned
        // ones left halfway between the win and now, for one of the usual reasons.
        crate::automation::clients::record_past_wins(conn, ctx.team_id.as_str(), crate::domain::Timestamp(now))?;
        conn.execute(
            "UPDATE client_profiles SET status = 'churned', churned_at = won_at + (?2 - won_at) / 2,
               churn_reason = (SELECT CASE l.seq % 4 WHEN 0 THEN 'budget cut' WHEN 1 THEN 'moved to a competitor'
                               WHEN 2 THEN 'no longer needed' ELSE 'champion left' END
                               FROM leads l WHERE l.id = client_profiles.lead_id)
             WHERE team_id = ?1 AND deleted_at IS NULL AND churned_at IS NULL
               AND lead_id IN (SELECT id FROM leads WHERE team_id = ?1 AND lifecycle = 'churned')",
            rusqlite::params![ctx.team_id.as_str(), now],
        )?;
        Ok(())
    })();
    // Whatever happens, the connection's settings are put back below.
    let outcome = result.and_then(|()| {
        let committed = conn.execute_batch("COMMIT");
        // Before anything else runs on every attached database (ANALYZE would write to the scratch one).
        bulk::IndexBuild::detach(conn);
        committed?;
        tracing::debug!(elapsed = ?t0.elapsed(), "demo: commit");
        // Planner statistics from a sample: enough for the planner, seconds cheaper than a full scan.
        conn.execute_batch("PRAGMA analysis_limit = 1000; ANALYZE;")?;
        tracing::debug!(elapsed = ?t0.elapsed(), "demo: analyze");
        Ok(summary)
    });
    if outcome.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    bulk::IndexBuild::detach(conn);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "cache_size", -64_000)?;
    outcome
}

/// Leads handed from the making thread to the writing one at a time.
const BATCH: usize = 256;

/// Refuses absurd sizes before any work starts.
pub fn check_count(count: usize) -> Result<()> {
    if count == 0 || count > 5_000_000 {
        return Err(StoreError::Invalid(crate::domain::ValidationError::new(
            "leads",
            count.to_string(),
            "must be between 1 and 5000000",
        )));
    }
    Ok(())
}
