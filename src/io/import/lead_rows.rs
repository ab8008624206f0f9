//! New leads from rows: their owner, company, keys and privacy log, and the touches and deals a row implies.

use rusqlite::{OptionalExtension, params};

use super::keys::profile_forms;
use super::matching::{SAME_PHONE_OTHER_EMAIL, SAME_PHONE_OTHER_NAME, stage_candidate};
use super::writer::Writer;
use crate::domain::lead::normalize_email;
use crate::domain::{AccountId, LeadId, Lifecycle, OutreachKind, Timestamp, UserId};
use crate::io::dedupe::name_company_key;
use crate::io::record::{LeadRow, Reject};
use crate::store::leads;
use crate::store::outreach::{self, NewOutreach};
use crate::store::{Change, Db, StoreError, accounts, bulk, contact, teams};

/// When the lead of this id was removed, if it was.
fn removed_at(db: &Db<'_>, id: &LeadId) -> crate::store::Result<Option<Timestamp>> {
    let at: Option<Option<i64>> = db
        .conn
        .prepare_cached("SELECT deleted_at FROM leads WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?;
    Ok(at.flatten().map(Timestamp))
}

/// Name + company keys of a chunk's new leads kept in memory (a chunk is a few thousand rows; a bulk load
/// that lost its key table looks further ones up in the database).
const CHUNK_NAMES: usize = 50_000;

impl Writer {
    /// The member a row names as owner: by the owner's e-mail when the file gives it (a name may be another
    /// member's, or spelt otherwise, in this team, so it is not tried then), else by name; the importing
    /// user when that is nobody here, and the owner is listed as unknown.
    pub(super) fn owner(&mut self, db: &Db<'_>, row: &LeadRow) -> crate::store::Result<UserId> {
        Ok(self.named_owner(db, row)?.unwrap_or_else(|| db.ctx.user_id.clone()))
    }

    /// The member the row names as the lead's owner: none when it names nobody, or nobody here (then listed
    /// as an unknown owner). A lead here keeps its owner then; a new one is the importing user's (`owner`).
    pub(super) fn named_owner(&mut self, db: &Db<'_>, row: &LeadRow) -> crate::store::Result<Option<UserId>> {
        let given = |r: &Option<String>| r.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        let (reference, shown) = match (given(&row.owner_email), given(&row.owner)) {
            (Some(email), Some(name)) => (email.clone(), format!("{name} <{email}>")),
            (Some(only), None) | (None, Some(only)) => (only.clone(), only),
            (None, None) => return Ok(None),
        };
        self.member_named(db, reference, shown)
    }

    /// The member `reference` (a name or an e-mail) names; none when that is nobody here, and `shown` is
    /// listed as an unknown owner.
    pub(super) fn member_named(
        &mut self,
        db: &Db<'_>,
        reference: String,
        shown: String,
    ) -> crate::store::Result<Option<UserId>> {
        let (user, unknown) = match self.owners.get(&reference) {
            Some(known) => known.clone(),
            None => {
                let found = match teams::resolve_exact(db, &reference) {
                    Ok(u) => (Some(u), None),
                    Err(StoreError::NotFound { .. } | StoreError::Ambiguous { .. }) => (None, Some(shown)),
                    Err(e) => return Err(e),
                };
                self.owners.insert(reference, found.clone());
                found
            }
        };
        if let Some(shown) = unknown
            && !self.unknown_owners.contains(&shown)
        {
            self.unknown_owners.push(shown);
        }
        Ok(user)
    }

    fn account(&mut self, db: &Db<'_>, name: &str, row: &LeadRow) -> crate::store::Result<AccountId> {
        let key = crate::domain::text::fold(name);
        if let Some(a) = self.accounts.get(&key) {
            return Ok(a.clone());
        }
        let id = accounts::find_or_create(db, name, row.industry.as_deref(), row.company_size.as_deref())?;
        if self.accounts.len() > 100_000 {
            self.accounts.clear();
        }
        self.accounts.insert(key, id.clone());
        Ok(id)
    }

    pub(super) fn apply_lead(&mut self, db: &Db<'_>, mut row: LeadRow) -> crate::store::Result<()> {
        if let Some(why) = row.skip {
            self.counts.leads.skipped += 1;
            let who = row.emails.first().cloned().unwrap_or_else(|| row.first_name.clone());
            self.act(row.line, "leads", "skip", who, why.into());
            return Ok(());
        }
        if let Some(deal) = row.deal.as_mut() {
            self.place_deal(db, deal);
        }
        // Who the row is, for the dry run's list of actions (the only place that shows it).
        let subject = match row.emails.first() {
            _ if !self.opts.dry_run => String::new(),
            Some(e) => format!("{} {} <{e}>", row.first_name, row.last_name).replace("  ", " "),
            None => format!("{} {}", row.first_name, row.last_name).trim().to_string(),
        };
        // A row carrying its own leadline id (an export coming back) is that lead, if it exists, or the lead it
        // was merged into since. One removed here stays removed: the row is refused, saying so.
        let by_id = match &row.id {
            Some(id) => match leads::find(db, id)? {
                Some(l) => Some((l.id, "same id")),
                // Most ids are new here: the merges are only looked through for one this database removed.
                None => match removed_at(db, id)? {
                    None => None,
                    Some(at) => match leads::survivor(db, id)? {
                        Some(s) => Some((s, "same id as a lead merged into it")),
                        None => {
                            let reason = format!(
                                "is lead {id}, removed here on {}; it is not brought back",
                                at.local(db.ctx.tz)
                            );
                            let line = row.line;
                            return self.reject(
                                db,
                                "leads",
                                Reject { line, column: Some("id".into()), reason, record: Vec::new() },
                            );
                        }
                    },
                },
            },
            None => None,
        };
        let matched = match by_id {
            Some(m) => Some(m),
            None => self.exact_match(db, &row)?,
        };
        if let Some((existing, why)) = matched {
            return self.apply_duplicate(db, &existing, row, why, subject);
        }
        let name_key = row.company.as_deref().map(|c| name_company_key(&row.first_name, &row.last_name, c));
        let weak = self.weak_match(db, &row, name_key.as_deref())?;
        let id = self.create_lead(db, &row, name_key.as_deref())?;
        if !row.derived_name {
            self.note_on_switchboard(&row, &id);
        }
        if let Some(key) = &name_key {
            self.created_under(db, key, &id)?;
        }
        if let Some(key) = name_key
            && self.keys.is_none()
            && self.chunk_names.len() < CHUNK_NAMES
        {
            self.chunk_names.entry(key).or_default().push(id.clone());
        }
        self.counts.leads.created += 1;
        self.act(row.line, "leads", "create", subject.clone(), String::new());
        // The same pair staged for its phone and name is the surer reason of the two.
        let weak = weak.filter(|w| !matches!(&self.phone_namesake, Some((o, true)) if o == w));
        if let Some(other) = weak {
            let staged = self.staged_against.entry(other.clone()).or_default();
            *staged += 1;
            let staged = *staged;
            let origin = format!("import:{}", self.run_id);
            if staged < crate::io::dedupe::SWITCHBOARD {
                if stage_candidate(db, &other, &id, crate::io::dedupe::SAME_NAME_AND_COMPANY, 75, &origin)? {
                    self.counts.merge_candidates += 1;
                }
                let who = self.who(db, &other);
                self.act(row.line, "leads", "stage", subject.clone(), format!("same name and company as {who}"));
            } else if staged == crate::io::dedupe::SWITCHBOARD {
                // One lead more than one person has records: the pairs staged for the name go again.
                let dropped = db
                    .conn
                    .prepare_cached(
                        "DELETE FROM merge_candidates WHERE origin = ?1 AND reason = ?2 AND (lead_a = ?3 OR lead_b = ?3)",
                    )?
                    .execute(params![origin, crate::io::dedupe::SAME_NAME_AND_COMPANY, other.as_str()])?;
                self.counts.merge_candidates = self.counts.merge_candidates.saturating_sub(dropped as u64);
            }
        }
        if let Some((other, same_name)) = self.phone_namesake.take() {
            let (reason, confidence, said) = match same_name {
                true => (SAME_PHONE_OTHER_EMAIL, 85, "the same name, another e-mail"),
                false => (SAME_PHONE_OTHER_NAME, 40, "another name"),
            };
            if stage_candidate(db, &other, &id, reason, confidence, &format!("import:{}", self.run_id))? {
                self.counts.merge_candidates += 1;
            }
            let who = self.who(db, &other);
            self.act(row.line, "leads", "stage", subject.clone(), format!("same phone as {who}, {said}"));
        }
        self.deal_values_kept = false;
        self.extras(db, &id, &row, &subject)?;
        // Counted once a row, as for a lead found again.
        if std::mem::take(&mut self.deal_values_kept) {
            self.counts.kept_values += 1;
        }
        if !self.bulk {
            db.emit(Change::LeadCreated(id));
        }
        Ok(())
    }

    fn create_lead(&mut self, db: &Db<'_>, row: &LeadRow, name_key: Option<&str>) -> crate::store::Result<LeadId> {
        let owner = if row.nobodys { None } else { Some(self.owner(db, row)?) };
        let account = match &row.company {
            Some(c) => Some(self.account(db, c, row)?),
            None => None,
        };
        let id = row.id.clone().unwrap_or_else(|| self.new_id(Timestamp::now()));
        let email = row.own_email().map(String::as_str);
        let email_key = email.map(normalize_email);
        let phone = row.phones.first().map(String::as_str);
        let tags = leads::join_tags(&row.tags);
        let dnc = row.do_not_contact.unwrap_or(false);
        let created = row.created_at.unwrap_or(db.now);
        let notes = extra_contact_notes(row, None);
        db.conn
            .prepare_cached(
                "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, phone, title, account_id,
                 source, product_interest, industry, company_size, tags, owner_id, lifecycle, do_not_contact,
                 do_not_contact_at, do_not_contact_reason, notes, manual_contact_at, created_at, updated_at, name_key,
                 forgotten_at, profile_url, origin_outreach_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            )?
            .execute(params![
                id.as_str(),
                db.ctx.team_id.as_str(),
                row.first_name.trim(),
                row.last_name.trim(),
                email,
                email_key,
                phone,
                row.title,
                account.as_ref().map(AccountId::as_str),
                row.source,
                row.product_interest,
                row.industry,
                row.company_size,
                tags,
                owner.as_ref().map(UserId::as_str),
                row.lifecycle.unwrap_or(Lifecycle::Lead).as_str(),
                dnc,
                // A file's opt-out date, never later than now (as an update takes it).
                dnc.then_some(row.do_not_contact_at.map_or(db.now, |at| at.min(db.now)).0),
                if dnc {
                    Some(row.do_not_contact_reason.clone().unwrap_or_else(|| "in the imported file".into()))
                } else {
                    None
                },
                notes,
                row.last_activity.map(|t| t.0),
                created.0,
                row.updated_at.unwrap_or(created).0,
                // A forgotten person has no name to sort or look up by.
                row.forgotten_at.is_none().then(|| crate::domain::text::name_key(&row.first_name, &row.last_name)),
                row.forgotten_at.map(|t| t.0),
                row.forgotten_at.is_none().then(|| row.profile()).flatten(),
                row.origin_outreach_id,
            ])?;
        let seq = db.conn.last_insert_rowid();
        if let Some(at) = row.forgotten_at {
            crate::store::forgotten::remember_hashes(db, Some(&id), &row.forgotten_addresses, at)?;
            self.forgotten.extend(row.forgotten_addresses.iter().cloned());
        }
        // The row's further addresses are the lead's other e-mails (those no other lead has), searched as
        // its own is.
        let mut searched = email.map(std::borrow::Cow::Borrowed);
        for e in row.other_emails().iter().filter(|_| row.forgotten_at.is_none()) {
            if Some(normalize_email(e)) != email_key && self.give_email(db, &id, e)? {
                searched = Some(std::borrow::Cow::Owned(match searched {
                    Some(s) => format!("{s} {}", e.trim()),
                    None => e.trim().to_string(),
                }));
            }
        }
        if row.forgotten_at.is_some() {
            // Kept for the counts only: out of the search index (its trigger, when not lifted, put it there).
            db.conn.prepare_cached("DELETE FROM lead_fts WHERE rowid = ?1")?.execute([seq])?;
        } else if let Some(build) = self.indexes.as_mut() {
            build.push(
                seq,
                &bulk::IndexedLead {
                    id: id.as_str(),
                    first_name: row.first_name.trim(),
                    last_name: row.last_name.trim(),
                    email: searched.as_deref(),
                    phone,
                    company: row.company.as_deref().map(str::trim),
                    title: row.title.as_deref(),
                    tags: &tags,
                },
            );
        } else if !row.tags.is_empty() {
            let mut ins = db.conn.prepare_cached("INSERT OR IGNORE INTO lead_tags (tag, lead_id) VALUES (?1, ?2)")?;
            for t in &row.tags {
                ins.execute(params![t, id.as_str()])?;
            }
        }
        if let Some(score) = row.score.filter(|s| *s != 0) {
            // A score carried by the file (leadline's own export) until the rules recompute it.
            db.conn
                .prepare_cached(
                    "INSERT INTO lead_scores (seq, score, priority) VALUES (?1, ?2, ?2)
                     ON CONFLICT (seq) DO UPDATE SET score = excluded.score, priority = excluded.priority",
                )?
                .execute(params![seq, score])?;
        }
        if row.last_activity.is_some() {
            contact::refresh(db, &id)?;
        }
        // The privacy log tells what the file tells: when and why the person opted out, or was forgotten (an
        // erasure's opt-out is the erasure, logged once, below).
        let erasure_opt_out = row.forgotten_at.is_some()
            && row.do_not_contact_reason.as_deref().is_some_and(|r| r.starts_with(crate::io::privacy::ERASED_REASON));
        if dnc && !erasure_opt_out {
            let why = match row.do_not_contact_reason.as_deref() {
                Some(r) => format!("{r}{AS_THE_FILE_SAYS}"),
                None => OPTED_OUT_IN_THE_FILE.to_string(),
            };
            let at = row.do_not_contact_at.map_or(db.now, |at| at.min(db.now));
            leads::log_inferred_privacy(db, &id, "opt_out", Some(&why), at)?;
        }
        if let Some(at) = row.forgotten_at {
            leads::log_inferred_privacy(db, &id, "forget", Some(FORGOTTEN_WHERE_THE_FILE_COMES_FROM), at)?;
        }
        if let Some(churn) = &row.churn {
            crate::automation::clients::record_imported_churn(
                db,
                &id,
                churn.status,
                churn.at,
                churn.reason.as_deref(),
            )?;
        }
        self.remember_keys(db, row, Some(seq), phone, email_key.as_deref(), name_key)?;
        Ok(id)
    }

    /// The touches and deals a row implies: the profile URL as social outreach, a deal. Idempotent: a second
    /// import of the same data adds nothing.
    pub(super) fn extras(
        &mut self,
        db: &Db<'_>,
        lead: &LeadId,
        row: &LeadRow,
        subject: &str,
    ) -> crate::store::Result<()> {
        if !row.merges.is_empty() {
            self.restore_merges(db, lead, row, subject)?;
        }
        // The rep's word that another lead is another person holds here, once that lead is here too (the
        // pair's second row records it).
        for other in &row.two_people {
            if let Some(other) = leads::survivor(db, other)?
                && other != *lead
            {
                crate::io::dedupe::two_people_said(db, lead, &other, "said to be two people in the file", 0)?;
            }
        }
        // A profile the file says the rep connected on (a LinkedIn connection) is a touch, dated then; any
        // other is only the lead's (`profile_url`): a contact card's or a CRM record's address is no contact
        // made, whenever the record was (its last activity is a contact of its own, `manual_contact_at`).
        if let (Some(url), Some(at)) = (&row.profile_url, row.connected_on) {
            let [a, b] = profile_forms(url);
            let exists: Option<i64> = db
                .conn
                .prepare_cached(
                    "SELECT 1 FROM outreach WHERE lead_id = ?1 AND kind = ?2 AND value IN (?3, ?4)
                     AND deleted_at IS NULL",
                )?
                .query_row(params![lead.as_str(), OutreachKind::Social.code(), a, b], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                let mut o = NewOutreach::new(lead.clone(), OutreachKind::Social);
                o.value = Some(url.clone());
                o.occurred_at = Some(at);
                o.description = Some("Connected on LinkedIn (imported)".into());
                outreach::log(db, o)?;
                self.counts.outreach.created += 1;
                self.act(row.line, "outreach", "create", subject.to_string(), format!("social {url}"));
            } else {
                self.counts.outreach.skipped += 1;
            }
        }
        if let Some(d) = &row.deal {
            self.apply_deal(db, lead, row, d, subject)?;
        }
        if let Some(d) = &row.deleted_deal {
            self.deleted_deal(db, row, d, subject)?;
        }
        Ok(())
    }
}

/// Further e-mails and phones of a row that the lead's single fields cannot hold, kept in its notes.
fn extra_contact_notes(row: &LeadRow, existing: Option<&str>) -> Option<String> {
    let mut extra = Vec::new();
    // A number with an extension is one line, with it.
    for p in row.phones.iter().skip(1).filter(|p| !row.phone_extensions.iter().any(|(n, _)| n == *p)) {
        extra.push(format!("phone: {p}"));
    }
    for (p, x) in &row.phone_extensions {
        extra.push(format!("phone: {p} ext. {x}"));
    }
    let base = row.notes.clone().or_else(|| existing.map(str::to_string));
    match (base, extra.is_empty()) {
        (b, true) => b,
        (Some(b), false) => Some(format!("{b}\n{}", extra.join("\n"))),
        (None, false) => Some(extra.join("\n")),
    }
}

/// Why the privacy log entries a lead's import infers from its fields say what they say.
const AS_THE_FILE_SAYS: &str = " (as the imported file says)";
const OPTED_OUT_IN_THE_FILE: &str = "opted out in the imported file";
const FORGOTTEN_WHERE_THE_FILE_COMES_FROM: &str = "forgotten where the imported file comes from";
