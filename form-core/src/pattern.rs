//! The regular expressions of a definition — `pattern` in its data schema, `matches()` in its
//! rules — compiled under fixed limits and counted per definition.
//!
//! regex-lite matches in linear time, so the risk is size, not backtracking: `a{300000}` is nine
//! characters but about 10 MB compiled (security review H1). Every pattern is compiled with a
//! small size limit, and a [`Budget`] shared by one definition's schema and rules caps how many
//! patterns it holds, their total length and their total compiled size. A refused pattern is
//! never compiled past the limit, so nothing big is allocated for it; once a definition's cap is
//! reached one refusal says so and the patterns after it are skipped without a word.
//!
//! The limits are the `pub const`s below; the messages quote them.

use crate::text::Text;
use regex_lite::{Regex, RegexBuilder};

mod ecma;

/// The longest pattern, in characters. Longer ones are refused before they are parsed.
pub const MAX_PATTERN_LEN: usize = 1_000;

/// The most memory one compiled pattern may take (regex-lite's `size_limit`, bytes): room for
/// `^.{0,700}$` or `a{2000}`; the real forms' largest pattern needs under 4 KiB.
///
/// regex-lite counts the bytes of the platform: a pattern takes less on wasm32 (smaller
/// states), never more. So a pattern near the limit may pass in the browser and be refused by
/// the portal, but whatever the portal accepts also loads in the browser.
pub const MAX_COMPILED_SIZE: usize = 64 * 1024;

/// The deepest nesting of groups and repetitions (regex-lite's `nest_limit`; its default is 50).
pub const MAX_NESTING: u32 = 32;

/// The most patterns one definition may hold, `pattern`s and `matches()` together.
pub const MAX_PATTERNS: usize = 500;

/// The most characters of pattern one definition may hold, all patterns together.
pub const MAX_TOTAL_LEN: usize = 50_000;

/// The most compiled size one definition's patterns may take together (bytes). Each pattern
/// counts as the first of [`SIZE_STEPS`] it fits in: so at most ~2× what it takes.
pub const MAX_TOTAL_COMPILED: usize = 4 * 1024 * 1024;

/// The size limits a pattern is tried with in turn, the last being [`MAX_COMPILED_SIZE`]. Most
/// patterns compile in the first; a failed try stops as soon as it reaches its limit.
pub const SIZE_STEPS: [usize; 3] = [4 * 1024, 16 * 1024, MAX_COMPILED_SIZE];

/// What one definition's patterns have used so far. Start one per definition and hand the same
/// one to [`compile`] for every pattern of its schema and rules.
#[derive(Debug, Default)]
pub struct Budget {
    patterns: usize,
    text: usize,
    compiled: usize,
    /// A definition cap was reached (and said): later patterns are skipped silently.
    spent: bool,
    /// The patterns compiled so far, by their source, with the size step each took: a pattern
    /// met again (the same ID-number or telephone pattern on several fields) shares the first
    /// one's compiled program.
    compiled_by_source: std::collections::HashMap<String, (Regex, usize)>,
}

/// Why a pattern was not compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a regular expression regex-lite accepts (including nesting deeper than
    /// [`MAX_NESTING`]): regex-lite's message.
    Syntax(String),
    /// An ECMA-262 construct that cannot be matched the same way everywhere (`ecma`): which.
    Unsupported(Text),
    /// Longer than [`MAX_PATTERN_LEN`] characters (how many).
    TooLong(usize),
    /// Would take more than [`MAX_COMPILED_SIZE`] compiled.
    TooLarge,
    /// Past [`MAX_PATTERNS`].
    TooMany,
    /// Past [`MAX_TOTAL_LEN`].
    TooLongTogether,
    /// Past [`MAX_TOTAL_COMPILED`].
    TooLargeTogether,
    /// After a definition cap was reported: not compiled, nothing more to say.
    Skipped,
}

impl Refusal {
    /// The message (`None` for [`Refusal::Skipped`]).
    pub fn message(&self) -> Option<Text> {
        let rest = (
            "các mẫu sau không được kiểm tra",
            "the rest are not checked",
        );
        Some(match self {
            Refusal::Syntax(e) => Text::new(
                format!("Biểu thức chính quy không hợp lệ: {e}"),
                format!("Invalid regular expression: {e}"),
            ),
            Refusal::Unsupported(why) => why.clone(),
            Refusal::TooLong(n) => Text::new(
                format!("Mẫu quá dài: {n} ký tự, tối đa {MAX_PATTERN_LEN}."),
                format!("Pattern too long: {n} characters, at most {MAX_PATTERN_LEN}."),
            ),
            Refusal::TooLarge => Text::new(
                format!(
                    "Mẫu quá lớn: khi biên dịch sẽ cần hơn {} KiB; hãy đơn giản hoá mẫu.",
                    MAX_COMPILED_SIZE / 1024
                ),
                format!(
                    "Pattern too large: it would need more than {} KiB when compiled; \
                     simplify it.",
                    MAX_COMPILED_SIZE / 1024
                ),
            ),
            Refusal::TooMany => Text::new(
                format!(
                    "Quá nhiều mẫu: một định nghĩa có tối đa {MAX_PATTERNS} mẫu (pattern và \
                     matches() cộng lại); {}.",
                    rest.0
                ),
                format!(
                    "Too many patterns: a definition may hold at most {MAX_PATTERNS} (pattern \
                     and matches() together); {}.",
                    rest.1
                ),
            ),
            Refusal::TooLongTogether => Text::new(
                format!(
                    "Các mẫu của định nghĩa này cộng lại quá dài: hơn {MAX_TOTAL_LEN} ký tự; {}.",
                    rest.0
                ),
                format!(
                    "The patterns of this definition are too long together: more than \
                     {MAX_TOTAL_LEN} characters; {}.",
                    rest.1
                ),
            ),
            Refusal::TooLargeTogether => Text::new(
                format!(
                    "Các mẫu của định nghĩa này cộng lại quá lớn: hơn {} MiB khi biên dịch; {}.",
                    MAX_TOTAL_COMPILED >> 20,
                    rest.0
                ),
                format!(
                    "The patterns of this definition are too large together: more than {} MiB \
                     when compiled; {}.",
                    MAX_TOTAL_COMPILED >> 20,
                    rest.1
                ),
            ),
            Refusal::Skipped => return None,
        })
    }
}

/// Compiles `src` within the limits, counting it in `budget`.
pub fn compile(src: &str, budget: &mut Budget) -> Result<Regex, Refusal> {
    if budget.spent {
        return Err(Refusal::Skipped);
    }
    budget.patterns += 1;
    if budget.patterns > MAX_PATTERNS {
        return Err(budget.spend(Refusal::TooMany));
    }
    // Counting stops past the limit: a pattern of a megabyte costs no more than one just over it.
    let len = src.chars().take(MAX_PATTERN_LEN + 1).count();
    if len > MAX_PATTERN_LEN {
        return Err(Refusal::TooLong(src.chars().count()));
    }
    if budget.text + len > MAX_TOTAL_LEN {
        return Err(budget.spend(Refusal::TooLongTogether));
    }
    budget.text += len;
    if let Some((re, limit)) = budget.compiled_by_source.get(src) {
        // Counted as the first was (the caps are the definition's, as written), but its
        // program is shared: a clone has only its matching cache of its own.
        if budget.compiled + limit > MAX_TOTAL_COMPILED {
            return Err(budget.spend(Refusal::TooLargeTogether));
        }
        budget.compiled += limit;
        return Ok(re.clone());
    }
    let translated = ecma::translate(src).map_err(Refusal::Unsupported)?;
    for limit in SIZE_STEPS {
        if budget.compiled + limit > MAX_TOTAL_COMPILED {
            return Err(budget.spend(Refusal::TooLargeTogether));
        }
        match build(&translated, limit) {
            Ok(re) => {
                budget.compiled += limit;
                budget
                    .compiled_by_source
                    .insert(src.to_owned(), (re.clone(), limit));
                return Ok(re);
            }
            Err(e) if is_size_error(&e) => {}
            Err(e) => return Err(Refusal::Syntax(e.to_string())),
        }
    }
    Err(Refusal::TooLarge)
}

fn build(src: &str, size_limit: usize) -> Result<Regex, regex_lite::Error> {
    RegexBuilder::new(src)
        .size_limit(size_limit)
        .nest_limit(MAX_NESTING)
        .build()
}

/// Whether regex-lite refused for size (its errors have no kinds: compare with the error it
/// gives for the smallest pattern under a zero limit).
fn is_size_error(e: &regex_lite::Error) -> bool {
    build("a", 0).is_err_and(|size| size.to_string() == e.to_string())
}

impl Budget {
    fn spend(&mut self, why: Refusal) -> Refusal {
        self.spent = true;
        why
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn refusal(src: &str, b: &mut Budget) -> Option<Refusal> {
        compile(src, b).err()
    }

    #[test]
    fn ordinary_patterns_take_the_smallest_step() {
        let mut b = Budget::default();
        for src in [
            r"^[0-9]{12}$",
            r"^(0|\+84)(2[0-9]{9}|[35789][0-9]{8})$",
            "^[0-9a-f]{64}$",
        ] {
            assert!(compile(src, &mut b).is_ok());
        }
        assert_eq!((b.patterns, b.compiled), (3, 3 * SIZE_STEPS[0]));
        // Between the steps: counted as the step it fits in.
        assert!(compile("a{300}", &mut b).is_ok());
        assert_eq!(b.compiled, 3 * SIZE_STEPS[0] + SIZE_STEPS[1]);
    }

    #[test]
    fn size_and_syntax_errors_are_told_apart() {
        let mut b = Budget::default();
        assert_eq!(refusal("a{300000}", &mut b), Some(Refusal::TooLarge));
        assert_eq!(refusal("a{5000}", &mut b), Some(Refusal::TooLarge));
        assert!(compile("a{1900}", &mut b).is_ok());
        assert!(matches!(compile("(", &mut b), Err(Refusal::Syntax(_))));
        let deep = format!("{}a{}", "(".repeat(33), ")".repeat(33));
        assert!(matches!(compile(&deep, &mut b), Err(Refusal::Syntax(_))));
        let ok = format!("{}a{}", "(".repeat(20), ")".repeat(20));
        assert!(compile(&ok, &mut b).is_ok());
    }

    #[test]
    fn a_pattern_met_again_is_compiled_once_and_counted_again() {
        let mut b = Budget::default();
        let phone = r"^(0|\+84)(2[0-9]{9}|[35789][0-9]{8})$";
        let first = compile(phone, &mut b).unwrap();
        let again = compile(phone, &mut b).unwrap();
        assert!(compile("^[0-9]{12}$", &mut b).is_ok());
        // One program per source; the caps count the patterns as the definition writes them.
        assert_eq!(b.compiled_by_source.len(), 2);
        assert_eq!((b.patterns, b.compiled), (3, 3 * SIZE_STEPS[0]));
        for text in ["0912345678", "+84281234567", "091234567", "x0912345678"] {
            assert_eq!(first.is_match(text), again.is_match(text), "{text}");
        }
        assert!(again.is_match("0912345678") && !again.is_match("091234567"));
    }

    #[test]
    fn after_a_cap_the_rest_are_skipped() {
        let mut b = Budget::default();
        for _ in 0..MAX_PATTERNS {
            assert!(compile("a", &mut b).is_ok());
        }
        assert_eq!(refusal("a", &mut b), Some(Refusal::TooMany));
        assert_eq!(refusal("a", &mut b), Some(Refusal::Skipped));
        assert_eq!(Refusal::Skipped.message(), None);
    }
}
