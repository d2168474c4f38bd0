//! Words for citizens: the runtime's own strings live with the HTML renderer (`form-html`),
//! which the portal uses too (one table for the browser and the server); and times as the
//! citizen reads them.

pub use form_html::Ui;

/// `2026-11-26T00:01:21.454+07:00` → `00:01, 26/11/2026` (the portal gives Vietnam time).
pub fn time_text(rfc3339: &str) -> String {
    match (
        rfc3339.get(0..4),
        rfc3339.get(5..7),
        rfc3339.get(8..10),
        rfc3339.get(11..16),
    ) {
        (Some(y), Some(m), Some(d), Some(hm)) => format!("{hm}, {d}/{m}/{y}"),
        _ => rfc3339.to_owned(),
    }
}
