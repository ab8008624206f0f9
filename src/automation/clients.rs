//! From lead to customer and back: the client profile filled when a deal is won, the handoff
//! checklist, churn, and a pilot accepted by command.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::actions::{Subject, fire};
use super::run::Done;
use super::{Automations, Trigger};
use crate::domain::{DealId, DealStatus, LeadId, Lifecycle, TaskKind, Timestamp};
use crate::store::deals::{self, Deal};
use crate::store::leads::{self, LeadPatch};
use crate::store::tasks::{self, NewTask};
use crate::store::{Change, Db, Result, StoreError, notes};

/// What customer success needs from sales: plan, product, where the lead came from, who sold it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClientProfile {
    pub id: String,
    pub lead_id: String,
    pub deal_id: Option<String>,
    pub plan: Option<String>,
    pub product: Option<String>,
    pub origin_source: Option<String>,
    pub origin_outreach_id: Option<String>,
    pub owner_id: Option<String>,
    pub status: String,
    pub won_at: Option<Timestamp>,
    pub churned_at: Option<Timestamp>,
    pub churn_reason: Option<String>,
}

pub fn profile(db: &Db<'_>, lead: &LeadId) -> Result<Option<ClientProfile>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT id, lead_id, deal_id, plan, product, origin_source, origin_outreach_id, owner_id, status, won_at,
             churned_at, churn_reason FROM client_profiles WHERE lead_id = ?1 AND team_id = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![lead.as_str(), db.ctx.team_id.as_str()], |r| {
            Ok(ClientProfile {
                id: r.get(0)?,
                lead_id: r.get(1)?,
                deal_id: r.get(2)?,
                plan: r.get(3)?,
                product: r.get(4)?,
                origin_source: r.get(5)?,
                origin_outreach_id: r.get(6)?,
                owner_id: r.get(7)?,
                status: r.get(8)?,
                won_at: r.get::<_, Option<i64>>(9)?.map(Timestamp),
                churned_at: r.get::<_, Option<i64>>(10)?.map(Timestamp),
                churn_reason: r.get(11)?,
            })
        })
        .optional()?)
}

/// What a lead's customer record says that no other exported object carries: whether the customer is
/// current, and when and why they churned (a won deal brings back the plan, the product, since when).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerState {
    pub customer_status: Option<String>,
    pub churned_at: Option<Timestamp>,
    pub churn_reason: Option<String>,
}

/// The customer state of each lead of the team with a record, by lead id (one record per customer: few).
pub fn customer_states(db: &Db<'_>) -> Result<std::collections::HashMap<String, CustomerState>> {
    let mut stmt = db.conn.prepare(
        "SELECT lead_id, status, churned_at, churn_reason FROM client_profiles WHERE team_id = ?1 AND deleted_at IS NULL",
    )?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| {
        let state = CustomerState {
            customer_status: r.get(1)?,
            churned_at: r.get::<_, Option<i64>>(2)?.map(Timestamp),
            churn_reason: r.get(3)?,
        };
        Ok((r.get::<_, String>(0)?, state))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A lead read from a file (a moved database) whose customer churned there: its record, saying when and
/// why, in the state the file gives (active again after a later win). The won deals read later fill in
/// the rest (`record_imported_win`).
pub fn record_imported_churn(
    db: &Db<'_>,
    lead: &LeadId,
    status: &str,
    churned_at: Timestamp,
    reason: Option<&str>,
) -> Result<()> {
    insert_churn_record(db, &leads::get(db, lead)?, status, churned_at, reason)
}

/// A customer record that starts with a churn (the lead had none): where the lead came from, who owns
/// it, when and why the customer left. A lead's record already there is left as it is.
fn insert_churn_record(db: &Db<'_>, l: &leads::Lead, status: &str, at: Timestamp, reason: Option<&str>) -> Result<()> {
    db.conn.execute(
        "INSERT INTO client_profiles (id, team_id, lead_id, origin_source, owner_id, status, churned_at, churn_reason,
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)
         ON CONFLICT (lead_id) WHERE deleted_at IS NULL DO NOTHING",
        params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            l.id.as_str(),
            l.source,
            l.owner_id,
            status,
            at.0,
            reason.map(str::trim).filter(|r| !r.is_empty()),
            db.now.0
        ],
    )?;
    Ok(())
}

/// A won deal read from a file (a moved database): the customer record the win made there. Only for a
/// lead the file says is a customer (or a churned one), or whose churn it told (`record_imported_churn`),
/// and from its latest win, as the record was there. Nothing else is done again (the lifecycle comes with
/// the lead, the handoff tasks with the tasks).
pub fn record_imported_win(db: &Db<'_>, deal: &Deal) -> Result<()> {
    let lead = leads::get(db, &deal.lead_id)?;
    let record = profile(db, &lead.id)?;
    // A churn the file told stands whatever the lifecycle (the churn rules bring the lead back as a lead).
    let status = match (&record, lead.lifecycle.as_str()) {
        (Some(p), _) if p.churned_at.is_some() => p.status.clone(),
        (_, "customer") => "active".to_string(),
        (_, "churned") => "churned".to_string(),
        _ => return Ok(()),
    };
    let won = deal.closed_at.unwrap_or(db.now);
    match record {
        Some(p) if p.won_at.is_some_and(|at| (at, p.deal_id.as_deref()) >= (won, Some(deal.id.as_str()))) => {
            return Ok(());
        }
        Some(p) if p.deal_id.is_some() => {}
        _ => set_win_state(db, &deal.id, "profile", PROFILE_MADE)?,
    }
    write_profile(db, &lead, deal, &status, won)
}

/// The customer record a win writes, over the lead's one if it has one: plan, product, where the lead
/// came from, who sold it, since when.
fn write_profile(db: &Db<'_>, lead: &leads::Lead, deal: &Deal, status: &str, won: Timestamp) -> Result<()> {
    let plan = deal.product.clone().unwrap_or_else(|| deal.title.clone());
    let origin = deal.origin_outreach_id.clone().or(lead.origin_outreach_id.clone());
    // Who sold it looks after the customer while on the team; once gone, whoever took their leads over
    // (a win imported after its seller left is the lead owner's).
    let seller = match deal.owner_id.as_deref() {
        Some(id) => crate::store::teams::member_by_id(db, id)?.map(|u| u.0),
        None => None,
    };
    let owner = seller.or(lead.owner_id.clone()).or(deal.owner_id.clone());
    // One record per lead (a partial unique index on the live ones): a new one, or the lead's own rewritten.
    db.conn.execute(
        "INSERT INTO client_profiles (id, team_id, lead_id, deal_id, plan, product, origin_source,
         origin_outreach_id, owner_id, status, won_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
         ON CONFLICT (lead_id) WHERE deleted_at IS NULL DO UPDATE SET deal_id = excluded.deal_id,
           plan = excluded.plan, product = excluded.product, origin_source = excluded.origin_source,
           origin_outreach_id = excluded.origin_outreach_id, owner_id = excluded.owner_id,
           status = excluded.status, won_at = excluded.won_at, updated_at = excluded.updated_at",
        params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            lead.id.as_str(),
            deal.id.as_str(),
            plan,
            deal.product,
            lead.source,
            origin,
            owner,
            status,
            won.0,
            db.now.0
        ],
    )?;
    Ok(())
}

/// Customer records for the won deals of customers (churned since or not) that have none (demo data,
/// written row by row without the rules): what winning each lead's latest won deal would have recorded.
pub fn record_past_wins(conn: &rusqlite::Connection, team: &str, now: Timestamp) -> Result<usize> {
    let mut wins = conn.prepare(
        "SELECT d.id, d.lead_id, coalesce(d.product, d.title), d.product, l.source,
                coalesce(d.origin_outreach_id, l.origin_outreach_id), coalesce(d.owner_id, l.owner_id),
                coalesce(d.closed_at, d.updated_at)
         FROM deals d JOIN leads l ON l.id = d.lead_id
         WHERE d.team_id = ?1 AND d.status = 'won' AND d.deleted_at IS NULL AND l.lifecycle IN ('customer', 'churned')
           AND NOT EXISTS (SELECT 1 FROM client_profiles p WHERE p.lead_id = d.lead_id AND p.deleted_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM deals e WHERE e.lead_id = d.lead_id AND e.status = 'won'
                           AND e.deleted_at IS NULL
                           AND (coalesce(e.closed_at, e.updated_at), e.id) > (coalesce(d.closed_at, d.updated_at), d.id))",
    )?;
    let mut insert = conn.prepare(
        "INSERT INTO client_profiles (id, team_id, lead_id, deal_id, plan, product, origin_source,
         origin_outreach_id, owner_id, status, won_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11, ?11)",
    )?;
    let mut rows = wins.query([team])?;
    let mut made = 0;
    while let Some(r) = rows.next()? {
        let (deal, lead): (String, String) = (r.get(0)?, r.get(1)?);
        let (plan, product, source): (String, Option<String>, Option<String>) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let (origin, owner, won): (Option<String>, Option<String>, i64) = (r.get(5)?, r.get(6)?, r.get(7)?);
        let id = uuid::Uuid::now_v7().to_string();
        insert.execute(params![id, team, lead, deal, plan, product, source, origin, owner, won, now.0])?;
        made += 1;
    }
    Ok(made)
}

/// A won deal makes its lead a customer and fills (or refreshes) the client profile.
pub fn convert(db: &Db<'_>, deal: &Deal) -> Result<()> {
    let lead = leads::get(db, &deal.lead_id)?;
    // What this win changes is written down, so reopening the deal takes back exactly that.
    let before = profile(db, &lead.id)?;
    let profile_was = match &before {
        None => Some(PROFILE_MADE),
        Some(p) if p.status == "churned" => Some(PROFILE_WAS_CHURNED),
        Some(_) => None,
    };
    if let Some(v) = profile_was {
        set_win_state(db, &deal.id, "profile", v)?;
    }
    if lead.lifecycle != Lifecycle::Customer.as_str() {
        set_win_state(db, &deal.id, "lifecycle", 1)?;
        leads::update(db, &lead.id, LeadPatch { lifecycle: Some(Lifecycle::Customer), ..Default::default() })?;
    }
    write_profile(db, &lead, deal, "active", db.now)
}

/// The dedupe key of one checklist task of a deal: the same whoever creates it.
pub fn handoff_key(deal: &DealId, item: &str) -> String {
    format!("handoff:{deal}:{}", item.trim().to_lowercase())
}

/// Creates the checklist tasks of a deal that do not exist yet; returns the items it created.
pub fn prepare_handoff(db: &Db<'_>, autos: &Automations, deal: &Deal) -> Result<Vec<String>> {
    let mut created = Vec::new();
    // A lost deal has nothing to hand over, whichever rule asks (`deal handoff` says so).
    if deal.status == DealStatus::Lost {
        return Ok(created);
    }
    for item in &autos.handoff.checklist {
        let key = handoff_key(&deal.id, item);
        // A checklist taken back when the deal was reopened comes back when it is won again, to the deal's
        // owner if the task's has left the team since.
        let owner =
            crate::store::teams::unless_removed("owner_id", "(SELECT owner_id FROM deals WHERE id = tasks.deal_id)");
        let restored = db.conn.execute(
            &format!(
                "UPDATE tasks SET deleted_at = NULL, done_at = NULL, due_at = ?2, updated_at = ?3, owner_id = {owner}
                 WHERE dedupe_key = ?1 AND deleted_at IS NOT NULL"
            ),
            params![key, db.now.plus_hours(autos.handoff.due_hours).0, db.now.0],
        )?;
        if restored > 0 {
            created.push(item.clone());
            continue;
        }
        let exists: Option<i64> = db
            .conn
            .prepare_cached("SELECT 1 FROM tasks WHERE dedupe_key = ?1")?
            .query_row([&key], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            let title = format!("Handoff: {item} ({})", deal.title);
            let mut t = NewTask::manual(
                crate::domain::text::one_line(&title).into_owned(),
                db.now.plus_hours(autos.handoff.due_hours),
            );
            t.kind = TaskKind::Handoff;
            t.lead = Some(deal.lead_id.clone());
            t.deal = Some(deal.id.clone());
            t.origin = "handoff".into();
            t.dedupe_key = Some(key);
            // The deal's owner hands their customer over, whoever moved the card; the lead's once they left.
            t.owner = match deal.owner_id.as_deref().map(|o| crate::store::teams::member_by_id(db, o)).transpose()? {
                Some(Some(owner)) => tasks::Assignee::Member(owner),
                _ => tasks::Assignee::LeadOwner,
            };
            tasks::add(db, t)?;
            created.push(item.clone());
        }
    }
    Ok(created)
}

/// One checklist item of a deal and where it stands.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChecklistItem {
    pub item: String,
    pub task_id: Option<String>,
    pub done: bool,
}

pub fn handoff_status(db: &Db<'_>, autos: &Automations, deal: &DealId) -> Result<Vec<ChecklistItem>> {
    let mut out = Vec::new();
    for item in &autos.handoff.checklist {
        let row: Option<(String, Option<i64>)> = db
            .conn
            .prepare_cached("SELECT id, done_at FROM tasks WHERE dedupe_key = ?1 AND deleted_at IS NULL")?
            .query_row([handoff_key(deal, item)], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        out.push(ChecklistItem {
            item: item.clone(),
            done: row.as_ref().is_some_and(|r| r.1.is_some()),
            task_id: row.map(|r| r.0),
        });
    }
    Ok(out)
}

/// With `require_handoff`, refuses to win a deal whose checklist is not complete, naming what is missing.
pub fn check_handoff(db: &Db<'_>, autos: &Automations, deal: &Deal) -> Result<()> {
    if !autos.handoff.require_handoff {
        return Ok(());
    }
    let missing: Vec<String> =
        handoff_status(db, autos, &deal.id)?.into_iter().filter(|i| !i.done).map(|i| i.item).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(StoreError::Refused(format!(
        "deal '{}' cannot be won before its handoff checklist is complete; missing: {} \
         (`leadline deal handoff` lists the tasks; finish them with `leadline task done`)",
        deal.title,
        missing.join(", ")
    )))
}

/// Marks a customer churned, with the reason; the churn rules then bring the lead back into the pipeline.
pub fn churn(db: &Db<'_>, lead: &LeadId, reason: Option<&str>) -> Result<()> {
    let l = leads::get(db, lead)?;
    if l.lifecycle != Lifecycle::Customer.as_str() {
        return Err(StoreError::Refused(format!("{} is not a customer (lifecycle is {})", l.name(), l.lifecycle)));
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let updated = db.conn.execute(
        "UPDATE client_profiles SET status = 'churned', churned_at = ?2, churn_reason = ?3, updated_at = ?2
         WHERE lead_id = ?1 AND deleted_at IS NULL",
        params![lead.as_str(), db.now.0, reason],
    )?;
    if updated == 0 {
        insert_churn_record(db, &l, "churned", db.now, reason)?;
    }
    leads::update(db, lead, LeadPatch { lifecycle: Some(Lifecycle::Churned), ..Default::default() })?;
    db.emit(Change::CustomerChurned(lead.clone()));
    Ok(())
}

/// `leads::update`, where a customer marked churned is a churn as `churn` records it (so the churn rules
/// run, once). Every edit of a lead from the CLI or the TUI goes through here.
pub fn edit(db: &Db<'_>, lead: &LeadId, mut patch: LeadPatch) -> Result<leads::Lead> {
    // Only a customer churns. (An import may bring a lead marked churned: that is history, not an edit.)
    let current = leads::get(db, lead)?;
    let was = current.lifecycle.as_str();
    if patch.lifecycle == Some(Lifecycle::Churned)
        && was != Lifecycle::Customer.as_str()
        && was != Lifecycle::Churned.as_str()
    {
        return Err(StoreError::Refused(format!(
            "{} is not a customer (lifecycle is {was}); only a customer churns",
            current.name()
        )));
    }
    if patch.lifecycle == Some(Lifecycle::Churned) && was == Lifecycle::Customer.as_str() {
        patch.lifecycle = None;
        if !patch.is_empty() {
            leads::update(db, lead, patch)?;
        }
        churn(db, lead, None)?;
        return leads::get(db, lead);
    }
    leads::update(db, lead, patch)
}

/// What a win changed (`convert`): the client profile it made, or found churned and made active again.
const PROFILE_MADE: i64 = 1;
const PROFILE_WAS_CHURNED: i64 = 2;

fn win_state_key(deal: &DealId, what: &str) -> String {
    format!("won:{deal}:{what}")
}

fn set_win_state(db: &Db<'_>, deal: &DealId, what: &str, value: i64) -> Result<()> {
    db.conn.execute(
        "INSERT INTO automation_state (team_id, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (team_id, key) DO UPDATE SET value = excluded.value",
        params![db.ctx.team_id.as_str(), win_state_key(deal, what), value],
    )?;
    Ok(())
}

/// An imported win made its lead a customer (the import does that itself, without the rules): written
/// down as `convert` does, so a deal reopened later takes it back.
pub fn remember_made_customer(db: &Db<'_>, deal: &DealId) -> Result<()> {
    set_win_state(db, deal, "lifecycle", 1)
}

/// Reads and forgets what a win changed.
fn take_win_state(db: &Db<'_>, deal: &DealId, what: &str) -> Result<Option<i64>> {
    let key = win_state_key(deal, what);
    let team = db.ctx.team_id.as_str();
    let value: Option<i64> = db
        .conn
        .query_row("SELECT value FROM automation_state WHERE team_id = ?1 AND key = ?2", params![team, key], |r| {
            r.get(0)
        })
        .optional()?;
    db.conn.execute("DELETE FROM automation_state WHERE team_id = ?1 AND key = ?2", params![team, key])?;
    Ok(value)
}

/// A won deal reopened (or turned lost): what winning it did is taken back. Its open handoff tasks go.
/// If another deal of the lead has been won since its last churn, that win stands in for this one (the
/// client profile points at it, and what this win changed is now that win's to take back); otherwise the
/// lead's customer status and client profile go back to what they were before this win.
pub fn unconvert(db: &Db<'_>, deal: &Deal) -> Result<()> {
    db.conn.execute(
        "UPDATE tasks SET deleted_at = ?2, updated_at = ?2
         WHERE deal_id = ?1 AND kind = 'handoff' AND done_at IS NULL AND deleted_at IS NULL",
        params![deal.id.as_str(), db.now.0],
    )?;
    let current = profile(db, &deal.lead_id)?;
    let since = current.as_ref().and_then(|p| p.churned_at).map_or(0, |t| t.0);
    let other: Option<String> = db
        .conn
        .query_row(
            "SELECT id FROM deals WHERE lead_id = ?1 AND id != ?2 AND status = 'won' AND deleted_at IS NULL
             AND ifnull(closed_at, 0) >= ?3 ORDER BY closed_at DESC LIMIT 1",
            params![deal.lead_id.as_str(), deal.id.as_str(), since],
            |r| r.get(0),
        )
        .optional()?;
    let made_lifecycle = take_win_state(db, &deal.id, "lifecycle")?;
    let profile_was = take_win_state(db, &deal.id, "profile")?;
    if let Some(other) = other {
        let other = DealId(other);
        // The record described this win: it describes the other one now (its plan, since when).
        if let Some(p) = current.as_ref().filter(|p| p.deal_id.as_deref() == Some(deal.id.as_str())) {
            let won = deals::get(db, &other)?;
            let lead = leads::get(db, &deal.lead_id)?;
            write_profile(db, &lead, &won, &p.status, won.closed_at.unwrap_or(db.now))?;
        }
        if let Some(v) = made_lifecycle {
            set_win_state(db, &other, "lifecycle", v)?;
        }
        if let Some(v) = profile_was {
            set_win_state(db, &other, "profile", v)?;
        }
        return Ok(());
    }
    match profile_was {
        Some(PROFILE_MADE) => {
            db.conn.execute(
                "UPDATE client_profiles SET deleted_at = ?2, updated_at = ?2 WHERE lead_id = ?1 AND deal_id = ?3 AND deleted_at IS NULL",
                params![deal.lead_id.as_str(), db.now.0, deal.id.as_str()],
            )?;
        }
        Some(PROFILE_WAS_CHURNED) => {
            // Churned again, with what the win before the churn recorded (when there was one).
            let before: Option<String> = db
                .conn
                .query_row(
                    "SELECT id FROM deals WHERE lead_id = ?1 AND id != ?2 AND status = 'won' AND deleted_at IS NULL
                     ORDER BY closed_at DESC, id DESC LIMIT 1",
                    params![deal.lead_id.as_str(), deal.id.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            match before {
                Some(id) => {
                    let won = deals::get(db, &DealId(id))?;
                    let lead = leads::get(db, &deal.lead_id)?;
                    write_profile(db, &lead, &won, "churned", won.closed_at.unwrap_or(db.now))?;
                }
                None => {
                    db.conn.execute(
                        "UPDATE client_profiles SET status = 'churned', updated_at = ?2 WHERE lead_id = ?1 AND deleted_at IS NULL",
                        params![deal.lead_id.as_str(), db.now.0],
                    )?;
                }
            }
        }
        _ => {}
    }
    if made_lifecycle.is_some() && leads::get(db, &deal.lead_id)?.lifecycle == Lifecycle::Customer.as_str() {
        leads::update(db, &deal.lead_id, LeadPatch { lifecycle: Some(Lifecycle::Lead), ..Default::default() })?;
    }
    Ok(())
}

/// Back into the pipeline as a hot lead, with a note saying why the customer left.
pub fn reactivate(db: &Db<'_>, lead: &LeadId, tag: &str, note: &str) -> Result<()> {
    leads::update(
        db,
        lead,
        LeadPatch { lifecycle: Some(Lifecycle::Lead), add_tags: vec![tag.to_string()], ..Default::default() },
    )?;
    notes::add(db, Some(lead), None, note)?;
    Ok(())
}

/// The pilot was accepted for this deal: the `pilot_accepted` rules run for it.
pub fn accept_pilot(db: &Db<'_>, autos: &Automations, deal: &DealId) -> Result<Vec<Done>> {
    let d = deals::get(db, deal)?;
    if d.status != DealStatus::Open {
        return Err(StoreError::Refused(format!(
            "deal '{}' is {}: a pilot is accepted on an open deal (`leadline deal move` reopens it)",
            d.title,
            d.status.as_str()
        )));
    }
    let mut report = Vec::new();
    fire(db, autos, Trigger::PilotAccepted, &Subject::deal(d), &mut report)?;
    Ok(report)
}
