//! What the form tells the host page (DOM events, the messages of a form that cannot be
//! drawn), and the day the rules see: shared by the light runtime and form-ui.

use form_core::{Lang, Text, Ymd};
use form_html::Ui;
use serde_json::Value;
use web_sys::HtmlElement;

/// Today, as the rules see it (the browser's calendar).
pub fn today() -> Ymd {
    let now = js_sys::Date::new_0();
    (
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
}

/// Sends `name` with `detail` from `host` once the current task is done (a listener may call
/// the form back).
pub fn emit_later(host: &HtmlElement, name: &'static str, detail: Value) {
    let host = host.clone();
    wasm_bindgen_futures::spawn_local(async move { emit(&host, name, &detail) });
}

/// Sends `name` with `detail` from `host` (bubbling, and out of a shadow root).
pub fn emit(host: &HtmlElement, name: &str, detail: &Value) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(
        &js_sys::JSON::parse(&detail.to_string()).unwrap_or(wasm_bindgen::JsValue::NULL),
    );
    if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&ev);
    }
}

/// The messages of a form that cannot be drawn, in both languages, with the code sent in
/// `eform:error`.
pub fn load_failed() -> (&'static str, Text) {
    (
        "load-failed",
        Text::new(Ui::LoadFailed.get(Lang::Vi), Ui::LoadFailed.get(Lang::En)),
    )
}

/// A definition with errors: the message names the first few (pointer and message), for the
/// portal team that embedded it; a definition the portal refused without saying why (`errors`
/// empty) gets the sentence alone.
pub fn definition_invalid(errors: &[form_core::Diagnostic]) -> (&'static str, Text) {
    const SHOWN: usize = 5;
    let text = |lang: Lang| {
        let lead = Ui::FormBroken.get(lang);
        if errors.is_empty() {
            return format!("{}.", lead.trim_end_matches(':'));
        }
        let mut out = lead.to_owned();
        for (i, d) in errors.iter().take(SHOWN).enumerate() {
            out.push_str(if i == 0 { " " } else { "; " });
            let at = if d.pointer.is_empty() {
                "/"
            } else {
                &d.pointer
            };
            out.push_str(&format!(
                "{at}: {}",
                d.message.get(lang).trim_end_matches('.')
            ));
        }
        let more = errors.len().saturating_sub(SHOWN);
        out.push_str(&match (more, lang) {
            (0, _) => ".".to_owned(),
            (n, Lang::Vi) => format!("; và {n} lỗi khác."),
            (n, Lang::En) => format!("; and {n} more."),
        });
        out
    };
    (
        "definition-invalid",
        Text::new(text(Lang::Vi), text(Lang::En)),
    )
}

#[cfg(test)]
mod tests {
    use super::definition_invalid;
    use form_core::{Diagnostic, Lang, Text};

    #[test]
    fn a_broken_definition_says_which_errors() {
        let d = |p: &str, en: &str| Diagnostic::error(p, "x", Text::new(format!("vi {en}"), en));
        let (code, text) = definition_invalid(&[d("", "Not valid JSON.")]);
        assert_eq!(code, "definition-invalid");
        assert_eq!(
            text.get(Lang::En),
            "This form has errors and cannot be used yet: /: Not valid JSON."
        );
        let seven: Vec<_> = (0..7)
            .map(|i| d(&format!("/pages/{i}/id"), "Missing id."))
            .collect();
        let (_, text) = definition_invalid(&seven);
        assert!(text.get(Lang::En).starts_with(
            "This form has errors and cannot be used yet: /pages/0/id: Missing id; /pages/1/id"
        ));
        assert!(
            text.get(Lang::En)
                .ends_with("/pages/4/id: Missing id; and 2 more.")
        );
        assert!(text.get(Lang::Vi).ends_with("; và 2 lỗi khác."));
        let (_, text) = definition_invalid(&[]);
        assert_eq!(
            text.get(Lang::En),
            "This form has errors and cannot be used yet."
        );
    }
}
