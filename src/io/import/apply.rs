//! Applying one item the file gave: a lead row, a record of leadline's own JSON, a calendar event or a reject.

use rusqlite::params;

use super::rejects::reject_record;
use super::writer::Writer;
use super::{Action, Counts, Item, Tally};
use crate::domain::LeadId;
use crate::io::json;
use crate::io::record::{LeadRow, Reject};
use crate::store::{Db, StoreError, bulk, leads, teams};

/// How many lines of short rows the summary lists (it counts them all).
const SHORT_LINES_LISTED: usize = 5;

/// See `Writer::row_mark`.
struct RowMark {
    counts: Counts,
    stages_placed: usize,
    amounts_read: usize,
    short_lines: usize,
    unknown_owners: usize,
    kept_fields: usize,
    changes: usize,
    index: Option<u64>,
}

impl Writer {
    /// A lead as a dry run's list names it: by name, e-mail and company (its id would name nothing the rep
    /// can look up when it is one of the file's own rows, which the dry run does not keep).
    pub(super) fn who(&self, db: &Db<'_>, id: &LeadId) -> String {
        if !self.opts.dry_run {
            return id.to_string();
        }
        match leads::get(db, id) {
            Ok(l) => {
                let mut who = l.name();
                if let Some(email) = &l.email {
                    who.push_str(&format!(" <{email}>"));
                }
                if let Some(company) = &l.company {
                    who.push_str(&format!(" at {company}"));
                }
                who
            }
            Err(_) => id.to_string(),
        }
    }

    pub(super) fn act(&mut self, line: u64, object: &str, action: &str, subject: String, detail: String) {
        if self.opts.dry_run {
            let action = Action { line, object: object.into(), action: action.into(), subject, detail };
            match self.row_actions.as_mut() {
                Some(pending) => pending.push(action),
                None => self.actions.push(action),
            }
        }
    }

    /// A team export carries the team's name and time zone: a database being moved into (no leads yet)
    /// takes them; one already in use keeps its own, and the summary says what the file had. Only an admin's
    /// import reads them (the members are an admin's to add too).
    fn take_team_settings(&mut self, db: &Db<'_>, m: &json::MemberRec) -> crate::store::Result<()> {
        let mut said = Vec::new();
        if !teams::is_admin(db)? {
            self.team_settings = Some(said);
            return Ok(());
        }
        let (name_here, zone_here) = teams::settings(db)?;
        let in_use: bool = db.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM leads WHERE team_id = ?1)",
            [db.ctx.team_id.as_str()],
            |r| r.get(0),
        )?;
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        if let Some(zone) = given(&m.team_timezone).filter(|z| *z != zone_here) {
            let shown = crate::domain::error::one_printable_line(&zone);
            said.push(match crate::domain::time::parse_tz(&zone) {
                Err(_) => format!("the file's time zone '{shown}' is not one; {zone_here} stays"),
                Ok(_) if !in_use => {
                    teams::set_timezone(db, &zone)?;
                    format!("time zone {zone} (was {zone_here})")
                }
                Ok(_) => format!(
                    "the file's time zone is {zone}; {zone_here} stays, as this team has leads \
                     (`leadline team zone {zone}` takes it)"
                ),
            });
        }
        if let Some(name) = given(&m.team_name).filter(|n| *n != name_here) {
            let shown = crate::domain::error::one_printable_line(&name);
            said.push(match crate::domain::lead::check_label("team name", &name) {
                Err(e) => format!("the file's team name '{shown}' {}; {name_here} stays", e.reason),
                Ok(()) if !in_use => {
                    teams::set_team_name(db, &name)?;
                    format!("name {name} (was {name_here})")
                }
                Ok(()) => format!("the file's team is named {name}; {name_here} stays, as this team has leads"),
            });
        }
        self.team_settings = Some(said);
        Ok(())
    }

    /// Where the summary stands before a row that runs in a savepoint: what it adds is held back until it
    /// is kept, or taken back with it (`take_back_row`).
    fn row_mark(&mut self, db: &Db<'_>) -> RowMark {
        self.row_actions = Some(Vec::new());
        RowMark {
            counts: self.counts.clone(),
            stages_placed: self.stages_placed.len(),
            amounts_read: self.amounts_read.len(),
            short_lines: self.short_lines.len(),
            unknown_owners: self.unknown_owners.len(),
            kept_fields: self.kept_fields.len(),
            changes: db.changes_mark(),
            index: self.indexes.as_ref().map(bulk::IndexBuild::mark),
        }
    }

    fn keep_row(&mut self) {
        for action in self.row_actions.take().unwrap_or_default() {
            self.actions.push(action);
        }
    }

    /// A row refused late leaves nothing in the summary: its counts, actions, notes and changes go with it.
    fn take_back_row(&mut self, db: &Db<'_>, mark: RowMark) {
        self.row_actions = None;
        self.counts = mark.counts;
        self.stages_placed.truncate(mark.stages_placed);
        self.amounts_read.truncate(mark.amounts_read);
        self.short_lines.truncate(mark.short_lines);
        self.unknown_owners.truncate(mark.unknown_owners);
        self.kept_fields.truncate(mark.kept_fields);
        // A company the row made is gone with it, and so may be one it moved its lead from; and a lead it
        // added on a switchboard's number.
        self.accounts.clear();
        self.switchboards.clear();
        db.forget_changes_since(mark.changes);
        if let (Some(build), Some(index)) = (self.indexes.as_mut(), mark.index) {
            build.rollback_to(index);
        }
    }

    pub(super) fn apply(
        &mut self,
        db: &Db<'_>,
        item: std::result::Result<Option<Item>, Reject>,
    ) -> crate::store::Result<()> {
        match item {
            Ok(None) => Ok(()),
            Err(reject) => self.reject(db, self.rows_are, reject),
            Ok(Some(Item::Lead(mut row))) => {
                let line = row.line;
                if row.short {
                    self.counts.short_rows += 1;
                    if self.short_lines.len() < SHORT_LINES_LISTED {
                        self.short_lines.push(line);
                    }
                }
                if row.forgotten_at.is_some() {
                    // Whatever else the file holds of a person it says was forgotten is not kept.
                    crate::io::privacy::erase_row(&mut row);
                }
                if let Some((column, reason)) = self.forgotten_refusal(db, &row)? {
                    // The file's other records about this lead (its notes, deals) are refused in turn; unless the
                    // id is a live lead's here (a hostile file's row would make another person unimportable).
                    if let Some(id) = &row.id
                        && leads::find(db, id)?.is_none()
                    {
                        let hash = crate::store::forgotten::id_hash(id.as_str());
                        crate::store::forgotten::remember_hashes(db, None, std::slice::from_ref(&hash), db.now)?;
                        self.forgotten.insert(hash);
                    }
                    // Nothing of the row is kept, not even for the rejects file: it is the person's data.
                    return self.reject(
                        db,
                        "leads",
                        Reject { line, column: Some(column.into()), reason, record: Vec::new() },
                    );
                }
                let country = row.country.clone().or_else(|| db.ctx.country.clone());
                for text in [&mut row.notes, &mut row.title].into_iter().flatten() {
                    self.leave_out_the_forgotten(text, country.as_deref());
                }
                // Everything a plain row writes was validated before; a row that also brings a deal or a
                // touch runs in a savepoint so a late refusal takes back all of it.
                if row.deal.is_none() && row.profile_url.is_none() {
                    return match self.apply_lead(db, *row) {
                        Err(StoreError::Invalid(v)) => Err(StoreError::Refused(format!("line {line}: {v}"))),
                        other => other,
                    };
                }
                db.conn.prepare_cached("SAVEPOINT import_row")?.execute([])?;
                let mark = self.row_mark(db);
                let raw = std::mem::take(&mut row.raw);
                // What else the row brings, refused with it (`CsvSource::objects_of_row`).
                let held_deal = row.deal.is_some();
                let held_touch = row.profile_url.is_some() && row.connected_on.is_some();
                match self.apply_lead(db, *row) {
                    Ok(()) => {
                        db.conn.prepare_cached("RELEASE import_row")?.execute([])?;
                        self.keep_row();
                        Ok(())
                    }
                    Err(StoreError::Invalid(v)) => {
                        db.conn.prepare_cached("ROLLBACK TO import_row")?.execute([])?;
                        db.conn.prepare_cached("RELEASE import_row")?.execute([])?;
                        self.take_back_row(db, mark);
                        if held_deal {
                            self.counts.deals.rejected += 1;
                        }
                        if held_touch {
                            self.counts.outreach.rejected += 1;
                        }
                        let reject = Reject::invalid(line, &v, raw);
                        self.reject(db, "leads", reject)
                    }
                    Err(e) => Err(e),
                }
            }
            Ok(Some(Item::Object(mut obj, raw))) => {
                let line = obj.line();
                let what = obj.kind();
                let country = db.ctx.country.clone();
                match obj.as_mut() {
                    json::Object::Note(_, n) => self.leave_out_the_forgotten(&mut n.body, country.as_deref()),
                    json::Object::Outreach(_, o) => {
                        for text in o.description.iter_mut().chain([&mut o.value]) {
                            self.leave_out_the_forgotten(text, country.as_deref());
                        }
                    }
                    _ => {}
                }
                if let json::Object::Member(_, m) = obj.as_ref()
                    && self.team_settings.is_none()
                {
                    self.take_team_settings(db, m)?;
                }
                match json::apply(db, *obj) {
                    Ok(true) => {
                        self.tally(what).created += 1;
                        self.act(line, what, "create", String::new(), String::new());
                        Ok(())
                    }
                    Ok(false) => {
                        self.tally(what).skipped += 1;
                        self.act(line, what, "skip", String::new(), "already there".into());
                        Ok(())
                    }
                    Err(StoreError::Invalid(v)) => {
                        let reject = Reject::invalid(line, &v, raw);
                        self.reject(db, what, reject)
                    }
                    Err(StoreError::NotFound { what: w, reference }) => {
                        let reason = format!("{w} not found: {reference}");
                        self.reject(db, what, Reject { line, column: None, reason, record: raw })
                    }
                    Err(StoreError::Refused(reason)) => {
                        self.reject(db, what, Reject { line, column: None, reason, record: raw })
                    }
                    Err(e) => Err(e),
                }
            }
            Ok(Some(Item::Event(ev))) => self.apply_event(db, *ev),
            Ok(Some(Item::Refused(held, reject))) => {
                for also in held.iter().skip(1) {
                    self.tally(also).rejected += 1;
                }
                self.reject(db, held.first().copied().unwrap_or(self.rows_are), reject)
            }
        }
    }

    /// A text written without the addresses, numbers and profiles of people forgotten here, counted.
    fn leave_out_the_forgotten(&mut self, text: &mut String, country: Option<&str>) {
        if let Some(without) = crate::io::privacy::without_the_forgotten(&self.forgotten, text, country) {
            *text = without;
            self.counts.forgotten_left_out += 1;
        }
    }

    /// Which field names a forgotten person, and why the row is not taken (None: it is taken): one of its
    /// addresses (those of the leads it says were merged into it are theirs too) or its profile.
    fn forgotten_refusal(&self, db: &Db<'_>, row: &LeadRow) -> crate::store::Result<Option<(&'static str, String)>> {
        if self.forgotten.is_empty() || row.forgotten_at.is_some() {
            return Ok(None);
        }
        let addresses = row.emails.iter().chain(row.merges.iter().filter_map(|m| m.merged_email.as_ref()));
        let addresses = addresses.flat_map(|e| crate::store::forgotten::address_hashes(e)).map(|h| ("email", h));
        let profile = row
            .profile()
            .filter(|p| crate::domain::lead::is_member_page(p))
            .into_iter()
            .flat_map(|p| crate::store::forgotten::profile_hashes(&p))
            .map(|h| ("profile_url", h));
        let phones = row
            .phones
            .iter()
            .flat_map(|p| crate::store::forgotten::phone_lookup_hashes(p, row.country.as_deref()))
            .map(|h| ("phone", h));
        for (field, hash) in addresses.chain(profile).chain(phones) {
            if self.forgotten.contains(&hash)
                && let Some(at) = crate::store::forgotten::forgotten_at_hash(db, &hash)?
            {
                let reason = crate::store::forgotten::refusal(at, db);
                let reason = match field {
                    "email" => reason,
                    "phone" => reason.replacen("the e-mail address", "the phone number", 1),
                    _ => reason.replacen("the e-mail address", "the profile", 1),
                };
                return Ok(Some((field, reason)));
            }
        }
        Ok(None)
    }

    fn tally(&mut self, object: &str) -> &mut Tally {
        match object {
            "outreach" => &mut self.counts.outreach,
            "meetings" => &mut self.counts.meetings,
            "deals" => &mut self.counts.deals,
            "tasks" => &mut self.counts.tasks,
            "notes" => &mut self.counts.notes,
            "team" => &mut self.counts.team,
            "inbox" => &mut self.counts.inbox,
            "privacy" => &mut self.counts.privacy,
            _ => &mut self.counts.leads,
        }
    }

    pub(super) fn reject(&mut self, db: &Db<'_>, object: &'static str, mut reject: Reject) -> crate::store::Result<()> {
        // A row refused for any reason that names a forgotten person keeps nothing of them: not its values,
        // nor a reason that may quote one.
        if let Some(hash) = crate::store::forgotten::named_forgotten(&self.forgotten, &reject.record)
            .or_else(|| crate::store::forgotten::named_forgotten(&self.forgotten, std::slice::from_ref(&reject.reason)))
            && let Some(at) = crate::store::forgotten::forgotten_at_hash(db, &hash)?
        {
            reject.record.clear();
            reject.reason = crate::store::forgotten::row_refusal(at, db);
        }
        self.tally(object).rejected += 1;
        self.act(reject.line, object, "reject", reject.column.clone().unwrap_or_default(), reject.reason.clone());
        if self.opts.dry_run {
            self.dry_rejects.push(reject_record(reject));
        } else {
            db.conn
                .prepare_cached(
                    "INSERT OR REPLACE INTO import_rejects (run_id, line, column_name, reason, record)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    self.run_id,
                    reject.line as i64,
                    reject.column,
                    reject.reason,
                    serde_json::to_string(&reject.record).unwrap_or_default()
                ])?;
        }
        Ok(())
    }
}
