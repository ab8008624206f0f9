//! Time-based rules and the passing of time: `leadline automate run` and the TUI's timer call `run`.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::actions::{Subject, apply};
use super::{Automations, Trigger};
use crate::domain::time::{DAY_MS, HOUR_MS};
use crate::domain::{OutreachId, Timestamp};
use crate::scoring::{Scorer, refresh_time_based};
use crate::store::{Db, Result, Store, outreach};

/// One thing an automation did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Done {
    pub rule: String,
    pub action: String,
    pub lead_id: String,
    pub lead: String,
    /// The outreach, meeting or deal it was about.
    pub subject: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    pub at: Timestamp,
    pub dry_run: bool,
    /// `[automation] enabled`: when false no rule ran (scores were still refreshed).
    pub automations_enabled: bool,
    pub actions: Vec<Done>,
    /// Leads whose score moved because time passed.
    pub rescored: usize,
    /// The scores were left as they are: they follow other scoring rules, changed later (`ScoredUnder::Newer`).
    pub rules_elsewhere: bool,
}

/// Runs the time-based rules and refreshes time-based score terms at the store's current instant,
/// in one transaction; with `dry_run` the transaction is rolled back and only the report remains.
pub fn run(store: &mut Store, autos: &Automations, scorer: &Scorer, dry_run: bool) -> Result<RunReport> {
    let now = store.now();
    run_missed(store, autos, scorer, dry_run, now)
}

/// `run` at the store's instant, a run missed then and made up for at `wall` (now): what was logged with a
/// lead since, up to now, answers a touch all the same, so no bump is filed for a lead who replied since.
pub fn run_missed(
    store: &mut Store,
    autos: &Automations,
    scorer: &Scorer,
    dry_run: bool,
    wall: Timestamp,
) -> Result<RunReport> {
    // The connection's own cache and plain reads: memory-mapped reads won a few seconds only on a first run
    // over a fresh million-lead demo, at the price of gigabytes resident (this also runs inside the TUI).
    let body = |db: &Db<'_>| -> Result<RunReport> {
        let mut actions = Vec::new();
        time_based(db, autos, wall.max(db.now), &mut actions)?;
        let refreshed = refresh_time_based(db, scorer)?;
        let (rescored, rules_elsewhere) = (refreshed.changed, refreshed.rules_elsewhere);
        Ok(RunReport { at: db.now, dry_run, automations_enabled: autos.enabled, actions, rescored, rules_elsewhere })
    };
    if dry_run { store.rehearse(body) } else { store.write(body) }
}

/// The marker a time-based rule leaves on a subject it acted on, so later runs skip it.
fn marker(rule: &str, subject: &str) -> String {
    format!("{FIRED}{rule}:{subject}")
}

const FIRED: &str = "fired:";
/// The first key past every `fired:` key.
const FIRED_END: &str = "fired;";

/// The time-based rules that acted on each touch (by its id), as their markers say: a JSON export carries
/// them, so a database moved by it does not act again on what was acted on here (a bump an opt-out
/// cancelled since, which no task left says was filed).
pub fn rules_fired(db: &Db<'_>) -> Result<RulesFired> {
    let mut stmt = db.conn.prepare("SELECT key FROM automation_state WHERE team_id = ?1 AND key > ?2 AND key < ?3")?;
    let keys = stmt.query_map(params![db.ctx.team_id.as_str(), FIRED, FIRED_END], |r| r.get::<_, String>(0))?;
    let mut fired = RulesFired::default();
    for key in keys {
        let key = key?;
        // A rule's name holds no ':' (the config refuses one); a touch's id brought in from a file may.
        if let Some((rule, subject)) = key[FIRED.len()..].split_once(':') {
            fired.add(subject, rule);
        }
    }
    Ok(fired)
}

/// Which rules acted on which touches, kept small: a touch's id (a UUID) as a number, and the rules it had
/// as numbers into their names (there are a few), for the hundreds of thousands of touches a large
/// database's rules acted on.
#[derive(Debug, Default)]
pub struct RulesFired {
    rules: Vec<String>,
    by_id: std::collections::HashMap<u128, Vec<u16>>,
    /// Touches brought in with ids of another system's.
    by_other_id: std::collections::HashMap<String, Vec<u16>>,
}

impl RulesFired {
    fn add(&mut self, touch: &str, rule: &str) {
        let at = match self.rules.iter().position(|r| r == rule) {
            Some(at) => at,
            None => {
                self.rules.push(rule.to_string());
                self.rules.len() - 1
            }
        } as u16;
        match uuid::Uuid::try_parse(touch) {
            Ok(id) if id.hyphenated().to_string() == touch => self.by_id.entry(id.as_u128()).or_default().push(at),
            _ => self.by_other_id.entry(touch.to_string()).or_default().push(at),
        }
    }

    /// The rules that acted on a touch.
    pub fn of(&self, touch: &str) -> Vec<String> {
        let found = match uuid::Uuid::try_parse(touch) {
            Ok(id) if id.hyphenated().to_string() == touch => self.by_id.get(&id.as_u128()),
            _ => self.by_other_id.get(touch),
        };
        found.map_or_else(Vec::new, |at| at.iter().map(|i| self.rules[*i as usize].clone()).collect())
    }

    pub fn len(&self) -> usize {
        self.by_id.len() + self.by_other_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Marks a touch brought in from a JSON export as acted on by the rules that acted on it where it comes
/// from (`rules_fired`).
pub fn mark_fired(db: &Db<'_>, touch: &str, rules: &[String]) -> Result<()> {
    let mut insert =
        db.conn.prepare_cached("INSERT OR IGNORE INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)")?;
    for rule in rules.iter().filter(|r| !r.trim().is_empty() && !r.contains(':')) {
        insert.execute(params![db.ctx.team_id.as_str(), marker(rule, touch), db.now.0])?;
    }
    Ok(())
}

fn state(db: &Db<'_>, key: &str) -> Result<Option<i64>> {
    Ok(db
        .conn
        .prepare_cached("SELECT value FROM automation_state WHERE team_id = ?1 AND key = ?2")?
        .query_row(params![db.ctx.team_id.as_str(), key], |r| r.get(0))
        .optional()?)
}

fn set_state(db: &Db<'_>, key: &str, value: i64) -> Result<()> {
    db.conn
        .prepare_cached(
            "INSERT INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (team_id, key) DO UPDATE SET value = excluded.value",
        )?
        .execute(params![db.ctx.team_id.as_str(), key, value])?;
    Ok(())
}

/// `answered_by`: what is logged up to then answers a touch (now, or later for a run made up for).
fn time_based(db: &Db<'_>, autos: &Automations, answered_by: Timestamp, report: &mut Vec<Done>) -> Result<()> {
    let team = db.ctx.team_id.as_str();
    let max_seq: i64 = db.conn.query_row("SELECT ifnull(max(seq), 0) FROM outreach", [], |r| r.get(0))?;
    for rule in autos.rules_for(Trigger::NoReply) {
        // Outbound touches whose reply window closed within the lookback, with nothing logged after them
        // and not acted on yet. Only what is new since the last run is looked at: touches whose window
        // closed since then (the (team, time) index) and touches logged since then (rows past the last
        // seen row number, for touches logged late with a past time).
        let hi = db.now.0 - rule.hours * HOUR_MS;
        let lo = hi - autos.lookback_days * DAY_MS;
        let window_key = format!("window:{}:{}", rule.name, rule.hours);
        let seq_key = format!("seq:{}", rule.name);
        let last_hi = state(db, &window_key)?.filter(|h| *h <= hi);
        let from = last_hi.map_or(lo, |h| h.max(lo));
        let last_seq = state(db, &seq_key)?.filter(|s| *s <= max_seq && last_hi.is_some()).unwrap_or(max_seq);
        // Two queries rather than one with OR: each then reads one index range (the window off the time
        // index, the new rows off the row numbers) instead of every touch before the window's end.
        let unanswered = format!(
            "o.team_id = ?1 AND o.deleted_at IS NULL AND o.direction = 'outbound' AND {UNANSWERED}
             AND NOT EXISTS (SELECT 1 FROM automation_state s WHERE s.team_id = ?1 AND s.key = ?4 || o.id)"
        );
        let by_window = format!(
            "SELECT o.id, o.occurred_at FROM outreach o INDEXED BY outreach_by_time
             WHERE o.occurred_at > ?2 AND o.occurred_at <= ?3 AND {unanswered}"
        );
        let by_seq = format!(
            "SELECT o.id, o.occurred_at FROM outreach o
             WHERE o.seq > ?2 AND +o.occurred_at > ?6 AND +o.occurred_at <= ?3 AND {unanswered}"
        );
        let prefix = marker(&rule.name, "");
        let mut found: Vec<(i64, String)> = db
            .conn
            .prepare_cached(&by_window)?
            .query_map(params![team, from, hi, prefix, answered_by.0], |r| Ok((r.get(1)?, r.get(0)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut late = db.conn.prepare_cached(&by_seq)?;
        let late_rows =
            late.query_map(params![team, last_seq, hi, prefix, answered_by.0, lo], |r| Ok((r.get(1)?, r.get(0)?)))?;
        for row in late_rows {
            found.push(row?);
        }
        // Leads whose touches were edited or removed since the last run: a touch moved back in time, or an
        // older one that became the latest, is looked at again over the whole lookback.
        let mut again = db.conn.prepare_cached(&format!(
            "SELECT o.id, o.occurred_at FROM automation_state q JOIN outreach o ON o.lead_id = substr(q.key, ?8)
             WHERE q.team_id = ?1 AND q.key > ?6 AND q.key < ?7
               AND o.deleted_at IS NULL AND o.direction = 'outbound' AND o.occurred_at > ?2 AND o.occurred_at <= ?3
               AND {UNANSWERED}
               AND NOT EXISTS (SELECT 1 FROM automation_state s WHERE s.team_id = ?1 AND s.key = ?4 || o.id)"
        ))?;
        let rows = again.query_map(
            params![team, lo, hi, prefix, answered_by.0, RECHECK, RECHECK_END, RECHECK.len() as i64 + 1],
            |r| Ok((r.get(1)?, r.get(0)?)),
        )?;
        for row in rows {
            found.push(row?);
        }
        found.sort();
        found.dedup();
        for (_, id) in found {
            let o = outreach::get(db, &OutreachId(id))?;
            let subject = Subject::outreach(o);
            if apply(db, autos, rule, &subject, report)? {
                db.conn
                    .prepare_cached("INSERT OR IGNORE INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)")?
                    .execute(params![team, marker(&rule.name, &subject.key), db.now.0])?;
            }
        }
        set_state(db, &window_key, hi)?;
        set_state(db, &seq_key, max_seq)?;
    }
    db.conn
        .prepare_cached("DELETE FROM automation_state WHERE team_id = ?1 AND key > ?2 AND key < ?3")?
        .execute(params![team, RECHECK, RECHECK_END])?;
    Ok(())
}

/// An outbound touch `o` is unanswered (as of `?5`: now, or later for a run made up for) when it did not record a reply itself, nothing was
/// logged with the lead after it (of two at the same minute, the one logged last is the latest), and no
/// meeting with the lead is dated after it (one booked by `?5`).
const UNANSWERED: &str = "o.reply_type = 'none'
    AND NOT EXISTS (SELECT 1 FROM outreach r WHERE r.lead_id = o.lead_id AND r.deleted_at IS NULL
                    AND r.occurred_at >= o.occurred_at AND r.occurred_at <= ?5
                    AND (r.occurred_at > o.occurred_at OR r.seq > o.seq))
    AND NOT EXISTS (SELECT 1 FROM meetings m WHERE m.lead_id = o.lead_id AND m.deleted_at IS NULL
                    AND m.scheduled_at > o.occurred_at AND m.created_at <= ?5)
    AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = o.lead_id
                    AND l.manual_contact_at > o.occurred_at AND l.manual_contact_at <= ?5)";

/// Prefix of the keys that queue a lead for the time-based rules to look at again (see `recheck`).
const RECHECK: &str = "recheck:";
/// The first key past every `recheck:` key.
const RECHECK_END: &str = "recheck;";

/// Queues a lead whose outreach was edited or removed: which of its touches is the latest, and when it
/// happened, may have changed behind the windows already passed, so the next run looks at it again.
pub fn recheck(db: &Db<'_>, lead: &crate::domain::LeadId) -> Result<()> {
    db.conn
        .prepare_cached("INSERT OR IGNORE INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)")?
        .execute(params![db.ctx.team_id.as_str(), format!("{RECHECK}{lead}"), db.now.0])?;
    Ok(())
}

/// A lead merged into another (`dedupe`): its touches are the kept lead's now, and so is a look again it
/// was queued for (a touch taken back before the merge).
pub fn merged(db: &Db<'_>, gone: &crate::domain::LeadId, kept: &crate::domain::LeadId) -> Result<()> {
    let queued = db
        .conn
        .prepare_cached("DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2")?
        .execute(params![db.ctx.team_id.as_str(), format!("{RECHECK}{gone}")])?;
    if queued > 0 {
        recheck(db, kept)?;
    }
    Ok(())
}
