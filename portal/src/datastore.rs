//! The citizen's personal data store (design §4): `GET /datastore/v1/me/attributes?keys=…`
//! (only the keys asked for, each read logged), `PUT /datastore/v1/me/attributes` (declared
//! values, only with a consent record), `GET /datastore/v1/me/audit`. Every endpoint serves the
//! signed-in citizen's own store: there is no way to name another's.
// Handlers hand back ready responses as errors (see intake.rs).
#![allow(clippy::result_large_err)]

use crate::auth::{Signed, forbidden};
use crate::clock;
use crate::db::{AttributeRow, AuditEntry, Consent, Job};
use crate::keys::CATALOGUE;
use crate::reply::{error, internal};
use crate::state::AppState;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing;
use form_core::Text;
use form_core::datastore::Attribute;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The citizen's data store: attributes, the data log, mistake reports.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/datastore/v1/me/attributes",
            routing::get(read)
                .put(write)
                .delete(erase)
                .layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route("/datastore/v1/me/audit", routing::get(audit))
        .route(
            "/datastore/v1/me/reports",
            routing::post(report).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
}

/// Most keys in one read or write.
pub const MAX_KEYS: usize = 50;
/// Largest body of a write.
pub const MAX_BODY: usize = 64 * 1024;
/// Most audit entries shown.
const AUDIT_LIMIT: i64 = 500;

fn citizen(user: &Signed) -> Result<(), Response> {
    if user.is_official() {
        Err(forbidden())
    } else {
        Ok(())
    }
}

fn db_failed(e: &sqlx::Error) -> Response {
    tracing::error!(error = %e, "datastore");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "storage-unavailable",
        Text::new(
            "Kho dữ liệu tạm thời không sẵn sàng.",
            "The data store is unavailable for the moment.",
        ),
    )
}

fn unknown_keys(keys: &[&str]) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "unknown-keys",
        Text::new(
            format!("Không có trong danh mục dữ liệu: {}.", keys.join(", ")),
            format!("Not in the data catalogue: {}.", keys.join(", ")),
        ),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadQuery {
    keys: Option<String>,
    form_id: Option<String>,
    form_version: Option<i64>,
}

/// `GET /datastore/v1/me/attributes?keys=a,b&formId=&formVersion=`: the asked keys the store has,
/// each `{value, source, verified, updatedAt}`. The read is logged before the answer.
pub async fn read(
    State(state): State<AppState>,
    user: Signed,
    Query(q): Query<ReadQuery>,
) -> Response {
    if let Err(r) = citizen(&user) {
        return r;
    }
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Datastore, &user.0.id)
        .await
    {
        return r;
    }
    let keys: Vec<&str> = q
        .keys
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .collect();
    if keys.is_empty() || keys.len() > MAX_KEYS {
        return error(
            StatusCode::BAD_REQUEST,
            "keys-required",
            Text::new(
                format!("Cần tham số keys: 1 đến {MAX_KEYS} khóa, cách nhau bằng dấu phẩy."),
                format!("The keys parameter is needed: 1 to {MAX_KEYS} keys, comma-separated."),
            ),
        );
    }
    let unknown: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| CATALOGUE.get(k).is_none())
        .collect();
    if !unknown.is_empty() {
        return unknown_keys(&unknown);
    }
    let entry = AuditEntry {
        owner_id: user.0.id.clone(),
        kind: "read".into(),
        keys: serde_json::to_string(&keys).unwrap_or_default(),
        form_id: q.form_id.clone(),
        form_version: q.form_version,
    };
    // The log entry's commit and the read go on together; the answer waits for both.
    let (logged, rows) = tokio::join!(
        state.writer.run(Job::Audit(entry)),
        state.db.attributes(&user.0.id)
    );
    if let Err(e) = logged {
        tracing::error!(error = %e, "audit log");
        return internal();
    }
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return db_failed(&e),
    };
    let mut out = Map::new();
    for row in rows.into_iter().filter(|r| keys.contains(&r.key.as_str())) {
        out.insert(
            row.key.clone(),
            json!({
                "value": serde_json::from_str::<Value>(&row.value).unwrap_or(Value::Null),
                "source": row.source,
                "verified": row.verified,
                "updatedAt": clock::rfc3339(row.updated_at),
            }),
        );
    }
    // `subject`: whose store this is, so that a runtime keeps drafts per citizen on a shared
    // computer — stable, and opaque (a citizen's id holds their personal ID number).
    let subject = crate::encode::hex(&Sha256::digest(user.0.id.as_bytes())[..16]);
    Json(json!({"attributes": out, "subject": subject})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConsentBody {
    form_id: String,
    form_version: i64,
    given_at: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteBody {
    #[serde(default)]
    consent: Option<ConsentBody>,
    attributes: Map<String, Value>,
}

/// `PUT /datastore/v1/me/attributes` `{consent: {formId, formVersion, givenAt}, attributes}`:
/// keeps citizen-declared values for next time — only with the consent, only catalogue keys of
/// the right type, never over a verified value from a register.
pub async fn write(State(state): State<AppState>, user: Signed, body: Bytes) -> Response {
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Datastore, &user.0.id)
        .await
    {
        return r;
    }
    if let Err(r) = citizen(&user) {
        return r;
    }
    let b: WriteBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(consent) = b.consent else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "consent-required",
            Text::new(
                "Chỉ lưu khi có sự đồng ý của bạn (consent: biểu mẫu, phiên bản, thời điểm).",
                "Values are kept only with your consent (consent: form, version, time).",
            ),
        );
    };
    let known_form = matches!(
        state.catalog.get(&consent.form_id),
        Some(crate::Entry::Ready(_))
    );
    if !known_form || consent.given_at.trim().is_empty() || consent.given_at.len() > 64 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "consent-invalid",
            Text::new(
                "Sự đồng ý phải nêu biểu mẫu có thật và thời điểm đồng ý.",
                "The consent must name a real form and when it was given.",
            ),
        );
    }
    if b.attributes.is_empty() || b.attributes.len() > MAX_KEYS {
        return error(
            StatusCode::BAD_REQUEST,
            "attributes-required",
            Text::new(
                format!("Cần 1 đến {MAX_KEYS} giá trị."),
                format!("1 to {MAX_KEYS} values are needed."),
            ),
        );
    }
    let unknown: Vec<&str> = b
        .attributes
        .keys()
        .map(String::as_str)
        .filter(|k| CATALOGUE.get(k).is_none())
        .collect();
    if !unknown.is_empty() {
        return unknown_keys(&unknown);
    }
    let current = match state.db.attributes(&user.0.id).await {
        Ok(r) => r,
        Err(e) => return db_failed(&e),
    };
    let mut problems = Vec::new();
    for (key, value) in &b.attributes {
        if let Err(t) = CATALOGUE.check(key, value) {
            problems.push(
                json!({"pointer": format!("/attributes/{key}"), "code": "type", "message": t}),
            );
        } else if current.iter().any(|a| a.key == *key && a.verified) {
            problems.push(json!({"pointer": format!("/attributes/{key}"), "code": "attribute-verified", "message": Text::new(
                "Giá trị này đã được xác thực từ cơ sở dữ liệu quốc gia; không thể thay bằng giá trị tự khai (hãy báo sai sót).",
                "This value is verified from a national register; it cannot be replaced by a declared one (report a mistake instead).",
            )}));
        }
    }
    if !problems.is_empty() {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": {"code": "attributes-invalid", "message": Text::new("Có giá trị không lưu được.", "Some values cannot be kept.")}, "diagnostics": problems})),
        )
            .into_response();
    }
    let values: Vec<(String, String)> = b
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    let consent = Consent {
        form_id: consent.form_id,
        form_version: consent.form_version,
        given_at: consent.given_at,
    };
    match state
        .db
        .declare_attributes(&user.0.id, &values, &consent, clock::now_ms())
        .await
    {
        Ok(()) => Json(json!({"stored": values.iter().map(|(k, _)| k).collect::<Vec<_>>()}))
            .into_response(),
        Err(e) => db_failed(&e),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReportBody {
    key: String,
    message: String,
    #[serde(default)]
    form_id: Option<String>,
    #[serde(default)]
    form_version: Option<i64>,
}

/// Longest report text, in characters.
pub const MAX_REPORT: usize = 2000;

/// `POST /datastore/v1/me/reports` `{key, message, formId?, formVersion?}`: the citizen reports
/// that a verified value of theirs is wrong. The report is kept for the register's keeper and
/// shows in the citizen's audit; the value itself stays as the register has it.
pub async fn report(State(state): State<AppState>, user: Signed, body: Bytes) -> Response {
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Datastore, &user.0.id)
        .await
    {
        return r;
    }
    if let Err(r) = citizen(&user) {
        return r;
    }
    let b: ReportBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if CATALOGUE.get(&b.key).is_none() {
        return unknown_keys(&[&b.key]);
    }
    let message = b.message.trim();
    if message.is_empty() || message.chars().count() > MAX_REPORT {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "message-required",
            Text::new(
                format!("Hãy cho biết điều gì sai (tối đa {MAX_REPORT} ký tự)."),
                format!("Say what is wrong (at most {MAX_REPORT} characters)."),
            ),
        );
    }
    let form = b.form_id.as_deref().zip(b.form_version);
    match state
        .db
        .report_mistake(&user.0.id, &b.key, message, form, clock::now_ms())
        .await
    {
        Ok(()) => (
            StatusCode::CREATED,
            Json(json!({"key": b.key, "status": "open"})),
        )
            .into_response(),
        Err(e) => db_failed(&e),
    }
}

/// A citizen's whole store as form-core takes it (the intake's lock check; not a disclosure,
/// so not logged as a read).
pub async fn attributes_of(
    db: &crate::db::Db,
    owner: &str,
) -> Result<std::collections::BTreeMap<String, Attribute>, sqlx::Error> {
    Ok(db
        .attributes(owner)
        .await?
        .into_iter()
        .map(|r| {
            let value = serde_json::from_str::<Value>(&r.value).unwrap_or(Value::Null);
            (
                r.key,
                Attribute {
                    value,
                    source: r.source,
                    verified: r.verified,
                    updated_at: clock::rfc3339(r.updated_at),
                },
            )
        })
        .collect())
}

/// `GET /datastore/v1/me/audit`: every read and write of the citizen's store, newest first.
pub async fn audit(
    State(state): State<AppState>,
    user: Signed,
    Query(q): Query<AuditQuery>,
) -> Response {
    if let Err(r) = citizen(&user) {
        return r;
    }
    let limit = q.limit.unwrap_or(AUDIT_LIMIT).clamp(1, AUDIT_LIMIT);
    // The cursor `<at ms>.<how many at that ms were shown>`.
    let before = match q.before.as_deref() {
        None => None,
        Some(c) => match c
            .split_once('.')
            .and_then(|(a, k)| Some((a.parse::<i64>().ok()?, k.parse::<i64>().ok()?)))
        {
            Some(cursor) => Some(cursor),
            None => return crate::reply::cursor_invalid(),
        },
    };
    match state.db.audit(&user.0.id, before, limit).await {
        Ok(rows) => {
            let next = (i64::try_from(rows.len()).unwrap_or(0) == limit)
                .then(|| rows.last())
                .flatten()
                .map(|last| {
                    // How many of the last `at` this page and the ones before showed.
                    let here = rows.iter().filter(|r| r.at == last.at).count() as i64;
                    let earlier = before.filter(|(a, _)| *a == last.at).map_or(0, |(_, k)| k);
                    format!(
                        "/datastore/v1/me/audit?limit={limit}&before={}.{}",
                        last.at,
                        here + earlier
                    )
                });
            Json(
                json!({"next": next, "entries": rows.into_iter().map(|r| json!({
            "at": clock::rfc3339(r.at),
            "kind": r.kind,
            "keys": serde_json::from_str::<Value>(&r.keys).unwrap_or(Value::Null),
            "formId": r.form_id,
            "formVersion": r.form_version,
        })).collect::<Vec<_>>()}),
            )
            .into_response()
        }
        Err(e) => db_failed(&e),
    }
}

/// `DELETE /datastore/v1/me/attributes[?keys=a,b]`: the citizen withdraws their consent and
/// erases what they declared under those keys (everything they declared without `keys`);
/// values from registers and the identity provider are not theirs to erase and stay. 200
/// `{erased: [keys]}`; the erasure is in their data log (`kind: erase`).
pub async fn erase(
    State(state): State<AppState>,
    user: Signed,
    Query(q): Query<ReadQuery>,
) -> Response {
    if let Err(r) = citizen(&user) {
        return r;
    }
    if let Err(r) = state
        .limits
        .check(crate::limits::Kind::Datastore, &user.0.id)
        .await
    {
        return r;
    }
    let keys: Vec<String> = q
        .keys
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect();
    match state
        .db
        .erase_declared(&user.0.id, &keys, clock::now_ms())
        .await
    {
        Ok(erased) => Json(json!({"erased": erased})).into_response(),
        Err(e) => db_failed(&e),
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<String>,
    limit: Option<i64>,
}

/// One register value of a demo citizen: (source, key, value).
type Seed = (&'static str, &'static str, Value);

/// The demo citizens' register data (development mode): identity from the national population
/// database, a household with members, a household business from the enterprise registry.
pub fn demo_attributes() -> Vec<(&'static str, Vec<Seed>)> {
    const NPDB: &str = "national-population-db";
    const ERB: &str = "enterprise-registry";
    let person =
        |name: &str, dob: &str, sex: &str, pid: &str, origin: &str, addr: Value| -> Vec<Seed> {
            vec![
                (NPDB, "citizen.idNumber", json!(pid)),
                (NPDB, "citizen.fullName", json!(name)),
                (NPDB, "citizen.dateOfBirth", json!(dob)),
                (NPDB, "citizen.sex", json!(sex)),
                (NPDB, "citizen.nationality", json!("Việt Nam")),
                (NPDB, "citizen.ethnicity", json!("Kinh")),
                (NPDB, "citizen.placeOfOrigin", json!(origin)),
                (NPDB, "citizen.permanentAddress", addr.clone()),
                (NPDB, "citizen.currentAddress", addr),
            ]
        };
    let mut an = person(
        "Nguyễn Văn An",
        "1990-03-14",
        "nam",
        "001090012345",
        "Xã Thư Lâm, Thành phố Hà Nội",
        json!({"province": "01", "commune": "00004", "street": "Số 12 phố Đội Cấn"}),
    );
    an.push((
        NPDB,
        "household.head",
        json!({"fullName": "Nguyễn Văn An", "idNumber": "001090012345", "relationship": "chu-ho"}),
    ));
    an.push((NPDB, "household.members", json!([
        {"fullName": "Trần Thị Mai", "dateOfBirth": "1992-07-02", "sex": "nu", "idNumber": "001192004567", "relationship": "vo"},
        {"fullName": "Nguyễn Minh Khôi", "dateOfBirth": "2018-09-02", "sex": "nam", "idNumber": "001218007654", "relationship": "con"}
    ])));
    let mut binh = person(
        "Trần Thị Bình",
        "1985-11-20",
        "nu",
        "056185004321",
        "Phường Nha Trang, Tỉnh Khánh Hòa",
        json!({"province": "56", "commune": "22366", "street": "Số 5 đường Trần Phú"}),
    );
    binh.extend([
        (ERB, "enterprise.name", json!("Hộ kinh doanh Bình Minh")),
        (ERB, "enterprise.registrationNumber", json!("37A8012345")),
        (
            ERB,
            "enterprise.address",
            json!({"province": "56", "commune": "22366", "street": "Số 18 đường Thái Nguyên"}),
        ),
        (ERB, "enterprise.phone", json!("0258 3812 345")),
    ]);
    vec![
        ("citizen-an", an),
        ("citizen-binh", binh),
        (
            "citizen-cuong",
            person(
                "Lê Minh Cường",
                "2001-05-09",
                "nam",
                "079201007788",
                "Phường Thủ Dầu Một, Thành phố Hồ Chí Minh",
                json!({"province": "79", "commune": "25747", "street": "Số 40 đường Bạch Đằng"}),
            ),
        ),
        (
            "citizen-dung",
            person(
                "Phạm Thị Dung",
                "1995-01-30",
                "nu",
                "048195003344",
                "Phường Hải Vân, Thành phố Đà Nẵng",
                json!({"province": "48", "commune": "20194", "street": "Tổ 7, đường Nguyễn Lương Bằng"}),
            ),
        ),
        (
            "citizen-em",
            person(
                "Hoàng Văn Em",
                "1988-12-12",
                "nam",
                "001088009911",
                "Phường Ngọc Hà, Thành phố Hà Nội",
                json!({"province": "01", "commune": "00008", "street": "Số 3 ngõ 12 phố Ngọc Hà"}),
            ),
        ),
    ]
}

/// Stores the demo citizens' register data (keeps what a store already has).
pub async fn seed_demo(db: &crate::db::Db) -> Result<(), sqlx::Error> {
    // The registers' "last updated": a fixed day, as register data is not changed by the demo.
    let updated_at = 1_751_328_000_000; // 2025-07-01T00:00:00Z
    for (owner, attributes) in demo_attributes() {
        for (source, key, value) in attributes {
            let row = AttributeRow {
                key: key.into(),
                value: value.to_string(),
                source: source.into(),
                verified: true,
                updated_at,
            };
            db.seed_attribute(owner, &row).await?;
        }
    }
    Ok(())
}
