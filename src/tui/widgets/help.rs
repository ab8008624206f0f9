//! The `?` overlay: the bindings active in this view, generated from the keymap so it is never stale.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use super::{centered, fit};
use crate::tui::keymap::{Keymap, Scope};
use crate::tui::theme::Theme;

/// The furthest the help of `scope` scrolls on a terminal of `size`: its last line at the bottom.
pub fn max_scroll(keymap: &Keymap, scope: Scope, size: (u16, u16)) -> usize {
    let scopes: &[Scope] = if scope == Scope::Global { &[Scope::Global] } else { &[scope, Scope::Global] };
    let lines: usize = scopes.iter().map(|s| 1 + keymap.heard(scope, *s).count()).sum();
    // The body (the screen less its top and bottom lines), the overlay's margin, its borders.
    let shown = size.1.saturating_sub(2).saturating_sub(2).saturating_sub(2) as usize;
    lines.saturating_sub(shown)
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, keymap: &Keymap, scope: Scope, scroll: usize, hint: &str) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .style(theme.base())
        .border_type(BorderType::Rounded)
        .border_style(theme.focused_border())
        .title(Span::styled(format!(" Keys · {} ", scope.name()), theme.title()))
        .title_bottom(Line::from(hint.to_string()).style(theme.muted()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let mut lines = Vec::new();
    for s in [scope, Scope::Global] {
        if s == Scope::Global && scope == Scope::Global {
            continue;
        }
        lines.push(Line::from(Span::styled(format!("{}:", s.name()), theme.header())));
        for b in keymap.heard(scope, s) {
            let keys = format!("  {:>12}  ", b.keys_label());
            // What is left of the row after the keys: the description first, cut with "…" when it must be,
            // then the command's name when there is room for it.
            let room = (inner.width as usize).saturating_sub(keys.chars().count());
            let name = format!("  ({})", b.command.name());
            let (desc, name) = if b.desc.chars().count() + name.chars().count() <= room {
                (b.desc.clone(), name)
            } else {
                (fit(&b.desc, room), String::new())
            };
            lines.push(Line::from(vec![
                Span::styled(keys, theme.title()),
                Span::raw(desc),
                Span::styled(name, theme.muted()),
            ]));
        }
    }
    let scroll = scroll.min(lines.len().saturating_sub(inner.height as usize));
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), inner);
}
