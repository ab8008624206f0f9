//! A small popup form: text fields and choice fields, the focused one edited in place.
//! What a submitted form does is decided by its `Purpose` (see `tui::forms`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::centered;
use crate::tui::forms::Purpose;
use crate::tui::theme::Theme;

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    /// One of these options; left/right cycle.
    Choice(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub label: String,
    pub value: String,
    pub kind: FieldKind,
    pub hint: String,
    /// Where typing goes in a text field, in characters from the start.
    pub cursor: usize,
    /// What a text field offers (the tags in use, lower-case): the first one that starts with what is typed
    /// shows after the cursor and → takes it; those that hold it are listed under the field.
    pub suggestions: Vec<String>,
    /// There are more than `suggestions` (the first ones alphabetically): one not among them may still exist.
    pub suggestions_cut: bool,
    /// The value is a default ("now") that what is typed or pasted first replaces; a key that edits or
    /// moves in it makes it text like any other.
    pub replaced_on_typing: bool,
}

impl Field {
    pub fn text(label: &str, value: impl Into<String>, hint: &str) -> Self {
        let value = value.into();
        let cursor = value.chars().count();
        Field {
            label: label.into(),
            value,
            kind: FieldKind::Text,
            hint: hint.into(),
            cursor,
            suggestions: Vec::new(),
            suggestions_cut: false,
            replaced_on_typing: false,
        }
    }

    /// A text field holding a default that typing replaces (`replaced_on_typing`).
    pub fn with_default(label: &str, default: &str, hint: &str) -> Self {
        Field { replaced_on_typing: true, ..Self::text(label, default, hint) }
    }

    pub fn choice(label: &str, options: Vec<String>, value: &str) -> Self {
        let value = if options.iter().any(|o| o == value) { value.to_string() } else { options[0].clone() };
        Field {
            label: label.into(),
            value,
            kind: FieldKind::Choice(options),
            hint: "←/→ to change".into(),
            cursor: 0,
            suggestions: Vec::new(),
            suggestions_cut: false,
            replaced_on_typing: false,
        }
    }

    /// The rest of the first suggestion that starts with what is typed, while the cursor is at its end.
    fn completion(&self) -> Option<&str> {
        if self.value.trim().is_empty() || self.cursor < self.value.chars().count() {
            return None;
        }
        let typed = self.value.trim_start().to_lowercase();
        self.suggestions.iter().find(|s| s.starts_with(&typed) && s.len() > typed.len()).map(|s| &s[typed.len()..])
    }

    /// The suggestions that hold what is typed, those starting with it first.
    fn matching(&self) -> Vec<&str> {
        let typed = self.value.trim().to_lowercase();
        let (mut first, rest): (Vec<&str>, Vec<&str>) = self
            .suggestions
            .iter()
            .map(String::as_str)
            .filter(|s| s.contains(&typed))
            .partition(|s| s.starts_with(&typed));
        first.extend(rest);
        first
    }

    /// The byte offset of the cursor.
    fn at(&self) -> usize {
        self.value.char_indices().nth(self.cursor).map_or(self.value.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, text: &str) {
        let at = self.at();
        self.value.insert_str(at, text);
        self.cursor += text.chars().count();
    }

    pub fn move_cursor(&mut self, to: CursorMove) {
        let chars: Vec<char> = self.value.chars().collect();
        self.cursor = match to {
            CursorMove::Left => self.cursor.saturating_sub(1),
            CursorMove::Right => (self.cursor + 1).min(chars.len()),
            CursorMove::Home => 0,
            CursorMove::End => chars.len(),
            CursorMove::WordLeft => word_start(&chars, self.cursor),
            CursorMove::WordRight => word_end(&chars, self.cursor),
        };
    }

    /// Deletes from the cursor to where `to` would move it (readline's Ctrl-W, Ctrl-U, Ctrl-K, Alt-D).
    pub fn delete_to(&mut self, to: CursorMove) {
        let from = self.cursor;
        self.move_cursor(to);
        let (a, b) = (from.min(self.cursor), from.max(self.cursor));
        self.value = self.value.chars().take(a).chain(self.value.chars().skip(b)).collect();
        self.cursor = a;
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.at();
            self.value.remove(at);
        }
    }

    /// Deletes the character under the cursor.
    pub fn delete(&mut self) {
        if self.cursor < self.value.chars().count() {
            let at = self.at();
            self.value.remove(at);
        }
    }

    /// Readline's editing keys, as in a shell: `typed` is the character a key types, if any. Returns
    /// whether the key was one of them.
    pub fn edit_key(&mut self, typed: Option<char>, k: crossterm::event::KeyEvent) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        let (ctrl, alt) = (k.modifiers.contains(KeyModifiers::CONTROL), k.modifiers.contains(KeyModifiers::ALT));
        if typed.is_some() {
            self.clear_default();
        }
        let edits = self.replaced_on_typing;
        self.replaced_on_typing = false;
        match (typed, k.code) {
            (Some(c), _) => self.insert(c.encode_utf8(&mut [0; 4])),
            (_, KeyCode::Backspace) if ctrl || alt => self.delete_to(CursorMove::WordLeft),
            (_, KeyCode::Backspace) => self.backspace(),
            (_, KeyCode::Delete) => self.delete(),
            (_, KeyCode::Home) => self.move_cursor(CursorMove::Home),
            (_, KeyCode::End) => self.move_cursor(CursorMove::End),
            (_, KeyCode::Left) if ctrl || alt => self.move_cursor(CursorMove::WordLeft),
            (_, KeyCode::Right) if ctrl || alt => self.move_cursor(CursorMove::WordRight),
            (_, KeyCode::Char('a')) if ctrl => self.move_cursor(CursorMove::Home),
            (_, KeyCode::Char('e')) if ctrl => self.move_cursor(CursorMove::End),
            (_, KeyCode::Char('u')) if ctrl => self.delete_to(CursorMove::Home),
            (_, KeyCode::Char('k')) if ctrl => self.delete_to(CursorMove::End),
            (_, KeyCode::Char('w')) if ctrl => self.delete_to(CursorMove::WordLeft),
            (_, KeyCode::Char('b')) if alt => self.move_cursor(CursorMove::WordLeft),
            (_, KeyCode::Char('f')) if alt => self.move_cursor(CursorMove::WordRight),
            (_, KeyCode::Char('d')) if alt => self.delete_to(CursorMove::WordRight),
            _ => {
                // Not an editing key: a default stays one.
                self.replaced_on_typing = edits;
                return false;
            }
        }
        true
    }

    /// Before text typed or pasted: a default the field holds (`replaced_on_typing`) goes.
    pub fn clear_default(&mut self) {
        if std::mem::take(&mut self.replaced_on_typing) {
            self.value.clear();
            self.cursor = 0;
        }
    }

    /// The text split at the cursor, as typed.
    pub fn split_at_cursor(&self) -> (&str, &str) {
        self.value.split_at(self.at())
    }
}

/// Where the text cursor goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorMove {
    Left,
    Right,
    Home,
    End,
    /// To the start of the word before the cursor (readline's Alt-B).
    WordLeft,
    /// To the end of the word after the cursor (readline's Alt-F).
    WordRight,
}

/// The char index where the word before `at` starts: spaces, then the word's characters, are passed over.
fn word_start(chars: &[char], at: usize) -> usize {
    let mut i = at;
    while i > 0 && chars[i - 1].is_whitespace() {
        i -= 1;
    }
    while i > 0 && !chars[i - 1].is_whitespace() {
        i -= 1;
    }
    i
}

/// The char index where the word after `at` ends.
fn word_end(chars: &[char], at: usize) -> usize {
    let mut i = at;
    while i < chars.len() && chars[i].is_whitespace() {
        i += 1;
    }
    while i < chars.len() && !chars[i].is_whitespace() {
        i += 1;
    }
    i
}

#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub title: String,
    /// A line above the fields (a question for confirmations).
    pub message: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub purpose: Purpose,
    /// The token of the write in flight, while the form waits for its outcome.
    pub waiting: Option<u64>,
    pub error: Option<String>,
}

impl Form {
    pub fn new(title: impl Into<String>, purpose: Purpose, fields: Vec<Field>) -> Self {
        Form { title: title.into(), message: None, fields, focus: 0, purpose, waiting: None, error: None }
    }

    pub fn with_message(mut self, m: impl Into<String>) -> Self {
        self.message = Some(m.into());
        self
    }

    /// Shows an error under the fields; the field it names ("Due: ...") takes the cursor, to be put right.
    pub fn show_error(&mut self, said: String) {
        if let Some(i) = self.fields.iter().position(|f| said.starts_with(&format!("{}:", f.label))) {
            self.focus = i;
        }
        self.error = Some(said);
    }

    pub fn value(&self, label: &str) -> &str {
        self.fields.iter().find(|f| f.label == label).map(|f| f.value.as_str()).unwrap_or("")
    }

    pub fn set_value(&mut self, label: &str, value: impl Into<String>) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.label == label) {
            f.value = value.into();
            f.cursor = f.value.chars().count();
        }
    }

    pub fn next(&mut self, delta: i64) {
        if !self.fields.is_empty() {
            let n = self.fields.len() as i64;
            self.focus = ((self.focus as i64 + delta).rem_euclid(n)) as usize;
        }
    }

    /// Cycles the focused choice (returns true if something changed); in a text field, moves the cursor.
    pub fn cycle(&mut self, delta: i64) -> bool {
        let Some(f) = self.fields.get_mut(self.focus) else { return false };
        if let FieldKind::Choice(opts) = &f.kind {
            let i = opts.iter().position(|o| *o == f.value).unwrap_or(0) as i64;
            let n = opts.len() as i64;
            f.value = opts[((i + delta).rem_euclid(n)) as usize].clone();
            return true;
        }
        if delta > 0
            && let Some(rest) = f.completion().map(str::to_string)
        {
            f.insert(&rest);
            return true;
        }
        self.move_cursor(if delta < 0 { CursorMove::Left } else { CursorMove::Right });
        false
    }

    /// The focused text field.
    fn text_field(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus).filter(|f| f.kind == FieldKind::Text)
    }

    /// The focused text field, to type into: a default it holds goes first.
    fn typed_field(&mut self) -> Option<&mut Field> {
        let f = self.text_field()?;
        f.clear_default();
        Some(f)
    }

    pub fn move_cursor(&mut self, to: CursorMove) {
        if let Some(f) = self.text_field() {
            f.move_cursor(to);
        }
    }

    /// Pasted text goes in whole at the cursor: a note keeps its line breaks, any other field takes the
    /// lines joined by spaces (an address copied with its line end is still one address).
    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.typed_field() {
            // A tab is a space (the field shows no tabs, so it would save what the rep did not see), and
            // other control characters (a pasted terminal's colours) are not text at all.
            let text = without_escapes(&text.replace("\r\n", "\n").replace('\r', "\n").replace('\t', " "));
            if matches!(f.label.as_str(), "Note" | "Notes") {
                f.insert(&text);
            } else {
                f.insert(&text.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" "));
            }
        }
    }

    /// Readline's editing keys on the focused text field (typing replaces a default it holds).
    pub fn edit_key(&mut self, typed: Option<char>, k: crossterm::event::KeyEvent) {
        if let Some(f) = self.text_field() {
            f.edit_key(typed, k);
        }
    }

    pub fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme, hints: &crate::tui::hints::Hints) {
        // Room for the whole of an error (what to do is said last), as far as the screen goes.
        let error_w = (70.min(area.width) as usize).saturating_sub(4);
        let error_lines =
            self.error.as_ref().map_or(1, |e| super::wrap_hanging(&format!("✗ {e}"), error_w, 2, 50).len());
        // The question or note above the fields, wrapped as it is drawn (a long reason, a deal's name).
        let message: Vec<String> = self.message.as_ref().map_or_else(Vec::new, |m| {
            super::wrap_hanging(&super::screen_text(m), (70.min(area.width) as usize).saturating_sub(2), 0, 50)
        });
        let message_h = if message.is_empty() { 0 } else { message.len() + 1 };
        let height = (self.fields.len() + 5 + message_h + error_lines.max(1)) as u16;
        let rect = centered(area, 70, height);
        frame.render_widget(Clear, rect);
        let block = Block::bordered()
            .style(theme.base())
            .border_type(BorderType::Rounded)
            .border_style(theme.focused_border())
            .title(Span::styled(format!(" {} ", super::screen_text(&self.title)), theme.title()))
            .title_bottom(
                Line::from(if self.fields.is_empty() { hints.confirm.as_str() } else { hints.form.as_str() })
                    .style(theme.muted()),
            );
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let label_w = self.fields.iter().map(|f| f.label.chars().count()).max().unwrap_or(0);
        let mut lines = Vec::new();
        if !message.is_empty() {
            // As the screen shows it (`screen_text`): a joined emoji in a name would shift the rest of the line.
            lines.extend(message.into_iter().map(Line::from));
            lines.push(Line::from(""));
        }
        // On a short screen the whole of an error comes before every field: the fields shown are those
        // around the one in focus (tab moves on through the others), the line below them says how many
        // are out of sight.
        let hint_h =
            usize::from(self.fields.get(self.focus).is_some_and(|f| !f.suggestions.is_empty() || !f.hint.is_empty()));
        let error_full = self.error.as_ref().map(|e| super::wrap_hanging(&format!("✗ {e}"), error_w, 2, 50));
        let below_fields = 1 + hint_h + error_full.as_ref().map_or(1, Vec::len);
        let fields_room =
            (inner.height as usize).saturating_sub(lines.len() + below_fields).max(1).min(self.fields.len());
        let first_shown = self.focus.saturating_sub(fields_room / 2).min(self.fields.len().saturating_sub(fields_room));
        let shown_fields = first_shown..first_shown + fields_room;
        // Every field keeps to one line, so the hint and the error below always show: a value longer than
        // the box scrolls to keep the cursor in view.
        let room = (inner.width as usize).saturating_sub(label_w + 5).max(8);
        for (i, f) in self.fields.iter().enumerate().filter(|(i, _)| shown_fields.contains(i)) {
            let focused = i == self.focus;
            let marker = if focused { "▶ " } else { "  " };
            // Line breaks (a pasted note) show as ⏎.
            let shown = |s: &str| super::screen_text(&s.replace('\n', "⏎")).into_owned();
            let value = match &f.kind {
                FieldKind::Text if focused => {
                    let (before, after) = f.value.split_at(f.at());
                    let (before, after) = (shown(before), shown(after));
                    // Some of what follows the cursor stays in sight too (a third of the box), so a typo
                    // fixed mid-text is read in its context.
                    let ahead = after.width().min(room / 3);
                    let kept = last_columns(&before, room.saturating_sub(2 + ahead));
                    let head = if kept.len() < before.len() { "…" } else { "" };
                    let fits = room.saturating_sub(kept.width() + head.width() + 1);
                    let tail = if after.width() > fits {
                        format!("{}…", first_columns(&after, fits.saturating_sub(1)))
                    } else {
                        after
                    };
                    format!("{head}{kept}▏{tail}")
                }
                FieldKind::Text => {
                    let v = shown(&f.value);
                    if v.width() > room { format!("{}…", first_columns(&v, room - 1)) } else { v }
                }
                FieldKind::Choice(_) => format!("‹ {} ›", f.value),
            };
            let style = if focused { theme.selected() } else { theme.base() };
            let mut spans = vec![
                Span::raw(marker),
                Span::styled(format!("{:>label_w$}: ", f.label), theme.muted()),
                Span::styled(value, style),
            ];
            // What → would take, after the cursor, dimmed.
            if focused && let Some(rest) = f.completion() {
                let room = room.saturating_sub(f.value.width() + 1);
                spans.push(Span::styled(first_columns(&super::screen_text(rest), room).to_string(), theme.muted()));
            }
            lines.push(Line::from(spans));
        }
        let (above, below) = (first_shown, self.fields.len() - shown_fields.end);
        let out_of_sight: Vec<String> = [("↑", above), ("↓", below)]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(arrow, n)| format!("{arrow} {n} more"))
            .collect();
        lines.push(match out_of_sight.is_empty() {
            true => Line::from(""),
            false => Line::from(Span::styled(format!("  {} (tab)", out_of_sight.join(" · ")), theme.muted())),
        });
        if let Some(f) = self.fields.get(self.focus) {
            let offered = f.matching();
            if !f.suggestions.is_empty() {
                // One line, so the error below keeps its place: as many as fit, then how many more.
                let width = (inner.width as usize).saturating_sub(2);
                let none =
                    if f.suggestions_cut { "not among the first tags in use" } else { "no tag in use holds this" };
                let mut said = if offered.is_empty() { none } else { "in use:" }.to_string();
                for (i, s) in offered.iter().enumerate() {
                    let more = format!(" +{}", offered.len() - i);
                    let sep = if i == 0 { " " } else { " · " };
                    let next = format!("{said}{sep}{}", super::screen_text(s));
                    if next.width() + more.width() > width && i + 1 < offered.len() || next.width() > width {
                        said.push_str(&more);
                        break;
                    }
                    said = next;
                }
                lines.push(Line::from(Span::styled(format!("  {said}"), theme.muted())));
            } else if !f.hint.is_empty() {
                lines.push(Line::from(Span::styled(format!("  {}", f.hint), theme.muted())));
            }
        }
        if let Some(e) = &self.error {
            // A long error wraps under its own text, not under the mark.
            let style = ratatui::style::Style::new().fg(theme.error);
            // As many lines as the box has left, the last ending in "…" when the text runs past it.
            let room = (inner.height as usize).saturating_sub(lines.len()).max(1);
            for line in super::wrap_hanging(&format!("✗ {e}"), (inner.width as usize).saturating_sub(2), 2, room) {
                lines.push(Line::from(Span::styled(format!("  {line}"), style)));
            }
        } else if self.waiting.is_some() {
            lines.push(Line::from(Span::styled("  saving… (typing waits until it is saved)", theme.muted())));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}

/// The longest start of `s` that fits in `room` screen columns (wide characters such as CJK take two).
fn first_columns(s: &str, room: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += c.width().unwrap_or(0);
        if used > room {
            return &s[..i];
        }
    }
    s
}

/// The longest end of `s` that fits in `room` screen columns.
fn last_columns(s: &str, room: usize) -> &str {
    let mut used = 0;
    for (i, c) in s.char_indices().rev() {
        used += c.width().unwrap_or(0);
        if used > room {
            return &s[i + c.len_utf8()..];
        }
    }
    s
}

/// Text without terminal escape sequences (colours, titles) or other control characters but line breaks.
fn without_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                // CSI: parameters, then one final byte from '@' to '~'.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC: up to BEL or ESC \.
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_text_by_screen_columns() {
        assert_eq!(first_columns("東京タワー", 5), "東京");
        assert_eq!(first_columns("abc", 5), "abc");
        assert_eq!(last_columns("東京タワー", 5), "タワー".strip_prefix('タ').unwrap());
        assert_eq!(last_columns("a東", 2), "東");
        assert_eq!(last_columns("abc", 0), "");
    }
}
