//! The properties of the selected item, section or the form: texts in both languages, rules,
//! constraints, choices, the address mode, file limits and the data store's prefill.

use super::{Ctx, widget_name, widget_of};
use crate::t;
use form_core::edit::{self, At};
use form_core::{AddressMode, Lang, Text, Widget};
use leptos::prelude::*;
use serde_json::{Value, json};

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
pub(super) fn Properties(ctx: Ctx) -> impl IntoView {
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
