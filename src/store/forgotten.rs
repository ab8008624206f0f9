//! The addresses of people who asked to be forgotten, kept only as hashes: a file or a command that names
//! one of them again is refused, so an erased person is not quietly brought back by the next import of
//! another CRM's export. `leadline privacy allow` lifts it for someone who came back of their own accord.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::{Db, Result, StoreError};
use crate::domain::lead::{bare_address, normalize_email};
use crate::domain::{LeadId, Timestamp};

/// The one-way hash an address is remembered by (its bare, normalised form, so `<Ana@X.es>` is `ana@x.es`).
pub fn address_hash(email: &str) -> String {
    hashed("address", &normalize_email(bare_address(email)))
}

/// The hex SHA-256 of what a kind of key is remembered by. An import asks for one or two a row while anyone
/// is remembered: written straight into one string.
fn hashed(kind: &str, key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest =
        Sha256::new().chain_update(b"leadline forgotten ").chain_update(kind).chain_update(b"\n").chain_update(key);
    let mut out = String::with_capacity(64);
    for b in digest.finalize() {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

/// The hashes an address is remembered and looked up by: its own, and the mailbox's it delivers to
/// (`domain::lead::mailbox_key`), so the same Gmail mailbox written without dots or with a `+tag` is known
/// too. Addresses remembered before only have the first; it is looked up first.
pub fn address_hashes(email: &str) -> Vec<String> {
    let own = address_hash(email);
    let mut hashes = vec![own];
    // An accent written decomposed was hashed so by earlier versions (`email_key_decomposed`).
    if let Some(decomposed) = crate::domain::lead::email_key_decomposed(bare_address(email)) {
        hashes.push(hashed("address", &decomposed));
    }
    // Only where the mailbox is surely one person's: a `+tag` on a company's domain may be a shared inbox's
    // (sales+ana@ is sales@, which others use).
    let key = crate::domain::lead::mailbox_key(bare_address(email));
    if key.ends_with("@gmail.com") {
        let mailbox = address_hash(&key);
        if !hashes.contains(&mailbox) {
            hashes.push(mailbox);
        }
    }
    hashes
}

/// The one-way hash a social profile is remembered by (its one form, `domain::lead::canonical_profile`,
/// without a trailing slash): a LinkedIn export, which seldom gives e-mails, does not bring the person back.
pub fn profile_hash(url: &str) -> String {
    let canonical = crate::domain::lead::canonical_profile(url);
    let key = canonical.trim_end_matches('/').to_lowercase();
    hashed("profile", &key)
}

/// The hashes a forgotten profile is remembered and looked up by: its one form's, and, for a name outside
/// ASCII, that of the form earlier versions kept a LinkedIn export's profile in (percent-encoded), so that
/// a person forgotten then is refused by either spelling.
pub fn profile_hashes(url: &str) -> Vec<String> {
    let own = profile_hash(url);
    let canonical = crate::domain::lead::canonical_profile(url);
    let encoded = crate::domain::lead::percent_encoded_profile(&canonical);
    if encoded == canonical { vec![own] } else { vec![own, hashed("profile", encoded.trim_end_matches('/'))] }
}

/// The hashes a number is looked up by: its international form (`+34…`), however it is written (with 00,
/// or national where `country` places it), which is among the forms a forgotten number is remembered by;
/// none for a number no country places. One hash a number (an import asks for every row), and a second in
/// a country with a trunk 0: the form earlier versions remembered a number written with it after the
/// calling code by (`phone_keys::key_with_trunk`).
pub fn phone_lookup_hashes(raw: &str, country: Option<&str>) -> Vec<String> {
    use crate::domain::phone_keys::{key_with_trunk, phone_key};
    let Some(key) = phone_key(raw, country).filter(|k| k.starts_with('+')) else { return Vec::new() };
    std::iter::once(key).chain(key_with_trunk(raw, country)).map(|k| phone_hash(&k)).collect()
}

/// The hashes a forgotten number is remembered by: its international forms only (`+34…`, `0034…`), and
/// only for a number written with its calling code. A national form would refuse another country's number
/// with the same digits, and a number written without its code names no country to tell.
pub fn remembered_phone_hashes(raw: &str) -> Vec<String> {
    let keys = crate::domain::phone_keys::match_keys(raw, None);
    if !keys.first().is_some_and(|k| k.starts_with('+')) {
        return Vec::new();
    }
    keys.iter().filter(|k| k.starts_with('+') || k.starts_with("00")).map(|k| phone_hash(k)).collect()
}

fn phone_hash(key: &str) -> String {
    hashed("phone", key)
}

/// The hashes a person's number is remembered by when they are forgotten: placed first where `country`
/// places one written without its calling code (a colleague's "+34 …" is the same line as a "612 …").
pub fn number_hashes(raw: &str, country: Option<&str>) -> Vec<String> {
    let placed = crate::domain::phone_keys::phone_key(raw, country)
        .filter(|k| k.starts_with('+'))
        .unwrap_or_else(|| raw.to_string());
    remembered_phone_hashes(&placed)
}

/// Whether a live lead other than `except` has a phone stored under one of the keys `number` is matched
/// by (a switchboard, a family line): forgetting one person must not refuse the others.
pub fn number_shared(db: &Db<'_>, number: &str, except: &[&str]) -> Result<bool> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT id FROM leads WHERE team_id = ?1 AND phone_key = ?2 AND deleted_at IS NULL AND forgotten_at IS NULL",
    )?;
    for key in crate::domain::phone_keys::match_keys(number, db.ctx.country.as_deref()) {
        let ids: Vec<String> =
            stmt.query_map(params![db.ctx.team_id.as_str(), key], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if ids.iter().any(|id| !except.contains(&id.as_str())) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What a lead had and lost: an address, a number or a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Former {
    Email,
    Phone,
    Profile,
}

impl Former {
    const ALL: [Former; 3] = [Former::Email, Former::Phone, Former::Profile];

    fn as_str(self) -> &'static str {
        match self {
            Former::Email => "email",
            Former::Phone => "phone",
            Former::Profile => "profile",
        }
    }
}

/// Keeps a contact a lead had and lost (an address an edit replaced, another one taken off, a number or a
/// profile changed) beside the lead, for `forget` alone: forgetting the person remembers it too (unless
/// another live lead has it by then), so an old list does not bring them back by what they used to have.
pub fn keep_former(db: &Db<'_>, lead: &LeadId, kind: Former, value: &str) -> Result<()> {
    db.conn
        .prepare_cached(
            "INSERT OR IGNORE INTO former_contacts (team_id, lead_id, kind, value) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![db.ctx.team_id.as_str(), lead.as_str(), kind.as_str(), value])?;
    Ok(())
}

/// What `keep_former` kept for a lead, taken off it: `forget` remembers it, an erasure drops it.
pub fn take_former(db: &Db<'_>, lead: &LeadId) -> Result<Vec<(Former, String)>> {
    let rows = db
        .conn
        .prepare_cached("SELECT kind, value FROM former_contacts WHERE lead_id = ?1 ORDER BY kind, value")?
        .query_map([lead.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    db.conn.prepare_cached("DELETE FROM former_contacts WHERE lead_id = ?1")?.execute([lead.as_str()])?;
    let kind = |k: &str| Former::ALL.into_iter().find(|f| f.as_str() == k);
    Ok(rows.into_iter().filter_map(|(k, v)| kind(&k).map(|k| (k, v))).collect())
}

/// The hash a file's lead id is remembered by when the file's row for it was refused as a forgotten
/// person's: the file's other records about that lead (notes, deals) are then refused keeping nothing.
pub fn id_hash(id: &str) -> String {
    hashed("lead", &id.trim().to_ascii_lowercase())
}

/// Remembers the addresses of a person being forgotten (`lead`, the row that stays for the counts).
pub fn remember(db: &Db<'_>, lead: &LeadId, emails: &[String]) -> Result<()> {
    let hashes: Vec<String> = emails.iter().filter(|e| !e.trim().is_empty()).flat_map(|e| address_hashes(e)).collect();
    remember_hashes(db, Some(lead), &hashes, db.now)
}

/// Remembers hashes as they are: a forgotten lead's (coming with it from a moved database), or the id of a
/// file's lead refused as forgotten (no lead here).
pub fn remember_hashes(db: &Db<'_>, lead: Option<&LeadId>, hashes: &[String], at: Timestamp) -> Result<()> {
    let mut insert = db.conn.prepare_cached(
        "INSERT INTO forgotten_addresses (team_id, address_hash, lead_id, forgotten_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (team_id, address_hash) DO UPDATE SET lead_id = excluded.lead_id,
           forgotten_at = excluded.forgotten_at",
    )?;
    for h in hashes {
        insert.execute(params![db.ctx.team_id.as_str(), h, lead.map(LeadId::as_str), at.0])?;
    }
    Ok(())
}

/// Whether a text is a hash as `address_hash` writes it (a file's claim is checked before it is kept).
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The hashes remembered for a forgotten lead (what its JSON export carries).
pub fn hashes_of(db: &Db<'_>, lead: &LeadId) -> Result<Vec<String>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT address_hash FROM forgotten_addresses WHERE team_id = ?1 AND lead_id = ?2 ORDER BY address_hash",
    )?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), lead.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The hash of the first address, or refused lead id, in some texts (the cells of a rejected row) that is
/// a forgotten person's.
pub fn named_forgotten(hashes: &HashSet<String>, texts: &[String]) -> Option<String> {
    if hashes.is_empty() {
        return None;
    }
    let separator = |c: char| {
        c.is_whitespace()
            || matches!(c, ',' | ';' | '<' | '>' | '"' | '\'' | '(' | ')' | '[' | ']' | '/' | '?' | '{' | '}')
    };
    let token_hashes = |t: &str| match t.contains('@') {
        true => address_hashes(t),
        false => {
            (t.len() == 36 && t.bytes().filter(|b| *b == b'-').count() == 4).then(|| id_hash(t)).into_iter().collect()
        }
    };
    texts.iter().flat_map(|t| t.split(separator)).flat_map(token_hashes).find(|h| hashes.contains(h))
}

/// When the person with this address was forgotten, if they were.
pub fn forgotten_at(db: &Db<'_>, email: &str) -> Result<Option<Timestamp>> {
    for hash in address_hashes(email) {
        if let Some(at) = forgotten_at_hash(db, &hash)? {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

/// When the person a remembered hash stands for was forgotten.
pub fn forgotten_at_hash(db: &Db<'_>, hash: &str) -> Result<Option<Timestamp>> {
    Ok(db
        .conn
        .prepare_cached("SELECT forgotten_at FROM forgotten_addresses WHERE team_id = ?1 AND address_hash = ?2")?
        .query_row(params![db.ctx.team_id.as_str(), hash], |r| r.get(0))
        .optional()?
        .map(Timestamp))
}

/// Every remembered hash of the team (an import checks its rows against them; most teams have none).
pub fn hashes(db: &Db<'_>) -> Result<HashSet<String>> {
    let mut stmt = db.conn.prepare_cached("SELECT address_hash FROM forgotten_addresses WHERE team_id = ?1")?;
    let rows = stmt.query_map([db.ctx.team_id.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Why an address is not taken: its person asked to be forgotten, or had opted out when retention erased
/// them. It does not repeat the address: an import's reasons are stored and the terminal UI's messages
/// logged, and neither may hold it.
pub fn refusal(at: Timestamp, db: &Db<'_>) -> String {
    format!(
        "the e-mail address belongs to someone who asked to be forgotten, or who had opted out when their \
         record was anonymised ({}); if they came back of their own accord, `leadline privacy allow ADDRESS` lets it in again",
        at.local(db.ctx.tz)
    )
}

/// Why a file's row is not kept, in any part: it is about someone who asked to be forgotten.
pub fn row_refusal(at: Timestamp, db: &Db<'_>) -> String {
    format!(
        "the row is about someone who asked to be forgotten, or who had opted out when their record was \
         anonymised ({}): nothing of it is kept; if they came back of their own accord, `leadline privacy allow ADDRESS` lets them \
         in again",
        at.local(db.ctx.tz)
    )
}

/// Refuses an address of a forgotten person.
pub fn refuse(db: &Db<'_>, email: &str) -> Result<()> {
    match forgotten_at(db, email)? {
        Some(at) => Err(StoreError::Refused(refusal(at, db))),
        None => Ok(()),
    }
}

/// Refuses a forgotten person's phone number (`country` places one written without its calling code).
pub fn refuse_phone(db: &Db<'_>, raw: &str, country: Option<&str>) -> Result<()> {
    for hash in phone_lookup_hashes(raw, country) {
        if let Some(at) = forgotten_at_hash(db, &hash)? {
            return Err(StoreError::Refused(refusal(at, db).replacen("the e-mail address", "the phone number", 1)));
        }
    }
    Ok(())
}

/// Refuses a forgotten person's social profile, as an import does (only a member's own page is
/// remembered: a company page is not a person's).
pub fn refuse_profile(db: &Db<'_>, url: &str) -> Result<()> {
    let url = crate::domain::lead::canonical_profile(url);
    if !crate::domain::lead::is_member_page(&url) {
        return Ok(());
    }
    for hash in profile_hashes(&url) {
        if let Some(at) = forgotten_at_hash(db, &hash)? {
            return Err(StoreError::Refused(refusal(at, db).replacen("the e-mail address", "the profile", 1)));
        }
    }
    Ok(())
}

/// Lets a forgotten person's address in again, and records that in the privacy log; whether it was
/// remembered. The entry names neither the address nor the forgotten lead: either would tie the person
/// who came back to what was kept of the one who asked to be forgotten.
pub fn allow(db: &Db<'_>, email: &str) -> Result<bool> {
    // An e-mail address, a social profile (a web address) or a phone number remembered with it.
    let hashes = match crate::domain::lead::validate_email("email", email) {
        Ok(e) => address_hashes(&e),
        Err(e) => match crate::domain::lead::validate_url("profile", email) {
            Ok(url) if url.contains('/') && !email.trim().starts_with('+') => profile_hashes(&url),
            _ => match crate::domain::lead::validate_phone("phone", email).map(|phone| {
                // Typed without its calling code, placed by the config's country as a refusal placed it.
                crate::domain::phone_keys::phone_key(&phone, db.ctx.country.as_deref())
                    .filter(|k| k.starts_with('+'))
                    .unwrap_or(phone)
            }) {
                // Remembered with its calling code: let in the same way.
                Ok(phone) if remembered_phone_hashes(&phone).is_empty() => {
                    return Err(StoreError::Refused(format!(
                        "'{}': give the number with its calling code (+34 …), as it was remembered",
                        email.trim()
                    )));
                }
                Ok(phone) => remembered_phone_hashes(&phone),
                Err(_) => return Err(e.into()),
            },
        },
    };
    let mut removed = 0;
    let mut delete =
        db.conn.prepare_cached("DELETE FROM forgotten_addresses WHERE team_id = ?1 AND address_hash = ?2")?;
    for hash in hashes {
        removed += delete.execute(params![db.ctx.team_id.as_str(), hash])?;
    }
    if removed == 0 {
        return Ok(false);
    }
    let why = "an address of someone forgotten was let in again: they came back of their own accord";
    crate::store::leads::log_privacy_entry(db, None, "allow", Some(why), db.now)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hashes are stored and travel in exports: they stay what earlier versions wrote.
    #[test]
    fn hashes_are_the_ones_earlier_versions_stored() {
        let old =
            |text: String| -> String { Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect() };
        assert_eq!(address_hash("<Ana@X.es>"), old("leadline forgotten address\nana@x.es".into()));
        assert_eq!(
            profile_hash("https://www.linkedin.com/in/ana/"),
            old("leadline forgotten profile\nhttps://www.linkedin.com/in/ana".into())
        );
        assert_eq!(id_hash(" ABC "), old("leadline forgotten lead\nabc".into()));
        assert_eq!(phone_hash("+34600112233"), old("leadline forgotten phone\n+34600112233".into()));
    }

    /// A number written with its trunk 0 after the calling code was remembered with the 0: it is looked up
    /// by that form too, however it is written now.
    #[test]
    fn a_number_remembered_with_its_trunk_is_found_by_either_form() {
        let remembered_then = phone_hash("+4402079460018");
        assert!(phone_lookup_hashes("+44 020 7946 0018", None).contains(&remembered_then));
        assert!(phone_lookup_hashes("(+44) 020-7946-0018", None).contains(&remembered_then));
        let now = phone_lookup_hashes("+44 20 7946 0018", None);
        assert_eq!(now, vec![phone_hash("+442079460018"), remembered_then], "written without it now, too");
        assert!(remembered_phone_hashes("+44 020 7946 0018").contains(&now[0]), "remembered now: both forms");
    }
}
