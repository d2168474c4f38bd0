//! Entry point of the citizen app (built by trunk from the root `index.html`), and of the
//! embeddable runtime: `/eform/eform.js` loads this same module and calls [`mount_form`].

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    console_error_panic_hook::set_once();
    // The citizen page starts the app; a page that embeds `<e-form>` only mounts forms.
    let citizen_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-eform-boot]").ok().flatten())
        .is_some();
    if citizen_page {
        leptos::mount::mount_to_body(form_ui::app::App);
    }
}

/// A form drawn in an `<e-form>`, held by `/eform/eform.js` until the element is emptied.
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

    /// The element left the page or points at another form.
    pub fn unmount(&mut self) {
        if let Some(m) = self.0.take() {
            m.unmount();
        }
    }
}

/// Draws the form at `src` inside `host` (an `<e-form>` element): called by `/eform/eform.js`.
#[wasm_bindgen]
pub fn mount_form(
    host: web_sys::HtmlElement,
    src: String,
    lang: Option<String>,
    submit: Option<String>,
    css: String,
) -> MountedForm {
    MountedForm(form_ui::embed::mount(
        host,
        form_ui::embed::Options {
            src,
            lang,
            submit,
            css,
        },
    ))
}
