//! Entry point of the citizen app (built by trunk from the root `index.html`), and of the
//! embeddable runtime: `/eform/eform.js` loads this same module and calls [`mount_form`].

fn main() {
    console_error_panic_hook::set_once();
    // The citizen page starts the app; a page that embeds `<e-form>` only mounts forms.
    let citizen_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-eform-boot]").ok().flatten())
        .is_some();
    // A page the portal drew to stay as it is (a receipt filed without the app) is left alone.
    #[cfg(feature = "app")]
    if citizen_page && !form_ui::takeover::final_page() {
        leptos::mount::mount_to_body(form_ui::app::App);
    }
    #[cfg(not(feature = "app"))]
    let _ = citizen_page;
}

#[cfg(feature = "services")]
pub use embedded::*;

/// What `/eform/eform.js` calls (the embeddable runtime, and the citizen app's build alike).
#[cfg(feature = "services")]
mod embedded {
    use form_ui::services::Services;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::JsValue;
    use wasm_bindgen::prelude::wasm_bindgen;

    /// A drawn form, held by `/eform/eform.js` (or a host page's script) until it is removed.
    #[wasm_bindgen]
    pub struct MountedForm(Option<form_ui::embed::Mounted>);

    #[wasm_bindgen]
    impl MountedForm {
        /// The element's `lang` attribute changed.
        pub fn set_lang(&self, lang: &str) {
            if let Some(m) = &self.0 {
                m.set_lang(lang);
            }
        }

        /// The data as entered so far (`undefined` before the form is drawn).
        pub fn data(&self) -> JsValue {
            match self.0.as_ref().and_then(|m| m.data()) {
                Some(d) => to_js(&d),
                None => JsValue::UNDEFINED,
            }
        }

        /// Replaces the data; it must be an object. Before the form is drawn, it starts from it.
        pub fn set_data(&self, data: JsValue) -> Result<(), JsValue> {
            let text = js_sys::JSON::stringify(&data)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default();
            let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            match &self.0 {
                Some(m) => m.set_data(value).map_err(|t| to_js(&serde_json::json!(t))),
                None => Ok(()),
            }
        }

        /// Shows every error, as a submit would without sending, and returns
        /// `{ valid, errors: [{ pointer, code, message: {vi, en} }] }`.
        pub fn validate(&self) -> JsValue {
            match self.0.as_ref().and_then(|m| m.validate()) {
                Some(errors) => {
                    to_js(&serde_json::json!({ "valid": errors.is_empty(), "errors": errors }))
                }
                // Nothing drawn yet: nothing can be valid.
                None => to_js(&serde_json::json!({ "valid": false, "ready": false, "errors": [] })),
            }
        }

        /// The element left the page or points at another form.
        pub fn unmount(&mut self) {
            if let Some(m) = self.0.take() {
                m.unmount();
            }
        }
    }

    pub(crate) fn to_js(value: &serde_json::Value) -> JsValue {
        js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::UNDEFINED)
    }

    /// The host's services from `{datastore, bridge, intake, drafts, token}` (URLs resolved against the
    /// page; `token` a function giving the host's token, or a promise of it).
    fn services_of(given: &JsValue) -> Services {
        let text = |name: &str| {
            js_sys::Reflect::get(given, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|v| !v.is_empty())
                .map(|v| form_ui::embed::absolute(&v))
        };
        let token = js_sys::Reflect::get(given, &JsValue::from_str("token"))
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Function>().ok());
        Services::new(
            text("datastore"),
            text("bridge"),
            text("intake"),
            text("drafts"),
            token,
        )
    }

    /// Draws the form at `src` inside `host` (an `<e-form>` element, in its shadow root with the
    /// stylesheet `css`), with the host's `services` (`{datastore, bridge, intake, drafts, token}`, each
    /// optional): called by `/eform/eform.js`.
    #[wasm_bindgen]
    pub fn mount_form(
        host: web_sys::HtmlElement,
        src: String,
        lang: Option<String>,
        submit: Option<String>,
        css: String,
        services: JsValue,
    ) -> MountedForm {
        MountedForm(form_ui::embed::mount(
            host,
            form_ui::embed::Options {
                source: form_ui::embed::Source::Url(src),
                lang,
                submit,
                css: Some(css),
                units: None,
                services: services_of(&services),
            },
        ))
    }

    /// Draws the form `definition` (JSON text) directly inside `target`, an element of the host page
    /// (which links eform's stylesheet itself). Element ids are the form's own, so a page holds one
    /// such form; `<e-form>` isolates each form in a shadow root instead. `units`: the URL of the
    /// administrative units, for forms with an address (by default the page's `/refdata/…`).
    #[wasm_bindgen]
    pub fn render_form(
        target: web_sys::HtmlElement,
        definition: String,
        lang: Option<String>,
        submit: Option<String>,
        units: Option<String>,
    ) -> MountedForm {
        MountedForm(form_ui::embed::mount(
            target,
            form_ui::embed::Options {
                source: form_ui::embed::Source::Definition(definition),
                lang,
                submit,
                css: None,
                units,
                services: Services::default(),
            },
        ))
    }
}
