//! The checks beyond the schema: personal ID numbers against the other fields, compound widgets
//! (addresses, files), file types and sizes as people write them.

use super::*;
use crate::admin_units::address_problem;
use crate::definition::{AddressMode, Widget};
use crate::pointer::{self, instances};
use crate::text::Text;
use serde_json::Value;
use std::collections::HashMap;

impl Form {
    /// The `id-number` fields and what each is checked against (see [`IdCheck`]).
    pub(crate) fn id_checks_of(&self, fields: &[Field]) -> Vec<IdCheck> {
        let parent = |p: &str| {
            p.rsplit_once('/')
                .map_or(String::new(), |(a, _)| a.to_owned())
        };
        let key = |p: &str| crate::text::lower(p.rsplit('/').next().unwrap_or(""));
        let mut by_parent: HashMap<String, Vec<&Field>> = HashMap::new();
        for f in fields {
            by_parent.entry(parent(&f.pointer)).or_default().push(f);
        }
        fields
            .iter()
            .zip(&self.items)
            .filter(|(f, _)| f.widget == Widget::IdNumber)
            .map(|(f, &at)| {
                let item = self.item_at(at);
                let message = item.messages.get("id-number").cloned();
                if let Some(spec) = &item.id_check {
                    // Written as the item's pointer is: inside a table, relative to the row.
                    let prefix = match at.column {
                        Some(_) => format!(
                            "{}/*",
                            self.definition.pages[at.page].sections[at.section].items[at.item]
                                .pointer
                                .as_deref()
                                .unwrap_or_default()
                        ),
                        None => String::new(),
                    };
                    return IdCheck {
                        id: f.pointer.clone(),
                        birth: spec.date_of_birth.as_ref().map(|p| format!("{prefix}{p}")),
                        sex: spec.sex.as_ref().map(|p| format!("{prefix}{p}")),
                        message,
                    };
                }
                let siblings = by_parent
                    .get(&parent(&f.pointer))
                    .map_or(&[][..], Vec::as_slice);
                IdCheck {
                    id: f.pointer.clone(),
                    birth: siblings
                        .iter()
                        .find(|g| g.widget == Widget::Date && key(&g.pointer).contains("birth"))
                        .map(|g| g.pointer.clone()),
                    sex: siblings
                        .iter()
                        .find(|g| {
                            matches!(g.widget, Widget::Radio | Widget::Select)
                                && ["sex", "gender", "gioitinh"].contains(&key(&g.pointer).as_str())
                        })
                        .map(|g| g.pointer.clone()),
                    message,
                }
            })
            .collect()
    }
}

/// Whether a value counts as filled for `requiredIf`, as `filled()` counts it in rules: not
/// empty, not blank text, not an empty list.
pub(crate) fn is_filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Whether a file (its name and media type) is one of `accept`: extensions (`.pdf`), media
/// types (`application/pdf`) or families (`image/*`), compared without case.
pub fn file_accepted(accept: &[String], name: &str, media_type: &str) -> bool {
    let name = crate::text::lower(name);
    let media_type = crate::text::lower(media_type);
    accept.is_empty()
        || accept.iter().any(|a| {
            let a = crate::text::lower(a);
            if a.starts_with('.') {
                name.ends_with(&a)
            } else if let Some(family) = a.strip_suffix("/*") {
                media_type.split_once('/').is_some_and(|(f, _)| f == family)
            } else {
                media_type == a
            }
        })
}

/// A size in bytes for people: `850 KB`, `5 MB`, `5.2 MB` (decimal units, as file managers
/// show them).
pub fn human_size(bytes: u64) -> String {
    // Integer arithmetic: tenths of a megabyte and whole kilobytes, rounded half up.
    if bytes >= 999_500 {
        let tenths = bytes.saturating_add(50_000) / 100_000;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1000 {
        format!("{} KB", (bytes + 500) / 1000)
    } else {
        format!("{bytes} B")
    }
}

/// A file's size and the largest allowed, for a message that says one is more than the other:
/// in bytes when the rounded figures would read the same ("5 MB, more than 5 MB").
pub(crate) fn sizes_over(size: u64, max: u64) -> (String, String) {
    let (a, b) = (human_size(size), human_size(max));
    if a == b {
        (format!("{size} B"), format!("{max} B"))
    } else {
        (a, b)
    }
}

impl Form {
    /// Addresses whose codes are not in the administrative units (or not in the province
    /// chosen), and files of a type or size the item does not take.
    pub(crate) fn compound_problems(&self, data: &Value) -> Vec<(String, &'static str, Text)> {
        let mut out = Vec::new();
        let units = self.admin_units();
        for (field, &at) in self.fields.iter().zip(&self.items) {
            let item = self.item_at(at);
            let custom =
                |code: &str, default: Text| item.messages.get(code).cloned().unwrap_or(default);
            match field.widget {
                Widget::Address => {
                    for ptr in instances(&field.pointer, data) {
                        let Some(v) = pointer::get(data, &ptr) else {
                            continue;
                        };
                        let part = |name: &str| v.get(name).and_then(Value::as_str);
                        let problem = match item.mode {
                            AddressMode::Vietnam => address_problem(
                                units.as_deref(),
                                part("province"),
                                part("commune"),
                            ),
                            AddressMode::Province => address_problem(
                                units.as_deref(),
                                part("province"),
                                None,
                            ),
                            AddressMode::Foreign => part("country")
                                .filter(|c| crate::countries::get(c).is_none())
                                .map(|_| ("country", Text::new(
                                    "Quốc gia đã chọn không có trong danh mục (ISO 3166-1, không gồm Việt Nam); vui lòng chọn lại.",
                                    "The country chosen is not in the list (ISO 3166-1, Viet Nam aside); choose it again.",
                                ))),
                        };
                        if let Some((which, message)) = problem {
                            out.push((
                                format!("{ptr}/{which}"),
                                "address",
                                custom("address", message),
                            ));
                        }
                    }
                }
                Widget::File => {
                    for ptr in instances(&field.pointer, data) {
                        let files: Vec<(String, &Value)> = match pointer::get(data, &ptr) {
                            Some(Value::Array(a)) => a
                                .iter()
                                .enumerate()
                                .map(|(i, f)| (format!("{ptr}/{i}"), f))
                                .collect(),
                            Some(f) => vec![(ptr.clone(), f)],
                            None => Vec::new(),
                        };
                        for (at, f) in files {
                            let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                            let media_type = f.get("type").and_then(Value::as_str).unwrap_or("");
                            if !file_accepted(&item.accept, name, media_type) {
                                let list = item.accept.join(", ");
                                out.push((at.clone(), "file-type", custom("file-type", Text::new(
                                    format!("Tệp \"{name}\" không đúng loại được nhận ({list}); vui lòng chọn tệp khác."),
                                    format!("The file \"{name}\" is not of a type accepted ({list}); choose another file."),
                                ))));
                            }
                            let size = f.get("size").and_then(Value::as_u64);
                            if let (Some(size), Some(max)) = (size, item.max_size)
                                && size > max
                            {
                                let (have, max) = sizes_over(size, max);
                                out.push((at, "file-size", custom("file-size", Text::new(
                                    format!("Tệp \"{name}\" có dung lượng {have}, lớn hơn mức tối đa {max}; vui lòng chọn tệp nhỏ hơn."),
                                    format!("The file \"{name}\" is {have}, more than the largest allowed, {max}; choose a smaller file."),
                                ))));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Personal ID numbers whose structure is impossible or disagrees with the date of birth or
    /// sex beside them. Numbers that are not 12 digits are left to the schema's `pattern`.
    pub(crate) fn id_problems(&self, data: &Value, today: Ymd) -> Vec<(String, Text)> {
        let mut out = Vec::new();
        for check in &self.id_checks {
            let rows: Vec<Option<usize>> = match check.id.split_once("/*") {
                None => vec![None],
                Some((table, _)) => (0..pointer::get(data, table)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len))
                    .map(Some)
                    .collect(),
            };
            for row in rows {
                let at = |p: &str| match row {
                    Some(i) => p.replacen("/*", &format!("/{i}"), 1),
                    None => p.to_owned(),
                };
                let ptr = at(&check.id);
                let Some(id) = pointer::get(data, &ptr)
                    .and_then(Value::as_str)
                    .and_then(crate::idnumber::parse)
                else {
                    continue;
                };
                let y = id.birth_year;
                let said = |default: Text| check.message.clone().unwrap_or(default);
                if i64::from(y) > i64::from(today.0) {
                    out.push((ptr, said(Text::new(
                        format!("Số định danh này cho năm sinh {y}, là năm chưa tới; kiểm tra chữ số thứ 4 đến thứ 6."),
                        format!("This ID number gives {y} as the year of birth, which has not come yet; check the 4th to 6th digits."),
                    ))));
                    continue;
                }
                let birth = check
                    .birth
                    .as_ref()
                    .and_then(|b| pointer::get(data, &at(b)))
                    .and_then(Value::as_str)
                    .and_then(crate::format::parse_date);
                if let Some((by, _, _)) = birth.filter(|(by, _, _)| *by != y) {
                    out.push((ptr.clone(), said(Text::new(
                        format!("Số định danh này cho năm sinh {y}, nhưng ngày sinh trên tờ khai là năm {by}."),
                        format!("This ID number gives {y} as the year of birth, but the date of birth on the form is in {by}."),
                    ))));
                }
                let sex = check
                    .sex
                    .as_ref()
                    .and_then(|s| pointer::get(data, &at(s)))
                    .and_then(Value::as_str)
                    .and_then(crate::idnumber::sex_is_male);
                if sex.is_some_and(|male| male != id.male) {
                    let (vi, en) = if id.male {
                        ("nam", "a man")
                    } else {
                        ("nữ", "a woman")
                    };
                    out.push((ptr, said(Text::new(
                        format!("Chữ số thứ 4 của số định danh này là của {vi}, khác với giới tính trên tờ khai."),
                        format!("The 4th digit of this ID number is for {en}, which differs from the sex on the form."),
                    ))));
                }
            }
        }
        out
    }
}

/// Replaces array indices with `*`: `/members/2/fullName` → `/members/*/fullName`.
pub fn row_pattern(data_pointer: &str) -> String {
    if !data_pointer.bytes().any(|b| b.is_ascii_digit()) {
        return data_pointer.to_owned();
    }
    data_pointer
        .split('/')
        .map(|t| {
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                "*"
            } else {
                t
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them_and_never_tie() {
        assert_eq!(human_size(850), "850 B");
        assert_eq!(human_size(120_000), "120 KB");
        assert_eq!(human_size(999_600), "1 MB");
        assert_eq!(human_size(7_300_000), "7.3 MB");
        assert_eq!(human_size(5_000_000), "5 MB");
        assert_eq!(human_size(2_960_000), "3 MB");
        assert_eq!(human_size(1_499), "1 KB");
        assert_eq!(human_size(1_500), "2 KB");
        assert!(human_size(u64::MAX).ends_with(" MB"));
        assert_eq!(human_size(5_000_000), "5 MB");
        assert_eq!(human_size(5_200_000), "5.2 MB");
        assert_eq!(
            sizes_over(5_040_000, 5_000_000),
            ("5040000 B".to_owned(), "5000000 B".to_owned())
        );
        assert_eq!(
            sizes_over(7_340_032, 5_000_000),
            ("7.3 MB".to_owned(), "5 MB".to_owned())
        );
    }

    #[test]
    fn accepted_file_types() {
        let accept = [".pdf".to_owned(), "image/*".to_owned()];
        assert!(file_accepted(&accept, "A.PDF", ""));
        assert!(file_accepted(&accept, "photo", "image/png"));
        assert!(!file_accepted(&accept, "a.docx", "application/msword"));
        assert!(!file_accepted(
            &accept,
            "a.pdf.exe",
            "application/x-msdownload"
        ));
        assert!(file_accepted(&[], "anything", ""));
    }
}
