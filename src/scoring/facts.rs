//! Loading the facts the rules read — for one lead, or for every lead in one set-based pass —
//! and writing back the score, health and priority they give.

use std::collections::BTreeSet;

use rusqlite::{OptionalExtension, Row, params};

use super::Scorer;
use super::rules::{Fact, LeadFacts};
use crate::domain::{LeadId, Stages, Timestamp, time::DAY_MS};
use crate::store::{Db, Result};

const LEAD_COLS: &str = "l.seq, l.id, l.source, l.industry, l.company_size, l.title, l.product_interest, l.lifecycle,
    l.tags, l.do_not_contact, l.last_contacted_at, l.created_at, l.score, l.health, l.priority";

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
const TASK_AGG: &str = "count(*), count(*) FILTER (WHERE ifnull(snoozed_until, due_at) < ?2)";
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

/// The SQL for one lead (?1 = id, ?2 = now) and for all leads of a team (?1 = team, ?2 = now).
#[derive(Debug, Clone, PartialEq)]
pub struct FactsSql {
    one: String,
    all: String,
}

impl FactsSql {
    pub fn new(stages: &Stages) -> Self {
        let o = outreach_agg();
        let d = deal_agg(stages);
        let one = format!(
            "SELECT {LEAD_COLS}, o.*, m.*, d.*, t.* FROM leads l,
             (SELECT {o} FROM outreach WHERE lead_id = ?1 AND deleted_at IS NULL) o,
             (SELECT {MEETING_AGG} FROM meetings WHERE lead_id = ?1 AND deleted_at IS NULL) m,
             (SELECT {d} FROM deals WHERE lead_id = ?1 AND deleted_at IS NULL) d,
             (SELECT {TASK_AGG} FROM tasks WHERE lead_id = ?1 AND deleted_at IS NULL AND done_at IS NULL) t
             WHERE l.id = ?1 AND l.deleted_at IS NULL"
        );
        // Set-based: each table is aggregated once, grouped by lead, then joined to the leads.
        let all = format!(
            "SELECT {LEAD_COLS}, o.*, m.*, d.*, t.* FROM leads l
             LEFT JOIN (SELECT {o}, lead_id FROM outreach INDEXED BY outreach_facts WHERE deleted_at IS NULL GROUP BY lead_id) o
                 ON o.lead_id = l.id
             LEFT JOIN (SELECT {MEETING_AGG}, lead_id FROM meetings WHERE deleted_at IS NULL GROUP BY lead_id) m
                 ON m.lead_id = l.id
             LEFT JOIN (SELECT {d}, lead_id FROM deals WHERE deleted_at IS NULL GROUP BY lead_id) d ON d.lead_id = l.id
             LEFT JOIN (SELECT {TASK_AGG}, lead_id FROM tasks WHERE deleted_at IS NULL AND done_at IS NULL
                        AND lead_id IS NOT NULL GROUP BY lead_id) t ON t.lead_id = l.id
             WHERE l.team_id = ?1 AND l.deleted_at IS NULL"
        );
        Self { one, all }
    }
}

/// Reads one row of either query. Aggregates of the batch query are NULL for leads with no rows.
fn from_row(r: &Row<'_>, batch: bool) -> rusqlite::Result<LeadFacts> {
    let n = |i: usize| -> rusqlite::Result<i64> { Ok(r.get::<_, Option<i64>>(i)?.unwrap_or(0)) };
    let tags: String = r.get(8)?;
    let mut f = LeadFacts {
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
    };
    let mut i = 15;
    for k in 0..5 {
        for d in 0..2 {
            f.outreach[k][d] = n(i)?;
            i += 1;
        }
    }
    f.cited_metric = n(i)?;
    f.replies = [n(i + 1)?, n(i + 2)?, n(i + 3)?];
    i += 4;
    if batch {
        i += 1; // lead_id of the outreach group
    }
    debug_assert_eq!(i, 15 + OUTREACH_N + usize::from(batch));
    f.meetings_attended = n(i)?;
    f.meetings_no_show = n(i + 1)?;
    f.meetings_scheduled = n(i + 2)?;
    i += 3 + usize::from(batch);
    f.deals_open = n(i)?;
    f.deals_won = n(i + 1)?;
    f.deals_lost = n(i + 2)?;
    f.open_stage = r.get::<_, Option<i64>>(i + 3)?.map(|s| s as usize);
    i += 4 + usize::from(batch);
    f.tasks_open = n(i)?;
    f.tasks_overdue = n(i + 1)?;
    Ok(f)
}

/// The facts of one lead (None if it does not exist or was removed).
pub fn load_facts(db: &Db<'_>, sql: &FactsSql, lead: &LeadId) -> Result<Option<LeadFacts>> {
    Ok(db
        .conn
        .prepare_cached(&sql.one)?
        .query_row(params![lead.as_str(), db.now.0], |r| from_row(r, false))
        .optional()?)
}

/// (score, health, priority).
pub type Scores = (i64, Option<i64>, i64);

fn store_scores(db: &Db<'_>, seq: i64, (score, health, priority): Scores) -> Result<()> {
    db.conn
        .prepare_cached("UPDATE leads SET score = ?2, health = ?3, priority = ?4 WHERE seq = ?1")?
        .execute(params![seq, score, health, priority])?;
    Ok(())
}

/// Rescores one lead and stores the result if it changed; returns the new (score, health, priority).
pub fn rescore_lead(
    db: &Db<'_>,
    scorer: &Scorer,
    sql: &FactsSql,
    lead: &LeadId,
) -> Result<Option<Scores>> {
    let Some(f) = load_facts(db, sql, lead)? else { return Ok(None) };
    let result = scorer.evaluate(&f, db.now);
    if result != f.stored {
        store_scores(db, f.seq, result)?;
    }
    Ok(Some(result))
}

/// What a recompute did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Recomputed {
    pub leads: usize,
    pub changed: usize,
}

/// Rescores every lead of the team: one set-based read, then only the changed rows are written.
/// Run it inside `Store::write` so it is one transaction.
pub fn recompute(db: &Db<'_>, scorer: &Scorer) -> Result<Recomputed> {
    let sql = FactsSql::new(&scorer.stages);
    let mut changes: Vec<(i64, Scores)> = Vec::new();
    let mut leads = 0;
    {
        let mut stmt = db.conn.prepare(&sql.all)?;
        let mut rows = stmt.query(params![db.ctx.team_id.as_str(), db.now.0])?;
        while let Some(row) = rows.next()? {
            let f = from_row(row, true)?;
            leads += 1;
            let result = scorer.evaluate(&f, db.now);
            if result != f.stored {
                changes.push((f.seq, result));
            }
        }
    }
    // Written after the read so the scan never sees its own updates.
    for (seq, result) in &changes {
        store_scores(db, *seq, *result)?;
    }
    Ok(Recomputed { leads, changed: changes.len() })
}

const REFRESHED_KEY: &str = "scores_refreshed_at";

/// Rescores the leads whose time-based terms ("active in the last 7 days", overdue tasks) may have
/// changed since the last refresh, found through indexes; the first refresh rescores everyone.
/// Returns how many leads were looked at.
pub fn refresh_time_based(db: &Db<'_>, scorer: &Scorer) -> Result<usize> {
    let team = db.ctx.team_id.as_str();
    let last: Option<i64> = db
        .conn
        .prepare_cached("SELECT value FROM automation_state WHERE team_id = ?1 AND key = ?2")?
        .query_row(params![team, REFRESHED_KEY], |r| r.get(0))
        .optional()?;
    let now = db.now.0;
    let looked = match last {
        None => recompute(db, scorer)?.leads,
        Some(_) if scorer.per_time_based() => recompute(db, scorer)?.leads,
        Some(last) => {
            let (lo, hi) = (last.min(now), last.max(now));
            let mut ids: BTreeSet<String> = BTreeSet::new();
            if lo < hi {
                let mut by_contact = db.conn.prepare_cached(
                    "SELECT id FROM leads WHERE team_id = ?1 AND deleted_at IS NULL
                     AND ifnull(last_contacted_at, 0) > ?2 AND ifnull(last_contacted_at, 0) <= ?3",
                )?;
                for days in scorer.contact_thresholds() {
                    let (a, b) = (lo - days * DAY_MS, hi - days * DAY_MS);
                    for id in by_contact.query_map(params![team, a.max(0), b], |r| r.get::<_, String>(0))? {
                        ids.insert(id?);
                    }
                }
                if scorer.uses(Fact::TasksOverdue) {
                    let mut due = db.conn.prepare_cached(
                        "SELECT DISTINCT lead_id FROM tasks WHERE team_id = ?1 AND done_at IS NULL AND deleted_at IS NULL
                         AND ifnull(snoozed_until, due_at) >= ?2 AND ifnull(snoozed_until, due_at) <= ?3
                         AND lead_id IS NOT NULL",
                    )?;
                    for id in due.query_map(params![team, lo, hi], |r| r.get::<_, String>(0))? {
                        ids.insert(id?);
                    }
                }
                if scorer.uses(Fact::DaysSinceCreated) {
                    // Any day count can matter: rescore leads whose creation day boundary passed.
                    let mut created = db.conn.prepare_cached(
                        "SELECT id FROM leads WHERE team_id = ?1 AND deleted_at IS NULL
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
                        .collect();
                    for days in thresholds {
                        let (a, b) = (lo - days * DAY_MS, hi - days * DAY_MS);
                        for id in created.query_map(params![team, a, b], |r| r.get::<_, String>(0))? {
                            ids.insert(id?);
                        }
                    }
                }
            }
            let sql = FactsSql::new(&scorer.stages);
            for id in &ids {
                rescore_lead(db, scorer, &sql, &LeadId(id.clone()))?;
            }
            ids.len()
        }
    };
    db.conn
        .prepare_cached(
            "INSERT INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (team_id, key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![team, REFRESHED_KEY, now])?;
    Ok(looked)
}
