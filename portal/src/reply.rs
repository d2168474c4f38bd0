//! The portal's plain answers, shared by every handler: the JSON error body, the 500 that
//! says nothing, a request body read as JSON (or the 400 that says why not), the bounds of a
//! body's size and values, and the names of the built web files.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use form_core::Text;
use serde_json::{Value, json};

/// Largest data body accepted (form data only; attachments travel separately).
pub const MAX_BODY: usize = 512 * 1024;

/// Most JSON values (objects, arrays, scalars) in one body: bounds the work of one check.
pub const MAX_VALUES: usize = 50_000;

/// Most diagnostics returned in one answer (the total is given too).
pub const MAX_DIAGNOSTICS: usize = 500;

/// 400 `cursor-invalid`: a list's `before` that is not one of its cursors.
pub fn cursor_invalid() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "cursor-invalid",
        Text::new(
            "Tham số before không hợp lệ.",
            "The before parameter is not a cursor of this list.",
        ),
    )
}

/// A 500 that says nothing of the cause (it is logged).
pub fn internal() -> Response {
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        Text::new("Lỗi nội bộ.", "Internal error."),
    )
}

/// The name of a built file of the citizen app (`prefix…suffix`, trunk's hashed names).
pub fn built_file(web_dir: &std::path::Path, prefix: &str, suffix: &str) -> Option<String> {
    built_file_in(&web_dir.join("app"), prefix, suffix)
}

/// The name of a built file in `dir` (`prefix…suffix`).
pub fn built_file_in(dir: &std::path::Path, prefix: &str, suffix: &str) -> Option<String> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(prefix) && n.ends_with(suffix))
}

/// The file of the module `name` built by `cargo xtask build-web` in `dir`: `{name}-{hash}{suffix}`,
/// the hash 16 hexadecimal digits (so `form-bind` is not taken for `form-bind-services`).
pub fn module_file_in(dir: &std::path::Path, name: &str, suffix: &str) -> Option<String> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| {
            n.strip_prefix(name)
                .and_then(|r| r.strip_prefix('-'))
                .and_then(|r| r.strip_suffix(suffix))
                .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        })
}

/// A JSON request body, or the 400 `json-syntax` answer saying why not (handlers hand back
/// ready responses as errors, see intake.rs).
#[allow(clippy::result_large_err)]
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "json-syntax",
            Text::new(
                format!("Nội dung gửi lên không hợp lệ: {e}"),
                format!("The request body is not valid: {e}"),
            ),
        )
    })
}

pub fn error(status: StatusCode, code: &str, message: Text) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

/// 413 when `data` has more than [`MAX_VALUES`] JSON values (it bounds the work of one check).
pub fn too_many_values(data: &Value) -> Option<Response> {
    (count_values(data, MAX_VALUES) > MAX_VALUES).then(|| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "data-too-large",
            Text::new(
                format!("Dữ liệu có hơn {MAX_VALUES} giá trị, quá lớn cho một tờ khai."),
                format!("The data has more than {MAX_VALUES} values, too many for one form."),
            ),
        )
    })
}

/// The number of JSON values in `v`, counting stops past `limit`.
fn count_values(v: &Value, limit: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n > limit {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::module_file_in;

    #[test]
    fn a_module_is_not_taken_for_another_whose_name_it_starts() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "form-bind-services-0123456789abcdef.js",
            "form-bind-services.js",
            "form-bind-fedcba9876543210.js",
            "form-bind.js",
        ] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let find = |name: &str| module_file_in(dir.path(), name, ".js");
        assert_eq!(
            find("form-bind").as_deref(),
            Some("form-bind-fedcba9876543210.js")
        );
        assert_eq!(
            find("form-bind-services").as_deref(),
            Some("form-bind-services-0123456789abcdef.js")
        );
        assert_eq!(find("form-sign"), None);
    }
}
