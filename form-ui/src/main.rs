//! Entry point of the citizen app (built by trunk from the root `index.html`).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(form_ui::app::App);
}
