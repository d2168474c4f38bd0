//! The portal's verification report in words: the verdict (the ETSI indication in plain
//! language), each check's name and status, and the revocation evidence.

use crate::i18n::time_text;
use form_core::Text;
use serde_json::Value;

/// The verdict in plain words (the ETSI indication beside it for the specialist).
pub(crate) fn verdict_text(report: &Value) -> Text {
    match (
        report["indication"].as_str(),
        report["subIndication"].as_str(),
    ) {
        (None, _) => Text::new(
            "Cổng đã xác minh chữ ký khi tiếp nhận.",
            "The portal verified the signature on receipt.",
        ),
        (Some("TOTAL-PASSED"), _) => Text::new(
            "Hợp lệ: chữ ký đúng, chứng thư số còn hiệu lực và chưa bị thu hồi khi cổng tiếp nhận.",
            "Valid: the signature is correct, and the certificate was in force and not revoked when the portal received it.",
        ),
        (Some("INDETERMINATE"), Some("TRY_LATER")) if report["recheck"].as_bool() == Some(true) => {
            Text::new(
                "Chưa xác định: chưa tra cứu được tình trạng thu hồi của chứng thư số. Hồ sơ đã được tiếp nhận; cổng đang tự kiểm tra lại.",
                "Not yet determined: the certificate's revocation status could not be had. The dossier was received; the portal keeps checking.",
            )
        }
        (Some("INDETERMINATE"), _) => Text::new(
            "Chưa xác định được chữ ký có hợp lệ hay không; cán bộ cần xem chi tiết trước khi dựa vào chữ ký.",
            "Whether the signature is valid could not be determined; officials should read the details before relying on it.",
        ),
        (Some(_), _) => Text::new(
            "Không hợp lệ: xem chi tiết các bước kiểm tra.",
            "Not valid: see every check, in detail.",
        ),
    }
}

/// "Nguyễn Văn An: not revoked (OCSP, 10:00 05/12/2026)".
pub(crate) fn revocation_text(r: &Value) -> Text {
    let who = r["certificate"].as_str().unwrap_or_default();
    let source = r["source"].as_str().unwrap_or_default().to_uppercase();
    let when = time_text(r["thisUpdate"].as_str().unwrap_or_default());
    match r["status"].as_str() {
        Some("good") => Text::new(
            format!("{who}: chưa bị thu hồi ({source}, {when})"),
            format!("{who}: not revoked ({source}, {when})"),
        ),
        Some("revoked") => {
            let at = time_text(r["revokedAt"].as_str().unwrap_or_default());
            Text::new(
                format!("{who}: đã bị thu hồi lúc {at} ({source})"),
                format!("{who}: revoked at {at} ({source})"),
            )
        }
        _ => Text::new(
            format!("{who}: không rõ ({source})"),
            format!("{who}: unknown ({source})"),
        ),
    }
}

pub(crate) fn check_name(id: &str) -> Text {
    match id {
        "format" => Text::new("Định dạng chữ ký (CAdES)", "Signature format (CAdES)"),
        "digest" => Text::new("Nội dung không bị thay đổi", "Content unchanged (digest)"),
        "signature" => Text::new("Chữ ký đúng với khóa", "Signature matches the key"),
        "signing-certificate" => Text::new("Chứng thư số của người ký", "The signer's certificate"),
        "key-usage" => Text::new("Chứng thư số dùng để ký", "Certificate usable for signing"),
        "chain" => Text::new(
            "Dẫn tới tổ chức được tin cậy",
            "Leads to a trusted authority",
        ),
        "validity" => Text::new("Còn hiệu lực khi tiếp nhận", "In force at receipt"),
        "signing-time" => Text::new("Thời điểm ký hợp lý", "Signing time plausible"),
        "revocation" => Text::new("Chưa bị thu hồi", "Not revoked"),
        "signer-id" => Text::new("Đúng người nộp hồ sơ", "The applicant's own certificate"),
        "timestamp" => Text::new("Dấu thời gian", "Time-stamp"),
        other => Text::new(other, other),
    }
}

pub(crate) fn status_name(status: &str) -> Text {
    match status {
        "passed" => Text::new("Đạt", "Passed"),
        "failed" => Text::new("Không đạt", "Failed"),
        "indeterminate" => Text::new("Chưa xác định", "Not determined"),
        _ => Text::new("Không kiểm tra", "Not checked"),
    }
}
