//! A small `fetch` helper (web-sys), returning the status and body text.

use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// An HTTP answer: status code and body; the next page of a list (`Link: <…>; rel="next"`).
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub next: Option<String>,
}

/// The target of `rel="next"` in a `Link` header (RFC 8288), when there is one.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"" || p.trim() == "rel=next")
            .then(|| target.to_owned())
    })
}

thread_local! {
    /// Responses the page asked for while the runtime's code was on its way (`fetch(url)`'s
    /// promise, handed in by [`asked_early`], under its absolute URL): each is taken by the
    /// first [`request`] GET of its URL, and what the form did not take is dropped
    /// ([`forget_early`] when the form's load ends, [`forget_all_early`] on the form page once
    /// its services were asked).
    static EARLY: RefCell<Vec<(String, js_sys::Promise)>> = const { RefCell::new(Vec::new()) };
}

/// Hands in a response the page asked for before the runtime was here: the first GET of `url`
/// through [`request`] (no body, no header of its own: never a request with the host's token)
/// takes it instead of asking again. Asked with `fetch(url)`'s defaults (same-origin
/// credentials), so it is the answer that GET would have had.
pub fn asked_early(url: &str, response: js_sys::Promise) {
    let url = absolute(url);
    EARLY.with(|e| e.borrow_mut().push((url, response)));
}

/// `url` resolved against the page's address.
pub fn absolute(url: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_owned())
}

/// The early answer for `url` (relative to the page, or absolute), taken.
fn take_early(url: &str) -> Option<js_sys::Promise> {
    EARLY.with(|e| {
        let mut e = e.borrow_mut();
        if e.is_empty() {
            return None;
        }
        let url = absolute(url);
        let at = e.iter().position(|(u, _)| *u == url)?;
        Some(e.remove(at).1)
    })
}

/// Drops the early answers for `url` nobody took (the form's load ended without them: a
/// definition refused, a form without an address): a later GET asks afresh.
pub fn forget_early(url: &str) {
    let url = absolute(url);
    EARLY.with(|e| e.borrow_mut().retain(|(u, _)| *u != url));
}

/// Drops every early answer nobody took (the form page, once the form has asked its services).
#[cfg(feature = "module")]
pub fn forget_all_early() {
    EARLY.with(|e| e.borrow_mut().clear());
}

/// GET (when `body` is `None`) or POST a JSON body to `url`. `Err` only for network failures.
pub async fn request(url: &str, body: Option<&str>) -> Result<Answer, String> {
    match body {
        Some(b) => {
            send(
                url,
                "POST",
                &wasm_bindgen::JsValue::from_str(b),
                &[("content-type", "application/json")],
            )
            .await
        }
        None => {
            // Asked for already by the page: that answer, unless it failed (then asked again).
            if let Some(early) = take_early(url)
                && let Ok(resp) = JsFuture::from(early).await
            {
                return read(resp.dyn_into().map_err(|e| format!("{e:?}"))?).await;
            }
            send(url, "GET", &wasm_bindgen::JsValue::UNDEFINED, &[]).await
        }
    }
}

/// Sends a request (`body` `undefined`: none) with these headers; `Err` only for network
/// failures.
pub async fn send(
    url: &str,
    method: &str,
    body: &wasm_bindgen::JsValue,
    headers: &[(&str, &str)],
) -> Result<Answer, String> {
    let init = RequestInit::new();
    init.set_method(method);
    if !body.is_undefined() {
        init.set_body(body);
    }
    if !headers.is_empty() {
        let h = web_sys::Headers::new().map_err(|e| format!("{e:?}"))?;
        for (k, v) in headers {
            h.set(k, v).map_err(|e| format!("{e:?}"))?;
        }
        init.set_headers(&h);
    }
    let req = Request::new_with_str_and_init(url, &init).map_err(|e| format!("{e:?}"))?;
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|e| format!("{e:?}"))?;
    read(resp.dyn_into().map_err(|e| format!("{e:?}"))?).await
}

async fn read(resp: Response) -> Result<Answer, String> {
    let text = JsFuture::from(resp.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let next = resp
        .headers()
        .get("link")
        .ok()
        .flatten()
        .and_then(|l| next_link(&l));
    Ok(Answer {
        status: resp.status(),
        body: text.as_string().unwrap_or_default(),
        next,
    })
}

/// The diagnostics of a portal's 422 answer (`{"diagnostics": [...]}`); none if it has none.
pub fn diagnostics_of(body: &str) -> Vec<form_core::Diagnostic> {
    #[derive(serde::Deserialize)]
    struct Refusal {
        #[serde(default)]
        diagnostics: Vec<form_core::Diagnostic>,
    }
    serde_json::from_str::<Refusal>(body)
        .map(|r| r.diagnostics)
        .unwrap_or_default()
}

/// A form with address fields gets the administrative units (fetched once from the portal):
/// the address picker lists them and form-core checks codes against them, as the portal does.
/// `None` when they are needed and cannot be fetched.
pub async fn with_admin_units(form: form_core::Form, url: &str) -> Option<form_core::Form> {
    if !form.uses_admin_units() {
        return Some(form);
    }
    let answer = request(url, None).await.ok()?;
    let units = form_core::AdminUnits::from_json(&answer.body).ok()?;
    Some(form.with_admin_units(Arc::new(units)))
}

/// A new random idempotency key (a UUID from the browser's CSPRNG).
pub fn new_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("k{}", js_sys::Date::now()))
}

/// The `{error: {message: {vi, en}}}` of a portal's answer, if it has one.
pub fn error_of(body: &str) -> Option<form_core::Text> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    serde_json::from_value(v.get("error")?.get("message")?.clone()).ok()
}

/// Waits `ms` milliseconds (a `setTimeout` promise).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
