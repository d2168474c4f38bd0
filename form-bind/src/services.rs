//! The citizen's services a form talks to — the personal data store (`/datastore/v1`), the
//! certification-portal bridge (`/bridge/v1`), dossier intake (`/api/v1/dossiers`) and the
//! citizen's drafts (`/api/v1/drafts`) — and how the runtime authenticates to them.
//!
//! The citizen app uses the eform portal's own, on its own origin, with its session cookie. An
//! embedded form (`<e-form datastore bridge intake drafts>`) uses whatever services its host portal
//! names, with the host's same-origin session cookie, or with a bearer token the host page hands
//! to the element (`element.token = …`, a string or a function giving one, called before each
//! request so a host can refresh it). The token is only ever sent in `Authorization` to these
//! services: never to a form definition's address, never in a URL, never logged.

use crate::fetch::{self, Answer};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Where the services are (each absent: the form does without it) and the host's token.
#[derive(Clone, Default)]
pub struct Services(Arc<Inner>);

#[derive(Default)]
struct Inner {
    datastore: Option<String>,
    bridge: Option<String>,
    dossiers: Option<String>,
    /// Where the signed-in citizen's drafts are kept (`/api/v1/drafts`: resuming on another
    /// device).
    drafts: Option<String>,
    /// Gives the host's token: a function returning a string, a promise of one, or a function
    /// giving either; `undefined`/`null`/`""`: no token (the session cookie, if any, counts).
    token: Option<js_sys::Function>,
}

impl Services {
    /// The eform portal's own services on the page's origin (the citizen app).
    pub fn portal() -> Self {
        Self::portal_for(true, true)
    }

    /// The portal's services for whoever is on the page: the data store only for a citizen,
    /// the drafts service only when the portal keeps their drafts.
    pub fn portal_for(citizen: bool, drafts: bool) -> Self {
        Self::new(
            citizen.then(|| form_html::site::DATASTORE.into()),
            Some("/bridge/v1".into()),
            Some("/api/v1/dossiers".into()),
            (citizen && drafts).then(|| form_html::site::DRAFTS.into()),
            None,
        )
    }

    /// Services at these base URLs (a trailing `/` is dropped), authenticated by `token` when
    /// given.
    pub fn new(
        datastore: Option<String>,
        bridge: Option<String>,
        dossiers: Option<String>,
        drafts: Option<String>,
        token: Option<js_sys::Function>,
    ) -> Self {
        let base = |u: Option<String>| {
            u.map(|u| u.trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty())
        };
        Self(Arc::new(Inner {
            datastore: base(datastore),
            bridge: base(bridge),
            dossiers: base(dossiers),
            drafts: base(drafts),
            token,
        }))
    }

    /// The data store's address of `path` (`/me/attributes`), if the form has a data store.
    pub fn datastore(&self, path: &str) -> Option<String> {
        self.0.datastore.as_ref().map(|b| format!("{b}{path}"))
    }

    /// The bridge's address of `path` (`/credentials/list`), if the form has a bridge.
    pub fn bridge(&self, path: &str) -> Option<String> {
        self.0.bridge.as_ref().map(|b| format!("{b}{path}"))
    }

    /// The drafts service's address of `path` (`""`: the list, `/{form id}`: one draft), if the
    /// citizen's drafts are kept there.
    pub fn drafts(&self, path: &str) -> Option<String> {
        self.0.drafts.as_ref().map(|b| format!("{b}{path}"))
    }

    /// Where dossiers are sent (`POST`), if the form files dossiers.
    pub fn dossiers(&self) -> Option<String> {
        self.0.dossiers.clone()
    }

    /// Where files attached to a dossier are uploaded: `attachments` beside `dossiers`
    /// (`/api/v1/dossiers` → `/api/v1/attachments`).
    pub fn attachments(&self) -> Option<String> {
        let d = self.0.dossiers.as_deref()?;
        let (head, _) = d.rsplit_once('/')?;
        Some(format!("{head}/attachments"))
    }

    /// Uploads a file picked for an attachment (`POST {attachments}?name=…`, the file as the
    /// body): the `sha256` the portal stored it under, or none if it was not taken.
    pub async fn upload(&self, file: &web_sys::File) -> Option<String> {
        let url = self.attachments()?;
        let target = format!(
            "{url}?name={}",
            String::from(js_sys::encode_uri_component(&file.name()))
        );
        match self.post_file(&target, file).await {
            Ok(a) if a.status == 201 => serde_json::from_str::<serde_json::Value>(&a.body)
                .ok()
                .and_then(|v| v.get("sha256")?.as_str().map(str::to_owned)),
            _ => None,
        }
    }

    /// One attempt at filing a dossier: `body` POSTed to intake's `url` under the idempotency
    /// `key` (the same key for every attempt: intake files it once).
    pub async fn file(&self, url: &str, body: &str, key: &str) -> Filed {
        match self.post_json(url, body, &[("idempotency-key", key)]).await {
            Ok(a) if a.status == 201 => {
                let v = serde_json::from_str::<serde_json::Value>(&a.body).unwrap_or_default();
                let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
                Filed::Code(
                    text("dossierCode").to_owned(),
                    text("status") == "awaiting-co-signature",
                )
            }
            Ok(a) if a.status == 401 => Filed::SignedOut,
            Ok(a) if a.status == 422 && !fetch::diagnostics_of(&a.body).is_empty() => {
                Filed::Refused(fetch::diagnostics_of(&a.body))
            }
            Ok(a) if a.status >= 500 || a.status == 429 => Filed::Again,
            Ok(a) => Filed::Rejected(
                fetch::error_of(&a.body).unwrap_or_else(|| form_html::Ui::NetworkError.text()),
            ),
            Err(_) => Filed::Again,
        }
    }

    /// GETs `url` from one of the services. Without a token (the session cookie counts, as on
    /// the portal's own page) it may take the answer the page asked for beside the runtime's
    /// code (the data store's values, the drafts list: `fetch::asked_early`); with one, it is
    /// always asked here, with the token. An `<e-form>` always has a token getter (`eform.js`
    /// hands one in, whether or not the host set a token), so only the portal's own page takes
    /// them.
    pub async fn get(&self, url: &str) -> Result<Answer, String> {
        if self.0.token.is_none() {
            return fetch::request(url, None).await;
        }
        self.send(url, "GET", &JsValue::UNDEFINED, &[]).await
    }

    /// POSTs a JSON body (with extra headers, e.g. `Idempotency-Key`).
    pub async fn post_json(
        &self,
        url: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send(url, "POST", &JsValue::from_str(body), &all).await
    }

    /// PUTs a JSON body.
    pub async fn put_json(&self, url: &str, body: &str) -> Result<Answer, String> {
        let json = [("content-type", "application/json")];
        self.send(url, "PUT", &JsValue::from_str(body), &json).await
    }

    /// DELETEs `url`.
    pub async fn delete(&self, url: &str) -> Result<Answer, String> {
        self.send(url, "DELETE", &JsValue::UNDEFINED, &[]).await
    }

    /// POSTs a file as the body, with its media type as `Content-Type`.
    pub async fn post_file(&self, url: &str, file: &web_sys::File) -> Result<Answer, String> {
        let media_type = file.type_();
        let headers = [("content-type", media_type.as_str())];
        self.send(url, "POST", file, &headers).await
    }

    async fn send(
        &self,
        url: &str,
        method: &str,
        body: &JsValue,
        headers: &[(&str, &str)],
    ) -> Result<Answer, String> {
        match self.token().await {
            Some(t) => {
                let bearer = format!("Bearer {t}");
                let mut all = headers.to_vec();
                all.push(("authorization", bearer.as_str()));
                fetch::send(url, method, body, &all).await
            }
            None => fetch::send(url, method, body, headers).await,
        }
    }

    /// The host's token now, if it gave one (a getter that throws or rejects gives none: the
    /// service then answers 401, which the form shows as "sign in").
    async fn token(&self) -> Option<String> {
        let getter = self.0.token.as_ref()?;
        let mut value = getter.call0(&JsValue::NULL).ok()?;
        // A callback given as the token: called for a fresh one.
        if let Some(f) = value.dyn_ref::<js_sys::Function>() {
            value = f.call0(&JsValue::NULL).ok()?;
        }
        if value.has_type::<js_sys::Promise>() {
            value = JsFuture::from(value.unchecked_into::<js_sys::Promise>())
                .await
                .ok()?;
        }
        value.as_string().filter(|t| is_token(t))
    }
}

/// The value of an attachment with the `sha256` intake stored `file` under — if the value is
/// still that file (the citizen may have picked another meanwhile); none otherwise.
pub fn with_hash(
    value: Option<&serde_json::Value>,
    file: &web_sys::File,
    sha256: String,
) -> Option<serde_json::Value> {
    let mut v = value?.as_object()?.clone();
    let same = v.get("name").and_then(|n| n.as_str()) == Some(file.name().as_str())
        && v.get("size").and_then(|n| n.as_u64()) == Some(file.size() as u64);
    if !same {
        return None;
    }
    v.insert("sha256".into(), serde_json::Value::String(sha256));
    Some(serde_json::Value::Object(v))
}

/// What intake said to one attempt at filing a dossier.
pub enum Filed {
    /// Acknowledged, under this dossier code; `true` while it waits for its co-signers (intake's
    /// `status`), before it goes to the agency.
    Code(String, bool),
    /// Nobody is signed in (401).
    SignedOut,
    /// The form's errors, as intake found them (422).
    Refused(Vec<form_core::Diagnostic>),
    /// Unreachable, overloaded or failing (no answer, 5xx, 429): worth another attempt.
    Again,
    /// Refused for a reason of its own, in words.
    Rejected(form_core::Text),
}

/// A bearer token as RFC 6750 allows it (`b64token`): anything else is not sent, so a host's
/// mistake cannot put a line break or a second header into the request.
fn is_token(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 4096
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::is_token;

    #[test]
    fn tokens_are_b64token() {
        assert!(is_token("abc-DEF_123.~+/=="));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a\r\nX-Evil: 1"));
        assert!(!is_token(&"a".repeat(4097)));
    }
}
