//! Duplicates already in the database: likely pairs with a reason and a confidence, and the merge that
//! keeps everything of both (outreach, meetings, deals, tasks, notes), recorded so it can be explained later.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::rc::Rc;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::phone::match_keys;
use crate::domain::lead::check_label;
use crate::domain::text::fold;
use crate::domain::{LeadId, Lifecycle, Timestamp};
use crate::store::leads::{self, LeadPatch, lead_name_sql};
use crate::store::{Change, Db, OF_LEAD, Result, StoreError, contact};

/// Two leads that may be the same person.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    pub a: LeadId,
    pub b: LeadId,
    pub a_label: String,
    pub b_label: String,
    pub reason: String,
    /// 0-100: how sure leadline is that they are one person.
    pub confidence: i64,
    /// `scan`, or `import:<run id>` for a weak match staged by an import.
    pub origin: String,
}

/// The weak duplicate key: a name at a company, compared loosely ("Carla Diaz" at "diaz" is "Carla Díaz"
/// at "Díaz, S.L.": `company_core`).
pub(crate) fn name_company_key(first: &str, last: &str, company: &str) -> String {
    // The name as the store keys it: "Ann Lee" in the first name alone is "Ann" and "Lee".
    let mut key = crate::domain::text::name_key(first, last);
    // A typographic apostrophe is the plain one: "D’Amico" is "D'Amico".
    const APOSTROPHES: [char; 4] = ['\u{2019}', '\u{2018}', '\u{2bc}', '`'];
    if key.contains(APOSTROPHES) {
        key = key.replace(APOSTROPHES, "'");
    }
    key.push('\u{1f}');
    key.push_str(&crate::domain::text::company_core(company));
    key
}

/// Leads on one number beyond which it is a switchboard's, not a person's: it finds nobody in an import and
/// pairs nobody in `dedupe`.
pub const SWITCHBOARD: usize = 5;

/// How sure a pair is whose names differ, whatever else they share: below `APPLY_FLOOR`.
pub const OTHER_NAME_CONFIDENCE: i64 = 40;
/// The least confidence `dedupe --apply` merges without being told a lower one.
pub const APPLY_FLOOR: i64 = 50;

/// What dedupe compares of one lead.
struct Keys {
    /// Whether the phone says its own calling code (`+` or `00`), and the keys it may be stored under.
    international: bool,
    phone: Vec<String>,
    name: Option<String>,
    /// The name the other way round at the same company (columns swapped in a file: "Müller Hans").
    swapped: Option<String>,
    /// The social profile, without a trailing slash (stored in its one form, `domain::lead::canonical_profile`).
    profile: Option<String>,
    /// The person's name, folded; empty for a lead named after its e-mail or phone.
    person: String,
    /// The mailbox the e-mail delivers to (`domain::lead::mailbox_key`).
    mailbox: Option<String>,
}

impl Keys {
    /// From a row of `KEY_COLUMNS`, past its first two.
    /// `country` is the team's country for numbers written without a calling code, when it has one.
    fn of(r: &rusqlite::Row<'_>, country: Option<&str>) -> rusqlite::Result<Self> {
        let (phone, first, last, company) = (
            r.get_ref(2)?.as_str_or_null()?,
            r.get_ref(3)?.as_str()?,
            r.get_ref(4)?.as_str()?,
            r.get_ref(5)?.as_str_or_null()?,
        );
        let profile = r.get_ref(6)?.as_str_or_null()?.map(|p| p.trim_end_matches('/').to_string());
        // Fewer than six digits as written is an extension or a typo, not a person's number.
        let phone = phone.filter(|p| p.chars().filter(char::is_ascii_digit).count() >= 6);
        let phone = phone.map(|p| match_keys(p, country)).unwrap_or_default();
        // The first key has a `+` when the calling code is known: said by the number, or the team's.
        let international = phone.first().is_some_and(|k| k.starts_with('+'));
        let named = !(first.trim().is_empty() && last.trim().is_empty());
        let name = company.filter(|_| named).map(|c| name_company_key(first, last, c));
        let both = !first.trim().is_empty() && !last.trim().is_empty();
        let swapped =
            company.filter(|_| both).map(|c| name_company_key(last, first, c)).filter(|s| Some(s) != name.as_ref());
        let email = r.get_ref(7)?.as_str_or_null()?;
        let mailbox = email.map(crate::domain::lead::mailbox_key);
        let (given_first, given_last) = crate::domain::text::given_name(first, last, email);
        let person = if given_first.chars().any(|c| c.is_ascii_digit()) {
            String::new()
        } else {
            crate::domain::text::name_key(given_first, given_last)
        };
        Ok(Keys { international, phone, name, swapped, profile, person, mailbox })
    }

    /// The same number, and how sure that is: the same digits, the same international form, or, when
    /// only one says its calling code, the other's digits are its national form ("+34 600 11 22 33" and
    /// "600 11 22 33", which may also be an Italian number; +34 and +39 numbers alike after it are not).
    fn same_phone(&self, other: &Keys) -> Option<Why> {
        let shared = self.phone.iter().any(|k| other.phone.contains(k));
        match (self.international, other.international) {
            (true, true) => matches!((self.phone.first(), other.phone.first()), (Some(a), Some(b)) if a == b)
                .then_some(("same phone", 90)),
            (false, false) => shared.then_some(("same phone", 90)),
            _ => shared.then_some(("same phone, one written without its calling code", 80)),
        }
    }

    fn same_name(&self, other: &Keys) -> bool {
        self.name.is_some() && self.name == other.name
    }

    /// One's first name is the other's last, and the other way round, at the same company.
    fn swapped_name(&self, other: &Keys) -> bool {
        self.swapped.is_some() && self.swapped == other.name
    }
}

/// Why two leads may be one person, and how sure that is (0-100).
type Why = (&'static str, i64);

/// What `Keys::of` reads, after the row number and the id.
const KEY_COLUMNS: &str =
    "SELECT l.seq, l.id, l.phone, l.first_name, l.last_name, a.name, l.profile_url, l.email FROM leads l
     LEFT JOIN accounts a ON a.id = l.account_id AND a.deleted_at IS NULL";

/// A name more leads at one company have than one person has records (`SWITCHBOARD`): it pairs nobody,
/// and is said instead, as a placeholder ("Accounts Payable") or one person brought in many times.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Crowd {
    /// One of its leads, as a pair's lead is shown ("Zoë Müller <z1@…> at Globex GmbH").
    pub example: String,
    pub leads: usize,
}

/// Likely duplicates, most certain first: the same social profile, the same phone number however it was
/// written, the same name at the same company whatever the accents and case, and pairs staged by imports.
/// `country` (the `[import] default_country`) places numbers written without their calling code.
pub fn find(db: &Db<'_>, country: Option<&str>) -> Result<Vec<Candidate>> {
    Ok(find_with_crowds(db, country)?.0)
}

/// The pairs the rep said are two people (`dismiss`), each as (smaller id, larger id).
fn dismissed_pairs(db: &Db<'_>) -> Result<std::collections::HashSet<(String, String)>> {
    let mut stmt = db.conn.prepare(
        "SELECT lead_a, lead_b FROM merge_candidates WHERE team_id = ?1 AND status = 'dismissed' AND origin = 'dedupe'",
    )?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut pairs = std::collections::HashSet::new();
    for row in rows {
        let (a, b) = row?;
        pairs.insert(if a <= b { (a, b) } else { (b, a) });
    }
    Ok(pairs)
}

/// Records that two leads listed as a likely duplicate are two people, as the rep said: `dedupe` lists them
/// no more, and `--apply` does not merge them.
pub fn dismiss(db: &Db<'_>, c: &Candidate) -> Result<()> {
    two_people_said(db, &c.a, &c.b, &c.reason, c.confidence)
}

/// Records that `a` and `b` are two people, as `dismiss` does for a pair `dedupe` listed, `reason` and
/// `confidence` saying why they were thought one.
pub fn two_people_said(db: &Db<'_>, a: &LeadId, b: &LeadId, reason: &str, confidence: i64) -> Result<()> {
    let now = db.now.0;
    let updated = db.conn.execute(
        "UPDATE merge_candidates SET status = 'dismissed', origin = 'dedupe', updated_at = ?3
         WHERE (lead_a = ?1 AND lead_b = ?2) OR (lead_a = ?2 AND lead_b = ?1)",
        params![a.as_str(), b.as_str(), now],
    )?;
    if updated == 0 {
        db.conn.execute(
            "INSERT INTO merge_candidates (id, team_id, lead_a, lead_b, reason, confidence, origin, status, created_at,
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'dedupe', 'dismissed', ?7, ?7)",
            params![
                uuid::Uuid::now_v7().to_string(),
                db.ctx.team_id.as_str(),
                a.as_str(),
                b.as_str(),
                reason,
                confidence,
                now
            ],
        )?;
    }
    Ok(())
}

/// Every lead's "two people" answers (`dismiss`), as the ids of the other leads, by lead: what an export
/// carries so that a moved database keeps them.
pub fn two_people_by_lead(db: &Db<'_>) -> Result<HashMap<String, Vec<String>>> {
    let mut by_lead: HashMap<String, Vec<String>> = HashMap::new();
    for (a, b) in dismissed_pairs(db)? {
        by_lead.entry(a.clone()).or_default().push(b.clone());
        by_lead.entry(b).or_default().push(a);
    }
    for others in by_lead.values_mut() {
        others.sort();
    }
    Ok(by_lead)
}

/// Whether the rep said `a` and `b` are two people (directly, or of leads merged into them since).
fn said_two_people(db: &Db<'_>, a: &LeadId, b: &LeadId) -> Result<bool> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM merge_candidates WHERE status = 'dismissed' AND origin = 'dedupe'
             AND ((lead_a = ?1 AND lead_b = ?2) OR (lead_a = ?2 AND lead_b = ?1)))",
        )?
        .query_row(params![a.as_str(), b.as_str()], |r| r.get(0))?)
}

/// The pairs the rep said are two people, of leads still live, as `dedupe` lists pairs.
pub fn two_people(db: &Db<'_>) -> Result<Vec<Candidate>> {
    let mut stmt = db.conn.prepare(
        "SELECT m.lead_a, m.lead_b, m.reason, m.confidence FROM merge_candidates m
         JOIN leads a ON a.id = m.lead_a JOIN leads b ON b.id = m.lead_b
         WHERE m.team_id = ?1 AND m.status = 'dismissed' AND m.origin = 'dedupe'
           AND a.deleted_at IS NULL AND b.deleted_at IS NULL AND a.forgotten_at IS NULL AND b.forgotten_at IS NULL
         ORDER BY m.updated_at DESC",
    )?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (a, b, reason, confidence) = row?;
        let (a, b) = (LeadId(a), LeadId(b));
        let (a_label, b_label) = (describe(&leads::get(db, &a)?), describe(&leads::get(db, &b)?));
        out.push(Candidate { a, b, a_label, b_label, reason, confidence, origin: "dedupe".into() });
    }
    Ok(out)
}

/// Takes back the rep's word that two leads are two people: the pair is listed again (and merged by
/// `--apply`) where it is a likely duplicate. Whether there was such a word to take back.
pub fn reconsider(db: &Db<'_>, a: &LeadId, b: &LeadId) -> Result<bool> {
    let n = db.conn.execute(
        "UPDATE merge_candidates SET status = 'open', updated_at = ?3
         WHERE ((lead_a = ?1 AND lead_b = ?2) OR (lead_a = ?2 AND lead_b = ?1)) AND status = 'dismissed'
           AND origin = 'dedupe'",
        params![a.as_str(), b.as_str(), db.now.0],
    )?;
    Ok(n > 0)
}

/// `find`, and the names too many leads at one company have to be paired (`Crowd`), most leads first.
pub fn find_with_crowds(db: &Db<'_>, country: Option<&str>) -> Result<(Vec<Candidate>, Vec<Crowd>)> {
    let team = db.ctx.team_id.as_str();
    let mut pairs: Vec<(String, String, String, i64, String)> = Vec::new();
    let Scan { pairs: scanned, crowded, crowds } = scan(db, country)?;
    let mut said = Vec::with_capacity(crowds.len());
    for (id, leads) in crowds {
        said.push(Crowd { example: describe(&leads::get(db, &LeadId(id))?), leads });
    }
    said.sort_by(|x, y| y.leads.cmp(&x.leads).then_with(|| x.example.cmp(&y.example)));
    for (a, b, (reason, confidence)) in scanned {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        pairs.push((a, b, reason.into(), confidence, "scan".into()));
    }
    {
        let mut stmt = db.conn.prepare(
            "SELECT m.lead_a, m.lead_b, m.reason, m.confidence, m.origin FROM merge_candidates m
             JOIN leads a ON a.id = m.lead_a JOIN leads b ON b.id = m.lead_b
             WHERE m.team_id = ?1 AND m.status = 'open' AND a.deleted_at IS NULL AND b.deleted_at IS NULL
               AND a.forgotten_at IS NULL AND b.forgotten_at IS NULL",
        )?;
        let rows = stmt.query_map([team], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        // A pair an import staged for a phone under another name, on a number that has become a
        // switchboard's since, is colleagues: dropped as the scan would never make it.
        let mut on_switchboard = db.conn.prepare(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM leads WHERE team_id = ?1 AND deleted_at IS NULL
             AND phone_key = (SELECT phone_key FROM leads WHERE id = ?2) LIMIT {})",
            SWITCHBOARD + 1
        ))?;
        for row in rows {
            let (a, b, reason, confidence, origin): (String, String, String, i64, String) = row?;
            if reason.starts_with(super::import::SAME_PHONE_OTHER_NAME)
                && on_switchboard.query_row(params![team, a], |r| r.get::<_, i64>(0))? as usize > SWITCHBOARD
            {
                continue;
            }
            // Nor is a pair staged for a name that many leads at the company have: a placeholder name.
            if reason.starts_with(SAME_NAME_AND_COMPANY) && (crowded.contains(&a) || crowded.contains(&b)) {
                continue;
            }
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            pairs.push((a, b, reason, confidence, origin));
        }
    }
    // One entry per pair: the most certain reason wins. A pair the rep said are two people is not asked again.
    pairs.sort_by(|x, y| (&x.0, &x.1, -x.3).cmp(&(&y.0, &y.1, -y.3)));
    pairs.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    let dismissed = dismissed_pairs(db)?;
    pairs.retain(|(a, b, ..)| !dismissed.contains(&(a.clone(), b.clone())));
    let mut out = Vec::with_capacity(pairs.len());
    for (a, b, reason, confidence, origin) in pairs {
        let (la, lb) = (leads::get(db, &LeadId(a.clone()))?, leads::get(db, &LeadId(b.clone()))?);
        // Two names with no word in common are two people sharing something (a switchboard, a team
        // address): said, and left for the rep to decide.
        let (reason, confidence) = if confidence > OTHER_NAME_CONFIDENCE && {
            use crate::domain::text::{given_name, names_differ};
            names_differ(
                given_name(&la.first_name, &la.last_name, la.email.as_deref()),
                given_name(&lb.first_name, &lb.last_name, lb.email.as_deref()),
            )
        } {
            (format!("{reason}, another name"), OTHER_NAME_CONFIDENCE)
        } else {
            (reason, confidence)
        };
        out.push(Candidate {
            a: LeadId(a),
            b: LeadId(b),
            a_label: describe(&la),
            b_label: describe(&lb),
            reason,
            confidence,
            origin,
        });
    }
    out.sort_by(|x, y| y.confidence.cmp(&x.confidence).then(x.a.cmp(&y.a)));
    Ok((out, said))
}

/// What a scan found: pairs (the two ids, the reason and how sure it is), and the leads of names too many
/// leads at one company have to be one person ("Accounts Payable" at MegaCorp), which pair nobody by name.
struct Scan {
    pairs: Vec<(String, String, Why)>,
    crowded: std::collections::HashSet<String>,
    /// Each crowded name once: the first of its leads, and how many they are.
    crowds: Vec<(String, usize)>,
}

/// The reason a name at a company gives, in a scan and in a pair an import staged.
pub(crate) const SAME_NAME_AND_COMPANY: &str = "same name and company";
/// A name whose first and last parts a file swapped: less sure than the same name as written ("Wang Lee"
/// and "Lee Wang" may be two people), under the floor `--apply` merges from: listed, for the rep to decide.
const SWAPPED_NAME_AND_COMPANY: &str = "same name the other way round, same company";

/// The kinds of key a lead is hashed by.
const PHONE_KEY: u8 = 0;
const NAME_KEY: u8 = 1;
/// A name as it would be the other way round (`SWAPPED_NAME_AND_COMPANY`): met under the same hash as
/// `NAME_KEY`, counted apart.
const SWAPPED_KEY: u8 = 4;
const PROFILE_KEY: u8 = 2;
const MAILBOX_KEY: u8 = 3;

/// The team's pairs of live leads with the same social profile, the same phone or the same name at the same
/// company: the two ids, the reason and how sure it is (the surest reason when several hold).
/// One pass hashes every lead's keys (a few bytes each, whatever the database's size); the few leads whose
/// hashes meet are read again and compared in full.
fn scan(db: &Db<'_>, country: Option<&str>) -> Result<Scan> {
    let hasher = std::collections::hash_map::RandomState::new();
    let mut seqs: Vec<i64> = Vec::new();
    // Each key's hash, the lead, and the kind of key.
    let mut hashed: Vec<(u64, u32, u8)> = Vec::new();
    let mut all = db
        .conn
        .prepare(&format!("{KEY_COLUMNS} WHERE l.team_id = ?1 AND l.deleted_at IS NULL AND l.forgotten_at IS NULL"))?;
    let mut rows = all.query([db.ctx.team_id.as_str()])?;
    while let Some(r) = rows.next()? {
        let at = seqs.len() as u32;
        seqs.push(r.get(0)?);
        let keys = Keys::of(r, country)?;
        hashed.extend(keys.phone.iter().map(|k| (hasher.hash_one(("p", k)), at, PHONE_KEY)));
        hashed.extend(keys.name.iter().map(|k| (hasher.hash_one(("n", k)), at, NAME_KEY)));
        hashed.extend(keys.swapped.iter().map(|k| (hasher.hash_one(("n", k)), at, SWAPPED_KEY)));
        // A person's own page: a company's or a website several records give names nobody in particular.
        let own_page = keys.profile.iter().filter(|p| crate::domain::lead::is_member_page(p));
        hashed.extend(own_page.map(|k| (hasher.hash_one(("pr", k)), at, PROFILE_KEY)));
        hashed.extend(keys.mailbox.iter().map(|k| (hasher.hash_one(("m", k)), at, MAILBOX_KEY)));
    }
    drop(rows);
    hashed.sort_unstable();
    let mut one = db.conn.prepare(&format!("{KEY_COLUMNS} WHERE l.seq = ?1"))?;
    let mut read: HashMap<u32, Rc<(String, Keys)>> = HashMap::new();
    let mut lead = |at: u32| -> Result<Rc<(String, Keys)>> {
        if let Some(k) = read.get(&at) {
            return Ok(k.clone());
        }
        let k = Rc::new(one.query_row([seqs[at as usize]], |r| Ok((r.get(1)?, Keys::of(r, country)?)))?);
        read.insert(at, k.clone());
        Ok(k)
    };
    let mut meeting: Vec<(u32, u32)> = Vec::new();
    let mut crowded = std::collections::HashSet::new();
    let mut crowds = Vec::new();
    for run in hashed.chunk_by(|x, y| x.0 == y.0).filter(|run| run.len() > 1) {
        // A name more leads at a company have than one person has records is a placeholder's or a common
        // name's: it pairs nobody (each with each would be half a million pairs for a thousand leads).
        // Either way round: the leads of the name as written, and those of it the other way round.
        let (own, swapped): (Vec<&(u64, u32, u8)>, Vec<_>) =
            run.iter().filter(|x| matches!(x.2, NAME_KEY | SWAPPED_KEY)).partition(|x| x.2 == NAME_KEY);
        let (most, fewer) = if own.len() >= swapped.len() { (&own, &swapped) } else { (&swapped, &own) };
        if most.len() > SWITCHBOARD {
            let first = lead(most[0].1)?.0.clone();
            if !crowded.contains(&first) {
                crowds.push((first, most.len()));
            }
            for x in most {
                crowded.insert(lead(x.1)?.0.clone());
            }
            // Those of the name written the other way are one name among themselves, paired as any.
            if fewer.len() <= SWITCHBOARD {
                for (i, x) in fewer.iter().enumerate() {
                    meeting.extend(fewer[i + 1..].iter().filter(|y| y.1 != x.1).map(|y| (x.1.min(y.1), x.1.max(y.1))));
                }
            }
            continue;
        }
        // Nor does a mailbox more leads' addresses reach than one person has records (tags as aliases).
        if run[0].2 == MAILBOX_KEY && run.len() > SWITCHBOARD {
            continue;
        }
        // A number more leads share than one person has records is a switchboard's: it pairs only the leads
        // of one name on it (each with each would be thousands of pairs of colleagues).
        if run[0].2 == PHONE_KEY && run.len() > SWITCHBOARD {
            let mut named: Vec<(String, u32)> = Vec::with_capacity(run.len());
            for x in run {
                let person = lead(x.1)?.1.person.clone();
                if !person.is_empty() {
                    named.push((person, x.1));
                }
            }
            named.sort_unstable();
            for same in named.chunk_by(|a, b| a.0 == b.0) {
                for (i, x) in same.iter().enumerate() {
                    meeting.extend(same[i + 1..].iter().filter(|y| y.1 != x.1).map(|y| (x.1.min(y.1), x.1.max(y.1))));
                }
            }
            continue;
        }
        for (i, x) in run.iter().enumerate() {
            meeting.extend(run[i + 1..].iter().filter(|y| y.1 != x.1).map(|y| (x.1.min(y.1), x.1.max(y.1))));
        }
    }
    meeting.sort_unstable();
    meeting.dedup();
    let mut out = Vec::new();
    for (x, y) in meeting {
        let (a, b) = (lead(x)?, lead(y)?);
        let same_profile =
            a.1.profile.as_deref().is_some_and(crate::domain::lead::is_member_page) && a.1.profile == b.1.profile;
        let why = same_profile
            .then_some(("same social profile", 90))
            .or_else(|| a.1.same_phone(&b.1))
            .or_else(|| {
                (a.1.mailbox.is_some() && a.1.mailbox == b.1.mailbox)
                    .then_some(("same mailbox (dots and +tags aside)", 85))
            })
            .or_else(|| a.1.same_name(&b.1).then_some((SAME_NAME_AND_COMPANY, 75)))
            .or_else(|| a.1.swapped_name(&b.1).then_some((SWAPPED_NAME_AND_COMPANY, 45)));
        if let Some(why) = why {
            out.push((a.0.clone(), b.0.clone(), why));
        }
    }
    Ok(Scan { pairs: out, crowded, crowds })
}

fn describe(l: &leads::Lead) -> String {
    let mut s = l.label();
    if let Some(c) = &l.company {
        s.push_str(&format!(" at {c}"));
    }
    s
}

/// What a merge did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MergeOutcome {
    pub kept: LeadId,
    pub merged: LeadId,
    pub filled: Vec<String>,
    pub moved: MovedCounts,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct MovedCounts {
    pub outreach: usize,
    pub meetings: usize,
    pub deals: usize,
    pub tasks: usize,
    pub notes: usize,
    pub inbox: usize,
}

/// Whether two values of a field say the same: a phone however it is written, other text case and accents
/// aside.
fn same_value(label: &str, mine: &str, theirs: &str) -> bool {
    if label == "phone" {
        let theirs = match_keys(theirs, None);
        return match_keys(mine, None).iter().any(|k| theirs.contains(k));
    }
    fold(mine) == fold(theirs)
}

/// Whether two ways of writing a phone number are surely one number: the same once written in E.164,
/// a number without its calling code taken to be in `country` (the `[import] default_country`).
/// Stricter than `same_value`, which pairs "030 1234567" with any calling code's "30 1234567".
fn same_number(mine: &str, theirs: &str, country: Option<&str>) -> bool {
    use crate::domain::phone_keys::phone_key;
    match (phone_key(mine, country), phone_key(theirs, country)) {
        (Some(a), Some(b)) => a == b,
        _ => fold(mine) == fold(theirs),
    }
}

/// How well a name is written, of two spellings of it: in upper and lower case rather than all one case
/// (as exports from older systems shout), then with its accents rather than without.
fn spelling(name: &str) -> (bool, usize) {
    let letters = || name.chars().filter(|c| c.is_alphabetic());
    let mixed = letters().any(char::is_uppercase) && letters().any(char::is_lowercase);
    (mixed, letters().filter(|c| !c.is_ascii()).count())
}

/// A customer record: whether it is current (active, not churned) and when the deal was won.
struct Record {
    id: String,
    active: bool,
    won_at: i64,
}

fn record_of(db: &Db<'_>, lead: &LeadId) -> Result<Option<Record>> {
    Ok(db
        .conn
        .query_row(
            "SELECT id, status = 'active', ifnull(won_at, 0) FROM client_profiles WHERE lead_id = ?1 AND deleted_at IS NULL",
            [lead.as_str()],
            |r| Ok(Record { id: r.get(0)?, active: r.get(1)?, won_at: r.get(2)? }),
        )
        .optional()?)
}

/// A customer stays one through a merge: the kept lead holds the current customer record of the two (an
/// active one over a churned one, else the later won) and the lifecycle that goes with it; the other record
/// is kept on file, removed. Without any record, the further along of the two lifecycles. Returns the kept
/// lead's lifecycle when it changes.
fn settle_customer_records(db: &Db<'_>, keep: &leads::Lead, gone: &leads::Lead) -> Result<Option<Lifecycle>> {
    let parse = |l: &leads::Lead| l.lifecycle.parse::<Lifecycle>().unwrap_or(Lifecycle::Lead);
    let (mine, theirs) = (parse(keep), parse(gone));
    let rank = |l: Lifecycle| match l {
        Lifecycle::Lead => 0,
        Lifecycle::Churned => 1,
        Lifecycle::Customer => 2,
    };
    let now = db.now.0;
    let remove = |r: &Record| {
        db.conn.execute("UPDATE client_profiles SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![r.id, now])
    };
    let chosen = match (record_of(db, &keep.id)?, record_of(db, &gone.id)?) {
        (None, None) if rank(theirs) > rank(mine) => theirs,
        (None, None) => mine,
        (Some(k), Some(g)) if (g.active, g.won_at) > (k.active, k.won_at) => {
            remove(&k)?;
            db.conn.execute(
                "UPDATE client_profiles SET lead_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![g.id, keep.id.as_str(), now],
            )?;
            theirs
        }
        (Some(_), Some(g)) => {
            remove(&g)?;
            mine
        }
        (None, Some(g)) => {
            db.conn.execute(
                "UPDATE client_profiles SET lead_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![g.id, keep.id.as_str(), now],
            )?;
            theirs
        }
        (Some(_), None) => mine,
    };
    Ok((chosen != mine).then_some(chosen))
}

/// Folds one lead into the other: the one created first is kept and gets the other's missing fields, tags,
/// history, the earliest created_at and the latest contact; the other is removed. Recorded in the merge log.
/// The live leads an import staged as possible duplicates of this one, each described with the reason and
/// how sure it is ("same phone, 90%: Ana Lopez at Acme"), surest first: what the lead page points at.
pub fn staged_with(db: &Db<'_>, lead: &LeadId) -> Result<Vec<String>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT o.id, c.reason, c.confidence FROM merge_candidates c
         JOIN leads o ON o.id = CASE WHEN c.lead_a = ?1 THEN c.lead_b ELSE c.lead_a END
         WHERE (c.lead_a = ?1 OR c.lead_b = ?1) AND c.status = 'open'
           AND o.deleted_at IS NULL AND o.forgotten_at IS NULL
         ORDER BY c.confidence DESC, o.id LIMIT 5",
    )?;
    let rows: Vec<(String, String, i64)> =
        stmt.query_map([lead.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (other, reason, confidence) in rows {
        let other = leads::get(db, &LeadId(other))?;
        let mut who = other.name();
        if let Some(email) = &other.email {
            who.push_str(&format!(" <{email}>"));
        }
        if let Some(company) = &other.company {
            who.push_str(&format!(" at {company}"));
        }
        out.push(format!("{reason}, {confidence}%: {who}"));
    }
    Ok(out)
}

/// What merging a listed set of pairs did: the merges, and the pairs that no longer stood.
#[derive(Debug, Default)]
pub struct MergedList {
    pub merges: Vec<MergeOutcome>,
    /// Pairs one of whose leads was removed or forgotten since the list was made.
    pub gone: usize,
    /// Pairs left apart because merging them would join two leads the rep said are two people (A~B and
    /// B~C merged in turn, where A and C are two people).
    pub held: Vec<(LeadId, LeadId)>,
}

/// Merges the pairs of a list in turn. A pair one of whose leads an earlier pair of the run merged away
/// follows it to the lead it went into (A~B then B~C: C joins AB), so no pair the rep approved is lost
/// to the order they were listed in; a pair already made one is done. A pair whose leads are by then two
/// the rep said are two people is left apart (`held`): a chain of merges never joins them.
pub fn merge_listed(db: &Db<'_>, pairs: &[Candidate]) -> Result<MergedList> {
    let mut went_into: HashMap<LeadId, LeadId> = HashMap::new();
    let survivor = |went_into: &HashMap<LeadId, LeadId>, id: &LeadId| {
        let mut id = id.clone();
        while let Some(next) = went_into.get(&id) {
            id = next.clone();
        }
        id
    };
    let mut out = MergedList::default();
    for c in pairs {
        let (a, b) = (survivor(&went_into, &c.a), survivor(&went_into, &c.b));
        if a == b {
            continue;
        }
        let live = |id: &LeadId| -> Result<bool> {
            Ok(leads::find(db, id)?.is_some()
                && db
                    .conn
                    .prepare_cached("SELECT forgotten_at IS NULL FROM leads WHERE id = ?1")?
                    .query_row([id.as_str()], |r| r.get::<_, bool>(0))?)
        };
        if !live(&a)? || !live(&b)? {
            out.gone += 1;
            continue;
        }
        if said_two_people(db, &a, &b)? {
            out.held.push((a, b));
            continue;
        }
        // By id: a name in the reason would outlive the person's erasure.
        let reason = match (a != c.a, b != c.b) {
            (false, false) => c.reason.clone(),
            (true, _) => format!("{} (said of lead {}, merged into this lead in the same run)", c.reason, c.a),
            (false, true) => format!("{} (said of lead {}, merged into this lead in the same run)", c.reason, c.b),
        };
        let m = merge(db, &a, &b, &reason, c.confidence)?;
        went_into.insert(m.merged.clone(), m.kept.clone());
        out.merges.push(m);
    }
    Ok(out)
}

pub fn merge(db: &Db<'_>, x: &LeadId, y: &LeadId, reason: &str, confidence: i64) -> Result<MergeOutcome> {
    if x == y {
        return Err(StoreError::Refused("a lead cannot be merged with itself".into()));
    }
    let (a, b) = (leads::get(db, x)?, leads::get(db, y)?);
    // A forgotten person stays erased: nothing of another lead is ever joined to them, nor theirs to it.
    for l in [&a, &b] {
        let forgotten: bool =
            db.conn.query_row("SELECT forgotten_at IS NOT NULL FROM leads WHERE seq = ?1", [l.seq], |r| r.get(0))?;
        if forgotten {
            return Err(StoreError::Refused(format!("lead {} was forgotten; it is never merged", l.id)));
        }
    }
    let (keep, gone) = if (b.created_at, b.seq) < (a.created_at, a.seq) { (b, a) } else { (a, b) };
    let mut patch = LeadPatch::default();
    let mut filled: Vec<String> = Vec::new();
    // A value the kept lead could not hold (a label written before labels were limited) stays with the
    // merged lead's record rather than block the merge.
    let mut fill = |name: &str, mine: &Option<String>, theirs: &Option<String>| -> Option<String> {
        if mine.is_none() && theirs.as_deref().is_some_and(|t| check_label(name, t).is_ok()) {
            filled.push(name.to_string());
            theirs.clone()
        } else {
            None
        }
    };
    patch.email = fill("email", &keep.email, &gone.email);
    patch.phone = fill("phone", &keep.phone, &gone.phone);
    patch.company = fill("company", &keep.company, &gone.company);
    patch.title = fill("title", &keep.title, &gone.title);
    patch.source = fill("source", &keep.source, &gone.source);
    patch.industry = fill("industry", &keep.industry, &gone.industry);
    patch.company_size = fill("company_size", &keep.company_size, &gone.company_size);
    patch.product_interest = fill("product_interest", &keep.product_interest, &gone.product_interest);
    patch.profile_url = fill("profile_url", &keep.profile_url, &gone.profile_url);
    // The address the rep last wrote to stays the one written to, whichever record had it (as its own or
    // another of its addresses): the older record (kept) may be a file's, with an address the person has
    // left. The kept one goes among the others, as the other record's would (the update swaps them).
    let last_written: Option<String> = db
        .conn
        .prepare_cached(
            "SELECT value FROM outreach WHERE lead_id IN (?1, ?2) AND kind = ?3 AND direction = 'outbound'
             AND deleted_at IS NULL ORDER BY occurred_at DESC, id DESC LIMIT 1",
        )?
        .query_row(params![keep.id.as_str(), gone.id.as_str(), crate::domain::OutreachKind::Email.code()], |r| r.get(0))
        .optional()?;
    let key = |e: &str| crate::domain::lead::normalize_email(e);
    let addresses = gone.email.iter().chain(&gone.other_emails).chain(&keep.other_emails);
    let written = last_written.as_deref().and_then(|w| addresses.clone().find(|a| key(a) == key(w)));
    if let (Some(ours), Some(written)) = (&keep.email, written)
        && key(ours) != key(written)
    {
        patch.email = Some(written.clone());
        patch.add_emails = vec![ours.clone()];
        patch.remove_emails = vec![written.clone()];
        filled.push("email".into());
    }
    // One name spelt two ways ("CARLA NUNEZ" from a file, "Carla Núñez" as the rep typed it): the better
    // written is kept, whichever record is older.
    if keep.name() != gone.name()
        && same_value("name", &keep.name(), &gone.name())
        && spelling(&gone.name()) > spelling(&keep.name())
    {
        patch.first_name = Some(gone.first_name.clone());
        patch.last_name = Some(gone.last_name.clone());
        filled.push("name".into());
    }
    // One number written with its calling code on one record and without it on the other, the team's
    // country saying they are one: the one that can be dialled from abroad is kept, whichever record is
    // older. Without a country to say so, the other stays in the notes (below).
    let with_calling_code = |p: &str| p.trim_start().starts_with('+') || p.trim_start().starts_with("00");
    if let (Some(mine), Some(theirs)) = (&keep.phone, &gone.phone)
        && with_calling_code(theirs)
        && !with_calling_code(mine)
        && same_number(mine, theirs, db.ctx.country.as_deref())
    {
        patch.phone = Some(theirs.clone());
        filled.push("phone".into());
    }
    // What the other record says differently (its phone, the name and company it was filed under, its
    // profile), when
    // the kept lead has its own, stays as lines of the notes (as an import keeps a row's extra phones); its
    // e-mails become the kept lead's other ones. A merge never loses a way to reach or recognise someone.
    // Its title, source and the rest, and its owner, when they differ, too: what a rep typed on either
    // record is never lost.
    let (keep_name, gone_name) = (Some(keep.name()), Some(gone.name()));
    let extra: Vec<(&str, String)> = [
        ("phone", &keep.phone, &gone.phone),
        ("name", &keep_name, &gone_name),
        ("company", &keep.company, &gone.company),
        ("profile", &keep.profile_url, &gone.profile_url),
        ("title", &keep.title, &gone.title),
        ("source", &keep.source, &gone.source),
        ("industry", &keep.industry, &gone.industry),
        ("company size", &keep.company_size, &gone.company_size),
        ("product interest", &keep.product_interest, &gone.product_interest),
        ("owner", &keep.owner, &gone.owner),
    ]
    .into_iter()
    .filter_map(|(label, mine, theirs)| match (mine, theirs) {
        // A number written another way is the number they were matched by, unless it gives the calling
        // code the kept one lacks (and was not taken for it, above).
        (Some(m), Some(t))
            if !same_value(label, m, t)
                || (label == "phone" && patch.phone.is_none() && with_calling_code(t) && !with_calling_code(m)) =>
        {
            Some((label, format!("{label}: {t}")))
        }
        _ => None,
    })
    .collect();
    let extra_lines: Vec<&str> = extra.iter().map(|(_, line)| line.as_str()).collect();
    // The merge's record names the fields only: the values are personal data, which `forget` erases from
    // the notes and could not find there.
    let kept_in_notes: Vec<&str> = extra.iter().map(|(label, _)| *label).collect();
    // Notes both records hold once.
    let their_notes = gone.notes.as_deref().filter(|n| keep.notes.as_deref().map(str::trim) != Some(n.trim()));
    let gone_notes = match (their_notes, extra.is_empty()) {
        (n, true) => n.map(str::to_string),
        (Some(n), false) => Some(format!("{n}\n{}", extra_lines.join("\n"))),
        (None, false) => Some(extra_lines.join("\n")),
    };
    patch.notes = match (&keep.notes, gone_notes) {
        (None, Some(n)) => Some(n),
        (Some(k), Some(n)) => Some(format!("{k}\n\n{n}")),
        _ => None,
    };
    if patch.notes.is_some() {
        filled.push("notes".into());
    }
    patch.add_tags = gone.tags.iter().filter(|t| !keep.tags.contains(t)).cloned().collect();
    if !patch.add_tags.is_empty() {
        filled.push("tags".into());
    }
    // An opt-out of either person survives the merge.
    if gone.do_not_contact && !keep.do_not_contact {
        patch.do_not_contact = Some(true);
        patch.do_not_contact_reason =
            gone.do_not_contact_reason.clone().or(Some("on a record merged into this one".into()));
        patch.do_not_contact_at = gone.do_not_contact_at;
        // By id: a name would outlive the person's erasure.
        patch.opt_out_logged_as = Some(format!("carried over from lead {}, merged into this one", gone.id));
        filled.push("do_not_contact".into());
    }
    // A lead nobody owned goes to whoever owned the other record (its open work follows it).
    if keep.owner_id.is_none()
        && let Some(theirs) = &gone.owner_id
        && crate::store::teams::member_by_id(db, theirs)?.is_some()
    {
        patch.owner = Some(theirs.clone());
        filled.push("owner".into());
    }
    patch.lifecycle = settle_customer_records(db, &keep, &gone)?;
    if patch.lifecycle.is_some() {
        filled.push("lifecycle".into());
    }
    let now = db.now.0;
    let (k, g) = (keep.id.as_str(), gone.id.as_str());
    // The other lead goes first, so its e-mail is free for the kept one.
    db.conn.execute("UPDATE leads SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1", params![g, now])?;
    db.conn.execute("DELETE FROM lead_tags WHERE lead_id = ?1", [g])?;
    crate::store::lead_emails::move_all(db, &gone.id, &keep.id)?;
    if let (Some(_), Some(theirs)) = (&keep.email, &gone.email)
        && crate::store::lead_emails::add(db, &keep.id, theirs)? == crate::store::lead_emails::Added::Added
    {
        filled.push("other_emails".into());
    }
    if !gone.other_emails.is_empty() && !filled.iter().any(|f| f == "other_emails") {
        filled.push("other_emails".into());
    }
    // Removed rows move too (the history stays whole) but are not counted: the record says what the rep
    // would find on the lead.
    let live = |table: &str| -> Result<usize> {
        Ok(db.conn.query_row(
            &format!("SELECT count(*) FROM {table} WHERE lead_id = ?1 AND deleted_at IS NULL"),
            [g],
            |r| r.get::<_, i64>(0),
        )? as usize)
    };
    let moved = MovedCounts {
        outreach: live("outreach")?,
        meetings: live("meetings")?,
        deals: live("deals")?,
        tasks: live("tasks")?,
        notes: live("notes")?,
        inbox: live("inbox_items")?,
    };
    let mv = |table: &str| -> Result<()> {
        db.conn.execute(
            &format!("UPDATE {table} SET lead_id = ?2, updated_at = ?3 WHERE {OF_LEAD}"),
            params![g, k, now],
        )?;
        Ok(())
    };
    mv("outreach")?;
    mv("meetings")?;
    // One calendar event is one meeting: both records' bookings of it are one now (the one marked held or
    // missed, else the earlier), so importing the calendar again moves or drops it whole.
    db.conn.execute(
        "UPDATE meetings SET deleted_at = ?2, updated_at = ?2 WHERE lead_id = ?1 AND deleted_at IS NULL
         AND calendar_key IS NOT NULL AND id NOT IN (
           SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY calendar_key
                                      ORDER BY attended IS NULL, created_at, id) AS nth
                           FROM meetings WHERE lead_id = ?1 AND deleted_at IS NULL AND calendar_key IS NOT NULL)
           WHERE nth = 1)",
        params![k, now],
    )?;
    // A deal is filed under its lead's company: the other's deals go under the kept lead's.
    db.conn.execute(
        &format!("UPDATE deals SET lead_id = ?2, account_id = ?4, updated_at = ?3 WHERE {OF_LEAD}"),
        params![g, k, now, keep.account_id.as_ref().or(gone.account_id.as_ref())],
    )?;
    mv("tasks")?;
    mv("notes")?;
    mv("inbox_items")?;
    crate::automation::run::merged(db, &gone.id, &keep.id)?;
    // The touch the other record came from (now the kept lead's) is where the person came from, unless the
    // kept lead says: what a customer record later names as their origin.
    if keep.origin_outreach_id.is_none() && gone.origin_outreach_id.is_some() {
        db.conn.execute(
            "UPDATE leads SET origin_outreach_id = ?2 WHERE id = ?1 AND origin_outreach_id IS NULL",
            params![k, gone.origin_outreach_id],
        )?;
        filled.push("origin".into());
    }
    // Events about the other lead, a churn's (`lead@time`) too, are about the kept one now; those still to
    // go out name it as their lead, so that its opt-out withdraws them (`events::withdraw_for`).
    db.conn.execute(
        "UPDATE events SET subject_id = ?1 || substr(subject_id, length(?2) + 1)
         WHERE subject_id = ?2 OR (subject_id >= ?2 || '@' AND subject_id < ?2 || 'A')",
        params![k, g],
    )?;
    db.conn.execute(
        &format!(
            "UPDATE events SET payload = json_set(payload, '$.lead.id', ?3) WHERE {}",
            crate::store::events::PENDING_OF_LEAD
        ),
        params![db.ctx.team_id.as_str(), g, k],
    )?;
    if !patch.is_empty() {
        leads::update(db, &keep.id, patch)?;
    }
    // The other record's tasks that would reach the person and its events waiting to go out, now the kept
    // lead's, go as an opt-out's do when the kept lead had opted out (one the merge carries over does it in
    // the update above).
    if keep.do_not_contact {
        crate::store::tasks::close_chasers(db, &keep.id, crate::store::tasks::Answered::OptOut)?;
        crate::store::events::withdraw_for(db, &keep.id)?;
    }
    db.conn.execute(
        "UPDATE leads SET created_at = min(created_at, ?2),
         manual_contact_at = (SELECT max(x) FROM (SELECT manual_contact_at AS x FROM leads WHERE id IN (?1, ?3))),
         updated_at = ?4 WHERE id = ?1",
        params![k, gone.created_at.0, g, now],
    )?;
    contact::refresh(db, &keep.id)?;
    // A reply, a touch or a meeting the other lead had answers the bumps of either that came before it.
    crate::store::tasks::settle_answered(db, &keep.id)?;
    // Staged pairs: this one is done; others that named the removed lead now name the kept one.
    db.conn.execute(
        "UPDATE merge_candidates SET status = 'merged', updated_at = ?3
         WHERE (lead_a = ?1 AND lead_b = ?2) OR (lead_a = ?2 AND lead_b = ?1)",
        params![k, g, now],
    )?;
    // Their reason was said of the merged lead: the pair says so, as the kept lead may not fit it.
    // By id: a name in it would outlive the person's erasure.
    let said_of = format!(" (said of lead {}, merged into this lead since)", gone.id);
    db.conn.execute(
        "UPDATE OR IGNORE merge_candidates SET lead_a = ?1, reason = reason || ?4, updated_at = ?3
         WHERE lead_a = ?2 AND status = 'open' AND lead_b != ?1",
        params![k, g, now, said_of],
    )?;
    db.conn.execute(
        "UPDATE OR IGNORE merge_candidates SET lead_b = ?1, reason = reason || ?4, updated_at = ?3
         WHERE lead_b = ?2 AND status = 'open' AND lead_a != ?1",
        params![k, g, now, said_of],
    )?;
    // The rep said the merged lead and another are two people: so are the kept lead and that one.
    let two_people = "SELECT CASE WHEN lead_a = ?2 THEN lead_b ELSE lead_a END FROM merge_candidates
                      WHERE (lead_a = ?2 OR lead_b = ?2) AND status = 'dismissed' AND origin = 'dedupe'";
    db.conn.execute(
        &format!(
            "UPDATE merge_candidates SET status = 'dismissed', origin = 'dedupe', updated_at = ?3
             WHERE (lead_a = ?1 AND lead_b IN ({two_people})) OR (lead_b = ?1 AND lead_a IN ({two_people}))"
        ),
        params![k, g, now],
    )?;
    for (side, other) in [("lead_a", "lead_b"), ("lead_b", "lead_a")] {
        db.conn.execute(
            &format!(
                "UPDATE OR IGNORE merge_candidates SET {side} = ?1, updated_at = ?3
                 WHERE {side} = ?2 AND status = 'dismissed' AND origin = 'dedupe' AND {other} != ?1"
            ),
            params![k, g, now],
        )?;
    }
    db.conn.execute(
        "UPDATE merge_candidates SET status = 'dismissed', updated_at = ?2 WHERE (lead_a = ?1 OR lead_b = ?1) AND status = 'open'",
        params![g, now],
    )?;
    let details = serde_json::json!({ "filled": filled, "moved": moved, "kept_in_notes": kept_in_notes });
    db.conn.execute(
        "INSERT INTO merge_log (id, team_id, user_id, kept_id, merged_id, reason, confidence, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            uuid::Uuid::now_v7().to_string(),
            db.ctx.team_id.as_str(),
            db.ctx.user_id.as_str(),
            k,
            g,
            reason,
            confidence,
            details.to_string(),
            now
        ],
    )?;
    db.emit(Change::LeadRemoved(gone.id.clone()));
    db.emit(Change::LeadEdited(keep.id.clone()));
    db.emit(Change::LeadsMerged { kept: keep.id.clone(), gone: gone.id.clone() });
    Ok(MergeOutcome { kept: keep.id, merged: gone.id, filled, moved })
}

/// A past merge, as recorded: which lead was folded into which, why, how sure, by whom, and what moved.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MergeRecord {
    pub id: String,
    pub kept_id: String,
    pub merged_id: String,
    /// The merged lead as it was named when it went (its row stays, removed); "Forgotten" once erased.
    pub merged_name: String,
    pub merged_email: Option<String>,
    pub reason: String,
    pub confidence: i64,
    /// The kept lead's fields the merged one filled, and how many of each record moved over.
    pub details: serde_json::Value,
    pub by: Option<String>,
    /// The member who merged, by id: what names them in a moved copy of the database.
    pub by_id: Option<String>,
    pub created_at: Timestamp,
}

/// The merges that folded leads into this one, and the merges of those before (a merge of merges), oldest
/// first: the whole story of how the lead came to be one.
pub fn history(db: &Db<'_>, lead: &LeadId) -> Result<Vec<MergeRecord>> {
    let mut stmt = db.conn.prepare(concat!(
        "WITH RECURSIVE folded(id) AS (
             SELECT ?1 UNION SELECT m.merged_id FROM merge_log m JOIN folded f ON m.kept_id = f.id)
         SELECT m.kept_id, m.merged_id, ",
        lead_name_sql!("l"),
        ", l.email, m.reason, m.confidence, m.details, u.name, m.created_at, m.id, m.user_id
         FROM merge_log m JOIN folded f ON m.kept_id = f.id
         LEFT JOIN leads l ON l.id = m.merged_id LEFT JOIN users u ON u.id = m.user_id
         WHERE m.team_id = ?2 ORDER BY m.created_at, m.rowid"
    ))?;
    let rows = stmt.query_map(params![lead.as_str(), db.ctx.team_id.as_str()], |r| {
        let details: String = r.get(6)?;
        Ok(MergeRecord {
            id: r.get(9)?,
            kept_id: r.get(0)?,
            merged_id: r.get(1)?,
            merged_name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            merged_email: r.get(3)?,
            reason: r.get(4)?,
            confidence: r.get(5)?,
            details: serde_json::from_str(&details).unwrap_or_default(),
            by: r.get(7)?,
            by_id: r.get(10)?,
            created_at: Timestamp(r.get(8)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
