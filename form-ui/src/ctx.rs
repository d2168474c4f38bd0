//! The shared state of one drawn form ([`FormCtx`]), which the form view, its widgets and the
//! data store's notes read through Leptos context.

use crate::dom_id;
use crate::i18n::Ui;
use crate::services::Services;
use form_core::datastore::Provenance;
use form_core::{Changes, Diagnostic, Form, FormState, Lang, Text, Widget, Ymd, pointer};
use form_html::input::{option_id, shown};
use leptos::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Shared state of one drawn form, passed to every widget through context.
///
/// The form's state is a [`FormState`]: a change brings up to date only what it can affect, and
/// what changed (`Changes`) is written to per-field signals, so a keystroke re-runs the closures
/// of the fields it changed, not those of every field.
#[derive(Clone, Copy)]
pub struct FormCtx {
    pub form: StoredValue<Arc<Form>>,
    pub lang: RwSignal<Lang>,
    /// The data as typed so far (empty inputs are absent); mirrors the state's data.
    pub data: RwSignal<Value>,
    /// Every error of the current data, in reading order (for the summary).
    pub errors: RwSignal<Vec<Diagnostic>>,

    /// Whether the citizen has tried to submit (then every error shows: each field's `shown`
    /// is set, so that fields react to their own flag, not all to this one).
    pub submitted: RwSignal<bool>,
    /// Where the form's elements are (the document, or an embed's shadow root).
    pub root: StoredValue<dom_id::Root, LocalStorage>,
    pub(crate) state: StoredValue<FormState>,
    /// Signals of the fields drawn so far, by data pointer (real row indices).
    pub(crate) fields: StoredValue<HashMap<String, FieldSignals>>,
    /// The form's reactive owner: field signals live as long as the form, not the widget that
    /// first asked for them.
    pub(crate) owner: StoredValue<Owner, LocalStorage>,
    /// Today, as the rules see it.
    pub(crate) today: Ymd,
    /// Bumped to draw every page again from the data (start again, or new data of another
    /// shape).
    pub(crate) redraw: RwSignal<u64>,
    /// Bumped when the form itself is replaced (the builder's live preview): only the pages,
    /// sections and items whose definition changed are drawn again.
    pub(crate) revision: RwSignal<u64>,
    /// Built `<option>` lists.
    pub(crate) templates: StoredValue<OptionTemplates, LocalStorage>,
    /// Where picked files are uploaded (the portal's attachment endpoint, when the citizen is
    /// signed in); none: files stay metadata only.
    pub(crate) upload_url: StoredValue<Option<String>>,
    /// The citizen's services this form talks to (data store, bridge, intake, drafts) and their
    /// token.
    pub(crate) services: StoredValue<Services, LocalStorage>,
    /// Uploads still running: a submission waits for them.
    pub(crate) uploads_pending: RwSignal<u32>,
    /// Fields holding a verified value from the citizen's data store, bound with a lock.
    pub(crate) locked: StoredValue<BTreeSet<String>>,
    /// Where the values prefilled from the data store came from, by data pointer.
    pub(crate) provenance: StoredValue<BTreeMap<String, Provenance>>,
}

/// The `<option>` lists built so far, by the field standing for each distinct list.
#[derive(Default)]
pub(crate) struct OptionTemplates {
    /// Hash of a list's values and labels → fields with such a list.
    lists: HashMap<u64, Vec<String>>,
    /// (field standing for the list, language) → its options.
    built: HashMap<(String, Lang), web_sys::DocumentFragment>,
}

/// What a field's widgets react to.
#[derive(Clone, Copy)]
pub(crate) struct FieldSignals {
    /// Whether its errors show inline (the citizen has changed and left it).
    pub shown: RwSignal<bool>,
    pub errors: RwSignal<Vec<Diagnostic>>,
    pub hidden: RwSignal<bool>,
    pub read_only: RwSignal<bool>,
    /// Whether a `requiredIf` rule makes it required now.
    pub required: RwSignal<bool>,
    /// The value after the rules ran (computed values).
    pub value: RwSignal<Option<Value>>,
}

impl FormCtx {
    pub(crate) fn new(
        form: Arc<Form>,
        lang: RwSignal<Lang>,
        data: Value,
        today: Ymd,
        root: dom_id::Root,
        services: Services,
    ) -> FormCtx {
        let state = FormState::new(form.clone(), data.clone(), today);
        let errors = state.validate_all().to_vec();
        FormCtx {
            form: StoredValue::new(form),
            lang,
            data: RwSignal::new(data),
            errors: RwSignal::new(errors),

            submitted: RwSignal::new(false),
            root: StoredValue::new_local(root),
            state: StoredValue::new(state),
            fields: StoredValue::new(HashMap::new()),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
            today,
            redraw: RwSignal::new(0),
            revision: RwSignal::new(0),
            templates: StoredValue::new_local(OptionTemplates::default()),
            upload_url: StoredValue::new(None),
            services: StoredValue::new_local(services),
            uploads_pending: RwSignal::new(0),
            locked: StoredValue::new(BTreeSet::new()),
            provenance: StoredValue::new(BTreeMap::new()),
        }
    }

    /// Where a prefilled field's value came from, in words ("from the national population
    /// database", "declared by you on …"), and whether it is locked.
    pub(crate) fn source_note(&self, ptr: &str, lang: Lang) -> Option<String> {
        let p = self.provenance.with_value(|m| m.get(ptr).cloned())?;
        let locked = self.locked.with_value(|l| l.contains(ptr));
        Some(form_html::source_note(&p, locked, lang))
    }

    /// What would be submitted now: computed values filled in, hidden fields left out.
    pub fn submission(&self) -> Value {
        let today = self.today;
        let data = self.data.get_untracked();
        self.form.with_value(|f| f.evaluate(&data, today).data)
    }

    /// The language of the moment, without reacting to it (widgets are drawn again when it
    /// changes).
    pub fn lang_now(&self) -> Lang {
        self.lang.get_untracked()
    }

    /// The signals of the field at `ptr` (made on first use).
    pub(crate) fn signals(&self, ptr: &str) -> FieldSignals {
        self.field(ptr)
    }

    /// Whether the field of `signals` shows an error now.
    pub(crate) fn error_shown(&self, signals: FieldSignals) -> bool {
        signals.shown.get() && signals.errors.with(|e| !e.is_empty())
    }

    /// The message shown under the field of `signals`, if any.
    pub(crate) fn error_of(&self, signals: FieldSignals) -> Option<Text> {
        if !signals.shown.get() {
            return None;
        }
        signals
            .errors
            .with(|errs| errs.first().map(|e| e.message.clone()))
    }

    /// The `<option>`s of the choice field at `ptr` (a "choose one" entry first) in the language
    /// of the moment: built once per distinct option list and language, then copied (forms
    /// repeat lists: a country or sex in every section or row).
    pub(crate) fn option_template(&self, ptr: &str) -> Option<web_sys::DocumentFragment> {
        use std::hash::{Hash, Hasher};
        let lang = self.lang_now();
        let (key, texts) = self.form.with_value(|f| {
            let options = &f.item_for(ptr)?.options;
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for o in options {
                (&o.value, o.label.get(Lang::Vi), o.label.get(Lang::En)).hash(&mut h);
            }
            let hash = h.finish();
            // The first field seen with these options stands for the list (its options are
            // compared, so two lists never share a template by accident).
            let list = self.templates.with_value(|t| {
                t.lists.get(&hash).and_then(|ptrs| {
                    ptrs.iter()
                        .find(|p| f.item_for(p).is_some_and(|i| i.options == *options))
                        .cloned()
                })
            });
            let list = list.unwrap_or_else(|| {
                self.templates.update_value(|t| {
                    t.lists.entry(hash).or_default().push(ptr.to_owned());
                });
                ptr.to_owned()
            });
            let key = (list, lang);
            let cached = self.templates.with_value(|t| t.built.contains_key(&key));
            let texts = (!cached).then(|| {
                options
                    .iter()
                    .map(|o| (o.value.clone(), o.label.get(lang).to_owned()))
                    .collect::<Vec<_>>()
            });
            Some((key, texts))
        })?;
        if let Some(texts) = texts {
            let doc = web_sys::window()?.document()?;
            let fragment = doc.create_document_fragment();
            let choose = std::iter::once((String::new(), Ui::ChooseOne.get(lang).to_owned()));
            for (value, label) in choose.chain(texts) {
                let option = doc.create_element("option").ok()?;
                let _ = option.set_attribute("value", &value);
                // Text, never HTML.
                option.set_text_content(Some(&label));
                let _ = fragment.append_child(&option);
            }
            self.templates.update_value(|t| {
                t.built.insert(key.clone(), fragment);
            });
        }
        self.templates.with_value(|t| t.built.get(&key).cloned())
    }

    /// The signals of the field at `ptr`, made from the current state on first use.
    pub(crate) fn field(&self, ptr: &str) -> FieldSignals {
        if let Some(f) = self.fields.with_value(|m| m.get(ptr).copied()) {
            return f;
        }
        let (errors, hidden, read_only, required, value) = self.state.with_value(|s| {
            let e = s.evaluation();
            (
                e.errors
                    .iter()
                    .filter(|d| d.pointer == ptr)
                    .cloned()
                    .collect::<Vec<_>>(),
                e.hidden.contains(ptr),
                e.read_only.contains(ptr),
                e.required.contains(ptr),
                pointer::get(&e.data, ptr).cloned(),
            )
        });
        let signals = self.owner.with_value(|o| {
            o.with(|| FieldSignals {
                shown: RwSignal::new(self.submitted.get_untracked()),
                errors: RwSignal::new(errors),
                hidden: RwSignal::new(hidden),
                read_only: RwSignal::new(read_only),
                required: RwSignal::new(required),
                value: RwSignal::new(value),
            })
        });
        self.fields.update_value(|m| {
            m.insert(ptr.to_owned(), signals);
        });
        signals
    }

    /// Writes what a change changed to the signals of the fields drawn.
    pub(crate) fn apply(&self, changes: Changes) {
        let drawn = |p: &str| self.fields.with_value(|m| m.get(p).copied());
        for (p, v) in changes.values {
            if let Some(f) = drawn(&p) {
                f.value.set(v);
            }
        }
        for (p, b) in changes.hidden {
            if let Some(f) = drawn(&p) {
                f.hidden.set(b);
            }
        }
        for (p, b) in changes.read_only {
            if let Some(f) = drawn(&p) {
                f.read_only.set(b);
            }
        }
        for (p, b) in changes.required {
            if let Some(f) = drawn(&p) {
                f.required.set(b);
            }
        }
        let any_errors = !changes.errors.is_empty();
        // After a submit attempt, a new error shows at once.
        let submitted = self.submitted.get_untracked();
        for (p, e) in changes.errors {
            if let Some(f) = drawn(&p) {
                if submitted && !e.is_empty() && !f.shown.get_untracked() {
                    f.shown.set(true);
                }
                f.errors.set(e);
            }
        }
        if any_errors {
            self.errors
                .set(self.state.with_value(|s| s.validate_all().to_vec()));
        }
    }

    /// Replaces the form by another version of it (the builder's preview, as the official
    /// edits), keeping the data typed so far: the state is made again and the signals of the
    /// fields drawn follow it (set only where they changed); the pages, sections and items are
    /// keyed by what they are drawn from, so only those the edit changed are drawn again.
    pub fn replace_form(&self, form: Arc<Form>) {
        let state = FormState::new(form.clone(), self.data.get_untracked(), self.today);
        let evaluation = state.evaluation();
        let mut errors: HashMap<&str, Vec<Diagnostic>> = HashMap::new();
        for d in &evaluation.errors {
            errors
                .entry(d.pointer.as_str())
                .or_default()
                .push(d.clone());
        }
        fn renew<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, now: T) {
            if signal.with_untracked(|v| *v != now) {
                signal.set(now);
            }
        }
        self.fields.with_value(|fields| {
            for (ptr, f) in fields {
                renew(f.errors, errors.remove(ptr.as_str()).unwrap_or_default());
                renew(f.hidden, evaluation.hidden.contains(ptr));
                renew(f.read_only, evaluation.read_only.contains(ptr));
                renew(f.required, evaluation.required.contains(ptr));
                renew(f.value, pointer::get(&evaluation.data, ptr).cloned());
            }
        });
        let all = state.validate_all().to_vec();
        self.state.set_value(state);
        self.form.set_value(form);
        // Option lists are built again from the new texts.
        self.templates.set_value(OptionTemplates::default());
        renew(self.errors, all);
        self.revision.update(|n| *n += 1);
    }

    /// Starts the form again from `data` (the citizen chose to start again): a new state, and
    /// new field signals for the widgets drawn next.
    pub fn reset(&self, data: Value) {
        let form = self.form.get_value();
        let state = FormState::new(form, data.clone(), self.today);
        self.errors.set(state.validate_all().to_vec());
        self.state.set_value(state);
        self.fields.update_value(HashMap::clear);
        self.submitted.set(false);
        self.data.set(data);
    }

    /// Replaces all the data (a host page set it): the inputs whose value changed show the new
    /// value and every field's state follows, without drawing the form again, unless the data
    /// has another shape (rows added or removed, an address or attachment changed).
    pub fn replace_data(&self, data: Value) {
        let old = self.data.get_untracked();
        if data == old {
            // Nothing to do (a host echoing `eform:change` back must not loop).
            return;
        }
        if self.form.with_value(|f| shape_changed(f, &old, &data)) {
            // Drawn again from the new data; the errors that were showing keep showing.
            let submitted = self.submitted.get_untracked();
            let shown: Vec<String> = self.fields.with_value(|m| {
                m.iter()
                    .filter(|(_, f)| f.shown.get_untracked())
                    .map(|(p, _)| p.clone())
                    .collect()
            });
            self.reset(data);
            for p in shown {
                self.touch(&p);
            }
            if submitted {
                self.show_errors();
            }
            self.redraw.update(|g| *g += 1);
            return;
        }
        let mut changes = Changes::default();
        self.state
            .update_value(|s| changes = s.replace(data.clone()));
        let drawn: Vec<String> = self.fields.with_value(|m| m.keys().cloned().collect());
        for ptr in drawn {
            let value = pointer::get(&data, &ptr);
            if pointer::get(&old, &ptr) != value {
                write_input(*self, &ptr, value);
            }
        }
        self.data.set(data);
        self.apply(changes);
    }

    /// Shows every error (as a submit would, without sending) and returns them.
    pub fn show_errors(&self) -> Vec<Diagnostic> {
        self.submitted.set(true);
        let errors = self.errors.get_untracked();
        for d in &errors {
            self.touch(&d.pointer);
        }
        errors
    }

    /// Writes (or, for `None`, removes) the value at `ptr`.
    pub fn set(&self, ptr: &str, value: Option<Value>) {
        let mut changes = Changes::default();
        self.state
            .update_value(|s| changes = s.set(ptr, value.clone()));
        self.data.update(|d| match value {
            Some(v) => {
                pointer::set(d, ptr, v);
            }
            None => {
                pointer::remove(d, ptr);
            }
        });
        self.apply(changes);
    }

    /// Removes row `index` of the table at `table`.
    pub fn remove_row(&self, table: &str, index: usize) {
        let mut changes = Changes::default();
        self.state
            .update_value(|s| changes = s.remove_row(table, index));
        self.data.update(|d| {
            if let Some(Value::Array(rows)) = d.pointer_mut(table)
                && index < rows.len()
            {
                rows.remove(index);
            }
        });
        self.shift_shown(table, index);
        self.apply(changes);
    }

    /// Moves row `from` of `table` to `to` (next to each other: the rows swap places, and so do
    /// whether their errors show).
    pub fn move_row(&self, table: &str, from: usize, to: usize) {
        let mut changes = Changes::default();
        self.state
            .update_value(|s| changes = s.move_row(table, from, to));
        self.data.update(|d| {
            if let Some(Value::Array(rows)) = d.pointer_mut(table)
                && from < rows.len()
                && to < rows.len()
            {
                let row = rows.remove(from);
                rows.insert(to, row);
            }
        });
        let (a, b) = (format!("{table}/{from}/"), format!("{table}/{to}/"));
        let pairs: Vec<(FieldSignals, FieldSignals)> = self.fields.with_value(|m| {
            m.iter()
                .filter_map(|(p, f)| {
                    let cell = p.strip_prefix(&a)?;
                    m.get(&format!("{b}{cell}")).map(|g| (*f, *g))
                })
                .collect()
        });
        for (f, g) in pairs {
            let (x, y) = (f.shown.get_untracked(), g.shown.get_untracked());
            f.shown.set(y);
            g.shown.set(x);
        }
        self.apply(changes);
    }

    /// After row `index` of `table` is removed, the rows below move up: whether their errors
    /// show moves up with them, and the last row's place starts untouched.
    pub(crate) fn shift_shown(&self, table: &str, index: usize) {
        let prefix = format!("{table}/");
        let rows: Vec<(usize, String, FieldSignals)> = self.fields.with_value(|m| {
            m.iter()
                .filter_map(|(p, f)| {
                    let rest = p.strip_prefix(&prefix)?;
                    let (row, cell) = rest.split_once('/').unwrap_or((rest, ""));
                    let row: usize = row.parse().ok()?;
                    (row >= index).then(|| (row, cell.to_owned(), *f))
                })
                .collect()
        });
        let shown_at = |row: usize, cell: &str| {
            rows.iter()
                .find(|(r, c, _)| *r == row && c == cell)
                .is_some_and(|(_, _, f)| f.shown.get_untracked())
        };
        // Read every flag before writing any.
        let moved: Vec<bool> = rows
            .iter()
            .map(|(row, cell, _)| shown_at(row + 1, cell))
            .collect();
        for ((_, _, f), shown) in rows.iter().zip(moved) {
            f.shown.set(shown);
        }
    }

    /// Marks `ptr` as left by the citizen: its errors show from now on.
    pub fn touch(&self, ptr: &str) {
        let shown = self.field(ptr).shown;
        if !shown.get_untracked() {
            shown.set(true);
        }
    }

    pub(crate) fn errors_visible(&self, ptr: &str) -> bool {
        self.submitted.get() || self.field(ptr).shown.get()
    }

    /// The message to show under the field at `ptr`, if any.
    pub fn error_at(&self, ptr: &str) -> Option<Text> {
        if !self.errors_visible(ptr) {
            return None;
        }
        self.field(ptr)
            .errors
            .with(|errs| errs.first().map(|e| e.message.clone()))
    }

    /// The messages to show for the value at `ptr` and everything inside it (the files of a
    /// multi-file attachment).
    pub fn errors_under(&self, ptr: &str) -> Vec<Text> {
        if !self.errors_visible(ptr) {
            return Vec::new();
        }
        let prefix = format!("{ptr}/");
        self.errors.with(|errs| {
            errs.iter()
                .filter(|e| e.pointer == ptr || e.pointer.starts_with(&prefix))
                .map(|e| e.message.clone())
                .collect()
        })
    }

    /// Whether a rule hides the field at `ptr`.
    pub fn hidden(&self, ptr: &str) -> bool {
        self.field(ptr).hidden.get()
    }

    /// Whether the field at `ptr` cannot be changed (read-only rule or computed).
    pub fn read_only(&self, ptr: &str) -> bool {
        self.field(ptr).read_only.get()
    }

    /// Whether the field at `ptr` must be filled: `required` in the schema, or by a
    /// `requiredIf` rule now.
    pub fn required(&self, ptr: &str) -> bool {
        self.form
            .with_value(|f| f.field_for(ptr).is_some_and(|f| f.required))
            || self.required_now(ptr)
    }

    /// Whether a `requiredIf` rule makes the field at `ptr` required now.
    pub fn required_now(&self, ptr: &str) -> bool {
        self.field(ptr).required.get()
    }

    /// The value at `ptr` after the rules ran (computed values included).
    pub fn computed(&self, ptr: &str) -> Option<Value> {
        self.field(ptr).value.get()
    }

    pub fn text(&self, t: &Text) -> String {
        t.get(self.lang.get()).to_owned()
    }
}

/// Today, as the rules see it (the browser's calendar).
pub(crate) use form_bind::host::today;

/// Whether going from `old` to `new` data needs the form drawn again: a table has another number
/// of rows, or an address or attachment changed (their widgets keep more than one input's value).
pub(crate) fn shape_changed(form: &Form, old: &Value, new: &Value) -> bool {
    form.fields().iter().any(|f| {
        // A field inside a table's rows: the rows as a whole.
        let ptr = f.pointer.split("/*").next().unwrap_or(&f.pointer);
        let (a, b) = (pointer::get(old, ptr), pointer::get(new, ptr));
        match f.widget {
            Widget::Table => {
                a.and_then(Value::as_array).map_or(0, Vec::len)
                    != b.and_then(Value::as_array).map_or(0, Vec::len)
            }
            Widget::Address | Widget::File => a != b,
            _ => false,
        }
    })
}

/// Shows `value` in the inputs of the field at `ptr` (the data was replaced from outside; the
/// inputs are otherwise left to the citizen).
pub(crate) fn write_input(ctx: FormCtx, ptr: &str, value: Option<&Value>) {
    use wasm_bindgen::JsCast;
    // A computed field shows the rules' result, not what the host put there.
    // The widget, and for a choice group which of its options the value ticks.
    let Some((widget, ticked)) = ctx.form.with_value(|f| {
        let item = f.item_for(ptr).filter(|i| i.compute.is_none())?;
        let ticked: Vec<bool> = match item.widget {
            Widget::Radio | Widget::MultiSelect => item
                .options
                .iter()
                .map(|o| match value {
                    Some(Value::String(s)) => *s == o.value,
                    Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(&o.value)),
                    _ => false,
                })
                .collect(),
            _ => Vec::new(),
        };
        Some((item.widget, ticked))
    }) else {
        return;
    };
    let id = dom_id::for_pointer(ptr);
    let element = |id: &str| ctx.root.with_value(|r| r.element(id));
    let text = match value {
        Some(Value::String(s)) => shown(widget, s),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    match widget {
        Widget::Radio | Widget::MultiSelect => {
            for (i, on) in ticked.into_iter().enumerate() {
                if let Some(input) = element(&option_id(&id, i))
                    .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
                {
                    input.set_checked(on);
                }
            }
        }
        Widget::Checkbox => {
            if let Some(input) =
                element(&id).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                input.set_checked(value == Some(&Value::Bool(true)));
            }
        }
        Widget::Select => {
            if let Some(select) =
                element(&id).and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
            {
                select.set_value(&text);
                if select.selected_index() < 0 {
                    select.set_selected_index(0);
                }
            }
        }
        Widget::Textarea => {
            if let Some(area) =
                element(&id).and_then(|e| e.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
            {
                area.set_value(&text);
            }
        }
        _ => {
            if let Some(input) =
                element(&id).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                input.set_value(&text);
            }
        }
    }
}
