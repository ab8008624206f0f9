//! Finding the lead a row is: the same e-mail, phone or profile, or a weaker match staged for `dedupe`.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::keys::profile_forms;
use super::writer::Writer;
use crate::domain::lead::normalize_email;
use crate::domain::{LeadId, OutreachKind};
use crate::io::dedupe::name_company_key;
use crate::io::phone::{match_keys, stored_key};
use crate::io::record::LeadRow;
use crate::store::{Db, leads};

/// Names and companies whose match a run remembers (some 100 bytes each).
const WEAK_KNOWN: usize = 100_000;

fn created_at(db: &Db<'_>, id: &LeadId) -> crate::store::Result<i64> {
    Ok(db.conn.prepare_cached("SELECT created_at FROM leads WHERE id = ?1")?.query_row([id.as_str()], |r| r.get(0))?)
}

/// `name_company_key` as an SQL function on the importing connection.
pub(super) const NAME_COMPANY_FN: &str = "leadline_name_company_key";

/// The import's SQL function: whether two names say two people (`domain::text::names_differ`).
pub(super) const NAMES_DIFFER_FN: &str = "leadline_names_differ";
/// Why two leads are staged when a row has a lead's phone and another name.
pub const SAME_PHONE_OTHER_NAME: &str = "same phone, another name";
/// Why two leads are staged when a row has a lead's phone and name but another e-mail.
pub const SAME_PHONE_OTHER_EMAIL: &str = "same phone and name, another e-mail";

/// Why two leads are staged when one record of a file gives the e-mails of both.
const ONE_RECORD_BOTH_EMAILS: &str = "one record of an imported file gives the e-mails of both";

/// Whether the lead's own name says it is someone else than `name` (`text::names_differ`).
fn named_otherwise(db: &Db<'_>, lead: &LeadId, name: (&str, &str)) -> crate::store::Result<bool> {
    let (first, last, email): (String, String, Option<String>) = db
        .conn
        .prepare_cached("SELECT first_name, last_name, email FROM leads WHERE id = ?1")?
        .query_row([lead.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let own = crate::domain::text::given_name(&first, &last, email.as_deref());
    Ok(crate::domain::text::names_differ(own, name))
}

impl Writer {
    /// The live lead whose own e-mail, or one of whose other e-mails, has this key.
    pub(super) fn email_owner(&mut self, db: &Db<'_>, key: &str) -> crate::store::Result<Option<LeadId>> {
        let team = db.ctx.team_id.as_str();
        let h = self.hash("e", key);
        if self.bloom.maybe(h) {
            let found: Option<String> = if self.keys.is_some() {
                self.confirm(
                    db,
                    &[h],
                    "SELECT id, created_at FROM leads WHERE seq = ?1 AND team_id = ?2 AND email_key = ?3
                     AND deleted_at IS NULL",
                    &[&team, &key],
                )?
            } else {
                db.conn
                    .prepare_cached(
                        "SELECT id FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL",
                    )?
                    .query_row(params![team, key], |r| r.get(0))
                    .optional()?
            };
            if let Some(id) = found {
                return Ok(Some(LeadId(id)));
            }
        }
        if self.bloom.maybe(self.hash("o", key)) {
            return crate::store::lead_emails::owner(db, key);
        }
        Ok(None)
    }

    /// Gives a lead an address the row brings as another of its e-mails, unless a lead already has it.
    pub(super) fn give_email(&mut self, db: &Db<'_>, lead: &LeadId, email: &str) -> crate::store::Result<bool> {
        let key = normalize_email(email);
        if let Some(owner) = self.email_owner(db, &key)? {
            // Another lead's address in this lead's record: the file says they are one person, which is not
            // merged blindly but staged for `leadline dedupe`.
            let origin = format!("import:{}", self.run_id);
            if owner != *lead && stage_candidate(db, lead, &owner, ONE_RECORD_BOTH_EMAILS, 80, &origin)? {
                self.counts.merge_candidates += 1;
            }
            return Ok(false);
        }
        crate::store::lead_emails::add_unchecked(db, lead, email)?;
        let h = self.hash("o", &key);
        self.bloom.insert(h);
        Ok(true)
    }

    /// The lead this row is exactly (same e-mail, then same phone), if any.
    pub(super) fn exact_match(
        &mut self,
        db: &Db<'_>,
        row: &LeadRow,
    ) -> crate::store::Result<Option<(LeadId, &'static str)>> {
        let team = db.ctx.team_id.as_str();
        for (i, e) in row.emails.iter().enumerate() {
            if let Some(id) = self.email_owner(db, &normalize_email(e))? {
                // Another of the record's addresses is the person's when the names agree: a shared one (an
                // info@ inbox, an assistant's) is on several people's cards. Under another name the row is
                // a lead of its own, staged with that one as it is given the address (`give_email`).
                if i > 0 && !row.derived_name && named_otherwise(db, &id, (&row.first_name, &row.last_name))? {
                    continue;
                }
                return Ok(Some((id, "same e-mail")));
            }
        }
        // The e-mail of a lead merged into another one is still that person's (an opt-out it had went
        // with it).
        if !self.merged_emails.is_empty() {
            for e in &row.emails {
                let key = normalize_email(e);
                if let Some((merged, kept)) = self.merged_emails.get(&self.hash("e", &key))
                    && *merged == key
                    && let Some(id) = leads::survivor(db, kept)?
                {
                    return Ok(Some((id, "same e-mail as a lead merged into it")));
                }
            }
        }
        // A phone is one person only when the e-mails do not say otherwise: two people with addresses of
        // their own may share a number (a switchboard, a family line), and an e-mail that matched was
        // found above. Nor when the names do: "Carl Tres" on Ana Uno's number is a colleague of hers.
        let no_email = row.emails.is_empty();
        let (first, last) = if row.derived_name { ("", "") } else { (row.first_name.as_str(), row.last_name.as_str()) };
        self.phone_namesake = None;
        for p in &row.phones {
            let mut keys = match_keys(p, row.country.as_deref());
            // The phone of a lead merged into another is still that person's, as their e-mail is, for a row
            // with no address of its own (one with an address that matched nobody is someone else).
            for k in keys.iter().filter(|_| no_email && !self.merged_phones.is_empty()) {
                if let Some((stored, kept, (merged_first, merged_last))) = self.merged_phones.get(&self.hash("p", k))
                    && stored == k
                    && !crate::domain::text::names_differ((merged_first, merged_last), (first, last))
                    && let Some(id) = leads::survivor(db, kept)?
                {
                    return Ok(Some((id, "same phone as a lead merged into it")));
                }
            }
            let hashes: Vec<u64> = keys.iter().map(|k| self.hash("p", k)).filter(|h| self.bloom.maybe(*h)).collect();
            if hashes.is_empty() {
                continue;
            }
            // Five parameters whatever the number of forms (repeating the last one changes nothing).
            while keys.len() < 5 {
                keys.push(keys[keys.len() - 1].clone());
            }
            // A switchboard's number is many people's: only the same name on it is the same person.
            if self.switchboard(db, &hashes, &keys)? {
                if let Some(id) = self.on_switchboard(db, &hashes, &keys, (first, last), no_email)? {
                    return Ok(Some((id, "same phone and name")));
                }
                // The same name on it with another address: staged, as off a switchboard.
                if !no_email
                    && self.phone_namesake.is_none()
                    && let Some(id) = self.on_switchboard(db, &hashes, &keys, (first, last), true)?
                {
                    self.phone_namesake = Some((id, true));
                }
                continue;
            }
            if let Some(id) = self.earliest_on_phone(db, &hashes, &keys, no_email, (first, last))? {
                return Ok(Some((id, "same phone")));
            }
            // The lead on this number the row's e-mail or name says is someone else, to stage beside the row's
            // own: of the same name with another address (most likely the person's other mailbox), else of
            // another name (no name differs from none).
            if self.phone_namesake.is_none() {
                // Without an e-mail the row was looked for by name on this number above, in vain.
                let same_name = if no_email || (first.is_empty() && last.is_empty()) {
                    None
                } else {
                    match self.earliest_on_phone(db, &hashes, &keys, true, (first, last))? {
                        // The lead's own name, not one made of its address, which no name differs from.
                        Some(id) if named(db, &id)? => Some(id),
                        _ => None,
                    }
                };
                self.phone_namesake = match same_name {
                    Some(id) => Some((id, true)),
                    None => self.earliest_on_phone(db, &hashes, &keys, no_email, ("", ""))?.map(|id| (id, false)),
                };
            }
        }
        // A profile URL is one person too (LinkedIn connections mostly come without an e-mail): the lead's
        // own, or one a touch of theirs was logged with.
        // Only a person's own page names one person (a company page several records give does not).
        if let Some(url) = row.profile().filter(|p| crate::domain::lead::is_member_page(p)) {
            if let Some(id) = self.profile_holder(db, &url)? {
                return Ok(Some((id, "same profile")));
            }
            let [a, b] = profile_forms(&url);
            let found: Option<String> = db
                .conn
                .prepare_cached(&format!(
                    "SELECT o.lead_id FROM outreach o JOIN leads l ON l.id = o.lead_id
                     WHERE o.kind = {} AND o.value IN (?1, ?2) AND o.deleted_at IS NULL
                       AND l.team_id = ?3 AND l.deleted_at IS NULL
                     ORDER BY l.created_at LIMIT 1",
                    OutreachKind::Social.code()
                ))?
                .query_row(params![a, b, team], |r| r.get(0))
                .optional()?;
            if let Some(id) = found {
                return Ok(Some((LeadId(id), "same profile")));
            }
        }
        Ok(None)
    }

    /// The earliest live lead on this number (any of its five forms) whose name does not differ from
    /// `name` and whose e-mail does not say otherwise (a row with an address of its own is not a lead with
    /// another): through the key table in a bulk load, which has lifted the index on phones.
    fn earliest_on_phone(
        &mut self,
        db: &Db<'_>,
        hashes: &[u64],
        keys: &[String],
        no_email: bool,
        (first, last): (&str, &str),
    ) -> crate::store::Result<Option<LeadId>> {
        let team = db.ctx.team_id.as_str();
        let found: Option<String> = if self.keys.is_some() {
            self.confirm(
                db,
                hashes,
                &format!(
                    "SELECT id, created_at FROM leads WHERE seq = ?1 AND team_id = ?2
                     AND phone_key IN (?3, ?4, ?5, ?6, ?10) AND deleted_at IS NULL AND (email_key IS NULL OR ?7)
                     AND NOT {NAMES_DIFFER_FN}(first_name, last_name, email, ?8, ?9)"
                ),
                &[&team, &keys[0], &keys[1], &keys[2], &keys[3], &no_email, &first, &last, &keys[4]],
            )?
        } else {
            db.conn
                .prepare_cached(&format!(
                    "SELECT id FROM leads WHERE team_id = ?1 AND phone_key IN (?2, ?3, ?4, ?5, ?9) AND deleted_at IS NULL
                     AND (email_key IS NULL OR ?6) AND NOT {NAMES_DIFFER_FN}(first_name, last_name, email, ?7, ?8)
                     ORDER BY created_at LIMIT 1"
                ))?
                .query_row(params![team, keys[0], keys[1], keys[2], keys[3], no_email, first, last, keys[4]], |r| r.get(0))
                .optional()?
        };
        Ok(found.map(LeadId))
    }

    /// The lead of this name on a switchboard's number (the earliest), from the leads on it, read once per
    /// number and kept up to date as the import adds others (`note_on_switchboard`).
    fn on_switchboard(
        &mut self,
        db: &Db<'_>,
        hashes: &[u64],
        keys: &[String],
        (first, last): (&str, &str),
        no_email: bool,
    ) -> crate::store::Result<Option<LeadId>> {
        let name = crate::domain::text::name_key(first, last);
        if name.is_empty() {
            return Ok(None);
        }
        if !self.switchboards.contains_key(&keys[0]) {
            let mut on_it: HashMap<String, (i64, String, bool)> = HashMap::new();
            let mut take = |id: String, created: i64, name: Option<String>, has_email: bool| {
                let Some(name) = name else { return };
                let entry = on_it.entry(name).or_insert((created, id.clone(), has_email));
                if created < entry.0 {
                    *entry = (created, id, has_email);
                }
            };
            let cols = "id, created_at, name_key, email_key IS NOT NULL";
            match &self.keys {
                // A bulk load has lifted the phone index: the key table names the leads on the number.
                Some(t) => {
                    let mut seqs = Vec::new();
                    for h in hashes {
                        t.candidates(*h, &mut seqs);
                    }
                    let mut stmt = db.conn.prepare_cached(&format!(
                        "SELECT {cols} FROM leads WHERE seq = ?1 AND deleted_at IS NULL AND phone_key IN (?2, ?3, ?4, ?5, ?6)"
                    ))?;
                    for seq in seqs {
                        if let Some((id, created, name, has_email)) = stmt
                            .query_row(params![seq, keys[0], keys[1], keys[2], keys[3], keys[4]], |r| {
                                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                            })
                            .optional()?
                        {
                            take(id, created, name, has_email);
                        }
                    }
                }
                None => {
                    let mut stmt = db.conn.prepare_cached(&format!(
                        "SELECT {cols} FROM leads WHERE team_id = ?1 AND phone_key IN (?2, ?3, ?4, ?5, ?6)
                         AND deleted_at IS NULL"
                    ))?;
                    let mut rows =
                        stmt.query(params![db.ctx.team_id.as_str(), keys[0], keys[1], keys[2], keys[3], keys[4]])?;
                    while let Some(r) = rows.next()? {
                        take(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                    }
                }
            }
            self.switchboards.insert(keys[0].clone(), on_it);
        }
        Ok(self.switchboards[&keys[0]]
            .get(&name)
            .filter(|(_, _, has_email)| no_email || !has_email)
            .map(|(_, id, _)| LeadId(id.clone())))
    }

    /// A lead the import added on a switchboard's number, for the rows after it (`on_switchboard`).
    pub(super) fn note_on_switchboard(&mut self, row: &LeadRow, id: &LeadId) {
        let Some(phone) = row.phones.first().filter(|_| !self.switchboards.is_empty()) else { return };
        let Some(key) = match_keys(phone, row.country.as_deref()).into_iter().next() else { return };
        if let Some(on_it) = self.switchboards.get_mut(&key) {
            let name = crate::domain::text::name_key(&row.first_name, &row.last_name);
            on_it.entry(name).or_insert((i64::MAX, id.0.clone(), row.own_email().is_some()));
        }
    }

    /// Whether more leads than one person has records share this number (`dedupe::SWITCHBOARD`).
    fn switchboard(&self, db: &Db<'_>, hashes: &[u64], keys: &[String]) -> crate::store::Result<bool> {
        let limit = crate::io::dedupe::SWITCHBOARD;
        if let Some(t) = &self.keys {
            // Leads are held under the one form their number was written in: the forms' counts add up.
            let mut left = limit;
            for h in hashes {
                let here = t.count_up_to(*h, left + 1);
                if here > left {
                    return Ok(true);
                }
                left -= here;
            }
            return Ok(false);
        }
        let sharing: i64 = db
            .conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM leads WHERE team_id = ?1 AND phone_key IN (?2, ?3, ?4, ?5, ?7)
                 AND deleted_at IS NULL LIMIT ?6)",
            )?
            .query_row(
                params![db.ctx.team_id.as_str(), keys[0], keys[1], keys[2], keys[3], limit as i64 + 1, keys[4]],
                |r| r.get(0),
            )?;
        Ok(sharing as usize > limit)
    }

    /// The live lead that holds this profile as its own, if any.
    pub(super) fn profile_holder(&self, db: &Db<'_>, profile: &str) -> crate::store::Result<Option<LeadId>> {
        let [a, b] = profile_forms(profile);
        Ok(db
            .conn
            .prepare_cached(
                "SELECT id FROM leads WHERE team_id = ?3 AND profile_url IN (?1, ?2) AND deleted_at IS NULL
                 ORDER BY created_at, id LIMIT 1",
            )?
            .query_row(params![a, b, db.ctx.team_id.as_str()], |r| r.get(0))
            .optional()?
            .map(LeadId))
    }

    /// A lead with the same name at the same company: maybe the same person, never merged blindly.
    /// `key` is the row's `name_company_key`.
    pub(super) fn weak_match(
        &mut self,
        db: &Db<'_>,
        row: &LeadRow,
        key: Option<&str>,
    ) -> crate::store::Result<Option<LeadId>> {
        let (Some(company), Some(key)) = (row.company.as_deref(), key) else { return Ok(None) };
        let h = self.hash("n", key);
        if row.derived_name || !self.bloom.maybe(h) {
            return Ok(None);
        }
        // A name and company met before in this run: the lead found then, if it still has them. A
        // placeholder's thousands of rows ("[not provided]", "Accounts Payable") would each look through
        // all the others.
        if let Some((known, _)) = self.weak_known.get(key) {
            let still: bool = db
                .conn
                .prepare_cached(&format!(
                    "SELECT EXISTS (SELECT 1 FROM leads l JOIN accounts a ON a.id = l.account_id
                     WHERE l.id = ?1 AND l.deleted_at IS NULL AND a.deleted_at IS NULL
                       AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?2)"
                ))?
                .query_row(params![known.as_str(), key], |r| r.get(0))?;
            if still {
                return Ok(Some(known.clone()));
            }
        }
        let found = self.weak_search(db, row, company, key, h)?;
        if let Some(id) = &found
            && self.weak_known.len() < WEAK_KNOWN
        {
            let created = created_at(db, id)?;
            self.weak_known.insert(key.to_string(), (id.clone(), created));
        }
        Ok(found)
    }

    /// A lead just created under a name and company met before: it is the one later rows are staged
    /// against when it was created earlier (a file's dates may run backwards).
    pub(super) fn created_under(&mut self, db: &Db<'_>, key: &str, id: &LeadId) -> crate::store::Result<()> {
        let Some((_, known_at)) = self.weak_known.get(key) else { return Ok(()) };
        let created = created_at(db, id)?;
        if created < *known_at {
            self.weak_known.insert(key.to_string(), (id.clone(), created));
        }
        Ok(())
    }

    /// `weak_match` looked up in the database (and the key table of a bulk load).
    fn weak_search(
        &mut self,
        db: &Db<'_>,
        row: &LeadRow,
        company: &str,
        key: &str,
        h: u64,
    ) -> crate::store::Result<Option<LeadId>> {
        let team = db.ctx.team_id.as_str();
        if self.keys.is_some() {
            return Ok(self
                .confirm(
                    db,
                    &[h],
                    &format!(
                        "SELECT l.id, l.created_at FROM leads l JOIN accounts a ON a.id = l.account_id
                         WHERE l.seq = ?1 AND a.team_id = ?2 AND a.deleted_at IS NULL AND l.deleted_at IS NULL
                           AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3"
                    ),
                    &[&team, &key],
                )?
                .map(LeadId));
        }
        // Candidates through the search index, which folds accents and case as the key does: every word of
        // the name and the company (few leads have them all), then the key itself.
        let core = crate::domain::text::company_core(company);
        let text = format!("{} {} {core}", row.first_name, row.last_name);
        // Spelt with plain letters, the words find leads written either way (the index holds both).
        let text = crate::store::search::plain_spelt(&text).unwrap_or(text);
        let words: Vec<String> =
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"")).collect();
        // Of every lead found, the earliest created, the first written among equals (as the key table's
        // confirmation picks in a bulk load).
        let mut found: Vec<(i64, i64, String)> = Vec::new();
        if !words.is_empty() {
            found.extend(
                db.conn
                    .prepare_cached(&format!(
                        "SELECT l.created_at, l.seq, l.id FROM lead_fts f CROSS JOIN leads l ON l.seq = f.rowid
                         JOIN accounts a ON a.id = l.account_id
                         WHERE lead_fts MATCH ?1 AND l.team_id = ?2 AND l.deleted_at IS NULL AND a.deleted_at IS NULL
                           AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3
                         ORDER BY l.created_at LIMIT 1"
                    ))?
                    .query_row(params![words.join(" AND "), team, key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?,
            );
        }
        // Leads of this chunk are not in the search index until it ends: those it created by their key in
        // memory (each confirmed as it is now: a later row may have renamed it), others through their name
        // (few leads each, however many work at the company), then the key.
        for id in self.chunk_names.get(key).into_iter().flatten() {
            found.extend(
                db.conn
                    .prepare_cached(&format!(
                        "SELECT l.created_at, l.seq, l.id FROM leads l JOIN accounts a ON a.id = l.account_id
                         WHERE l.id = ?1 AND l.deleted_at IS NULL AND a.deleted_at IS NULL
                           AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?2"
                    ))?
                    .query_row(params![id.as_str(), key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?,
            );
        }
        // By the name's own index, in each way its apostrophes may be written ("D'Amico", "D’Amico"); a bulk
        // load that lifted that index (its key table full) goes through the company's leads instead.
        let by_name: bool = db
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'leads_by_name')",
            )?
            .query_row([], |r| r.get(0))?;
        let name = crate::domain::text::name_key(&row.first_name, &row.last_name);
        let row_of = |r: &rusqlite::Row<'_>| Ok((r.get(0)?, r.get(1)?, r.get(2)?));
        let first = match by_name {
            true => {
                let (straight, curly) = (name.replace('\u{2019}', "'"), name.replace('\'', "\u{2019}"));
                db.conn
                    .prepare_cached(&format!(
                        "SELECT l.created_at, l.seq, l.id FROM leads l JOIN accounts a ON a.id = l.account_id
                         WHERE l.name_key IN (?2, ?4, ?5) AND l.deleted_at IS NULL AND l.team_id = ?1
                           AND a.deleted_at IS NULL AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3
                         ORDER BY l.created_at LIMIT 1"
                    ))?
                    .query_row(params![team, name, key, straight, curly], row_of)
                    .optional()?
            }
            false => db
                .conn
                .prepare_cached(&format!(
                    "SELECT l.created_at, l.seq, l.id FROM accounts a JOIN leads l ON l.account_id = a.id
                     WHERE a.team_id = ?1 AND a.name_key = ?2 AND a.deleted_at IS NULL AND l.deleted_at IS NULL
                       AND {NAME_COMPANY_FN}(l.first_name, l.last_name, a.name) = ?3
                     ORDER BY l.created_at LIMIT 1"
                ))?
                .query_row(params![team, crate::domain::text::fold(company), key], row_of)
                .optional()?,
        };
        found.extend(first);
        Ok(found.into_iter().min().map(|(_, _, id)| LeadId(id)))
    }

    /// Records the keys of a row in the Bloom filter (and, for a lead just created as row `seq`, in the key
    /// table). `email_key` is the row's first e-mail normalised and `name_key` its `name_company_key`, when
    /// the caller has them already.
    pub(super) fn remember_keys(
        &mut self,
        db: &Db<'_>,
        row: &LeadRow,
        seq: Option<i64>,
        phone_saved: Option<&str>,
        email_key: Option<&str>,
        name_key: Option<&str>,
    ) -> crate::store::Result<()> {
        let e = match email_key {
            Some(e) => Some(self.hash("e", e)),
            None => row.own_email().map(|e| self.hash("e", &normalize_email(e))),
        };
        let p = phone_saved.and_then(stored_key).map(|p| self.hash("p", &p));
        let n = match name_key {
            Some(k) => Some(self.hash("n", k)),
            None => row.company.as_ref().map(|c| self.hash("n", &name_company_key(&row.first_name, &row.last_name, c))),
        };
        for h in [e, p, n].into_iter().flatten() {
            match seq {
                Some(seq) => self.remember(db, h, seq)?,
                None => self.bloom.insert(h),
            }
        }
        Ok(())
    }
}

/// Records that two leads may be the same person, for `leadline dedupe` (once per pair); whether the pair is
/// new.
pub fn stage_candidate(
    db: &Db<'_>,
    a: &LeadId,
    b: &LeadId,
    reason: &str,
    confidence: i64,
    origin: &str,
) -> crate::store::Result<bool> {
    let (a, b) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    let staged = db
        .conn
        .prepare_cached(
            "INSERT OR IGNORE INTO merge_candidates (id, team_id, lead_a, lead_b, reason, confidence, origin, created_at,
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        )?
        .execute(params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            a.as_str(),
            b.as_str(),
            reason,
            confidence,
            origin,
            db.now.0
        ])?;
    Ok(staged > 0)
}

/// Whether the lead has a name of its own (not one made of its address, which no name differs from).
fn named(db: &Db<'_>, lead: &LeadId) -> crate::store::Result<bool> {
    let found: Option<(String, String, Option<String>)> = db
        .conn
        .prepare_cached("SELECT first_name, last_name, email FROM leads WHERE id = ?1")?
        .query_row([lead.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(found.is_some_and(|(first, last, email)| {
        let (first, last) = crate::domain::text::given_name(&first, &last, email.as_deref());
        !(first.trim().is_empty() && last.trim().is_empty())
    }))
}
