//! The leads table: a virtual window over the whole database, sortable, filterable, searchable as you type.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Paragraph, Row, Table, Wrap};

use super::{Out, queries, thousands};
use crate::domain::time::ago;
use crate::store::leads::{Lead, LeadFilter, LeadSort};
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::forms::{self, FilterField};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::Field;
use crate::tui::widgets::{fit, fit_end, screen_text};
use crate::tui::window::{LeadWindow, visible_offset};
use crate::tui::worker::{Query, Slot};
use unicode_width::UnicodeWidthStr;

/// Columns between the leads table's columns.
const COLUMN_SPACING: u16 = 1;

#[derive(Debug, Clone)]
pub struct LeadsView {
    pub window: LeadWindow,
    /// The search being typed (`/`), while the input has focus: edited as any text field.
    pub search: Option<Field>,
    pub loaded: bool,
}

impl Default for LeadsView {
    fn default() -> Self {
        LeadsView { window: LeadWindow::new(Slot::Leads, LeadSort::Score), search: None, loaded: false }
    }
}

impl LeadsView {
    pub fn enter(&mut self, stale: bool) -> Vec<Out> {
        if !self.loaded {
            self.loaded = true;
            return queries(self.window.reset());
        }
        if stale { queries(self.window.refresh()) } else { Vec::new() }
    }

    /// The commands `command` answers, whatever is selected: what a `[keymap.leads]` binding may run.
    pub const COMMANDS: &'static [Command] = &[
        Command::Down,
        Command::Up,
        Command::PageDown,
        Command::PageUp,
        Command::Top,
        Command::Bottom,
        Command::Refresh,
        Command::Open,
        Command::Search,
        Command::SortNext,
        Command::FilterTag,
        Command::FilterStage,
        Command::FilterSource,
        Command::FilterOwner,
        Command::FilterLifecycle,
        Command::ClearFilters,
        Command::LogOutreach,
        Command::AddLead,
    ];

    pub fn command(&mut self, cmd: Command, page: usize, ctx: &UiCtx) -> Option<Vec<Out>> {
        if let Some(out) = super::navigate(&mut self.window, cmd, page) {
            self.window.scroll_into_view(page);
            return Some(out);
        }
        let w = &mut self.window;
        let out = match cmd {
            // The search kept is there to edit (arrows, End, Backspace), and what is typed first starts a
            // new one, as a browser's address bar does.
            Command::Search => {
                let kept = w.filter.text.clone().unwrap_or_default();
                let mut field = Field::text("Search", kept.clone(), "");
                field.replaced_on_typing = !kept.is_empty();
                self.search = Some(field);
                Vec::new()
            }
            // Matches come newest first while a search is on: cycling the sort would change nothing seen.
            Command::SortNext if w.match_order() => {
                vec![Out::Toast("Search results come newest match first; clear the search to sort".into(), false)]
            }
            Command::SortNext => {
                let i = LeadSort::ALL.iter().position(|s| *s == w.sort).unwrap_or(0);
                w.sort = LeadSort::ALL[(i + 1) % LeadSort::ALL.len()];
                w.selected = 0;
                w.offset = 0;
                queries(w.reset())
            }
            Command::FilterTag => {
                vec![Out::Form(forms::filter(FilterField::Tag, &w.filter, ctx)), Out::Query(Query::Tags)]
            }
            Command::FilterStage => vec![Out::Form(forms::filter(FilterField::Stage, &w.filter, ctx))],
            Command::FilterSource => vec![Out::Form(forms::filter(FilterField::Source, &w.filter, ctx))],
            Command::FilterOwner => vec![Out::Form(forms::filter(FilterField::Owner, &w.filter, ctx))],
            Command::FilterLifecycle => vec![Out::Form(forms::filter(FilterField::Lifecycle, &w.filter, ctx))],
            Command::ClearFilters => {
                w.filter = LeadFilter::default();
                self.search = None;
                w.selected = 0;
                queries(w.reset())
            }
            Command::LogOutreach => match w.selected_lead() {
                Some(l) => vec![Out::Form(forms::log_outreach(l))],
                None => Vec::new(),
            },
            Command::AddLead => vec![Out::Form(forms::add_lead())],
            _ => return None,
        };
        self.window.scroll_into_view(page);
        Some(out)
    }

    /// A new filter from a filter form.
    pub fn set_filter(&mut self, filter: LeadFilter) -> Vec<Out> {
        self.window.filter = filter;
        self.window.selected = 0;
        self.window.offset = 0;
        queries(self.window.reset())
    }

    /// The search text was edited: the table narrows at once (the worker drops superseded queries).
    pub fn search_edited(&mut self) -> Vec<Out> {
        let t = self.search.as_ref().map_or("", |f| f.value.trim());
        let text = (!t.is_empty()).then(|| t.to_string());
        if text == self.window.filter.text {
            return Vec::new();
        }
        self.window.filter.text = text;
        self.window.selected = 0;
        self.window.offset = 0;
        queries(self.window.reset())
    }

    /// The search closed and cleared: every lead again (with the other filters).
    pub fn clear_search(&mut self) -> Vec<Out> {
        self.search = None;
        self.window.filter.text = None;
        self.window.selected = 0;
        self.window.offset = 0;
        queries(self.window.reset())
    }

    pub fn filter_label(&self) -> String {
        filter_label(&self.window.filter)
    }

    fn areas(&self, area: Rect) -> (Option<Rect>, Rect) {
        if self.search.is_some() || self.window.filter.text.is_some() {
            let [s, t] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
            (Some(s), t)
        } else {
            (None, area)
        }
    }

    /// The index into the window of the row drawn at screen row `y`, for mouse clicks.
    pub fn row_at(&self, area: Rect, y: u16) -> Option<usize> {
        let (_, table) = self.areas(area);
        let first = table.y + 2;
        if y < first || y >= table.y + table.height.saturating_sub(1) {
            return None;
        }
        let i = self.window.offset + (y - first) as usize;
        (i < self.window.rows.len()).then_some(i)
    }

    /// The terminal changed size: the table's offset becomes the one it is drawn at in `area`, so clicks
    /// and keys go on from what the rep sees.
    pub fn fit_to(&mut self, area: Rect) {
        let (_, table) = self.areas(area);
        self.window.scroll_into_view(table.height.saturating_sub(3) as usize);
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx, focused: bool) {
        let (search, table) = self.areas(area);
        if let Some(s) = search {
            let typing = self.search.is_some();
            // The cursor stays in sight: a search longer than the line shows as much as fits around it
            // (from the start while the cursor is there, else up to the cursor and what follows), and the
            // hint gives way to it.
            let room = (s.width as usize).saturating_sub(3);
            // A kept search that typing replaces shows selected.
            let replaced = self.search.as_ref().is_some_and(|f| f.replaced_on_typing);
            let typed = match &self.search {
                Some(f) => {
                    let (before, after) = f.split_at_cursor();
                    let (before, after) = (screen_text(before), screen_text(after));
                    let kept = if before.width() < room {
                        before.into_owned()
                    } else {
                        fit_end(&before, room.saturating_sub(1))
                    };
                    let rest = room.saturating_sub(kept.width() + 1);
                    format!("{kept}▏{}", if after.width() > rest { fit(&after, rest) } else { after.into_owned() })
                }
                None => fit_end(&self.window.filter.text.clone().unwrap_or_default(), room),
            };
            let hint = ctx.hints.search.as_str();
            let hint = match typing {
                true if typed.width() + hint.width() <= room => hint,
                _ => "",
            };
            frame.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(" / ", theme.title()),
                    if replaced { Span::styled(typed, theme.selected()) } else { Span::raw(typed) },
                    Span::styled(hint, theme.muted()),
                ])),
                s,
            );
        }
        // Search results come newest match first whatever the sort (the sort returns when the search is cleared).
        let order = if self.window.match_order() {
            "newest matches first".to_string()
        } else {
            format!("sort {}", self.window.sort.as_str())
        };
        let title = format!(" Leads · {order} {}", self.filter_label());
        // While the search line is open, keys type into it: Esc is the way out.
        let no_match = if self.search.is_some() { &ctx.hints.clear_search } else { &ctx.hints.clear_filters };
        draw_lead_table(frame, table, theme, ctx, &self.window, &title, focused, no_match);
    }
}

pub fn filter_label(f: &LeadFilter) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &f.tag {
        parts.push(format!("tag:{t}"));
    }
    if let Some(t) = &f.stage {
        parts.push(format!("stage:{t}"));
    }
    if let Some(t) = &f.source {
        parts.push(format!("source:{t}"));
    }
    if let Some(t) = &f.owner {
        parts.push(format!("owner:{t}"));
    }
    if let Some(t) = f.lifecycle {
        parts.push(format!("lifecycle:{}", t.as_str()));
    }
    if let Some(t) = &f.text {
        parts.push(format!("search:\"{t}\""));
    }
    if parts.is_empty() { String::new() } else { format!("· {}", parts.join(" ")) }
}

/// Draws a lead window as a table, building rows only for the visible slice; `no_match` says how to see
/// leads again when a filter or search leaves none.
#[allow(clippy::too_many_arguments)]
pub fn draw_lead_table(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    ctx: &UiCtx,
    w: &LeadWindow,
    title: &str,
    focused: bool,
    no_match: &str,
) {
    let now = ctx.now();
    let height = area.height.saturating_sub(3) as usize;
    let offset = visible_offset(w.offset, w.selected, height, w.rows.len());
    let position = match (w.selected_abs(), w.total_label()) {
        (Some(i), Some(t)) if w.total.is_some_and(|n| n > 0) => format!(" {} of {t} ", thousands(i + 1)),
        (_, Some(_)) => format!(" {} ", w.leads_label().unwrap_or_default()),
        _ => " … ".to_string(),
    };
    let border = if focused { theme.focused_border() } else { theme.border() };
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border)
        .title(Span::styled(fit(title, area.width.saturating_sub(20) as usize) + " ", theme.title()))
        .title_top(Line::from(position).right_aligned().style(theme.muted()));
    // Three widths: the narrow pane of the scoring view, an 80-column terminal, and wider.
    let tier = match area.width {
        0..60 => 0,
        60..100 => 1,
        _ => 2,
    };
    // Ranked by priority, the number shown is the one that ranks (a customer's mixes in their health).
    let (ranked_by, rank_of): (&str, fn(&Lead) -> i64) =
        if w.sort == LeadSort::Priority { ("Prio", |l| l.priority) } else { ("Score", |l| l.score) };
    let (header, widths) = match tier {
        0 => (
            Row::new(["  Name", ranked_by, "Contact"]),
            vec![Constraint::Fill(1), Constraint::Length(5), Constraint::Length(9)],
        ),
        1 => (
            Row::new(["  Name", "Company", ranked_by, "Stage", "Contact"]),
            vec![
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Length(5),
                Constraint::Length(11),
                Constraint::Length(9),
            ],
        ),
        _ => (
            Row::new(["  Name", "Company", ranked_by, "Stage", "Contact", "Owner", "Tags"]),
            vec![
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Length(5),
                Constraint::Length(11),
                Constraint::Length(9),
                Constraint::Fill(2),
                Constraint::Fill(2),
            ],
        ),
    };
    // The columns' widths as the table lays them out, so a value too long for its column ends in "…"
    // rather than being cut mid-word.
    let inner = block.inner(area);
    let mut widths = widths;
    let mut columns: Vec<usize> = Layout::horizontal(widths.clone())
        .spacing(COLUMN_SPACING)
        .split(Rect::new(0, 0, inner.width, 1))
        .iter()
        .map(|r| r.width as usize)
        .collect();
    // Name and company share their room by what the rows on screen need: the slack of short names goes to
    // the companies, so "Acme Analytics Group 12" and "… 6" are told apart at 80 columns.
    if tier > 0 && !w.rows.is_empty() {
        // At least the header's width ("  Name", "Company").
        let need = |cell: fn(&Lead) -> String| {
            w.rows.iter().skip(offset).take(height).map(|l| cell(l).width()).max().unwrap_or(0).max(7)
        };
        let name_need = need(|l| format!("▶{}{}", if l.do_not_contact { "⊘ " } else { "" }, l.name()));
        let company_need = need(|l| l.company.clone().unwrap_or_default());
        let (name, company) = share(columns[0] + columns[1], name_need, company_need);
        (columns[0], columns[1]) = (name, company);
        widths[0] = Constraint::Length(name as u16);
        widths[1] = Constraint::Length(company as u16);
    }
    let rows = w.rows.iter().enumerate().skip(offset).take(height).map(|(i, l)| {
        let marker = if i == w.selected { "▶" } else { " " };
        let dnc = if l.do_not_contact { "⊘ " } else { "" };
        let contact = l.last_contacted_at.map(|t| ago(t, now)).unwrap_or_else(|| "never".into());
        let texts: Vec<String> = {
            let name = format!("{marker}{dnc}{}", l.name());
            let company = || l.company.clone().unwrap_or_default();
            let score = format!("{:>5}", rank_of(l));
            let stage = || l.stage.clone().unwrap_or_else(|| "—".into());
            match tier {
                0 => vec![name, score, contact],
                1 => vec![name, company(), score, stage(), contact],
                _ => vec![
                    name,
                    company(),
                    score,
                    stage(),
                    contact,
                    l.owner.clone().unwrap_or_default(),
                    l.tags.join(" "),
                ],
            }
        };
        let cells = texts.iter().zip(&columns).map(|(t, w)| Cell::from(fit(t, *w))).collect::<Vec<_>>();
        let row = Row::new(cells);
        if i == w.selected { row.style(theme.selected()) } else { row }
    });
    let header = header.style(theme.header());
    let table = Table::new(rows, widths).header(header).block(block).column_spacing(COLUMN_SPACING).style(theme.base());
    frame.render_widget(table, area);
    let inner = area.inner(ratatui::layout::Margin { horizontal: 2, vertical: 2 });
    let note = if let Some(e) = &w.error {
        Some(format!("✗ {e}"))
    } else if w.rows.is_empty() && w.loading {
        Some("loading…".to_string())
    } else if w.rows.is_empty() && w.filter == LeadFilter::default() {
        Some(format!("No leads yet. {}", ctx.hints.add_lead))
    } else if w.rows.is_empty() {
        Some(format!("No leads match. {no_match}"))
    } else {
        None
    };
    if let Some(n) = note
        && inner.height > 0
    {
        // Wrapped: the narrow pane of the scoring view shows the whole note too.
        frame.render_widget(Paragraph::new(Span::styled(n, theme.muted())).wrap(Wrap { trim: true }), inner);
    }
}

/// Splits `room` between the name and company columns: each gets what its longest cell needs when both
/// fit (the company the rest); else the one that needs less than its share (3:2) gets what it needs and the
/// other the rest; else 3:2.
fn share(room: usize, name_need: usize, company_need: usize) -> (usize, usize) {
    let name_share = room * 3 / 5;
    if name_need + company_need <= room || name_need <= name_share {
        let name = name_need.min(room);
        (name, room - name)
    } else if company_need <= room - name_share {
        (room - company_need, company_need)
    } else {
        (name_share, room - name_share)
    }
}

#[cfg(test)]
mod share_tests {
    use super::share;

    #[test]
    fn short_names_leave_their_slack_to_the_companies() {
        assert_eq!(share(49, 14, 24), (14, 35));
        assert_eq!(share(49, 40, 18), (31, 18));
        assert_eq!(share(49, 20, 60), (20, 29));
        assert_eq!(share(49, 40, 60), (29, 20));
    }
}
