//! What other records say of a person being forgotten: a colleague's note ("reports to Kim Berg"), a touch
//! logged on another lead ("Kim Berg in copy, kim@berg.io"), a task or a deal named after them. `forget`
//! writes each such text without what names the person: their whole name, an address, a number or a
//! profile of theirs that no other live lead has. A word of their name alone is anyone's ("Kim" stays), and
//! the records of a namesake (another lead of the same name) are theirs to keep.

use std::collections::HashSet;

use aho_corasick::AhoCorasick;
use rusqlite::params;

use super::{ERASED, Person, fold, phone_runs, without_the_person};
use crate::domain::LeadId;
use crate::store::forgotten::Former;
use crate::store::leads::Lead;
use crate::store::{Change, Db, Result};

/// The free-text columns of a team's records that may name someone: (table, text column, lead column).
const TEXTS: [(&str, &str, &str); 12] = [
    ("notes", "body", "lead_id"),
    ("leads", "notes", "id"),
    ("outreach", "description", "lead_id"),
    ("tasks", "title", "lead_id"),
    ("deals", "title", "lead_id"),
    ("deals", "use_case", "lead_id"),
    ("deals", "lost_reason", "lead_id"),
    ("meetings", "title", "lead_id"),
    ("meetings", "no_show_reason", "lead_id"),
    ("inbox_items", "title", "lead_id"),
    ("inbox_items", "body", "lead_id"),
    ("client_profiles", "churn_reason", "lead_id"),
];

/// Writes the records of leads other than `ids` (the person and the leads merged into them, already erased)
/// without what names them; returns how many records were written anew.
pub(super) fn erase_mentions(db: &Db<'_>, people: &[Lead], ids: &[&str]) -> Result<usize> {
    let mut named = Vec::with_capacity(people.len());
    for l in people {
        named.push(named_by(db, l, ids)?);
    }
    let finder = Finder::new(&named);
    if finder.is_empty() {
        return Ok(0);
    }
    let skip = leads_to_skip(db, people, ids)?;
    let mut written = HashSet::new();
    for (table, column, lead) in TEXTS {
        let mut changed: Vec<(String, String)> = Vec::new();
        {
            let mut stmt = db.conn.prepare(&format!(
                "SELECT id, {column}, {lead} FROM {table} WHERE team_id = ?1 AND {column} IS NOT NULL AND {column} <> ?2"
            ))?;
            let mut rows = stmt.query(params![db.ctx.team_id.as_str(), ERASED])?;
            while let Some(r) = rows.next()? {
                let text = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                if !finder.may_name(text) {
                    continue;
                }
                let of = r.get_ref(2)?.as_str_or_null().map_err(rusqlite::Error::from)?;
                if of.is_some_and(|of| skip.contains(of)) {
                    continue;
                }
                let without = without_the_person(text, &named);
                if without != text {
                    changed.push((r.get(0)?, without));
                }
            }
        }
        let mut update =
            db.conn.prepare(&format!("UPDATE {table} SET {column} = ?2, updated_at = ?3 WHERE id = ?1"))?;
        for (id, text) in changed {
            update.execute(params![id, text, db.now.0])?;
            if table == "leads" {
                db.emit(Change::LeadEdited(LeadId(id.clone())));
            }
            written.insert((table, id));
        }
    }
    Ok(written.len())
}

/// What names a person in another's record: their whole name, and their addresses, numbers and profile
/// unless another live lead has them too (a shared inbox, an office line).
fn named_by(db: &Db<'_>, l: &Lead, ids: &[&str]) -> Result<Person> {
    let mut p = Person { emails: Vec::new(), phone_tails: Vec::new(), profiles: Vec::new(), ..Person::of(l) };
    p.words = false;
    for email in l.email.iter().chain(&l.other_emails) {
        if crate::store::lead_emails::lead_with(db, email)?.is_none_or(|other| ids.contains(&other.as_str())) {
            p.also(Former::Email, email);
        }
    }
    if let Some(phone) = &l.phone
        && !crate::store::forgotten::number_shared(db, phone, ids)?
    {
        p.also(Former::Phone, phone);
    }
    if let Some(profile) = &l.profile_url
        && !super::profile_held_by_others(db, profile, ids)?
    {
        p.also(Former::Profile, profile);
    }
    Ok(p)
}

/// The person's own leads, and the live leads of the same name: a namesake's notes name themselves.
fn leads_to_skip(db: &Db<'_>, people: &[Lead], ids: &[&str]) -> Result<HashSet<String>> {
    let mut skip: HashSet<String> = ids.iter().map(|id| id.to_string()).collect();
    let mut namesakes = db.conn.prepare_cached(
        "SELECT id FROM leads WHERE team_id = ?1 AND name_key = ?2 AND deleted_at IS NULL AND forgotten_at IS NULL",
    )?;
    for l in people {
        let key = crate::domain::text::name_key(&l.first_name, &l.last_name);
        let rows = namesakes.query_map(params![db.ctx.team_id.as_str(), key], |r| r.get::<_, String>(0))?;
        for id in rows {
            skip.insert(id?);
        }
    }
    Ok(skip)
}

/// A quick first look at a text, so a million touches' notes are not each folded: a text that may name the
/// person holds their last name, an address or a profile of theirs (compared as ASCII without case, which
/// is what folding does to an ASCII text), or a run of digits long enough to be a number. Other texts are
/// folded and looked at whole.
struct Finder {
    ascii: Option<AhoCorasick>,
    /// The needles, folded, for a text that is not all ASCII.
    folded: Vec<String>,
    numbers: bool,
}

impl Finder {
    fn new(people: &[Person]) -> Self {
        let mut folded: Vec<String> = Vec::new();
        for p in people {
            // The whole name is looked for only with both its parts; its last word finds it however spaced.
            if !p.first.is_empty()
                && let Some(word) = p.last.split([' ', '-']).filter(|w| !w.is_empty()).max_by_key(|w| w.len())
            {
                folded.push(word.to_string());
            }
            folded.extend(p.emails.iter().chain(&p.profiles).filter(|n| !n.is_empty()).cloned());
        }
        let ascii: Vec<&String> = folded.iter().filter(|n| n.is_ascii()).collect();
        let ascii = (!ascii.is_empty())
            .then(|| AhoCorasick::builder().ascii_case_insensitive(true).build(ascii).ok())
            .flatten();
        Finder { ascii, folded, numbers: people.iter().any(|p| !p.phone_tails.is_empty()) }
    }

    fn is_empty(&self) -> bool {
        self.folded.is_empty() && !self.numbers
    }

    fn may_name(&self, text: &str) -> bool {
        if self.numbers && text.bytes().filter(u8::is_ascii_digit).count() >= 7 && phone_runs(text).next().is_some() {
            return true;
        }
        if text.is_ascii() {
            return self.ascii.as_ref().is_some_and(|a| a.is_match(text));
        }
        let text = fold(text);
        self.folded.iter().any(|n| text.contains(n.as_str()))
    }
}
