//! The key catalogue (`schemas/datastore-keys.json`) and the check of a value against its key's
//! type: text, dates, phone numbers, persons (a household's members), codes.

use crate::format::{Format, parse_date};
use crate::text::Text;
use serde::Deserialize;
use serde_json::Value;

/// The type of a key's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    String,
    Date,
    Sex,
    IdNumber,
    Phone,
    Email,
    Address,
    Person,
    PersonList,
}

/// One key of the catalogue.
#[derive(Clone, Debug, Deserialize)]
pub struct Key {
    pub key: String,
    #[serde(rename = "type")]
    pub kind: KeyType,
    /// Where verified values come from: `national-population-db`, `enterprise-registry`, or
    /// `citizen-declared` (values only the citizen gives).
    pub source: String,
    pub meaning: Text,
}

/// The whole catalogue.
#[derive(Clone, Debug, Deserialize)]
pub struct Catalogue {
    pub keys: Vec<Key>,
}

/// Longest text value.
pub(crate) const MAX_TEXT: usize = 500;
/// Most persons in a list.
pub(crate) const MAX_PERSONS: usize = 50;

impl Catalogue {
    pub fn from_json(text: &str) -> Result<Catalogue, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn get(&self, key: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.key == key)
    }

    /// Whether `value` fits `key`'s type; the reason, in both languages, when not.
    pub fn check(&self, key: &str, value: &Value) -> Result<(), Text> {
        let Some(k) = self.get(key) else {
            return Err(Text::new(
                format!("\"{key}\" không có trong danh mục dữ liệu."),
                format!("\"{key}\" is not in the data catalogue."),
            ));
        };
        check_type(k.kind, value)
    }
}

/// The fields of a person value.
pub const PERSON_FIELDS: [&str; 5] = ["fullName", "dateOfBirth", "sex", "idNumber", "relationship"];

/// The type of a person's field.
pub(crate) fn person_field_type(field: &str) -> Option<KeyType> {
    match field {
        "fullName" | "relationship" => Some(KeyType::String),
        "dateOfBirth" => Some(KeyType::Date),
        "sex" => Some(KeyType::Sex),
        "idNumber" => Some(KeyType::IdNumber),
        _ => None,
    }
}

/// The relationship codes a person's `relationship` holds (the catalogue's `person` type).
pub const RELATIONSHIPS: [&str; 11] = [
    "chu-ho",
    "vo",
    "chong",
    "con",
    "cha",
    "me",
    "ong",
    "ba",
    "chau",
    "anh-chi-em",
    "khac",
];

pub(crate) fn bad(vi: &str, en: &str) -> Text {
    Text::new(vi, en)
}

pub(crate) fn check_type(kind: KeyType, value: &Value) -> Result<(), Text> {
    let text = || {
        value
            .as_str()
            .filter(|s| !s.trim().is_empty() && s.chars().count() <= MAX_TEXT)
    };
    match kind {
        KeyType::String => text().map(|_| ()).ok_or_else(|| {
            bad(
                "Cần một chuỗi ký tự (tối đa 500).",
                "Expected text (at most 500 characters).",
            )
        }),
        KeyType::Date => value
            .as_str()
            .and_then(parse_date)
            .map(|_| ())
            .ok_or_else(|| {
                bad(
                    "Cần một ngày dạng YYYY-MM-DD.",
                    "Expected a date as YYYY-MM-DD.",
                )
            }),
        KeyType::Sex => matches!(value.as_str(), Some("nam" | "nu"))
            .then_some(())
            .ok_or_else(|| {
                bad(
                    "Giới tính là \"nam\" hoặc \"nu\".",
                    "Sex is \"nam\" or \"nu\".",
                )
            }),
        KeyType::IdNumber => value
            .as_str()
            .and_then(crate::idnumber::parse)
            .map(|_| ())
            .ok_or_else(|| {
                bad(
                    "Số định danh cá nhân gồm 12 chữ số.",
                    "A personal ID number has 12 digits.",
                )
            }),
        KeyType::Phone => value
            .as_str()
            .filter(|s| is_phone(s))
            .map(|_| ())
            .ok_or_else(|| bad("Số điện thoại không hợp lệ.", "Not a valid phone number.")),
        KeyType::Email => value
            .as_str()
            .filter(|s| Format::Email.is_valid(s))
            .map(|_| ())
            .ok_or_else(|| {
                bad(
                    "Địa chỉ thư điện tử không hợp lệ.",
                    "Not a valid e-mail address.",
                )
            }),
        KeyType::Address => {
            let ok = value.as_object().is_some_and(|a| {
                a.keys()
                    .all(|k| ["province", "commune", "street"].contains(&k.as_str()))
                    && ["province", "commune"].iter().all(|k| {
                        a.get(*k).and_then(Value::as_str).is_some_and(|c| {
                            !c.is_empty() && c.len() <= 10 && c.bytes().all(|b| b.is_ascii_digit())
                        })
                    })
                    && a.get("street")
                        .is_none_or(|s| s.as_str().is_some_and(|s| s.chars().count() <= MAX_TEXT))
            });
            ok.then_some(()).ok_or_else(|| {
                bad(
                    "Địa chỉ cần mã tỉnh, mã xã và phần số nhà, đường phố.",
                    "An address needs a province code, a commune code and the street part.",
                )
            })
        }
        KeyType::Person => check_person(value),
        KeyType::PersonList => match value.as_array() {
            Some(list) if list.len() <= MAX_PERSONS => list.iter().try_for_each(check_person),
            _ => Err(bad(
                "Cần danh sách tối đa 50 người.",
                "Expected a list of at most 50 persons.",
            )),
        },
    }
}

pub(crate) fn check_person(value: &Value) -> Result<(), Text> {
    let Some(p) = value.as_object() else {
        return Err(bad("Cần thông tin một người.", "Expected a person."));
    };
    for (k, v) in p {
        let kind = match k.as_str() {
            "fullName" | "relationship" => KeyType::String,
            "dateOfBirth" => KeyType::Date,
            "sex" => KeyType::Sex,
            "idNumber" => KeyType::IdNumber,
            _ => {
                return Err(Text::new(
                    format!("Thông tin \"{k}\" không thuộc về một người trong danh mục."),
                    format!("\"{k}\" is not part of a person in the catalogue."),
                ));
            }
        };
        check_type(kind, v)?;
    }
    if p.get("fullName").is_none() {
        return Err(bad("Cần họ và tên.", "The full name is needed."));
    }
    Ok(())
}

/// 10–11 digits starting with 0, or `+84` and 9–10 digits; spaces and dots allowed between.
pub(crate) fn is_phone(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    let (rest, min, max) = match digits.strip_prefix("+84") {
        Some(r) => (r, 9, 10),
        None if digits.starts_with('0') => (digits.as_str(), 10, 11),
        None => return false,
    };
    (min..=max).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit())
}
