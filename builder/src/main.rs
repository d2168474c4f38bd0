//! The form builder for officials (Leptos CSR, built by trunk from `builder/index.html`):
//! the agency's forms (`list.rs`) and the editor (`editor/`: palette, canvas, properties,
//! live preview with the citizens' runtime, undo/redo, drafts saved as the official works,
//! publishing). Every edit goes through form-core's `edit` operations and every diagnostic
//! comes from form-core's full check — the builder only draws.

mod api;
mod editor;
mod list;

use form_core::Lang;
use form_ui::chrome::Header;
use form_ui::session::{AccountMenu, Me, fetch_me, sign_in_url};
use leptos::prelude::*;

/// What the page shows, from its address (`/builder/` or `/builder/?form=<id>`).
fn form_in_address() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("form").filter(|f| !f.is_empty())
}

pub fn t(
    lang: RwSignal<Lang>,
    vi: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy {
    move || if lang.get() == Lang::Vi { vi } else { en }
}

#[derive(Clone, PartialEq)]
enum Who {
    Loading,
    Nobody,
    Citizen,
    Official(Me),
}

#[component]
fn Builder() -> impl IntoView {
    let lang = RwSignal::new(Lang::default());
    let me = RwSignal::new(None::<Me>);
    let who = RwSignal::new(Who::Loading);
    leptos::task::spawn_local(async move {
        let m = fetch_me().await;
        me.set(m.clone());
        who.set(match m {
            Some(m) if m.is_official() => Who::Official(m),
            Some(_) => Who::Citizen,
            None => Who::Nobody,
        });
    });
    let form = form_in_address();
    view! {
        <a class="ef-skip" href="#main">{t(lang, "Bỏ qua đến nội dung chính", "Skip to main content")}</a>
        <Header lang=lang>
            <AccountMenu lang=lang me=me />
        </Header>
        <main id="main" class="ef-main bd-main" lang=move || lang.get().tag() tabindex="-1">
            {move || match who.get() {
                Who::Loading => view! { <p role="status">{t(lang, "Đang tải…", "Loading…")}</p> }.into_any(),
                Who::Nobody => {
                    let next = form.as_ref().map_or("/builder/".to_owned(), |f| format!("/builder/?form={f}"));
                    view! {
                        <h1 class="ef-title">{t(lang, "Trình thiết kế biểu mẫu", "Form builder")}</h1>
                        <p>{t(lang, "Cán bộ của cơ quan đăng nhập để thiết kế và ban hành biểu mẫu.", "Officials of an agency sign in to design and publish forms.")}</p>
                        <p><a class="ef-button" href=move || sign_in_url(&next, lang.get())>{t(lang, "Đăng nhập", "Sign in")}</a></p>
                    }.into_any()
                }
                Who::Citizen => view! {
                    <h1 class="ef-title">{t(lang, "Trình thiết kế biểu mẫu", "Form builder")}</h1>
                    <p role="alert" class="ef-error">{t(lang, "Chỉ cán bộ của cơ quan mới dùng được trình thiết kế.", "Only officials of an agency can use the builder.")}</p>
                }.into_any(),
                Who::Official(m) => match form.clone() {
                    Some(id) => view! { <editor::Editor id=id lang=lang /> }.into_any(),
                    None => view! { <list::FormList lang=lang me=m /> }.into_any(),
                },
            }}
        </main>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Builder);
}
