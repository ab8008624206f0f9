//! The command palette: fuzzy matching (nucleo) over every command's name and description.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::{centered, fit};
use crate::tui::command::Command;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub input: String,
    pub matches: Vec<Command>,
    pub selected: usize,
    /// The commands offered: those that do something in the view it was opened in.
    offered: Vec<Command>,
}

impl Default for Palette {
    fn default() -> Self {
        Palette::of(Command::ALL.to_vec())
    }
}

impl Palette {
    /// A palette offering these commands.
    pub fn of(offered: Vec<Command>) -> Self {
        let mut p = Palette { input: String::new(), matches: Vec::new(), selected: 0, offered };
        p.refilter();
        p
    }

    pub fn refilter(&mut self) {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let pattern = Pattern::parse(&self.input, CaseMatching::Ignore, Normalization::Smart);
        let items: Vec<(Command, String)> =
            self.offered.iter().map(|c| (*c, format!("{} {}", c.name(), c.description()))).collect();
        let matched = pattern.match_list(items.iter().map(|(_, t)| t.as_str()), &mut matcher);
        self.matches = matched
            .into_iter()
            .filter_map(|(text, _)| items.iter().find(|(_, t)| t == text).map(|(c, _)| *c))
            .collect();
        // A command typed by its name (or the start of it) comes first, whatever the fuzzy score says of
        // the descriptions: `close` must not run `back`.
        let typed = self.input.trim().to_lowercase();
        if !typed.is_empty() {
            self.matches.sort_by_key(|c| match c.name() {
                n if n == typed => 0,
                n if n.starts_with(&typed) => 1,
                _ => 2,
            });
        }
        // Enter on the bare palette must not end the session: what can quit is listed last until asked for.
        if self.input.trim().is_empty() {
            let (leave, stay): (Vec<Command>, Vec<Command>) =
                self.matches.iter().partition(|c| matches!(c, Command::Quit | Command::Back));
            self.matches = stay.into_iter().chain(leave).collect();
        }
        self.selected = 0;
    }

    pub fn selected(&self) -> Option<Command> {
        self.matches.get(self.selected).copied()
    }

    pub fn move_by(&mut self, delta: i64) {
        if !self.matches.is_empty() {
            let n = self.matches.len() as i64;
            self.selected = (self.selected as i64 + delta).clamp(0, n - 1) as usize;
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, key_for: impl Fn(Command) -> Option<String>) {
        let rect = centered(area, 72, area.height.saturating_sub(4).min(20));
        frame.render_widget(Clear, rect);
        let block = Block::bordered()
            .style(theme.base())
            .border_type(BorderType::Rounded)
            .border_style(theme.focused_border())
            .title(Span::styled(" Command palette ", theme.title()));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let mut lines =
            vec![Line::from(vec![Span::styled(": ", theme.title()), Span::raw(format!("{}▏", self.input))])];
        let rows = inner.height.saturating_sub(1) as usize;
        let start = self.selected.saturating_sub(rows.saturating_sub(1));
        for (i, c) in self.matches.iter().enumerate().skip(start).take(rows) {
            let sel = i == self.selected;
            let key = key_for(*c).unwrap_or_default();
            let text = fit(&format!("{:<18} {}", c.name(), c.description()), inner.width.saturating_sub(14) as usize);
            let marker = if sel { "▶ " } else { "  " };
            let style = if sel { theme.selected() } else { theme.base() };
            lines.push(Line::from(vec![
                Span::styled(format!("{marker}{text:<w$}", w = inner.width.saturating_sub(14) as usize), style),
                Span::styled(format!(" {key:>10}"), theme.muted()),
            ]));
        }
        if self.matches.is_empty() {
            lines.push(Line::from(Span::styled("  no command matches", theme.muted())));
        }
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_finds_commands() {
        let mut p = Palette { input: "logout".into(), ..Palette::default() };
        p.refilter();
        assert_eq!(p.selected(), Some(Command::LogOutreach));
        p.input = "pipe".into();
        p.refilter();
        assert_eq!(p.selected(), Some(Command::ViewPipeline));
        assert_eq!(Palette::default().matches.len(), Command::ALL.len());
        // A command typed by its name runs that command, not the one whose description matches better.
        for name in ["close", "search", "open", "quit", "back", "log_outreach"] {
            p.input = name.into();
            p.refilter();
            assert_eq!(p.selected().map(|c| c.name()), Some(name), "{name}");
        }
    }
}
