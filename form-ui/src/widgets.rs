//! One function per widget kind: an [`Item`] of the definition becomes labelled inputs.
//!
//! Every input has a `<label>` (radios: a `<fieldset>` with a `<legend>`), its help and error
//! tied to it with `aria-describedby`, and `aria-invalid` while it has an error shown.
//! Definition texts are inserted as text nodes, never as HTML.
//!
//! Long on purpose: one function per widget kind in the Leptos view, which issue 21's binder
//! replaces; split now, it would be moved twice.

use crate::ctx::FormCtx;
use crate::dom_id;
use crate::i18n::Ui;
use form_core::{AddressMode, Item, Text, Widget, pointer};
use form_html::input::{input_class, option_id, shown, to_value};
use leptos::prelude::*;
use serde_json::Value;

/// Strings every field passes to the DOM: kept as JavaScript strings once, instead of being
/// decoded from wasm memory for each element (wasm-bindgen's `enable-interning`).
pub fn intern_common() {
    for s in [
        "ef-field",
        "ef-field ef-field--error",
        "ef-label",
        "ef-hint",
        "ef-required",
        "ef-input",
        "ef-input ef-input--date",
        "ef-input ef-input--short",
        "ef-input ef-input--number",
        "ef-select",
        "ef-textarea",
        "ef-choice",
        "ef-choices",
        "ef-radio",
        "ef-checkbox",
        "ef-fieldset",
        "ef-error",
        "ef-visually-hidden",
        "ef-section",
        "ef-section__title",
        "text",
        "email",
        "radio",
        "checkbox",
        "numeric",
        "decimal",
        "true",
        "false",
        "5",
        "",
    ] {
        wasm_bindgen::intern(s);
    }
}

/// Draws one item of a section.
pub fn item(ctx: FormCtx, item: &Item) -> AnyView {
    match (item.widget, &item.pointer) {
        (Widget::Static, _) => {
            let text = item.text.clone().unwrap_or_default();
            view! { <p class="ef-static">{move || ctx.text(&text)}</p> }.into_any()
        }
        (Widget::Table, Some(ptr)) => table(ctx, item.clone(), ptr.clone()).into_any(),
        (Widget::Address, Some(ptr)) => address(ctx, item, ptr.clone()).into_any(),
        (Widget::File, Some(ptr)) => file(ctx, item, ptr.clone()).into_any(),
        (_, Some(ptr)) => field(ctx, item, ptr.clone(), None).into_any(),
        (_, None) => ().into_any(),
    }
}

/// The error line of a field: visible text plus a prefix for screen readers.
fn error_line(ctx: FormCtx, ptr: String, id: String) -> impl IntoView {
    let lang = ctx.lang_now();
    let signals = ctx.signals(&ptr);
    move || {
        ctx.error_of(signals).map(|msg| {
            view! {
                <p class="ef-error" id=id.clone()>
                    <span class="ef-visually-hidden">{Ui::ErrorPrefix.get(lang)}" "</span>
                    {msg.get(lang).to_owned()}
                </p>
            }
        })
    }
}

/// A labelled field. `row` is `Some(index)` for a cell of a table, whose label is the column's
/// and is read with the row number.
///
/// Texts are drawn in the language of the moment (the form is drawn again when it changes);
/// only what the citizen's input can change is reactive, and a field no rule is about has no
/// reactive hidden, read-only or required state at all.
fn field(ctx: FormCtx, item: &Item, ptr: String, row: Option<usize>) -> impl IntoView {
    let lang = ctx.lang_now();
    let id = dom_id::for_pointer(&ptr);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let label = item.label.as_ref().map(|l| l.get(lang)).unwrap_or("");
    let help = if row.is_some() {
        None
    } else {
        item.help.as_ref()
    };
    let computed = item.compute.is_some();
    let signals = ctx.signals(&ptr);
    let (schema_required, ruled) = ctx.form.with_value(|f| {
        (
            f.field_for(&ptr).is_some_and(|f| f.required),
            f.is_ruled(&ptr),
        )
    });
    // Fixed unless a rule is about the field.
    let (hidden_now, read_only_now, required_now) = (
        signals.hidden.get_untracked(),
        signals.read_only.get_untracked(),
        signals.required.get_untracked(),
    );
    let required = move || {
        schema_required
            || if ruled {
                signals.required.get()
            } else {
                required_now
            }
    };
    let hidden = move || {
        if ruled {
            signals.hidden.get()
        } else {
            hidden_now
        }
    };
    // A verified value from the citizen's data store, bound with `lock: verified`.
    let locked = row.is_none() && ctx.locked.with_value(|l| l.contains(&ptr));
    let read_only = move || {
        locked
            || if ruled {
                signals.read_only.get()
            } else {
                read_only_now
            }
    };
    let source = if row.is_none() {
        ctx.source_note(&ptr, lang)
    } else {
        None
    };
    let has_error = move || ctx.error_shown(signals);
    let described_by = {
        let (help_id, error_id, has_help) = (
            help_id.clone(),
            error_id.clone(),
            help.is_some() || source.is_some(),
        );
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let label_text = match row {
        Some(i) => format!(
            "{label} ({} {})",
            form_core::lower(&Ui::Row.get(lang)),
            i + 1
        ),
        None => label.to_owned(),
    };
    let aria_required = move || required().then_some("true");
    let required_mark = move || {
        (required() && row.is_none())
            .then(|| view! { <span class="ef-required">" "{Ui::Required.get(lang)}</span> })
    };
    let help_view = if help.is_none() && source.is_none() {
        fixed(None::<()>)
    } else {
        let help = help.map(|h| h.get(lang).to_owned());
        let source =
            source.map(|s| view! { <span class="ef-provenance" data-testid="source">{s}</span> });
        fixed(Some(
            view! { <p class="ef-hint" id=help_id.clone()>{help.map(|h| format!("{h} "))}{source}</p> },
        ))
    };
    // Under a locked field: "report a mistake" (the value is the register's to correct).
    let report = locked.then(|| crate::datastore::report_mistake(ctx, &ptr, lang));
    let errors = error_line(ctx, ptr.clone(), error_id);
    let cell = if row.is_some() { " ef-field--cell" } else { "" };
    let class = move || format!("{}{cell}", field_class(has_error()));
    let invalid = move || has_error().then_some("true");

    match item.widget {
        Widget::Radio | Widget::MultiSelect => {
            // A radio group holds one option value; a multi-select (checkboxes) an array of them.
            let multi = item.widget == Widget::MultiSelect;
            let current: Vec<String> = ctx.data.with_untracked(|d| match pointer::get(d, &ptr) {
                Some(Value::String(s)) => vec![s.clone()],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            });
            let values: Vec<String> = item.options.iter().map(|o| o.value.clone()).collect();
            let choices_class = if multi {
                "ef-choices ef-choices--stacked"
            } else {
                "ef-choices"
            };
            let (kind, input_class) = if multi {
                ("checkbox", "ef-checkbox")
            } else {
                ("radio", "ef-radio")
            };
            view! {
                <div class=class hidden=hidden>
                    <fieldset class="ef-fieldset" aria-describedby=described_by aria-invalid=invalid>
                        <legend class="ef-label">{label_text}{required_mark}</legend>
                        {help_view}
                        {errors}
                        <div class=choices_class>
                            {item.options
                                .iter()
                                .enumerate()
                                .map(|(i, o)| {
                                    let opt_id = option_id(&id, i);
                                    let checked = current.contains(&o.value);
                                    let (p, v, group, values) = (ptr.clone(), o.value.clone(), id.clone(), values.clone());
                                    let on_change = move |_| {
                                        let value = if multi { ticked(ctx, &group, &values) } else { Some(Value::String(v.clone())) };
                                        ctx.set(&p, value);
                                        ctx.touch(&p);
                                    };
                                    view! {
                                        <div class="ef-choice">
                                            <input type=kind class=input_class disabled=read_only id=opt_id.clone() name=id.clone() value=o.value.clone() checked=checked on:change=on_change />
                                            <label for=opt_id>{o.label.get(lang).to_owned()}</label>
                                        </div>
                                    }
                                })
                                .collect_view()}
                        </div>
                    </fieldset>
                    {report}
                </div>
            }
            .into_any()
        }
        Widget::Checkbox => {
            let checked = ctx
                .data
                .with_untracked(|d| pointer::get(d, &ptr) == Some(&Value::Bool(true)));
            let p = ptr.clone();
            let on_change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                ctx.set(&p, on.then_some(Value::Bool(true)));
                ctx.touch(&p);
            };
            view! {
                <div class=class hidden=hidden>
                    {errors}
                    <div class="ef-choice">
                        <input type="checkbox" class="ef-checkbox" disabled=read_only id=id.clone() checked=checked aria-describedby=described_by aria-invalid=invalid on:change=on_change />
                        <label for=id class="ef-label">{label_text}{required_mark}</label>
                    </div>
                    {help_view}
                    {report}
                </div>
            }
            .into_any()
        }
        Widget::Select => {
            let current = ctx.data.with_untracked(|d| {
                pointer::get(d, &ptr)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            });
            let p = ptr.clone();
            let on_change = move |ev: leptos::ev::Event| {
                let v = event_target_value(&ev);
                ctx.set(&p, (!v.is_empty()).then_some(Value::String(v)));
                ctx.touch(&p);
            };
            // The options are copied from one list per form and language (one DOM call per
            // select instead of several per option).
            let options = OptionList {
                ctx,
                ptr: ptr.clone(),
                current,
            };
            view! {
                <div class=class hidden=hidden>
                    <label for=id.clone() class="ef-label">{label_text}{required_mark}</label>
                    {help_view}
                    {errors}
                    <select class="ef-select" disabled=read_only id=id aria-describedby=described_by aria-invalid=invalid aria-required=aria_required on:change=on_change use:fill_options=options></select>
                    {report}
                </div>
            }
            .into_any()
        }
        widget => {
            let initial = ctx.data.with_untracked(|d| match pointer::get(d, &ptr) {
                Some(Value::String(s)) => shown(widget, s),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            });
            let (input_type, input_mode) = match widget {
                Widget::Email => ("email", None),
                Widget::Phone => ("tel", None),
                Widget::Number => ("text", Some("decimal")),
                Widget::IdNumber | Widget::Date | Widget::Month | Widget::Year => {
                    ("text", Some("numeric"))
                }
                _ => ("text", None),
            };
            let autocomplete = item.autocomplete.clone();
            let p = ptr.clone();
            let on_input = move |ev: leptos::ev::Event| {
                ctx.set(&p, to_value(widget, &event_target_value(&ev)))
            };
            let p = ptr.clone();
            let on_change = move |_: leptos::ev::Event| ctx.touch(&p);
            // How to type a date, a month or a year, under the label (in a table row, the
            // column heading says it).
            let hint = match widget {
                Widget::Date => Some(Ui::DateHint),
                Widget::Month => Some(Ui::MonthHint),
                Widget::Year => Some(Ui::YearHint),
                _ => None,
            }
            .filter(|_| row.is_none());
            let date_hint =
                fixed(hint.map(
                    |h| view! { <p class="ef-hint" id=format!("{id}-format")>{h.get(lang)}</p> },
                ));
            let described_by = {
                let fmt = hint.map(|_| format!("{id}-format"));
                move || match (described_by(), &fmt) {
                    (Some(a), Some(f)) => Some(format!("{f} {a}")),
                    (None, Some(f)) => Some(f.clone()),
                    (a, None) => a,
                }
            };
            // A computed field follows the rules' result; the others are left to the citizen
            // (their value is set once, not watched: as the element's default value, at once,
            // where `prop:value` would be applied a task later).
            let initial = (!initial.is_empty()).then_some(initial);
            let computed_value = move || match signals.value.get() {
                Some(Value::String(s)) => shown(widget, &s),
                Some(Value::Number(n)) => n.to_string(),
                _ => String::new(),
            };
            let spellcheck =
                (widget != Widget::Text && widget != Widget::Textarea).then_some("false");
            let input = match (widget == Widget::Textarea, computed) {
                (true, false) => view! {
                    <textarea class="ef-textarea" readonly=read_only id=id.clone() rows="5" aria-describedby=described_by aria-invalid=invalid aria-required=aria_required on:input=on_input on:change=on_change>{initial}</textarea>
                }
                .into_any(),
                (true, true) => view! {
                    <textarea class="ef-textarea" readonly=read_only id=id.clone() rows="5" aria-describedby=described_by aria-invalid=invalid aria-required=aria_required on:input=on_input on:change=on_change prop:value=computed_value></textarea>
                }
                .into_any(),
                (false, false) => view! {
                    <input type=input_type class=input_class(widget) readonly=read_only id=id.clone() inputmode=input_mode autocomplete=autocomplete spellcheck=spellcheck aria-describedby=described_by aria-invalid=invalid aria-required=aria_required on:input=on_input on:change=on_change value=initial />
                }
                .into_any(),
                (false, true) => view! {
                    <input type=input_type class=input_class(widget) readonly=read_only id=id.clone() inputmode=input_mode autocomplete=autocomplete spellcheck=spellcheck aria-describedby=described_by aria-invalid=invalid aria-required=aria_required on:input=on_input on:change=on_change prop:value=computed_value />
                }
                .into_any(),
            };
            view! {
                <div class=class hidden=hidden>
                    <label for=id.clone() class="ef-label">{label_text}{required_mark}</label>
                    {help_view}
                    {date_hint}
                    {errors}
                    {input}
                    {report}
                </div>
            }
            .into_any()
        }
    }
}

/// What a `<select>` of choices is filled with: the item's options (after a "choose one" entry),
/// `current` selected.
#[derive(Clone)]
struct OptionList {
    ctx: FormCtx,
    ptr: String,
    current: Option<String>,
}

/// Fills a `<select>` with a copy of its option list, built once per form, list and language.
fn fill_options(select: web_sys::Element, list: OptionList) {
    use wasm_bindgen::JsCast;
    let Some(template) = list.ctx.option_template(&list.ptr) else {
        return;
    };
    if let Ok(copy) = template.clone_node_with_deep(true) {
        let _ = select.append_child(&copy);
    }
    if let Some(select) = select.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.set_value(list.current.as_deref().unwrap_or(""));
        // A stored value that is no longer an option (an old draft): "choose one" shows, and
        // the value's error says why.
        if select.selected_index() < 0 {
            select.set_selected_index(0);
        }
    }
}

/// A part of a widget that is there or not for good: nothing at all in the DOM when absent (an
/// `Option` view would keep a placeholder node for a later change that never comes).
fn fixed(part: Option<impl IntoView + 'static>) -> AnyView {
    match part {
        Some(v) => v.into_any(),
        None => ().into_any(),
    }
}

/// A closure reading one of the form's per-field states (`FormCtx::hidden`, `required`, …) for
/// the field at `ptr`, for a reactive attribute.
fn watch<T: 'static>(
    ctx: FormCtx,
    ptr: &str,
    read: fn(&FormCtx, &str) -> T,
) -> impl Fn() -> T + Clone + use<T> {
    let ptr = ptr.to_owned();
    move || read(&ctx, &ptr)
}

/// The class of a field's box: marked while it shows an error.
fn field_class(has_error: bool) -> &'static str {
    if has_error {
        "ef-field ef-field--error"
    } else {
        "ef-field"
    }
}

/// The value of a multi-select: every ticked option, in the options' order; `None` when none is.
fn ticked(ctx: FormCtx, group: &str, values: &[String]) -> Option<Value> {
    let is_ticked = |i: usize| {
        ctx.root
            .with_value(|r| r.element(&option_id(group, i)))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
            .is_some_and(|e| e.checked())
    };
    let chosen: Vec<Value> = values
        .iter()
        .enumerate()
        .filter(|(i, _)| is_ticked(*i))
        .map(|(_, v)| Value::String(v.clone()))
        .collect();
    (!chosen.is_empty()).then_some(Value::Array(chosen))
}

/// A repeatable group drawn as a table: one row per array element, one column per sub-item.
fn table(ctx: FormCtx, item: Item, ptr: String) -> impl IntoView {
    let id = dom_id::for_pointer(&ptr);
    let label = item.label.clone().unwrap_or_default();
    let help = item.help.clone();
    let initial_rows = ctx.data.with_untracked(|d| {
        pointer::get(d, &ptr)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    });
    // Stable keys so that removing a row keeps the other rows' inputs (and what they hold).
    let keys = RwSignal::new((0..initial_rows as u64).collect::<Vec<u64>>());
    let next_key = StoredValue::new(initial_rows as u64);
    let columns = StoredValue::new(item.columns.clone());
    let caption_id = format!("{id}-caption");

    let add = {
        let ptr = ptr.clone();
        move |_| {
            let n = keys.with_untracked(Vec::len);
            ctx.set(
                &pointer::push_index(&ptr, n),
                Some(Value::Object(Default::default())),
            );
            let k = next_key.get_value();
            next_key.set_value(k + 1);
            keys.update(|ks| ks.push(k));
            let first_col = columns
                .with_value(|c| c.first().and_then(|c| c.pointer.clone()))
                .unwrap_or_default();
            let target = dom_id::for_pointer(&format!("{ptr}/{n}{first_col}"));
            request_animation_frame(move || {
                if let Some(el) = ctx.root.with_value(|r| r.element(&target)) {
                    let _ = el.focus();
                }
            });
        }
    };
    let table_ptr = ptr.clone();
    // A rule may hide the whole table (its rows are then not submitted).
    let table_hidden = watch(ctx, &ptr, FormCtx::hidden);
    let errors = error_line(ctx, ptr.clone(), format!("{id}-error"));
    let help_view = help.map(|h| view! { <p class="ef-hint">{move || ctx.text(&h)}</p> });
    let header_label = label.clone();

    view! {
        <div class="ef-field ef-table-field" hidden=table_hidden>
            <h3 class="ef-label" id=caption_id.clone()>{move || ctx.text(&header_label)}</h3>
            {help_view}
            {errors}
            <Show when=move || keys.with(Vec::is_empty)>
                <p class="ef-hint">{move || Ui::NoRows.get(ctx.lang.get())}</p>
            </Show>
            <div class="ef-rows" role="list" aria-labelledby=caption_id>
                <For
                    each=move || keys.get()
                    key=|k| *k
                    children=move |key| {
                        let index = Memo::new(move |_| keys.with(|ks| ks.iter().position(|k| *k == key).unwrap_or(0)));
                        let table_ptr = table_ptr.clone();
                        let remove = {
                            let table_ptr = table_ptr.clone();
                            move |_| {
                                let i = index.get_untracked();
                                ctx.remove_row(&table_ptr, i);
                                keys.update(|ks| ks.retain(|k| *k != key));
                            }
                        };
                                                // Move up or down by one: the row keeps its data, and focus stays on the
                        // button pressed (now in the row's new place) for keyboard users.
                        let move_by = {
                            let table_ptr = table_ptr.clone();
                            move |up: bool| {
                                let i = index.get_untracked();
                                let n = keys.with_untracked(Vec::len);
                                let j = if up { i.checked_sub(1) } else { (i + 1 < n).then_some(i + 1) };
                                let Some(j) = j else { return };
                                ctx.move_row(&table_ptr, i, j);
                                keys.update(|ks| ks.swap(i, j));
                                // At the top (bottom) the button pressed is disabled: focus its twin.
                                let at_end = if up { j == 0 } else { j + 1 == n };
                                let which = if up != at_end { "up" } else { "down" };
                                let button = format!("{}-{which}-{key}", dom_id::for_pointer(&table_ptr));
                                request_animation_frame(move || {
                                    if let Some(el) = ctx.root.with_value(|r| r.element(&button)) {
                                        let _ = el.focus();
                                    }
                                });
                            }
                        };
                        let (move_up, move_down) = (move_by.clone(), move_by);
                        let up_id = format!("{}-up-{key}", dom_id::for_pointer(&table_ptr));
                        let down_id = format!("{}-down-{key}", dom_id::for_pointer(&table_ptr));
                        let is_first = move || index.get() == 0;
                        let is_last = move || index.get() + 1 == keys.with(Vec::len);
                        let cells = move || {
                            let i = index.get();
                            columns.with_value(|cols| {
                                cols.iter()
                                    .filter_map(|col| col.pointer.as_ref().map(|p| field(ctx, col, format!("{table_ptr}/{i}{p}"), Some(i)).into_any()))
                                    .collect_view()
                            })
                        };
                        view! {
                            <div class="ef-row" role="listitem">
                                <div class="ef-row__head">
                                    <span class="ef-row__title">{move || format!("{} {}", Ui::Row.get(ctx.lang.get()), index.get() + 1)}</span>
                                                                        <span class="ef-row__actions">
                                        <button type="button" class="ef-button ef-button--secondary ef-button--small" id=up_id disabled=is_first on:click=move |_| move_up(true)>
                                            {move || format!("{} {}", Ui::MoveUp.get(ctx.lang.get()), index.get() + 1)}
                                        </button>
                                        <button type="button" class="ef-button ef-button--secondary ef-button--small" id=down_id disabled=is_last on:click=move |_| move_down(false)>
                                            {move || format!("{} {}", Ui::MoveDown.get(ctx.lang.get()), index.get() + 1)}
                                        </button>
                                        <button type="button" class="ef-button ef-button--secondary ef-button--small" on:click=remove>
                                            {move || format!("{} {}", Ui::RemoveRow.get(ctx.lang.get()), index.get() + 1)}
                                        </button>
                                    </span>
                                </div>
                                <div class="ef-row__cells">{cells}</div>
                            </div>
                        }
                    }
                />
            </div>
            <button type="button" class="ef-button ef-button--secondary" id=id on:click=add>
                {move || format!("{} — {}", Ui::AddRow.get(ctx.lang.get()), label.get(ctx.lang.get()))}
            </button>
        </div>
    }
}

/// An address, as its item's `mode` asks: in Viet Nam (province, commune, street), a province
/// only, or abroad (country, free text).
fn address(ctx: FormCtx, item: &Item, ptr: String) -> AnyView {
    match item.mode {
        AddressMode::Vietnam => address_vn(ctx, item, ptr).into_any(),
        AddressMode::Province => province_only(ctx, item, ptr).into_any(),
        AddressMode::Foreign => address_abroad(ctx, item, ptr).into_any(),
    }
}

/// What the parts of an address share: whether the whole is hidden, read-only and required
/// (by the schema or a `requiredIf`), and its help line.
struct AddressCommon {
    hidden: Box<dyn Fn() -> bool + Send + Sync>,
    read_only: Box<dyn Fn() -> bool + Send + Sync>,
    required: std::sync::Arc<dyn Fn() -> bool + Send + Sync>,
}

impl AddressCommon {
    fn new(ctx: FormCtx, ptr: &str, first_part: &str) -> AddressCommon {
        let required = ctx.form.with_value(|f| {
            f.field_for(ptr).is_some_and(|f| f.required) || f.schema().resolve(first_part).is_none()
        });
        let p = ptr.to_owned();
        AddressCommon {
            hidden: Box::new(watch(ctx, ptr, FormCtx::hidden)),
            read_only: Box::new(watch(ctx, ptr, FormCtx::read_only)),
            required: std::sync::Arc::new(move || required || ctx.required_now(&p)),
        }
    }

    fn mark(&self, ctx: FormCtx) -> impl Fn() -> Option<AnyView> + use<> {
        let r = self.required.clone();
        move || {
            r().then(|| {
                view! { <span class="ef-required">" "{Ui::Required.get(ctx.lang.get())}</span> }
                    .into_any()
            })
        }
    }

    fn aria_required(&self) -> impl Fn() -> Option<&'static str> + Clone + use<> {
        let r = self.required.clone();
        move || r().then_some("true")
    }
}

/// A province or centrally governed city only (`"mode": "province"`): one drop-down of the
/// administrative units' provinces; the value is `{ "province": code }`.
fn province_only(ctx: FormCtx, item: &Item, ptr: String) -> impl IntoView {
    let label = item.label.clone().unwrap_or_default();
    let p_ptr = format!("{ptr}/province");
    let common = AddressCommon::new(ctx, &ptr, &p_ptr);
    let id = dom_id::for_pointer(&p_ptr);
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let help_view = item.help.clone().map(|h| {
        view! { <p class="ef-hint" id=help_id.clone()>{move || ctx.text(&h)}</p> }
    });
    let has_help = help_view.is_some();
    let provinces: Vec<(String, Text)> = ctx.form.with_value(|f| {
        f.admin_units()
            .map(|u| {
                u.provinces()
                    .iter()
                    .map(|p| (p.code.clone(), p.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    });
    let province = text_memo(ctx, p_ptr.clone());
    let on_change = {
        let p = p_ptr.clone();
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            ctx.set(&p, (!v.is_empty()).then_some(Value::String(v)));
            ctx.touch(&p);
        }
    };
    let has_error = {
        let p = p_ptr.clone();
        move || ctx.error_at(&p).is_some()
    };
    let invalid = {
        let h = has_error.clone();
        move || h().then_some("true")
    };
    let described = {
        let (h, e, hid) = (has_error.clone(), error_id.clone(), format!("{id}-help"));
        move || {
            let ids: Vec<&str> = [(has_help, hid.as_str()), (h(), e.as_str())]
                .into_iter()
                .filter_map(|(on, i)| on.then_some(i))
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let mark = common.mark(ctx);
    let aria_required = common.aria_required();
    let AddressCommon {
        hidden, read_only, ..
    } = common;
    view! {
        <div class=move || field_class(has_error()) hidden=hidden>
            <label class="ef-label" for=id.clone()>{move || ctx.text(&label)}{mark}</label>
            {help_view}
            {error_line(ctx, p_ptr.clone(), error_id.clone())}
            <select class="ef-select" id=id.clone() autocomplete="address-level1" disabled=read_only aria-required=aria_required aria-invalid=invalid aria-describedby=described on:change=on_change>
                <option value="" selected=move || province.with(Option::is_none)>{move || Ui::ChooseProvince.get(ctx.lang.get())}</option>
                {provinces.into_iter().map(|(code, name)| {
                    let c = code.clone();
                    view! { <option value=code selected=move || province.with(|p| p.as_deref() == Some(c.as_str()))>{move || ctx.text(&name)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// An address abroad (`"mode": "foreign"`): a country other than Viet Nam, from form-core's
/// list, named in the citizen's language and sorted in it, then the address as free text (as
/// letters are addressed there). The value is `{ "country": code, "text": … }`.
fn address_abroad(ctx: FormCtx, item: &Item, ptr: String) -> impl IntoView {
    let label = item.label.clone().unwrap_or_default();
    let (c_ptr, t_ptr) = (format!("{ptr}/country"), format!("{ptr}/text"));
    let common = AddressCommon::new(ctx, &ptr, &c_ptr);
    let id = dom_id::for_pointer(&ptr);
    let help_id = format!("{id}-help");
    let help_view = item.help.clone().map(|h| {
        view! { <p class="ef-hint" id=help_id.clone()>{move || ctx.text(&h)}</p> }
    });
    let part_ids = [&c_ptr, &t_ptr].map(|p| dom_id::for_pointer(p));
    let error_ids = part_ids.clone().map(|i| format!("{i}-error"));
    let country = text_memo(ctx, c_ptr.clone());
    let text_initial = ctx.data.with_untracked(|d| {
        pointer::get(d, &t_ptr)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    });
    let on_country = {
        let c = c_ptr.clone();
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            ctx.set(&c, (!v.is_empty()).then_some(Value::String(v)));
            ctx.touch(&c);
        }
    };
    let on_text = {
        let t = t_ptr.clone();
        move |ev: leptos::ev::Event| {
            ctx.set(&t, to_value(Widget::Textarea, &event_target_value(&ev)))
        }
    };
    let on_text_change = {
        let t = t_ptr.clone();
        move |_: leptos::ev::Event| ctx.touch(&t)
    };
    let invalid = |p: String| move || ctx.error_at(&p).is_some().then_some("true");
    let described = |p: String, e: String| move || ctx.error_at(&p).is_some().then(|| e.clone());
    let any_error = {
        let ps = [c_ptr.clone(), t_ptr.clone()];
        move || ps.iter().any(|p| ctx.error_at(p).is_some())
    };
    // Sorted by the name in the language shown, as a citizen looks for it.
    let countries = move || form_core::countries::sorted(ctx.lang.get());
    let mark = common.mark(ctx);
    let aria_required = common.aria_required();
    let AddressCommon {
        hidden, read_only, ..
    } = common;
    let read_only: std::sync::Arc<dyn Fn() -> bool + Send + Sync> = read_only.into();
    let ro = read_only.clone();
    view! {
        <div class=move || field_class(any_error()) hidden=hidden>
            <fieldset class="ef-fieldset ef-address" id=id.clone()>
                <legend class="ef-label">{move || ctx.text(&label)}{mark}</legend>
                {help_view}
                <div class="ef-address__part">
                    <label for=part_ids[0].clone() class="ef-sublabel">{move || Ui::Country.get(ctx.lang.get())}</label>
                    {error_line(ctx, c_ptr.clone(), error_ids[0].clone())}
                    <select class="ef-select" id=part_ids[0].clone() autocomplete="country" disabled=move || ro() aria-required=aria_required.clone() aria-invalid=invalid(c_ptr.clone()) aria-describedby=described(c_ptr.clone(), error_ids[0].clone()) on:change=on_country>
                        <option value="" selected=move || country.with(Option::is_none)>{move || Ui::ChooseCountry.get(ctx.lang.get())}</option>
                        {move || {
                            let chosen = country.get();
                            let lang = ctx.lang.get();
                            countries().into_iter().map(|c| {
                                let selected = chosen.as_deref() == Some(c.code);
                                view! { <option value=c.code selected=selected>{c.name().get(lang).to_owned()}</option> }
                            }).collect_view()
                        }}
                    </select>
                </div>
                <div class="ef-address__part">
                    <label for=part_ids[1].clone() class="ef-sublabel">{move || Ui::AddressAbroad.get(ctx.lang.get())}</label>
                    {error_line(ctx, t_ptr.clone(), error_ids[1].clone())}
                    <textarea class="ef-textarea" id=part_ids[1].clone() rows="3" autocomplete="street-address" readonly=move || read_only() aria-required=aria_required aria-invalid=invalid(t_ptr.clone()) aria-describedby=described(t_ptr.clone(), error_ids[1].clone()) prop:value=text_initial on:input=on_text on:change=on_text_change></textarea>
                </div>
            </fieldset>
        </div>
    }
}

/// An address in Viet Nam: province, then a commune of that province (both from the 2025
/// administrative units the form was given), then the street part. Each part has its own label
/// and error, and its own element id, so that error-summary links land on the part to fix.
fn address_vn(ctx: FormCtx, item: &Item, ptr: String) -> impl IntoView {
    let label = item.label.clone().unwrap_or_default();
    let help = item.help.clone();
    let id = dom_id::for_pointer(&ptr);
    let help_id = format!("{id}-help");
    let parts = |name: &str| format!("{ptr}/{name}");
    let (p_ptr, c_ptr, s_ptr) = (parts("province"), parts("commune"), parts("street"));
    let hidden = watch(ctx, &ptr, FormCtx::hidden);
    let read_only = watch(ctx, &ptr, FormCtx::read_only);
    let required = ctx.form.with_value(|f| {
        f.field_for(&ptr).is_some_and(|f| f.required) || f.schema().resolve(&p_ptr).is_none()
    });
    let required_now = {
        let ptr = ptr.clone();
        move || required || ctx.required_now(&ptr)
    };
    // Province: the list the form was given, in its order.
    let provinces: Vec<(String, Text)> = ctx.form.with_value(|f| {
        f.admin_units()
            .map(|u| {
                u.provinces()
                    .iter()
                    .map(|p| (p.code.clone(), p.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    });
    let province = text_memo(ctx, p_ptr.clone());
    let communes = Memo::new(move |_| {
        let code = province.get();
        ctx.form.with_value(|f| {
            code.and_then(|c| {
                f.admin_units()?.province(&c).map(|p| {
                    p.communes
                        .iter()
                        .map(|c| (c.code.clone(), c.name.clone()))
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
        })
    });
    let current_commune = text_memo(ctx, c_ptr.clone());
    let on_province = {
        let (p, c) = (p_ptr.clone(), c_ptr.clone());
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            ctx.set(&p, (!v.is_empty()).then_some(Value::String(v.clone())));
            // A commune of another province no longer fits.
            let keep = ctx.form.with_value(|f| {
                let commune = ctx.data.with_untracked(|d| {
                    pointer::get(d, &c)
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                commune.is_some_and(|code| {
                    f.admin_units()
                        .is_some_and(|u| u.province_of(&code).is_some_and(|q| q.code == v))
                })
            });
            if !keep {
                ctx.set(&c, None);
            }
            ctx.touch(&p);
        }
    };
    let on_commune = {
        let c = c_ptr.clone();
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            ctx.set(&c, (!v.is_empty()).then_some(Value::String(v)));
            ctx.touch(&c);
        }
    };
    let street_initial = ctx.data.with_untracked(|d| {
        pointer::get(d, &s_ptr)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    });
    let on_street = {
        let s = s_ptr.clone();
        move |ev: leptos::ev::Event| ctx.set(&s, to_value(Widget::Text, &event_target_value(&ev)))
    };
    let on_street_change = {
        let s = s_ptr.clone();
        move |_: leptos::ev::Event| ctx.touch(&s)
    };
    let part_ids = [&p_ptr, &c_ptr, &s_ptr].map(|p| dom_id::for_pointer(p));
    let error_ids = part_ids.clone().map(|i| format!("{i}-error"));
    let invalid = |p: String| move || ctx.error_at(&p).is_some().then_some("true");
    let described = |p: String, e: String| move || ctx.error_at(&p).is_some().then(|| e.clone());
    let any_error = {
        let ps = [p_ptr.clone(), c_ptr.clone(), s_ptr.clone()];
        move || ps.iter().any(|p| ctx.error_at(p).is_some())
    };
    let class = move || field_class(any_error());
    let required_mark = {
        let r = required_now.clone();
        move || {
            r().then(
                || view! { <span class="ef-required">" "{Ui::Required.get(ctx.lang.get())}</span> },
            )
        }
    };
    let aria_required = {
        let r = required_now.clone();
        move || r().then_some("true")
    };
    let help_view =
        help.map(|h| view! { <p class="ef-hint" id=help_id.clone()>{move || ctx.text(&h)}</p> });
    let no_province = move || province.with(Option::is_none);
    let commune_hint_id = format!("{}-hint", part_ids[1]);
    view! {
        <div class=class hidden=hidden>
            <fieldset class="ef-fieldset ef-address" id=id.clone()>
                <legend class="ef-label">{move || ctx.text(&label)}{required_mark}</legend>
                {help_view}
                <div class="ef-address__part">
                    <label for=part_ids[0].clone() class="ef-sublabel">{move || Ui::Province.get(ctx.lang.get())}</label>
                    {error_line(ctx, p_ptr.clone(), error_ids[0].clone())}
                    <select class="ef-select" id=part_ids[0].clone() autocomplete="address-level1" disabled=read_only.clone() aria-required=aria_required.clone() aria-invalid=invalid(p_ptr.clone()) aria-describedby=described(p_ptr.clone(), error_ids[0].clone()) on:change=on_province>
                        <option value="" selected=move || province.with(Option::is_none)>{move || Ui::ChooseProvince.get(ctx.lang.get())}</option>
                        {provinces.into_iter().map(|(code, name)| {
                            let c = code.clone();
                            view! { <option value=code selected=move || province.with(|p| p.as_deref() == Some(c.as_str()))>{move || ctx.text(&name)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="ef-address__part">
                    <label for=part_ids[1].clone() class="ef-sublabel">{move || Ui::Commune.get(ctx.lang.get())}</label>
                    {move || no_province().then(|| view! { <p class="ef-hint" id=commune_hint_id.clone()>{Ui::ChooseProvinceFirst.get(ctx.lang.get())}</p> })}
                    {error_line(ctx, c_ptr.clone(), error_ids[1].clone())}
                    <select class="ef-select" id=part_ids[1].clone() autocomplete="address-level2" disabled={
                        let ro = read_only.clone();
                        move || ro() || no_province()
                    } aria-required=aria_required.clone() aria-invalid=invalid(c_ptr.clone()) aria-describedby=described(c_ptr.clone(), error_ids[1].clone()) on:change=on_commune>
                        <option value="" selected=move || current_commune.with(Option::is_none)>{move || Ui::ChooseCommune.get(ctx.lang.get())}</option>
                        {move || {
                            let chosen = current_commune.get();
                            communes.get().into_iter().map(|(code, name)| {
                                let selected = chosen.as_deref() == Some(code.as_str());
                                view! { <option value=code selected=selected>{move || ctx.text(&name)}</option> }
                            }).collect_view()
                        }}
                    </select>
                </div>
                <div class="ef-address__part">
                    <label for=part_ids[2].clone() class="ef-sublabel">{move || Ui::Street.get(ctx.lang.get())}</label>
                    {error_line(ctx, s_ptr.clone(), error_ids[2].clone())}
                    <input type="text" class="ef-input" id=part_ids[2].clone() autocomplete="street-address" readonly=read_only aria-required=aria_required aria-invalid=invalid(s_ptr.clone()) aria-describedby=described(s_ptr.clone(), error_ids[2].clone()) prop:value=street_initial on:input=on_street on:change=on_street_change />
                </div>
            </fieldset>
        </div>
    }
}

/// The text at `ptr` in the data, followed as it changes.
fn text_memo(ctx: FormCtx, ptr: String) -> Memo<Option<String>> {
    Memo::new(move |_| {
        ctx.data.with(|d| {
            pointer::get(d, &ptr)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    })
}

/// A file attachment: the citizen picks a file (or several, when the schema is an array), and
/// each file's name, size and type are checked at once against the item's `accept` and
/// `maxSize` (by form-core, as the portal checks them). The value holds the files' metadata;
/// sending the content belongs to the submission.
fn file(ctx: FormCtx, item: &Item, ptr: String) -> impl IntoView {
    let id = dom_id::for_pointer(&ptr);
    let error_id = format!("{id}-error");
    let help_id = format!("{id}-help");
    let status_id = format!("{id}-status");
    let label = item.label.clone().unwrap_or_default();
    let help = item.help.clone();
    let accept = (!item.accept.is_empty()).then(|| item.accept.join(","));
    let multiple = ctx.form.with_value(|f| {
        f.schema()
            .resolve(&ptr)
            .is_some_and(|v| v.items().is_some())
    });
    let hidden = watch(ctx, &ptr, FormCtx::hidden);
    let required = watch(ctx, &ptr, FormCtx::required);
    // The attachment's errors and those of each of its files.
    let messages = watch(ctx, &ptr, FormCtx::errors_under);
    let has_error = {
        let messages = messages.clone();
        move || !messages().is_empty()
    };
    let chosen = {
        let ptr = ptr.clone();
        move || {
            ctx.data.with(|d| {
                let describe = |f: &Value| {
                    let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                    let size = f.get("size").and_then(Value::as_u64).unwrap_or(0);
                    format!("{name} ({})", form_core::human_size(size))
                };
                match pointer::get(d, &ptr) {
                    Some(Value::Array(files)) if !files.is_empty() => {
                        Some(files.iter().map(describe).collect::<Vec<_>>().join(", "))
                    }
                    Some(Value::Array(_)) | None => None,
                    Some(f) => Some(describe(f)),
                }
            })
        }
    };
    // Uploading to the portal (signed in): how it goes, for the status line.
    let upload = RwSignal::new(None::<Ui>);
    let on_change = {
        let ptr = ptr.clone();
        move |ev: leptos::ev::Event| {
            let input: Option<web_sys::HtmlInputElement> = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into(t).ok());
            let list = input.as_ref().and_then(|i| i.files());
            if ctx.upload_url.get_value().is_some() {
                let files: Vec<web_sys::File> = (0..list.as_ref().map_or(0, |l| l.length()))
                    .filter_map(|i| list.as_ref().and_then(|l| l.get(i)))
                    .collect();
                upload_files(ctx, ptr.clone(), multiple, files, upload);
            }
            let picked: Vec<Value> = (0..list.as_ref().map_or(0, |l| l.length()))
                .filter_map(|i| list.as_ref().and_then(|l| l.get(i)))
                .map(|f| {
                    serde_json::json!({
                        "name": f.name(),
                        "size": f.size() as u64,
                        "type": f.type_(),
                    })
                })
                .collect();
            let value = if picked.is_empty() {
                None
            } else if multiple {
                Some(Value::Array(picked))
            } else {
                picked.into_iter().next()
            };
            ctx.set(&ptr, value);
            ctx.touch(&ptr);
        }
    };
    let on_remove =
        {
            let (ptr, id) = (ptr.clone(), id.clone());
            move |_| {
                ctx.set(&ptr, None);
                if let Some(el) = ctx.root.with_value(|r| r.element(&id)).and_then(|e| {
                    wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok()
                }) {
                    el.set_value("");
                    let _ = el.focus();
                }
            }
        };
    let described_by = {
        let (help_id, error_id, status_id) = (help_id.clone(), error_id.clone(), status_id.clone());
        let has_help = help.is_some();
        let has_error = has_error.clone();
        move || {
            let mut ids = vec![status_id.clone()];
            if has_help {
                ids.push(help_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    let class = {
        let has_error = has_error.clone();
        move || field_class(has_error())
    };
    let required_mark = {
        let r = required.clone();
        move || {
            r().then(
                || view! { <span class="ef-required">" "{Ui::Required.get(ctx.lang.get())}</span> },
            )
        }
    };
    let help_view =
        help.map(|h| view! { <p class="ef-hint" id=help_id.clone()>{move || ctx.text(&h)}</p> });
    let error_view = move || {
        let list = messages();
        (!list.is_empty()).then(|| {
            let lang = ctx.lang.get();
            let text = list
                .iter()
                .map(|m| m.get(lang).to_owned())
                .collect::<Vec<_>>()
                .join(" ");
            view! {
                <p class="ef-error" id=error_id.clone()>
                    <span class="ef-visually-hidden">{Ui::ErrorPrefix.get(lang)}" "</span>
                    {text}
                </p>
            }
        })
    };
    let status = {
        let chosen = chosen.clone();
        move || match (chosen(), upload.get()) {
            (Some(files), Some(state)) => format!(
                "{} {files} — {}",
                Ui::FileChosen.get(ctx.lang.get()),
                state.get(ctx.lang.get())
            ),
            (Some(files), None) => format!("{} {files}", Ui::FileChosen.get(ctx.lang.get())),
            (None, _) => Ui::NoFile.get(ctx.lang.get()),
        }
    };
    let has_file = move || chosen().is_some();
    view! {
        <div class=class hidden=hidden>
            <label for=id.clone() class="ef-label">{move || ctx.text(&label)}{required_mark}</label>
            {help_view}
            {error_view}
            <input type="file" class="ef-file" id=id.clone() multiple=multiple accept=accept aria-describedby=described_by aria-invalid=move || has_error().then_some("true") aria-required=move || required().then_some("true") on:change=on_change />
            <p class="ef-file__status" id=status_id.clone() aria-live="polite">{status}</p>
            {move || has_file().then(|| view! { <button type="button" class="ef-button ef-button--secondary" on:click=on_remove.clone()>{move || Ui::RemoveFile.get(ctx.lang.get())}</button> })}
        </div>
    }
}

/// Uploads picked files to the portal; each file's value gets the `sha256` the portal stored
/// it under (if the citizen has not picked another file meanwhile).
fn upload_files(
    ctx: FormCtx,
    ptr: String,
    multiple: bool,
    files: Vec<web_sys::File>,
    state: RwSignal<Option<Ui>>,
) {
    if files.is_empty() {
        state.set(None);
        return;
    }
    state.set(Some(Ui::Uploading));
    ctx.uploads_pending.update(|n| *n += 1);
    let services = ctx.services.get_value();
    leptos::task::spawn_local(async move {
        let mut ok = true;
        for (i, file) in files.iter().enumerate() {
            let Some(sha) = services.upload(file).await else {
                ok = false;
                continue;
            };
            let at = if multiple {
                format!("{ptr}/{i}")
            } else {
                ptr.clone()
            };
            let hashed = ctx.data.with_untracked(|d| {
                form_bind::services::with_hash(pointer::get(d, &at), file, sha)
            });
            if let Some(v) = hashed {
                if multiple {
                    let mut list = ctx.data.with_untracked(|d| {
                        pointer::get(d, &ptr)
                            .cloned()
                            .unwrap_or(Value::Array(Vec::new()))
                    });
                    if let Some(slot) = list.as_array_mut().and_then(|l| l.get_mut(i)) {
                        *slot = v;
                    }
                    ctx.set(&ptr, Some(list));
                } else {
                    ctx.set(&ptr, Some(v));
                }
            }
        }
        state.set(Some(if ok { Ui::Uploaded } else { Ui::UploadFailed }));
        ctx.uploads_pending.update(|n| *n = n.saturating_sub(1));
    });
}
