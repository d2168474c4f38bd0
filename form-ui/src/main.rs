//! Entry point of the citizen app (built by trunk from the root `index.html` and
//! `account/index.html`). Embedded forms (`/eform/eform.js`) run on the light runtime,
//! form-bind, instead.

fn main() {
    console_error_panic_hook::set_once();
    // Only on the app's own page (its boot script).
    let citizen_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("script[data-eform-boot]").ok().flatten())
        .is_some();
    if citizen_page {
        // The page the portal drew for the time before this code (and for a browser without
        // JavaScript) gives way to the app's own.
        if let Some(drawn) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[data-ef-drawn-page]").ok().flatten())
        {
            drawn.remove();
        }
        leptos::mount::mount_to_body(form_ui::app::App);
    }
}
