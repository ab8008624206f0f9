//! Scoring: leads ranked by priority (their score; for customers mixed with health), as `leadline score`
//! ranks them, and, for the selected lead, how its score came about.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::tui::widgets::wrap_hanging;

/// Where a rule's name starts in the explanation (" +2 ✓ name"): its continuation lines start there.
const RULE_NAME_COLUMN: usize = 6;

use super::{Out, queries};
use crate::domain::LeadId;
use crate::scoring::{Contribution, Evaluation, Scorer};
use crate::store::leads::{Lead, LeadSort};
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::theme::Theme;
use crate::tui::views::leads::draw_lead_table;
use crate::tui::window::LeadWindow;
use crate::tui::worker::{Query, Slot};

#[derive(Debug, Clone)]
pub struct ScoringView {
    pub window: LeadWindow,
    pub loaded: bool,
    /// The lead whose explanation was last asked of the worker; answers for any other lead are stale.
    pub asked: Option<LeadId>,
    /// The last explanation received, with the lead it is about.
    pub explained: Option<(LeadId, Result<Evaluation, String>)>,
    /// Lines of the explanation scrolled past (a long one does not fit a short terminal); drawing keeps
    /// it within the explanation.
    pub why_scroll: std::cell::Cell<usize>,
    /// The stored scores follow a colleague's rules, changed after this config's (`facts::RULES_ELSEWHERE`):
    /// the table keeps showing theirs.
    pub rules_elsewhere: bool,
}

impl Default for ScoringView {
    fn default() -> Self {
        ScoringView {
            window: LeadWindow::new(Slot::Scoring, LeadSort::Priority),
            loaded: false,
            asked: None,
            explained: None,
            why_scroll: std::cell::Cell::new(0),
            rules_elsewhere: false,
        }
    }
}

/// The lines explaining a lead's score: the totals, then the rules that gave points (points, mark, name,
/// and the conditions that held), then the rules that did not apply and why. Marks (✓ ✗) carry the
/// meaning, colour only helps.
pub fn explain(lead: &Lead, e: &Evaluation, rules_elsewhere: bool) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut totals = format!("Score {}", e.score);
    if let Some(h) = e.health {
        totals.push_str(&format!(" · health {h}"));
    }
    totals.push_str(&format!(" · priority {}", e.priority));
    out.push((totals, false));
    if lead.score != e.score {
        let why = match rules_elsewhere {
            true => "scored by the rules of a config changed after this one's",
            false => "refreshed within a minute",
        };
        out.push((format!("(table shows {}: {why})", lead.score), true));
    }
    let mut section = |title: &str, list: &[Contribution]| {
        out.push((String::new(), false));
        if list.is_empty() {
            out.push((format!("{title}: no rules configured"), true));
            return;
        }
        let applied: Vec<&Contribution> = list.iter().filter(|c| c.applies).collect();
        let sum: Vec<String> = applied.iter().map(|c| format!("{:+}", c.points)).collect();
        out.push((
            if sum.is_empty() { format!("{title}: no rule applies") } else { format!("{title} = {}", sum.join(" ")) },
            false,
        ));
        for c in &applied {
            out.push((format!("{:>+3} ✓ {}", c.points, c.rule), false));
            out.push((format!("      {}", c.detail), true));
        }
        for c in list.iter().filter(|c| !c.applies) {
            out.push((format!("{:>3} ✗ {}", c.points, c.rule), true));
            out.push((format!("      {}", c.detail), true));
        }
    };
    section("Score", &e.rules);
    if e.health.is_some() {
        section("Health", &e.health_rules);
    }
    out
}

impl ScoringView {
    pub fn enter(&mut self, stale: bool) -> Vec<Out> {
        if !self.loaded {
            self.loaded = true;
            return queries(self.window.reset());
        }
        if stale { queries(self.window.refresh()) } else { Vec::new() }
    }

    /// Asks for the selected lead's explanation when the selection moved to another lead.
    pub fn follow_selection(&mut self, scorer: &Arc<Scorer>) -> Vec<Out> {
        let Some(lead) = self.window.selected_lead() else { return Vec::new() };
        if self.asked.as_ref() == Some(&lead.id) {
            return Vec::new();
        }
        if self.explained.as_ref().is_none_or(|(id, _)| *id != lead.id) {
            self.why_scroll.set(0);
        }
        self.asked = Some(lead.id.clone());
        vec![Out::Query(Query::Explain { lead: lead.id.clone(), scorer: scorer.clone() })]
    }

    /// Takes an explanation; one for a lead no longer selected is dropped.
    pub fn on_explained(&mut self, lead: LeadId, result: Result<Evaluation, String>) {
        if self.asked.as_ref() == Some(&lead) {
            self.explained = Some((lead, result));
        }
    }

    /// The data changed (a write, the timer): the explanation is asked again on the next look.
    pub fn invalidate(&mut self) {
        self.asked = None;
    }

    /// The commands `command` answers, whatever is selected: what a `[keymap.scoring]` binding may run.
    pub const COMMANDS: &'static [Command] = &[
        Command::Down,
        Command::Up,
        Command::PageDown,
        Command::PageUp,
        Command::Top,
        Command::Bottom,
        Command::Refresh,
        Command::Open,
        Command::PaneDown,
        Command::PaneUp,
        Command::LogOutreach,
        Command::AddLead,
    ];

    pub fn command(&mut self, cmd: Command, page: usize) -> Option<Vec<Out>> {
        match cmd {
            // Clamped to the explanation's length where it is drawn.
            Command::PaneDown | Command::PaneUp => {
                crate::tui::widgets::scroll_half_page(&self.why_scroll, page, cmd == Command::PaneDown);
                return Some(Vec::new());
            }
            _ => {}
        }
        if cmd == Command::AddLead {
            return Some(vec![Out::Form(crate::tui::forms::add_lead())]);
        }
        if cmd == Command::LogOutreach {
            return Some(match self.window.selected_lead() {
                Some(lead) => vec![Out::Form(crate::tui::forms::log_outreach(lead))],
                None => vec![Out::Toast("Select a lead first".into(), true)],
            });
        }
        let out = super::navigate(&mut self.window, cmd, page)?;
        self.window.scroll_into_view(page);
        Some(out)
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx) {
        let right_w = if area.width >= 120 { 48 } else { 30 };
        let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_w)]).areas(area);
        draw_lead_table(frame, left, theme, ctx, &self.window, " Leads by priority", true, &ctx.hints.clear_filters);
        let (title, lines) = match self.window.selected_lead() {
            Some(l) => {
                let (score, lines) = match &self.explained {
                    Some((id, Ok(e))) if *id == l.id => (e.score, explain(l, e, self.rules_elsewhere)),
                    Some((id, Err(err))) if *id == l.id => (l.score, vec![(format!("✗ {err}"), false)]),
                    _ => (
                        l.score,
                        vec![
                            (format!("Score {}", l.score), false),
                            (String::new(), false),
                            ("working out why…".into(), true),
                        ],
                    ),
                };
                // The score stays in the title whatever the name's length: the name gives way.
                let tail = format!(" scores {score} ");
                let room = (right_w as usize).saturating_sub(2 + 5 + tail.chars().count());
                (format!(" Why {}{tail}", crate::tui::widgets::fit(&l.name(), room)), lines)
            }
            None if self.window.loading => (" Why ".to_string(), vec![("loading…".to_string(), true)]),
            None => (" Why ".to_string(), vec![("Select a lead.".to_string(), true)]),
        };
        let mut block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.border())
            .title(Span::styled(title, theme.title()));
        // A long condition wraps under itself, keeping its indent, so the rules stay readable in a narrow pane.
        let room = right.width.saturating_sub(2) as usize;
        let lines: Vec<Line> = lines
            .into_iter()
            .flat_map(|(text, muted)| {
                // A rule's line (" +2 ✓ name") goes on under its name, past the weight and the mark; a
                // condition's line under itself.
                let indent = text.len() - text.trim_start_matches(' ').len();
                let marked = text.split_whitespace().nth(1).is_some_and(|m| m == "✓" || m == "✗");
                let hang = if marked { RULE_NAME_COLUMN } else { indent };
                let mut out = wrap_hanging(text.trim_end(), room, hang, usize::MAX);
                if out.is_empty() {
                    out.push(String::new());
                }
                out.into_iter().map(move |l| if muted { Line::styled(l, theme.muted()) } else { Line::from(l) })
            })
            .collect();
        // What does not fit scrolls, and the border says there is more and which keys show it.
        let visible = right.height.saturating_sub(2) as usize;
        let (offset, more) = crate::tui::widgets::scrolled(&self.why_scroll, lines.len(), visible);
        if let Some(arrows) = more {
            block =
                block.title_bottom(Line::styled(format!(" {arrows} more · {} ", ctx.hints.pane_scroll), theme.muted()));
        }
        let scroll = u16::try_from(offset).unwrap_or(u16::MAX);
        frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), right);
    }
}
