//! Scoring: leads ranked by score and, for the selected lead, how its score came about.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::{Out, queries};
use crate::store::leads::{Lead, LeadSort};
use crate::tui::command::Command;
use crate::tui::context::UiCtx;
use crate::tui::theme::Theme;
use crate::tui::views::leads::draw_lead_table;
use crate::tui::window::LeadWindow;
use crate::tui::worker::Slot;

#[derive(Debug, Clone)]
pub struct ScoringView {
    pub window: LeadWindow,
    pub loaded: bool,
}

impl Default for ScoringView {
    fn default() -> Self {
        ScoringView { window: LeadWindow::new(Slot::Scoring, LeadSort::Score), loaded: false }
    }
}

/// The lines explaining a lead's score. The one place to connect the scoring rules' per-rule
/// explanation once they exist; until then the stored score and a plain statement.
pub fn explain(lead: &Lead) -> Vec<String> {
    vec![
        format!("Score: {}", lead.score),
        String::new(),
        "No scoring rules are configured yet, so every score stays as stored.".into(),
        "When rules are configured, each one that applies is listed here with its points.".into(),
    ]
}

impl ScoringView {
    pub fn enter(&mut self, stale: bool) -> Vec<Out> {
        if !self.loaded {
            self.loaded = true;
            return queries(self.window.reset());
        }
        if stale { queries(self.window.refresh()) } else { Vec::new() }
    }

    pub fn command(&mut self, cmd: Command, page: usize) -> Option<Vec<Out>> {
        let w = &mut self.window;
        let out = match cmd {
            Command::Down => queries(w.move_by(1, page)),
            Command::Up => queries(w.move_by(-1, page)),
            Command::PageDown => queries(w.move_by(page as i64, page)),
            Command::PageUp => queries(w.move_by(-(page as i64), page)),
            Command::Top => queries(w.top()),
            Command::Bottom => queries(w.bottom()),
            Command::Refresh => queries(w.refresh()),
            Command::Open => w.selected_lead().map(|l| vec![Out::OpenLead(l.id.clone())]).unwrap_or_default(),
            _ => return None,
        };
        self.window.scroll_into_view(page);
        Some(out)
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, ctx: &UiCtx) {
        let right_w = if area.width >= 120 { 48 } else { 30 };
        let [left, right] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_w)]).areas(area);
        draw_lead_table(frame, left, theme, ctx, &self.window, " Leads by score", true);
        let (title, lines) = match self.window.selected_lead() {
            Some(l) => (format!(" Why {} ", l.name()), explain(l)),
            None => (" Why ".to_string(), vec!["Select a lead.".to_string()]),
        };
        let block = Block::bordered()
            .border_type(BorderType::Rounded)
            .border_style(theme.border())
            .title(Span::styled(title, theme.title()));
        let lines: Vec<Line> = lines.into_iter().map(Line::from).collect();
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: true }), right);
    }
}
