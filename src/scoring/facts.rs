//! Loading the facts the rules read — for one lead, or for every lead in one set-based pass —
//! and writing back the score, health and priority they give.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Row, params};

use super::Scorer;
use super::rules::{Fact, LeadFacts, TextField};
use crate::domain::task::is_overdue;
use crate::domain::{LeadId, Stages, Timestamp, time::DAY_MS};
use crate::store::{Db, Result};

const LEAD_COLS: &str = "l.seq, l.id, l.source, l.industry, l.company_size, l.title, l.product_interest, l.lifecycle,
    l.tags, l.do_not_contact, l.last_contacted_at, l.created_at, s.score, s.health, s.priority";
/// Leads with their stored scores (every lead has a `lead_scores` row).
const LEADS_SCORED: &str = "leads l JOIN lead_scores s ON s.seq = l.seq";

/// Per-lead counts over outreach: 10 kind × direction columns, cited metric, 3 reply types.
fn outreach_agg() -> String {
    let mut cols = Vec::new();
    for k in 1..=5 {
        for d in ["outbound", "inbound"] {
            cols.push(format!("count(*) FILTER (WHERE kind = {k} AND direction = '{d}')"));
        }
    }
    cols.push("count(*) FILTER (WHERE cited_metric <> 0)".into());
    for r in ["positive", "negative", "info"] {
        cols.push(format!("count(*) FILTER (WHERE reply_type = '{r}')"));
    }
    cols.join(", ")
}

const MEETING_AGG: &str = "count(*) FILTER (WHERE attended = 1), count(*) FILTER (WHERE attended = 0),
    count(*) FILTER (WHERE attended IS NULL)";
/// Overdue as `domain::task::is_overdue` says: due now or before.
const TASK_AGG: &str = "count(*), count(*) FILTER (WHERE ifnull(snoozed_until, due_at) <= ?2)";
const OUTREACH_N: usize = 14;

/// `max(pipeline index)` over open deals: the stage order comes from the config.
fn deal_agg(stages: &Stages) -> String {
    let cases: String =
        stages.names().iter().enumerate().map(|(i, n)| format!(" WHEN '{}' THEN {i}", n.replace('\'', "''"))).collect();
    format!(
        "count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'won'),
         count(*) FILTER (WHERE status = 'lost'), max(CASE WHEN status = 'open' THEN CASE stage{cases} END END)"
    )
}

/// The SQL that loads one lead's facts (?1 = id, ?2 = now).
#[derive(Debug, Clone, PartialEq)]
pub struct FactsSql {
    one: String,
}

impl FactsSql {
    pub fn new(stages: &Stages) -> Self {
        let o = outreach_agg();
        let d = deal_agg(stages);
        let one = format!(
            "SELECT {LEAD_COLS}, o.*, m.*, d.*, t.* FROM {LEADS_SCORED},
             (SELECT {o} FROM outreach WHERE lead_id = ?1 AND deleted_at IS NULL) o,
             (SELECT {MEETING_AGG} FROM meetings WHERE lead_id = ?1 AND deleted_at IS NULL) m,
             (SELECT {d} FROM deals WHERE lead_id = ?1 AND deleted_at IS NULL) d,
             (SELECT {TASK_AGG} FROM tasks WHERE lead_id = ?1 AND deleted_at IS NULL AND done_at IS NULL) t
             WHERE l.id = ?1 AND l.deleted_at IS NULL"
        );
        Self { one }
    }
}

/// The lead's own columns (the first 15 of both queries).
fn lead_part(r: &Row<'_>) -> rusqlite::Result<LeadFacts> {
    let tags: String = r.get(8)?;
    Ok(LeadFacts {
        seq: r.get(0)?,
        id: r.get(1)?,
        source: r.get(2)?,
        industry: r.get(3)?,
        company_size: r.get(4)?,
        title: r.get(5)?,
        product_interest: r.get(6)?,
        lifecycle: r.get(7)?,
        tags: tags.split(' ').filter(|t| !t.is_empty()).map(|t| t.replace('\u{1f}', " ")).collect(),
        do_not_contact: r.get(9)?,
        last_contacted_at: r.get::<_, Option<i64>>(10)?.map(Timestamp),
        created_at: r.get(11)?,
        stored: (r.get(12)?, r.get(13)?, r.get(14)?),
        ..Default::default()
    })
}

/// `lead_part` into an existing struct, reusing its text buffers: a scan of a million leads
/// then allocates almost nothing. Counters are reset for the aggregates to fill.
fn read_lead_into(r: &Row<'_>, f: &mut LeadFacts) -> rusqlite::Result<()> {
    fn text(r: &Row<'_>, i: usize, dst: &mut Option<String>) -> rusqlite::Result<()> {
        match r.get_ref(i)?.as_str_or_null().map_err(rusqlite::Error::from)? {
            None => *dst = None,
            Some(t) => {
                let s = dst.get_or_insert_with(String::new);
                s.clear();
                s.push_str(t);
            }
        }
        Ok(())
    }
    let mut id = Some(std::mem::take(&mut f.id));
    text(r, 1, &mut id)?;
    f.id = id.unwrap_or_default();
    f.seq = r.get(0)?;
    text(r, 2, &mut f.source)?;
    text(r, 3, &mut f.industry)?;
    text(r, 4, &mut f.company_size)?;
    text(r, 5, &mut f.title)?;
    text(r, 6, &mut f.product_interest)?;
    let mut lifecycle = Some(std::mem::take(&mut f.lifecycle));
    text(r, 7, &mut lifecycle)?;
    f.lifecycle = lifecycle.unwrap_or_default();
    f.tags.clear();
    let tags = r.get_ref(8)?.as_str().map_err(rusqlite::Error::from)?;
    f.tags.extend(tags.split(' ').filter(|t| !t.is_empty()).map(|t| t.replace('\u{1f}', " ")));
    f.do_not_contact = r.get(9)?;
    f.last_contacted_at = r.get::<_, Option<i64>>(10)?.map(Timestamp);
    f.created_at = r.get(11)?;
    f.stored = (r.get(12)?, r.get(13)?, r.get(14)?);
    fill_outreach(f, &[0; OUTREACH_N]);
    fill_meetings(f, &[0; 3]);
    fill_deals(f, &[0, 0, 0, -1]);
    fill_tasks(f, &[0; 2]);
    Ok(())
}

fn fill_all(f: &mut LeadFacts, v: &Agg) {
    let part = |at: usize| &v[at..];
    fill_outreach(f, part(0)[..OUTREACH_N].try_into().unwrap_or(&[0; OUTREACH_N]));
    fill_meetings(f, part(MEETINGS_AT)[..3].try_into().unwrap_or(&[0; 3]));
    fill_deals(f, part(DEALS_AT)[..4].try_into().unwrap_or(&[0, 0, 0, -1]));
    fill_tasks(f, part(TASKS_AT)[..2].try_into().unwrap_or(&[0; 2]));
}

fn fill_outreach(f: &mut LeadFacts, v: &[i64; OUTREACH_N]) {
    for k in 0..5 {
        f.outreach[k] = [v[2 * k], v[2 * k + 1]];
    }
    f.cited_metric = v[10];
    f.replies = [v[11], v[12], v[13]];
}

fn fill_meetings(f: &mut LeadFacts, v: &[i64; 3]) {
    [f.meetings_attended, f.meetings_no_show, f.meetings_scheduled] = *v;
}

/// Deals: open, won, lost, and the pipeline index of the most advanced open one (-1: none).
fn fill_deals(f: &mut LeadFacts, v: &[i64; 4]) {
    [f.deals_open, f.deals_won, f.deals_lost] = [v[0], v[1], v[2]];
    f.open_stage = (v[3] >= 0).then_some(v[3] as usize);
}

fn fill_tasks(f: &mut LeadFacts, v: &[i64; 2]) {
    [f.tasks_open, f.tasks_overdue] = *v;
}

/// Reads a row of the one-lead query.
fn from_row(r: &Row<'_>) -> rusqlite::Result<LeadFacts> {
    let mut f = lead_part(r)?;
    let n = |i: usize| -> rusqlite::Result<i64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(-1)) };
    let mut o = [0; OUTREACH_N];
    for (i, slot) in o.iter_mut().enumerate() {
        *slot = n(15 + i)?;
    }
    fill_outreach(&mut f, &o);
    let at = 15 + OUTREACH_N;
    fill_meetings(&mut f, &[n(at)?, n(at + 1)?, n(at + 2)?]);
    fill_deals(&mut f, &[n(at + 3)?, n(at + 4)?, n(at + 5)?, n(at + 6)?]);
    fill_tasks(&mut f, &[n(at + 7)?, n(at + 8)?]);
    Ok(f)
}

/// The facts of one lead (None if it does not exist or was removed).
pub fn load_facts(db: &Db<'_>, sql: &FactsSql, lead: &LeadId) -> Result<Option<LeadFacts>> {
    Ok(db.conn.prepare_cached(&sql.one)?.query_row(params![lead.as_str(), db.now.0], from_row).optional()?)
}

/// Only the lead's own columns (counts left at zero): enough for conditions that read nothing else.
pub fn load_lead_facts(db: &Db<'_>, lead: &LeadId) -> Result<Option<LeadFacts>> {
    let sql = format!("SELECT {LEAD_COLS} FROM {LEADS_SCORED} WHERE l.id = ?1 AND l.deleted_at IS NULL");
    Ok(db.conn.prepare_cached(&sql)?.query_row(params![lead.as_str()], lead_part).optional()?)
}

/// (score, health, priority).
pub type Scores = (i64, Option<i64>, i64);

fn store_scores(db: &Db<'_>, seq: i64, (score, health, priority): Scores) -> Result<()> {
    db.conn
        .prepare_cached("UPDATE lead_scores SET score = ?2, health = ?3, priority = ?4 WHERE seq = ?1")?
        .execute(params![seq, score, health, priority])?;
    Ok(())
}

/// Rescores one lead and stores the result if it changed; returns the new (score, health, priority).
pub fn rescore_lead(db: &Db<'_>, scorer: &Scorer, sql: &FactsSql, lead: &LeadId) -> Result<Option<Scores>> {
    Ok(rescore(db, scorer, sql, lead)?.map(|(scores, _)| scores))
}

/// `rescore_lead`, also saying whether the scores changed.
fn rescore(db: &Db<'_>, scorer: &Scorer, sql: &FactsSql, lead: &LeadId) -> Result<Option<(Scores, bool)>> {
    let Some(f) = load_facts(db, sql, lead)? else { return Ok(None) };
    let result = scorer.evaluate(&f, db.now);
    let changed = result != f.stored;
    if changed {
        store_scores(db, f.seq, result)?;
    }
    Ok(Some((result, changed)))
}

/// A lead's stored (score, health, priority): what the lists show.
pub fn stored_scores(db: &Db<'_>, lead: &LeadId) -> Result<Option<Scores>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT s.score, s.health, s.priority FROM lead_scores s JOIN leads l ON l.seq = s.seq WHERE l.id = ?1",
        )?
        .query_row([lead.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// What a recompute did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recomputed {
    pub leads: usize,
    pub changed: usize,
    /// Nothing was refreshed: the scores follow other rules, changed later (`ScoredUnder::Newer`).
    pub rules_elsewhere: bool,
}

/// Everything counted per lead, in one array: outreach (14), meetings (3), deals (4), tasks (2).
const AGG_N: usize = OUTREACH_N + 3 + 4 + 2;
const MEETINGS_AT: usize = OUTREACH_N;
const DEALS_AT: usize = MEETINGS_AT + 3;
const TASKS_AT: usize = DEALS_AT + 4;

type Agg = [i64; AGG_N];

fn zero_agg() -> Agg {
    let mut v = [0; AGG_N];
    v[DEALS_AT + 3] = -1;
    v
}

/// One row of a table a lead's counts come from, as it adds to them.
#[derive(Clone, Copy)]
enum Counted {
    Outreach {
        kind: i64,
        inbound: bool,
        reply: u8,
        cited: bool,
    },
    Meeting(Option<bool>),
    /// Open with the pipeline index of its stage (if the stage is one of the pipeline's), won or lost.
    Deal {
        open: Option<Option<usize>>,
        won: bool,
    },
    Task {
        overdue: bool,
    },
}

impl Counted {
    fn add_to(self, v: &mut Agg) {
        match self {
            Counted::Outreach { kind, inbound, reply, cited } => {
                if (1..=5).contains(&kind) {
                    v[2 * (kind as usize - 1) + usize::from(inbound)] += 1;
                }
                if (1..=3).contains(&reply) {
                    v[10 + reply as usize] += 1;
                }
                v[10] += i64::from(cited);
            }
            Counted::Meeting(Some(true)) => v[MEETINGS_AT] += 1,
            Counted::Meeting(Some(false)) => v[MEETINGS_AT + 1] += 1,
            Counted::Meeting(None) => v[MEETINGS_AT + 2] += 1,
            Counted::Deal { open: Some(stage), .. } => {
                v[DEALS_AT] += 1;
                if let Some(i) = stage {
                    v[DEALS_AT + 3] = v[DEALS_AT + 3].max(i as i64);
                }
            }
            Counted::Deal { won: true, .. } => v[DEALS_AT + 1] += 1,
            Counted::Deal { .. } => v[DEALS_AT + 2] += 1,
            Counted::Task { overdue } => {
                v[TASKS_AT] += 1;
                v[TASKS_AT + 1] += i64::from(overdue);
            }
        }
    }
}

type Decode<'a> = Box<dyn Fn(&Row<'_>) -> rusqlite::Result<Counted> + 'a>;

/// A table's rows by lead, in the order of the scan of the leads (the leads are read in row order and the
/// table looked up through its index by lead), so they meet that scan one lead at a time: no map of every
/// lead's counts is held, and a million leads with a deal each take no more memory than a thousand.
struct ByLead<'s> {
    rows: rusqlite::Rows<'s>,
    decode: Decode<'s>,
    /// The row read and not yet counted: its lead's row number, and what it adds.
    ahead: Option<(i64, Counted)>,
    done: bool,
}

impl<'s> ByLead<'s> {
    fn new(stmt: &'s mut rusqlite::Statement<'_>, team: &str, decode: Decode<'s>) -> Result<Self> {
        Ok(ByLead { rows: stmt.query(params![team])?, decode, ahead: None, done: false })
    }

    /// Adds the rows of the lead numbered `seq` to `v`, leaving the next lead's first row read ahead.
    fn add_to(&mut self, seq: i64, v: &mut Agg) -> rusqlite::Result<()> {
        loop {
            if self.ahead.is_none() && !self.done {
                match self.rows.next()? {
                    Some(r) => self.ahead = Some((r.get(0)?, (self.decode)(r)?)),
                    None => self.done = true,
                }
            }
            match self.ahead {
                Some((s, c)) if s <= seq => {
                    // A row of a lead the scan did not stop at (none, as both read the same leads) is passed.
                    if s == seq {
                        c.add_to(v);
                    }
                    self.ahead = None;
                }
                _ => return Ok(()),
            }
        }
    }
}

/// The leads of the team a scan reads, in row order, each joined (`CROSS JOIN`: the leads stay the outer
/// loop) to a table's rows through the index named: so the rows come in the leads' order, with no sort.
fn by_lead_sql(cols: &str, table: &str, index: &str, filter: &str) -> String {
    format!(
        "SELECT l.seq, {cols} FROM leads l NOT INDEXED CROSS JOIN {table} x INDEXED BY {index} ON x.lead_id = l.id
         WHERE l.team_id = ?1 AND l.deleted_at IS NULL AND x.deleted_at IS NULL{filter} ORDER BY l.seq"
    )
}

/// `LEAD_COLS` with the columns no rule reads replaced by constants, so a scan does not decode them.
fn needed_lead_cols(scorer: &Scorer) -> String {
    let text = |f: TextField| scorer.uses(Fact::Text(f));
    let profile = !scorer.profile.industries.is_empty() || !scorer.profile.company_sizes.is_empty();
    let pick = |used: bool, col: &str, blank: &str| if used { col.to_string() } else { blank.to_string() };
    [
        "l.seq, l.id".to_string(),
        pick(text(TextField::Source), "l.source", "NULL"),
        pick(profile || text(TextField::Industry), "l.industry", "NULL"),
        pick(profile || text(TextField::CompanySize), "l.company_size", "NULL"),
        pick(text(TextField::Title), "l.title", "NULL"),
        pick(text(TextField::ProductInterest), "l.product_interest", "NULL"),
        "l.lifecycle".to_string(),
        pick(scorer.uses(Fact::Tags), "l.tags", "''"),
        "l.do_not_contact, l.last_contacted_at, l.created_at, s.score, s.health, s.priority".to_string(),
    ]
    .join(", ")
}

/// Rescores every lead of the team in one scan of the leads in row order, each table's counts met lead by
/// lead as they are read (`ByLead`); only the changed rows are written.
/// Run it inside `Store::write` so it is one transaction.
/// It keeps the connection's own page cache and plain reads: with scores in their narrow table, a larger
/// cache or memory-mapped reads made it slower and added hundreds of MB of resident memory.
pub fn recompute(db: &Db<'_>, scorer: &Scorer) -> Result<Recomputed> {
    recompute_writing_every(db, scorer, WRITE_BATCH)
}

/// `recompute`, writing the changed scores every `batch` of them.
fn recompute_writing_every(db: &Db<'_>, scorer: &Scorer, batch: usize) -> Result<Recomputed> {
    let (now, t0) = (db.now.0, std::time::Instant::now());
    let team = db.ctx.team_id.as_str();
    let text = |r: &Row<'_>, i: usize| -> rusqlite::Result<Vec<u8>> {
        Ok(r.get_ref(i)?.as_bytes_or_null().map_err(rusqlite::Error::from)?.unwrap_or_default().to_vec())
    };
    let mut outreach = db.conn.prepare(&by_lead_sql(
        "x.direction = 'inbound', x.kind, x.reply_type, x.cited_metric",
        "outreach",
        "outreach_facts",
        "",
    ))?;
    let mut meetings = db.conn.prepare(&by_lead_sql("x.attended", "meetings", "meetings_by_lead", ""))?;
    let mut deals = db.conn.prepare(&by_lead_sql("x.status, x.stage", "deals", "deals_by_lead", ""))?;
    let mut tasks = db.conn.prepare(&by_lead_sql(
        "ifnull(x.snoozed_until, x.due_at)",
        "tasks",
        "tasks_by_lead",
        " AND x.done_at IS NULL",
    ))?;
    let mut streams = [
        ByLead::new(
            &mut outreach,
            team,
            Box::new(|r| {
                let reply = match text(r, 3)?.as_slice() {
                    b"positive" => 1,
                    b"negative" => 2,
                    b"info" => 3,
                    _ => 0,
                };
                Ok(Counted::Outreach { inbound: r.get(1)?, kind: r.get(2)?, reply, cited: r.get::<_, i64>(4)? != 0 })
            }),
        )?,
        ByLead::new(&mut meetings, team, Box::new(|r| Ok(Counted::Meeting(r.get(1)?))))?,
        ByLead::new(
            &mut deals,
            team,
            Box::new(|r| {
                let status = text(r, 1)?;
                let open = (status == b"open")
                    .then(|| r.get_ref(2).ok().and_then(|s| s.as_str().ok()).and_then(|s| scorer.stages.index(s)));
                Ok(Counted::Deal { open, won: status == b"won" })
            }),
        )?,
        ByLead::new(
            &mut tasks,
            team,
            Box::new(|r| Ok(Counted::Task { overdue: is_overdue(Timestamp(r.get(1)?), Timestamp(now)) })),
        )?,
    ];
    let mut changes: Vec<(i64, Scores)> = Vec::new();
    let mut changed = 0;
    let mut leads = 0;
    {
        // A scan in row order: through any index (even a partial one) each row would be a B-tree lookup.
        let cols = needed_lead_cols(scorer);
        let mut stmt = db.conn.prepare(&format!(
            "SELECT {cols} FROM leads l NOT INDEXED CROSS JOIN lead_scores s ON s.seq = l.seq
             WHERE l.team_id = ?1 AND l.deleted_at IS NULL ORDER BY l.seq"
        ))?;
        let mut rows = stmt.query(params![team])?;
        let mut f = LeadFacts::default();
        while let Some(row) = rows.next()? {
            read_lead_into(row, &mut f)?;
            let mut v = zero_agg();
            for s in streams.iter_mut() {
                s.add_to(f.seq, &mut v)?;
            }
            fill_all(&mut f, &v);
            leads += 1;
            let result = scorer.evaluate(&f, db.now);
            if result != f.stored {
                changes.push((f.seq, result));
            }
            // Written a batch at a time, for leads the scan has passed (it never meets its own updates).
            if changes.len() >= batch {
                write_all(db, &changes)?;
                changed += changes.len();
                changes.clear();
            }
        }
    }
    tracing::debug!(elapsed = ?t0.elapsed(), "recompute: scan");
    write_all(db, &changes)?;
    changed += changes.len();
    tracing::debug!(elapsed = ?t0.elapsed(), "recompute: write");
    // Every lead is scored as of now, the time-based terms too, under these rules.
    mark_refreshed(db.conn, db.ctx.team_id.as_str(), db.ctx.user_id.as_str(), now, scorer)?;
    Ok(Recomputed { leads, changed, rules_elsewhere: false })
}

/// Writes the changed scores, in row order (after the scan, so it never sees its own updates). The score
/// table is narrow, so its two indexes are cheaper to keep up row by row than to drop and rebuild, even when
/// most leads change.
fn write_all(db: &Db<'_>, changes: &[(i64, Scores)]) -> Result<()> {
    for (seq, result) in changes {
        store_scores(db, *seq, *result)?;
    }
    Ok(())
}

/// Changed scores a recompute holds before writing them.
const WRITE_BATCH: usize = 20_000;

const REFRESHED_KEY: &str = "scores_refreshed_at";

/// Past this many leads to rescore, a refresh recomputes every lead in one scan instead (a rule counting
/// days, refreshed after most of a day, finds most leads of a large team). On a million demo leads a day's
/// refresh finds 66,000 and rescores them in 1.7 s and 90 MB; the whole scan takes 4.7-5.0 s and 77 MB, as
/// long as about 150,000 one by one.
const RESCORE_ONE_BY_ONE: usize = 120_000;

/// Rescores the leads whose time-based terms ("active in the last 7 days", overdue tasks) may have
/// changed since the last refresh, found through indexes; the first refresh rescores everyone, and so
/// does one that finds too many leads to rescore one by one. Returns how many were looked at and changed.
pub fn refresh_time_based(db: &Db<'_>, scorer: &Scorer) -> Result<Recomputed> {
    let team = db.ctx.team_id.as_str();
    let last = refreshed_at(db)?.map(|t| t.0);
    let now = db.now.0;
    let under = scored_under(db, scorer)?;
    let done = match last {
        None => recompute(db, scorer)?,
        // Rules that changed later stand (see `ScoredUnder::Newer`); this member's are kept for next time.
        Some(_) if under == ScoredUnder::Newer => {
            remember_member_rules(db.conn, team, db.ctx.user_id.as_str(), scorer)?;
            return Ok(Recomputed { rules_elsewhere: true, ..Default::default() });
        }
        // Scores stored under other rules (the config changed since): every lead is scored again.
        Some(_) if under != ScoredUnder::These => recompute(db, scorer)?,
        // A day or more: every lead's day counts moved.
        Some(last) if scorer.per_time_based() && (now - last).abs() >= DAY_MS => recompute(db, scorer)?,
        Some(last) => {
            let (lo, hi) = (last.min(now), last.max(now));
            let mut ids: BTreeSet<String> = BTreeSet::new();
            if lo < hi {
                let mut by_contact = db.conn.prepare_cached(
                    "SELECT id FROM leads INDEXED BY leads_by_contact WHERE team_id = ?1 AND deleted_at IS NULL
                     AND ifnull(last_contacted_at, 0) > ?2 AND ifnull(last_contacted_at, 0) <= ?3",
                )?;
                // Leads never contacted are silent since they were added (`Condition::holds`).
                let mut never_contacted = db.conn.prepare_cached(
                    "SELECT id FROM leads INDEXED BY leads_by_created WHERE team_id = ?1 AND deleted_at IS NULL
                     AND created_at > ?2 AND created_at <= ?3 AND last_contacted_at IS NULL",
                )?;
                let silence_days = scorer.contact_thresholds();
                let mut contact_days = silence_days.clone();
                contact_days.extend(per_day_counts(db, scorer, Fact::DaysSinceContact)?);
                for days in contact_days {
                    let (a, b) = (lo - days * DAY_MS, hi - days * DAY_MS);
                    for id in by_contact.query_map(params![team, a.max(0), b], |r| r.get::<_, String>(0))? {
                        ids.insert(id?);
                    }
                }
                for days in silence_days {
                    let (a, b) = (lo - days * DAY_MS, hi - days * DAY_MS);
                    for id in never_contacted.query_map(params![team, a, b], |r| r.get::<_, String>(0))? {
                        ids.insert(id?);
                    }
                }
                if scorer.uses(Fact::TasksOverdue) {
                    // Health rules only score customers: other leads' overdue tasks change nothing there.
                    let customers_only = !scorer.rules.iter().any(|r| r.uses(Fact::TasksOverdue));
                    let mut due = db.conn.prepare_cached(
                        "SELECT DISTINCT t.lead_id FROM tasks t JOIN leads l ON l.id = t.lead_id
                         WHERE t.team_id = ?1 AND t.done_at IS NULL AND t.deleted_at IS NULL
                         AND ifnull(t.snoozed_until, t.due_at) >= ?2 AND ifnull(t.snoozed_until, t.due_at) <= ?3
                         AND (NOT ?4 OR l.lifecycle = 'customer')",
                    )?;
                    for id in due.query_map(params![team, lo, hi, customers_only], |r| r.get::<_, String>(0))? {
                        ids.insert(id?);
                    }
                }
                if scorer.uses(Fact::DaysSinceCreated) {
                    let per_days = per_day_counts(db, scorer, Fact::DaysSinceCreated)?;
                    // Any day count can matter: rescore leads whose creation day boundary passed.
                    let mut created = db.conn.prepare_cached(
                        "SELECT id FROM leads INDEXED BY leads_by_created WHERE team_id = ?1 AND deleted_at IS NULL
                         AND created_at > ?2 AND created_at <= ?3",
                    )?;
                    let thresholds: BTreeSet<i64> = scorer
                        .all_rules()
                        .flat_map(|r| r.conditions.iter())
                        .filter(|c| c.fact == Fact::DaysSinceCreated)
                        .filter_map(|c| match &c.test {
                            Some((_, super::rules::Operand::Num(n))) => Some(*n),
                            _ => None,
                        })
                        .flat_map(|n| [n, n + 1])
                        .chain(per_days)
                        .collect();
                    for days in thresholds {
                        let (a, b) = (lo - days * DAY_MS, hi - days * DAY_MS);
                        for id in created.query_map(params![team, a, b], |r| r.get::<_, String>(0))? {
                            ids.insert(id?);
                        }
                    }
                }
            }
            tracing::debug!(leads = ids.len(), "refresh: leads whose time-based terms may have moved");
            if ids.len() > RESCORE_ONE_BY_ONE {
                // One scan of every lead is quicker than that many look-ups.
                let done = recompute(db, scorer)?;
                mark_refreshed(db.conn, team, db.ctx.user_id.as_str(), now, scorer)?;
                return Ok(done);
            }
            let sql = FactsSql::new(&scorer.stages);
            let mut changed = 0;
            for id in &ids {
                if let Some((_, true)) = rescore(db, scorer, &sql, &LeadId(id.clone()))? {
                    changed += 1;
                }
            }
            Recomputed { leads: ids.len(), changed, rules_elsewhere: false }
        }
    };
    mark_refreshed(db.conn, team, db.ctx.user_id.as_str(), now, scorer)?;
    Ok(done)
}

/// The day counts at which a rule multiplied by `fact` (days since contact or creation) changes a lead's
/// points: every day up to where the rules' caps stop them, and no further than the oldest lead's count.
/// Less than a day after the last refresh, the leads crossing one of these are the only ones whose points
/// moved.
fn per_day_counts(db: &Db<'_>, scorer: &Scorer, fact: Fact) -> Result<Vec<i64>> {
    let Some(cap) = scorer.per_day_horizon(fact) else { return Ok(Vec::new()) };
    let oldest = match fact {
        Fact::DaysSinceContact => {
            "SELECT ifnull(last_contacted_at, 0) FROM leads INDEXED BY leads_by_contact
             WHERE team_id = ?1 AND deleted_at IS NULL AND ifnull(last_contacted_at, 0) > 0
             ORDER BY ifnull(last_contacted_at, 0) LIMIT 1"
        }
        _ => {
            "SELECT created_at FROM leads INDEXED BY leads_by_created WHERE team_id = ?1 AND deleted_at IS NULL
             ORDER BY created_at LIMIT 1"
        }
    };
    let oldest: Option<i64> =
        db.conn.prepare_cached(oldest)?.query_row([db.ctx.team_id.as_str()], |r| r.get(0)).optional()?;
    let Some(oldest) = oldest else { return Ok(Vec::new()) };
    let oldest_days = (db.now.0 - oldest).max(0) / DAY_MS;
    let horizon = cap.map_or(oldest_days, |c| c.min(oldest_days));
    Ok((1..=horizon + 1).collect())
}

/// When every lead of the team was last scored as of the clock (None: never).
pub fn refreshed_at(db: &Db<'_>) -> Result<Option<Timestamp>> {
    Ok(db
        .conn
        .prepare_cached("SELECT value FROM automation_state WHERE team_id = ?1 AND key = ?2")?
        .query_row(params![db.ctx.team_id.as_str(), REFRESHED_KEY], |r| r.get(0))
        .optional()?
        .map(Timestamp))
}

/// Records that every lead of the team was scored as of `at` (the time-based terms included), by `user`'s
/// leadline under `scorer`'s rules (and, when they are new to the database, since when that member scores
/// by them).
pub fn mark_refreshed(conn: &rusqlite::Connection, team: &str, user: &str, at: i64, scorer: &Scorer) -> Result<()> {
    set_state(conn, team, REFRESHED_KEY, at)?;
    let since = remember_member_rules(conn, team, user, scorer)?;
    if state(conn, team, RULES_KEY)? != Some(scorer.fingerprint()) {
        set_state(conn, team, RULES_KEY, scorer.fingerprint())?;
        set_state(conn, team, RULES_CHANGED_KEY, since)?;
    }
    Ok(())
}

fn state(conn: &rusqlite::Connection, team: &str, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT value FROM automation_state WHERE team_id = ?1 AND key = ?2")?
        .query_row(params![team, key], |r| r.get(0))
        .optional()?)
}

fn set_state(conn: &rusqlite::Connection, team: &str, key: &str, value: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (team_id, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![team, key, value])?;
    Ok(())
}

const RULES_KEY: &str = "scores_rules";
/// Since when (by the wall clock) the member whose rules the scores follow has scored by them
/// (`member_rules_since`). (Earlier versions kept, under other keys, when a leadline had read its config.)
const RULES_CHANGED_KEY: &str = "scores_rules_member_since";

/// Each member's rules, and since when they score by them: `<key>:<user id>`.
const MEMBER_RULES_KEY: &str = "scoring_rules_of";
const MEMBER_SINCE_KEY: &str = "scoring_rules_since";

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Since when this member's leadline scores by `scorer`'s rules: as recorded in the database when they are
/// the rules it recorded for the member, else from now (the member's `[scoring]` changed, or the defaults
/// with a new version). Read once per process and rules: a TUI keeps the time of the rules it started with,
/// so a config changed since (and scored by from the command line) is newer than the TUI's.
pub fn member_rules_since(conn: &rusqlite::Connection, team: &str, user: &str, scorer: &Scorer) -> Result<i64> {
    type Seen = std::collections::HashMap<(String, String, i64), i64>;
    static SEEN: std::sync::OnceLock<std::sync::Mutex<Seen>> = std::sync::OnceLock::new();
    let key = (team.to_string(), user.to_string(), scorer.fingerprint());
    let seen = SEEN.get_or_init(Default::default);
    if let Some(since) = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(*since);
    }
    let recorded = state(conn, team, &format!("{MEMBER_RULES_KEY}:{user}"))?;
    let since = match state(conn, team, &format!("{MEMBER_SINCE_KEY}:{user}"))? {
        Some(since) if recorded == Some(scorer.fingerprint()) => since,
        _ => wall_clock_ms(),
    };
    Ok(*seen.lock().unwrap_or_else(|e| e.into_inner()).entry(key).or_insert(since))
}

/// Records this member's rules and since when (`member_rules_since`), where they changed; returns the since.
/// Called wherever their leadline stores scores: from its first write on, the member scores by them (a
/// colleague's rules changed later stand over them, not the other way round).
pub(crate) fn remember_member_rules(
    conn: &rusqlite::Connection,
    team: &str,
    user: &str,
    scorer: &Scorer,
) -> Result<i64> {
    let since = member_rules_since(conn, team, user, scorer)?;
    let rules_key = format!("{MEMBER_RULES_KEY}:{user}");
    let since_key = format!("{MEMBER_SINCE_KEY}:{user}");
    if state(conn, team, &rules_key)? != Some(scorer.fingerprint()) || state(conn, team, &since_key)? != Some(since) {
        set_state(conn, team, &rules_key, scorer.fingerprint())?;
        set_state(conn, team, &since_key, since)?;
    }
    Ok(since)
}

/// Under which rules the stored scores were computed, seen from `scorer`'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoredUnder {
    These,
    /// Scored before the rules were recorded (an older version): scored again, nothing to say.
    Unrecorded,
    /// Other rules, that their member scored by before this one began scoring by its own (the config
    /// changed since): scored again.
    Older,
    /// Other rules, that their member began scoring by after this leadline began scoring by its own: the
    /// rep's own, changed while a TUI was left open, or a colleague's changed since. They stand, and every
    /// leadline reads the same scores; this one scores by its own rules only the leads it writes.
    Newer,
}

/// What a leadline whose rules are not the ones that stand says (`ScoredUnder::Newer`).
pub const RULES_ELSEWHERE: &str = "the scores follow other scoring rules ([scoring], [pipeline]), changed after \
    the ones this leadline scores by: a colleague's, or this config's own changed while a leadline was open; the \
    leads written here are scored by this one's";

pub fn scored_under(db: &Db<'_>, scorer: &Scorer) -> Result<ScoredUnder> {
    let team = db.ctx.team_id.as_str();
    let own = scorer.fingerprint();
    Ok(match state(db.conn, team, RULES_KEY)? {
        Some(f) if f == own => ScoredUnder::These,
        None => ScoredUnder::Unrecorded,
        Some(stored) => {
            let since = member_rules_since(db.conn, team, db.ctx.user_id.as_str(), scorer)?;
            // Two sets of rules taken up in the same millisecond: the one with the larger number stands.
            match state(db.conn, team, RULES_CHANGED_KEY)? {
                Some(changed) if (changed, stored) > (since, own) => ScoredUnder::Newer,
                _ => ScoredUnder::Older,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::Clock;

    /// Scores written a few at a time in the middle of the scan are the scores of every lead, as one lead
    /// at a time gives them: the scan never meets its own writes.
    #[test]
    fn a_recompute_writing_as_it_goes_scores_every_lead_as_one_by_one() {
        let config = Config::defaults();
        let dir = tempfile::tempdir().unwrap();
        let mut store =
            crate::engine::open(&dir.path().join("d.db"), &config, Clock::Fixed(Timestamp(1_790_000_000_000))).unwrap();
        crate::demo::generate(&mut store, 300, 5).unwrap();
        let (scorer, _) = crate::engine::rules(&config).unwrap();
        store.conn().execute("UPDATE lead_scores SET score = 0, health = NULL, priority = 0", []).unwrap();
        let done = store.write(|db| recompute_writing_every(db, &scorer, 7)).unwrap();
        assert_eq!(done.leads, 300);
        assert!(done.changed > 100, "{done:?}");
        let sql = FactsSql::new(&scorer.stages);
        let db = store.db();
        let ids: Vec<String> = db
            .conn
            .prepare("SELECT id FROM leads")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        for id in ids {
            let f = load_facts(&db, &sql, &LeadId(id)).unwrap().unwrap();
            assert_eq!(scorer.evaluate(&f, db.now), f.stored, "lead {}", f.id);
        }
    }
}
