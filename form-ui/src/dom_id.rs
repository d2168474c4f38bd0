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

/// `/applicant/fullName` → `f__applicant__fullName`; `/members/0/idNumber` →
/// `f__members__0__idNumber`. Characters other than ASCII letters, digits and `-` are written as
/// `_xx` (hex), so distinct pointers never share an id.
pub fn for_pointer(pointer: &str) -> String {
    let mut id = String::from("f");
    for token in pointer.split('/').skip(1) {
        id.push_str("__");
        for b in token.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' {
                id.push(b as char);
            } else {
                id.push_str(&format!("_{b:02x}"));
            }
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::for_pointer;

    #[test]
    fn distinct_pointers_get_distinct_ids() {
        assert_eq!(for_pointer("/applicant/fullName"), "f__applicant__fullName");
        assert_eq!(
            for_pointer("/members/0/id_number"),
            "f__members__0__id_5fnumber"
        );
        assert_ne!(for_pointer("/a-b"), for_pointer("/a/b"));
        assert_ne!(for_pointer("/a__b"), for_pointer("/a/b"));
    }
}
