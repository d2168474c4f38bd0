//! The compact JSON Schema validator that runs in the browser.
//!
//! It covers the subset of draft 2020-12 that the definition meta-schema allows in a form's data
//! schema — `type`, `properties`, `required`, `additionalProperties`, `items`, `minItems`,
//! `maxItems`, `uniqueItems`, `enum`, `const`, `minLength`, `maxLength`, `pattern` (via
//! `regex-lite`), `format` (`date`, `email`), `minimum`, `maximum`, `exclusiveMinimum`,
//! `exclusiveMaximum`, `multipleOf` — plus local `$ref`s into `$defs` (the meta-schema itself uses
//! them). Annotations (`title`, `description`, `default`, …) are ignored, as the spec says.
//!
//! Compiling never panics: problems become [`Diagnostic`]s with a pointer into the schema. Matching
//! is linear in the size of the data (regex-lite has no backtracking), and patterns are compiled
//! within the limits of [`crate::pattern`]. `uniqueItems` hashes the items (expected linear time).
//!
//! Long on purpose: the validator keyword by keyword, each keyword's compiling and checking side by
//! side; split by phase, a keyword's two halves would sit in two files.

use crate::diagnostic::Diagnostic;
use crate::format::Format;
use crate::pattern::{self, Budget};
use crate::pointer;
use crate::text::Text;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

mod number;
pub use number::Num;

/// A JSON type as `type` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    Null,
    Boolean,
    Object,
    Array,
    Number,
    Integer,
    String,
}

impl JsonType {
    fn parse(s: &str) -> Option<JsonType> {
        Some(match s {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "string" => JsonType::String,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::String => "string",
        }
    }

    fn matches(self, v: &Value) -> bool {
        match (self, v) {
            (JsonType::Null, Value::Null) => true,
            (JsonType::Boolean, Value::Bool(_)) => true,
            (JsonType::Object, Value::Object(_)) => true,
            (JsonType::Array, Value::Array(_)) => true,
            (JsonType::Number, Value::Number(_)) => true,
            (JsonType::Integer, Value::Number(n)) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            (JsonType::String, Value::String(_)) => true,
            _ => false,
        }
    }
}

/// Why a value failed; the keyword and its parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ErrorKind {
    /// A required member is missing; the error's pointer names the missing member.
    Required,
    Type(Vec<JsonType>),
    Enum(Vec<Value>),
    Const(Value),
    MinLength(u64),
    MaxLength(u64),
    Pattern(String),
    Format(Format),
    Minimum(f64),
    Maximum(f64),
    ExclusiveMinimum(f64),
    ExclusiveMaximum(f64),
    MultipleOf(f64),
    MinItems(u64),
    MaxItems(u64),
    UniqueItems,
    /// A member that `additionalProperties: false` forbids; the pointer names the member.
    AdditionalProperty(String),
    /// The schema `false`.
    False,
}

impl ErrorKind {
    /// The JSON Schema keyword that failed.
    pub fn keyword(&self) -> &'static str {
        match self {
            ErrorKind::Required => "required",
            ErrorKind::Type(_) => "type",
            ErrorKind::Enum(_) => "enum",
            ErrorKind::Const(_) => "const",
            ErrorKind::MinLength(_) => "minLength",
            ErrorKind::MaxLength(_) => "maxLength",
            ErrorKind::Pattern(_) => "pattern",
            ErrorKind::Format(_) => "format",
            ErrorKind::Minimum(_) => "minimum",
            ErrorKind::Maximum(_) => "maximum",
            ErrorKind::ExclusiveMinimum(_) => "exclusiveMinimum",
            ErrorKind::ExclusiveMaximum(_) => "exclusiveMaximum",
            ErrorKind::MultipleOf(_) => "multipleOf",
            ErrorKind::MinItems(_) => "minItems",
            ErrorKind::MaxItems(_) => "maxItems",
            ErrorKind::UniqueItems => "uniqueItems",
            ErrorKind::AdditionalProperty(_) => "additionalProperties",
            ErrorKind::False => "false",
        }
    }
}

/// One failure: where in the data, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaError {
    /// JSON pointer into the data. For `required` and `additionalProperties` it names the member.
    pub instance: String,
    pub kind: ErrorKind,
}

impl SchemaError {
    /// The pointer of the value the keyword was applied to (for `required` and
    /// `additionalProperties`, the object; otherwise the value itself). This is where the
    /// standard output format, and the `jsonschema` crate, locate the error.
    pub fn standard_location(&self) -> &str {
        match self.kind {
            ErrorKind::Required | ErrorKind::AdditionalProperty(_) => {
                self.instance.rfind('/').map_or("", |i| &self.instance[..i])
            }
            _ => &self.instance,
        }
    }
}

type NodeId = usize;

#[derive(Debug)]
enum Node {
    Bool(bool),
    Keywords(Box<Keywords>),
}

/// Members of `properties` sorted by name.
#[derive(Debug, Default)]
struct PropertyIndex(Vec<(String, NodeId)>);

impl PropertyIndex {
    fn get(&self, name: &str) -> Option<&NodeId> {
        self.0
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    fn insert(&mut self, name: String, id: NodeId) {
        match self.0.binary_search_by(|(n, _)| n.cmp(&name)) {
            Ok(i) => self.0[i].1 = id,
            Err(i) => self.0.insert(i, (name, id)),
        }
    }
}

/// A schema's keywords. Those of one kind of value are kept apart, boxed, and only when the
/// schema has one: most nodes of a form's schema are a field's, with a type and one or two
/// keywords (all inline, a node took about 560 bytes; so, about 120).
#[derive(Debug, Default)]
struct Keywords {
    reference: Option<NodeId>,
    types: Option<Vec<JsonType>>,
    items: Option<NodeId>,
    enumeration: Option<Vec<Value>>,
    format: Option<Format>,
    object: Option<Box<ObjectKeywords>>,
    string: Option<Box<StringKeywords>>,
    number: Option<Box<NumberKeywords>>,
    array: Option<Box<ArrayKeywords>>,
    constant: Option<Box<Value>>,
}

#[derive(Debug, Default)]
struct ObjectKeywords {
    properties: Vec<(String, NodeId)>,
    /// `properties` sorted by name, for look-ups by binary search (faster than hashing the
    /// short names of definitions, and small).
    property_index: PropertyIndex,
    required: Vec<String>,
    additional: Option<NodeId>,
}

#[derive(Debug, Default)]
struct StringKeywords {
    min_length: Option<u64>,
    max_length: Option<u64>,
    pattern: Option<(String, regex_lite::Regex)>,
}

#[derive(Debug, Default)]
struct NumberKeywords {
    minimum: Option<Num>,
    maximum: Option<Num>,
    exclusive_minimum: Option<Num>,
    exclusive_maximum: Option<Num>,
    multiple_of: Option<Num>,
}

#[derive(Debug, Default)]
struct ArrayKeywords {
    min_items: Option<u64>,
    max_items: Option<u64>,
    unique_items: bool,
}

impl Keywords {
    fn property(&self, name: &str) -> Option<NodeId> {
        self.object.as_ref()?.property_index.get(name).copied()
    }

    fn properties(&self) -> &[(String, NodeId)] {
        self.object.as_ref().map_or(&[], |o| &o.properties)
    }

    fn unique_items(&self) -> bool {
        self.array.as_ref().is_some_and(|a| a.unique_items)
    }

    fn max_length(&self) -> Option<u64> {
        self.string.as_ref()?.max_length
    }
}

/// A compiled schema.
#[derive(Debug)]
pub struct Schema {
    nodes: Vec<Node>,
}

/// The most `$ref`s followed in a row while checking one value (the count starts again with each
/// step into the data): bounds the work on a schema whose references loop without consuming data.
const MAX_REF_DEPTH: usize = 64;

impl Schema {
    /// Compiles `schema`. Unsupported or malformed keywords are reported (pointers relative to
    /// the schema root) and ignored; the schema that remains is still usable.
    pub fn compile(schema: &Value) -> (Schema, Vec<Diagnostic>) {
        Schema::compile_within(schema, &mut Budget::default())
    }

    /// [`Schema::compile`], counting its patterns in `patterns`: the budget of the definition
    /// the schema belongs to, shared with its rules. A pattern refused by the limits is reported
    /// and left out.
    pub fn compile_within(schema: &Value, patterns: &mut Budget) -> (Schema, Vec<Diagnostic>) {
        let mut c = Compiler {
            nodes: Vec::new(),
            diags: Vec::new(),
            defs: HashMap::new(),
            pending: Vec::new(),
            patterns,
        };
        // Reserve the root's slot, then collect `$defs` so references can be resolved.
        c.nodes.push(Node::Bool(true));
        if let Some(Value::Object(defs)) = schema.get("$defs") {
            for name in defs.keys() {
                let id = c.nodes.len();
                c.nodes.push(Node::Bool(true));
                c.defs
                    .insert(format!("#/$defs/{}", pointer::escape(name)), id);
            }
        }
        c.defs.insert("#".to_owned(), 0);
        let root = c.compile_node(schema, "");
        c.nodes[0] = root;
        if let Some(Value::Object(defs)) = schema.get("$defs") {
            for (name, def) in defs {
                let key = format!("#/$defs/{}", pointer::escape(name));
                let id = c.defs[&key];
                let node = c.compile_node(def, &pointer::push("/$defs", name));
                c.nodes[id] = node;
            }
        }
        for (at, target, slot) in std::mem::take(&mut c.pending) {
            match c.defs.get(&target) {
                Some(&id) => {
                    if let Node::Keywords(k) = &mut c.nodes[slot] {
                        k.reference = Some(id);
                    }
                }
                None => c.diags.push(Diagnostic::error(
                    pointer::push(&at, "$ref"),
                    "schema-ref",
                    Text::new(
                        format!(
                            "Tham chiếu \"{target}\" không trỏ tới một định nghĩa trong $defs."
                        ),
                        format!("Reference \"{target}\" does not point to a definition in $defs."),
                    ),
                )),
            }
        }
        (Schema { nodes: c.nodes }, c.diags)
    }

    /// Checks `data`; every failure, in document order.
    pub fn validate(&self, data: &Value) -> Vec<SchemaError> {
        let mut errors = Vec::new();
        let mut path = String::new();
        self.check(0, data, &mut path, &mut errors, 0);
        errors
    }

    /// Whether `data` is valid (stops at the first failure).
    pub fn is_valid(&self, data: &Value) -> bool {
        self.validate(data).is_empty()
    }

    /// The sub-schema that describes the value at `data_pointer` (following `properties`,
    /// `items` and references), if the schema describes one.
    pub fn resolve(&self, data_pointer: &str) -> Option<SchemaView<'_>> {
        let tokens = pointer::parse(data_pointer)?;
        let mut id = 0;
        for t in &tokens {
            id = self.step(id, t, 0)?;
        }
        Some(SchemaView { schema: self, id })
    }

    /// Checks only the value at `data_pointer` against the sub-schema there (the incremental
    /// path of [`crate::FormState`]). `None` when the schema does not describe that location.
    pub fn validate_at(&self, data_pointer: &str, value: &Value) -> Option<Vec<SchemaError>> {
        let tokens = pointer::parse(data_pointer)?;
        let mut id = 0;
        for t in &tokens {
            id = self.step(id, t, 0)?;
        }
        let mut errors = Vec::new();
        let mut path = data_pointer.to_owned();
        self.check(id, value, &mut path, &mut errors, 0);
        Some(errors)
    }

    /// Whether a change at `data_pointer` can only affect errors at that pointer: every
    /// ancestor is a plain object or array (no `uniqueItems`, no `$ref`, no `const`/`enum` on a
    /// container, which compare whole values).
    pub fn is_local(&self, data_pointer: &str) -> bool {
        let Some(tokens) = pointer::parse(data_pointer) else {
            return false;
        };
        let mut id = 0;
        for t in &tokens {
            let Node::Keywords(k) = &self.nodes[id] else {
                return false;
            };
            if k.unique_items()
                || k.reference.is_some()
                || k.enumeration.is_some()
                || k.constant.is_some()
            {
                return false;
            }
            match self.step(id, t, 0) {
                Some(next) => id = next,
                None => return false,
            }
        }
        matches!(&self.nodes[id], Node::Keywords(k) if k.reference.is_none())
    }

    fn keywords(&self, mut id: NodeId) -> Option<&Keywords> {
        for _ in 0..MAX_REF_DEPTH {
            match &self.nodes[id] {
                Node::Bool(_) => return None,
                Node::Keywords(k) => match (
                    k.reference,
                    k.types.is_none() && k.properties().is_empty() && k.items.is_none(),
                ) {
                    (Some(r), true) => id = r,
                    _ => return Some(k),
                },
            }
        }
        None
    }

    fn step(&self, id: NodeId, token: &str, depth: usize) -> Option<NodeId> {
        if depth > MAX_REF_DEPTH {
            return None;
        }
        let Node::Keywords(k) = &self.nodes[id] else {
            return None;
        };
        if let Some(p) = k.property(token) {
            return Some(p);
        }
        if let (Some(items), true) = (k.items, token.parse::<usize>().is_ok()) {
            return Some(items);
        }
        if let Some(r) = k.reference {
            return self.step(r, token, depth + 1);
        }
        None
    }

    fn check(
        &self,
        id: NodeId,
        v: &Value,
        path: &mut String,
        out: &mut Vec<SchemaError>,
        depth: usize,
    ) {
        let k = match &self.nodes[id] {
            Node::Bool(true) => return,
            Node::Bool(false) => {
                out.push(SchemaError {
                    instance: path.clone(),
                    kind: ErrorKind::False,
                });
                return;
            }
            Node::Keywords(k) => k,
        };
        if let Some(r) = k.reference
            && depth < MAX_REF_DEPTH
        {
            self.check(r, v, path, out, depth + 1);
        }
        if let Some(types) = &k.types
            && !types.iter().any(|t| t.matches(v))
        {
            out.push(SchemaError {
                instance: path.clone(),
                kind: ErrorKind::Type(types.clone()),
            });
        }
        if let Some(values) = &k.enumeration
            && !values.iter().any(|e| json_eq(e, v))
        {
            out.push(SchemaError {
                instance: path.clone(),
                kind: ErrorKind::Enum(values.clone()),
            });
        }
        if let Some(c) = k.constant.as_deref()
            && !json_eq(c, v)
        {
            out.push(SchemaError {
                instance: path.clone(),
                kind: ErrorKind::Const(c.clone()),
            });
        }
        match v {
            Value::String(s) => self.check_string(k, s, path, out),
            Value::Number(n) => {
                if let (Some(nk), Some(x)) = (k.number.as_deref(), Num::of(n)) {
                    check_number(nk, x, path, out);
                }
            }
            Value::Object(m) => {
                let Some(o) = k.object.as_deref() else {
                    return;
                };
                for name in &o.required {
                    if !m.contains_key(name) {
                        out.push(SchemaError {
                            instance: pointer::push(path, name),
                            kind: ErrorKind::Required,
                        });
                    }
                }
                for (name, child) in m {
                    let len = path.len();
                    path.push('/');
                    pointer::push_escaped(path, name);
                    match o.property_index.get(name) {
                        Some(p) => self.check(*p, child, path, out, 0),
                        None => match o.additional {
                            Some(a) if matches!(self.nodes[a], Node::Bool(false)) => {
                                out.push(SchemaError {
                                    instance: path.clone(),
                                    kind: ErrorKind::AdditionalProperty(name.clone()),
                                })
                            }
                            Some(a) => self.check(a, child, path, out, 0),
                            None => {}
                        },
                    }
                    path.truncate(len);
                }
            }
            Value::Array(a) => {
                if let Some(ak) = k.array.as_deref() {
                    let n = a.len() as u64;
                    if let Some(min) = ak.min_items.filter(|&min| n < min) {
                        out.push(SchemaError {
                            instance: path.clone(),
                            kind: ErrorKind::MinItems(min),
                        });
                    }
                    if let Some(max) = ak.max_items.filter(|&max| n > max) {
                        out.push(SchemaError {
                            instance: path.clone(),
                            kind: ErrorKind::MaxItems(max),
                        });
                    }
                    if ak.unique_items && has_duplicates(a) {
                        out.push(SchemaError {
                            instance: path.clone(),
                            kind: ErrorKind::UniqueItems,
                        });
                    }
                }
                if let Some(items) = k.items {
                    for (i, item) in a.iter().enumerate() {
                        let len = path.len();
                        use std::fmt::Write as _;
                        let _ = write!(path, "/{i}");
                        self.check(items, item, path, out, 0);
                        path.truncate(len);
                    }
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }

    fn check_string(&self, k: &Keywords, s: &str, path: &str, out: &mut Vec<SchemaError>) {
        if let Some(sk) = k.string.as_deref() {
            let needs_len = sk.min_length.is_some() || sk.max_length.is_some();
            let len = if needs_len {
                s.chars().count() as u64
            } else {
                0
            };
            if let Some(min) = sk.min_length.filter(|&min| len < min) {
                out.push(SchemaError {
                    instance: path.to_owned(),
                    kind: ErrorKind::MinLength(min),
                });
            }
            if let Some(max) = sk.max_length.filter(|&max| len > max) {
                out.push(SchemaError {
                    instance: path.to_owned(),
                    kind: ErrorKind::MaxLength(max),
                });
            }
            if let Some((src, re)) = &sk.pattern
                && !re.is_match(s)
            {
                out.push(SchemaError {
                    instance: path.to_owned(),
                    kind: ErrorKind::Pattern(src.clone()),
                });
            }
        }
        if let Some(f) = k.format
            && !f.is_valid(s)
        {
            out.push(SchemaError {
                instance: path.to_owned(),
                kind: ErrorKind::Format(f),
            });
        }
    }
}

fn check_number(k: &NumberKeywords, x: Num, path: &str, out: &mut Vec<SchemaError>) {
    use std::cmp::Ordering::{Greater, Less};
    let mut fail = |kind| {
        out.push(SchemaError {
            instance: path.to_owned(),
            kind,
        })
    };
    if let Some(m) = k.minimum.filter(|&m| x.compare(m) == Less) {
        fail(ErrorKind::Minimum(m.to_f64()));
    }
    if let Some(m) = k.maximum.filter(|&m| x.compare(m) == Greater) {
        fail(ErrorKind::Maximum(m.to_f64()));
    }
    if let Some(m) = k.exclusive_minimum.filter(|&m| x.compare(m) != Greater) {
        fail(ErrorKind::ExclusiveMinimum(m.to_f64()));
    }
    if let Some(m) = k.exclusive_maximum.filter(|&m| x.compare(m) != Less) {
        fail(ErrorKind::ExclusiveMaximum(m.to_f64()));
    }
    if let Some(m) = k.multiple_of.filter(|&m| !x.is_multiple_of(m)) {
        fail(ErrorKind::MultipleOf(m.to_f64()));
    }
}

/// A view of the sub-schema at some data location, for the UI and the definition checks.
#[derive(Clone, Copy)]
pub struct SchemaView<'s> {
    schema: &'s Schema,
    id: NodeId,
}

impl<'s> SchemaView<'s> {
    fn kw(&self) -> Option<&'s Keywords> {
        self.schema.keywords(self.id)
    }

    /// The types this location allows (`None`: any).
    pub fn types(&self) -> Option<&'s [JsonType]> {
        self.kw()?.types.as_deref()
    }

    /// Whether the location allows `t`.
    pub fn allows(&self, t: JsonType) -> bool {
        self.types().is_none_or(|ts| {
            ts.contains(&t) || (t == JsonType::Integer && ts.contains(&JsonType::Number))
        })
    }

    /// The `enum` values, if any.
    pub fn enumeration(&self) -> Option<&'s [Value]> {
        self.kw()?.enumeration.as_deref()
    }

    pub fn format(&self) -> Option<Format> {
        self.kw()?.format
    }

    pub fn max_length(&self) -> Option<u64> {
        self.kw()?.max_length()
    }

    pub fn minimum(&self) -> Option<f64> {
        self.kw()?.number.as_ref()?.minimum.map(Num::to_f64)
    }

    pub fn maximum(&self) -> Option<f64> {
        self.kw()?.number.as_ref()?.maximum.map(Num::to_f64)
    }

    /// Names listed in `required` (for an object location).
    pub fn required(&self) -> &'s [String] {
        self.kw()
            .and_then(|k| k.object.as_deref())
            .map_or(&[], |o| &o.required)
    }

    /// Names and views of `properties`.
    pub fn properties(&self) -> impl Iterator<Item = (&'s str, SchemaView<'s>)> + 's {
        let schema = self.schema;
        self.kw()
            .into_iter()
            .flat_map(|k| k.properties().iter())
            .map(move |(n, id)| (n.as_str(), SchemaView { schema, id: *id }))
    }

    /// The view of one member of `properties`.
    pub fn property(&self, name: &str) -> Option<SchemaView<'s>> {
        let id = self.kw()?.property(name)?;
        Some(SchemaView {
            schema: self.schema,
            id,
        })
    }

    /// The schema of array elements.
    pub fn items(&self) -> Option<SchemaView<'s>> {
        Some(SchemaView {
            schema: self.schema,
            id: self.kw()?.items?,
        })
    }
}

struct Compiler<'b> {
    nodes: Vec<Node>,
    diags: Vec<Diagnostic>,
    defs: HashMap<String, NodeId>,
    /// `$ref`s to resolve once every definition has a slot: (schema pointer, target, node).
    pending: Vec<(String, String, NodeId)>,
    patterns: &'b mut Budget,
}

impl Compiler<'_> {
    fn bad(&mut self, at: String, keyword: &str, vi: &str, en: &str) {
        self.diags.push(Diagnostic::error(
            at,
            "schema-keyword",
            Text::new(
                format!("Từ khoá \"{keyword}\": {vi}"),
                format!("Keyword \"{keyword}\": {en}"),
            ),
        ));
    }

    fn compile_node(&mut self, schema: &Value, at: &str) -> Node {
        let map = match schema {
            Value::Bool(b) => return Node::Bool(*b),
            Value::Object(m) => m,
            _ => {
                self.diags.push(Diagnostic::error(
                    at,
                    "schema-type",
                    Text::new(
                        "Lược đồ phải là một đối tượng hoặc true/false.",
                        "A schema must be an object or true/false.",
                    ),
                ));
                return Node::Bool(true);
            }
        };
        let mut k = Keywords::default();
        for (key, v) in map {
            let here = pointer::push(at, key);
            match key.as_str() {
                "$ref" => match v.as_str() {
                    Some(target) => {
                        // A placeholder node whose reference is resolved once every
                        // definition has a slot; see `compile`.
                        let slot = self.add(Node::Keywords(Box::default()));
                        self.pending.push((at.to_owned(), target.to_owned(), slot));
                        k.reference = Some(slot);
                    }
                    None => self.bad(here, key, "phải là chuỗi.", "must be a string."),
                },
                "type" => {
                    let names: Vec<&Value> = match v {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    let mut types = Vec::new();
                    for n in names {
                        match n.as_str().and_then(JsonType::parse) {
                            Some(t) => types.push(t),
                            None => self.bad(
                                here.clone(),
                                key,
                                "kiểu không hợp lệ.",
                                "not a JSON type name.",
                            ),
                        }
                    }
                    k.types = Some(types);
                }
                "properties" => match v {
                    Value::Object(props) => {
                        for (name, sub) in props {
                            let node = self.compile_node(sub, &pointer::push(&here, name));
                            let id = self.add(node);
                            let o = k.object.get_or_insert_default();
                            o.properties.push((name.clone(), id));
                            o.property_index.insert(name.clone(), id);
                        }
                    }
                    _ => self.bad(here, key, "phải là đối tượng.", "must be an object."),
                },
                "required" => match v.as_array().and_then(|a| {
                    a.iter()
                        .map(|s| s.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                }) {
                    Some(names) => k.object.get_or_insert_default().required = names,
                    None => self.bad(
                        here,
                        key,
                        "phải là mảng chuỗi.",
                        "must be an array of strings.",
                    ),
                },
                "additionalProperties" => {
                    let node = self.compile_node(v, &here);
                    k.object.get_or_insert_default().additional = Some(self.add(node));
                }
                "items" => {
                    let node = self.compile_node(v, &here);
                    k.items = Some(self.add(node));
                }
                "minItems" => k.array.get_or_insert_default().min_items = self.count(v, &here, key),
                "maxItems" => k.array.get_or_insert_default().max_items = self.count(v, &here, key),
                "minLength" => {
                    k.string.get_or_insert_default().min_length = self.count(v, &here, key)
                }
                "maxLength" => {
                    k.string.get_or_insert_default().max_length = self.count(v, &here, key)
                }
                "uniqueItems" => match v.as_bool() {
                    Some(b) => k.array.get_or_insert_default().unique_items = b,
                    None => self.bad(here, key, "phải là true/false.", "must be a boolean."),
                },
                "enum" => match v.as_array() {
                    Some(a) => k.enumeration = Some(a.clone()),
                    None => self.bad(here, key, "phải là mảng.", "must be an array."),
                },
                "const" => k.constant = Some(Box::new(v.clone())),
                "pattern" => match v.as_str() {
                    Some(src) => match pattern::compile(src, self.patterns) {
                        Ok(re) => {
                            k.string.get_or_insert_default().pattern = Some((src.to_owned(), re))
                        }
                        Err(refusal) => {
                            if let Some(message) = refusal.message() {
                                self.diags
                                    .push(Diagnostic::error(here, "schema-pattern", message));
                            }
                        }
                    },
                    None => self.bad(here, key, "phải là chuỗi.", "must be a string."),
                },
                "format" => match v.as_str().map(Format::parse) {
                    Some(Some(f)) => k.format = Some(f),
                    Some(None) => self.diags.push(Diagnostic::error(
                        here,
                        "schema-format",
                        Text::new(
                            format!(
                                "Định dạng \"{}\" không được hỗ trợ; dùng: {}.",
                                v.as_str().unwrap_or(""),
                                Format::NAMES.join(", ")
                            ),
                            format!(
                                "Format \"{}\" is not supported; use one of: {}.",
                                v.as_str().unwrap_or(""),
                                Format::NAMES.join(", ")
                            ),
                        ),
                    )),
                    None => self.bad(here, key, "phải là chuỗi.", "must be a string."),
                },
                "minimum" => k.number.get_or_insert_default().minimum = self.number(v, &here, key),
                "maximum" => k.number.get_or_insert_default().maximum = self.number(v, &here, key),
                "exclusiveMinimum" => {
                    k.number.get_or_insert_default().exclusive_minimum = self.number(v, &here, key)
                }
                "exclusiveMaximum" => {
                    k.number.get_or_insert_default().exclusive_maximum = self.number(v, &here, key)
                }
                "multipleOf" => {
                    let m = self.number(v, &here, key).filter(|m| m.to_f64() > 0.0);
                    if m.is_none() {
                        self.bad(here, key, "phải là số dương.", "must be a positive number.");
                    }
                    k.number.get_or_insert_default().multiple_of = m;
                }
                // `$defs` are compiled by `compile`; the rest are annotations.
                _ => {}
            }
        }
        Node::Keywords(Box::new(k))
    }

    fn add(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn count(&mut self, v: &Value, at: &str, key: &str) -> Option<u64> {
        let n = v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        });
        if n.is_none() {
            self.bad(
                at.to_owned(),
                key,
                "phải là số nguyên không âm.",
                "must be a non-negative integer.",
            );
        }
        n
    }

    fn number(&mut self, v: &Value, at: &str, key: &str) -> Option<Num> {
        let n = v.as_number().and_then(Num::of);
        if n.is_none() {
            self.bad(at.to_owned(), key, "phải là số.", "must be a number.");
        }
        n
    }
}

/// JSON equality as JSON Schema defines it: numbers compare by exact value (`1 == 1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (Num::of(x), Num::of(y)) {
            (Some(i), Some(j)) => i.same(j),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// Arrays up to this length are checked for `uniqueItems` pair by pair (quicker than keys).
const PAIRWISE_UP_TO: usize = 16;

/// Whether two of `items` are equal as [`json_eq`] says, in expected linear time: each item is
/// reduced to a [`Key`] and the keys are hashed into a set. Numbers compare exactly, so equal
/// keys mean `json_eq` and the converse.
fn has_duplicates(items: &[Value]) -> bool {
    if items.len() <= PAIRWISE_UP_TO {
        return items
            .iter()
            .enumerate()
            .any(|(i, a)| items[i + 1..].iter().any(|b| json_eq(a, b)));
    }
    let mut seen = HashSet::with_capacity(items.len());
    !items.iter().all(|v| seen.insert(Key::of(v)))
}

/// A value reduced for `uniqueItems`: object members sorted by name, numbers by value.
#[derive(PartialEq, Eq, Hash)]
enum Key<'a> {
    Null,
    Bool(bool),
    /// An integer, or a float with an integral value within `i128` (`-0.0` is `Int(0)`).
    Int(i128),
    /// Any other float, by its bits.
    Float(u64),
    /// A number that is no `f64` (only with serde_json's `arbitrary_precision`): by its text.
    Text(String),
    Str(&'a str),
    Array(Vec<Key<'a>>),
    Object(Vec<(&'a str, Key<'a>)>),
}

impl<'a> Key<'a> {
    fn of(v: &'a Value) -> Key<'a> {
        match v {
            Value::Null => Key::Null,
            Value::Bool(b) => Key::Bool(*b),
            Value::Number(n) => match Num::of(n) {
                Some(Num::Int(i)) => Key::Int(i),
                Some(Num::Float(f)) if f.fract() == 0.0 && f.abs() < 1.7e38 => Key::Int(f as i128),
                Some(Num::Float(f)) => Key::Float(f.to_bits()),
                None => Key::Text(n.to_string()),
            },
            Value::String(s) => Key::Str(s),
            Value::Array(a) => Key::Array(a.iter().map(Key::of).collect()),
            Value::Object(m) => {
                let mut members: Vec<_> = m.iter().map(|(k, v)| (k.as_str(), Key::of(v))).collect();
                members.sort_unstable_by(|a, b| a.0.cmp(b.0));
                Key::Object(members)
            }
        }
    }
}

#[cfg(test)]
mod tests;
