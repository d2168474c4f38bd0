//! The binder: a form drawn by form-html (the portal's markup), made live by form-core's
//! [`FormState`]. One listener per event kind on the form's root; an input is known by its
//! `name`, its data pointer. A change goes to `FormState::set`, and each item the `Changes`
//! name (a field, a table, an address) is drawn again by form-html and brought into the page by
//! [`morph`]: the page stays what the portal would draw for the same state, and the control
//! being typed in keeps its focus, caret and input-method composition.
//!
//! What it does, as the citizen sees it: errors of a field show once it has been changed and
//! left, a page's errors when "Continue" is pressed, every error on submit, with the summary
//! linking to each; rules hide, show, compute and lock fields as they are typed; table rows are
//! added, removed and moved; the communes follow the province chosen; what is typed is kept as
//! a draft in the browser; the portal's check API has the last word on submit.

mod events;

use crate::dom_id::Root;
use crate::host::{emit_later, today};
use crate::takeover::{self, Typed};
use crate::{drafts, morph};
use form_core::{Changes, Diagnostic, Form, FormState, Lang, Widget, Ymd, pointer};
use form_html::{ITEM, Page, Ui, esc};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement};

/// What the host asks of a bound form.
pub struct Options {
    pub lang: Lang,
    /// Where the data is checked on submit (`POST`, JSON; 422 with `diagnostics` refuses it);
    /// none: the browser's verdict is the answer.
    pub check_url: Option<String>,
    /// Data to start from; none: this browser's draft of the form, or nothing.
    pub initial: Option<Value>,
    /// The form the portal drew in the same root, with what the citizen typed in it
    /// ([`takeover::read`]): laid over the data to start from, then the drawing is removed and
    /// the focus given back.
    pub on_screen: Option<(Root, Typed)>,
    /// `root` is that drawing itself (form-html's markup, as the binder draws it): it is brought
    /// to the form's state in place, not drawn again, so nothing on screen is replaced and the
    /// focus and caret stay where they are.
    pub adopt: bool,
}

/// A form bound in an element: dropping it removes the listeners (the drawing stays until the
/// element is emptied).
pub struct Binder {
    inner: Rc<RefCell<Inner>>,
    listeners: Vec<(&'static str, Listener)>,
}

/// An event listener on the form's root.
type Listener = Closure<dyn FnMut(Event)>;

#[derive(Clone, Copy, PartialEq)]
enum Outcome {
    Idle,
    Checking,
    Accepted,
    Failed,
}

struct Inner {
    form: Arc<Form>,
    state: FormState,
    lang: Lang,
    today: Ymd,
    /// The element events are sent from (the host's element).
    host: HtmlElement,
    /// The element holding the drawing (`div.ef-embed`).
    root: Element,
    /// The items of the sections, by data pointer, with their page.
    items: Vec<(String, usize)>,
    page: usize,
    /// Inputs the citizen changed, and those changed and left (their errors show).
    changed: BTreeSet<String>,
    shown: BTreeSet<String>,
    submitted: bool,
    /// The page whose "Continue" found errors.
    attempted: Option<usize>,
    /// What the portal refused on submit.
    refused: Option<Vec<Diagnostic>>,
    outcome: Outcome,
    draft_key: String,
    /// When the draft the form started from was saved, while its notice shows.
    restored_at: Option<f64>,
    check_url: Option<String>,
    /// The summary drawn: its entries (pointer and code) and title.
    summary_drawn: (Vec<(String, String)>, bool),
}

impl Binder {
    /// Draws `form` in `root` (emptied first, unless it is the portal's drawing, taken over in
    /// place: `Options::adopt`) and binds it; `eform:ready` follows from `host`.
    pub fn bind(host: HtmlElement, root: Element, form: Arc<Form>, options: Options) -> Binder {
        let d = form.definition();
        let draft_key = drafts::key(&d.id, d.version, None);
        let restored = match options.initial {
            Some(_) => None,
            None => drafts::load(&draft_key),
        };
        let restored_at = restored.as_ref().map(|r| r.saved_at);
        let mut data = options
            .initial
            .or(restored.map(|r| r.data))
            .unwrap_or_else(|| Value::Object(Map::new()));
        if let Some((_, typed)) = &options.on_screen {
            data = typed.over(data);
        }
        let items = d
            .pages
            .iter()
            .enumerate()
            .flat_map(|(pi, p)| {
                p.sections
                    .iter()
                    .flat_map(|s| &s.items)
                    .filter_map(move |i| i.pointer.clone().map(|ptr| (ptr, pi)))
            })
            .collect();
        let ready = json!({"formId": d.id, "version": d.version});
        let today = today();
        let inner = Rc::new(RefCell::new(Inner {
            state: FormState::new(form.clone(), data, today),
            form,
            lang: options.lang,
            today,
            host: host.clone(),
            root: root.clone(),
            items,
            page: 0,
            changed: BTreeSet::new(),
            shown: BTreeSet::new(),
            submitted: false,
            attempted: None,
            refused: None,
            outcome: Outcome::Idle,
            draft_key,
            restored_at,
            check_url: options.check_url,
            summary_drawn: (Vec::new(), false),
        }));
        if !options.adopt {
            root.set_inner_html("");
        }
        {
            let mut s = inner.borrow_mut();
            if let Some((_, typed)) = &options.on_screen {
                let pages = s.form.definition().pages.len();
                s.page = typed.page.min(pages.saturating_sub(1));
                // The portal showed that page's errors: they stay.
                s.attempted = typed.errors.then_some(s.page);
                s.changed = typed.fields.iter().map(|(p, _)| p.clone()).collect();
            }
            s.draw();
        }
        // The drawing goes once this form is on screen in its place, before `eform:ready`.
        if let Some((at, typed)) = options.on_screen.as_ref().filter(|_| !options.adopt) {
            takeover::finish(at, typed);
        }
        let mut listeners = Vec::new();
        for (kind, handler) in [
            ("input", events::on_input as fn(&Rc<RefCell<Inner>>, Event)),
            ("change", events::on_input),
            ("focusout", events::on_leave),
            ("submit", events::on_submit),
            ("click", events::on_click),
        ] {
            let at = inner.clone();
            let closure = Closure::<dyn FnMut(Event)>::new(move |ev: Event| handler(&at, ev));
            let _ = root.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
            listeners.push((kind, closure));
        }
        // Later: a listener added right after the call hears it.
        emit_later(&host, "eform:ready", ready);
        Binder { inner, listeners }
    }

    /// The data as entered so far.
    pub fn data(&self) -> Value {
        self.inner.borrow().state.data().clone()
    }

    /// Replaces the data (drawn again, kept as the draft, `eform:change` sent).
    pub fn set_data(&self, data: Value) {
        let mut s = self.inner.borrow_mut();
        // The data it already has: nothing happens (a host writing back what `eform:change`
        // gives it starts no loop).
        if *s.state.data() == data {
            return;
        }
        s.state.replace(data);
        s.refused = None;
        s.draw();
        s.changed_data();
    }

    /// Shows every error, as a submit would without sending, and returns them.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut s = self.inner.borrow_mut();
        s.submitted = true;
        s.draw();
        s.state.validate_all().to_vec()
    }

    /// Draws the form in `lang`; the data stays.
    pub fn set_lang(&self, lang: Lang) {
        let mut s = self.inner.borrow_mut();
        s.lang = lang;
        s.draw();
    }
}

impl Drop for Binder {
    fn drop(&mut self) {
        let root = self.inner.borrow().root.clone();
        for (kind, closure) in &self.listeners {
            let _ =
                root.remove_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        }
    }
}

impl Inner {
    /// The item of a section holding `ptr` (itself, or the table or address it is part of).
    fn item_of(&self, ptr: &str) -> Option<&str> {
        self.items
            .iter()
            .map(|(p, _)| p.as_str())
            .find(|p| ptr == *p || ptr.strip_prefix(p).is_some_and(|r| r.starts_with('/')))
    }

    fn page_of(&self, ptr: &str) -> usize {
        let item = self.item_of(ptr);
        self.items
            .iter()
            .find(|(p, _)| Some(p.as_str()) == item)
            .map_or(0, |(_, page)| *page)
    }

    /// Whether an error at `ptr` shows on its field: the citizen changed and left it (or a part
    /// of it, or the group it is in), tried to leave its page, or to submit.
    fn shows(&self, ptr: &str) -> bool {
        self.submitted
            || self.attempted == Some(self.page_of(ptr))
            || self.shown.iter().any(|s| {
                s == ptr
                    || s.strip_prefix(ptr).is_some_and(|r| r.starts_with('/'))
                    || ptr
                        .strip_prefix(s.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
    }

    fn inline_errors(&self) -> Vec<Diagnostic> {
        let mut shown: Vec<Diagnostic> = self
            .state
            .validate_all()
            .iter()
            .filter(|d| self.shows(&d.pointer))
            .cloned()
            .collect();
        if let Some(r) = &self.refused {
            shown.extend(r.iter().cloned());
        }
        shown
    }

    /// The summary's entries and whether they are the portal's refusal.
    fn summary(&self) -> (Vec<Diagnostic>, bool) {
        if let Some(r) = &self.refused {
            return (r.clone(), true);
        }
        let errors = self.state.validate_all();
        let list = if self.submitted {
            errors.to_vec()
        } else if self.attempted == Some(self.page) {
            errors
                .iter()
                .filter(|d| self.page_of(&d.pointer) == self.page)
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        (list, false)
    }

    fn with_page<R>(&self, errors: &[Diagnostic], f: impl FnOnce(&Page) -> R) -> R {
        let (locked, notes) = (BTreeSet::new(), BTreeMap::new());
        let submit = if self.outcome == Outcome::Checking {
            Ui::Checking
        } else {
            Ui::Submit
        };
        f(&Page {
            form: &self.form,
            data: self.state.data(),
            lang: self.lang,
            today: self.today,
            errors,
            current: self.page,
            locked: &locked,
            notes: &notes,
            reports: None,
            action: None,
            hidden: &[],
            submit,
        })
    }

    /// Draws everything again (a new page, the summary, the language, new data) into the page.
    fn draw(&mut self) {
        let lang = self.lang;
        let t = |u: Ui| esc(&u.get(lang));
        let mut html = format!("<div class=\"ef-embed\" lang=\"{}\">", lang.tag());
        let _ = std::fmt::Write::write_fmt(
            &mut html,
            format_args!(
                "<div class=\"ef-embed__bar\"><div class=\"ef-lang\" role=\"group\" aria-label=\"{}\">",
                t(Ui::LanguageSwitch)
            ),
        );
        for (l, name) in [(Lang::Vi, "Tiếng Việt"), (Lang::En, "English")] {
            html.push_str(&format!(
                "<button type=\"button\" class=\"ef-lang__button\" lang=\"{0}\" data-ef-lang=\"{0}\" aria-pressed=\"{1}\">{name}</button>",
                l.tag(),
                l == lang
            ));
        }
        html.push_str("</div></div>");
        if let Some(at) = self.restored_at {
            html.push_str(&format!(
                "<div class=\"ef-panel ef-draft\" role=\"status\" data-testid=\"draft-restored\"><p>{}</p><button type=\"button\" class=\"ef-button ef-button--secondary\" data-ef-start-again>{}</button></div>",
                esc(&Ui::DraftRestored.get(lang).replace("{}", &drafts::saved_at_text(at))),
                t(Ui::StartAgain)
            ));
        }
        let inline = self.inline_errors();
        let (summary, refused) = self.summary();
        let title = if refused {
            Ui::ServerDisagrees
        } else {
            Ui::SummaryTitle
        };
        let evaluation = self.state.evaluation();
        html.push_str(&self.with_page(&inline, |p| {
            form_html::form_summarised(p, evaluation, &summary, title)
        }));
        html.push_str("<div class=\"ef-result\" tabindex=\"-1\" aria-live=\"polite\">");
        match self.outcome {
            Outcome::Accepted => html.push_str(&format!(
                "<div class=\"ef-panel ef-panel--ok\" data-testid=\"accepted\"><h2>{}</h2><p>{}</p></div>",
                t(Ui::CheckedTitle),
                t(Ui::CheckedBody)
            )),
            Outcome::Failed => html.push_str(&format!(
                "<div class=\"ef-panel ef-panel--warn\" role=\"alert\" data-testid=\"send-failed\"><p>{}</p></div>",
                t(Ui::NetworkError)
            )),
            Outcome::Idle | Outcome::Checking => {}
        }
        html.push_str("</div></div>");
        match self.root.first_element_child() {
            Some(old) => {
                morph::morph_html(&old, &html);
            }
            None => self.root.set_inner_html(&html),
        }
        if self.outcome == Outcome::Checking
            && let Ok(Some(b)) = self
                .root
                .query_selector(".ef-actions button[type=submit]:last-child")
        {
            let _ = b.set_attribute("disabled", "");
        }
        self.summary_drawn = (keys(&summary), refused);
    }

    /// Brings into the page what `changes` changed, and the item of `also` (the control the
    /// citizen used: an address's communes follow its province).
    fn apply(&mut self, changes: &Changes, also: Option<&str>) {
        let (summary, refused) = self.summary();
        if (keys(&summary), refused) != self.summary_drawn {
            self.draw();
            return;
        }
        let mut items: Vec<String> = Vec::new();
        let touched = changes
            .values
            .iter()
            .map(|(p, _)| p)
            .chain(changes.hidden.iter().map(|(p, _)| p))
            .chain(changes.read_only.iter().map(|(p, _)| p))
            .chain(changes.required.iter().map(|(p, _)| p))
            .chain(changes.errors.iter().map(|(p, _)| p))
            .map(String::as_str)
            .chain(also);
        for ptr in touched {
            if let Some(item) = self.item_of(ptr)
                && !items.iter().any(|i| i == item)
            {
                items.push(item.to_owned());
            }
        }
        self.redraw_items(&items);
    }

    /// Draws these items of the sections again.
    fn redraw_items(&self, items: &[String]) {
        let inline = self.inline_errors();
        let evaluation = self.state.evaluation();
        for item in items {
            let selector = format!("[{ITEM}=\"{}\"]", css_string(item));
            let Ok(Some(el)) = self.root.query_selector(&selector) else {
                continue;
            };
            let Some(html) = self.with_page(&inline, |p| form_html::item(p, evaluation, item))
            else {
                continue;
            };
            let el = morph::morph_html(&el, &html).unwrap_or(el);
            // A section shows while one of its items does.
            if let Some(section) = el.parent_element()
                && let Ok(list) = section.query_selector_all(&format!(":scope > [{ITEM}]"))
            {
                let all_hidden = list.length() > 0
                    && (0..list.length()).all(|i| {
                        list.item(i)
                            .and_then(|n| n.dyn_into::<Element>().ok())
                            .is_some_and(|e| e.has_attribute("hidden"))
                    });
                if all_hidden != section.has_attribute("hidden") {
                    let _ = if all_hidden {
                        section.set_attribute("hidden", "")
                    } else {
                        section.remove_attribute("hidden")
                    };
                }
            }
        }
    }

    /// After the data changed: kept as the draft, and the host told.
    fn changed_data(&self) {
        drafts::save(&self.draft_key, self.state.data());
        emit_later(
            &self.host,
            "eform:change",
            json!({ "data": self.state.data() }),
        );
    }

    fn element(&self, id: &str) -> Option<HtmlElement> {
        self.root
            .query_selector(&format!("#{id}"))
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into().ok())
    }

    fn focus(&self, id: &str) {
        if let Some(el) = self.element(id) {
            el.scroll_into_view();
            let _ = el.focus();
        }
    }

    fn focus_selector(&self, selector: &str) {
        if let Ok(Some(el)) = self.root.query_selector(selector)
            && let Ok(el) = el.dyn_into::<HtmlElement>()
        {
            let _ = el.focus();
        }
    }

    /// The value of the control(s) named `name` as the data holds it.
    fn read(&self, name: &str, target: &Element) -> Option<Value> {
        let field = self.form.field_for(name);
        let widget = field
            .map(|f| f.widget)
            .unwrap_or(if name.ends_with("/text") {
                Widget::Textarea
            } else {
                Widget::Text
            });
        if let Some(input) = target.dyn_ref::<HtmlInputElement>() {
            match (input.type_().as_str(), widget) {
                ("checkbox", Widget::MultiSelect) => {
                    let list = self
                        .root
                        .query_selector_all(&format!(
                            "input[type=checkbox][name=\"{}\"]",
                            css_string(name)
                        ))
                        .ok()?;
                    let ticked: Vec<Value> = (0..list.length())
                        .filter_map(|i| list.item(i)?.dyn_into::<HtmlInputElement>().ok())
                        .filter(|i| i.checked())
                        .map(|i| Value::String(i.value()))
                        .collect();
                    return (!ticked.is_empty()).then_some(Value::Array(ticked));
                }
                ("checkbox", _) => return input.checked().then_some(Value::Bool(true)),
                ("radio", _) => {
                    return input.checked().then(|| Value::String(input.value()));
                }
                _ => return form_html::input::to_value(widget, &input.value()),
            }
        }
        let value = js_sys::Reflect::get(target, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        form_html::input::to_value(widget, &value)
    }

    fn go(&mut self, to: usize) {
        let pages = self.form.definition().pages.len();
        let to = to.min(pages.saturating_sub(1));
        if to > self.page {
            let here = self.page;
            let errors = self
                .state
                .validate_all()
                .iter()
                .any(|d| self.page_of(&d.pointer) == here);
            if errors {
                self.attempted = Some(here);
                self.draw();
                self.focus_selector(".ef-summary");
                return;
            }
        }
        self.attempted = None;
        self.page = to;
        self.draw();
        self.focus(&format!("ef-page-{to}"));
    }

    fn row_action(&mut self, action: &str) {
        let Some((verb, ptr)) = action.split_once(':') else {
            return;
        };
        // What changed is drawn whole (below): the `Changes` are not needed.
        let (_, table, focus) = if verb == "add" {
            let n = pointer::get(self.state.data(), ptr)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if n >= form_html::read::MAX_ROWS {
                return;
            }
            let c = self.state.add_row(ptr);
            (c, ptr.to_owned(), Focus::NewRow(n))
        } else {
            let Some((table, index)) = ptr.rsplit_once('/') else {
                return;
            };
            let Ok(i) = index.parse::<usize>() else {
                return;
            };
            let id = form_html::input::id_for(table);
            match verb {
                "remove" => (
                    self.state.remove_row(table, i),
                    table.to_owned(),
                    Focus::Id(id),
                ),
                "up" if i > 0 => (
                    self.state.move_row(table, i, i - 1),
                    table.to_owned(),
                    Focus::Id(format!("{id}-up-{}", i - 1)),
                ),
                "down" => (
                    self.state.move_row(table, i, i + 1),
                    table.to_owned(),
                    Focus::Id(format!("{id}-down-{}", i + 1)),
                ),
                _ => return,
            }
        };
        // Everything again: an error shown on the field just left comes with it.
        self.draw();
        match focus {
            Focus::Id(id) => self.focus(&id),
            Focus::NewRow(n) => {
                let row = pointer::push_index(&table, n);
                self.focus_selector(&format!(
                    "[name^=\"{}/\"]:not([type=hidden])",
                    css_string(&row)
                ));
            }
        }
        self.changed_data();
    }
}

enum Focus {
    Id(String),
    NewRow(usize),
}

fn keys(list: &[Diagnostic]) -> Vec<(String, String)> {
    list.iter()
        .map(|d| (d.pointer.clone(), d.code.clone()))
        .collect()
}

/// `s` inside a double-quoted CSS string.
fn css_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
