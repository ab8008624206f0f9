//! Who a text names, and the text without them: a person's name, addresses, numbers and profiles, compared
//! as people write them (case, accents, apostrophes, spacing and the number's form aside), each only where it
//! stands whole: `ana@x.es` is not in `mariana@x.es`, nor `linkedin.com/in/kim` in `…/in/kimberg-lund`, nor
//! "Kim Berg" in "Kim Berg-Lund".

use super::ERASED;
use crate::domain::phone_keys::{national_part, phone_key};
use crate::io::text::{fold, fold_into};
use crate::store::forgotten::Former;
use crate::store::leads::Lead;

/// What a text may name a person by.
#[derive(Clone)]
pub(super) struct Person {
    /// Its own e-mail and its other ones (and, when forgotten, those it had or was reached at), folded.
    pub(super) emails: Vec<String>,
    pub(super) numbers: Vec<Number>,
    /// Its profiles, without their scheme and `www.` ("linkedin.com/in/ana").
    pub(super) profiles: Vec<String>,
    pub(super) first: String,
    pub(super) last: String,
    /// The whole name as people write it: "kim berg", "berg, kim", "jean luc" for "Jean-Luc", "mueller" for
    /// "Müller", "obrien" for "O'Brien". Empty without both a first and a last name, unless `words`.
    pub(super) spellings: Vec<String>,
    /// A word of their name alone names them (a text about them). Not in another person's record, where
    /// "Kim" is anyone: there only the whole name does, given first and last.
    pub(super) words: bool,
    /// The team's country, where a number written without its calling code is placed.
    country: Option<String>,
}

/// A phone number: its key (E.164 where the calling code is known) and, for a calling code leadline knows,
/// the calling code, the number without it, and the country's trunk prefix (the 0 dialled at home).
#[derive(Clone)]
pub(super) struct Number {
    key: String,
    national: Option<(&'static str, String, Option<char>)>,
}

impl Number {
    fn of(raw: &str, country: Option<&str>) -> Option<Self> {
        let key = phone_key(raw, country)?;
        Some(Number { national: national_part(&key), key })
    }

    /// Whether a number as written in a text (`digits`: its digits) is this one: with its calling code
    /// ("+46 8 555 1234", "0046 …"), or as dialled at home ("08-555 1234"), or without the trunk.
    fn is(&self, written: &str, digits: &str) -> bool {
        if written.trim_start().starts_with('+') || digits.starts_with("00") {
            return phone_key(written, None).is_some_and(|k| k == self.key);
        }
        match &self.national {
            Some((cc, national, trunk)) => {
                digits == national
                    || (*trunk).is_some_and(|t| digits.strip_prefix(t) == Some(national.as_str()))
                    || digits.strip_prefix(*cc) == Some(national.as_str())
            }
            None => digits.trim_start_matches('0') == self.key.trim_start_matches(['+', '0']),
        }
    }
}

impl Person {
    /// A person by name alone; `also` adds what else names them.
    pub(super) fn named(first: &str, last: &str, country: Option<&str>) -> Self {
        Person {
            emails: Vec::new(),
            numbers: Vec::new(),
            profiles: Vec::new(),
            first: plain_apostrophes(&fold(first.trim())),
            last: plain_apostrophes(&fold(last.trim())),
            spellings: spellings(first.trim(), last.trim()),
            words: true,
            country: country.map(str::to_string),
        }
    }

    pub(super) fn of(l: &Lead, country: Option<&str>) -> Self {
        let mut p = Person::named(&l.first_name, &l.last_name, country);
        let own = l.email.iter().chain(&l.other_emails).map(|e| (Former::Email, e.as_str()));
        let own = own.chain(l.phone.iter().map(|n| (Former::Phone, n.as_str())));
        for (kind, value) in own.chain(l.profile_url.iter().map(|u| (Former::Profile, u.as_str()))) {
            p.also(kind, value);
        }
        p
    }

    /// The person named in another's record: by their whole name and what `also` adds, not a word alone.
    pub(super) fn by_whole_name(first: &str, last: &str, country: Option<&str>) -> Self {
        let mut p = Person::named(first, last, country);
        p.words = false;
        if p.first.is_empty() || p.last.is_empty() {
            p.spellings.clear();
        }
        if p.first.is_empty() || p.last.is_empty() {
            p.spellings.clear();
        }
        p
    }

    /// Another address, number or profile that names the person.
    pub(super) fn also(&mut self, kind: Former, value: &str) {
        match kind {
            Former::Email => self.emails.push(fold(crate::domain::lead::bare_address(value))),
            Former::Phone => self.numbers.extend(Number::of(value, self.country.as_deref())),
            Former::Profile => {
                let canonical = crate::domain::lead::canonical_profile(value).to_lowercase();
                let path = canonical.split_once("://").map_or(canonical.as_str(), |(_, rest)| rest);
                let path = path.trim_start_matches("www.").trim_end_matches('/');
                if path.len() > 4 {
                    self.profiles.push(path.to_string());
                }
            }
        }
    }

    /// Whether a text holds one of the person's numbers.
    fn has_number_in(&self, text: &str) -> bool {
        number_runs(text).iter().any(|run| run.candidates().any(|(start, end)| self.is_number(&text[start..end])))
    }

    pub(super) fn is_number(&self, written: &str) -> bool {
        let digits: String = written.chars().filter(char::is_ascii_digit).collect();
        self.numbers.iter().any(|n| n.is(written, &digits))
    }

    /// The digits each of the person's numbers shows in any form it is written in (its national part).
    pub(super) fn number_digits(&self) -> impl Iterator<Item = String> + '_ {
        self.numbers.iter().map(|n| match &n.national {
            Some((_, national, _)) => national.clone(),
            None => n.key.trim_start_matches(['+', '0']).to_string(),
        })
    }

    /// Whether a row names this person: by e-mail or phone in any cell, or by first and last name (in two
    /// cells, or together in one). A namesake's rejected row goes too; erasing is the side to err on.
    pub(super) fn named_in(&self, cells: &[String]) -> bool {
        let full = format!("{} {}", self.first, self.last);
        let by_name = !self.first.is_empty()
            && if self.last.is_empty() {
                cells.contains(&self.first)
            } else {
                cells.iter().any(|c| c.contains(&full)) || (cells.contains(&self.first) && cells.contains(&self.last))
            };
        by_name || cells.iter().any(|c| self.emails.iter().any(|e| c.contains(e.as_str())) || self.has_number_in(c))
    }
}

/// The whole name's spellings, folded: as written, surname first with a comma, hyphens as spaces, German
/// umlauts written out, apostrophes left out.
fn spellings(first: &str, last: &str) -> Vec<String> {
    let full = format!("{first} {last}");
    let mut forms = vec![full.clone()];
    if !first.is_empty() && !last.is_empty() {
        forms.push(format!("{last}, {first}"));
    }
    forms.push(full.replace('-', " "));
    let umlauts = [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")];
    forms.push(umlauts.iter().fold(full.clone(), |s, (from, to)| s.replace(from, to)));
    forms.push(plain_apostrophes(&full).replace('\'', ""));
    let mut folded: Vec<String> = forms
        .iter()
        .map(|f| plain_apostrophes(&fold(f.trim().trim_end_matches(',').trim())))
        .filter(|f| !f.is_empty())
        .collect();
    folded.sort();
    folded.dedup();
    folded
}

/// Words of a name that are no name on their own ("María del Carmen", "van der Berg"): not erased where
/// they stand alone in a text.
const NAME_PARTICLES: [&str; 16] =
    ["de", "del", "la", "las", "los", "le", "da", "di", "du", "dos", "das", "van", "von", "der", "den", "y"];

/// Apostrophes as one: a name typed on one machine as "O'Neil" is "O’Neil" on another (Word, macOS).
pub(super) fn plain_apostrophes(s: &str) -> String {
    s.replace(['\u{2019}', '\u{2018}', '\u{2bc}', '`'], "'")
}

/// One character of a text folded onto `out` as names are compared: a run of spaces or line ends is one
/// space, as between the words of a name; apostrophes are one.
pub(super) fn fold_char(c: char, out: &mut String) {
    match c {
        c if c.is_whitespace() => {
            if !out.ends_with(' ') {
                out.push(' ');
            }
        }
        '\u{2019}' | '\u{2018}' | '\u{2bc}' | '`' => out.push('\''),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => fold_into(c.encode_utf8(&mut [0; 4]), out),
    }
}

/// What a needle is, for where it may stand in a text.
#[derive(Clone, Copy, PartialEq)]
enum Needle {
    Name,
    Email,
    Profile,
}

/// A text written about people without what names them: an address of theirs, their number, a profile,
/// their name (whole, or any word of it where `words`), each written `(erased)` ("Ana's request from
/// ana@acme.es" is "(erased)'s request from (erased)").
pub(super) fn without_the_person(text: &str, people: &[&Person]) -> String {
    // The text folded a character at a time, each folded byte knowing the character it came from; a run of
    // spaces or line ends is one space, as between the words of a name.
    let (mut folded, mut origin) = (String::with_capacity(text.len()), Vec::with_capacity(text.len()));
    for (at, c) in text.char_indices() {
        let before = folded.len();
        fold_char(c, &mut folded);
        origin.extend(std::iter::repeat_n((at, at + c.len_utf8()), folded.len() - before));
    }
    let mut cut: Vec<(usize, usize)> = Vec::new();
    for p in people {
        // Each word of the name, a hyphenated one whole and in its parts ("Jean-Luc", "Luc").
        let whole_words = p.first.split(' ').chain(p.last.split(' ')).filter(|_| p.words);
        let words = whole_words.flat_map(|w| std::iter::once(w).chain(w.split('-').filter(move |_| w.contains('-'))));
        let names = p
            .spellings
            .iter()
            .cloned()
            .chain(words.filter(|w| w.chars().count() >= 2 && !NAME_PARTICLES.contains(w)).map(str::to_string));
        let needles = names.map(|n| (n, Needle::Name)).chain(p.emails.iter().map(|e| (e.clone(), Needle::Email)));
        for (needle, kind) in needles.chain(p.profiles.iter().map(|u| (u.clone(), Needle::Profile))) {
            if needle.is_empty() {
                continue;
            }
            for (start, _) in folded.match_indices(needle.as_str()) {
                let end = start + needle.len();
                if let Some(span) = stands_whole(&folded, start, end, kind) {
                    cut.push((origin[span.0].0, origin[span.1 - 1].1));
                }
            }
        }
    }
    for run in number_runs(text) {
        let mut candidates = run.candidates().peekable();
        let mut taken_to = 0;
        while let Some((start, end)) = candidates.next() {
            if start < taken_to {
                continue;
            }
            if people.iter().any(|p| p.is_number(&text[start..end])) {
                cut.push((start, end));
                taken_to = end;
                while candidates.peek().is_some_and(|(s, _)| *s < end) {
                    candidates.next();
                }
            }
        }
    }
    // Overlapping stretches (a full name and its words), or ones only spaces apart ("GARCÍA LÓPEZ" met word
    // by word), are erased as one.
    cut.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in cut {
        let joined = from > 0 && start >= from && text[from..start].trim().is_empty();
        if start >= from && !joined {
            out.push_str(&text[from..start]);
            out.push_str(ERASED);
        }
        from = from.max(end);
    }
    out.push_str(&text[from..]);
    out
}

/// The stretch of the folded text a needle found at `start..end` erases, if it stands there whole: a name
/// not inside a word or a hyphenated name, an address not inside a longer one, a profile not inside a longer
/// one (and then with the web address around it).
fn stands_whole(folded: &str, start: usize, end: usize, kind: Needle) -> Option<(usize, usize)> {
    let before = folded[..start].chars().next_back();
    let after = folded[end..].chars().next();
    let after_next = folded[end..].chars().nth(1);
    let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    // A '.' or '-' between letters goes on with the word ("berg-lund", "berg.io.com").
    let goes_on = alnum(after) || (matches!(after, Some('-' | '.' | '_')) && alnum(after_next));
    match kind {
        Needle::Name => {
            let before_prev = folded[..start].chars().rev().nth(1);
            let came_on = alnum(before) || (before == Some('-') && alnum(before_prev));
            (!came_on && !goes_on).then_some((start, end))
        }
        Needle::Email => {
            let in_local = before.is_some_and(|c| c.is_alphanumeric() || ".-_+%'".contains(c));
            (!in_local && !goes_on).then_some((start, end))
        }
        Needle::Profile => {
            if alnum(before) || goes_on {
                return None;
            }
            // The whole web address it stands in goes with it.
            let in_address = |c: char| c.is_alphanumeric() || ".-_+@:/%~?=&#".contains(c);
            let (mut start, mut end) = (start, end);
            while let Some(c) = folded[..start].chars().next_back().filter(|c| in_address(*c)) {
                start -= c.len_utf8();
            }
            while let Some(c) = folded[end..].chars().next().filter(|c| in_address(*c)) {
                end += c.len_utf8();
            }
            Some((start, end))
        }
    }
}

/// A stretch of a text that may hold phone numbers: digit groups with spaces, '-', '.', '/' or brackets
/// between them. A '+' starts a stretch of its own (the next number).
pub(super) struct NumberRun {
    /// Each group's (start, end, digits) in the text; the first group's start takes in a '+' before it.
    groups: Vec<(usize, usize, usize)>,
    /// Written with its calling code ('+' or 00): only the stretch from its start is a number.
    international: bool,
}

impl NumberRun {
    /// The stretches of 7 to 15 digits, shortest first from each group.
    fn candidates(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let starts = if self.international { 0..1.min(self.groups.len()) } else { 0..self.groups.len() };
        starts.flat_map(move |i| {
            let mut digits = 0;
            self.groups[i..]
                .iter()
                .map_while(move |(_, end, n)| {
                    digits += n;
                    (digits <= 15).then_some((digits, *end))
                })
                .filter(|(digits, _)| *digits >= 7)
                .map(move |(_, end)| (self.groups[i].0, end))
        })
    }
}

pub(super) fn number_runs(text: &str) -> Vec<NumberRun> {
    let bytes = text.as_bytes();
    let mut runs: Vec<NumberRun> = Vec::new();
    let mut current: Option<NumberRun> = None;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let plus = start > 0 && bytes[start - 1] == b'+';
        // What lies between this group and the last one's end: only separators, and no '+'.
        let joined = current.as_ref().is_some_and(|run| {
            let last_end = run.groups.last().map_or(0, |g| g.1);
            !plus && bytes[last_end..start].iter().all(|b| b" -./()".contains(b)) && start - last_end <= 3
        });
        let group = (if plus { start - 1 } else { start }, i, i - start);
        match current.as_mut() {
            Some(run) if joined => run.groups.push(group),
            _ => {
                runs.extend(current.take());
                let international = plus || text[start..i].starts_with("00");
                current = Some(NumberRun { groups: vec![group], international });
            }
        }
    }
    runs.extend(current);
    runs
}

/// A text without the addresses, numbers and profiles of people who were forgotten (`hashes`: what is
/// remembered of them): an old file's note on a colleague ("reports to kim@berg.io") brings none of them
/// back. None when the text names none of them.
pub fn without_the_forgotten(
    hashes: &std::collections::HashSet<String>,
    text: &str,
    country: Option<&str>,
) -> Option<String> {
    use crate::store::forgotten::{address_hashes, phone_lookup_hashes, profile_hashes};
    if hashes.is_empty() {
        return None;
    }
    let in_address = |c: char| c.is_alphanumeric() || ".-_+%'~:/?=&#@".contains(c);
    let mut cut: Vec<(usize, usize)> = Vec::new();
    // Each stretch of address characters that holds an '@' or a profile's path.
    let mut at = 0;
    while at < text.len() {
        let Some(start) = text[at..].find(in_address).map(|i| at + i) else { break };
        let end = text[start..].find(|c: char| !in_address(c)).map_or(text.len(), |i| start + i);
        let token = text[start..end].trim_end_matches(['.', ',', ':', '?', '\'']);
        let named = if token.contains('@') {
            let bare = token.trim_start_matches("mailto:");
            address_hashes(bare).iter().any(|h| hashes.contains(h))
        } else if token.to_lowercase().contains("linkedin.com/in/") {
            profile_hashes(token).iter().any(|h| hashes.contains(h))
        } else {
            false
        };
        if named {
            cut.push((start, start + token.len()));
        }
        at = end.max(start + 1);
    }
    for run in number_runs(text) {
        let mut taken_to = 0;
        for (start, end) in run.candidates() {
            if start >= taken_to && phone_lookup_hashes(&text[start..end], country).iter().any(|h| hashes.contains(h)) {
                cut.push((start, end));
                taken_to = end;
            }
        }
    }
    if cut.is_empty() {
        return None;
    }
    cut.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (start, end) in cut {
        if start >= from {
            out.push_str(&text[from..start]);
            out.push_str(ERASED);
        }
        from = from.max(end);
    }
    out.push_str(&text[from..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kim() -> Person {
        let mut p = Person::named("Kim", "Berg", None);
        p.also(Former::Email, "kim@berg.io");
        p.also(Former::Phone, "+46 8 555 1234");
        p.also(Former::Profile, "https://www.linkedin.com/in/kimberg");
        p
    }

    fn erased(text: &str, p: &Person) -> String {
        without_the_person(text, &[p])
    }

    #[test]
    fn what_names_the_person_is_erased_only_where_it_stands_whole() {
        let mut p = kim();
        p.words = false;
        for (text, kept) in [
            ("Joakim: joakim@berg.io, kim@berg.iota.com", "Joakim: joakim@berg.io, kim@berg.iota.com"),
            ("see linkedin.com/in/kimberg-lund", "see linkedin.com/in/kimberg-lund"),
            ("Kim Berg-Lund prefers calls", "Kim Berg-Lund prefers calls"),
            ("Kim Bergman is IT", "Kim Bergman is IT"),
            ("Per: +46 8 555 9876 / +46 8 555 1234", "Per: +46 8 555 9876 / (erased)"),
            ("Kim direct 08-555 1234 - 10 am to 2 pm", "Kim direct (erased) - 10 am to 2 pm"),
            ("Switchboard: 085551234 / 698765432", "Switchboard: (erased) / 698765432"),
            ("German line +49 30 85551234", "German line +49 30 85551234"),
            ("mail KIM@Berg.io.", "mail (erased)."),
            ("https://www.linkedin.com/in/kimberg/ and Berg, Kim", "(erased) and (erased)"),
            ("Kim  Berg\nand kim berg", "(erased)\nand (erased)"),
        ] {
            assert_eq!(erased(text, &p), kept, "{text}");
        }
    }

    #[test]
    fn a_name_is_met_in_the_spellings_people_use() {
        let p = Person::by_whole_name("Jean-Luc", "Müller O’Brien", None);
        for text in [
            "Jean Luc Müller O'Brien",
            "JEAN-LUC MUELLER O’BRIEN",
            "Jean-Luc Muller OBrien",
            "Müller O'Brien, Jean-Luc",
        ] {
            assert_eq!(erased(text, &p), ERASED, "{text}");
        }
        assert_eq!(erased("Jean-Luc", &p), "Jean-Luc", "a first name alone is anyone's");
    }

    #[test]
    fn an_address_or_number_of_someone_forgotten_is_left_out_of_a_text() {
        use crate::store::forgotten::{address_hashes, number_hashes};
        let hashes: std::collections::HashSet<String> =
            address_hashes("kim@berg.io").into_iter().chain(number_hashes("+46 70 123 45 67", None)).collect();
        let text = "Reports to Kim (kim@berg.io, +46 70 123 45 67); cc mailto:KIM@berg.io, joakim@berg.io stays";
        assert_eq!(
            without_the_forgotten(&hashes, text, None).as_deref(),
            Some("Reports to Kim ((erased), (erased)); cc (erased), joakim@berg.io stays")
        );
    }

    #[test]
    fn a_number_is_compared_as_a_number() {
        let p = kim();
        assert!(p.is_number("0046 8 555 1234") && p.is_number("08-555 1234") && p.is_number("8 555 1234"));
        let mut bob = Person::by_whole_name("Bob", "", None);
        bob.also(Former::Phone, "+46 70 123 45 67");
        assert_eq!(erased("Bob's cell +1 470 123 4567", &bob), "Bob's cell +1 470 123 4567");
        assert_eq!(erased("her cell 070-123 45 67", &bob), "her cell (erased)");
    }
}
