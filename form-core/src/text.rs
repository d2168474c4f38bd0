//! Bilingual text: every user-facing string exists in Vietnamese and English.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A language of the user interface. Vietnamese is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    /// The BCP 47 tag, for `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses `vi` or `en` (case-insensitive, region ignored: `en-GB` is English).
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// A text in Vietnamese and English.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub vi: String,
    pub en: String,
}

impl Text {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// `s` in lower case, for comparing names and labels: Latin letters as Vietnamese and English
/// write them (ASCII, Latin-1, Latin Extended-A, Ơ/Ư and the precomposed Vietnamese letters of
/// Latin Extended Additional); other characters are kept as they are. The standard library's
/// full Unicode table would add 9 KB to the browser bundle for scripts no form here uses.
pub fn lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

/// `s` percent-encoded for a URL: every byte but ASCII letters, digits, RFC 3986's other
/// unreserved characters (`-._~`) and those in `keep` becomes `%XX`. A query value as
/// `encodeURIComponent` writes it keeps `!*'()`; a path given as a value may keep `/`.
pub fn percent_encode(s: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// `c` in lower case, as [`lower`] does.
pub(crate) fn lower_char(c: char) -> char {
    let u = c as u32;
    let to = match u {
        0x41..=0x5A => u + 0x20,
        // À–Þ except ×.
        0xC0..=0xDE if u != 0xD7 => u + 0x20,
        // Latin Extended-A: pairs, upper case first (İ and ĸ/ŉ stand alone, Ÿ → ÿ).
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 if u.is_multiple_of(2) => u + 1,
        0x139..=0x148 | 0x179..=0x17E if !u.is_multiple_of(2) => u + 1,
        0x178 => 0xFF,
        // Ơ, Ư.
        0x1A0 | 0x1AF => u + 1,
        // Latin Extended Additional: pairs (Ạ ạ … Ỹ ỹ), except ẖ–ẟ.
        0x1E00..=0x1E95 | 0x1EA0..=0x1EFF if u.is_multiple_of(2) => u + 1,
        _ => u,
    };
    char::from_u32(to).unwrap_or(c)
}

#[cfg(test)]
mod lower_tests {
    use super::lower;

    #[test]
    fn vietnamese_and_english_letters_in_lower_case() {
        assert_eq!(lower("NGUYỄN VĂN ĐỨC"), "nguyễn văn đức");
        assert_eq!(lower("Họ, Chữ Đệm Và Tên"), "họ, chữ đệm và tên");
        assert_eq!(lower("ƠN ƯỚC Ỹ"), "ơn ước ỹ");
        assert_eq!(lower("Report.PDF"), "report.pdf");
        assert_eq!(lower("ÀÉÎÕÜ × Ÿ"), "àéîõü × ÿ");
        assert_eq!(lower("ĞİŁ"), "ğİł");
        // The same as the standard library in the ranges covered (İ aside: it lowers to two
        // characters there).
        let covered =
            |u: u32| u < 0x180 || u == 0x1A0 || u == 0x1AF || (0x1E00..=0x1EFF).contains(&u);
        for c in ('\u{0}'..='\u{24F}').chain('\u{1E00}'..='\u{1EFF}') {
            let u = c as u32;
            if covered(u) && u != 0x130 && !(0x1E96..=0x1E9F).contains(&u) {
                assert_eq!(
                    lower(&c.to_string()),
                    c.to_lowercase().collect::<String>(),
                    "U+{u:04X}"
                );
            }
        }
    }
}
