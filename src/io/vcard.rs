//! vCard 2.1 / 3.0 / 4.0 (phone and mail app exports): folded lines, QUOTED-PRINTABLE with charsets,
//! several e-mails and phones, escaped commas; photos and other binary data are skipped.
//! Small on purpose: the one maintained crate for this pulls a second major version of thiserror.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::record::{LeadRow, Reject, RowRules, finish};
use super::text::{FoldedLines, Sniff, field_text, open_text};
use super::{IoError, bad_file, file_err};
use crate::domain::lead::{normalize_tag, split_extension, validate_email, validate_phone, validate_url};

/// One logical line (unfolded) with the physical line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub line: u64,
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Property {
    fn param(&self, key: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    fn has_type(&self, t: &str) -> bool {
        self.params.iter().any(|(k, v)| {
            (k.eq_ignore_ascii_case("TYPE") && v.split(',').any(|x| x.trim_matches('"').eq_ignore_ascii_case(t)))
                || (v.is_empty() && k.eq_ignore_ascii_case(t))
        })
    }
}

/// Unfolds lines (RFC 6350 / 5545: a line starting with a space or tab continues the previous one; in
/// vCard 2.1 a QUOTED-PRINTABLE value ending in `=` continues on the next line) and splits each into
/// name, parameters and value. Shared with the iCalendar reader.
pub fn properties(text: &str) -> Vec<Property> {
    let mut logical: Vec<(u64, String)> = Vec::new();
    // Lines ended by CR alone (a classic Mac file) are lines all the same.
    let end = if super::text::cr_only(text) { '\r' } else { '\n' };
    for (i, raw) in text.split(end).enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let line = if i == 0 { line.trim_start_matches('\u{feff}') } else { line };
        if let Some(last) = logical.last_mut() {
            // A soft line break first: the next line is the value's own text, a space it starts with too.
            let qp = last.1.split(':').next().is_some_and(|h| h.to_uppercase().contains("QUOTED-PRINTABLE"));
            if qp && last.1.ends_with('=') {
                last.1.pop();
                last.1.push_str(line);
                continue;
            }
            if (line.starts_with(' ') || line.starts_with('\t')) && !last.1.is_empty() {
                last.1.push_str(&line[1..]);
                continue;
            }
        }
        logical.push(((i + 1) as u64, line.to_string()));
    }
    let mut out: Vec<Property> = Vec::new();
    for (line, l) in logical {
        match split_property(line, &l).filter(|p| !is_text_line(p, &l)) {
            Some(p) => out.push(p),
            // A line of a note that was not folded ("Budget: 15k EUR" under a NOTE): the note's, not lost.
            None => {
                if let Some(note) =
                    out.last_mut().filter(|p| FREE_TEXT.contains(&p.name.as_str()) && !l.trim().is_empty())
                {
                    note.value.push_str("\\n");
                    note.value.push_str(&l);
                }
            }
        }
    }
    out
}

/// The properties whose value is free text, which a line not folded may go on.
const FREE_TEXT: [&str; 4] = ["NOTE", "DESCRIPTION", "COMMENT", "SUMMARY"];

/// A line read as a property that is a line of text ("Budget: 15k EUR"): its name is written in lower case
/// letters, and is none of the properties leadline reads or an extension's (`X-…`).
fn is_text_line(p: &Property, line: &str) -> bool {
    const KNOWN: [&str; 24] = [
        "BEGIN",
        "END",
        "VERSION",
        "N",
        "FN",
        "EMAIL",
        "TEL",
        "ORG",
        "TITLE",
        "NOTE",
        "CATEGORIES",
        "URL",
        "SOCIALPROFILE",
        "ADR",
        "PHOTO",
        "KIND",
        "UID",
        "SUMMARY",
        "DTSTART",
        "DTEND",
        "ATTENDEE",
        "ORGANIZER",
        "STATUS",
        "RRULE",
    ];
    let written = line.split([';', ':']).next().unwrap_or("");
    let written = written.rsplit('.').next().unwrap_or(written);
    written.chars().any(|c| c.is_ascii_lowercase()) && !p.name.starts_with("X-") && !KNOWN.contains(&p.name.as_str())
}

/// A value marked as the one to use: `TYPE=pref` or a bare `PREF` (vCard 2.1 and 3.0), or `PREF=1` (4.0,
/// where 2 and up rank the others).
fn preferred(p: &Property) -> bool {
    p.has_type("PREF") || p.param("PREF").is_some_and(|rank| rank.is_empty() || rank.trim() == "1")
}

fn split_property(line: u64, l: &str) -> Option<Property> {
    // The value starts at the first ':' outside a quoted parameter value.
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in l.char_indices() {
        match c {
            '"' => quoted = !quoted,
            // Inside a parameter's URI written without quotes (Exchange's `TZID=tzone://Microsoft/Utc`).
            ':' if !quoted
                && l[i + 1..].starts_with("//")
                && l[..i].rsplit(';').next().is_some_and(|p| p.contains('=')) => {}
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&l[..colon], &l[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?.trim();
    // "item1.EMAIL" (Apple's groups) is an EMAIL.
    let name = name.rsplit('.').next().unwrap_or(name).to_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let params = parts
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_uppercase(), v.trim().trim_matches('"').to_string()),
            None => (p.trim().to_uppercase(), String::new()),
        })
        .collect();
    Some(Property { line, name, params, value: value.to_string() })
}

/// The value as text: QUOTED-PRINTABLE and its charset decoded.
pub fn decoded(p: &Property) -> String {
    let qp = p.param("ENCODING").is_some_and(|e| e.eq_ignore_ascii_case("QUOTED-PRINTABLE"))
        || p.params.iter().any(|(k, v)| v.is_empty() && k == "QUOTED-PRINTABLE");
    if !qp {
        return p.value.clone();
    }
    let bytes = quoted_printable(&p.value);
    let text = match p.param("CHARSET").and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes())) {
        Some(enc) => enc.decode_without_bom_handling(&bytes).0.into_owned(),
        // No charset said: UTF-8 when it is, else the legacy encoding old phones wrote.
        None => super::text::field_text(&bytes),
    };
    // Line breaks written `=0D=0A` are line breaks as the rest of leadline keeps them.
    if text.contains('\r') { text.replace("\r\n", "\n").replace('\r', "\n") } else { text }
}

fn quoted_printable(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'=' && i + 2 < b.len() + 1 {
            let hex = std::str::from_utf8(&b[i + 1..(i + 3).min(b.len())]).ok();
            if let Some(v) = hex.filter(|h| h.len() == 2).and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Splits a structured value on unescaped `sep` and unescapes each part (`\,` `\;` `\n` `\\`).
pub fn components(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => parts.last_mut().map(|p| p.push('\n')),
                Some(o) => parts.last_mut().map(|p| p.push(o)),
                None => None,
            };
        } else if c == sep {
            parts.push(String::new());
        } else if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
}

fn text(p: &Property) -> String {
    components(&decoded(p), '\u{0}').concat().trim().to_string()
}

/// Why a file read as vCard is refused whole when not one card in it is whole.
pub const NO_CONTACTS: &str = "has no contacts (BEGIN:VCARD ... END:VCARD)";

/// The cards of a file read one at a time (memory holds one card whatever the file's size): a lead each,
/// or a reject naming the card's first line.
pub struct CardStream {
    cards: Cards<BufReader<Box<dyn Read>>>,
    /// How many cards the file holds that give a lead or a reject (for the progress bar).
    pub total: u64,
}

impl CardStream {
    /// Reads the cards through once first: a file with nothing to import is refused before anything is
    /// written.
    pub fn open(path: &Path, sniff: &Sniff, rules: RowRules) -> Result<Self, IoError> {
        // Lines ended by CR alone (a classic Mac file) are lines all the same.
        let cr_only = super::text::cr_only(&sniff.sample);
        let open = || {
            let text = open_text(path, sniff.encoding, sniff.bom_len).map_err(|e| file_err(path, e))?;
            Ok::<Box<dyn Read>, IoError>(if cr_only { Box::new(super::text::CrAsLf(text)) } else { text })
        };
        let mut counting = Cards::new(BufReader::new(open()?), rules.clone());
        let mut total = 0u64;
        while counting.next().map_err(|e| file_err(path, e))?.is_some() {
            total += 1;
        }
        // Not one whole card with something in it: not a contacts file (cards cut short are rejects only
        // beside whole ones).
        if total == counting.cut.len() as u64 {
            let cut = match counting.cut.first() {
                Some(line) => format!(": the card at line {line} never ends"),
                None => String::new(),
            };
            return Err(bad_file(path, format!("{NO_CONTACTS}{cut}")));
        }
        Ok(Self { cards: Cards::new(BufReader::new(open()?), rules), total })
    }

    /// The next card's lead or reject; `None` at the end of the file.
    pub fn next_card(&mut self, path: &Path) -> Result<Option<Result<LeadRow, Reject>>, IoError> {
        self.cards.next().map_err(|e| file_err(path, e))
    }
}

/// Cards cut out of a text line by line.
struct Cards<R> {
    text: FoldedLines<R>,
    rules: RowRules,
    /// Lines read so far; the open card's first line (0: none open) and text.
    line: u64,
    first: u64,
    card: String,
    bytes: Vec<u8>,
    /// The first lines of the cards that never ended.
    cut: Vec<u64>,
    /// The first line of text outside any card since the last card's end (0: none), and that text: a card
    /// whose first line was lost, given back whole in the rejects file (a card's text is held whole anyway).
    stray: u64,
    stray_text: String,
}

/// A card's first or last line: not a folded continuation, a stray byte-order mark allowed (files joined
/// with `cat`).
fn is_card_edge(line: &str, edge: &str) -> bool {
    !line.starts_with([' ', '\t']) && line.trim_start_matches('\u{feff}').trim_end().eq_ignore_ascii_case(edge)
}

impl<R: BufRead> Cards<R> {
    fn new(text: R, rules: RowRules) -> Self {
        Self {
            text: FoldedLines::new(text),
            rules,
            line: 0,
            first: 0,
            card: String::new(),
            bytes: Vec::new(),
            cut: Vec::new(),
            stray: 0,
            stray_text: String::new(),
        }
    }

    /// The card `card` (its lines so far), which the file cut short: rejected whole, so the rejects file
    /// gives it back to be finished and imported again.
    fn never_ends(&mut self, at: u64, why: String, card: String) -> Result<LeadRow, Reject> {
        self.cut.push(at);
        Err(Reject { line: at, column: None, reason: format!("a card that never ends: {why}"), record: vec![card] })
    }

    fn next(&mut self) -> std::io::Result<Option<Result<LeadRow, Reject>>> {
        loop {
            self.bytes.clear();
            if self.text.read_line(&mut self.bytes)? == 0 {
                if self.first > 0 {
                    let at = std::mem::take(&mut self.first);
                    let card = std::mem::take(&mut self.card);
                    return Ok(Some(self.never_ends(at, "no END:VCARD before the end of the file".into(), card)));
                }
                return Ok(None);
            }
            self.line += 1;
            // Each line as UTF-8 when it is, else as the legacy encoding old phones wrote.
            let raw = field_text(&self.bytes);
            if is_card_edge(&raw, "BEGIN:VCARD") {
                self.stray = 0;
                self.stray_text.clear();
                let cut = std::mem::replace(&mut self.first, self.line);
                let unfinished = std::mem::replace(&mut self.card, raw);
                if cut > 0 {
                    let why = format!("BEGIN:VCARD again at line {}", self.line);
                    return Ok(Some(self.never_ends(cut, why, unfinished)));
                }
                continue;
            }
            // Text outside a card is a card whose first line was lost or garbled, once its end comes.
            if self.first == 0 {
                if is_card_edge(&raw, "END:VCARD") {
                    let at = match std::mem::take(&mut self.stray) {
                        0 => self.line,
                        from => from,
                    };
                    let reason = format!(
                        "a card without its beginning (no BEGIN:VCARD before its END:VCARD at line {})",
                        self.line
                    );
                    let mut card = std::mem::take(&mut self.stray_text);
                    card.push_str(&raw);
                    return Ok(Some(Err(Reject { line: at, column: None, reason, record: vec![card] })));
                }
                if self.stray == 0 && !raw.trim().is_empty() {
                    self.stray = self.line;
                }
                if self.stray > 0 {
                    self.stray_text.push_str(&raw);
                }
                continue;
            }
            self.card.push_str(&raw);
            if !is_card_edge(&raw, "END:VCARD") {
                continue;
            }
            // The card's lines are numbered from its first: moved to where it stands in the file.
            let first = std::mem::take(&mut self.first);
            let at = |line: u64| line + first - 1;
            match parse(&self.card, &self.rules).pop() {
                Some(Ok(row)) => return Ok(Some(Ok(LeadRow { line: at(row.line), ..row }))),
                Some(Err(r)) => return Ok(Some(Err(Reject { line: at(r.line), ..r }))),
                // A card with nothing to import.
                None => {}
            }
        }
    }
}

/// Every card of a text: a lead each, or a reject naming the card's first line.
pub fn parse(text_in: &str, rules: &RowRules) -> Vec<Result<LeadRow, Reject>> {
    let mut out = Vec::new();
    let mut card: Option<Vec<Property>> = None;
    for p in properties(text_in) {
        match p.name.as_str() {
            "BEGIN" if p.value.trim().eq_ignore_ascii_case("VCARD") => card = Some(vec![p]),
            "END" if p.value.trim().eq_ignore_ascii_case("VCARD") => {
                if let Some(c) = card.take() {
                    match card_to_row(&c, rules) {
                        Ok(Some(row)) => out.push(Ok(row)),
                        Ok(None) => {}
                        Err(e) => out.push(Err(e)),
                    }
                }
            }
            _ => {
                if let Some(c) = card.as_mut() {
                    c.push(p);
                }
            }
        }
    }
    out
}

fn card_to_row(card: &[Property], rules: &RowRules) -> Result<Option<LeadRow>, Reject> {
    let line = card.first().map_or(0, |p| p.line);
    // A contact group (vCard 4's KIND, Apple's own property) names a list of people, not a person.
    let kind = |p: &Property| matches!(p.name.as_str(), "KIND" | "X-ADDRESSBOOKSERVER-KIND");
    if card.iter().any(|p| kind(p) && p.value.trim().eq_ignore_ascii_case("group")) {
        let name = card.iter().find(|p| p.name == "FN").map(text).unwrap_or_default();
        return Ok(Some(LeadRow {
            line,
            first_name: name,
            skip: Some("a contact group, not a person"),
            ..Default::default()
        }));
    }
    // Each property as written, its parameters too (an encoding, a charset, a type): the card a rejects
    // file gives back must read as the original did.
    let written = |p: &Property| {
        let params: String =
            p.params.iter().map(|(k, v)| if v.is_empty() { format!(";{k}") } else { format!(";{k}={v}") }).collect();
        format!("{}{params}:{}", p.name, p.value)
    };
    let raw: Vec<String> = vec![card.iter().map(written).collect::<Vec<_>>().join("\n")];
    // A property's problem is told at its own line (a card may be long).
    let reject = |p: &Property, reason: String| Reject {
        line: p.line,
        column: Some(p.name.clone()),
        reason,
        record: raw.clone(),
    };
    let mut row =
        LeadRow { line, source: Some("import".into()), country: rules.default_country.clone(), ..Default::default() };
    let mut full = None;
    for p in card {
        match p.name.as_str() {
            "N" => {
                let c = components(&decoded(p), ';');
                row.last_name = c.first().map(|s| s.trim().to_string()).unwrap_or_default();
                row.first_name = c.get(1).map(|s| s.trim().to_string()).unwrap_or_default();
            }
            "FN" => full = Some(text(p)),
            "EMAIL" => {
                let v = text(p);
                // Outlook's Exchange addresses ("/o=ExchangeLabs/ou=...") reach no one outside the company.
                if v.is_empty() || v.get(..3).is_some_and(|x| x.eq_ignore_ascii_case("/o=")) {
                    continue;
                }
                let v = v.trim_start_matches("mailto:");
                let e = validate_email("EMAIL", v).map_err(|x| reject(p, format!("{} ('{v}')", x.reason)))?;
                if preferred(p) {
                    row.emails.insert(0, e);
                } else {
                    row.emails.push(e);
                }
            }
            "TEL" => {
                let v = text(p);
                let uri = v.strip_prefix("tel:");
                let v = crate::domain::lead::plain_phone(uri.unwrap_or(&v));
                // A tel: URI is one number (its `;ext=` is no second one); a value may list several, as a CSV
                // cell does.
                let numbers = match uri {
                    Some(_) => vec![v.trim()],
                    None => super::record::split_phones(&v),
                };
                let first_of_card = row.phones.is_empty();
                for (i, number) in numbers.into_iter().filter(|n| !n.is_empty()).enumerate() {
                    let (bare, extension) = split_extension(number);
                    let t = validate_phone("TEL", bare).map_err(|x| reject(p, format!("{} ('{number}')", x.reason)))?;
                    if let Some(x) = extension {
                        row.phone_extensions.push((t.clone(), x.to_string()));
                    }
                    if i == 0 && (preferred(p) || p.has_type("WORK") && first_of_card) {
                        row.phones.insert(0, t);
                    } else {
                        row.phones.push(t);
                    }
                }
            }
            // The organization's name, then its units: a card with a department alone names no company.
            "ORG" => {
                row.company =
                    components(&decoded(p), ';').first().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
            }
            "TITLE" => row.title = Some(text(p)).filter(|t| !t.is_empty()),
            "NOTE" => row.notes = Some(text(p)).filter(|t| !t.is_empty()),
            "CATEGORIES" => {
                for t in components(&decoded(p), ',') {
                    // Google's system groups come with every contact; they are not the rep's tags.
                    if t.trim().is_empty() || ["myContacts", "starred"].iter().any(|g| t.trim().eq_ignore_ascii_case(g))
                    {
                        continue;
                    }
                    let t = normalize_tag(&t).map_err(|x| reject(p, x.reason))?;
                    if !row.tags.contains(&t) {
                        row.tags.push(t);
                    }
                }
            }
            // vCard 4's SOCIALPROFILE (RFC 9554) names its service apart, and may give the user name alone.
            "URL" | "X-SOCIALPROFILE" | "SOCIALPROFILE" => {
                let mut v = text(p);
                // A social profile marked LinkedIn (Apple's TYPE, RFC 9554's SERVICE-TYPE) may be a user name.
                let service =
                    p.param("SERVICE-TYPE").is_some_and(|s| s.trim_matches('"').eq_ignore_ascii_case("linkedin"))
                        || (p.name != "URL" && p.has_type("linkedin"));
                if service && !v.contains('/') && !v.trim().is_empty() {
                    v = format!("https://www.linkedin.com/in/{}", v.trim());
                }
                let linkedin = v.to_lowercase().contains("linkedin.com/") || p.has_type("linkedin") || service;
                if linkedin && row.profile_url.is_none() {
                    row.profile_url = Some(validate_url(&p.name, &v).map_err(|x| reject(p, x.reason))?);
                }
            }
            "ADR" => {
                if let Some(country) = components(&decoded(p), ';').get(6).map(|s| s.trim().to_string())
                    && !country.is_empty()
                {
                    row.country = Some(country);
                }
            }
            // PHOTO, LOGO, SOUND, KEY and the rest are not CRM data.
            _ => {}
        }
    }
    // A contact saved without a name shows its address or number as its name (Outlook, Android): no name.
    let no_name = |f: &String| {
        f.is_empty()
            || (f.contains('@') && !f.contains(' '))
            || f.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))
    };
    if row.first_name.is_empty()
        && row.last_name.is_empty()
        && let Some(f) = full.filter(|f| !no_name(f))
    {
        // A company's card (Apple marks it; others give the company as its name) is named whole: "Stripe,
        // Inc." is no "Inc." of the Stripes.
        let fold = crate::domain::text::fold;
        let company_card = card.iter().any(|p| {
            (p.name == "X-ABSHOWAS" && p.value.trim().eq_ignore_ascii_case("COMPANY"))
                || (p.name == "KIND" && p.value.trim().eq_ignore_ascii_case("org"))
        }) || row.company.as_deref().is_some_and(|c| fold(c) == fold(&f));
        let (first, last) = if company_card { (f, String::new()) } else { super::record::split_name(&f) };
        row.first_name = first;
        row.last_name = last;
    }
    let nobody = row.first_name.is_empty() && row.last_name.is_empty() && row.emails.is_empty();
    if nobody && row.phones.is_empty() && row.company.is_none() {
        // An empty card (a phone's placeholder) is nothing; a card with a note and no person is said.
        // Empty values ("N:;;;;", "FN:") and Google's own group are no content.
        let blank = |p: &Property| {
            let v = p.value.trim();
            v.chars().all(|c| matches!(c, ';' | ',' | ' '))
                || (p.name == "CATEGORIES" && v.eq_ignore_ascii_case("myContacts"))
        };
        let empty = card
            .iter()
            .all(|p| matches!(p.name.as_str(), "BEGIN" | "END" | "VERSION" | "PRODID" | "REV" | "UID") || blank(p));
        if empty {
            return Ok(None);
        }
        return Err(Reject {
            line,
            column: None,
            reason: "has no name, e-mail or phone: nothing says who this is".into(),
            record: raw,
        });
    }
    super::record::one_line_labels(&mut row);
    if let Some(problem) = super::record::combined(super::record::label_problems(&row, &raw)) {
        return Err(problem);
    }
    finish(row, &raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> RowRules {
        RowRules {
            tz: chrono_tz::UTC,
            currency: "EUR".into(),
            month_first: false,
            dates_from_file: false,
            default_source: Some("import".into()),
            default_country: None,
            now: crate::domain::Timestamp(1_795_608_000_000),
            own_export: false,
        }
    }

    #[test]
    fn unfolds_and_decodes() {
        let v = "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Mu=F1oz;Jos=\r\n=E9\r\n\
                 EMAIL;INTERNET;WORK:jose@example.es\r\nEMAIL;INTERNET;HOME:pepe@example.com\r\n\
                 TEL;CELL:+34 600 11 22 33\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n AAAQABAAD/2wBD\r\n\r\n\
                 NOTE:Met at the\r\n  fair\\, stand 4\r\nEND:VCARD\r\n";
        let rows = parse(v, &rules());
        let r = rows[0].as_ref().unwrap();
        assert_eq!(r.first_name, "José");
        assert_eq!(r.last_name, "Muñoz");
        assert_eq!(r.emails, vec!["jose@example.es", "pepe@example.com"]);
        assert_eq!(r.notes.as_deref(), Some("Met at the fair, stand 4"));
    }

    #[test]
    fn a_notes_lines_left_unfolded_stay_the_notes_and_lines_may_end_in_cr_alone() {
        let v = "BEGIN:VCARD\nVERSION:3.0\nFN:Note Break\nEMAIL:nb@x.io\nNOTE:Met at the fair\nBudget: 15k EUR\n\
                 Call back in March\nX-Custom:kept apart\nEND:VCARD\n";
        let rows = parse(v, &rules());
        let r = rows[0].as_ref().unwrap();
        assert_eq!(r.notes.as_deref(), Some("Met at the fair\nBudget: 15k EUR\nCall back in March"));
        assert_eq!(r.emails, vec!["nb@x.io"]);
        let mac = parse(&v.replace('\n', "\r"), &rules());
        assert_eq!(mac.len(), 1);
        assert_eq!(mac[0].as_ref().unwrap().notes, r.notes);
    }

    #[test]
    fn soft_line_breaks_company_cards_and_written_line_breaks() {
        // A quoted-printable soft break keeps the space the next line starts with; `=0D=0A` is a line break.
        let v = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Test;Qp\r\nNOTE;ENCODING=QUOTED-PRINTABLE:Call back about the=\r\n \
                 renewal=0D=0Anext week\r\nEND:VCARD\r\n\
                 BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Stripe\\, Inc.\r\nORG:Stripe\\, Inc.\r\nX-ABShowAs:COMPANY\r\n\
                 EMAIL:billing@stripe.com\r\nEND:VCARD\r\n";
        let rows = parse(v, &rules());
        assert_eq!(rows[0].as_ref().unwrap().notes.as_deref(), Some("Call back about the renewal\nnext week"));
        let company = rows[1].as_ref().unwrap();
        assert_eq!((company.first_name.as_str(), company.last_name.as_str()), ("Stripe, Inc.", ""));
    }

    #[test]
    fn the_preferred_address_leads_and_exchange_addresses_are_left_out() {
        let v = "BEGIN:VCARD\nVERSION:4.0\nFN:Lena Berg\nN:Berg;Lena;;;\nORG:;Sales Dept\n\
                 EMAIL;PREF=2:lena.berg@hotmail.com\nEMAIL;PREF=1:lena@berg-consulting.se\n\
                 EMAIL;PREF;INTERNET:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=lena\nEND:VCARD\n";
        let rows = parse(v, &rules());
        let r = rows[0].as_ref().unwrap();
        assert_eq!(r.emails, vec!["lena@berg-consulting.se", "lena.berg@hotmail.com"]);
        assert_eq!(r.company, None, "a department is not a company");
        let google = parse("BEGIN:VCARD\nFN:Ana\nCATEGORIES:myContacts,Starred,vip\nEND:VCARD\n", &rules());
        assert_eq!(google[0].as_ref().unwrap().tags, vec!["vip"], "Google's system groups are not tags");
        let bad = parse("BEGIN:VCARD\nFN:X\nEMAIL:nope\nEND:VCARD\n", &rules());
        assert!(bad[0].as_ref().unwrap_err().reason.contains("'nope'"), "{:?}", bad[0]);
    }

    #[test]
    fn a_vcard_4_social_profile_is_read_as_a_url_or_a_user_name() {
        for (line, profile) in [
            (
                "SOCIALPROFILE;SERVICE-TYPE=LinkedIn:https://www.linkedin.com/in/maxpoe",
                "https://www.linkedin.com/in/maxpoe",
            ),
            ("SOCIALPROFILE;SERVICE-TYPE=linkedin;VALUE=text:maxpoe", "https://www.linkedin.com/in/maxpoe"),
            ("X-SOCIALPROFILE;TYPE=linkedin:maxpoe", "https://www.linkedin.com/in/maxpoe"),
        ] {
            let card = format!("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Max Poe\r\n{line}\r\nEND:VCARD\r\n");
            let rows = parse(&card, &rules());
            assert_eq!(rows[0].as_ref().unwrap().profile_url.as_deref(), Some(profile), "{line}");
        }
        let other = parse("BEGIN:VCARD\nFN:Max\nSOCIALPROFILE;SERVICE-TYPE=Mastodon:maxpoe\nEND:VCARD\n", &rules());
        assert_eq!(other[0].as_ref().unwrap().profile_url, None);
    }
}
