//! Full-text search over leads (names, e-mail, phone, company, title, tags) with prefix matching,
//! so results narrow as a rep types.

use super::{Db, Result, leads};
use crate::store::leads::Lead;

/// Turns typed text into an FTS5 query: split into words the way the index's tokenizer splits them
/// (anything not a letter or digit separates), every word a quoted prefix term, all must match.
/// Returns None when nothing searchable is left (only punctuation).
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| format!("\"{w}\"*")).collect();
    if terms.is_empty() { None } else { Some(terms.join(" ")) }
}

/// Up to `limit` leads matching `text`, highest score first among the first matches found.
pub fn search(db: &Db<'_>, text: &str, limit: usize) -> Result<Vec<Lead>> {
    let Some(q) = fts_query(text) else { return Ok(Vec::new()) };
    let mut stmt = db.conn.prepare_cached("SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?1 LIMIT ?2")?;
    let seqs: Vec<i64> =
        stmt.query_map(rusqlite::params![q, limit as i64], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut found = leads::by_seqs(db, &seqs)?;
    found.sort_by(|a, b| b.score.cmp(&a.score).then(a.seq.cmp(&b.seq)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn queries_are_safe_prefixes() {
        assert_eq!(fts_query("ana lo").unwrap(), "\"ana\"* \"lo\"*");
        assert_eq!(fts_query("o'brien").unwrap(), "\"o\"* \"brien\"*");
        assert_eq!(fts_query("\" OR 1=1 --").unwrap(), "\"OR\"* \"1\"* \"1\"*");
        assert!(fts_query("  --  ").is_none());
        assert_eq!(fts_query("ana@example.com").unwrap(), "\"ana\"* \"example\"* \"com\"*");
    }
}
