//! The citizen app: a language switch, then the list of forms (`/`), or (the `dossiers` build)
//! an account page. A form's own page (`/f/{id}`) is the portal's, run by form-bind.

use crate::chrome::Header;
#[cfg(feature = "dossiers")]
use crate::dossier::{DossierList, DossierPage};
use crate::fetch::{self, FormSummary};
use crate::i18n::Ui;
use crate::resume::ResumeDrafts;
use crate::session::{AccountMenu, Me, fetch_me};
#[cfg(feature = "dossiers")]
use crate::session::{here, sign_in_url};
use form_core::Lang;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What the page shows after loading.
#[derive(Clone)]
enum Screen {
    Loading,
    List(Vec<FormSummary>),
    #[cfg(feature = "dossiers")]
    /// A dossier page (`/d/{code}`).
    Dossier(String, Me),
    #[cfg(feature = "dossiers")]
    /// The citizen's dossiers or the official's inbox.
    Dossiers(Me),
    #[cfg(feature = "dossiers")]
    /// What a co-signer is asked to sign (`/co-sign/{code}`).
    CoSign(String),
    #[cfg(feature = "dossiers")]
    /// The citizen's data log (`/data`).
    DataLog,
    #[cfg(feature = "dossiers")]
    /// A page that needs a session.
    SignInFirst,
    Failed,
}

/// The language from `?lang=`, else the portal's cookie (the page it drew is in it), else this
/// browser's saved choice, else Vietnamese.
fn initial_lang() -> Lang {
    let window = web_sys::window();
    let from_query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("lang=").and_then(Lang::parse))
        });
    // The portal's choice, which it drew the page in (the form pages' runtime keeps it there
    // too), else this app's own.
    let cookie = || {
        let cookies = window
            .as_ref()?
            .document()?
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()?
            .cookie()
            .ok()?;
        cookies.split(';').find_map(|c| {
            c.trim()
                .strip_prefix(form_html::LANG_COOKIE)?
                .strip_prefix('=')
                .and_then(Lang::parse)
        })
    };
    let saved = || {
        window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item("eform.lang").ok().flatten())
            .and_then(|v| Lang::parse(&v))
    };
    from_query
        .or_else(cookie)
        .or_else(saved)
        .unwrap_or_default()
}

fn save_lang(lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item("eform.lang", lang.tag());
    }
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(d) = &document {
        d.set_title(&form_html::site::app_title(lang));
    }
    if let Some(html) = document.as_ref().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", lang.tag());
    }
    // The portal draws the next form page in it too (a preference, not a session: no secret).
    if let Some(d) = document.and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok()) {
        let _ = d.set_cookie(&form_html::lang_cookie(lang));
    }
}

/// The app, drawn hidden beside the page the portal drew (`main.rs`), takes that page's place:
/// the focus, if it was on one of that page's links, goes to the app's link to the same place.
fn reveal() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(Some(root)) = document.query_selector("[data-ef-app][hidden]") else {
        return;
    };
    let drawn = document
        .query_selector(&format!("[{}]", form_html::site::DRAWN_PAGE))
        .ok()
        .flatten();
    let focused = document.active_element().filter(|e| {
        drawn
            .as_ref()
            .is_some_and(|d| d.contains(Some(e.unchecked_ref())))
    });
    let href = focused.and_then(|e| e.get_attribute("href"));
    if let Some(d) = drawn {
        d.remove();
    }
    let _ = root.remove_attribute("hidden");
    if let Some(href) = href
        && let Ok(Some(link)) = root.query_selector(&format!("a[href=\"{}\"]", css_quoted(&href)))
        && let Some(link) = link.dyn_ref::<web_sys::HtmlElement>()
    {
        let _ = link.focus();
    }
}

/// `s` for a CSS string in double quotes.
fn css_quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The screen of a dossier page's path (`/d/{code}`, `/co-sign/{code}`, `/data`, `/dossiers`,
/// `/inbox`), each for a signed-in user only; none: not such a path.
#[cfg(feature = "dossiers")]
fn dossier_screen(path: &str, user: Option<Me>) -> Option<Screen> {
    let signed_in = |s: Screen| {
        Some(if user.is_some() {
            s
        } else {
            Screen::SignInFirst
        })
    };
    if let Some(code) = path.strip_prefix("/d/") {
        let code = code.trim_end_matches('/').to_owned();
        return Some(
            user.clone()
                .map_or(Screen::SignInFirst, |u| Screen::Dossier(code, u)),
        );
    }
    if let Some(code) = path.strip_prefix("/co-sign/") {
        return signed_in(Screen::CoSign(code.trim_end_matches('/').to_owned()));
    }
    if path == "/data" {
        return signed_in(Screen::DataLog);
    }
    if path == "/dossiers" || path == "/inbox" {
        return Some(user.clone().map_or(Screen::SignInFirst, Screen::Dossiers));
    }
    None
}

/// The whole citizen page.
#[component]
pub fn App() -> impl IntoView {
    let lang = RwSignal::new(initial_lang());
    Effect::new(move |_| save_lang(lang.get()));
    let screen = RwSignal::new(Screen::Loading);
    let me = RwSignal::new(None::<Me>);

    // The pages of dossiers, co-signing and the data log (their own build, `dossiers`) need to
    // know who is signed in first; the list of forms is asked for at the same time.
    #[cfg(feature = "dossiers")]
    let dossier_page = {
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        dossier_screen(&path, None).map(|_| path)
    };
    #[cfg(not(feature = "dossiers"))]
    let dossier_page: Option<String> = None;
    let list = dossier_page.is_none();
    leptos::task::spawn_local(async move {
        me.set(fetch_me().await);
        #[cfg(feature = "dossiers")]
        if let Some(screen_now) = dossier_page.and_then(|p| dossier_screen(&p, me.get_untracked()))
        {
            screen.set(screen_now);
        }
    });
    if list {
        leptos::task::spawn_local(async move {
            let next = match fetch::request("/forms", None).await {
                Ok(a) if a.status == 200 => {
                    serde_json::from_str(&a.body).map_or(Screen::Failed, Screen::List)
                }
                _ => Screen::Failed,
            };
            screen.set(next);
        });
    }
    // The page the portal drew stays on screen until the app has one of its own.
    Effect::new(move |_| {
        if !matches!(screen.get(), Screen::Loading) {
            reveal();
        }
    });

    view! {
        <a class="ef-skip" href="#main">{move || Ui::SkipToMain.get(lang.get())}</a>
        <Header lang=lang><AccountMenu lang=lang me=me /></Header>
        <main id="main" class="ef-main" tabindex="-1">
            {move || match screen.get() {
                Screen::Loading => view! { <p class="ef-hint" aria-live="polite">{Ui::Loading.get(lang.get())}</p> }.into_any(),
                #[cfg(feature = "dossiers")]
                Screen::Dossier(code, u) => view! { <DossierPage code=code lang=lang me=u /> }.into_any(),
                #[cfg(feature = "dossiers")]
                Screen::Dossiers(u) => view! { <DossierList lang=lang me=u /> }.into_any(),
                #[cfg(feature = "dossiers")]
                Screen::CoSign(code) => view! { <crate::cosign::CoSignPage code=code lang=lang /> }.into_any(),
                #[cfg(feature = "dossiers")]
                Screen::DataLog => view! { <crate::datastore::DataLog lang=lang /> }.into_any(),
                #[cfg(feature = "dossiers")]
                Screen::SignInFirst => view! {
                    <div class="ef-panel" role="status">
                        <p>{crate::session::tr(lang, "Vui lòng đăng nhập để xem hồ sơ.", "Please sign in to see dossiers.")}</p>
                        <p><a class="ef-button" href=move || sign_in_url(&here(), lang.get())>{crate::session::tr(lang, "Đăng nhập", "Sign in")}</a></p>
                    </div>
                }.into_any(),
                Screen::List(forms) => view! {
                    <h1 class="ef-title">{move || Ui::FormsTitle.get(lang.get())}</h1>
                    {move || me.get().filter(|u| u.portal_drafts).map(|_| view! { <ResumeDrafts lang=lang /> })}
                    <p>{move || Ui::FormsIntro.get(lang.get())}</p>
                    <ul class="ef-list">
                        {forms.into_iter().map(|f| {
                            let title = f.title.clone();
                            view! { <li><a href=format!("/f/{}", f.id)>{move || title.get(lang.get()).to_owned()}</a>" (v"{f.version}")"</li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Screen::Failed => view! { <p class="ef-panel ef-panel--warn" role="alert">{move || Ui::LoadFailed.get(lang.get())}</p> }.into_any(),
            }}
        </main>
    }
}
