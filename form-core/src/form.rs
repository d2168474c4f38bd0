//! A loaded form: the definition, its compiled data schema and an index of its fields.

use crate::definition::{Definition, Item, Widget};
use crate::diagnostic::Diagnostic;
use crate::messages;
use crate::pointer;
use crate::schema::{ErrorKind, Schema, SchemaError};
use crate::text::Text;
use serde_json::Value;

/// A checked definition, ready to validate data. Built by [`crate::load`].
#[derive(Debug)]
pub struct Form {
    definition: Definition,
    schema: Schema,
    fields: Vec<Field>,
}

/// A field of the form in reading order: where its data lives and what it is called.
#[derive(Clone, Debug)]
pub struct Field {
    /// Data pointer; for a table's column, `*` stands for the row index (`/members/*/fullName`).
    pub pointer: String,
    pub label: Text,
    pub widget: Widget,
    /// Whether the data schema lists the field as `required` in its object.
    pub required: bool,
    /// Index of the page the field is on.
    pub page: usize,
}

impl Form {
    pub(crate) fn new(definition: Definition, schema: Schema) -> Form {
        let mut form = Form {
            definition,
            schema,
            fields: Vec::new(),
        };
        let mut fields = Vec::new();
        for (pi, page) in form.definition.pages.iter().enumerate() {
            for item in page.sections.iter().flat_map(|s| &s.items) {
                form.index(item, "", pi, &mut fields);
            }
        }
        form.fields = fields;
        form
    }

    fn index(&self, item: &Item, prefix: &str, page: usize, out: &mut Vec<Field>) {
        let (Some(ptr), Some(label)) = (&item.pointer, &item.label) else {
            return;
        };
        let pointer = format!("{prefix}{ptr}");
        out.push(Field {
            required: self.is_required(&pointer),
            pointer: pointer.clone(),
            label: label.clone(),
            widget: item.widget,
            page,
        });
        for col in &item.columns {
            self.index(col, &format!("{pointer}/*"), page, out);
        }
    }

    fn is_required(&self, field: &str) -> bool {
        let Some((parent, name)) = field.rsplit_once('/') else {
            return false;
        };
        let parent = parent.replace("/*", "/0");
        let name = name.replace("~1", "/").replace("~0", "~");
        self.schema
            .resolve(&parent)
            .is_some_and(|v| v.required().contains(&name))
    }

    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The fields in reading order (table columns follow their table).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field that edits the data at `data_pointer` (row indices match `*`).
    pub fn field_for(&self, data_pointer: &str) -> Option<&Field> {
        let pattern = row_pattern(data_pointer);
        self.fields.iter().find(|f| f.pointer == pattern)
    }

    /// The item that edits the data at `data_pointer`.
    pub fn item_for(&self, data_pointer: &str) -> Option<&Item> {
        let pattern = row_pattern(data_pointer);
        fn find<'i>(items: &'i [Item], prefix: &str, pattern: &str) -> Option<&'i Item> {
            for item in items {
                let Some(ptr) = &item.pointer else { continue };
                let full = format!("{prefix}{ptr}");
                if full == pattern {
                    return Some(item);
                }
                if let Some(found) = find(&item.columns, &format!("{full}/*"), pattern) {
                    return Some(found);
                }
            }
            None
        }
        let items = self
            .definition
            .pages
            .iter()
            .flat_map(|p| &p.sections)
            .flat_map(|s| &s.items);
        items
            .into_iter()
            .find_map(|i| find(std::slice::from_ref(i), "", &pattern))
    }

    /// Validates `data`: every error, located by data pointer, in the form's reading order, with
    /// the item's own message where the definition gives one.
    pub fn validate(&self, data: &Value) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        for e in self.schema.validate(data) {
            self.expand_required(e, &mut errors);
        }
        errors.sort_by_key(|e| self.order_key(&e.instance));
        errors.into_iter().map(|e| self.diagnostic(e)).collect()
    }

    /// A missing required *group* (say `/applicant` when nothing was typed) is reported as its
    /// missing required fields, so that every error points at something the citizen can fill.
    /// The verdict is unchanged: the data is invalid either way.
    fn expand_required(&self, e: SchemaError, out: &mut Vec<SchemaError>) {
        let children = match (&e.kind, self.schema.resolve(&e.instance)) {
            (ErrorKind::Required, Some(view))
                if !view.required().is_empty() && view.allows(crate::schema::JsonType::Object) =>
            {
                view.required()
            }
            _ => {
                out.push(e);
                return;
            }
        };
        for name in children {
            self.expand_required(
                SchemaError {
                    instance: pointer::push(&e.instance, name),
                    kind: ErrorKind::Required,
                },
                out,
            );
        }
    }

    fn diagnostic(&self, e: SchemaError) -> Diagnostic {
        let keyword = e.kind.keyword();
        let custom = self
            .item_for(&e.instance)
            .and_then(|item| item.messages.get(keyword))
            .cloned();
        let message = custom.unwrap_or_else(|| match (&e.kind, self.field_for(&e.instance)) {
            // "Enter your full name" reads better than a bare "Enter this information".
            (ErrorKind::Required, Some(f)) if f.widget == Widget::Checkbox => {
                Text::new("Vui lòng chọn mục này.", "Select this box.")
            }
            (ErrorKind::Required, Some(f))
                if !matches!(f.widget, Widget::Select | Widget::Radio) =>
            {
                Text::new(
                    format!("Vui lòng nhập {}.", lower_first(&f.label.vi)),
                    format!("Enter {}.", lower_first(&f.label.en)),
                )
            }
            (ErrorKind::Required, Some(f))
                if matches!(f.widget, Widget::Select | Widget::Radio) =>
            {
                Text::new(
                    format!("Vui lòng chọn {}.", lower_first(&f.label.vi)),
                    format!("Select {}.", lower_first(&f.label.en)),
                )
            }
            _ => messages::for_error(&e.kind),
        });
        Diagnostic::error(e.instance, keyword, message)
    }

    /// Sort key: the field's position in reading order, then the row.
    fn order_key(&self, instance: &str) -> (usize, Vec<usize>) {
        let pattern = row_pattern(instance);
        let pos = self
            .fields
            .iter()
            .position(|f| f.pointer == pattern || pattern.starts_with(&format!("{}/", f.pointer)))
            .unwrap_or(usize::MAX);
        let rows = pointer::parse(instance)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.parse().ok())
            .collect();
        (pos, rows)
    }

    /// Removes empty strings, empty objects and `null`s left by cleared inputs, so that a cleared
    /// required field reads as missing. Rows of tables are kept (their indices are meaningful).
    pub fn normalise(data: &mut Value) {
        if let Value::Object(m) = data {
            m.retain(|_, v| {
                Form::normalise(v);
                !matches!(v, Value::Null) && !matches!(v, Value::String(s) if s.is_empty())
            });
        } else if let Value::Array(a) = data {
            for v in a {
                if !v.is_object() {
                    continue;
                }
                Form::normalise(v);
            }
        }
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

fn lower_first(s: &str) -> String {
    // Labels are written like titles ("Họ, chữ đệm và tên"); inside a sentence they read lower.
    // Acronyms ("ID", "CCCD") keep their case.
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => a
            .to_lowercase()
            .chain(std::iter::once(b))
            .chain(chars)
            .collect(),
        _ => s.to_owned(),
    }
}
