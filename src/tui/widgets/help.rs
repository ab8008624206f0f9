//! The `?` overlay: the bindings active in this view, generated from the keymap so it is never stale.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::centered;
use crate::tui::keymap::{Keymap, Scope};
use crate::tui::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap, scope: Scope, scroll: usize) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .style(theme.base())
        .border_type(BorderType::Rounded)
        .border_style(theme.focused_border())
        .title(Span::styled(format!(" Keys · {} ", scope.name()), theme.title()))
        .title_bottom(Line::from(" j/k scroll · esc close ").style(theme.muted()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut lines = Vec::new();
    for s in [scope, Scope::Global] {
        if s == Scope::Global && scope == Scope::Global {
            continue;
        }
        lines.push(Line::from(Span::styled(format!("{}:", s.name()), theme.header())));
        for b in keymap.bindings(s) {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:>12}  ", b.keys_label()), theme.title()),
                Span::raw(b.desc.clone()),
                Span::styled(format!("  ({})", b.command.name()), theme.muted()),
            ]));
        }
    }
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
