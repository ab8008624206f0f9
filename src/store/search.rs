//! Full-text search over leads (names, e-mail, phone, company, title, tags) with prefix matching,
//! so results narrow as a rep types.

use super::{Db, Result, leads};
use crate::domain::phone::digit_variants;
use crate::domain::text::{PLAIN_LETTERS, plain_letter};
use crate::store::leads::Lead;

/// Turns typed text into an FTS5 query: split into words the way the index's tokenizer splits them
/// (anything not a letter or digit separates), every word a quoted prefix term, all must match.
/// Returns None when nothing searchable is left (only punctuation).
pub fn fts_query(text: &str) -> Option<String> {
    // Composed first: "López" pasted in its decomposed form (macOS) is "López", not "Lo" and "pez".
    use unicode_normalization::UnicodeNormalization;
    let composed: String = text.nfc().collect();
    let text = composed.as_str();
    // Combining marks (Devanagari or Thai vowel signs) separate words for the index's tokenizer, so they
    // separate terms here too: a term it would split in two is a phrase, which this index cannot answer.
    // Typed with its calling code: "+34 …" (a "00 …" number says so by itself).
    let international = text.trim_start().starts_with('+');
    // Text that is all a phone number ("06 12 34 56 78", "+1 (415) 555-0100").
    let phone_like = text.chars().all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let phone_digits = if phone_like { PHONE_DIGITS_TYPED_ALONE } else { PHONE_DIGITS };
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c))
        .filter(|w| !w.is_empty())
        .map(|w| {
            // A long run of digits is a phone number typed without spaces: it may be indexed behind a
            // calling code, or without the trunk prefix it was typed with.
            if w.len() >= phone_digits && w.chars().all(|c| c.is_ascii_digit()) {
                let forms: Vec<String> = digit_variants(w, international).iter().map(|v| format!("\"{v}\"*")).collect();
                format!("({})", forms.join(" OR "))
            } else {
                format!("\"{w}\"*")
            }
        })
        .collect();
    if terms.is_empty() {
        return None;
    }
    let words = terms.join(" AND ");
    // Text that is all a phone number is also looked for as one run of digits, in each form it may be
    // indexed under.
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if phone_like && terms.len() > 1 && digits.len() >= PHONE_DIGITS {
        let forms: Vec<String> = digit_variants(&digits, international).iter().map(|v| format!("\"{v}\"*")).collect();
        // A whole number is that number: its groups as words would also find the same groups in another
        // order ("622 785 910"), common among a million numbers. Fewer digits may be a number's end.
        if digits.len() >= WHOLE_NUMBER_DIGITS {
            return Some(forms.join(" OR "));
        }
        return Some(format!("({words}) OR {}", forms.join(" OR ")));
    }
    Some(words)
}

/// A name or company spelt with plain letters ("Soren Ruiz" for "Søren Ruiz"), which the search index
/// holds beside it so that either spelling finds it; None when it has no letter of `PLAIN_LETTERS`.
pub(crate) fn plain_spelt(text: &str) -> Option<String> {
    if text.is_ascii() || !text.chars().any(|c| plain_letter(c).is_some()) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        match plain_letter(c) {
            Some(p) => out.push_str(p),
            None => out.push(c),
        }
    }
    Some(out)
}

/// What the search index holds of the expression `text`, in SQL: the text, then its `plain_spelt` form
/// if it has one (the same expression as the triggers of migration 040, checked by a test).
pub(crate) fn plain_spelt_terms(text: &str) -> String {
    let letters: String = PLAIN_LETTERS.iter().map(|(l, _)| *l).collect();
    let plain = PLAIN_LETTERS.iter().fold(text.to_string(), |e, (l, p)| format!("replace({e}, '{l}', '{p}')"));
    format!("CASE WHEN {text} GLOB '*[{letters}]*' THEN {text} || ' ' || {plain} ELSE {text} END")
}

/// Digits from which a search term is taken for a phone number: among words ("Room 1001" is a company's
/// name), and typed alone ("6001", the start of "+34 600 11 22 33" as a rep reads it out).
const PHONE_DIGITS: usize = 6;
const PHONE_DIGITS_TYPED_ALONE: usize = 4;
/// Digits from which a number typed in groups is taken whole (a national number has nine or more).
const WHOLE_NUMBER_DIGITS: usize = 9;

/// The lead whose e-mail (its own or another of its addresses) is the whole of what was typed: a rep who
/// types or pastes a full address means that person, not every lead whose words start the same way.
pub fn address_typed(db: &Db<'_>, text: &str) -> Result<Option<i64>> {
    let t = text.trim();
    if !t.contains('@') || crate::domain::lead::validate_email("search", t).is_err() {
        return Ok(None);
    }
    let Some(lead) = super::lead_emails::lead_with(db, t)? else { return Ok(None) };
    Ok(Some(db.conn.prepare_cached("SELECT seq FROM leads WHERE id = ?1")?.query_row([lead.as_str()], |r| r.get(0))?))
}

/// The matches a search ranks by score: every one of a name or a word typed whole (a hundred "Mia Gupta"s
/// on a million leads), the first this many of a letter or two (or as many as were asked for).
const RANKED_MATCHES: i64 = 20_000;

/// Up to `limit` leads matching `text`, highest score first (among the first `RANKED_MATCHES` matches, or
/// the first `limit`: a script asking for every match gets every one).
pub fn search(db: &Db<'_>, text: &str, limit: usize) -> Result<Vec<Lead>> {
    if let Some(seq) = address_typed(db, text)? {
        return leads::by_seqs(db, &[seq]);
    }
    let Some(q) = fts_query(text) else { return Ok(Vec::new()) };
    let mut stmt = db.conn.prepare_cached(
        "SELECT f.rowid FROM (SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?1 LIMIT ?3) f
         JOIN lead_scores s ON s.seq = f.rowid ORDER BY s.score DESC, f.rowid LIMIT ?2",
    )?;
    let seqs: Vec<i64> = stmt
        .query_map(rusqlite::params![q, limit as i64, RANKED_MATCHES.max(limit as i64)], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut found = leads::by_seqs(db, &seqs)?;
    found.sort_by(|a, b| b.score.cmp(&a.score).then(a.seq.cmp(&b.seq)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn queries_are_safe_prefixes() {
        assert_eq!(fts_query("ana lo").unwrap(), "\"ana\"* AND \"lo\"*");
        assert_eq!(fts_query("o'brien").unwrap(), "\"o\"* AND \"brien\"*");
        assert_eq!(fts_query("Lo\u{301}pez").unwrap(), "\"López\"*", "typed decomposed, searched composed");
        assert_eq!(fts_query("\" OR 1=1 --").unwrap(), "\"OR\"* AND \"1\"* AND \"1\"*");
        assert!(fts_query("  --  ").is_none());
        assert_eq!(fts_query("ana@example.com").unwrap(), "\"ana\"* AND \"example\"* AND \"com\"*");
        assert_eq!(fts_query("राम").unwrap(), "\"र\"* AND \"म\"*");
        let phone = fts_query("682074071").unwrap();
        assert!(phone.starts_with("(\"682074071\"* OR ") && phone.contains(" OR \"34682074071\"*"), "{phone}");
        // A whole number typed in groups is that number, not its groups in any order; a number's end is
        // looked for by its groups too.
        let whole = fts_query("+34 622 910 785").unwrap();
        assert!(whole.contains("\"34622910785\"*") && !whole.contains("\"910\"*"), "{whole}");
        let end = fts_query("910 785").unwrap();
        assert!(end.contains("\"910\"* AND \"785\"*") && end.contains("\"910785\"*"), "{end}");
    }
}
