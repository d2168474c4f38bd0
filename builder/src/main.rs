//! The form builder for officials (Leptos CSR, built by trunk from `builder/index.html`).
//!
//! For now it shows its title and the language switch it shares with the citizen app; the
//! canvas, property panel and live preview come with the builder issue.

use form_core::Lang;
use form_ui::chrome::Header;
use leptos::prelude::*;

#[component]
fn Builder() -> impl IntoView {
    let lang = RwSignal::new(Lang::default());
    let title = move || {
        if lang.get() == Lang::Vi {
            "Trình thiết kế biểu mẫu"
        } else {
            "Form builder"
        }
    };
    let note = move || {
        if lang.get() == Lang::Vi {
            "Công cụ cho cán bộ thiết kế và xuất bản biểu mẫu điện tử đang được xây dựng."
        } else {
            "The tool for officials to design and publish e-forms is being built."
        }
    };
    view! {
        <Header lang=lang />
        <main class="ef-main" lang=move || lang.get().tag()>
            <h1 class="ef-title">{title}</h1>
            <p>{note}</p>
        </main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Builder);
}
