//! Values as people read them, for the read-only view of a dossier (receipt, inbox, print):
//! dates as dd/mm/yyyy, choices by their label, addresses by the names of their units, files by
//! name and size, numbers grouped the way each language writes them.

use crate::definition::{AddressMode, Item, Widget};
use crate::form::{Form, human_size};
use crate::format::date_to_display;
use crate::pointer;
use crate::text::{Lang, Text};
use serde_json::Value;

/// A form's data laid out as its pages and sections, only the parts that have a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub pages: Vec<SummaryPage>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SummaryPage {
    pub title: Text,
    pub sections: Vec<SummarySection>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SummarySection {
    pub title: Option<Text>,
    pub rows: Vec<SummaryRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SummaryRow {
    /// One field: its label and its value as text.
    Field {
        pointer: String,
        label: Text,
        value: String,
    },
    /// A repeatable group: column labels, then one line of texts per row.
    Table {
        pointer: String,
        label: Text,
        columns: Vec<Text>,
        rows: Vec<Vec<String>>,
    },
}

/// The summary of `data` (a submission: hidden fields already left out) in `lang`.
pub fn summary(form: &Form, data: &Value, lang: Lang) -> Summary {
    let mut pages = Vec::new();
    for page in &form.definition().pages {
        let mut sections = Vec::new();
        for section in &page.sections {
            let mut rows = Vec::new();
            for item in &section.items {
                let Some(ptr) = item.pointer.as_deref() else {
                    continue;
                };
                let Some(value) = pointer::get(data, ptr) else {
                    continue;
                };
                let label = item.label.clone().unwrap_or_default();
                if item.widget == Widget::Table {
                    let Some(list) = value.as_array().filter(|l| !l.is_empty()) else {
                        continue;
                    };
                    let columns = item
                        .columns
                        .iter()
                        .map(|c| c.label.clone().unwrap_or_default())
                        .collect();
                    let lines = list
                        .iter()
                        .map(|row| {
                            item.columns
                                .iter()
                                .map(|c| {
                                    let at = c
                                        .pointer
                                        .as_deref()
                                        .map(|p| p.rsplit('/').next().unwrap_or(p));
                                    at.and_then(|k| row.get(k))
                                        .map(|v| value_text(form, c, v, lang))
                                        .unwrap_or_default()
                                })
                                .collect()
                        })
                        .collect();
                    rows.push(SummaryRow::Table {
                        pointer: ptr.to_owned(),
                        label,
                        columns,
                        rows: lines,
                    });
                } else {
                    let text = value_text(form, item, value, lang);
                    if !text.is_empty() {
                        rows.push(SummaryRow::Field {
                            pointer: ptr.to_owned(),
                            label,
                            value: text,
                        });
                    }
                }
            }
            if !rows.is_empty() {
                sections.push(SummarySection {
                    title: section.title.clone(),
                    rows,
                });
            }
        }
        if !sections.is_empty() {
            pages.push(SummaryPage {
                title: page.title.clone(),
                sections,
            });
        }
    }
    Summary { pages }
}

/// One value of `item` as text in `lang`.
pub fn value_text(form: &Form, item: &Item, value: &Value, lang: Lang) -> String {
    let choice = |v: &str| {
        item.options
            .iter()
            .find(|c| c.value == v)
            .map_or_else(|| v.to_owned(), |c| c.label.get(lang).to_owned())
    };
    match (item.widget, value) {
        (_, Value::Null) => String::new(),
        (Widget::Date, Value::String(s)) => date_to_display(s),
        (Widget::Month, Value::String(s)) => crate::format::month_to_display(s),
        (Widget::Select | Widget::Radio, Value::String(s)) => choice(s),
        (Widget::MultiSelect, Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(choice)
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::Bool(b)) => match (b, lang) {
            (true, Lang::Vi) => "Có".into(),
            (true, Lang::En) => "Yes".into(),
            (false, Lang::Vi) => "Không".into(),
            (false, Lang::En) => "No".into(),
        },
        (Widget::Address, Value::Object(a)) if item.mode == AddressMode::Foreign => {
            let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
            let country = crate::countries::get(s("country")).map_or_else(
                || s("country").to_owned(),
                |c| c.name().get(lang).to_owned(),
            );
            // The citizen's lines joined as the other parts are: one line in lists and receipts.
            let text = s("text")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            [text, country]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        }
        (Widget::Address, Value::Object(a)) => {
            let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("");
            let units = form.admin_units();
            let province = units.as_deref().and_then(|u| u.province(s("province")));
            let commune = province.and_then(|p| p.communes.iter().find(|c| c.code == s("commune")));
            [
                s("street").to_owned(),
                commune.map_or_else(|| s("commune").to_owned(), |c| c.name.get(lang).to_owned()),
                province.map_or_else(|| s("province").to_owned(), |p| p.name.get(lang).to_owned()),
            ]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
        }
        (Widget::File, Value::Array(files)) => files
            .iter()
            .map(|f| value_text(form, item, f, lang))
            .collect::<Vec<_>>()
            .join("; "),
        (Widget::File, Value::Object(f)) => {
            let name = f.get("name").and_then(Value::as_str).unwrap_or("");
            match f.get("size").and_then(Value::as_u64) {
                Some(size) => format!("{name} ({})", human_size(size)),
                None => name.to_owned(),
            }
        }
        (_, Value::Number(n)) => number_text(n, lang),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// A number with its thousands grouped: `150.000.000` in Vietnamese, `150,000,000` in English;
/// the decimal mark is `,` and `.` respectively.
pub fn number_text(n: &serde_json::Number, lang: Lang) -> String {
    let (group, decimal) = match lang {
        Lang::Vi => ('.', ','),
        Lang::En => (',', '.'),
    };
    let text = n.to_string();
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    if digits.contains(['e', 'E']) {
        return text;
    }
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push(decimal);
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn numbers_by_language() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(number_text(&n("150000000"), Lang::Vi), "150.000.000");
        assert_eq!(number_text(&n("150000000"), Lang::En), "150,000,000");
        assert_eq!(number_text(&n("-1234.5"), Lang::Vi), "-1.234,5");
        assert_eq!(number_text(&n("999"), Lang::En), "999");
        assert_eq!(number_text(&n("0.25"), Lang::En), "0.25");
    }

    #[test]
    fn household_business_summary() {
        let form = load(include_str!("../../schemas/forms/household-business.json"))
            .form
            .unwrap();
        let data: Value = serde_json::from_str(include_str!(
            "../../schemas/forms/household-business.example.json"
        ))
        .unwrap();
        let s = summary(&form, &data, Lang::Vi);
        let rows: Vec<&SummaryRow> = s
            .pages
            .iter()
            .flat_map(|p| &p.sections)
            .flat_map(|s| &s.rows)
            .collect();
        let field = |ptr: &str| {
            rows.iter().find_map(|r| match r {
                SummaryRow::Field { pointer, value, .. } if pointer == ptr => Some(value.clone()),
                _ => None,
            })
        };
        assert_eq!(field("/owner/dateOfBirth").as_deref(), Some("08/03/1985"));
        assert_eq!(field("/business/capital").as_deref(), Some("150.000.000"));
        assert_eq!(
            field("/attachments/premises").as_deref(),
            Some("hop-dong-thue-nha.pdf (1.8 MB)")
        );
        // Choices by label, not by code.
        let kind = field("/registrationKind").unwrap();
        assert_ne!(kind, "ho-gia-dinh");
        let table = rows
            .iter()
            .find_map(|r| match r {
                SummaryRow::Table { pointer, rows, .. } if pointer == "/business/lines" => {
                    Some(rows.clone())
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(table.len(), 2);
        assert_eq!(table[0][0], "5610");
    }
}
