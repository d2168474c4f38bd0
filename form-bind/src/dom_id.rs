//! Element ids for data pointers: unique, stable and valid in CSS selectors and URLs; and where
//! to look them up (the document, or the shadow root of an embedded `<e-form>`).

use wasm_bindgen::JsCast;

/// Where a form's elements live. An embedded form lives in its own shadow root, so that the host
/// page's styles and ids never meet the form's.
#[derive(Clone, Debug, Default)]
pub enum Root {
    #[default]
    Document,
    Shadow(web_sys::ShadowRoot),
}

impl Root {
    /// The element with `id` in this root.
    pub fn element(&self, id: &str) -> Option<web_sys::HtmlElement> {
        let el = match self {
            Root::Document => web_sys::window()?.document()?.get_element_by_id(id),
            Root::Shadow(s) => s.get_element_by_id(id),
        };
        el.and_then(|e| e.dyn_into().ok())
    }

    /// The id of the element that has the focus in this root, if it has one.
    pub fn focused_id(&self) -> Option<String> {
        let el = match self {
            Root::Document => web_sys::window()?.document()?.active_element(),
            Root::Shadow(s) => s.active_element(),
        }?;
        Some(el.id()).filter(|id| !id.is_empty())
    }

    /// Moves focus to the element with `id` (scrolled into view); whether there was one.
    pub fn focus(&self, id: &str) -> bool {
        match self.element(id) {
            Some(el) => {
                el.scroll_into_view();
                el.focus().is_ok()
            }
            None => false,
        }
    }
}

/// The element id of a data pointer: `/applicant/fullName` → `f__applicant__fullName` (one rule
/// for the runtime and the HTML the portal serves, [`form_html::input::id_for`]).
pub fn for_pointer(pointer: &str) -> String {
    form_html::input::id_for(pointer)
}
