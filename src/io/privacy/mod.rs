//! Privacy: the one check every outgoing message goes through (`can_contact`), opt-outs recorded with when
//! and why, `forget` (erase a person's data but keep the counts), and retention (anonymise the inactive).

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::text::fold;
use crate::domain::{LeadId, OutreachKind, Timestamp};
use crate::store::OF_LEAD;
use crate::store::forgotten::Former;
use crate::store::leads::{self, LeadPatch, lead_name_sql};
use crate::store::{Change, Db, Result, Store, StoreError, purge_index};

pub use crate::domain::lead::ERASED;

mod elsewhere;
mod person;

pub use person::without_the_forgotten;

use person::{Person, without_the_person};

/// Runs a statement through the connection's cache: a retention run erases thousands of leads with the
/// same few statements, and preparing each anew cost more than running it.
fn exec(db: &Db<'_>, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
    Ok(db.conn.prepare_cached(sql)?.execute(params)?)
}

/// Ok when a message may go out to this lead; refused (naming when and why) for an opted-out or forgotten lead.
/// Every place that sends or prepares a message calls this.
pub fn can_contact(db: &Db<'_>, lead: &LeadId) -> Result<()> {
    type Row = (bool, Option<i64>, Option<String>, Option<i64>, String);
    let row: Option<Row> = db
        .conn
        .prepare_cached(concat!(
            "SELECT do_not_contact, do_not_contact_at, do_not_contact_reason, forgotten_at, ",
            lead_name_sql!(),
            " FROM leads WHERE id = ?1 AND team_id = ?2 AND deleted_at IS NULL"
        ))?
        .query_row(params![lead.as_str(), db.ctx.team_id.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .optional()?;
    let Some((dnc, at, reason, forgotten, name)) = row else {
        return Err(leads::missing(db, lead)?);
    };
    if forgotten.is_some() {
        return Err(StoreError::Refused(format!(
            "lead {lead} was forgotten (personal data erased); it is never contacted"
        )));
    }
    if dnc {
        let when = at.map(|t| format!(" on {}", Timestamp(t).local(db.ctx.tz))).unwrap_or_default();
        let why = reason.map(|r| format!(" ({r})")).unwrap_or_default();
        return Err(StoreError::Refused(format!("{name} must not be contacted: opted out{when}{why}")));
    }
    Ok(())
}

/// Why a touch to this lead should not have gone out, for a warning when one is logged anyway (it has
/// already happened, so it is recorded): the opt-out or the erasure `can_contact` refuses with.
pub fn contact_warning(db: &Db<'_>, lead: &LeadId) -> Result<Option<String>> {
    match can_contact(db, lead) {
        Ok(()) => Ok(None),
        Err(StoreError::Refused(why)) => Ok(Some(why)),
        Err(e) => Err(e),
    }
}

pub use crate::store::leads::log_privacy as log;

/// Opts a lead out (or back in), recording when and why.
pub fn set_opt_out(db: &Db<'_>, lead: &LeadId, opted_out: bool, reason: Option<String>) -> Result<()> {
    let patch =
        LeadPatch { do_not_contact: Some(opted_out), do_not_contact_reason: reason.clone(), ..Default::default() };
    // The store records the change.
    leads::update(db, lead, patch)?;
    Ok(())
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Erased {
    pub lead: String,
    pub outreach: usize,
    pub notes: usize,
    pub meetings: usize,
    pub deals: usize,
    /// Of those, the open ones, closed as lost (they would go nowhere now).
    pub deals_closed: usize,
    pub tasks: usize,
    pub inbox: usize,
    /// Live leads an import staged as possible duplicates of the person: they may be the same person under
    /// another record, which stays until the rep forgets it too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub staged_with: Vec<String>,
    /// The reason given named the person (their name, an address, their number): it is kept without it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reason_edited: bool,
    /// Records of other leads that named the person (a colleague's note, a touch, a task): written without
    /// their name, address, number and profile.
    #[serde(skip_serializing_if = "is_zero")]
    pub named_elsewhere: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The opt-out reason an erasure writes (with what erased: forget, retention): the opt-out is the erasure's,
/// which the privacy log records as such.
pub const ERASED_REASON: &str = "personal data erased";

/// Erases a person's personal data: names, e-mail, phone, title, company link, notes, free text of their
/// outreach, meetings, deals, tasks and inbox items, and their search-index row. The lead row and its
/// history stay (with kinds, times, stages, amounts) so counts and reports add up. Recorded as `action`.
/// The caller erases the rejected import rows that name the person (`erase_rejects`, once per batch).
fn erase(db: &Db<'_>, lead: &LeadId, action: &str, reason: Option<&str>) -> Result<Erased> {
    let l = leads::find_including_removed(db, lead)?
        .ok_or_else(|| StoreError::NotFound { what: "lead", reference: lead.to_string() })?;
    let id = lead.as_str();
    let now = db.now.0;
    let reason_text = format!("{ERASED_REASON} ({action})");
    exec(db,
        "UPDATE leads SET first_name = 'Forgotten', last_name = '', name_key = NULL, email = NULL, email_key = NULL, phone = NULL,
         title = NULL, account_id = NULL, notes = NULL, source = NULL, industry = NULL, company_size = NULL,
         product_interest = NULL, profile_url = NULL, tags = '', do_not_contact = 1,
         do_not_contact_at = ifnull(do_not_contact_at, ?2), do_not_contact_reason = ?3, forgotten_at = ?2, updated_at = ?2
         WHERE id = ?1",
        params![id, now, reason_text],
    )?;
    exec(db, "DELETE FROM lead_fts WHERE rowid = ?1", [l.seq])?;
    crate::store::lead_emails::drop_all(db, lead)?;
    let mut e = Erased { lead: id.to_string(), ..Default::default() };
    e.outreach = exec(
        db,
        &format!("UPDATE outreach SET value = ?2, description = NULL, updated_at = ?3 WHERE {OF_LEAD}"),
        params![id, ERASED, now],
    )?;
    e.notes = exec(
        db,
        &format!(
            "UPDATE notes SET body = ?2, updated_at = ?3
             WHERE {OF_LEAD} OR deal_id IN (SELECT id FROM deals WHERE {OF_LEAD})"
        ),
        params![id, ERASED, now],
    )?;
    // A calendar's event id often holds the attendee's address: the versions kept of their events go with
    // it (by the event's id, or its id before an occurrence's '@').
    let keys: Vec<String> = db
        .conn
        .prepare(&format!("SELECT calendar_key FROM meetings WHERE calendar_key IS NOT NULL AND ({OF_LEAD})"))?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut forget_version = db.conn.prepare_cached(
        "DELETE FROM calendar_versions WHERE team_id = (SELECT team_id FROM leads WHERE id = ?1) AND event_key = ?2",
    )?;
    for key in &keys {
        // A meeting's key is its event's id, or that id, '@' and when the occurrence falls.
        let ids = key.match_indices('@').map(|(at, _)| &key[..at]).chain([key.as_str()]);
        for event in ids {
            forget_version.execute(params![id, event])?;
        }
    }
    // The same event on another attendee's calendar: its title often names this person too ("Intro call
    // with Hannah Vogelsang"), beside their meeting at the same time.
    let person = Person::of(&l, db.ctx.country.as_deref());
    let mut shared = db.conn.prepare_cached(
        "SELECT id, title FROM meetings WHERE calendar_key = ?1 AND lead_id <> ?2 AND title IS NOT NULL",
    )?;
    let mut retitle = db.conn.prepare_cached("UPDATE meetings SET title = ?2, updated_at = ?3 WHERE id = ?1")?;
    for key in &keys {
        let titles: Vec<(String, String)> =
            shared.query_map(params![key, id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        for (meeting, title) in titles {
            let without = without_the_person(&title, &[&person]);
            if without != title {
                retitle.execute(params![meeting, without, now])?;
            }
        }
    }
    e.meetings = exec(
        db,
        &format!(
            "UPDATE meetings SET title = NULL, no_show_reason = NULL, calendar_key = NULL, updated_at = ?2 WHERE {OF_LEAD}"
        ),
        params![id, now],
    )?;
    // The other CRM's id for a deal points at the person there.
    e.deals = exec(
        db,
        &format!(
            "UPDATE deals SET title = 'Deal', product = NULL, use_case = NULL, lost_reason = NULL, account_id = NULL,
             source_ref = NULL,
             updated_at = ?2
             WHERE {OF_LEAD}"
        ),
        params![id, now],
    )?;
    // A deal still open goes nowhere now (nobody may contact them): closed as lost, so the pipeline and a
    // member's work leave it and the reports still count it. (Retention does the same: an inactive lead's
    // open deal has gone nowhere for as long.)
    e.deals_closed = crate::store::deals::close_as_lost_quietly(db, lead, ERASED_REASON)?;
    e.tasks = db
        .conn
        .execute(&format!("UPDATE tasks SET title = 'Task', updated_at = ?2 WHERE {OF_LEAD}"), params![id, now])?;
    // Nothing is left to answer: a forgotten person's messages leave the queue as read and handled.
    e.inbox = exec(
        db,
        &format!(
            "UPDATE inbox_items SET title = ?2, body = '', read_at = ifnull(read_at, ?3),
             handled_at = ifnull(handled_at, ?3), updated_at = ?3 WHERE {OF_LEAD}"
        ),
        params![id, ERASED, now],
    )?;
    erase_traces(db, &l)?;
    // A pair staged for `dedupe` would show who the lead was next to its double (even dismissed, its two
    // ids tie the kept counts to the other record), and merge them back: it goes, and the other lead of an
    // open pair is named so the rep can forget it too if it is the same person.
    e.staged_with = db
        .conn
        .prepare(
            "SELECT o.id FROM leads o WHERE o.deleted_at IS NULL AND o.forgotten_at IS NULL AND o.id IN (
                 SELECT CASE WHEN lead_a = ?1 THEN lead_b ELSE lead_a END FROM merge_candidates
                 WHERE (lead_a = ?1 OR lead_b = ?1) AND status = 'open')
             ORDER BY o.id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    exec(db, "DELETE FROM merge_candidates WHERE lead_a = ?1 OR lead_b = ?1", [id])?;
    // Nothing is left to do with them.
    crate::store::tasks::close_chasers(db, lead, crate::store::tasks::Answered::Forgotten)?;
    log(db, lead, action, reason)?;
    db.emit(Change::LeadEdited(lead.clone()));
    Ok(e)
}

/// A rejected record's values, folded for comparison. A record read from a JSON or vCard file is one
/// cell holding it whole: a JSON object's fields are taken one by one.
fn record_cells(record: &[String]) -> Vec<String> {
    let mut cells = Vec::new();
    for cell in record {
        match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(cell) {
            Ok(object) => cells.extend(object.values().map(|v| match v {
                serde_json::Value::String(s) => fold(s.trim()),
                other => fold(&other.to_string()),
            })),
            Err(_) => cells.push(fold(cell.trim())),
        }
    }
    cells
}

/// Deletes the rejected rows of the team's imports that name any of these people (the rows are kept for
/// a rejects file). One pass over the rejects for all the people of a retention run's batch.
fn erase_rejects(db: &Db<'_>, people: &[Person]) -> Result<()> {
    if people.is_empty() {
        return Ok(());
    }
    let named: Vec<(String, i64)> = {
        let mut stmt = db.conn.prepare(
            "SELECT r.run_id, r.line, r.record FROM import_rejects r JOIN import_runs u ON u.id = r.run_id
             WHERE u.team_id = ?1",
        )?;
        let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut named = Vec::new();
        for row in rows {
            let (run, line, record) = row?;
            // A record that does not parse is erased too: it cannot be shown to be someone else's.
            let cells = serde_json::from_str::<Vec<String>>(&record).ok().map(|r| record_cells(&r));
            if cells.is_none_or(|c| people.iter().any(|p| p.named_in(&c))) {
                named.push((run, line));
            }
        }
        named
    };
    let mut delete = db.conn.prepare("DELETE FROM import_rejects WHERE run_id = ?1 AND line = ?2")?;
    for (run, line) in named {
        delete.execute(params![run, line])?;
    }
    erase_file_names(db, people)
}

/// Blanks the names of imported files that name any of these people: a phone's or Outlook's export of
/// one contact is called after them ("Tobias Grimsworth.vcf").
fn erase_file_names(db: &Db<'_>, people: &[Person]) -> Result<()> {
    let runs: Vec<(String, String, Option<String>)> = db
        .conn
        .prepare("SELECT id, file_name, file_path FROM import_runs WHERE team_id = ?1")?
        .query_map([db.ctx.team_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut blank = db.conn.prepare("UPDATE import_runs SET file_name = ?2, file_path = NULL WHERE id = ?1")?;
    for (run, file_name, file_path) in runs {
        // The file's name and each folder it was read from, which may be named after the person too.
        let parts = std::path::Path::new(file_path.as_deref().unwrap_or(&file_name))
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .chain(std::iter::once(file_name.clone()));
        let named = parts.into_iter().any(|part| {
            let base = std::path::Path::new(&part).file_stem().map_or(part.clone(), |s| s.to_string_lossy().into());
            // Words of the name however they were joined ("tobias_grimsworth", "Tobias-Grimsworth"), and
            // the name as it is, which may hold an address or a number.
            let words = fold(&base.replace(['_', '-', '.', '+'], " "));
            let cells = [words.split_whitespace().collect::<Vec<_>>().join(" "), fold(&part)];
            people.iter().any(|p| p.named_in(&cells))
        });
        if named {
            blank.execute(params![run, ERASED])?;
        }
    }
    Ok(())
}

/// What a file says of a person it says was forgotten, emptied as `erase` empties a lead: a hostile or
/// hand-made file's row brings none of their data in.
pub fn erase_row(row: &mut crate::io::record::LeadRow) {
    row.first_name = "Forgotten".into();
    row.last_name.clear();
    row.emails.clear();
    row.no_own_email = false;
    row.phones.clear();
    row.phone_extensions.clear();
    row.title = None;
    row.company = None;
    row.notes = None;
    row.tags.clear();
    row.profile_url = None;
    row.lead_profile = None;
    row.connected_on = None;
    row.country = None;
    row.deal = None;
    row.raw.clear();
    // The leads merged into them were them too.
    row.merges.clear();
    if let Some(churn) = row.churn.as_mut() {
        churn.reason = None;
    }
    row.do_not_contact = Some(true);
    row.do_not_contact_reason = Some(format!("{ERASED_REASON} (forget)"));
}

/// The leads merged into this one, and those merged into them: removed rows that still hold what the
/// person was known by before the merge.
fn merged_into(db: &Db<'_>, lead: &LeadId) -> Result<Vec<leads::Lead>> {
    let ids: Vec<String> = db
        .conn
        .prepare(
            "WITH RECURSIVE folded(id) AS (
                 SELECT merged_id FROM merge_log WHERE kept_id = ?1
                 UNION SELECT m.merged_id FROM merge_log m JOIN folded f ON m.kept_id = f.id)
             SELECT id FROM folded",
        )?
        .query_map([lead.as_str()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().filter_map(|id| leads::find_any(db, &LeadId(id)).transpose()).collect()
}

/// What else holds a person besides their rows (the caller has emptied the lead's own fields, tags too, and
/// its search-index row): tag rows, events about them or their rows, their
/// customer record's text, the reasons earlier privacy entries gave, and a company nobody else is at.
fn erase_traces(db: &Db<'_>, l: &leads::Lead) -> Result<()> {
    let (id, now) = (l.id.as_str(), db.now.0);
    exec(db, "DELETE FROM lead_tags WHERE lead_id = ?1", [id])?;
    // What they had before is kept only for a `forget` to remember (which took it already).
    exec(db, "DELETE FROM former_contacts WHERE lead_id = ?1", [id])?;
    // An event may be about the lead (a churn's subject is `lead@time`) or about any of its rows (a won
    // deal's event carries the person). Those still to go out do not: there is nobody left to tell about.
    let about_the_person = format!(
        "(subject_id = ?1 OR (subject_id >= ?1 || '@' AND subject_id < ?1 || 'A') OR subject_id IN (
             SELECT id FROM deals WHERE {OF_LEAD} UNION ALL SELECT id FROM outreach WHERE {OF_LEAD}
             UNION ALL SELECT id FROM meetings WHERE {OF_LEAD} UNION ALL SELECT id FROM tasks WHERE {OF_LEAD}
             UNION ALL SELECT id FROM inbox_items WHERE {OF_LEAD}))"
    );
    let why = "withdrawn: the person was forgotten";
    exec(
        db,
        &format!(
            "UPDATE events SET withdrawn_at = ?3, last_error = '{why}' WHERE {}",
            crate::store::events::PENDING_OF_LEAD
        ),
        params![db.ctx.team_id.as_str(), id, now],
    )?;
    exec(
        db,
        &format!(
            "UPDATE events SET withdrawn_at = ?2, last_error = '{why}'
             WHERE delivered_at IS NULL AND withdrawn_at IS NULL AND {about_the_person}"
        ),
        params![id, now],
    )?;
    exec(db, &format!("UPDATE events SET payload = '{{}}' WHERE {about_the_person}"), [id])?;
    // A customer's record keeps its dates and status for the counts; its plan (a deal's title), product and
    // the reason they left are free text, as the lead's product interest is.
    exec(
        db,
        &format!(
            "UPDATE client_profiles SET plan = NULL, product = NULL, churn_reason = NULL, updated_at = ?2
             WHERE {OF_LEAD}"
        ),
        params![id, now],
    )?;
    exec(db, "UPDATE privacy_log SET reason = NULL WHERE lead_id = ?1", [id])?;
    // A one-person company (a freelancer's own name, often) goes with the person; one others work at stays.
    if let Some(account) = &l.account_id {
        crate::store::accounts::drop_if_unused(db, account)?;
    }
    Ok(())
}

/// Erases the removed leads merged into `lead` (their history moved to it when they were merged).
fn erase_merged(db: &Db<'_>, merged: &[leads::Lead], action: &str, reason: Option<&str>) -> Result<()> {
    for m in merged {
        exec(db,
            "UPDATE leads SET first_name = 'Forgotten', last_name = '', name_key = NULL, email = NULL, email_key = NULL, phone = NULL,
             title = NULL, account_id = NULL, notes = NULL, source = NULL, industry = NULL, company_size = NULL,
             product_interest = NULL, profile_url = NULL, tags = '', do_not_contact_reason = NULL, forgotten_at = ?2, updated_at = ?2
             WHERE id = ?1",
            params![m.id.as_str(), db.now.0],
        )?;
        exec(db, "DELETE FROM lead_fts WHERE rowid = ?1", [m.seq])?;
        // Pairs it was staged in (dismissed ones too) would tie its id to another lead.
        exec(db, "DELETE FROM merge_candidates WHERE lead_a = ?1 OR lead_b = ?1", [m.id.as_str()])?;
        crate::store::lead_emails::drop_all(db, &m.id)?;
        erase_traces(db, m)?;
        log(db, &m.id, action, reason)?;
    }
    Ok(())
}

/// Remembers a person's addresses, numbers and profiles (a LinkedIn export seldom gives an e-mail to refuse
/// them by), as hashes only, so they are not taken again: those of the leads merged into them too, and
/// those they had before (`forgotten::keep_former`). Asked by the person (`touches`), those their touches
/// went to or came from too (the address a reply was written from, the number called, a WhatsApp number).
/// Not one another live lead has, as its own or (for what is not the person's own now) in a touch of its
/// own: a switchboard's number or a shared inbox would refuse their colleagues.
/// Returns every value it looked at: what names the person, shared or not (a reason given for forgetting
/// them is written without it); and the values it remembered, which other records are written without.
fn refuse_from_now_on(db: &Db<'_>, person: &leads::Lead, merged: &[leads::Lead], touches: bool) -> Result<Remembered> {
    use crate::store::forgotten::{number_hashes, number_shared, profile_hashes, remember, remember_hashes};
    let people: Vec<&leads::Lead> = std::iter::once(person).chain(merged).collect();
    let ids: Vec<&str> = people.iter().map(|l| l.id.as_str()).collect();
    // Each value, and whether it is the person's own now (else it was theirs, or reached them).
    let mut reached: Vec<(Former, String, bool)> = Vec::new();
    for l in &people {
        reached.extend(l.email.iter().chain(&l.other_emails).map(|e| (Former::Email, e.clone(), true)));
        reached.extend(l.phone.iter().map(|p| (Former::Phone, p.clone(), true)));
        reached.extend(l.profile_url.iter().map(|p| (Former::Profile, p.clone(), true)));
        reached.extend(crate::store::forgotten::take_former(db, &l.id)?.into_iter().map(|(k, v)| (k, v, false)));
        if touches {
            for (kind, value) in touch_values(db, &l.id)? {
                let former = match kind {
                    OutreachKind::Email => Former::Email,
                    OutreachKind::Social => Former::Profile,
                    OutreachKind::Call => Former::Phone,
                    // "whatsapp:+34…": the number after the app; a handle ("telegram:@ana") names no number.
                    OutreachKind::Messenger => {
                        let number = value.split_once(':').map_or(value.as_str(), |(_, n)| n);
                        reached.push((Former::Phone, number.to_string(), false));
                        continue;
                    }
                    OutreachKind::Platform => continue,
                };
                reached.push((former, value, false));
            }
        }
    }
    let country = db.ctx.country.as_deref();
    // One pass over every touch, for a forget: not for each lead of a retention run, whose former values
    // are checked against the leads that have them only.
    let others_touched = match touches {
        true => touched_by_others(db, &ids, reached.iter().filter(|r| !r.2).map(|r| (r.0, r.1.as_str())))?,
        false => Default::default(),
    };
    let looked_at: Vec<(Former, String)> = reached.iter().map(|(k, v, _)| (*k, v.clone())).collect();
    let (mut addresses, mut hashes, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for (kind, value, own) in reached {
        if !own && others_touched.contains(&touch_key(kind, &value, country)) {
            continue;
        }
        let keep = match kind {
            Former::Email => {
                let keep = crate::store::lead_emails::lead_with(db, &value)?.is_none_or(|l| ids.contains(&l.as_str()));
                if keep {
                    addresses.push(value.clone());
                }
                keep
            }
            Former::Phone => {
                let keep = !crate::domain::phone_keys::match_keys(&value, country).is_empty()
                    && !number_shared(db, &value, &ids)?;
                if keep {
                    hashes.extend(number_hashes(&value, country));
                }
                keep
            }
            Former::Profile => {
                let keep = crate::domain::lead::is_member_page(&value) && !profile_held_by_others(db, &value, &ids)?;
                if keep {
                    hashes.extend(profile_hashes(&value));
                }
                keep
            }
        };
        if keep {
            kept.push((kind, value));
        }
    }
    remember(db, &person.id, &addresses)?;
    hashes.sort();
    hashes.dedup();
    remember_hashes(db, Some(&person.id), &hashes, db.now)?;
    Ok(Remembered { looked_at, kept })
}

/// What `refuse_from_now_on` looked at, and what of it it remembered.
struct Remembered {
    looked_at: Vec<(Former, String)>,
    kept: Vec<(Former, String)>,
}

/// A value as touches are compared by: an address in its normalised form, a number by its key, a profile
/// in its one form.
fn touch_key(kind: Former, value: &str, country: Option<&str>) -> String {
    match kind {
        Former::Email => crate::domain::lead::normalize_email(crate::domain::lead::bare_address(value)),
        Former::Phone => crate::domain::phone_keys::phone_key(value, country).unwrap_or_else(|| value.to_string()),
        Former::Profile => crate::domain::lead::canonical_profile(value).trim_end_matches('/').to_lowercase(),
    }
}

/// Which of `values` a live lead other than `ids` has in a touch of its own (a switchboard called for two
/// people, a shared inbox written to), as `touch_key`s: one pass over the touches (a forget, not each lead
/// of a retention run), a number's key worked out only for a touch whose last digits are one of theirs.
fn touched_by_others<'a>(
    db: &Db<'_>,
    ids: &[&str],
    values: impl Iterator<Item = (Former, &'a str)>,
) -> Result<std::collections::HashSet<String>> {
    use std::collections::{HashMap, HashSet};
    let country = db.ctx.country.as_deref();
    let last_digits = |v: &str| -> Option<u32> {
        let mut tail = v.bytes().rev().filter(u8::is_ascii_digit).take(6).collect::<Vec<u8>>();
        (tail.len() == 6).then(|| tail.drain(..).rev().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let mut wanted: HashSet<String> = HashSet::new();
    let mut tails: HashSet<u32> = HashSet::new();
    for (kind, value) in values {
        wanted.insert(touch_key(kind, value, country));
        if kind == Former::Phone {
            tails.extend(last_digits(value));
        }
    }
    if wanted.is_empty() {
        return Ok(HashSet::new());
    }
    // Who else has each key in a touch; their being live is asked once the pass is done.
    let mut holders: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = db.conn.prepare(
        "SELECT lead_id, kind, value FROM outreach WHERE team_id = ?1 AND kind IN (2, 3, 4, 5) AND deleted_at IS NULL",
    )?;
    let mut rows = stmt.query([db.ctx.team_id.as_str()])?;
    while let Some(r) = rows.next()? {
        let lead = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        if ids.contains(&lead) {
            continue;
        }
        let value = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        let key = match r.get::<_, i64>(1)? {
            2 => touch_key(Former::Email, value, country),
            4 => touch_key(Former::Profile, value, country),
            _ => {
                let number = value.split_once(':').map_or(value, |(_, n)| n);
                if !last_digits(number).is_some_and(|t| tails.contains(&t)) {
                    continue;
                }
                touch_key(Former::Phone, number, country)
            }
        };
        if wanted.contains(&key) {
            holders.entry(key).or_default().push(lead.to_string());
        }
    }
    let mut live =
        db.conn.prepare_cached("SELECT 1 FROM leads WHERE id = ?1 AND deleted_at IS NULL AND forgotten_at IS NULL")?;
    let mut shared = HashSet::new();
    for (key, leads) in holders {
        for lead in leads {
            if live.exists([lead.as_str()])? {
                shared.insert(key);
                break;
            }
        }
    }
    Ok(shared)
}

/// The kind and value of every touch logged for a lead (taken back ones too: their values are kept).
fn touch_values(db: &Db<'_>, lead: &LeadId) -> Result<Vec<(OutreachKind, String)>> {
    let mut stmt = db.conn.prepare_cached(&format!("SELECT DISTINCT kind, value FROM outreach WHERE {OF_LEAD}"))?;
    let rows = stmt.query_map([lead.as_str()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut values = Vec::new();
    for row in rows {
        let (kind, value) = row?;
        if let Some(kind) = OutreachKind::from_code(kind).filter(|_| !value.trim().is_empty() && value != ERASED) {
            values.push((kind, value));
        }
    }
    Ok(values)
}

/// Whether a live lead other than these has this profile as its own.
fn profile_held_by_others(db: &Db<'_>, profile: &str, except: &[&str]) -> Result<bool> {
    let canonical = crate::domain::lead::canonical_profile(profile);
    let ids: Vec<String> = db
        .conn
        .prepare_cached(
            "SELECT id FROM leads WHERE team_id = ?1 AND profile_url = ?2 AND deleted_at IS NULL AND forgotten_at IS NULL",
        )?
        .query_map(params![db.ctx.team_id.as_str(), canonical], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().any(|id| !except.contains(&id.as_str())))
}

/// Erases one person on request, with every lead that was merged into theirs.
pub fn forget(db: &Db<'_>, lead: &LeadId, reason: Option<&str>) -> Result<Erased> {
    let person = leads::find_including_removed(db, lead)?
        .ok_or_else(|| StoreError::NotFound { what: "lead", reference: lead.to_string() })?;
    // Once is the erasure, and its record: a second one would say nothing true and blank the first's reason.
    if let Some(at) = person.forgotten_at {
        return Err(StoreError::Refused(format!(
            "lead {lead} was already forgotten on {}; nothing is left to erase",
            at.local(db.ctx.tz)
        )));
    }
    let merged = merged_into(db, lead)?;
    let remembered = refuse_from_now_on(db, &person, &merged, true)?;
    let country = db.ctx.country.as_deref();
    let mut people = vec![Person::of(&person, country)];
    people.extend(merged.iter().map(|m| Person::of(m, country)));
    // What they had or were reached at names them too, in the reason and in rejected rows.
    for (kind, value) in &remembered.looked_at {
        people[0].also(*kind, value);
    }
    // The reason stays in the privacy log; what in it names the person does not.
    let given = reason;
    let kept = given.map(|r| without_the_person(r, &people.iter().collect::<Vec<_>>()));
    let reason = kept.as_deref();
    let mut e = erase(db, lead, "forget", reason)?;
    e.reason_edited = reason != given;
    erase_merged(db, &merged, "forget", reason)?;
    let ids: Vec<&str> = std::iter::once(lead.as_str()).chain(merged.iter().map(|m| m.id.as_str())).collect();
    let mut named: Vec<(&leads::Lead, &[(Former, String)])> = vec![(&person, &remembered.kept)];
    named.extend(merged.iter().map(|m| (m, &[][..])));
    e.named_elsewhere = elsewhere::erase_mentions(db, &named, &ids)?;
    erase_rejects(db, &people)?;
    purge_index(db)?;
    Ok(e)
}

/// Leads anonymised per transaction: a rep logging a call meanwhile waits for one batch (a fraction of a
/// second), not the whole run.
const ANONYMIZE_BATCH: usize = 2_000;

/// Anonymises every lead inactive for `months` (retention), a batch per transaction so other writers are not
/// held for the whole run, giving each batch to `batch_done` as it commits. A run stopped mid-way keeps the
/// batches done, and owes the search-index purge and the log flush, which the next open does
/// (`Store::finish_flush`); the next run does the rest.
/// `batch_done` is given each batch once it is saved, and says whether to go on (Ctrl-C stops the run between
/// batches, so what it says was done is what was saved). Returns whether every lead due was seen to.
pub fn anonymize_inactive(
    store: &mut Store,
    months: u32,
    mut batch_done: impl FnMut(Vec<Inactive>) -> bool,
) -> Result<bool> {
    let due = inactive(&store.db(), months)?;
    let mut batches = due.chunks(ANONYMIZE_BATCH).peekable();
    let mut finished = true;
    while let Some(batch) = batches.next() {
        if !batch_done(store.write(|db| anonymize_batch(db, months, batch))?) && batches.peek().is_some() {
            finished = false;
            break;
        }
    }
    // Owed still if another process holds the database now: the next open does it.
    if let Err(e) = store.finish_flush() {
        tracing::warn!(error = %e, "the search index is purged at the next open");
    }
    Ok(finished)
}

/// Anonymises those of `batch` still inactive now: one may have been contacted since the run listed them.
fn anonymize_batch(db: &Db<'_>, months: u32, batch: &[Inactive]) -> Result<Vec<Inactive>> {
    let cutoff = inactivity_cutoff(db, months);
    let mut still = db.conn.prepare_cached(&format!("{INACTIVE} AND l.id = ?3"))?;
    let mut due = Vec::with_capacity(batch.len());
    for l in batch {
        if let Some(now) =
            still.query_row(params![db.ctx.team_id.as_str(), cutoff, l.id.as_str()], inactive_row).optional()?
        {
            due.push(now);
        }
    }
    let reason = format!("no activity for {months} month{}", if months == 1 { "" } else { "s" });
    let country = db.ctx.country.as_deref();
    let mut people = Vec::with_capacity(due.len());
    // Who they were, and what of theirs was remembered, for the records of others that name them.
    let mut anonymised: Vec<(leads::Lead, Vec<(Former, String)>)> = Vec::with_capacity(due.len());
    for l in &due {
        let merged = merged_into(db, &l.id)?;
        if let Some(person) = leads::find_including_removed(db, &l.id)? {
            // Someone who opted out stays opted out: an old list imported again must not bring them back
            // as a lead that may be contacted.
            let mut kept = Vec::new();
            if person.do_not_contact || merged.iter().any(|m| m.do_not_contact) {
                kept = refuse_from_now_on(db, &person, &merged, false)?.kept;
            }
            people.push(Person::of(&person, country));
            anonymised.push((person, kept));
        }
        people.extend(merged.iter().map(|m| Person::of(m, country)));
        anonymised.extend(merged.iter().map(|m| (m.clone(), Vec::new())));
        erase(db, &l.id, "anonymize", Some(&reason))?;
        erase_merged(db, &merged, "anonymize", Some(&reason))?;
    }
    let ids: Vec<&str> = anonymised.iter().map(|(l, _)| l.id.as_str()).collect();
    let named: Vec<(&leads::Lead, &[(Former, String)])> = anonymised.iter().map(|(l, k)| (l, k.as_slice())).collect();
    elsewhere::erase_mentions(db, &named, &ids)?;
    erase_rejects(db, &people)?;
    if !due.is_empty() {
        crate::store::owe_erasure_cleanup(db)?;
    }
    Ok(due)
}

/// A lead with no activity for the retention period.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Inactive {
    pub id: LeadId,
    pub name: String,
    pub last_activity: Timestamp,
    /// Their deals still open, which the erasure closes as lost (they have gone nowhere for as long).
    pub open_deals: i64,
}

/// Leads whose latest activity (contact, edit, creation, or a live deal, meeting, task or note of theirs) is
/// older than `months`, not yet anonymised; not customers (by their stage of life or an active customer
/// record), whose record a contract keeps (until churned).
pub fn inactive(db: &Db<'_>, months: u32) -> Result<Vec<Inactive>> {
    let cutoff = inactivity_cutoff(db, months);
    let mut stmt = db.conn.prepare(&format!("{INACTIVE} ORDER BY last"))?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), cutoff], inactive_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The time before which a lead's latest activity makes it inactive: calendar months in the team's zone
/// (18 months before 30 August is 28 February, not 30 × 18 days).
fn inactivity_cutoff(db: &Db<'_>, months: u32) -> i64 {
    let local = db.now.to_utc().with_timezone(&db.ctx.tz);
    local
        .checked_sub_months(chrono::Months::new(months))
        .map_or(i64::MIN, |t| t.with_timezone(&chrono::Utc).timestamp_millis())
}

fn inactive_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Inactive> {
    Ok(Inactive { id: LeadId(r.get(0)?), name: r.get(1)?, last_activity: Timestamp(r.get(2)?), open_deals: r.get(3)? })
}

/// Leads of team ?1 whose latest activity is before ?2, not yet anonymised.
/// Activity includes what is still ahead: an open task (its due date, or the date it was snoozed to) or
/// a meeting to come keeps the lead. Only live rows count, which is also what lets each lookup use the
/// partial by-lead indexes (without it SQLite builds a throwaway index per lead: minutes at 100k leads).
const INACTIVE: &str = concat!("SELECT l.id, ", lead_name_sql!("l"), ", max(ifnull(l.last_contacted_at, 0), l.updated_at, l.created_at,
                ifnull((SELECT max(updated_at) FROM deals d WHERE d.lead_id = l.id AND d.deleted_at IS NULL), 0),
                ifnull((SELECT max(max(scheduled_at, updated_at)) FROM meetings m
                        WHERE m.lead_id = l.id AND m.deleted_at IS NULL), 0),
                ifnull((SELECT max(max(t.updated_at, ifnull(t.done_at, 0),
                                       CASE WHEN t.done_at IS NULL THEN max(t.due_at, ifnull(t.snoozed_until, 0)) ELSE 0 END))
                        FROM tasks t WHERE t.lead_id = l.id AND t.deleted_at IS NULL), 0),
                ifnull((SELECT max(updated_at) FROM notes n WHERE n.lead_id = l.id AND n.deleted_at IS NULL), 0)) AS last,
            (SELECT count(*) FROM deals d WHERE d.lead_id = l.id AND d.status = 'open' AND d.deleted_at IS NULL)
         FROM leads l WHERE l.team_id = ?1 AND l.forgotten_at IS NULL AND last < ?2 AND l.lifecycle <> 'customer'
           AND NOT EXISTS (SELECT 1 FROM client_profiles c
                           WHERE c.lead_id = l.id AND c.status = 'active' AND c.deleted_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM merge_log m WHERE m.merged_id = l.id)"
);

/// One entry of the privacy log: what was done about whom, when, by which member, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LogEntry {
    pub at: Timestamp,
    pub action: String,
    /// The lead it was about; none for an address let in again (which names no lead: that would tie the
    /// person who came back to the forgotten one's history).
    pub lead_id: Option<LeadId>,
    /// The lead's name as it stands now: "Forgotten" once they are.
    pub lead: Option<String>,
    /// The live lead it is part of now, when the lead it was about was merged into another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<LeadId>,
    pub by: Option<String>,
    pub reason: Option<String>,
    /// The lead was forgotten since, and this entry's reason (if one was given) was erased with the rest of
    /// their data; the erasure's own reason is kept.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reason_erased: bool,
}

impl LogEntry {
    /// The live lead the entry is about now (the one a lead merged since went into): the id a command takes.
    pub fn live_lead(&self) -> Option<&LeadId> {
        self.merged_into.as_ref().or(self.lead_id.as_ref())
    }
}

/// The privacy log, newest first: of one lead (and every lead merged into it, merges of merges too), or of
/// the whole team.
pub fn log_entries(db: &Db<'_>, lead: Option<&LeadId>, limit: usize) -> Result<Vec<LogEntry>> {
    let mut stmt = db.conn.prepare(concat!(
        "WITH RECURSIVE folded(id) AS (
             SELECT ?2 UNION SELECT m.merged_id FROM merge_log m JOIN folded f ON m.kept_id = f.id)
         SELECT g.created_at, g.action, g.lead_id, ",
        lead_name_sql!("l"),
        ", u.name, g.reason, l.deleted_at IS NOT NULL, l.forgotten_at IS NOT NULL
         FROM privacy_log g LEFT JOIN leads l ON l.id = g.lead_id LEFT JOIN users u ON u.id = g.user_id
         WHERE g.team_id = ?1 AND (?2 IS NULL OR g.lead_id IN (SELECT id FROM folded))
         ORDER BY g.created_at DESC, g.rowid DESC LIMIT ?3"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), lead.map(LeadId::as_str), limit], |r| {
        let (action, reason): (String, Option<String>) = (r.get(1)?, r.get(5)?);
        let forgotten = r.get::<_, Option<bool>>(7)?.unwrap_or(false);
        let entry = LogEntry {
            at: Timestamp(r.get(0)?),
            lead_id: r.get::<_, Option<String>>(2)?.map(LeadId),
            lead: r.get(3)?,
            merged_into: None,
            by: r.get(4)?,
            reason_erased: forgotten && reason.is_none() && action != "forget",
            action,
            reason,
        };
        Ok((entry, r.get::<_, Option<bool>>(6)?.unwrap_or(false)))
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (mut entry, removed) = row?;
        if removed && let Some(id) = &entry.lead_id {
            entry.merged_into = leads::survivor(db, id)?;
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// What a command says when the erasure's old copies could not leave the disk yet (`Store::flush_log`).
pub const FLUSH_HELD_BACK: &str = "note: another process is using the database, so old copies of what was \
    erased stay in its write-ahead log for now; the next leadline command (or an open TUI's next minute) after \
    that process is done clears them";
