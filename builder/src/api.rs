//! The builder's calls to the portal (`/api/v1/builder/…`).

use form_core::{Diagnostic, Text};
use form_ui::fetch;
use serde_json::{Value, json};

pub const FORMS: &str = "/api/v1/builder/forms";

fn unreachable() -> Text {
    Text::new(
        "Không kết nối được cổng dịch vụ; thay đổi của bạn vẫn còn trên trang này.",
        "The portal cannot be reached; your changes are still on this page.",
    )
}

fn form_url(id: &str) -> String {
    format!("{FORMS}/{}", String::from(js_sys::encode_uri_component(id)))
}

/// The JSON answer of a call that must answer `ok`, else the portal's message.
async fn expect(
    answer: Result<fetch::Answer, String>,
    ok: u16,
) -> Result<Value, (u16, Text, Value)> {
    let a = answer.map_err(|_| (0, unreachable(), Value::Null))?;
    let v: Value = serde_json::from_str(&a.body).unwrap_or(Value::Null);
    if a.status == ok {
        Ok(v)
    } else {
        let message = fetch::error_of(&a.body).unwrap_or_else(unreachable);
        Err((a.status, message, v))
    }
}

pub async fn list() -> Result<Value, Text> {
    expect(fetch::request(FORMS, None).await, 200)
        .await
        .map_err(|e| e.1)
}

pub async fn create(id: &str, definition: Option<&Value>) -> Result<Value, Text> {
    let mut body = json!({"id": id});
    if let Some(d) = definition {
        body["definition"] = d.clone();
    }
    expect(fetch::post_json(FORMS, &body.to_string(), &[]).await, 201)
        .await
        .map_err(|e| e.1)
}

pub async fn get(id: &str) -> Result<Value, Text> {
    expect(fetch::request(&form_url(id), None).await, 200)
        .await
        .map_err(|e| e.1)
}

/// How a save ended.
pub enum Saved {
    Rev(i64),
    /// Saved elsewhere in between (another tab or person).
    Stale,
    Failed(Text),
}

pub async fn save(id: &str, rev: i64, definition: &Value) -> Saved {
    let body = json!({"rev": rev, "definition": definition}).to_string();
    match expect(fetch::put_json(&form_url(id), &body).await, 200).await {
        Ok(v) => Saved::Rev(v["rev"].as_i64().unwrap_or(rev)),
        Err((409, _, _)) => Saved::Stale,
        Err((_, t, _)) => Saved::Failed(t),
    }
}

/// How publishing ended.
pub enum Published {
    Version(Value),
    Refused(Text, Vec<Diagnostic>),
    Failed(Text),
}

pub async fn publish(id: &str, rev: i64) -> Published {
    let url = format!("{}/publish", form_url(id));
    let answer = fetch::post_json(&url, &json!({"rev": rev}).to_string(), &[]).await;
    match expect(answer, 201).await {
        Ok(v) => Published::Version(v),
        Err((422, t, v)) => Published::Refused(
            t,
            serde_json::from_value(v["diagnostics"].clone()).unwrap_or_default(),
        ),
        Err((_, t, _)) => Published::Failed(t),
    }
}
