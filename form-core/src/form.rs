//! A loaded form: the definition, its compiled data schema and an index of its fields.

use crate::admin_units::{AdminUnits, address_problem};
use crate::definition::{AddressMode, Definition, Item, Widget};
use crate::diagnostic::Diagnostic;
use crate::expr::{Env, Expr, Type, eval};
use crate::messages;
use crate::pointer::{self, instances};
use crate::rules::{self, SchemaScope};
use crate::schema::{ErrorKind, Schema, SchemaError};
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
    admin_units: Option<Arc<AdminUnits>>,
    /// What the incremental path of [`crate::FormState`] needs to know of the rules.
    deps: Deps,
    /// The compiled `when` of each prefill binding that has one, by the bound field's pointer.
    prefill_when: HashMap<String, Expr>,
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
struct IdCheck {
    id: String,
    birth: Option<String>,
    sex: Option<String>,
    /// The item's own message for every problem (`messages["id-number"]`).
    message: Option<Text>,
}

/// Where an item is in the definition: page, section, item, and column of a table.
#[derive(Clone, Copy, Debug)]
struct ItemAt {
    page: usize,
    section: usize,
    item: usize,
    column: Option<usize>,
}

/// The compiled rules of one item (or of a section, for `visibleIf`).
#[derive(Debug)]
struct ItemRules {
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
            admin_units: None,
            deps: Deps::default(),
            prefill_when: HashMap::new(),
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

    fn index_deps(&self, computed: HashSet<String>) -> Deps {
        let mut deps = Deps {
            computed,
            ..Deps::default()
        };
        for (i, r) in self.rules.iter().enumerate() {
            let row = r.table.as_ref().map(|t| format!("{t}/*"));
            let mut reads = Vec::new();
            for e in [&r.visible, &r.required, &r.read_only, &r.compute]
                .into_iter()
                .flatten()
                .chain(r.constraints.iter().map(|(e, _)| e))
            {
                rules::references(e, row.as_deref(), &mut reads);
            }
            reads.sort();
            reads.dedup();
            deps.reads_computed.push(
                reads
                    .iter()
                    .any(|p| deps.computed.iter().any(|c| rules::depends_on(p, c))),
            );
            for p in reads {
                deps.reads.entry(p).or_default().push(i);
            }
            for p in &r.pointers {
                deps.about.entry(p.clone()).or_default().push(i);
            }
        }
        // Objects that `drop_emptied_parents` may remove when a field in them is hidden: a
        // change anywhere below them can change errors elsewhere in them.
        for r in self.rules.iter().filter(|r| r.visible.is_some()) {
            for p in &r.pointers {
                let mut cur = p.as_str();
                while let Some((parent, _)) = cur.rsplit_once('/') {
                    if parent.is_empty()
                        || parent.ends_with("/*")
                        || self.required_in_parent(parent)
                    {
                        break;
                    }
                    deps.droppable.insert(parent.to_owned());
                    cur = parent;
                }
            }
        }
        for c in &self.id_checks {
            deps.checked.insert(c.id.clone());
            deps.checked.extend(c.birth.iter().cloned());
            deps.checked.extend(c.sex.iter().cloned());
        }
        for f in &self.fields {
            if matches!(f.widget, Widget::Address | Widget::File) {
                deps.checked.insert(f.pointer.clone());
            }
        }
        deps
    }

    /// Whether the schema lists the member at `ptr` (`*` for rows) as `required` in its object.
    fn required_in_parent(&self, ptr: &str) -> bool {
        let Some((parent, name)) = ptr.rsplit_once('/') else {
            return false;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        self.schema
            .resolve(&parent.replace("/*", "/0"))
            .is_some_and(|v| v.required().contains(&name))
    }

    /// Whether every object from the root down to `ptr` is `required` in its parent, so that none
    /// is ever dropped from the submission.
    fn required_chain(&self, ptr: &str) -> bool {
        let mut cur = ptr;
        while !cur.is_empty() {
            if !self.required_in_parent(cur) {
                return false;
            }
            cur = cur.rsplit_once('/').map_or("", |(head, _)| head);
        }
        true
    }

    /// Whether an object above `ptr` may be dropped when a field in it is hidden.
    pub(crate) fn under_droppable(&self, ptr: &str) -> bool {
        let mut cur = ptr;
        while let Some((head, _)) = cur.rsplit_once('/') {
            if head.is_empty() {
                return false;
            }
            if self.deps.droppable.contains(&row_pattern(head)) {
                return true;
            }
            cur = head;
        }
        false
    }

    /// The fields whose state a change of the scalar at `ptr` can change, when they can be
    /// brought up to date one by one ([`Form::field_outcome`]): `ptr` itself and the fields of
    /// the rules that read it. `None` when the change needs the rules re-run on the whole form
    /// (computed values, tables, ID-number/address/file checks, groups).
    pub(crate) fn affected_fields(
        &self,
        ptr: &str,
        raw: &Value,
        hidden: &BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if ptr.matches('/').count() > 16 || row_pattern(ptr) != ptr {
            return None;
        }
        let mut fields = vec![ptr.to_owned()];
        let mut cur = ptr;
        while !cur.is_empty() {
            if self.deps.checked.contains(cur) || self.deps.computed.contains(cur) {
                return None;
            }
            for &i in self.deps.reads.get(cur).into_iter().flatten() {
                let r = &self.rules[i];
                if r.table.is_some() || r.compute.is_some() {
                    return None;
                }
                fields.extend(r.pointers.iter().cloned());
            }
            cur = cur.rsplit_once('/').map_or("", |(head, _)| head);
        }
        fields.sort();
        fields.dedup();
        for f in &fields {
            let simple = self.field_for(f).is_some_and(|field| {
                !matches!(
                    field.widget,
                    Widget::Table | Widget::MultiSelect | Widget::Address | Widget::File
                )
            });
            let scalar = pointer::get(raw, f).is_none_or(|v| !v.is_object() && !v.is_array());
            let rules_simple = self.deps.about.get(f).into_iter().flatten().all(|&i| {
                self.rules[i].table.is_none()
                    && self.rules[i].compute.is_none()
                    && !self.deps.reads_computed[i]
            });
            // An object left empty by hiding is dropped (see `drop_emptied_parents`), which
            // changes its other fields' errors: only fields directly in the root, or in an
            // object that is required all the way up, can change visibility alone.
            let parent = f.rsplit_once('/').map_or("", |(head, _)| head);
            let parent_stays = self.required_chain(parent);
            let ancestor_hidden = hidden.iter().any(|h| f.starts_with(&format!("{h}/")));
            let nested = {
                let mut c = parent;
                let mut any = false;
                while !c.is_empty() {
                    any |= self.field_index.contains_key(c);
                    c = c.rsplit_once('/').map_or("", |(head, _)| head);
                }
                any
            };
            if !simple
                || !scalar
                || !rules_simple
                || !parent_stays
                || ancestor_hidden
                || nested
                || self.deps.checked.contains(f)
                || self.deps.computed.contains(f)
                || !self.schema.is_local(f)
            {
                return None;
            }
        }
        Some(fields)
    }

    /// One field's visibility, read-only state, requiredness and errors, as [`Form::evaluate`]
    /// would give them, for a field that [`Form::affected_fields`] accepted. `raw` is the data as
    /// entered.
    pub(crate) fn field_outcome(&self, f: &str, raw: &Value, today: Ymd) -> FieldOutcome {
        let env = Env {
            data: raw,
            row: None,
            prev: None,
            today,
        };
        let rules: Vec<&ItemRules> = self
            .deps
            .about
            .get(f)
            .into_iter()
            .flatten()
            .map(|&i| &self.rules[i])
            .collect();
        let hidden = rules
            .iter()
            .filter_map(|r| r.visible.as_ref())
            .any(|e| !eval(e, &env).is_true());
        let read_only = rules
            .iter()
            .filter_map(|r| r.read_only.as_ref())
            .any(|e| eval(e, &env).is_true());
        let required_now = rules
            .iter()
            .filter_map(|r| r.required.as_ref())
            .any(|e| eval(e, &env).is_true());
        let mut out = FieldOutcome {
            hidden,
            read_only,
            required: required_now && !hidden,
            errors: Vec::new(),
        };
        if hidden {
            return out;
        }
        let value = pointer::get(raw, f);
        let mut errors: Vec<SchemaError> = match value {
            Some(v) => self.schema.validate_at(f, v).unwrap_or_default(),
            None if self.required_effective(raw, f) => vec![SchemaError {
                instance: f.to_owned(),
                kind: ErrorKind::Required,
            }],
            None => Vec::new(),
        };
        let filled = value.is_some_and(is_filled);
        if required_now && !filled && errors.is_empty() {
            errors.push(SchemaError {
                instance: f.to_owned(),
                kind: ErrorKind::Required,
            });
        }
        out.errors = errors.into_iter().map(|e| self.diagnostic(e)).collect();
        let missing = out.errors.iter().any(|d| d.code == "required");
        if !missing {
            for r in &rules {
                for (e, message) in &r.constraints {
                    if eval(e, &env) == crate::expr::Val::Bool(false) {
                        out.errors
                            .push(Diagnostic::error(f, "constraint", message.clone()));
                    }
                }
            }
        }
        out
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

    /// A field's label as default messages name it, as written and within a sentence
    /// ([`messages::clean_label`], [`messages::in_sentence`]), with its section's title (or its
    /// page's) when a field of another section has the same label: "Enter full name (The
    /// woman)" and "… (The man)" on a declaration by two parties.
    pub(crate) fn message_label(&self, field: &Field) -> (Text, Text) {
        let clean =
            |t: &Text| Text::new(messages::clean_label(&t.vi), messages::clean_label(&t.en));
        let label = clean(&field.label);
        let mut inside = Text::new(
            messages::in_sentence(&label.vi),
            messages::in_sentence(&label.en),
        );
        let mut label = label;
        let Some(at) = self.field_index.get(&field.pointer).map(|&i| self.items[i]) else {
            return (label, inside);
        };
        // Per language: two labels may differ in one and not in the other.
        let others: Vec<Text> = self
            .fields
            .iter()
            .zip(&self.items)
            .filter(|(_, other)| (other.page, other.section) != (at.page, at.section))
            .map(|(g, _)| clean(&g.label))
            .collect();
        let page = &self.definition.pages[at.page];
        let title = clean(
            page.sections[at.section]
                .title
                .as_ref()
                .unwrap_or(&page.title),
        );
        if others.iter().any(|o| o.vi == label.vi) {
            label.vi = format!("{} ({})", label.vi, title.vi);
            inside.vi = format!("{} ({})", inside.vi, title.vi);
        }
        if others.iter().any(|o| o.en == label.en) {
            label.en = format!("{} ({})", label.en, title.en);
            inside.en = format!("{} ({})", inside.en, title.en);
        }
        (label, inside)
    }

    /// Fields whose default message for a missing value would read badly — the label is long
    /// (more than 120 characters: a sentence, not a name) or addresses someone ("Kính gửi …", "To …") — and that have no
    /// message of their own: a warning at the label, quoting the message, for `eform check` and
    /// the builder.
    #[cfg(feature = "meta-schema")]
    pub(crate) fn message_warnings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for (f, &at) in self.fields.iter().zip(&self.items) {
            let item = self.item_at(at);
            // An address's parts are required once any is given, whether or not the address is.
            let may_be_required =
                f.required || item.required_if.is_some() || f.widget == Widget::Address;
            if !may_be_required || item.compute.is_some() || f.widget == Widget::Checkbox {
                continue;
            }
            let own = match f.widget {
                Widget::Address => item
                    .mode
                    .parts()
                    .1
                    .iter()
                    .all(|p| item.messages.contains_key(*p)),
                _ => item.messages.contains_key("required"),
            };
            if own {
                continue;
            }
            let (clean, inside) = self.message_label(f);
            let long = |t: &str| messages::clean_label(t).chars().count() > 120;
            let addressing = clean.vi.starts_with("Kính gửi")
                || clean.en.starts_with("To (")
                || clean.en.starts_with("To:");
            if !(long(&f.label.vi) || long(&f.label.en) || addressing) {
                continue;
            }
            let would = match f.widget {
                Widget::Address if item.mode == AddressMode::Foreign => Text::new(
                    format!("Vui lòng chọn quốc gia của {}.", inside.vi),
                    format!("Select the country of {}.", inside.en),
                ),
                Widget::Address => Text::new(
                    format!("Vui lòng chọn tỉnh, thành phố của {}.", inside.vi),
                    format!("Select the province or city of {}.", inside.en),
                ),
                _ => messages::required(f.widget, &clean, &inside),
            };
            let mut ptr = format!(
                "/pages/{}/sections/{}/items/{}",
                at.page, at.section, at.item
            );
            if let Some(c) = at.column {
                ptr.push_str(&format!("/columns/{c}"));
            }
            let key = if f.widget == Widget::Address {
                "messages.province …"
            } else {
                "messages.required"
            };
            out.push(Diagnostic::warning(
                format!("{ptr}/label"),
                "default-message",
                Text::new(
                    format!("Khi thiếu, thông báo mặc định sẽ là “{}” — nên đặt {key} cho trường này, hoặc rút gọn nhãn.", would.vi),
                    format!("When it is missing, the default message would read “{}”: give the item its own {key}, or a shorter label.", would.en),
                ),
            ));
        }
        out
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
    pub fn with_admin_units(mut self, units: Arc<AdminUnits>) -> Form {
        self.admin_units = Some(units);
        self
    }

    /// The administrative units given with [`Form::with_admin_units`].
    pub fn admin_units(&self) -> Option<&AdminUnits> {
        self.admin_units.as_deref()
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

    fn watched_pointers(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rules {
            let row = r.table.as_ref().map(|t| format!("{t}/*"));
            let exprs = [&r.visible, &r.required, &r.read_only, &r.compute]
                .into_iter()
                .flatten()
                .chain(r.constraints.iter().map(|(e, _)| e));
            for e in exprs {
                rules::references(e, row.as_deref(), &mut out);
            }
            // The fields a rule is about: their errors depend on more than their own value.
            out.extend(r.pointers.iter().cloned());
        }
        // Address and file checks read the whole object.
        out.extend(
            self.fields
                .iter()
                .filter(|f| matches!(f.widget, Widget::Address | Widget::File))
                .map(|f| f.pointer.clone()),
        );
        for c in &self.id_checks {
            out.push(c.id.clone());
            out.extend(c.birth.iter().cloned());
            out.extend(c.sex.iter().cloned());
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether changing the data at `ptr` may change anything beyond that field's own schema
    /// errors: a rule reads it, a check is about it, or it is computed.
    pub(crate) fn has_dependents(&self, ptr: &str) -> bool {
        if self.under_droppable(ptr) {
            return true;
        }
        // Rows do not matter (`*` is dropped on both sides): a watched pointer depends on `ptr`
        // when one is the other or contains it.
        let p = row_pattern(ptr).replace("/*", "");
        if self.watched_prefixes.contains(&p) {
            return true;
        }
        let mut cur = p.as_str();
        loop {
            if self.watched.contains(cur) {
                return true;
            }
            match cur.rsplit_once('/') {
                Some((head, _)) if !head.is_empty() => cur = head,
                _ => return false,
            }
        }
    }

    /// Whether a missing value at `ptr` is an error: it is `required` in its object, and that
    /// object exists or is itself required all the way up (the expansion of [`Form::validate`]).
    pub(crate) fn required_effective(&self, data: &Value, ptr: &str) -> bool {
        let Some((parent, name)) = ptr.rsplit_once('/') else {
            return false;
        };
        let name = name.replace("~1", "/").replace("~0", "~");
        let listed = self
            .schema
            .resolve(parent)
            .is_some_and(|v| v.required().contains(&name));
        listed
            && (pointer::get(data, parent).is_some_and(Value::is_object)
                || (parent.is_empty())
                || self.required_effective(data, parent))
    }

    /// Compiles one rule (loading has checked it, its patterns counted with the definition's;
    /// a rule that does not compile is dropped).
    fn rule(&self, src: Option<&String>, row: Option<&str>, want: Type) -> Option<Expr> {
        let scope = SchemaScope {
            schema: &self.schema,
            row: row.map(str::to_owned),
        };
        let mut patterns = crate::pattern::Budget::default();
        src.and_then(|s| rules::compile(s, &scope, &want, &mut patterns).ok())
    }

    /// Whether the prefill binding of the field at `ptr` is in force for `data` as of `today`:
    /// it has no `when`, or its `when` is true (empty is not).
    pub fn prefill_applies(&self, ptr: &str, data: &Value, today: Ymd) -> bool {
        let Some(e) = self.prefill_when.get(ptr) else {
            return true;
        };
        let env = Env {
            data,
            row: None,
            prev: None,
            today,
        };
        eval(e, &env).is_true()
    }

    fn item_rules(&self, item: &Item, table: Option<&str>, out: &mut Vec<ItemRules>) {
        let Some(ptr) = &item.pointer else { return };
        let row = table.map(|t| format!("{t}/*"));
        let row = row.as_deref();
        let full = format!("{}{ptr}", row.unwrap_or(""));
        let want = self
            .schema
            .resolve(&full.replace("/*", "/0"))
            .map_or(Type::Any, rules::type_of);
        let r = ItemRules {
            pointers: vec![full.clone()],
            table: table.map(str::to_owned),
            visible: self.rule(item.visible_if.as_ref(), row, Type::Bool),
            required: self.rule(item.required_if.as_ref(), row, Type::Bool),
            read_only: self.rule(item.read_only_if.as_ref(), row, Type::Bool),
            compute: self.rule(item.compute.as_ref(), row, want),
            constraints: item
                .constraints
                .iter()
                .filter_map(|c| {
                    self.rule(Some(&c.rule), row, Type::Bool)
                        .map(|e| (e, c.message.clone()))
                })
                .collect(),
        };
        let any = r.visible.is_some()
            || r.required.is_some()
            || r.read_only.is_some()
            || r.compute.is_some()
            || !r.constraints.is_empty();
        if any {
            out.push(r);
        }
        if item.widget == Widget::Table {
            for col in &item.columns {
                self.item_rules(col, Some(&full), out);
            }
        }
    }

    fn compile_rules(&self) -> Vec<ItemRules> {
        let mut out = Vec::new();
        for section in self.definition.pages.iter().flat_map(|p| &p.sections) {
            if section.visible_if.is_some() {
                out.push(ItemRules {
                    pointers: section
                        .items
                        .iter()
                        .filter_map(|i| i.pointer.clone())
                        .collect(),
                    table: None,
                    visible: self.rule(section.visible_if.as_ref(), None, Type::Bool),
                    required: None,
                    read_only: None,
                    compute: None,
                    constraints: Vec::new(),
                });
            }
            for item in &section.items {
                self.item_rules(item, None, &mut out);
            }
        }
        out
    }

    /// Runs the rules on `data` as of `today`: computes values, decides what shows, and
    /// validates what would be submitted.
    pub fn evaluate(&self, data: &Value, today: Ymd) -> Evaluation {
        let mut work = data.clone();
        let mut out = Evaluation::default();
        // 1. Computed values, each after those it reads.
        for &i in &self.compute_order {
            let r = &self.rules[i];
            let Some(e) = &r.compute else { continue };
            for (ptr, value) in self.each_row(r, &work, today, |e2, env| eval(e2, env).to_json(), e)
            {
                if value.is_null() {
                    pointer::remove(&mut work, &ptr);
                } else {
                    pointer::set(&mut work, &ptr, value);
                }
                out.read_only.insert(ptr);
            }
        }
        // 2. Visibility, read-only and conditional requiredness, on the computed data.
        let mut required_now = Vec::new();
        let mut failed = Vec::new();
        for r in &self.rules {
            if let Some(e) = &r.visible {
                for (ptr, shown) in
                    self.each_row(r, &work, today, |e2, env| eval(e2, env).is_true(), e)
                {
                    if !shown {
                        out.hidden.insert(ptr);
                    }
                }
            }
            if let Some(e) = &r.read_only {
                for (ptr, ro) in
                    self.each_row(r, &work, today, |e2, env| eval(e2, env).is_true(), e)
                {
                    if ro {
                        out.read_only.insert(ptr);
                    }
                }
            }
            if let Some(e) = &r.required {
                for (ptr, req) in
                    self.each_row(r, &work, today, |e2, env| eval(e2, env).is_true(), e)
                {
                    if req {
                        required_now.push(ptr);
                    }
                }
            }
            for (e, message) in &r.constraints {
                for (ptr, ok) in self.each_row(
                    r,
                    &work,
                    today,
                    |e2, env| eval(e2, env) != crate::expr::Val::Bool(false),
                    e,
                ) {
                    if !ok {
                        failed.push((ptr, message.clone()));
                    }
                }
            }
        }
        // 3. The submission: hidden fields are not sent.
        let is_hidden = |p: &str| {
            out.hidden
                .iter()
                .any(|h| p == h || p.starts_with(&format!("{h}/")))
        };
        for h in &out.hidden {
            pointer::remove(&mut work, h);
            self.drop_emptied_parents(&mut work, h);
        }
        // 4. Errors: the schema's, then the rules'.
        let mut errors = Vec::new();
        for e in self.schema.validate(&work) {
            self.expand_required(e, &mut errors);
        }
        errors.retain(|e| !is_hidden(&e.instance));
        for ptr in required_now {
            if is_hidden(&ptr) {
                continue;
            }
            let filled = pointer::get(&work, &ptr).is_some_and(is_filled);
            out.required.insert(ptr.clone());
            if !filled && !errors.iter().any(|e| e.instance == ptr) {
                errors.push(SchemaError {
                    instance: ptr,
                    kind: ErrorKind::Required,
                });
            }
        }
        errors.sort_by_cached_key(|e| self.order_key(&e.instance));
        let mut diags: Vec<(Diagnostic, OrderKey)> = errors
            .into_iter()
            .map(|e| (self.order_key(&e.instance), e))
            .map(|(k, e)| (self.diagnostic(e), k))
            .collect();
        let id_problems = self
            .id_problems(&work, today)
            .into_iter()
            .map(|(p, m)| (p, "id-number", m));
        // One message per field: a missing value is the error to fix first, so a constraint
        // that also fails on the empty field (`count(members) >= 1`) is not reported beside it.
        let missing: HashSet<String> = diags
            .iter()
            .filter(|(d, _)| d.code == "required")
            .map(|(d, _)| d.pointer.clone())
            .collect();
        for (ptr, code, message) in id_problems
            .chain(self.compound_problems(&work))
            .chain(failed.into_iter().map(|(p, m)| (p, "constraint", m)))
        {
            // The address list is checked only on codes of the right shape.
            let shape_failed = code == "address" && diags.iter().any(|(d, _)| d.pointer == ptr);
            if !is_hidden(&ptr) && !missing.contains(&ptr) && !shape_failed {
                let key = self.order_key(&ptr);
                diags.push((Diagnostic::error(ptr, code, message), key));
            }
        }
        diags.sort_by(|a, b| a.1.cmp(&b.1));
        out.errors = diags.into_iter().map(|(d, _)| d).collect();
        out.data = work;
        out
    }

    /// After a hidden field is removed, its object may be left empty (`"father": {}` when the
    /// father's section is hidden): such an object is not submitted either, unless the schema
    /// requires it.
    fn drop_emptied_parents(&self, data: &mut Value, removed: &str) {
        let mut cur = removed;
        while let Some((parent, _)) = cur.rsplit_once('/') {
            if parent.is_empty()
                || !pointer::get(data, parent)
                    .is_some_and(|v| v.as_object().is_some_and(|m| m.is_empty()))
            {
                return;
            }
            let Some((grand, name)) = parent.rsplit_once('/') else {
                return;
            };
            let name = name.replace("~1", "/").replace("~0", "~");
            let required = self
                .schema
                .resolve(grand)
                .is_some_and(|v| v.required().contains(&name));
            if required || pointer::index(&name).is_some() {
                return;
            }
            pointer::remove(data, parent);
            cur = parent;
        }
    }

    /// Evaluates `e` once (top-level item) or once per row (column of a table): the item's data
    /// pointer with real row indices, and the result.
    fn each_row<T>(
        &self,
        r: &ItemRules,
        data: &Value,
        today: Ymd,
        f: impl Fn(&Expr, &Env<'_>) -> T,
        e: &Expr,
    ) -> Vec<(String, T)> {
        match &r.table {
            None => {
                let env = Env {
                    data,
                    row: None,
                    prev: None,
                    today,
                };
                r.pointers.iter().map(|p| (p.clone(), f(e, &env))).collect()
            }
            Some(_) if r.pointers.is_empty() => Vec::new(),
            Some(table) => {
                let rows = pointer::get(data, table)
                    .and_then(Value::as_array)
                    .map_or(&[][..], Vec::as_slice);
                rows.iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let env = Env {
                            data,
                            row: Some(row),
                            prev: i.checked_sub(1).map(|j| &rows[j]),
                            today,
                        };
                        (
                            r.pointers[0].replacen("/*", &format!("/{i}"), 1),
                            f(e, &env),
                        )
                    })
                    .collect()
            }
        }
    }

    /// A missing required *group* (say `/applicant` when nothing was typed) is reported as its
    /// missing required fields, so that every error points at something the citizen can fill.
    /// The verdict is unchanged: the data is invalid either way.
    fn expand_required(&self, e: SchemaError, out: &mut Vec<SchemaError>) {
        if e.instance.matches('/').count() > 32 {
            out.push(e);
            return;
        }
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

    pub(crate) fn diagnostic(&self, e: SchemaError) -> Diagnostic {
        let keyword = e.kind.keyword();
        let custom = self
            .item_for(&e.instance)
            .and_then(|item| item.messages.get(keyword))
            .cloned();
        let address_part = e.instance.rsplit_once('/').and_then(|(parent, name)| {
            self.field_for(parent)
                .filter(|f| f.widget == Widget::Address)
                .map(|f| (f, name))
        });
        if let (ErrorKind::Required, Some((f, part))) = (&e.kind, address_part) {
            // The designer's own words for a missing part: messages["province"|"commune"|"street"].
            let own = e
                .instance
                .rsplit_once('/')
                .and_then(|(parent, _)| self.item_for(parent))
                .and_then(|item| item.messages.get(part))
                .cloned();
            if let Some(message) = own {
                return Diagnostic::error(e.instance, keyword, message);
            }
            let (_, inside) = self.message_label(f);
            let (vi, en) = (inside.vi, inside.en);
            let message = match part {
                "country" => Text::new(
                    format!("Vui lòng chọn quốc gia của {vi}."),
                    format!("Select the country of {en}."),
                ),
                "text" => Text::new(format!("Vui lòng nhập {vi}."), format!("Enter {en}.")),
                "province" => Text::new(
                    format!("Vui lòng chọn tỉnh, thành phố của {vi}."),
                    format!("Select the province or city of {en}."),
                ),
                "commune" => Text::new(
                    format!("Vui lòng chọn xã, phường của {vi}."),
                    format!("Select the commune or ward of {en}."),
                ),
                _ => Text::new(
                    format!("Vui lòng nhập số nhà, đường, thôn, tổ của {vi}."),
                    format!("Enter the house number and street, or hamlet, of {en}."),
                ),
            };
            return Diagnostic::error(e.instance, keyword, message);
        }
        let message = custom.unwrap_or_else(|| match (&e.kind, self.field_for(&e.instance)) {
            // "Enter full name" reads better than a bare "Enter this information".
            (ErrorKind::Required, Some(f)) => {
                let (clean, inside) = self.message_label(f);
                messages::required(f.widget, &clean, &inside)
            }
            // The citizen sees option labels, not the values behind them.
            (ErrorKind::Enum(_), Some(f))
                if matches!(
                    f.widget,
                    Widget::Select | Widget::Radio | Widget::MultiSelect
                ) =>
            {
                let options = &self
                    .item_at(self.items[self.field_index[&f.pointer]])
                    .options;
                if options.len() <= 6 {
                    let list = |lang| {
                        options
                            .iter()
                            .map(|o| o.label.get(lang))
                            .collect::<Vec<_>>()
                            .join("; ")
                    };
                    Text::new(
                        format!("Vui lòng chọn một trong: {}.", list(crate::Lang::Vi)),
                        format!("Choose one of: {}.", list(crate::Lang::En)),
                    )
                } else {
                    let (_, inside) = self.message_label(f);
                    Text::new(
                        format!("Vui lòng chọn {} trong danh sách.", inside.vi),
                        format!("Choose {} from the list.", inside.en),
                    )
                }
            }
            _ => messages::for_error(&e.kind),
        });
        Diagnostic::error(e.instance, keyword, message)
    }

    /// Sort key: the field's position in reading order, then the row.
    /// Sort key of an error: the position of its field in reading order (the field itself, else
    /// the nearest field above it), the row indices, then the pointer.
    pub(crate) fn order_key(&self, instance: &str) -> OrderKey {
        let pattern = row_pattern(instance);
        let mut cur = pattern.as_str();
        let pos = loop {
            if let Some(&i) = self.field_index.get(cur) {
                break Some(i);
            }
            match cur.rsplit_once('/') {
                Some((head, _)) if !head.is_empty() => cur = head,
                _ => break None,
            }
        };
        let tokens = pointer::parse(instance).unwrap_or_default();
        let mut rows: Vec<usize> = tokens.iter().filter_map(|t| t.parse().ok()).collect();
        // Screen order: a table's cells row by row (then column by column), after the table's
        // own errors; an address's parts as drawn (province, commune, street).
        let mut pos = pos.unwrap_or(usize::MAX);
        if let Some((table, _)) = pattern.split_once("/*")
            && let Some(&t) = self.field_index.get(table)
        {
            rows.push(pos);
            pos = t;
        }
        let part = match tokens.last().map(String::as_str) {
            Some("province" | "country") => Some(0),
            Some("commune" | "text") => Some(1),
            Some("street") => Some(2),
            _ => None,
        };
        let parent = instance.rsplit_once('/').map_or("", |(head, _)| head);
        if let Some(rank) = part
            && self
                .field_for(&row_pattern(parent))
                .is_some_and(|f| f.widget == Widget::Address)
        {
            rows.push(rank);
        }
        (pos, rows, instance.to_owned())
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

impl Form {
    /// The `id-number` fields and what each is checked against (see [`IdCheck`]).
    fn id_checks_of(&self, fields: &[Field]) -> Vec<IdCheck> {
        let parent = |p: &str| {
            p.rsplit_once('/')
                .map_or(String::new(), |(a, _)| a.to_owned())
        };
        let key = |p: &str| crate::text::lower(p.rsplit('/').next().unwrap_or(""));
        let mut by_parent: HashMap<String, Vec<&Field>> = HashMap::new();
        for f in fields {
            by_parent.entry(parent(&f.pointer)).or_default().push(f);
        }
        fields
            .iter()
            .zip(&self.items)
            .filter(|(f, _)| f.widget == Widget::IdNumber)
            .map(|(f, &at)| {
                let item = self.item_at(at);
                let message = item.messages.get("id-number").cloned();
                if let Some(spec) = &item.id_check {
                    // Written as the item's pointer is: inside a table, relative to the row.
                    let prefix = match at.column {
                        Some(_) => format!(
                            "{}/*",
                            self.definition.pages[at.page].sections[at.section].items[at.item]
                                .pointer
                                .as_deref()
                                .unwrap_or_default()
                        ),
                        None => String::new(),
                    };
                    return IdCheck {
                        id: f.pointer.clone(),
                        birth: spec.date_of_birth.as_ref().map(|p| format!("{prefix}{p}")),
                        sex: spec.sex.as_ref().map(|p| format!("{prefix}{p}")),
                        message,
                    };
                }
                let siblings = by_parent
                    .get(&parent(&f.pointer))
                    .map_or(&[][..], Vec::as_slice);
                IdCheck {
                    id: f.pointer.clone(),
                    birth: siblings
                        .iter()
                        .find(|g| g.widget == Widget::Date && key(&g.pointer).contains("birth"))
                        .map(|g| g.pointer.clone()),
                    sex: siblings
                        .iter()
                        .find(|g| {
                            matches!(g.widget, Widget::Radio | Widget::Select)
                                && ["sex", "gender", "gioitinh"].contains(&key(&g.pointer).as_str())
                        })
                        .map(|g| g.pointer.clone()),
                    message,
                }
            })
            .collect()
    }
}

/// Whether a value counts as filled for `requiredIf`, as `filled()` counts it in rules: not
/// empty, not blank text, not an empty list.
fn is_filled(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Whether a file (its name and media type) is one of `accept`: extensions (`.pdf`), media
/// types (`application/pdf`) or families (`image/*`), compared without case.
pub fn file_accepted(accept: &[String], name: &str, media_type: &str) -> bool {
    let name = crate::text::lower(name);
    let media_type = crate::text::lower(media_type);
    accept.is_empty()
        || accept.iter().any(|a| {
            let a = crate::text::lower(a);
            if a.starts_with('.') {
                name.ends_with(&a)
            } else if let Some(family) = a.strip_suffix("/*") {
                media_type.split_once('/').is_some_and(|(f, _)| f == family)
            } else {
                media_type == a
            }
        })
}

/// A size in bytes for people: `850 KB`, `5 MB`, `5.2 MB` (decimal units, as file managers
/// show them).
pub fn human_size(bytes: u64) -> String {
    // Integer arithmetic: tenths of a megabyte and whole kilobytes, rounded half up.
    if bytes >= 999_500 {
        let tenths = bytes.saturating_add(50_000) / 100_000;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1000 {
        format!("{} KB", (bytes + 500) / 1000)
    } else {
        format!("{bytes} B")
    }
}

/// A file's size and the largest allowed, for a message that says one is more than the other:
/// in bytes when the rounded figures would read the same ("5 MB, more than 5 MB").
fn sizes_over(size: u64, max: u64) -> (String, String) {
    let (a, b) = (human_size(size), human_size(max));
    if a == b {
        (format!("{size} B"), format!("{max} B"))
    } else {
        (a, b)
    }
}

impl Form {
    /// Addresses whose codes are not in the administrative units (or not in the province
    /// chosen), and files of a type or size the item does not take.
    fn compound_problems(&self, data: &Value) -> Vec<(String, &'static str, Text)> {
        let mut out = Vec::new();
        for (field, &at) in self.fields.iter().zip(&self.items) {
            let item = self.item_at(at);
            let custom =
                |code: &str, default: Text| item.messages.get(code).cloned().unwrap_or(default);
            match field.widget {
                Widget::Address => {
                    for ptr in instances(&field.pointer, data) {
                        let Some(v) = pointer::get(data, &ptr) else {
                            continue;
                        };
                        let part = |name: &str| v.get(name).and_then(Value::as_str);
                        let problem = match item.mode {
                            AddressMode::Vietnam => address_problem(
                                self.admin_units.as_deref(),
                                part("province"),
                                part("commune"),
                            ),
                            AddressMode::Province => address_problem(
                                self.admin_units.as_deref(),
                                part("province"),
                                None,
                            ),
                            AddressMode::Foreign => part("country")
                                .filter(|c| crate::countries::get(c).is_none())
                                .map(|_| ("country", Text::new(
                                    "Quốc gia đã chọn không có trong danh mục (ISO 3166-1, không gồm Việt Nam); vui lòng chọn lại.",
                                    "The country chosen is not in the list (ISO 3166-1, Viet Nam aside); choose it again.",
                                ))),
                        };
                        if let Some((which, message)) = problem {
                            out.push((
                                format!("{ptr}/{which}"),
                                "address",
                                custom("address", message),
                            ));
                        }
                    }
                }
                Widget::File => {
                    for ptr in instances(&field.pointer, data) {
                        let files: Vec<(String, &Value)> = match pointer::get(data, &ptr) {
                            Some(Value::Array(a)) => a
                                .iter()
                                .enumerate()
                                .map(|(i, f)| (format!("{ptr}/{i}"), f))
                                .collect(),
                            Some(f) => vec![(ptr.clone(), f)],
                            None => Vec::new(),
                        };
                        for (at, f) in files {
                            let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                            let media_type = f.get("type").and_then(Value::as_str).unwrap_or("");
                            if !file_accepted(&item.accept, name, media_type) {
                                let list = item.accept.join(", ");
                                out.push((at.clone(), "file-type", custom("file-type", Text::new(
                                    format!("Tệp \"{name}\" không đúng loại được nhận ({list}); vui lòng chọn tệp khác."),
                                    format!("The file \"{name}\" is not of a type accepted ({list}); choose another file."),
                                ))));
                            }
                            let size = f.get("size").and_then(Value::as_u64);
                            if let (Some(size), Some(max)) = (size, item.max_size)
                                && size > max
                            {
                                let (have, max) = sizes_over(size, max);
                                out.push((at, "file-size", custom("file-size", Text::new(
                                    format!("Tệp \"{name}\" có dung lượng {have}, lớn hơn mức tối đa {max}; vui lòng chọn tệp nhỏ hơn."),
                                    format!("The file \"{name}\" is {have}, more than the largest allowed, {max}; choose a smaller file."),
                                ))));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Personal ID numbers whose structure is impossible or disagrees with the date of birth or
    /// sex beside them. Numbers that are not 12 digits are left to the schema's `pattern`.
    fn id_problems(&self, data: &Value, today: Ymd) -> Vec<(String, Text)> {
        let mut out = Vec::new();
        for check in &self.id_checks {
            let rows: Vec<Option<usize>> = match check.id.split_once("/*") {
                None => vec![None],
                Some((table, _)) => (0..pointer::get(data, table)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len))
                    .map(Some)
                    .collect(),
            };
            for row in rows {
                let at = |p: &str| match row {
                    Some(i) => p.replacen("/*", &format!("/{i}"), 1),
                    None => p.to_owned(),
                };
                let ptr = at(&check.id);
                let Some(id) = pointer::get(data, &ptr)
                    .and_then(Value::as_str)
                    .and_then(crate::idnumber::parse)
                else {
                    continue;
                };
                let y = id.birth_year;
                let said = |default: Text| check.message.clone().unwrap_or(default);
                if i64::from(y) > i64::from(today.0) {
                    out.push((ptr, said(Text::new(
                        format!("Số định danh này cho năm sinh {y}, là năm chưa tới; kiểm tra chữ số thứ 4 đến thứ 6."),
                        format!("This ID number gives {y} as the year of birth, which has not come yet; check the 4th to 6th digits."),
                    ))));
                    continue;
                }
                let birth = check
                    .birth
                    .as_ref()
                    .and_then(|b| pointer::get(data, &at(b)))
                    .and_then(Value::as_str)
                    .and_then(crate::format::parse_date);
                if let Some((by, _, _)) = birth.filter(|(by, _, _)| *by != y) {
                    out.push((ptr.clone(), said(Text::new(
                        format!("Số định danh này cho năm sinh {y}, nhưng ngày sinh trên tờ khai là năm {by}."),
                        format!("This ID number gives {y} as the year of birth, but the date of birth on the form is in {by}."),
                    ))));
                }
                let sex = check
                    .sex
                    .as_ref()
                    .and_then(|s| pointer::get(data, &at(s)))
                    .and_then(Value::as_str)
                    .and_then(crate::idnumber::sex_is_male);
                if sex.is_some_and(|male| male != id.male) {
                    let (vi, en) = if id.male {
                        ("nam", "a man")
                    } else {
                        ("nữ", "a woman")
                    };
                    out.push((ptr, said(Text::new(
                        format!("Chữ số thứ 4 của số định danh này là của {vi}, khác với giới tính trên tờ khai."),
                        format!("The 4th digit of this ID number is for {en}, which differs from the sex on the form."),
                    ))));
                }
            }
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them_and_never_tie() {
        assert_eq!(human_size(850), "850 B");
        assert_eq!(human_size(120_000), "120 KB");
        assert_eq!(human_size(999_600), "1 MB");
        assert_eq!(human_size(7_300_000), "7.3 MB");
        assert_eq!(human_size(5_000_000), "5 MB");
        assert_eq!(human_size(2_960_000), "3 MB");
        assert_eq!(human_size(1_499), "1 KB");
        assert_eq!(human_size(1_500), "2 KB");
        assert!(human_size(u64::MAX).ends_with(" MB"));
        assert_eq!(human_size(5_000_000), "5 MB");
        assert_eq!(human_size(5_200_000), "5.2 MB");
        assert_eq!(
            sizes_over(5_040_000, 5_000_000),
            ("5040000 B".to_owned(), "5000000 B".to_owned())
        );
        assert_eq!(
            sizes_over(7_340_032, 5_000_000),
            ("7.3 MB".to_owned(), "5 MB".to_owned())
        );
    }

    #[test]
    fn accepted_file_types() {
        let accept = [".pdf".to_owned(), "image/*".to_owned()];
        assert!(file_accepted(&accept, "A.PDF", ""));
        assert!(file_accepted(&accept, "photo", "image/png"));
        assert!(!file_accepted(&accept, "a.docx", "application/msword"));
        assert!(!file_accepted(
            &accept,
            "a.pdf.exe",
            "application/x-msdownload"
        ));
        assert!(file_accepted(&[], "anything", ""));
    }
}
