//! What other records say of a person being forgotten or anonymised: a colleague's note ("reports to Kim
//! Berg"), a touch logged on another lead ("Kim Berg in copy, kim@berg.io", or sent to her address), a task,
//! a deal or a title named after them. Each such text is written without what names the person: their whole
//! name, and every address, number or profile of theirs that is refused from now on or that no other live
//! lead has. A word of their name alone is anyone's ("Kim" stays), and the records of a namesake (another
//! lead of the same name) are theirs to keep. The records keep their times: an erasure is nobody's activity
//! (retention would count it as such).

use std::collections::HashSet;

use aho_corasick::AhoCorasick;
use rusqlite::params;

use super::person::{Person, without_the_person};
use super::{ERASED, fold};
use crate::domain::LeadId;
use crate::store::forgotten::Former;
use crate::store::leads::Lead;
use crate::store::{Change, Db, Result};

/// The free-text columns of a team's records that may name someone: (table, key, text column, lead column).
const TEXTS: [(&str, &str, &str, Option<&str>); 19] = [
    ("notes", "id", "body", Some("lead_id")),
    ("leads", "id", "notes", Some("id")),
    ("leads", "id", "title", Some("id")),
    ("leads", "id", "product_interest", Some("id")),
    ("outreach", "id", "description", Some("lead_id")),
    ("outreach", "id", "value", Some("lead_id")),
    ("tasks", "id", "title", Some("lead_id")),
    ("deals", "id", "title", Some("lead_id")),
    ("deals", "id", "product", Some("lead_id")),
    ("deals", "id", "use_case", Some("lead_id")),
    ("deals", "id", "lost_reason", Some("lead_id")),
    ("meetings", "id", "title", Some("lead_id")),
    ("meetings", "id", "no_show_reason", Some("lead_id")),
    ("inbox_items", "id", "title", Some("lead_id")),
    ("inbox_items", "id", "body", Some("lead_id")),
    ("client_profiles", "id", "plan", Some("lead_id")),
    ("client_profiles", "id", "product", Some("lead_id")),
    ("client_profiles", "id", "churn_reason", Some("lead_id")),
    // What went out, or waits to, about another lead (a won deal's title in its payload).
    ("events", "id", "payload", None),
];

/// Writes the records of leads other than `ids` (the people erased, each with the values of theirs that are
/// refused from now on) without what names them; returns how many records were written anew.
pub(super) fn erase_mentions(db: &Db<'_>, people: &[(&Lead, &[(Former, String)])], ids: &[&str]) -> Result<usize> {
    let mut named = Vec::with_capacity(people.len());
    for (l, kept) in people {
        named.push(named_by(db, l, kept, ids)?);
    }
    let finder = Finder::new(&named);
    if finder.is_empty() {
        return Ok(0);
    }
    let skip = leads_to_skip(db, people, ids)?;
    let mut written = HashSet::new();
    for (table, key, column, lead) in TEXTS {
        let mut changed: Vec<(String, String)> = Vec::new();
        {
            let mut stmt = db.conn.prepare(&format!(
                "SELECT {key}, {column}, {} FROM {table} WHERE team_id = ?1 AND {column} IS NOT NULL AND {column} <> ?2",
                lead.unwrap_or("NULL")
            ))?;
            let mut rows = stmt.query(params![db.ctx.team_id.as_str(), ERASED])?;
            while let Some(r) = rows.next()? {
                let text = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
                let who = finder.people_named(text);
                if who.is_empty() {
                    continue;
                }
                let of = r.get_ref(2)?.as_str_or_null().map_err(rusqlite::Error::from)?;
                if of.is_some_and(|of| skip.contains(of)) {
                    continue;
                }
                let who: Vec<&Person> = who.into_iter().map(|i| &named[i]).collect();
                let without = without_the_person(text, &who);
                if without != text {
                    changed.push((r.get(0)?, without));
                }
            }
        }
        let mut update = db.conn.prepare(&format!("UPDATE {table} SET {column} = ?2 WHERE {key} = ?1"))?;
        for (id, text) in changed {
            update.execute(params![id, text])?;
            if table == "leads" {
                db.emit(Change::LeadEdited(LeadId(id.clone())));
            }
            written.insert((table, id));
        }
    }
    Ok(written.len())
}

/// What names a person in another's record: their whole name, what of theirs is refused from now on
/// (`kept`), and their own addresses, number and profile unless another live lead has them too (a shared
/// inbox, an office line).
fn named_by(db: &Db<'_>, l: &Lead, kept: &[(Former, String)], ids: &[&str]) -> Result<Person> {
    let mut p = Person::by_whole_name(&l.first_name, &l.last_name, db.ctx.country.as_deref());
    for (kind, value) in kept {
        p.also(*kind, value);
    }
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

/// The people's own leads, and the live leads of the same name: a namesake's notes name themselves.
fn leads_to_skip(db: &Db<'_>, people: &[(&Lead, &[(Former, String)])], ids: &[&str]) -> Result<HashSet<String>> {
    let mut skip: HashSet<String> = ids.iter().map(|id| id.to_string()).collect();
    let mut namesakes = db.conn.prepare_cached(
        "SELECT id FROM leads WHERE team_id = ?1 AND name_key = ?2 AND deleted_at IS NULL AND forgotten_at IS NULL",
    )?;
    for (l, _) in people {
        let key = crate::domain::text::name_key(&l.first_name, &l.last_name);
        let rows = namesakes.query_map(params![db.ctx.team_id.as_str(), key], |r| r.get::<_, String>(0))?;
        for id in rows {
            skip.insert(id?);
        }
    }
    Ok(skip)
}

/// A quick first look at a text, so a million touches' notes are not each folded, and a retention run's
/// thousands of people are not each looked for in every text: which people a text may name, by their last
/// name, an address or a profile (compared as ASCII without case, which is what folding does to an ASCII
/// text), or a run of digits long enough to be a number.
struct Finder {
    ascii: Option<AhoCorasick>,
    /// The person each of the ASCII needles is of.
    ascii_of: Vec<usize>,
    /// The needles, folded, with their person, for a text that is not all ASCII.
    folded: Vec<(String, usize)>,
    /// The people with a number.
    with_numbers: Vec<usize>,
}

impl Finder {
    fn new(people: &[Person]) -> Self {
        let mut folded: Vec<(String, usize)> = Vec::new();
        for (i, p) in people.iter().enumerate() {
            // Each spelling's longest word finds it however spaced, hyphenated or turned round.
            for spelling in &p.spellings {
                let words = spelling.split([' ', '-', ',', '\'']).filter(|w| !w.is_empty());
                if let Some(word) = words.max_by_key(|w| w.len()) {
                    folded.push((word.to_string(), i));
                }
            }
            folded.extend(p.emails.iter().chain(&p.profiles).filter(|n| !n.is_empty()).map(|n| (n.clone(), i)));
        }
        let (ascii, ascii_of): (Vec<&str>, Vec<usize>) =
            folded.iter().filter(|(n, _)| n.is_ascii()).map(|(n, i)| (n.as_str(), *i)).unzip();
        let ascii = (!ascii.is_empty())
            .then(|| AhoCorasick::builder().ascii_case_insensitive(true).build(ascii).ok())
            .flatten();
        let with_numbers = people.iter().enumerate().filter(|(_, p)| p.has_numbers()).map(|(i, _)| i).collect();
        Finder { ascii, ascii_of, folded, with_numbers }
    }

    fn is_empty(&self) -> bool {
        self.folded.is_empty() && self.with_numbers.is_empty()
    }

    /// The people a text may name (by index), each once.
    fn people_named(&self, text: &str) -> Vec<usize> {
        let mut who: Vec<usize> = Vec::new();
        if !self.with_numbers.is_empty() && text.bytes().filter(u8::is_ascii_digit).count() >= 7 {
            who.extend(&self.with_numbers);
        }
        if text.is_ascii() {
            if let Some(a) = &self.ascii {
                who.extend(a.find_overlapping_iter(text).map(|m| self.ascii_of[m.pattern().as_usize()]));
            }
        } else {
            let text = super::person::plain_apostrophes(&fold(text));
            who.extend(self.folded.iter().filter(|(n, _)| text.contains(n.as_str())).map(|(_, i)| *i));
        }
        who.sort_unstable();
        who.dedup();
        who
    }
}
