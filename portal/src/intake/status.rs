//! What happens to a dossier after it is filed: the official's status changes and results, and
//! the citizen's rating.

use crate::auth::{Signed, forbidden};
use crate::clock;
use crate::db::{RateOutcome, StatusChange, StatusOutcome};
use crate::intake::common::*;
use crate::reply::error;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use form_core::Text;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StatusBody {
    status: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    result: Option<AttachmentRef>,
}

/// `POST /api/v1/dossiers/{code}/status` (officials of the dossier's agency): received, needs
/// supplement (with one message listing everything to add), result issued (with the result
/// document, coded `<dossier code>-KQ<n>`).
pub async fn set_status(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    if !user.is_official() {
        return forbidden();
    }
    let Some(agency) = user.0.agency_code.clone() else {
        return forbidden();
    };
    let b: StatusBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if !STATUSES.contains(&b.status.as_str()) {
        return bad_request(
            "status-unknown",
            Text::new(
                format!(
                    "Trạng thái \"{}\" không hợp lệ; chọn một trong: {}.",
                    b.status,
                    STATUSES.join(", ")
                ),
                format!(
                    "\"{}\" is not a status; use one of: {}.",
                    b.status,
                    STATUSES.join(", ")
                ),
            ),
        );
    }
    let message = b
        .message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 4000) {
        return bad_request(
            "message-too-long",
            Text::new(
                "Nội dung tối đa 4000 ký tự.",
                "The message may have at most 4000 characters.",
            ),
        );
    }
    if b.status == "needs-supplement" && message.is_none() {
        return bad_request(
            "message-required",
            Text::new(
                "Yêu cầu bổ sung cần một thông báo nêu đầy đủ các giấy tờ, nội dung cần bổ sung.",
                "A request for a supplement needs one message listing everything to add.",
            ),
        );
    }
    let attachment = match (&b.status[..], &b.result) {
        ("result-issued", None) => {
            return bad_request(
                "result-required",
                Text::new(
                    "Cần đính kèm văn bản kết quả.",
                    "Attach the result document.",
                ),
            );
        }
        ("result-issued", Some(r)) => match state.db.uploaded_blob(&r.sha256, &user.0.id).await {
            Ok(Some(_)) => Some(r.sha256.clone()),
            Ok(None) => {
                return bad_request(
                    "file-unknown",
                    Text::new(
                        "Không tìm thấy văn bản kết quả bạn đã tải lên.",
                        "The result document you uploaded cannot be found.",
                    ),
                );
            }
            Err(e) => return db_failed(&e),
        },
        (_, Some(_)) => {
            return bad_request(
                "result-unexpected",
                Text::new(
                    "Chỉ đính kèm văn bản khi trả kết quả.",
                    "A document is attached only when issuing the result.",
                ),
            );
        }
        _ => None,
    };
    let change = StatusChange {
        code: code.clone(),
        agency_code: agency,
        actor_id: user.0.id.clone(),
        status: b.status.clone(),
        message,
        attachment,
    };
    match state.db.set_status(&change, clock::now_ms()).await {
        Ok(StatusOutcome::Set { result_code }) => {
            Json(json!({"status": b.status, "resultCode": result_code})).into_response()
        }
        Ok(StatusOutcome::NotFound) => not_found(&code),
        Ok(StatusOutcome::Closed) => error(
            StatusCode::CONFLICT,
            "dossier-closed",
            Text::new(
                "Hồ sơ đã có kết quả.",
                "The dossier already has its result.",
            ),
        ),
        Ok(StatusOutcome::AwaitingCoSignature) => error(
            StatusCode::CONFLICT,
            "awaiting-co-signature",
            Text::new(
                "Công dân đã bổ sung hồ sơ và bản bổ sung đang chờ những người cùng ký; hãy xử lý khi bản bổ sung đã đủ chữ ký hoặc hết hạn.",
                "The citizen amended the dossier and the amendment awaits its co-signers; act once it is fully signed or its deadline has passed.",
            ),
        ),
        Err(e) => db_failed(&e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatingBody {
    #[serde(default)]
    score: Option<i64>,
    #[serde(default)]
    comment: Option<String>,
}

/// `POST /api/v1/dossiers/{code}/rating` (the dossier's citizen, once): an optional 1–5 score
/// and comment, kept apart from any identity (Decree 42/2022 Art. 13.5.b).
pub async fn rate(
    State(state): State<AppState>,
    user: Signed,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    let b: RatingBody = match crate::reply::parse_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if b.score.is_some_and(|s| !(1..=5).contains(&s)) {
        return bad_request(
            "score-range",
            Text::new("Điểm đánh giá từ 1 đến 5.", "The score is from 1 to 5."),
        );
    }
    let comment = b
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        return bad_request(
            "comment-too-long",
            Text::new(
                "Góp ý tối đa 2000 ký tự.",
                "The comment may have at most 2000 characters.",
            ),
        );
    }
    if b.score.is_none() && comment.is_none() {
        return bad_request(
            "rating-empty",
            Text::new(
                "Hãy chọn điểm hoặc viết góp ý.",
                "Give a score or a comment.",
            ),
        );
    }
    // The service is rated once the agency has the dossier (not while co-signatures are
    // missing, nor after co-signing ended it).
    match state.db.dossier(&code).await {
        Ok(Some(d)) if d.owner_id == user.0.id && !d.with_agency() => {
            return error(
                StatusCode::CONFLICT,
                "not-at-agency",
                Text::new(
                    "Hồ sơ chưa tới cơ quan tiếp nhận nên chưa đánh giá được.",
                    "The dossier has not reached the agency, so it cannot be rated yet.",
                ),
            );
        }
        Ok(_) => {}
        Err(e) => return db_failed(&e),
    }
    match state
        .db
        .rate(
            &code,
            &user.0.id,
            b.score,
            comment.as_deref(),
            clock::now_ms(),
        )
        .await
    {
        Ok(RateOutcome::Recorded) => {
            (StatusCode::CREATED, Json(json!({"recorded": true}))).into_response()
        }
        Ok(RateOutcome::AlreadyRated) => error(
            StatusCode::CONFLICT,
            "already-rated",
            Text::new(
                "Bạn đã đánh giá hồ sơ này.",
                "You have already rated this dossier.",
            ),
        ),
        Ok(RateOutcome::NotFound) => not_found(&code),
        Err(e) => db_failed(&e),
    }
}

/// `GET /api/v1/ratings` (officials): their agency's ratings, anonymous.
pub async fn ratings(State(state): State<AppState>, user: Signed) -> Response {
    let (true, Some(agency)) = (user.is_official(), user.0.agency_code.as_deref()) else {
        return forbidden();
    };
    match state.db.ratings(agency).await {
        Ok(rows) => Json(Value::Array(
            rows.into_iter()
                .map(|(form, day, score, comment)| json!({"formId": form, "day": day, "score": score, "comment": comment}))
                .collect(),
        ))
        .into_response(),
        Err(e) => db_failed(&e),
    }
}
