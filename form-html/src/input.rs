//! What the citizen types and what the data holds, both ways, and the element ids of pointers:
//! shared by the renderer, the browser runtime and the portal reading a form posted without
//! JavaScript, so that all three read an input the same way.

use form_core::Widget;
use form_core::format::{date_from_display, date_to_display, month_from_display, month_to_display};
use serde_json::Value;

/// `/applicant/fullName` → `f__applicant__fullName`; `/members/0/idNumber` →
/// `f__members__0__idNumber`. Characters other than ASCII letters, digits and `-` are written as
/// `_xx` (hex), so distinct pointers never share an id.
pub fn id_for(pointer: &str) -> String {
    let mut id = String::from("f");
    for token in pointer.split('/').skip(1) {
        id.push_str("__");
        for b in token.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' {
                id.push(b as char);
            } else {
                id.push_str(&format!("_{b:02x}"));
            }
        }
    }
    id
}

/// The id of the `i`th option of a radio or multiple choice group: the first has the group's
/// id (so that a link to the field lands on it), the others `…-i`.
pub fn option_id(group: &str, i: usize) -> String {
    if i == 0 {
        group.to_owned()
    } else {
        format!("{group}-{i}")
    }
}

/// The classes of a text input, by widget.
pub fn input_class(widget: Widget) -> &'static str {
    match widget {
        Widget::Date | Widget::Month | Widget::Year => "ef-input ef-input--date",
        Widget::IdNumber | Widget::Phone => "ef-input ef-input--short",
        Widget::Number => "ef-input ef-input--number",
        _ => "ef-input",
    }
}

/// What a typed text becomes in the data: `None` when empty (the member is removed, so a
/// cleared required field reads as missing).
pub fn to_value(widget: Widget, typed: &str) -> Option<Value> {
    let trimmed = typed.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(match widget {
        Widget::Textarea => Value::String(typed.to_owned()),
        // People write numbers in groups ("0912 345 678"); the data holds the digits.
        Widget::Phone | Widget::IdNumber => Value::String(
            trimmed
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '.')
                .collect(),
        ),
        Widget::Date => {
            Value::String(date_from_display(trimmed).unwrap_or_else(|| trimmed.to_owned()))
        }
        Widget::Month => {
            Value::String(month_from_display(trimmed).unwrap_or_else(|| trimmed.to_owned()))
        }
        // Four digits are the year; anything else stays text, for the schema to refuse.
        Widget::Year => match trimmed.parse::<i64>() {
            Ok(y) if trimmed.len() == 4 && trimmed.bytes().all(|b| b.is_ascii_digit()) => {
                Value::from(y)
            }
            _ => Value::String(trimmed.to_owned()),
        },
        Widget::Number => {
            let normalised = trimmed.replace(',', ".");
            match form_core::format::parse_decimal(&normalised) {
                Some(n) if n.fract() == 0.0 && n.abs() < 9e15 => Value::from(n as i64),
                Some(n) => serde_json::Number::from_f64(n)
                    .map_or(Value::String(trimmed.to_owned()), Value::Number),
                None => Value::String(trimmed.to_owned()),
            }
        }
        _ => Value::String(trimmed.to_owned()),
    })
}

/// A stored text as the citizen types it: a date as dd/mm/yyyy, a month as mm/yyyy.
pub fn shown(widget: Widget, s: &str) -> String {
    match widget {
        Widget::Date => date_to_display(s),
        Widget::Month => month_to_display(s),
        _ => s.to_owned(),
    }
}

/// A stored value in a text input: text as shown, numbers as written, nothing else.
pub fn shown_value(widget: Widget, v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => shown(widget, s),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_pointers_get_distinct_ids() {
        assert_eq!(id_for("/applicant/fullName"), "f__applicant__fullName");
        assert_eq!(id_for("/members/0/id_number"), "f__members__0__id_5fnumber");
        assert_ne!(id_for("/a-b"), id_for("/a/b"));
        assert_ne!(id_for("/a__b"), id_for("/a/b"));
    }

    #[test]
    fn typed_text_becomes_data_and_back() {
        assert_eq!(
            to_value(Widget::Date, "3/4/2020"),
            Some(Value::from("2020-04-03"))
        );
        assert_eq!(shown(Widget::Date, "2020-04-03"), "03/04/2020");
        assert_eq!(
            to_value(Widget::Phone, "0912 345 678"),
            Some(Value::from("0912345678"))
        );
        assert_eq!(
            to_value(Widget::Number, "1,5"),
            Some(serde_json::json!(1.5))
        );
        assert_eq!(to_value(Widget::Year, "2020"), Some(Value::from(2020)));
        assert_eq!(to_value(Widget::Text, "   "), None);
    }
}
