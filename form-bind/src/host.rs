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

pub fn definition_invalid() -> (&'static str, Text) {
    (
        "definition-invalid",
        Text::new(Ui::FormBroken.get(Lang::Vi), Ui::FormBroken.get(Lang::En)),
    )
}
