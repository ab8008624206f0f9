//! Money: an integer amount in minor units plus an ISO 4217 currency code.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::ValidationError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: String,
}

/// Digits after the decimal point for a currency (ISO 4217); 2 unless listed.
pub fn minor_digits(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "CLP" | "ISK" | "VND" | "XAF" | "XOF" | "PYG" | "UGX" | "HUF" => 0,
        "BHD" | "KWD" | "OMR" | "TND" | "JOD" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

/// ISO 4217 currency codes: those in use, and those retired since 1999 that older records may hold (the euro's
/// predecessors, HRK, LTL, VEF, ...). Sorted, for a binary search.
const ISO_4217: [&str; 217] = [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "ATS", "AUD", "AWG", "AZM", "AZN", "BAM", "BBD", "BDT", "BEF",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BYR", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CSD", "CUC", "CUP", "CVE", "CYP", "CZK", "DEM",
    "DJF", "DKK", "DOP", "DZD", "EEK", "EGP", "ERN", "ESP", "ETB", "EUR", "FIM", "FJD", "FKP", "FRF", "GBP", "GEL",
    "GHC", "GHS", "GIP", "GMD", "GNF", "GRD", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR", "IEP", "ILS",
    "INR", "IQD", "IRR", "ISK", "ITL", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD",
    "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LTL", "LUF", "LVL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT",
    "MOP", "MRO", "MRU", "MTL", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZM", "MZN", "NAD", "NGN", "NIO", "NLG",
    "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PTE", "PYG", "QAR", "ROL", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDD", "SDG", "SEK", "SGD", "SHP", "SIT", "SKK", "SLE", "SLL", "SOS", "SRD",
    "SSP", "STD", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMM", "TMT", "TND", "TOP", "TRL", "TRY", "TTD", "TWD",
    "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VEB", "VED", "VEF", "VES", "VND", "VUV", "WST",
    "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XUA",
    "YER", "ZAR", "ZMK", "ZMW", "ZWD", "ZWG", "ZWL", "ZWN", "ZWR",
];

pub fn parse_currency(code: &str) -> Result<String, ValidationError> {
    let c = well_formed_currency(code)?;
    match ISO_4217.binary_search(&c.as_str()) {
        Ok(_) => Ok(c),
        // A typo (EUE) would make a currency of its own, and pipeline totals with it.
        Err(_) => {
            Err(ValidationError::new("currency", code, "is not an ISO 4217 currency code (such as EUR, USD, GBP)"))
        }
    }
}

/// Three letters, upper-cased: a currency as earlier versions took any (a moved database's deals keep theirs).
pub fn well_formed_currency(code: &str) -> Result<String, ValidationError> {
    let c = code.trim().to_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(ValidationError::new("currency", code, "is not a three-letter ISO code such as EUR"))
    }
}

/// The largest amount a deal holds, in minor units (ten trillion euros): a typo or a garbage cell beyond
/// it, and pipelines of such amounts still add up within range.
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// Dollars written with their country ("US$ 700", "CA$1,200"): the prefix and its currency.
const NAMED_DOLLARS: [(&str, &str); 10] = [
    ("US$", "USD"),
    ("CA$", "CAD"),
    ("C$", "CAD"),
    ("AU$", "AUD"),
    ("A$", "AUD"),
    ("NZ$", "NZD"),
    ("HK$", "HKD"),
    ("MX$", "MXN"),
    ("S$", "SGD"),
    ("R$", "BRL"),
];

/// A currency column's cell: an ISO code, or the currency's sign or name as other tools write it ("€",
/// "Euro", "US dollars"). A sign alone is read as beside an amount (`currency_of`): `$` is a Canadian
/// team's dollar.
pub fn currency_as_written(written: &str, team: &str) -> Result<String, ValidationError> {
    match currency_by_name(written) {
        Some(_) if sign_currency(written).is_some() => Ok(currency_of(written, team)),
        Some(code) => Ok(code.to_string()),
        None => parse_currency(written),
    }
}

fn currency_by_name(written: &str) -> Option<&'static str> {
    let w = written.trim().to_lowercase();
    let w = w.strip_suffix('s').unwrap_or(&w);
    Some(match w {
        "€" | "euro" => "EUR",
        "$" | "us$" | "dollar" | "us dollar" | "u.s. dollar" => "USD",
        "£" | "pound" | "pound sterling" | "british pound" => "GBP",
        "¥" | "yen" | "japanese yen" => "JPY",
        _ => return None,
    })
}

/// An ISO code written with an amount, before or after it ("USD 1,234.56", "1.234,56 EUR"): the code and
/// the number without it.
fn written_code(amount: &str) -> Option<(&'static str, &str)> {
    let a = amount.trim();
    let known = |code: &str| -> Option<&'static str> {
        let upper = code.to_ascii_uppercase();
        ISO_4217.binary_search(&upper.as_str()).ok().map(|i| ISO_4217[i])
    };
    let letters = |s: &str| s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic());
    if let Some(code) = a
        .get(..3)
        .filter(|c| letters(c))
        .filter(|_| a[3..].trim_start().starts_with(|c: char| c.is_ascii_digit() || c == '-'))
    {
        return known(code).map(|c| (c, a[3..].trim()));
    }
    let start = a.len().checked_sub(3)?;
    let code = a.get(start..).filter(|c| letters(c))?;
    a[..start].trim_end().ends_with(|c: char| c.is_ascii_digit()).then_some(())?;
    known(code).map(|c| (c, a[..start].trim()))
}

/// A dollar written with its country at the start of an amount: its prefix and currency.
fn named_dollar(amount: &str) -> Option<(&'static str, &'static str)> {
    let a = amount.trim();
    NAMED_DOLLARS.into_iter().find(|(prefix, _)| a.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix)))
}

/// The currency a sign written with an amount names ("$2,500", "1.200 €", "US$ 700"), when it names one:
/// a bare `$` is taken for the US dollar, the most common of the dollars.
pub fn sign_currency(amount: &str) -> Option<&'static str> {
    if let Some((_, currency)) = named_dollar(amount).or_else(|| written_code(amount).map(|(c, _)| ("", c))) {
        return Some(currency);
    }
    let a = amount.trim();
    let sign = a.chars().next().filter(|c| !c.is_ascii_digit() && *c != '-').or_else(|| a.chars().last())?;
    match sign {
        '€' => Some("EUR"),
        '£' => Some("GBP"),
        '¥' => Some("JPY"),
        '$' => Some("USD"),
        _ => None,
    }
}

/// The currency of an amount written without one named, in a team whose currency is `team`: the team's,
/// unless the amount's sign says another (`£99` for a euro team; `$` stays a Canadian team's dollar).
pub fn currency_of(amount: &str, team: &str) -> String {
    match sign_currency(amount) {
        Some(sign) if !sign_fits(amount, team) => sign.to_string(),
        _ => team.to_string(),
    }
}

/// Whether a sign written with an amount can be the currency given: `$` a dollar or a peso, `¥` the yen
/// or the yuan; a sign and a currency that disagree are a typo to fix, not an amount to guess.
fn sign_fits(amount: &str, currency: &str) -> bool {
    if let Some((_, named)) = named_dollar(amount).or_else(|| written_code(amount).map(|(c, _)| ("", c))) {
        return named == currency;
    }
    match sign_currency(amount) {
        None => true,
        Some("USD") => DOLLAR_SIGN.contains(&currency),
        Some("JPY") => matches!(currency, "JPY" | "CNY"),
        Some(own) => own == currency,
    }
}

/// The currencies written with `$`: the dollars and the pesos.
const DOLLAR_SIGN: [&str; 20] = [
    "USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "BSD", "BBD", "BZD", "BMD", "FJD", "JMD", "TTD", "XCD", "MXN",
    "ARS", "CLP", "COP", "UYU",
];

impl Money {
    /// Parses an amount as typed: `1200.50`, `1,200.50`, `1.200,50`, `1200,5`. Never goes through floats.
    pub fn parse(amount: &str, currency: &str) -> Result<Self, ValidationError> {
        Self::parse_read(amount, currency).map(|(money, _)| money)
    }

    /// `parse`, and whether the amount has a lone point or comma before three digits ("1.505", "2,500"):
    /// thousands in most currencies, the way reps write amounts, but the decimal point in a currency of
    /// three decimals. Either reading surprises someone, so a caller says which was taken (`reading`).
    pub fn parse_read(amount: &str, currency: &str) -> Result<(Self, bool), ValidationError> {
        let currency = parse_currency(currency)?;
        let scale = minor_digits(&currency);
        let bad = |why: &str| ValidationError::new("amount", amount, why);
        if !sign_fits(amount, &currency) {
            return Err(bad(&format!("is written in another currency than {currency}")));
        }
        // A currency sign before or after the number ("€1.200", "$2,500.00", "1.200 €", "US$ 700") is only
        // decoration.
        let number = match (named_dollar(amount), written_code(amount)) {
            (Some((prefix, _)), _) => &amount.trim()[prefix.len()..],
            (None, Some((_, number))) => number,
            (None, None) => amount,
        };
        let s: String = number
            .trim()
            .trim_start_matches(['€', '$', '£', '¥'])
            .trim_end_matches(['€', '$', '£', '¥'])
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\'' && *c != '_')
            .collect();
        let (negative, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, s),
        };
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            return Err(bad("is not an amount such as 1200.50"));
        }
        // The last separator followed by 1-3 digits (and not a thousands group of exactly 3 when the other
        // separator also appears) is the decimal point; every other separator groups thousands. A lone
        // separator before three digits is a decimal point only in a currency of three decimals.
        let last_sep = s.rfind(['.', ',']);
        let mut grouping_read = false;
        let (int_part, frac_part) = match last_sep {
            Some(i) => {
                let frac = &s[i + 1..];
                let sep = s.as_bytes()[i];
                let other_sep_before = s[..i].contains(if sep == b'.' { ',' } else { '.' });
                let same_sep_before = s[..i].contains(sep as char);
                // "0.125" is never 125: a number does not start with a thousands group of zeros.
                let zero_before = s[..i].chars().all(|c| c == '0');
                let is_decimal = !frac.is_empty()
                    && (frac.len() != 3 || other_sep_before || zero_before || scale == 3)
                    && !same_sep_before;
                grouping_read = frac.len() == 3 && !other_sep_before && !same_sep_before && !zero_before;
                if is_decimal { (&s[..i], frac) } else { (&s[..], "") }
            }
            None => (&s[..], ""),
        };
        // Thousands groups as people write them: one separator throughout, a first group of one to three
        // digits, then groups of exactly three ("1.2.3", "12,34,5" and "1..5" are typos, not amounts).
        if !thousands_grouped(int_part) {
            return Err(bad("is not an amount such as 1200.50 or 1.234,56 (check its separators)"));
        }
        let digits: String = int_part.chars().filter(|c| c.is_ascii_digit()).collect();
        // Zeros past the currency's decimals say nothing ("0.500" is 0.50); other digits would be lost.
        let frac_part = match frac_part.get(scale as usize..) {
            Some(extra) if extra.chars().all(|c| c == '0') => &frac_part[..scale as usize],
            Some(_) => return Err(bad(&format!("has more than {scale} decimals for {currency}"))),
            None => frac_part,
        };
        let mut frac = frac_part.to_string();
        while (frac.len() as u32) < scale {
            frac.push('0');
        }
        let all = format!("{}{}", if digits.is_empty() { "0" } else { &digits }, frac);
        let minor: i64 = all.parse().ok().filter(|m| *m <= MAX_MINOR).ok_or_else(|| bad("is too large"))?;
        Ok((Money { minor: if negative { -minor } else { minor }, currency }, grouping_read))
    }

    /// How an amount `parse_read` flagged was read, for a note: "1.505 is read as 1,505.00 EUR: …".
    pub fn reading(&self, typed: &str) -> String {
        let why = if minor_digits(&self.currency) == 3 {
            format!("in {} a point or comma before three digits is the decimal point", self.currency)
        } else {
            "a point or comma before three digits groups thousands".to_string()
        };
        format!("{typed} is read as {self}: {why}")
    }

    /// The amount as a decimal string without grouping, e.g. `1200.50`.
    pub fn decimal(&self) -> String {
        let scale = minor_digits(&self.currency);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if scale == 0 {
            return format!("{sign}{abs}");
        }
        let p = 10u64.pow(scale);
        format!("{sign}{}.{:0width$}", abs / p, abs % p, width = scale as usize)
    }
}

/// Whether the whole-number part is digits, or digits grouped with one separator: by thousands
/// ("1.234.567"), or the Indian way, by hundreds then thousands ("12,34,567"). An empty part is fine (".50").
fn thousands_grouped(int_part: &str) -> bool {
    let Some(sep) = int_part.chars().find(|c| *c == '.' || *c == ',') else { return true };
    let groups: Vec<&str> = int_part.split(sep).collect();
    let (first, middle, last) = (groups[0], &groups[1..groups.len() - 1], groups[groups.len() - 1]);
    groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && (1..=3).contains(&first.len())
        && last.len() == 3
        && (middle.iter().all(|g| g.len() == 3) || (first.len() <= 2 && middle.iter().all(|g| g.len() == 2)))
}

impl Money {
    /// `558k EUR`, `1.2k USD`, `3.4M EUR`, `950 EUR`: short enough for several currencies side by side.
    pub fn compact(&self) -> String {
        const UNITS: [(f64, &str); 5] = [(1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"), (1e12, "T")];
        let units = self.minor as f64 / 10f64.powi(minor_digits(&self.currency) as i32);
        let mut at = UNITS.iter().rposition(|(size, _)| units.abs() >= *size).unwrap_or(0);
        loop {
            let (size, suffix) = UNITS[at];
            let value = units / size;
            // One decimal while it says something (1.2k), none once the number has three digits (558k).
            let mut n =
                if value.abs() >= 100.0 || suffix.is_empty() { format!("{value:.0}") } else { format!("{value:.1}") };
            // Rounded up to a thousand, it is one of the next unit (999,600 is 1M, not 1000k).
            if n.trim_start_matches('-').starts_with("1000") && at + 1 < UNITS.len() {
                at += 1;
                continue;
            }
            if n.ends_with(".0") {
                n.truncate(n.len() - 2);
            }
            return format!("{n}{suffix} {}", self.currency);
        }
    }
}

impl fmt::Display for Money {
    /// `1,200.50 EUR`: grouped for reading.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dec = self.decimal();
        let (sign, body) = dec.strip_prefix('-').map(|b| ("-", b)).unwrap_or(("", &dec));
        let (int, frac) = body.split_once('.').map(|(i, f)| (i, Some(f))).unwrap_or((body, None));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match frac {
            Some(fr) => write!(f, "{sign}{grouped}.{fr} {}", self.currency),
            None => write!(f, "{sign}{grouped} {}", self.currency),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_amounts_fit_beside_each_other() {
        let m = |minor: i64, currency: &str| Money { minor, currency: currency.into() }.compact();
        assert_eq!(m(55_810_000, "EUR"), "558k EUR");
        assert_eq!(m(123_456, "USD"), "1.2k USD");
        assert_eq!(m(340_000_000, "EUR"), "3.4M EUR");
        assert_eq!(m(95_049, "EUR"), "950 EUR");
        assert_eq!(m(100_000, "EUR"), "1k EUR");
        assert_eq!(m(1_500_000, "JPY"), "1.5M JPY");
        // Rounding up to a thousand reads as one of the next unit.
        assert_eq!(m(99_960_000, "EUR"), "1M EUR");
        assert_eq!(m(99_999_999_999_900, "EUR"), "1T EUR");
        assert_eq!(m(99_999_999_999_900, "IDR"), "1T IDR");
        assert_eq!(m(99_950, "EUR"), "1k EUR");
        assert_eq!(m(-99_960_000, "EUR"), "-1M EUR");
    }

    #[test]
    fn parses_common_forms() {
        assert_eq!(Money::parse("1200.50", "eur").unwrap(), Money { minor: 120050, currency: "EUR".into() });
        assert_eq!(Money::parse("1,200.50", "USD").unwrap().minor, 120050);
        assert_eq!(Money::parse("1.200,50", "EUR").unwrap().minor, 120050);
        assert_eq!(Money::parse("1200,5", "EUR").unwrap().minor, 120050);
        assert_eq!(Money::parse("1,200", "USD").unwrap().minor, 120000);
        assert_eq!(Money::parse("1.234.567", "EUR").unwrap().minor, 123456700);
        assert_eq!(Money::parse("5000", "JPY").unwrap().minor, 5000);
        assert_eq!(Money::parse("€1.200", "EUR").unwrap().minor, 120000);
        assert_eq!(Money::parse("$2,500.00", "USD").unwrap().minor, 250000);
        assert_eq!(Money::parse("1.200,50 €", "EUR").unwrap().minor, 120050);
        assert_eq!(Money::parse("0.5", "EUR").unwrap().minor, 50);
    }

    #[test]
    fn refuses_garbage() {
        assert!(Money::parse("12abc", "EUR").is_err());
        assert!(Money::parse("1.234", "EUR").unwrap().minor == 123400);
        assert!(Money::parse("1.5", "JPY").is_err());
        assert!(Money::parse("10", "EURO").is_err());
        assert!(Money::parse("", "EUR").is_err());
        assert!(Money::parse("99999999999999999999", "EUR").is_err());
        assert!(Money::parse("92233720368547758.07", "EUR").is_err());
        assert_eq!(Money::parse("10000000000000", "EUR").unwrap().minor, MAX_MINOR);
        assert!(Money::parse("10000000000000.01", "EUR").is_err());
        for typo in ["1..5", "1.2,3.4", ".", ",", "1.2.3", "12,34,5", "1,2345.00", "-"] {
            assert!(Money::parse(typo, "EUR").is_err(), "{typo}");
        }
        assert_eq!(Money::parse(".50", "EUR").unwrap().minor, 50);
        assert_eq!(Money::parse("0.500", "EUR").unwrap().minor, 50, "a zero before the point is a decimal point");
        for too_fine in ["0.005", "0,125", "000.123"] {
            assert!(Money::parse(too_fine, "EUR").is_err(), "{too_fine}");
        }
        assert_eq!(Money::parse("12.345.678,90", "EUR").unwrap().minor, 1234567890);
        assert_eq!(Money::parse("12,34,567.50", "INR").unwrap().minor, 123456750, "Indian grouping");
    }

    #[test]
    fn a_lone_separator_before_three_digits_groups_thousands_unless_the_currency_has_three_decimals() {
        assert_eq!(Money::parse_read("1.505", "EUR").unwrap(), (Money { minor: 150500, currency: "EUR".into() }, true));
        assert!(Money::parse_read("2,500", "USD").unwrap().1);
        let dinars = Money::parse_read("1.250", "BHD").unwrap();
        assert_eq!(dinars, (Money { minor: 1250, currency: "BHD".into() }, true));
        assert_eq!(
            dinars.0.reading("1.250"),
            "1.250 is read as 1.250 BHD: in BHD a point or comma before three digits is the decimal point"
        );
        assert_eq!(
            Money::parse_read("1.505", "EUR").unwrap().0.reading("1.505"),
            "1.505 is read as 1,505.00 EUR: a point or comma before three digits groups thousands"
        );
        assert_eq!(Money::parse("1.250,000", "KWD").unwrap().minor, 1_250_000);
        assert_eq!(Money::parse("12,500.000", "KWD").unwrap().minor, 12_500_000);
        for plain in ["1505", "1.505,00", "1,505.00", "1.234.567", "0.500"] {
            assert!(!Money::parse_read(plain, "EUR").unwrap().1, "{plain}");
        }
    }

    #[test]
    fn currencies_are_iso_4217_codes_old_ones_included() {
        assert!(super::ISO_4217.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
        assert_eq!(parse_currency(" usd ").unwrap(), "USD");
        assert_eq!(parse_currency("HRK").unwrap(), "HRK", "retired in 2023, still in older records");
        let typo = parse_currency("EUE").unwrap_err().to_string();
        assert!(typo.contains("is not an ISO 4217 currency code"), "{typo}");
        assert!(parse_currency("EURO").unwrap_err().to_string().contains("three-letter"));
    }

    #[test]
    fn a_currency_sign_names_the_currency_and_must_agree_with_the_one_given() {
        assert_eq!(sign_currency("$1,200"), Some("USD"));
        assert_eq!(sign_currency("1.200 €"), Some("EUR"));
        assert_eq!(sign_currency("£99.99"), Some("GBP"));
        assert_eq!(sign_currency("-5"), None);
        assert_eq!(sign_currency("1200"), None);
        // An ISO code before or after the number, as multi-currency reports write amounts.
        assert_eq!(sign_currency("USD 1,234.56"), Some("USD"));
        assert_eq!(sign_currency("1.234,56 eur"), Some("EUR"));
        assert_eq!(Money::parse("USD 1,234.56", "USD").unwrap().minor, 123_456);
        assert_eq!(Money::parse("1234.56 USD", "USD").unwrap().minor, 123_456);
        assert!(Money::parse("1234.56 GBP", "USD").is_err(), "a code that disagrees with the currency");
        assert_eq!(sign_currency("12 abc"), None);
        // A currency column giving a sign or a name.
        assert_eq!(currency_as_written("€", "USD").unwrap(), "EUR");
        assert_eq!(currency_as_written("Euros", "USD").unwrap(), "EUR");
        assert_eq!(currency_as_written("US Dollar", "CAD").unwrap(), "USD");
        assert_eq!(currency_as_written("$", "CAD").unwrap(), "CAD", "as `$2500` is for a Canadian team");
        assert_eq!(currency_as_written("$", "EUR").unwrap(), "USD");
        assert!(parse_currency("Euro").is_err(), "a setting or a flag takes the code");
        assert_eq!(Money::parse("$1,200", "CAD").unwrap().minor, 120_000);
        // Written without a currency: the team's, unless the sign cannot be it.
        assert_eq!(currency_of("$2,500", "CAD"), "CAD");
        assert_eq!(currency_of("¥1200", "CNY"), "CNY");
        assert_eq!(currency_of("$2,500", "EUR"), "USD");
        assert_eq!(currency_of("$2,500", "SEK"), "USD");
        assert_eq!(currency_of("$2,500", "MXN"), "MXN");
        assert_eq!(currency_of("£5", "EUR"), "GBP");
        assert_eq!(currency_of("2500", "EUR"), "EUR");
        // A dollar named by its country is that one.
        assert_eq!(currency_of("US$ 700", "CAD"), "USD");
        assert_eq!(currency_of("ca$1,200", "USD"), "CAD");
        assert_eq!(Money::parse("US$ 700", "USD").unwrap().minor, 70_000);
        assert_eq!(Money::parse("R$ 1.200,50", "BRL").unwrap().minor, 120_050);
        assert!(Money::parse("US$ 700", "CAD").is_err());
        assert_eq!(Money::parse("¥1200", "CNY").unwrap().minor, 120_000);
        for (amount, currency) in [("$1200", "EUR"), ("£99.99", "EUR"), ("1.200 €", "USD"), ("¥500", "USD")] {
            let e = Money::parse(amount, currency).unwrap_err();
            assert!(e.reason.contains("another currency"), "{amount} {currency}: {e}");
        }
    }

    #[test]
    fn displays_grouped() {
        assert_eq!(Money { minor: 123456789, currency: "EUR".into() }.to_string(), "1,234,567.89 EUR");
        assert_eq!(Money { minor: -5, currency: "USD".into() }.decimal(), "-0.05");
        assert_eq!(Money { minor: 5000, currency: "JPY".into() }.to_string(), "5,000 JPY");
    }
}
