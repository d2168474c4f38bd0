//! The form definition format (one JSON document per form version), as serde types.
//!
//! This is the wire format: what the builder writes, the portal stores and serves, and the runtime
//! reads. `schemas/definition.schema.json` is its meta-schema; [`crate::load`] checks a document
//! against it and against the semantic rules before these types are built.

use crate::text::Text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One version of one form.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub meta_schema: Option<String>,
    /// Stable identifier of the form, e.g. `ct01`.
    pub id: String,
    /// Version number; published versions are immutable.
    pub version: u32,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    /// Code of the administrative procedure in the national procedure database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure_code: Option<String>,
    /// Code of the receiving agency (used in dossier codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency_code: Option<String>,
    /// The JSON Schema (draft 2020-12) of the submitted data.
    pub data_schema: Value,
    pub pages: Vec<Page>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureRequirement>,
    /// How data typed on an earlier version moves to this one (drafts carried over when a new
    /// version is published); see [`crate::carry`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migrations: Vec<Migration>,
}

/// Where the data of an earlier version goes in this one: `moves` from an old data pointer
/// (a value, an object or a table) to its new place. Everything else stays where it was;
/// what this version no longer has a field for is not carried over (and is listed to the
/// citizen).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    /// The version whose data this applies to.
    pub from: u32,
    /// Old pointer → new pointer, applied in order.
    #[serde(default)]
    pub moves: Vec<Move>,
}

/// One move of a migration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    pub from: String,
    pub to: String,
}

/// A page of the form: citizens see one page at a time on long forms.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Page {
    pub id: String,
    pub title: Text,
    pub sections: Vec<Section>,
}

/// A titled group of items.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// Rule: the section shows only while this is true.
    #[serde(rename = "visibleIf", default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<String>,
    pub items: Vec<Item>,
}

/// One thing drawn on the form: a field bound to a data location, a table, or static text.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Item {
    pub widget: Widget,
    /// JSON pointer of the data this item edits. For a table's columns it is relative to a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// The text of a `static` item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// Choices of a `select` or `radio`, in display order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Columns of a `table` (each an item whose pointer is relative to the row).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<Item>,
    /// File types a `file` item takes: extensions (`.pdf`) or media types (`application/pdf`,
    /// `image/*`). Empty: any type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accept: Vec<String>,
    /// What an `address` item asks for: an address in Viet Nam (province, commune, street; the
    /// default), a province only, or an address abroad (country and free text).
    #[serde(default, skip_serializing_if = "AddressMode::is_default")]
    pub mode: AddressMode,
    /// Largest file a `file` item takes, in bytes.
    #[serde(rename = "maxSize", default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Messages that replace the default ones, by JSON Schema keyword (`pattern`, `required`, …)
    /// or eform check (`address`, `file-type`, `file-size`, `id-number`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub messages: BTreeMap<String, Text>,
    /// HTML `autocomplete` token, so browsers and password managers can help the citizen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autocomplete: Option<String>,
    /// Rule (`docs/expressions.md`): the item shows only while this is true. Hidden items are
    /// neither validated nor submitted.
    #[serde(rename = "visibleIf", default, skip_serializing_if = "Option::is_none")]
    pub visible_if: Option<String>,
    /// Rule: the field must be filled while this is true (and the field shows).
    #[serde(
        rename = "requiredIf",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub required_if: Option<String>,
    /// Rule: the field cannot be changed while this is true.
    #[serde(
        rename = "readOnlyIf",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub read_only_if: Option<String>,
    /// Rule: the field's value is computed from others (and cannot be typed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute: Option<String>,
    /// Cross-field checks: each rule must not be false, else its message shows on this field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Prefill from the citizen's data store (a key of `schemas/datastore-keys.json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Prefill>,
    /// An `id-number` item: the fields its structure is checked against (the year of birth in
    /// digits 4–6, the sex in digit 4). Without it, a date field whose name contains "birth"
    /// and a choice named `sex`/`gender`/`gioitinh` beside it are used, if any.
    #[serde(rename = "idCheck", default, skip_serializing_if = "Option::is_none")]
    pub id_check: Option<IdCheck>,
}

/// What an `id-number` item is checked against: pointers to fields of the form, written as
/// the item's own pointer is (relative to the row inside a table). One left out is not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdCheck {
    /// A `date` field: the date of birth.
    #[serde(
        rename = "dateOfBirth",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<String>,
    /// A `radio` or `select` field whose values are the sex (`nam`/`nu`, `male`/`female`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

/// Where an item's value comes from in the citizen's data store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefill {
    /// The catalogue key (`citizen.fullName`, `household.members`).
    pub key: String,
    /// For a key holding a person (`household.head`): which of its fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `verified`: a value verified from a register makes the field read-only (the citizen may
    /// report it wrong, not change it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock: Option<Lock>,
    /// For a field of codes filled from a register's text: the register's value (compared
    /// without case and surrounding spaces) → the field's value. A value not listed fills nothing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub map: BTreeMap<String, Value>,
    /// A rule over the form's data: the binding applies only while it is true — "the applicant
    /// is the husband" fills the husband's part with the applicant's identity, and, when the
    /// answer changes, what it filled there and nobody changed is taken back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

/// What an `address` item asks for, and so the parts of its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressMode {
    /// `{ "province": "01", "commune": "00004", "street": "…" }`, from the national list.
    #[default]
    Vietnam,
    /// `{ "province": "01" }`: a province or centrally governed city of the national list.
    Province,
    /// `{ "country": "FR", "text": "…" }`: a country other than Viet Nam (ISO 3166-1 alpha-2,
    /// [`crate::countries`]) and the address as the citizen writes it.
    Foreign,
}

impl AddressMode {
    pub fn is_default(&self) -> bool {
        *self == AddressMode::Vietnam
    }

    /// The parts of the value, in screen order, and which of them the schema must have.
    pub fn parts(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            AddressMode::Vietnam => (&["province", "commune", "street"], &["province", "commune"]),
            AddressMode::Province => (&["province"], &["province"]),
            AddressMode::Foreign => (&["country", "text"], &["country", "text"]),
        }
    }

    /// The mode's name in a definition.
    pub fn name(self) -> &'static str {
        match self {
            AddressMode::Vietnam => "vietnam",
            AddressMode::Province => "province",
            AddressMode::Foreign => "foreign",
        }
    }
}

/// When a prefilled field is locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lock {
    Verified,
}

/// A cross-field check with its own message.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Constraint {
    pub rule: String,
    pub message: Text,
}

/// The widgets the runtime draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Widget {
    Text,
    Textarea,
    Number,
    /// Typed as dd/mm/yyyy, stored as an ISO date.
    Date,
    /// A month of a year, typed as mm/yyyy, stored as `YYYY-MM` (`format: year-month`).
    Month,
    /// A year, typed as yyyy, stored as an integer.
    Year,
    Select,
    /// Several choices: the data is an array of option values.
    MultiSelect,
    Radio,
    Checkbox,
    Email,
    /// A Vietnamese phone number.
    Phone,
    /// A 12-digit personal identification number.
    IdNumber,
    /// An address: province and commune codes of the 2025 administrative units, and the street
    /// part (`{ "province": "01", "commune": "00004", "street": "…" }`).
    Address,
    /// Metadata of an attached file (`{ "name", "size", "type" }`), or an array of them.
    File,
    /// A repeatable group drawn as a table, one row per array element.
    Table,
    /// Text shown to the citizen, bound to no data.
    Static,
}

impl Widget {
    /// Every widget, in the order of `NAMES`.
    pub const ALL: [Widget; 17] = [
        Widget::Text,
        Widget::Textarea,
        Widget::Number,
        Widget::Date,
        Widget::Month,
        Widget::Year,
        Widget::Select,
        Widget::MultiSelect,
        Widget::Radio,
        Widget::Checkbox,
        Widget::Email,
        Widget::Phone,
        Widget::IdNumber,
        Widget::Address,
        Widget::File,
        Widget::Table,
        Widget::Static,
    ];

    /// The widget's name in a definition (`"id-number"`).
    pub fn name(self) -> &'static str {
        let i = Self::ALL.iter().position(|w| *w == self).unwrap_or(0);
        Self::NAMES[i]
    }

    pub const NAMES: [&'static str; 17] = [
        "text",
        "textarea",
        "number",
        "date",
        "month",
        "year",
        "select",
        "multi-select",
        "radio",
        "checkbox",
        "email",
        "phone",
        "id-number",
        "address",
        "file",
        "table",
        "static",
    ];

    /// Whether this widget edits data (every widget but `static`).
    pub fn is_field(self) -> bool {
        self != Widget::Static
    }
}

/// One choice of a `select` or `radio`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// Whether and how the dossier must be signed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SignatureRequirement {
    pub required: bool,
    /// Who signs first and submits: `applicant`.
    #[serde(default = "applicant")]
    pub signer: String,
    /// Others who must sign the same content after the applicant (the other spouse, a
    /// co-owner, each member of a household), each found in the data by the pointer to their
    /// personal ID number; a pointer through a table (`/members/*/idNumber`) names one signer
    /// per row.
    #[serde(default, rename = "coSigners", skip_serializing_if = "Vec::is_empty")]
    pub co_signers: Vec<CoSigner>,
    /// Days the co-signers have, from the submission (default 7).
    #[serde(
        default = "co_sign_days",
        rename = "coSignDays",
        skip_serializing_if = "is_default_days"
    )]
    pub co_sign_days: u32,
}

/// A co-signer of a dossier, as the definition names them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoSigner {
    /// The data pointer of their personal ID number.
    #[serde(rename = "idNumber")]
    pub id_number: String,
    /// The data pointer of their name, shown to the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their part ("Vợ" / "Wife", "Thành viên hộ gia đình" / "Household member").
    pub label: Text,
}

fn co_sign_days() -> u32 {
    7
}

fn is_default_days(days: &u32) -> bool {
    *days == co_sign_days()
}

/// One co-signer of a filled form: who (their ID number and name from the data) and in what
/// part.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    /// The data pointer their ID number was read at (`/members/1/idNumber`): a stable name for
    /// this signer within the dossier.
    pub at: String,
    pub label: Text,
    pub id_number: String,
    pub name: Option<String>,
}

impl SignatureRequirement {
    /// The co-signers `data` names, in the definition's order (and a table's row order): a
    /// missing or empty ID number names nobody, and one person is named once.
    pub fn parties(&self, data: &Value) -> Vec<Party> {
        let mut out: Vec<Party> = Vec::new();
        for c in &self.co_signers {
            for (at, row) in instances(&c.id_number, data) {
                let Some(id) = data.pointer(&at).and_then(Value::as_str).map(str::trim) else {
                    continue;
                };
                if id.is_empty() || out.iter().any(|p| p.id_number == id) {
                    continue;
                }
                let name = c
                    .name
                    .as_deref()
                    .map(|n| match &row {
                        Some(i) => n.replacen("/*", &format!("/{i}"), 1),
                        None => n.to_owned(),
                    })
                    .and_then(|n| data.pointer(&n).and_then(Value::as_str).map(str::to_owned));
                out.push(Party {
                    at,
                    label: c.label.clone(),
                    id_number: id.to_owned(),
                    name,
                });
            }
        }
        out
    }

    /// The co-signer slots of `data` that name again a person named in an earlier one (the same
    /// ID number for the wife and the husband, a household member listed twice): each an error
    /// at the repeated ID number — every party signs once, and a party named twice would let
    /// one person's signature stand for two.
    pub fn repeated(&self, data: &Value) -> Vec<crate::Diagnostic> {
        let mut seen: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        for c in &self.co_signers {
            for (at, _) in instances(&c.id_number, data) {
                let Some(id) = data.pointer(&at).and_then(Value::as_str).map(str::trim) else {
                    continue;
                };
                if id.is_empty() {
                    continue;
                }
                if seen.contains(&id) {
                    out.push(crate::Diagnostic::error(
                        at,
                        "co-signer-repeated",
                        crate::Text::new(
                            "Số định danh này đã được kê khai cho một người ký khác; mỗi người chỉ được kê khai một lần.",
                            "This ID number was given for another signer already; each person is named once.",
                        ),
                    ));
                } else {
                    seen.push(id);
                }
            }
        }
        out
    }
}

/// The concrete pointers of `pointer` in `data`: itself, or one per row of the array a `/*`
/// segment goes through (with the row's index).
fn instances(pointer: &str, data: &Value) -> Vec<(String, Option<usize>)> {
    match pointer.split_once("/*") {
        None => vec![(pointer.to_owned(), None)],
        Some((array, rest)) => data
            .pointer(array)
            .and_then(Value::as_array)
            .map(|rows| {
                (0..rows.len())
                    .map(|i| (format!("{array}/{i}{rest}"), Some(i)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn applicant() -> String {
    "applicant".to_owned()
}
