//! Which lead a rep means: an id or short id, an e-mail, an unambiguous name, or the lead a merged one went into.

use super::*;

/// Finds the one lead a rep means: an id, an e-mail, or an unambiguous name (full, first or last).
pub fn resolve(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    match resolve_live(db, reference) {
        // The id of a lead merged since, or the short id a table showed of it, is not taken for another lead
        // unseen; it is said where it went.
        Err(StoreError::NotFound { .. })
            if let Some(id) = merged_id(db, reference)?
                && let Some(merged) = merged_away(db, &id)? =>
        {
            Err(merged)
        }
        other => other,
    }
}

/// The merged-away lead an id, or the start of one (8 characters at least), names.
fn merged_id(db: &Db<'_>, reference: &str) -> Result<Option<String>> {
    if let Some(id) = crate::domain::canonical_id(reference.trim()) {
        return Ok(Some(id));
    }
    let r = reference.trim().to_lowercase();
    if r.len() < 8 || !r.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Ok(None);
    }
    let ids: Vec<String> = db
        .conn
        .prepare_cached(
            "SELECT DISTINCT merged_id FROM merge_log WHERE team_id = ?1 AND merged_id >= ?2 AND merged_id < ?2 || 'g'
             LIMIT 2",
        )?
        .query_map(params![db.ctx.team_id.as_str(), r], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(if ids.len() == 1 { ids.into_iter().next() } else { None })
}

/// `resolve` among the live leads only.
fn resolve_live(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    let r = reference.trim();
    let not_found = || StoreError::NotFound { what: "lead", reference: reference.to_string() };
    if r.is_empty() {
        return Err(not_found());
    }
    let team = db.ctx.team_id.as_str();
    if let Some(id) = crate::domain::canonical_id(r) {
        // An id stored as an older import wrote it ("{...}") is found too.
        for id in [LeadId(id), LeadId(r.to_lowercase())] {
            if let Some(l) = find(db, &id)? {
                return Ok(l.id);
            }
        }
        return Err(not_found());
    }
    // The short id prefix that tables show (one that names several leads says which).
    if r.len() >= 8 && r.contains('-') {
        match crate::store::resolve_id(db, "leads", "lead", r) {
            Ok(id) => return Ok(LeadId(id)),
            Err(e @ StoreError::Ambiguous { .. }) => return Err(e),
            Err(_) => {}
        }
    }
    let mut ids: Vec<String> = if r.contains('@') {
        db.conn
            .prepare_cached("SELECT id FROM leads WHERE team_id = ?1 AND email_key = ?2 AND deleted_at IS NULL")?
            .query_map(params![team, normalize_email(r)], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?
    } else {
        Vec::new()
    };
    if ids.is_empty() && r.contains('@') {
        ids.extend(crate::store::lead_emails::owner(db, r)?.map(|id| id.0));
    }
    if ids.is_empty() && r.contains('@') {
        // The address of a lead merged into another names the lead it went into.
        let kept: Option<String> = db
            .conn
            .prepare_cached(
                "SELECT m.kept_id FROM merge_log m JOIN leads l ON l.id = m.merged_id
                 WHERE m.team_id = ?1 AND l.email_key = ?2 ORDER BY m.created_at DESC LIMIT 1",
            )?
            .query_row(params![team, normalize_email(r)], |row| row.get(0))
            .optional()?;
        if let Some(kept) = kept {
            ids.extend(survivor(db, &LeadId(kept))?.map(|l| l.0));
        }
    }
    // Names are compared folded (`name_key`): "alvaro nunez" names Álvaro Núñez.
    let key = fold(r);
    if ids.is_empty() {
        ids = db
            .conn
            .prepare_cached(
                "SELECT id FROM leads WHERE team_id = ?1 AND name_key = ?2 AND deleted_at IS NULL
                 AND forgotten_at IS NULL LIMIT ?3",
            )?
            .query_map(params![team, key, NAMESAKES_LOOKED_AT as i64 + 1], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    if ids.is_empty() {
        // A single first or last name: look it up through the FTS index, then keep exact matches.
        let hits = search::search(db, r, 50)?;
        ids = hits
            .into_iter()
            .filter(|l| fold(&l.first_name) == key || fold(&l.last_name) == key)
            .map(|l| l.id.0)
            .collect();
    }
    // An id's first digits without its dash ("01a21525"), when they name no one by name. 8 at least: the
    // first 6 of an id are the hours it was made in, which every lead imported or added then shares.
    if ids.is_empty() && r.len() >= 8 && r.chars().all(|c| c.is_ascii_hexdigit()) {
        return crate::store::resolve_id(db, "leads", "lead", r).map(LeadId);
    }
    // Fewer digits, as other records take: said, rather than "not found".
    if ids.is_empty() && r.len() >= 6 && r.starts_with("01") && r.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(crate::domain::ValidationError::new(
            "lead",
            reference,
            "is too short to name a lead: give at least 8 characters of its id (tables show enough)",
        )
        .into());
    }
    // "Ana Lopez" typed, with "Ana López" and "Ana Lopez" both here: the one written as typed.
    if ids.len() > 1 && ids.len() <= NAMESAKES_LOOKED_AT {
        let mut exact = Vec::new();
        for id in &ids {
            if get(db, &LeadId(id.clone()))?.name().trim() == r {
                exact.push(id.clone());
            }
        }
        if exact.len() == 1 {
            ids = exact;
        }
    }
    match ids.len() {
        0 => Err(not_found()),
        1 => Ok(LeadId(ids.remove(0))),
        _ => {
            let mut candidates = Vec::new();
            for id in ids.iter().take(10) {
                candidates.push(get(db, &LeadId(id.clone()))?.label());
            }
            match ids.len() {
                n if n > NAMESAKES_LOOKED_AT => candidates.push(format!("and over {} more", NAMESAKES_LOOKED_AT - 10)),
                n if n > 10 => candidates.push(format!("and {} more", n - 10)),
                _ => {}
            }
            Err(StoreError::Ambiguous { what: "lead", reference: reference.to_string(), candidates })
        }
    }
}

/// The leads of one name a reference is looked for among (the one written exactly as typed, and how many
/// others an ambiguous name lists): a hundred "Mia Gupta"s on a million leads are all counted.
const NAMESAKES_LOOKED_AT: usize = 1_000;

/// The lead `?1` and every lead it went into, merge after merge (`depth` from it), as a `chain` table.
pub(super) const MERGE_CHAIN: &str = "WITH RECURSIVE chain(id, depth) AS (
    SELECT ?1, 0
    UNION SELECT m.kept_id, c.depth + 1 FROM merge_log m JOIN chain c ON m.merged_id = c.id WHERE c.depth < 100)";

/// `kept` if it is live, else the live lead it was merged into (following later merges); none when the
/// person is gone.
pub fn survivor(db: &Db<'_>, kept: &LeadId) -> Result<Option<LeadId>> {
    let found: Option<String> = db
        .conn
        .prepare_cached(&format!(
            "{MERGE_CHAIN} SELECT l.id FROM chain c JOIN leads l ON l.id = c.id
             WHERE l.team_id = ?2 AND l.deleted_at IS NULL AND l.forgotten_at IS NULL ORDER BY c.depth LIMIT 1"
        ))?
        .query_row(params![kept.as_str(), db.ctx.team_id.as_str()], |r| r.get(0))
        .optional()?;
    Ok(found.map(LeadId))
}

/// `resolve`, or for the id of a lead merged since, the lead it went into: for commands that only read
/// (`dedupe --explain`, `privacy log`). Those that change or remove a lead take its own id only, so that an
/// old id never acts on another lead unseen.
pub fn resolve_or_survivor(db: &Db<'_>, reference: &str) -> Result<LeadId> {
    match resolve_live(db, reference) {
        Err(StoreError::NotFound { .. }) if let Some(id) = crate::domain::canonical_id(reference) => {
            survivor(db, &LeadId(id))?
                .ok_or_else(|| StoreError::NotFound { what: "lead", reference: reference.to_string() })
        }
        other => other,
    }
}
