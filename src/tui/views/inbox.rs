//! The inbox: inbound messages and notices, grouped per lead and channel, newest first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use unicode_width::UnicodeWidthStr;

use super::Out;
use crate::domain::time::ago;
use crate::domain::{LeadId, OutreachKind};
use crate::store::inbox::InboxItem;
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::forms;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, fit_pad};
use crate::tui::window::visible_offset;
use crate::tui::worker::{Query, Write};

/// A drawn line: a group header or one item (index into `items`).
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// `who` is the lead (with its opt-out mark), `via` the channel: a long name is cut, not what follows it.
    Group {
        who: String,
        via: String,
        count: usize,
        unread: usize,
    },
    Item(usize),
}

#[derive(Debug, Clone, Default)]
pub struct InboxView {
    pub items: Vec<InboxItem>,
    pub rows: Vec<Row>,
    /// Index into `rows`; always an item row when there is one.
    pub selected: usize,
    pub offset: usize,
    pub show_handled: bool,
    pub loaded: bool,
    pub error: Option<String>,
}

impl InboxView {
    /// Read again each time it is shown (a few hundred rows at most): a reply logged from another terminal
    /// or by a colleague is there at once, not at the next minute's refresh.
    pub fn enter(&mut self, _stale: bool) -> Vec<Out> {
        self.loaded = true;
        self.reload()
    }

    /// The list, and the counts the tab bar and status line show of it, read at the same time.
    pub fn reload(&self) -> Vec<Out> {
        vec![Out::Query(Query::Inbox { include_handled: self.show_handled }), Out::Query(Query::Status)]
    }

    pub fn loaded(&mut self, items: Result<Vec<InboxItem>, String>) {
        match items {
            Ok(items) => {
                let keep = self.selected_item().map(|i| i.id.clone());
                self.items = items;
                self.rows = group(&self.items);
                self.selected = keep
                    .and_then(|id| self.rows.iter().position(|r| matches!(r, Row::Item(i) if self.items[*i].id == id)))
                    .unwrap_or_else(|| self.selected.min(self.rows.len().saturating_sub(1)));
                self.snap(1);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    pub fn selected_item(&self) -> Option<&InboxItem> {
        match self.rows.get(self.selected) {
            Some(Row::Item(i)) => self.items.get(*i),
            _ => None,
        }
    }

    /// Moves off a group header in the direction of travel.
    fn snap(&mut self, dir: i64) {
        let n = self.rows.len();
        while n > 0 && matches!(self.rows.get(self.selected), Some(Row::Group { .. })) {
            let next = self.selected as i64 + dir;
            if next < 0 || next >= n as i64 {
                if dir < 0 {
                    self.selected = 0;
                    return self.snap(1);
                }
                return;
            }
            self.selected = next as usize;
        }
    }

    /// The commands `command` answers, whatever is selected: what a `[keymap.inbox]` binding may run.
    pub const COMMANDS: &'static [Command] = &[
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::Top,
        Command::Bottom,
        Command::Refresh,
        Command::Open,
        Command::MarkHandled,
        Command::AssignMe,
        Command::Reply,
        Command::ToggleShowHandled,
    ];

    pub fn command(&mut self, cmd: Command, page: usize) -> Option<Vec<Out>> {
        let n = self.rows.len() as i64;
        let mv = |s: &mut Self, d: i64| {
            s.selected = (s.selected as i64 + d).clamp(0, (n - 1).max(0)) as usize;
            s.snap(if d < 0 { -1 } else { 1 });
        };
        let out = match cmd {
            Command::Down => {
                mv(self, 1);
                Vec::new()
            }
            Command::Up => {
                mv(self, -1);
                Vec::new()
            }
            Command::PageDown => {
                mv(self, page as i64);
                Vec::new()
            }
            Command::PageUp => {
                mv(self, -(page as i64));
                Vec::new()
            }
            Command::Top => {
                mv(self, -n);
                Vec::new()
            }
            Command::Bottom => {
                mv(self, n);
                Vec::new()
            }
            Command::Refresh => self.reload(),
            Command::ToggleShowHandled => {
                self.show_handled = !self.show_handled;
                self.reload()
            }
            Command::MarkHandled => match self.selected_item() {
                Some(i) => {
                    vec![Out::Write(Write::InboxHandled { item: i.id.clone(), handled: i.handled_at.is_none() })]
                }
                None => Vec::new(),
            },
            Command::AssignMe => match self.selected_item() {
                Some(i) => vec![Out::Write(Write::InboxAssign { item: i.id.clone() })],
                None => Vec::new(),
            },
            Command::Reply => match self.selected_item() {
                Some(InboxItem {
                    id,
                    lead_id: Some(lead),
                    channel: Some(kind),
                    lead_name,
                    lead_do_not_contact,
                    ..
                }) => {
                    let name = lead_name.clone().unwrap_or_default();
                    let form = forms::reply(id.clone(), LeadId(lead.clone()), &name, *kind, *lead_do_not_contact);
                    vec![Out::Form(form)]
                }
                Some(_) => vec![Out::Toast("A notice has no channel to reply on; open the lead (enter)".into(), true)],
                None => Vec::new(),
            },
            Command::Open => match self.selected_item() {
                Some(i) => {
                    let mut out = Vec::new();
                    if i.read_at.is_none() {
                        out.push(Out::Write(Write::InboxRead { item: i.id.clone() }));
                    }
                    if let Some(l) = &i.lead_id {
                        out.push(Out::OpenLead(LeadId(l.clone())));
                    }
                    out
                }
                None => Vec::new(),
            },
            _ => return None,
        };
        self.offset = self.offset_for(page);
        Some(out)
    }

    /// The first row shown in a list `height` rows tall: the selection in view, with the header of its
    /// group above it when the list scrolls up to it (the header names who wrote).
    fn offset_for(&self, height: usize) -> usize {
        let first = visible_offset(self.offset, self.selected, height, self.rows.len());
        let header_above = first > 0 && matches!(self.rows.get(first - 1), Some(Row::Group { .. }));
        if first == self.selected && header_above && height > 1 { first - 1 } else { first }
    }

    /// `to_handle` is the exact count of unhandled items (the list holds the newest few hundred).
    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx, to_handle: i64) {
        let now = ctx.now();
        let height = area.height.saturating_sub(2) as usize;
        let width = area.width.saturating_sub(2) as usize;
        let offset = self.offset_for(height);
        let listed = self.items.iter().filter(|i| i.handled_at.is_none()).count() as i64;
        // Past the newest few hundred, a group's counts are of the items shown, and say so.
        let partial = if to_handle > listed { " shown" } else { "" };
        let mut lines = Vec::new();
        for (r, row) in self.rows.iter().enumerate().skip(offset).take(height) {
            match row {
                Row::Group { who, via, count, unread } => {
                    let items = if *count == 1 { "item" } else { "items" };
                    let rest = format!(" · {via} · {count} {items}{partial}, {unread} unread");
                    let room = width.saturating_sub(UnicodeWidthStr::width(rest.as_str())).max(8);
                    let text = format!("{}{rest}", fit(who, room));
                    lines.push(Line::from(Span::styled(fit(&text, width), theme.header())));
                }
                Row::Item(i) => {
                    let it = &self.items[*i];
                    let sel = r == self.selected;
                    let state = match (it.handled_at, it.read_at) {
                        (Some(_), _) => "✓ handled",
                        (None, None) => "● unread ",
                        (None, Some(_)) => "○ read   ",
                    };
                    // Whose it is, before the text a narrow screen cuts.
                    let assigned = it.assignee.as_deref().map(|n| format!("→ {n} · ")).unwrap_or_default();
                    let body = if it.body.is_empty() { it.title.clone() } else { it.body.replace('\n', " ") };
                    let text = format!(
                        "{} {state} {:>8}  {assigned}{body}",
                        if sel { "▶" } else { " " },
                        ago(it.received_at, now)
                    );
                    let style = if sel { theme.selected() } else { theme.base() };
                    lines.push(Line::from(Span::styled(fit_pad(&text, width), style)));
                }
            }
        }
        if lines.is_empty() {
            let msg = match &self.error {
                Some(e) => format!("✗ {e}"),
                None if !self.loaded => "loading…".into(),
                None => "Inbox zero. Replies logged with --inbound and notices land here.".into(),
            };
            lines.push(Line::from(Span::styled(msg, theme.muted())));
        }
        // With handled items shown the list mixes both, so it says how many it holds of either kind.
        let shown = if self.show_handled {
            format!(" · newest {} shown, handled ones too", super::thousands(self.items.len() as i64))
        } else if to_handle > listed {
            format!(" (newest {} shown)", super::thousands(listed))
        } else {
            String::new()
        };
        let title = format!(" Inbox · {} to handle{shown} ", super::thousands(to_handle.max(listed)));
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.focused_border())
            .title(Span::styled(title, theme.title()))
            .title_bottom(Line::from(ctx.hints.inbox.as_str()).style(theme.muted()));
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
}

/// Groups items per (lead, channel); groups ordered by their newest item, items newest first.
pub fn group(items: &[InboxItem]) -> Vec<Row> {
    type GroupKey = (Option<String>, Option<OutreachKind>);
    let mut groups: Vec<(GroupKey, Vec<usize>)> = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let key = (it.lead_id.clone(), it.channel);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    let mut rows = Vec::new();
    for ((_, channel), idx) in groups {
        let first = &items[idx[0]];
        let who = first.lead_name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "No lead".into());
        let via = channel.map(|c| c.label().to_string()).unwrap_or_else(|| "notice".into());
        let unread = idx.iter().filter(|i| items[**i].read_at.is_none()).count();
        // Who must not be contacted is marked as in the leads table, before the rep thinks of replying.
        let opted_out = if first.lead_do_not_contact { " ⊘" } else { "" };
        rows.push(Row::Group { who: format!("{who}{opted_out}"), via, count: idx.len(), unread });
        rows.extend(idx.into_iter().map(Row::Item));
    }
    rows
}
