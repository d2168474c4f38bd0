//! A small `fetch` helper (web-sys), returning the status and body text.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

/// An HTTP answer: status code and body.
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// GET (when `body` is `None`) or POST a JSON body to `url`. `Err` only for network failures.
pub async fn request(url: &str, body: Option<&str>) -> Result<Answer, String> {
    let init = RequestInit::new();
    if let Some(b) = body {
        init.set_method("POST");
        init.set_body(&wasm_bindgen::JsValue::from_str(b));
        let headers = web_sys::Headers::new().map_err(|e| format!("{e:?}"))?;
        headers
            .set("content-type", "application/json")
            .map_err(|e| format!("{e:?}"))?;
        init.set_headers(&headers);
    }
    let req = Request::new_with_str_and_init(url, &init).map_err(|e| format!("{e:?}"))?;
    let window = web_sys::window().ok_or("no window")?;
    let resp = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|e| format!("{e:?}"))?;
    let resp: Response = resp.dyn_into().map_err(|e| format!("{e:?}"))?;
    let text = JsFuture::from(resp.text().map_err(|e| format!("{e:?}"))?)
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(Answer {
        status: resp.status(),
        body: text.as_string().unwrap_or_default(),
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
