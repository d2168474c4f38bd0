//! Entry point of the citizen app (built by trunk from the root `index.html` and
//! `account/index.html`). Embedded forms (`/eform/eform.js`) run on the light runtime,
//! form-bind, instead.

fn main() {
    console_error_panic_hook::set_once();
    // The citizen page starts the app; a page the portal drew to stay as it is (a receipt filed
    // without the app) is left alone.
    let citizen_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-eform-boot]").ok().flatten())
        .is_some();
    if citizen_page && !form_ui::takeover::final_page() {
        leptos::mount::mount_to_body(form_ui::app::App);
    }
}
