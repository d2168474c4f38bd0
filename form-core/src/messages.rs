//! Default messages for data errors, in Vietnamese and English.
//!
//! Written for citizens: say what to do, not what went wrong inside ("Enter …", "Choose …").

use crate::format::Format;
use crate::schema::{ErrorKind, JsonType};
use crate::text::Text;
use serde_json::Value;

/// The message for one failed keyword.
pub fn for_error(kind: &ErrorKind) -> Text {
    match kind {
        ErrorKind::Required => Text::new("Vui lòng nhập thông tin này.", "Enter this information."),
        ErrorKind::Type(types) => {
            let vi: Vec<&str> = types.iter().map(|t| type_name_vi(*t)).collect();
            let en: Vec<&str> = types.iter().map(|t| type_name_en(*t)).collect();
            Text::new(
                format!("Giá trị phải là {}.", vi.join(" hoặc ")),
                format!("The value must be {}.", en.join(" or ")),
            )
        }
        ErrorKind::Enum(values) if values.len() <= 16 => {
            let list = values.iter().map(show).collect::<Vec<_>>().join(", ");
            Text::new(
                format!("Chọn một trong các giá trị: {list}."),
                format!("Choose one of: {list}."),
            )
        }
        ErrorKind::Enum(_) => Text::new(
            "Chọn một giá trị trong danh sách.",
            "Choose one of the listed options.",
        ),
        ErrorKind::Const(v) => Text::new(
            format!("Giá trị phải là {}.", show(v)),
            format!("The value must be {}.", show(v)),
        ),
        ErrorKind::MinLength(n) => Text::new(
            format!("Nhập ít nhất {n} ký tự."),
            format!("Enter at least {n} character{}.", plural(*n)),
        ),
        ErrorKind::MaxLength(n) => Text::new(
            format!("Nhập không quá {n} ký tự."),
            format!("Enter no more than {n} character{}.", plural(*n)),
        ),
        ErrorKind::Pattern(_) => Text::new(
            "Giá trị chưa đúng định dạng.",
            "The value is not in the expected format.",
        ),
        ErrorKind::Format(Format::Date) => Text::new(
            "Nhập một ngày có thật theo dạng ngày/tháng/năm, ví dụ 17/05/1990.",
            "Enter a real date as dd/mm/yyyy, for example 17/05/1990.",
        ),
        ErrorKind::Format(Format::YearMonth) => Text::new(
            "Nhập tháng và năm theo dạng tháng/năm, ví dụ 03/2020.",
            "Enter a month and year as mm/yyyy, for example 03/2020.",
        ),
        ErrorKind::Format(Format::Email) => Text::new(
            "Nhập địa chỉ email đúng dạng, ví dụ ten@example.vn.",
            "Enter an email address in the correct format, like name@example.vn.",
        ),
        ErrorKind::Minimum(n) => Text::new(
            format!("Giá trị phải từ {} trở lên.", num(*n)),
            format!("The value must be {} or more.", num(*n)),
        ),
        ErrorKind::Maximum(n) => Text::new(
            format!("Giá trị phải từ {} trở xuống.", num(*n)),
            format!("The value must be {} or less.", num(*n)),
        ),
        ErrorKind::ExclusiveMinimum(n) => Text::new(
            format!("Giá trị phải lớn hơn {}.", num(*n)),
            format!("The value must be more than {}.", num(*n)),
        ),
        ErrorKind::ExclusiveMaximum(n) => Text::new(
            format!("Giá trị phải nhỏ hơn {}.", num(*n)),
            format!("The value must be less than {}.", num(*n)),
        ),
        ErrorKind::MultipleOf(n) => Text::new(
            format!("Giá trị phải là bội số của {}.", num(*n)),
            format!("The value must be a multiple of {}.", num(*n)),
        ),
        ErrorKind::MinItems(n) => Text::new(
            format!("Cần ít nhất {n} mục."),
            format!("Add at least {n} {}.", entries(*n)),
        ),
        ErrorKind::MaxItems(n) => Text::new(
            format!("Chỉ được tối đa {n} mục."),
            format!("Add no more than {n} {}.", entries(*n)),
        ),
        ErrorKind::UniqueItems => Text::new(
            "Các giá trị không được trùng nhau.",
            "The entries must not repeat.",
        ),
        ErrorKind::AdditionalProperty(name) => Text::new(
            format!("Thông tin \"{name}\" không có trong biểu mẫu."),
            format!("\"{name}\" is not a field of this form."),
        ),
        ErrorKind::False => Text::new("Không được có giá trị ở đây.", "No value is allowed here."),
    }
}

fn type_name_vi(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "rỗng",
        JsonType::Boolean => "đúng/sai",
        JsonType::Object => "một nhóm thông tin",
        JsonType::Array => "một danh sách",
        JsonType::Number => "một số",
        JsonType::Integer => "một số nguyên",
        JsonType::String => "văn bản",
    }
}

fn type_name_en(t: JsonType) -> &'static str {
    match t {
        JsonType::Null => "empty",
        JsonType::Boolean => "true or false",
        JsonType::Object => "a group of fields",
        JsonType::Array => "a list",
        JsonType::Number => "a number",
        JsonType::Integer => "a whole number",
        JsonType::String => "text",
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e30 {
        format!("{}", n as i128)
    } else {
        // serde_json's shortest round-trip formatting (the bundle needs no second float printer).
        serde_json::Number::from_f64(n).map_or_else(String::new, |x| x.to_string())
    }
}

/// The English plural ending for a count.
fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn entries(n: u64) -> &'static str {
    if n == 1 { "entry" } else { "entries" }
}

/// A label as a default message names it: the paper form's numbering ("1.", "2.1)", "a)",
/// "IV.", "(3)") and a closing ":" or "*" removed; nothing else changed.
pub(crate) fn clean_label(label: &str) -> &str {
    let s = label.trim();
    let stripped = numbering_end(s).map_or(s, |end| s[end..].trim_start());
    let s = if stripped.is_empty() { s } else { stripped };
    s.trim_end_matches([':', '*', ' '])
}

/// Where the text after a leading number ends (after its mark and the space), if `s` starts
/// with one.
fn numbering_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let open = b.first() == Some(&b'(');
    if open {
        i += 1;
    }
    let start = i;
    let mut dotted = false;
    if b.get(i).is_some_and(u8::is_ascii_digit) {
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            dotted |= b[i] == b'.';
            i += 1;
        }
        // "2.1." and "2.1" both end at the last digit or dot.
    } else if b.get(i).is_some_and(|c| b"IVX".contains(c)) {
        while b.get(i).is_some_and(|c| b"IVX".contains(c)) && i - start < 5 {
            i += 1;
        }
    } else if b.get(i).is_some_and(u8::is_ascii_lowercase) {
        i += 1;
    } else {
        return None;
    }
    let digits_dot = b[start..i].last() == Some(&b'.');
    match b.get(i) {
        Some(b')') => i += 1,
        Some(b'.') if !open => i += 1,
        _ if (digits_dot || dotted) && !open => {}
        _ => return None,
    }
    // The mark must be followed by a space and more text.
    (b.get(i) == Some(&b' ') && i + 1 < b.len()).then_some(i + 1)
}

/// A clean label inside a sentence: its first letter lowered when it is written in sentence
/// case ("Full name" → "full name", "Số định danh" → "số định danh"), but not when the first
/// word is an acronym ("ID number") or begins a name whose next word is capitalised too
/// ("People's Committee", "Hà Nội", "Viet Nam").
pub(crate) fn in_sentence(label: &str) -> String {
    let mut words = label.split_whitespace();
    let Some(first) = words.next() else {
        return label.to_owned();
    };
    let is_upper = |c: char| crate::text::lower_char(c) != c;
    let mut letters = first.chars().filter(|c| c.is_alphabetic());
    let Some(initial) = letters.next() else {
        return label.to_owned();
    };
    let sentence_case = is_upper(initial) && letters.all(|c| !is_upper(c));
    // A capitalised next word continues a name; an acronym ("ID") does not.
    let next_is_name = words.next().is_some_and(|w| {
        let mut letters = w.chars().filter(|c| c.is_alphabetic());
        letters.next().is_some_and(is_upper) && letters.any(|c| !is_upper(c))
    });
    if !sentence_case || next_is_name || !label.starts_with(initial) {
        return label.to_owned();
    }
    let mut chars = label.chars();
    chars
        .next()
        .map(|c| {
            std::iter::once(crate::text::lower_char(c))
                .chain(chars)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a clean label is a question ("Do you live in Viet Nam?").
pub(crate) fn is_question(label: &str) -> bool {
    label.ends_with('?')
}

/// The default message for a missing value, by the kind of widget: "Enter …" for what is
/// typed, "Select …" for a choice, "Attach …" for a file, "Add …" for a table; a question is
/// asked back; a box to tick is named when its label is short. `clean` is the label as
/// written (numbering removed), `inside` the same within a sentence, both with the section's
/// title when another section has a field of the same label.
pub(crate) fn required(widget: crate::Widget, clean: &Text, inside: &Text) -> Text {
    use crate::Widget as W;
    if widget == W::Checkbox {
        return if clean.vi.chars().count() <= 60 && clean.en.chars().count() <= 60 {
            Text::new(
                format!("Vui lòng đánh dấu ô “{}”.", clean.vi),
                format!("Select the box “{}”.", clean.en),
            )
        } else {
            Text::new("Vui lòng đánh dấu vào ô này.", "Select this box.")
        };
    }
    if is_question(&clean.vi) || is_question(&clean.en) {
        return Text::new(
            format!("Vui lòng trả lời câu hỏi: {}", clean.vi),
            format!("Answer the question: {}", clean.en),
        );
    }
    let (vi, en) = (&inside.vi, &inside.en);
    match widget {
        W::Select | W::Radio => Text::new(format!("Vui lòng chọn {vi}."), format!("Select {en}.")),
        W::MultiSelect => Text::new(
            format!("Vui lòng chọn ít nhất một mục cho {vi}."),
            format!("Select at least one option for {en}."),
        ),
        W::File => Text::new(format!("Vui lòng đính kèm {vi}."), format!("Attach {en}.")),
        W::Table => Text::new(format!("Vui lòng thêm {vi}."), format!("Add {en}.")),
        _ => Text::new(format!("Vui lòng nhập {vi}."), format!("Enter {en}.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_goes_and_the_label_stays() {
        for (given, clean) in [
            ("1. Họ, chữ đệm và tên", "Họ, chữ đệm và tên"),
            ("2.1. Full name", "Full name"),
            ("2.1 Full name", "Full name"),
            ("3) Date of birth:", "Date of birth"),
            ("(4) Ngày sinh", "Ngày sinh"),
            ("a) Nơi sinh", "Nơi sinh"),
            ("IV. Thông tin", "Thông tin"),
            ("Email *", "Email"),
            ("I live abroad", "I live abroad"),
            ("2026 income", "2026 income"),
            ("1.", "1."),
            ("Taxable income [21]", "Taxable income [21]"),
        ] {
            assert_eq!(clean_label(given), clean, "{given}");
        }
    }

    #[test]
    fn only_sentence_case_is_lowered() {
        for (given, inside) in [
            ("Full name", "full name"),
            ("Số định danh cá nhân", "số định danh cá nhân"),
            ("Email", "email"),
            ("Ủy ban nhân dân cấp xã", "ủy ban nhân dân cấp xã"),
            (
                "People's Committee of the commune",
                "People's Committee of the commune",
            ),
            ("Hà Nội address", "Hà Nội address"),
            ("Viet Nam residence", "Viet Nam residence"),
            ("ID number", "ID number"),
            ("Payable ID (if any)", "payable ID (if any)"),
            (
                "Taxable income arising in Viet Nam [21]",
                "taxable income arising in Viet Nam [21]",
            ),
            ("To (People's Committee)", "To (People's Committee)"),
            ("eID", "eID"),
        ] {
            assert_eq!(in_sentence(given), inside, "{given}");
        }
    }

    #[test]
    fn each_kind_of_widget_says_what_to_do() {
        use crate::Widget as W;
        let t = |s: &str| Text::new(s, s);
        let m = |w, clean: &str| required(w, &t(clean), &t(&in_sentence(clean))).en;
        assert_eq!(m(W::Text, "Full name"), "Enter full name.");
        assert_eq!(m(W::Radio, "Sex"), "Select sex.");
        assert_eq!(m(W::File, "Copy of the lease"), "Attach copy of the lease.");
        assert_eq!(m(W::Table, "Household members"), "Add household members.");
        assert_eq!(
            m(W::Radio, "Lives in Viet Nam?"),
            "Answer the question: Lives in Viet Nam?"
        );
        assert_eq!(m(W::Checkbox, "I agree"), "Select the box “I agree”.");
        assert_eq!(m(W::Checkbox, &"x".repeat(61)), "Select this box.");
    }
}
