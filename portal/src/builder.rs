//! The builder's API (issue 9, `/api/v1/builder/…`), for officials only, each seeing and editing
//! only their own agency's forms (another agency's form is 404; citizens get 403): a form's
//! draft is saved as the official works (it may have errors: the diagnostics come back with
//! every save) with a revision number so that two tabs never overwrite each other silently;
//! publishing runs the full check, refuses while any error remains, and makes the draft an
//! immutable version — its text in `form_versions`, with who, when and what changed from the
//! version before — which citizens get from then on (dossiers keep the version they were
//! filled against).
// Handlers hand back ready responses as errors (see intake.rs).
#![allow(clippy::result_large_err)]

use crate::auth::{Signed, forbidden};
use crate::catalog::Entry;
use crate::db::{DraftRow, PublicationRow};
use crate::reply::{error, parse_body};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing;
use form_core::{Definition, Diagnostic, Text};
use serde::Deserialize;
use serde_json::{Value, json};

/// The builder's API: drafts of forms, publishing, published versions.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/builder/forms",
            routing::get(list)
                .post(create)
                .layer(DefaultBodyLimit::max(MAX_DEFINITION + 4096)),
        )
        .route(
            "/api/v1/builder/forms/{id}",
            routing::get(get)
                .put(save)
                .layer(DefaultBodyLimit::max(MAX_DEFINITION + 4096)),
        )
        .route(
            "/api/v1/builder/forms/{id}/publish",
            routing::post(publish).layer(DefaultBodyLimit::max(1024)),
        )
        .route(
            "/api/v1/builder/forms/{id}/versions/{version}",
            routing::get(version),
        )
}

/// Largest definition the builder takes (a 300-field form is about 150 KB).
pub const MAX_DEFINITION: usize = 2 * 1024 * 1024;

fn db_failed(e: &sqlx::Error) -> Response {
    tracing::error!(error = %e, "builder");
    crate::reply::internal()
}

/// The official's agency (citizens and agencies' systems: 403).
fn agency_of(user: &Signed) -> Result<String, Response> {
    match (&user.0.agency_code, user.is_official()) {
        (Some(a), true) if !crate::auth::is_service(&user.0) => Ok(a.clone()),
        _ => Err(forbidden()),
    }
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "form-not-found",
        Text::new(
            "Không có biểu mẫu này trong cơ quan của bạn.",
            "Your agency has no such form.",
        ),
    )
}

/// A form id: lower-case letters, digits and hyphens, 1–64 characters, starting with a letter.
fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The agency a catalog form belongs to (its `agencyCode`, else the portal's default).
fn catalog_agency(state: &AppState, entry: &Entry) -> Option<String> {
    match entry {
        Entry::Ready(r) => Some(
            r.form
                .definition()
                .agency_code
                .clone()
                .unwrap_or_else(|| state.config.default_agency.clone()),
        ),
        Entry::Broken { .. } => None,
    }
}

/// Every diagnostic of a definition text, as publishing would check it (off the async
/// workers, with a deadline: see `work`).
async fn diagnose(id: &str, text: &str) -> Result<Vec<Diagnostic>, Response> {
    let (name, text) = (format!("{id}.json"), text.to_owned());
    crate::work::cpu(crate::work::DEADLINE, move || {
        crate::catalog::check(&name, &text).1
    })
    .await
}

fn has_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(Diagnostic::is_error)
}

fn publication_json(p: &PublicationRow) -> Value {
    json!({
        "version": p.version,
        "publishedAt": crate::clock::rfc3339(p.published_at),
        "publishedBy": p.published_by,
        "changes": serde_json::from_str::<Value>(&p.changes).unwrap_or(Value::Null),
    })
}

/// The draft of `id` if it is the official's agency's (else 404).
async fn own_draft(state: &AppState, agency: &str, id: &str) -> Result<DraftRow, Response> {
    match state.db.builder_draft(id).await {
        Ok(Some(d)) if d.agency_code == agency => Ok(d),
        Ok(_) => Err(not_found()),
        Err(e) => Err(db_failed(&e)),
    }
}

/// `GET /api/v1/builder/forms`: the agency's forms — those with a draft in the builder and the
/// catalog's forms of the agency (editable by starting a draft) — with their versions.
pub async fn list(State(state): State<AppState>, user: Signed) -> Response {
    let agency = match agency_of(&user) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let drafts = match state.db.builder_drafts(&agency).await {
        Ok(d) => d,
        Err(e) => return db_failed(&e),
    };
    let mut forms = Vec::new();
    let mut ids: Vec<String> = drafts.iter().map(|d| d.form_id.clone()).collect();
    for (id, entry) in state.catalog.snapshot() {
        if catalog_agency(&state, &entry).as_deref() == Some(agency.as_str()) && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids.sort();
    for id in ids {
        let draft = drafts.iter().find(|d| d.form_id == id);
        let published = match state.db.publications(&id).await {
            Ok(p) => p,
            Err(e) => return db_failed(&e),
        };
        let live = match state.catalog.get(&id) {
            Some(Entry::Ready(r)) => Some(r.form.definition().clone()),
            _ => None,
        };
        let title = draft
            .and_then(|d| serde_json::from_str::<Value>(&d.draft).ok())
            .and_then(|v| serde_json::from_value::<Text>(v["title"].clone()).ok())
            .or_else(|| live.as_ref().map(|d| d.title.clone()));
        forms.push(json!({
            "id": id,
            "title": title,
            "liveVersion": live.as_ref().map(|d| d.version),
            "draft": draft.map(|d| json!({"rev": d.rev, "updatedAt": crate::clock::rfc3339(d.updated_at), "updatedBy": d.updated_by})),
            "versions": published.iter().map(publication_json).collect::<Vec<_>>(),
        }));
    }
    Json(json!({"agency": agency, "forms": forms})).into_response()
}

/// A new form's skeleton: one page, one section, no field yet.
fn skeleton(id: &str, agency: &str) -> Value {
    json!({
        "id": id,
        "version": 1,
        "title": {"vi": "Biểu mẫu mới", "en": "New form"},
        "agencyCode": agency,
        "dataSchema": {"type": "object", "properties": {}, "required": []},
        "pages": [{"id": "page-1", "title": {"vi": "Trang 1", "en": "Page 1"}, "sections": [
            {"id": "section-1", "title": {"vi": "Thông tin", "en": "Information"}, "items": []}
        ]}],
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    id: String,
    /// An imported definition (any content: its diagnostics come back).
    #[serde(default)]
    definition: Option<Value>,
}

/// `POST /api/v1/builder/forms {id, definition?}`: starts a draft — the imported definition, else
/// the catalog form of that id (the next version of it), else a skeleton. 409 when the form
/// has a draft already or belongs to another agency.
pub async fn create(State(state): State<AppState>, user: Signed, body: Bytes) -> Response {
    let agency = match agency_of(&user) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let b: CreateBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !valid_id(&b.id) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "form-id",
            Text::new(
                "Mã biểu mẫu chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 64 ký tự), bắt đầu bằng chữ.",
                "A form id has lower-case letters, digits and hyphens only (at most 64), starting with a letter.",
            ),
        );
    }
    let existing = state.catalog.get(&b.id);
    if let Some(e) = &existing
        && catalog_agency(&state, e).as_deref() != Some(agency.as_str())
    {
        return taken();
    }
    let mut definition = match (b.definition, &existing) {
        (Some(d), _) => d,
        (None, Some(Entry::Ready(r))) => {
            let mut d = serde_json::to_value(r.form.definition()).unwrap_or_default();
            d["version"] = json!(r.form.definition().version + 1);
            d
        }
        (None, _) => skeleton(&b.id, &agency),
    };
    if let Some(o) = definition.as_object_mut() {
        o.insert("id".into(), json!(b.id));
    }
    let text = definition.to_string();
    if text.len() > MAX_DEFINITION {
        return too_large();
    }
    let row = DraftRow {
        form_id: b.id.clone(),
        agency_code: agency,
        draft: text.clone(),
        rev: 1,
        updated_at: crate::clock::now_ms(),
        updated_by: user.0.id.clone(),
    };
    let diagnostics = match diagnose(&b.id, &text).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match state.db.create_draft(&row).await {
        Ok(true) => (
            StatusCode::CREATED,
            Json(
                json!({"id": b.id, "rev": 1, "definition": definition, "diagnostics": diagnostics}),
            ),
        )
            .into_response(),
        Ok(false) => taken(),
        Err(e) => db_failed(&e),
    }
}

fn taken() -> Response {
    error(
        StatusCode::CONFLICT,
        "form-exists",
        Text::new(
            "Mã biểu mẫu này đã được dùng.",
            "This form id is already in use.",
        ),
    )
}

fn too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "definition-too-large",
        Text::new(
            "Định nghĩa biểu mẫu quá lớn (tối đa 2 MB).",
            "The form definition is too large (2 MB at most).",
        ),
    )
}

/// `GET /api/v1/builder/forms/{id}`: the draft (`definition`, `rev`, `diagnostics`) and the
/// published versions with what changed in each.
pub async fn get(State(state): State<AppState>, user: Signed, Path(id): Path<String>) -> Response {
    let agency = match agency_of(&user) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let draft = match own_draft(&state, &agency, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let published = match state.db.publications(&id).await {
        Ok(p) => p,
        Err(e) => return db_failed(&e),
    };
    let diagnostics = match diagnose(&id, &draft.draft).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    Json(json!({
        "id": id,
        "rev": draft.rev,
        "updatedAt": crate::clock::rfc3339(draft.updated_at),
        "updatedBy": draft.updated_by,
        "definition": serde_json::from_str::<Value>(&draft.draft).unwrap_or(Value::Null),
        "diagnostics": diagnostics,
        "versions": published.iter().map(publication_json).collect::<Vec<_>>(),
    }))
    .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    rev: i64,
    definition: Value,
}

fn stale(current: i64) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({"error": {"code": "stale-draft", "message": Text::new(
            "Bản nháp đã được lưu ở nơi khác (một thẻ hoặc người khác) sau khi bạn mở. Hãy tải lại để xem bản mới nhất.",
            "The draft was saved elsewhere (another tab or person) since you opened it. Reload to see the latest.",
        )}, "rev": current})),
    )
        .into_response()
}

/// `PUT /api/v1/builder/forms/{id} {rev, definition}`: saves the draft over revision `rev` (409
/// `stale-draft` with the current revision otherwise) → `{rev, diagnostics}`. Errors in the
/// definition do not stop a save: work in progress is never lost.
pub async fn save(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let agency = match agency_of(&user) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let current = match own_draft(&state, &agency, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let mut b: SaveBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(o) = b.definition.as_object_mut() else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "definition-not-object",
            Text::new(
                "Định nghĩa biểu mẫu phải là một đối tượng JSON.",
                "A form definition is a JSON object.",
            ),
        );
    };
    // The id is the form's; it cannot change in a draft.
    o.insert("id".into(), json!(id));
    let text = b.definition.to_string();
    let diagnostics = match diagnose(&id, &text).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    match state
        .db
        .save_draft(&id, b.rev, &text, crate::clock::now_ms(), &user.0.id)
        .await
    {
        Ok(Some(rev)) => Json(json!({"rev": rev, "diagnostics": diagnostics})).into_response(),
        Ok(None) => match state.db.builder_draft(&id).await {
            Ok(d) => stale(d.map_or(current.rev, |d| d.rev)),
            Err(e) => db_failed(&e),
        },
        Err(e) => db_failed(&e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishBody {
    rev: i64,
}

/// `POST /api/v1/builder/forms/{id}/publish {rev}`: publishes the draft at revision `rev` as the
/// next version (its `version` and `agencyCode` set by the portal): 422 `definition-invalid`
/// with every diagnostic while an error remains; 201 `{version, changes}`.
pub async fn publish(
    State(state): State<AppState>,
    user: Signed,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let agency = match agency_of(&user) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let draft = match own_draft(&state, &agency, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let b: PublishBody = match parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if b.rev != draft.rev {
        return stale(draft.rev);
    }
    let published = match state.db.publications(&id).await {
        Ok(p) => p,
        Err(e) => return db_failed(&e),
    };
    // The version after the latest one citizens have had (the catalog's, or a publication).
    let previous: Option<Definition> = match state.catalog.get(&id) {
        Some(Entry::Ready(r)) => Some(r.form.definition().clone()),
        _ => None,
    };
    let version = previous
        .as_ref()
        .map(|d| i64::from(d.version))
        .max(published.first().map(|p| p.version))
        .unwrap_or(0)
        + 1;
    let mut definition: Value = serde_json::from_str(&draft.draft).unwrap_or(Value::Null);
    if let Some(o) = definition.as_object_mut() {
        o.insert("version".into(), json!(version));
        o.insert("agencyCode".into(), json!(agency));
    }
    let text = definition.to_string();
    let (entry, diagnostics) = {
        let (name, text) = (format!("{id}.json"), text.clone());
        match crate::work::cpu(crate::work::DEADLINE, move || {
            crate::catalog::check(&name, &text)
        })
        .await
        {
            Ok(checked) => checked,
            Err(r) => return r,
        }
    };
    let ready = match entry {
        Entry::Ready(r) if !has_errors(&diagnostics) => r,
        _ => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(
                    json!({"error": {"code": "definition-invalid", "message": Text::new(
                    "Chưa thể ban hành: biểu mẫu còn lỗi.",
                    "Not published: the form still has errors.",
                )}, "diagnostics": diagnostics}),
                ),
            )
                .into_response();
        }
    };
    let changes = match &previous {
        Some(p) => form_core::changes::summary(p, ready.form.definition()),
        None => form_core::changes::Summary::new_form(ready.form.definition()),
    };
    let changes_json = serde_json::to_string(&changes).unwrap_or_default();
    match state
        .db
        .publish(
            &id,
            version,
            &ready.json,
            &changes_json,
            crate::clock::now_ms(),
            &user.0.id,
        )
        .await
    {
        Ok(true) => {
            state.catalog.insert(&id, Entry::Ready(ready));
            tracing::info!(form = %id, version, by = %user.0.id, "published");
            (
                StatusCode::CREATED,
                Json(json!({"id": id, "version": version, "changes": changes})),
            )
                .into_response()
        }
        Ok(false) => stale(draft.rev),
        Err(e) => db_failed(&e),
    }
}

/// `GET /api/v1/builder/forms/{id}/versions/{version}`: a published version's definition.
pub async fn version(
    State(state): State<AppState>,
    user: Signed,
    Path((id, version)): Path<(String, i64)>,
) -> Response {
    let agency = match agency_of(&user) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if let Err(r) = own_draft(&state, &agency, &id).await {
        return r;
    }
    match state.db.form_version(&id, version).await {
        Ok(Some(text)) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            text,
        )
            .into_response(),
        Ok(None) => not_found(),
        Err(e) => db_failed(&e),
    }
}
