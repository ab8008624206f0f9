//! The one list query: sorts, filters, counts and keyset pages, forward and back.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeadSort {
    /// Highest score first (newest first among equals).
    #[default]
    Score,
    /// Highest priority first: the score, mixed with health for customers (newest first among equals).
    Priority,
    /// Most recently contacted first; never-contacted last.
    LastContact,
    /// Alphabetical by full name.
    Name,
    /// Newest first.
    Created,
}

impl std::str::FromStr for LeadSort {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_lowercase().replace('_', "-").as_str() {
            "score" => Ok(LeadSort::Score),
            "priority" => Ok(LeadSort::Priority),
            "last-contact" | "last-contacted" | "contact" => Ok(LeadSort::LastContact),
            "name" => Ok(LeadSort::Name),
            "created" | "new" => Ok(LeadSort::Created),
            _ => Err(ValidationError::new("sort", s, crate::domain::words::must_be(&Self::NAMES))),
        }
    }
}

impl LeadSort {
    pub const ALL: [LeadSort; 5] =
        [LeadSort::Score, LeadSort::Priority, LeadSort::LastContact, LeadSort::Name, LeadSort::Created];

    pub const NAMES: [&'static str; LeadSort::ALL.len()] = crate::domain::words::words!(LeadSort);

    pub const fn as_str(self) -> &'static str {
        match self {
            LeadSort::Score => "score",
            LeadSort::Priority => "priority",
            LeadSort::LastContact => "last-contact",
            LeadSort::Name => "name",
            LeadSort::Created => "created",
        }
    }

    /// (sort expression, descending?) — the expressions match the indexes in the schema.
    fn key(self) -> (&'static str, bool) {
        match self {
            LeadSort::Score => ("s.score", true),
            LeadSort::Priority => ("s.priority", true),
            LeadSort::LastContact => ("ifnull(l.last_contacted_at, 0)", true),
            LeadSort::Name => ("l.name_key", false),
            LeadSort::Created => ("l.created_at", true),
        }
    }

    /// Where a page's rows come from, and the row-number column that breaks ties: scores live in their
    /// own table, whose index is the way in for the score order.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            LeadSort::Score | LeadSort::Priority => ("lead_scores s JOIN leads l ON l.seq = s.seq", "s.seq"),
            _ => ("leads l", "l.seq"),
        }
    }

    /// The cursor just before `lead` in list order, so a page read after it starts with `lead`.
    /// Ties run newest first in the descending sorts and oldest first by name.
    pub fn cursor_before(self, lead: &Lead) -> Cursor {
        let mut c = self.cursor_of(lead);
        c.seq += if self.key().1 { 1 } else { -1 };
        c
    }

    /// Where the keyset cursor of a page ends, read off its last lead.
    pub fn cursor_of(self, lead: &Lead) -> Cursor {
        let key = match self {
            LeadSort::Score => CursorKey::Int(lead.score),
            LeadSort::Priority => CursorKey::Int(lead.priority),
            LeadSort::LastContact => CursorKey::Int(lead.last_contacted_at.map_or(0, |t| t.0)),
            LeadSort::Name => CursorKey::Text(name_key(&lead.first_name, &lead.last_name)),
            LeadSort::Created => CursorKey::Int(lead.created_at.0),
        };
        Cursor { key, seq: lead.seq }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CursorKey {
    Int(i64),
    Text(String),
}

/// A position in a sorted lead list: the next page starts strictly after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: CursorKey,
    pub seq: i64,
}

impl Cursor {
    /// The sort key as an SQL argument.
    fn key_arg(&self) -> Box<dyn ToSql> {
        match &self.key {
            CursorKey::Int(i) => Box::new(*i),
            CursorKey::Text(t) => Box::new(t.clone()),
        }
    }
}

/// The one builder for lead list filters, shared by the CLI, the TUI and exports.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LeadFilter {
    pub tag: Option<String>,
    /// A stage one of the lead's deals is in (the won and lost stages hold closed deals).
    pub stage: Option<String>,
    pub source: Option<String>,
    /// Owner reference (id, e-mail, name or `me`).
    pub owner: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    /// Full-text prefix search over names, e-mail, phone, company, title and tags.
    pub text: Option<String>,
    /// Created at or after the first time and before the second (the weekly export's new leads).
    pub created_within: Option<(Timestamp, Timestamp)>,
    /// Only leads that may be contacted (true: not opted out; a campaign's list) or only those who may not.
    pub contactable: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct LeadQuery {
    pub filter: LeadFilter,
    pub sort: LeadSort,
    pub after: Option<Cursor>,
    pub limit: usize,
}

/// One page of leads: filtered, sorted, starting after the cursor (keyset: no OFFSET, any depth is cheap).
pub fn list(db: &Db<'_>, q: &LeadQuery) -> Result<Vec<Lead>> {
    page(db, q, q.after.as_ref(), true)
}

/// The page that ends just before `before` (or the last page when `None`), in list order: keyset paging
/// backwards, so a virtual table can scroll up from anywhere and jump to the end without OFFSET.
pub fn list_back(db: &Db<'_>, q: &LeadQuery, before: Option<&Cursor>) -> Result<Vec<Lead>> {
    let mut rows = page(db, q, before, false)?;
    rows.reverse();
    Ok(rows)
}

/// Reads a page in `forward` (list) order or backwards from the cursor.
///
/// The page's rows are chosen first and only then described, so the per-lead columns (company, owner,
/// open deal stage) are computed for the page, not for every match being sorted. After a cursor the rows
/// come from two index seeks: the rest of the cursor's sort-key group (`key = k AND seq beyond s`), then
/// the keys beyond `k`. A single row-value comparison would read the same rows, but SQLite seeks only on
/// its first column, so deep pages over equal keys (a million leads scored 0) would scan.
fn page(db: &Db<'_>, q: &LeadQuery, cursor: Option<&Cursor>, forward: bool) -> Result<Vec<Lead>> {
    let sorted = Sorted::new(db, q)?;
    let Sorted { base, filter_args, expr, seq, desc } = &sorted;
    let descending = *desc == forward;
    let (cmp, dir) = if descending { ("<", "DESC") } else { (">", "ASC") };
    let seqs = |sql: &str, extra: Vec<Box<dyn ToSql>>| -> Result<Vec<i64>> {
        let mut stmt = db.conn.prepare_cached(sql)?;
        let args = filter_args.iter().chain(extra.iter()).map(|b| b.as_ref());
        let rows = stmt.query_map(params_from_iter(args), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let chosen = match cursor {
        None => seqs(&format!("{base} ORDER BY {expr} {dir}, {seq} {dir} LIMIT ?"), vec![Box::new(q.limit as i64)])?,
        Some(c) => {
            let mut chosen = seqs(
                &format!("{base} AND {expr} = ? AND {seq} {cmp} ? ORDER BY {seq} {dir} LIMIT ?"),
                vec![c.key_arg(), Box::new(c.seq), Box::new(q.limit as i64)],
            )?;
            if chosen.len() < q.limit {
                let rest = q.limit - chosen.len();
                chosen.extend(seqs(
                    &format!("{base} AND {expr} {cmp} ? ORDER BY {expr} {dir}, {seq} {dir} LIMIT ?"),
                    vec![c.key_arg(), Box::new(rest as i64)],
                )?);
            }
            chosen
        }
    };
    by_seqs(db, &chosen)
}

/// How many leads come before `lead` in the list `q` sorts and filters (its place, from 0): what the
/// TUI's header says when a write moved the selected lead far from the rows it held. Counted along the
/// same two index seeks as a page before it, without reading the leads.
pub fn rank(db: &Db<'_>, q: &LeadQuery, lead: &Lead) -> Result<i64> {
    let Sorted { base, filter_args, expr, seq, desc } = Sorted::new(db, q)?;
    let cmp = if desc { ">" } else { "<" };
    let c = q.sort.cursor_of(lead);
    let count = |sql: String, extra: Vec<Box<dyn ToSql>>| -> Result<i64> {
        let mut stmt = db.conn.prepare_cached(&format!("SELECT count(*) FROM ({sql})"))?;
        let args = filter_args.iter().chain(extra.iter()).map(|b| b.as_ref());
        Ok(stmt.query_row(params_from_iter(args), |r| r.get(0))?)
    };
    Ok(count(format!("{base} AND {expr} = ? AND {seq} {cmp} ?"), vec![c.key_arg(), Box::new(c.seq)])?
        + count(format!("{base} AND {expr} {cmp} ?"), vec![c.key_arg()])?)
}

/// A sorted, filtered list of leads as SQL: `base` selects their row numbers (with `filter_args`), in the
/// order of `expr` then `seq` (`desc` or not).
struct Sorted {
    base: String,
    filter_args: Vec<Box<dyn ToSql>>,
    expr: &'static str,
    seq: &'static str,
    desc: bool,
}

impl Sorted {
    fn new(db: &Db<'_>, q: &LeadQuery) -> Result<Sorted> {
        let (expr, desc) = q.sort.key();
        let (mut from, seq) = q.sort.source();
        // A filter many leads pass (a tag or an owner of tens of thousands, a lifecycle, a source) is checked
        // lead by lead along the sort index, which stays the outer loop: a page is found after a few hundred
        // checks. A rare tag or owner, or a stage, hands its few leads over to be sorted instead. Either way
        // round the other case reads most of a million leads.
        let mut filter = q.filter.clone();
        // `+`: not through the owner index, which would hand a quarter of a million leads over to be sorted.
        let common_owner = match filter.owner.as_deref().filter(|o| !nobody(o)) {
            Some(owner) => {
                let id = teams::resolve_in_history(db, owner)?;
                owner_is_common(db, &id)?.then(|| {
                    filter.owner = None;
                    id
                })
            }
            None => None,
        };
        // A stage many deals are in is checked lead by lead too (its deals through the lead's).
        let common_stage = match filter.stage.as_deref() {
            Some(stage) => stage_is_common(db, &db.ctx.stages.resolve(stage)?)?,
            None => false,
        };
        let walkable = |f: &LeadFilter, tag: Option<String>| {
            let stage = f.stage.clone().filter(|_| common_stage);
            LeadFilter { tag, stage, lifecycle: f.lifecycle, source: f.source.clone(), ..Default::default() } == *f
        };
        let common_tag = match filter.tag.as_deref().map(normalize_tag).transpose()? {
            Some(tag) if walkable(&filter, filter.tag.clone()) && tag_is_common(db, &tag)? => {
                filter.tag = None;
                Some(tag)
            }
            _ => None,
        };
        if walkable(&filter, None) && matches!(q.sort, LeadSort::Score | LeadSort::Priority) {
            from = "lead_scores s CROSS JOIN leads l ON l.seq = s.seq";
        }
        // `+l.team_id`: the sort index is the way in (the team index would mean sorting every lead of the team).
        // Forgotten leads are kept for the counts of reports and exports, not listed as people to work with.
        let mut base = format!(
            "SELECT {seq} FROM {from} WHERE +l.team_id = ? AND l.deleted_at IS NULL AND l.forgotten_at IS NULL"
        );
        let mut filter_args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
        filter_sql(db, &filter, &mut base, &mut filter_args)?;
        if let Some(tag) = common_tag {
            base.push_str(" AND EXISTS (SELECT 1 FROM lead_tags g WHERE g.tag = ? AND g.lead_id = l.id)");
            filter_args.push(Box::new(tag));
        }
        if let Some(owner) = common_owner {
            base.push_str(" AND +l.owner_id = ?");
            filter_args.push(Box::new(owner.0));
        }
        Ok(Sorted { base, filter_args, expr, seq, desc })
    }
}

/// Search counts stop here: past it a rep sees "10,000+" (an exact count of a two-letter prefix over a
/// million leads would cost more than the keystroke's whole budget).
pub const MATCH_COUNT_CAP: i64 = 10_000;

/// Search matches a page at a time, newest lead first (highest row number, as the FTS index yields them),
/// starting after the cursor's row. Rows are streamed from the index in its own order and the other filters
/// are checked per candidate, so a page costs about the same for "ma" as for "marta" on a million leads
/// (sorting every match by score, as `list` does, grows with the number of matches). Without search text
/// this is `list`.
pub fn list_matches(db: &Db<'_>, q: &LeadQuery) -> Result<Vec<Lead>> {
    match_page(db, q, q.after.as_ref().map(|c| c.seq), true)
}

/// The page of matches just before `before` (or the oldest matches when `None`), in list order.
pub fn list_matches_back(db: &Db<'_>, q: &LeadQuery, before: Option<&Cursor>) -> Result<Vec<Lead>> {
    if match_text(&q.filter).is_none() {
        return list_back(db, q, before);
    }
    let mut rows = match_page(db, q, before.map(|c| c.seq), false)?;
    rows.reverse();
    Ok(rows)
}

/// The FTS query of a filter's search text: None without text, Some(None) when nothing searchable is left.
fn match_text(f: &LeadFilter) -> Option<Option<String>> {
    f.text.as_deref().filter(|t| !t.trim().is_empty()).map(search::fts_query)
}

/// `SELECT <what> FROM` the FTS matches joined to their leads, with the other filters: (sql, args).
fn match_sql(db: &Db<'_>, f: &LeadFilter, q: String, what: &str) -> Result<(String, Vec<Box<dyn ToSql>>)> {
    let rest = LeadFilter { text: None, ..f.clone() };
    // A whole address typed is its lead's (`search::address_typed`).
    let address = match f.text.as_deref() {
        Some(t) => search::address_typed(db, t)?,
        None => None,
    };
    if rest == LeadFilter::default() && single_team(db)? {
        // The search index holds live leads only (the triggers drop a lead when it is removed): with one
        // team and no other filter, every match counts, and a look-up per match in the wide leads table
        // (most of a capped count's time) is not needed.
        let mut sql = format!("SELECT {what} FROM lead_fts f WHERE lead_fts MATCH ?");
        let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(q)];
        if let Some(seq) = address {
            sql.push_str(" AND f.rowid = ?");
            args.push(Box::new(seq));
        }
        return Ok((sql, args));
    }
    // CROSS JOIN keeps the index as the outer loop, so its row order serves ORDER BY and LIMIT stops early.
    let mut sql = format!(
        "SELECT {what} FROM lead_fts f CROSS JOIN leads l ON l.seq = f.rowid
         WHERE lead_fts MATCH ? AND l.team_id = ? AND l.deleted_at IS NULL"
    );
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(q), Box::new(db.ctx.team_id.0.clone())];
    if let Some(seq) = address {
        sql.push_str(" AND f.rowid = ?");
        args.push(Box::new(seq));
    }
    filter_sql(db, &rest, &mut sql, &mut args)?;
    Ok((sql, args))
}

/// Whether the database holds one team only (a rep's usual database), so team filters change nothing.
fn single_team(db: &Db<'_>) -> Result<bool> {
    Ok(db.conn.prepare_cached("SELECT count(*) <= 1 FROM teams")?.query_row([], |r| r.get(0))?)
}

fn match_page(db: &Db<'_>, q: &LeadQuery, cursor: Option<i64>, forward: bool) -> Result<Vec<Lead>> {
    let text = match match_text(&q.filter) {
        None => return list(db, q),
        Some(None) => return Ok(Vec::new()),
        Some(Some(t)) => t,
    };
    let (mut sql, mut args) = match_sql(db, &q.filter, text, "f.rowid")?;
    let (cmp, dir) = if forward { ("<", "DESC") } else { (">", "ASC") };
    if let Some(seq) = cursor {
        sql.push_str(&format!(" AND f.rowid {cmp} ?"));
        args.push(Box::new(seq));
    }
    sql.push_str(&format!(" ORDER BY f.rowid {dir} LIMIT ?"));
    args.push(Box::new(q.limit as i64));
    let mut stmt = db.conn.prepare_cached(&sql)?;
    let seqs: Vec<i64> = stmt
        .query_map(params_from_iter(args.iter().map(|b| b.as_ref())), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    by_seqs(db, &seqs)
}

/// How many leads match a filter, counting search matches only up to `MATCH_COUNT_CAP + 1` (a result
/// above the cap means "more than the cap"). Without search text the count is exact.
pub fn count_capped(db: &Db<'_>, filter: &LeadFilter) -> Result<i64> {
    let text = match match_text(filter) {
        None => return count(db, filter),
        Some(None) => return Ok(0),
        Some(Some(t)) => t,
    };
    let (inner, mut args) = match_sql(db, filter, text, "1")?;
    args.push(Box::new(MATCH_COUNT_CAP + 1));
    let sql = format!("SELECT count(*) FROM ({inner} LIMIT ?)");
    let mut stmt = db.conn.prepare_cached(&sql)?;
    Ok(stmt.query_row(params_from_iter(args.iter().map(|b| b.as_ref())), |r| r.get(0))?)
}

/// Every lead matching a filter, oldest row first, handed to `f` one at a time as the query steps
/// (exports of a million leads never hold them all, and never re-scan like deep keyset pages on equal keys).
pub fn for_each(
    db: &Db<'_>,
    filter: &LeadFilter,
    changed: Option<ChangedSince>,
    mut f: impl FnMut(&Lead) -> Result<()>,
) -> Result<()> {
    // A plain scan in row order: through an index, the rows would have to be sorted (in memory) first.
    let from = LEAD_FROM.replacen("FROM leads l", "FROM leads l NOT INDEXED", 1);
    let mut sql = format!("SELECT {LEAD_COLUMNS} {from} WHERE l.team_id = ? AND l.deleted_at IS NULL");
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
    // Tested before a lead's columns are made (its deal's stage, its company, its other e-mails are looked
    // up): an export of the leads changed in the last minutes reads little more than the table.
    let mut touched_fn = None;
    if let Some(ChangedSince { at, touched }) = changed {
        sql.push_str(&format!(
            " AND (l.updated_at >= ? OR l.created_at >= ? OR l.last_contacted_at >= ? OR {TOUCHED_FN}(l.id))"
        ));
        args.extend([0; 3].map(|_| Box::new(at.0) as Box<dyn ToSql>));
        touched_fn = Some(std::panic::AssertUnwindSafe(touched));
    }
    filter_sql(db, filter, &mut sql, &mut args)?;
    if let Some(touched) = touched_fn {
        db.conn.create_scalar_function(TOUCHED_FN, 1, rusqlite::functions::FunctionFlags::SQLITE_UTF8, move |ctx| {
            Ok((touched.0)(ctx.get_raw(0).as_str().unwrap_or_default()))
        })?;
    }
    sql.push_str(" ORDER BY l.seq");
    let scanned = (|| {
        let mut stmt = db.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter().map(|b| b.as_ref())))?;
        while let Some(row) = rows.next()? {
            f(&from_row(row)?)?;
        }
        Ok(())
    })();
    let _ = db.conn.remove_function(TOUCHED_FN, 1);
    scanned
}

/// The SQL function `for_each` asks whether a lead's history changed (`ChangedSince::touched`).
const TOUCHED_FN: &str = "leadline_history_changed";

/// Leads changed since a time: created, edited or contacted since `at`, or one `touched` says had history
/// (a touch, a deal, a meeting, a task or a note) written since, by its id.
pub struct ChangedSince {
    pub at: Timestamp,
    pub touched: Box<dyn Fn(&str) -> bool + Send + 'static>,
}

/// How many leads match a filter (for status lines).
pub fn count(db: &Db<'_>, filter: &LeadFilter) -> Result<i64> {
    let mut sql =
        "SELECT count(*) FROM leads l WHERE l.team_id = ? AND l.deleted_at IS NULL AND l.forgotten_at IS NULL"
            .to_string();
    let mut args: Vec<Box<dyn ToSql>> = vec![Box::new(db.ctx.team_id.0.clone())];
    filter_sql(db, filter, &mut sql, &mut args)?;
    let mut stmt = db.conn.prepare_cached(&sql)?;
    Ok(stmt.query_row(params_from_iter(args.iter().map(|b| b.as_ref())), |r| r.get(0))?)
}

/// Refuses a filter naming what is not there (a stage, an owner, a source), without reading any lead.
pub fn check_filter(db: &Db<'_>, filter: &LeadFilter) -> Result<()> {
    filter_sql(db, filter, &mut String::new(), &mut Vec::new())
}

/// Leads carrying a tag from which walking a sort index and checking each lead is the quicker way to a
/// page (about one lead in fifty of a million).
const COMMON_TAG: i64 = 20_000;

/// Whether at least `COMMON_TAG` deals of the team are in `stage` (counted no further, along its index).
fn stage_is_common(db: &Db<'_>, stage: &str) -> Result<bool> {
    let n: i64 = db
        .conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM deals WHERE team_id = ?1 AND stage = ?2 AND deleted_at IS NULL LIMIT ?3)",
        )?
        .query_row(params![db.ctx.team_id.as_str(), stage, COMMON_TAG], |r| r.get(0))?;
    Ok(n >= COMMON_TAG)
}

/// Whether at least `COMMON_TAG` leads belong to `owner` (counted no further, along the owner index).
fn owner_is_common(db: &Db<'_>, owner: &UserId) -> Result<bool> {
    let n: i64 = db
        .conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM leads WHERE owner_id = ?1 LIMIT ?2)")?
        .query_row(params![owner.as_str(), COMMON_TAG], |r| r.get(0))?;
    Ok(n >= COMMON_TAG)
}

/// The tags the team's live leads carry, in order, the first `limit` of them (what a tag filter offers).
/// Each distinct tag is one index seek, so this is instant whatever the number of tagged leads.
pub fn tags_in_use(db: &Db<'_>, limit: usize) -> Result<Vec<String>> {
    let mut stmt = db.conn.prepare_cached(
        "WITH RECURSIVE distinct_tags(tag) AS (
             SELECT min(tag) FROM lead_tags
             UNION ALL
             SELECT (SELECT min(tag) FROM lead_tags WHERE tag > d.tag) FROM distinct_tags d WHERE d.tag IS NOT NULL)
         SELECT tag FROM distinct_tags d WHERE tag IS NOT NULL
           AND EXISTS (SELECT 1 FROM lead_tags g JOIN leads l ON l.id = g.lead_id
                       WHERE g.tag = d.tag AND l.team_id = ?1 AND l.deleted_at IS NULL)
         LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![db.ctx.team_id.as_str(), limit as i64], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An owner filter of `none`: the leads nobody owns (a member named "None" is still found by e-mail).
pub(super) fn nobody(owner: &str) -> bool {
    owner.trim().eq_ignore_ascii_case("none")
}

/// Whether at least `COMMON_TAG` leads carry `tag` (counted no further).
fn tag_is_common(db: &Db<'_>, tag: &str) -> Result<bool> {
    let n: i64 = db
        .conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM lead_tags WHERE tag = ?1 LIMIT ?2)")?
        .query_row(params![tag, COMMON_TAG], |r| r.get(0))?;
    Ok(n >= COMMON_TAG)
}

fn filter_sql(db: &Db<'_>, f: &LeadFilter, sql: &mut String, args: &mut Vec<Box<dyn ToSql>>) -> Result<()> {
    if let Some((from, to)) = f.created_within {
        sql.push_str(" AND l.created_at >= ? AND l.created_at < ?");
        args.push(Box::new(from.0));
        args.push(Box::new(to.0));
    }
    if let Some(tag) = &f.tag {
        sql.push_str(" AND l.id IN (SELECT lead_id FROM lead_tags WHERE tag = ?)");
        args.push(Box::new(normalize_tag(tag)?));
    }
    if let Some(stage) = &f.stage {
        let stage = db.ctx.stages.resolve(stage)?;
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM deals d WHERE d.lead_id = l.id AND d.stage = ? AND d.deleted_at IS NULL)",
        );
        args.push(Box::new(stage));
    }
    if let Some(source) = &f.source {
        sql.push_str(" AND lower(l.source) = lower(?)");
        args.push(Box::new(Source::parse(source)?.as_str().to_string()));
    }
    if let Some(owner) = &f.owner {
        if nobody(owner) {
            sql.push_str(" AND l.owner_id IS NULL");
        } else {
            sql.push_str(" AND l.owner_id = ?");
            args.push(Box::new(teams::resolve_in_history(db, owner)?.0));
        }
    }
    if let Some(lc) = f.lifecycle {
        sql.push_str(" AND l.lifecycle = ?");
        args.push(Box::new(lc.as_str()));
    }
    if let Some(contactable) = f.contactable {
        sql.push_str(" AND l.do_not_contact = ?");
        args.push(Box::new(!contactable));
    }
    if let Some(text) = f.text.as_deref().filter(|t| !t.trim().is_empty()) {
        match search::fts_query(text) {
            Some(q) => {
                sql.push_str(" AND l.seq IN (SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?)");
                args.push(Box::new(q));
            }
            None => sql.push_str(" AND 0"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::Clock;
    use crate::store::Store;

    /// A store in `dir` on a fixed clock.
    fn open_store(dir: &std::path::Path) -> Store {
        Store::open(&dir.join("t.db"), &Config::defaults(), Clock::Fixed(Timestamp(1_790_000_000_000))).unwrap()
    }

    #[test]
    fn backward_pages_mirror_forward_pages() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        store
            .write(|db| {
                for i in 0..25 {
                    let id = create(db, NewLead { first_name: format!("Lead{i:02}"), ..Default::default() })?;
                    // Ties on purpose (the scoring rules own scores; this sets them directly).
                    db.conn.execute(
                        "UPDATE lead_scores SET score = ?2 WHERE seq = (SELECT seq FROM leads WHERE id = ?1)",
                        params![id.as_str(), i64::from(i % 7)],
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let db = store.db();
        for sort in LeadSort::ALL {
            let all = list(&db, &LeadQuery { sort, limit: 100, ..Default::default() }).unwrap();
            let q = LeadQuery { sort, limit: 10, ..Default::default() };
            let last = list_back(&db, &q, None).unwrap();
            assert_eq!(last, all[15..].to_vec(), "{sort:?}");
            let before = list_back(&db, &q, Some(&sort.cursor_of(&last[0]))).unwrap();
            assert_eq!(before, all[5..15].to_vec(), "{sort:?}");
            let first = list_back(&db, &q, Some(&sort.cursor_of(&before[0]))).unwrap();
            assert_eq!(first, all[..5].to_vec(), "{sort:?}");
        }
    }

    #[test]
    fn a_search_ranks_every_namesake_and_an_ambiguous_name_counts_them_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        let newest = store
            .write(|db| {
                let mut last = None;
                for _ in 0..60 {
                    let new = NewLead { first_name: "Mia".into(), last_name: "Gupta".into(), ..Default::default() };
                    last = Some(create(db, new)?);
                }
                let seq: i64 = db.conn.query_row("SELECT max(seq) FROM leads", [], |r| r.get(0))?;
                db.conn.execute("UPDATE lead_scores SET score = 8 WHERE seq = ?1", [seq])?;
                Ok(last.unwrap())
            })
            .unwrap();
        let db = store.db();
        let found = search::search(&db, "mia gupta", 50).unwrap();
        assert_eq!(found.len(), 50);
        assert_eq!(found[0].id, newest, "the best score first, though the newest of sixty");
        let err = resolve(&db, "Mia Gupta").unwrap_err().to_string();
        assert!(err.contains("and 50 more"), "{err}");
    }

    #[test]
    fn a_whole_address_typed_finds_its_lead_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        store
            .write(|db| {
                let lead = |first: &str, email: &str, company: Option<&str>| NewLead {
                    first_name: first.into(),
                    email: Some(email.into()),
                    company: company.map(str::to_string),
                    ..Default::default()
                };
                create(db, lead("Ana", "ana@initech.de", None))?;
                create(db, lead("Bea", "ana.b@initech.de", None))?;
                create(db, lead("Cid", "cid@initech.de", Some("Ana")))?;
                Ok(())
            })
            .unwrap();
        let db = store.db();
        for typed in ["ana@initech.de", " ANA@initech.de "] {
            let filter = LeadFilter { text: Some(typed.into()), ..Default::default() };
            let rows =
                list_matches(&db, &LeadQuery { filter: filter.clone(), limit: 10, ..Default::default() }).unwrap();
            assert_eq!(rows.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(), ["Ana"], "{typed}");
            assert_eq!(count_capped(&db, &filter).unwrap(), 1);
            let found = search::search(&db, typed, 10).unwrap();
            assert_eq!(found.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(), ["Ana"]);
        }
        // Part of an address still finds every lead it starts.
        let part = LeadFilter { text: Some("ana@initech".into()), ..Default::default() };
        assert_eq!(count_capped(&db, &part).unwrap(), 3);
    }

    #[test]
    fn search_matches_page_newest_first_with_filters_and_a_capped_count() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open_store(dir.path());
        store
            .write(|db| {
                for i in 0..30 {
                    let first_name = if i % 3 == 0 { format!("Marta{i:02}") } else { format!("Ana{i:02}") };
                    let tags = if i % 2 == 0 { vec!["hot".to_string()] } else { Vec::new() };
                    create(db, NewLead { first_name, tags, ..Default::default() })?;
                }
                Ok(())
            })
            .unwrap();
        let db = store.db();
        let filter = LeadFilter { text: Some("mar".into()), ..Default::default() };
        let q = LeadQuery { filter: filter.clone(), limit: 4, ..Default::default() };
        let first = list_matches(&db, &q).unwrap();
        let names: Vec<_> = first.iter().map(|l| l.first_name.clone()).collect();
        assert_eq!(names, ["Marta27", "Marta24", "Marta21", "Marta18"]);
        let after = LeadQuery { after: Some(LeadSort::Score.cursor_of(&first[3])), ..q.clone() };
        let next: Vec<_> = list_matches(&db, &after).unwrap().iter().map(|l| l.first_name.clone()).collect();
        assert_eq!(next, ["Marta15", "Marta12", "Marta09", "Marta06"]);
        let last: Vec<_> = list_matches_back(&db, &q, None).unwrap().iter().map(|l| l.first_name.clone()).collect();
        assert_eq!(last, ["Marta09", "Marta06", "Marta03", "Marta00"]);
        assert_eq!(count_capped(&db, &filter).unwrap(), 10);
        assert_eq!(count_capped(&db, &filter).unwrap(), count(&db, &filter).unwrap());
        // Other filters narrow the candidates.
        let hot = LeadFilter { tag: Some("hot".into()), ..filter.clone() };
        let rows = list_matches(&db, &LeadQuery { filter: hot.clone(), limit: 100, ..Default::default() }).unwrap();
        assert_eq!(
            rows.iter().map(|l| l.first_name.as_str()).collect::<Vec<_>>(),
            ["Marta24", "Marta18", "Marta12", "Marta06", "Marta00"]
        );
        assert_eq!(count_capped(&db, &hot).unwrap(), 5);
        // Without text it is the ordinary sorted list; punctuation alone matches nothing.
        let plain = LeadQuery { limit: 100, ..Default::default() };
        assert_eq!(list_matches(&db, &plain).unwrap(), list(&db, &plain).unwrap());
        let punct = LeadFilter { text: Some("--".into()), ..Default::default() };
        assert!(
            list_matches(&db, &LeadQuery { filter: punct.clone(), limit: 10, ..Default::default() })
                .unwrap()
                .is_empty()
        );
        assert_eq!(count_capped(&db, &punct).unwrap(), 0);
    }
}
