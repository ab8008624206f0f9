//! Reusable pieces drawn over or around the views: forms, the palette, help, toasts, status line.

pub mod form;
pub mod help;
pub mod palette;
pub mod status;

use ratatui::layout::{Constraint, Flex, Layout, Rect};

use crate::domain::text::steers_layout;

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))]).flex(Flex::Center).areas(area);
    let [c] = Layout::horizontal([Constraint::Length(w.min(area.width))]).flex(Flex::Center).areas(v);
    c
}

/// A character as the screen shows it: a tab or line break as a space (the terminal would glue the words
/// around it), any other control character as "�" (it would move the cursor or change colours).
fn shown(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => ' ',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}

/// A text as the screen shows it: see `shown` and `steers_layout` (left out: a bidirectional override
/// reorders the rest of its line in a terminal that does bidi, and a joined emoji family takes fewer columns
/// on screen than its parts are counted for, leaving stale text beside it).
pub fn screen_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(|c| c.is_control() || steers_layout(c)) {
        s.chars().filter(|c| !steers_layout(*c)).map(shown).collect::<String>().into()
    } else {
        s.into()
    }
}

/// Moves a scrolled text by half a page (a line at least), down or up; `scrolled` keeps it within the text
/// where it is drawn.
pub fn scroll_half_page(scroll: &std::cell::Cell<usize>, page: usize, down: bool) {
    let step = page.max(2) / 2;
    scroll.set(if down { scroll.get().saturating_add(step) } else { scroll.get().saturating_sub(step) });
}

/// A text of `total` lines shown `visible` at a time from the line `scroll` holds, which is kept within the
/// text: the first line to show, and the arrows saying what is out of sight ("↑↓", "↓", "↑"), if anything.
pub fn scrolled(scroll: &std::cell::Cell<usize>, total: usize, visible: usize) -> (usize, Option<&'static str>) {
    let last_start = total.saturating_sub(visible);
    let offset = scroll.get().min(last_start);
    scroll.set(offset);
    let arrows = match (offset > 0, offset < last_start) {
        (true, true) => Some("↑↓"),
        (false, true) => Some("↓"),
        (true, false) => Some("↑"),
        (false, false) => None,
    };
    (offset, arrows)
}

/// Cuts `s` to `w` display columns, with an ellipsis when cut.
pub fn fit(s: &str, w: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let s = &*screen_text(s);
    let total: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// `s` cut to `w` display columns (`fit`) and padded with spaces to fill them: padding by characters
/// would push what follows a wide (CJK) character's cell past the edge.
pub fn fit_pad(s: &str, w: usize) -> String {
    let mut out = fit(s, w);
    let used = unicode_width::UnicodeWidthStr::width(out.as_str());
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// The end of `s` in `w` display columns, with an ellipsis in front when its start is cut: what is typed
/// last (where the cursor is) stays in sight.
pub fn fit_end(s: &str, w: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    let s = &*screen_text(s);
    if s.width() <= w {
        return s.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let cw = c.width().unwrap_or(0);
        if used + cw > w {
            break;
        }
        kept.push(c);
        used += cw;
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// `s` in lines of at most `w` display columns, broken after a space where a line has one (else inside
/// the word), at most `max` lines, the last ending with an ellipsis when text is left over.
pub fn wrap_to(s: &str, w: usize, max: usize) -> Vec<String> {
    wrap_hanging(s, w, 0, max)
}

/// `wrap_to`, with every line after the first indented by `hang` columns (still within `w`).
pub fn wrap_hanging(s: &str, w: usize, hang: usize, max: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut lines: Vec<String> = Vec::new();
    // A tab is a space on screen (the terminal would draw nothing, gluing the words around it).
    let mut rest: Vec<char> = screen_text(s).chars().collect();
    while !rest.is_empty() && lines.len() < max {
        let pad = if lines.is_empty() { 0 } else { hang.min(w / 2) };
        let w = w.saturating_sub(pad).max(1);
        // How many characters fit in `w` columns.
        let mut used = 0;
        let mut take = 0;
        for c in &rest {
            let cw = c.width().unwrap_or(0);
            if used + cw > w {
                break;
            }
            used += cw;
            take += 1;
        }
        let take = take.max(1);
        if take < rest.len() && lines.len() + 1 == max {
            lines.push(format!("{}{}", " ".repeat(pad), fit(&rest.iter().collect::<String>(), w)));
            return lines;
        }
        // Break after the last space of the line, unless that leaves it less than a third full.
        let cut = match rest[..take].iter().rposition(|c| *c == ' ') {
            Some(space) if take < rest.len() && space + 1 >= take / 3 => space + 1,
            _ => take,
        };
        lines.push(format!("{}{}", " ".repeat(pad), rest[..cut].iter().collect::<String>().trim_end()));
        rest.drain(..cut);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_by_display_width() {
        assert_eq!(wrap_to("18h ago (2026-11-25 03:22)", 16, 3), ["18h ago", "(2026-11-25", "03:22)"]);
        assert_eq!(wrap_to("株式会社東京データ処理", 8, 3), ["株式会社", "東京デー", "タ処理"]);
        assert_eq!(wrap_to("alvaro.chen.4922@juniperhealth.example", 16, 2), ["alvaro.chen.4922", "@juniperhealth.…"]);
        assert_eq!(wrap_to("short", 10, 3), ["short"]);
        assert!(wrap_to("", 10, 3).is_empty());
        assert_eq!(
            wrap_hanging(" +1 ✓ active in the last 7 days", 20, 6, 9),
            [" +1 ✓ active in the", "      last 7 days"]
        );
        assert_eq!(fit_end("ana lopez madrid", 8), "… madrid");
        assert_eq!(fit_end("東京データ", 5), "…ータ");
        assert_eq!(fit_end("ana", 8), "ana");
        assert_eq!(wrap_hanging("line2\t\"quoted\"", 40, 0, 3), ["line2 \"quoted\""], "a tab shows as a space");
        assert_eq!(fit("tab\tend\r", 20), "tab end ");
        assert_eq!(fit("\u{1b}[31mred", 20), "\u{fffd}[31mred", "an escape cannot colour the screen");
        // Nor can an override turn the line around, or a joiner make a family narrower than it is counted.
        assert_eq!(fit("\u{202e}gnirts \u{2066}x\u{2069}\u{feff}", 20), "gnirts x");
        assert_eq!(wrap_to("\u{200f}שלום\u{200b}", 10, 1), ["שלום"]);
        assert_eq!(fit("👨\u{200d}👩\u{200d}👧", 20), "👨👩👧");
        assert_eq!(fit_end("a\u{202e}bc", 8), "abc");
    }
}
