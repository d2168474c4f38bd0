//! The binder: a form drawn by form-html (the portal's markup), made live by form-core's
//! [`FormState`]. One listener per event kind on the form's root; an input is known by its
//! `name`, its data pointer. A change goes to `FormState::set`, and each item the `Changes`
//! name (a field, a table, an address) is drawn again by form-html and brought into the page by
//! [`morph`](crate::morph): the page stays what the portal would draw for the same state, and the control
//! being typed in keeps its focus, caret and input-method composition.
//!
//! What it does, as the citizen sees it: errors of a field show once it has been changed and
//! left, a page's errors when "Continue" is pressed, every error on submit, with the summary
//! linking to each; rules hide, show, compute and lock fields as they are typed; table rows are
//! added, removed and moved; the communes follow the province chosen; what is typed is kept as
//! a draft in the browser; the portal's check API has the last word on submit.

mod draw;
mod events;
mod filing;
mod units;

use crate::dom_id::Root;
use crate::drafts;
use crate::drafts::PortalDraft;
use crate::host::{emit_later, today};
use crate::services::Services;
use crate::sign::Loader;
use crate::store::{Offer, StoreAnswer};
use crate::takeover::{self, Typed};
use filing::{KeepAnswer, SignStage};
use form_core::datastore::Prefilled;
use form_core::datastore::{Attribute, Displaced, Provenance};
use form_core::{Diagnostic, Form, FormState, Lang, Text, Widget, Ymd, pointer};
use form_html::Ui;
use serde_json::{Map, Value, json};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, Event, HtmlElement, HtmlInputElement};

/// Whether this build speaks to a host's services (feature `services`: the data store, the
/// bridge, intake, the drafts service). Without it every path to them is dead code, left out of
/// the module: the runtime of an embed naming none of them, and `renderForm`, is smaller.
pub const SERVICES: bool = cfg!(feature = "services");

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
    /// The host's services (data store, bridge, intake, drafts) and its token; none named: the
    /// form fills in and checks only.
    pub services: Services,
    /// What the citizen's data store gave for the keys the form binds (`Err`: unreachable):
    /// empty bound fields are filled from it, verified values locked.
    pub store: Option<StoreAnswer>,
    /// Whose the store's answer is: drafts are kept per citizen.
    pub subject: Option<String>,
    /// The citizen's draft on the host's drafts service (resuming on another device).
    pub portal_draft: Option<PortalDraft>,
    /// Loads the signing module, for a form to sign.
    pub signer: Option<Loader>,
    /// The form is the portal's own citizen page (`/f/{id}`): the binder draws the whole page,
    /// its header with it, and a filed dossier's confirmation in place of the form.
    pub site: Option<Site>,
    /// Where a province's communes are fetched (`…/refdata/communes/`, then `{code}.json`),
    /// for a form given the provinces alone.
    pub communes: Option<String>,
}

/// The portal's own citizen page around a form (`/f/{id}`, [`form_html::site`]).
pub struct Site {
    /// Who is signed in: their name, and whether an official.
    pub account: Option<(String, bool)>,
    /// The page's path (the way back after signing in).
    pub here: String,
    /// Whose drafts this browser keeps (removed at sign-out).
    pub subject: Option<String>,
}

impl Options {
    /// A form that fills in and checks only, with no service of a host.
    pub fn alone(lang: Lang, check_url: Option<String>, initial: Option<Value>) -> Options {
        Options {
            lang,
            check_url,
            initial,
            on_screen: None,
            adopt: false,
            services: Services::default(),
            store: None,
            subject: None,
            portal_draft: None,
            signer: None,
            site: None,
            communes: None,
        }
    }
}

/// A form bound in an element: dropping it removes the listeners (the drawing stays until the
/// element is emptied).
pub struct Binder {
    inner: Rc<RefCell<Inner>>,
    listeners: Vec<(&'static str, Listener)>,
}

/// An event listener on the form's root.
type Listener = Closure<dyn FnMut(Event)>;

#[derive(Clone)]
enum Outcome {
    Idle,
    Checking,
    Accepted,
    Failed,
    /// The dossier on its way (the retry it is at).
    Sending(u32),
    /// Filed under this code (`true`: it waits for its co-signers).
    Received(String, bool),
    /// The host's service said nobody is signed in (401).
    SignIn,
    /// Intake refused it for a reason of its own (not the form's errors).
    Rejected(Text),
    /// The Sign step, with the data it signs.
    Signing(Rc<Value>, SignStage),
}

impl Outcome {
    /// Sending or signing is under way: the submit button waits.
    fn busy(&self) -> bool {
        matches!(
            self,
            Outcome::Checking | Outcome::Sending(_) | Outcome::Received(..) | Outcome::Signing(..)
        )
    }
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
    /// The items of the sections, by data pointer: their place among the items, and their page.
    items: BTreeMap<String, (usize, usize)>,
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
    /// The length of the last drawing (0 before the first).
    drawn_len: usize,
    services: Services,
    /// Where dossiers are filed (the host's intake), if the form files them.
    intake: Option<String>,
    signer: Option<Loader>,
    /// The data store's values (reachable), for the bindings that follow the data and the
    /// values to keep once filed.
    store: Option<BTreeMap<String, Attribute>>,
    store_down: bool,
    /// Locked fields, and where prefilled values came from.
    locked: BTreeSet<String>,
    provenance: BTreeMap<String, Provenance>,
    /// What the bindings that follow the data displaced (put back when they no longer apply),
    /// and the data they last saw; only for forms with such bindings.
    displaced: Displaced,
    before: Option<Value>,
    /// Labels of typed values the register's verified values replaced.
    replaced: Vec<Text>,
    /// Reports of a mistake, by pointer: what became of each, and whether it cannot be sent now
    /// (on its way, or taken).
    reports: BTreeMap<String, (Text, bool)>,
    /// The host's drafts service: where this draft goes and the form's version; the draft
    /// came from there.
    portal_sync: Option<(String, u32)>,
    from_portal: bool,
    /// Changes since the draft last went to the host's service (it goes once typing pauses).
    typed: Rc<Cell<u64>>,
    /// What an earlier version's draft could not bring over, until read.
    carried: Option<drafts::Carried>,
    /// Files being uploaded, and how each attachment's upload went.
    uploads: Rc<Cell<u32>>,
    uploading: BTreeMap<String, Ui>,
    /// Values the store could keep, asked once the dossier is filed.
    keep: Option<(Offer, KeepAnswer)>,
    site: Option<Site>,
    /// Where a province's communes come from, and the provinces asked for meanwhile.
    communes: Option<String>,
    communes_asked: BTreeSet<String>,
    /// Provinces whose communes could not be fetched: the field says so, with "try again".
    communes_failed: BTreeSet<String>,
}

impl Binder {
    /// Draws `form` in `root` (emptied first, unless it is the portal's drawing, taken over in
    /// place: `Options::adopt`) and binds it; `eform:ready` follows from `host`.
    pub fn bind(host: HtmlElement, root: Element, form: Arc<Form>, options: Options) -> Binder {
        let d = form.definition();
        // The draft to start from (unless data is given): this browser's, or the host's drafts
        // service's when it was written elsewhere since; an earlier version's carried over.
        let drafts::Start {
            key: draft_key,
            restored,
            from_portal,
            portal_sync,
        } = drafts::start(
            &form,
            options.subject.as_deref(),
            options.initial.is_some(),
            options.portal_draft,
        );
        let restored_at = restored.as_ref().map(|r| r.saved_at);
        let mut data = options
            .initial
            .or(restored.map(|r| r.data))
            .unwrap_or_else(|| Value::Object(Map::new()));
        if let Some((_, typed)) = &options.on_screen {
            data = typed.over(data);
        }
        let today = today();
        // The store's values in the bound fields that are empty, verified ones locked.
        let (store, store_down) = match options.store {
            Some(Ok(values)) => (Some(values), false),
            Some(Err(())) => (None, true),
            None => (None, false),
        };
        let prefilled = store
            .as_ref()
            .filter(|_| SERVICES)
            .map(|values| form_core::datastore::prefill(&form, &data, values, today));
        let mut replaced = Vec::new();
        let (mut locked, mut provenance) = (BTreeSet::new(), BTreeMap::new());
        if let Some(p) = prefilled {
            replaced = p
                .replaced
                .iter()
                .filter_map(|at| form.item_for(at).and_then(|i| i.label.clone()))
                .collect();
            data = p.data;
            locked = p.locked;
            provenance = p.provenance;
        }
        let before =
            (store.is_some() && form_core::datastore::follows_data(d)).then(|| data.clone());
        let carried = drafts::carried(&draft_key);
        let intake = options.services.dossiers();
        let mut items = BTreeMap::new();
        let pointers = d.pages.iter().enumerate().flat_map(|(pi, p)| {
            p.sections
                .iter()
                .flat_map(|s| &s.items)
                .filter_map(move |i| i.pointer.clone().map(|ptr| (ptr, pi)))
        });
        for (n, (ptr, page)) in pointers.enumerate() {
            // A pointer bound twice is a definition error: the first item keeps it.
            items.entry(ptr).or_insert((n, page));
        }
        let ready = json!({"formId": d.id, "version": d.version});
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
            drawn_len: 0,
            services: options.services,
            intake,
            signer: options.signer,
            store,
            store_down,
            locked,
            provenance,
            displaced: Displaced::new(),
            before,
            replaced,
            reports: BTreeMap::new(),
            portal_sync,
            from_portal,
            typed: Rc::new(Cell::new(0)),
            carried,
            uploads: Rc::new(Cell::new(0)),
            uploading: BTreeMap::new(),
            keep: None,
            site: options.site,
            communes: options.communes,
            communes_asked: BTreeSet::new(),
            communes_failed: BTreeSet::new(),
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
            // A dialog closed by Escape (`cancel` does not bubble: heard on the way down).
            (
                "cancel",
                if SERVICES {
                    filing::on_cancel
                } else {
                    |_, _| {}
                },
            ),
        ] {
            let at = inner.clone();
            let closure = Closure::<dyn FnMut(Event)>::new(move |ev: Event| handler(&at, ev));
            let _ = root.add_event_listener_with_callback_and_bool(
                kind,
                closure.as_ref().unchecked_ref(),
                kind == "cancel",
            );
            listeners.push((kind, closure));
        }
        // The communes of the provinces the form starts with.
        units::load(&inner);
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
        if !s.follow_bindings() {
            s.draw();
        }
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
            let _ = root.remove_event_listener_with_callback_and_bool(
                kind,
                closure.as_ref().unchecked_ref(),
                *kind == "cancel",
            );
        }
    }
}

impl Inner {
    /// The portal's own page, and nobody signed in on it: nothing is uploaded or filed (the
    /// page says to sign in).
    fn nobody_signed_in(&self) -> bool {
        self.site.as_ref().is_some_and(|p| p.account.is_none())
    }

    /// The item a data pointer is in: the first item whose pointer is it or one of its
    /// ancestors, with its place and page.
    fn item_entry(&self, ptr: &str) -> Option<(&str, usize)> {
        let mut best: Option<(&str, usize, usize)> = None;
        let mut at = ptr;
        while !at.is_empty() {
            if let Some((p, &(n, page))) = self.items.get_key_value(at)
                && best.is_none_or(|(_, m, _)| n < m)
            {
                best = Some((p.as_str(), n, page));
            }
            at = at.rsplit_once('/').map_or("", |(head, _)| head);
        }
        best.map(|(p, _, page)| (p, page))
    }

    /// The item of a section holding `ptr` (itself, or the table or address it is part of).
    fn item_of(&self, ptr: &str) -> Option<&str> {
        self.item_entry(ptr).map(|(p, _)| p)
    }

    fn page_of(&self, ptr: &str) -> usize {
        self.item_entry(ptr).map_or(0, |(_, page)| page)
    }

    /// Whether an error at `ptr` shows on its field: the citizen changed and left it (or a part
    /// of it, or the group it is in), tried to leave its page, or to submit.
    fn shows(&self, ptr: &str) -> bool {
        self.submitted
            || self.attempted == Some(self.page_of(ptr))
            || self
                .shown
                .iter()
                .any(|s| s == ptr || pointer::inside(s, ptr) || pointer::inside(ptr, s))
    }

    /// Bindings that depend on the data ("the applicant is the husband") follow it: one that
    /// comes into force fills its field, one no longer in force takes back what it filled (and
    /// puts back what it replaced). Whether that changed anything (then everything is drawn
    /// again: locks and sources are drawn with the fields).
    fn follow_bindings(&mut self) -> bool {
        if !SERVICES {
            return false;
        }
        let (Some(before), Some(values)) = (self.before.take(), self.store.as_ref()) else {
            return false;
        };
        let data = self.state.data().clone();
        let so_far = Prefilled {
            provenance: std::mem::take(&mut self.provenance),
            locked: std::mem::take(&mut self.locked),
            ..Default::default()
        };
        let again = form_core::datastore::prefill_again(
            &self.form,
            &before,
            &data,
            values,
            self.today,
            &so_far,
            &mut self.displaced,
        );
        let Some(p) = again else {
            self.provenance = so_far.provenance;
            self.locked = so_far.locked;
            self.before = Some(data);
            return false;
        };
        let marks_changed = p.provenance != so_far.provenance || p.locked != so_far.locked;
        let data_changed = p.data != data;
        self.provenance = p.provenance;
        self.locked = p.locked;
        self.before = Some(p.data.clone());
        if data_changed {
            self.state.replace(p.data);
        }
        if data_changed || marks_changed {
            self.draw();
        }
        data_changed || marks_changed
    }

    /// After the data changed: kept as the draft, and the host told.
    fn changed_data(&self) {
        // Filed: nothing is a draft any more (a file picked while it was sent may finish
        // uploading after).
        if matches!(self.outcome, Outcome::Received(..)) {
            return;
        }
        drafts::save(&self.draft_key, self.state.data());
        // To the host's drafts service once typing pauses (the newest change only).
        if let Some((url, version)) = self.portal_sync.clone().filter(|_| SERVICES) {
            let typed = self.typed.clone();
            typed.set(typed.get() + 1);
            let this = typed.get();
            let (services, key) = (self.services.clone(), self.draft_key.clone());
            wasm_bindgen_futures::spawn_local(async move {
                crate::fetch::sleep(drafts::PORTAL_SAVE_MS).await;
                if typed.get() == this {
                    drafts::push(&services, &key, &url, version).await;
                }
            });
        }
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
        // What was changed and left in the rows moves with them (a row's shown errors stay
        // with it; a removed row's go).
        let rows = pointer::get(self.state.data(), &table)
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if verb != "add"
            && let Some(i) = ptr
                .rsplit_once('/')
                .and_then(|(_, i)| i.parse::<usize>().ok())
            && (verb != "down" || i + 1 < rows)
        {
            let to = |j: usize| -> Option<usize> {
                match verb {
                    "remove" if j == i => None,
                    "remove" if j > i => Some(j - 1),
                    "up" if j == i => Some(i - 1),
                    "up" if j + 1 == i => Some(i),
                    "down" if j == i => Some(i + 1),
                    "down" if j == i + 1 => Some(i),
                    _ => Some(j),
                }
            };
            self.changed = reindex(&self.changed, &table, to);
            self.shown = reindex(&self.shown, &table, to);
        }
        // Everything again: an error shown on the field just left comes with it.
        self.draw();
        match focus {
            Focus::Id(id) => {
                // A row at the top or the bottom cannot go further: its other button has it.
                let disabled = self
                    .element(&id)
                    .is_some_and(|e| e.has_attribute("disabled"));
                let id = match (disabled, id.rsplit_once('-')) {
                    (true, Some((head, i))) if head.ends_with("-up") => {
                        format!("{}-down-{i}", head.trim_end_matches("-up"))
                    }
                    (true, Some((head, i))) if head.ends_with("-down") => {
                        format!("{}-up-{i}", head.trim_end_matches("-down"))
                    }
                    _ => id,
                };
                self.focus(&id);
            }
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

/// `set`'s pointers into the rows of `table` with each row's index mapped by `to` (`None`: the
/// row is gone).
fn reindex(
    set: &BTreeSet<String>,
    table: &str,
    to: impl Fn(usize) -> Option<usize>,
) -> BTreeSet<String> {
    set.iter()
        .filter_map(|p| {
            let Some(rest) = p.strip_prefix(table).and_then(|r| r.strip_prefix('/')) else {
                return Some(p.clone());
            };
            let (index, tail) = rest.split_once('/').unwrap_or((rest, ""));
            let Ok(j) = index.parse::<usize>() else {
                return Some(p.clone());
            };
            let k = to(j)?;
            Some(if tail.is_empty() {
                format!("{table}/{k}")
            } else {
                format!("{table}/{k}/{tail}")
            })
        })
        .collect()
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
