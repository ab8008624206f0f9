//! Calling codes of the countries reps sell in: import keys phone numbers by them, and search finds a
//! number typed without its calling code (or with the national trunk prefix).

/// (ISO code, calling code, names people write, national trunk prefix dropped before the number)
pub const COUNTRIES: &[(&str, &str, &[&str], Option<char>)] = &[
    // Names as `text::fold` writes them: lower case, without accents.
    ("ES", "34", &["spain", "espana", "spanien", "espagne", "spagna"], None),
    (
        "US",
        "1",
        &[
            "united states",
            "usa",
            "united states of america",
            "estados unidos",
            "eeuu",
            "vereinigte staaten",
            "etats-unis",
        ],
        Some('1'),
    ),
    ("CA", "1", &["canada", "kanada"], Some('1')),
    (
        "GB",
        "44",
        &["united kingdom", "uk", "great britain", "england", "reino unido", "vereinigtes konigreich", "royaume-uni"],
        Some('0'),
    ),
    ("IE", "353", &["ireland", "irlanda", "irland", "irlande"], Some('0')),
    (
        "DE",
        "49",
        &["germany", "deutschland", "alemania", "allemagne", "germania", "duitsland", "niemcy", "tyskland"],
        Some('0'),
    ),
    ("FR", "33", &["france", "francia", "frankreich", "frankrijk", "francja", "frankrike", "frankrig"], Some('0')),
    ("IT", "39", &["italy", "italia", "italien", "italie", "wlochy"], None),
    ("PT", "351", &["portugal", "portogallo", "portugalia"], None),
    (
        "NL",
        "31",
        &[
            "netherlands",
            "the netherlands",
            "holland",
            "paises bajos",
            "nederland",
            "niederlande",
            "pays-bas",
            "paesi bassi",
        ],
        Some('0'),
    ),
    ("BE", "32", &["belgium", "belgica", "belgien", "belgique", "belgie", "belgio"], Some('0')),
    ("CH", "41", &["switzerland", "suiza", "schweiz", "suisse", "svizzera"], Some('0')),
    ("AT", "43", &["austria", "osterreich", "autriche", "oostenrijk"], Some('0')),
    ("SE", "46", &["sweden", "suecia", "sverige", "schweden", "suede", "svezia", "szwecja"], Some('0')),
    ("NO", "47", &["norway", "noruega", "norge", "norwegen", "norvege", "norvegia", "norwegia"], None),
    ("DK", "45", &["denmark", "dinamarca", "danmark", "danemark", "danimarca", "dania"], None),
    ("FI", "358", &["finland", "finlandia", "suomi", "finnland", "finlande"], Some('0')),
    ("PL", "48", &["poland", "polonia", "polska", "polen", "pologne"], None),
    ("MX", "52", &["mexico"], None),
    ("AR", "54", &["argentina"], Some('0')),
    ("CO", "57", &["colombia"], None),
    ("CL", "56", &["chile"], None),
    ("PE", "51", &["peru"], Some('0')),
    ("BR", "55", &["brazil", "brasil"], Some('0')),
    ("UY", "598", &["uruguay"], Some('0')),
    ("AU", "61", &["australia"], Some('0')),
    ("IN", "91", &["india"], Some('0')),
    ("JP", "81", &["japan", "japon"], Some('0')),
];

/// The forms a phone number typed as bare digits may have been indexed under: as typed, without a national
/// trunk prefix, and behind each known calling code ("612345678" may be stored as +33 6 12 34 56 78).
/// `international`: typed with its calling code ("+34 600 …", "0034 600 …"), it may also be stored after
/// 00, as a national number (with or without the trunk: "600 11 22 33", "020 7946 0958"), or with the
/// trunk in brackets ("+44 (0)20 …"). A national number is never read as international: "912 34 56 78"
/// is a Madrid line, not an Indian number.
pub fn digit_variants(digits: &str, international: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut add = |v: String| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    // "0034 ..." is the international prefix: the rest is the number with its calling code.
    if let Some(rest) = digits.strip_prefix("00").filter(|r| r.len() >= 6) {
        add(rest.to_string());
        add(digits.to_string());
        with_calling_code(rest, &mut add);
        return out;
    }
    add(digits.to_string());
    if international {
        add(format!("00{digits}"));
        with_calling_code(digits, &mut add);
        return out;
    }
    for (_, cc, _, trunk) in COUNTRIES {
        let national = match trunk {
            Some(p) if digits.starts_with(*p) => &digits[1..],
            _ => digits,
        };
        add(format!("{cc}{national}"));
        // Kept as "+44 (0)20 …": the trunk indexed after the calling code.
        if let Some(p) = trunk {
            add(format!("{cc}{p}{national}"));
        }
    }
    out
}

/// The national forms of a number written with its calling code (`digits` starts with it).
fn with_calling_code(digits: &str, add: &mut impl FnMut(String)) {
    for (_, cc, _, trunk) in COUNTRIES {
        if let Some(national) = digits.strip_prefix(cc).filter(|n| n.len() >= 6) {
            // Typed "+44 (0)20 …": the trunk after the calling code is not dialled.
            if let Some(p) = trunk
                && let Some(rest) = national.strip_prefix(*p)
            {
                add(format!("{cc}{rest}"));
                add(rest.to_string());
            }
            add(national.to_string());
            if let Some(p) = trunk {
                add(format!("{p}{national}"));
                add(format!("{cc}{p}{national}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_national_number_is_looked_for_behind_every_calling_code() {
        let v = digit_variants("0612345678", false);
        assert_eq!(v[0], "0612345678");
        assert!(v.contains(&"33612345678".to_string()), "France drops the trunk 0");
        assert!(v.contains(&"34612345678".to_string()) || v.contains(&"340612345678".to_string()));
        assert!(digit_variants("682074071", false).contains(&"34682074071".to_string()));
        // A national number is not read as an international one.
        assert!(!digit_variants("912345678", false).contains(&"2345678".to_string()));
    }

    #[test]
    fn a_number_with_its_calling_code_is_looked_for_as_written_nationally_or_after_00() {
        let v = digit_variants("34600998877", true);
        assert!(v.contains(&"0034600998877".to_string()), "{v:?}");
        assert!(v.contains(&"600998877".to_string()), "{v:?}");
        assert!(digit_variants("0034600998877", false).contains(&"600998877".to_string()));
        let uk = digit_variants("442079460958", true);
        assert!(uk.contains(&"02079460958".to_string()), "the trunk 0 put back: {uk:?}");
        assert!(uk.contains(&"4402079460958".to_string()), "written +44 (0)20: {uk:?}");
        // Typed with the trunk after the calling code, found as kept without it.
        let typed = digit_variants("4402079460958", true);
        assert!(typed.contains(&"442079460958".to_string()), "{typed:?}");
        // Typed nationally, found as kept "+44 (0)20 …", with or without the trunk typed.
        for national in ["2079460958", "02079460958"] {
            let v = digit_variants(national, false);
            assert!(v.contains(&"4402079460958".to_string()), "{national}: {v:?}");
        }
    }
}
