//! The form the portal drew (`<div id="ef-ssr" data-ef-takeover>`, by `form-html`), taken over
//! by the runtime when its code has arrived: on a slow phone the citizen sees and fills in that
//! form seconds before the runtime runs. The runtime takes over the one in `/f/{id}`'s page
//! (`mount_page`) and, in an embedded `<e-form>`, the one in its shadow root: put there by
//! `eform.js` (`GET /forms/{id}?as=html`) or, with the page, by the host's server
//! (`?as=shadow`, a declarative shadow root).
//! What was typed or chosen in it, the page shown and the focus (with the caret) carry over to
//! the runtime's form; then the drawn one is removed. Until then the stylesheet hides the
//! runtime's own elements, so the switch does not move anything on screen.
use crate::dom_id::Root;
use form_core::{Form, Widget, pointer};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, HtmlInputElement, HtmlOptionElement, HtmlSelectElement, HtmlTextAreaElement,
};

/// What the citizen had on screen in the drawn form.
#[derive(Clone, Debug, Default)]
pub struct Typed {
    /// Values to lay over the data the app starts from (a draft, or nothing): each field the
    /// citizen changed, by pointer (`None` where it was emptied) — every field, on a page that
    /// answers a post (what it shows is what the citizen sent). A table with such a cell comes
    /// whole.
    pub fields: Vec<(String, Option<Value>)>,
    /// The page of a long form that was shown.
    pub page: usize,
    /// The portal showed that page's errors (the app shows them too).
    pub errors: bool,
    /// The focused control's id and its selection, to give back.
    focus: Option<(String, Option<(u32, u32)>)>,
}

impl Typed {
    /// `start` with what was on screen laid over it.
    pub fn over(&self, start: Value) -> Value {
        let mut data = match start {
            Value::Object(_) => start,
            _ => Value::Object(Map::new()),
        };
        for (ptr, value) in &self.fields {
            match value {
                Some(v) => {
                    pointer::set(&mut data, ptr, v.clone());
                }
                None => {
                    pointer::remove(&mut data, ptr);
                }
            }
        }
        data
    }
}

/// The drawn form waiting to be taken over in `root` (the page, or an `<e-form>`'s shadow root
/// that `eform.js` drew into), if there is one.
fn drawn(root: &Root) -> Option<Element> {
    let selector = "#ef-ssr[data-ef-takeover]";
    match root {
        Root::Document => web_sys::window()?.document()?.query_selector(selector),
        Root::Shadow(s) => s.query_selector(selector),
    }
    .ok()
    .flatten()
}

/// Reads what is on screen in the drawn form of `form` in `at` (nothing when there is none).
pub fn read(at: &Root, form: &Form) -> Option<Typed> {
    let root = drawn(at)?;
    let el = root.query_selector("form.ef-form").ok().flatten()?;
    let controls = el.query_selector_all("[name]").ok()?;
    let sent = root.has_attribute("data-ef-sent");
    // The post the form would send, and which names the citizen (or the portal) gave a value.
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    let mut page = 0;
    for i in 0..controls.length() {
        let Some(c) = controls.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let name = c.get_attribute("name").unwrap_or_default();
        if c.has_attribute("disabled") {
            continue;
        }
        if let Some(input) = c.dyn_ref::<HtmlInputElement>() {
            let kind = input.type_();
            if kind == "submit" || kind == "button" {
                continue;
            }
            if kind == "checkbox" || kind == "radio" {
                if input.checked() {
                    pairs.push((name.clone(), input.value()));
                }
                if sent || input.checked() != input.default_checked() {
                    wanted.insert(name);
                }
                continue;
            }
            if name == form_html::PAGE {
                page = input.value().parse().unwrap_or(0);
            }
            let value = input.value();
            if sent || value != input.default_value() {
                wanted.insert(name.clone());
            }
            pairs.push((name, value));
        } else if let Some(area) = c.dyn_ref::<HtmlTextAreaElement>() {
            let value = area.value();
            if sent || area.default_value().ok().as_ref() != Some(&value) {
                wanted.insert(name.clone());
            }
            pairs.push((name, value));
        } else if let Some(select) = c.dyn_ref::<HtmlSelectElement>() {
            let Ok(list) = c.query_selector_all("option") else {
                continue;
            };
            let options: Vec<HtmlOptionElement> = (0..list.length())
                .filter_map(|j| list.item(j).and_then(|n| n.dyn_into().ok()))
                .collect();
            // A list with no option marked `selected` starts on its first one.
            let first =
                (!select.multiple() && !options.iter().any(|o| o.default_selected())).then_some(0);
            for (j, o) in options.iter().enumerate() {
                if o.selected() {
                    pairs.push((name.clone(), o.value()));
                }
                if sent || o.selected() != (o.default_selected() || first == Some(j)) {
                    wanted.insert(name.clone());
                }
            }
        }
    }
    let data = form_html::read::data_from_post(form, &Value::Object(Map::new()), &pairs).data;
    // A table with a cell on screen comes whole: its rows are those drawn.
    let tables: Vec<String> = form
        .fields()
        .iter()
        .filter(|f| f.widget == Widget::Table)
        .flat_map(|f| pointer::instances(&f.pointer, &data))
        .filter(|t| {
            let inside = format!("{t}/");
            wanted.iter().any(|n| n.starts_with(&inside))
        })
        .collect();
    let mut fields: Vec<(String, Option<Value>)> = Vec::new();
    for t in &tables {
        fields.push((t.clone(), pointer::get(&data, t).cloned()));
    }
    for name in wanted.iter().filter(|n| n.starts_with('/')) {
        if tables.iter().any(|t| pointer::inside(name, t)) {
            continue;
        }
        fields.push((name.clone(), pointer::get(&data, name).cloned()));
    }
    let active = match at {
        Root::Document => web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element()),
        Root::Shadow(s) => s.active_element(),
    };
    let focus = active
        .filter(|a| root.contains(Some(a)) && !a.id().is_empty())
        .map(|a| {
            let selection = match a.dyn_ref::<HtmlInputElement>() {
                Some(i) => match (i.selection_start(), i.selection_end()) {
                    (Ok(Some(s)), Ok(Some(e))) => Some((s, e)),
                    _ => None,
                },
                None => a.dyn_ref::<HtmlTextAreaElement>().and_then(|t| {
                    match (t.selection_start(), t.selection_end()) {
                        (Ok(Some(s)), Ok(Some(e))) => Some((s, e)),
                        _ => None,
                    }
                }),
            };
            (a.id(), selection)
        });
    Some(Typed {
        fields,
        page,
        errors: root.query_selector(".ef-summary").ok().flatten().is_some(),
        focus,
    })
}

/// Leaves the drawn form in `at` on screen, no longer hiding what the runtime put after it (a
/// message that the form could not be loaded): what was typed stays readable.
pub fn release(at: &Root) {
    if let Some(root) = drawn(at) {
        let _ = root.remove_attribute("data-ef-takeover");
    }
}

/// Removes the drawn form in `at` (the runtime's form now shows in its place) and gives the
/// focus, with its caret, to the runtime's control of the same id.
pub fn finish(at: &Root, typed: &Typed) {
    let Some(root) = drawn(at) else {
        return;
    };
    root.remove();
    let Some((id, selection)) = &typed.focus else {
        return;
    };
    let Some(el) = at.element(id) else {
        return;
    };
    let _ = el.focus();
    if let Some((s, e)) = selection {
        if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
            let _ = i.set_selection_range(*s, *e);
        } else if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
            let _ = t.set_selection_range(*s, *e);
        }
    }
}

/// The shadow root of an `<e-form>` (attached, open, on first use: assistive technology and
/// tests see in), ready for a runtime's form: a fresh tree with eform's stylesheet `css` each
/// time the element is (re)connected, unless it holds the form the portal drew, which stays,
/// with its stylesheet, until the runtime's form is drawn after it.
pub fn shadow_for(host: &web_sys::HtmlElement, css: &str) -> Option<web_sys::ShadowRoot> {
    let shadow = host.shadow_root().or_else(|| {
        host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .ok()
    })?;
    if drawn(&Root::Shadow(shadow.clone())).is_none() {
        shadow.set_inner_html("");
        let link = host.owner_document()?.create_element("link").ok()?;
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", css);
        let _ = shadow.append_child(&link);
    }
    Some(shadow)
}
