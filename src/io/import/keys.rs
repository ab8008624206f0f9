//! Duplicate keys held in memory: a Bloom filter and a key table over the leads' e-mail, phone and name +
//! company keys, and the queries that fill them.

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::domain::LeadId;
use crate::domain::lead::canonical_profile;
use crate::io::dedupe::name_company_key;

/// A tiny Bloom filter over duplicate keys: most rows match nothing, and this answers "surely not" without
/// a query; a "maybe" is confirmed in the database. About 2 bytes per key. Blocked: a key's four bits lie in
/// one 64-bit word, so a look-up costs one memory access rather than four scattered ones (a million-row
/// import asks seven times a row); the few more false "maybe"s each cost one indexed query.
pub(super) struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    /// 16 MB at most, whatever the file's size: past about eight million keys "maybe" just comes more often.
    const MAX_WORDS: usize = 1 << 21;

    pub(super) fn new(keys: usize) -> Self {
        let words = (keys.max(64_000) * 16).div_ceil(64).next_power_of_two().min(Self::MAX_WORDS);
        Self { words: vec![0; words] }
    }

    /// The key's word and its four bits there, from the key's hash (`Writer::hash`).
    fn position(&self, h: u64) -> (usize, u64) {
        let word = (h >> 32) as usize & (self.words.len() - 1);
        let bits = (1u64 << (h & 63)) | (1 << ((h >> 6) & 63)) | (1 << ((h >> 12) & 63)) | (1 << ((h >> 18) & 63));
        (word, bits)
    }

    /// A filter that answers "maybe" to every key: each is looked up in the database.
    pub(super) fn saturated() -> Self {
        Self { words: vec![u64::MAX] }
    }

    pub(super) fn insert(&mut self, h: u64) {
        let (w, bits) = self.position(h);
        self.words[w] |= bits;
    }

    pub(super) fn maybe(&self, h: u64) -> bool {
        let (w, bits) = self.position(h);
        self.words[w] & bits == bits
    }
}

/// Which leads have which duplicate key, in memory: what a bulk load asks instead of the e-mail, phone and
/// account indexes, which it lifts (a random B-tree write per index per row, the largest cost of a load
/// into a small database) and builds once at its end. Each slot is a key's 32-bit fingerprint and the lead's
/// row number, 8 bytes; every candidate is confirmed in the database by row number, so a shared fingerprint
/// only costs a look-up. Sized once from the file's line count, at most `KeyTable::MAX_SLOTS`: past that
/// the load builds the indexes and looks rows up there (memory stays bounded whatever the file's size).
pub(super) struct KeyTable {
    slots: Vec<u64>,
    len: usize,
    shift: u32,
}

impl KeyTable {
    /// 32 MB: room for the keys of about a million rows (three keys a row).
    const MAX_SLOTS: usize = 1 << 22;

    /// A table for `keys` keys (at most three quarters full), capped at `MAX_SLOTS`.
    pub(super) fn new(keys: usize) -> Self {
        let slots = (keys.max(1 << 12) * 4 / 3 + 1).next_power_of_two().min(Self::MAX_SLOTS);
        Self { slots: vec![0; slots], len: 0, shift: 64 - slots.trailing_zeros() }
    }

    fn entry(h: u64, seq: i64) -> u64 {
        (h << 32) | seq as u64
    }

    /// Records that lead `seq` has the key hashed `h`. False when the table is full or the row number does
    /// not fit: the caller goes back to the indexes.
    pub(super) fn insert(&mut self, h: u64, seq: i64) -> bool {
        if seq <= 0 || seq > u32::MAX as i64 || (self.len + 1) * 4 > self.slots.len() * 3 {
            return false;
        }
        let entry = Self::entry(h, seq);
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = entry;
                    self.len += 1;
                    return true;
                }
                e if e == entry => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// How many leads may have the key hashed `h`, counting no further than `most`.
    pub(super) fn count_up_to(&self, h: u64, most: usize) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        let mut n = 0;
        loop {
            match self.slots[i] {
                0 => return n,
                e if e >> 32 == h & 0xffff_ffff => {
                    n += 1;
                    if n >= most {
                        return n;
                    }
                }
                _ => {}
            }
            i = (i + 1) & mask;
        }
    }

    /// The row numbers of the leads that may have the key hashed `h`.
    pub(super) fn candidates(&self, h: u64, out: &mut Vec<i64>) {
        let mask = self.slots.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => return,
                e if e >> 32 == h & 0xffff_ffff => {
                    let seq = (e & 0xffff_ffff) as i64;
                    if !out.contains(&seq) {
                        out.push(seq);
                    }
                }
                _ => {}
            }
            i = (i + 1) & mask;
        }
    }
}

/// The leads whose duplicate keys an import holds: row number, e-mail key, phone key, name, company.
pub(super) const KNOWN_LEADS: &str =
    "SELECT l.seq, l.email_key, l.phone_key, l.first_name, l.last_name, a.name FROM leads l
     LEFT JOIN accounts a ON a.id = l.account_id";

/// The e-mails of the team's leads merged into others (kept as removed rows), by their hash as a duplicate
/// key, with the lead each went into.
pub(super) fn merged_emails(
    conn: &rusqlite::Connection,
    team: &str,
    hasher: &std::collections::hash_map::RandomState,
) -> rusqlite::Result<HashMap<u64, (String, LeadId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.email_key, m.kept_id FROM merge_log m JOIN leads l ON l.id = m.merged_id
         WHERE m.team_id = ?1 AND l.email_key IS NOT NULL AND l.deleted_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([team], |r| Ok((r.get::<_, String>(0)?, LeadId(r.get(1)?))))?;
    rows.map(|r| r.map(|(key, kept)| (hasher.hash_one(("e", key.as_str())), (key, kept)))).collect()
}

/// By hashed phone key (kind "p"): the key, the lead the merged lead went into, and the merged lead's first
/// and last names.
pub(super) type MergedPhones = HashMap<u64, (String, LeadId, (String, String))>;

/// The phone keys of leads merged into others (kind "p"), with the lead each went into and its name key.
pub(super) fn merged_phones(
    conn: &rusqlite::Connection,
    team: &str,
    hasher: &std::collections::hash_map::RandomState,
) -> rusqlite::Result<MergedPhones> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.phone_key, m.kept_id, l.first_name, l.last_name FROM merge_log m JOIN leads l ON l.id = m.merged_id
         WHERE m.team_id = ?1 AND l.phone_key IS NOT NULL AND l.deleted_at IS NOT NULL",
    )?;
    let rows = stmt.query_map([team], |r| {
        Ok((r.get::<_, String>(0)?, LeadId(r.get(1)?), (r.get::<_, String>(2)?, r.get::<_, String>(3)?)))
    })?;
    rows.map(|r| r.map(|(key, kept, name)| (hasher.hash_one(("p", key.as_str())), (key, kept, name)))).collect()
}

/// The hashed keys (kind "o") of the team's other e-mails (`lead_emails`) of live leads.
pub(super) fn other_emails(
    conn: &rusqlite::Connection,
    team: &str,
    hasher: &std::collections::hash_map::RandomState,
) -> rusqlite::Result<Vec<u64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.email_key FROM lead_emails e JOIN leads l ON l.id = e.lead_id
         WHERE e.team_id = ?1 AND l.deleted_at IS NULL",
    )?;
    let rows = stmt.query_map([team], |r| r.get::<_, String>(0))?;
    rows.map(|r| r.map(|key| hasher.hash_one(("o", key.as_str())))).collect()
}

/// The hashed duplicate keys of one `KNOWN_LEADS` row.
pub(super) fn known_keys(
    hasher: &std::collections::hash_map::RandomState,
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<Vec<u64>> {
    let mut keys = Vec::with_capacity(3);
    if let Some(e) = r.get::<_, Option<String>>(1)? {
        keys.push(hasher.hash_one(("e", e.as_str())));
    }
    if let Some(p) = r.get::<_, Option<String>>(2)? {
        keys.push(hasher.hash_one(("p", p.as_str())));
    }
    if let Some(c) = r.get::<_, Option<String>>(5)? {
        let (f, l): (String, String) = (r.get(3)?, r.get(4)?);
        keys.push(hasher.hash_one(("n", name_company_key(&f, &l, &c).as_str())));
    }
    Ok(keys)
}

/// The values a profile may be stored under: its one form (every stored profile is in it, migration 009
/// rewrote the older ones), with and without a trailing slash.
pub(super) fn profile_forms(url: &str) -> [String; 2] {
    let canonical = canonical_profile(url);
    let bare = canonical.trim_end_matches('/');
    [format!("{bare}/"), bare.to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_table_names_every_lead_with_a_key_and_says_when_it_is_full() {
        let mut t = KeyTable::new(10);
        let slots = t.slots.len();
        // Two leads share a key; a third key shares the first one's fingerprint and home slot.
        let (a, b) = (0x1234_5678_9abc_def0_u64, 0x0fed_cba9_8765_4321_u64);
        let same_fingerprint = (a & 0xffff_ffff_0000_0000) ^ (1 << 40) | (a & 0xffff_ffff);
        assert!(t.insert(a, 1) && t.insert(a, 2) && t.insert(a, 2) && t.insert(b, 3));
        assert!(t.insert(same_fingerprint, 4));
        let mut found = Vec::new();
        t.candidates(a, &mut found);
        assert!(found.contains(&1) && found.contains(&2) && !found.contains(&3), "{found:?}");
        found.clear();
        t.candidates(b, &mut found);
        assert_eq!(found, vec![3]);
        found.clear();
        t.candidates(0x5555_5555_5555_5555, &mut found);
        assert!(found.is_empty());
        // Row numbers beyond 32 bits and a table three quarters full are refused: the load goes to the indexes.
        assert!(!t.insert(b, 1 << 33));
        let mut n = 5;
        while t.insert((n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15), n) {
            n += 1;
        }
        assert_eq!(t.len, slots * 3 / 4);
    }
}
