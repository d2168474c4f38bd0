//! Entry point of the citizen app (built by trunk from the root `index.html` and
//! `account/index.html`). Embedded forms (`/eform/eform.js`) run on the light runtime,
//! form-bind, instead.

use wasm_bindgen::JsCast;

fn main() {
    console_error_panic_hook::set_once();
    // Only on the app's own page (its boot script).
    let citizen_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-eform-boot]").ok().flatten())
        .is_some();
    if !citizen_page {
        return;
    }
    // The page the portal drew for the time before this code (and for a browser without
    // JavaScript) stays until the app has something to show: the app is drawn hidden beside
    // it, and takes its place then (`app::reveal`).
    let document = web_sys::window().and_then(|w| w.document());
    let hidden_root = document.as_ref().and_then(|d| {
        d.query_selector(&format!("[{}]", form_html::site::DRAWN_PAGE))
            .ok()
            .flatten()?;
        let root = d.create_element("div").ok()?;
        root.set_attribute("data-ef-app", "").ok()?;
        root.set_attribute("hidden", "").ok()?;
        d.body()?.append_child(&root).ok()?;
        root.dyn_into::<web_sys::HtmlElement>().ok()
    });
    match hidden_root {
        Some(root) => leptos::mount::mount_to(root, form_ui::app::App).forget(),
        None => leptos::mount::mount_to_body(form_ui::app::App),
    }
}
