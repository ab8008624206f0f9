//! Deals: creating, moving through the configured stages, winning and losing, ordering within a stage.

use rusqlite::{OptionalExtension, Row, ToSql, params, params_from_iter};
use serde::Serialize;

use super::leads::lead_name_sql;
use super::{Change, Db, Result, StoreError, leads, non_empty, outreach, teams};
use crate::domain::text::fold;
use crate::domain::{DealId, DealStatus, LeadId, Money, OutreachId, Timestamp};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Deal {
    pub id: DealId,
    pub lead_id: LeadId,
    pub lead_name: String,
    pub company: Option<String>,
    pub title: String,
    pub product: Option<String>,
    pub use_case: Option<String>,
    /// Decimal text, e.g. "1200.50"; `amount_minor` is the exact integer.
    pub amount: String,
    pub amount_minor: i64,
    pub currency: String,
    pub stage: String,
    pub position: i64,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    pub closed_at: Option<Timestamp>,
    /// The open stage a won or lost deal was closed from, where reopening it puts it back (unknown for a
    /// deal a file brought in closed).
    pub closed_from: Option<String>,
    /// Its id in the CRM a file brought it from, where that file said.
    pub source_ref: Option<String>,
    pub stage_entered_at: Timestamp,
    pub origin_outreach_id: Option<String>,
    pub owner_id: Option<String>,
    /// The owner's name, as leads and tasks give it.
    pub owner: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Whether the deal's lead opted out (the board marks the card); not part of the deal's own record.
    #[serde(skip)]
    pub lead_do_not_contact: bool,
}

impl Deal {
    pub fn money(&self) -> Money {
        Money { minor: self.amount_minor, currency: self.currency.clone() }
    }
}

pub(crate) const DEAL_COLUMNS: &str = concat!(
    "d.id, d.lead_id, ",
    lead_name_sql!("l"),
    ", a.name, d.title, d.product, d.use_case, d.amount_minor, d.currency, d.stage, d.position, d.status, d.lost_reason, d.closed_at,
    d.stage_entered_at, d.origin_outreach_id, d.owner_id, d.created_at, d.updated_at, du.name, l.do_not_contact, d.closed_from, d.source_ref"
);
pub(crate) const DEAL_FROM: &str =
    "FROM deals d JOIN leads l ON l.id = d.lead_id LEFT JOIN accounts a ON a.id = d.account_id
     LEFT JOIN users du ON du.id = d.owner_id";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Deal> {
    let minor: i64 = r.get(7)?;
    let currency: String = r.get(8)?;
    let status: String = r.get(11)?;
    Ok(Deal {
        id: DealId(r.get(0)?),
        lead_id: LeadId(r.get(1)?),
        lead_name: r.get(2)?,
        company: r.get(3)?,
        title: r.get(4)?,
        product: r.get(5)?,
        use_case: r.get(6)?,
        amount: Money { minor, currency: currency.clone() }.decimal(),
        amount_minor: minor,
        currency,
        stage: r.get(9)?,
        position: r.get(10)?,
        status: status.parse().unwrap_or(DealStatus::Open),
        lost_reason: r.get(12)?,
        closed_at: r.get::<_, Option<i64>>(13)?.map(Timestamp),
        stage_entered_at: Timestamp(r.get(14)?),
        origin_outreach_id: r.get(15)?,
        owner_id: r.get(16)?,
        owner: r.get(19)?,
        created_at: Timestamp(r.get(17)?),
        updated_at: Timestamp(r.get(18)?),
        lead_do_not_contact: r.get(20)?,
        closed_from: r.get(21)?,
        source_ref: r.get(22)?,
    })
}

#[derive(Debug, Clone)]
pub struct NewDeal {
    pub lead: LeadId,
    pub title: String,
    pub amount: Option<Money>,
    pub product: Option<String>,
    pub use_case: Option<String>,
    /// Stage as typed; the first stage when absent.
    pub stage: Option<String>,
    pub origin_outreach: Option<OutreachId>,
}

impl NewDeal {
    /// A deal with a title and nothing else said: no amount, product or use case, at the stage the rules
    /// give it.
    pub fn new(lead: LeadId, title: impl Into<String>) -> Self {
        Self {
            lead,
            title: title.into(),
            amount: None,
            product: None,
            use_case: None,
            stage: None,
            origin_outreach: None,
        }
    }
}

pub fn create(db: &Db<'_>, new: NewDeal) -> Result<DealId> {
    let lead = leads::get_to_add(db, &new.lead, "deal")?;
    let title = crate::domain::lead::require_text("title", &new.title)?;
    crate::domain::lead::check_one_line("title", &title)?;
    let stage = match &new.stage {
        Some(s) => db.ctx.stages.resolve(s)?,
        None => db.ctx.stages.first().to_string(),
    };
    if let Some(o) = &new.origin_outreach {
        let origin = outreach::get(db, o)?;
        if origin.lead_id != new.lead {
            return Err(StoreError::Refused(format!("outreach {o} was with another lead")));
        }
        mark_lead_origin(db, &origin, Some(db.now))?;
    }
    let status = db.ctx.stages.status_for(&stage);
    let money = new.amount.unwrap_or(Money { minor: 0, currency: db.ctx.currency.clone() });
    crate::domain::deal::check_amount(&money)?;
    let id = DealId::generate();
    db.conn
        .prepare_cached(
            "INSERT INTO deals (id, team_id, lead_id, account_id, owner_id, title, product, use_case, amount_minor,
             currency, stage, position, status, closed_at, stage_entered_at, origin_outreach_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?15, ?15)",
        )?
        .execute(params![
            id.as_str(),
            db.ctx.team_id.as_str(),
            new.lead.as_str(),
            lead.account_id,
            lead.owner_id.clone().unwrap_or_else(|| db.ctx.user_id.0.clone()),
            title,
            non_empty(new.product),
            non_empty(new.use_case),
            money.minor,
            money.currency,
            stage,
            next_position(db, &stage)?,
            status.as_str(),
            (status != DealStatus::Open).then_some(db.now.0),
            db.now.0,
            new.origin_outreach.as_ref().map(OutreachId::as_str),
        ])?;
    db.emit(Change::DealCreated { lead: new.lead, deal: id.clone(), stage_chosen: new.stage.is_some() });
    Ok(id)
}

/// The touch that produced a deal is where its lead came from, unless the lead already says (another touch,
/// or a source of another kind). `edited` is the lead's edit time; `None` keeps it (an import restoring what
/// the deal's creation once did).
pub(crate) fn mark_lead_origin(db: &Db<'_>, origin: &outreach::Outreach, edited: Option<Timestamp>) -> Result<()> {
    db.conn
        .prepare_cached(
            "UPDATE leads SET origin_outreach_id = ?2, source = coalesce(source, ?3), updated_at = ifnull(?4, updated_at)
             WHERE id = ?1 AND origin_outreach_id IS NULL AND ifnull(source, ?3) = ?3",
        )?
        .execute(params![
            origin.lead_id.as_str(),
            origin.id.as_str(),
            origin.kind.source(&origin.value),
            edited.map(|t| t.0)
        ])?;
    Ok(())
}

/// Closes the lead's open deals as lost with `reason`, each at the end of the lost column, without the
/// rules a loss fires (a person erased gets no post-mortem): what a forgotten person's deals become.
pub fn close_as_lost_quietly(db: &Db<'_>, lead: &LeadId, reason: &str) -> Result<usize> {
    let open: Vec<String> = db
        .conn
        .prepare_cached(
            "SELECT id FROM deals WHERE lead_id = ?1 AND status = 'open' AND deleted_at IS NULL ORDER BY position, id",
        )?
        .query_map([lead.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let lost = db.ctx.stages.lost_stage.clone();
    for id in &open {
        db.conn
            .prepare_cached(
                "UPDATE deals SET stage = ?2, status = 'lost', lost_reason = ?3, position = ?4, closed_at = ?5,
                        closed_from = stage, stage_entered_at = ?5, updated_at = ?5 WHERE id = ?1",
            )?
            .execute(params![id, lost, reason, next_position(db, &lost)?, db.now.0])?;
    }
    Ok(open.len())
}

fn next_position(db: &Db<'_>, stage: &str) -> Result<i64> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT ifnull(max(position), 0) + 1 FROM deals WHERE team_id = ?1 AND stage = ?2 AND deleted_at IS NULL",
        )?
        .query_row(params![db.ctx.team_id.as_str(), stage], |r| r.get(0))?)
}

pub fn get(db: &Db<'_>, id: &DealId) -> Result<Deal> {
    let sql = format!("SELECT {DEAL_COLUMNS} {DEAL_FROM} WHERE d.id = ?1 AND d.team_id = ?2 AND d.deleted_at IS NULL");
    db.conn
        .prepare_cached(&sql)?
        .query_row(params![id.as_str(), db.ctx.team_id.as_str()], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound { what: "deal", reference: id.to_string() })
}

/// Finds a deal by id, or by an unambiguous title.
pub fn resolve(db: &Db<'_>, reference: &str) -> Result<DealId> {
    resolve_for(db, reference, None)
}

/// Finds a deal by id, by its title (case and accents aside), or by its lead when that lead has one open
/// deal; a reference that is both a title and a lead names every deal it could mean, and is ambiguous when
/// that is more than one. Given the `lead` it is for, a title several leads' deals share names that lead's.
pub fn resolve_for(db: &Db<'_>, reference: &str, lead: Option<&LeadId>) -> Result<DealId> {
    let r = reference.trim();
    if let Some(id) = crate::domain::canonical_id(r) {
        // An id stored as an older import wrote it ("{...}") is found too.
        return get(db, &DealId(id)).or_else(|_| get(db, &DealId(r.to_lowercase()))).map(|d| d.id);
    }
    // A short id that names several deals says which (unless it is a deal's title too).
    let ambiguous = match super::resolve_id(db, "deals", "deal", r) {
        Ok(id) => return Ok(DealId(id)),
        Err(e @ StoreError::Ambiguous { .. }) if r.contains('-') => return Err(e),
        Err(e @ StoreError::Ambiguous { .. }) => Some(e),
        Err(_) => None,
    };
    // The lead's own deals first: a title many deals share is still one deal of that lead.
    let mut found = match lead {
        Some(l) => titled(db, r, Some(l))?,
        None => Vec::new(),
    };
    if found.is_empty() {
        found = titled(db, r, None)?;
    }
    // A lead named instead: its open deals (a closed one is reopened by its title or id, never by a name).
    let named = if ambiguous.is_none() { leads::resolve(db, r).ok() } else { None };
    if let Some(named) = &named {
        for d in open_deals_of(db, named)? {
            if !found.iter().any(|f| f.id == d.id) {
                found.push(d);
            }
        }
    }
    if let Some(lead) = lead
        && found.iter().any(|d| &d.lead_id == lead)
    {
        found.retain(|d| &d.lead_id == lead);
    }
    match found.len() {
        0 if named.is_some() => Err(StoreError::Refused(format!(
            "'{r}' is a lead with no open deal; name a closed deal by its title or id"
        ))),
        0 => Err(ambiguous.unwrap_or(StoreError::NotFound { what: "deal", reference: reference.to_string() })),
        1 => Ok(found.remove(0).id),
        _ => Err(StoreError::Ambiguous {
            what: "deal",
            reference: reference.to_string(),
            candidates: found
                .iter()
                .take(10)
                .map(|d| format!("{} — {}, {} ({})", d.title, d.lead_name, d.stage, d.id))
                .chain((found.len() > 10).then(|| "and more".to_string()))
                .collect(),
        }),
    }
}

/// The deals (at most 11: enough to say a title is ambiguous) whose title is `title` folded, of one lead or
/// of the team. SQLite's lower() folds ASCII only, so titles are compared here; a team's deals are few enough
/// to read.
fn titled(db: &Db<'_>, title: &str, lead: Option<&LeadId>) -> Result<Vec<Deal>> {
    let key = fold(title);
    // Two statements, so a lead's deals are read through its index.
    let mut stmt = match lead {
        Some(_) => db
            .conn
            .prepare_cached("SELECT id, title FROM deals WHERE team_id = ?1 AND lead_id = ?2 AND deleted_at IS NULL")?,
        None => db
            .conn
            .prepare_cached("SELECT id, title FROM deals WHERE team_id = ?1 AND deleted_at IS NULL AND ?2 IS NULL")?,
    };
    let mut rows = stmt.query(params![db.ctx.team_id.as_str(), lead.map(LeadId::as_str)])?;
    let mut ids = Vec::new();
    while let Some(row) = rows.next()?
        && ids.len() < 11
    {
        let candidate: String = row.get(1)?;
        if fold(&candidate) == key {
            ids.push(DealId(row.get(0)?));
        }
    }
    ids.iter().map(|id| get(db, id)).collect()
}

/// A lead's open deals (at most 11: enough to say the lead names several).
fn open_deals_of(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Deal>> {
    let sql = format!(
        "SELECT {DEAL_COLUMNS} {DEAL_FROM} WHERE d.lead_id = ?1 AND d.status = 'open' AND d.deleted_at IS NULL
         ORDER BY d.created_at LIMIT 11"
    );
    Ok(db.conn.prepare_cached(&sql)?.query_map([lead.as_str()], from_row)?.collect::<rusqlite::Result<_>>()?)
}

/// Moves a deal to a stage (to the end of that column). Moving into the won or lost stage closes it;
/// moving out of them reopens it.
pub fn move_to(db: &Db<'_>, id: &DealId, stage: &str, lost_reason: Option<String>) -> Result<Deal> {
    let deal = get(db, id)?;
    let stage = db.ctx.stages.resolve(stage)?;
    let status = db.ctx.stages.status_for(&stage);
    if stage == deal.stage {
        // Already there; a reason given for a lost deal is still the rep's to record (or correct).
        if let Some(reason) = non_empty(lost_reason).filter(|_| status == DealStatus::Lost) {
            db.conn.execute(
                "UPDATE deals SET lost_reason = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.as_str(), reason, db.now.0],
            )?;
            return get(db, id);
        }
        return Ok(deal);
    }
    let closed_at = (status != DealStatus::Open).then_some(db.now.0);
    let reason = if status == DealStatus::Lost { non_empty(lost_reason) } else { None };
    // A deal reopened or won after its owner left the team goes to whoever owns the lead now (they took
    // over the lead), or to the rep moving it; one lost stays where it was. The stage a deal is closed
    // from is kept (the old row's `stage`, as SET reads it) until it is reopened.
    let owner = teams::unless_removed("owner_id", &teams::live_owner_of_lead("deals.lead_id", "?8"));
    db.conn.execute(
        &format!(
            "UPDATE deals SET stage = ?2, status = ?3, position = ?4, closed_at = ?5, lost_reason = ?6,
             stage_entered_at = ?7, updated_at = ?7,
             closed_from = CASE WHEN ?3 = 'open' THEN NULL WHEN status = 'open' THEN stage ELSE closed_from END,
             owner_id = CASE WHEN ?3 = 'lost' THEN owner_id ELSE {owner} END
             WHERE id = ?1"
        ),
        params![
            id.as_str(),
            stage,
            status.as_str(),
            next_position(db, &stage)?,
            closed_at,
            reason,
            db.now.0,
            db.ctx.user_id.as_str()
        ],
    )?;
    db.emit(Change::DealMoved { lead: deal.lead_id.clone(), deal: id.clone(), from: deal.stage, to: stage });
    get(db, id)
}

/// A deal a file brings in already closed: when it closed there (`None`: when it was created here) and why
/// it was lost.
pub fn record_closing(db: &Db<'_>, id: &DealId, at: Option<Timestamp>, lost_reason: Option<String>) -> Result<()> {
    db.conn.execute(
        "UPDATE deals SET closed_at = ifnull(?2, closed_at), stage_entered_at = ifnull(?2, stage_entered_at),
         lost_reason = CASE WHEN status = 'lost' THEN ?3 END WHERE id = ?1 AND status != 'open'",
        params![id.as_str(), at.map(|t| t.0), non_empty(lost_reason)],
    )?;
    Ok(())
}

pub fn win(db: &Db<'_>, id: &DealId) -> Result<Deal> {
    let won = db.ctx.stages.won_stage.clone();
    move_to(db, id, &won, None)
}

pub fn lose(db: &Db<'_>, id: &DealId, reason: Option<String>) -> Result<Deal> {
    let lost = db.ctx.stages.lost_stage.clone();
    move_to(db, id, &lost, reason)
}

/// Moves a card up (-1) or down (+1) within its column by swapping with its neighbour.
pub fn reorder(db: &Db<'_>, id: &DealId, delta: i32) -> Result<()> {
    let deal = get(db, id)?;
    let (cmp, order) = if delta < 0 { ("<", "DESC") } else { (">", "ASC") };
    let sql = format!(
        "SELECT id, position FROM deals WHERE team_id = ?1 AND stage = ?2 AND deleted_at IS NULL AND position {cmp} ?3
         ORDER BY position {order} LIMIT 1"
    );
    let neighbour: Option<(String, i64)> = db
        .conn
        .query_row(&sql, params![db.ctx.team_id.as_str(), deal.stage, deal.position], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((other, pos)) = neighbour {
        let mut upd = db.conn.prepare_cached("UPDATE deals SET position = ?2, updated_at = ?3 WHERE id = ?1")?;
        upd.execute(params![id.as_str(), pos, db.now.0])?;
        upd.execute(params![other, deal.position, db.now.0])?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub stage: Option<String>,
    pub status: Option<DealStatus>,
    pub lead: Option<LeadId>,
}

/// Sets when the deal entered its stage (a move taken back gives the deal its earlier time there).
pub fn set_stage_entered_at(db: &Db<'_>, id: &DealId, at: Timestamp) -> Result<()> {
    db.conn
        .prepare_cached("UPDATE deals SET stage_entered_at = ?3 WHERE id = ?1 AND team_id = ?2")?
        .execute(params![id.as_str(), db.ctx.team_id.as_str(), at.0])?;
    Ok(())
}

/// Puts a deal at a place in its column (a move undone: where it stood before).
pub fn set_position(db: &Db<'_>, id: &DealId, position: i64) -> Result<()> {
    db.conn.prepare_cached("UPDATE deals SET position = ?3 WHERE id = ?1 AND team_id = ?2")?.execute(params![
        id.as_str(),
        db.ctx.team_id.as_str(),
        position
    ])?;
    Ok(())
}

/// The lead's deals (for a command to compare before and after a write: `moved_since`).
pub fn of_lead(db: &Db<'_>, lead: &LeadId) -> Result<Vec<Deal>> {
    list(db, &DealFilter { lead: Some(lead.clone()), ..Default::default() }, 1000)
}

/// What a write did to the lead's deals read `before` it, said for the rep: "deal 'X' back from A to B".
pub fn moved_since(db: &Db<'_>, lead: &LeadId, before: &[Deal]) -> Result<Vec<String>> {
    Ok(of_lead(db, lead)?
        .into_iter()
        .filter_map(|d| {
            let was = before.iter().find(|b| b.id == d.id && b.stage != d.stage)?;
            Some(format!("deal '{}' back from {} to {}", d.title, was.stage, d.stage))
        })
        .collect())
}

/// Up to `limit` deals in the pipeline's order (its stages in turn, each by board position), then those
/// at stages the pipeline no longer has, in one snapshot, so a deal moved meanwhile is listed once.
pub fn list(db: &Db<'_>, f: &DealFilter, limit: usize) -> Result<Vec<Deal>> {
    let _snapshot = db.conn.is_autocommit().then(|| db.conn.unchecked_transaction()).transpose()?;
    let mut pages = DealPages::new(db, f)?;
    let mut rows = Vec::new();
    while rows.len() < limit
        && let Some(page) = pages.next(db, limit - rows.len())?
    {
        rows.extend(page);
    }
    Ok(rows)
}

/// `list` a page at a time, for a listing of every deal that holds a page (`deal list --limit` in the
/// hundreds of thousands). Read a stage at a time along the stage index (the stages that can hold the
/// status asked for), so the first deals of the pipeline come first (not those of the stages first in the
/// alphabet), each stage on from the last position read; then the stages the pipeline no longer has, on
/// from the last (stage, position). The caller holds one snapshot across pages.
pub struct DealPages {
    filter: DealFilter,
    stages: Vec<String>,
    /// The stage being read (past the last: those the pipeline lacks), and the last deal read there (its
    /// position and id: two deals may share a position, one a move taken back gave back its place).
    at: usize,
    after: Option<(i64, String)>,
    /// The last deal read at the stages the pipeline lacks: its stage, position and id.
    off_after: Option<(String, i64, String)>,
    done: bool,
}

impl DealPages {
    pub fn new(db: &Db<'_>, f: &DealFilter) -> Result<Self> {
        let stages: Vec<String> = match &f.stage {
            Some(s) => vec![db.ctx.stages.resolve(s)?],
            None => db
                .ctx
                .stages
                .names()
                .iter()
                .filter(|s| f.status.is_none_or(|st| db.ctx.stages.status_for(s) == st))
                .cloned()
                .collect(),
        };
        Ok(Self { filter: f.clone(), stages, at: 0, after: None, off_after: None, done: false })
    }

    /// The next page of at most `limit` deals; None once every deal was read.
    pub fn next(&mut self, db: &Db<'_>, limit: usize) -> Result<Option<Vec<Deal>>> {
        while !self.done {
            let page = self.read(db, limit)?;
            if !page.is_empty() {
                return Ok(Some(page));
            }
        }
        Ok(None)
    }

    /// Reads on from where the last page ended; an empty page moves on to the next stage (or ends).
    fn read(&mut self, db: &Db<'_>, limit: usize) -> Result<Vec<Deal>> {
        let mut sql = format!("SELECT {DEAL_COLUMNS} {DEAL_FROM} WHERE d.team_id = ? AND d.deleted_at IS NULL");
        let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
        if let Some(st) = self.filter.status {
            sql.push_str(" AND d.status = ?");
            args.push(Box::new(st.as_str()));
        }
        if let Some(l) = &self.filter.lead {
            sql.push_str(" AND d.lead_id = ?");
            args.push(Box::new(l.0.clone()));
        }
        let on_pipeline = self.at < self.stages.len();
        if on_pipeline {
            // Along the stage index from the last position read; the pair skips what was read at it.
            sql.push_str(
                " AND d.stage = ? AND d.position >= ? AND (d.position, d.id) > (?, ?) ORDER BY d.position, d.id LIMIT ?",
            );
            let (position, id) = self.after.clone().unwrap_or((i64::MIN, String::new()));
            args.push(Box::new(self.stages[self.at].clone()));
            args.push(Box::new(position));
            args.push(Box::new(position));
            args.push(Box::new(id));
        } else if self.filter.stage.is_none() {
            let all = db.ctx.stages.names();
            sql.push_str(&format!(" AND d.stage NOT IN ({})", vec!["?"; all.len()].join(", ")));
            args.extend(all.iter().map(|s| Box::new(s.clone()) as Box<dyn ToSql>));
            let (stage, position, id) = self.off_after.clone().unwrap_or((String::new(), i64::MIN, String::new()));
            sql.push_str(" AND (d.stage, d.position, d.id) > (?, ?, ?) ORDER BY d.stage, d.position, d.id LIMIT ?");
            args.push(Box::new(stage));
            args.push(Box::new(position));
            args.push(Box::new(id));
        } else {
            self.done = true;
            return Ok(Vec::new());
        }
        args.push(Box::new(limit as i64));
        let mut stmt = db.conn.prepare_cached(&sql)?;
        let page: Vec<Deal> = stmt
            .query_map(params_from_iter(args.iter().map(|b| b.as_ref())), from_row)?
            .collect::<rusqlite::Result<_>>()?;
        match (page.last(), on_pipeline) {
            (Some(last), true) => self.after = Some((last.position, last.id.0.clone())),
            (Some(last), false) => self.off_after = Some((last.stage.clone(), last.position, last.id.0.clone())),
            (None, true) => (self.at, self.after) = (self.at + 1, None),
            (None, false) => self.done = true,
        }
        Ok(page)
    }
}

/// One page of a Kanban column: the deals of `stage` after position `after`, in order.
pub fn column(db: &Db<'_>, stage: &str, after: Option<i64>, limit: usize) -> Result<Vec<Deal>> {
    let sql = format!(
        "SELECT {DEAL_COLUMNS} {DEAL_FROM} WHERE d.team_id = ?1 AND d.stage = ?2 AND d.deleted_at IS NULL
         AND d.position > ?3 ORDER BY d.position LIMIT ?4"
    );
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let rows =
        stmt.query_map(params![db.ctx.team_id.as_str(), stage, after.unwrap_or(i64::MIN), limit as i64], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open deals of `team` at stages the pipeline no longer has (the config's stages changed): each such
/// stage and how many. The board has no column for them; `deal list` shows them and `deal move` takes
/// them back. On a bare connection, so `config check` can ask a database it only reads.
pub fn off_pipeline(
    conn: &rusqlite::Connection,
    team: &str,
    stages: &crate::domain::Stages,
) -> Result<Vec<(String, i64)>> {
    // The stages deals are at, one index seek each (the TUI asks at start: a million leads' deals are not
    // read for it), then the open deals at those the pipeline lacks.
    let mut next =
        conn.prepare_cached("SELECT min(stage) FROM deals WHERE team_id = ?1 AND deleted_at IS NULL AND stage > ?2")?;
    let mut count = conn.prepare_cached(
        "SELECT count(*) FROM deals WHERE team_id = ?1 AND deleted_at IS NULL AND stage = ?2 AND status = 'open'",
    )?;
    let mut out = Vec::new();
    let mut after = String::new();
    while let Some(stage) = next.query_row(rusqlite::params![team, after], |r| r.get::<_, Option<String>>(0))? {
        if !stages.names().contains(&stage) {
            let n: i64 = count.query_row(rusqlite::params![team, stage], |r| r.get(0))?;
            if n > 0 {
                out.push((stage.clone(), n));
            }
        }
        after = stage;
    }
    Ok(out)
}

/// What `off_pipeline` found, said in a line, if anything.
pub fn off_pipeline_note(off: &[(String, i64)]) -> Option<String> {
    if off.is_empty() {
        return None;
    }
    let n: i64 = off.iter().map(|(_, n)| n).sum();
    let stages: Vec<String> = off.iter().map(|(s, n)| format!("{s} ({n})")).collect();
    Some(format!(
        "{n} open deal{} at stages the pipeline no longer has: {}; the board leaves {} out (`leadline deal list` \
         shows them, `leadline deal move` puts them on a stage)",
        if n == 1 { " is" } else { "s are" },
        stages.join(", "),
        if n == 1 { "it" } else { "them" }
    ))
}

/// Count and summed amount per currency of one stage, for a column header.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StageSummary {
    pub stage: String,
    pub count: i64,
    pub totals: Vec<Money>,
}

/// The totals per stage and currency, read off the index of migration 044 alone. total() cannot overflow
/// where sum() would fail the whole query; the cast saturates.
const SUMMARY_SQL: &str = "SELECT stage, currency, count(*), CAST(total(amount_minor) AS INTEGER) FROM deals
     WHERE team_id = ?1 AND deleted_at IS NULL GROUP BY stage, currency";

pub fn summary(db: &Db<'_>) -> Result<Vec<StageSummary>> {
    let mut stmt = db.conn.prepare_cached(SUMMARY_SQL)?;
    let rows: Vec<(String, String, i64, i64)> = stmt
        .query_map([db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(db
        .ctx
        .stages
        .names()
        .iter()
        .map(|stage| {
            let mine: Vec<_> = rows.iter().filter(|r| &r.0 == stage).collect();
            StageSummary {
                stage: stage.clone(),
                count: mine.iter().map(|r| r.2).sum(),
                totals: mine.iter().map(|r| Money { minor: r.3, currency: r.1.clone() }).collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The board's totals come from an index (its condition stands for `deleted_at IS NULL`, so no deal's
    /// row is read): they are read after every move. A stage's deals in board order keep to the stage index,
    /// which gives their order, whatever statistics an earlier version left.
    #[test]
    fn the_boards_totals_are_read_off_an_index() {
        let plan = crate::store::query_plan(SUMMARY_SQL, ["team"]);
        assert!(plan.iter().any(|p| p.contains("INDEX deals_summary")), "{plan:?}");
        let one_stage = "SELECT id FROM deals d WHERE d.team_id = ?1 AND d.deleted_at IS NULL AND d.stage = ?2
                         ORDER BY d.position LIMIT 50";
        // Statistics an ANALYZE left before the summary index came (a demo database's).
        let dir = tempfile::tempdir().unwrap();
        let clock = crate::domain::Clock::Fixed(Timestamp(0));
        let store = crate::store::Store::open(&dir.path().join("t.db"), &crate::config::Config::defaults(), clock);
        let store = store.unwrap();
        store
            .conn()
            .execute_batch(
                "ANALYZE; INSERT INTO sqlite_stat1 VALUES ('deals', 'deals_by_stage', '277455 1001 1001 1');
                 ANALYZE sqlite_schema;",
            )
            .unwrap();
        let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {one_stage}")).unwrap();
        let plan: Vec<String> =
            stmt.query_map(["team", "New"], |r| r.get(3)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        assert!(plan.iter().all(|p| !p.contains("TEMP B-TREE")), "{plan:?}");
    }
}
