//! A loaded form: the definition, its compiled data schema and an index of its fields.

use crate::admin_units::AdminUnits;
use crate::definition::{AddressMode, Definition, Item, Widget};
use crate::diagnostic::Diagnostic;
use crate::expr::{Expr, Type};
use crate::pointer::{self, instances};
use crate::rules::{self};
use crate::schema::Schema;
use crate::text::Text;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// Where an error sorts: field position in reading order, row indices, pointer.
pub(crate) type OrderKey = (usize, Vec<usize>, String);

/// A calendar day as (year, month, day): today's date, handed in by the caller.
pub type Ymd = (i32, u32, u32);

/// A checked definition, ready to validate data. Built by [`crate::load`].
#[derive(Debug)]
pub struct Form {
    definition: Definition,
    schema: Schema,
    fields: Vec<Field>,
    rules: Vec<ItemRules>,
    /// Indices into `rules` of computed fields, in evaluation order.
    compute_order: Vec<usize>,
    /// Personal ID number fields and the fields their structure must agree with.
    id_checks: Vec<IdCheck>,
    /// Data pointers (`*` for rows) that some rule reads, or that a rule or check is about:
    /// a change there needs the rules re-run.
    watched: HashSet<String>,
    /// Every ancestor of a watched pointer.
    watched_prefixes: HashSet<String>,
    /// Field pointer (`*` for rows) → index in `fields` and `items`.
    field_index: HashMap<String, usize>,
    /// Where the item of each field is in the definition, parallel to `fields`.
    items: Vec<ItemAt>,
    /// The administrative units address fields are checked against, when the caller gave them.
    /// Behind a lock: a browser's form gets a province's communes when it is chosen
    /// ([`Form::add_communes`]).
    admin_units: std::sync::RwLock<Option<Arc<AdminUnits>>>,
    /// What the incremental path of [`crate::FormState`] needs to know of the rules.
    deps: Deps,
    /// The compiled `when` of each prefill binding that has one, by the bound field's pointer.
    prefill_when: HashMap<String, Expr>,
    /// Which sections each field label is found in, for default messages; built the first
    /// time a message needs it ([`Form::message_label`]).
    label_sections: std::sync::OnceLock<labels::LabelSections>,
}

/// The rules' dependencies, indexed for [`crate::FormState::set`]: which rules read a pointer,
/// which rules are about a field.
#[derive(Debug, Default)]
pub(crate) struct Deps {
    /// Data pointer a rule reads (row patterns as `references` gives them) → indices in `rules`.
    reads: HashMap<String, Vec<usize>>,
    /// Field pointer → indices of the rules about it (its own, its section's), in order.
    about: HashMap<String, Vec<usize>>,
    /// Per rule: whether it reads a computed value.
    reads_computed: Vec<bool>,
    /// Computed fields.
    computed: HashSet<String>,
    /// Fields that ID-number, address and file checks read: changes there take the full path.
    checked: HashSet<String>,
    /// Objects that may be dropped from the submission when a field in them is hidden.
    droppable: HashSet<String>,
}

/// The state of one field as its rules and checks make it.
#[derive(Debug, PartialEq)]
pub(crate) struct FieldOutcome {
    pub hidden: bool,
    pub read_only: bool,
    pub required: bool,
    pub errors: Vec<Diagnostic>,
}

/// An `id-number` field (pointer with `*` for rows) and what it is checked against: the date
/// of birth and the sex its item's `idCheck` names — or, without one, the siblings in the same
/// object that look like them (a date field whose name contains "birth", a choice named sex).
#[derive(Debug)]
pub(crate) struct IdCheck {
    id: String,
    birth: Option<String>,
    sex: Option<String>,
    /// The item's own message for every problem (`messages["id-number"]`).
    message: Option<Text>,
}

/// Where an item is in the definition: page, section, item, and column of a table.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ItemAt {
    page: usize,
    section: usize,
    item: usize,
    column: Option<usize>,
}

/// The compiled rules of one item (or of a section, for `visibleIf`).
#[derive(Debug)]
pub(crate) struct ItemRules {
    /// Data pointer of the item (`*` for rows); for a section, the pointers of its items.
    pointers: Vec<String>,
    /// The table whose rows the rules run in (`/members`), if any.
    table: Option<String>,
    visible: Option<Expr>,
    required: Option<Expr>,
    read_only: Option<Expr>,
    compute: Option<Expr>,
    constraints: Vec<(Expr, Text)>,
}

/// What the rules make of some data: the data to submit and everything the UI needs to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// The submission: computed values filled in, hidden fields removed.
    pub data: Value,
    /// Every error, in reading order.
    pub errors: Vec<Diagnostic>,
    /// Data pointers (real row indices) of fields hidden by a rule.
    pub hidden: BTreeSet<String>,
    /// Data pointers of fields that cannot be changed (read-only rule or computed).
    pub read_only: BTreeSet<String>,
    /// Data pointers of fields required by a `requiredIf` rule right now.
    pub required: BTreeSet<String>,
}

impl Evaluation {
    /// Errors for the values `data` holds in fields a rule hides: a submission as sent must not
    /// carry them (the runtime leaves them out; [`Evaluation::data`] has them removed). The
    /// portal's check API, `eform validate` and intake all add these, so that they agree.
    pub fn hidden_values(&self, data: &Value) -> Vec<Diagnostic> {
        self.hidden
            .iter()
            .filter(|p| crate::pointer::get(data, p).is_some())
            .map(|p| {
                Diagnostic::error(
                    p.clone(),
                    "hidden-value",
                    Text::new(
                        "Trường này đang ẩn nên không được có giá trị.",
                        "This field is hidden, so it must have no value.",
                    ),
                )
            })
            .collect()
    }
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

mod checks;
mod deps;
mod evaluate;
mod labels;

use checks::is_filled;
pub use checks::{file_accepted, human_size, row_pattern};

impl Form {
    pub(crate) fn new(definition: Definition, schema: Schema) -> Form {
        let mut form = Form {
            definition,
            schema,
            fields: Vec::new(),
            rules: Vec::new(),
            compute_order: Vec::new(),
            id_checks: Vec::new(),
            watched: HashSet::new(),
            watched_prefixes: HashSet::new(),
            field_index: HashMap::new(),
            items: Vec::new(),
            admin_units: std::sync::RwLock::new(None),
            deps: Deps::default(),
            prefill_when: HashMap::new(),
            label_sections: std::sync::OnceLock::new(),
        };
        let mut fields = Vec::new();
        let mut items = Vec::new();
        for (pi, page) in form.definition.pages.iter().enumerate() {
            for (si, section) in page.sections.iter().enumerate() {
                for (ii, item) in section.items.iter().enumerate() {
                    let at = ItemAt {
                        page: pi,
                        section: si,
                        item: ii,
                        column: None,
                    };
                    form.index(item, at, "", &mut fields, &mut items);
                }
            }
        }
        form.items = items;
        form.field_index = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.pointer.clone(), i))
            .collect();
        form.id_checks = form.id_checks_of(&fields);
        form.fields = fields;
        form.rules = form.compile_rules();
        form.prefill_when = form
            .definition
            .pages
            .iter()
            .flat_map(|p| &p.sections)
            .flat_map(|s| &s.items)
            .filter_map(|i| {
                let when = i.prefill.as_ref()?.when.as_ref();
                Some((i.pointer.clone()?, form.rule(when, None, Type::Bool)?))
            })
            .collect();
        let computed: Vec<usize> = (0..form.rules.len())
            .filter(|&i| form.rules[i].compute.is_some())
            .collect();
        let targets: Vec<String> = computed
            .iter()
            .map(|&i| form.rules[i].pointers[0].clone())
            .collect();
        let deps: Vec<Vec<String>> = computed
            .iter()
            .map(|&i| {
                let mut reads = Vec::new();
                let r = &form.rules[i];
                if let Some(e) = &r.compute {
                    rules::references(
                        e,
                        r.table.as_ref().map(|t| format!("{t}/*")).as_deref(),
                        &mut reads,
                    );
                }
                reads
            })
            .collect();
        // Loading refused cycles, so the order exists.
        form.watched = form
            .watched_pointers()
            .into_iter()
            .map(|w| w.replace("/*", ""))
            .collect();
        for w in &form.watched {
            let mut p = w.as_str();
            while let Some((head, _)) = p.rsplit_once('/') {
                form.watched_prefixes.insert(head.to_owned());
                p = head;
            }
        }
        form.compute_order = rules::order(&targets, &deps)
            .map(|o| o.into_iter().map(|k| computed[k]).collect())
            .unwrap_or_default();
        form.deps = form.index_deps(targets.into_iter().collect());
        form
    }

    fn index(
        &self,
        item: &Item,
        at: ItemAt,
        prefix: &str,
        out: &mut Vec<Field>,
        items: &mut Vec<ItemAt>,
    ) {
        let (Some(ptr), Some(label)) = (&item.pointer, &item.label) else {
            return;
        };
        let pointer = format!("{prefix}{ptr}");
        items.push(at);
        out.push(Field {
            required: self.is_required(&pointer),
            pointer: pointer.clone(),
            label: label.clone(),
            widget: item.widget,
            page: at.page,
        });
        // Tables do not nest (loading refuses it): columns are one level down.
        if at.column.is_none() {
            for (ci, col) in item.columns.iter().enumerate() {
                let col_at = ItemAt {
                    column: Some(ci),
                    ..at
                };
                self.index(col, col_at, &format!("{pointer}/*"), out, items);
            }
        }
    }

    /// The item at a place of the definition.
    fn item_at(&self, at: ItemAt) -> &Item {
        let item = &self.definition.pages[at.page].sections[at.section].items[at.item];
        match at.column {
            Some(c) => &item.columns[c],
            None => item,
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

    /// Checks address fields against `units` from now on (without, only the shape of the codes
    /// is checked).
    pub fn with_admin_units(self, units: Arc<AdminUnits>) -> Form {
        *self
            .admin_units
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(units);
        self
    }

    /// The administrative units given with [`Form::with_admin_units`], with the communes added
    /// since.
    pub fn admin_units(&self) -> Option<Arc<AdminUnits>> {
        self.admin_units
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Adds a province's communes to the units of a form given a list without them
    /// ([`AdminUnitsFile::provinces_only`](crate::admin_units::AdminUnitsFile::provinces_only)):
    /// its addresses are checked against them from now on. Whether they were added (the form
    /// has units, which name that province).
    pub fn add_communes(&self, province: crate::admin_units::Province) -> bool {
        let mut units = self
            .admin_units
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match units.as_ref().and_then(|u| u.with_communes(province)) {
            Some(Ok(more)) => {
                *units = Some(Arc::new(more));
                true
            }
            _ => false,
        }
    }

    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// Frees the data schema's JSON, which the form no longer needs once loaded: its checks use
    /// the compiled [`Form::schema`]. `definition().data_schema` is `null` afterwards. For a
    /// runtime that fills the form and never shows or edits its schema (the browser's): on a
    /// form of 1,000 fields the JSON is a quarter of what the form holds.
    pub fn drop_schema_json(&mut self) {
        self.definition.data_schema = serde_json::Value::Null;
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The fields in reading order (table columns follow their table).
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Whether some field needs the administrative units: an address in Viet Nam or a
    /// province (an address abroad does not).
    pub fn uses_admin_units(&self) -> bool {
        self.fields.iter().zip(&self.items).any(|(f, &at)| {
            f.widget == Widget::Address && self.item_at(at).mode != AddressMode::Foreign
        })
    }

    /// The field that edits the data at `data_pointer` (row indices match `*`).
    pub fn field_for(&self, data_pointer: &str) -> Option<&Field> {
        self.field_index
            .get(&row_pattern(data_pointer))
            .map(|&i| &self.fields[i])
    }

    /// Every file value of `data` (the objects `{name, size, type, sha256?}` of file fields,
    /// one per file of a multi-file field, rows expanded), with its data pointer, in reading
    /// order. The portal uses it to tie uploaded files to a dossier.
    pub fn file_values<'a>(&self, data: &'a Value) -> Vec<(String, &'a Value)> {
        let mut out = Vec::new();
        for field in self.fields.iter().filter(|f| f.widget == Widget::File) {
            for ptr in instances(&field.pointer, data) {
                match pointer::get(data, &ptr) {
                    Some(Value::Array(files)) => out.extend(
                        files
                            .iter()
                            .enumerate()
                            .map(|(i, f)| (format!("{ptr}/{i}"), f)),
                    ),
                    Some(f) => out.push((ptr, f)),
                    None => {}
                }
            }
        }
        out
    }

    /// Whether any rule is about the field at `data_pointer` (its own or its section's; row
    /// indices match `*`): if not, its hidden, read-only and conditionally required states
    /// never change while the form is filled in.
    pub fn is_ruled(&self, data_pointer: &str) -> bool {
        self.deps.about.contains_key(&row_pattern(data_pointer))
    }

    /// The item that edits the data at `data_pointer`.
    pub fn item_for(&self, data_pointer: &str) -> Option<&Item> {
        self.field_index
            .get(&row_pattern(data_pointer))
            .map(|&i| self.item_at(self.items[i]))
    }

    /// Validates `data` as of `today`: every error, located by data pointer, in the form's
    /// reading order, with the item's own message where the definition gives one.
    pub fn validate(&self, data: &Value, today: Ymd) -> Vec<Diagnostic> {
        self.evaluate(data, today).errors
    }
}
