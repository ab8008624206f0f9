//! Leads (people): lifecycle, source, and the rules for their contact fields.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    Lead,
    Customer,
    Churned,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 3] = [Lifecycle::Lead, Lifecycle::Customer, Lifecycle::Churned];
    pub const NAMES: [&'static str; Lifecycle::ALL.len()] = super::words::words!(Lifecycle);

    pub const fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Lead => "lead",
            Lifecycle::Customer => "customer",
            Lifecycle::Churned => "churned",
        }
    }
}

impl FromStr for Lifecycle {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s.trim().to_lowercase())
            .ok_or_else(|| ValidationError::new("lifecycle", s, super::words::must_be(&Self::NAMES)))
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What leadline writes in place of erased text.
pub const ERASED: &str = "(erased)";

/// Where a lead came from: one of the known sources, or free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Linkedin,
    Email,
    Referral,
    Platform,
    Web,
    Import,
    Other(String),
}

impl Source {
    pub const KNOWN: [&'static str; 6] = ["linkedin", "email", "referral", "platform", "web", "import"];

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(ValidationError::new("source", s, "is empty"));
        }
        if t.chars().any(char::is_control) || t.chars().count() > 100 {
            return Err(ValidationError::new("source", s, "must be a short name without control characters"));
        }
        Ok(match t.to_lowercase().as_str() {
            "linkedin" => Source::Linkedin,
            "email" | "e-mail" => Source::Email,
            "referral" => Source::Referral,
            "platform" => Source::Platform,
            "web" | "website" => Source::Web,
            "import" => Source::Import,
            _ => Source::Other(t.to_string()),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Source::Linkedin => "linkedin",
            Source::Email => "email",
            Source::Referral => "referral",
            Source::Platform => "platform",
            Source::Web => "web",
            Source::Import => "import",
            Source::Other(s) => s,
        }
    }
}

/// The mailbox an address delivers to, as far as it can be told from the address: Gmail ignores dots in
/// the name and takes googlemail.com for gmail.com, and a `+tag` reaches the mailbox without it (most
/// providers). Two leads whose addresses differ but share this are likely one person.
pub fn mailbox_key(email: &str) -> String {
    let e = normalize_email(email);
    let Some((local, domain)) = e.rsplit_once('@') else { return e };
    let local = local.split('+').next().unwrap_or(local);
    match domain {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
        _ => format!("{local}@{domain}"),
    }
}

/// The key that makes "one lead per person": e-mail trimmed, inner spaces removed, lower-cased.
pub fn normalize_email(email: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    if email.bytes().all(|b| b.is_ascii_graphic()) {
        return email.to_ascii_lowercase();
    }
    // Composed: "ü" typed on one machine is "u" and a combining mark pasted from another (macOS).
    email.chars().filter(|c| !c.is_whitespace()).nfc().collect::<String>().to_lowercase()
}

/// The key earlier versions gave an address with an accent written decomposed (lowercased, not composed),
/// where `normalize_email` gives another; None for any other address. A person forgotten then is looked up
/// by it too.
pub fn email_key_decomposed(email: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    if email.is_ascii() {
        return None;
    }
    let key: String = email.chars().filter(|c| !c.is_whitespace()).nfd().collect::<String>().to_lowercase();
    (key != normalize_email(email)).then_some(key)
}

/// The address itself out of what people paste: `mailto:`, angle brackets, quotes, a trailing `;` or `.`.
pub fn bare_address(email: &str) -> &str {
    let e = email.trim();
    let e = match e.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("mailto:") => &e[7..],
        _ => e,
    };
    e.trim_matches(|c: char| matches!(c, '<' | '>' | '[' | ']' | '(' | ')' | '"' | '\'' | ';' | ',' | '.' | ':')).trim()
}

/// A plausible e-mail address: one `@`, something on both sides, a dot in the domain, no spaces nor the
/// characters an address holds only in quotes (a `,` or `;` would split it in a CSV cell of addresses).
/// What wraps it as pasted is taken off (`bare_address`).
pub fn validate_email(field: &str, email: &str) -> Result<String, ValidationError> {
    // Characters that take no room (a zero-width space pasted with the address) are no part of one: an
    // address kept with one would match nothing the rep types.
    let visible: String;
    let email = if email.chars().any(crate::domain::text::steers_layout) {
        visible = email.chars().filter(|c| !crate::domain::text::steers_layout(*c)).collect();
        visible.as_str()
    } else {
        email
    };
    let e = bare_address(email);
    // A domain is dot-separated names of letters, digits and inner hyphens, the last not a number
    // ("acme..io", "-acme.io", "acme_io.com", "acme.123" are typos, not addresses).
    let domain_ok = |domain: &str| {
        let labels: Vec<&str> = domain.split('.').collect();
        labels.len() > 1
            && labels.iter().all(|l| {
                !l.is_empty()
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    // Beyond ASCII, an international name's letters and marks, however composed.
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || !c.is_ascii())
            })
            && !labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
    };
    let ok = match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.starts_with('.')
                && !local.ends_with('.')
                && !local.contains("..")
                && domain_ok(domain)
                && !e.chars().any(|c| {
                    c.is_whitespace()
                        || c.is_control()
                        || matches!(c, ',' | ';' | '<' | '>' | '(' | ')' | '[' | ']' | '"' | '\\' | ':')
                })
        }
        None => false,
    };
    if ok { Ok(e.to_string()) } else { Err(ValidationError::new(field, email, "is not an e-mail address")) }
}

/// A phone number as people write it: digits with optional `+`, spaces, dots, dashes, parentheses; 5-20 digits.
pub fn validate_phone(field: &str, phone: &str) -> Result<String, ValidationError> {
    let typed = plain_phone(phone);
    let unbracketed = calling_code_unbracketed(typed.trim());
    let p = unbracketed.as_deref().unwrap_or(typed.trim());
    let digits = p.chars().filter(char::is_ascii_digit).count();
    let allowed = p
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '(' | ')' | '/') || (c == '+' && i == 0));
    match (allowed, digits) {
        (true, 5..=20) => Ok(p.to_string()),
        (true, 0..5) => Err(ValidationError::new(field, phone, "is too short for a phone number (5 digits at least)")),
        (true, _) => Err(ValidationError::new(field, phone, "is too long for a phone number (20 digits at most)")),
        // An extension or a dial-in code is no part of the number dialled and matched (imports keep it in the
        // notes).
        (false, _) if matches!(split_extension(p), (number, Some(_)) if validate_phone(field, number).is_ok()) => {
            Err(ValidationError::new(
                field,
                phone,
                "has an extension, which a phone field does not hold: give the number alone, the extension in a note",
            ))
        }
        (false, _) => Err(ValidationError::new(field, phone, "is not a phone number (digits, optional leading +)")),
    }
}

/// A number that gives its calling code in brackets, as business cards do ("(+44) 20 7946 0958"), with it
/// written as a number's calling code is ("+44 20 7946 0958"); none for any other number.
pub fn calling_code_unbracketed(phone: &str) -> Option<String> {
    let (code, rest) = phone.strip_prefix("(+")?.split_once(')')?;
    ((1..=4).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())).then(|| format!("+{code}{rest}"))
}

/// A phone number as pasted from a phone's contacts or a web page, in plain characters: no-break and
/// other spaces (a tab too) as a space, a no-break hyphen or a dash as `-`, and the invisible direction marks
/// iOS wraps numbers in left out.
pub fn plain_phone(phone: &str) -> std::borrow::Cow<'_, str> {
    if phone.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return phone.into();
    }
    phone
        .chars()
        .filter(|c| !super::text::steers_layout(*c))
        .map(|c| match c {
            c if c.is_whitespace() => ' ',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
            c => c,
        })
        .collect::<String>()
        .into()
}

/// A phone number and the extension written after it ("(212) 555-0100 x204", "+1 212-555-0199 ext. 12",
/// a tel: URI's ";ext=102", a dial-in code after the pauses a phone dials, "+1 800 555 0103,,1234#"): the
/// number alone is what is dialled and matched; the extension is kept beside.
pub fn split_extension(phone: &str) -> (&str, Option<&str>) {
    let lower = phone.to_ascii_lowercase();
    for mark in [";ext=", "extension", "ext.", "ext", "x", "#", ",", ";"] {
        let Some(i) = lower.rfind(mark).filter(|i| *i > 0) else { continue };
        let ext = phone[i + mark.len()..].trim_start_matches([' ', '.', ':', '=']).trim_end().trim_end_matches('#');
        if (1..=8).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_digit()) {
            return (phone[..i].trim_end_matches([' ', ',', ';']), Some(ext));
        }
    }
    (phone, None)
}

/// A web address with a scheme, or a bare domain path such as `linkedin.com/in/ana`.
pub fn validate_url(field: &str, url: &str) -> Result<String, ValidationError> {
    let u = url.trim();
    // The scheme in any case ("HTTPS://"), as browsers take it.
    let scheme =
        ["https://", "http://"].into_iter().find(|p| u.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)));
    let body = &u[scheme.map_or(0, str::len)..];
    let host = body.split('/').next().unwrap_or_default();
    // Longer is no address a rep copied (a garbage cell), and would not show.
    const MAX_URL: usize = 2048;
    if u.chars().count() > MAX_URL {
        return Err(ValidationError::new(field, url, format!("is longer than {MAX_URL} characters")));
    }
    if !u.is_empty() && host.contains('.') && !u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Ok(u.to_string())
    } else {
        Err(ValidationError::new(field, url, "is not a web address such as https://linkedin.com/in/name"))
    }
}

/// A profile address as leadline keeps it, so that one person's profile is one value however it was
/// copied: a LinkedIn member page ("http://es.linkedin.com/in/Ana-Lopez/?trk=x") becomes
/// "https://www.linkedin.com/in/ana-lopez", its name written out ("zo%C3%AB", as LinkedIn's own export
/// writes it, is "zoë", as a browser shows it); any other address stays as written.
pub fn canonical_profile(url: &str) -> String {
    let u = url.trim();
    let scheme =
        ["https://", "http://"].into_iter().find(|p| u.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p)));
    let body = &u[scheme.map_or(0, str::len)..];
    let (host, path) = body.split_once('/').unwrap_or((body, ""));
    let host = host.to_ascii_lowercase();
    let linkedin = host == "linkedin.com" || host.ends_with(".linkedin.com");
    let slug = path
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("in/"))
        .and_then(|_| path[3..].split(['/', '?', '#']).next())
        .filter(|s| !s.is_empty());
    match slug {
        Some(slug) if linkedin => {
            // Written out only where that changes nothing else: a `/`, `?`, `#` or `%` it would make would
            // end the name (or be read again), a control character would break the line; such a name stays
            // encoded, so the one form of the one form is itself.
            let decoded = percent_encoding::percent_decode_str(slug)
                .decode_utf8()
                .ok()
                .filter(|d| {
                    !d.chars().any(|c| matches!(c, '/' | '?' | '#' | '%') || c.is_control() || c.is_whitespace())
                })
                .unwrap_or(slug.into());
            format!("https://www.linkedin.com/in/{}", decoded.to_lowercase())
        }
        _ => u.to_string(),
    }
}

/// A profile in its one form with every letter outside ASCII percent-encoded (lower-case), as the one form
/// was before it wrote them out: how the profiles of people forgotten then are remembered.
pub fn percent_encoded_profile(profile: &str) -> String {
    percent_encoding::utf8_percent_encode(profile, percent_encoding::CONTROLS).to_string().to_lowercase()
}

/// Whether a profile (in its one form) is a person's own LinkedIn page, which names one person: a company's
/// page or a website that several people's records give does not.
pub fn is_member_page(profile: &str) -> bool {
    profile.starts_with("https://www.linkedin.com/in/")
}

/// A tag: lower-case, trimmed, no commas (a file's tags cell is split at them) or control characters.
pub fn normalize_tag(tag: &str) -> Result<String, ValidationError> {
    let t = tag.trim().to_lowercase();
    if t.is_empty() || t.contains(',') || t.chars().any(char::is_control) || t.chars().count() > 50 {
        return Err(ValidationError::new("tag", tag, "must be 1-50 characters without commas"));
    }
    Ok(t)
}

/// The longest name, company, title or other one-line label a lead may have, in characters: longer is
/// a column out of place or pasted text, not a name.
pub const LABEL_MAX_CHARS: usize = 200;

/// Refuses a label longer than `LABEL_MAX_CHARS`, of more than one line (imports make a quoted cell's lines
/// one first: `text::one_line`), or with other control characters (an escape, a NUL: bytes of a binary
/// file, never part of a name).
pub fn check_label(field: &str, value: &str) -> Result<(), ValidationError> {
    check_one_line(field, value)?;
    // Bytes bound characters from above: most labels are never counted.
    if value.len() <= LABEL_MAX_CHARS || value.chars().count() <= LABEL_MAX_CHARS {
        return Ok(());
    }
    // The message shows the start of the value: enough to find it.
    let start: String = value.chars().take(61).collect();
    Err(ValidationError::new(
        field,
        start,
        format!("is {} characters long; at most {LABEL_MAX_CHARS}", value.chars().count()),
    ))
}

/// What breaks a line (or jumps like a tab) in a text shown on one: besides `\n` and `\r`, the Unicode line
/// and paragraph separators and NEL.
pub const LINE_BREAKS: [char; 6] = ['\n', '\r', '\t', '\u{85}', '\u{2028}', '\u{2029}'];

/// Refuses a line break, a tab or another control character in a one-line text (a label, a title).
pub fn check_one_line(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.contains(LINE_BREAKS) {
        let start: String = value.chars().take(61).collect();
        return Err(ValidationError::new(field, start, "has a line break or a tab: it is one line"));
    }
    if value.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        let start: String = value.chars().take(61).collect();
        return Err(ValidationError::new(field, start, "has control characters (an escape, a NUL: binary data?)"));
    }
    Ok(())
}

/// A text that must be there (a name, a title), without the spaces around it.
pub fn require_text(field: &str, value: &str) -> Result<String, ValidationError> {
    match value.trim() {
        "" => Err(ValidationError::new(field, value, "must not be empty")),
        text => Ok(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_holds_no_comma() {
        assert_eq!(normalize_tag(" R&D;EMEA|Q3 ").unwrap(), "r&d;emea|q3");
        for split in ["a,b", " ", "a\u{7}"] {
            assert!(normalize_tag(split).is_err(), "{split}");
        }
    }

    #[test]
    fn a_pasted_address_is_taken_bare() {
        for pasted in
            ["<ana@x.io>", "mailto:ana@x.io", "MAILTO:ana@x.io", "ana@x.io;", "[ana@x.io]", "\"ana@x.io\"", "ana@x.io."]
                .into_iter()
                .chain(["ana@x.io\u{200b}", "\u{200b}ana@x.io", "ana\u{200d}@x\u{2060}.io", "\u{feff}ana@x.io"])
        {
            assert_eq!(validate_email("email", pasted).unwrap(), "ana@x.io", "{pasted}");
        }
        assert!(validate_email("email", "<>").is_err());
    }

    #[test]
    fn email_key_ignores_case_and_spaces() {
        assert_eq!(normalize_email("  Ana.Lopez@Example.COM "), "ana.lopez@example.com");
        assert_eq!(normalize_email("ana @example.com"), "ana@example.com");
    }

    #[test]
    fn an_extension_is_split_from_its_number() {
        assert_eq!(split_extension("(212) 555-0100 x204"), ("(212) 555-0100", Some("204")));
        assert_eq!(split_extension("+1 212-555-0199 ext. 12"), ("+1 212-555-0199", Some("12")));
        assert_eq!(split_extension("+1-555-555-5555;ext=102"), ("+1-555-555-5555", Some("102")));
        assert_eq!(split_extension("+34 600 11 22 33"), ("+34 600 11 22 33", None));
        assert_eq!(split_extension("x204"), ("x204", None), "no number before it");
        assert_eq!(split_extension("+1 800 555 0103,,1234#"), ("+1 800 555 0103", Some("1234")));
        assert_eq!(split_extension("+1 800 555 0103;1234"), ("+1 800 555 0103", Some("1234")));
    }

    #[test]
    fn validates_contact_fields() {
        assert!(validate_email("email", "ana@example.com").is_ok());
        assert!(validate_email("email", "ana@").is_err());
        assert!(validate_email("email", "ana example.com").is_err());
        // Unquoted, these split a cell of addresses or end one: the CSV export could not be read back.
        for odd in ["ana,lopez@acme.io", "a;b@x.io", "ana\"x@acme.io", "a<b@x.io"] {
            assert!(validate_email("email", odd).is_err(), "{odd}");
        }
        // Typos a person makes in an address.
        for typo in ["g7@acme..io", "user@-acme.io", "user@acme-.io", "us..er@acme.io", "user.@acme.io"] {
            assert!(validate_email("email", typo).is_err(), "{typo}");
        }
        for typo in ["user@acme_io.com", "user@acme.123", "user@localhost"] {
            assert!(validate_email("email", typo).is_err(), "{typo}");
        }
        for fine in ["o'brien+crm@mail.acme-corp.co.uk", "jörg@müller.de", "x@xn--mller-kva.de", "a.b.c@10x.io"] {
            assert!(validate_email("email", fine).is_ok(), "{fine}");
        }
        assert!(validate_phone("phone", "+34 600 11 22 33").is_ok());
        assert!(validate_phone("phone", "(555) 123-4567").is_ok());
        // As pasted from a phone's contacts: no-break spaces, direction marks, a no-break hyphen, a tab.
        assert_eq!(
            validate_phone("phone", "\u{202A}+1\u{a0}415\u{a0}555\u{2011}0100\u{202C}").unwrap(),
            "+1 415 555-0100"
        );
        assert_eq!(validate_phone("phone", "+34\t600 11 22 33").unwrap(), "+34 600 11 22 33");
        // The calling code in brackets, as business cards give it.
        assert_eq!(validate_phone("phone", "(+44) 20 7946 0958").unwrap(), "+44 20 7946 0958");
        assert_eq!(crate::domain::phone_keys::phone_key("(+86) 10 1234 5678", None).unwrap(), "+861012345678");
        assert!(validate_phone("phone", "(+44 20) 7946").is_err());
        for with_extension in ["+1 (800) 555-0114 x12", "+1 800 555 0103,,1234#"] {
            let e = validate_phone("phone", with_extension).unwrap_err().reason;
            assert!(e.contains("has an extension"), "{e}");
        }
        assert!(validate_phone("phone", "call me").is_err());
        assert!(validate_phone("phone", "12+34567").is_err());
        let short = validate_phone("phone", "555").unwrap_err().to_string();
        assert!(short.contains("is too short for a phone number"), "{short}");
        assert!(validate_url("url", "https://linkedin.com/in/ana").is_ok());
        assert!(validate_url("url", "linkedin.com/in/ana").is_ok());
        assert!(validate_url("url", "not a url").is_err());
    }

    #[test]
    fn sources_are_known_or_free_text() {
        assert_eq!(Source::parse("LinkedIn").unwrap(), Source::Linkedin);
        assert_eq!(Source::parse("Trade show").unwrap().as_str(), "Trade show");
        assert!(Source::parse(" ").is_err());
        assert!("customer".parse::<Lifecycle>().is_ok());
        assert!("prospect".parse::<Lifecycle>().is_err());
    }

    #[test]
    fn a_linkedin_member_page_has_one_form() {
        for copied in [
            "https://www.linkedin.com/in/ana-lopez",
            "http://es.linkedin.com/in/Ana-Lopez/?trk=people",
            "linkedin.com/in/ana-lopez#about",
            "HTTPS://WWW.LINKEDIN.COM/in/ana-lopez/",
            "https://www.linkedin.com/in/ana%2Dlopez",
        ] {
            assert_eq!(canonical_profile(copied), "https://www.linkedin.com/in/ana-lopez", "{copied}");
        }
        // A name outside ASCII, as LinkedIn's export writes it and as a browser shows it.
        for copied in
            ["https://www.linkedin.com/in/zo%C3%AB-%C3%A5ngstr%C3%B6m-1a2b3c", "linkedin.com/in/Zoë-Ångström-1a2b3c"]
        {
            assert_eq!(canonical_profile(copied), "https://www.linkedin.com/in/zoë-ångström-1a2b3c", "{copied}");
        }
        assert_eq!(
            percent_encoded_profile("https://www.linkedin.com/in/zoë-ångström-1a2b3c"),
            "https://www.linkedin.com/in/zo%c3%ab-%c3%a5ngstr%c3%b6m-1a2b3c"
        );
        // Bytes that are no text, and characters that would end the name or break the line, stay encoded;
        // the one form is its own one form.
        for (copied, kept) in [
            ("https://www.linkedin.com/in/x%FF", "https://www.linkedin.com/in/x%ff"),
            ("https://linkedin.com/in/bo%2Fcarl", "https://www.linkedin.com/in/bo%2fcarl"),
            ("https://linkedin.com/in/ana%0A%1B%5B31mx", "https://www.linkedin.com/in/ana%0a%1b%5b31mx"),
            ("https://linkedin.com/in/a%2525b", "https://www.linkedin.com/in/a%2525b"),
            ("https://linkedin.com/in/zo%C3%AB", "https://www.linkedin.com/in/zoë"),
        ] {
            assert_eq!(canonical_profile(copied), kept, "{copied}");
            assert_eq!(canonical_profile(kept), kept, "{kept}");
        }
        // Other pages and other sites stay as written.
        // (Text that is not ASCII where a scheme would end is not cut in the middle of a character.)
        for other in [
            "https://www.linkedin.com/company/acme",
            "https://x.com/ana",
            "https://notlinkedin.com/in/x",
            "www.ñoño.es/x",
            "ñ",
        ] {
            assert_eq!(canonical_profile(other), other);
        }
    }
}
