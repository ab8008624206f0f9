//! A row that is an existing lead: merged or updated into it, and the merges the file says it was made of.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::OnDuplicate;
use super::matching::stage_candidate;
use super::writer::Writer;
use crate::domain::lead::normalize_email;
use crate::domain::{LeadId, UserId};
use crate::io::phone::match_keys;
use crate::io::record::LeadRow;
use crate::store::Db;
use crate::store::leads::{self, LeadPatch};

/// Why a lead a file says was merged into the row's lead, but which is a lead of its own here, is staged,
/// and how sure that is: the file's own confidence is not taken, so a file cannot rank a pair above what
/// `dedupe --apply --min-confidence` merges unseen.
const MERGED_THERE: &str = "merged into it where the file comes from";
const MERGED_THERE_CONFIDENCE: i64 = 70;

/// Why two leads are staged when a record matched to one gives the profile the other has.
const ONE_RECORD_SAME_PROFILE: &str =
    "one record of an imported file gives the e-mail of one and the profile of the other";

/// The opt-out a row gives a lead not opted out yet. An opt-out in a file is always honoured, whatever
/// `--on-duplicate` says; an opt-in never undoes the rep's opt-out.
fn opt_out_of(row: &LeadRow, lead: &leads::Lead) -> Option<LeadPatch> {
    (row.do_not_contact == Some(true) && !lead.do_not_contact).then(|| LeadPatch {
        do_not_contact: Some(true),
        do_not_contact_reason: Some(row.do_not_contact_reason.clone().unwrap_or_else(|| "in the imported file".into())),
        do_not_contact_at: row.do_not_contact_at,
        ..Default::default()
    })
}

/// A text with its line ends written alike: a note that went through a spreadsheet (or a CSV export,
/// which writes a line break as LF) is the same note.
fn one_line_end(text: &str) -> std::borrow::Cow<'_, str> {
    match text.contains('\r') {
        true => text.replace("\r\n", "\n").replace('\r', "\n").into(),
        false => text.into(),
    }
}

impl Writer {
    pub(super) fn apply_duplicate(
        &mut self,
        db: &Db<'_>,
        existing: &LeadId,
        row: LeadRow,
        why: &str,
        subject: String,
    ) -> crate::store::Result<()> {
        let mode = self.opts.on_duplicate;
        self.deal_values_kept = false;
        let lead = leads::get(db, existing)?;
        // The file says this person was forgotten where it comes from: nothing of the row is taken, and
        // erasing them here too is the rep's call.
        if row.forgotten_at.is_some() && lead.forgotten_at.is_none() {
            self.counts.leads.skipped += 1;
            let detail = format!("forgotten where the file comes from; `leadline forget {existing}` erases them here");
            self.act(row.line, "leads", "skip", subject, detail);
            return Ok(());
        }
        // A person who was forgotten is never filled in again from an older file: their erasure stands.
        if lead.forgotten_at.is_some() {
            self.counts.leads.skipped += 1;
            self.act(row.line, "leads", "skip", subject, format!("{existing} was forgotten; not imported again"));
            return Ok(());
        }
        self.adopt_file_id(db, existing, &row, why)?;
        // The lead stays as it is; what the row brings besides (a deal, a connection) is the lead's all the
        // same, and a deal it has already is left alone too.
        if mode == OnDuplicate::Skip {
            self.counts.leads.skipped += 1;
            let who = self.who(db, existing);
            let mut detail = format!("{why} as {who}");
            // Skipping a row's data never skips its opt-out: the person asked not to be contacted.
            if let Some(opt_out) = opt_out_of(&row, &lead) {
                leads::update(db, existing, opt_out)?;
                self.touched_seqs.push(lead.seq);
                detail.push_str("; opted out, as the file says");
            }
            self.act(row.line, "leads", "skip", subject.clone(), detail);
            self.extras(db, existing, &row, &subject)?;
            return Ok(());
        }
        let mut patch = LeadPatch::default();
        let mut filled: Vec<&str> = Vec::new();
        // What the file says otherwise and a merge leaves as the lead has it (a new phone or note is kept
        // in the notes instead).
        let mut kept: Vec<&'static str> = Vec::new();
        let update = mode == OnDuplicate::Update;
        let mut set = |name: &'static str, current: &Option<String>, new: &Option<String>| -> Option<String> {
            let current = current.as_deref().filter(|c| !c.is_empty());
            match new.as_ref().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                Some(v) if current.is_none() || (update && current != Some(v)) => {
                    filled.push(name);
                    Some(v.to_string())
                }
                Some(v) if current != Some(v) && !matches!(name, "notes" | "phone") => {
                    kept.push(name);
                    None
                }
                _ => None,
            }
        };
        patch.title = set("title", &lead.title, &row.title);
        patch.company = set("company", &lead.company, &row.company);
        patch.source = if lead.source.is_none() { set("source", &lead.source, &row.source) } else { None };
        patch.industry = set("industry", &lead.industry, &row.industry);
        patch.company_size = set("company_size", &lead.company_size, &row.company_size);
        patch.product_interest = set("product_interest", &lead.product_interest, &row.product_interest);
        // Notes are what the rep wrote: even an update adds the file's below them (further down), never
        // over them.
        let has_notes = lead.notes.as_deref().is_some_and(|n| !n.trim().is_empty());
        patch.notes = if has_notes { None } else { set("notes", &lead.notes, &row.notes) };
        patch.phone = set("phone", &lead.phone, &row.phones.first().cloned());
        // A profile another lead holds stays theirs: the file's word that both are one person is staged.
        let profile = row.profile();
        let held_by = match &profile {
            Some(p) if crate::domain::lead::is_member_page(p) => {
                self.profile_holder(db, p)?.filter(|holder| holder != existing)
            }
            _ => None,
        };
        match held_by {
            Some(holder) => {
                let origin = format!("import:{}", self.run_id);
                if stage_candidate(db, existing, &holder, ONE_RECORD_SAME_PROFILE, 80, &origin)? {
                    self.counts.merge_candidates += 1;
                }
            }
            None => patch.profile_url = set("profile_url", &lead.profile_url, &profile),
        }
        // Only an e-mail no other lead has (as its own or another one) can move in.
        if let Some(e) = row.own_email()
            && (lead.email.is_none() || (update && !row.email_from_others && lead.email.as_deref() != Some(e.as_str())))
            && self.email_owner(db, &normalize_email(e))?.is_none_or(|owner| owner == *existing)
        {
            patch.email = Some(e.clone());
            filled.push("email");
        }
        // The file's note beside the lead's own (a merge keeps what the rep typed and adds what it lacks),
        // once: the same file again adds nothing.
        if patch.notes.is_none()
            && let (Some(mine), Some(theirs)) = (
                lead.notes.as_deref().filter(|n| !n.trim().is_empty()),
                row.notes.as_deref().map(str::trim).filter(|n| !n.is_empty()),
            )
            && !one_line_end(mine).contains(one_line_end(theirs).as_ref())
        {
            patch.notes = Some(format!("{mine}\n\n{theirs}"));
            filled.push("notes");
        }
        // A phone or e-mail in the file that differs from the lead's own is kept as a line of its notes (as
        // extra addresses of a new row are), never dropped.
        let mut extra: Vec<String> = Vec::new();
        let mine = lead.phone.as_deref().map(|p| match_keys(p, row.country.as_deref())).unwrap_or_default();
        let new_number = |theirs: &str| !match_keys(theirs, row.country.as_deref()).iter().any(|k| mine.contains(k));
        let extensions = &row.phone_extensions;
        if let Some(theirs) = row.phones.first()
            && lead.phone.is_some()
            && patch.phone.is_none()
            && new_number(theirs)
            && !extensions.iter().any(|(n, _)| n == theirs)
        {
            extra.push(format!("phone: {theirs}"));
        }
        // The file's further numbers, as a new lead keeps them (`extra_contact_notes`).
        for p in row.phones.iter().skip(1).filter(|p| new_number(p) && !extensions.iter().any(|(n, _)| n == *p)) {
            extra.push(format!("phone: {p}"));
        }
        for (p, x) in extensions {
            extra.push(format!("phone: {p} ext. {x}"));
        }
        let base = patch.notes.clone().or_else(|| lead.notes.clone()).unwrap_or_default();
        extra.retain(|line| !base.lines().any(|l| l == line));
        if !extra.is_empty() {
            patch.notes =
                Some(if base.is_empty() { extra.join("\n") } else { format!("{base}\n{}", extra.join("\n")) });
            if !filled.contains(&"notes") {
                filled.push("notes");
            }
        }
        // An empty name in the file (or no name column at all) is no value: it never blanks the lead's.
        if update && !row.derived_name {
            if !row.first_name.trim().is_empty() && lead.first_name != row.first_name.trim() {
                patch.first_name = Some(row.first_name.trim().to_string());
                filled.push("first_name");
            }
            if !row.last_name.trim().is_empty() && lead.last_name != row.last_name.trim() {
                patch.last_name = Some(row.last_name.trim().to_string());
                filled.push("last_name");
            }
        }
        // A name made up from the lead's address or number (a file that had none) is no name the rep typed:
        // a file's real one takes its place.
        let made_up = {
            let (first, last) =
                crate::domain::text::given_name(&lead.first_name, &lead.last_name, lead.email.as_deref());
            let number = lead.phone.as_deref().is_some_and(|p| p.trim() == lead.first_name.trim());
            // A plain-word address too ("hleyen@"), which `given_name` keeps as a possible name.
            let local = |e: &String| e.split('@').next().unwrap_or("").eq_ignore_ascii_case(lead.first_name.trim());
            let address = lead.email.iter().chain(&lead.other_emails).any(local);
            (first.trim().is_empty() && last.trim().is_empty())
                || ((number || address) && lead.last_name.trim().is_empty())
        };
        let same_name =
            (row.first_name.trim(), row.last_name.trim()) == (lead.first_name.trim(), lead.last_name.trim());
        if !update && made_up && !row.derived_name && !row.first_name.trim().is_empty() && !same_name {
            patch.first_name = Some(row.first_name.trim().to_string());
            patch.last_name = Some(row.last_name.trim().to_string());
            filled.push("name");
        }
        // Another person's name on the address (a successor in the role, a shared inbox): the lead's name
        // stands, and the summary says the file differs in it.
        if !update && !made_up && !row.derived_name && {
            use crate::domain::text::{given_name, names_differ};
            let theirs = given_name(&lead.first_name, &lead.last_name, lead.email.as_deref());
            names_differ(theirs, (row.first_name.trim(), row.last_name.trim()))
        } {
            kept.push("name");
        }
        if let Some(l) = row.lifecycle
            && l.as_str() != lead.lifecycle
        {
            // A merge keeps the lead's stage of life (a customer here is one by a deal won); the summary says
            // the file has another, which `--on-duplicate update` takes, unless a customer record here (a won
            // deal, a churn) says otherwise: another CRM's stage is often older than what was recorded here.
            if update && crate::automation::clients::profile(db, existing)?.is_none() {
                patch.lifecycle = Some(l);
                filled.push("lifecycle");
            } else {
                kept.push("lifecycle");
            }
        }
        // The file's owner for a lead nobody owns, as for any empty field; over another only by an update, and
        // only when the file names the person's owner (not only their deal's).
        // An owner who is nobody here changes nothing: the lead stays its owner's (a new lead is the
        // importing user's).
        let replaces = update && !row.owner_from_deal;
        if (replaces || lead.owner_id.is_none())
            && let Some(owner) = match lead.owner_id {
                Some(_) => self.named_owner(db, &row)?,
                None if row.owner.is_some() || row.owner_email.is_some() => Some(self.owner(db, &row)?),
                None => None,
            }
            && lead.owner_id.as_deref() != Some(owner.as_str())
        {
            patch.owner = Some(owner.0);
            filled.push("owner");
        }
        let new_tags: Vec<String> = row.tags.iter().filter(|t| !lead.tags.contains(t)).cloned().collect();
        // An update takes the file's tags as the lead's (a cell left empty takes nothing away).
        let dropped: Vec<String> = match update && !row.tags.is_empty() {
            true => lead.tags.iter().filter(|t| !row.tags.contains(t)).cloned().collect(),
            false => Vec::new(),
        };
        if !new_tags.is_empty() || !dropped.is_empty() {
            patch.add_tags = new_tags;
            patch.remove_tags = dropped;
            filled.push("tags");
        }
        if let Some(opt_out) = opt_out_of(&row, &lead) {
            (patch.do_not_contact, patch.do_not_contact_reason, patch.do_not_contact_at) =
                (opt_out.do_not_contact, opt_out.do_not_contact_reason, opt_out.do_not_contact_at);
            filled.push("do_not_contact");
        }
        let changed = !patch.is_empty();
        // The lead's e-mail from here on: the file's, when the patch gives it one.
        let own = patch.email.clone().or_else(|| lead.email.clone()).map(|e| normalize_email(&e));
        if changed {
            if patch.email.is_some() {
                // The store refuses a second lead with the same e-mail by looking it up in the index.
                self.restore_lookups(db)?;
            }
            // A later row finds the lead by what it now has (an e-mail, a phone, a company).
            let new_keys = patch.email.is_some()
                || patch.phone.is_some()
                || patch.company.is_some()
                || patch.first_name.is_some()
                || patch.last_name.is_some();
            let left_company = patch.company.is_some().then(|| lead.account_id.clone()).flatten();
            leads::update(db, existing, patch)?;
            // The company it left may be gone with it (`accounts::drop_if_unused`): never handed out again.
            if let Some(left) = left_company {
                self.accounts.retain(|_, id| id.0 != left);
            }
            if new_keys || self.keys.is_some() {
                self.remember_lead(db, existing)?;
            }
            self.touched_seqs.push(lead.seq);
        }
        // The row's addresses the lead is not written to are its other e-mails (an address it was written
        // to before an update is one too). Those it has already need no look-up.
        let known = |e: &str| {
            let key = normalize_email(e);
            own.as_deref() == Some(key.as_str()) || lead.other_emails.iter().any(|o| normalize_email(o) == key)
        };
        let mut gave_email = false;
        for e in row.emails.iter().chain(lead.email.as_ref()).filter(|e| !known(e)) {
            gave_email |= self.give_email(db, existing, e)?;
        }
        if gave_email {
            db.conn
                .prepare_cached("UPDATE leads SET updated_at = ?2 WHERE id = ?1")?
                .execute(params![existing.as_str(), db.now.0])?;
            self.touched_seqs.push(lead.seq);
            if !filled.contains(&"other_emails") {
                filled.push("other_emails");
            }
        }
        // The person was known earlier where the file comes from: the lead dates from then, as a merge of
        // two leads keeps the earlier creation.
        let earlier = match row.created_at {
            Some(t) if t < lead.created_at => {
                db.conn
                    .prepare_cached("UPDATE leads SET created_at = ?2, updated_at = ?3 WHERE id = ?1")?
                    .execute(params![existing.as_str(), t.0, db.now.0])?;
                filled.push("created_at");
                self.touched_seqs.push(lead.seq);
                true
            }
            _ => false,
        };
        let changed = changed || gave_email || earlier;
        self.extras(db, existing, &row, &subject)?;
        if let Some(t) = row.last_activity
            && lead.last_contacted_at.is_none_or(|l| l < t)
        {
            leads::touch(db, existing, t)?;
        }
        if let Some(p) = row.phones.first() {
            self.remember_keys(db, &row, None, Some(p), None, None)?;
        }
        let mut detail = format!(
            "{why} as {}; {}",
            lead.label(),
            if filled.is_empty() { "nothing new".into() } else { filled.join(", ") }
        );
        // Counted once a row, whether the lead's values or its deal's were kept.
        if !kept.is_empty() || std::mem::take(&mut self.deal_values_kept) {
            self.counts.kept_values += 1;
        }
        if !kept.is_empty() {
            detail.push_str(&format!("; the lead's {} kept", kept.join(", ")));
            for field in kept {
                if !self.kept_fields.contains(&field) {
                    self.kept_fields.push(field);
                }
            }
        }
        // A lead counts as merged or updated when it changed; what the row added beside it (a deal, a touch)
        // is counted as what it is.
        if changed {
            if update {
                self.counts.leads.updated += 1;
                self.act(row.line, "leads", "update", subject, detail);
            } else {
                self.counts.leads.merged += 1;
                self.act(row.line, "leads", "merge", subject, detail);
            }
        } else {
            self.counts.leads.skipped += 1;
            self.act(row.line, "leads", "skip", subject, detail);
        }
        Ok(())
    }

    /// A row of leadline's own export that is a lead here under another id (the same e-mail or phone): the
    /// file's id is recorded as a lead merged into it, as a removed row named as the file names it. So the
    /// touches, deals, meetings and tasks the export's other files give that id come to this lead, a later
    /// import of the same files finds it by that id, and `dedupe --explain` says why.
    fn adopt_file_id(&mut self, db: &Db<'_>, existing: &LeadId, row: &LeadRow, why: &str) -> crate::store::Result<()> {
        let Some(file_id) = row.id.as_ref().filter(|id| *id != existing) else { return Ok(()) };
        let known: bool = db
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM leads WHERE id = ?1)")?
            .query_row([file_id.as_str()], |r| r.get(0))?;
        if known {
            return Ok(());
        }
        // A record the file says is another person than one already found to be this lead is not made
        // this lead too: their histories stay apart (its rows are refused, naming the lead they need).
        for other in &row.two_people {
            if leads::survivor(db, other)?.as_ref() == Some(existing) {
                return Ok(());
            }
        }
        let email = row.emails.first();
        let now = db.now.0;
        db.conn
            .prepare_cached(
                "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, created_at, updated_at,
                 deleted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                file_id.as_str(),
                db.ctx.team_id.as_str(),
                row.first_name,
                row.last_name,
                email,
                email.map(|e| normalize_email(e)),
                row.created_at.map_or(now, |t| t.0),
                now
            ])?;
        db.conn
            .prepare_cached(
                "INSERT INTO merge_log (id, team_id, user_id, kept_id, merged_id, reason, confidence, details,
                 created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 100, '{}', ?7)",
            )?
            .execute(params![
                uuid::Uuid::now_v7().to_string(),
                db.ctx.team_id.as_str(),
                db.ctx.user_id.as_str(),
                existing.as_str(),
                file_id.as_str(),
                format!("imported: {why}"),
                now
            ])?;
        Ok(())
    }

    /// The merges a lead was made of where the file comes from, recorded here too (`dedupe --explain`): each
    /// merged lead as a removed row named as it was, then the merge. Only what is new here is written, and
    /// only under this lead: a merge must hang from the row's lead or from a lead merged into it earlier in
    /// the list, and name a lead this database does not have. So a file can neither attach a merge to
    /// another lead nor take over one this database has. A merged lead that is a live lead here (an earlier
    /// copy brought it before the merge) is not merged blindly: it is staged with this lead for `leadline
    /// dedupe`. Returns how many merges were recorded.
    pub(super) fn restore_merges(
        &mut self,
        db: &Db<'_>,
        lead: &LeadId,
        row: &LeadRow,
        subject: &str,
    ) -> crate::store::Result<usize> {
        let Some(file_id) = &row.id else { return Ok(0) };
        // Each lead's merges, by the lead they went into, walked from the row's lead down.
        let mut into: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, m) in row.merges.iter().enumerate() {
            into.entry(m.kept_id.as_str()).or_default().push(i);
        }
        let mut taken = vec![false; row.merges.len()];
        // A lead reached is one of this row's (`true`: recorded here, so merges may hang from it) or a live
        // lead here that was staged (`false`: what was merged into it is only looked for among live leads).
        let mut queue: std::collections::VecDeque<(&str, bool)> = [(file_id.as_str(), true)].into();
        while let Some((kept, ours)) = queue.pop_front() {
            for &i in into.remove(kept).iter().flatten() {
                let m = &row.merges[i];
                let here: Option<(bool, bool, bool)> = db
                    .conn
                    .prepare_cached(
                        "SELECT team_id = ?2, deleted_at IS NULL, forgotten_at IS NOT NULL FROM leads WHERE id = ?1",
                    )?
                    .query_row(params![m.merged_id, db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?;
                match here {
                    None if ours => {}
                    // Live here, and not this lead: the same person, perhaps; the rep decides.
                    Some((true, true, false)) if m.merged_id != lead.as_str() => {
                        let merged = LeadId(m.merged_id.clone());
                        let origin = format!("import:{}", self.run_id);
                        if stage_candidate(db, lead, &merged, MERGED_THERE, MERGED_THERE_CONFIDENCE, &origin)? {
                            self.counts.merge_candidates += 1;
                        }
                        self.act(row.line, "leads", "stage", subject.to_string(), format!("{MERGED_THERE}: {merged}"));
                        queue.push_back((m.merged_id.as_str(), false));
                        continue;
                    }
                    _ => continue,
                }
                db.conn
                    .prepare_cached(
                        "INSERT INTO leads (id, team_id, first_name, last_name, email, email_key, created_at,
                         updated_at, deleted_at) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, ?6, ?6)",
                    )?
                    .execute(params![
                        m.merged_id,
                        db.ctx.team_id.as_str(),
                        m.merged_name,
                        m.merged_email,
                        m.merged_email.as_deref().map(normalize_email),
                        m.created_at.0
                    ])?;
                taken[i] = true;
                queue.push_back((m.merged_id.as_str(), true));
            }
        }
        // The merges of the leads taken, in the file's order. What is left hangs from no lead of this row's,
        // and is not attached anywhere.
        for (m, _) in row.merges.iter().zip(&taken).filter(|(_, taken)| **taken) {
            let kept = if m.kept_id == file_id.as_str() { lead.clone() } else { LeadId(m.kept_id.clone()) };
            let by = m.by_id.as_deref().map(|u| crate::store::teams::author_by_id(db, u)).transpose()?.flatten();
            db.conn
                .prepare_cached(
                    "INSERT INTO merge_log (id, team_id, user_id, kept_id, merged_id, reason, confidence, details,
                     created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    db.ctx.team_id.as_str(),
                    by.as_ref().map(UserId::as_str),
                    kept.as_str(),
                    m.merged_id,
                    m.reason,
                    m.confidence,
                    m.details_json(),
                    m.created_at.0
                ])?;
        }
        Ok(taken.iter().filter(|t| **t).count())
    }
}
