//! The deal a lead row brings: made, or found again (by the file's id for it, or among the lead's deals of
//! its title) and then merged or updated as `--on-duplicate` says.

use rusqlite::{OptionalExtension, params};

use super::OnDuplicate;
use super::writer::Writer;
use crate::domain::text::fold;
use crate::domain::{DealId, DealStatus, LeadId, Lifecycle, Money, ValidationError};
use crate::io::record::{DealRow, LeadRow};
use crate::store::leads::{self, LeadPatch};
use crate::store::{Db, StoreError, deals};

/// How many deal amounts that read two ways the summary lists (it counts them all).
const AMOUNTS_READ_LISTED: usize = 5;

/// A deal of the lead's, as a row without the CRM's id is matched to one.
struct Held {
    rowid: i64,
    id: String,
    title: String,
    /// It has a CRM's id (a row with another id is not it).
    has_ref: bool,
    created_at: i64,
    /// A row of this run made or found it.
    taken: bool,
    amount: Money,
    status: String,
}

/// A deal found again, and whether a row of this run made or found it before.
struct Found {
    deal: deals::Deal,
    this_run: bool,
}

impl Writer {
    /// Another CRM's deal stage becomes the pipeline stage it most likely means, or the first one; the
    /// summary lists each stage placed so. A deal the file says is won or lost goes to that stage (closed
    /// from the open one it names); one it says is open stays open whatever its stage's name ("Won" may be
    /// the last stage of a Pipedrive pipeline); where no column says, a closed stage closes it ("Closed
    /// Lost" beside its close date).
    pub(super) fn place_deal(&mut self, db: &Db<'_>, deal: &mut DealRow) {
        let stages = &db.ctx.stages;
        let placed = deal.stage.take().map(|stage| {
            let to = stages.closest(&stage).unwrap_or(stages.first()).to_string();
            (stage.trim().to_string(), to)
        });
        let said = placed.as_ref().map(|(_, to)| stages.status_for(to));
        let place = match (deal.status, said) {
            (Some(closed @ (DealStatus::Won | DealStatus::Lost)), _) => {
                deal.closed_from = placed.map(|(_, to)| to).filter(|_| said == Some(DealStatus::Open));
                let stage = if closed == DealStatus::Won { &stages.won_stage } else { &stages.lost_stage };
                Some((None, stage.clone()))
            }
            (Some(DealStatus::Open), Some(closed)) if closed != DealStatus::Open => {
                placed.map(|(from, _)| (Some(from), stages.first().to_string()))
            }
            (None, Some(closed)) if closed != DealStatus::Open => {
                deal.status = Some(closed);
                placed.map(|(from, to)| (Some(from), to))
            }
            _ => placed.map(|(from, to)| (Some(from), to)),
        };
        if let Some((from, to)) = place {
            if let Some(from) = from.filter(|f| !f.eq_ignore_ascii_case(&to)) {
                let note = format!("{from} → {to}");
                if !self.stages_placed.contains(&note) {
                    self.stages_placed.push(note);
                }
            }
            deal.stage = Some(to);
        }
        deal.settle();
    }

    /// Makes the row's deal unless it is there already (`deal_of`).
    pub(super) fn apply_deal(
        &mut self,
        db: &Db<'_>,
        lead: &LeadId,
        row: &LeadRow,
        d: &DealRow,
        subject: &str,
    ) -> crate::store::Result<()> {
        match self.deal_of(db, lead, d)? {
            // The same line twice (a file joined from two exports): the deal the first made, found again.
            Some(found) if found.this_run && found.deal.lead_id == *lead && says_the_same(&found.deal, d) => {
                self.deal_again(db, lead, found.deal, row, d, subject)
            }
            // One id given to two deals of the file: the second is not the first made again.
            Some(Found { this_run: true, .. }) if self.file_ref(d).is_some() => {
                Err(StoreError::Invalid(ValidationError::new(
                    d.id_column.as_deref().unwrap_or("deal_id"),
                    d.source_ref.as_deref().unwrap_or_default().trim(),
                    "is the id of another deal earlier in this file; each deal has its own",
                )))
            }
            Some(found) => self.deal_again(db, lead, found.deal, row, d, subject),
            None => self.create_deal(db, lead, row, d, subject),
        }
    }

    /// The deal that the row's deal is: the one with the file's id for it, whichever person it is on here
    /// (the other CRM may have given it to another); else one of the lead's of the same title (whatever
    /// its case and accents) that has no other id and that no earlier row of this import took
    /// (`deals.import_run`), made when the file says if one was. A file lists each deal once, so a second
    /// row with the same title (a yearly renewal) is a deal of its own, and the same file again finds each
    /// deal it made.
    fn deal_of(&mut self, db: &Db<'_>, lead: &LeadId, d: &DealRow) -> crate::store::Result<Option<Found>> {
        let runs = (self.run_id.as_str(), self.resumed_run.as_deref().unwrap_or(self.run_id.as_str()));
        let reference = self.file_ref(d);
        let found = match &reference {
            Some(reference) => deal_by_ref(db, reference, runs, Some(lead))?,
            None => None,
        };
        let found = match found {
            Some(f) => Some(f),
            None => {
                let held: Vec<Held> = db
                    .conn
                    .prepare_cached(
                        "SELECT rowid, id, title, source_ref IS NOT NULL, created_at, ifnull(import_run IN (?2, ?3), 0),
                         amount_minor, currency, status FROM deals
                         WHERE lead_id = ?1 AND deleted_at IS NULL ORDER BY created_at, rowid",
                    )?
                    .query_map(params![lead.as_str(), runs.0, runs.1], |r| {
                        Ok(Held {
                            rowid: r.get(0)?,
                            id: r.get(1)?,
                            title: r.get(2)?,
                            has_ref: r.get(3)?,
                            created_at: r.get(4)?,
                            taken: r.get(5)?,
                            amount: Money { minor: r.get(6)?, currency: r.get(7)? },
                            status: r.get(8)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                let title = fold(&d.title);
                // Of those, the one made when the file says, else of the same amount, else as open or closed
                // as the row says (a file sorted otherwise than the last one finds each), else the earliest.
                let status = d.status.or_else(|| d.stage.as_deref().map(|s| db.ctx.stages.status_for(s)));
                let fit = |h: &Held| {
                    (
                        d.created_at.is_some_and(|at| at.0 == h.created_at),
                        d.amount.as_ref() == Some(&h.amount),
                        status.is_some_and(|s| s.as_str() == h.status),
                    )
                };
                held.iter()
                    .enumerate()
                    .filter(|(_, h)| !h.taken && (reference.is_none() || !h.has_ref) && fold(&h.title) == title)
                    .max_by_key(|(at, h)| (fit(h), std::cmp::Reverse(*at)))
                    .map(|(_, h)| (h.rowid, h.id.clone(), false))
            }
        };
        let Some((rowid, id, this_run)) = found else { return Ok(None) };
        self.claim_deal(db, rowid)?;
        Ok(Some(Found { deal: deals::get(db, &DealId(id))?, this_run }))
    }

    /// The deal's id in the file, if it gives one, with where it comes from (`pipedrive:101`): ids of two
    /// CRMs, or of a CRM and a sheet, are not one deal's.
    fn file_ref(&self, d: &DealRow) -> Option<String> {
        let id = d.source_ref.as_deref().map(str::trim).filter(|r| !r.is_empty())?;
        Some(format!("{}:{id}", self.source_scope))
    }

    /// Marks the deal (by its row number) as made or found by a row of this run.
    fn claim_deal(&self, db: &Db<'_>, rowid: i64) -> crate::store::Result<()> {
        db.conn
            .prepare_cached("UPDATE deals SET import_run = ?2 WHERE rowid = ?1")?
            .execute(params![rowid, self.run_id])?;
        Ok(())
    }

    fn create_deal(
        &mut self,
        db: &Db<'_>,
        lead: &LeadId,
        row: &LeadRow,
        d: &DealRow,
        subject: &str,
    ) -> crate::store::Result<()> {
        let id = deals::create(
            db,
            deals::NewDeal {
                lead: lead.clone(),
                title: d.title.clone(),
                amount: d.amount.clone(),
                product: row.product_interest.clone(),
                use_case: None,
                stage: d.stage.clone(),
                origin_outreach: None,
            },
        )?;
        // Whose deal it is, since when, its id there and the open stage it was closed from (where `H` reopens
        // it), as the file says (the lead's owner and now otherwise); made by this run (`deal_of`).
        let owner = match d.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(owner) => Some(
                self.member_named(db, owner.to_string(), owner.to_string())?.unwrap_or_else(|| db.ctx.user_id.clone()),
            ),
            None => None,
        };
        db.conn
            .prepare_cached(
                "UPDATE deals SET owner_id = ifnull(?2, owner_id), created_at = ifnull(?3, created_at), source_ref = ?4,
                 closed_from = CASE WHEN status != 'open' THEN ?5 END, import_run = ?6 WHERE id = ?1",
            )?
            .execute(params![
                id.as_str(),
                owner.as_ref().map(|u| u.as_str()),
                d.created_at.filter(|t| t.0 < db.now.0).map(|t| t.0),
                self.file_ref(d),
                d.closed_from,
                self.run_id
            ])?;
        if d.status.is_some_and(|s| s != DealStatus::Open) {
            deals::record_closing(db, &id, d.closed_at, d.lost_reason.clone())?;
        }
        self.note_amount_read(row, d);
        if d.status == Some(DealStatus::Won) {
            self.deal_won(db, lead, row, &id)?;
        }
        self.counts.deals.created += 1;
        let amount = d.amount.as_ref().map(|m| m.to_string()).unwrap_or_default();
        let status = match d.status {
            Some(s @ (DealStatus::Won | DealStatus::Lost)) => format!(" ({})", s.as_str()),
            _ => String::new(),
        };
        self.act(row.line, "deals", "create", subject.to_string(), format!("{} {amount}{status}", d.title));
        Ok(())
    }

    /// A deal here, in the file again: `skip` leaves it; `merge` fills what it lacks (an amount, a lost
    /// reason) and keeps what the rep has, saying what the file has otherwise; `update` takes the file's
    /// person, title, amount, owner, stage (won, lost, reopened) and lost reason.
    /// An amount written that could be read two ways ("1.500"), as it was read, for the summary.
    fn note_amount_read(&mut self, row: &LeadRow, d: &DealRow) {
        if let Some(reading) = &d.amount_read {
            self.counts.amounts_two_ways += 1;
            if self.amounts_read.len() < AMOUNTS_READ_LISTED {
                self.amounts_read.push(format!("line {}: {reading}", row.line));
            }
        }
    }

    fn deal_again(
        &mut self,
        db: &Db<'_>,
        lead: &LeadId,
        deal: deals::Deal,
        row: &LeadRow,
        d: &DealRow,
        subject: &str,
    ) -> crate::store::Result<()> {
        // The file's id for a deal that had none is kept whatever the mode: it finds the deal next time.
        if deal.source_ref.is_none()
            && let Some(reference) = self.file_ref(d)
        {
            db.conn
                .prepare_cached("UPDATE deals SET source_ref = ?2 WHERE id = ?1")?
                .execute(params![deal.id.as_str(), reference])?;
        }
        let mode = self.opts.on_duplicate;
        let update = mode == OnDuplicate::Update;
        let mut changed: Vec<String> = Vec::new();
        let mut kept: Vec<&'static str> = Vec::new();
        if mode != OnDuplicate::Skip {
            // Found by its id on another person: the other CRM gave it to this one.
            // What a win made of the other person is taken back when the deal leaves them (made again for
            // this one below, if it is still won).
            let mut win_taken_back = false;
            if deal.lead_id != *lead {
                if update {
                    if deal.status == DealStatus::Won {
                        crate::automation::clients::unconvert(db, &deal)?;
                        win_taken_back = true;
                    }
                    db.conn
                        .prepare_cached(
                            "UPDATE deals SET lead_id = ?2, account_id = (SELECT account_id FROM leads WHERE id = ?2),
                             updated_at = ?3 WHERE id = ?1",
                        )?
                        .execute(params![deal.id.as_str(), lead.as_str(), db.now.0])?;
                    changed.push(format!("moved from {}", deal.lead_name));
                } else {
                    kept.push("deal person");
                }
            }
            if fold(&deal.title) != fold(&d.title) {
                if update {
                    crate::domain::lead::check_one_line("title", &d.title)?;
                    db.conn
                        .prepare_cached("UPDATE deals SET title = ?2, updated_at = ?3 WHERE id = ?1")?
                        .execute(params![deal.id.as_str(), d.title.trim(), db.now.0])?;
                    changed.push(format!("title {} → {}", deal.title, d.title.trim()));
                } else {
                    kept.push("deal title");
                }
            }
            // An amount the file gives no currency for is in the deal's own, not the team's.
            let amount = match &d.amount_without_currency {
                Some(written) => Money::parse_read(written, &deal.currency).ok().map(|(m, _)| m).or(d.amount.clone()),
                None => d.amount.clone(),
            };
            if let Some(m) = amount.as_ref().filter(|m| **m != deal.money()) {
                if update || deal.amount_minor == 0 {
                    db.conn
                        .prepare_cached(
                            "UPDATE deals SET amount_minor = ?2, currency = ?3, updated_at = ?4 WHERE id = ?1",
                        )?
                        .execute(params![deal.id.as_str(), m.minor, m.currency, db.now.0])?;
                    changed.push(format!("amount {} → {m}", deal.money()));
                    self.note_amount_read(row, d);
                } else {
                    kept.push("deal amount");
                }
            }
            // An owner who is nobody here leaves the deal its owner's.
            if let Some(owner) = d.owner.as_deref().map(str::trim).filter(|o| !o.is_empty())
                && let Some(user) = self.member_named(db, owner.to_string(), owner.to_string())?
                && deal.owner_id.as_deref() != Some(user.as_str())
            {
                if update {
                    db.conn
                        .prepare_cached("UPDATE deals SET owner_id = ?2, updated_at = ?3 WHERE id = ?1")?
                        .execute(params![deal.id.as_str(), user.as_str(), db.now.0])?;
                    let now: String = db
                        .conn
                        .prepare_cached("SELECT name FROM users WHERE id = ?1")?
                        .query_row([user.as_str()], |r| r.get(0))?;
                    changed.push(format!("owner {} → {now}", deal.owner.as_deref().unwrap_or("nobody")));
                } else {
                    kept.push("deal owner");
                }
            }
            // A deal the file says is open again, at no stage it names, goes back where it was closed from.
            let reopened = (d.status == Some(DealStatus::Open) && deal.status != DealStatus::Open && d.stage.is_none())
                .then(|| deal.closed_from.clone().unwrap_or_else(|| db.ctx.stages.first().to_string()));
            let reason = d.lost_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            match d.stage.clone().or(reopened).filter(|s| *s != deal.stage) {
                Some(stage) if update => {
                    let moved = deals::move_to(db, &deal.id, &stage, reason.map(str::to_string))?;
                    if moved.status != DealStatus::Open {
                        deals::record_closing(db, &deal.id, d.closed_at, reason.map(str::to_string))?;
                    }
                    changed.push(format!("stage {} → {stage}", deal.stage));
                    // What a win did is taken back when the file says the deal is lost or open again, as
                    // when the rep moves it; a new win makes a customer.
                    if deal.status == DealStatus::Won && moved.status != DealStatus::Won && !win_taken_back {
                        crate::automation::clients::unconvert(db, &moved)?;
                    }
                    if moved.status == DealStatus::Won {
                        self.deal_won(db, &moved.lead_id, row, &deal.id)?;
                    }
                }
                // Won still, on this person now.
                _ if win_taken_back => self.deal_won(db, lead, row, &deal.id)?,
                Some(_) => kept.push("deal stage"),
                None if deal.status == DealStatus::Lost
                    && reason.is_some()
                    && deal.lost_reason.as_deref() != reason =>
                {
                    if update || deal.lost_reason.is_none() {
                        db.conn
                            .prepare_cached("UPDATE deals SET lost_reason = ?2, updated_at = ?3 WHERE id = ?1")?
                            .execute(params![deal.id.as_str(), reason, db.now.0])?;
                        changed.push("lost reason".into());
                    } else {
                        kept.push("deal lost reason");
                    }
                }
                None => {}
            }
        }
        for field in &kept {
            if !self.kept_fields.contains(field) {
                self.kept_fields.push(field);
            }
        }
        self.deal_values_kept |= !kept.is_empty();
        let mut detail = format!("{}: ", d.title);
        match (changed.is_empty(), mode) {
            (true, _) => {
                self.counts.deals.skipped += 1;
                // A merge leaves a deal the file gives another person where it is.
                match deal.lead_id == *lead {
                    true => detail.push_str("the lead has it already"),
                    false => detail.push_str(&format!("{} has it", deal.lead_name)),
                }
            }
            (false, OnDuplicate::Update) => {
                self.counts.deals.updated += 1;
                detail.push_str(&changed.join(", "));
            }
            (false, _) => {
                self.counts.deals.merged += 1;
                detail.push_str(&changed.join(", "));
            }
        }
        if !kept.is_empty() {
            detail.push_str(&format!("; the deal's {} kept", kept.join(", ").replace("deal ", "")));
        }
        let action = match (changed.is_empty(), update) {
            (true, _) => "skip",
            (false, true) => "update",
            (false, false) => "merge",
        };
        self.act(row.line, "deals", action, subject.to_string(), detail);
        Ok(())
    }

    /// A deal the file says its CRM deleted: not brought over. An update removes the one it finds here by
    /// the file's id for it (the rep's own deals of that title stay).
    pub(super) fn deleted_deal(
        &mut self,
        db: &Db<'_>,
        row: &LeadRow,
        d: &DealRow,
        subject: &str,
    ) -> crate::store::Result<()> {
        let runs = (self.run_id.as_str(), self.resumed_run.as_deref().unwrap_or(self.run_id.as_str()));
        let here: Option<String> = match (self.opts.on_duplicate, self.file_ref(d)) {
            (OnDuplicate::Update, Some(reference)) => deal_by_ref(db, &reference, runs, None)?.map(|(_, id, _)| id),
            _ => None,
        };
        match here {
            Some(id) => {
                // A win it was takes back what it made, as a won deal lost would.
                let gone = deals::get(db, &DealId(id.clone()))?;
                if gone.status == DealStatus::Won {
                    crate::automation::clients::unconvert(db, &gone)?;
                }
                db.conn
                    .prepare_cached("UPDATE deals SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1")?
                    .execute(params![id, db.now.0])?;
                self.counts.deals.updated += 1;
                let detail = format!("{}: removed, as it was deleted where the file comes from", d.title);
                self.act(row.line, "deals", "update", subject.to_string(), detail);
            }
            None => {
                self.counts.deals.skipped += 1;
                let detail = format!("{}: deleted where the file comes from", d.title);
                self.act(row.line, "deals", "skip", subject.to_string(), detail);
            }
        }
        Ok(())
    }

    /// A won deal is what made its person a customer (another CRM's export says so only this way); a
    /// lifecycle the file gives, or a churn, stands. The customer record says since when, and the win
    /// remembers what it changed, so a deal reopened later takes back exactly that.
    fn deal_won(&mut self, db: &Db<'_>, lead: &LeadId, row: &LeadRow, id: &DealId) -> crate::store::Result<()> {
        if row.lifecycle.is_none() && leads::get(db, lead)?.lifecycle == Lifecycle::Lead.as_str() {
            let patch = LeadPatch { lifecycle: Some(Lifecycle::Customer), ..Default::default() };
            leads::update(db, lead, patch)?;
            crate::automation::clients::remember_made_customer(db, id)?;
        }
        crate::automation::clients::record_imported_win(db, &deals::get(db, id)?)
    }
}

/// Whether a row's deal says nothing other than the deal it found: its title, and the amount, stage and
/// status it gives.
fn says_the_same(deal: &deals::Deal, d: &DealRow) -> bool {
    fold(&deal.title) == fold(&d.title)
        && d.amount.as_ref().is_none_or(|m| *m == deal.money())
        && d.stage.as_ref().is_none_or(|s| *s == deal.stage)
        && d.status.is_none_or(|s| s == deal.status)
}

/// The live deal with this CRM id (`preset:id`), on a lead still here (a deal of a removed lead is that
/// person's history: the person brought back gets the deal anew); `lead`'s first when it has one. With its
/// row number and whether a row of this run (`runs`: this one, and the one it resumes) made or found it.
fn deal_by_ref(
    db: &Db<'_>,
    reference: &str,
    runs: (&str, &str),
    lead: Option<&LeadId>,
) -> crate::store::Result<Option<(i64, String, bool)>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT d.rowid, d.id, ifnull(d.import_run IN (?3, ?4), 0) FROM deals d JOIN leads l ON l.id = d.lead_id
             WHERE d.team_id = ?1 AND d.source_ref = ?2 AND d.deleted_at IS NULL AND l.deleted_at IS NULL
             ORDER BY d.lead_id = ?5 DESC, d.created_at, d.rowid LIMIT 1",
        )?
        .query_row(params![db.ctx.team_id.as_str(), reference, runs.0, runs.1, lead.map(LeadId::as_str)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}
