//! Lead detail: every field, and one timeline of outreach, meetings, deals, tasks and notes, newest first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::Out;
use crate::automation::clients::ClientProfile;
use crate::domain::time::ago;
use crate::domain::{Attendance, LeadId};
use crate::store::leads::Lead;
use crate::store::meetings;
use crate::store::timeline::{self, Entry};
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::forms;
use crate::tui::theme::Theme;
use crate::tui::widgets::{fit, scroll_half_page, wrap_to};
use crate::tui::window::visible_offset;
use crate::tui::worker::LeadPage;
use crate::tui::worker::{Query, Write};

#[derive(Debug, Clone, Default)]
pub struct DetailView {
    pub lead_id: Option<LeadId>,
    pub lead: Option<Lead>,
    pub timeline: Vec<Entry>,
    pub selected: usize,
    pub offset: usize,
    pub error: Option<String>,
    /// A customer's client profile (plan, since when, where they came from).
    pub client: Option<ClientProfile>,
    /// The stored (score, health, priority).
    pub scores: Option<crate::scoring::facts::Scores>,
    /// Leads staged as possibly the same person, described.
    pub duplicates: Vec<String>,
    /// Lines of the selected entry's text scrolled past in the box under the timeline (a long note or reply
    /// does not fit a short terminal); kept within the text where it is drawn, reset with the selection.
    pub whole_scroll: std::cell::Cell<usize>,
    /// Lines of the lead's fields scrolled past, where a short terminal does not hold them all.
    pub fields_scroll: std::cell::Cell<usize>,
    /// The entry to select once the timeline is read again: one the rep has just written here.
    select_next: Option<(&'static str, String)>,
}

impl DetailView {
    /// Selects `entry` (its table and id) once the timeline holds it.
    pub fn select_when_loaded(&mut self, entry: (&'static str, String)) {
        if self.lead_id.is_some() {
            self.select_next = Some(entry);
        }
    }

    pub fn open(&mut self, id: LeadId) -> Vec<Out> {
        if self.lead_id.as_ref() != Some(&id) {
            self.lead = None;
            self.timeline.clear();
            self.selected = 0;
            self.select_next = None;
            self.offset = 0;
            self.whole_scroll.set(0);
            self.fields_scroll.set(0);
            self.duplicates.clear();
        }
        self.lead_id = Some(id.clone());
        vec![Out::Query(Query::Detail { lead: id })]
    }

    pub fn reload(&self) -> Vec<Out> {
        self.lead_id.iter().map(|id| Out::Query(Query::Detail { lead: id.clone() })).collect()
    }

    pub fn loaded(&mut self, id: LeadId, result: Result<Box<LeadPage>, String>) {
        if self.lead_id.as_ref() != Some(&id) {
            return;
        }
        match result {
            Ok(found) => {
                let LeadPage { lead, timeline, client, scores, duplicates } = *found;
                self.client = client;
                self.scores = scores;
                self.duplicates = duplicates;
                // The selection stays on the entry it was on (a new entry above it must not move it onto
                // another meeting, where `a` or `x` would mark the wrong one).
                let was = self.timeline.get(self.selected).map(|e| {
                    let (table, id) = e.key();
                    (table, id.to_string())
                });
                self.lead = Some(lead);
                self.timeline = timeline;
                let at = |key: &(&'static str, String)| {
                    self.timeline.iter().position(|e| e.key() == (key.0, key.1.as_str()))
                };
                // What the rep just wrote, once a reading holds it (one sent before the write does not).
                let written = self.select_next.as_ref().and_then(at);
                if written.is_some() {
                    self.select_next = None;
                }
                let again = written.or_else(|| was.as_ref().and_then(at));
                let selected = again.unwrap_or(self.selected).min(self.timeline.len().saturating_sub(1));
                if selected != self.selected {
                    self.whole_scroll.set(0);
                }
                self.selected = selected;
                self.error = None;
            }
            // Gone (removed from another terminal, or merged away): what was shown of it goes too, so
            // nothing acts on a lead that is no longer there.
            Err(e) => {
                self.lead = None;
                self.timeline.clear();
                self.error = Some(e);
            }
        }
    }

    /// The commands `command` answers, whatever is selected: what a `[keymap.detail]` binding may run.
    pub const COMMANDS: &'static [Command] = &[
        Command::Up,
        Command::Down,
        Command::PageUp,
        Command::PageDown,
        Command::Top,
        Command::Bottom,
        Command::PaneDown,
        Command::PaneUp,
        Command::FieldsDown,
        Command::FieldsUp,
        Command::Refresh,
        Command::LogOutreach,
        Command::AddTask,
        Command::AddNote,
        Command::ScheduleMeeting,
        Command::MarkAttended,
        Command::MarkNoShow,
        Command::Unlog,
        Command::CreateDeal,
        Command::EditLead,
        Command::ToggleDoNotContact,
    ];

    pub fn command(&mut self, cmd: Command, page: usize, ctx: &UiCtx) -> Option<Vec<Out>> {
        let n = self.timeline.len();
        let step = |s: usize, d: i64| (s as i64 + d).clamp(0, n.saturating_sub(1) as i64) as usize;
        let Some(lead) = &self.lead else {
            return matches!(cmd, Command::Up | Command::Down).then(Vec::new);
        };
        let was = self.selected;
        let out = match cmd {
            Command::PaneDown | Command::PaneUp | Command::FieldsDown | Command::FieldsUp => {
                let text = if matches!(cmd, Command::PaneDown | Command::PaneUp) {
                    &self.whole_scroll
                } else {
                    &self.fields_scroll
                };
                scroll_half_page(text, page, matches!(cmd, Command::PaneDown | Command::FieldsDown));
                return Some(Vec::new());
            }
            Command::Down => {
                self.selected = step(self.selected, 1);
                Vec::new()
            }
            Command::Up => {
                self.selected = step(self.selected, -1);
                Vec::new()
            }
            Command::PageDown => {
                self.selected = step(self.selected, page as i64);
                Vec::new()
            }
            Command::PageUp => {
                self.selected = step(self.selected, -(page as i64));
                Vec::new()
            }
            Command::Top => {
                self.selected = 0;
                Vec::new()
            }
            Command::Bottom => {
                self.selected = n.saturating_sub(1);
                Vec::new()
            }
            Command::Refresh => self.reload(),
            Command::LogOutreach => vec![Out::Form(forms::log_outreach(lead))],
            Command::AddTask => vec![Out::Form(forms::add_task(lead))],
            Command::AddNote => vec![Out::Form(forms::add_note(lead))],
            Command::ScheduleMeeting => vec![Out::Form(forms::schedule(lead))],
            Command::CreateDeal => vec![Out::Form(forms::create_deal(lead, ctx))],
            Command::EditLead => vec![Out::Form(forms::edit_lead(lead))],
            Command::ToggleDoNotContact => {
                if lead.do_not_contact {
                    vec![Out::Form(forms::allow_contact(lead))]
                } else {
                    vec![Out::Form(forms::do_not_contact(lead))]
                }
            }
            Command::MarkAttended | Command::MarkNoShow => match self.timeline.get(self.selected) {
                // Whether someone came is asked once the meeting has begun, before any reason is typed.
                Some(Entry::Meeting(m)) if !meetings::has_begun(m.scheduled_at, ctx.now()) => {
                    vec![Out::Toast("This meeting has not happened yet".into(), true)]
                }
                Some(Entry::Meeting(m)) if cmd == Command::MarkAttended => {
                    vec![Out::Write(Write::MarkMeeting { meeting: m.id.clone(), attended: true, reason: None })]
                }
                Some(Entry::Meeting(m)) => vec![Out::Form(forms::no_show(m.id.clone()))],
                _ => vec![Out::Toast("Select a meeting in the timeline first".into(), true)],
            },
            Command::Unlog => match self.timeline.get(self.selected) {
                Some(Entry::Outreach(o)) => vec![Out::Form(forms::unlog(o, ctx.tz))],
                _ => vec![Out::Toast("Select a touch in the timeline first".into(), true)],
            },
            _ => return None,
        };
        self.offset = visible_offset(self.offset, self.selected, page, self.timeline.len());
        if self.selected != was {
            self.whole_scroll.set(0);
        }
        Some(out)
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx) {
        let Some(lead) = &self.lead else {
            let msg = self.error.clone().map(|e| format!("✗ {e}")).unwrap_or_else(|| "loading…".into());
            let block = Block::bordered().border_type(BorderType::Rounded).border_style(theme.border()).title(" Lead ");
            frame.render_widget(Paragraph::new(msg).block(block), area);
            return;
        };
        let left_w = if area.width >= 120 { 46 } else { 34 };
        let [left, right] = Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(area);
        self.draw_fields(frame, left, theme, ctx, lead);
        self.draw_timeline(frame, right, theme, ctx);
    }

    fn draw_fields(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx, l: &Lead) {
        let now = ctx.now();
        let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let contact = match l.last_contacted_at {
            Some(t) => format!("{} ({})", ago(t, now), t.local(ctx.tz)),
            None => "never".into(),
        };
        let dnc = if l.do_not_contact {
            format!("YES ⊘ {}", l.do_not_contact_reason.clone().unwrap_or_default())
        } else {
            "no".into()
        };
        // The next meeting booked, which the timeline (newest first) may hold below a series of later ones.
        let next_meeting = self
            .timeline
            .iter()
            .filter_map(|e| match e {
                Entry::Meeting(m) if m.scheduled_at >= now && m.attended.is_none() => Some(m),
                _ => None,
            })
            .min_by_key(|m| m.scheduled_at);
        let mut fields: Vec<(&str, String)> = vec![
            ("Score", score_line(l, self.scores)),
            ("Contacted", contact),
            ("E-mail", o(&l.email)),
            ("Phone", o(&l.phone)),
            ("Company", o(&l.company)),
            ("Title", o(&l.title)),
            ("Stage", o(&l.stage)),
            // Whether the lead may be contacted, and what the rep wrote down, before the rest.
            ("Opted out", dnc),
            ("Notes", o(&l.notes)),
            ("Tags", if l.tags.is_empty() { "—".into() } else { l.tags.join(", ") }),
            ("Lifecycle", lifecycle_line(l, self.client.as_ref(), ctx.tz)),
            ("Source", o(&l.source)),
            ("Owner", o(&l.owner)),
            ("Industry", o(&l.industry)),
            ("Size", o(&l.company_size)),
            ("Interest", o(&l.product_interest)),
            ("Profile", o(&l.profile_url)),
            ("Created", l.created_at.local(ctx.tz)),
        ];
        if let Some(m) = next_meeting {
            let title = m.title.as_deref().map(|t| format!(" · {t}")).unwrap_or_default();
            fields.insert(
                2,
                ("Booked", format!("{} ({}){title}", m.scheduled_at.local(ctx.tz), ago(m.scheduled_at, now))),
            );
        }
        // The other addresses the person is known by, under the one they are written to (most have none).
        if !l.other_emails.is_empty() {
            fields.insert(3, ("Also", l.other_emails.join(", ")));
        }
        // A lead an import could not tell from another says so at the top, with where to decide.
        if !self.duplicates.is_empty() {
            fields.insert(0, ("Same as?", format!("{} · `leadline dedupe`", self.duplicates.join("; "))));
        }
        let label_w = if area.width >= 40 { 14 } else { 10 };
        let room = (area.width as usize).saturating_sub(label_w + 3);
        // A value too long for its line goes on to the next ones, broken between words, and a note keeps
        // its own lines. When the pane has room every line shows; when not, each value but the notes and
        // the addresses keeps three lines and is cut with "…" past that.
        const VALUE_LINES: usize = 3;
        let rows = area.height.saturating_sub(2) as usize;
        let build = |max_lines: usize| -> Vec<(bool, Vec<Line>)> {
            fields
                .iter()
                .map(|(k, v)| {
                    // The notes are the rep's own words, and an address is copied as it is: kept whole, read
                    // by scrolling the pane.
                    let whole = matches!(*k, "Notes" | "E-mail" | "Also" | "Profile");
                    let max_lines = if whole { usize::MAX } else { max_lines };
                    let mut chunks: Vec<String> = v.lines().flat_map(|line| wrap_to(line, room, max_lines)).collect();
                    if chunks.len() > max_lines {
                        // Lines left out (a long note's later ones) are said to be there.
                        chunks.truncate(max_lines);
                        if let Some(last) = chunks.pop() {
                            chunks.push(if last.ends_with('…') { last } else { fit(&format!("{last}…"), room) });
                        }
                    }
                    let label = |i: usize| {
                        if i == 0 { format!("{:>label_w$} ", fit(k, label_w)) } else { " ".repeat(label_w + 1) }
                    };
                    let mut lines: Vec<Line> = chunks
                        .into_iter()
                        .enumerate()
                        .map(|(i, chunk)| Line::from(vec![Span::styled(label(i), theme.muted()), Span::raw(chunk)]))
                        .collect();
                    if lines.is_empty() {
                        lines.push(Line::from(Span::styled(label(0), theme.muted())));
                    }
                    (v == "—", lines)
                })
                .collect()
        };
        let total = |g: &[(bool, Vec<Line>)]| g.iter().map(|(_, l)| l.len()).sum::<usize>();
        let whole = build(rows.max(1));
        let groups = if total(&whole) <= rows {
            whole
        } else {
            // A note longer than the other values may be goes last, so it does not push the tags, owner
            // and source out of sight: it is read by scrolling down to it.
            let mut groups = build(VALUE_LINES);
            if let Some(at) = fields.iter().position(|(k, _)| *k == "Notes")
                && groups[at].1.len() > VALUE_LINES
            {
                let notes = groups.remove(at);
                groups.push(notes);
            }
            groups
        };
        // On a short terminal the empty fields give way first, so the ones that say something stay in
        // sight; what still does not fit is said to be there.
        let groups: Vec<(bool, Vec<Line>)> =
            if total(&groups) > rows { groups.into_iter().filter(|(empty, _)| !empty).collect() } else { groups };
        let lines: Vec<Line> = groups.into_iter().flat_map(|(_, l)| l).collect();
        // What still does not fit scrolls; the border says which way there is more, and the keys.
        let (offset, arrows) = crate::tui::widgets::scrolled(&self.fields_scroll, lines.len(), rows);
        let mut block =
            Block::bordered().border_type(BorderType::Rounded).border_style(theme.border()).title(Span::styled(
                crate::tui::widgets::fit(&format!(" {} ", l.name()), area.width.saturating_sub(2) as usize),
                theme.title(),
            ));
        if let Some(arrows) = arrows {
            let hint = format!(" {arrows} more · {} ", ctx.hints.fields_scroll);
            block = block.title_bottom(Line::styled(fit(&hint, area.width.saturating_sub(2) as usize), theme.muted()));
        }
        let lines: Vec<Line> = lines.into_iter().skip(offset).take(rows).collect();
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }

    fn draw_timeline(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx) {
        // The selected entry in full under the list: a row shows one line of it, the note or reply may be
        // longer. The box takes the lines the text needs, up to half the timeline's height (two at least).
        let selected = self
            .timeline
            .get(self.selected)
            .map(|e| format!("{}  {}", e.at().local(ctx.tz), timeline::describe(e, ctx.tz)));
        let room = area.width.saturating_sub(2) as usize;
        // A note keeps its own lines here, each wrapped to the box (a blank one stays, as a paragraph break).
        let wrapped = |text: &str| -> Vec<String> {
            text.trim_end()
                .lines()
                .flat_map(|l| if l.trim().is_empty() { vec![String::new()] } else { wrap_to(l, room, usize::MAX) })
                .collect()
        };
        let lines: Vec<String> = selected.as_deref().map(wrapped).unwrap_or_default();
        let whole_h = match &selected {
            None => 0,
            Some(_) => {
                let most = (area.height / 2).saturating_sub(2).max(2) as usize;
                lines.len().clamp(2, most) as u16 + 2
            }
        };
        let [area, whole] = Layout::vertical([Constraint::Fill(1), Constraint::Length(whole_h)]).areas(area);
        if selected.is_some() {
            let mut block = Block::bordered().border_type(BorderType::Rounded).border_style(theme.border());
            // The whole text, scrolled; the border says when more is above or below, and how to see it.
            let visible = whole.height.saturating_sub(2) as usize;
            let (offset, arrows) = crate::tui::widgets::scrolled(&self.whole_scroll, lines.len(), visible);
            if let Some(arrows) = arrows {
                block = block.title_bottom(Line::styled(
                    format!(" {arrows} more · {} ", ctx.hints.detail_scroll),
                    theme.muted(),
                ));
            }
            let lines: Vec<Line> = lines.into_iter().skip(offset).take(visible).map(Line::from).collect();
            frame.render_widget(Paragraph::new(lines).block(block), whole);
        }
        let height = area.height.saturating_sub(2) as usize;
        let offset = visible_offset(self.offset, self.selected, height, self.timeline.len());
        let width = area.width.saturating_sub(2) as usize;
        let now = ctx.now();
        let lines: Vec<Line> = self
            .timeline
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, e)| {
                let sel = i == self.selected;
                let when = e.at().local(ctx.tz);
                let text = timeline::describe(e, ctx.tz).replace('\n', " ⏎ ");
                let flag = match e {
                    // Whether someone came is asked once the meeting has begun.
                    Entry::Meeting(m)
                        if m.status == Attendance::Scheduled && meetings::has_begun(m.scheduled_at, now) =>
                    {
                        ctx.hints.meeting.as_str()
                    }
                    _ => "",
                };
                // The keys to mark it go before the text, so a narrow screen keeps them.
                let flag = flag.trim_start();
                let gap = if flag.is_empty() { "" } else { " " };
                let line = fit(&format!("{} {when}  {flag}{gap}{text}", if sel { "▶" } else { " " }), width);
                let style = if sel { theme.selected() } else { theme.base() };
                Line::from(Span::styled(format!("{line:<width$}"), style))
            })
            .collect();
        let n = self.timeline.len();
        let title = format!(" Timeline · {n} {} ", if n == 1 { "entry" } else { "entries" });
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.focused_border())
            .title(Span::styled(title, theme.title()))
            .title_bottom(
                Line::from(if area.width >= 80 { ctx.hints.detail.as_str() } else { ctx.hints.detail_narrow.as_str() })
                    .style(theme.muted()),
            );
        let body = if lines.is_empty() {
            Paragraph::new(Span::styled(ctx.hints.first_touch.as_str(), theme.muted()))
        } else {
            Paragraph::new(lines)
        };
        frame.render_widget(body.block(block), area);
    }
}

/// The lifecycle, and for a customer what the won deal recorded: "customer since … · plan … · from …".
fn lifecycle_line(l: &Lead, client: Option<&ClientProfile>, tz: chrono_tz::Tz) -> String {
    let Some(c) = client else { return l.lifecycle.clone() };
    let since = c.won_at.map(|won| format!("customer since {}", won.local(tz)));
    let mut parts = Vec::new();
    match (l.lifecycle.as_str(), since) {
        ("customer", Some(since)) => parts.push(since),
        (other, since) => {
            parts.push(other.to_string());
            if let Some(at) = c.churned_at.filter(|_| c.status == "churned") {
                let reason = c.churn_reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
                parts.push(format!("churned {}{reason}", at.local(tz)));
            }
            parts.extend(since);
        }
    }
    if let Some(plan) = &c.plan {
        parts.push(format!("plan {plan}"));
    }
    if let Some(source) = &c.origin_source {
        parts.push(format!("from {source}"));
    }
    parts.join(" · ")
}

/// The score, and for a customer the health and the priority that ranks them.
fn score_line(l: &Lead, scores: Option<crate::scoring::facts::Scores>) -> String {
    match scores {
        Some((_, Some(health), priority)) => format!("{} · health {health} · priority {priority}", l.score),
        _ => l.score.to_string(),
    }
}
