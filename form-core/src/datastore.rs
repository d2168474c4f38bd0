//! The key catalogue of the citizen's personal data store (`schemas/datastore-keys.json`): the
//! keys forms may bind and the store may hold, their types, where verified values come from.
//! The catalogue is handed in by the caller (form-core reads no files); [`Catalogue::check`]
//! says whether a value fits its key.

use crate::definition::{Definition, Item, Lock, Prefill, Widget};
use crate::diagnostic::Diagnostic;
use crate::form::Form;
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
const MAX_TEXT: usize = 500;
/// Most persons in a list.
const MAX_PERSONS: usize = 50;

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
fn person_field_type(field: &str) -> Option<KeyType> {
    match field {
        "fullName" | "relationship" => Some(KeyType::String),
        "dateOfBirth" => Some(KeyType::Date),
        "sex" => Some(KeyType::Sex),
        "idNumber" => Some(KeyType::IdNumber),
        _ => None,
    }
}

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

fn check_binding(
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

/// Most entries in a binding's `map`.
const MAX_MAP: usize = 500;

/// A binding with a `map`: the key gives text, and every value it maps to passes the field's
/// schema (for a choice: is one of its options).
fn check_map(
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

/// A register value as a `map` compares it: trimmed, lower case.
fn normalise(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The value a binding puts in its field: the store's value, through the `map` if it has one
/// (`None`: a text the map does not list).
fn mapped(binding: &Prefill, value: Value) -> Option<Value> {
    if binding.map.is_empty() {
        return Some(value);
    }
    let text = normalise(value.as_str()?);
    binding
        .map
        .iter()
        .find(|(from, _)| normalise(from) == text)
        .map(|(_, to)| to.clone())
}

/// A value of the citizen's store as the portal gives it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attribute {
    pub value: Value,
    pub source: String,
    pub verified: bool,
    pub updated_at: String,
}

/// Where a prefilled field's value came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Provenance {
    pub key: String,
    pub source: String,
    pub verified: bool,
    pub updated_at: String,
}

/// The outcome of [`prefill`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Prefilled {
    /// The data with the store's values in every bound field that had none.
    pub data: Value,
    /// Data pointer → where the value now in that field came from (fields holding the store's
    /// value, filled now or already equal).
    pub provenance: std::collections::BTreeMap<String, Provenance>,
    /// Fields bound with `lock: verified` that hold a verified value: read-only.
    pub locked: std::collections::BTreeSet<String>,
    /// Fields whose value (typed, from a draft) differs from the store's: kept as typed.
    pub differing: Vec<String>,
    /// Locked fields whose typed value differed from the register's: replaced by it.
    pub replaced: Vec<String>,
}

impl Prefilled {
    /// Records that the field at `ptr` holds the store's value of `binding` (and is locked).
    fn mark(&mut self, ptr: &str, binding: &Prefill, attr: &Attribute, locks: bool) {
        self.provenance.insert(
            ptr.to_owned(),
            Provenance {
                key: binding.key.clone(),
                source: attr.source.clone(),
                verified: attr.verified,
                updated_at: attr.updated_at.clone(),
            },
        );
        if locks {
            self.locked.insert(ptr.to_owned());
        }
    }
}

/// The catalogue keys a definition binds: what the runtime asks the store for, and nothing else.
pub fn bound_keys(definition: &Definition) -> Vec<String> {
    let mut keys: Vec<String> = bound_items(definition)
        .map(|(_, p, _)| p.key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Fills the bound fields of `data` from the store's `attributes`. Precedence: what the data
/// already holds (a restored draft, typed values) is never replaced — a different store value is
/// reported in `differing` instead; only empty fields are filled. The exception is a field
/// locked to a verified register value: only that value can be sent, so it replaces what was
/// typed, and the field is listed in `replaced` for the runtime to say so. A list of persons
/// fills an empty table, one row per person, each column from the person's field of the
/// column's name.
pub fn prefill(
    form: &Form,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
) -> Prefilled {
    let definition = form.definition();
    let mut out = Prefilled {
        data: data.clone(),
        ..Prefilled::default()
    };
    let empty = |v: Option<&Value>| v.is_none_or(is_empty);
    for (item, binding, ptr) in bound_items(definition) {
        if !applies(form, ptr, data, today) {
            continue;
        }
        let Some((attr, value)) = bound_value(item, binding, attributes) else {
            continue;
        };
        let locks = locks(form, item, binding, ptr, attr, &value);
        let current = crate::pointer::get(&out.data, ptr).cloned();
        if empty(current.as_ref()) {
            crate::pointer::set(&mut out.data, ptr, value);
        } else if current.as_ref() != Some(&value) {
            if !locks {
                out.differing.push(ptr.to_owned());
                continue;
            }
            crate::pointer::set(&mut out.data, ptr, value);
            out.replaced.push(ptr.to_owned());
        }
        out.mark(ptr, binding, attr, locks);
    }
    out
}

/// Whether the binding of the field at `ptr` applies to `data`: no `when`, or a true one.
fn applies(form: &Form, ptr: &str, data: &Value, today: crate::Ymd) -> bool {
    form.prefill_applies(ptr, data, today)
}

/// What following bindings with `when` remembers between changes: the values a binding that
/// came into force replaced, by field, to put back when it is no longer in force.
pub type Displaced = std::collections::BTreeMap<String, Value>;

/// The prefill after a change of the data, for forms whose bindings depend on it (`when`: "the
/// applicant is the husband"). Only bindings whose `when` changed between `before` and `data`
/// act, so a field the citizen empties stays empty:
/// - a binding that **came into force** fills its field when empty; when the field held
///   another value and the binding locks, the store's value replaces it and the value is kept in
///   `displaced`; an unlocked binding leaves a typed value alone;
/// - a binding **no longer in force** takes back what it filled, if nobody changed it since,
///   putting back what it displaced (or emptying the field).
///
/// `prefilled` is the prefill so far (data aside); the result's `data` is `data` with these
/// changes, its `locked` and `provenance` follow. `None` for a form without such bindings.
pub fn prefill_again(
    form: &Form,
    before: &Value,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
    prefilled: &Prefilled,
    displaced: &mut Displaced,
) -> Option<Prefilled> {
    let definition = form.definition();
    if !follows_data(definition) {
        return None;
    }
    let mut out = Prefilled {
        data: data.clone(),
        provenance: prefilled.provenance.clone(),
        locked: prefilled.locked.clone(),
        ..Prefilled::default()
    };
    for (item, binding, ptr) in bound_items(definition) {
        if binding.when.is_none() {
            continue;
        }
        let (was, now) = (
            applies(form, ptr, before, today),
            applies(form, ptr, data, today),
        );
        if was == now {
            continue;
        }
        let Some((attr, value)) = bound_value(item, binding, attributes) else {
            continue;
        };
        let current = crate::pointer::get(&out.data, ptr).cloned();
        if now {
            let locks = locks(form, item, binding, ptr, attr, &value);
            match current {
                Some(c) if !is_empty(&c) && c != value => {
                    if !locks {
                        out.differing.push(ptr.to_owned());
                        continue;
                    }
                    displaced.insert(ptr.to_owned(), c);
                    out.replaced.push(ptr.to_owned());
                }
                _ => {}
            }
            crate::pointer::set(&mut out.data, ptr, value);
            out.mark(ptr, binding, attr, locks);
        } else {
            let ours = out
                .provenance
                .get(ptr)
                .is_some_and(|p| p.key == binding.key);
            if ours && current.as_ref() == Some(&value) {
                match displaced.remove(ptr) {
                    Some(earlier) => {
                        crate::pointer::set(&mut out.data, ptr, earlier);
                    }
                    None => {
                        crate::pointer::remove(&mut out.data, ptr);
                    }
                }
            }
            displaced.remove(ptr);
            out.provenance.remove(ptr);
            out.locked.remove(ptr);
        }
    }
    Some(out)
}

/// Whether a field counts as not filled in (nothing, blank text, an empty list or group).
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(|v| v.is_null() || v.as_str() == Some("")),
        _ => false,
    }
}

/// Whether a bound field is locked to the store's value: bound with `lock: verified`, the value
/// verified, and valid for the field — a register value the field cannot hold (an old 9-digit
/// ID number, a text no option matches) is filled but left for the citizen to correct, never
/// locked into a form that could then not be sent.
fn locks(
    form: &Form,
    item: &Item,
    binding: &Prefill,
    ptr: &str,
    attr: &Attribute,
    value: &Value,
) -> bool {
    attr.verified
        && binding.lock == Some(Lock::Verified)
        && item.widget != Widget::Table
        && form
            .schema()
            .validate_at(ptr, value)
            .is_some_and(|errors| errors.is_empty())
}

/// The store's value for one bound item (a person's field, a table's rows, or the whole
/// value, through the binding's `map`), with its attribute; `None` when the store has none (or
/// the map does not list it).
fn bound_value<'a>(
    item: &Item,
    binding: &Prefill,
    attributes: &'a std::collections::BTreeMap<String, Attribute>,
) -> Option<(&'a Attribute, Value)> {
    let attr = attributes.get(&binding.key)?;
    let value = match (&binding.field, item.widget) {
        (Some(f), _) => mapped(binding, attr.value.get(f)?.clone())?,
        (None, Widget::Table) => Value::Array(
            attr.value
                .as_array()?
                .iter()
                .map(|person| {
                    let mut row = serde_json::Map::new();
                    for col in &item.columns {
                        let name = col.pointer.as_deref().and_then(|p| p.rsplit('/').next());
                        if let Some((n, v)) = name.and_then(|n| Some((n, person.get(n)?))) {
                            row.insert(n.to_owned(), v.clone());
                        }
                    }
                    Value::Object(row)
                })
                .collect(),
        ),
        (None, Widget::Address) if item.mode == crate::definition::AddressMode::Province => {
            serde_json::json!({ "province": attr.value.get("province")?.clone() })
        }
        (None, _) => mapped(binding, attr.value.clone())?,
    };
    Some((attr, value))
}

/// The bound items of a definition with their data pointers.
fn bound_items(definition: &Definition) -> impl Iterator<Item = (&Item, &Prefill, &str)> {
    definition
        .pages
        .iter()
        .flat_map(|p| &p.sections)
        .flat_map(|s| &s.items)
        .filter_map(|i| Some((i, i.prefill.as_ref()?, i.pointer.as_deref()?)))
}

/// Whether a definition has bindings that depend on the data (`when`): only then does the
/// runtime need to follow changes with [`prefill_again`].
pub fn follows_data(definition: &Definition) -> bool {
    bound_items(definition).any(|(_, b, _)| b.when.is_some())
}

/// Whether a definition locks any field to a verified value.
pub fn has_locks(definition: &Definition) -> bool {
    bound_items(definition).any(|(_, b, _)| b.lock == Some(Lock::Verified))
}

/// Fields bound with `lock: verified` to a verified value whose `data` holds another value: what
/// the portal refuses on intake (the runtime draws them read-only; a hand-made request could
/// still change them). Empty fields are left to the form's own `required`.
pub fn locked_changed(
    form: &Form,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
) -> Vec<String> {
    bound_items(form.definition())
        .filter(|(item, binding, ptr)| {
            applies(form, ptr, data, today)
                && bound_value(item, binding, attributes).is_some_and(|(attr, value)| {
                    locks(form, item, binding, ptr, attr, &value)
                        && crate::pointer::get(data, ptr)
                            .is_some_and(|v| !v.is_null() && *v != value)
                })
        })
        .map(|(_, _, ptr)| ptr.to_owned())
        .collect()
}

/// A value of a submission that could be kept in the store for next time.
#[derive(Clone, Debug, PartialEq, serde::Serialize, Deserialize)]
pub struct Keep {
    pub key: String,
    /// Where the value is in the form's data (its label and display come from there).
    pub pointer: String,
    pub value: Value,
}

/// What of `data` (a submission) the store could keep for next time — exactly what the consent
/// dialog lists: fields bound as a whole to a key citizens declare (`citizen-declared` in the
/// catalogue), holding a value of the key's type that the store does not already hold. Verified
/// values are never offered; the first field binding a key wins.
pub fn keepable(
    form: &Form,
    catalogue: &Catalogue,
    data: &Value,
    attributes: &std::collections::BTreeMap<String, Attribute>,
    today: crate::Ymd,
) -> Vec<Keep> {
    let mut out: Vec<Keep> = Vec::new();
    for (_, binding, ptr) in bound_items(form.definition()) {
        if binding.field.is_some()
            || out.iter().any(|k| k.key == binding.key)
            || !applies(form, ptr, data, today)
        {
            continue;
        }
        let Some(key) = catalogue.get(&binding.key) else {
            continue;
        };
        let Some(value) = crate::pointer::get(data, ptr) else {
            continue;
        };
        // Through a `map`, the store keeps the register's text the field's code stands for.
        let unmapped;
        let value = if binding.map.is_empty() {
            value
        } else {
            match binding.map.iter().find(|(_, to)| *to == value) {
                Some((from, _)) => {
                    unmapped = Value::String(from.clone());
                    &unmapped
                }
                None => continue,
            }
        };
        let stored = attributes.get(&binding.key);
        // Through a map, a stored text that maps to the chosen code is already held.
        let held_as_code = stored
            .and_then(|a| mapped(binding, a.value.clone()))
            .is_some_and(|code| Some(&code) == crate::pointer::get(data, ptr));
        if held_as_code && !binding.map.is_empty() {
            continue;
        }
        if key.source != "citizen-declared"
            || value.is_null()
            || value.as_str().is_some_and(|s| s.trim().is_empty())
            || check_type(key.kind, value).is_err()
            || stored.is_some_and(|a| a.verified || a.value == *value)
        {
            continue;
        }
        out.push(Keep {
            key: binding.key.clone(),
            pointer: ptr.to_owned(),
            value: value.clone(),
        });
    }
    out
}

fn bad(vi: &str, en: &str) -> Text {
    Text::new(vi, en)
}

fn check_type(kind: KeyType, value: &Value) -> Result<(), Text> {
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

fn check_person(value: &Value) -> Result<(), Text> {
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
fn is_phone(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    let (rest, min, max) = match digits.strip_prefix("+84") {
        Some(r) => (r, 9, 10),
        None if digits.starts_with('0') => (digits.as_str(), 10, 11),
        None => return false,
    };
    (min..=max).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    const TODAY: crate::Ymd = (2026, 12, 6);
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A store value as the portal gives it (updated on 2025-07-01).
    fn attr(value: Value, source: &str, verified: bool) -> Attribute {
        Attribute {
            value,
            source: source.into(),
            verified,
            updated_at: "2025-07-01T07:00:00.000+07:00".into(),
        }
    }

    fn catalogue() -> Catalogue {
        Catalogue::from_json(include_str!("../../schemas/datastore-keys.json")).unwrap()
    }

    #[test]
    fn the_catalogue_reads_and_every_key_is_unique() {
        let c = catalogue();
        assert!(c.keys.len() >= 14);
        let mut keys: Vec<&str> = c.keys.iter().map(|k| k.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), c.keys.len());
        assert!(c.get("household.members").is_some());
    }

    #[test]
    fn ct01_bindings_fit_the_catalogue_and_mistakes_are_pointed_at() {
        let c = catalogue();
        let text = include_str!("../../schemas/forms/ct01.json");
        let form = crate::load(text).form.unwrap();
        assert_eq!(check_bindings(&form, &c), vec![]);
        let mut def: Value = serde_json::from_str(text).unwrap();
        let items = &mut def["pages"][0]["sections"][1]["items"];
        assert_eq!(items[0]["pointer"], "/applicant/fullName");
        items[0]["prefill"] = json!({"key": "citizen.nickname"});
        items[1]["prefill"] = json!({"key": "citizen.fullName"});
        items[2]["prefill"] = json!({"key": "household.head"});
        items[5]["prefill"] = json!({"key": "citizen.email", "lock": "verified"});
        let form = crate::load_value(&def).form.unwrap();
        let found: Vec<(String, String)> = check_bindings(&form, &c)
            .into_iter()
            .map(|d| (d.pointer, d.code))
            .collect();
        let at = "/pages/0/sections/1/items";
        assert_eq!(
            found,
            [
                (format!("{at}/0/prefill/key"), "prefill-key".to_owned()),
                (format!("{at}/1/prefill/key"), "prefill-type".to_owned()),
                (format!("{at}/2/prefill/field"), "prefill-field".to_owned()),
                (format!("{at}/5/prefill/lock"), "prefill-lock".to_owned()),
            ]
        );
    }

    #[test]
    fn prefill_fills_empty_fields_keeps_typed_ones_and_locks_verified_ones() {
        let form = crate::load(include_str!("../../schemas/forms/ct01.json"))
            .form
            .unwrap();
        let def = form.definition();
        let keys = bound_keys(def);
        assert_eq!(
            keys,
            [
                "citizen.dateOfBirth",
                "citizen.email",
                "citizen.fullName",
                "citizen.idNumber",
                "citizen.phone",
                "citizen.sex",
                "household.head",
                "household.members"
            ]
        );
        let npdb = "national-population-db";
        let attributes: std::collections::BTreeMap<String, Attribute> = [
            ("citizen.fullName", attr(json!("Nguyễn Văn An"), npdb, true)),
            ("citizen.dateOfBirth", attr(json!("1990-03-14"), npdb, true)),
            ("citizen.sex", attr(json!("nam"), npdb, true)),
            ("citizen.idNumber", attr(json!("001090012345"), npdb, true)),
            ("citizen.phone", attr(json!("0912345678"), "citizen-declared", false)),
            ("household.head", attr(json!({"fullName": "Nguyễn Văn An", "idNumber": "001090012345", "relationship": "chu-ho"}), npdb, true)),
            ("household.members", attr(json!([
                {"fullName": "Trần Thị Mai", "dateOfBirth": "1992-07-02", "sex": "nu", "idNumber": "001192004567", "relationship": "vo"},
                {"fullName": "Nguyễn Minh Khôi", "sex": "nam", "relationship": "con"}
            ]), npdb, true)),
        ]
        .into_iter()
        .map(|(k, a)| (k.to_owned(), a))
        .collect();
        // A draft where the citizen typed another phone number and another name.
        let draft = json!({"applicant": {"phone": "0987654321", "fullName": "Nguyễn Văn Ân"}, "receivingAgency": "Công an phường Ba Đình"});
        let p = prefill(&form, &draft, &attributes, TODAY);
        assert_eq!(p.data["applicant"]["fullName"], "Nguyễn Văn An");
        assert_eq!(p.data["householdHead"]["relationship"], "chu-ho");
        assert_eq!(
            p.data["applicant"]["phone"], "0987654321",
            "typed values stay"
        );
        assert_eq!(p.differing, ["/applicant/phone"]);
        assert_eq!(
            p.replaced,
            ["/applicant/fullName"],
            "a locked field takes the register's value, and says so"
        );
        assert_eq!(p.data["receivingAgency"], "Công an phường Ba Đình");
        assert_eq!(
            p.data["members"][1],
            json!({"fullName": "Nguyễn Minh Khôi", "sex": "nam", "relationship": "con"})
        );
        assert!(p.locked.contains("/applicant/idNumber"));
        assert!(
            !p.locked.contains("/householdHead/fullName"),
            "the household joined may be another"
        );
        assert!(!p.locked.contains("/applicant/phone"));
        assert!(!p.locked.contains("/members"), "tables are never locked");
        assert_eq!(p.provenance["/applicant/fullName"].source, npdb);
        assert!(
            !p.provenance.contains_key("/applicant/email"),
            "nothing stored, nothing filled"
        );
        // The filled data is valid CT01 data as far as the store reaches (no type errors).
        let errors = form.validate(&p.data, (2026, 11, 25));
        assert!(errors.iter().all(|e| e.code == "required"), "{errors:?}");
    }

    #[test]
    fn only_declared_new_values_are_offered_and_locked_changes_are_found() {
        let form = crate::load(include_str!("../../schemas/forms/ct01.json"))
            .form
            .unwrap();
        let npdb = "national-population-db";
        let mut attributes: std::collections::BTreeMap<String, Attribute> = [
            ("citizen.fullName", attr(json!("Nguyễn Văn An"), npdb, true)),
            ("citizen.idNumber", attr(json!("001090012345"), npdb, true)),
            (
                "citizen.email",
                attr(json!("an@example.vn"), "citizen-declared", false),
            ),
        ]
        .into_iter()
        .map(|(k, a)| (k.to_owned(), a))
        .collect();
        let data = json!({"applicant": {
            "fullName": "Nguyễn Văn Ân", "idNumber": "001090012345",
            "phone": "0912 345 678", "email": "an@example.vn"
        }});
        // The e-mail is already held, the name is a register's: only the phone is offered.
        let keep = keepable(&form, &catalogue(), &data, &attributes, TODAY);
        assert_eq!(
            keep,
            [Keep {
                key: "citizen.phone".into(),
                pointer: "/applicant/phone".into(),
                value: json!("0912 345 678")
            }]
        );
        attributes.remove("citizen.email");
        let keys: Vec<_> = keepable(&form, &catalogue(), &data, &attributes, TODAY)
            .into_iter()
            .map(|k| k.key)
            .collect();
        assert_eq!(keys, ["citizen.phone", "citizen.email"]);
        // A value not of the key's type is not offered.
        let bad = json!({"applicant": {"phone": "12"}});
        assert!(keepable(&form, &catalogue(), &bad, &attributes, TODAY).is_empty());
        // The name differs from the verified one the form locks; the ID number is equal.
        assert_eq!(
            locked_changed(&form, &data, &attributes, TODAY),
            ["/applicant/fullName"]
        );
        // An unverified value is not a lock; an empty field is left to `required`.
        attributes.get_mut("citizen.fullName").unwrap().verified = false;
        assert!(locked_changed(&form, &data, &attributes, TODAY).is_empty());
        assert!(locked_changed(&form, &json!({}), &attributes, TODAY).is_empty());
    }

    /// CT01 with a nationality choice of codes, bound to the register's free-text key.
    fn with_nationality(binding: Value) -> Value {
        let mut def: Value =
            serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
        def["dataSchema"]["properties"]["applicant"]["properties"]["nationality"] =
            json!({"type": "string", "enum": ["viet-nam", "khac"]});
        let items = def["pages"][0]["sections"][1]["items"]
            .as_array_mut()
            .unwrap();
        items.push(json!({
            "widget": "select", "pointer": "/applicant/nationality",
            "label": {"vi": "Quốc tịch", "en": "Nationality"},
            "options": [
                {"value": "viet-nam", "label": {"vi": "Việt Nam", "en": "Viet Nam"}},
                {"value": "khac", "label": {"vi": "Khác", "en": "Other"}}
            ],
            "prefill": binding
        }));
        def
    }

    /// Issue 22, item 2: a free-text key bound to a choice of codes passed `eform check` and
    /// locked a value the choice list refused, so the citizen could never submit.
    #[test]
    fn coded_fields_need_a_map_and_only_valid_values_lock() {
        let c = catalogue();
        let at = "/pages/0/sections/1/items/6/prefill";
        let codes = |def: &Value| -> Vec<(String, String)> {
            let loaded = crate::load_value(def);
            let form = loaded
                .form
                .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
            check_bindings(&form, &c)
                .into_iter()
                .map(|d| (d.pointer, d.code))
                .collect()
        };
        let bare = with_nationality(json!({"key": "citizen.nationality", "lock": "verified"}));
        assert_eq!(
            codes(&bare),
            [(format!("{at}/key"), "prefill-choice".to_owned())]
        );
        let wrong = with_nationality(json!({"key": "citizen.nationality",
            "map": {"Việt Nam": "vn", "việt nam ": "viet-nam"}}));
        assert_eq!(
            codes(&wrong),
            [
                (format!("{at}/map/Việt Nam"), "prefill-map-value".to_owned()),
                (format!("{at}/map/việt nam "), "prefill-map".to_owned()),
            ]
        );
        let table = {
            let mut d = with_nationality(json!({"key": "citizen.nationality"}));
            d["pages"][0]["sections"][1]["items"][6]["prefill"] =
                json!({"key": "household.members", "map": {"a": "b"}});
            d
        };
        assert!(codes(&table).contains(&(format!("{at}/map"), "prefill-map".to_owned())));
        let mut relationship: Value =
            serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
        let head = relationship["pages"][0]["sections"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .flat_map(|s| s["items"].as_array_mut().unwrap().iter_mut())
            .find(|i| i["pointer"] == "/householdHead/relationship")
            .unwrap();
        head["options"]
            .as_array_mut()
            .unwrap()
            .retain(|o| o["value"] != "ong");
        relationship["dataSchema"]["properties"]["householdHead"]["properties"]["relationship"]
            ["enum"]
            .as_array_mut()
            .unwrap()
            .retain(|v| v != "ong");
        let found = codes(&relationship);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1, "prefill-choice",
            "a relationship code the field lacks"
        );

        let good = with_nationality(json!({"key": "citizen.nationality", "lock": "verified",
            "map": {"Việt Nam": "viet-nam", "Viet Nam": "viet-nam"}}));
        assert_eq!(codes(&good), []);
        let form = crate::load_value(&good).form.unwrap();
        let npdb = "national-population-db";
        let store =
            |nationality: &str, id: &str| -> std::collections::BTreeMap<String, Attribute> {
                [
                    ("citizen.nationality", attr(json!(nationality), npdb, true)),
                    ("citizen.idNumber", attr(json!(id), npdb, true)),
                ]
                .into_iter()
                .map(|(k, a)| (k.to_owned(), a))
                .collect()
            };
        // Case and spaces aside, the register's text maps to the code, which locks.
        let p = prefill(
            &form,
            &json!({}),
            &store(" VIỆT NAM", "001090012345"),
            TODAY,
        );
        assert_eq!(p.data["applicant"]["nationality"], "viet-nam");
        assert!(p.locked.contains("/applicant/nationality"));
        assert!(p.locked.contains("/applicant/idNumber"));
        // A text the map does not list fills nothing; an old 9-digit ID number is filled for the
        // citizen to correct, not locked (nor refused on intake when corrected).
        let p = prefill(&form, &json!({}), &store("Lào", "012345678"), TODAY);
        assert_eq!(p.data["applicant"].get("nationality"), None);
        assert_eq!(p.data["applicant"]["idNumber"], "012345678");
        assert!(!p.locked.contains("/applicant/idNumber"));
        let typed = json!({"applicant": {"idNumber": "001090012345", "nationality": "khac"}});
        assert!(locked_changed(&form, &typed, &store("Lào", "012345678"), TODAY).is_empty());
        assert_eq!(
            locked_changed(&form, &typed, &store("Viet Nam", "012345678"), TODAY),
            ["/applicant/nationality"]
        );
    }

    /// Issue 22, item 3: in a declaration by two parties the applicant's identity goes into
    /// whichever party they say they are, follows when they change their answer, and locks
    /// only there.
    #[test]
    fn bindings_follow_the_party_the_applicant_is() {
        let text = include_str!("../../schemas/forms/marriage-registration.json");
        let form = crate::load(text).form.unwrap();
        assert_eq!(check_bindings(&form, &catalogue()), []);
        let npdb = "national-population-db";
        let attributes: std::collections::BTreeMap<String, Attribute> = [
            ("citizen.fullName", attr(json!("Nguyễn Văn An"), npdb, true)),
            ("citizen.dateOfBirth", attr(json!("1990-03-14"), npdb, true)),
            ("citizen.idNumber", attr(json!("001090012345"), npdb, true)),
            ("citizen.ethnicity", attr(json!("Kinh"), npdb, true)),
            ("citizen.nationality", attr(json!("Việt Nam"), npdb, true)),
            (
                "citizen.currentAddress",
                attr(
                    json!({"province": "01", "commune": "00004", "street": "Số 12"}),
                    npdb,
                    true,
                ),
            ),
        ]
        .into_iter()
        .map(|(k, a)| (k.to_owned(), a))
        .collect();
        // No answer yet: neither party is filled.
        let p = prefill(&form, &json!({}), &attributes, TODAY);
        assert!(p.provenance.is_empty() && p.data.get("husband").is_none());
        // "I am the man": the man's part is the applicant's, locked where verified.
        let p = prefill(
            &form,
            &json!({"applicantIs": "ben-nam"}),
            &attributes,
            TODAY,
        );
        assert_eq!(p.data["husband"]["fullName"], "Nguyễn Văn An");
        assert!(p.locked.contains("/husband/idNumber"));
        assert!(
            !p.locked.contains("/husband/residence"),
            "an address is not locked"
        );
        assert!(p.data.get("wife").is_none());
        // The applicant corrects their address, had typed a name in the woman's part, then
        // answers "the woman" instead: what was filled and left alone goes back, the corrected
        // address stays, the woman's part takes the identity (the typed name is put aside).
        let mut data = p.data.clone();
        data["husband"]["residence"]["street"] = json!("Số 14");
        data["wife"] = json!({"fullName": "Trần Thị Bình", "marriageCount": 1});
        let before = data.clone();
        data["applicantIs"] = json!("ben-nu");
        let mut displaced = Displaced::new();
        let q = prefill_again(
            &form,
            &before,
            &data,
            &attributes,
            TODAY,
            &p,
            &mut displaced,
        )
        .unwrap();
        assert_eq!(q.data["wife"]["fullName"], "Nguyễn Văn An");
        assert_eq!(q.data["wife"]["marriageCount"], 1);
        assert_eq!(q.replaced, ["/wife/fullName"]);
        assert_eq!(q.data["husband"].get("fullName"), None);
        assert_eq!(q.data["husband"]["residence"]["street"], "Số 14");
        assert!(q.locked.contains("/wife/idNumber") && !q.locked.contains("/husband/idNumber"));
        assert!(!q.provenance.contains_key("/husband/fullName"));
        // A field the citizen empties stays empty while nothing changes in force.
        let mut emptied = q.data.clone();
        emptied["wife"].as_object_mut().unwrap().remove("ethnicity");
        let r = prefill_again(
            &form,
            &q.data,
            &emptied,
            &attributes,
            TODAY,
            &q,
            &mut displaced,
        )
        .unwrap();
        assert_eq!(r.data, emptied);
        // Back to "the man": the woman's part gets the typed name back.
        let mut back = q.data.clone();
        back["applicantIs"] = json!("ben-nam");
        let r = prefill_again(
            &form,
            &q.data,
            &back,
            &attributes,
            TODAY,
            &q,
            &mut displaced,
        )
        .unwrap();
        assert_eq!(r.data["wife"]["fullName"], "Trần Thị Bình");
        assert_eq!(r.data["wife"].get("idNumber"), None);
        assert_eq!(r.data["husband"]["fullName"], "Nguyễn Văn An");
        assert!(displaced.is_empty());
        // The portal holds the lock where the binding is in force, and only there.
        let mut sent = q.data.clone();
        sent["husband"]["fullName"] = json!("Lê Văn Chồng");
        assert!(locked_changed(&form, &sent, &attributes, TODAY).is_empty());
        sent["wife"]["fullName"] = json!("Trần Thị Vợ");
        assert_eq!(
            locked_changed(&form, &sent, &attributes, TODAY),
            ["/wife/fullName"]
        );
        // Nothing to follow on a form without such bindings.
        let ct01 = crate::load(include_str!("../../schemas/forms/ct01.json"))
            .form
            .unwrap();
        let none = prefill_again(
            &ct01,
            &json!({}),
            &json!({"a": 1}),
            &attributes,
            TODAY,
            &p,
            &mut Displaced::new(),
        );
        assert!(none.is_none());
        // A `when` that is no rule is refused where it is written.
        let mut def: Value = serde_json::from_str(text).unwrap();
        def["pages"][0]["sections"][2]["items"][0]["prefill"]["when"] = json!("applicantIs = ");
        let loaded = crate::load_value(&def);
        assert_eq!(
            loaded
                .diagnostics
                .iter()
                .map(|d| d.pointer.as_str())
                .collect::<Vec<_>>(),
            ["/pages/0/sections/2/items/0/prefill/when"]
        );
    }

    #[test]
    fn values_fit_their_types() {
        let c = catalogue();
        let ok = [
            ("citizen.fullName", json!("Nguyễn Văn An")),
            ("citizen.dateOfBirth", json!("1990-03-14")),
            ("citizen.sex", json!("nu")),
            ("citizen.idNumber", json!("001090012345")),
            ("citizen.phone", json!("0912 345 678")),
            ("citizen.phone", json!("+84912345678")),
            ("citizen.email", json!("an@example.vn")),
            (
                "citizen.permanentAddress",
                json!({"province": "01", "commune": "00004", "street": "Số 12"}),
            ),
            (
                "household.members",
                json!([{"fullName": "Trần Thị Mai", "sex": "nu", "idNumber": "001192004567"}]),
            ),
        ];
        for (k, v) in ok {
            assert_eq!(c.check(k, &v), Ok(()), "{k} {v}");
        }
        let bad = [
            ("citizen.fullName", json!("")),
            ("citizen.fullName", json!(12)),
            ("citizen.dateOfBirth", json!("14/03/1990")),
            ("citizen.sex", json!("male")),
            ("citizen.idNumber", json!("12345")),
            ("citizen.phone", json!("12345")),
            ("citizen.email", json!("an@")),
            ("citizen.permanentAddress", json!({"province": "01"})),
            (
                "citizen.permanentAddress",
                json!({"province": "01", "commune": "00004", "city": "x"}),
            ),
            ("household.members", json!([{"sex": "nu"}])),
            (
                "household.members",
                json!([{"fullName": "A", "password": "x"}]),
            ),
            ("unknown.key", json!("x")),
        ];
        for (k, v) in bad {
            assert!(c.check(k, &v).is_err(), "{k} {v} should be refused");
        }
    }
}
