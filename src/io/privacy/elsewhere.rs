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

use super::ERASED;
use super::person::{Person, without_the_person};
use crate::domain::LeadId;
use crate::store::forgotten::Former;
use crate::store::leads::Lead;
use crate::store::{Change, Db, Result};

/// The free-text columns of a team's records that may name someone, by table: (table, lead column, columns).
const TEXTS: [(&str, Option<&str>, &[&str]); 9] = [
    ("notes", Some("lead_id"), &["body"]),
    ("leads", Some("id"), &["notes", "title", "product_interest"]),
    ("outreach", Some("lead_id"), &["description", "value"]),
    ("tasks", Some("lead_id"), &["title"]),
    ("deals", Some("lead_id"), &["title", "product", "use_case", "lost_reason"]),
    ("meetings", Some("lead_id"), &["title", "no_show_reason"]),
    ("inbox_items", Some("lead_id"), &["title", "body"]),
    ("client_profiles", Some("lead_id"), &["plan", "product", "churn_reason"]),
    // What went out, or waits to, about another lead (a won deal's title in its payload).
    ("events", None, &["payload"]),
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
    let mut written = 0;
    for (table, lead, columns) in TEXTS {
        // Each row read once, its columns looked at in turn: (id, column, text written anew).
        let mut changed: Vec<(String, &str, String)> = Vec::new();
        {
            let any = columns.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" OR ");
            let mut stmt = db.conn.prepare(&format!(
                "SELECT id, {}, {} FROM {table} WHERE team_id = ?1 AND ({any})",
                lead.unwrap_or("NULL"),
                columns.join(", ")
            ))?;
            let mut rows = stmt.query(params![db.ctx.team_id.as_str()])?;
            let mut scratch = Scratch::default();
            while let Some(r) = rows.next()? {
                for (i, column) in columns.iter().enumerate() {
                    let Some(text) = r.get_ref(2 + i)?.as_str_or_null().map_err(rusqlite::Error::from)? else {
                        continue;
                    };
                    let who = finder.people_named(text, &mut scratch);
                    if who.is_empty() || text == ERASED {
                        continue;
                    }
                    let of = r.get_ref(1)?.as_str_or_null().map_err(rusqlite::Error::from)?;
                    if of.is_some_and(|of| skip.contains(of)) {
                        break;
                    }
                    let who: Vec<&Person> = who.iter().map(|i| &named[*i]).collect();
                    let without = without_the_person(text, &who);
                    if without != text {
                        changed.push((r.get(0)?, column, without));
                    }
                }
            }
        }
        let mut records: HashSet<&str> = HashSet::new();
        for (id, column, text) in &changed {
            db.conn
                .prepare_cached(&format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"))?
                .execute(params![id, text])?;
            if records.insert(id) && table == "leads" {
                db.emit(Change::LeadEdited(LeadId(id.clone())));
            }
        }
        written += records.len();
    }
    Ok(written)
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
/// thousands of people are not each looked for in every text: which people a text may name, by a spelling
/// of their whole name, an address or a profile (folded, as the text is: an ASCII text only lowercased,
/// which the search does without case), or by the digits of a number of theirs among the text's digits.
struct Finder {
    words: Option<AhoCorasick>,
    /// The person each needle of `words` is of.
    words_of: Vec<usize>,
    numbers: Option<AhoCorasick>,
    numbers_of: Vec<usize>,
}

/// Buffers a scan reuses from text to text.
#[derive(Default)]
struct Scratch {
    digits: String,
    text: String,
    who: Vec<usize>,
}

impl Finder {
    fn new(people: &[Person]) -> Self {
        let (mut words, mut words_of) = (Vec::new(), Vec::new());
        let (mut numbers, mut numbers_of) = (Vec::new(), Vec::new());
        for (i, p) in people.iter().enumerate() {
            for needle in p.spellings.iter().chain(&p.emails).chain(&p.profiles).filter(|n| !n.is_empty()) {
                words.push(needle.clone());
                words_of.push(i);
            }
            for digits in p.number_digits() {
                numbers.push(digits);
                numbers_of.push(i);
            }
        }
        let build = |needles: &[String]| {
            (!needles.is_empty())
                .then(|| AhoCorasick::builder().ascii_case_insensitive(true).build(needles).ok())
                .flatten()
        };
        Finder { words: build(&words), words_of, numbers: build(&numbers), numbers_of }
    }

    fn is_empty(&self) -> bool {
        self.words.is_none() && self.numbers.is_none()
    }

    /// The people a text may name (by index), each once.
    fn people_named<'s>(&self, text: &str, s: &'s mut Scratch) -> &'s [usize] {
        s.who.clear();
        if let Some(numbers) = &self.numbers
            && text.bytes().filter(u8::is_ascii_digit).nth(6).is_some()
        {
            s.digits.clear();
            s.digits.extend(text.chars().filter(char::is_ascii_digit));
            s.who.extend(numbers.find_overlapping_iter(&s.digits).map(|m| self.numbers_of[m.pattern().as_usize()]));
        }
        if let Some(words) = &self.words {
            // Folded as `without_the_person` reads it: spaces and line ends as one space, apostrophes as one.
            let plain = text.is_ascii() && !text.contains(['\n', '\r', '\t', '`']) && !text.contains("  ");
            let text = if plain {
                text
            } else {
                s.text.clear();
                for c in text.chars() {
                    super::person::fold_char(c, &mut s.text);
                }
                s.text.as_str()
            };
            s.who.extend(words.find_overlapping_iter(text).map(|m| self.words_of[m.pattern().as_usize()]));
        }
        s.who.sort_unstable();
        s.who.dedup();
        &s.who
    }
}
