//! The citizen's form page, drawn by the portal (`form-html`): GOV.UK's progressive
//! enhancement. `GET /f/{id}` serves the whole page — `form_html::site`'s header and the form —
//! on screen at once; the light runtime (form-bind, loaded by `/eform/page.js`) takes it over in
//! place when its code arrives, keeping what was typed, and runs it against the portal's own
//! services (prefill, drafts, the Sign step, filing). A browser without JavaScript keeps the
//! page as it is: the form posts back to `POST /f/{id}`, which reads it (`form_html::read`),
//! checks it with form-core, and answers with the same page: the next page of a long form, the
//! rows added or removed, or the error summary and inline errors with everything entered kept.
//! The last page files the dossier through the same intake as the runtime (idempotent: the key
//! is drawn into the form) and shows the receipt; a form that must be signed says that signing
//! needs JavaScript, and keeps what was entered.

use crate::catalog::{Entry, Ready};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing;
use form_core::{Diagnostic, Lang, Text};
use form_html::{PAGE, Page, Ui, esc, site};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `/f/{id}`: the form page drawn by the portal, and the form posted without JavaScript.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/f/{id}",
        routing::get(get)
            .post(post)
            .layer(DefaultBodyLimit::max(crate::reply::MAX_BODY)),
    )
}

/// Hidden fields the page carries: its language, the submission's key (and the page shown,
/// [`form_html::PAGE`]).
const LANG: &str = "ef-lang";
const KEY: &str = "ef-key";

#[derive(serde::Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
    /// `1`: fill the form from the citizen's data store (the page's "Fill in from my data"
    /// link). Not by default: the runtime, taking the drawn form over, reads the store itself — one
    /// read in the citizen's data log per visit.
    prefill: Option<String>,
}

/// Set in a page that was filled from the data store: its posts mark the fields still holding
/// the store's values (locked where verified) without reading it as a new disclosure.
const PREFILLED: &str = "ef-prefilled";

fn lang_of(tag: Option<&str>) -> Lang {
    if tag == Some("en") {
        Lang::En
    } else {
        Lang::Vi
    }
}

/// `GET /f/{id}`: the form page, the form drawn in it for the light runtime to take over.
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let asked = q.lang.as_deref().and_then(Lang::parse);
    let lang = lang_chosen(asked, &headers);
    let session = session_user(&state, &headers).await;
    let ready = match state.catalog.get(&id) {
        Some(Entry::Ready(r)) => r,
        Some(Entry::Broken { diagnostics, .. }) => {
            return refusal(&state, &id, lang, session.as_ref(), Some(&diagnostics));
        }
        None => return refusal(&state, &id, lang, session.as_ref(), None),
    };
    let Ok(key) = crate::encode::new_token() else {
        return crate::reply::internal();
    };
    let user = citizen(session.as_ref());
    let wanted = q.prefill.as_deref() == Some("1");
    let filled = if wanted {
        if let Some(u) = &user
            && let Err(r) = state
                .limits
                .check(crate::limits::Kind::Datastore, &u.id)
                .await
        {
            return r;
        }
        prefilled(&state, user.as_ref(), &ready, &json!({}), lang, true).await
    } else {
        Filled::plain(&json!({}))
    };
    let html = draw(&id, &ready, &filled, lang, &[], 0, &key, &[], user.as_ref());
    let mut res = form_page(&state, &id, &ready, lang, session.as_ref(), &html, false);
    if asked.is_some()
        && let Some(v) = lang_cookie(lang)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The language of a page: the one its query asks for, else the one the citizen chose before
/// (its cookie), else Vietnamese. Read as the citizen app reads them (`Lang::parse`).
pub(crate) fn lang_chosen(asked: Option<Lang>, headers: &HeaderMap) -> Lang {
    asked
        .or_else(|| {
            crate::auth::cookie(headers, form_html::LANG_COOKIE).and_then(|c| Lang::parse(&c))
        })
        .unwrap_or_default()
}

/// A language asked for is kept (the next page is drawn in it, with or without a script): a
/// preference, not a secret.
pub(crate) fn lang_cookie(lang: Lang) -> Option<HeaderValue> {
    HeaderValue::from_str(&form_html::lang_cookie(lang)).ok()
}

/// `POST /f/{id}`: the form sent without JavaScript.
pub async fn post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(Entry::Ready(ready)) = state.catalog.get(&id) else {
        return refusal(&state, &id, Lang::Vi, None, None);
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(p) => p,
        Err(_) => {
            return crate::reply::error(
                StatusCode::BAD_REQUEST,
                "form-unreadable",
                Text::new(
                    "Không đọc được biểu mẫu đã gửi.",
                    "The form sent cannot be read.",
                ),
            );
        }
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let lang = lang_of(field(LANG));
    let form = &ready.form;
    let pages = form.definition().pages.len().max(1);
    let shown = field(PAGE)
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(0)
        .min(pages - 1);
    let key = field(KEY)
        .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_owned)
        .or_else(|| crate::encode::new_token().ok())
        .unwrap_or_default();
    let post = form_html::read::data_from_post(form, &json!({}), &pairs);
    let today = crate::catalog::today_in_vietnam();
    let evaluation = form.evaluate(&post.data, today);
    let session = session_user(&state, &headers).await;
    let user = citizen(session.as_ref());
    let filled = if field(PREFILLED) == Some("1") {
        prefilled(&state, user.as_ref(), &ready, &post.data, lang, false).await
    } else {
        Filled::plain(&post.data)
    };
    let page = |current: usize, errors: &[Diagnostic], notices: &[Text]| {
        draw(
            &id,
            &ready,
            &filled,
            lang,
            errors,
            current,
            &key,
            notices,
            user.as_ref(),
        )
    };
    // The page sent back: the form drawn in it.
    let reply = |html: String| form_page(&state, &id, &ready, lang, session.as_ref(), &html, true);
    if post.row_action {
        return reply(page(shown, &[], &[]));
    }
    if let Some(go) = post.go {
        let go = go.min(pages - 1);
        // Continuing checks the page being left; going back does not.
        let here: Vec<Diagnostic> = evaluation
            .errors
            .iter()
            .filter(|d| go > shown && page_of(form, &d.pointer) == shown)
            .cloned()
            .collect();
        return if here.is_empty() {
            reply(page(go, &[], &[]))
        } else {
            reply(page(shown, &here, &[]))
        };
    }
    // The first page with errors comes back with its own (the others are off screen).
    if let Some(first) = evaluation.errors.first() {
        let at = page_of(form, &first.pointer);
        let here: Vec<Diagnostic> = evaluation
            .errors
            .iter()
            .filter(|d| page_of(form, &d.pointer) == at)
            .cloned()
            .collect();
        return reply(page(at, &here, &[]));
    }
    let last = pages - 1;
    if form
        .definition()
        .signature
        .as_ref()
        .is_some_and(|s| s.required)
    {
        return reply(page(last, &[], &[needs_script_to_sign()]));
    }
    let Some(user) = user.clone() else {
        return reply(page(last, &[], &[sign_in_first()]));
    };
    // The submission as the runtime sends it: computed values in, hidden fields out.
    let body = json!({
        "formId": id,
        "formVersion": form.definition().version,
        "data": evaluation.data,
    });
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&key) {
        h.insert("idempotency-key", v);
    }
    let res = crate::intake::submit(
        State(state.clone()),
        crate::auth::Signed(user.clone()),
        h,
        Bytes::from(body.to_string()),
    )
    .await;
    let status = res.status();
    let answer: Value = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    if status == StatusCode::CREATED
        && let Some(code) = answer["dossierCode"].as_str()
    {
        return received(&state, &ready, code, lang, &user);
    }
    // Sent again after a change, once filed (the browser's Back): a new key, so that the next
    // send files the changed form as a new dossier, and the citizen told so.
    if answer["error"]["code"] == "idempotency-key-reused" {
        let fresh = crate::encode::new_token().unwrap_or_default();
        let notice = Text::new(
            "Biểu mẫu này đã được nộp trước đó với nội dung khác (xem “Hồ sơ của tôi”). Nếu muốn nộp thêm một hồ sơ với nội dung dưới đây, hãy nộp lại.",
            "This form was submitted before with other content (see \"My dossiers\"). To file another dossier with what is below, submit again.",
        );
        let html = draw(
            &id,
            &ready,
            &filled,
            lang,
            &[],
            last,
            &fresh,
            &[notice],
            Some(&user),
        );
        return reply(html);
    }
    // Intake's own words (a value the register locks, a limit reached, …).
    let message = serde_json::from_value::<Text>(answer["error"]["message"].clone())
        .unwrap_or_else(|_| Ui::NetworkError.text());
    reply(page(last, &[], &[message]))
}

/// The data to draw, with what the citizen's data store fills in: the fields still empty get
/// the store's values; fields locked to a verified value are drawn read-only; each says where
/// its value came from. The read is logged in the citizen's data log, as the runtime's is. `fill`:
/// a form sent back keeps what the citizen entered (a field they emptied stays empty); only its
/// fields holding the store's values are marked, and locked where the store's value is verified.
struct Filled {
    data: Value,
    locked: BTreeSet<String>,
    notes: BTreeMap<String, String>,
    /// Whether the store was read for this page.
    from_store: bool,
}

impl Filled {
    fn plain(data: &Value) -> Filled {
        Filled {
            data: data.clone(),
            locked: BTreeSet::new(),
            notes: BTreeMap::new(),
            from_store: false,
        }
    }
}

async fn prefilled(
    state: &AppState,
    user: Option<&crate::db::UserRow>,
    ready: &Arc<Ready>,
    data: &Value,
    lang: Lang,
    fill: bool,
) -> Filled {
    let plain = || Filled::plain(data);
    let definition = ready.form.definition();
    let keys = form_core::datastore::bound_keys(definition);
    let Some(user) = user.filter(|_| !keys.is_empty()) else {
        return plain();
    };
    // A page sent back shows what was posted: the store is read for its locks, not disclosed
    // again (as intake's own lock check).
    if !fill {
        return match crate::datastore::attributes_of(&state.db, &user.id).await {
            Ok(attributes) => marked(ready, data, attributes, &keys, lang, false),
            Err(_) => plain(),
        };
    }
    let entry = crate::db::AuditEntry {
        owner_id: user.id.clone(),
        kind: "read".into(),
        keys: serde_json::to_string(&keys).unwrap_or_default(),
        form_id: Some(definition.id.clone()),
        form_version: Some(i64::from(definition.version)),
    };
    let (logged, attributes) = tokio::join!(
        state.writer.run(crate::db::Job::Audit(entry)),
        crate::datastore::attributes_of(&state.db, &user.id)
    );
    let (Ok(_), Ok(attributes)) = (logged, attributes) else {
        // Drawn without the store's values: the citizen fills the form in.
        tracing::warn!(user = %user.id, "the data store could not be read for a page drawn without JavaScript");
        return plain();
    };
    marked(ready, data, attributes, &keys, lang, true)
}

/// The store's values put in (`fill`) or only marked where the data already holds them.
fn marked(
    ready: &Arc<Ready>,
    data: &Value,
    attributes: BTreeMap<String, form_core::datastore::Attribute>,
    keys: &[String],
    lang: Lang,
    fill: bool,
) -> Filled {
    let attributes: BTreeMap<_, _> = attributes
        .into_iter()
        .filter(|(k, _)| keys.contains(k))
        .collect();
    let p = form_core::datastore::prefill(
        &ready.form,
        data,
        &attributes,
        crate::catalog::today_in_vietnam(),
    );
    let kept = |ptr: &String| {
        fill || form_core::pointer::get(data, ptr) == form_core::pointer::get(&p.data, ptr)
    };
    let notes = p
        .provenance
        .iter()
        .filter(|(ptr, _)| kept(ptr))
        .map(|(ptr, prov)| {
            (
                ptr.clone(),
                form_html::source_note(prov, p.locked.contains(ptr), lang),
            )
        })
        .collect();
    let locked = p.locked.iter().filter(|ptr| kept(ptr)).cloned().collect();
    Filled {
        data: if fill { p.data } else { data.clone() },
        locked,
        notes,
        from_store: true,
    }
}

/// The signed-in user of the request's session, if any.
pub(crate) async fn session_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Option<crate::db::UserRow> {
    let token = crate::auth::token_of(headers, state.config.dev)?;
    crate::auth::session_user(state, &token)
        .await
        .ok()
        .flatten()
}

/// The user if a citizen: only citizens are prefilled and file dossiers.
fn citizen(user: Option<&crate::db::UserRow>) -> Option<crate::db::UserRow> {
    user.filter(|u| !crate::auth::Signed((*u).clone()).is_official())
        .cloned()
}

/// On a drawing whose form needs the administrative units: the page's script asks for the
/// provinces beside the runtime's code, as it asks for the definition.
const UNITS: &str = " data-ef-units";

/// For a signed-in citizen: what the runtime asks its services for first, for the page's script
/// to ask for beside the runtime's code (`data-ef-early`, space-separated addresses on this
/// origin): the data store's values of the keys the form binds (form-core's one address, so the
/// runtime takes that answer and the citizen's data log has one read) and the drafts list.
fn early(ready: &Ready, drafts: bool) -> String {
    let mut urls: Vec<String> = form_core::datastore::attributes_path(ready.form.definition())
        .map(|path| format!("{}{path}", site::DATASTORE))
        .into_iter()
        .collect();
    if drafts {
        urls.push(site::DRAFTS.into());
    }
    if urls.is_empty() {
        return String::new();
    }
    format!(" data-ef-early=\"{}\"", esc(&urls.join(" ")))
}

/// The whole form page: `main` (the notices and the form) in form-html's page, inside
/// `#ef-ssr` for the light runtime (`/eform/page.js`) to take over. Its attributes tell the
/// runtime what the portal knows: the definition, the language drawn, whether the page answers
/// a post (`sent`), whether the form needs the provinces, who is signed in (drafts are kept per
/// user), whether the portal keeps their drafts and what the runtime will ask its services for.
fn form_page(
    state: &AppState,
    id: &str,
    ready: &Arc<Ready>,
    lang: Lang,
    session: Option<&crate::db::UserRow>,
    main: &str,
    sent: bool,
) -> Response {
    let here = format!("/f/{id}");
    let account = session.map(account_of);
    let mut attrs = format!(
        " data-ef-src=\"/forms/{}\" data-ef-lang=\"{}\"",
        esc(id),
        lang.tag()
    );
    if sent {
        attrs.push_str(" data-ef-sent");
    }
    if ready.form.uses_admin_units() {
        attrs.push_str(UNITS);
    }
    if let (Some(u), Some(a)) = (session, &account) {
        attrs.push_str(&format!(
            " data-ef-user=\"{}\" data-ef-name=\"{}\"",
            esc(&u.id),
            esc(a.name)
        ));
        if a.official {
            attrs.push_str(" data-ef-official");
        } else {
            if state.drafts.is_some() {
                attrs.push_str(" data-ef-drafts");
            }
            attrs.push_str(&early(ready, state.drafts.is_some()));
        }
    }
    let body = format!(
        "<div id=\"ef-ssr\" data-ef-takeover{attrs}>{}{main}{}</div>",
        site::open(lang, account.as_ref(), &here, false),
        site::CLOSE
    );
    crate::pages::site_page(
        state,
        StatusCode::OK,
        crate::pages::Site {
            title: ready.form.definition().title.get(lang),
            lang,
            body: &body,
            runtime: true,
        },
    )
}

pub(crate) fn account_of(u: &crate::db::UserRow) -> site::Account<'_> {
    site::Account {
        name: &u.name,
        official: crate::auth::Signed(u.clone()).is_official(),
    }
}

/// The page of a form that is not in the catalogue (404), or whose definition has errors (422,
/// with them).
fn refusal(
    state: &AppState,
    id: &str,
    lang: Lang,
    session: Option<&crate::db::UserRow>,
    diagnostics: Option<&[Diagnostic]>,
) -> Response {
    let (status, main) = match diagnostics {
        None => (
            StatusCode::NOT_FOUND,
            format!(
                "<p class=\"ef-panel ef-panel--warn\" role=\"alert\">{}</p>",
                esc(&Ui::NotFound.get(lang))
            ),
        ),
        Some(list) => {
            let mut html = format!(
                "<div class=\"ef-panel ef-panel--warn\" role=\"alert\"><p>{}</p><ul>",
                esc(&Ui::FormBroken.get(lang))
            );
            for d in list {
                html.push_str(&format!(
                    "<li><code>{}</code> {}</li>",
                    esc(&d.pointer),
                    esc(d.message.get(lang))
                ));
            }
            html.push_str("</ul></div>");
            (StatusCode::UNPROCESSABLE_ENTITY, html)
        }
    };
    let account = session.map(account_of);
    let body = format!(
        "{}{main}{}",
        site::open(lang, account.as_ref(), &format!("/f/{id}"), false),
        site::CLOSE
    );
    let title = match diagnostics {
        None => Ui::NotFound.get(lang),
        Some(_) => id.to_owned(),
    };
    crate::pages::site_page(
        state,
        status,
        crate::pages::Site {
            title: &title,
            lang,
            body: &body,
            runtime: false,
        },
    )
}

/// The page (0-based) of the field that shows an error at `pointer`.
fn page_of(form: &form_core::Form, pointer: &str) -> usize {
    let mut cur = pointer;
    loop {
        if let Some(f) = form.field_for(cur) {
            return f.page;
        }
        match cur.rsplit_once('/') {
            Some((head, _)) if !head.is_empty() => cur = head,
            _ => return 0,
        }
    }
}

fn needs_script_to_sign() -> Text {
    Text::new(
        "Hồ sơ này phải được ký số, và việc ký cần JavaScript: hãy bật JavaScript trên trình duyệt rồi nộp lại. Thông tin bạn đã nhập vẫn ở dưới đây.",
        "This dossier must be digitally signed, and signing needs JavaScript: turn JavaScript on in your browser, then submit again. What you entered is still below.",
    )
}

fn sign_in_first() -> Text {
    Text::new(
        "Vui lòng đăng nhập để nộp hồ sơ (liên kết “Đăng nhập” ở đầu trang), rồi khai lại. Thông tin bạn đã nhập vẫn ở dưới đây để bạn chép lại.",
        "Please sign in to submit (the “Sign in” link at the top of the page), then fill in the form again. What you entered is still below to copy.",
    )
}

/// The form page's body: the header (language links, sign-in), notices, the form.
#[allow(clippy::too_many_arguments)]
fn draw(
    id: &str,
    ready: &Arc<Ready>,
    filled: &Filled,
    lang: Lang,
    errors: &[Diagnostic],
    current: usize,
    key: &str,
    notices: &[Text],
    user: Option<&crate::db::UserRow>,
) -> String {
    let current_s = current.to_string();
    let mut hidden = vec![(LANG, lang.tag()), (PAGE, current_s.as_str()), (KEY, key)];
    if filled.from_store {
        hidden.push((PREFILLED, "1"));
    }
    let action = format!("/f/{}", id);
    let signed = ready
        .form
        .definition()
        .signature
        .as_ref()
        .is_some_and(|s| s.required);
    let form = form_html::form(&Page {
        form: &ready.form,
        data: &filled.data,
        lang,
        today: crate::catalog::today_in_vietnam(),
        errors,
        current,
        locked: &filled.locked,
        notes: &filled.notes,
        live: None,
        action: Some(&action),
        hidden: &hidden,
        submit: Ui::SubmitDossier,
    });
    let mut notices_html = String::new();
    let mut all: Vec<Text> = notices.to_vec();
    if signed && notices.is_empty() {
        all.push(Text::new(
            "Hồ sơ này phải được ký số; việc ký cần JavaScript. Bạn vẫn có thể khai biểu mẫu.",
            "This dossier must be digitally signed; signing needs JavaScript. You can still fill in the form.",
        ));
    }
    // A signed-in citizen may have the form filled from their data store.
    let bound = !form_core::datastore::bound_keys(ready.form.definition()).is_empty();
    if user.is_some() && bound && !filled.from_store && filled.data == json!({}) {
        notices_html.push_str(&format!(
            "<div class=\"ef-panel\"><p><a class=\"ef-button ef-button--secondary\" data-testid=\"nojs-prefill\" href=\"/f/{}?prefill=1&amp;lang={}\">{}</a></p></div>",
            esc(id),
            lang.tag(),
            esc(Text::new("Điền sẵn từ dữ liệu của tôi", "Fill in from my data").get(lang))
        ));
    }
    for n in &all {
        notices_html.push_str(&format!(
            "<div class=\"ef-panel ef-panel--warn\" role=\"status\" data-testid=\"nojs-notice\"><p>{}</p></div>",
            esc(n.get(lang))
        ));
    }
    format!("{notices_html}{form}")
}

/// The receipt of a dossier filed without JavaScript: its code and what was sent.
fn received(
    state: &AppState,
    ready: &Arc<Ready>,
    code: &str,
    lang: Lang,
    user: &crate::db::UserRow,
) -> Response {
    // Without JavaScript no form needing a signature is filed, so none waits for co-signers.
    // The dossier's page is the account pages' and needs JavaScript: not offered here.
    let main = site::receipt(
        lang,
        ready.form.definition().title.get(lang),
        code,
        false,
        false,
    );
    let body = format!(
        "{}{main}{}",
        site::open(lang, Some(&account_of(user)), "/", false),
        site::CLOSE
    );
    let mut res = crate::pages::site_page(
        state,
        StatusCode::OK,
        crate::pages::Site {
            title: &Ui::Received.get(lang),
            lang,
            body: &body,
            runtime: false,
        },
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The form as an embedded `<e-form>` first shows it (`GET /forms/{id}?as=html`): drawn by
/// form-html, empty, in `lang`, for `eform.js` to put in the element's shadow root while the
/// runtime's code is on its way; the runtime takes it over as it takes over `/f/{id}`'s.
/// The language buttons wait, disabled, for the runtime; the form has no action (`eform.js`
/// keeps it from being sent).
pub fn embed_fragment(ready: &Ready, lang: Lang, dossier: bool) -> String {
    let form = form_html::form(&Page {
        form: &ready.form,
        data: &json!({}),
        lang,
        today: crate::catalog::today_in_vietnam(),
        errors: &[],
        current: 0,
        locked: &BTreeSet::new(),
        notes: &BTreeMap::new(),
        live: None,
        action: None,
        hidden: &[],
        submit: if dossier {
            Ui::SubmitDossier
        } else {
            Ui::Submit
        },
    });
    let button = |l: Lang, name: &str| {
        format!(
            "<button type=\"button\" class=\"ef-lang__button\" lang=\"{}\" aria-pressed=\"{}\" disabled>{name}</button>",
            l.tag(),
            l == lang
        )
    };
    format!(
        "<div id=\"ef-ssr\" data-ef-takeover{}><div class=\"ef-embed\" lang=\"{}\"><div class=\"ef-embed__bar\"><div class=\"ef-lang\" role=\"group\" aria-label=\"{}\">{}{}</div></div>{form}</div></div>",
        if ready.form.uses_admin_units() {
            UNITS
        } else {
            ""
        },
        lang.tag(),
        esc(&Ui::LanguageSwitch.get(lang)),
        button(Lang::Vi, "Tiếng Việt"),
        button(Lang::En, "English"),
    )
}
