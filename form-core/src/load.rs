//! Loading a definition: parse, check against the meta-schema, check the semantics, report
//! every problem with a JSON pointer into the definition.
//!
//! Long on purpose: every semantic check of a definition in one list, each with its pointer and
//! code; the meta-schema, the rules and the validator are apart.

use crate::definition::{AddressMode, Definition, Item, Widget};
use crate::diagnostic::Diagnostic;
use crate::form::Form;
#[cfg(feature = "meta-schema")]
use crate::messages;
use crate::pattern;
use crate::pointer;
use crate::rules;
use crate::schema::{JsonType, Schema, SchemaView};
use crate::text::Text;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
#[cfg(feature = "meta-schema")]
use std::sync::OnceLock;

/// The result of loading: the form when it has no error, and every diagnostic (errors and
/// warnings) either way.
#[derive(Debug)]
pub struct Loaded {
    pub form: Option<Form>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

#[cfg(feature = "meta-schema")]
fn meta_schema() -> &'static Schema {
    static META: OnceLock<Schema> = OnceLock::new();
    META.get_or_init(|| {
        // The meta-schema is part of the build and tested; should it ever be broken, validation
        // degrades to the semantic checks rather than panicking.
        let value =
            serde_json::from_str(crate::DEFINITION_META_SCHEMA).unwrap_or(Value::Bool(true));
        Schema::compile(&value).0
    })
}

/// Loads a definition from JSON text.
pub fn load(text: &str) -> Loaded {
    #[cfg(not(feature = "meta-schema"))]
    return load_semantic(text);
    #[cfg(feature = "meta-schema")]
    match parse(text) {
        Ok(value) => load_value(&value),
        Err(loaded) => *loaded,
    }
}

/// [`load`] without the meta-schema pass (see [`load_value_semantic`]). A definition that fits
/// the typed model is read straight into it, with no JSON tree beside it: the citizen runtime's
/// load, in less than half the time and 40 % of the peak memory of the load through the tree
/// (natively, on a form of 1,000 fields). One that does not fit is read as JSON, to report every
/// problem with its pointer.
pub fn load_semantic(text: &str) -> Loaded {
    // A model is also read from an array of its fields' values: only an object is a definition.
    if text.trim_start().starts_with('{')
        && let Ok(definition) = serde_json::from_str::<Definition>(text)
    {
        return load_checked(Input::Typed(Box::new(definition)), Vec::new());
    }
    match parse(text) {
        Ok(value) => load_value_semantic(&value),
        Err(loaded) => *loaded,
    }
}

/// The text as JSON; a load refused for its syntax otherwise.
fn parse(text: &str) -> Result<Value, Box<Loaded>> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        Box::new(Loaded {
            form: None,
            diagnostics: vec![Diagnostic::error(
                "",
                "json-syntax",
                Text::new(
                    format!(
                        "Tệp không phải JSON hợp lệ (dòng {}, cột {}): {}",
                        e.line(),
                        e.column(),
                        e
                    ),
                    format!(
                        "Not valid JSON (line {}, column {}): {}",
                        e.line(),
                        e.column(),
                        e
                    ),
                ),
            )],
        })
    })
}

/// Loads a definition from a parsed JSON value.
pub fn load_value(value: &Value) -> Loaded {
    load_checked(Input::Json(value), shape_problems(value))
}

/// [`load_value`] without the meta-schema pass: the typed model, the semantic checks and the
/// form — what the citizen runtime does. The builder's preview loads this way on each edit and
/// adds [`shape_check`] a moment later, so an edit shows in the preview within a frame; a
/// definition whose shape is wrong may then be previewed, but is never published (the portal
/// runs the full [`load_value`]).
pub fn load_value_semantic(value: &Value) -> Loaded {
    load_checked(Input::Json(value), Vec::new())
}

/// What the meta-schema finds wrong with the definition's shape (the part of [`load_value`]
/// that [`load_value_semantic`] leaves out), sorted like [`Loaded::diagnostics`].
#[cfg(feature = "meta-schema")]
pub fn shape_check(value: &Value) -> Vec<Diagnostic> {
    let mut diags = shape_problems(value);
    diags.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.severity.cmp(&b.severity)));
    diags.dedup();
    diags
}

/// A part of a definition read into its typed model. Without the meta-schema (the citizen
/// runtime) it is read from its text, as [`load_semantic`] reads a whole definition: the module
/// then holds one reader of the model, not two (15 KB gzip).
fn typed_from<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, serde_json::Error> {
    #[cfg(feature = "meta-schema")]
    return T::deserialize(value);
    #[cfg(not(feature = "meta-schema"))]
    serde_json::from_str(&value.to_string())
}

/// What a load reads: the JSON (its typed model read from it when it fits), or the typed model
/// read straight from the text.
enum Input<'v> {
    Json(&'v Value),
    Typed(Box<Definition>),
}

fn load_checked(input: Input<'_>, mut diags: Vec<Diagnostic>) -> Loaded {
    let (value, typed) = match input {
        // Read into the typed model once; items are checked from it (a definition that does not
        // fit the model has its items read one by one, to check what can be checked).
        Input::Json(value) => (Some(value), typed_from(value).ok()),
        Input::Typed(definition) => (None, Some(*definition)),
    };
    // The meta-schema's findings come first; what follows is the semantic load's own.
    let shape_found = diags.len();
    let mut checker = Checker {
        diags: &mut diags,
        bound: HashMap::new(),
        ids: HashSet::new(),
        bound_prefixes: HashSet::new(),
        compound: HashSet::new(),
        schema: None,
        computed: Vec::new(),
        conditional: Vec::new(),
        prefill_when: Vec::new(),
        prefilled: Vec::new(),
        patterns: pattern::Budget::default(),
    };
    let data_schema = match value {
        Some(value) => value.get("dataSchema"),
        None => typed.as_ref().map(|d| &d.data_schema),
    };
    // Whether the root is an object, and whether it has a data schema (for the error when there
    // is no form).
    let shape = (value.is_none_or(Value::is_object), data_schema.is_some());
    let schema = data_schema.filter(|s| s.is_object()).map(|s| {
        let (schema, compile_diags) = Schema::compile_within(s, &mut checker.patterns);
        for mut d in compile_diags {
            d.pointer = format!("/dataSchema{}", d.pointer);
            checker.diags.push(d);
        }
        schema
    });
    checker.schema = schema.as_ref();
    checker.pages(value, schema.as_ref(), typed.as_ref());
    checker.co_signers(typed.as_ref());
    checker.id_checks(typed.as_ref());
    checker.migrations(typed.as_ref());
    checker.computed_order();
    checker.prefill_when_reads_no_binding();
    checker.conditional_not_required();
    // With no usable pages every required member would be reported unbound: noise on top of
    // the structural error already reported.
    let pages_usable = match value {
        Some(value) => value
            .get("pages")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty()),
        None => typed.as_ref().is_some_and(|d| !d.pages.is_empty()),
    };
    if let Some(schema) = schema.as_ref().filter(|_| pages_usable) {
        checker.required_are_bound(schema.resolve(""), "");
    }

    let has_errors = diags.iter().any(Diagnostic::is_error);
    // The form the semantic checks allow is built, and warns of default messages that read
    // badly, even when the shape has errors: the builder's split load and the full load then
    // report the same; only a form without any error is handed out.
    let semantic_errors = diags[shape_found..].iter().any(Diagnostic::is_error);
    let form = match (semantic_errors, schema) {
        (false, Some(schema)) => {
            match typed.map_or_else(|| typed_from(value.unwrap_or(&Value::Null)), Ok) {
                Ok(definition) => {
                    let form = Form::new(definition, schema);
                    // A designer's tool, as the meta-schema is: the citizen runtime leaves it out.
                    #[cfg(feature = "meta-schema")]
                    diags.extend(form.message_warnings());
                    (!has_errors).then_some(form)
                }
                // The meta-schema has said what is wrong with the shape, if it ran.
                Err(_) if has_errors => None,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        "",
                        "definition-shape",
                        Text::new(
                            format!("Định nghĩa không đọc được: {e}"),
                            format!("The definition cannot be read: {e}"),
                        ),
                    ));
                    None
                }
            }
        }
        // Without a data schema there is no form. The meta-schema says so when it runs; the
        // citizen runtime, without it, says so here, in the meta-schema's words (the full load
        // then reports it once).
        (false, None) => {
            let group = || {
                crate::messages::for_error(&crate::schema::ErrorKind::Type(vec![JsonType::Object]))
            };
            let (pointer, code, message) = match shape {
                (false, _) => ("", "definition-type", group()),
                (true, false) => (
                    "/dataSchema",
                    "definition-required",
                    missing_property("dataSchema"),
                ),
                (true, true) => ("/dataSchema", "definition-type", group()),
            };
            diags.push(Diagnostic::error(pointer, code, message));
            None
        }
        _ => None,
    };
    diags.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.severity.cmp(&b.severity)));
    diags.dedup();
    Loaded {
        form,
        diagnostics: diags,
    }
}

/// The meta-schema's words for a property a definition lacks.
fn missing_property(name: &str) -> Text {
    Text::new(
        format!("Thiếu thuộc tính bắt buộc \"{name}\"."),
        format!("Missing required property \"{name}\"."),
    )
}

/// What the meta-schema finds wrong with the definition's shape.
#[cfg(feature = "meta-schema")]
fn shape_problems(value: &Value) -> Vec<Diagnostic> {
    meta_schema()
        .validate(value)
        .into_iter()
        .map(|e| {
            let mut message = messages::for_error(&e.kind);
            if let crate::schema::ErrorKind::AdditionalProperty(name) = &e.kind {
                message = Text::new(
                    format!("Thuộc tính không được biết: \"{name}\"."),
                    format!("Unknown property \"{name}\"."),
                );
            }
            // Definitions are read by designers: every choice is listed, however many.
            if let crate::schema::ErrorKind::Enum(values) = &e.kind {
                let list = values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", ");
                message = Text::new(
                    format!("Chọn một trong các giá trị: {list}."),
                    format!("Choose one of: {list}."),
                );
            }
            if e.kind == crate::schema::ErrorKind::Required {
                let name = e.instance.rsplit('/').next().unwrap_or("");
                message = missing_property(name);
            }
            let code = if e.instance.ends_with("/widget")
                && matches!(e.kind, crate::schema::ErrorKind::Enum(_))
            {
                "unknown-widget".to_owned()
            } else {
                format!("definition-{}", e.kind.keyword())
            };
            Diagnostic {
                severity: crate::Severity::Error,
                pointer: e.instance,
                code,
                message,
            }
        })
        .collect()
}

/// Without the meta-schema (the citizen runtime, which draws definitions the portal has checked),
/// the shape is checked by reading the typed model and by the semantic checks alone.
#[cfg(not(feature = "meta-schema"))]
fn shape_problems(_: &Value) -> Vec<Diagnostic> {
    Vec::new()
}

struct Checker<'d, 's> {
    diags: &'d mut Vec<Diagnostic>,
    schema: Option<&'s Schema>,
    /// Computed fields: (data pointer, definition pointer, data pointers read).
    computed: Vec<(String, String, Vec<String>)>,
    /// Fields shown or required only under a condition: (data pointer, definition pointer).
    conditional: Vec<(String, String)>,
    /// Prefill `when` rules: (definition pointer, data pointers read).
    prefill_when: Vec<(String, Vec<String>)>,
    /// Data pointers of fields with a prefill binding.
    prefilled: Vec<String>,
    /// Data pointer → definition pointer of the item that binds it.
    bound: HashMap<String, String>,
    /// Page and section ids seen.
    ids: HashSet<String>,
    /// Every bound pointer and its ancestors.
    bound_prefixes: HashSet<String>,
    /// Data pointers of `address` and `file` items: their parts are bound with them.
    compound: HashSet<String>,
    /// The definition's patterns so far (data schema, then rules): see [`pattern`].
    patterns: pattern::Budget,
}

impl Checker<'_, '_> {
    fn error(&mut self, at: String, code: &str, vi: String, en: String) {
        self.diags
            .push(Diagnostic::error(at, code, Text::new(vi, en)));
    }

    /// The pages, sections and items: from the typed model when the definition fits it (each
    /// item is then read once), from the JSON otherwise (items that do not fit are read one by
    /// one, to check what can be checked; the meta-schema has said what is wrong with them).
    fn pages<'v>(
        &mut self,
        value: Option<&'v Value>,
        schema: Option<&Schema>,
        typed: Option<&Definition>,
    ) {
        if let (None, Some(d)) = (value, typed) {
            for (pi, page) in d.pages.iter().enumerate() {
                let page_at = format!("/pages/{pi}");
                self.unique_id(Some(&page.id), &page_at);
                for (si, section) in page.sections.iter().enumerate() {
                    let section_at = format!("{page_at}/sections/{si}");
                    let conditional = self.section(
                        Some(&section.id),
                        section.visible_if.as_deref(),
                        &section_at,
                    );
                    for (ii, item) in section.items.iter().enumerate() {
                        let at = format!("{section_at}/items/{ii}");
                        self.section_item(item, &at, conditional, schema);
                    }
                }
            }
            return;
        }
        let Some(pages) = value.and_then(|v| v.get("pages")).and_then(Value::as_array) else {
            return;
        };
        let str_of = |node: &'v Value, key: &str| node.get(key).and_then(Value::as_str);
        for (pi, page) in pages.iter().enumerate() {
            let page_at = format!("/pages/{pi}");
            self.unique_id(str_of(page, "id"), &page_at);
            let Some(sections) = page.get("sections").and_then(Value::as_array) else {
                continue;
            };
            for (si, section) in sections.iter().enumerate() {
                let section_at = format!("{page_at}/sections/{si}");
                let conditional = self.section(
                    str_of(section, "id"),
                    str_of(section, "visibleIf"),
                    &section_at,
                );
                let Some(items) = section.get("items").and_then(Value::as_array) else {
                    continue;
                };
                for (ii, item) in items.iter().enumerate() {
                    let at = format!("{section_at}/items/{ii}");
                    let known = typed
                        .and_then(|d| d.pages.get(pi))
                        .and_then(|p| p.sections.get(si))
                        .and_then(|s| s.items.get(ii));
                    match known {
                        Some(item) => self.section_item(item, &at, conditional, schema),
                        None => match typed_from::<Item>(item) {
                            Ok(item) => self.section_item(&item, &at, conditional, schema),
                            Err(_) => self.bind_raw(item, &at, ""),
                        },
                    }
                }
            }
        }
    }

    /// A section's id and condition; whether its items are shown only under a condition.
    fn section(&mut self, id: Option<&str>, visible_if: Option<&str>, at: &str) -> bool {
        self.unique_id(id, at);
        let Some(src) = visible_if else {
            return false;
        };
        self.rule(
            src,
            &format!("{at}/visibleIf"),
            None,
            &crate::expr::Type::Bool,
        );
        true
    }

    /// One item of a section, at the root of the data.
    fn section_item(&mut self, item: &Item, at: &str, conditional: bool, schema: Option<&Schema>) {
        let root = schema.and_then(|s| s.resolve(""));
        if conditional && let Some(p) = &item.pointer {
            self.conditional.push((p.clone(), at.to_owned()));
        }
        self.item(item, at, root, "");
    }

    /// Records the pointers of an item that does not fit the model (already reported), so that
    /// its data does not also read as unbound.
    fn bind_raw(&mut self, item: &Value, at: &str, prefix: &str) {
        let Some(ptr) = item.get("pointer").and_then(Value::as_str) else {
            return;
        };
        let full = format!("{prefix}{ptr}");
        self.add_prefixes(&full);
        self.bound
            .entry(full.clone())
            .or_insert_with(|| at.to_owned());
        for (ci, col) in item
            .get("columns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.bind_raw(col, &format!("{at}/columns/{ci}"), &format!("{full}/*"));
        }
    }

    fn add_prefixes(&mut self, bound: &str) {
        let mut p = bound;
        while !p.is_empty() && self.bound_prefixes.insert(p.to_owned()) {
            p = p.rsplit_once('/').map_or("", |(head, _)| head);
        }
    }

    fn unique_id(&mut self, id: Option<&str>, at: &str) {
        if let Some(id) = id
            && !self.ids.insert(id.to_owned())
        {
            self.error(
                format!("{at}/id"),
                "duplicate-id",
                format!("Mã \"{id}\" đã được dùng cho một trang hoặc mục khác."),
                format!("The id \"{id}\" is already used by another page or section."),
            );
        }
    }

    /// Checks one item. `base` is the schema the item's pointer is relative to (the root, or a
    /// table's row); `data_prefix` the data pointer of that base (for messages and binding).
    fn item(&mut self, item: &Item, at: &str, base: Option<SchemaView<'_>>, data_prefix: &str) {
        if !item.widget.is_field() {
            if item.text.is_none() {
                self.error(
                    at.to_owned(),
                    "static-text-missing",
                    "Mục văn bản tĩnh cần thuộc tính \"text\".".into(),
                    "A static item needs a \"text\".".into(),
                );
            }
            return;
        }
        if item.label.is_none() {
            self.error(
                at.to_owned(),
                "label-missing",
                "Trường nhập liệu cần nhãn (\"label\") bằng tiếng Việt và tiếng Anh.".into(),
                "A field needs a \"label\" in Vietnamese and English.".into(),
            );
        }
        let Some(ptr) = &item.pointer else {
            self.error(
                at.to_owned(),
                "pointer-missing",
                "Trường nhập liệu cần \"pointer\" chỉ tới dữ liệu.".into(),
                "A field needs a \"pointer\" to its data.".into(),
            );
            return;
        };
        let full = format!("{data_prefix}{ptr}");
        self.add_prefixes(&full);
        if let Some(other) = self.bound.insert(full.clone(), at.to_owned()) {
            self.error(
                format!("{at}/pointer"),
                "pointer-duplicate",
                format!("Dữ liệu \"{full}\" đã gắn với mục {other}."),
                format!("The data \"{full}\" is already bound to the item at {other}."),
            );
        }
        let Some(base) = base else { return };
        let Some(target) = resolve_from(base, ptr) else {
            self.error(
                format!("{at}/pointer"),
                "pointer-unresolved",
                format!("\"{full}\" không có trong lược đồ dữ liệu (dataSchema)."),
                format!("\"{full}\" is not described by the data schema (dataSchema)."),
            );
            return;
        };
        self.widget_fits(item, at, target, &full);
        self.item_rules(item, at, target, &full, data_prefix);
        if item.widget == Widget::Table {
            if item.columns.is_empty() {
                self.error(
                    at.to_owned(),
                    "table-columns-missing",
                    "Bảng cần ít nhất một cột (\"columns\").".into(),
                    "A table needs at least one column (\"columns\").".into(),
                );
            }
            let row = target.items();
            if row.is_none() {
                self.error(
                    format!("{at}/pointer"),
                    "table-items-missing",
                    format!("Lược đồ của \"{full}\" cần \"items\" mô tả một dòng."),
                    format!("The schema of \"{full}\" needs \"items\" describing a row."),
                );
            }
            for (ci, col) in item.columns.iter().enumerate() {
                let col_at = format!("{at}/columns/{ci}");
                if col.widget == Widget::Table {
                    self.error(
                        format!("{col_at}/widget"),
                        "table-nested",
                        "Không đặt bảng trong bảng.".into(),
                        "A table cannot contain a table.".into(),
                    );
                    continue;
                }
                self.item(col, &col_at, row, &format!("{full}/*"));
            }
            if let Some(row) = row {
                self.required_are_bound(Some(row), &format!("{full}/*"));
            }
        }
    }

    fn widget_fits(&mut self, item: &Item, at: &str, target: SchemaView<'_>, full: &str) {
        if matches!(item.widget, Widget::Address | Widget::File) {
            self.compound_fits(item, at, target, full);
            return;
        }
        if !item.mode.is_default() {
            self.diags.push(Diagnostic::warning(
                format!("{at}/mode"),
                "mode-unused",
                Text::new(
                    "Chỉ mục địa chỉ (\"address\") dùng \"mode\".",
                    "Only an \"address\" item uses \"mode\".",
                ),
            ));
        }
        if !item.accept.is_empty() || item.max_size.is_some() {
            self.diags.push(Diagnostic::warning(
                at.to_owned(),
                "file-limits-unused",
                Text::new(
                    "Chỉ mục tệp đính kèm (\"file\") dùng \"accept\" và \"maxSize\".",
                    "Only a \"file\" item uses \"accept\" and \"maxSize\".",
                ),
            ));
        }
        let (needed, name_vi, name_en) = match item.widget {
            Widget::Number => (JsonType::Number, "số", "a number"),
            Widget::Year => (JsonType::Integer, "số nguyên", "an integer"),
            Widget::Checkbox => (JsonType::Boolean, "đúng/sai (boolean)", "a boolean"),
            Widget::Table | Widget::MultiSelect => {
                (JsonType::Array, "danh sách (array)", "an array")
            }
            _ => (JsonType::String, "văn bản (string)", "a string"),
        };
        let fits = target.allows(needed)
            || (needed == JsonType::Number && target.allows(JsonType::Integer));
        // A year is a whole number: a schema that also allows fractions would take 2020.5.
        let fits = fits && (item.widget != Widget::Year || !target.allows(JsonType::Number));
        if !fits {
            self.error(format!("{at}/widget"), "widget-type", format!("Kiểu điều khiển này cần dữ liệu kiểu {name_vi}, nhưng lược đồ của \"{full}\" không cho phép."), format!("This widget edits {name_en}, but the schema of \"{full}\" does not allow one."));
        }
        let wants = match item.widget {
            Widget::Date => Some(crate::format::Format::Date),
            Widget::Month => Some(crate::format::Format::YearMonth),
            Widget::Email => Some(crate::format::Format::Email),
            _ => None,
        };
        if let Some(f) = wants.filter(|f| target.format() != Some(*f)) {
            self.error(
                format!("{at}/widget"),
                "widget-format",
                format!(
                    "Lược đồ của \"{full}\" cần \"format\": \"{}\" cho kiểu điều khiển này.",
                    f.name()
                ),
                format!(
                    "The schema of \"{full}\" needs \"format\": \"{}\" for this widget.",
                    f.name()
                ),
            );
        }
        if matches!(
            item.widget,
            Widget::Select | Widget::Radio | Widget::MultiSelect
        ) {
            // A multi-select's values are the enum of the array's items.
            let target = if item.widget == Widget::MultiSelect {
                target.items().unwrap_or(target)
            } else {
                target
            };
            if item.options.is_empty() {
                self.error(
                    at.to_owned(),
                    "options-missing",
                    "Danh sách chọn cần \"options\".".into(),
                    "A choice widget needs \"options\".".into(),
                );
            }
            match target.enumeration() {
                Some(allowed) => {
                    let allowed: HashSet<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    let values: HashSet<&str> =
                        item.options.iter().map(|o| o.value.as_str()).collect();
                    let same = allowed == values
                        && target
                            .enumeration()
                            .is_some_and(|a| a.len() == item.options.len());
                    if !same {
                        self.error(format!("{at}/options"), "options-enum-mismatch", format!("Các giá trị của \"options\" phải trùng với \"enum\" trong lược đồ của \"{full}\"."), format!("The \"options\" values must equal the \"enum\" of the schema of \"{full}\"."));
                    }
                }
                None => self.error(
                    format!("{at}/options"),
                    "options-enum-missing",
                    format!("Lược đồ của \"{full}\" cần \"enum\" liệt kê các giá trị được chọn."),
                    format!(
                        "The schema of \"{full}\" needs an \"enum\" listing the choice values."
                    ),
                ),
            }
            let mut seen = HashSet::new();
            for (oi, o) in item.options.iter().enumerate() {
                if !seen.insert(&o.value) {
                    self.error(
                        format!("{at}/options/{oi}/value"),
                        "option-duplicate",
                        format!("Giá trị \"{}\" bị lặp.", o.value),
                        format!("The value \"{}\" is repeated.", o.value),
                    );
                }
            }
        } else if !item.options.is_empty() {
            self.diags.push(Diagnostic::warning(
                format!("{at}/options"),
                "options-unused",
                Text::new(
                    "Kiểu điều khiển này không dùng \"options\".",
                    "This widget does not use \"options\".",
                ),
            ));
        }
    }

    /// An `address` or `file` item edits an object of known parts (a `file` also an array of
    /// them): its schema must describe exactly those parts, with their types.
    fn compound_fits(&mut self, item: &Item, at: &str, target: SchemaView<'_>, full: &str) {
        self.compound.insert(full.to_owned());
        let address_parts: Vec<(&str, JsonType)>;
        let (object, parts, needed, code): (_, &[(&str, JsonType)], &[&str], _) = match item.widget
        {
            Widget::Address => {
                let (all, needed) = item.mode.parts();
                address_parts = all.iter().map(|p| (*p, JsonType::String)).collect();
                (target, &address_parts[..], needed, "address-schema")
            }
            _ => (
                if target.allows(JsonType::Array) {
                    target.items().unwrap_or(target)
                } else {
                    target
                },
                &[
                    ("name", JsonType::String),
                    ("size", JsonType::Integer),
                    ("type", JsonType::String),
                    ("sha256", JsonType::String),
                    ("id", JsonType::String),
                ],
                &["name", "size", "type"][..],
                "file-schema",
            ),
        };
        let names = || {
            parts
                .iter()
                .map(|(n, _)| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let fits = object.allows(JsonType::Object)
            && needed.iter().all(|n| object.property(n).is_some())
            && object.properties().all(|(name, sub)| {
                parts
                    .iter()
                    .any(|(n, t)| *n == name && sub.types().is_some() && sub.allows(*t))
            });
        if !fits {
            let (vi, en) = match (item.widget, item.mode) {
                (Widget::Address, AddressMode::Province) => ("tỉnh, thành phố", "a province"),
                (Widget::Address, AddressMode::Foreign) => {
                    ("địa chỉ ở nước ngoài", "an address abroad")
                }
                (Widget::Address, _) => ("địa chỉ", "an address"),
                _ => ("tệp đính kèm", "a file attachment"),
            };
            let need = needed.join("\", \"");
            self.error(
                format!("{at}/widget"),
                code,
                format!("Lược đồ của \"{full}\" phải là {vi}: một object có \"{need}\", chỉ gồm các thuộc tính {} với đúng kiểu.", names()),
                format!("The schema of \"{full}\" must be {en}: an object with \"{need}\", and only the properties {}, of their types.", names()),
            );
        }
    }

    /// Parses and type-checks one rule, reporting its problem at `at`.
    fn rule(
        &mut self,
        src: &str,
        at: &str,
        row: Option<&str>,
        want: &crate::expr::Type,
    ) -> Option<crate::expr::Expr> {
        let schema = self.schema?;
        let scope = rules::SchemaScope {
            schema,
            row: row.map(str::to_owned),
        };
        match rules::compile(src, &scope, want, &mut self.patterns) {
            Ok(e) => Some(e),
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(at, "rule", rules::describe(&e, src)));
                None
            }
        }
    }

    fn item_rules(
        &mut self,
        item: &Item,
        at: &str,
        target: SchemaView<'_>,
        full: &str,
        data_prefix: &str,
    ) {
        use crate::expr::Type;
        let row = (!data_prefix.is_empty()).then_some(data_prefix);
        if let Some(src) = &item.visible_if {
            self.rule(src, &format!("{at}/visibleIf"), row, &Type::Bool);
            self.conditional.push((full.to_owned(), at.to_owned()));
        }
        if let Some(src) = &item.required_if {
            self.rule(src, &format!("{at}/requiredIf"), row, &Type::Bool);
            self.conditional.push((full.to_owned(), at.to_owned()));
        }
        if let Some(src) = &item.read_only_if {
            self.rule(src, &format!("{at}/readOnlyIf"), row, &Type::Bool);
        }
        if item.prefill.is_some() {
            self.prefilled.push(full.to_owned());
        }
        if let Some(src) = item.prefill.as_ref().and_then(|p| p.when.as_ref()) {
            let when_at = format!("{at}/prefill/when");
            if let Some(e) = self.rule(src, &when_at, row, &Type::Bool) {
                let mut reads = Vec::new();
                rules::references(&e, row, &mut reads);
                self.prefill_when.push((when_at, reads));
            }
        }
        for (ci, c) in item.constraints.iter().enumerate() {
            let rule_at = format!("{at}/constraints/{ci}/rule");
            if let Some(e) = self.rule(&c.rule, &rule_at, row, &Type::Bool) {
                self.or_may_pass_empty(&e, &rule_at, row);
            }
        }
        if let Some(src) = &item.compute {
            if item.widget == Widget::Month {
                self.error(
                    format!("{at}/compute"),
                    "compute-month",
                    "Ô tháng/năm không thể là giá trị tính toán.".into(),
                    "A month field cannot be computed.".into(),
                );
            } else if item.widget == Widget::Table {
                self.error(
                    format!("{at}/compute"),
                    "compute-table",
                    "Bảng không thể là giá trị tính toán.".into(),
                    "A table cannot be computed.".into(),
                );
            } else if let Some(e) =
                self.rule(src, &format!("{at}/compute"), row, &rules::type_of(target))
            {
                let mut reads = Vec::new();
                rules::references(&e, row, &mut reads);
                self.computed
                    .push((full.to_owned(), format!("{at}/compute"), reads));
            }
        }
    }

    /// A cross-field check passes while it is empty, so `x = a or x = b` passes whenever `b` is
    /// empty. Warns (`or-empty`) when a side of an `or` reads a field the other side does not,
    /// that the data schema does not require and that the rule does not test with `filled()`.
    fn or_may_pass_empty(&mut self, e: &crate::expr::Expr, at: &str, row: Option<&str>) {
        let Some(schema) = self.schema else { return };
        let optional: Vec<String> = rules::or_sides_may_be_empty(e, row)
            .into_iter()
            .filter(|p| !always_present(schema, p))
            .collect();
        if optional.is_empty() {
            return;
        }
        let list = optional.join("\", \"");
        let (vi, en) = match optional.len() {
            1 => (format!("\"{list}\""), format!("\"{list}\" is")),
            _ => (
                format!("một trong \"{list}\""),
                format!("any of \"{list}\" is"),
            ),
        };
        self.diags.push(Diagnostic::warning(
            at.to_owned(),
            "or-empty",
            Text::new(
                format!("Khi {vi} để trống, vế chứa nó của \"or\" cũng trống và phép kiểm tra được coi là đạt, dù vế kia sai. Nếu điều đó không đúng ý, viết \"filled(…) and …\" cho vế đó."),
                format!("While {en} empty, its side of the \"or\" is empty and the check passes even when the other side is false. If that is not meant, write \"filled(…) and …\" on that side."),
            ),
        ));
    }

    /// A prefill `when` reads no field that a binding fills: else filling one binding could
    /// bring another into or out of force, and that one the first, without end.
    fn prefill_when_reads_no_binding(&mut self) {
        for (at, reads) in std::mem::take(&mut self.prefill_when) {
            let filled: Vec<&String> = reads
                .iter()
                .filter(|r| self.prefilled.iter().any(|p| rules::depends_on(r, p)))
                .collect();
            if let Some(first) = filled.first() {
                let first = (*first).clone();
                self.error(
                    at,
                    "prefill-when-bound",
                    format!("Điều kiện \"when\" đọc \"{first}\", một ô được điền sẵn từ cơ sở dữ liệu: dựa điều kiện vào câu trả lời của người khai (ví dụ \"Bạn là\")."),
                    format!("The \"when\" rule reads \"{first}\", a field filled from the data store: base it on an answer the citizen gives (such as \"You are\")."),
                );
            }
        }
    }

    /// Computed values may read each other, but not in a circle.
    fn computed_order(&mut self) {
        let targets: Vec<String> = self.computed.iter().map(|c| c.0.clone()).collect();
        let deps: Vec<Vec<String>> = self.computed.iter().map(|c| c.2.clone()).collect();
        if let Err(cycle) = rules::order(&targets, &deps) {
            let names: Vec<&str> = cycle.iter().map(|&i| targets[i].as_str()).collect();
            let list = names.join(" → ");
            for &i in &cycle {
                let at = self.computed[i].1.clone();
                self.error(
                    at,
                    "compute-cycle",
                    format!("Các giá trị tính toán phụ thuộc vòng tròn: {list}."),
                    format!("Computed values depend on each other in a circle: {list}."),
                );
            }
        }
    }

    /// A field that is shown or required only under a condition cannot also be `required` in
    /// the data schema: hidden fields are not submitted, so the data would never be valid.
    fn conditional_not_required(&mut self) {
        let Some(schema) = self.schema else { return };
        for (data, at) in std::mem::take(&mut self.conditional) {
            let Some((parent, name)) = data.rsplit_once('/') else {
                continue;
            };
            let name = name.replace("~1", "/").replace("~0", "~");
            let required = schema
                .resolve(&parent.replace("/*", "/0"))
                .is_some_and(|v| v.required().contains(&name));
            if required {
                self.error(
                    at,
                    "required-conditional",
                    format!("\"{data}\" chỉ hiện hoặc bắt buộc theo điều kiện, nên không được nằm trong \"required\" của lược đồ; dùng \"requiredIf\"."),
                    format!("\"{data}\" shows or is required only under a condition, so it cannot be in the schema's \"required\"; use \"requiredIf\"."),
                );
            }
        }
    }

    /// An `id-number` item's `idCheck` names a date field and a choice field of the form (as the
    /// item's own pointer is written); one without it beside a date labelled as the date of
    /// birth but not named so (`ngaySinh`) gets a warning — its check would silently be off.
    fn id_checks(&mut self, typed: Option<&Definition>) {
        use crate::definition::Widget;
        let Some(def) = typed else { return };
        // Every field: (definition pointer, data pointer with `*` for rows, prefix of its
        // pointers, widget, the item).
        let mut all: Vec<(String, String, String, Widget, &crate::definition::Item)> = Vec::new();
        for (pi, page) in def.pages.iter().enumerate() {
            for (si, section) in page.sections.iter().enumerate() {
                for (ii, item) in section.items.iter().enumerate() {
                    let at = format!("/pages/{pi}/sections/{si}/items/{ii}");
                    let Some(ptr) = item.pointer.as_deref() else {
                        continue;
                    };
                    all.push((at.clone(), ptr.to_owned(), String::new(), item.widget, item));
                    for (ci, col) in item.columns.iter().enumerate() {
                        if let Some(cp) = col.pointer.as_deref() {
                            let prefix = format!("{ptr}/*");
                            all.push((
                                format!("{at}/columns/{ci}"),
                                format!("{prefix}{cp}"),
                                prefix,
                                col.widget,
                                col,
                            ));
                        }
                    }
                }
            }
        }
        let widget_of = |full: &str| all.iter().find(|f| f.1 == full).map(|f| f.3);
        let mut found = Vec::new();
        for (at, full, prefix, widget, item) in &all {
            let Some(spec) = &item.id_check else {
                if *widget == Widget::IdNumber {
                    let parent = full.rsplit_once('/').map_or("", |(p, _)| p);
                    let siblings = all.iter().filter(|f| {
                        f.1.rsplit_once('/').map_or("", |(p, _)| p) == parent && f.1 != *full
                    });
                    // A date labelled as the date of birth that the name-based link misses
                    // (`ngaySinh`): the check would be off without anyone noticing.
                    let missed = siblings.filter(|f| f.3 == Widget::Date).any(|f| {
                        let labelled =
                            f.4.label
                                .as_ref()
                                .is_some_and(|l| crate::text::lower(&l.en).contains("birth"));
                        let named = crate::text::lower(f.1.rsplit('/').next().unwrap_or(""))
                            .contains("birth");
                        labelled && !named
                    });
                    if missed {
                        found.push(Diagnostic::warning(
                            format!("{at}/idCheck"),
                            "id-check-unlinked",
                            Text::new(
                                "Số định danh sẽ không được đối chiếu với ngày sinh nào: ghi trường ngày sinh vào idCheck.dateOfBirth (hoặc idCheck: {} nếu không cần).",
                                "This ID number is checked against no date of birth: name the field in idCheck.dateOfBirth (or give idCheck: {} when none applies).",
                            ),
                        ));
                    }
                }
                continue;
            };
            if *widget != Widget::IdNumber {
                found.push(Diagnostic::error(
                    format!("{at}/idCheck"),
                    "id-check-widget",
                    Text::new(
                        "Chỉ trường số định danh (id-number) mới có idCheck.",
                        "Only an id-number item has idCheck.",
                    ),
                ));
                continue;
            }
            for (key, ptr, wanted) in [
                ("dateOfBirth", &spec.date_of_birth, &[Widget::Date][..]),
                ("sex", &spec.sex, &[Widget::Radio, Widget::Select][..]),
            ] {
                let Some(ptr) = ptr else { continue };
                let target = format!("{prefix}{ptr}");
                // Outside a table, a pointer into one names no single field.
                if prefix.is_empty() && ptr.contains("/*") {
                    found.push(Diagnostic::error(
                        format!("{at}/idCheck/{key}"),
                        "id-check-pointer",
                        Text::new(
                            format!("\"{ptr}\" chỉ dùng được cho số định danh trong cùng bảng."),
                            format!("\"{ptr}\" can only serve an ID number in the same table."),
                        ),
                    ));
                    continue;
                }
                let (vi, en) = if key == "sex" {
                    (
                        "một trường chọn (radio, select)",
                        "a choice field (radio, select)",
                    )
                } else {
                    ("một trường ngày (date)", "a date field")
                };
                match widget_of(&target) {
                    Some(w) if wanted.contains(&w) => {}
                    Some(_) => found.push(Diagnostic::error(
                        format!("{at}/idCheck/{key}"),
                        "id-check-widget",
                        Text::new(
                            format!("\"{ptr}\" phải là {vi}."),
                            format!("\"{ptr}\" must be {en}."),
                        ),
                    )),
                    None => found.push(Diagnostic::error(
                        format!("{at}/idCheck/{key}"),
                        "id-check-pointer",
                        Text::new(
                            format!("\"{ptr}\" không phải là một trường của biểu mẫu (trong bảng, viết như con trỏ của cột)."),
                            format!("\"{ptr}\" is not a field of the form (inside a table, write it as the columns' pointers are)."),
                        ),
                    )),
                }
            }
        }
        self.diags.extend(found);
    }

    /// A migration comes from an earlier version, and moves data to where this version has a
    /// field (or a group of fields) for it.
    fn migrations(&mut self, typed: Option<&Definition>) {
        let Some(def) = typed else { return };
        for (i, m) in def.migrations.iter().enumerate() {
            if m.from >= def.version {
                self.error(
                    format!("/migrations/{i}/from"),
                    "migration-version",
                    format!(
                        "Chỉ chuyển được dữ liệu từ phiên bản trước ({} < {}).",
                        m.from, def.version
                    ),
                    format!(
                        "Data moves only from an earlier version ({} < {}).",
                        m.from, def.version
                    ),
                );
            }
            for (j, mv) in m.moves.iter().enumerate() {
                // Whole values, objects and tables move; rows and cells of a table do not.
                let mut in_table = false;
                for (key, ptr) in [("from", &mv.from), ("to", &mv.to)] {
                    if ptr.split('/').skip(1).any(|t| {
                        t == "*" || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                    }) {
                        self.error(
                            format!("/migrations/{i}/moves/{j}/{key}"),
                            "migration-pointer",
                            format!("\"{ptr}\": chỉ chuyển được cả trường, nhóm trường hay bảng, không chuyển từng dòng hay ô của bảng."),
                            format!("\"{ptr}\": whole fields, groups and tables move, not the rows or cells of a table."),
                        );
                        in_table |= key == "to";
                    }
                }
                if in_table {
                    continue;
                }
                let to = crate::form::row_pattern(&mv.to);
                let fits = self.bound.contains_key(&to)
                    || self.bound_prefixes.contains(&to)
                    || self.compound.iter().any(|c| pointer::inside(&to, c));
                if !fits {
                    self.error(
                        format!("/migrations/{i}/moves/{j}/to"),
                        "migration-pointer",
                        format!(
                            "\"{}\" không phải là một trường (hay nhóm trường) của phiên bản này.",
                            mv.to
                        ),
                        format!(
                            "\"{}\" is not a field (or group of fields) of this version.",
                            mv.to
                        ),
                    );
                }
            }
        }
    }

    /// Every `required` member must be bound to an item, or no citizen could ever submit.
    /// `data_at` is a data pointer in which `*` stands for any row of a table.
    /// Co-signers are found through pointers to fields of the form (a table's column with
    /// `/*`; at most one table deep).
    fn co_signers(&mut self, typed: Option<&Definition>) {
        let Some(sig) = typed.and_then(|d| d.signature.as_ref()) else {
            return;
        };
        // Co-signers sign what the applicant signed: a form they sign is one the applicant must.
        if !sig.co_signers.is_empty() && !sig.required {
            self.error(
                "/signature/required".to_owned(),
                "co-signers-unsigned",
                "Biểu mẫu có người cùng ký thì người nộp cũng phải ký: đặt \"required\": true.".to_owned(),
                "A form with co-signers must be signed by the applicant too: set \"required\": true.".to_owned(),
            );
        }
        for (i, c) in sig.co_signers.iter().enumerate() {
            let at = format!("/signature/coSigners/{i}");
            for (key, ptr) in [("idNumber", Some(&c.id_number)), ("name", c.name.as_ref())] {
                let Some(ptr) = ptr else { continue };
                if ptr.matches("/*").count() > 1 || !self.bound.contains_key(ptr.as_str()) {
                    self.error(
                        format!("{at}/{key}"),
                        "co-signer-pointer",
                        format!("\"{ptr}\" không phải là một trường của biểu mẫu (cột của bảng viết là /bảng/*/cột)."),
                        format!("\"{ptr}\" is not a field of the form (a table's column is written /table/*/column)."),
                    );
                }
            }
        }
    }

    fn required_are_bound(&mut self, view: Option<SchemaView<'_>>, data_at: &str) {
        let Some(view) = view else { return };
        // A schema whose references loop (refused by the meta-schema, reported there) must not
        // make this walk endless.
        if data_at.matches('/').count() > 32 {
            return;
        }
        if self.compound.contains(data_at) {
            return;
        }
        for name in view.required() {
            let child = pointer::push(data_at, name);
            if !self.bound_prefixes.contains(&child) {
                self.error(
                    format!("{}/required", schema_path(data_at)),
                    "required-unbound",
                    format!("Dữ liệu bắt buộc \"{child}\" không gắn với mục nào trên biểu mẫu, nên không thể nộp."),
                    format!("The required data \"{child}\" is not bound to any item, so the form could never be submitted."),
                );
            }
        }
        for (name, sub) in view.properties() {
            if sub.types().is_some_and(|t| t.contains(&JsonType::Object)) {
                self.required_are_bound(Some(sub), &pointer::push(data_at, name));
            }
        }
    }
}

/// The definition pointer of the schema that describes `data_at` (`*` = any row).
fn schema_path(data_at: &str) -> String {
    let mut out = String::from("/dataSchema");
    for t in pointer::parse(data_at).unwrap_or_default() {
        if t == "*" {
            out.push_str("/items");
        } else {
            out.push_str("/properties/");
            out.push_str(&pointer::escape(&t));
        }
    }
    out
}

fn resolve_from<'s>(base: SchemaView<'s>, ptr: &str) -> Option<SchemaView<'s>> {
    let tokens = pointer::parse(ptr)?;
    let mut cur = base;
    for t in &tokens {
        cur = cur.property(t)?;
    }
    Some(cur)
}

/// Whether the data schema requires every step of `pointer`, from its innermost row on (a rule
/// in a row runs only where the row exists): then the field is filled in whatever is submitted.
fn always_present(schema: &Schema, pointer: &str) -> bool {
    let from_row = pointer.rfind("/*/").map_or(0, |i| i + 2);
    let mut parent = String::new();
    for (at, token) in pointer
        .match_indices('/')
        .map(|(i, _)| i)
        .zip(pointer.split('/').skip(1))
    {
        if token != "*" && at >= from_row {
            let name = token.replace("~1", "/").replace("~0", "~");
            let required = schema
                .resolve(&parent.replace("/*", "/0"))
                .is_some_and(|v| v.required().contains(&name));
            if !required {
                return false;
            }
        }
        parent.push('/');
        parent.push_str(token);
    }
    true
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::Lang;

    /// The typed model read straight from the text (the citizen runtime's load) checks exactly
    /// as the load through the JSON tree: the same diagnostics and the same form, on every
    /// broken definition, real form and fixture that fits the model.
    #[test]
    fn reading_the_model_from_the_text_checks_as_reading_it_from_the_json() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut typed_read = 0;
        for dir in ["tests/broken", "../schemas/forms", "tests/fixtures"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "json") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                let through_json = load_checked(Input::Json(&value), Vec::new());
                let render = |l: &Loaded| -> Vec<String> {
                    l.diagnostics.iter().map(|d| d.render(Lang::En)).collect()
                };
                if let Ok(definition) = serde_json::from_str::<Definition>(&text) {
                    typed_read += 1;
                    let typed = load_checked(Input::Typed(Box::new(definition)), Vec::new());
                    let name = path.display();
                    assert_eq!(render(&typed), render(&through_json), "{name}");
                    assert_eq!(typed.form.is_some(), through_json.form.is_some(), "{name}");
                    if let (Some(a), Some(b)) = (&typed.form, &through_json.form) {
                        assert_eq!(
                            serde_json::to_value(a.definition()).unwrap(),
                            serde_json::to_value(b.definition()).unwrap(),
                            "{name}"
                        );
                    }
                }
                // The public entry point takes whichever path fits, to the same end.
                assert_eq!(render(&load_semantic(&text)), render(&through_json));
            }
        }
        assert!(
            typed_read >= 60,
            "{typed_read} definitions read straight into the model"
        );
    }

    /// A JSON array of a definition's values fits the derived model, but is no definition.
    #[test]
    fn an_array_is_not_read_as_a_definition() {
        let text =
            r#"[null, "x", 1, {"vi": "a", "en": "a"}, null, null, null, {"type": "object"}, []]"#;
        assert!(serde_json::from_str::<Definition>(text).is_ok());
        let loaded = load_semantic(text);
        assert!(loaded.form.is_none());
        assert_eq!(loaded.diagnostics[0].code, "definition-type");
    }
}
