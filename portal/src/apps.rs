//! The trunk-built apps' pages (the list of forms, the account pages), with a page the portal
//! draws in them: it shows before the app's code has come, and is what a browser without
//! JavaScript gets. The app takes its place (form-ui's `main.rs` and `app::reveal`).

use crate::catalog::Entry;
use crate::form_page::{account_of, lang_chosen, lang_cookie, session_user};
use crate::state::AppState;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use form_core::Text;
use form_html::{Ui, site};

/// The list of forms (`/`): the citizen app's build `app`, with the list drawn in the page by
/// the portal. It shows before the app's code has come (on a slow phone, a second or more), and
/// without JavaScript its links lead to the form pages, which work without it; the app draws
/// its own list in its place.
pub(crate) async fn app_page(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
) -> Response {
    let asked = query_lang(query);
    let lang = lang_chosen(asked, headers);
    let user = session_user(state, headers).await;
    let t = |u: Ui| form_html::esc(&u.get(lang));
    let mut main = format!(
        "<h1 class=\"ef-title\">{}</h1><p>{}</p><ul class=\"ef-list\">",
        t(Ui::FormsTitle),
        t(Ui::FormsIntro)
    );
    for (id, entry) in state.catalog.snapshot() {
        if let Entry::Ready(r) = entry {
            let definition = r.form.definition();
            main.push_str(&format!(
                "<li><a href=\"/f/{}\">{}</a> (v{})</li>",
                form_core::percent_encode(&id, b""),
                form_html::esc(definition.title.get(lang)),
                definition.version
            ));
        }
    }
    main.push_str("</ul>");
    let drawn = drawn_page(lang, user.as_ref(), "/", &main);
    page_of_build(state, "app", lang, &drawn, asked).await
}

/// The citizen app's account pages (a dossier, the dossier lists and inbox, co-signing, the
/// data log): a build of their own (`account`). Its header is drawn in the page by the portal,
/// with what a browser without JavaScript needs to know (these pages need it); the app draws
/// the page in its place.
pub(crate) async fn account_page(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
) -> Response {
    let asked = query_lang(query);
    let lang = lang_chosen(asked, headers);
    let user = session_user(state, headers).await;
    let text = Text::new(
        "Trang này cần JavaScript: hãy bật JavaScript trên trình duyệt rồi tải lại trang. Biểu mẫu thì vẫn khai và nộp được khi không có JavaScript.",
        "This page needs JavaScript: turn JavaScript on in your browser, then reload the page. Forms can still be filled in and sent without it.",
    );
    let main = format!(
        "<noscript><div class=\"ef-panel ef-panel--warn\" role=\"status\" data-testid=\"needs-script\"><p>{}</p><p><a href=\"/\">{}</a></p></div></noscript>",
        form_html::esc(text.get(lang)),
        form_html::esc(&Ui::FormsTitle.get(lang))
    );
    let drawn = drawn_page(lang, user.as_ref(), path, &main);
    page_of_build(state, "account", lang, &drawn, asked).await
}

/// The first language a query string's `lang` names (as the app reads it: `form-ui`'s
/// `initial_lang`).
fn query_lang(query: Option<&str>) -> Option<form_core::Lang> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang=").and_then(form_core::Lang::parse))
}

/// The site's page around `main` (the skip link, the header with the account and the language
/// links, `<main>`), in an element the app removes.
fn drawn_page(
    lang: form_core::Lang,
    user: Option<&crate::db::UserRow>,
    here: &str,
    main: &str,
) -> String {
    let account = user.map(account_of);
    format!(
        "<div {}>{}{main}{}</div>",
        site::DRAWN_PAGE,
        site::open(lang, account.as_ref(), here, false),
        site::CLOSE
    )
}

/// The page of the trunk build `build` (`target/web/{build}/index.html`), in `lang`, with
/// `drawn` in its body; the language cookie set when the query asked for one.
async fn page_of_build(
    state: &AppState,
    build: &str,
    lang: form_core::Lang,
    drawn: &str,
    asked: Option<form_core::Lang>,
) -> Response {
    match tokio::fs::read_to_string(state.web_dir.join(build).join("index.html")).await {
        Ok(mut html) => {
            // The build's page is trunk's: `<html lang="vi">`, its title in Vietnamese, an
            // empty `<body>`.
            html = html
                .replacen(
                    "<html lang=\"vi\">",
                    &format!("<html lang=\"{}\">", lang.tag()),
                    1,
                )
                .replacen(
                    "<title>eform — Biểu mẫu điện tử</title>",
                    &format!("<title>{}</title>", form_html::esc(&site::app_title(lang))),
                    1,
                );
            match html.rfind("</body>") {
                Some(at) => html.insert_str(at, drawn),
                None => html.push_str(drawn),
            }
            let mut headers = HeaderMap::new();
            // The page names who is signed in: never stored (as the form pages).
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if asked.is_some()
                && let Some(cookie) = lang_cookie(lang)
            {
                headers.append(header::SET_COOKIE, cookie);
            }
            (StatusCode::OK, headers, Html(html)).into_response()
        }
        Err(_) => crate::pages::not_built(),
    }
}
