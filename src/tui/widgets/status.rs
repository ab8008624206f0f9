//! The tab bar at the top and the status line at the bottom, with toasts for results and errors.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit;
use crate::tui::theme::Theme;

/// A short message: a result (✓) or an error (✗), shown in the status line until it expires.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
}

pub fn tabs(frame: &mut Frame, area: Rect, theme: &Theme, tabs: &[(&str, bool)], right: &str) {
    let mut spans = vec![Span::styled(" leadline ", theme.title())];
    for (i, (name, active)) in tabs.iter().enumerate() {
        let text = format!(" {} {} ", i + 1, name);
        if *active {
            spans.push(Span::styled(format!("[{}]", text.trim()), theme.selected().fg(theme.accent)));
        } else {
            spans.push(Span::styled(text, theme.muted()));
        }
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    // A space always parts the tabs from the name on the right.
    let room = (area.width as usize).saturating_sub(used + 2);
    let right = fit(right, room);
    spans.push(Span::styled(format!(" {right:>room$} "), theme.muted()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn status(frame: &mut Frame, area: Rect, theme: &Theme, parts: &[String], toast: Option<&Toast>, pending: &str) {
    let mut left = parts.join(" │ ");
    if !pending.is_empty() {
        left.push_str(&format!(" │ keys: {pending}…"));
    }
    let width = area.width as usize;
    let line = match toast {
        Some(t) => {
            let (mark, color) = if t.error { ("✗", theme.error) } else { ("✓", theme.ok) };
            // A warning carries its own mark.
            let msg = if t.text.starts_with('⚠') { format!(" {} ", t.text) } else { format!(" {mark} {} ", t.text) };
            let msg = fit(&msg, width.saturating_sub(10).max(10));
            let room = width.saturating_sub(unicode_width::UnicodeWidthStr::width(msg.as_str()));
            Line::from(vec![
                Span::styled(format!("{:<room$}", fit(&format!(" {left}"), room)), theme.muted()),
                Span::styled(msg, Style::new().fg(color)),
            ])
        }
        None => Line::from(Span::styled(fit(&format!(" {left}"), width), theme.muted())),
    };
    frame.render_widget(Paragraph::new(line), area);
}
