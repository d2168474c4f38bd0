//! The citizen app: a language switch, then the form named by the URL (`/f/{id}`), or the list
//! of forms (`/`).

use crate::chrome::Header;
#[cfg(feature = "dossiers")]
use crate::dossier::{DossierList, DossierPage};
use crate::fetch::{self, FormSummary, with_admin_units};
use crate::form_view::{FormView, Intake};
use crate::i18n::Ui;
use crate::resume::ResumeDrafts;
use crate::services::Services;
use crate::session::{AccountMenu, Me, fetch_me, here, sign_in_url};
use form_core::{Diagnostic, Lang, load};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// What the page shows after loading.
#[derive(Clone)]
enum Screen {
    Loading,
    /// A form, its check URL, the data store's answer for its bound keys (signed-in
    /// citizens; `Err`: the store could not be reached), and the citizen's draft on the portal.
    Form(
        Arc<form_core::Form>,
        String,
        Option<StoreAnswer>,
        Option<crate::drafts::PortalDraft>,
    ),
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
    /// The form exists but its definition has errors.
    Broken(Vec<Diagnostic>),
    NotFound,
    Failed,
}

/// The language from `?lang=`, else the one chosen on the form the portal drew (a page it sent
/// back), else the browser's saved choice, else Vietnamese.
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
    let saved = || {
        window
            .as_ref()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item("eform.lang").ok().flatten())
            .and_then(|v| Lang::parse(&v))
    };
    from_query
        .or_else(crate::takeover::drawn_lang)
        .or_else(saved)
        .unwrap_or_default()
}

fn save_lang(lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item("eform.lang", lang.tag());
    }
    let document = web_sys::window().and_then(|w| w.document());
    if let Some(html) = document.as_ref().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", lang.tag());
    }
    // The portal draws the next form page in it too (a preference, not a session: no secret).
    if let Some(d) = document.and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok()) {
        let _ = d.set_cookie(&format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            form_html::LANG_COOKIE,
            lang.tag()
        ));
    }
}

/// The data store's values for the keys a form binds.
type StoreAnswer = crate::datastore::StoreAnswer;

/// Asks the citizen's data store for exactly the keys the form binds (none: nothing asked).
async fn store_answer(form: &form_core::Form) -> Option<StoreAnswer> {
    match crate::datastore::ask(&Services::portal(), form).await {
        crate::datastore::Asked::Nothing => None,
        // A session that ended meanwhile: the store cannot be reached for this page.
        crate::datastore::Asked::SignedOut => Some(Err(())),
        crate::datastore::Asked::Answer(a, _) => Some(a),
    }
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
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let form_id = path
        .strip_prefix("/f/")
        .map(|id| id.trim_end_matches('/').to_owned());
    let me = RwSignal::new(None::<Me>);

    leptos::task::spawn_local(async move {
        me.set(fetch_me().await);
        let user = me.get_untracked();
        // The pages of dossiers, co-signing and the data log (their own build, `dossiers`).
        #[cfg(feature = "dossiers")]
        if let Some(screen_now) = dossier_screen(&path, user.clone()) {
            screen.set(screen_now);
            return;
        }
        let next = match &form_id {
            Some(id) => match fetch::request(&format!("/forms/{id}"), None).await {
                Ok(a) if a.status == 200 => {
                    let loaded = load(&a.body);
                    match loaded.form {
                        Some(form) => {
                            match with_admin_units(form, "/refdata/admin-units.json").await {
                                Some(form) => {
                                    let citizen = user.as_ref().is_some_and(|u| !u.is_official());
                                    let store = if citizen {
                                        store_answer(&form).await
                                    } else {
                                        None
                                    };
                                    let draft = match &user {
                                        Some(u) if citizen && u.portal_drafts => {
                                            let d = form.definition();
                                            crate::drafts::portal_draft(
                                                &Services::portal(),
                                                &d.id,
                                                d.version,
                                            )
                                            .await
                                        }
                                        _ => None,
                                    };
                                    Screen::Form(
                                        Arc::new(form),
                                        format!("/api/v1/forms/{id}/check"),
                                        store,
                                        draft,
                                    )
                                }
                                None => Screen::Failed,
                            }
                        }
                        None => Screen::Broken(loaded.diagnostics),
                    }
                }
                Ok(a) if a.status == 404 => Screen::NotFound,
                Ok(a) if a.status == 422 => Screen::Broken(fetch::diagnostics_of(&a.body)),
                _ => Screen::Failed,
            },
            None => match fetch::request("/forms", None).await {
                Ok(a) if a.status == 200 => {
                    serde_json::from_str(&a.body).map_or(Screen::Failed, Screen::List)
                }
                _ => Screen::Failed,
            },
        };
        screen.set(next);
    });

    view! {
        <a class="ef-skip" href="#main">{move || Ui::SkipToForm.get(lang.get())}</a>
        <Header lang=lang><AccountMenu lang=lang me=me /></Header>
        <main id="main" class="ef-main" tabindex="-1">
            {move || match screen.get() {
                Screen::Loading => view! { <p class="ef-hint" aria-live="polite">{Ui::Loading.get(lang.get())}</p> }.into_any(),
                Screen::Form(form, check_url, store, draft) => {
                    let user = me.get_untracked();
                    let (kept_form, kept_store) = (form.clone(), store.clone());
                    let intake = Intake {
                        url: "/api/v1/dossiers".into(),
                        amendment: false,
                        signed_in: user.is_some(),
                        sign_in_url: Some(sign_in_url(&here(), lang.get_untracked())),
                        on_signed_out: None,
                        on_done: UnsyncCallback::new(move |(code, data): (String, serde_json::Value)| {
                            // What the store could keep is asked about on the receipt.
                            if let Some(Ok(attributes)) = &kept_store {
                                crate::datastore::offer(&code, &kept_form, &data, attributes);
                            }
                            if let Some(w) = web_sys::window() {
                                let _ = w.location().assign(&format!("/d/{code}?new=1"));
                            }
                        }),
                    };
                    // The form the portal drew, with whatever the citizen typed in it while the
                    // app was on its way: read now, removed once the app's form is on screen.
                    let page = crate::dom_id::Root::Document;
                    let typed = crate::takeover::read(&page, &form).unwrap_or_default();
                    let drawn = typed.clone();
                    request_animation_frame(move || crate::takeover::finish(&page, &drawn));
                    let subject = user.map(|u| u.id);
                    view! { <FormView form=form lang=lang services=Services::portal() check_url=Some(check_url) intake=Some(intake) draft_subject=subject store=store portal_draft=draft on_screen=typed /> }.into_any()
                }
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
                    {me.get_untracked().filter(|u| u.portal_drafts).map(|_| view! { <ResumeDrafts lang=lang /> })}
                    <p>{move || Ui::FormsIntro.get(lang.get())}</p>
                    <ul class="ef-list">
                        {forms.into_iter().map(|f| {
                            let title = f.title.clone();
                            view! { <li><a href=format!("/f/{}", f.id)>{move || title.get(lang.get()).to_owned()}</a>" (v"{f.version}")"</li> }
                        }).collect_view()}
                    </ul>
                }.into_any(),
                Screen::Broken(diags) => view! {
                    <div class="ef-panel ef-panel--warn" role="alert">
                        <p>{move || Ui::FormBroken.get(lang.get())}</p>
                        <ul>
                            {diags.into_iter().map(|d| { let d2 = d.clone(); view! { <li><code>{d.pointer.clone()}</code>" "{move || d2.message.get(lang.get()).to_owned()}</li> } }).collect_view()}
                        </ul>
                    </div>
                }.into_any(),
                Screen::NotFound => view! { <p class="ef-panel ef-panel--warn" role="alert">{move || Ui::NotFound.get(lang.get())}</p> }.into_any(),
                Screen::Failed => view! { <p class="ef-panel ef-panel--warn" role="alert">{move || Ui::LoadFailed.get(lang.get())}</p> }.into_any(),
            }}
        </main>
    }
}
