//! Editing a definition, as the builder does: every operation works on the definition's JSON
//! and keeps its layout (pages → sections → items, a table's columns) and its data schema in
//! step — adding a field adds its property with a schema suited to the widget, renaming a key
//! renames the property (and its place in `required`), removing a field removes both. An
//! operation that cannot apply (a place that does not exist, a key in use) changes nothing and
//! says why in both languages. Whatever an official does, the full check (`load`) then reports
//! what is left to fix.

use crate::{AddressMode, Text, Widget};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Where an item is: page, section, item, and for a table's column its index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct At {
    pub page: usize,
    pub section: usize,
    pub item: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl At {
    pub fn item(page: usize, section: usize, item: usize) -> At {
        At {
            page,
            section,
            item,
            column: None,
        }
    }

    /// The item's JSON pointer in the definition.
    pub fn pointer(self) -> String {
        let item = format!(
            "/pages/{}/sections/{}/items/{}",
            self.page, self.section, self.item
        );
        match self.column {
            Some(c) => format!("{item}/columns/{c}"),
            None => item,
        }
    }
}

/// Why an edit did not apply.
#[derive(Clone, Debug, PartialEq)]
pub struct EditError(pub Text);

fn no_place() -> EditError {
    EditError(Text::new(
        "Không có vị trí này trong biểu mẫu.",
        "There is no such place in the form.",
    ))
}

/// The schema a new field of `widget` starts with (none for static text).
pub fn widget_schema(widget: Widget) -> Option<Value> {
    let text = |max: u64| json!({"type": "string", "maxLength": max});
    let file = json!({"type": "object", "additionalProperties": false, "required": ["name", "size", "type"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "size": {"type": "integer", "minimum": 1},
        "type": {"type": "string", "maxLength": 100},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    }});
    Some(match widget {
        Widget::Text => text(200),
        Widget::Textarea => text(2000),
        Widget::Number => json!({"type": "number"}),
        Widget::Date => json!({"type": "string", "format": "date"}),
        Widget::Month => json!({"type": "string", "format": "year-month"}),
        Widget::Year => json!({"type": "integer", "minimum": 1900, "maximum": 2100}),
        Widget::Select | Widget::Radio => json!({"type": "string", "enum": ["1", "2"]}),
        Widget::MultiSelect => {
            json!({"type": "array", "uniqueItems": true, "items": {"type": "string", "enum": ["1", "2"]}})
        }
        Widget::Checkbox => json!({"type": "boolean"}),
        Widget::Email => json!({"type": "string", "format": "email", "maxLength": 254}),
        Widget::Phone => {
            json!({"type": "string", "pattern": "^(0|\\+84)(2[0-9]{9}|[35789][0-9]{8})$"})
        }
        Widget::IdNumber => json!({"type": "string", "pattern": "^[0-9]{12}$"}),
        Widget::Address => address_schema(AddressMode::Vietnam),
        Widget::File => file,
        Widget::Table => json!({"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": false, "properties": {}, "required": []
        }}),
        Widget::Static => return None,
    })
}

/// A new item of `widget` at data key `key` (static text has no key).
pub fn new_item(widget: Widget, key: &str) -> Value {
    let name = widget.name();
    if widget == Widget::Static {
        return json!({"widget": name, "text": {"vi": "Nội dung hướng dẫn.", "en": "Guidance text."}});
    }
    let mut item = json!({"widget": name, "pointer": format!("/{key}"), "label": {"vi": "Trường mới", "en": "New field"}});
    if matches!(widget, Widget::Select | Widget::Radio | Widget::MultiSelect) {
        item["options"] = json!([
            {"value": "1", "label": {"vi": "Lựa chọn 1", "en": "Choice 1"}},
            {"value": "2", "label": {"vi": "Lựa chọn 2", "en": "Choice 2"}},
        ]);
    }
    if widget == Widget::Table {
        item["label"] = json!({"vi": "Bảng mới", "en": "New table"});
    }
    item
}

/// Every widget, in `Widget::NAMES` order.
pub const ALL: [Widget; 17] = Widget::ALL;

fn items_mut(def: &mut Value, page: usize, section: usize) -> Result<&mut Vec<Value>, EditError> {
    def.pointer_mut(&format!("/pages/{page}/sections/{section}/items"))
        .and_then(Value::as_array_mut)
        .ok_or_else(no_place)
}

fn item_mut(def: &mut Value, at: At) -> Result<&mut Value, EditError> {
    def.pointer_mut(&at.pointer()).ok_or_else(no_place)
}

fn item(def: &Value, at: At) -> Option<&Value> {
    def.pointer(&at.pointer())
}

/// The object schema a field's property lives in, and the property's name: for an item, the
/// schema along its pointer from the data schema's root; for a column, its table's row schema.
fn owner_mut(def: &mut Value, at: At) -> Option<(&mut Value, String)> {
    let (steps, key) = owner_steps(def, at)?;
    let mut node = def.get_mut("dataSchema")?;
    for step in steps {
        node = if step == "*" {
            node.get_mut("items")?
        } else {
            node.get_mut("properties")?.get_mut(&step)?
        };
    }
    Some((node, key))
}

/// [`owner_mut`], reading only.
fn owner(def: &Value, at: At) -> Option<(&Value, String)> {
    let (steps, key) = owner_steps(def, at)?;
    let mut node = def.get("dataSchema")?;
    for step in steps {
        node = if step == "*" {
            node.get("items")?
        } else {
            node.get("properties")?.get(&step)?
        };
    }
    Some((node, key))
}

/// The steps from the data schema's root to the object a field's property lives in (`*`:
/// a table's rows), and the property's name.
fn owner_steps(def: &Value, at: At) -> Option<(Vec<String>, String)> {
    let table_pointer = match at.column {
        Some(_) => Some(
            item(def, At { column: None, ..at })?["pointer"]
                .as_str()?
                .to_owned(),
        ),
        None => None,
    };
    let own = item(def, at)?["pointer"].as_str()?;
    let mut steps: Vec<String> = Vec::new();
    if let Some(t) = &table_pointer {
        steps.extend(t.split('/').skip(1).map(unescape));
        steps.push("*".into());
    }
    steps.extend(own.split('/').skip(1).map(unescape));
    let key = steps.pop()?;
    Some((steps, key))
}

fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// Whether `key` may name a field: a letter, then letters, digits or `_`.
pub fn valid_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && key.len() <= 64
}

/// The first `fieldN` not yet a property of `schema`.
fn fresh_key(schema: &Value) -> String {
    let props = schema.get("properties");
    (1..)
        .map(|n| format!("field{n}"))
        .find(|k| props.and_then(|p| p.get(k)).is_none())
        .unwrap_or_default()
}

fn ensure_object(schema: &mut Value) -> &mut Map<String, Value> {
    if !schema.is_object() {
        *schema = json!({"type": "object"});
    }
    let o = schema.as_object_mut().expect("made an object");
    if !o.get("properties").is_some_and(Value::is_object) {
        o.insert("properties".into(), json!({}));
    }
    o
}

/// Adds a new field of `widget` (a fresh key `fieldN` at the root of the data) at `index` of
/// a section; where it landed.
pub fn add_item(
    def: &mut Value,
    page: usize,
    section: usize,
    index: usize,
    widget: Widget,
) -> Result<At, EditError> {
    items_mut(def, page, section)?;
    let key = fresh_key(def.get("dataSchema").unwrap_or(&Value::Null));
    if let Some(schema) = widget_schema(widget) {
        let root = def
            .as_object_mut()
            .ok_or_else(no_place)?
            .entry("dataSchema")
            .or_insert_with(|| json!({"type": "object"}));
        ensure_object(root)["properties"][&key] = schema;
    }
    let items = items_mut(def, page, section)?;
    let index = index.min(items.len());
    items.insert(index, new_item(widget, &key));
    let at = At::item(page, section, index);
    // A table needs a column to be a table.
    if widget == Widget::Table {
        add_column(def, at, Widget::Text)?;
    }
    Ok(at)
}

/// Adds a column of `widget` to the table at `table`; where it landed.
pub fn add_column(def: &mut Value, table: At, widget: Widget) -> Result<At, EditError> {
    if widget == Widget::Table || widget == Widget::Static {
        return Err(EditError(Text::new(
            "Cột của bảng không thể là bảng hay đoạn văn bản.",
            "A table's column cannot be a table or static text.",
        )));
    }
    let row = {
        let t = item(def, table).ok_or_else(no_place)?;
        if t["widget"] != "table" {
            return Err(no_place());
        }
        // The row schema, found through the table's own pointer.
        let (owner, key) = owner_mut(def, table).ok_or_else(no_place)?;
        let tschema = ensure_object(owner)["properties"]
            .as_object_mut()
            .ok_or_else(no_place)?
            .entry(key)
            .or_insert_with(|| widget_schema(Widget::Table).unwrap_or_default());
        if !tschema.get("items").is_some_and(Value::is_object) {
            tschema["items"] = json!({"type": "object", "properties": {}});
        }
        let row = &mut tschema["items"];
        let key = fresh_key(row);
        ensure_object(row)["properties"][&key] = widget_schema(widget).unwrap_or_default();
        key
    };
    let t = item_mut(def, table)?;
    if !t.get("columns").is_some_and(Value::is_array) {
        t["columns"] = json!([]);
    }
    let columns = t["columns"].as_array_mut().ok_or_else(no_place)?;
    columns.push(new_item(widget, &row));
    Ok(At {
        column: Some(columns.len() - 1),
        ..table
    })
}

/// Removes the item (and its property, and its place in `required`); the removed item.
pub fn remove(def: &mut Value, at: At) -> Result<Value, EditError> {
    if let Some((owner, key)) = owner_mut(def, at) {
        if let Some(p) = owner.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove(&key);
        }
        if let Some(r) = owner.get_mut("required").and_then(Value::as_array_mut) {
            r.retain(|k| k != key.as_str());
        }
    }
    let list = match at.column {
        Some(_) => item_mut(def, At { column: None, ..at })?
            .get_mut("columns")
            .and_then(Value::as_array_mut)
            .ok_or_else(no_place)?,
        None => items_mut(def, at.page, at.section)?,
    };
    let index = at.column.unwrap_or(at.item);
    if index >= list.len() {
        return Err(no_place());
    }
    Ok(list.remove(index))
}

/// Moves an item one place up (`-1`) or down (`1`). Past the first or last item of its
/// section it moves into the previous or next section (across pages), so the keyboard reaches
/// every place; a column moves within its table. Where it landed.
pub fn step(def: &mut Value, at: At, by: i32) -> Result<At, EditError> {
    if let Some(c) = at.column {
        let table = At { column: None, ..at };
        let columns = item_mut(def, table)?
            .get_mut("columns")
            .and_then(Value::as_array_mut)
            .ok_or_else(no_place)?;
        let to = c as i64 + i64::from(by);
        if c >= columns.len() || to < 0 || to as usize >= columns.len() {
            return Err(edge());
        }
        columns.swap(c, to as usize);
        return Ok(At {
            column: Some(to as usize),
            ..table
        });
    }
    let len = items_mut(def, at.page, at.section)?.len();
    if at.item >= len {
        return Err(no_place());
    }
    let to = at.item as i64 + i64::from(by);
    if to >= 0 && (to as usize) < len {
        items_mut(def, at.page, at.section)?.swap(at.item, to as usize);
        return Ok(At::item(at.page, at.section, to as usize));
    }
    // Into the neighbouring section.
    let sections: Vec<(usize, usize)> = def["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .flat_map(|(p, page)| {
            (0..page["sections"].as_array().map_or(0, Vec::len)).map(move |s| (p, s))
        })
        .collect();
    let here = sections
        .iter()
        .position(|&(p, s)| p == at.page && s == at.section)
        .ok_or_else(no_place)?;
    let next = here as i64 + i64::from(by.signum());
    let Some(&(p, s)) = usize::try_from(next).ok().and_then(|n| sections.get(n)) else {
        return Err(edge());
    };
    let moved = items_mut(def, at.page, at.section)?.remove(at.item);
    let target = items_mut(def, p, s)?;
    let index = if by < 0 { target.len() } else { 0 };
    target.insert(index, moved);
    Ok(At::item(p, s, index))
}

/// Moves an item to just before place `to.item` of section `to.section` of page `to.page`
/// (places counted before the move; the section's length puts it last), or a column to just
/// before column `to.column` of its own table: drag and drop. Where it landed.
pub fn move_to(def: &mut Value, from: At, to: At) -> Result<At, EditError> {
    if let Some(c) = from.column {
        let table = At {
            column: None,
            ..from
        };
        let (Some(place), true) = (to.column, At { column: None, ..to } == table) else {
            return Err(EditError(Text::new(
                "Một cột chỉ chuyển được trong bảng của nó.",
                "A column can only move within its table.",
            )));
        };
        let columns = item_mut(def, table)?
            .get_mut("columns")
            .and_then(Value::as_array_mut)
            .ok_or_else(no_place)?;
        if c >= columns.len() || place > columns.len() {
            return Err(no_place());
        }
        let moved = columns.remove(c);
        let index = if c < place { place - 1 } else { place };
        columns.insert(index, moved);
        return Ok(At {
            column: Some(index),
            ..table
        });
    }
    if to.column.is_some() {
        return Err(EditError(Text::new(
            "Chỉ chuyển được một cột vào bảng, không chuyển được một trường vào đó.",
            "Only columns go into a table; a field cannot be moved into one.",
        )));
    }
    let from_len = items_mut(def, from.page, from.section)?.len();
    let to_len = items_mut(def, to.page, to.section)?.len();
    if from.item >= from_len || to.item > to_len {
        return Err(no_place());
    }
    let same = (from.page, from.section) == (to.page, to.section);
    let moved = items_mut(def, from.page, from.section)?.remove(from.item);
    let index = if same && from.item < to.item {
        to.item - 1
    } else {
        to.item
    };
    items_mut(def, to.page, to.section)?.insert(index, moved);
    Ok(At::item(to.page, to.section, index))
}

fn edge() -> EditError {
    EditError(Text::new(
        "Không thể chuyển tiếp theo hướng này.",
        "It cannot move further this way.",
    ))
}

/// Renames the field's data key (its property and place in `required` follow).
pub fn rename_key(def: &mut Value, at: At, new_key: &str) -> Result<(), EditError> {
    if !valid_key(new_key) {
        return Err(EditError(Text::new(
            "Mã dữ liệu bắt đầu bằng chữ cái, chỉ gồm chữ cái không dấu, chữ số và dấu gạch dưới (tối đa 64).",
            "A data key starts with a letter and has only letters, digits and underscores (at most 64).",
        )));
    }
    let (owner, key) = owner_mut(def, at).ok_or_else(no_place)?;
    if key == new_key {
        return Ok(());
    }
    let props = ensure_object(owner)["properties"]
        .as_object_mut()
        .ok_or_else(no_place)?;
    if props.contains_key(new_key) {
        return Err(EditError(Text::new(
            format!("Mã dữ liệu \"{new_key}\" đã được dùng."),
            format!("The data key \"{new_key}\" is already used."),
        )));
    }
    let schema = props.remove(&key).unwrap_or(json!({"type": "string"}));
    props.insert(new_key.to_owned(), schema);
    if let Some(r) = owner.get_mut("required").and_then(Value::as_array_mut) {
        for k in r.iter_mut() {
            if k == key.as_str() {
                *k = json!(new_key);
            }
        }
    }
    let it = item_mut(def, at)?;
    let pointer = it["pointer"].as_str().unwrap_or_default().to_owned();
    let parent = pointer.rsplit_once('/').map_or("", |(p, _)| p);
    it["pointer"] = json!(format!(
        "{parent}/{}",
        new_key.replace('~', "~0").replace('/', "~1")
    ));
    Ok(())
}

/// The data schema of an address of `mode`, every part required.
pub fn address_schema(mode: AddressMode) -> Value {
    match mode {
        AddressMode::Vietnam => {
            json!({"type": "object", "additionalProperties": false, "required": ["province", "commune", "street"], "properties": {
                "province": {"type": "string", "pattern": "^[0-9]{2}$"},
                "commune": {"type": "string", "pattern": "^[0-9]{5}$"},
                "street": {"type": "string", "minLength": 1, "maxLength": 200},
            }})
        }
        AddressMode::Province => {
            json!({"type": "object", "additionalProperties": false, "required": ["province"], "properties": {
                "province": {"type": "string", "pattern": "^[0-9]{2}$"},
            }})
        }
        AddressMode::Foreign => {
            json!({"type": "object", "additionalProperties": false, "required": ["country", "text"], "properties": {
                "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
                "text": {"type": "string", "minLength": 1, "maxLength": 500},
            }})
        }
    }
}

/// The mode of an `address` item (`vietnam` when it names none).
pub fn address_mode(def: &Value, at: At) -> AddressMode {
    item(def, at)
        .and_then(|i| serde_json::from_value(i["mode"].clone()).ok())
        .unwrap_or_default()
}

/// Changes what an `address` item asks for: its `mode` and, to match, its data schema (the
/// parts of the new mode, every one required).
pub fn set_address_mode(def: &mut Value, at: At, mode: AddressMode) -> Result<(), EditError> {
    let widget = item(def, at)
        .and_then(|i| serde_json::from_value::<Widget>(i["widget"].clone()).ok())
        .ok_or_else(no_place)?;
    if widget != Widget::Address {
        return Err(no_place());
    }
    *field_schema_mut(def, at, widget)? = address_schema(mode);
    let it = item_mut(def, at)?.as_object_mut().ok_or_else(no_place)?;
    if mode.is_default() {
        it.remove("mode");
    } else {
        it.insert("mode".into(), json!(mode.name()));
    }
    Ok(())
}

/// Whether the field is required (listed in its owner's `required`).
pub fn is_required(def: &Value, at: At) -> bool {
    owner(def, at).is_some_and(|(owner, key)| {
        owner["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|k| k == key.as_str()))
    })
}

/// Makes the field required or optional.
pub fn set_required(def: &mut Value, at: At, required: bool) -> Result<(), EditError> {
    let (owner, key) = owner_mut(def, at).ok_or_else(no_place)?;
    let o = ensure_object(owner);
    if !o.get("required").is_some_and(Value::is_array) {
        o.insert("required".into(), json!([]));
    }
    let list = o["required"].as_array_mut().ok_or_else(no_place)?;
    list.retain(|k| k != key.as_str());
    if required {
        list.push(json!(key));
    }
    Ok(())
}

/// Every page and section id in use.
fn ids(def: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for p in def["pages"].as_array().into_iter().flatten() {
        out.extend(p["id"].as_str().map(str::to_owned));
        for s in p["sections"].as_array().into_iter().flatten() {
            out.extend(s["id"].as_str().map(str::to_owned));
        }
    }
    out
}

/// The first `<prefix>-N` id not in use.
fn fresh_id(def: &Value, prefix: &str) -> String {
    let used = ids(def);
    (1..)
        .map(|n| format!("{prefix}-{n}"))
        .find(|id| !used.contains(id))
        .unwrap_or_default()
}

/// Adds a section at `index` of a page; its index. (A section needs a field before the form
/// passes the check.)
pub fn add_section(def: &mut Value, page: usize, index: usize) -> Result<usize, EditError> {
    let id = fresh_id(def, "section");
    let sections = def
        .pointer_mut(&format!("/pages/{page}/sections"))
        .and_then(Value::as_array_mut)
        .ok_or_else(no_place)?;
    let index = index.min(sections.len());
    sections.insert(
        index,
        json!({"id": id, "title": {"vi": "Mục mới", "en": "New section"}, "items": []}),
    );
    Ok(index)
}

/// Adds a page (with one section) at `index`; its index.
pub fn add_page(def: &mut Value, index: usize) -> Result<usize, EditError> {
    let id = fresh_id(def, "page");
    let section = fresh_id(def, "section");
    let pages = def
        .get_mut("pages")
        .and_then(Value::as_array_mut)
        .ok_or_else(no_place)?;
    let index = index.min(pages.len());
    pages.insert(
        index,
        json!({"id": id, "title": {"vi": "Trang mới", "en": "New page"}, "sections": [
            {"id": section, "title": {"vi": "Mục mới", "en": "New section"}, "items": []}
        ]}),
    );
    Ok(index)
}

/// Whether `v` is a vi/en text with one language given and the other empty.
pub fn translation_missing(v: &Value) -> bool {
    let Value::Object(o) = v else { return false };
    let is_text = o.len() == 2 && o.contains_key("vi") && o.contains_key("en");
    let empty = |k: &str| o[k].as_str().is_none_or(|s| s.trim().is_empty());
    is_text && empty("vi") != empty("en")
}

/// Every text of the definition with one language missing (empty): JSON pointers.
pub fn missing_translations(def: &Value) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if o.len() == 2 && o.contains_key("vi") && o.contains_key("en") {
                    if translation_missing(v) {
                        out.push(at.to_owned());
                    }
                    return;
                }
                for (k, v) in o {
                    if k == "dataSchema" {
                        continue;
                    }
                    walk(
                        v,
                        &format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                        out,
                    );
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    walk(v, &format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(def, "", &mut out);
    out
}

/// The field's property schema (made from the widget's default when missing).
fn field_schema_mut(def: &mut Value, at: At, widget: Widget) -> Result<&mut Value, EditError> {
    let (owner, key) = owner_mut(def, at).ok_or_else(no_place)?;
    Ok(ensure_object(owner)["properties"]
        .as_object_mut()
        .ok_or_else(no_place)?
        .entry(key)
        .or_insert_with(|| widget_schema(widget).unwrap_or_default()))
}

/// A choice of a drop-down, single or multiple choice: its stored value and its texts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

/// Sets the choices of a choice field; the data schema's `enum` (of the items, for multiple
/// choice) follows. Values must be unique and non-empty.
pub fn set_options(def: &mut Value, at: At, options: &[Choice]) -> Result<(), EditError> {
    let mut seen = std::collections::BTreeSet::new();
    for o in options {
        if o.value.trim().is_empty() || !seen.insert(o.value.as_str()) {
            return Err(EditError(Text::new(
                "Mỗi lựa chọn cần một giá trị riêng, không để trống.",
                "Each choice needs its own value, not empty.",
            )));
        }
    }
    let widget = item(def, at)
        .and_then(|i| serde_json::from_value::<Widget>(i["widget"].clone()).ok())
        .ok_or_else(no_place)?;
    if !matches!(widget, Widget::Select | Widget::Radio | Widget::MultiSelect) {
        return Err(no_place());
    }
    let values: Vec<Value> = options.iter().map(|o| json!(o.value)).collect();
    let schema = field_schema_mut(def, at, widget)?;
    let target = if widget == Widget::MultiSelect {
        &mut schema["items"]
    } else {
        schema
    };
    target["enum"] = Value::Array(values);
    item_mut(def, at)?["options"] = serde_json::to_value(options).unwrap_or_default();
    Ok(())
}

/// The schema keywords an official sets per field: lengths and pattern of text, range of
/// numbers, how many rows a table or choices a multiple choice takes.
pub const KEYWORDS: [&str; 7] = [
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
];

/// Sets (or with `None` removes) one of `KEYWORDS` on the field's data schema.
pub fn set_keyword(
    def: &mut Value,
    at: At,
    keyword: &str,
    value: Option<Value>,
) -> Result<(), EditError> {
    if !KEYWORDS.contains(&keyword) {
        return Err(no_place());
    }
    let widget = item(def, at)
        .and_then(|i| serde_json::from_value::<Widget>(i["widget"].clone()).ok())
        .ok_or_else(no_place)?;
    let schema = field_schema_mut(def, at, widget)?;
    let Some(o) = schema.as_object_mut() else {
        return Err(no_place());
    };
    match value {
        Some(v) => {
            o.insert(keyword.to_owned(), v);
        }
        None => {
            o.remove(keyword);
        }
    }
    Ok(())
}

/// The value of a schema keyword of the field (for the properties panel).
pub fn keyword(def: &Value, at: At, keyword: &str) -> Option<Value> {
    let (owner, key) = owner(def, at)?;
    owner["properties"][&key].get(keyword).cloned()
}
