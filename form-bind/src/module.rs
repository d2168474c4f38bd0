//! What `/eform/eform.js` calls in the light module: `renderForm`'s form.

use crate::binder::{Binder, Options};
use crate::dom_id::Root;
use crate::drafts::{self, PortalDraft};
use crate::services::Services;
use crate::sign::Loader;
use crate::store::{self, Asked, StoreAnswer};
use crate::{host, source, takeover};
use form_core::{Lang, Text};
use form_html::{Ui, esc};
use serde_json::{Value, json};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement};

/// A drawn form, held by the host page's script until it is removed.
#[wasm_bindgen]
pub struct BoundForm(Rc<RefCell<Slot>>);

struct Slot {
    binder: Option<Binder>,
    /// Data the host set before the form was drawn: the form starts from it.
    pending: Option<Value>,
    lang: Lang,
    /// Removed from the page: a form still loading is not drawn.
    alive: bool,
    root: Option<Element>,
}

fn to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::UNDEFINED)
}

/// Draws the form `definition` (JSON text) inside `target`, an element of the host page (which
/// links eform's stylesheet itself), and binds it. `submit`: where the data is checked on
/// submit; `units`: the URL of the administrative units, for forms with an address.
#[wasm_bindgen]
pub fn render_form(
    target: HtmlElement,
    definition: String,
    lang: Option<String>,
    submit: Option<String>,
    units: Option<String>,
) -> BoundForm {
    let lang = lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    target.set_inner_html("");
    let root = target
        .owner_document()
        .and_then(|d| d.create_element("div").ok());
    if let Some(r) = &root {
        let _ = target.append_child(r);
    }
    let slot = Rc::new(RefCell::new(Slot {
        binder: None,
        pending: None,
        lang,
        alive: true,
        root: root.clone(),
    }));
    let Some(root) = root else {
        return BoundForm(slot);
    };
    let fail = {
        let (target, root) = (target.clone(), root.clone());
        move |(code, message): (&'static str, Text)| {
            root.set_inner_html(&format!(
                "<div class=\"ef-embed\"><p class=\"ef-panel ef-panel--warn\" role=\"alert\">{}</p></div>",
                esc(message.get(lang))
            ));
            host::emit_later(
                &target,
                "eform:error",
                json!({"code": code, "message": message}),
            );
        }
    };
    let form = match crate::source::load_definition(&definition) {
        Ok(form) => form,
        Err(e) => {
            fail(e);
            return BoundForm(slot);
        }
    };
    let bind = {
        let (slot, root) = (slot.clone(), root.clone());
        move |form: form_core::Form| {
            let mut s = slot.borrow_mut();
            if !s.alive {
                return;
            }
            let options = Options::alone(s.lang, submit, s.pending.take());
            s.binder = Some(Binder::bind(target, root, Arc::new(form), options));
        }
    };
    if !form.uses_admin_units() {
        bind(form);
        return BoundForm(slot);
    }
    root.set_inner_html(&format!(
        "<div class=\"ef-embed\"><p class=\"ef-hint\" aria-live=\"polite\">{}</p></div>",
        esc(&Ui::Loading.get(lang))
    ));
    let units = units.unwrap_or_else(|| "/refdata/admin-units.json".to_owned());
    wasm_bindgen_futures::spawn_local(async move {
        match crate::fetch::with_admin_units(form, &units).await {
            Some(form) => bind(form),
            None => fail(host::load_failed()),
        }
    });
    BoundForm(slot)
}

/// The host's services an `<e-form>` names (`{datastore, bridge, intake, drafts}`: URLs, or
/// null), the function giving its token, and the function loading the signing module.
fn services_of(given: &JsValue) -> (Services, Option<Loader>) {
    let get = |name: &str| js_sys::Reflect::get(given, &JsValue::from_str(name)).ok();
    // Resolved against the page, as the element's `src` is.
    let url = |name: &str| {
        get(name)
            .and_then(|v| v.as_string())
            .filter(|v| !v.is_empty())
            .map(|v| source::absolute(&v))
    };
    let function = |name: &str| get(name).and_then(|v| v.dyn_into::<js_sys::Function>().ok());
    let services = Services::new(
        url("datastore"),
        url("bridge"),
        url("intake"),
        url("drafts"),
        function("token"),
    );
    let signer = function("signer").map(|load| -> Loader {
        Rc::new(move || {
            load.call0(&JsValue::NULL)
                .and_then(|p| p.dyn_into::<js_sys::Promise>())
        })
    });
    (services, signer)
}

/// A response the page asked for while this module was on its way (`fetch(url)`'s promise):
/// the form's first GET of `url` takes it instead of asking again. The page
/// asks for the definition beside the runtime's code, so the form does not wait a round trip
/// more once the code is here.
#[wasm_bindgen]
pub fn asked(url: String, response: js_sys::Promise) {
    crate::fetch::asked_early(&url, response);
}

/// What the host's data store and drafts service say for `form`, before it is drawn: the values
/// of the keys it binds, whose they are, and that citizen's draft on the drafts service.
async fn ask_services(
    services: &Services,
    form: &form_core::Form,
) -> (Option<StoreAnswer>, Option<String>, Option<PortalDraft>) {
    match store::ask(services, form).await {
        Asked::Answer(answer, subject) => {
            // Someone is signed in: their draft on the host's drafts service, if it has one.
            let portal_draft = match &subject {
                Some(_) => {
                    let d = form.definition();
                    drafts::portal_draft(services, &d.id, d.version).await
                }
                None => None,
            };
            (Some(answer), subject, portal_draft)
        }
        Asked::Nothing | Asked::SignedOut => (None, None, None),
    }
}

/// Draws the form at `src` inside `host`, an `<e-form>`, in its shadow root with the stylesheet
/// `css`: called by `/eform/eform.js`, with the host's `services` the element names. The form
/// the portal drew there meanwhile (`?as=html`) is taken over with what was typed in it.
#[wasm_bindgen]
pub fn mount_form(
    host: HtmlElement,
    src: String,
    lang: Option<String>,
    submit: Option<String>,
    css: String,
    services: JsValue,
) -> BoundForm {
    let (services, signer) = if crate::binder::SERVICES {
        services_of(&services)
    } else {
        (Services::default(), None)
    };
    let lang = lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    let slot = Rc::new(RefCell::new(Slot {
        binder: None,
        pending: None,
        lang,
        alive: true,
        root: None,
    }));
    let (Some(shadow), Some(doc)) = (takeover::shadow_for(&host, &css), host.owner_document())
    else {
        return BoundForm(slot);
    };
    // The form the portal drew is the root when there is one: the same markup, taken over in
    // place. Otherwise a new one, saying the form is loading.
    let drawn = shadow
        .query_selector("#ef-ssr[data-ef-takeover]")
        .ok()
        .flatten();
    let adopt = drawn.is_some();
    let root = match drawn {
        Some(d) => d,
        None => {
            let Ok(root) = doc.create_element("div") else {
                return BoundForm(slot);
            };
            let _ = shadow.append_child(&root);
            root.set_inner_html(&format!(
                "<div class=\"ef-embed\"><p class=\"ef-hint\" aria-live=\"polite\">{}</p></div>",
                esc(&Ui::Loading.get(lang))
            ));
            root
        }
    };
    slot.borrow_mut().root = Some(root.clone());
    let src = source::absolute(&src);
    let check_url = submit
        .as_deref()
        .map(source::absolute)
        .or_else(|| source::check_url_for(&src));
    let at = slot.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let loaded = source::load_form(&src).await;
        let (store, subject, portal_draft) = match &loaded {
            Ok(form) if crate::binder::SERVICES => ask_services(&services, form).await,
            _ => (None, None, None),
        };
        let mut s = at.borrow_mut();
        // The element was emptied or pointed elsewhere meanwhile: nothing to report.
        if !s.alive {
            return;
        }
        let drawn_at = Root::Shadow(shadow);
        match loaded {
            Ok(form) => {
                let typed = takeover::read(&drawn_at, &form);
                let options = Options {
                    on_screen: typed.map(|t| (drawn_at, t)),
                    adopt,
                    communes: Some(source::communes_for(&src)),
                    services,
                    store,
                    subject,
                    portal_draft,
                    signer,
                    ..Options::alone(s.lang, check_url, s.pending.take())
                };
                s.binder = Some(Binder::bind(host, root.clone(), form, options));
                // The drawing is the runtime's form now.
                let _ = root.remove_attribute("data-ef-takeover");
                let _ = root.remove_attribute("id");
            }
            Err((code, message)) => {
                // The drawing stays with what was typed (it cannot be sent); the message shows
                // under it.
                takeover::release(&drawn_at);
                let root = if adopt {
                    let Some(r) = doc.create_element("div").ok() else {
                        return;
                    };
                    let _ = shadow_of(&drawn_at).map(|sh| sh.append_child(&r));
                    r
                } else {
                    root
                };
                root.set_inner_html(&format!(
                    "<div class=\"ef-embed\"><p class=\"ef-panel ef-panel--warn\" role=\"alert\">{}</p></div>",
                    esc(message.get(s.lang))
                ));
                host::emit_later(
                    &host,
                    "eform:error",
                    json!({"code": code, "message": message}),
                );
            }
        }
    });
    BoundForm(slot)
}

/// The portal's own form page (`/f/{id}`): `drawn` is the page the portal drew (`#ef-ssr`,
/// form-html's page around the form), taken over in place with what was typed in it. Its
/// attributes say what the portal knows: the definition (`data-ef-src`), the language drawn,
/// who is signed in (`data-ef-user`, `data-ef-name`, `data-ef-official`) and whether the portal
/// keeps their drafts (`data-ef-drafts`). The portal's services are the host's; `signer`
/// loads the signing module. Called by `/eform/page.js`. Should the form not load, the page
/// stays as drawn, and works as it does without a script (it posts to the portal).
///
/// In the build without the services (feature `services` off), which `page.js` loads for a
/// visitor nobody signed in (38 KB less on the wire): the form is filled in, checked and kept as
/// a draft, and Submit offers to sign in. Given a signed-in user, that build leaves the page as
/// drawn (working as without a script) rather than run it without the portal's services.
#[wasm_bindgen]
pub fn mount_page(drawn: HtmlElement, signer: js_sys::Function) -> BoundForm {
    let attr = |name: &str| drawn.get_attribute(name).filter(|v| !v.is_empty());
    let lang = attr("data-ef-lang")
        .and_then(|l| Lang::parse(&l))
        .unwrap_or_default();
    let slot = Rc::new(RefCell::new(Slot {
        binder: None,
        pending: None,
        lang,
        alive: true,
        root: Some(drawn.clone().into()),
    }));
    let Some(src) = attr("data-ef-src").map(|s| source::absolute(&s)) else {
        crate::fetch::forget_all_early();
        return BoundForm(slot);
    };
    let user = attr("data-ef-user");
    if user.is_some() && !crate::binder::SERVICES {
        crate::fetch::forget_all_early();
        return BoundForm(slot);
    }
    let official = drawn.has_attribute("data-ef-official");
    // Only a citizen is prefilled and keeps drafts on the portal (and only the build with the
    // services has the code for it).
    let citizen = crate::binder::SERVICES && user.is_some() && !official;
    let services = Services::portal_for(citizen, drawn.has_attribute("data-ef-drafts"));
    let signer: Loader = Rc::new(move || {
        signer
            .call0(&JsValue::NULL)
            .and_then(|p| p.dyn_into::<js_sys::Promise>())
    });
    let here = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    let site = crate::binder::Site {
        account: attr("data-ef-name").map(|name| (name, official)),
        here,
        subject: user.clone(),
    };
    let check_url = source::check_url_for(&src);
    let at = slot.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(form) = source::load_form(&src).await else {
            crate::fetch::forget_all_early();
            return;
        };
        let (store, portal_draft) = if citizen {
            // The store and the drafts service asked together: one round trip, not two (and
            // none once the code is here, when the page asked for them beside it).
            let d = form.definition();
            let (asked, portal_draft) = futures_util::future::join(
                store::ask(&services, &form),
                drafts::portal_draft(&services, &d.id, d.version),
            )
            .await;
            let store = match asked {
                Asked::Answer(answer, _) => Some(answer),
                // The session ended meanwhile: the store cannot be reached for this page.
                Asked::SignedOut => Some(Err(())),
                Asked::Nothing => None,
            };
            (store, portal_draft)
        } else {
            (None, None)
        };
        // What the page asked for early and the form did not take: not kept.
        crate::fetch::forget_all_early();
        let mut s = at.borrow_mut();
        let typed = takeover::read(&Root::Document, &form);
        let options = Options {
            on_screen: typed.map(|t| (Root::Document, t)),
            adopt: true,
            services,
            store,
            subject: user,
            portal_draft,
            signer: Some(signer),
            site: Some(site),
            communes: Some(source::communes_for(&src)),
            ..Options::alone(s.lang, check_url, None)
        };
        s.binder = Some(Binder::bind(
            drawn.clone(),
            drawn.clone().into(),
            form,
            options,
        ));
        let _ = drawn.remove_attribute("data-ef-takeover");
    });
    BoundForm(slot)
}

#[wasm_bindgen]
impl BoundForm {
    /// Switches the form's language; the data stays.
    pub fn set_lang(&self, lang: &str) {
        let Some(l) = Lang::parse(lang) else { return };
        let mut s = self.0.borrow_mut();
        s.lang = l;
        if let Some(b) = &s.binder {
            b.set_lang(l);
        }
    }

    /// The data as entered so far (`undefined` before the form is drawn).
    pub fn data(&self) -> JsValue {
        let s = self.0.borrow();
        match (&s.binder, &s.pending) {
            (Some(b), _) => to_js(&b.data()),
            (None, Some(p)) => to_js(p),
            (None, None) => JsValue::UNDEFINED,
        }
    }

    /// Replaces the data; it must be an object. Before the form is drawn, it starts from it.
    pub fn set_data(&self, data: JsValue) -> Result<(), JsValue> {
        let text = js_sys::JSON::stringify(&data)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        let value: Value = serde_json::from_str(&text).unwrap_or_default();
        if !value.is_object() {
            let t = Text::new(
                Ui::DataNotObject.get(Lang::Vi),
                Ui::DataNotObject.get(Lang::En),
            );
            return Err(to_js(&json!(t)));
        }
        let mut s = self.0.borrow_mut();
        match &s.binder {
            Some(b) => b.set_data(value),
            None => s.pending = Some(value),
        }
        Ok(())
    }

    /// Shows every error, as a submit would without sending, and returns
    /// `{ valid, errors: [{ pointer, code, message: {vi, en} }] }`.
    pub fn validate(&self) -> JsValue {
        match &self.0.borrow().binder {
            Some(b) => {
                let errors = b.validate();
                to_js(&json!({ "valid": errors.is_empty(), "errors": errors }))
            }
            // Nothing drawn yet: nothing can be valid.
            None => to_js(&json!({ "valid": false, "ready": false, "errors": [] })),
        }
    }

    /// Removes the form from the page.
    pub fn unmount(&mut self) {
        let mut s = self.0.borrow_mut();
        s.alive = false;
        s.binder = None;
        if let Some(r) = s.root.take() {
            r.remove();
        }
    }
}

fn shadow_of(root: &Root) -> Option<&web_sys::ShadowRoot> {
    match root {
        Root::Shadow(s) => Some(s),
        Root::Document => None,
    }
}
