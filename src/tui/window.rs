//! A virtual window over a sorted, filtered lead list: it holds the rows around the selection
//! (a few pages) and asks for the next or previous keyset page as the selection nears an edge.

use std::collections::VecDeque;

use super::worker::{PageDir, Query, Slot};
use crate::domain::LeadId;
use crate::store::leads::{Cursor, Lead, LeadFilter, LeadQuery, LeadSort, MATCH_COUNT_CAP};

/// Rows per fetched page.
pub const PAGE: usize = 200;
/// The window never holds more than this many rows; the far side is dropped as it grows.
pub const MAX_ROWS: usize = 5 * PAGE;

#[derive(Debug, Clone)]
pub struct LeadWindow {
    pub slot: Slot,
    pub filter: LeadFilter,
    pub sort: LeadSort,
    pub generation: u64,
    pub rows: VecDeque<Lead>,
    /// Absolute index of `rows[0]` in the whole list, when known.
    pub start: Option<i64>,
    pub at_top: bool,
    pub at_end: bool,
    pub total: Option<i64>,
    /// The filter `total` counts (or is being counted for): another filter's count is not shown meanwhile.
    counted: Option<LeadFilter>,
    /// Index into `rows`.
    pub selected: usize,
    /// Index into `rows` of the first visible row.
    pub offset: usize,
    pub loading: bool,
    /// The generation whose count is current (the last reset or refresh).
    count_generation: u64,
    loading_fwd: bool,
    loading_back: bool,
    pub error: Option<String>,
    /// How far a move went past the rows loaded (negative: above them) while more are on their way:
    /// holding a key outruns the reads, and the rest of the move is made when the page arrives.
    overshoot: i64,
    /// How many rows the first page, or a refresh, in flight asks for: a page, or (read again after a write)
    /// as many as were held, so the selected row a few pages down is still among them.
    read_limit: usize,
    /// The lead selected when a refresh was asked for: the selection stays on it when the rows come back,
    /// even if the write moved it elsewhere in the sort.
    follow: Option<LeadId>,
    /// Rows read afresh that no longer hold the followed lead, kept back while it is looked for where it
    /// went: shown meanwhile, they would put another lead under the selection (and under the next key).
    held: Option<(PageDir, Vec<Lead>)>,
    /// The rows shown are about to be replaced (a new filter or sort, a jump to either end): the selection
    /// is not on the lead it will be on, so keys that act on it wait (`settling`).
    replacing: bool,
}

impl LeadWindow {
    pub fn new(slot: Slot, sort: LeadSort) -> Self {
        Self {
            slot,
            filter: LeadFilter::default(),
            sort,
            generation: 0,
            rows: VecDeque::new(),
            start: Some(0),
            at_top: true,
            at_end: false,
            total: None,
            counted: None,
            selected: 0,
            offset: 0,
            loading: false,
            count_generation: 0,
            loading_fwd: false,
            loading_back: false,
            error: None,
            overshoot: 0,
            read_limit: PAGE,
            follow: None,
            held: None,
            replacing: false,
        }
    }

    /// Whether the rows shown are about to be replaced, and the selection with them.
    pub fn settling(&self) -> bool {
        self.replacing
    }

    /// While a search text is active, rows come newest match first (see `leads::list_matches`), not in `sort`.
    pub fn match_order(&self) -> bool {
        self.filter.text.is_some()
    }

    /// The count when it is exact (a search count above the cap only says "more").
    pub fn exact_total(&self) -> Option<i64> {
        self.total.filter(|t| !(self.match_order() && *t > MATCH_COUNT_CAP))
    }

    /// "1,234" or, for a search with more matches than are counted, "10,000+".
    /// "1 lead", "12 leads", "10,000+ leads".
    pub fn leads_label(&self) -> Option<String> {
        let label = self.total_label()?;
        Some(if self.exact_total() == Some(1) { format!("{label} lead") } else { format!("{label} leads") })
    }

    pub fn total_label(&self) -> Option<String> {
        let t = self.total?;
        Some(match self.exact_total() {
            Some(t) => super::views::thousands(t),
            None => format!("{}+", super::views::thousands(t.min(MATCH_COUNT_CAP))),
        })
    }

    fn query(&self, limit: usize) -> LeadQuery {
        LeadQuery { filter: self.filter.clone(), sort: self.sort, after: None, limit }
    }

    fn page(&self, dir: PageDir, limit: usize) -> Query {
        Query::LeadsPage { slot: self.slot, generation: self.generation, query: self.query(limit), dir }
    }

    /// Starts over (new filter or sort): first page and the count.
    pub fn reset(&mut self) -> Vec<Query> {
        // A new filter's count is not the last one's ("1 of 149,939" under another stage): none until it comes.
        // Search text typed is counted as it goes (quickly, capped): the count stays put between keys.
        let but_text = |f: &LeadFilter| LeadFilter { text: None, ..f.clone() };
        if self.counted.as_ref().map(but_text) != Some(but_text(&self.filter)) {
            self.total = None;
        }
        self.counted = Some(self.filter.clone());
        self.follow = None;
        self.held = None;
        self.overshoot = 0;
        self.generation += 1;
        self.count_generation = self.generation;
        self.loading = true;
        self.loading_fwd = true;
        self.loading_back = false;
        self.replacing = true;
        self.error = None;
        self.read_limit = PAGE;
        vec![
            self.page(PageDir::First, PAGE),
            Query::LeadCount { slot: self.slot, generation: self.count_generation, filter: self.filter.clone() },
        ]
    }

    /// Reloads the rows in view from the first held one on, keeping the place (after a write).
    /// At the top, the first page is read again instead: a write may have lifted a lead above the first held
    /// row (a positive reply raises its score), and it must show up there.
    pub fn refresh(&mut self) -> Vec<Query> {
        let Some(first) = self.rows.front() else { return self.reset() };
        let c = cursor_before(self.sort, self.match_order(), first);
        self.follow = self.selected_lead().map(|l| l.id.clone());
        self.held = None;
        self.overshoot = 0;
        self.generation += 1;
        self.count_generation = self.generation;
        self.loading_fwd = true;
        let limit = self.rows.len().clamp(PAGE, MAX_ROWS);
        self.read_limit = limit;
        let page = if self.at_top { self.page(PageDir::First, limit) } else { self.page(PageDir::Refresh(c), limit) };
        vec![page, Query::LeadCount { slot: self.slot, generation: self.count_generation, filter: self.filter.clone() }]
    }

    pub fn selected_lead(&self) -> Option<&Lead> {
        self.rows.get(self.selected)
    }

    pub fn selected_abs(&self) -> Option<i64> {
        self.start.map(|s| s + self.selected as i64)
    }

    /// Moves the selection by `delta` rows within what is loaded, then asks for more if near an edge.
    pub fn move_by(&mut self, delta: i64, page: usize) -> Vec<Query> {
        if !self.rows.is_empty() {
            let wanted = self.selected as i64 + self.overshoot + delta;
            let last = self.rows.len() as i64 - 1;
            self.overshoot = match wanted {
                w if w > last && !self.at_end => w - last,
                w if w < 0 && !self.at_top => w,
                _ => 0,
            };
            self.selected = wanted.clamp(0, last) as usize;
        }
        self.prefetch(page)
    }

    /// Drops the moves still owed (see `overshoot`).
    pub fn stop_moving(&mut self) {
        self.overshoot = 0;
    }

    pub fn top(&mut self) -> Vec<Query> {
        self.follow = None;
        self.overshoot = 0;
        self.selected = 0;
        self.offset = 0;
        if self.at_top {
            return Vec::new();
        }
        // Same filter: the count stands, only the first page is needed.
        self.generation += 1;
        self.loading_fwd = true;
        self.loading_back = false;
        self.replacing = true;
        self.read_limit = PAGE;
        vec![self.page(PageDir::First, PAGE)]
    }

    pub fn bottom(&mut self) -> Vec<Query> {
        self.follow = None;
        self.overshoot = 0;
        if self.at_end {
            self.selected = self.rows.len().saturating_sub(1);
            Vec::new()
        } else {
            self.generation += 1;
            self.loading_back = true;
            self.loading_fwd = false;
            self.replacing = true;
            vec![self.page(PageDir::Last, PAGE)]
        }
    }

    fn prefetch(&mut self, page: usize) -> Vec<Query> {
        let margin = (2 * page).max(PAGE / 2);
        let mut out = Vec::new();
        if !self.at_end
            && !self.loading_fwd
            && self.rows.len().saturating_sub(self.selected) < margin
            && let Some(last) = self.rows.back()
        {
            let q = self.page(PageDir::After(self.sort.cursor_of(last)), PAGE);
            self.loading_fwd = true;
            out.push(q);
        }
        if !self.at_top
            && !self.loading_back
            && self.selected < margin
            && let Some(first) = self.rows.front()
        {
            let q = self.page(PageDir::Before(self.sort.cursor_of(first)), PAGE);
            self.loading_back = true;
            out.push(q);
        }
        out
    }

    /// Takes a page; pages of an older generation are ignored. Returns follow-up queries (prefetch).
    pub fn on_page(
        &mut self,
        generation: u64,
        dir: PageDir,
        rows: Result<Vec<Lead>, String>,
        page: usize,
    ) -> Vec<Query> {
        if generation != self.generation {
            return Vec::new();
        }
        self.loading = false;
        let rows = match rows {
            Ok(r) => r,
            Err(e) => {
                self.loading_fwd = false;
                self.loading_back = false;
                self.overshoot = 0;
                self.replacing = false;
                self.error = Some(e);
                // A list that could not be read again (a filter that names nobody, say) shows no rows
                // at all: the old ones would sit under the new filter and take the keys meant for it.
                if !matches!(dir, PageDir::After(_) | PageDir::Before(_)) {
                    self.rows.clear();
                    self.selected = 0;
                    self.offset = 0;
                    self.total = None;
                    self.follow = None;
                }
                return Vec::new();
            }
        };
        self.error = None;
        // Moves owed past the old edge mean nothing in rows read afresh.
        if !matches!(dir, PageDir::After(_) | PageDir::Before(_)) {
            self.overshoot = 0;
        }
        if matches!(dir, PageDir::First | PageDir::Refresh(_))
            && let Some(id) = self.follow.as_ref()
            && !rows.iter().any(|l| l.id == *id)
        {
            let around = self.page(PageDir::Around(id.clone()), PAGE);
            self.follow = None;
            self.held = Some((dir, rows));
            self.loading_fwd = true;
            return vec![around];
        }
        let stepping = matches!(dir, PageDir::After(_) | PageDir::Before(_));
        if !stepping {
            self.replacing = false;
        }
        // Read around a lead, the rows hold no place in the list: the lead's place is asked for.
        let placed = match &dir {
            PageDir::Around(id) if !self.match_order() && rows.first().is_some_and(|l| l.id == *id) => Some(id.clone()),
            _ => None,
        };
        self.take(dir, rows, page);
        if self.overshoot != 0 && stepping {
            return self.move_by(0, page);
        }
        let mut more = self.prefetch(page);
        if let Some(lead) = placed {
            more.push(Query::LeadRank { slot: self.slot, generation: self.generation, query: self.query(1), lead });
        }
        more
    }

    /// The place of the lead the rows were read around: the rows' place follows, unless another page
    /// has placed them since.
    pub fn on_rank(&mut self, generation: u64, lead: &LeadId, rank: Result<i64, String>) {
        if generation != self.generation || self.start.is_some() {
            return;
        }
        if let (Ok(rank), Some(i)) = (rank, self.rows.iter().position(|l| l.id == *lead)) {
            self.start = Some(rank - i as i64);
        }
    }

    /// Puts a page's rows in place.
    fn take(&mut self, dir: PageDir, rows: Vec<Lead>, page: usize) {
        let full = |n: usize, limit: usize| n >= limit;
        let followed = match &dir {
            PageDir::First | PageDir::Refresh(_) => self.follow.take(),
            _ => None,
        };
        match dir {
            PageDir::First => {
                self.at_top = true;
                self.at_end = !full(rows.len(), self.read_limit);
                self.start = Some(0);
                self.rows = rows.into();
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                self.loading_fwd = false;
            }
            PageDir::Last => {
                self.at_end = true;
                self.at_top = !full(rows.len(), PAGE);
                self.rows = rows.into();
                self.start = self.exact_total().map(|t| t - self.rows.len() as i64);
                self.selected = self.rows.len().saturating_sub(1);
                // From the top of the page: scrolling into view then puts the last row at the bottom.
                self.offset = 0;
                self.loading_back = false;
            }
            PageDir::Refresh(_) => {
                // Re-read from the first held row: same place, fresh data.
                self.at_end = !full(rows.len(), self.read_limit);
                self.rows = rows.into();
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                self.loading_fwd = false;
            }
            // The lead is gone, or no longer in this list (a write took it out of the filter): the rows
            // read again are shown, as after any refresh.
            PageDir::Around(ref id) if rows.first().is_none_or(|l| l.id != *id) => {
                self.loading_fwd = false;
                if let Some((dir, rows)) = self.held.take() {
                    self.take(dir, rows, page);
                }
            }
            PageDir::Around(_) => {
                self.held = None;
                // The followed lead first; the rows above it come by the usual prefetch (they stop at once
                // if there are none).
                self.at_top = false;
                self.at_end = !full(rows.len(), PAGE);
                self.start = None;
                self.rows = rows.into();
                self.selected = 0;
                self.offset = 0;
                self.loading_fwd = false;
            }
            PageDir::After(_) => {
                self.at_end = !full(rows.len(), PAGE);
                self.rows.extend(rows);
                let over = self.rows.len().saturating_sub(MAX_ROWS);
                if over > 0 && self.selected >= over + page {
                    self.rows.drain(..over);
                    self.selected -= over;
                    self.offset = self.offset.saturating_sub(over);
                    self.start = self.start.map(|s| s + over as i64);
                    self.at_top = false;
                }
                self.loading_fwd = false;
            }
            PageDir::Before(_) => {
                let n = rows.len();
                self.at_top = !full(n, PAGE);
                for r in rows.into_iter().rev() {
                    self.rows.push_front(r);
                }
                self.selected += n;
                self.offset += n;
                self.start = if self.at_top { Some(0) } else { self.start.map(|s| s - n as i64) };
                let over = self.rows.len().saturating_sub(MAX_ROWS);
                if over > 0 && self.rows.len() - over > self.selected + page {
                    self.rows.truncate(self.rows.len() - over);
                    self.at_end = false;
                }
                self.loading_back = false;
            }
        }
        if let Some(i) = followed.and_then(|id| self.rows.iter().position(|l| l.id == id)) {
            self.selected = i;
        }
    }

    pub fn on_count(&mut self, generation: u64, count: Result<i64, String>) {
        // A count stays right for later generations of the same filter (a jump, a refresh).
        if generation != self.count_generation {
            return;
        }
        if let Ok(c) = count {
            self.total = Some(c);
            if self.start.is_none() && self.at_end && self.exact_total().is_some() {
                self.start = Some(c - self.rows.len() as i64);
            }
        }
    }

    /// Keeps the selection inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = visible_offset(self.offset, self.selected, height, self.rows.len());
    }
}

/// The first visible index of a list of `len` rows that keeps `selected` on screen, moving as little as
/// possible, and never leaves rows below unused (a list scrolled to its end, then given more height).
pub fn visible_offset(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}

/// The keyset cursor just before a lead, to read the list again from it: in `sort`, or, while a search
/// lists matches newest first (`match_order`), just above its row number ("after" means a lower one).
pub fn cursor_before(sort: LeadSort, match_order: bool, lead: &Lead) -> Cursor {
    if match_order { Cursor { seq: lead.seq + 1, ..sort.cursor_of(lead) } } else { sort.cursor_before(lead) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;

    fn lead(seq: i64, score: i64) -> Lead {
        Lead {
            id: LeadId(format!("lead-{seq}")),
            seq,
            first_name: format!("L{seq}"),
            last_name: String::new(),
            email: None,
            other_emails: Vec::new(),
            phone: None,
            company: None,
            account_id: None,
            title: None,
            source: None,
            product_interest: None,
            profile_url: None,
            industry: None,
            company_size: None,
            tags: Vec::new(),
            owner_id: None,
            owner: None,
            owner_email: None,
            lifecycle: "lead".into(),
            do_not_contact: false,
            do_not_contact_at: None,
            do_not_contact_reason: None,
            notes: None,
            origin_outreach_id: None,
            score,
            priority: score,
            last_contacted_at: None,
            manual_contact_at: None,
            forgotten_at: None,
            stage: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    fn dir_of(queries: &[Query]) -> Vec<PageDir> {
        queries
            .iter()
            .filter_map(|q| match q {
                Query::LeadsPage { dir, .. } => Some(dir.clone()),
                _ => None,
            })
            .collect()
    }

    /// A window at the top holding leads 1..=3, the second selected.
    fn window() -> LeadWindow {
        let mut w = LeadWindow::new(Slot::Leads, LeadSort::Score);
        w.reset();
        w.on_page(w.generation, PageDir::First, Ok(vec![lead(1, 9), lead(2, 8), lead(3, 7)]), 20);
        w.selected = 1;
        w
    }

    #[test]
    fn a_lead_a_write_moved_away_stays_selected_until_it_is_found() {
        let mut w = window();
        w.refresh();
        // Read again, lead 2 is no longer among the rows (its score fell): they are held back, nothing on
        // screen changes, and the lead is looked for where it went.
        let next = w.on_page(w.generation, PageDir::First, Ok(vec![lead(1, 9), lead(3, 7), lead(4, 6)]), 20);
        assert!(matches!(dir_of(&next).as_slice(), [PageDir::Around(id)] if id.0 == "lead-2"));
        assert_eq!(w.selected_lead().map(|l| l.seq), Some(2));
        // Found further down: the rows from it on, selected; its place is asked for, and then known.
        let asked =
            w.on_page(w.generation, PageDir::Around(LeadId("lead-2".into())), Ok(vec![lead(2, 1), lead(5, 0)]), 20);
        assert_eq!(w.selected_lead().map(|l| l.seq), Some(2));
        assert_eq!(w.rows.len(), 2);
        assert!(asked.iter().any(|q| matches!(q, Query::LeadRank { lead, .. } if lead.0 == "lead-2")), "{asked:?}");
        assert_eq!(w.selected_abs(), None);
        w.on_rank(w.generation, &LeadId("lead-2".into()), Ok(111_142));
        assert_eq!(w.selected_abs(), Some(111_142));
        // A page read above it since keeps the place.
        let above = (0..PAGE as i64).map(|i| lead(100 + i, 2)).collect();
        w.on_page(w.generation, PageDir::Before(LeadSort::Score.cursor_of(&lead(2, 1))), Ok(above), 20);
        assert_eq!(w.selected_abs(), Some(111_142));
        assert_eq!(w.start, Some(111_142 - PAGE as i64));
    }

    /// Under a new filter, the last filter's count is not shown while the new one is counted; a new sort
    /// keeps the count, which it does not change.
    #[test]
    fn a_count_is_shown_only_under_the_filter_it_counts() {
        let mut w = window();
        w.on_count(w.count_generation, Ok(149_939));
        assert_eq!(w.total_label().as_deref(), Some("149,939"));
        w.sort = LeadSort::Name;
        w.reset();
        assert_eq!(w.total_label().as_deref(), Some("149,939"));
        w.filter.stage = Some("Negotiation".into());
        w.reset();
        assert_eq!(w.total_label(), None);
        w.on_count(w.count_generation, Ok(8_104));
        assert_eq!(w.total_label().as_deref(), Some("8,104"));
        // Typing a search keeps the count between keys (no flicker); the new one replaces it.
        w.filter.text = Some("ma".into());
        w.reset();
        assert_eq!(w.total_label().as_deref(), Some("8,104"));
    }

    #[test]
    fn a_lead_a_write_took_out_of_the_list_gives_way_to_the_rows_read_again() {
        let mut w = window();
        w.refresh();
        w.on_page(w.generation, PageDir::First, Ok(vec![lead(1, 9), lead(3, 7), lead(4, 6)]), 20);
        // Not found (removed, or no longer matching the filter): the rows read again are shown.
        w.on_page(w.generation, PageDir::Around(LeadId("lead-2".into())), Ok(vec![lead(5, 0)]), 20);
        assert_eq!(w.rows.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(w.selected, 1);
    }

    #[test]
    fn a_write_a_few_pages_down_keeps_the_place_and_its_number() {
        let mut w = LeadWindow::new(Slot::Leads, LeadSort::Score);
        w.reset();
        let rows = |n: i64| (1..=n).map(|i| lead(i, 1000 - i)).collect::<Vec<_>>();
        w.on_page(w.generation, PageDir::First, Ok(rows(PAGE as i64)), 20);
        let more = dir_of(&w.move_by(PAGE as i64, 20));
        let after = more.into_iter().find(|d| matches!(d, PageDir::After(_))).expect("the next page is asked for");
        w.on_page(w.generation, after, Ok(rows(2 * PAGE as i64)[PAGE..].to_vec()), 20);
        w.selected = PAGE + 50;
        // Read again from the top: as many rows as were held, so the selected one is among them.
        let asked = w.refresh();
        assert!(asked.iter().any(|q| matches!(q, Query::LeadsPage { query, .. } if query.limit == 2 * PAGE)));
        let next = w.on_page(w.generation, PageDir::First, Ok(rows(2 * PAGE as i64)), 20);
        assert!(dir_of(&next).iter().all(|d| !matches!(d, PageDir::Around(_))));
        assert_eq!(w.selected_abs(), Some(PAGE as i64 + 50), "its number in the list is still known");
        assert!(!w.at_end);
    }

    #[test]
    fn a_lead_still_among_the_rows_read_again_keeps_the_selection_at_once() {
        let mut w = window();
        w.refresh();
        let next = w.on_page(w.generation, PageDir::First, Ok(vec![lead(2, 10), lead(1, 9), lead(3, 7)]), 20);
        assert!(dir_of(&next).iter().all(|d| !matches!(d, PageDir::Around(_))));
        assert_eq!(w.selected_lead().map(|l| l.seq), Some(2));
        assert_eq!(w.selected, 0);
    }
}
