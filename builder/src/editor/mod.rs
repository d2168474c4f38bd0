//! The editor of one form: a palette of every widget form-core knows, the canvas (pages →
//! sections → items, a table's columns; select an item, move it up or down — past the ends of
//! a section into the next one — or delete it, all with buttons the keyboard reaches), the
//! properties of the selected item (or of the form), every diagnostic of form-core's full
//! check as you type, a live preview drawn by form-ui — the citizens' runtime — in either
//! language and at 360 px, undo/redo (Ctrl+Z, Ctrl+Shift+Z; 200 steps), the draft saved on
//! the portal a moment after each change, export and import of the definition, publishing.

mod canvas;
mod palette;
mod properties;

use canvas::Canvas;
use palette::Palette;
use properties::Properties;

use crate::{api, t};
use form_core::edit::{At, EditError};
use form_core::{Diagnostic, Form, Lang, Text, Widget, load_value_semantic};
use form_ui::FormView;
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
pub(super) struct Ctx {
    pub(super) id: StoredValue<String>,
    pub(super) def: RwSignal<Value>,
    /// Every diagnostic of form-core's full check of `def`.
    pub(super) diagnostics: Memo<Vec<Diagnostic>>,
    history: StoredValue<History>,
    pub(super) selected: RwSignal<Option<At>>,
    pub(super) problem: RwSignal<Option<Text>>,
    pub(super) rev: RwSignal<i64>,
    save: RwSignal<Save>,
    /// Bumped by every change (the autosave waits until it stops moving).
    pub(super) edits: RwSignal<u64>,
    /// Bumped by changes other than typing (and by undo/redo): the properties panel is drawn
    /// again then, never while the official types (the text box keeps its focus).
    pub(super) shape: RwSignal<u64>,
    pub(super) lang: RwSignal<Lang>,
}

impl Ctx {
    /// Applies an edit; changes with the same `coalesce` key in a row are one undo step.
    pub(super) fn change(
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

    pub(super) fn text(self, v: &Value) -> String {
        serde_json::from_value::<Text>(v.clone())
            .map(|x| x.get(self.lang.get()).to_owned())
            .unwrap_or_default()
    }
}

pub(super) fn widget_of(v: &Value) -> Option<Widget> {
    serde_json::from_value(v["widget"].clone()).ok()
}

/// The widget's name in the palette.
pub(super) fn widget_name(w: Widget) -> (&'static str, &'static str) {
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
