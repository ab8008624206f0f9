//! Phone numbers as a duplicate key: E.164 (`+34600112233`) when the country is known or written,
//! else the bare digits. Small on purpose: calling codes of the countries reps sell in, no carrier data.

use crate::domain::phone::COUNTRIES;

/// The calling code and trunk prefix for a country written as an ISO code or a name (in English, Spanish,
/// German, French, Italian or its own language; accents aside).
fn country(name: &str) -> Option<(&'static str, Option<char>)> {
    let n = crate::domain::text::fold(name);
    if n.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|(iso, _, names, _)| iso.eq_ignore_ascii_case(&n) || names.contains(&n.as_str()))
        .map(|(_, cc, _, trunk)| (*cc, *trunk))
}

/// True when leadline knows the calling code of this country.
pub fn known_country(name: &str) -> bool {
    country(name).is_some()
}

/// The duplicate key of a phone number: `+<digits>` in E.164 when possible, else the digits as written.
/// None when there are too few digits to be a number.
pub fn phone_key(raw: &str, country_hint: Option<&str>) -> Option<String> {
    let key = key_as_written(raw, country_hint)?;
    Some(without_trunk_after_code(&key).unwrap_or(key))
}

/// The key earlier versions gave a number written with its national trunk 0 after the calling code
/// ("+44 020 …": +44020…), which `phone_key` now drops: a number forgotten in that form is looked up by it
/// too, however it is written now. None in a country whose numbers have no trunk 0.
pub fn key_with_trunk(raw: &str, country_hint: Option<&str>) -> Option<String> {
    let key = phone_key(raw, country_hint)?;
    let digits = key.strip_prefix('+')?;
    let (_, cc, _, trunk) =
        COUNTRIES.iter().filter(|(_, cc, _, _)| digits.starts_with(cc)).max_by_key(|c| c.1.len())?;
    let national = &digits[cc.len()..];
    (*trunk == Some('0') && national.len() >= 5).then(|| format!("+{cc}0{national}"))
}

/// The calling code, the number without it and the country's trunk prefix, of an E.164 key whose calling
/// code leadline knows.
pub fn national_part(key: &str) -> Option<(&'static str, String, Option<char>)> {
    let digits = key.strip_prefix('+')?;
    let (_, cc, _, trunk) =
        COUNTRIES.iter().filter(|(_, cc, _, _)| digits.starts_with(cc)).max_by_key(|c| c.1.len())?;
    Some((cc, digits[cc.len()..].to_string(), *trunk))
}

/// `+<code>0<number>` without the 0, in a country whose numbers are dialled with a trunk 0 at home and
/// without it from abroad ("+44 020 7946 0018" is +44 20 7946 0018); Italy's 0, part of the number, stays.
fn without_trunk_after_code(key: &str) -> Option<String> {
    let digits = key.strip_prefix('+')?;
    let (_, cc, _, trunk) =
        COUNTRIES.iter().filter(|(_, cc, _, _)| digits.starts_with(cc)).max_by_key(|c| c.1.len())?;
    let national = digits[cc.len()..].strip_prefix('0').filter(|n| *trunk == Some('0') && n.len() >= 5)?;
    Some(format!("+{cc}{national}"))
}

fn key_as_written(raw: &str, country_hint: Option<&str>) -> Option<String> {
    // "+44 (0)20 7946 0958": the national trunk in brackets is not dialled after the calling code.
    let unbracketed = super::lead::calling_code_unbracketed(raw.trim());
    let t = unbracketed.as_deref().unwrap_or(raw.trim());
    let without_trunk = t.replace("(0)", "");
    let t = if t.starts_with('+') { without_trunk.as_str() } else { t };
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 5 {
        return None;
    }
    if t.starts_with('+') {
        return Some(format!("+{digits}"));
    }
    if let Some(rest) = digits.strip_prefix("00") {
        return Some(format!("+{rest}"));
    }
    match country_hint.and_then(country) {
        Some((cc, trunk)) => {
            let national = match trunk {
                Some(p) if digits.starts_with(p) && (p != '1' || digits.len() == 11) => &digits[1..],
                _ => &digits[..],
            };
            Some(format!("+{cc}{national}"))
        }
        None => Some(digits),
    }
}

/// A number written without its calling code, written with the one of `country` ("030 1234567" in Germany
/// is "+49 30 1234567"), grouped as it was; None when it has one already or the country is not known.
pub fn international(raw: &str, country_name: &str) -> Option<String> {
    let t = raw.trim();
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if t.starts_with('+') || t.starts_with("00") || digits < 5 {
        return None;
    }
    let (cc, trunk) = country(country_name)?;
    let national = match trunk {
        Some(p) if t.starts_with(p) && (p != '1' || digits == 11) => t[1..].trim_start_matches([' ', '-', '.']),
        _ => t,
    };
    Some(format!("+{cc} {national}"))
}

/// Every key under which the same number may already be stored: its E.164 form, the digits as written, and,
/// when the calling code is known, the national forms a rep may have typed without it ("(415) 555-0100" is
/// stored as 4155550100, "020 7946 0958" as 02079460958). At most five, the first the E.164 one when known.
pub fn match_keys(raw: &str, country_hint: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(4);
    let mut add = |k: String| {
        if !keys.contains(&k) {
            keys.push(k);
        }
    };
    // Too few digits to be a number: no key at all.
    let Some(e164) = phone_key(raw, country_hint) else { return keys };
    add(e164.clone());
    if let Some(k) = stored_key(raw) {
        add(k);
    }
    // Written with 00 for the calling code ("0034 600 11 22 33"), as it is stored: before the national
    // forms, which four keys may not all hold.
    if let Some(digits) = e164.strip_prefix('+') {
        add(format!("00{digits}"));
    }
    if let Some(digits) = e164.strip_prefix('+') {
        // The longest calling code that starts the number (353 before 35x, 1 for North America).
        let known = COUNTRIES
            .iter()
            .filter(|(_, cc, _, _)| digits.starts_with(cc) && digits.len() > cc.len() + 4)
            .max_by_key(|(_, cc, _, _)| cc.len());
        if let Some((_, cc, _, trunk)) = known {
            let national = &digits[cc.len()..];
            add(national.to_string());
            if let Some(p) = trunk {
                add(format!("{p}{national}"));
            }
            // Stored as written with its trunk in brackets ("+49 (0)30 …" is kept as +49030…).
            if *trunk == Some('0') {
                add(format!("+{cc}0{national}"));
            }
        }
    }
    keys.truncate(5);
    keys
}

/// The key as the database computes it for a stored phone (digits, leading + kept): see migration 004.
pub fn stored_key(raw: &str) -> Option<String> {
    let t: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '/')).collect();
    if t.is_empty() { None } else { Some(t) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_when_the_country_is_known() {
        assert_eq!(phone_key("600 11 22 33", Some("ES")).unwrap(), "+34600112233");
        // A country named in the language of the file it came in.
        for name in ["Österreich", "Autriche", "AUSTRIA", "at"] {
            assert_eq!(phone_key("0664 1234567", Some(name)).unwrap(), "+436641234567", "{name}");
        }
        assert_eq!(phone_key("08-123 456 78", Some("Sverige")).unwrap(), "+46812345678");
        assert_eq!(international("030 1234567", "Deutschland").as_deref(), Some("+49 30 1234567"));
        assert_eq!(international("03 01 23 45 67", "France").as_deref(), Some("+33 3 01 23 45 67"));
        assert_eq!(international("(555) 123-4567", "USA").as_deref(), Some("+1 (555) 123-4567"));
        assert_eq!(international("+49 30 1234567", "France"), None);
        assert_eq!(international("030 1234567", "Atlantis"), None);
        assert_eq!(phone_key("+34 600-11-22-33", None).unwrap(), "+34600112233");
        assert_eq!(phone_key("0034 600 112 233", None).unwrap(), "+34600112233");
        assert_eq!(phone_key("(555) 123-4567", Some("United States")).unwrap(), "+15551234567");
        assert_eq!(phone_key("1-555-123-4567", Some("usa")).unwrap(), "+15551234567");
        assert_eq!(phone_key("020 7946 0958", Some("United Kingdom")).unwrap(), "+442079460958");
        // The trunk 0 written after the calling code is not dialled from abroad; Italy's 0 is the number's.
        for (written, key) in [
            ("+44 020 7946 0958", "+442079460958"),
            ("(+44) 020-7946-0958", "+442079460958"),
            ("0044 020 7946 0958", "+442079460958"),
            ("+49 030 1234567", "+49301234567"),
            ("+33 01 23 45 67 89", "+33123456789"),
            ("+39 06 1234 5678", "+390612345678"),
            ("+34 600 11 22 33", "+34600112233"),
        ] {
            assert_eq!(phone_key(written, None).as_deref(), Some(key), "{written}");
        }
        assert_eq!(key_with_trunk("+44 020 7946 0958", None).as_deref(), Some("+4402079460958"));
        assert_eq!(key_with_trunk("+44 20 7946 0958", None).as_deref(), Some("+4402079460958"));
        assert_eq!(key_with_trunk("+39 06 1234 5678", None), None, "Italy's numbers have no trunk 0");
        assert!(match_keys("+44 20 7946 0958", None).contains(&"+4402079460958".to_string()), "stored as written");
        assert_eq!(phone_key("+44 (0)20 7946 0958", None).unwrap(), "+442079460958");
        assert_eq!(phone_key("06 12 34 56 78", Some("Francia")).unwrap(), "+33612345678");
        assert_eq!(phone_key("600 11 22 33", None).unwrap(), "600112233");
        assert_eq!(phone_key("12", Some("ES")), None);
        assert_eq!(stored_key("+34 600 11 22 33").unwrap(), "+34600112233");
    }

    #[test]
    fn a_number_matches_the_national_forms_it_may_be_stored_under() {
        assert_eq!(match_keys("+1 415 555 0100", None), ["+14155550100", "0014155550100", "4155550100", "14155550100"]);
        assert_eq!(
            match_keys("(415) 555-0100", Some("US")),
            ["+14155550100", "4155550100", "0014155550100", "14155550100"]
        );
        assert_eq!(match_keys("+34 600 11 22 33", None), ["+34600112233", "0034600112233", "600112233"]);
        assert_eq!(
            match_keys("+44 20 7946 0958", None),
            ["+442079460958", "00442079460958", "2079460958", "02079460958", "+4402079460958"]
        );
        // Every form of a number written with its trunk in brackets.
        assert_eq!(
            match_keys("+44 (0)20 7946 0958", None),
            ["+442079460958", "+4402079460958", "00442079460958", "2079460958", "02079460958"]
        );
        assert_eq!(match_keys("600 11 22 33", None), ["600112233"]);
        assert!(match_keys("12", None).is_empty());
    }
}
