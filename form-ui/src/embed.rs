//! The embeddable runtime: `<e-form src="…">` on any portal page, defined by `/eform/eform.js`
//! (which the portal serves; it loads this module and calls [`mount`] for each element).
//!
//! Each form lives in the element's own shadow root, with eform's stylesheet linked inside it:
//! the host page's CSS cannot reach the form's elements and the form's CSS cannot leak out, and
//! element ids of two forms on one page never meet. Nothing is inline (no `<script>`, no `style`
//! attribute), so the form works under the host's `script-src 'self' 'wasm-unsafe-eval';
//! style-src 'self'`. The host learns what happens through DOM events on the element:
//! `eform:ready`, `eform:change` (`detail.data`), `eform:submitted` (`detail.data`) and
//! `eform:error` (`detail.code`, `detail.message` in vi and en).

use crate::app::{LangSwitch, with_admin_units};
use crate::dom_id::Root;
use crate::fetch;
use crate::form_view::FormView;
use crate::i18n::Ui;
use form_core::{Lang, Text, load};
use leptos::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// What the element's attributes ask for.
pub struct Options {
    /// URL of the form definition (`/forms/ct01`).
    pub src: String,
    /// `vi` or `en`; Vietnamese when absent.
    pub lang: Option<String>,
    /// Where to `POST` the data on submit; by default the portal's check API beside `src`.
    pub submit: Option<String>,
    /// URL of eform's stylesheet, linked inside the shadow root.
    pub css: String,
}

/// A form drawn in an `<e-form>`: dropping it (or [`Mounted::unmount`]) removes the form and
/// silences anything still loading for it.
pub struct Mounted {
    view: Option<Box<dyn std::any::Any>>,
    alive: std::rc::Rc<std::cell::Cell<bool>>,
    lang: RwSignal<Lang>,
}

impl Mounted {
    /// Switches the form's language (the `lang` attribute changed); the data stays.
    pub fn set_lang(&self, lang: &str) {
        if let Some(l) = Lang::parse(lang) {
            self.lang.set(l);
        }
    }

    /// Removes the form from the element.
    pub fn unmount(mut self) {
        self.alive.set(false);
        self.view.take();
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.alive.set(false);
    }
}

/// Draws the form `options.src` inside `host` (an `<e-form>` element).
pub fn mount(host: web_sys::HtmlElement, options: Options) -> Option<Mounted> {
    let shadow = shadow_root(&host)?;
    let doc = web_sys::window().and_then(|w| w.document())?;
    // A fresh tree each time the element is (re)connected.
    shadow.set_inner_html("");
    if let Ok(link) = doc.create_element("link") {
        let _ = link.set_attribute("rel", "stylesheet");
        let _ = link.set_attribute("href", &options.css);
        let _ = shadow.append_child(&link);
    }
    let container = doc.create_element("div").ok()?;
    let _ = container.set_attribute("class", "ef-embed");
    let _ = shadow.append_child(&container);
    let container = container.dyn_into::<web_sys::HtmlElement>().ok()?;
    let lang = RwSignal::new(
        options
            .lang
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default(),
    );
    let _ = container.set_attribute("lang", lang.get_untracked().tag());
    let src = absolute(&options.src);
    let submit = options
        .submit
        .map(|s| absolute(&s))
        .or_else(|| check_url_for(&src));
    let root = Root::Shadow(shadow);
    let state = RwSignal::new(None::<Result<Arc<form_core::Form>, Text>>);
    let (on_change_host, on_submitted_host) = (host.clone(), host.clone());
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
    let handle = leptos::mount::mount_to(container, move || {
        let root = root.clone();
        let submit = submit.clone();
        view! {
            <div class="ef-embed__bar"><LangSwitch lang=lang /></div>
            {move || match state.get() {
                None => view! { <p class="ef-hint" aria-live="polite">{move || Ui::Loading.get(lang.get())}</p> }.into_any(),
                Some(Err(message)) => view! { <p class="ef-panel ef-panel--warn" role="alert">{move || message.get(lang.get()).to_owned()}</p> }.into_any(),
                Some(Ok(form)) => match submit.clone() {
                    Some(url) => view! { <FormView form=form lang=lang check_url=url root=root.clone() on_change=on_change on_submitted=on_submitted /> }.into_any(),
                    None => view! { <FormView form=form lang=lang root=root.clone() on_change=on_change on_submitted=on_submitted /> }.into_any(),
                },
            }}
        }
    });
    // After mounting, which sets up the async executor.
    let host_events = host;
    let alive = std::rc::Rc::new(std::cell::Cell::new(true));
    let still = alive.clone();
    leptos::task::spawn_local(async move {
        let result = load_form(&src).await;
        // The element was emptied or pointed elsewhere meanwhile: nothing to report.
        if !still.get() {
            return;
        }
        match &result {
            Ok(form) => emit(
                &host_events,
                "eform:ready",
                &json!({"formId": form.definition().id, "version": form.definition().version}),
            ),
            Err((code, message)) => emit(
                &host_events,
                "eform:error",
                &json!({"code": code, "message": message}),
            ),
        }
        state.set(Some(result.map_err(|(_, m)| m)));
    });
    Some(Mounted {
        view: Some(Box::new(handle)),
        alive,
        lang,
    })
}

/// The element's shadow root, attached (open, so assistive technology and tests can see in) on
/// first use.
fn shadow_root(host: &web_sys::HtmlElement) -> Option<web_sys::ShadowRoot> {
    host.shadow_root().or_else(|| {
        host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
            .ok()
    })
}

/// Fetches and loads the definition at `src`, with the administrative units when it has an
/// address; the error code and message otherwise.
async fn load_form(src: &str) -> Result<Arc<form_core::Form>, (&'static str, Text)> {
    let failed = || {
        (
            "load-failed",
            Text::new(Ui::LoadFailed.get(Lang::Vi), Ui::LoadFailed.get(Lang::En)),
        )
    };
    let answer = fetch::request(src, None).await.map_err(|_| failed())?;
    match answer.status {
        200 => {}
        404 => {
            return Err((
                "form-not-found",
                Text::new(Ui::NotFound.get(Lang::Vi), Ui::NotFound.get(Lang::En)),
            ));
        }
        422 => {
            return Err((
                "definition-invalid",
                Text::new(Ui::FormBroken.get(Lang::Vi), Ui::FormBroken.get(Lang::En)),
            ));
        }
        _ => return Err(failed()),
    }
    let loaded = load(&answer.body);
    let Some(form) = loaded.form else {
        return Err((
            "definition-invalid",
            Text::new(Ui::FormBroken.get(Lang::Vi), Ui::FormBroken.get(Lang::En)),
        ));
    };
    let units = origin_of(src).map(|o| format!("{o}/refdata/admin-units.json"));
    with_admin_units(
        form,
        units.as_deref().unwrap_or("/refdata/admin-units.json"),
    )
    .await
    .map(Arc::new)
    .ok_or_else(failed)
}

/// `url` resolved against the page's address.
fn absolute(url: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_owned())
}

fn origin_of(url: &str) -> Option<String> {
    web_sys::Url::new(url).ok().map(|u| u.origin())
}

/// The portal's check API for a definition served at `…/forms/{id}` (also behind a path prefix
/// of a reverse proxy: `/dvc/forms/ct01` → `/dvc/api/v1/forms/ct01/check`).
fn check_url_for(src: &str) -> Option<String> {
    let url = web_sys::Url::new(src).ok()?;
    let path = url.pathname();
    let (prefix, id) = path.rsplit_once("/forms/")?;
    let id = id.trim_end_matches(".json");
    (!id.is_empty() && !id.contains('/'))
        .then(|| format!("{}{prefix}/api/v1/forms/{id}/check", url.origin()))
}

/// Dispatches a `CustomEvent` named `name` with `detail` on the host element (bubbling, and
/// out of the shadow tree).
fn emit(host: &web_sys::HtmlElement, name: &str, detail: &Value) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    let detail = js_sys::JSON::parse(&detail.to_string()).unwrap_or(JsValue::NULL);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}
