//! A form posted without JavaScript, read back into data: every input is named by its data
//! pointer (see [`crate::form`]), and each is read as the runtime reads what is typed
//! ([`crate::input::to_value`]). A table's rows are those drawn (`ef-rows:` fields); the buttons
//! that add, remove or move a row (`ef-action`) act on the data read.

use crate::input::to_value;
use crate::{ACTION, GO, ROWS};
use form_core::pointer::{self, instances};
use form_core::{Form, Widget};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The most rows a table is read with from a post, whatever it claims (the schema's own
/// `maxItems` then judges the rows read; the real forms take at most 30).
pub const MAX_ROWS: usize = 200;

/// What a posted form asks for.
#[derive(Debug, PartialEq)]
pub struct Post {
    /// The data: `base` with every field that was drawn read from the post.
    pub data: Value,
    /// The page asked for (Back, Continue), if any; `None` for the last page's submit.
    pub go: Option<usize>,
    /// A table's row button was pressed (the row was added, removed or moved in `data`): the
    /// page is drawn again, with no errors shown.
    pub row_action: bool,
}

/// Reads `pairs` (the form's fields in order, as `application/x-www-form-urlencoded` gives them)
/// into `base` (what the portal knew before: files attached, computed values are left). Fields
/// drawn on the page but absent from the post are emptied: an unticked box, an unchosen radio.
pub fn data_from_post(form: &Form, base: &Value, pairs: &[(String, String)]) -> Post {
    let mut posted: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in pairs {
        posted.entry(k.as_str()).or_default().push(v.as_str());
    }
    let mut data = match base {
        Value::Object(_) => base.clone(),
        _ => Value::Object(Map::new()),
    };
    // Tables first (the number of rows drawn), outermost first.
    let mut tables: Vec<&form_core::Field> = form
        .fields()
        .iter()
        .filter(|f| f.widget == Widget::Table)
        .collect();
    tables.sort_by_key(|f| f.pointer.matches('*').count());
    for table in tables {
        for ptr in instances(&table.pointer, &data) {
            let Some(n) = posted
                .get(format!("{ROWS}{ptr}").as_str())
                .and_then(|v| v.first())
                .and_then(|v| v.parse::<usize>().ok())
            else {
                continue;
            };
            // A post says how many rows were drawn; no page draws more than this.
            let n = n.min(MAX_ROWS);
            let mut rows = pointer::get(&data, &ptr)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            rows.truncate(n);
            while rows.len() < n {
                rows.push(Value::Object(Map::new()));
            }
            pointer::set(&mut data, &ptr, Value::Array(rows));
        }
    }
    for field in form.fields() {
        let computed = form
            .item_for(&field.pointer)
            .is_some_and(|i| i.compute.is_some());
        if computed || matches!(field.widget, Widget::Table | Widget::File | Widget::Static) {
            continue;
        }
        for ptr in instances(&field.pointer, &data) {
            let value = match field.widget {
                Widget::Address => {
                    let mut parts = Map::new();
                    let mut drawn = false;
                    for part in ["province", "commune", "street", "country", "text"] {
                        let name = format!("{ptr}/{part}");
                        if let Some(v) = posted.get(name.as_str()) {
                            drawn = true;
                            let text = if part == "text" {
                                to_value(Widget::Textarea, v[0])
                            } else {
                                to_value(Widget::Text, v[0])
                            };
                            if let Some(t) = text {
                                parts.insert(part.to_owned(), t);
                            }
                        }
                    }
                    if !drawn {
                        continue;
                    }
                    (!parts.is_empty()).then_some(Value::Object(parts))
                }
                Widget::MultiSelect => {
                    let values: Vec<Value> = posted
                        .get(ptr.as_str())
                        .into_iter()
                        .flatten()
                        .filter(|v| !v.is_empty())
                        .map(|v| Value::String((*v).to_owned()))
                        .collect();
                    (!values.is_empty()).then_some(Value::Array(values))
                }
                Widget::Checkbox => posted
                    .get(ptr.as_str())
                    .is_some_and(|v| v.contains(&"true"))
                    .then_some(Value::Bool(true)),
                widget => posted
                    .get(ptr.as_str())
                    .and_then(|v| v.first())
                    .and_then(|v| to_value(widget, v)),
            };
            match value {
                Some(v) => {
                    pointer::set(&mut data, &ptr, v);
                }
                None => {
                    pointer::remove(&mut data, &ptr);
                }
            }
        }
    }
    let go = posted
        .get(GO)
        .and_then(|v| v.first())
        .and_then(|v| v.parse().ok());
    let action = posted.get(ACTION).and_then(|v| v.first()).copied();
    let row_action = action.is_some_and(|a| apply_row_action(form, &mut data, a));
    Post {
        data,
        go,
        row_action,
    }
}

/// Applies `add:/t`, `remove:/t/i`, `up:/t/i`, `down:/t/i` to a table of the form; whether it
/// was one.
fn apply_row_action(form: &Form, data: &mut Value, action: &str) -> bool {
    let Some((verb, ptr)) = action.split_once(':') else {
        return false;
    };
    let is_table = |p: &str| form.field_for(p).is_some_and(|f| f.widget == Widget::Table);
    if verb == "add" {
        if !is_table(ptr) {
            return false;
        }
        let mut rows = pointer::get(data, ptr)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if rows.len() >= MAX_ROWS {
            return false;
        }
        rows.push(Value::Object(Map::new()));
        pointer::set(data, ptr, Value::Array(rows));
        return true;
    }
    let Some((table, index)) = ptr.rsplit_once('/').filter(|(t, _)| is_table(t)) else {
        return false;
    };
    let Ok(i) = index.parse::<usize>() else {
        return false;
    };
    let Some(rows) = pointer::get(data, table).and_then(Value::as_array).cloned() else {
        return false;
    };
    let mut rows = rows;
    match verb {
        "remove" if i < rows.len() => {
            rows.remove(i);
        }
        "up" if i > 0 && i < rows.len() => rows.swap(i - 1, i),
        "down" if i + 1 < rows.len() => rows.swap(i, i + 1),
        _ => return false,
    }
    pointer::set(data, table, Value::Array(rows));
    true
}
