//! CSV files: preamble (LinkedIn's "Notes:"), delimiter (`,` `;` tab), encoding, quoting checked before
//! anything is written, then rows streamed one at a time and mapped through a preset.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::presets::{Field, Preset};
use super::record::{self, RowResult, RowRules};
use super::text::{Sniff, field_text, field_text_into, open_text, strip_formula_guard};
use super::{Result, bad_file, file_err};

/// What one pass over the raw bytes found: the file's identity and whether its quoting is whole.
#[derive(Debug, Clone)]
pub struct Scan {
    pub hash: String,
    pub size: u64,
    /// The line where a quote opens that never closes.
    pub open_quote_line: Option<u64>,
    /// Line breaks in the file (CSV only; 0 otherwise): no file has more records than this plus one.
    pub lines: u64,
}

/// Hashes the file and, for CSV (`delimiter` given), follows the quoting to find a quote left open.
pub fn scan(path: &Path, delimiter: Option<u8>) -> Result<Scan> {
    #[derive(PartialEq)]
    enum S {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut file = File::open(path).map_err(|e| file_err(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    let mut state = S::FieldStart;
    let mut line = 1u64;
    let mut quote_line = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| file_err(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
        let Some(d) = delimiter else { continue };
        for &b in &buf[..n] {
            if b == b'\n' {
                line += 1;
            }
            state = match state {
                S::FieldStart if b == b'"' => {
                    quote_line = line;
                    S::Quoted
                }
                S::FieldStart | S::Unquoted if b == d || b == b'\n' => S::FieldStart,
                S::FieldStart | S::Unquoted => S::Unquoted,
                S::Quoted if b == b'"' => S::QuoteInQuoted,
                S::Quoted => S::Quoted,
                S::QuoteInQuoted if b == b'"' => S::Quoted,
                S::QuoteInQuoted if b == d || b == b'\n' || b == b'\r' => S::FieldStart,
                S::QuoteInQuoted => S::Unquoted,
            };
        }
    }
    let hash = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok(Scan { hash, size, open_quote_line: (state == S::Quoted).then_some(quote_line), lines: line - 1 })
}

/// The line (1-based) where the header row is: after LinkedIn's "Notes:" preamble, else the first line.
pub fn header_line(sample: &str) -> u64 {
    let lines: Vec<&str> = sample.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    // Excel's "sep=;" line names the delimiter of the header after it.
    if lines.get(first).is_some_and(|l| l.trim_start_matches('\u{feff}').trim().to_lowercase().starts_with("sep=")) {
        return (first + 2) as u64;
    }
    if lines.get(first).is_some_and(|l| l.trim_start_matches('\u{feff}').trim().starts_with("Notes:")) {
        // The preamble ends at the first blank line (",,,,,," once a spreadsheet saved the file again, which
        // pads every line to the header's width); the header is the next line that is not blank.
        let blank = |l: &str| l.chars().all(|c| c.is_whitespace() || matches!(c, ',' | ';' | '\t' | '"'));
        if let Some(gap) = lines.iter().skip(first).position(|l| blank(l)) {
            let from = first + gap;
            if let Some(h) = lines.iter().skip(from).position(|l| !blank(l)) {
                return (from + h + 1) as u64;
            }
        }
    }
    (first + 1) as u64
}

/// The delimiter the header row uses: the most frequent of `,` `;` tab outside quotes.
pub fn delimiter(sample: &str, header_line: u64) -> u8 {
    let line = sample.lines().nth(header_line.saturating_sub(1) as usize).unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

/// Records with the line they really start on. The csv reader dates a record from the end of the one before,
/// so a record after blank lines would be reported on the first blank line; the line the reader is on once
/// the record is read fixes it: the record starts that many lines back, less its own embedded line breaks
/// and its line break (which the last line of a file may lack: one record of lookahead tells the last).
struct Records {
    reader: csv::Reader<Box<dyn Read>>,
    /// The next record, and the line the reader was on once it was read.
    ahead: Option<(csv::ByteRecord, u64)>,
    started: bool,
    /// A record already read, whose buffers the next read fills.
    spare: Option<csv::ByteRecord>,
    /// The file's last byte so far (`LastByte`).
    last_byte: std::rc::Rc<std::cell::Cell<u8>>,
}

impl Records {
    fn new(reader: csv::Reader<Box<dyn Read>>, last_byte: std::rc::Rc<std::cell::Cell<u8>>) -> Self {
        Self { reader, ahead: None, started: false, spare: None, last_byte }
    }

    fn next(&mut self) -> csv::Result<Option<(u64, csv::ByteRecord)>> {
        if !self.started {
            self.started = true;
            self.ahead = self.read()?;
        }
        let Some((current, after)) = self.ahead.take() else { return Ok(None) };
        self.ahead = self.read()?;
        let reported = current.position().map_or(0, |p| p.line());
        let inner = current.iter().map(|f| f.iter().filter(|b| **b == b'\n').count() as u64).sum::<u64>();
        let ended = self.ahead.is_some() || matches!(self.last_byte.get(), b'\n' | b'\r');
        let line = after.saturating_sub(inner + u64::from(ended)).max(reported);
        Ok(Some((line, current)))
    }

    fn read(&mut self) -> csv::Result<Option<(csv::ByteRecord, u64)>> {
        let mut r = self.spare.take().unwrap_or_default();
        Ok(if self.reader.read_byte_record(&mut r)? { Some((r, self.reader.position().line())) } else { None })
    }

    /// Hands a record back once read, so the next row reuses its buffers.
    fn recycle(&mut self, record: csv::ByteRecord) {
        self.spare = Some(record);
    }

    fn byte(&self) -> u64 {
        self.reader.position().byte()
    }
}

/// A stream that remembers the last byte it gave: whether a file's last line ends with a line break.
struct LastByte {
    inner: Box<dyn Read>,
    last: std::rc::Rc<std::cell::Cell<u8>>,
}

impl Read for LastByte {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.last.set(buf[n - 1]);
        }
        Ok(n)
    }
}

/// A CSV file being read: its header, how its columns map, and the rows still to come.
pub struct CsvSource {
    reader: Records,
    pub headers: Vec<String>,
    pub fields: Vec<Field>,
    pub preset: Preset,
    pub delimiter: u8,
    rules: RowRules,
    /// The preset the header is, when the rep chose another.
    pub looks_like: Option<Preset>,
    /// Records read ahead: the first, and the one after a line that may be a report's title.
    pending: std::collections::VecDeque<(u64, csv::ByteRecord)>,
    /// A report's footer has begun: its further one-cell lines (the organisation's name) are no rows.
    in_footer: bool,
    /// The current row's values, reused from row to row.
    values: Vec<String>,
    /// Data records handed out so far (blank ones included): the resume position.
    pub index: u64,
}

impl CsvSource {
    pub fn open(
        path: &Path,
        sniff: &Sniff,
        preset: Option<Preset>,
        overrides: &[(String, Field)],
        mut rules: RowRules,
    ) -> Result<Self> {
        let header_at = header_line(&sniff.sample);
        let delimiter = delimiter(&sniff.sample, header_at);
        let last_byte = std::rc::Rc::new(std::cell::Cell::new(0));
        let stream = LastByte {
            inner: open_text(path, sniff.encoding, sniff.bom_len).map_err(|e| file_err(path, e))?,
            last: last_byte.clone(),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(256 * 1024)
            .from_reader(Box::new(stream) as Box<dyn Read>);
        let mut reader = Records::new(reader, last_byte);
        let headers = loop {
            let Some((line, record)) = reader.next().map_err(|e| bad_file(path, csv_message(&e)))? else {
                return Err(bad_file(path, "has no header row"));
            };
            if line >= header_at {
                break record
                    .iter()
                    .map(field_text)
                    .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                    .collect::<Vec<_>>();
            }
        };
        if headers.iter().all(|h| h.is_empty()) {
            return Err(bad_file(path, "has an empty header row"));
        }
        if let Some(what) = super::export::other_object_export(&headers) {
            return Err(bad_file(
                path,
                format!(
                    "is leadline's CSV export of {what}, which is for spreadsheets; to move {what} to another \
                     database, export them with --format jsonl and import that file"
                ),
            ));
        }
        // A preset the rep chose for a file whose header is another's: said, with the one that reads it.
        let detected = Preset::detect(&headers);
        let looks_like = preset.filter(|p| *p != detected && detected != Preset::Generic).map(|_| detected);
        let preset = preset.unwrap_or(detected);
        let fields = preset.map_columns(&headers, overrides)?;
        if !fields.iter().any(|f| {
            matches!(f, Field::FirstName | Field::LastName | Field::FullName | Field::Email | Field::Phone | Field::Id)
        }) {
            let hint =
                looks_like.map(|p| format!("; its header is {}'s (--preset {p})", p.as_str())).unwrap_or_default();
            return Err(bad_file(
                path,
                format!(
                    "no column holds a name, e-mail or phone (columns: {}){hint}; map one with --map COLUMN=FIELD",
                    headers.join(", ")
                ),
            ));
        }
        let first = loop {
            match reader.next().map_err(|e| bad_file(path, csv_message(&e)))? {
                Some((line, r)) if r.iter().any(|f| !f.iter().all(u8::is_ascii_whitespace)) => break (line, r),
                Some(_) => continue,
                None => return Err(bad_file(path, "has a header row but no data rows")),
            }
        };
        let sampled = sampled_month_first(path, sniff, delimiter, &fields);
        rules.month_first = sampled.unwrap_or_else(|| preset.month_first());
        rules.dates_from_file = sampled.is_some();
        rules.default_source = preset.default_source().map(str::to_string);
        rules.own_export = preset == Preset::Leadline;
        Ok(Self {
            reader,
            headers,
            fields,
            preset,
            delimiter,
            rules,
            looks_like,
            pending: std::collections::VecDeque::from([first]),
            in_footer: false,
            values: Vec::new(),
            index: 0,
        })
    }

    /// Bytes read so far (for the progress bar).
    pub fn byte_position(&self) -> u64 {
        self.reader.byte()
    }

    /// The next row: its record index and either a lead (None for a blank row) or a reject.
    pub fn next_row(&mut self) -> Result<Option<(u64, RowResult)>> {
        let (line, rec) = match self.pending.pop_front() {
            Some(r) => r,
            None => match self
                .reader
                .next()
                .map_err(|e| super::IoError::File { path: "csv".into(), message: csv_message(&e) })?
            {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        self.index += 1;
        // The row's values go into the strings of the row before (no allocations per field once warm).
        let values = &mut self.values;
        values.truncate(rec.len());
        for (i, field) in rec.iter().enumerate() {
            match values.get_mut(i) {
                Some(v) => {
                    v.clear();
                    field_text_into(field, v);
                }
                None => values.push(field_text(field)),
            }
            strip_formula_guard(&mut values[i]);
        }
        self.reader.recycle(rec);
        let lone = one_cell(values).map(|(at, cell)| (is_footer_line(cell), at == 0 && !cell.contains('@')));
        if self.headers.len() > 1
            && let Some((footer_line, may_be_title)) = lone
            && (self.in_footer || footer_line || (may_be_title && self.footer_next()?))
        {
            self.in_footer = true;
            return Ok(Some((self.index, Ok(None))));
        }
        let row = record::from_fields(line, &self.headers, &self.fields, &self.values, &self.rules);
        Ok(Some((self.index, row)))
    }

    /// What the row last read holds, as the summary counts it: a lead, and a deal where it gives one (a title
    /// or an amount), a touch where it is a LinkedIn connection (a profile and the day it was made).
    pub fn objects_of_row(&self) -> Vec<&'static str> {
        let given = |wanted: &[Field]| {
            self.fields.iter().zip(&self.values).any(|(f, v)| wanted.contains(f) && !v.trim().is_empty())
        };
        let mut objects = vec!["leads"];
        if given(&[Field::DealTitle, Field::DealAmount]) {
            objects.push("deals");
        }
        if given(&[Field::ProfileUrl]) && given(&[Field::ConnectedOn]) {
            objects.push("outreach");
        }
        objects
    }

    /// Whether the next record is a footer line: then the one-cell line before it is the report's title
    /// ("Lead Report"), which a report writes right above its copyright notice.
    fn footer_next(&mut self) -> Result<bool> {
        if self.pending.is_empty() {
            let next = self
                .reader
                .next()
                .map_err(|e| super::IoError::File { path: "csv".into(), message: csv_message(&e) })?;
            self.pending.extend(next);
        }
        Ok(self.pending.front().is_some_and(|(_, rec)| {
            let cells: Vec<String> = rec.iter().map(field_text).filter(|v| !v.trim().is_empty()).collect();
            matches!(cells.as_slice(), [only] if is_footer_line(only.trim()))
        }))
    }

    /// Columns read for one thing only, and otherwise not kept: a country (to place phone numbers) and web
    /// pages (a LinkedIn one is the profile).
    pub fn partly_read_columns(&self) -> Vec<String> {
        self.columns_read_as(|f| matches!(f, Field::Country | Field::Website))
    }

    /// Columns that nothing reads, so the rep can map them.
    pub fn ignored_columns(&self) -> Vec<String> {
        let mut columns = self.columns_read_as(|f| *f == Field::Ignore);
        // What leadline's own export derives (a lead's stage, its owner's id) is read back from elsewhere.
        columns.retain(|h| !self.preset.derives(h));
        columns
    }

    /// A deal's stage or dates, with no column to make a deal of (its name or amount): read, and unused.
    /// (A deal's owner still owns the person.)
    pub fn unused_deal_columns(&self) -> Vec<String> {
        if self.fields.iter().any(|f| matches!(f, Field::DealTitle | Field::DealAmount)) {
            return Vec::new();
        }
        self.columns_read_as(|f| {
            matches!(
                f,
                Field::DealCurrency
                    | Field::DealStage
                    | Field::DealStatus
                    | Field::DealClosedAt
                    | Field::DealWonAt
                    | Field::DealLostAt
                    | Field::DealLostReason
                    | Field::DealCreatedAt
                    | Field::DealId
            )
        })
    }

    fn columns_read_as(&self, pick: impl Fn(&Field) -> bool) -> Vec<String> {
        self.headers
            .iter()
            .zip(&self.fields)
            .filter(|(h, f)| !h.is_empty() && pick(f))
            // A rejects file's own columns, imported back once fixed, are not the rep's to map.
            .filter(|(h, _)| !super::import::REJECT_COLUMNS.contains(&h.as_str()))
            .map(|(h, _)| h.clone())
            .collect()
    }
}

/// How the file writes its slash dates, as most of those that read one way only show (in its first 5,000
/// rows, or as far as it takes to meet one while its dates are slash dates that read both ways, or none
/// at all): month first (3/15/2025), day first (15/03/2025), or unknown. A US tool's export from a European
/// account writes them day first, and one file is read one way (a cell written the other way is a reject).
fn sampled_month_first(path: &Path, sniff: &Sniff, delimiter: u8, fields: &[Field]) -> Option<bool> {
    const SAMPLE_ROWS: usize = 5_000;
    let dated: Vec<usize> = (0..fields.len()).filter(|&i| fields[i].is_date()).collect();
    if dated.is_empty() {
        return None;
    }
    let stream = open_text(path, sniff.encoding, sniff.bom_len).ok()?;
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(stream);
    let mut record = csv::ByteRecord::new();
    let (mut day_first, mut month_first) = (0usize, 0usize);
    // Slash dates that read both ways, and dates written otherwise (ISO), seen so far.
    let (mut ambiguous, mut other) = (false, false);
    // The preamble and the header row hold no dates, so they need not be skipped.
    let mut n = 0;
    loop {
        let undecided = day_first + month_first == 0 && (ambiguous || !other);
        if (n >= SAMPLE_ROWS && !undecided) || !reader.read_byte_record(&mut record).ok()? {
            break;
        }
        n += 1;
        for &i in &dated {
            let Some(text) = record.get(i).map(field_text) else { continue };
            match record::slash_date_order(&text) {
                Some(true) => month_first += 1,
                Some(false) => day_first += 1,
                None if record::is_slash_date(&text) => ambiguous = true,
                // A date written otherwise (ISO); the header's name is none.
                None => other |= text.trim().starts_with(|c: char| c.is_ascii_digit()),
            }
        }
    }
    match month_first.cmp(&day_first) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal => None,
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.position() {
        Some(p) => format!("line {}: {}", p.line(), e.kind_message()),
        None => e.kind_message(),
    }
}

trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for csv::Error {
    fn kind_message(&self) -> String {
        match self.kind() {
            csv::ErrorKind::Io(e) => format!("cannot be read: {e}"),
            _ => self.to_string(),
        }
    }
}

/// The only cell of a row that has one filled, and its column.
fn one_cell(values: &[String]) -> Option<(usize, &str)> {
    let mut cells = values.iter().enumerate().filter(|(_, v)| !v.trim().is_empty());
    match (cells.next(), cells.next()) {
        (Some((at, only)), None) => Some((at, only.trim())),
        _ => None,
    }
}

/// The lines a report export ends with (Salesforce's "Grand Totals (2 records)", its confidentiality
/// and copyright notices): one cell of text, no person.
fn is_footer_line(cell: &str) -> bool {
    const FOOTERS: [&str; 5] =
        ["grand totals (", "confidential information", "copyright (c)", "copyright ©", "generated by:"];
    let lower = cell.to_lowercase();
    FOOTERS.iter().any(|f| lower.starts_with(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_header_after_a_preamble() {
        let s = "Notes:\n\"When exporting your connection data, you may notice...\"\n\nFirst Name,Last Name,URL\n";
        assert_eq!(header_line(s), 4);
        assert_eq!(header_line("a,b\n1,2\n"), 1);
        assert_eq!(delimiter("a;b;\"c,d\"\n", 1), b';');
        assert_eq!(delimiter("a\tb\tc\n", 1), b'\t');
        assert_eq!(delimiter("name\n", 1), b',');
    }
}
