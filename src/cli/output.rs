//! Printing for people (aligned tables, safe text) and for scripts (JSON).

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::{CliError, CliResult};

/// Collapses whitespace and line breaks so an error stays on one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text as it can be shown in a terminal: control characters (escape sequences, line breaks inside a cell)
/// become visible escapes instead of acting on the terminal. Everything else is kept exactly.
pub fn safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push(' '),
            c if c.is_control() || is_bidi_control(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// `name` then `value` in the column after it; a value of several lines (a note) goes on, line by line, in
/// that column.
pub fn print_field(name: &str, value: &str) {
    const COLUMN: usize = 18;
    for (i, line) in value.trim_end().lines().enumerate() {
        let label = if i == 0 { name } else { "" };
        println!("{}", format!("{label:<COLUMN$}{}", safe(line)).trim_end());
    }
}

/// Characters that reorder the text after them (a right-to-left override would scramble the rest of a
/// table row): shown escaped, like control characters.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

pub fn print_json<T: Serialize + ?Sized>(value: &T) -> CliResult {
    use std::io::Write;
    // Written as it is serialised: a long list (a dry run of a large import) is never held whole.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let io = |e: std::io::Error| CliError::Io(format!("cannot write the output: {e}"));
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| CliError::Io(format!("cannot write the output: {e}")))?;
    writeln!(out).map_err(io)?;
    out.flush().map_err(io)
}

/// A list read a page at a time (`lead list`, `score`'s ranking).
pub trait PageSource {
    type Item: Serialize;
    fn next_page(&mut self) -> crate::store::Result<Option<Vec<Self::Item>>>;
}

/// Prints the pages of `source` as one table, aligned as its first page is (a wider cell further down only
/// pushes its own row); `none` when there is nothing.
pub fn print_table_pages<P: PageSource>(
    source: &mut P,
    none: &str,
    mut table: impl FnMut(&[P::Item]) -> CliResult<Table>,
) -> CliResult {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let io = |e: std::io::Error| CliError::Io(format!("cannot write the output: {e}"));
    let mut widths: Option<Vec<usize>> = None;
    while let Some(rows) = source.next_page()? {
        let t = table(&rows)?;
        let header = widths.is_none();
        let w = widths.get_or_insert_with(|| t.widths());
        out.write_all(t.render_with(w, header).as_bytes()).map_err(io)?;
    }
    if widths.is_none() {
        writeln!(out, "{none}").map_err(io)?;
    }
    out.flush().map_err(io)
}

/// Rows a listing reads a page at a time.
const LISTING_PAGE: usize = 2_000;

/// A listing of at most `limit` rows, read in pages from `read` (given how many it may give at most, it
/// gives some, or None at the end), which knows once it is done whether the limit left rows out: one
/// row past it is read ahead.
pub struct Limited<T, F> {
    read: F,
    left: usize,
    ahead: Vec<T>,
    done: bool,
    /// The limit left rows out.
    pub cut: bool,
}

impl<T, F: FnMut(usize) -> crate::store::Result<Option<Vec<T>>>> Limited<T, F> {
    pub fn new(limit: usize, read: F) -> Self {
        Self { read, left: limit, ahead: Vec::new(), done: false, cut: false }
    }
}

impl<T: Serialize, F: FnMut(usize) -> crate::store::Result<Option<Vec<T>>>> PageSource for Limited<T, F> {
    type Item = T;

    fn next_page(&mut self) -> crate::store::Result<Option<Vec<T>>> {
        if self.left == 0 {
            return Ok(None);
        }
        let want = self.left.min(LISTING_PAGE);
        let mut rows = std::mem::take(&mut self.ahead);
        while rows.len() <= want && !self.done {
            match (self.read)(want + 1 - rows.len())? {
                Some(page) => rows.extend(page),
                None => self.done = true,
            }
        }
        if rows.len() > want {
            self.ahead = rows.split_off(want);
        }
        self.left -= rows.len();
        self.cut = self.left == 0 && !self.ahead.is_empty();
        Ok((!rows.is_empty()).then_some(rows))
    }
}

/// Prints the pages of `source` as one JSON array, written as they are read: a list of a million holds a
/// page. A page that cannot be read ends the output and is the error returned.
pub fn print_json_pages<P: PageSource>(source: &mut P) -> CliResult {
    let failed = std::cell::RefCell::new(None);
    let printed = print_json(&PagedJson { source: std::cell::RefCell::new(source), failed: &failed });
    match failed.into_inner() {
        Some(e) => Err(e.into()),
        None => printed,
    }
}

struct PagedJson<'a, P> {
    source: std::cell::RefCell<&'a mut P>,
    failed: &'a std::cell::RefCell<Option<crate::store::StoreError>>,
}

impl<P: PageSource> Serialize for PagedJson<'_, P> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = s.serialize_seq(None)?;
        loop {
            let page = self.source.borrow_mut().next_page();
            match page {
                Ok(Some(rows)) => {
                    for row in &rows {
                        seq.serialize_element(row)?;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let said = e.to_string();
                    *self.failed.borrow_mut() = Some(e);
                    return Err(S::Error::custom(said));
                }
            }
        }
        seq.end()
    }
}

/// A plain aligned table; cells are made safe and cut to `max_width` columns.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    max_width: usize,
    last_whole: bool,
}

impl Table {
    pub fn new(headers: &[&str]) -> Self {
        Self {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            max_width: 40,
            last_whole: false,
        }
    }

    /// The last column is shown whole (an explanation): nothing after it to keep aligned.
    pub fn last_whole(mut self) -> Self {
        self.last_whole = true;
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        let last = cells.len().saturating_sub(1);
        let whole = self.last_whole;
        let max = self.max_width;
        self.rows.push(
            cells
                .into_iter()
                .enumerate()
                .map(|(i, c)| if whole && i == last { safe(&c) } else { cut(&safe(&c), max) })
                .collect(),
        );
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self) -> String {
        self.render_with(&self.widths(), true)
    }

    /// How wide each column is: its widest cell or header.
    pub fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                widths[i] = widths[i].max(c.width());
            }
        }
        widths
    }

    /// The rows (after the header, if asked) aligned to `widths`: a table printed in parts keeps the first
    /// part's columns. A cell wider than its column pushes the rest of its row.
    pub fn render_with(&self, widths: &[usize], header: bool) -> String {
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                s.push_str(c);
                if i + 1 < cells.len() {
                    s.push_str(&" ".repeat(widths[i].saturating_sub(c.width()) + 2));
                }
            }
            s.trim_end().to_string()
        };
        let mut out = String::new();
        if header {
            out.push_str(&line(&self.headers));
            out.push('\n');
        }
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }

    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// Cuts text to at most `max` display columns, marking the cut with `…`.
pub fn cut(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if out.width() + c.to_string().width() > max.saturating_sub(1) {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

/// The word for `n` of a thing: "pair" for 1, "pairs" otherwise.
pub fn plural(n: usize, one: &str) -> String {
    if n == 1 { one.to_string() } else { format!("{one}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing read from pages of any size keeps to its limit, and says it cut rows only when there were.
    #[test]
    fn a_limited_listing_reads_up_to_its_limit_and_knows_when_it_cut() {
        let listing = |total: usize, page: usize, limit: usize| {
            let mut next = 0;
            let mut l = Limited::new(limit, |most: usize| {
                let n = page.min(most).min(total - next);
                let rows: Vec<usize> = (next..next + n).collect();
                next += n;
                Ok((n > 0).then_some(rows))
            });
            let mut all = Vec::new();
            while let Some(rows) = l.next_page().unwrap() {
                all.extend(rows);
            }
            (all, l.cut)
        };
        assert_eq!(listing(5, 2, 10), ((0..5).collect(), false));
        assert_eq!(listing(5, 2, 5), ((0..5).collect(), false));
        assert_eq!(listing(6, 4, 5), ((0..5).collect(), true));
        assert_eq!(listing(5_000, 7, 4_500), ((0..4_500).collect(), true));
        assert_eq!(listing(0, 3, 5), (Vec::new(), false));
    }

    #[test]
    fn control_characters_are_made_visible() {
        assert_eq!(safe("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(safe("two\nlines"), "two\\nlines");
        assert_eq!(safe("emoji 🚀 عربى"), "emoji 🚀 عربى");
        assert_eq!(safe("evil\u{202E}txt.exe"), "evil\\u{202e}txt.exe");
    }

    #[test]
    fn tables_align_wide_characters() {
        let mut t = Table::new(&["name", "x"]);
        t.row(vec!["日本".into(), "1".into()]);
        t.row(vec!["ab".into(), "2".into()]);
        assert_eq!(t.render(), "name  x\n日本  1\nab    2\n");
        assert_eq!(cut("abcdef", 4), "abc…");
    }
}
