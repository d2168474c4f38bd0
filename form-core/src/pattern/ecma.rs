//! JSON Schema's regular expressions are ECMA-262's; regex-lite speaks another dialect. This
//! rewrites an ECMA-262 pattern into regex-lite syntax that matches the same strings, or says
//! which construct cannot be matched the same way (then the definition is refused at that
//! pattern's pointer, in the browser and on the portal alike).
//!
//! What differs, and what is done about it:
//! - `\s`/`\S` are ECMA's white space and line terminators (NBSP, U+2003, U+2029, U+FEFF, …),
//!   not ASCII's: spelled out as ranges. `.` excludes `\r`, U+2028 and U+2029 besides `\n`.
//! - `[[:alpha:]]` is no POSIX class in ECMA: `[` inside a class is a plain `[`, and `&&`, `--`,
//!   `~~` are plain characters (regex-lite reads them as set operations).
//! - `\uXXXX`, `\u{X…}`, `\xXX` and `\cX` are characters, `\` before punctuation its character;
//!   `(?<name>…)` groups.
//! - Refused, where ECMA itself, its `u` flag or the reference validator read them otherwise:
//!   back-references and lookaround (no linear-time engine has them), `(?` flags, `\p{…}`,
//!   escapes of letters and digits without a meaning above (`\A`, `\0`), `[]` and `[^]`, `[\b]`,
//!   `--` in a class, a `{` that starts no quantifier, two quantifiers in a row (`a**`).
//!
//! `\d`, `\w`, `\b` are ASCII in both. Matching is by Unicode code point (as ECMA's `u` flag and
//! the reference validator do), so `^.$` matches one emoji.

use crate::text::Text;
use std::fmt::Write;

/// ECMA-262 `WhiteSpace` and `LineTerminator`, as class ranges.
const SPACE: &str =
    r"\t-\r\x{20}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// Every other character, as class ranges (regex-lite has no nested classes to negate inside).
const NOT_SPACE: &str = r"\x{0}-\x{8}\x{E}-\x{1F}\x{21}-\x{9F}\x{A1}-\x{167F}\x{1681}-\x{1FFF}\x{200B}-\x{2027}\x{202A}-\x{202E}\x{2030}-\x{205E}\x{2060}-\x{2FFF}\x{3001}-\x{FEFE}\x{FF00}-\x{10FFFF}";

/// `.`: anything but a line terminator.
const DOT: &str = r"[^\n\r\x{2028}\x{2029}]";

/// Translates an ECMA-262 pattern into regex-lite syntax with the same matches.
pub fn translate(src: &str) -> Result<String, Text> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() + 16);
    let mut i = 0;
    // What came last: quantifiers need an atom before them (ECMA refuses `a**`, `^*`, `(*a)`,
    // which regex-lite would read as `(a*)*` or accept), and one `?` may make them lazy.
    let mut prev = Prev::Nothing;
    let mut names: Vec<String> = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' | '+' | '?' => {
                prev = match prev {
                    Prev::Atom => Prev::Quantified,
                    Prev::Quantified if c == '?' => Prev::Lazy,
                    _ => return Err(nothing_to_repeat()),
                };
                out.push(c);
            }
            '{' => {
                let Some(len) = quantifier(&chars[i..]) else {
                    return Err(invalid(
                        "dấu { không mở một lượng từ (viết \\{ cho chính dấu ngoặc)",
                        "a { that starts no quantifier (write \\{ for the brace itself)",
                    ));
                };
                if prev != Prev::Atom {
                    return Err(nothing_to_repeat());
                }
                out.push('{');
                out.extend(&chars[i..i + len]);
                i += len;
                prev = Prev::Quantified;
            }
            '\\' => {
                let (text, used) = escape(&chars[i..], false)?;
                out.push_str(&text);
                // `\b` and `\B` are assertions: nothing to repeat.
                prev = if matches!(chars.get(i), Some('b' | 'B')) {
                    Prev::Nothing
                } else {
                    Prev::Atom
                };
                i += used;
            }
            '.' => {
                out.push_str(DOT);
                prev = Prev::Atom;
            }
            '[' => {
                i = class(&chars, i, &mut out)?;
                prev = Prev::Atom;
            }
            '(' => {
                prev = Prev::Nothing;
                if chars.get(i) != Some(&'?') {
                    out.push('(');
                    continue;
                }
                match (chars.get(i + 1), chars.get(i + 2)) {
                    (Some(':'), _) => {
                        out.push_str("(?:");
                        i += 2;
                    }
                    (Some('<'), Some('=' | '!')) | (Some('=' | '!'), _) => {
                        return Err(refused(
                            "phép nhìn trước/nhìn sau (?=, ?!, ?<=, ?<!)",
                            "lookahead and lookbehind (?=, ?!, ?<=, ?<!)",
                        ));
                    }
                    (Some('<'), _) => {
                        // A named group: only whether it matches counts here, but the name
                        // must be one (an ASCII identifier, once per pattern; ECMA allows more
                        // letters, which are refused here rather than carry Unicode tables).
                        let rest = &chars[i + 2..];
                        let close = rest.iter().position(|&c| c == '>');
                        let name: Option<String> = close.map(|n| rest[..n].iter().collect());
                        let ok = name.as_deref().is_some_and(|n| {
                            let mut cs = n.chars();
                            cs.next()
                                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_' || f == '$')
                                && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
                                && !names.iter().any(|m| m == n)
                        });
                        let (Some(close), Some(name), true) = (close, name, ok) else {
                            return Err(invalid(
                                "tên nhóm (?<tên>…) không hợp lệ, không đóng hoặc bị lặp",
                                "a group name (?<name>…) that is not a name, not closed or repeated",
                            ));
                        };
                        names.push(name);
                        out.push_str("(?:");
                        i += close + 3;
                    }
                    _ => {
                        return Err(refused(
                            "cờ trong mẫu ((?i) và các cờ khác)",
                            "flags inside the pattern ((?i) and others)",
                        ));
                    }
                }
            }
            '^' | '$' | '|' => {
                out.push(c);
                prev = Prev::Nothing;
            }
            '}' => {
                out.push_str(r"\}");
                prev = Prev::Atom;
            }
            ']' => {
                out.push_str(r"\]");
                prev = Prev::Atom;
            }
            _ => {
                out.push(c);
                prev = Prev::Atom;
            }
        }
    }
    Ok(out)
}

/// What came last in the pattern, for the quantifier that may follow.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    /// The start, `(`, `|`, or an assertion (`^`, `$`, `\b`): nothing to repeat.
    Nothing,
    /// Something that matches characters.
    Atom,
    /// A quantified atom (one `?` may make it lazy).
    Quantified,
    /// A lazy quantified atom.
    Lazy,
}

/// The length of `n}`, `n,}` or `n,m}` at the start of `rest` (after a `{`), if it is one.
fn quantifier(rest: &[char]) -> Option<usize> {
    let digits = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let n = digits(0);
    if n == 0 {
        return None;
    }
    let mut at = n;
    if rest.get(at) == Some(&',') {
        at += 1;
        at += digits(at);
    }
    (rest.get(at) == Some(&'}')).then_some(at + 1)
}

/// A class starting after its `[` at `i`; returns where the pattern goes on.
fn class(chars: &[char], mut i: usize, out: &mut String) -> Result<usize, Text> {
    let negated = chars.get(i) == Some(&'^');
    if negated {
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        return Err(refused(
            "lớp ký tự rỗng ([] hoặc [^])",
            "an empty character class ([] or [^])",
        ));
    }
    out.push('[');
    if negated {
        out.push('^');
    }
    // A class escape (`\d`, `\s`, …) cannot end a range (`[a-\d]`, `[\s-z]`): ECMA's `u` flag
    // and the reference refuse it, and `\s` spelled out as ranges would join the range.
    let class_escape = |at: usize| matches!(chars.get(at), Some('d' | 'D' | 'w' | 'W' | 's' | 'S'));
    let mut after_escape = false;
    let mut after_dash = false;
    let range_end = || {
        refused(
            "một lớp như \\d hay \\s làm đầu mút của khoảng (a-\\d)",
            "a class such as \\d or \\s as the end of a range (a-\\d)",
        )
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        let (was_escape, was_dash) = (after_escape, after_dash);
        (after_escape, after_dash) = (false, false);
        match c {
            ']' => {
                out.push(']');
                return Ok(i);
            }
            '\\' => {
                if class_escape(i) {
                    if was_dash {
                        return Err(range_end());
                    }
                    after_escape = true;
                }
                let (text, used) = escape(&chars[i..], true)?;
                out.push_str(&text);
                i += used;
            }
            '-' if chars.get(i) == Some(&'-') => {
                return Err(refused("-- trong lớp ký tự", "-- inside a character class"));
            }
            '-' if was_escape && chars.get(i) != Some(&']') => return Err(range_end()),
            '-' => {
                out.push('-');
                after_dash = true;
            }
            c if c.is_ascii_punctuation() => hex(out, c),
            c => out.push(c),
        }
    }
    Err(invalid(
        "lớp ký tự không đóng ([ thiếu ])",
        "an unclosed character class ([ without ])",
    ))
}

/// An escape after its `\`: the regex-lite text and how many characters it used. `in_class`:
/// inside `[…]`, where `\s` is its ranges and `\b` a backspace.
fn escape(rest: &[char], in_class: bool) -> Result<(String, usize), Text> {
    let Some(&c) = rest.first() else {
        return Err(invalid(
            "dấu \\ ở cuối mẫu",
            "a \\ at the end of the pattern",
        ));
    };
    let mut s = String::new();
    let used = match c {
        'd' | 'D' | 'w' | 'W' => {
            s.push('\\');
            s.push(c);
            1
        }
        'b' | 'B' if !in_class => {
            s.push('\\');
            s.push(c);
            1
        }
        'b' => return Err(refused("[\\b] (phím xoá lùi)", "[\\b] (a backspace)")),
        's' | 'S' => {
            let ranges = if c == 's' { SPACE } else { NOT_SPACE };
            if in_class {
                s.push_str(ranges);
            } else {
                let _ = write!(s, "[{ranges}]");
            }
            1
        }
        't' => push_hex(&mut s, '\t'),
        'n' => push_hex(&mut s, '\n'),
        'r' => push_hex(&mut s, '\r'),
        'f' => push_hex(&mut s, '\u{c}'),
        'v' => push_hex(&mut s, '\u{b}'),
        '0'..='9' => {
            return Err(refused(
                "tham chiếu ngược (\\1, \\2, …)",
                "back-references (\\1, \\2, …)",
            ));
        }
        'x' => match hex_digits(rest, 1, 2) {
            Some(ch) => {
                hex(&mut s, ch);
                3
            }
            None => {
                return Err(invalid(
                    "\\x cần đúng hai chữ số hex",
                    "\\x needs two hex digits",
                ));
            }
        },
        'u' if rest.get(1) == Some(&'{') => {
            let close = rest.iter().position(|&c| c == '}');
            match close.and_then(|end| Some((end, hex_digits(rest, 2, end.checked_sub(2)?)?))) {
                Some((end, ch)) if end > 2 => {
                    hex(&mut s, ch);
                    end + 1
                }
                _ => return Err(invalid("\\u{…} không hợp lệ", "an invalid \\u{…}")),
            }
        }
        'u' => match hex_digits(rest, 1, 4) {
            Some(ch) => {
                hex(&mut s, ch);
                5
            }
            None => {
                return Err(invalid(
                    "\\u cần bốn chữ số hex",
                    "\\u needs four hex digits",
                ));
            }
        },
        'c' => match rest.get(1) {
            Some(&l) if l.is_ascii_alphabetic() => {
                hex(&mut s, char::from(l as u8 % 32));
                2
            }
            _ => return Err(invalid("\\c cần một chữ cái", "\\c needs a letter")),
        },
        c if c.is_ascii_punctuation() || c == ' ' => push_hex(&mut s, c),
        c => {
            return Err(refused_owned(
                format!("\\{c} (nghĩa của nó khác nhau giữa các trình kiểm tra)"),
                format!("\\{c} (its meaning differs between validators)"),
            ));
        }
    };
    Ok((s, used))
}

/// The character of `n` hex digits at `rest[from..]`.
fn hex_digits(rest: &[char], from: usize, n: usize) -> Option<char> {
    let digits: String = rest.get(from..from + n)?.iter().collect();
    if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
}

/// A literal character, spelled so that no dialect reads it as syntax.
fn hex(out: &mut String, c: char) {
    let _ = write!(out, "\\x{{{:X}}}", u32::from(c));
}

fn push_hex(out: &mut String, c: char) -> usize {
    hex(out, c);
    1
}

fn nothing_to_repeat() -> Text {
    invalid(
        "hai lượng từ liền nhau (a**, a+{2})",
        "two quantifiers in a row (a**, a+{2})",
    )
}

fn invalid(vi: &str, en: &str) -> Text {
    Text::new(
        format!("Biểu thức chính quy không hợp lệ: {vi}."),
        format!("Invalid regular expression: {en}."),
    )
}

fn refused(vi: &str, en: &str) -> Text {
    refused_owned(vi.to_owned(), en.to_owned())
}

fn refused_owned(vi: String, en: String) -> Text {
    Text::new(
        format!("Mẫu dùng {vi}, không kiểm tra được giống nhau trên trình duyệt và cổng."),
        format!(
            "The pattern uses {en}, which cannot be checked the same way in the browser and on the portal."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::translate;

    fn matches(pattern: &str, s: &str) -> bool {
        regex_lite::Regex::new(&translate(pattern).unwrap())
            .unwrap()
            .is_match(s)
    }

    #[test]
    fn ecma_semantics() {
        for ws in ['\u{a0}', '\u{2003}', '\u{2029}', '\u{feff}', '\t', '\u{b}'] {
            assert!(matches(r"^\s$", &ws.to_string()), "{ws:?}");
            assert!(!matches(r"^\S$", &ws.to_string()), "{ws:?}");
            assert!(matches(r"^[\s]$", &ws.to_string()), "{ws:?}");
            assert!(!matches(r"^[^\s]$", &ws.to_string()), "{ws:?}");
            assert!(!matches(r"^[a\S]$", &ws.to_string()), "{ws:?}");
        }
        assert!(matches(r"^[a\S]$", "x") && matches(r"^\S$", "đ"));
        for lt in ["\r", "\n", "\u{2028}", "\u{2029}"] {
            assert!(!matches("^.$", lt), "{lt:?}");
        }
        assert!(matches("^.$", "😀"));
        // `[[:alpha:]]` is the class of `[`, `:`, `a`, `l`, `p`, `h` followed by `]`.
        assert!(matches("^[[:alpha:]]$", "a]") && !matches("^[[:alpha:]]$", "b"));
        assert!(matches("^[a&&b]$", "&") && matches("^[a~~b]$", "~"));
        assert!(matches(r"\bab\b", "x ab y") && matches(r"^\u0041\x42\cJ\u{1F600}$", "AB\n😀"));
        assert!(matches("^a{2}$", "aa") && matches("^a}$", "a}") && matches("^a]$", "a]"));
        assert!(matches("^a+?b*?c??d{1,2}?$", "abcdd"));
        assert!(
            matches(r"^[\s-]$", "-") && matches(r"^[\w-]+$", "a-b") && matches(r"^[a-\x7A]$", "q")
        );
        assert!(matches("^(?<a>x)(?<b_1>y)$", "xy") && matches(r"^(a)*?b$", "aab"));
        assert!(matches("^(?<year>[0-9]{4})$", "2026") && matches(r"^\/\.\$\-$", "/.$-"));
        assert!(matches(r"^\d+$", "123") && !matches(r"^\d$", "٣"));
    }

    #[test]
    fn what_cannot_agree_is_refused() {
        for p in [
            r"(a)\1",
            "(?=a)",
            "(?<!a)b",
            "(?i)a",
            r"\p{L}",
            r"\a",
            r"\A",
            r"\0",
            r"\x4",
            "[a",
            r"a\",
            "[]",
            "[^]",
            r"[\b]",
            "[a--b]",
            "x{,2}",
            "a{",
            "a**",
            "a+{2}",
            "a??+",
            r"\é",
            r"[\x01-\s]",
            r"[\s-\uFFFF]",
            r"[\d-z]",
            "(?<a)|(b>c)",
            "(?<>x)",
            "(?<a>x)(?<a>y)",
            "^*",
            "$+",
            r"\b*",
            "(*a)",
            "a|*b",
            "(?<1a>x)",
            "(?<",
        ] {
            assert!(translate(p).is_err(), "{p}");
        }
    }
}
