//! The string formats that definitions may use in `format`, checked the same way everywhere.

use serde::{Deserialize, Serialize};

/// A supported `format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// RFC 3339 `full-date` (`2025-07-01`), a real calendar day.
    Date,
    /// A month of a year, `YYYY-MM` (`2020-03`): "from month/year to month/year" on paper forms.
    #[serde(rename = "year-month")]
    YearMonth,
    /// An e-mail address as people type them into forms: a dot-atom local part, `@`, and a domain
    /// name with at least two labels. Stricter than RFC 5321 (no quoted local parts, no IP
    /// literals), so every address accepted here is accepted by a standard validator too.
    Email,
}

impl Format {
    pub const NAMES: [&'static str; 3] = ["date", "year-month", "email"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "date" => Some(Format::Date),
            "year-month" => Some(Format::YearMonth),
            "email" => Some(Format::Email),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Date => "date",
            Format::YearMonth => "year-month",
            Format::Email => "email",
        }
    }

    pub fn is_valid(self, s: &str) -> bool {
        match self {
            Format::Date => parse_date(s).is_some(),
            Format::YearMonth => parse_year_month(s).is_some(),
            Format::Email => is_email(s),
        }
    }
}

/// Parses an RFC 3339 full-date into (year, month, day).
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    (1..=12).contains(&m).then_some(())?;
    (d >= 1 && d <= days_in_month(y, m)).then_some((y, m, d))
}

/// Parses `YYYY-MM` into (year, month).
pub fn parse_year_month(s: &str) -> Option<(u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 7
        || b[4] != b'-'
        || !b
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
    {
        return None;
    }
    let (y, m): (u32, u32) = (s[..4].parse().ok()?, s[5..].parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Turns what a citizen typed as `mm/yyyy` (also `m/yyyy`, `mm-yyyy`, `mm.yyyy`) into `YYYY-MM`,
/// if it is a month.
pub fn month_from_display(typed: &str) -> Option<String> {
    let parts: Vec<&str> = typed.trim().split(['/', '-', '.']).collect();
    let [m, y] = parts.as_slice() else {
        return None;
    };
    let digits =
        |p: &str, lens: &[usize]| lens.contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit());
    if !(digits(m, &[1, 2]) && digits(y, &[4])) {
        return None;
    }
    let iso = format!("{y}-{m:0>2}");
    parse_year_month(&iso).map(|_| iso)
}

/// Shows `YYYY-MM` as `mm/yyyy`; other text is returned unchanged.
pub fn month_to_display(iso: &str) -> String {
    match parse_year_month(iso) {
        Some((y, m)) => format!("{m:02}/{y:04}"),
        None => iso.to_owned(),
    }
}

/// Days in month `m` (1–12) of year `y` (proleptic Gregorian).
pub fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Turns what a citizen typed as `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`) into
/// an ISO date, if it is a real day.
pub fn date_from_display(typed: &str) -> Option<String> {
    let parts: Vec<&str> = typed.trim().split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let ok =
        |p: &str, lens: &[usize]| lens.contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit());
    if !(ok(d, &[1, 2]) && ok(m, &[1, 2]) && ok(y, &[4])) {
        return None;
    }
    let iso = format!("{y}-{m:0>2}-{d:0>2}");
    parse_date(&iso).map(|_| iso)
}

/// A decimal number as people and rules write it: an optional sign, digits, and at most one
/// decimal point (`12`, `-3.5`, `.5`, `12.`, `007`); no exponent, no spaces. Parsed by serde_json
/// (as the portal parses data), so the browser bundle carries one float parser, not two.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'-' => ("-", &text[1..]),
        b'+' => ("", &text[1..]),
        _ => ("", text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let canonical = if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    };
    serde_json::from_str::<f64>(&canonical)
        .ok()
        .filter(|n| n.is_finite())
}

/// Shows an ISO date as `dd/mm/yyyy`; other text is returned unchanged.
pub fn date_to_display(iso: &str) -> String {
    match parse_date(iso) {
        Some((y, m, d)) => format!("{d:02}/{m:02}/{y:04}"),
        None => iso.to_owned(),
    }
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    if s.len() > 254 || local.is_empty() || local.len() > 64 {
        return false;
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    let local_ok = local
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(atext));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                // RFC 5891: "--" in the 3rd and 4th places is reserved (IDNA "xn--" labels).
                && l.get(2..4) != Some("--")
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()) && tld.len() >= 2);
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_as_people_write_them() {
        use super::parse_decimal as p;
        assert_eq!(p("12"), Some(12.0));
        assert_eq!(p("-3.5"), Some(-3.5));
        assert_eq!(p("+5"), Some(5.0));
        assert_eq!(p(".5"), Some(0.5));
        assert_eq!(p("12."), Some(12.0));
        assert_eq!(p("007"), Some(7.0));
        assert_eq!(p("0.1"), Some(0.1));
        assert_eq!(p("19.99"), Some(19.99));
        for bad in [
            "", ".", "-", "1.2.3", "1e3", " 1", "1 ", "0x10", "inf", "NaN", "1,5",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
        assert_eq!(p(&"9".repeat(400)), None);
    }

    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn dates() {
        assert!(Format::Date.is_valid("2024-02-29"));
        assert!(!Format::Date.is_valid("2023-02-29"));
        assert!(!Format::Date.is_valid("2023-13-01"));
        assert!(!Format::Date.is_valid("01/02/2023"));
        assert_eq!(date_from_display("1/2/2023").as_deref(), Some("2023-02-01"));
        assert_eq!(date_from_display("31/04/2023"), None);
        assert_eq!(date_to_display("1990-05-17"), "17/05/1990");
    }

    #[test]
    fn emails() {
        for ok in ["an.nguyen@example.vn", "x+tag@mail.gov.vn"] {
            assert!(Format::Email.is_valid(ok), "{ok}");
        }
        for bad in [
            "",
            "a@b",
            "a..b@example.vn",
            ".a@example.vn",
            "a@-x.vn",
            "a@example.v1",
            "nguyễn@example.vn",
            "a b@x.vn",
        ] {
            assert!(!Format::Email.is_valid(bad), "{bad}");
        }
    }
}
