//! The embeddable runtime: `<e-form src="…">` on any portal page, defined by `/eform/eform.js`
//! (which the portal serves; it loads this module and calls [`mount`] for each element).
//!
//! Each form lives in the element's own shadow root, with eform's stylesheet linked inside it:
//! the host page's CSS cannot reach the form's elements and the form's CSS cannot leak out, and
//! element ids of two forms on one page never meet. Nothing is inline (no `<script>`, no `style`
//! attribute), so the form works under the host's `script-src 'self' 'wasm-unsafe-eval';
//! style-src 'self'`. The host learns what happens through DOM events on the element:
//! `eform:ready`, `eform:change` (`detail.data`), `eform:signed` (`detail.data`,
//! `detail.signature`), `eform:submitted` (`detail.data`, and `detail.code` of a dossier) and
//! `eform:error` (`detail.code`, `detail.message` in vi and en).
//!
//! With the host's services named (`datastore`, `bridge`, `intake`: [`Services`]), the form does
//! what the portal's own page does: prefilled from the citizen's data store with its locks and
//! sources, drafts kept per citizen, the Sign step through the bridge, the dossier filed with an
//! idempotency key, and the consent dialog to keep declared values once it is acknowledged.

use crate::chrome::LangSwitch;
use crate::ctx::FormCtx;
use crate::datastore::{Asked, KeepDialog, Offer, StoreAnswer};
use crate::dom_id::Root;

use crate::fetch::with_admin_units;
use crate::form_view::{FormView, Intake};
use crate::i18n::Ui;
use crate::services::Services;
use form_bind::host::emit;
use form_bind::host::load_failed;
pub use form_bind::source::absolute;
use form_bind::source::{check_url_for, load_definition, load_form};
use form_core::{Lang, Text};
use leptos::prelude::*;
use serde_json::{Value, json};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use wasm_bindgen::JsCast;

/// Where the definition comes from.
pub enum Source {
    /// Fetched from this URL (`/forms/ct01`), as `<e-form src>` does.
    Url(String),
    /// Given as JSON text by the host page.
    Definition(String),
}

/// What the element's attributes (or the host page's call) ask for.
pub struct Options {
    pub source: Source,
    /// `vi` or `en`; Vietnamese when absent.
    pub lang: Option<String>,
    /// Where to `POST` the data on submit; by default the portal's check API beside `src`.
    pub submit: Option<String>,
    /// URL of eform's stylesheet, linked inside the shadow root; `None`: the form is drawn in
    /// the element itself (no shadow root), styled by the page's own link to the stylesheet.
    pub css: Option<String>,
    /// Where the administrative units are, for a definition given as text (a `src` has them
    /// beside it on its portal).
    pub units: Option<String>,
    /// The host's services and its token; none named: the form fills in and checks only.
    pub services: Services,
}

/// A form ready to draw, with what the data store said for it.
#[derive(Clone)]
struct Loaded {
    form: Arc<form_core::Form>,
    store: Option<StoreAnswer>,
    /// Whose the store's answer is: drafts are kept per citizen.
    subject: Option<String>,
    /// The citizen's draft on the host's drafts service (resuming on another device).
    portal_draft: Option<crate::drafts::PortalDraft>,
}

impl Loaded {
    fn alone(form: Arc<form_core::Form>) -> Self {
        Loaded {
            form,
            store: None,
            subject: None,
            portal_draft: None,
        }
    }
}

/// The store's answer for `form` taken into a [`Loaded`].
async fn with_store(form: Arc<form_core::Form>, services: &Services) -> Loaded {
    match crate::datastore::ask(services, &form).await {
        Asked::Answer(store, subject) => {
            // Someone is signed in: their draft on the host's drafts service, if it has one.
            let portal_draft = match &subject {
                Some(_) => {
                    let d = form.definition();
                    crate::drafts::portal_draft(services, &d.id, d.version).await
                }
                None => None,
            };
            Loaded {
                form,
                store: Some(store),
                subject,
                portal_draft,
            }
        }
        Asked::Nothing | Asked::SignedOut => Loaded::alone(form),
    }
}

/// A drawn form: dropping it (or [`Mounted::unmount`]) removes the form and silences anything
/// still loading for it.
pub struct Mounted {
    view: Option<Box<dyn std::any::Any>>,
    alive: Rc<Cell<bool>>,
    lang: RwSignal<Lang>,
    /// The form's state once it is drawn.
    ctx: Rc<Cell<Option<FormCtx>>>,
    /// Data the host set before the form was drawn: the form starts from it.
    pending: Arc<Mutex<Option<Value>>>,
}

impl Mounted {
    /// Switches the form's language (the `lang` attribute changed); the data stays.
    pub fn set_lang(&self, lang: &str) {
        if let Some(l) = Lang::parse(lang) {
            self.lang.set(l);
        }
    }

    /// The data as entered so far; `None` before the form is drawn.
    pub fn data(&self) -> Option<Value> {
        match self.ctx.get() {
            Some(c) => Some(c.data.get_untracked()),
            None => self.pending.lock().ok().and_then(|p| p.clone()),
        }
    }

    /// Replaces the data (an object); before the form is drawn, it starts from it.
    pub fn set_data(&self, data: Value) -> Result<(), Text> {
        if !data.is_object() {
            return Err(Text::new(
                Ui::DataNotObject.get(Lang::Vi),
                Ui::DataNotObject.get(Lang::En),
            ));
        }
        match self.ctx.get() {
            Some(ctx) => ctx.replace_data(data),
            None => {
                if let Ok(mut p) = self.pending.lock() {
                    *p = Some(data);
                }
            }
        }
        Ok(())
    }

    /// Shows every error and returns them; `None` before the form is drawn.
    pub fn validate(&self) -> Option<Vec<form_core::Diagnostic>> {
        self.ctx.get().map(|c| c.show_errors())
    }

    /// Removes the form from the element.
    pub fn unmount(mut self) {
        self.alive.set(false);
        self.ctx.set(None);
        self.view.take();
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.alive.set(false);
        self.ctx.set(None);
    }
}

/// Draws the form of `options` inside `host`: an `<e-form>` (in its shadow root), or any
/// element of the host page.
pub fn mount(host: web_sys::HtmlElement, options: Options) -> Option<Mounted> {
    let doc = web_sys::window().and_then(|w| w.document())?;
    let container = doc.create_element("div").ok()?;
    let _ = container.set_attribute("class", "ef-embed");
    let root = match &options.css {
        Some(css) => {
            let shadow = form_bind::takeover::shadow_for(&host, css)?;
            let _ = shadow.append_child(&container);
            Root::Shadow(shadow)
        }
        None => {
            host.set_inner_html("");
            let _ = host.append_child(&container);
            Root::Document
        }
    };
    let container = container.dyn_into::<web_sys::HtmlElement>().ok()?;
    let lang = RwSignal::new(
        options
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default(),
    );
    let _ = container.set_attribute("lang", lang.get_untracked().tag());
    let units = options
        .units
        .as_deref()
        .map_or_else(|| absolute("/refdata/admin-units.json"), absolute);
    let (src, submit) = match &options.source {
        Source::Url(src) => {
            let src = absolute(src);
            let submit = options
                .submit
                .as_deref()
                .map(absolute)
                .or_else(|| check_url_for(&src));
            (Some(src), submit)
        }
        Source::Definition(_) => (None, options.submit.as_deref().map(absolute)),
    };
    let services = options.services.clone();
    let state = RwSignal::new(None::<Result<Loaded, Text>>);
    // What the store could keep of a dossier just acknowledged, asked about under the form.
    let keep = RwSignal::new(None::<(String, Offer)>);
    let ctx_cell: Rc<Cell<Option<FormCtx>>> = Rc::new(Cell::new(None));
    let pending: Arc<Mutex<Option<Value>>> = Arc::new(Mutex::new(None));
    let (on_change_host, on_submitted_host) = (host.clone(), host.clone());
    let (on_signed_host, on_filed_host, on_out_host) = (host.clone(), host.clone(), host.clone());
    let on_signed = UnsyncCallback::new(move |detail: Value| {
        emit(&on_signed_host, "eform:signed", &detail);
    });
    let on_signed_out = UnsyncCallback::new(move |()| {
        emit(
            &on_out_host,
            "eform:error",
            &json!({"code": "sign-in-required", "message": Ui::SignInToSubmit.text()}),
        );
    });
    let on_change = UnsyncCallback::new(move |data: Value| {
        emit(&on_change_host, "eform:change", &json!({ "data": data }));
    });
    let on_submitted = UnsyncCallback::new(move |data: Value| {
        emit(
            &on_submitted_host,
            "eform:submitted",
            &json!({ "data": data }),
        );
    });
    // `eform:ready` once the form is drawn and its API works.
    let on_ready = {
        let (cell, host) = (ctx_cell.clone(), host.clone());
        UnsyncCallback::new(move |ctx: FormCtx| {
            cell.set(Some(ctx));
            let host = host.clone();
            let detail = ctx.form.with_value(
                |f| json!({"formId": f.definition().id, "version": f.definition().version}),
            );
            wasm_bindgen_futures::spawn_local(async move {
                emit(&host, "eform:ready", &detail);
            });
        })
    };
    // A definition given as text is drawn at once, unless it needs the administrative units.
    let mut source = Some(options.source);
    let mut given = None;
    if let Some(Source::Definition(text)) = &source {
        given = Some(load_definition(text));
        source = None;
    }
    let no_store = services.datastore("").is_none();
    if let Some(Ok(form)) =
        given.take_if(|g| no_store && g.as_ref().is_ok_and(|f| !needs_admin_units(f)))
    {
        state.set(Some(Ok(Loaded::alone(Arc::new(form)))));
    }
    let start = pending.clone();
    let drawn_services = services.clone();
    let handle = leptos::mount::mount_to(container, move || {
        let root = root.clone();
        let submit = submit.clone();
        let start = start.clone();
        let services = drawn_services.clone();
        let keep_services = services.clone();
        view! {
            <div class="ef-embed__bar"><LangSwitch lang=lang /></div>
            {move || match state.get() {
                None => view! { <p class="ef-hint" aria-live="polite">{move || Ui::Loading.get(lang.get())}</p> }.into_any(),
                Some(Err(message)) => {
                    // Nothing to take over: the message shows under the drawn form, which stays
                    // with what the citizen typed (it cannot be sent).
                    let drawn_at = root.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        crate::takeover::release(&drawn_at);
                    });
                    view! { <p class="ef-panel ef-panel--warn" role="alert">{move || message.get(lang.get()).to_owned()}</p> }.into_any()
                },
                Some(Ok(Loaded { form, store, subject, portal_draft })) => {
                    // Data the host set before the form was drawn; none: a draft, or empty.
                    let initial = start.lock().ok().and_then(|mut p| p.take());
                    let intake = services.dossiers().map(|url| {
                        let (host, form, store) = (on_filed_host.clone(), form.clone(), store.clone());
                        Intake {
                            url,
                            amendment: false,
                            // The host's service says whether someone is signed in (401).
                            signed_in: true,
                            sign_in_url: None,
                            on_signed_out: Some(on_signed_out),
                            on_done: UnsyncCallback::new(move |(code, data): (String, Value)| {
                                emit(&host, "eform:submitted", &json!({ "data": data, "code": code }));
                                if let Some(Ok(attributes)) = &store
                                    && let Some(offer) = crate::datastore::offer_for(&form, &data, attributes)
                                {
                                    keep.set(Some((code, offer)));
                                }
                            }),
                        }
                    });
                    // The form eform.js drew, with what the citizen typed in it meanwhile: read
                    // now, removed once this one is on screen.
                    let typed = matches!(root, Root::Shadow(_))
                        .then(|| crate::takeover::read(&root, &form))
                        .flatten()
                        .unwrap_or_default();
                    let (drawn, drawn_at) = (typed.clone(), root.clone());
                    // Before `eform:ready` (queued after this): a host acting on it finds one form.
                    if matches!(root, Root::Shadow(_)) {
                        wasm_bindgen_futures::spawn_local(async move {
                            crate::takeover::finish(&drawn_at, &drawn);
                        });
                    }
                    view! { <FormView form=form lang=lang initial=initial check_url=submit.clone() root=root.clone() on_change=on_change on_submitted=on_submitted on_ready=on_ready services=services.clone() intake=intake store=store draft_subject=subject portal_draft=portal_draft on_signed=on_signed on_screen=typed /> }.into_any()
                }
            }}
            {move || keep.get().and_then(|(code, offer)| {
                let form = state.with_untracked(|s| s.as_ref().and_then(|l| l.as_ref().ok()).map(|l| l.form.clone()))?;
                Some(view! { <KeepDialog code=code form=form offer=offer lang=lang services=keep_services.clone() /> })
            })}
        }
    });
    // After mounting, which sets up the async executor.
    let host_events = host;
    let alive = Rc::new(Cell::new(true));
    let still = alive.clone();
    let finish = move |result: Result<Loaded, (&'static str, Text)>| {
        if let Err((code, message)) = &result {
            // Later, as `eform:ready` is: a listener added right after the call hears it.
            let (host, detail) = (
                host_events.clone(),
                json!({"code": code, "message": message}),
            );
            wasm_bindgen_futures::spawn_local(async move {
                emit(&host, "eform:error", &detail);
            });
        }
        state.set(Some(result.map_err(|(_, m)| m)));
    };
    match (given, source, src) {
        (Some(Ok(form)), _, _) => leptos::task::spawn_local(async move {
            let result = match with_admin_units(form, &units).await {
                Some(form) => Ok(with_store(Arc::new(form), &services).await),
                None => Err(load_failed()),
            };
            if still.get() {
                finish(result);
            }
        }),
        (Some(Err(e)), _, _) => finish(Err(e)),
        (None, Some(Source::Url(_)), Some(src)) => leptos::task::spawn_local(async move {
            let result = match load_form(&src).await {
                Ok(form) => Ok(with_store(form, &services).await),
                Err(e) => Err(e),
            };
            // The element was emptied or pointed elsewhere meanwhile: nothing to report.
            if still.get() {
                finish(result);
            }
        }),
        _ => {}
    }
    Some(Mounted {
        view: Some(Box::new(handle)),
        alive,
        lang,
        ctx: ctx_cell,
        pending,
    })
}

fn needs_admin_units(form: &form_core::Form) -> bool {
    form.uses_admin_units()
}
