//! Text as people compare it: case, accents and spacing aside.

/// Characters with no width of their own that steer how text is laid out: bidirectional overrides,
/// isolates and marks, zero-width spaces and joiners, a byte-order mark. Pasted from a phone's contacts or
/// a web page, they hide in what looks like plain text.
pub fn steers_layout(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// Text as compared loosely: lower-case, accents dropped ("Díaz" is "diaz"), runs of spaces made one.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// `fold` appended to `out`.
pub fn fold_into(s: &str, out: &mut String) {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let push_words = |text: &str, out: &mut String| {
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    };
    // Plain ASCII has no accents to drop (most names in most files): no decomposition needed.
    if s.is_ascii() {
        let start = out.len();
        push_words(s, out);
        out[start..].make_ascii_lowercase();
    } else {
        // One pass, straight into `out` (a million names go through here on a large import).
        let start = out.len();
        let mut gap = false;
        for c in s.nfd().filter(|c| !is_combining_mark(*c) && !is_invisible(*c)) {
            if c.is_whitespace() {
                gap = out.len() > start;
                continue;
            }
            if gap {
                out.push(' ');
                gap = false;
            }
            // Final sigma is sigma: a word typed in capitals and the same word in lower case are one key. A
            // letter that is no accented form of another is written with plain ones ("søren" is "soren").
            for l in c.to_lowercase() {
                if l.is_ascii() {
                    out.push(l);
                } else if let Some(plain) = plain_letter(l) {
                    out.push_str(plain);
                } else {
                    out.push(if l == 'ς' { 'σ' } else { l });
                }
            }
        }
    }
}

/// Letters that are no accented form of another (dropping accents leaves them as they are), and how people
/// without the key write them: "Soren" for "Søren", "Strauss" for "Strauß", "Lodz" for "Łódź". Upper and
/// lower case alike (the search index's SQL, which cannot fold case, needs both).
pub const PLAIN_LETTERS: [(char, &str); 21] = [
    ('ø', "o"),
    ('Ø', "O"),
    ('ł', "l"),
    ('Ł', "L"),
    ('đ', "d"),
    ('Đ', "D"),
    ('ð', "d"),
    ('Ð', "D"),
    ('ß', "ss"),
    ('ẞ', "SS"),
    ('æ', "ae"),
    ('Æ', "AE"),
    ('œ', "oe"),
    ('Œ', "OE"),
    ('þ', "th"),
    ('Þ', "TH"),
    ('ħ', "h"),
    ('Ħ', "H"),
    ('ı', "i"),
    ('ŧ', "t"),
    ('Ŧ', "T"),
];

/// How a letter of `PLAIN_LETTERS` is written with plain ones.
pub fn plain_letter(c: char) -> Option<&'static str> {
    PLAIN_LETTERS.iter().find(|(l, _)| *l == c).map(|(_, p)| *p)
}

/// Characters that take no room and say nothing in a label (a zero-width space pasted from a web page, a
/// word joiner, a stray byte-order mark, a soft hyphen, the marks that steer right-to-left text): a name
/// holding one looks as it does without, and is found and matched as such. (Zero-width joiners and
/// non-joiners stay: some scripts need them.)
fn is_invisible(c: char) -> bool {
    c == '\u{AD}' || (steers_layout(c) && !matches!(c, '\u{200C}' | '\u{200D}'))
}

/// A label without invisible characters (`is_invisible`), as an import reads it: typed or pasted into a
/// command or a form, the same name is kept the same way, and found by what it shows.
pub fn drop_invisible(s: &mut String) {
    if !s.is_ascii() && s.contains(is_invisible) {
        s.retain(|c| !is_invisible(c));
    }
}

/// A label as one line, without invisible characters (`is_invisible`): each line break or tab (a quoted cell
/// of a spreadsheet, a pasted address block) becomes one space.
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    use super::lead::LINE_BREAKS;
    if !s.is_ascii() && s.contains(is_invisible) {
        let visible: String = s.chars().filter(|c| !is_invisible(*c)).collect();
        return std::borrow::Cow::Owned(one_line(&visible).into_owned());
    }
    if !s.contains(LINE_BREAKS) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for part in s.split(LINE_BREAKS).filter(|p| !p.trim().is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part.trim());
    }
    std::borrow::Cow::Owned(out)
}

/// The key leads are sorted and looked up by name: first and last name folded ("Álvaro  Núñez" is
/// "alvaro nunez"), so "Álvaro" sorts among the A's and is found however the rep types the accents.
pub fn name_key(first: &str, last: &str) -> String {
    let mut key = String::with_capacity(first.len() + last.len() + 1);
    fold_into(first, &mut key);
    if !last.trim().is_empty() {
        if !key.is_empty() {
            key.push(' ');
        }
        fold_into(last, &mut key);
    }
    key
}

/// A company's name as two records of one person are compared: folded, punctuation aside, without a leading
/// "the" or a legal form at the end ("The Acme Company, Inc." and "Acme" are one; "Tecno S.L." is "tecno").
pub fn company_core(company: &str) -> String {
    const LEGAL_FORMS: [&str; 35] = [
        "inc",
        "incorporated",
        "llc",
        "llp",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "sl",
        "slu",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "pty",
        "pvt",
        "lda",
        "ltda",
        "sau",
        "cv",
        "kk",
        "sro",
    ];
    // Forms of several words once the dots are gone ("Sp. z o.o.", "A/S", "S.A. de C.V."), whose words
    // alone would be names ("z", "de").
    const LEGAL_PHRASES: [&[&str]; 6] = [
        &["sp", "z", "oo"],
        &["sp", "zoo"],
        &["a", "s"],
        &["sa", "de", "cv"],
        &["s", "de", "rl", "de", "cv"],
        &["s", "de", "rl"],
    ];
    let folded: String =
        fold(company).chars().filter(|c| *c != '.').map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    loop {
        if let Some(phrase) = LEGAL_PHRASES.iter().find(|p| words.len() > p.len() && words.ends_with(p)) {
            words.truncate(words.len() - phrase.len());
        } else if words.len() > 1 && words.last().is_some_and(|w| LEGAL_FORMS.contains(w)) {
            words.pop();
        } else {
            break;
        }
    }
    words.join(" ")
}

/// A lead's name as `names_differ` compares it: none when it was made up from the lead's e-mail (a contact
/// known by an address only is named after it, "ana.lopez"). An address that is a plain word may be the
/// person's own name ("ana@acme.io" for Ana): that is kept.
pub fn given_name<'a>(first: &'a str, last: &'a str, email: Option<&str>) -> (&'a str, &'a str) {
    let local = email.and_then(|e| e.split('@').next()).unwrap_or("");
    let made_up = local.chars().any(|c| matches!(c, '.' | '_' | '-' | '+') || c.is_ascii_digit());
    if last.trim().is_empty() && made_up && first.trim().eq_ignore_ascii_case(local) { ("", "") } else { (first, last) }
}

/// Whether two people's names say they are two people: both named, and no word of one in the other, case,
/// accents and initials aside, a short form being the word ("A. López" and "Tom" may be "Ana López" and
/// "Tommy"; "Bob Dos" is not "Ana Uno").
pub fn names_differ(a: (&str, &str), b: (&str, &str)) -> bool {
    // A German name is written with its umlauts or with their two letters ("Müller", "Mueller"), or with
    // the bare vowel where a system knew no accents ("Muller"): the same name any of these ways.
    let umlauts = |(first, last): (&str, &str)| [first, last].iter().any(|s| s.contains(UMLAUTS));
    let spelt_out = |(first, last): (&str, &str)| (spell_out_umlauts(first), spell_out_umlauts(last));
    names_differ_as_written(a, b)
        && (!(umlauts(a) || umlauts(b)) || {
            let ((af, al), (bf, bl)) = (spelt_out(a), spelt_out(b));
            names_differ_as_written((&af, &al), (&bf, &bl))
        })
}

const UMLAUTS: [char; 6] = ['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü'];

/// "Müller" as "Mueller".
fn spell_out_umlauts(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'Ä' => out.push_str("Ae"),
            'Ö' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            c => out.push(c),
        }
    }
    out
}

/// `names_differ` of the names as written, accents folded.
fn names_differ_as_written((a_first, a_last): (&str, &str), (b_first, b_last): (&str, &str)) -> bool {
    // A number is no name (a lead named after its phone); a lone letter is an initial, which stands for any
    // name it starts ("J." is John, not Marta; "Ł." or "А." too); one character of a script without initials
    // is a whole name ("王 伟").
    let words = |s: &str| -> Vec<String> {
        fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter_map(|w| {
                let mut letters = w.chars().filter(|c| c.is_alphabetic());
                match (letters.next(), letters.next()) {
                    (None, _) => None,
                    (Some(only), None) if !is_syllabic(only) => Some(only.to_string()),
                    _ => Some(w.to_string()),
                }
            })
            .collect()
    };
    let initial = |v: &str| v.chars().count() == 1 && !v.chars().next().is_some_and(is_syllabic);
    let same = |v: &String, w: &String| {
        let shorter = v.chars().count().min(w.chars().count());
        v == w
            || (initial(v) && w.starts_with(v.as_str()))
            || (initial(w) && v.starts_with(w.as_str()))
            || (shorter > 2 && (v.starts_with(w.as_str()) || w.starts_with(v.as_str())))
    };
    let none_shared = |x: &[String], y: &[String]| !x.iter().any(|v| y.iter().any(|w| same(v, w)));
    let (af, al, bf, bl) = (words(a_first), words(a_last), words(b_first), words(b_last));
    // One name written whole or in its parts, either way round ("王伟", "王 伟", "伟 王").
    let whole = |first: &[String], last: &[String]| [first, last].concat().concat();
    let a_whole = whole(&af, &al);
    if !a_whole.is_empty() && (a_whole == whole(&bf, &bl) || a_whole == whole(&bl, &bf)) {
        return false;
    }
    // Two first names, as given ("Mark" is not "John", whatever their family says), or two last names, when
    // both records give both (a last name alone is filed as the first); one written the other way round
    // ("Wang Wei", "Wei Wang") is the same name.
    let full = !af.is_empty() && !al.is_empty() && !bf.is_empty() && !bl.is_empty();
    let swapped = full && !none_shared(&af, &bl) && !none_shared(&bf, &al);
    let firsts = full && !swapped && !same(&af[0], &bf[0]) && none_shared(&af, &bf);
    let lasts = full && !swapped && none_shared(&al, &bl);
    // A whole name in one field ("Ana López" and nothing else) is compared whole.
    let (a, b) = ([af, al].concat(), [bf, bl].concat());
    firsts || lasts || (!a.is_empty() && !b.is_empty() && none_shared(&a, &b))
}

/// A character of a script whose names are written in syllables or ideographs, not letters: one of them
/// may be a whole name, never an initial (Han, kana, Hangul).
fn is_syllabic(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF | 0x3040..=0x30FF | 0x3130..=0x318F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_company_is_its_name_without_its_legal_form() {
        for name in ["Acme", "Acme Inc", "Acme, Inc.", "ACME  Inc", "The Acme Company", "Acme Co. Ltd"] {
            assert_eq!(company_core(name), "acme", "{name}");
        }
        assert_eq!(company_core("Tecno S.L."), "tecno");
        assert_eq!(company_core("Müller GmbH"), "muller");
        assert_eq!(company_core("Company"), "company");
        assert_eq!(company_core("The Co"), "co");
        assert_ne!(company_core("Acme Labs"), company_core("Acme"));
        for name in [
            "Kappa Sp. z o.o.",
            "Kappa Sp. z.o.o.",
            "Kappa K.K.",
            "Kappa A/S",
            "Kappa S.A. de C.V.",
            "Kappa S. de R.L. de C.V.",
            "Kappa s.r.o.",
            "Kappa B.V.",
        ] {
            assert_eq!(company_core(name), "kappa", "{name}");
        }
        assert_eq!(company_core("Generation Z"), "generation z");
        assert_eq!(company_core("Casa de Campo"), "casa de campo");
    }

    #[test]
    fn names_differ_when_a_first_or_last_name_does() {
        assert!(names_differ(("Ana", "Uno"), ("Carl", "Tres")));
        assert!(names_differ(("Bob", ""), ("Robert", "Smith")));
        assert!(names_differ(("Mark", "Smith"), ("John", "Smith")));
        assert!(!names_differ(("Smith", ""), ("John", "Smith")));
        assert!(!names_differ(("Wang", "Wei"), ("Wei", "Wang")));
        assert!(names_differ(("Ana", "López"), ("Ana", "Ruiz")));
        assert!(!names_differ(("Tom", ""), ("Tommy", "")));
        assert!(!names_differ(("A.", "López"), ("Ana", "Lopez")));
        assert!(!names_differ(("J.", "Smith"), ("John", "Smith")));
        // An initial stands for the names it starts, not for another.
        assert!(names_differ(("Q", ""), ("Marta", "Sol")));
        assert!(!names_differ(("Q", ""), ("Quentin", "Blake")));
        assert!(names_differ(("J.", "Smith"), ("Mary", "Smith")));
        assert!(!names_differ(("ANA", ""), ("Ana María", "Gil")));
        assert!(!names_differ(("Ana López", ""), ("Ana", "López")));
        assert!(!names_differ(("", ""), ("Ana", "")));
        assert!(!names_differ(("+34 600 11 22 33", ""), ("Ana", "Uno")));
        // Names in another script, or with digits in every word, are names all the same.
        assert!(names_differ(("王", "伟"), ("Ana", "Garcia")));
        assert!(!names_differ(("王", "伟"), ("王", "伟")));
        assert!(names_differ(("王", "伟"), ("李", "娜")));
        assert!(names_differ(("Zed9", "Quinn9"), ("Ana", "Garcia")));
        assert!(!names_differ(("Zed9", "Quinn9"), ("Zed9", "Quinn9")));
        // Initials of other alphabets are initials; a name written whole is its parts.
        assert!(!names_differ(("Ł.", "Nowak"), ("Łukasz", "Nowak")));
        assert!(!names_differ(("Ø.", "Hansen"), ("Øyvind", "Hansen")));
        assert!(!names_differ(("А.", "Иванов"), ("Алексей", "Иванов")));
        assert!(!names_differ(("王伟", ""), ("王", "伟")));
        assert!(!names_differ(("王伟", ""), ("伟", "王")));
        assert!(!names_differ(("Karl", "Müller"), ("Karl", "Mueller")));
        assert!(!names_differ(("Karl", "Müller"), ("Karl", "Muller")));
        assert!(!names_differ(("JÜRGEN", "Schäfer"), ("Juergen", "Schaefer")));
        assert!(names_differ(("Karl", "Müller"), ("Karl", "Meier")));
        assert!(names_differ(("Rafael", "Nowak"), ("Rafał", "Kowalski")));
        assert_eq!(given_name("a.lopez", "", Some("a.lopez@x.io")), ("", ""));
        assert_eq!(given_name("ana", "", Some("ana@x.io")), ("ana", ""));
        assert_eq!(given_name("Ana", "", Some("alopez@x.io")), ("Ana", ""));
    }

    #[test]
    fn names_are_keyed_without_case_accents_or_extra_spaces() {
        assert_eq!(name_key("Álvaro", "Núñez"), "alvaro nunez");
        // Letters that are no accented form of another are written plain, as people without the key do.
        assert_eq!(name_key("SØREN", "Strauß-Łukasiewicz"), "soren strauss-lukasiewicz");
        assert_eq!(fold("Æble Œuvre ẞ"), "aeble oeuvre ss");
        assert_eq!(name_key("  ÍÑIGO ", " de  la Sáez "), "inigo de la saez");
        assert_eq!(name_key("Ana", ""), "ana");
        assert_eq!(name_key("", "Stone"), "stone");
        assert_eq!(name_key("Zoë", "O'Brien"), "zoe o'brien");
        assert_eq!(fold("  ÁNGEL\u{a0} Díaz  Peña "), "angel diaz pena");
        assert_eq!(fold("ÉCOLE"), "ecole");
        assert_eq!(fold("Ana\u{200B}Zero"), "anazero");
        assert_eq!(one_line("Zero\u{200B}Width\nGmbH"), "ZeroWidth GmbH");
        assert_eq!(one_line("\u{AD}Firma\u{AD} \u{202E}GmbH\u{200E}"), "Firma GmbH");
        assert_eq!(one_line("می\u{200C}خواهم"), "می\u{200C}خواهم");
        assert_eq!(fold("ΟΔΥΣΣΕΥΣ"), fold("Οδυσσεύς"));
        // Accented names now sort among their letters, not after z.
        let mut keys = [name_key("Zoe", "Adams"), name_key("Óscar", "Ruiz"), name_key("ana", "López")];
        keys.sort();
        assert_eq!(keys, ["ana lopez", "oscar ruiz", "zoe adams"]);
    }

    #[test]
    fn labels_are_made_one_line() {
        assert_eq!(one_line("Acme Ibérica"), "Acme Ibérica");
        assert_eq!(one_line("Acme\r\nIbérica\n"), "Acme Ibérica");
        assert_eq!(one_line("Head of\tSales \n\n  EMEA"), "Head of Sales EMEA");
        assert_eq!(one_line("Ana\u{2028}López"), "Ana López");
    }
}
