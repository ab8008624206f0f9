//! Loading the facts the rules read — for one lead, or for every lead in one set-based pass —
//! and writing back the score, health and priority they give.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

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
    let v = v.map(i64::from);
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

/// Maps keyed by lead id. Ids are our own UUIDs, not attacker-chosen, so a fast multiplicative hash
/// (FxHash-style) replaces SipHash: hashing a million keys several times is much of a recompute.
type LeadMap<V> = HashMap<Box<str>, V, BuildHasherDefault<IdHasher>>;

#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Everything counted per lead, in one array: outreach (14), meetings (3), deals (4), tasks (2),
/// so the scan of the leads does one lookup per lead.
const AGG_N: usize = OUTREACH_N + 3 + 4 + 2;
const MEETINGS_AT: usize = OUTREACH_N;
const DEALS_AT: usize = MEETINGS_AT + 3;
const TASKS_AT: usize = DEALS_AT + 4;

/// One lead's tallies; counts fit 32 bits, and at a million leads the half saved is some 90 MB.
type Agg = [i32; AGG_N];

fn zero_agg() -> Agg {
    let mut v = [0; AGG_N];
    v[DEALS_AT + 3] = -1;
    v
}

/// Adds one table's per-lead tallies (column 0 is the lead id) into the shared map, row by row.
fn tally(
    db: &Db<'_>,
    out: &mut LeadMap<Agg>,
    sql: &str,
    mut add: impl FnMut(&Row<'_>, &mut Agg) -> rusqlite::Result<()>,
) -> Result<()> {
    let mut stmt = db.conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let lead = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let v = match out.get_mut(lead) {
            Some(v) => v,
            None => out.entry(lead.into()).or_insert_with(zero_agg),
        };
        add(r, v)?;
    }
    Ok(())
}

/// Outreach counts per lead, read straight off the covering index in lead order (no per-row filters in SQL).
fn outreach_counts(db: &Db<'_>) -> Result<LeadMap<Agg>> {
    let mut out: LeadMap<Agg> = LeadMap::default();
    let mut stmt = db.conn.prepare(
        "SELECT lead_id, direction, kind, reply_type, cited_metric FROM outreach INDEXED BY outreach_facts
         WHERE deleted_at IS NULL",
    )?;
    let mut rows = stmt.query([])?;
    let mut current: Option<(Box<str>, Agg)> = None;
    while let Some(r) = rows.next()? {
        let lead = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        if current.as_ref().is_none_or(|(id, _)| &**id != lead) {
            if let Some((id, v)) = current.take() {
                out.insert(id, v);
            }
            current = Some((lead.into(), zero_agg()));
        }
        let Some((_, v)) = current.as_mut() else { continue };
        let inbound = r.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)? == b"inbound";
        let kind: i64 = r.get(2)?;
        if (1..=5).contains(&kind) {
            v[2 * (kind as usize - 1) + usize::from(inbound)] += 1;
        }
        match r.get_ref(3)?.as_bytes().map_err(rusqlite::Error::from)? {
            b"positive" => v[11] += 1,
            b"negative" => v[12] += 1,
            b"info" => v[13] += 1,
            _ => {}
        }
        if r.get::<_, i64>(4)? != 0 {
            v[10] += 1;
        }
    }
    if let Some((id, v)) = current {
        out.insert(id, v);
    }
    Ok(out)
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

/// Rescores every lead of the team: each table is aggregated once (set-based, off covering indexes),
/// joined to one scan of the leads in memory, and only the changed rows are written.
/// Run it inside `Store::write` so it is one transaction.
/// It keeps the connection's own page cache and plain reads: with scores in their narrow table, a larger
/// cache or memory-mapped reads made it slower and added hundreds of MB of resident memory.
pub fn recompute(db: &Db<'_>, scorer: &Scorer) -> Result<Recomputed> {
    let (now, t0) = (db.now.0, std::time::Instant::now());
    let mut aggs = outreach_counts(db)?;
    tracing::debug!(elapsed = ?t0.elapsed(), "recompute: outreach");
    // The smaller tables are read in row order and tallied here: cheaper than grouping through an index.
    tally(db, &mut aggs, "SELECT lead_id, attended FROM meetings NOT INDEXED WHERE deleted_at IS NULL", |r, v| {
        match r.get::<_, Option<bool>>(1)? {
            Some(true) => v[MEETINGS_AT] += 1,
            Some(false) => v[MEETINGS_AT + 1] += 1,
            None => v[MEETINGS_AT + 2] += 1,
        }
        Ok(())
    })?;
    tally(db, &mut aggs, "SELECT lead_id, status, stage FROM deals NOT INDEXED WHERE deleted_at IS NULL", |r, v| {
        match r.get_ref(1)?.as_bytes().map_err(rusqlite::Error::from)? {
            b"open" => {
                v[DEALS_AT] += 1;
                let stage = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
                if let Some(i) = scorer.stages.index(stage) {
                    v[DEALS_AT + 3] = v[DEALS_AT + 3].max(i as i32);
                }
            }
            b"won" => v[DEALS_AT + 1] += 1,
            _ => v[DEALS_AT + 2] += 1,
        }
        Ok(())
    })?;
    tally(
        db,
        &mut aggs,
        "SELECT lead_id, ifnull(snoozed_until, due_at) FROM tasks NOT INDEXED
         WHERE deleted_at IS NULL AND done_at IS NULL AND lead_id IS NOT NULL",
        |r, v| {
            v[TASKS_AT] += 1;
            if is_overdue(Timestamp(r.get(1)?), Timestamp(now)) {
                v[TASKS_AT + 1] += 1;
            }
            Ok(())
        },
    )?;
    tracing::debug!(elapsed = ?t0.elapsed(), "recompute: aggs");
    let mut changes: Vec<(i64, Scores)> = Vec::new();
    let mut leads = 0;
    {
        // A scan in row order: through any index (even a partial one) each row would be a B-tree lookup.
        let cols = needed_lead_cols(scorer);
        let mut stmt = db.conn.prepare(&format!(
            "SELECT {cols} FROM leads l NOT INDEXED JOIN lead_scores s ON s.seq = l.seq
             WHERE l.team_id = ?1 AND l.deleted_at IS NULL"
        ))?;
        let mut rows = stmt.query(params![db.ctx.team_id.as_str()])?;
        let mut f = LeadFacts::default();
        while let Some(row) = rows.next()? {
            read_lead_into(row, &mut f)?;
            if let Some(v) = aggs.get(f.id.as_str()) {
                fill_all(&mut f, v);
            }
            leads += 1;
            let result = scorer.evaluate(&f, db.now);
            if result != f.stored {
                changes.push((f.seq, result));
            }
        }
    }
    tracing::debug!(elapsed = ?t0.elapsed(), "recompute: scan");
    write_all(db, &changes)?;
    tracing::debug!(elapsed = ?t0.elapsed(), "recompute: write");
    // Every lead is scored as of now, the time-based terms too, under these rules.
    mark_refreshed(db.conn, db.ctx.team_id.as_str(), db.ctx.user_id.as_str(), now, scorer)?;
    Ok(Recomputed { leads, changed: changes.len(), rules_elsewhere: false })
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

const REFRESHED_KEY: &str = "scores_refreshed_at";

/// Past this many leads to rescore, a refresh recomputes every lead in one scan instead (a rule counting
/// days, refreshed after most of a day, finds most leads of a large team). On a million demo leads a day's
/// refresh finds 66,000 and rescores them in 1.7 s and 90 MB; the whole scan takes 4.8 s and 470 MB, as
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
