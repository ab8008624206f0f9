//! Duplicates already in the database: likely pairs with a reason and a confidence, and the merge that
//! keeps everything of both (outreach, meetings, deals, tasks, notes), recorded so it can be explained later.

use rusqlite::params;
use serde::Serialize;

use crate::domain::{LeadId, Timestamp};
use crate::store::leads::{self, LeadPatch};
use crate::store::{Change, Db, Result, StoreError, contact};

/// Two leads that may be the same person.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    pub a: LeadId,
    pub b: LeadId,
    pub a_label: String,
    pub b_label: String,
    pub reason: String,
    /// 0-100: how sure leadline is that they are one person.
    pub confidence: i64,
    /// `scan`, or `import:<run id>` for a weak match staged by an import.
    pub origin: String,
}

/// Likely duplicates, most certain first: same phone, same name at the same company, and pairs staged by imports.
pub fn find(db: &Db<'_>) -> Result<Vec<Candidate>> {
    let team = db.ctx.team_id.as_str();
    let mut pairs: Vec<(String, String, String, i64, String)> = Vec::new();
    let mut collect = |sql: &str, reason: &str, confidence: i64| -> Result<()> {
        let mut stmt = db.conn.prepare(sql)?;
        let rows = stmt.query_map([team], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (a, b) = row?;
            pairs.push((a, b, reason.to_string(), confidence, "scan".into()));
        }
        Ok(())
    };
    collect(
        "SELECT a.id, b.id FROM leads a JOIN leads b ON b.team_id = a.team_id AND b.phone_key = a.phone_key AND b.id > a.id
         WHERE a.team_id = ?1 AND a.phone_key IS NOT NULL AND length(a.phone_key) >= 6
           AND a.deleted_at IS NULL AND b.deleted_at IS NULL AND a.forgotten_at IS NULL AND b.forgotten_at IS NULL",
        "same phone",
        90,
    )?;
    collect(
        "SELECT a.id, b.id FROM leads a JOIN leads b ON b.team_id = a.team_id AND b.name_key = a.name_key
              AND b.account_id = a.account_id AND b.id > a.id
         WHERE a.team_id = ?1 AND a.account_id IS NOT NULL AND a.deleted_at IS NULL AND b.deleted_at IS NULL
           AND a.forgotten_at IS NULL AND b.forgotten_at IS NULL",
        "same name and company",
        75,
    )?;
    {
        let mut stmt = db.conn.prepare(
            "SELECT m.lead_a, m.lead_b, m.reason, m.confidence, m.origin FROM merge_candidates m
             JOIN leads a ON a.id = m.lead_a JOIN leads b ON b.id = m.lead_b
             WHERE m.team_id = ?1 AND m.status = 'open' AND a.deleted_at IS NULL AND b.deleted_at IS NULL",
        )?;
        let rows = stmt.query_map([team], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        for row in rows {
            let (a, b, reason, confidence, origin): (String, String, String, i64, String) = row?;
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            pairs.push((a, b, reason, confidence, origin));
        }
    }
    // One entry per pair: the most certain reason wins.
    pairs.sort_by(|x, y| (&x.0, &x.1, -x.3).cmp(&(&y.0, &y.1, -y.3)));
    pairs.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    let mut out = Vec::with_capacity(pairs.len());
    for (a, b, reason, confidence, origin) in pairs {
        let (la, lb) = (leads::get(db, &LeadId(a.clone()))?, leads::get(db, &LeadId(b.clone()))?);
        out.push(Candidate {
            a: LeadId(a),
            b: LeadId(b),
            a_label: describe(&la),
            b_label: describe(&lb),
            reason,
            confidence,
            origin,
        });
    }
    out.sort_by(|x, y| y.confidence.cmp(&x.confidence).then(x.a.cmp(&y.a)));
    Ok(out)
}

fn describe(l: &leads::Lead) -> String {
    let mut s = l.label();
    if let Some(c) = &l.company {
        s.push_str(&format!(" at {c}"));
    }
    s
}

/// What a merge did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MergeOutcome {
    pub kept: LeadId,
    pub merged: LeadId,
    pub filled: Vec<String>,
    pub moved: MovedCounts,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct MovedCounts {
    pub outreach: usize,
    pub meetings: usize,
    pub deals: usize,
    pub tasks: usize,
    pub notes: usize,
    pub inbox: usize,
}

/// Folds one lead into the other: the one created first is kept and gets the other's missing fields, tags,
/// history, the earliest created_at and the latest contact; the other is removed. Recorded in the merge log.
pub fn merge(db: &Db<'_>, x: &LeadId, y: &LeadId, reason: &str, confidence: i64) -> Result<MergeOutcome> {
    if x == y {
        return Err(StoreError::Refused("a lead cannot be merged with itself".into()));
    }
    let (a, b) = (leads::get(db, x)?, leads::get(db, y)?);
    let (keep, gone) = if (b.created_at, b.seq) < (a.created_at, a.seq) { (b, a) } else { (a, b) };
    let mut patch = LeadPatch::default();
    let mut filled: Vec<String> = Vec::new();
    let mut fill = |name: &str, mine: &Option<String>, theirs: &Option<String>| -> Option<String> {
        if mine.is_none() && theirs.is_some() {
            filled.push(name.to_string());
            theirs.clone()
        } else {
            None
        }
    };
    patch.email = fill("email", &keep.email, &gone.email);
    patch.phone = fill("phone", &keep.phone, &gone.phone);
    patch.company = fill("company", &keep.company, &gone.company);
    patch.title = fill("title", &keep.title, &gone.title);
    patch.source = fill("source", &keep.source, &gone.source);
    patch.industry = fill("industry", &keep.industry, &gone.industry);
    patch.company_size = fill("company_size", &keep.company_size, &gone.company_size);
    patch.product_interest = fill("product_interest", &keep.product_interest, &gone.product_interest);
    // The other person's e-mail and phone, when the kept lead has its own, stay as lines of the notes (as an
    // import keeps a row's extra addresses): a merge never loses a way to reach someone.
    let extra: Vec<String> = [("e-mail", &keep.email, &gone.email), ("phone", &keep.phone, &gone.phone)]
        .into_iter()
        .filter_map(|(label, mine, theirs)| match (mine, theirs) {
            (Some(m), Some(t)) if !m.eq_ignore_ascii_case(t) => Some(format!("{label}: {t}")),
            _ => None,
        })
        .collect();
    let gone_notes = match (&gone.notes, extra.is_empty()) {
        (n, true) => n.clone(),
        (Some(n), false) => Some(format!("{n}\n{}", extra.join("\n"))),
        (None, false) => Some(extra.join("\n")),
    };
    patch.notes = match (&keep.notes, &gone_notes) {
        (None, Some(n)) => Some(n.clone()),
        (Some(k), Some(n)) if k != n => Some(format!("{k}\n\n{n}")),
        _ => None,
    };
    if patch.notes.is_some() {
        filled.push("notes".into());
    }
    patch.add_tags = gone.tags.iter().filter(|t| !keep.tags.contains(t)).cloned().collect();
    if !patch.add_tags.is_empty() {
        filled.push("tags".into());
    }
    // An opt-out of either person survives the merge.
    if gone.do_not_contact && !keep.do_not_contact {
        patch.do_not_contact = Some(true);
        patch.do_not_contact_reason = gone.do_not_contact_reason.clone().or(Some("opted out (merged lead)".into()));
        filled.push("do_not_contact".into());
    }
    let now = db.now.0;
    let (k, g) = (keep.id.as_str(), gone.id.as_str());
    // The other lead goes first, so its e-mail is free for the kept one.
    db.conn.execute("UPDATE leads SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![g, now])?;
    db.conn.execute("DELETE FROM lead_tags WHERE lead_id = ?1", [g])?;
    let mut moved = MovedCounts::default();
    let mv = |table: &str| -> Result<usize> {
        Ok(db.conn.execute(
            &format!("UPDATE {table} SET lead_id = ?1, updated_at = ?3 WHERE lead_id = ?2"),
            params![k, g, now],
        )?)
    };
    moved.outreach = mv("outreach")?;
    moved.meetings = mv("meetings")?;
    moved.deals = mv("deals")?;
    moved.tasks = mv("tasks")?;
    moved.notes = mv("notes")?;
    moved.inbox = mv("inbox_items")?;
    db.conn.execute("UPDATE events SET subject_id = ?1 WHERE subject_id = ?2", params![k, g])?;
    if !patch.is_empty() {
        leads::update(db, &keep.id, patch)?;
    }
    db.conn.execute(
        "UPDATE leads SET created_at = min(created_at, ?2),
         manual_contact_at = (SELECT max(x) FROM (SELECT manual_contact_at AS x FROM leads WHERE id IN (?1, ?3))),
         updated_at = ?4 WHERE id = ?1",
        params![k, gone.created_at.0, g, now],
    )?;
    contact::refresh(db, &keep.id)?;
    // Staged pairs: this one is done; others that named the removed lead now name the kept one.
    db.conn.execute(
        "UPDATE merge_candidates SET status = 'merged', updated_at = ?3
         WHERE (lead_a = ?1 AND lead_b = ?2) OR (lead_a = ?2 AND lead_b = ?1)",
        params![k, g, now],
    )?;
    db.conn.execute(
        "UPDATE OR IGNORE merge_candidates SET lead_a = ?1, updated_at = ?3 WHERE lead_a = ?2 AND status = 'open' AND lead_b != ?1",
        params![k, g, now],
    )?;
    db.conn.execute(
        "UPDATE OR IGNORE merge_candidates SET lead_b = ?1, updated_at = ?3 WHERE lead_b = ?2 AND status = 'open' AND lead_a != ?1",
        params![k, g, now],
    )?;
    db.conn.execute(
        "UPDATE merge_candidates SET status = 'dismissed', updated_at = ?2 WHERE (lead_a = ?1 OR lead_b = ?1) AND status = 'open'",
        params![g, now],
    )?;
    let details = serde_json::json!({ "filled": filled, "moved": moved });
    db.conn.execute(
        "INSERT INTO merge_log (id, team_id, user_id, kept_id, merged_id, reason, confidence, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            db.ctx.user_id.as_str(),
            k,
            g,
            reason,
            confidence,
            details.to_string(),
            now
        ],
    )?;
    db.emit(Change::LeadRemoved(gone.id.clone()));
    db.emit(Change::LeadEdited(keep.id.clone()));
    Ok(MergeOutcome { kept: keep.id, merged: gone.id, filled, moved })
}

/// A past merge, as recorded.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MergeRecord {
    pub kept_id: String,
    pub merged_id: String,
    pub reason: String,
    pub confidence: i64,
    pub details: serde_json::Value,
    pub created_at: Timestamp,
}

/// The merges that folded other leads into this one (or this one into another).
pub fn history(db: &Db<'_>, lead: &LeadId) -> Result<Vec<MergeRecord>> {
    let mut stmt = db.conn.prepare(
        "SELECT kept_id, merged_id, reason, confidence, details, created_at FROM merge_log
         WHERE kept_id = ?1 OR merged_id = ?1 ORDER BY created_at",
    )?;
    let rows = stmt.query_map([lead.as_str()], |r| {
        let details: String = r.get(4)?;
        Ok(MergeRecord {
            kept_id: r.get(0)?,
            merged_id: r.get(1)?,
            reason: r.get(2)?,
            confidence: r.get(3)?,
            details: serde_json::from_str(&details).unwrap_or_default(),
            created_at: Timestamp(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
