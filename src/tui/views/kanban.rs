//! The pipeline as a Kanban: one column per configured stage with count and summed amount, cards
//! paged per column by position so each scrolls on its own, even with thousands of deals.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::{Out, thousands};
use crate::domain::DealStatus;
use crate::domain::time::DAY_MS;
use crate::store::deals::{Deal, StageSummary};
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::forms;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, fit_pad};
use crate::tui::window::visible_offset;
use crate::tui::worker::{Place, Query, Write};

pub const COLUMN_PAGE: usize = 100;
/// Lines per card (title, lead, amount · days) plus a blank.
const CARD_H: usize = 4;
const MIN_COL_W: u16 = 26;

#[derive(Debug, Clone, Default)]
pub struct Column {
    pub deals: Vec<Deal>,
    pub selected: usize,
    pub offset: usize,
    pub at_end: bool,
    pub loading: bool,
    pub generation: u64,
    /// `G` asked for the rest of the column: the last card is selected when it arrives.
    pub to_end: bool,
    /// Cards the read in flight asked for (from the start, or the rest for `G`): fewer back is the end.
    pub asked: usize,
}

/// A card moved on screen before its write came back.
#[derive(Debug, Clone)]
pub struct Moving {
    /// Where the card stood: column and row.
    pub from: (usize, usize),
    /// The write that moves it, once it is sent.
    pub write: Option<u64>,
    /// The card as it stood there, put back if the move is refused.
    pub card: Deal,
}

/// A card move made here (by a key or a confirmed form), or a card moved up or down its column (J, K):
/// what `undo_move` takes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveMade {
    pub deal: crate::domain::DealId,
    pub from: String,
    pub to: String,
    /// Where the deal stood in `from`: an undo gives it that time in the stage and that place back.
    pub back: Option<Place>,
    /// Places moved within the stage (`from` and `to` the same): down when positive; 0 for a stage move.
    pub places: i8,
}

impl MoveMade {
    /// Whether `other` takes this move back: the same deal, the other way.
    fn undone_by(&self, other: &MoveMade) -> bool {
        self.deal == other.deal && self.from == other.to && self.to == other.from && self.places == -other.places
    }
}

/// Moves remembered for undo; older ones are let go.
const UNDO_DEPTH: usize = 50;

#[derive(Debug, Clone, Default)]
pub struct KanbanView {
    pub summary: Vec<StageSummary>,
    pub columns: Vec<Column>,
    pub focus: usize,
    pub first_visible: usize,
    pub loaded: bool,
    pub error: Option<String>,
    /// A card just moved to another column: (column, deal). Focus and selection go to it once a column
    /// holding it is read again; a column too long to read to its end keeps it on top.
    pub follow: Option<(usize, Deal)>,
    /// The card move last made on screen, until it is written: a move refused puts the selection back.
    pub moving: Option<Moving>,
    /// Whether the board has been opened on a column with deals (its first summary read).
    placed: bool,
    /// The moves made here, latest last, for `undo_move`.
    made: Vec<MoveMade>,
    /// Moves by a key whose writes have not come back, with the write once it is sent: a second key
    /// pressed before the first write returns is a second move, each remembered when written.
    pending: Vec<(Option<u64>, MoveMade)>,
}

/// At most this many cards of one column are held, and read again after each write (the column a moved
/// card went to is read whole, up to this: it lands at the end of its new column, which may be long, as a
/// won column is). Past it a moved card shows on top until read, and paging reads on from there.
const COLUMN_READ_LIMIT: usize = 20_000;

impl KanbanView {
    pub fn enter(&mut self, ctx: &UiCtx, stale: bool) -> Vec<Out> {
        if !self.loaded || stale {
            self.loaded = true;
            return self.reload(ctx);
        }
        Vec::new()
    }

    /// Reloads the headers and every column, keeping as many cards per column as were loaded.
    pub fn reload(&mut self, ctx: &UiCtx) -> Vec<Out> {
        // What failed last time is asked again; an answer that fails says so again.
        self.error = None;
        let n = ctx.stages.names().len();
        self.columns.resize_with(n, Column::default);
        let mut out = vec![Out::Query(Query::Pipeline)];
        let whole: Vec<usize> = (0..n).map(|i| self.whole_column(i)).collect();
        for (i, c) in self.columns.iter_mut().enumerate() {
            c.generation += 1;
            c.loading = true;
            let following = self.follow.as_ref().is_some_and(|(col, _)| *col == i);
            // As many cards as were held: a column read far down (`G`, a card followed) stays so.
            let limit = if following { whole[i] } else { c.deals.len().clamp(COLUMN_PAGE, COLUMN_READ_LIMIT) };
            c.asked = limit;
            out.push(Out::Query(Query::Column { stage: i, generation: c.generation, after: None, limit }));
        }
        out
    }

    /// Cards to read for column `i` whole: as many as it had at the last count, and a page for those added
    /// since.
    fn whole_column(&self, i: usize) -> usize {
        let counted = self.summary.get(i).map_or(COLUMN_READ_LIMIT, |s| s.count.max(0) as usize);
        (counted + COLUMN_PAGE).min(COLUMN_READ_LIMIT)
    }

    pub fn on_summary(&mut self, s: Result<Vec<StageSummary>, String>) {
        match s {
            Ok(s) => self.summary = s,
            Err(e) => self.error = Some(e),
        }
        // Opened the first time on the first column with deals, not on empty ones with the deals off-screen.
        if !std::mem::replace(&mut self.placed, !self.summary.is_empty())
            && self.summary.get(self.focus).is_some_and(|s| s.count == 0)
            && let Some(first) = self.summary.iter().position(|s| s.count > 0)
        {
            self.focus = first;
        }
    }

    pub fn on_column(&mut self, stage: usize, generation: u64, after: Option<i64>, rows: Result<Vec<Deal>, String>) {
        let Some(c) = self.columns.get_mut(stage) else { return };
        if c.generation != generation {
            return;
        }
        c.loading = false;
        match rows {
            Ok(rows) => {
                let full = rows.len() >= COLUMN_PAGE;
                if after.is_none() {
                    c.at_end = rows.len() < c.asked;
                    // Read again, the column may have changed elsewhere: the selection stays on its card, not
                    // on its row (the next J or K must move the card the rep was moving).
                    let selected = c.deals.get(c.selected).map(|d| d.id.clone());
                    c.deals = rows;
                    if let Some(at) = selected.and_then(|id| c.deals.iter().position(|d| d.id == id)) {
                        c.selected = at;
                    }
                } else {
                    c.at_end = if c.to_end { rows.len() < c.asked } else { !full };
                    c.deals.extend(rows);
                    if std::mem::take(&mut c.to_end) {
                        c.selected = c.deals.len().saturating_sub(1);
                    }
                }
                c.selected = c.selected.min(c.deals.len().saturating_sub(1));
                if after.is_none()
                    && let Some((column, moved)) = self.follow.clone().filter(|(column, _)| *column == stage)
                {
                    // The moved card stays selected: a second key press must move the same deal. Not read
                    // yet (the move is still being written, or it went past what a column loads at once),
                    // it is shown on top, as it was when it moved.
                    let at = c.deals.iter().position(|d| d.id == moved.id).unwrap_or_else(|| {
                        c.deals.insert(0, moved);
                        0
                    });
                    c.selected = at;
                    self.focus = column;
                    if at > 0 || self.moving.is_none() {
                        self.follow = None;
                    }
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// A write is sent: the card move just made on screen, if any, is this one.
    pub fn write_sent(&mut self, token: u64) {
        if let Some(m) = self.moving.as_mut().filter(|m| m.write.is_none()) {
            m.write = Some(token);
        }
        if let Some(p) = self.pending.iter_mut().find(|p| p.0.is_none()) {
            p.0 = Some(token);
        }
    }

    /// A write came back: the card move it made, refused, puts the selection back where the card stood
    /// (the columns are read again after any write).
    pub fn write_done(&mut self, token: u64, ok: bool) {
        if let Some(i) = self.pending.iter().position(|p| p.0 == Some(token)) {
            let (_, made) = self.pending.remove(i);
            if ok {
                self.remember(made);
            }
        }
        if self.moving.as_ref().is_none_or(|m| m.write != Some(token)) {
            return;
        }
        let Some(m) = self.moving.take() else { return };
        if !ok {
            let (column, row) = m.from;
            self.focus = column;
            self.follow = None;
            // Back where it stood, selected: the column read again keeps the selection on it (on its
            // neighbour, were the row selected without it).
            if let Some(c) = self.columns.get_mut(column) {
                if !c.deals.iter().any(|d| d.id == m.card.id) {
                    c.deals.insert(row.min(c.deals.len()), m.card);
                }
                c.selected = row.min(c.deals.len().saturating_sub(1));
            }
        }
    }

    /// A move written: kept for `undo_move`; one that takes the last back (an undo, or the same by hand)
    /// takes it off instead.
    fn remember(&mut self, made: MoveMade) {
        if self.made.last().is_some_and(|last| last.undone_by(&made)) {
            self.made.pop();
            return;
        }
        if self.made.len() == UNDO_DEPTH {
            self.made.remove(0);
        }
        self.made.push(made);
    }

    /// A deal a confirmed form moved (won, lost, reopened) from stage `from`: remembered for `undo_move`.
    pub fn moved_by_form(&mut self, deal: &crate::domain::DealId, from: &str, to: &str) {
        let back = self.columns.iter().flat_map(|c| &c.deals).find(|d| &d.id == deal).map(place_of);
        self.remember(MoveMade { deal: deal.clone(), from: from.to_string(), to: to.to_string(), back, places: 0 });
    }

    /// `undo_move`: the card last moved here goes back where it was, with its time in that stage, as a move
    /// there by a key would (a win or a loss taken back, or made again, asks first). The move stays to undo
    /// until the move back is written (a question answered no, a write refused, leave it); one moved
    /// elsewhere since is let go.
    fn undo_move(&mut self, ctx: &UiCtx) -> Vec<Out> {
        // The latest move whose undo is not already on its way (`u` pressed twice before the first is written
        // undoes two moves, two alike ones too: each undo on its way answers for one).
        let mut on_their_way: Vec<&MoveMade> = self.pending.iter().map(|(_, p)| p).collect();
        let latest = self.made.iter().rposition(|m| match on_their_way.iter().position(|p| m.undone_by(p)) {
            Some(i) => {
                on_their_way.swap_remove(i);
                false
            }
            None => true,
        });
        let Some(at) = latest else {
            return vec![Out::Toast("No card was moved here to undo".into(), false)];
        };
        let last = self.made[at].clone();
        let found = self.columns.iter().enumerate().find_map(|(column, c)| {
            c.deals.iter().position(|d| d.id == last.deal).map(|row| (column, row, c.deals[row].clone()))
        });
        let Some((column, row, d)) = found else {
            let said = "The card last moved is not on the board now (Ctrl-R reads it again): nothing undone";
            return vec![Out::Toast(said.into(), true)];
        };
        if d.stage != last.to {
            self.made.remove(at);
            return vec![Out::Toast(format!("'{}' was moved to {} since: nothing undone", d.title, d.stage), true)];
        }
        if last.places != 0 {
            (self.focus, self.columns[column].selected) = (column, row);
            return self.move_within(&d, -last.places);
        }
        let Some(target) = ctx.stages.index(&last.from) else {
            self.made.remove(at);
            let said = format!("'{}' came from {}, a stage the pipeline no longer has", d.title, last.from);
            return vec![Out::Toast(said, true)];
        };
        (self.focus, self.columns[column].selected) = (column, row);
        self.move_card(d, target, last.back, ctx)
    }

    /// A deal a confirmed form moved (won, lost, reopened): the focus goes with it once the columns are read
    /// back, as it does with a card moved by a key.
    pub fn follow_moved(&mut self, deal: &crate::domain::DealId, stage: &str, ctx: &UiCtx) {
        let Some(target) = ctx.stages.index(stage) else { return };
        let found = self.columns.iter().flat_map(|c| c.deals.iter()).find(|d| &d.id == deal).cloned();
        if let Some(d) = found {
            // Shown as the form made it (won, lost or open again) until the column is read back.
            let status = ctx.stages.status_for(stage);
            self.follow = Some((target, Deal { stage: stage.to_string(), stage_entered_at: ctx.now(), status, ..d }));
        }
    }

    /// Moves deal `d`, the selected card, to stage number `target`: at once to an open stage, through a form
    /// into won or lost, or out of them (those are decisions: undoing one is asked, as making it was).
    /// `back`: an undo's, where the deal stood in that stage before.
    fn move_card(&mut self, d: Deal, target: usize, back: Option<Place>, ctx: &UiCtx) -> Vec<Out> {
        let stages = ctx.stages.names();
        match stages.get(target) {
            None => vec![Out::Toast("No stage further that way".into(), true)],
            Some(s) if *s == ctx.stages.won_stage => vec![Out::Form(forms::win(&d, back))],
            Some(s) if *s == ctx.stages.lost_stage => vec![Out::Form(forms::lose(&d, back))],
            // Won and lost are decisions: undoing one is asked, as making it was.
            Some(s) if d.status != DealStatus::Open => {
                vec![Out::Form(forms::reopen(&d, s, back))]
            }
            Some(s) => {
                let entered_at = back.as_ref().map_or_else(|| ctx.now(), |p| p.entered_at);
                let write =
                    Write::MoveDeal { deal: d.id.clone(), stage: s.clone(), reason: None, from: d.stage.clone(), back };
                let made = MoveMade {
                    deal: d.id.clone(),
                    from: d.stage.clone(),
                    to: s.clone(),
                    back: Some(place_of(&d)),
                    places: 0,
                };
                self.pending.push((None, made));
                // As the move writes it: in its new stage from now (or since when it was, undone).
                let d = Deal { stage: s.clone(), stage_entered_at: entered_at, ..d };
                self.follow = Some((target, d.clone()));
                // The card moves at once, and the focus with it: a key pressed again before the
                // columns are read back moves the same card on a stage.
                if let Some(c) = self.columns.get_mut(self.focus)
                    && c.selected < c.deals.len()
                {
                    let card = c.deals.remove(c.selected);
                    self.moving = Some(Moving { from: (self.focus, c.selected), write: None, card });
                    c.selected = c.selected.min(c.deals.len().saturating_sub(1));
                }
                if let Some(c) = self.columns.get_mut(target) {
                    c.deals.insert(0, d);
                    (c.selected, c.offset) = (0, 0);
                    self.focus = target;
                }
                vec![Out::Write(write)]
            }
        }
    }

    /// Moves the selected card `places` up (negative) or down its column.
    fn move_within(&mut self, d: &Deal, places: i8) -> Vec<Out> {
        let write = Write::Reorder { deal: d.id.clone(), delta: i32::from(places) };
        // The card moves here at once, and the selection with it: a key pressed again before the column is
        // read back moves the same card on, not its neighbour. A card that moved is one `u` moves back.
        if let Some(c) = self.columns.get_mut(self.focus) {
            let last = c.deals.len().saturating_sub(1) as i64;
            let to = (c.selected as i64 + i64::from(places)).clamp(0, last) as usize;
            if to != c.selected {
                let (from, to_stage) = (d.stage.clone(), d.stage.clone());
                let made = MoveMade { deal: d.id.clone(), from, to: to_stage, back: None, places };
                self.pending.push((None, made));
            }
            c.deals.swap(c.selected, to);
            c.selected = to;
        }
        vec![Out::Write(write)]
    }

    pub fn selected_deal(&self) -> Option<&Deal> {
        self.columns.get(self.focus).and_then(|c| c.deals.get(c.selected))
    }

    fn more(&mut self, page: usize) -> Vec<Out> {
        let focus = self.focus;
        let Some(c) = self.columns.get_mut(focus) else { return Vec::new() };
        if c.at_end || c.loading || c.deals.len().saturating_sub(c.selected) > 2 * page {
            return Vec::new();
        }
        let Some(last) = c.deals.last() else { return Vec::new() };
        c.loading = true;
        vec![Out::Query(Query::Column {
            stage: focus,
            generation: c.generation,
            after: Some(last.position),
            limit: COLUMN_PAGE,
        })]
    }

    /// The commands `command` answers, whatever is selected: what a `[keymap.pipeline]` binding may run.
    pub const COMMANDS: &'static [Command] = &[
        Command::Up,
        Command::Down,
        Command::Left,
        Command::Right,
        Command::PageUp,
        Command::PageDown,
        Command::Top,
        Command::Bottom,
        Command::Refresh,
        Command::Open,
        Command::StagePrev,
        Command::StageNext,
        Command::CardUp,
        Command::CardDown,
        Command::Win,
        Command::Lose,
        Command::UndoMove,
    ];

    pub fn command(&mut self, cmd: Command, cards: usize, ctx: &UiCtx) -> Option<Vec<Out>> {
        let ncols = self.columns.len();
        let stages = ctx.stages.names();
        let out = match cmd {
            Command::Left => {
                self.focus = self.focus.saturating_sub(1);
                Vec::new()
            }
            Command::Right => {
                self.focus = (self.focus + 1).min(ncols.saturating_sub(1));
                Vec::new()
            }
            Command::Up | Command::Down | Command::PageUp | Command::PageDown | Command::Top | Command::Bottom => {
                let whole = self.whole_column(self.focus);
                let Some(c) = self.columns.get_mut(self.focus) else { return Some(Vec::new()) };
                let last = c.deals.len().saturating_sub(1) as i64;
                let delta = match cmd {
                    Command::Up => -1,
                    Command::Down => 1,
                    Command::PageUp => -(cards as i64),
                    Command::PageDown => cards as i64,
                    Command::Top => i64::MIN / 2,
                    _ => i64::MAX / 2,
                };
                c.selected = (c.selected as i64).saturating_add(delta).clamp(0, last.max(0)) as usize;
                c.offset = visible_offset(c.offset, c.selected, cards, c.deals.len());
                // The end of a column not read to its end yet: read the rest, then select the last card.
                if cmd == Command::Bottom
                    && !c.at_end
                    && !c.loading
                    && let Some(last) = c.deals.last()
                {
                    c.loading = true;
                    c.to_end = true;
                    c.asked = whole.saturating_sub(c.deals.len()).max(COLUMN_PAGE);
                    let q = Query::Column {
                        stage: self.focus,
                        generation: c.generation,
                        after: Some(last.position),
                        limit: c.asked,
                    };
                    return Some(vec![Out::Query(q)]);
                }
                self.more(cards)
            }
            Command::Refresh => self.reload(ctx),
            Command::Open => self.selected_deal().map(|d| vec![Out::OpenLead(d.lead_id.clone())]).unwrap_or_default(),
            Command::StagePrev | Command::StageNext => {
                let Some(d) = self.selected_deal().cloned() else { return Some(Vec::new()) };
                let here = ctx.stages.index(&d.stage).unwrap_or(0);
                let closing = |s: &String| *s == ctx.stages.won_stage || *s == ctx.stages.lost_stage;
                let target = match cmd {
                    Command::StageNext => here + 1,
                    // Back from a closed deal (won or lost) is back into the pipeline, never from lost to
                    // won: to the stage it was closed from, or (not known) to the last open one.
                    _ if d.status != DealStatus::Open => d
                        .closed_from
                        .as_ref()
                        .and_then(|from| stages.iter().position(|s| s == from && !closing(s)))
                        .or_else(|| stages.iter().rposition(|s| !closing(s)))
                        .unwrap_or(here.wrapping_sub(1)),
                    _ => here.wrapping_sub(1),
                };
                self.move_card(d, target, None, ctx)
            }
            Command::UndoMove => self.undo_move(ctx),
            Command::CardUp | Command::CardDown => {
                let Some(d) = self.selected_deal().cloned() else { return Some(Vec::new()) };
                self.move_within(&d, if cmd == Command::CardUp { -1 } else { 1 })
            }
            // Asking to close a deal the way it is already closed would confirm a change that is none.
            Command::Win => match self.selected_deal() {
                Some(d) if d.status == DealStatus::Won => {
                    vec![Out::Toast(format!("'{}' is already won", d.title), false)]
                }
                Some(d) => vec![Out::Form(forms::win(d, None))],
                None => Vec::new(),
            },
            Command::Lose => match self.selected_deal() {
                Some(d) if d.status == DealStatus::Lost => {
                    vec![Out::Toast(format!("'{}' is already lost", d.title), false)]
                }
                Some(d) => vec![Out::Form(forms::lose(d, None))],
                None => Vec::new(),
            },
            _ => return None,
        };
        Some(out)
    }

    /// How many columns fit, and which is first so the focused one shows.
    fn layout(&self, width: u16) -> (usize, usize) {
        let fit_n = ((width / MIN_COL_W) as usize).clamp(1, self.columns.len().max(1));
        // Never past the last full screen of columns: a terminal made wider shows more, not blank space.
        let mut first = self.first_visible.min(self.focus).min(self.columns.len().saturating_sub(fit_n));
        if self.focus >= first + fit_n {
            first = self.focus + 1 - fit_n;
        }
        (fit_n, first)
    }

    pub fn cards_per_column(height: u16) -> usize {
        (height.saturating_sub(2) as usize / CARD_H).max(1)
    }

    /// Keeps the focused column's selection visible and the focused column on screen.
    pub fn settle(&mut self, width: u16) {
        let (_, first) = self.layout(width);
        self.first_visible = first;
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx) {
        if self.columns.is_empty() {
            frame.render_widget(Paragraph::new("loading…"), area);
            return;
        }
        // A board that could not be read says so under its columns, rather than showing wrong totals.
        let area = match &self.error {
            Some(e) => {
                let [board, note] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
                frame.render_widget(
                    Paragraph::new(fit(&format!("✗ {e}"), note.width as usize)).style(theme.base()),
                    note,
                );
                board
            }
            None => area,
        };
        let (n, first) = self.layout(area.width);
        let areas = Layout::horizontal(vec![Constraint::Fill(1); n]).split(area);
        let now = ctx.now();
        let cards = Self::cards_per_column(area.height);
        for (slot, rect) in areas.iter().enumerate() {
            let i = first + slot;
            let Some(col) = self.columns.get(i) else { continue };
            let stage = ctx.stages.names().get(i).cloned().unwrap_or_default();
            let summary = self.summary.iter().find(|s| s.stage == stage);
            let count = summary.map_or(0, |s| s.count);
            // In full where it fits; several currencies side by side in short (558k EUR + 1.2k USD).
            let totals = summary.map(|s| s.totals.as_slice()).unwrap_or_default();
            let room = rect.width.saturating_sub(6) as usize;
            let full = totals.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" + ");
            let total = match totals {
                [] => crate::domain::Money { minor: 0, currency: ctx.currency.clone() }.to_string(),
                _ if unicode_width::UnicodeWidthStr::width(full.as_str()) <= room => full,
                _ => totals.iter().map(|m| m.compact()).collect::<Vec<_>>().join(" + "),
            };
            let focused = i == self.focus;
            let arrows = match (i > 0 && slot == 0, slot + 1 == n && i + 1 < self.columns.len()) {
                (true, true) => "‹›",
                (true, false) => "‹",
                (false, true) => "›",
                _ => "",
            };
            let block = Block::bordered()
                .border_type(if focused { BorderType::Thick } else { BorderType::Rounded })
                .border_style(if focused { theme.focused_border() } else { theme.border() })
                .title(Span::styled(
                    {
                        // A long stage name gives way to its count and the arrows, which say more.
                        let tail = format!(" ({}) {arrows}", thousands(count));
                        let room = (rect.width as usize).saturating_sub(3 + tail.chars().count());
                        format!(" {}{tail}", fit(&stage, room))
                    },
                    theme.title(),
                ))
                .title_bottom(Line::from(fit(&format!(" Σ {total} "), rect.width.saturating_sub(2) as usize)));
            let inner = block.inner(*rect);
            frame.render_widget(block, *rect);
            let w = inner.width as usize;
            let offset = visible_offset(col.offset, col.selected, cards, col.deals.len());
            let mut lines = Vec::new();
            for (j, d) in col.deals.iter().enumerate().skip(offset).take(cards) {
                let sel = focused && j == col.selected;
                let style = if sel { theme.selected() } else { theme.base() };
                let days = (now.0 - d.stage_entered_at.0).max(0) / DAY_MS;
                let marker = if sel { "▶" } else { " " };
                lines.push(Line::from(Span::styled(fit_pad(&format!("{marker}{}", d.title), w), style)));
                // An opted-out lead's card says so, as the lists and the lead page do.
                let dnc = if d.lead_do_not_contact { "⊘ " } else { "" };
                lines.push(Line::from(Span::styled(
                    fit_pad(&format!("  {dnc}{}", d.lead_name), w),
                    if sel { style } else { theme.muted() },
                )));
                lines.push(Line::from(Span::styled(
                    fit_pad(&format!("  {} · {days}d in stage", d.money()), w),
                    if sel { style } else { theme.muted() },
                )));
                lines.push(Line::from(""));
            }
            if col.deals.is_empty() {
                let msg = if col.loading { "loading…" } else { "no deals" };
                lines.push(Line::from(Span::styled(msg, theme.muted())));
            }
            frame.render_widget(Paragraph::new(lines), inner);
        }
    }
}

/// Where a card stands in its stage, for an undo to put it back.
fn place_of(d: &Deal) -> Place {
    Place { entered_at: d.stage_entered_at, position: d.position, lost_reason: d.lost_reason.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wider_terminal_fills_with_the_columns_before_the_focused_one() {
        let mut k = KanbanView { columns: vec![Column::default(); 8], focus: 7, ..Default::default() };
        // At 80 columns three stages fit: the last three show, the focused one at the right.
        k.settle(80);
        assert_eq!(k.layout(80), (3, 5));
        // Made wider, the board shows as many stages as fit, ending with the last.
        assert_eq!(k.layout(200), (7, 1));
        k.settle(200);
        assert_eq!(k.layout(200), (7, 1));
        // And narrower again, the focused stage stays on screen.
        assert_eq!(k.layout(80), (3, 5));
        k.focus = 0;
        assert_eq!(k.layout(200), (7, 0));
    }
}
