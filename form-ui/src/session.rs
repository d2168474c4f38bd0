//! Who is signed in (from the portal's `/api/v1/me`), and the header's account menu.

use crate::fetch;
use form_core::{Lang, Text};
use leptos::prelude::*;
use serde::Deserialize;

/// The signed-in user.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Me {
    pub id: String,
    /// `citizen` or `official`.
    pub role: String,
    pub name: String,
    pub agency: Option<Agency>,
    /// The portal keeps this citizen's drafts (resuming on another device).
    #[serde(default, rename = "portalDrafts")]
    pub portal_drafts: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Agency {
    pub code: String,
    pub name: Option<Text>,
}

impl Me {
    pub fn is_official(&self) -> bool {
        self.role == "official"
    }
}

/// The signed-in user, or `None` (not signed in, or no portal behind this page).
pub async fn fetch_me() -> Option<Me> {
    #[derive(Deserialize)]
    struct Session {
        user: Option<Me>,
    }
    let a = fetch::request("/api/v1/session", None).await.ok()?;
    (a.status == 200)
        .then(|| serde_json::from_str::<Session>(&a.body).ok())
        .flatten()
        .and_then(|s| s.user)
}

/// The current path and query, for coming back after signing in.
pub fn here() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
        })
        .unwrap_or_else(|| "/".into())
}

/// The sign-in page, coming back to `next`.
pub fn sign_in_url(next: &str, lang: Lang) -> String {
    format!(
        "/signin?lang={}&next={}",
        lang.tag(),
        String::from(js_sys::encode_uri_component(next))
    )
}

/// Ends the session on the portal, removes the user's drafts from this browser, then goes
/// home — or to the identity provider's sign-out page when the portal names one.
fn sign_out(subject: String) {
    leptos::task::spawn_local(async move {
        #[derive(Deserialize)]
        struct Next {
            next: Option<String>,
        }
        let answer = fetch::post_json("/signout", "{}", &[("accept", "application/json")]).await;
        crate::drafts::clear_subject(&subject);
        let next = answer
            .ok()
            .and_then(|a| serde_json::from_str::<Next>(&a.body).ok())
            .and_then(|n| n.next)
            .unwrap_or_else(|| "/".into());
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(&next);
        }
    });
}

/// A bilingual text drawn in the language of the moment.
pub fn tr(lang: RwSignal<Lang>, vi: &'static str, en: &'static str) -> impl Fn() -> String + Clone {
    move || Text::new(vi, en).get(lang.get()).to_owned()
}

/// The account part of the header: the user's name, their dossiers (citizens) or the inbox
/// (officials), sign out; or a sign-in link.
#[component]
pub fn AccountMenu(lang: RwSignal<Lang>, me: RwSignal<Option<Me>>) -> impl IntoView {
    move || {
        match me.get() {
        Some(u) => {
            let (href, label) = if u.is_official() {
                ("/inbox", tr(lang, "Hồ sơ cần xử lý", "Inbox"))
            } else {
                ("/dossiers", tr(lang, "Hồ sơ của tôi", "My dossiers"))
            };
            view! {
                <nav class="ef-account" aria-label=tr(lang, "Tài khoản", "Account")>
                    <span class="ef-account__name" data-testid="signed-in-as">{u.name.clone()}</span>
                    <a class="ef-account__link" href=href>{label}</a>
                    {(!u.is_official()).then(|| view! { <a class="ef-account__link" href="/data">{tr(lang, "Dữ liệu của tôi", "My data")}</a> })}
                    <button type="button" class="ef-account__link ef-linkbutton" on:click={
                        let id = u.id.clone();
                        move |_| sign_out(id.clone())
                    }>{tr(lang, "Đăng xuất", "Sign out")}</button>
                </nav>
            }
            .into_any()
        }
        None => view! {
            <nav class="ef-account" aria-label=tr(lang, "Tài khoản", "Account")>
                <a class="ef-account__link" href=move || sign_in_url(&here(), lang.get())>{tr(lang, "Đăng nhập", "Sign in")}</a>
            </nav>
        }
        .into_any(),
    }
    }
}
