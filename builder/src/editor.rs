//! The editor of one form: a palette of every widget form-core knows, the canvas (pages →
//! sections → items, a table's columns; select an item, move it up or down — past the ends of
//! a section into the next one — or delete it, all with buttons the keyboard reaches), the
//! properties of the selected item (or of the form), every diagnostic of form-core's full
//! check as you type, a live preview drawn by form-ui — the citizens' runtime — in either
//! language and at 360 px, undo/redo (Ctrl+Z, Ctrl+Shift+Z; 200 steps), the draft saved on
//! the portal a moment after each change, export and import of the definition, publishing.

use crate::{api, t};
use form_core::edit::{self, ALL, At, EditError};
use form_core::{AddressMode, Diagnostic, Form, Lang, Text, Widget, load_value_semantic};
use form_ui::FormView;
use form_ui::form_view::{Json, fingerprint};
use leptos::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;

/// Most undo steps kept.
const HISTORY: usize = 200;
/// How long after the last change the draft is saved.
const SAVE_AFTER_MS: u64 = 800;

/// Form-core's semantic verdict on the definition: the form (for the preview) and its
/// diagnostics.
type Checked = (Option<Arc<Form>>, Vec<Diagnostic>);

#[derive(Default)]
struct History {
    past: Vec<Value>,
    future: Vec<Value>,
    /// The last change's coalescing key (typing into one text box is one step).
    last: Option<String>,
}

#[derive(Clone, PartialEq)]
enum Save {
    Saved,
    Pending,
    Saving,
    /// Saved elsewhere in between (another tab or person).
    Stale,
    Failed(Text),
}

/// The editor's state, shared by its parts (all signals: `Copy`).
#[derive(Clone, Copy)]
struct Ctx {
    id: StoredValue<String>,
    def: RwSignal<Value>,
    /// Every diagnostic of form-core's full check of `def`.
    diagnostics: Memo<Vec<Diagnostic>>,
    history: StoredValue<History>,
    selected: RwSignal<Option<At>>,
    problem: RwSignal<Option<Text>>,
    rev: RwSignal<i64>,
    save: RwSignal<Save>,
    /// Bumped by every change (the autosave waits until it stops moving).
    edits: RwSignal<u64>,
    /// Bumped by changes other than typing (and by undo/redo): the properties panel is drawn
    /// again then, never while the official types (the text box keeps its focus).
    shape: RwSignal<u64>,
    lang: RwSignal<Lang>,
}

impl Ctx {
    /// Applies an edit; changes with the same `coalesce` key in a row are one undo step.
    fn change(
        self,
        coalesce: Option<String>,
        f: impl FnOnce(&mut Value) -> Result<Option<At>, EditError>,
    ) {
        // Typing on in the same box: the edit is made in place (the step's starting point is
        // in the history already), no copy of a large definition per keystroke.
        let continued = coalesce.is_some()
            && self
                .history
                .with_value(|h| h.last == coalesce && !h.past.is_empty());
        if continued {
            let mut result = Ok(None);
            self.def.update_untracked(|d| result = f(d));
            match result {
                Ok(select) => {
                    self.history.update_value(|h| h.future.clear());
                    self.def.notify();
                    if let Some(s) = select {
                        self.selected.set(Some(s));
                    }
                    self.problem.set(None);
                    self.touched();
                }
                Err(e) => {
                    // Whatever the edit did before it refused is shown, not hidden.
                    self.def.notify();
                    self.problem.set(Some(e.0));
                }
            }
            return;
        }
        // Else one copy of the definition: the edit works on it, and the one it replaces
        // goes into the history.
        let mut next = self.def.get_untracked();
        match f(&mut next) {
            Ok(select) => {
                if self.def.with_untracked(|d| *d == next) {
                    return;
                }
                if coalesce.is_none() {
                    self.shape.update(|n| *n += 1);
                }
                let mut before = next;
                self.def
                    .update_untracked(|d| std::mem::swap(d, &mut before));
                self.history.update_value(|h| {
                    if coalesce.is_none() || h.last != coalesce {
                        h.past.push(before);
                        if h.past.len() > HISTORY {
                            h.past.remove(0);
                        }
                    }
                    h.future.clear();
                    h.last = coalesce;
                });
                self.def.notify();
                if let Some(s) = select {
                    self.selected.set(Some(s));
                }
                self.problem.set(None);
                self.touched();
            }
            Err(e) => self.problem.set(Some(e.0)),
        }
    }

    fn touched(self) {
        self.save.set(Save::Pending);
        self.edits.update(|n| *n += 1);
        let edits = self.edits.get_untracked();
        set_timeout(
            move || {
                if self.edits.get_untracked() == edits {
                    self.save_now();
                }
            },
            std::time::Duration::from_millis(SAVE_AFTER_MS),
        );
    }

    fn save_now(self) {
        if matches!(
            self.save.get_untracked(),
            Save::Saved | Save::Saving | Save::Stale
        ) {
            return;
        }
        self.save.set(Save::Saving);
        let edits = self.edits.get_untracked();
        leptos::task::spawn_local(async move {
            let id = self.id.get_value();
            let def = self.def.get_untracked();
            match api::save(&id, self.rev.get_untracked(), &def).await {
                api::Saved::Rev(r) => {
                    self.rev.set(r);
                    // Changed again while saving: save again.
                    if self.edits.get_untracked() == edits {
                        self.save.set(Save::Saved);
                    } else {
                        self.save.set(Save::Pending);
                        self.save_now();
                    }
                }
                api::Saved::Stale => self.save.set(Save::Stale),
                api::Saved::Failed(t) => self.save.set(Save::Failed(t)),
            }
        });
    }

    fn undo(self) {
        let mut moved = None;
        self.history.update_value(|h| {
            if let Some(prev) = h.past.pop() {
                h.future.push(self.def.get_untracked());
                h.last = None;
                moved = Some(prev);
            }
        });
        if let Some(prev) = moved {
            self.def.set(prev);
            self.shape.update(|n| *n += 1);
            self.touched();
        }
    }

    fn redo(self) {
        let mut moved = None;
        self.history.update_value(|h| {
            if let Some(next) = h.future.pop() {
                h.past.push(self.def.get_untracked());
                h.last = None;
                moved = Some(next);
            }
        });
        if let Some(next) = moved {
            self.def.set(next);
            self.shape.update(|n| *n += 1);
            self.touched();
        }
    }

    fn text(self, v: &Value) -> String {
        serde_json::from_value::<Text>(v.clone())
            .map(|x| x.get(self.lang.get()).to_owned())
            .unwrap_or_default()
    }
}

fn widget_of(v: &Value) -> Option<Widget> {
    serde_json::from_value(v["widget"].clone()).ok()
}

/// The widget's name in the palette.
fn widget_name(w: Widget) -> (&'static str, &'static str) {
    match w {
        Widget::Text => ("Văn bản ngắn", "Short text"),
        Widget::Textarea => ("Văn bản dài", "Long text"),
        Widget::Number => ("Số", "Number"),
        Widget::Date => ("Ngày", "Date"),
        Widget::Month => ("Tháng/năm", "Month and year"),
        Widget::Year => ("Năm", "Year"),
        Widget::Select => ("Danh sách chọn", "Drop-down"),
        Widget::MultiSelect => ("Chọn nhiều", "Multiple choice"),
        Widget::Radio => ("Chọn một", "Single choice"),
        Widget::Checkbox => ("Ô đánh dấu", "Checkbox"),
        Widget::Email => ("Thư điện tử", "E-mail"),
        Widget::Phone => ("Số điện thoại", "Phone number"),
        Widget::IdNumber => ("Số định danh cá nhân", "Personal ID number"),
        Widget::Address => ("Địa chỉ", "Address"),
        Widget::File => ("Tệp đính kèm", "File attachment"),
        Widget::Table => ("Bảng (nhóm lặp lại)", "Table (repeating group)"),
        Widget::Static => ("Đoạn hướng dẫn", "Guidance text"),
    }
}

/// Loads the draft, then the workbench.
#[component]
pub fn Editor(id: String, lang: RwSignal<Lang>) -> impl IntoView {
    let loaded = RwSignal::new(None::<Result<Value, Text>>);
    {
        let id = id.clone();
        leptos::task::spawn_local(async move { loaded.set(Some(api::get(&id).await)) });
    }
    view! {
        <p><a href="/builder/">{t(lang, "← Biểu mẫu của cơ quan", "← Your agency's forms")}</a></p>
        {move || match loaded.get() {
            None => view! { <p role="status">{t(lang, "Đang tải bản nháp…", "Loading the draft…")}</p> }.into_any(),
            Some(Err(e)) => view! { <p role="alert" class="ef-error">{e.get(lang.get()).to_owned()}</p> }.into_any(),
            Some(Ok(v)) => view! { <Workbench id=id.clone() start=v lang=lang /> }.into_any(),
        }}
    }
}

#[component]
fn Workbench(id: String, start: Value, lang: RwSignal<Lang>) -> impl IntoView {
    let def = RwSignal::new(start["definition"].clone());
    // Form-core's check of the definition as it is now, in two parts. On each edit: the typed
    // model, the semantic checks and the form, for the preview and the diagnostics — what must
    // show within the frame.
    let checked: Memo<Checked> = Memo::new_with_compare(
        move |_| {
            let loaded = def.with(load_value_semantic);
            let mut diagnostics = loaded.diagnostics;
            // Prefill bindings against the key catalogue, as the portal checks them.
            if let Some(f) = &loaded.form {
                diagnostics.extend(form_core::datastore::check_bindings(
                    f,
                    &form_ui::datastore::CATALOGUE,
                ));
            }
            (loaded.form.map(Arc::new), diagnostics)
        },
        // A new check is always news (the definition changed).
        |_, _| true,
    );
    // Then, in the task after the edit's, the meta-schema's pass over the definition's shape
    // (a third of the time; only the latest edit's is run).
    let shape_problems = RwSignal::new(Vec::<Diagnostic>::new());
    let shape_round = StoredValue::new(0u64);
    Effect::new(move |_| {
        def.track();
        shape_round.update_value(|n| *n += 1);
        let round = shape_round.get_value();
        set_timeout(
            move || {
                if shape_round.get_value() == round {
                    shape_problems.set(def.with_untracked(form_core::shape_check));
                }
            },
            std::time::Duration::ZERO,
        );
    });
    // Both, as the full check lists them (the portal's, on publishing).
    let diagnostics = Memo::new(move |_| {
        let mut all: Vec<Diagnostic> = shape_problems.get();
        checked.with(|c| {
            all.extend(c.1.iter().filter(|d| d.code != "definition-shape").cloned());
        });
        all.sort_by(|a, b| a.pointer.cmp(&b.pointer).then(a.severity.cmp(&b.severity)));
        all.dedup();
        all
    });
    let ctx = Ctx {
        id: StoredValue::new(id.clone()),
        def,
        diagnostics,
        history: StoredValue::new(History::default()),
        selected: RwSignal::new(None),
        problem: RwSignal::new(None),
        rev: RwSignal::new(start["rev"].as_i64().unwrap_or(1)),
        save: RwSignal::new(Save::Saved),
        edits: RwSignal::new(0),
        shape: RwSignal::new(0),
        lang,
    };
    let versions = RwSignal::new(start["versions"].clone());
    // The form the preview shows: the last version without errors.
    let shown = Memo::new_with_compare(
        move |before: Option<&Option<Arc<Form>>>| {
            checked
                .with(|c| c.0.clone())
                .or_else(|| before.cloned().flatten())
        },
        |a, b| match (a.cloned().flatten(), b.cloned().flatten()) {
            (Some(a), Some(b)) => !Arc::ptr_eq(&a, &b),
            (a, b) => a.is_some() != b.is_some(),
        },
    );
    let started = Memo::new(move |_| shown.with(Option::is_some));
    let preview_lang = RwSignal::new(lang.get_untracked());
    let narrow = RwSignal::new(false);
    let published = RwSignal::new(None::<Result<Value, (Text, Vec<Diagnostic>)>>);

    // Ctrl+Z / Ctrl+Shift+Z (and Ctrl+Y) outside text boxes, where the browser's own undo acts.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        use wasm_bindgen::JsCast;
        let in_text = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
        if in_text || !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        match ev.key().as_str() {
            "z" | "Z" if ev.shift_key() => {
                ev.prevent_default();
                ctx.redo();
            }
            "z" | "Z" => {
                ev.prevent_default();
                ctx.undo();
            }
            "y" | "Y" => {
                ev.prevent_default();
                ctx.redo();
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let publish = move |_| {
        published.set(None);
        leptos::task::spawn_local(async move {
            // What is published is what is saved: save first.
            if ctx.save.get_untracked() != Save::Saved {
                ctx.save_now();
                for _ in 0..50 {
                    if ctx.save.get_untracked() != Save::Saving {
                        break;
                    }
                    form_ui::fetch::sleep(100).await;
                }
            }
            let id = ctx.id.get_value();
            match api::publish(&id, ctx.rev.get_untracked()).await {
                api::Published::Version(v) => {
                    published.set(Some(Ok(v)));
                    if let Ok(g) = api::get(&id).await {
                        versions.set(g["versions"].clone());
                    }
                }
                api::Published::Refused(t, d) => published.set(Some(Err((t, d)))),
                api::Published::Failed(t) => published.set(Some(Err((t, Vec::new())))),
            }
        });
    };

    let title = move || ctx.text(&ctx.def.get()["title"]);
    view! {
        <div class="bd-head">
            <h1 class="ef-title">{title}<span class="ef-hint bd-id">{id.clone()}</span></h1>
            <div class="bd-toolbar" role="toolbar" aria-label=t(lang, "Công cụ", "Tools")>
                <button type="button" class="ef-button ef-button--secondary" data-testid="undo"
                    disabled=move || { ctx.def.track(); ctx.history.with_value(|h| h.past.is_empty()) }
                    on:click=move |_| ctx.undo()>{t(lang, "Hoàn tác", "Undo")}</button>
                <button type="button" class="ef-button ef-button--secondary" data-testid="redo"
                    disabled=move || { ctx.def.track(); ctx.history.with_value(|h| h.future.is_empty()) }
                    on:click=move |_| ctx.redo()>{t(lang, "Làm lại", "Redo")}</button>
                <Export ctx=ctx />
                <Import ctx=ctx />
                <button type="button" class="ef-button" data-testid="publish" on:click=publish>{t(lang, "Ban hành", "Publish")}</button>
                <span class="bd-save" role="status" data-testid="save-state">{move || match ctx.save.get() {
                    Save::Saved => t(lang, "Đã lưu bản nháp", "Draft saved")().to_owned(),
                    Save::Pending | Save::Saving => t(lang, "Đang lưu…", "Saving…")().to_owned(),
                    Save::Stale => t(lang, "Bản nháp đã được lưu ở nơi khác: tải lại trang để xem bản mới nhất (thay đổi ở đây chưa được lưu).", "The draft was saved elsewhere: reload to see the latest (changes here are not saved).")().to_owned(),
                    Save::Failed(e) => e.get(lang.get()).to_owned(),
                }}</span>
            </div>
        </div>
        {move || published.get().map(|p| match p {
            Ok(v) => view! { <p role="status" class="ef-notice" data-testid="published">{move || format!("{} {}", t(lang, "Đã ban hành phiên bản", "Published version")(), v["version"])}</p> }.into_any(),
            Err((e, d)) => view! {
                <div role="alert" class="ef-summary" data-testid="publish-refused">
                    <p>{e.get(lang.get()).to_owned()}</p>
                    <ul>{d.into_iter().filter(Diagnostic::is_error).map(|d| view! { <li>{format!("{} — {}", d.pointer, d.message.get(lang.get()))}</li> }).collect_view()}</ul>
                </div>
            }.into_any(),
        })}
        {move || ctx.problem.get().map(|p| view! { <p role="alert" class="ef-error">{p.get(lang.get()).to_owned()}</p> })}
        <div class="bd-work">
            <section class="bd-pane" aria-labelledby="bd-canvas-title">
                <h2 id="bd-canvas-title" class="ef-section__title" tabindex="-1">{t(lang, "Bố cục", "Layout")}</h2>
                <Palette ctx=ctx />
                <Canvas ctx=ctx />
            </section>
            <section class="bd-pane" aria-labelledby="bd-props-title">
                <h2 id="bd-props-title" class="ef-section__title">{t(lang, "Thuộc tính", "Properties")}</h2>
                <Properties ctx=ctx />
                <Diagnostics ctx=ctx />
                <Versions lang=lang versions=versions />
            </section>
            <section class="bd-pane bd-preview" aria-labelledby="bd-preview-title">
                <h2 id="bd-preview-title" class="ef-section__title">{t(lang, "Xem trước", "Preview")}</h2>
                <div class="bd-toolbar">
                    <form_ui::chrome::LangSwitch lang=preview_lang />
                    <label class="bd-inline"><input type="checkbox" class="ef-checkbox" data-testid="preview-narrow"
                        prop:checked=move || narrow.get() on:change=move |ev| narrow.set(event_target_checked(&ev)) />
                        {t(lang, "Màn hình điện thoại (360 px)", "Phone screen (360 px)")}</label>
                </div>
                <div class="bd-preview__frame" class:bd-preview__frame--narrow=move || narrow.get() data-testid="preview">
                    {move || checked.with(|c| c.0.is_none()).then(|| view! {
                        <p class="ef-notice" data-testid="preview-stale">{move || if shown.with(Option::is_some) {
                            t(lang, "Biểu mẫu đang có lỗi: bản xem trước là phiên bản không lỗi gần nhất.", "The form has errors: the preview shows its last version without errors.")()
                        } else {
                            t(lang, "Sửa các lỗi để xem trước biểu mẫu.", "Fix the errors to preview the form.")()
                        }}</p>
                    })}
                    // Drawn once; each later version of the form replaces it in place (only
                    // what changed is drawn again, and what was test-filled stays).
                    {move || started.get().then(|| shown.get_untracked()).flatten().map(|first| {
                        let live = Signal::derive(move || shown.get().unwrap_or_else(|| first.clone()));
                        view! { <FormView form=live.get_untracked() lang=preview_lang initial=Some(json!({})) live=live /> }
                    })}
                </div>
            </section>
        </div>
    }
}

/// Buttons that add a field of each widget after the selected item (or at the end of the
/// first section).
#[component]
fn Palette(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    let add = move |w: Widget| {
        let place = ctx.selected.get_untracked();
        ctx.change(None, move |d| match place {
            Some(At {
                column: Some(_), ..
            }) if w != Widget::Table && w != Widget::Static => {
                let table = At {
                    column: None,
                    ..place.expect("selected")
                };
                edit::add_column(d, table, w).map(Some)
            }
            Some(at) => edit::add_item(d, at.page, at.section, at.item + 1, w).map(Some),
            None => {
                let n = d["pages"][0]["sections"][0]["items"]
                    .as_array()
                    .map_or(0, Vec::len);
                edit::add_item(d, 0, 0, n, w).map(Some)
            }
        });
    };
    view! {
        <details class="bd-palette" open>
            <summary>{t(lang, "Thêm trường", "Add a field")}</summary>
            <ul class="bd-palette__list">
                {ALL.into_iter().map(|w| {
                    let (vi, en) = widget_name(w);
                    view! { <li><button type="button" class="ef-button ef-button--secondary bd-palette__button" data-widget=w.name()
                        on:click=move |_| add(w)>{move || if lang.get() == Lang::Vi { vi } else { en }}</button></li> }
                }).collect_view()}
            </ul>
            <p class="ef-hint">{t(lang, "Trường mới được thêm sau trường đang chọn (vào bảng nếu đang chọn một cột).", "A new field goes after the selected one (into the table when a column is selected).")}</p>
        </details>
    }
}

/// The pages, sections and items; the selected item's move and delete buttons.
#[component]
fn Canvas(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    // Each row watches whether it is the selected one: a new selection wakes two rows, not
    // every row.
    let selector = StoredValue::new(Selector::new(move || ctx.selected.get()));
    // Drag and drop: what is dragged, and the place it would land (the item it would go
    // before; a section's length for its end).
    let dragged = RwSignal::new(None::<At>);
    let target = RwSignal::new(None::<At>);
    let drop_at = StoredValue::new(Selector::new(move || target.get()));
    // Whether `place` takes what is dragged: an item goes between items (of any section), a
    // column between the columns of its own table.
    let fits = move |place: At| {
        dragged
            .get_untracked()
            .is_some_and(|from| match (from.column, place.column) {
                (None, None) => true,
                (Some(_), Some(_)) => {
                    At {
                        column: None,
                        ..from
                    } == At {
                        column: None,
                        ..place
                    }
                }
                _ => false,
            })
    };
    let over = move |ev: &leptos::ev::DragEvent, place: At| {
        if fits(place) {
            ev.prevent_default();
            if target.get_untracked() != Some(place) {
                target.set(Some(place));
            }
        }
    };
    let drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let (Some(from), Some(to)) = (dragged.get_untracked(), target.get_untracked()) {
            ctx.change(None, move |d| edit::move_to(d, from, to).map(Some));
        }
        dragged.set(None);
        target.set(None);
    };
    // A row's place follows the rows inserted or removed before it (rows are keyed by what
    // they show, so an insertion draws only the new row).
    let row = move |place: Signal<At>, item: &Value| {
        let at = move || place.get_untracked();
        let label = {
            let item = item.clone();
            move || {
                let l = ctx.text(&item["label"]);
                if l.is_empty() {
                    ctx.text(&item["text"])
                } else {
                    l
                }
            }
        };
        let meta = format!(
            "{} · {}",
            item["widget"].as_str().unwrap_or_default(),
            item["pointer"].as_str().unwrap_or("—")
        );
        let is = move || selector.with_value(|s| s.selected(&Some(place.get())));
        // The row's lower half means "after it".
        let next = move || {
            let at = at();
            At {
                item: at.item + usize::from(at.column.is_none()),
                column: at.column.map(|c| c + 1),
                ..at
            }
        };
        let place_of = move |ev: &leptos::ev::DragEvent| {
            use wasm_bindgen::JsCast;
            let lower = ev
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .map(|e| e.get_bounding_client_rect())
                .is_some_and(|r| f64::from(ev.client_y()) > r.top() + r.height() / 2.0);
            if lower { next() } else { at() }
        };
        view! {
            <div class="bd-item" class:bd-item--selected=is data-testid="canvas-item" aria-current=move || if is() { "true" } else { "false" }
                draggable="true"
                class:bd-item--drop-before=move || drop_at.with_value(|s| s.selected(&Some(place.get())))
                on:dragstart=move |ev| {
                    ev.stop_propagation();
                    if let Some(dt) = ev.data_transfer() {
                        let _ = dt.set_data("text/plain", &at().pointer());
                        dt.set_effect_allowed("move");
                    }
                    dragged.set(Some(at()));
                }
                on:dragend=move |_| { dragged.set(None); target.set(None); }
                on:dragover=move |ev| over(&ev, place_of(&ev))
                on:drop=drop>
                <button type="button" class="bd-item__pick" aria-pressed=move || if is() { "true" } else { "false" }
                    on:click=move |_| ctx.selected.set(Some(at()))>
                    <span class="bd-item__label">{label}</span>
                    <span class="bd-item__meta">{meta}</span>
                </button>
                {move || is().then(|| view! {
                    <span class="bd-item__tools">
                        <button type="button" class="ef-button ef-button--secondary" data-testid="move-up"
                            on:click=move |_| { let at = at(); ctx.change(None, |d| edit::step(d, at, -1).map(Some)); refocus("[aria-current=true] [data-testid=move-up]"); }>{t(lang, "Lên", "Up")}</button>
                        <button type="button" class="ef-button ef-button--secondary" data-testid="move-down"
                            on:click=move |_| { let at = at(); ctx.change(None, |d| edit::step(d, at, 1).map(Some)); refocus("[aria-current=true] [data-testid=move-down]"); }>{t(lang, "Xuống", "Down")}</button>
                        <button type="button" class="ef-button ef-button--secondary" data-testid="delete"
                            on:click=move |_| { let at = at(); ctx.change(None, |d| edit::remove(d, at).map(|_| None)); ctx.selected.set(None); refocus("#bd-canvas-title"); }>{t(lang, "Xoá", "Delete")}</button>
                    </span>
                })}
            </div>
        }
    };
    // Keyed by what each part is drawn from: an edit draws again only the rows it changed
    // (and those after an insertion in the same section).
    let pages = move || {
        ctx.def.with(|d| {
            d["pages"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .map(|(p, page)| {
                            (
                                fingerprint((p, Json(&page["title"]))),
                                p,
                                page["title"].clone(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let sections = move |p: usize| {
        ctx.def.with(|d| {
            d["pages"][p]["sections"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .map(|(s, section)| {
                            (
                                fingerprint((p, s, Json(&section["title"]))),
                                s,
                                section["title"].clone(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let items = move |p: usize, s: usize| {
        ctx.def.with(|d| {
            d["pages"][p]["sections"][s]["items"]
                .as_array()
                .map(|a| {
                    // Which of identical items (two equal guidance texts) makes the key whole.
                    let mut seen = std::collections::HashMap::<u64, usize>::new();
                    a.iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let key = fingerprint(Json(item));
                            let n = seen.entry(key).or_default();
                            *n += 1;
                            ((key, *n), i)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let item_row = move |p: usize, s: usize, index: ReadSignal<usize>| {
        let i = index.get_untracked();
        let item = ctx
            .def
            .with_untracked(|d| d["pages"][p]["sections"][s]["items"][i].clone());
        let columns = item["columns"].as_array().cloned().unwrap_or_default();
        let at = Signal::derive(move || At::item(p, s, index.get()));
        view! {
            <li>
                {row(at, &item)}
                {(!columns.is_empty()).then(|| view! {
                    <ol class="bd-items bd-items--columns">
                        {columns.into_iter().enumerate().map(|(c, col)| view! {
                            <li>{row(Signal::derive(move || At { column: Some(c), ..at.get() }), &col)}</li>
                        }).collect_view()}
                    </ol>
                })}
            </li>
        }
    };
    let section_view = move |p: usize, s: usize, title: Value| {
        view! {
            <div class="bd-section">
                <h4 class="bd-section__title">{move || ctx.text(&title)}</h4>
                <ol class="bd-items">
                    <ForEnumerate each=move || items(p, s) key=|x| x.0 let(index, _x)>
                        {item_row(p, s, index)}
                    </ForEnumerate>
                    {move || {
                        // While an item is dragged: the end of the section (an empty one too).
                        let end = At::item(p, s, ctx.def.with(|d| d["pages"][p]["sections"][s]["items"].as_array().map_or(0, Vec::len)));
                        dragged.get().is_some_and(|d| d.column.is_none()).then(|| view! {
                            <li class="bd-drop-end" class:bd-item--drop-before=move || drop_at.with_value(|x| x.selected(&Some(end)))
                                data-testid="drop-end" on:dragover=move |ev| over(&ev, end) on:drop=drop>
                                {t(lang, "Thả vào cuối mục này", "Drop at the end of this section")}
                            </li>
                        })
                    }}
                </ol>
            </div>
        }
    };
    let page_view = move |p: usize, title: Value| {
        view! {
            <div class="bd-page">
                <h3 class="bd-page__title">{format!("{} {}", t(lang, "Trang", "Page")(), p + 1)}": "{move || ctx.text(&title)}</h3>
                <For each=move || sections(p) key=|x| x.0 let:x>
                    {section_view(p, x.1, x.2)}
                </For>
                <button type="button" class="ef-button ef-button--secondary" data-testid="add-section"
                    on:click=move |_| {
                        let n = ctx.def.get_untracked()["pages"][p]["sections"].as_array().map_or(0, Vec::len);
                        ctx.change(None, move |d| edit::add_section(d, p, n).map(|_| None));
                    }>{t(lang, "Thêm mục", "Add a section")}</button>
            </div>
        }
    };
    view! {
        <button type="button" class="ef-linkbutton" aria-pressed=move || if ctx.selected.get().is_none() { "true" } else { "false" }
            on:click=move |_| ctx.selected.set(None)>{t(lang, "Thuộc tính của biểu mẫu", "The form's properties")}</button>
        <For each=pages key=|x| x.0 let:x>
            {page_view(x.1, x.2)}
        </For>
        <button type="button" class="ef-button ef-button--secondary" data-testid="add-page"
            on:click=move |_| {
                let n = ctx.def.get_untracked()["pages"].as_array().map_or(0, Vec::len);
                ctx.change(None, move |d| edit::add_page(d, n).map(|_| None));
            }>{t(lang, "Thêm trang", "Add a page")}</button>
    }
}

/// Focuses the element `selector` names once the page has been drawn again (the canvas is
/// redrawn by a move: the keyboard stays where it was).
fn refocus(selector: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(e) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(selector).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = e.focus();
        }
    });
}

/// A text input bound to the definition at `pointer` (one undo step per box typed into).
fn text_input(
    ctx: Ctx,
    id: String,
    label: String,
    pointer: String,
    pair: Option<String>,
) -> impl IntoView {
    let value = {
        let pointer = pointer.clone();
        move || {
            ctx.def.with(|d| {
                d.pointer(&pointer)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            })
        }
    };
    let lang = ctx.lang;
    let text_of_pair = pair.is_some();
    let pair_of = pair.clone();
    // What form-core says about this very text (a rule's parse or type error, as it is typed).
    let problems = {
        let pointer = pointer.clone();
        move || {
            ctx.diagnostics.with(|all| {
                all.iter()
                    .filter(|d| d.pointer == pointer)
                    .map(|d| d.message.get(lang.get()).to_owned())
                    .collect::<Vec<_>>()
            })
        }
    };
    let problem_id = format!("{id}-problem");
    let has_problem = {
        let problems = problems.clone();
        move || !problems().is_empty()
    };
    let described = {
        let (has_problem, problem_id) = (has_problem.clone(), problem_id.clone());
        move || has_problem().then(|| problem_id.clone())
    };
    let is_rule = pair.is_none()
        && pointer
            .rsplit('/')
            .next()
            .is_some_and(|k| RULES.contains(&k));
    view! {
        <div class="ef-field">
            <label class="ef-label" for=id.clone()>{label}
                {move || {
                    let missing = pair.as_ref().is_some_and(|p| ctx.def.with(|d| d.pointer(p).is_some_and(edit::translation_missing)));
                    missing.then(|| view! { <span class="bd-flag">{t(lang, " — thiếu bản dịch", " — translation missing")}</span> })
                }}
            </label>
            <input id=id class="ef-input" class:bd-rule=is_rule prop:value=value autocomplete="off" spellcheck=if is_rule { "false" } else { "true" }
                aria-invalid=move || if has_problem() { "true" } else { "false" } aria-describedby=described
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    let pointer = pointer.clone();
                    let pair = pair_of.clone();
                    ctx.change(Some(pointer.clone()), move |d| {
                        // A text of a vi/en pair stays (empty: flagged), so does a constraint's
                        // rule (its message needs it); an empty rule of the item goes.
                        let keep = text_of_pair || !v.is_empty() || pointer.ends_with("/rule");
                        set_at(d, &pointer, keep.then(|| json!(v)));
                        // An optional text (help, a section's title) emptied in both
                        // languages goes: nothing empty is drawn.
                        if let Some(pair) = pair.filter(|p| optional_text(p))
                            && d.pointer(&pair).is_some_and(|t| t["vi"] == "" && t["en"] == "")
                        {
                            set_at(d, &pair, None);
                        }
                        Ok(None)
                    });
                } />
            {move || {
                let list = problems();
                (!list.is_empty()).then(|| view! {
                    <p class="ef-error" id=problem_id.clone() data-testid="rule-problem">{list.join(" ")}</p>
                })
            }}
        </div>
    }
}

/// Whether the text at `pointer` may be left out of a definition (a help text, a section's
/// title).
fn optional_text(pointer: &str) -> bool {
    pointer.ends_with("/help") || (pointer.ends_with("/title") && pointer.contains("/sections/"))
}

/// The item's rules edited in text boxes (their problems are shown as they are typed).
const RULES: [&str; 5] = ["visibleIf", "requiredIf", "readOnlyIf", "compute", "rule"];

/// Sets (or removes, with `None`) the value at `pointer`, making the objects on the way.
fn set_at(d: &mut Value, pointer: &str, value: Option<Value>) {
    let Some((parent, key)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    if d.pointer(parent).is_none() {
        set_at(d, parent, Some(json!({})));
    }
    if let Some(Value::Object(o)) = d.pointer_mut(parent) {
        match value {
            Some(v) => {
                o.insert(key, v);
            }
            None => {
                o.remove(&key);
            }
        }
    }
}

/// A vi/en pair of inputs for the text at `pointer`.
fn text_pair(
    ctx: Ctx,
    name: &str,
    vi: &'static str,
    en: &'static str,
    pointer: String,
) -> impl IntoView + use<> {
    view! {
        {text_input(ctx, format!("bd-{name}-vi"), format!("{vi} (Tiếng Việt)"), format!("{pointer}/vi"), Some(pointer.clone()))}
        {text_input(ctx, format!("bd-{name}-en"), format!("{en} (English)"), format!("{pointer}/en"), Some(pointer.clone()))}
    }
}

/// The selected item's properties, or the form's.
#[component]
fn Properties(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    let key_problem = RwSignal::new(None::<Text>);
    let groups = RwSignal::new(std::collections::BTreeSet::<&'static str>::new());
    move || {
        ctx.shape.track();
        match ctx.selected.get() {
            None => view! {
                <div class="bd-props" data-testid="form-properties">
                    {text_pair(ctx, "title", "Tên biểu mẫu", "Form title", "/title".into())}
                    {text_input(ctx, "bd-procedure".into(), t(lang, "Mã thủ tục hành chính", "Administrative procedure code")().into(), "/procedureCode".into(), None)}
                    <p class="ef-hint" data-testid="agency-code">{move || format!("{} {}", t(lang, "Mã cơ quan tiếp nhận (do cổng đặt khi ban hành):", "Receiving agency code (set by the portal on publishing):")(), ctx.def.with(|d| d["agencyCode"].as_str().unwrap_or("—").to_owned()))}</p>
                    <label class="bd-inline"><input type="checkbox" class="ef-checkbox" data-testid="signature-required"
                        prop:checked=move || ctx.def.with(|d| d["signature"]["required"].as_bool().unwrap_or(false))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            ctx.change(None, move |d| {
                                set_at(d, "/signature", on.then(|| json!({"required": true})));
                                Ok(None)
                            });
                        } />
                        {t(lang, "Hồ sơ phải được ký số", "The dossier must be digitally signed")}</label>
                </div>
            }.into_any(),
            Some(at) => {
                let Some((item, required)) = ctx.def.with_untracked(|d| {
                    Some((d.pointer(&at.pointer())?.clone(), edit::is_required(d, at)))
                }) else {
                    return view! { <p class="ef-hint">{t(lang, "Chọn một trường trên bố cục.", "Select a field in the layout.")}</p> }.into_any();
                };
                let base = at.pointer();
                let widget = widget_of(&item);
                let has_data = widget.is_some_and(|w| w != Widget::Static);
                let key = item["pointer"].as_str().unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
                let (wvi, wen) = widget.map(widget_name).unwrap_or(("", ""));
                view! {
                    <div class="bd-props" data-testid="item-properties">
                        <p class="ef-hint">{move || if lang.get() == Lang::Vi { wvi } else { wen }}</p>
                        {has_data.then(|| view! {
                            <div class="ef-field">
                                <label class="ef-label" for="bd-key">{t(lang, "Mã dữ liệu", "Data key")}</label>
                                <input id="bd-key" class="ef-input" prop:value=key.clone() autocomplete="off"
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        key_problem.set(None);
                                        ctx.change(None, move |d| edit::rename_key(d, at, &v).map(|_| None));
                                    } />
                            </div>
                            <label class="bd-inline"><input type="checkbox" class="ef-checkbox" data-testid="required"
                                prop:checked=required on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    ctx.change(None, move |d| edit::set_required(d, at, on).map(|_| None));
                                } />{t(lang, "Bắt buộc", "Required")}</label>
                            {text_pair(ctx, "label", "Nhãn", "Label", format!("{base}/label"))}
                            {text_pair(ctx, "help", "Hướng dẫn", "Help", format!("{base}/help"))}
                            {
                                let base = base.clone();
                                group(groups, "rules", t(lang, "Quy tắc", "Rules"), move || view! {
                                    <p class="ef-hint">{t(lang,
                                        "Viết bằng ngôn ngữ biểu thức: mã dữ liệu của các trường, so sánh (= != < <= > >=), and, or, not, + - * /, và các hàm như age(ngaySinh), today().",
                                        "Written in the expression language: the fields' data keys, comparisons (= != < <= > >=), and, or, not, + - * /, and functions such as age(dateOfBirth), today().")}</p>
                                    {text_input(ctx, "bd-visible".into(), t(lang, "Chỉ hiện khi", "Show only when")().into(), format!("{base}/visibleIf"), None)}
                                    {text_input(ctx, "bd-required-if".into(), t(lang, "Bắt buộc khi", "Required when")().into(), format!("{base}/requiredIf"), None)}
                                    {text_input(ctx, "bd-read-only-if".into(), t(lang, "Không cho sửa khi", "Read-only when")().into(), format!("{base}/readOnlyIf"), None)}
                                    {text_input(ctx, "bd-compute".into(), t(lang, "Giá trị tính từ", "Computed as")().into(), format!("{base}/compute"), None)}
                                }.into_any())
                            }
                            {
                                let item = item.clone();
                                group(groups, "checks", t(lang, "Kiểm tra liên trường", "Cross-field checks"), move || constraints(ctx, at, &item).into_any())
                            }
                            {
                                let item = item.clone();
                                group(groups, "prefill", t(lang, "Điền sẵn từ kho dữ liệu", "Prefill from the data store"), move || prefill(ctx, at, &item).into_any())
                            }
                        })}
                        {widget.filter(|w| matches!(w, Widget::Select | Widget::Radio | Widget::MultiSelect)).map(|_| choices(ctx, at, &item))}
                        {widget.filter(|w| *w == Widget::Address).map(|_| address_mode(ctx, at))}
                        {widget.map(|w| limits(ctx, at, w))}
                        {(!has_data).then(|| text_pair(ctx, "text", "Nội dung", "Text", format!("{base}/text")))}
                        {group(groups, "section", t(lang, "Mục và trang chứa trường này", "This field's section and page"), move || section_properties(ctx, at).into_any())}
                    </div>
                }.into_any()
            }
        }
    }
}

/// A group of properties shown on demand: its content is made when it is opened, and it stays
/// open (or closed) as the official goes from field to field.
fn group(
    open: RwSignal<std::collections::BTreeSet<&'static str>>,
    name: &'static str,
    title: impl Fn() -> &'static str + Send + Sync + 'static,
    content: impl Fn() -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let is_open = Memo::new(move |_| open.with(|o| o.contains(name)));
    view! {
        <details class="bd-group" prop:open=move || is_open.get() on:toggle=move |ev| {
            let now = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
            if now != is_open.get_untracked() {
                open.update(|o| {
                    if now {
                        o.insert(name);
                    } else {
                        o.remove(name);
                    }
                });
            }
        }>
            <summary class="bd-group__title" data-testid=format!("group-{name}")>{title}</summary>
            {move || is_open.get().then(&content)}
        </details>
    }
}

/// The item's cross-field checks: each a rule that must hold and the message shown on the
/// field when it does not (vi/en).
fn constraints(ctx: Ctx, at: At, item: &Value) -> impl IntoView + use<> {
    let lang = ctx.lang;
    let list = format!("{}/constraints", at.pointer());
    let n = item["constraints"].as_array().map_or(0, Vec::len);
    let rows = (0..n)
        .map(|i| {
            let p = format!("{list}/{i}");
            let list = list.clone();
            let remove = move |_| {
                let list = list.clone();
                ctx.change(None, move |d| {
                    let now_empty = match d.pointer_mut(&list) {
                        Some(Value::Array(a)) if i < a.len() => {
                            a.remove(i);
                            a.is_empty()
                        }
                        _ => false,
                    };
                    if now_empty {
                        set_at(d, &list, None);
                    }
                    Ok(None)
                });
            };
            view! {
                <li class="bd-choice" data-testid="constraint">
                    {text_input(ctx, format!("bd-constraint-{i}-rule"), t(lang, "Điều kiện phải đúng (quy tắc)", "Must hold (rule)")().into(), format!("{p}/rule"), None)}
                    {text_pair(ctx, &format!("constraint-{i}-message"), "Thông báo khi không đúng", "Message when it does not hold", format!("{p}/message"))}
                    <button type="button" class="ef-button ef-button--secondary" on:click=remove>{t(lang, "Bỏ kiểm tra này", "Remove this check")}</button>
                </li>
            }
        })
        .collect_view();
    let add = move |_| {
        let list = list.clone();
        ctx.change(None, move |d| {
            let new = json!({"rule": "", "message": {"vi": "", "en": ""}});
            match d.pointer_mut(&list) {
                Some(Value::Array(a)) => a.push(new),
                _ => set_at(d, &list, Some(json!([new]))),
            }
            Ok(None)
        });
    };
    view! {
        <div>
            <ol class="bd-items">{rows}</ol>
            <button type="button" class="ef-button ef-button--secondary" data-testid="add-constraint" on:click=add>{t(lang, "Thêm kiểm tra", "Add a check")}</button>
        </div>
    }
}

/// The texts and rule of the selected item's section, and its page's title.
fn section_properties(ctx: Ctx, at: At) -> impl IntoView + use<> {
    let lang = ctx.lang;
    let section = format!("/pages/{}/sections/{}", at.page, at.section);
    let page = format!("/pages/{}", at.page);
    view! {
        <div data-testid="section-properties">
            {text_pair(ctx, "section-title", "Tên mục", "Section title", format!("{section}/title"))}
            {text_input(ctx, "bd-section-visible".into(), t(lang, "Chỉ hiện mục khi (quy tắc)", "Show the section only when (rule)")().into(), format!("{section}/visibleIf"), None)}
            {text_pair(ctx, "page-title", "Tên trang", "Page title", format!("{page}/title"))}
        </div>
    }
}

/// Where the field's value comes from in the citizen's data store: a key of the catalogue
/// (persons' keys need a field and are left to the JSON for now), and whether a verified value
/// locks it.
fn prefill(ctx: Ctx, at: At, item: &Value) -> impl IntoView + use<> {
    use form_core::datastore::{KeyType, PERSON_FIELDS};
    let lang = ctx.lang;
    let base = at.pointer();
    let key_now = item["prefill"]["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let field_now = item["prefill"]["field"].as_str().map(str::to_owned);
    let locked = item["prefill"]["lock"] == "verified";
    let catalogue = &form_ui::datastore::CATALOGUE;
    let holds_person = move |key: &str| {
        catalogue
            .keys
            .iter()
            .any(|k| k.key == key && k.kind == KeyType::Person)
    };
    // Every key of the catalogue: a person's (the household's head) with the field to take, a
    // list of persons (the household's members) for a table whose columns are named after the
    // persons' fields; form-core's check says when a key does not suit the field.
    let keys: Vec<(String, Text)> = catalogue
        .keys
        .iter()
        .map(|k| (k.key.clone(), k.meaning.clone()))
        .collect();
    let set = {
        let base = base.clone();
        move |key: String, field: Option<String>, lock: bool| {
            let base = base.clone();
            ctx.change(None, move |d| {
                let value = (!key.is_empty()).then(|| {
                    let mut p = json!({"key": key});
                    if let Some(f) = field {
                        p["field"] = json!(f);
                    }
                    if lock {
                        p["lock"] = json!("verified");
                    }
                    p
                });
                set_at(d, &format!("{base}/prefill"), value);
                Ok(None)
            });
        }
    };
    let on_key = {
        let (set, field_now) = (set.clone(), field_now.clone());
        move |ev: leptos::ev::Event| {
            let key = event_target_value(&ev);
            let field = holds_person(&key).then(|| {
                field_now
                    .clone()
                    .unwrap_or_else(|| PERSON_FIELDS[0].to_owned())
            });
            set(key, field, locked);
        }
    };
    let on_field = {
        let (set, key) = (set.clone(), key_now.clone());
        move |ev: leptos::ev::Event| set(key.clone(), Some(event_target_value(&ev)), locked)
    };
    let on_lock = {
        let (set, key, field) = (set.clone(), key_now.clone(), field_now.clone());
        move |ev: leptos::ev::Event| set(key.clone(), field.clone(), event_target_checked(&ev))
    };
    let person = holds_person(&key_now).then(|| {
        let field_now = field_now.clone().unwrap_or_default();
        view! {
            <div class="ef-field">
                <label class="ef-label" for="bd-prefill-field">{t(lang, "Thông tin nào của người đó", "Which of the person's details")}</label>
                <select id="bd-prefill-field" class="ef-select" data-testid="prefill-field" on:change=on_field>
                    {PERSON_FIELDS.into_iter().map(|f| {
                        let (vi, en) = person_field_name(f);
                        view! { <option value=f selected=f == field_now>{move || if lang.get() == Lang::Vi { vi } else { en }}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    });
    view! {
        <div class="ef-field">
            <label class="ef-label" for="bd-prefill">{t(lang, "Điền sẵn từ kho dữ liệu của công dân", "Prefill from the citizen's data store")}</label>
            <select id="bd-prefill" class="ef-select" data-testid="prefill" on:change=on_key>
                <option value="" selected=key_now.is_empty()>{t(lang, "— Không —", "— None —")}</option>
                {keys.into_iter().map(|(k, meaning)| {
                    let selected = k == key_now;
                    let shown = k.clone();
                    view! { <option value=k.clone() selected=selected>{move || format!("{} ({shown})", meaning.get(lang.get()))}</option> }
                }).collect_view()}
            </select>
        </div>
        {person}
        {(!key_now.is_empty()).then(|| view! {
            <label class="bd-inline"><input type="checkbox" class="ef-checkbox" data-testid="prefill-lock" prop:checked=locked
                on:change=on_lock />
                {t(lang, "Khoá theo giá trị đã xác thực (công dân chỉ báo sai sót)", "Lock to the verified value (the citizen can only report a mistake)")}</label>
        })}
    }
}

/// A person's detail in the data store (`household.head`), as the official reads it.
fn person_field_name(field: &str) -> (&'static str, &'static str) {
    match field {
        "fullName" => ("Họ và tên", "Full name"),
        "dateOfBirth" => ("Ngày sinh", "Date of birth"),
        "sex" => ("Giới tính", "Sex"),
        "idNumber" => ("Số định danh cá nhân", "Personal ID number"),
        "relationship" => (
            "Quan hệ với chủ hộ",
            "Relationship to the head of household",
        ),
        _ => ("", ""),
    }
}

/// A change to a field's list of choices.
type ChoiceEdit = Box<dyn FnOnce(&mut Vec<edit::Choice>)>;

/// The choices of a choice field: value and texts of each, add, remove (the data schema's
/// `enum` follows).
fn choices(ctx: Ctx, at: At, item: &Value) -> impl IntoView + use<> {
    let lang = ctx.lang;
    let now: Vec<edit::Choice> =
        serde_json::from_value(item["options"].clone()).unwrap_or_default();
    let set = move |f: ChoiceEdit, key: Option<String>| {
        let mut list: Vec<edit::Choice> = ctx
            .def
            .with_untracked(|d| d.pointer(&format!("{}/options", at.pointer())).cloned())
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        f(&mut list);
        ctx.change(key, move |d| edit::set_options(d, at, &list).map(|_| None));
    };
    let rows = now.into_iter().enumerate().map(|(i, c)| {
        let field = move |what: &'static str, label: &'static str, value: String| {
            let id = format!("bd-choice-{i}-{what}");
            view! {
                <div class="bd-choice__cell">
                    <label class="ef-label" for=id.clone()>{label}</label>
                    <input id=id class="ef-input" prop:value=value on:input=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |l| if let Some(c) = l.get_mut(i) {
                            match what {
                                "value" => c.value = v,
                                "vi" => c.label.vi = v,
                                _ => c.label.en = v,
                            }
                        }), Some(format!("choice-{i}-{what}")));
                    } />
                </div>
            }
        };
        view! {
            <li class="bd-choice" data-testid="choice">
                {field("value", "Giá trị / Value", c.value.clone())}
                {field("vi", "Tiếng Việt", c.label.vi.clone())}
                {field("en", "English", c.label.en.clone())}
                <button type="button" class="ef-button ef-button--secondary" on:click=move |_| set(Box::new(move |l| { if i < l.len() { l.remove(i); } }), None)>
                    {t(lang, "Bỏ lựa chọn", "Remove the choice")}</button>
            </li>
        }
    }).collect_view();
    view! {
        <fieldset class="ef-fieldset bd-choices">
            <legend class="ef-label">{t(lang, "Các lựa chọn", "Choices")}</legend>
            <ol class="bd-items">{rows}</ol>
            <button type="button" class="ef-button ef-button--secondary" data-testid="add-choice" on:click=move |_| set(Box::new(|l| {
                let n = (1..).find(|n| !l.iter().any(|c| c.value == n.to_string())).unwrap_or(1);
                l.push(edit::Choice { value: n.to_string(), label: Text::new(format!("Lựa chọn {n}"), format!("Choice {n}")) });
            }), None)>{t(lang, "Thêm lựa chọn", "Add a choice")}</button>
        </fieldset>
    }
}

/// The limits a widget's data takes: lengths and pattern of text, range of numbers, how many
/// rows or choices.
/// What an address asks for: in Viet Nam, a province only, or abroad. Changing it gives the
/// field the schema of the new mode's parts.
fn address_mode(ctx: Ctx, at: At) -> impl IntoView + use<> {
    let lang = ctx.lang;
    let current = ctx.def.with_untracked(|d| edit::address_mode(d, at));
    let modes = [
        (
            AddressMode::Vietnam,
            "Địa chỉ ở Việt Nam (tỉnh, xã, số nhà)",
            "Address in Viet Nam (province, commune, street)",
        ),
        (
            AddressMode::Province,
            "Chỉ tỉnh, thành phố",
            "Province or city only",
        ),
        (
            AddressMode::Foreign,
            "Địa chỉ ở nước ngoài (quốc gia, địa chỉ)",
            "Address abroad (country, address)",
        ),
    ];
    view! {
        <div class="ef-field">
            <label class="ef-label" for="bd-address-mode">{t(lang, "Loại địa chỉ", "Kind of address")}</label>
            <select id="bd-address-mode" class="ef-select" data-testid="address-mode"
                on:change=move |ev| {
                    let mode = match event_target_value(&ev).as_str() {
                        "province" => AddressMode::Province,
                        "foreign" => AddressMode::Foreign,
                        _ => AddressMode::Vietnam,
                    };
                    ctx.change(None, move |d| edit::set_address_mode(d, at, mode).map(|_| None));
                }>
                {modes.into_iter().map(|(mode, vi, en)| view! {
                    <option value=mode.name() selected=mode == current>{move || if lang.get() == Lang::Vi { vi } else { en }}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

fn limits(ctx: Ctx, at: At, widget: Widget) -> impl IntoView + use<> {
    let lang = ctx.lang;
    let keys: &[(&str, &str, &str)] = match widget {
        Widget::Text | Widget::Textarea => &[
            ("minLength", "Số ký tự tối thiểu", "Fewest characters"),
            ("maxLength", "Số ký tự tối đa", "Most characters"),
            (
                "pattern",
                "Mẫu (biểu thức chính quy)",
                "Pattern (regular expression)",
            ),
        ],
        Widget::Number => &[
            ("minimum", "Giá trị nhỏ nhất", "Smallest value"),
            ("maximum", "Giá trị lớn nhất", "Largest value"),
        ],
        Widget::Table | Widget::MultiSelect => &[
            ("minItems", "Ít nhất", "At least"),
            ("maxItems", "Nhiều nhất", "At most"),
        ],
        _ => &[],
    };
    keys.iter().map(|&(key, vi, en)| {
        let id = format!("bd-limit-{key}");
        let value = ctx.def.with_untracked(|d| edit::keyword(d, at, key)).map(|v| match v {
            Value::String(s) => s,
            other => other.to_string(),
        }).unwrap_or_default();
        let numeric = key != "pattern";
        view! {
            <div class="ef-field">
                <label class="ef-label" for=id.clone()>{move || if lang.get() == Lang::Vi { vi } else { en }}</label>
                <input id=id class="ef-input ef-input--number" type=if numeric { "number" } else { "text" } prop:value=value
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        let parsed = if v.trim().is_empty() {
                            None
                        } else if numeric {
                            match serde_json::from_str::<Value>(v.trim()) {
                                Ok(n @ Value::Number(_)) => Some(n),
                                _ => return,
                            }
                        } else {
                            Some(Value::String(v))
                        };
                        ctx.change(Some(format!("limit-{key}")), move |d| edit::set_keyword(d, at, key, parsed).map(|_| None));
                    } />
            </div>
        }
    }).collect_view()
}

/// Every diagnostic of the full check; each names the place and selects its item.
#[component]
fn Diagnostics(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    view! {
        <div class="bd-diagnostics" aria-live="polite" data-testid="diagnostics">
            <h3 class="bd-page__title">{t(lang, "Kiểm tra", "Checks")}</h3>
            {move || {
                let diags = ctx.diagnostics.get();
                if diags.is_empty() {
                    return view! { <p class="ef-hint" data-testid="no-diagnostics">{t(lang, "Không có lỗi.", "No problems.")}</p> }.into_any();
                }
                view! {
                    <ul class="bd-diagnostics__list">
                        {diags.into_iter().map(|d| {
                            let at = at_of(&d.pointer);
                            let severity = if d.is_error() { t(lang, "Lỗi", "Error")() } else { t(lang, "Cảnh báo", "Warning")() };
                            view! {
                                <li class:ef-error=d.is_error()>
                                    <button type="button" class="ef-linkbutton" on:click=move |_| ctx.selected.set(at)>
                                        {format!("{severity}: {} ({})", d.message.get(lang.get()), d.pointer)}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}

/// The item a diagnostic's pointer is in, if any.
fn at_of(pointer: &str) -> Option<At> {
    let parts: Vec<&str> = pointer.split('/').collect();
    let num = |i: usize| parts.get(i).and_then(|s| s.parse::<usize>().ok());
    if parts.get(1) != Some(&"pages")
        || parts.get(3) != Some(&"sections")
        || parts.get(5) != Some(&"items")
    {
        return None;
    }
    let column = (parts.get(7) == Some(&"columns")).then(|| num(8)).flatten();
    Some(At {
        page: num(2)?,
        section: num(4)?,
        item: num(6)?,
        column,
    })
}

/// The published versions with what changed in each.
#[component]
fn Versions(lang: RwSignal<Lang>, versions: RwSignal<Value>) -> impl IntoView {
    let list = move |v: &Value, key: &str| -> String {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        serde_json::from_value::<Text>(f["label"].clone())
                            .map(|t| t.get(lang.get()).to_owned())
                            .unwrap_or_else(|_| {
                                f["pointer"].as_str().unwrap_or_default().to_owned()
                            })
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    view! {
        <div class="bd-versions" data-testid="versions">
            <h3 class="bd-page__title">{t(lang, "Các phiên bản đã ban hành", "Published versions")}</h3>
            {move || {
                let all = versions.get().as_array().cloned().unwrap_or_default();
                if all.is_empty() {
                    return view! { <p class="ef-hint">{t(lang, "Chưa ban hành phiên bản nào.", "No version published yet.")}</p> }.into_any();
                }
                view! {
                    <ul class="ef-list">
                        {all.into_iter().map(|v| {
                            let c = v["changes"].clone();
                            let (added, removed, changed) = (list(&c, "added"), list(&c, "removed"), list(&c, "changed"));
                            view! {
                                <li>
                                    <strong>{format!("{} {}", t(lang, "Phiên bản", "Version")(), v["version"])}</strong>
                                    {format!(" — {}", v["publishedAt"].as_str().unwrap_or_default())}
                                    {(!added.is_empty()).then(|| view! { <br/>{t(lang, "Thêm: ", "Added: ")}{added.clone()} })}
                                    {(!removed.is_empty()).then(|| view! { <br/>{t(lang, "Bỏ: ", "Removed: ")}{removed.clone()} })}
                                    {(!changed.is_empty()).then(|| view! { <br/>{t(lang, "Sửa: ", "Changed: ")}{changed.clone()} })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}

/// Downloads the definition as `<id>.json`.
#[component]
fn Export(ctx: Ctx) -> impl IntoView {
    let export = move |_| {
        let text = serde_json::to_string_pretty(&ctx.def.get_untracked()).unwrap_or_default();
        let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(&text));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
            return;
        };
        let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
            return;
        };
        if let Some(doc) = web_sys::window().and_then(|w| w.document())
            && let Ok(a) = doc.create_element("a")
        {
            let _ = a.set_attribute("href", &url);
            let _ = a.set_attribute("download", &format!("{}.json", ctx.id.get_value()));
            use wasm_bindgen::JsCast;
            if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
                a.click();
            }
        }
        let _ = web_sys::Url::revoke_object_url(&url);
    };
    view! { <button type="button" class="ef-button ef-button--secondary" data-testid="export" on:click=export>{t(ctx.lang, "Xuất JSON", "Export JSON")}</button> }
}

/// Replaces the definition with a JSON file's (one undo step); a file that is not JSON changes
/// nothing and says why.
#[component]
fn Import(ctx: Ctx) -> impl IntoView {
    let lang = ctx.lang;
    let pick = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            match serde_json::from_str::<Value>(&text) {
                Ok(v) if v.is_object() => ctx.change(None, move |d| {
                    let id = d["id"].clone();
                    *d = v;
                    d["id"] = id;
                    Ok(None)
                }),
                Ok(_) => ctx.problem.set(Some(Text::new(
                    "Tệp không phải một định nghĩa biểu mẫu (đối tượng JSON).",
                    "The file is not a form definition (a JSON object).",
                ))),
                Err(e) => ctx.problem.set(Some(Text::new(
                    format!("Tệp không phải JSON hợp lệ: {e}. Biểu mẫu không thay đổi."),
                    format!("The file is not valid JSON: {e}. The form is unchanged."),
                ))),
            }
        });
    };
    view! {
        <label class="ef-button ef-button--secondary bd-file">{t(lang, "Nhập JSON", "Import JSON")}
            <input type="file" accept="application/json,.json" class="ef-visually-hidden" data-testid="import" on:change=pick />
        </label>
    }
}
