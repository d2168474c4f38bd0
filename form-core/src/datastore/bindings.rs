//! The check of a definition's prefill bindings against the catalogue and the fields they fill:
//! the key exists, its type suits the widget, a person key names its field, a field of codes can
//! hold what the register may give, a `map`'s values pass the field's schema; each problem with
//! its pointer.

use super::catalogue::*;
use super::prefill::normalise;
use crate::definition::{Item, Lock, Prefill, Widget};
use crate::diagnostic::Diagnostic;
use crate::form::Form;
use crate::text::Text;

/// Checks a form's prefill bindings against the catalogue and the fields they fill: every key
/// exists, a person key names one of its fields, the value's type suits the widget (a list of
/// persons fills a table whose columns are person fields), a field of codes can hold every value
/// the register may give (`sex` needs the options `nam` and `nu`, a relationship every code of
/// the catalogue; free text needs a `map` to the codes, whose values must pass the field's
/// schema), and `lock: verified` is on a key a register verifies. Each problem points at the
/// binding.
pub fn check_bindings(form: &Form, catalogue: &Catalogue) -> Vec<Diagnostic> {
    let definition = form.definition();
    let mut out = Vec::new();
    for (pi, page) in definition.pages.iter().enumerate() {
        for (si, section) in page.sections.iter().enumerate() {
            for (ii, item) in section.items.iter().enumerate() {
                let at = format!("/pages/{pi}/sections/{si}/items/{ii}");
                if let Some(p) = &item.prefill {
                    check_binding(form, item, p, &format!("{at}/prefill"), catalogue, &mut out);
                }
                for (ci, col) in item.columns.iter().enumerate() {
                    if col.prefill.is_some() {
                        out.push(Diagnostic::error(
                            format!("{at}/columns/{ci}/prefill"),
                            "prefill-column",
                            Text::new(
                                "Cột của bảng không có liên kết riêng: liên kết cả bảng với một danh sách người.",
                                "A table's column has no binding of its own: bind the table to a list of persons.",
                            ),
                        ));
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn check_binding(
    form: &Form,
    item: &Item,
    p: &Prefill,
    at: &str,
    catalogue: &Catalogue,
    out: &mut Vec<Diagnostic>,
) {
    let Some(key) = catalogue.get(&p.key) else {
        out.push(Diagnostic::error(
            format!("{at}/key"),
            "prefill-key",
            Text::new(
                format!(
                    "\"{}\" không có trong danh mục dữ liệu (schemas/datastore-keys.json).",
                    p.key
                ),
                format!(
                    "\"{}\" is not in the data catalogue (schemas/datastore-keys.json).",
                    p.key
                ),
            ),
        ));
        return;
    };
    let kind = match (key.kind, p.field.as_deref()) {
        (KeyType::Person, Some(f)) => person_field_type(f),
        (KeyType::Person, None) => {
            out.push(Diagnostic::error(
                format!("{at}/field"),
                "prefill-field",
                Text::new(
                    format!(
                        "\"{}\" là thông tin một người: nêu trường cần lấy (field).",
                        p.key
                    ),
                    format!(
                        "\"{}\" holds a person: name the field to take (field).",
                        p.key
                    ),
                ),
            ));
            return;
        }
        (_, Some(_)) => {
            out.push(Diagnostic::error(
                format!("{at}/field"),
                "prefill-field",
                Text::new(
                    format!("\"{}\" không phải thông tin một người; bỏ field.", p.key),
                    format!("\"{}\" does not hold a person; remove field.", p.key),
                ),
            ));
            return;
        }
        (k, None) => Some(k),
    };
    let Some(kind) = kind else { return };
    if !p.map.is_empty() {
        check_map(form, item, p, kind, at, out);
        return;
    }
    let choice = matches!(item.widget, Widget::Select | Widget::Radio);
    if choice {
        let codes: &[&str] = match (kind, p.field.as_deref()) {
            (KeyType::Sex, _) => &["nam", "nu"],
            (_, Some("relationship")) => &RELATIONSHIPS,
            _ => &[],
        };
        let missing: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|c| !item.options.iter().any(|o| o.value == *c))
            .collect();
        if kind == KeyType::String && codes.is_empty() {
            out.push(Diagnostic::error(
                format!("{at}/key"),
                "prefill-choice",
                Text::new(
                    format!("\"{}\" là văn bản tự do (ví dụ \"Việt Nam\"), còn ô này nhận mã của các lựa chọn: thêm \"map\" từ giá trị trong cơ sở dữ liệu sang mã (ví dụ {{\"Việt Nam\": \"viet-nam\"}}).", p.key),
                    format!("\"{}\" holds free text (such as \"Việt Nam\") but this field takes its options' codes: add a \"map\" from the register's values to the codes (e.g. {{\"Việt Nam\": \"viet-nam\"}}).", p.key),
                ),
            ));
            return;
        }
        if !missing.is_empty() {
            let list = missing.join("\", \"");
            out.push(Diagnostic::error(
                format!("{at}/key"),
                "prefill-choice",
                Text::new(
                    format!("Cơ sở dữ liệu có thể trả về \"{list}\" mà ô này không có trong các lựa chọn: thêm các lựa chọn đó, hoặc \"map\" sang các lựa chọn có."),
                    format!("The register may give \"{list}\", which this field does not offer: add those options, or a \"map\" to the ones it has."),
                ),
            ));
            return;
        }
    }
    let fits = match kind {
        KeyType::String => matches!(
            item.widget,
            Widget::Text | Widget::Textarea | Widget::Select | Widget::Radio
        ),
        KeyType::Date => item.widget == Widget::Date,
        KeyType::Sex => choice,
        KeyType::IdNumber => matches!(item.widget, Widget::IdNumber | Widget::Text),
        KeyType::Phone => matches!(item.widget, Widget::Phone | Widget::Text),
        KeyType::Email => matches!(item.widget, Widget::Email | Widget::Text),
        // A province-only address takes the province of a register's address.
        KeyType::Address => {
            item.widget == Widget::Address && item.mode != crate::definition::AddressMode::Foreign
        }
        KeyType::Person => false,
        KeyType::PersonList => {
            item.widget == Widget::Table
                && item.columns.iter().all(|c| {
                    c.pointer
                        .as_deref()
                        .and_then(|ptr| ptr.rsplit('/').next())
                        .is_some_and(|f| PERSON_FIELDS.contains(&f))
                })
        }
    };
    if !fits {
        out.push(Diagnostic::error(
            format!("{at}/key"),
            "prefill-type",
            Text::new(
                format!(
                    "Giá trị của \"{}\" không hợp với ô nhập \"{}\".",
                    p.key,
                    item.widget.name()
                ),
                format!(
                    "The value of \"{}\" does not suit a \"{}\" field.",
                    p.key,
                    item.widget.name()
                ),
            ),
        ));
    }
    if p.lock == Some(Lock::Verified) && key.source == "citizen-declared" {
        out.push(Diagnostic::warning(
            format!("{at}/lock"),
            "prefill-lock",
            Text::new(
                format!("\"{}\" do công dân tự khai, không bao giờ được xác thực: khóa không có tác dụng.", p.key),
                format!("\"{}\" is declared by citizens and never verified: the lock has no effect.", p.key),
            ),
        ));
    }
}

/// Most entries in a binding's `map`.
pub(crate) const MAX_MAP: usize = 500;

/// A binding with a `map`: the key gives text, and every value it maps to passes the field's
/// schema (for a choice: is one of its options).
pub(crate) fn check_map(
    form: &Form,
    item: &Item,
    p: &Prefill,
    kind: KeyType,
    at: &str,
    out: &mut Vec<Diagnostic>,
) {
    if !matches!(kind, KeyType::String | KeyType::Sex) || item.widget == Widget::Table {
        out.push(Diagnostic::error(
            format!("{at}/map"),
            "prefill-map",
            Text::new(
                "\"map\" chỉ dùng cho giá trị dạng văn bản hoặc giới tính, điền vào một ô (không phải bảng).",
                "\"map\" is for text or sex values filling one field (not a table).",
            ),
        ));
        return;
    }
    if p.map.len() > MAX_MAP {
        out.push(Diagnostic::error(
            format!("{at}/map"),
            "prefill-map",
            Text::new(
                format!("\"map\" có tối đa {MAX_MAP} mục."),
                format!("A \"map\" holds at most {MAX_MAP} entries."),
            ),
        ));
        return;
    }
    let Some(ptr) = item.pointer.as_deref() else {
        return;
    };
    let mut seen: Vec<String> = Vec::new();
    for (from, to) in &p.map {
        let here = format!("{at}/map/{}", crate::pointer::escape(from));
        let key = normalise(from);
        if seen.contains(&key) {
            out.push(Diagnostic::error(
                here.clone(),
                "prefill-map",
                Text::new(
                    format!("\"{from}\" trùng với một mục khác khi không phân biệt hoa thường."),
                    format!("\"{from}\" repeats another entry (case and spaces aside)."),
                ),
            ));
        }
        seen.push(key);
        let fails = form
            .schema()
            .validate_at(ptr, to)
            .is_some_and(|errors| !errors.is_empty());
        if fails {
            out.push(Diagnostic::error(
                here,
                "prefill-map-value",
                Text::new(
                    format!("{to} không phải giá trị hợp lệ của ô \"{ptr}\" (với ô lựa chọn: phải là mã của một lựa chọn)."),
                    format!("{to} is not a valid value of \"{ptr}\" (for a choice: it must be one of its options' codes)."),
                ),
            ));
        }
    }
}
