//! The tab bar at the top and the status line at the bottom, with toasts for results and errors.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{fit, fit_pad};
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

/// The toast's text with its mark (a warning carries its own).
/// A toast as the screen shows it (`screen_text`: a name it quotes may hold what would shift the line).
fn message(t: &Toast) -> String {
    let mark = if t.error { "✗" } else { "✓" };
    let text = super::screen_text(&t.text);
    if text.starts_with('⚠') { text.into_owned() } else { format!("{mark} {text}") }
}

/// Room a toast has beside the status line's parts.
fn beside_parts(width: usize) -> usize {
    width.saturating_sub(12).max(10)
}

/// Lines a toast too long to sit beside the status line's parts takes at most, over the view's bottom.
const LONG_TOAST_LINES: usize = 3;

/// The status line: the view's parts, and a toast beside them, or over the lines above when it is long
/// (unless `one_line`: then it is cut to the line).
pub fn status(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    parts: &[String],
    toast: Option<&Toast>,
    pending: &str,
    one_line: bool,
) {
    let mut left = parts.join(" │ ");
    if !pending.is_empty() {
        left.push_str(&format!(" │ keys: {pending}…"));
    }
    let width = area.width as usize;
    let color = |t: &Toast| Style::new().fg(if t.error { theme.error } else { theme.ok });
    let line = match toast.map(|t| (t, message(t))) {
        Some((t, msg)) if unicode_width::UnicodeWidthStr::width(msg.as_str()) <= beside_parts(width) => {
            let msg = format!(" {msg} ");
            let room = width.saturating_sub(unicode_width::UnicodeWidthStr::width(msg.as_str()));
            Line::from(vec![
                Span::styled(fit_pad(&format!(" {left}"), room), theme.muted()),
                Span::styled(msg, color(t)),
            ])
        }
        Some((t, msg)) if one_line => Line::from(Span::styled(fit(&format!(" {msg}"), width), color(t))),
        // A long one is read whole: wrapped over the lines above, ending on the status line.
        Some((t, msg)) => {
            let lines = super::wrap_to(&msg, width.saturating_sub(2).max(1), LONG_TOAST_LINES);
            let height = (lines.len() as u16).min(area.y + 1);
            let over = Rect { y: area.y + 1 - height, height, ..area };
            let text: Vec<Line> =
                lines.into_iter().map(|l| Line::from(format!(" {} ", fit_pad(&l, width.saturating_sub(2))))).collect();
            frame.render_widget(ratatui::widgets::Clear, over);
            frame.render_widget(Paragraph::new(text).style(theme.base().patch(color(t))), over);
            return;
        }
        None => Line::from(Span::styled(fit(&format!(" {left}"), width), theme.muted())),
    };
    frame.render_widget(Paragraph::new(line), area);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    /// A message beside a view title with wide (CJK) characters is shown whole, up to the screen's edge.
    #[test]
    fn a_message_beside_wide_characters_is_shown_whole() {
        let mut terminal = Terminal::new(TestBackend::new(80, 1)).unwrap();
        let parts = ["LEAD".to_string(), "太郎 山田".to_string(), "inbox 39 unread".to_string()];
        let toast = Toast { text: "Added 太郎 山田".into(), error: false };
        terminal.draw(|f| status(f, f.area(), &Theme::dark(), &parts, Some(&toast), "", true)).unwrap();
        let buffer = terminal.backend().buffer();
        // A wide character's second cell is not a character of its own.
        let (mut line, mut x) = (String::new(), 0);
        while x < 80 {
            let symbol = buffer[(x, 0)].symbol();
            line.push_str(symbol);
            x += unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        }
        assert!(line.trim_end().ends_with("✓ Added 太郎 山田"), "{line:?}");
    }
}
