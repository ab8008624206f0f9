//! Reading text files whatever their encoding: UTF-8 with or without BOM, UTF-16 with BOM, and legacy
//! single-byte encodings (Windows-1252, Latin-1, ...) detected from a sample and converted while streaming.

use std::io::Read;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How many bytes are looked at to decide what a file is.
pub const SAMPLE_BYTES: usize = 256 * 1024;

/// What the first bytes of a file say about it.
#[derive(Debug, Clone)]
pub struct Sniff {
    pub encoding: &'static Encoding,
    /// Length of the byte-order mark to skip.
    pub bom_len: usize,
    /// The sample decoded to text (possibly cut in the middle of a line).
    pub sample: String,
    /// Read as UTF-8, the sample has bytes that are not, read as Windows-1252 (a file joined from two).
    pub legacy_bytes: bool,
}

impl Sniff {
    /// The encoding as a summary names it: both, for UTF-8 with legacy bytes.
    pub fn label(&self) -> String {
        if self.legacy_bytes {
            format!("{} with some Windows-1252", self.encoding.name())
        } else {
            self.encoding.name().to_string()
        }
    }
}

/// Decides the encoding from a sample, or says why the bytes are not a text file.
pub fn sniff(bytes: &[u8]) -> Result<Sniff, String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("the file is empty".into());
    }
    // With whether UTF-8 chosen holds bytes that are not (read as Windows-1252 one by one).
    let (encoding, bom_len, legacy_bytes) = match Encoding::for_bom(bytes) {
        Some((enc, len)) => (enc, len, false),
        None => {
            // A stray NUL in a text file is its row's problem (rejected, named); many are a binary file's.
            let nuls = bytes.iter().filter(|b| **b == 0).count();
            if nuls > 0 && (bytes[0] == 0 || (nuls > 4 && nuls * 100 > bytes.len())) {
                return Err("this is a binary file, not text (CSV, vCard, iCalendar or JSON)".into());
            }
            let (utf8_chars, stray) = utf8_and_stray(bytes);
            let folded = folded_utf8(bytes);
            if valid_utf8_prefix(bytes) || folded || utf8_chars > stray {
                (UTF_8, 0, stray > 0 && !folded)
            } else {
                let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                detector.feed(bytes, false);
                let guess = detector.guess(None, chardetng::Utf8Detection::Allow);
                // Files joined into one (`cat mac.vcf outlook.vcf`): lines of UTF-8 names beside lines of
                // Windows-1252 ones, however many of each. Read as UTF-8, the legacy bytes are read as
                // Windows-1252 one by one, and both kinds come out right; read as Windows-1252, every UTF-8
                // name would be garbled. Only a whole line of Latin letters in UTF-8 tells it: a legacy file's
                // bytes make UTF-8 characters by chance ("é" and a no-break space before "»" do), but among
                // its other accents, and seldom letters (and then only that line would be misread).
                if guess == WINDOWS_1252 && utf8_latin_lines(bytes) > 0 {
                    (UTF_8, 0, true)
                } else if !writes_words(guess, bytes) {
                    (WINDOWS_1252, 0, false)
                } else {
                    (mac_roman_or(guess, bytes), 0, false)
                }
            }
        }
    };
    let (sample, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
    let control = sample.chars().filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')).count();
    if control * 20 > sample.chars().count().max(1) {
        return Err("this is a binary file, not text (CSV, vCard, iCalendar or JSON)".into());
    }
    Ok(Sniff { encoding, bom_len, sample: sample.into_owned(), legacy_bytes })
}

/// Mac Excel's "CSV (Macintosh)" is Mac Roman, which a detector made for the web does not know and takes for
/// a Windows code page: every accent turns into a symbol or another letter ("José" as "JosŽ", "Jürgen" as
/// "Jźrgen"). It ends lines with a lone CR, as Windows never does; and the two put Western Europe's small
/// accented letters at different bytes, so the reading with more of them is the file's (Windows-1252's
/// curly quotes read as Mac Roman letters too, hence the line ends first). Saved with LF or CRLF line ends,
/// a French one gives itself away otherwise: its "Å", "ç", "è", "ê" and "ù" are bytes Windows-1252 leaves
/// undefined, found inside words ("Fran\x8dois"; a stray one in a Windows file, after a word or on its own,
/// is no evidence). (A German or Spanish one, whose letters Windows-1252 defines, is still taken for it.)
fn mac_roman_or(guess: &'static Encoding, bytes: &[u8]) -> &'static Encoding {
    let classic_mac_lines = bytes.contains(&b'\r') && !bytes.contains(&b'\n');
    let undefined_in_words = || {
        bytes.windows(3).any(|w| {
            w[0].is_ascii_alphabetic()
                && matches!(w[1], 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
                && (w[2].is_ascii_alphabetic() || w[2] >= 0x80)
        })
    };
    let mac_in_lf_lines = guess == WINDOWS_1252 && undefined_in_words();
    if !guess.is_single_byte() || !(classic_mac_lines || mac_in_lf_lines) {
        return guess;
    }
    let accents = |encoding: &'static Encoding| {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        text.chars().filter(|c| "áéíóúàèìòùâêîôûäëïöüñçãõåæøß".contains(*c)).count()
    };
    if accents(encoding_rs::MACINTOSH) > accents(guess) { encoding_rs::MACINTOSH } else { guess }
}

/// Valid UTF-8, allowing the sample to end in the middle of a character.
fn valid_utf8_prefix(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// Whether the bytes read in `encoding` hold words of its letters, when they are not Latin ones: a French
/// file whose only bytes past ASCII are no-break spaces, "€" and typographic quotes and dashes is taken by
/// the detector for a Cyrillic code page (IBM866), where they are lone letters (or two: "1 200 €") between
/// digits and spaces; Cyrillic, Greek or Hebrew text has words of three letters and more.
fn writes_words(encoding: &'static Encoding, bytes: &[u8]) -> bool {
    if !encoding.is_single_byte() || encoding == WINDOWS_1252 {
        return true;
    }
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    let foreign = |c: char| c.is_alphabetic() && !c.is_ascii() && !('\u{c0}'..='\u{24f}').contains(&c);
    let (mut any_foreign, mut run) = (false, 0);
    for c in text.chars() {
        any_foreign |= foreign(c);
        run = if foreign(c) { run + 1 } else { 0 };
        if run >= 3 {
            return true;
        }
    }
    // Latin letters only (Central European, Turkish, Baltic pages): the guess stands.
    !any_foreign
}

/// Lines that are valid UTF-8 holding Latin letters past ASCII ("Zoë", "Grün"), and no byte that is not
/// UTF-8.
fn utf8_latin_lines(bytes: &[u8]) -> usize {
    let latin_letter = |c: char| c.is_alphabetic() && ('\u{c0}'..='\u{24f}').contains(&c);
    bytes
        .split(|b| *b == b'\n' || *b == b'\r')
        .filter(|line| !line.is_ascii())
        .filter(|line| std::str::from_utf8(line).is_ok_and(|s| s.chars().any(latin_letter)))
        .count()
}

/// How many characters past ASCII are written in UTF-8, and how many bytes are not UTF-8. More of the first:
/// UTF-8 with a few legacy bytes in it (a row pasted from an older file). Read as UTF-8, each field that is
/// not is read as Windows-1252 (`field_text`), so both kinds of names come out right; read as Windows-1252,
/// every UTF-8 name would be garbled.
fn utf8_and_stray(bytes: &[u8]) -> (usize, usize) {
    let (mut utf8_chars, mut stray) = (0usize, 0usize);
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                utf8_chars += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                utf8_chars += std::str::from_utf8(valid).map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(n) => {
                        stray += 1;
                        rest = &after[n..];
                    }
                    None => break,
                }
            }
        }
    }
    (utf8_chars, stray)
}

/// A vCard or calendar in UTF-8 whose only invalid bytes are characters split by a folded line (`Jos\xC3`,
/// then ` \xA9`): some writers fold at 75 bytes without minding characters.
fn folded_utf8(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_uppercase();
    if !head.contains("BEGIN:VCARD") && !head.contains("BEGIN:VCALENDAR") {
        return false;
    }
    let mut mended = bytes.to_vec();
    mend_split_folds(&mut mended);
    // A full sample may end inside a fold, the bytes that finish its character beyond it.
    let mut end = mended.len();
    if end < SAMPLE_BYTES {
        return valid_utf8_prefix(&mended);
    }
    if matches!(mended[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    if end > 0 && mended[end - 1] == b'\n' {
        end -= 1;
        if end > 0 && mended[end - 1] == b'\r' {
            end -= 1;
        }
    }
    valid_utf8_prefix(&mended[..end])
}

/// How many bytes a UTF-8 character that starts with this byte has (0: not a first byte).
fn utf8_width(first: u8) -> usize {
    match first {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Puts back together, in place, each UTF-8 character that a folded line splits: the bytes that finish it
/// move from after the fold's space to before the line end. Unfolding then gives the same text, every line
/// is valid UTF-8, and no line moves (rejects keep their line numbers).
pub fn mend_split_folds(buf: &mut [u8]) {
    let mut from = 0;
    while let Some(nl) = buf[from..].iter().position(|&b| b == b'\n').map(|p| from + p) {
        from = nl + 1;
        if !matches!(buf.get(nl + 1), Some(b' ' | b'\t')) {
            continue;
        }
        let end = if nl > 0 && buf[nl - 1] == b'\r' { nl - 1 } else { nl };
        // The character the line ends inside: its first 1 to 3 bytes before the line end.
        let Some((start, width)) = (1..=3.min(end)).find_map(|k| {
            let start = end - k;
            let width = utf8_width(buf[start]);
            (width > k && buf[start + 1..end].iter().all(|&b| is_continuation(b))).then_some((start, width))
        }) else {
            continue;
        };
        let missing = width - (end - start);
        let rest = nl + 2;
        if rest + missing > buf.len() || !buf[rest..rest + missing].iter().all(|&b| is_continuation(b)) {
            continue;
        }
        let mut whole = buf[start..end].to_vec();
        whole.extend_from_slice(&buf[rest..rest + missing]);
        if std::str::from_utf8(&whole).is_ok() {
            buf[end..rest + missing].rotate_right(missing);
        }
    }
}

/// The lines of a folded text (vCard, iCalendar), each with the characters a fold split mended as
/// `mend_split_folds` does: a line that ends inside a character is read with the next one.
pub struct FoldedLines<R> {
    inner: R,
    /// The next line, read ahead to finish the last one's character.
    ahead: Vec<u8>,
}

impl<R: std::io::BufRead> FoldedLines<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, ahead: Vec::new() }
    }

    /// Reads the next line, its `\n` included, into `out` (cleared first); 0 at the end of the text.
    pub fn read_line(&mut self, out: &mut Vec<u8>) -> std::io::Result<usize> {
        out.clear();
        if self.ahead.is_empty() {
            self.inner.read_until(b'\n', out)?;
        } else {
            std::mem::swap(out, &mut self.ahead);
        }
        let line = out.strip_suffix(b"\n").map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        // Only a line ending in a non-ASCII byte can end inside a character: the rest are not validated twice.
        let ends_inside_a_character = line.is_some_and(|l| {
            l.last().is_some_and(|b| !b.is_ascii()) && std::str::from_utf8(l).is_err_and(|e| e.error_len().is_none())
        });
        if ends_inside_a_character {
            let first = out.len();
            self.inner.read_until(b'\n', out)?;
            mend_split_folds(out);
            let cut = out.iter().position(|&b| b == b'\n').map_or(first, |p| p + 1);
            self.ahead = out.split_off(cut);
        }
        Ok(out.len())
    }
}

/// Text of one field: UTF-8 when it is valid, else read as Windows-1252 (a stray legacy byte in a UTF-8 file).
pub fn field_text(bytes: &[u8]) -> String {
    let mut s = String::new();
    field_text_into(bytes, &mut s);
    s
}

/// `field_text` appended to a string the caller reuses.
pub fn field_text_into(bytes: &[u8], out: &mut String) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&WINDOWS_1252.decode_without_bom_handling(bytes).0),
    }
}

/// Whether a spreadsheet opening a CSV file would take this cell for a formula and run it: it starts with
/// `=`, `@`, a tab or a carriage return, or with `+` or `-` before anything but a number or a phone number
/// (so `-1+1` and `+1-2` are guarded, `-1,234.50` and `+34 600-11-22-33` are not).
pub fn looks_like_formula(cell: &str) -> bool {
    let rest = cell.get(1..).unwrap_or("");
    let is_number = || rest.chars().all(|c| c.is_ascii_digit() || " .,".contains(c));
    // A phone number has the digits of one; fewer digits between operators is arithmetic.
    let is_phone = || {
        rest.chars().all(|c| c.is_ascii_digit() || " ()-./".contains(c))
            && rest.chars().filter(char::is_ascii_digit).count() >= MIN_PHONE_DIGITS
    };
    match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('-') => !is_number(),
        Some('+') => !is_number() && !is_phone(),
        _ => false,
    }
}

/// The fewest digits a phone number written with a leading `+` has (a calling code and a short number).
const MIN_PHONE_DIGITS: usize = 7;

/// Whether an export guards this cell: a would-be formula, or one behind apostrophes of its own (so that
/// taking one apostrophe off on import gives back exactly the value).
fn needs_guard(cell: &str) -> bool {
    looks_like_formula(cell.trim_start_matches('\''))
}

/// A cell as a CSV export writes it: a would-be formula gets a leading apostrophe, which makes a spreadsheet
/// show it as text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) { format!("'{cell}").into() } else { cell.into() }
}

/// A cell as an import reads it: the apostrophe an export put before a would-be formula comes off again.
pub fn strip_formula_guard(cell: &mut String) {
    if cell.starts_with('\'') && needs_guard(&cell[1..]) {
        cell.remove(0);
    }
}

/// A reader that converts a legacy or UTF-16 stream to UTF-8 as it goes (constant memory).
pub struct Utf8Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024],
            in_start: 0,
            in_end: 0,
            output: vec![0; 3 * 64 * 1024 + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
        }
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.out_start < self.out_end {
                let n = buf.len().min(self.out_end - self.out_start);
                buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
                self.out_start += n;
                return Ok(n);
            }
            if self.eof && self.in_start == self.in_end {
                return Ok(0);
            }
            if self.in_start == self.in_end && !self.eof {
                let n = self.inner.read(&mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                if n == 0 {
                    self.eof = true;
                }
            }
            let (_, read, written, _) =
                self.decoder.decode_to_utf8(&self.input[self.in_start..self.in_end], &mut self.output, self.eof);
            self.in_start += read;
            self.out_start = 0;
            self.out_end = written;
            if self.eof && written == 0 && self.in_start == self.in_end {
                return Ok(0);
            }
        }
    }
}

pub use crate::domain::text::{fold, fold_into};

/// A file's bytes past its byte-order mark.
fn past_bom(path: &std::path::Path, bom_len: usize) -> std::io::Result<std::io::BufReader<std::fs::File>> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(bom_len as u64))?;
    Ok(std::io::BufReader::with_capacity(256 * 1024, file))
}

/// Opens a text file as UTF-8 with `\n` line ends, past its byte-order mark.
pub fn open_text(
    path: &std::path::Path,
    encoding: &'static Encoding,
    bom_len: usize,
) -> std::io::Result<Box<dyn Read>> {
    Ok(utf8_stream(past_bom(path, bom_len)?, encoding))
}

/// `open_text`, with bytes that are not text in the encoding read as U+FFFD (UTF-8 files too): for
/// parsers that take only valid UTF-8.
pub fn open_decoded(
    path: &std::path::Path,
    encoding: &'static Encoding,
    bom_len: usize,
) -> std::io::Result<Box<dyn Read>> {
    Ok(Box::new(LfReader::new(Utf8Reader::new(past_bom(path, bom_len)?, encoding))))
}

/// `open_decoded` for leadline's JSON: UTF-8, in which a byte that is none (a name saved by a legacy
/// editor) reads as Windows-1252, as a CSV field's does, rather than as U+FFFD.
pub fn open_json(
    path: &std::path::Path,
    encoding: &'static Encoding,
    bom_len: usize,
) -> std::io::Result<Box<dyn Read>> {
    if encoding != UTF_8 {
        return open_decoded(path, encoding, bom_len);
    }
    Ok(Box::new(LfReader::new(LegacyBytes::new(past_bom(path, bom_len)?))))
}

/// Text in UTF-8, each byte that is not read as Windows-1252 (what a file read as UTF-8 holds of a legacy one).
pub fn utf8_with_legacy_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    // Reading from memory cannot fail; a failure would only cut the text short.
    let _ = LegacyBytes::new(bytes).read_to_string(&mut out);
    out
}

/// UTF-8 passed through, each byte that is not read as Windows-1252.
struct LegacyBytes<R> {
    inner: R,
    /// Bytes read and not yet converted: the start of a character the next read finishes.
    pending: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    eof: bool,
}

impl<R: Read> LegacyBytes<R> {
    fn new(inner: R) -> Self {
        Self { inner, pending: Vec::new(), out: Vec::new(), at: 0, eof: false }
    }

    fn convert(&mut self) {
        self.out.clear();
        self.at = 0;
        let mut rest: &[u8] = &self.pending;
        let legacy = |b: u8, out: &mut Vec<u8>| {
            out.extend_from_slice(encoding_rs::WINDOWS_1252.decode_without_bom_handling(&[b]).0.as_bytes());
        };
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.out.extend_from_slice(s.as_bytes());
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    self.out.extend_from_slice(&rest[..valid]);
                    match e.error_len() {
                        Some(n) => {
                            rest[valid..valid + n].iter().for_each(|b| legacy(*b, &mut self.out));
                            rest = &rest[valid + n..];
                        }
                        // A character cut by the read: finished by the next one, or, at the end, legacy bytes.
                        None if self.eof => {
                            rest[valid..].iter().for_each(|b| legacy(*b, &mut self.out));
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = &rest[valid..];
                            break;
                        }
                    }
                }
            }
        }
        self.pending = rest.to_vec();
    }
}

impl<R: Read> Read for LegacyBytes<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.at < self.out.len() {
                let n = buf.len().min(self.out.len() - self.at);
                buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            if self.eof {
                return Ok(0);
            }
            let mut chunk = [0u8; 64 * 1024];
            let n = self.inner.read(&mut chunk)?;
            self.eof = n == 0;
            self.pending.extend_from_slice(&chunk[..n]);
            self.convert();
        }
    }
}

/// Wraps a reader positioned after the BOM so that it yields UTF-8 with `\n` line ends.
pub fn utf8_stream<'a, R: Read + 'a>(inner: R, encoding: &'static Encoding) -> Box<dyn Read + 'a> {
    if encoding == UTF_8 {
        Box::new(LfReader::new(inner))
    } else {
        Box::new(LfReader::new(Utf8Reader::new(inner, encoding)))
    }
}

/// Whether a text's lines end in CR alone (a classic Mac file): CRs and no LF.
pub fn cr_only(sample: &str) -> bool {
    sample.contains('\r') && !sample.contains('\n')
}

/// A text whose lines end in CR alone read with LF instead, for readers that split lines at LF.
pub struct CrAsLf<R>(pub R);

impl<R: Read> Read for CrAsLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(out)?;
        out[..n].iter_mut().filter(|b| **b == b'\r').for_each(|b| *b = b'\n');
        Ok(n)
    }
}

/// Turns CRLF into LF (a lone CR is kept): line numbers then count the same whatever wrote the file,
/// and text with line breaks (notes, titles) is stored one way.
pub struct LfReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// A CR at the end of the last chunk, not yet known to be part of a CRLF.
    pending_cr: bool,
}

impl<R: Read> LfReader<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, buf: vec![0; 64 * 1024], pending_cr: false }
    }
}

impl<R: Read> Read for LfReader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let want = out.len().min(self.buf.len()).saturating_sub(1).max(1);
            let n = self.inner.read(&mut self.buf[..want])?;
            if n == 0 {
                if self.pending_cr {
                    self.pending_cr = false;
                    out[0] = b'\r';
                    return Ok(1);
                }
                return Ok(0);
            }
            let mut w = 0;
            let mut i = 0;
            if self.pending_cr {
                self.pending_cr = false;
                if self.buf[0] != b'\n' {
                    out[w] = b'\r';
                    w += 1;
                }
            }
            while i < n {
                let b = self.buf[i];
                if b == b'\r' {
                    if i + 1 == n {
                        self.pending_cr = true;
                    } else if self.buf[i + 1] != b'\n' {
                        out[w] = b'\r';
                        w += 1;
                    }
                } else {
                    out[w] = b;
                    w += 1;
                }
                i += 1;
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

/// True for encodings whose bytes keep ASCII where ASCII is (so delimiters and quotes can be scanned raw).
pub fn ascii_compatible(encoding: &'static Encoding) -> bool {
    encoding != UTF_16LE && encoding != UTF_16BE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_bytes_among_utf8_read_as_windows_1252_whatever_the_reads_cut() {
        /// Hands out one byte a read: every character is cut.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = *first;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut out = String::new();
        LegacyBytes::new(Trickle(b"Jos\xc3\xa9 Caf\xe9 \xe2\x82\xac \x80 end\xc3")).read_to_string(&mut out).unwrap();
        assert_eq!(out, "José Café € € endÃ");
    }

    #[test]
    fn tells_encodings_apart() {
        assert_eq!(sniff(b"\xEF\xBB\xBFa,b\n").unwrap().bom_len, 3);
        assert_eq!(sniff("Año,Ñandú\n".as_bytes()).unwrap().encoding, UTF_8);
        let latin = b"Nombre;Empresa\nJos\xe9;Caf\xe9s Mu\xf1oz S.L.\nAna;Peque\xf1a\n";
        let s = sniff(latin).unwrap();
        assert_ne!(s.encoding, UTF_8);
        assert!(s.sample.contains("José"), "{}", s.sample);
        // Mac Excel's "CSV (Macintosh)": Mac Roman, with CR line ends.
        let mac = b"Nombre;Apellidos;Empresa\rJos\x8e;N\x9c\x96ez;Caf\x8e \x84and\x9c\r";
        let s = sniff(mac).unwrap();
        assert_eq!(s.encoding, encoding_rs::MACINTOSH);
        assert!(s.sample.contains("José;Núñez;Café Ñandú"), "{}", s.sample);
        // German names alone, which a detector takes for Central European.
        let german = b"First Name,Last Name,City\rJ\x9frgen,M\x9fller,K\x9aln\rBj\x9arn,K\x9ahler,K\x9aln\r";
        let s = sniff(german).unwrap();
        assert_eq!(s.encoding, encoding_rs::MACINTOSH);
        assert!(s.sample.contains("Jürgen,Müller,Köln"), "{}", s.sample);
        // Saved with LF line ends instead, French names have bytes Windows-1252 does not define ("ç" is 0x8D,
        // "è" 0x8F).
        let mac_lf = b"First Name,Last Name,Company\nFran\x8dois,Lef\x8fvre,Soci\x8et\x8e G\x8en\x8erale\nJ\x9frgen,M\x9fller,B\x8ackerei\n";
        let s = sniff(mac_lf).unwrap();
        assert_eq!(s.encoding, encoding_rs::MACINTOSH);
        assert!(s.sample.contains("François,Lefèvre,Société Générale\nJürgen,Müller,Bäckerei"), "{}", s.sample);
        // One such letter is enough.
        let one = b"First Name,Last Name,Email,Company\nFran\x8dois,Dupont,fd@sg.fr,Soci\x8et\x8e\nJos\x8e,Mart\x92nez,jm@x.es,Caf\x8e\n";
        assert_eq!(sniff(one).unwrap().encoding, encoding_rs::MACINTOSH);
        // Windows-1252 with its quotes and dashes stays so, whatever its line ends, and with a stray byte it
        // does not define.
        for windows in [
            &b"Name;Note\nRen\xe9e;\x93Great\x94 call \x96 she\x92s keen\x81\nAna;\x93ok\x94\n"[..],
            &b"Name;Note\nRen\xe9e;\x93best\x94 client \x96 don\x92t lose\n"[..],
            b"Name;Note\rJ\xfcrgen;Gr\xfc\xdfe\r",
        ] {
            assert_eq!(sniff(windows).unwrap().encoding, encoding_rs::WINDOWS_1252);
        }
        assert!(sniff(b"").is_err());
        assert!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0").unwrap_err().contains("binary"));
    }

    #[test]
    fn files_joined_into_one_keep_their_utf8_names_beside_legacy_ones() {
        // A UTF-8 name, then a Windows-1252 row with more accents than it has.
        let mut joined = "Name,Note\nZoë Grün,\n".as_bytes().to_vec();
        joined.extend_from_slice(b"Jos\xe9 Ma\xf1ana,Caf\xe9 ol\xe9 \xe0 \xe9t\xe9 d\xe9j\xe0 vu\n");
        assert_eq!(sniff(&joined).unwrap().encoding, UTF_8);
        assert_eq!(sniff(&joined).unwrap().label(), "UTF-8 with some Windows-1252");
        assert_eq!(sniff("Zoë Grün\n".as_bytes()).unwrap().label(), "UTF-8");
        // A Windows-1252 file whose bytes make a UTF-8 letter by chance (here "Ã©", which is "é" in UTF-8 read
        // as Windows-1252) is read as UTF-8 all the same: every other byte reads as Windows-1252.
        let mut chance = b"Name\nRen\xe9e\nJ\xfcrgen Gr\xfc\xdfe\nFran\xe7ois\nSe\xf1or\n".repeat(3);
        chance.extend_from_slice(b"Caf\xc3\xa9\n");
        assert_eq!(sniff(&chance).unwrap().encoding, UTF_8);
        assert!(utf8_with_legacy_bytes(&chance).ends_with("Renée\nJürgen Grüße\nFrançois\nSeñor\nCafé\n"));
        // Nor a French one whose "é" and no-break space before "»" make a UTF-8 character (not a letter).
        let french = b"Titre\n\xab\xa0Pr\xe9sentation g\xe9n\xe9rale\xa0\xbb\nD\xe9jeuner au caf\xe9\xa0\xbb\nle caf\xe9\xa0\xbb\n";
        assert_eq!(sniff(french).unwrap().encoding, encoding_rs::WINDOWS_1252);
        // A French file whose only bytes past ASCII are no-break spaces, "€" and typographic punctuation is
        // no Cyrillic one (a detector takes it for IBM866).
        let prices = "Notes\nPrix : 1\u{a0}200\u{a0}€ – “remise” possible\nBudget 12\u{a0}000\u{a0}€ HT\n";
        let (prices, _, _) = encoding_rs::WINDOWS_1252.encode(prices);
        assert_eq!(sniff(&prices).unwrap().encoding, encoding_rs::WINDOWS_1252);
        // Nor is a Cyrillic file read as UTF-8 for its "\u{415}\u{451}", valid UTF-8 in Windows-1251.
        let (cyrillic, _, _) = encoding_rs::WINDOWS_1251.encode("Имя\nЕё звали Дарья Петрова\nЕё брат Иван\n");
        assert_ne!(sniff(&cyrillic).unwrap().encoding, UTF_8);
    }

    #[test]
    fn characters_split_by_a_folded_line_are_mended_in_place() {
        let split = b"BEGIN:VCARD\r\nFN:Jos\xC3\r\n \xA9 L\xC3\xB3pez \xE2\x82\n\t\xAC\nNOTE:x\n";
        let s = sniff(split).unwrap();
        assert_eq!(s.encoding, UTF_8);
        let mut mended = split.to_vec();
        mend_split_folds(&mut mended);
        // The same lines, the same unfolded text.
        assert_eq!(mended, b"BEGIN:VCARD\r\nFN:Jos\xC3\xA9\r\n  L\xC3\xB3pez \xE2\x82\xAC\n\t\nNOTE:x\n");
        // A first byte with nothing to finish it after the fold is left alone.
        let mut unfinished = b"NOTE:\xC3\n x\n".to_vec();
        mend_split_folds(&mut unfinished);
        assert_eq!(unfinished, b"NOTE:\xC3\n x\n");
        let mut lines = FoldedLines::new(&split[..]);
        let (mut line, mut read) = (Vec::new(), Vec::new());
        while lines.read_line(&mut line).unwrap() > 0 {
            read.extend_from_slice(&line);
        }
        assert_eq!(read, mended);
        // A full sample that ends inside a fold, before the bytes that finish the character.
        for end in [&b"FN:Jos\xC3\n"[..], b"FN:Jos\xC3\r\n ", b"FN:\xE2\x82\n"] {
            let mut cut = b"BEGIN:VCARD\n".to_vec();
            cut.resize(SAMPLE_BYTES - end.len(), b'x');
            cut.extend_from_slice(end);
            assert_eq!(sniff(&cut).unwrap().encoding, UTF_8, "{end:?}");
        }
        // A legacy file is not taken for UTF-8, and a CSV is not mended.
        assert_ne!(sniff(b"BEGIN:VCARD\nFN:Jos\xE9\n").unwrap().encoding, UTF_8);
        // UTF-8 names beside a stray legacy one: UTF-8, the stray field read on its own.
        let mixed = b"first_name,last_name\nMar\xc3\xada,L\xc3\xb3pez\nRen\xe9,Dupont\n";
        assert_eq!(sniff(mixed).unwrap().encoding, UTF_8);
        assert_eq!(field_text(b"Ren\xe9"), "Ren\u{e9}");
        // Legacy text that happens to hold one valid UTF-8 pair stays legacy.
        assert_ne!(sniff(b"a,b\nM\xfcller,\xc3\xa9\nJos\xe9,G\xf6tz\n").unwrap().encoding, UTF_8);
        assert_ne!(sniff(b"name\nJos\xC3\n \xA9\n").unwrap().encoding, UTF_8);
    }

    #[test]
    fn converts_while_streaming() {
        let mut out = String::new();
        Utf8Reader::new(&b"Jos\xe9 \x80"[..], WINDOWS_1252).read_to_string(&mut out).unwrap();
        assert_eq!(out, "José €");
        assert_eq!(field_text(b"Caf\xe9"), "Café");
        let mut lf = String::new();
        LfReader::new(&b"a\r\nb\rc\r\n\r"[..]).read_to_string(&mut lf).unwrap();
        assert_eq!(lf, "a\nb\rc\n\r");
    }

    #[test]
    fn tells_formulas_from_numbers_and_phones() {
        for cell in ["=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3+x", "\tx", "\rx", "-1+1", "+1-2", "-5-3", "+(1)/2"]
        {
            assert!(looks_like_formula(cell), "{cell:?}");
        }
        for cell in [
            "+34 600 11 22 33",
            "+34-600-11-22-33",
            "-12.5",
            "-1,234.50",
            "+1 (415) 555-0100",
            "+44 20/7946.0958",
            "+",
            "-",
            "",
            "Ana",
            "a=b",
            "'=x",
        ] {
            assert!(!looks_like_formula(cell), "{cell:?}");
        }
        let mut cell = spreadsheet_safe("=x").into_owned();
        assert_eq!(cell, "'=x");
        strip_formula_guard(&mut cell);
        assert_eq!(cell, "=x");
        let mut quoted = String::from("'quoted'");
        strip_formula_guard(&mut quoted);
        assert_eq!(quoted, "'quoted'");
        // Whatever a value is, export then import gives it back.
        for value in ["'=x", "''@home", "'-not a number", "'", "''", "'plain", "=x", "-12", "+34 600"] {
            let mut back = spreadsheet_safe(value).into_owned();
            strip_formula_guard(&mut back);
            assert_eq!(back, value);
        }
    }
}
