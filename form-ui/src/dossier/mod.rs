//! Dossier pages: a dossier (the citizen's receipt, or the official's case view, with the data
//! read-only, history, QR code, print, download, amendment, rating, status actions) and the
//! lists (the citizen's dossiers, the agency's inbox).
//!
//! Long on purpose: the app's dossier screens (receipt, case view, lists), to be loaded apart from
//! the form page (issue 21, item 4); split with that.

pub(crate) mod summary;
pub(crate) mod verdict;

use summary::summary_table;
use verdict::{check_name, revocation_text, status_name, verdict_text};

use crate::fetch::{self, with_admin_units};
use crate::form_view::{FormView, Intake};
use crate::i18n::time_text;
use crate::session::{Me, tr};
use form_core::display::summary;
use form_core::{Form, Lang, Text, load};
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// A dossier as listed.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DossierSummary {
    pub code: String,
    pub form_id: String,
    pub form_version: u32,
    pub form_title: Option<Text>,
    pub agency: AgencyRef,
    pub received_at: String,
    pub status: String,
    pub status_at: String,
    pub versions: u32,
    pub results: u32,
    pub rated: bool,
    #[serde(default)]
    pub owner: Option<Owner>,
    /// When the submission reached the agency's back-office system (its webhook answered).
    #[serde(default)]
    pub delivered_at: Option<String>,
    /// `pending`: a signature was accepted while its revocation status is not known yet.
    #[serde(default)]
    pub signature_check: Option<String>,
    /// Awaiting co-signatures: of an amendment (the agency keeps the earlier version), not of
    /// a first submission.
    #[serde(default)]
    pub amendment_awaiting: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AgencyRef {
    pub code: String,
    pub name: Option<Text>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Owner {
    pub name: String,
}

/// A dossier with its versions and history.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Dossier {
    #[serde(flatten)]
    pub summary: DossierSummary,
    pub version_list: Vec<VersionView>,
    pub history: Vec<Event>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VersionView {
    pub version: u32,
    pub submitted_at: String,
    pub data: Value,
    #[serde(default)]
    pub attachments: Value,
    /// The verified signature's record (signer, signing time), when signed.
    #[serde(default)]
    pub signature: Option<Value>,
    /// The co-signers of this version and where each stands.
    #[serde(default)]
    pub co_signatures: Vec<Value>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub seq: u32,
    pub at: String,
    pub kind: String,
    pub status: String,
    pub by_official: bool,
    pub message: Option<String>,
    pub result_code: Option<String>,
    pub attachment: Option<String>,
}

/// A status in words.
pub fn status_text(status: &str) -> Text {
    match status {
        "submitted" => Text::new("Đã nộp, chờ tiếp nhận", "Submitted, awaiting the agency"),
        "received" => Text::new("Đã tiếp nhận, đang xử lý", "Received, in progress"),
        "needs-supplement" => Text::new("Cần bổ sung hồ sơ", "Supplement needed"),
        "result-issued" => Text::new("Đã có kết quả", "Result issued"),
        "awaiting-co-signature" => Text::new("Chờ người cùng ký", "Awaiting co-signatures"),
        "co-signature-declined" => Text::new(
            "Đã kết thúc: người cùng ký từ chối ký",
            "Ended: a co-signer declined to sign",
        ),
        "co-signature-expired" => Text::new(
            "Đã kết thúc: hết hạn mà chưa đủ chữ ký",
            "Ended: not all co-signers signed in time",
        ),
        other => Text::new(other, other),
    }
}

fn query_flag(name: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| {
            q.trim_start_matches('?')
                .split('&')
                .any(|kv| kv == name || kv.starts_with(&format!("{name}=")))
        })
}

/// What the dossier page shows.
#[derive(Clone)]
enum Loaded {
    Loading,
    Ready(Box<Dossier>, Arc<Form>),
    Missing(Text),
}

async fn load_dossier(code: &str) -> Loaded {
    let failed = || {
        Loaded::Missing(Text::new(
            "Không tải được hồ sơ.",
            "The dossier could not be loaded.",
        ))
    };
    let Ok(a) = fetch::request(&format!("/api/v1/dossiers/{code}"), None).await else {
        return failed();
    };
    if a.status != 200 {
        return Loaded::Missing(fetch::error_of(&a.body).unwrap_or_else(failed_text));
    }
    let Ok(d) = serde_json::from_str::<Dossier>(&a.body) else {
        return failed();
    };
    let url = format!(
        "/forms/{}/versions/{}",
        d.summary.form_id, d.summary.form_version
    );
    let Ok(def) = fetch::request(&url, None).await else {
        return failed();
    };
    let Some(form) = load(&def.body).form else {
        return failed();
    };
    match with_admin_units(form, "/refdata/admin-units.json").await {
        Some(form) => Loaded::Ready(Box::new(d), Arc::new(form)),
        None => failed(),
    }
}

fn failed_text() -> Text {
    Text::new("Không tải được hồ sơ.", "The dossier could not be loaded.")
}

/// `/d/{code}`: one dossier.
#[component]
pub fn DossierPage(code: String, lang: RwSignal<Lang>, me: Me) -> impl IntoView {
    let state = RwSignal::new(Loaded::Loading);
    let reload = {
        let code = code.clone();
        move || {
            let code = code.clone();
            leptos::task::spawn_local(async move {
                state.set(load_dossier(&code).await);
            });
        }
    };
    reload();
    let amending = RwSignal::new(false);
    let me = StoredValue::new(me);
    move || {
        match state.get() {
        Loaded::Loading => view! { <p class="ef-hint" aria-live="polite">{tr(lang, "Đang tải hồ sơ…", "Loading the dossier…")}</p> }.into_any(),
        Loaded::Missing(t) => view! { <p class="ef-panel ef-panel--warn" role="alert">{move || t.get(lang.get()).to_owned()}</p> }.into_any(),
        Loaded::Ready(d, form) if amending.get() => {
            let d = *d;
            let code = d.summary.code.clone();
            let latest = d.version_list.last().map(|v| v.data.clone());
            let user = me.with_value(|m| m.id.clone());
            let intake = Intake {
                url: format!("/api/v1/dossiers/{code}/amendments"),
                amendment: true,
                signed_in: true,
                sign_in_url: Some(crate::session::sign_in_url(&crate::session::here(), lang.get_untracked())),
                on_signed_out: None,
                on_done: UnsyncCallback::new(move |(c, _): (String, Value)| go(&format!("/d/{c}?amended=1"))),
            };
            view! {
                <div class="ef-panel" role="status">
                    <p>{tr(lang, "Bạn đang bổ sung, sửa hồ sơ", "You are amending dossier")}" "<strong>{code.clone()}</strong>". "
                    {tr(lang, "Mã hồ sơ giữ nguyên; bản trước vẫn được lưu.", "The code stays; the earlier version is kept.")}</p>
                    <button type="button" class="ef-button ef-button--secondary" on:click=move |_| amending.set(false)>{tr(lang, "Huỷ bổ sung", "Cancel the amendment")}</button>
                </div>
                <FormView form=form lang=lang services=crate::services::Services::portal() initial=latest intake=Some(intake) draft_subject=Some(format!("{user}.amend.{code}")) />
            }
            .into_any()
        }
        Loaded::Ready(d, form) => dossier_view(*d, form, lang, me.get_value(), amending, reload.clone()).into_any(),
    }
    }
}

fn go(path: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
}

fn dossier_view(
    d: Dossier,
    form: Arc<Form>,
    lang: RwSignal<Lang>,
    me: Me,
    amending: RwSignal<bool>,
    reload: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let s = d.summary.clone();
    let code = s.code.clone();
    let official = me.is_official();
    let title = s
        .form_title
        .clone()
        .unwrap_or_else(|| form.definition().title.clone());
    let agency_name = s.agency.name.clone();
    let status = s.status.clone();
    let closed = matches!(
        status.as_str(),
        "result-issued" | "co-signature-declined" | "co-signature-expired"
    );
    let status_class = format!("ef-status ef-status--{status}");
    let status_attr = status.clone();
    let status_attr2 = status.clone();
    let fresh = query_flag("new");
    let amended = query_flag("amended");
    let last = d.version_list.len().saturating_sub(1);
    let shown = RwSignal::new(last);
    let versions = StoredValue::new(d.version_list.clone());
    let code_for_sig = code.clone();
    let form_for_summary = form.clone();
    let summary_view = move || {
        let lang = lang.get();
        let i = shown.get();
        versions
            .with_value(|vs| vs.get(i).map(|v| summary(&form_for_summary, &v.data, lang)))
            .map(|s| summary_table(s, lang))
    };
    let version_switch = (d.version_list.len() > 1).then(|| {
        let list = d.version_list.clone();
        view! {
            <div class="ef-versions ef-no-print" role="group" aria-label=tr(lang, "Các phiên bản", "Versions")>
                {list.into_iter().enumerate().map(|(i, v)| {
                    let at = time_text(&v.submitted_at);
                    view! {
                        <button type="button" class="ef-button ef-button--secondary" aria-pressed=move || if shown.get() == i { "true" } else { "false" } on:click=move |_| shown.set(i)>
                            {tr(lang, "Phiên bản", "Version")}" "{v.version}" — "{at.clone()}
                        </button>
                    }
                }).collect_view()}
            </div>
        }
    });
    let history = d.history.clone();
    let owner = s.owner.clone();
    let qr_alt = {
        let code = code.clone();
        move || {
            Text::new(
                format!("Mã QR tra cứu hồ sơ {code}"),
                format!("QR code to look up dossier {code}"),
            )
            .get(lang.get())
            .to_owned()
        }
    };
    // Until the agency has it (co-signatures missing, or co-signing ended it), there is no
    // service to rate yet.
    let co_signing = matches!(
        status.as_str(),
        "awaiting-co-signature" | "co-signature-declined" | "co-signature-expired"
    );
    let rating = (!official && !s.rated && !co_signing).then(|| rating_form(code.clone(), lang));
    let actions = official.then(|| status_form(code.clone(), closed, lang, reload.clone()));
    view! {
        <article class="ef-dossier" data-testid="dossier" data-status=status_attr>
            <p class="ef-print-only ef-system">{tr(lang, "Cổng dịch vụ công — hệ thống thông tin giải quyết thủ tục hành chính (eform). Tra cứu hồ sơ bằng mã hồ sơ hoặc mã QR.", "Public service portal — administrative procedure information system (eform). Look the dossier up by its code or the QR code.")}</p>
            {(fresh && co_signing).then(|| view! {
                <div class="ef-panel ef-panel--ok" role="status" data-testid="received">
                    <h2>{move || form_html::Ui::received(true).get(lang.get())}</h2>
                    <p>{tr(lang, "Hãy ghi lại mã hồ sơ. Hồ sơ được chuyển tới cơ quan khi mọi người cùng ký đã ký (xem bên dưới).", "Keep the dossier code. It goes to the agency once every co-signer has signed (see below).")}</p>
                </div>
            })}
            {(fresh && !co_signing).then(|| view! {
                <div class="ef-panel ef-panel--ok" role="status" data-testid="received">
                    <h2>{move || form_html::Ui::received(false).get(lang.get())}</h2>
                    <p>{tr(lang, "Hãy ghi lại mã hồ sơ để tra cứu. Bạn có thể in hoặc tải phiếu này.", "Keep the dossier code to look it up. You can print or download this receipt.")}</p>
                </div>
            })}
            {amended.then(|| view! {
                <div class="ef-panel ef-panel--ok" role="status" data-testid="amended">
                    <p>{tr(lang, "Bản bổ sung đã được tiếp nhận; mã hồ sơ giữ nguyên.", "Your amendment has been received; the dossier code stays the same.")}</p>
                </div>
            })}
            <h1 class="ef-title">{move || if official { Text::new("Hồ sơ", "Dossier").get(lang.get()).to_owned() } else { Text::new("Phiếu tiếp nhận hồ sơ", "Dossier receipt").get(lang.get()).to_owned() }}</h1>
            <div class="ef-receipt">
                <dl class="ef-meta">
                    <dt>{tr(lang, "Mã hồ sơ", "Dossier code")}</dt>
                    <dd><strong class="ef-code" data-testid="dossier-code">{code.clone()}</strong></dd>
                    <dt>{tr(lang, "Thủ tục, biểu mẫu", "Form")}</dt>
                    <dd>{move || title.get(lang.get()).to_owned()}" ("{tr(lang, "phiên bản", "version")}" "{s.form_version}")"</dd>
                    <dt>{tr(lang, "Thời gian nộp", "Submitted")}</dt>
                    <dd>{time_text(&s.received_at)}</dd>
                    <dt>{tr(lang, "Cơ quan tiếp nhận", "Receiving agency")}</dt>
                    <dd>{move || agency_name.as_ref().map(|n| n.get(lang.get()).to_owned()).unwrap_or_default()}" ("{s.agency.code.clone()}")"</dd>
                    {owner.map(|o| view! { <dt>{tr(lang, "Người nộp", "Applicant")}</dt><dd>{o.name}</dd> })}
                    {s.delivered_at.clone().map(|at| view! {
                        <dt>{tr(lang, "Chuyển tới hệ thống của cơ quan", "Delivered to the agency's system")}</dt>
                        <dd data-testid="delivered-at">{time_text(&at)}</dd>
                    })}
                    <dt>{tr(lang, "Trạng thái", "Status")}</dt>
                    <dd><span class=status_class data-testid="status">{move || status_text(&status).get(lang.get()).to_owned()}</span></dd>
                </dl>
                <img class="ef-qr" src=format!("/api/v1/dossiers/{code}/qr.svg") alt=qr_alt width="160" height="160" />
            </div>
            <div class="ef-actions ef-no-print">
                <button type="button" class="ef-button ef-button--secondary" on:click=move |_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>{tr(lang, "In phiếu", "Print")}</button>
                <a class="ef-button ef-button--secondary" href=format!("/api/v1/dossiers/{code}/download") download=format!("{code}.json")>{tr(lang, "Tải hồ sơ (JSON)", "Download the dossier (JSON)")}</a>
                {(!official && !closed).then(|| view! {
                    <button type="button" class="ef-button" data-testid="amend" on:click=move |_| amending.set(true)>{tr(lang, "Bổ sung, sửa hồ sơ", "Amend the dossier")}</button>
                })}
            </div>
            {co_signing_panel(&code, &status_attr2, official, s.amendment_awaiting, lang)}
            {actions}
            <h2 class="ef-section__title">{tr(lang, "Quá trình xử lý", "History")}</h2>
            <ol class="ef-history" data-testid="history">
                {history.into_iter().map(|e| event_item(e, lang)).collect_view()}
            </ol>
            <h2 class="ef-section__title">{tr(lang, "Nội dung tờ khai", "What was declared")}</h2>
            {version_switch}
            <div data-testid="summary">{summary_view}</div>
            {move || signature_view(code_for_sig.clone(), versions.with_value(|vs| vs.get(shown.get()).cloned()), lang)}
            {move || versions.with_value(|vs| vs.get(shown.get()).map(|v| v.co_signatures.clone())).filter(|p| !p.is_empty()).map(|p| crate::cosign::parties_view(p, lang))}
            {rating}
        </article>
    }
}

/// While co-signatures are missing, the applicant's next step (the link to send); when a
/// co-signer declined or the deadline passed, what that means.
fn co_signing_panel(
    code: &str,
    status: &str,
    official: bool,
    amendment: bool,
    lang: RwSignal<Lang>,
) -> Option<AnyView> {
    match status {
        "awaiting-co-signature" if official => Some(view! {
            <div class="ef-panel" role="status" data-testid="awaiting-co-signature">
                <p>{tr(lang, "Công dân đã bổ sung hồ sơ; bản bổ sung đang chờ chữ ký của những người cùng ký. Hãy xử lý khi bản bổ sung đã đủ chữ ký hoặc hết hạn (khi đó hồ sơ trở lại trạng thái trước).", "The citizen amended the dossier; the amendment waits for its co-signers. Act once it is fully signed, or once its deadline passes (the dossier then returns to its earlier status).")}</p>
            </div>
        }.into_any()),
        "awaiting-co-signature" => {
            let origin = web_sys::window()
                .and_then(|w| w.location().origin().ok())
                .unwrap_or_default();
            let link = format!("{origin}/co-sign/{code}");
            let what = if amendment {
                Text::new("Bản bổ sung chỉ được chuyển tới cơ quan khi mọi người cùng ký đã ký số trước hạn; trong lúc chờ, cơ quan giữ bản trước. Họ thấy yêu cầu trong mục \"Hồ sơ của tôi\" khi đăng nhập; bạn cũng có thể gửi họ đường liên kết sau:", "The amendment goes to the agency once every co-signer has signed before the deadline; meanwhile the agency keeps the earlier version. They see the request under \"My dossiers\" when they sign in; you can also send them this link:")
            } else {
                Text::new("Hồ sơ chỉ được chuyển tới cơ quan khi mọi người cùng ký đã ký số trước hạn. Họ thấy yêu cầu trong mục \"Hồ sơ của tôi\" khi đăng nhập; bạn cũng có thể gửi họ đường liên kết sau:", "The dossier goes to the agency once every co-signer has signed before the deadline. They see the request under \"My dossiers\" when they sign in; you can also send them this link:")
            };
            Some(view! {
                <div class="ef-panel" role="status" data-testid="awaiting-co-signature">
                    <h2 class="ef-section__title">{tr(lang, "Chờ người cùng ký", "Waiting for the co-signers")}</h2>
                    <p>{move || what.get(lang.get()).to_owned()}</p>
                    <p><code class="ef-code" data-testid="co-sign-link">{link}</code></p>
                </div>
            }.into_any())
        }
        "co-signature-declined" | "co-signature-expired" => {
            let why = if status == "co-signature-declined" {
                Text::new("Một người cùng ký đã từ chối ký (xem lý do bên dưới), nên hồ sơ đã kết thúc và không được chuyển tới cơ quan. Nếu cần, hãy sửa nội dung và nộp hồ sơ mới.", "A co-signer declined to sign (the reason is below), so the dossier ended and did not go to the agency. If needed, correct it and submit a new dossier.")
            } else {
                Text::new("Đã hết hạn mà chưa đủ chữ ký của những người cùng ký, nên hồ sơ đã kết thúc và không được chuyển tới cơ quan. Hãy nộp hồ sơ mới khi mọi người sẵn sàng ký.", "The deadline passed before every co-signer had signed, so the dossier ended and did not go to the agency. Submit a new dossier when everyone is ready to sign.")
            };
            Some(view! {
                <div class="ef-panel ef-panel--warn" role="status" data-testid="co-signing-ended">
                    <p>{move || why.get(lang.get()).to_owned()}</p>
                </div>
            }.into_any())
        }
        _ => None,
    }
}

/// The digital signature of the version shown: who signed and when, and the signed pair to
/// download (for any agency tool: `openssl cms -verify … -cades`).
fn signature_view(
    code: String,
    v: Option<VersionView>,
    lang: RwSignal<Lang>,
) -> Option<impl IntoView> {
    let v = v?;
    let s = v.signature?;
    let name = s["signer"]["name"].as_str().unwrap_or_default().to_owned();
    let serial = s["signer"]["serialNumber"]
        .as_str()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let issuer = s["signer"]["issuer"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let at = time_text(s["signingTime"].as_str().unwrap_or_default());
    let base = format!("/api/v1/dossiers/{code}/signed");
    let q = format!("?version={}", v.version);
    let report = s["validation"].clone();
    let verdict = verdict_text(&report);
    let class = match report["indication"].as_str() {
        Some("TOTAL-PASSED") => "ef-status ef-status--result-issued",
        Some(_) => "ef-status ef-status--needs-supplement",
        None => "ef-status",
    };
    let code_line = report["indication"]
        .as_str()
        .map(|i| match report["subIndication"].as_str() {
            Some(sub) => format!("{i} / {sub}"),
            None => i.to_owned(),
        });
    let validated = report["validationTime"].as_str().map(time_text);
    let revocation: Vec<Text> = report["revocation"]
        .as_array()
        .into_iter()
        .flatten()
        .map(revocation_text)
        .collect();
    let checks: Vec<(String, String, Option<Text>)> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let detail = c["detail"].is_object().then(|| {
                Text::new(
                    c["detail"]["vi"].as_str().unwrap_or_default(),
                    c["detail"]["en"].as_str().unwrap_or_default(),
                )
            });
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["status"].as_str().unwrap_or_default().to_owned(),
                detail,
            )
        })
        .collect();
    let has_report = !report.is_null();
    Some(view! {
        <h2 class="ef-section__title">{tr(lang, "Chữ ký số", "Digital signature")}</h2>
        <dl class="ef-meta" data-testid="signature">
            <dt>{tr(lang, "Người ký", "Signed by")}</dt><dd>{name}{serial}</dd>
            <dt>{tr(lang, "Tổ chức cấp chứng thư", "Certificate issued by")}</dt><dd>{issuer}</dd>
            <dt>{tr(lang, "Thời điểm ký", "Signed at")}</dt><dd>{at}</dd>
            <dt>{tr(lang, "Kết quả kiểm tra", "Verification")}</dt>
            <dd data-testid="signature-verdict">
                <span class=class>{move || verdict.get(lang.get()).to_owned()}</span>
                {code_line.map(|c| view! { " "<code class="ef-muted">{c}</code> })}
            </dd>
            {validated.map(|t| view! {
                <dt>{tr(lang, "Kiểm tra lúc", "Verified at")}</dt><dd>{t}</dd>
            })}
            {(!revocation.is_empty()).then(|| view! {
                <dt>{tr(lang, "Tình trạng thu hồi", "Revocation status")}</dt>
                <dd><ul class="ef-plain-list">
                    {revocation.into_iter().map(|r| view! { <li>{move || r.get(lang.get()).to_owned()}</li> }).collect_view()}
                </ul></dd>
            })}
        </dl>
        {has_report.then(|| view! {
            <details class="ef-details" data-testid="signature-checks">
                <summary>{tr(lang, "Chi tiết các bước kiểm tra", "Every check, in detail")}</summary>
                <div class="ef-table-wrap"><table class="ef-table">
                    <thead><tr>
                        <th scope="col">{tr(lang, "Bước kiểm tra", "Check")}</th>
                        <th scope="col">{tr(lang, "Kết quả", "Result")}</th>
                        <th scope="col">{tr(lang, "Ghi chú", "Note")}</th>
                    </tr></thead>
                    <tbody>
                        {checks.into_iter().map(|(id, status, detail)| {
                            let name = check_name(&id);
                            let result = status_name(&status);
                            view! { <tr>
                                <td>{move || name.get(lang.get()).to_owned()}</td>
                                <td>{move || result.get(lang.get()).to_owned()}</td>
                                <td>{move || detail.as_ref().map(|d| d.get(lang.get()).to_owned()).unwrap_or_default()}</td>
                            </tr> }
                        }).collect_view()}
                    </tbody>
                </table></div>
            </details>
        })}
        <p class="ef-actions ef-no-print">
            <a class="ef-button ef-button--secondary" data-testid="download-content" href=format!("{base}/content.json{q}") download="content.json">{tr(lang, "Tải nội dung đã ký (content.json)", "Download the signed content (content.json)")}</a>
            <a class="ef-button ef-button--secondary" data-testid="download-signature" href=format!("{base}/signature.p7s{q}") download="signature.p7s">{tr(lang, "Tải chữ ký (signature.p7s)", "Download the signature (signature.p7s)")}</a>
            {has_report.then(|| view! {
                <a class="ef-button ef-button--secondary" data-testid="download-report" href=format!("{base}/validation-report.json{q}") download="validation-report.json">{tr(lang, "Tải báo cáo kiểm tra (JSON)", "Download the verification report (JSON)")}</a>
            })}
        </p>
    })
}

fn event_item(e: Event, lang: RwSignal<Lang>) -> impl IntoView {
    let what = match e.kind.as_str() {
        "submitted" => Text::new("Công dân nộp hồ sơ", "Submitted by the citizen"),
        "amended" => Text::new("Công dân bổ sung, sửa hồ sơ", "Amended by the citizen"),
        "co-signed" if e.status == "submitted" => Text::new(
            "Người cùng ký đã ký; đủ chữ ký, hồ sơ được chuyển tới cơ quan",
            "Signed by a co-signer; every signature is in, the dossier went to the agency",
        ),
        "co-signed" => Text::new("Người cùng ký đã ký", "Signed by a co-signer"),
        "co-signature-declined" => {
            Text::new("Người cùng ký từ chối ký", "A co-signer declined to sign")
        }
        "co-signature-expired" => Text::new(
            "Hết hạn cùng ký mà chưa đủ chữ ký",
            "The co-signing deadline passed without every signature",
        ),
        _ => {
            let s = status_text(&e.status);
            Text::new(format!("Cơ quan: {}", s.vi), format!("Agency: {}", s.en))
        }
    };
    let result = e.result_code.clone().map(|rc| {
        let href = e.attachment.clone().map(|a| format!("/api/v1/attachments/{a}"));
        view! {
            <p>{tr(lang, "Kết quả", "Result")}" "<strong>{rc.clone()}</strong>" "
                {href.map(|h| view! { <a href=h download=format!("{rc}.pdf")>{tr(lang, "Tải văn bản kết quả", "Download the result document")}</a> })}
            </p>
        }
    });
    view! {
        <li>
            <span class="ef-history__time">{time_text(&e.at)}</span>" — "
            <span>{move || what.get(lang.get()).to_owned()}</span>
            {e.message.map(|m| view! { <p class="ef-history__message">{m}</p> })}
            {result}
        </li>
    }
}

/// The satisfaction rating (Decree 42/2022 Art. 13.5.b): optional, anonymous.
fn rating_form(code: String, lang: RwSignal<Lang>) -> impl IntoView {
    let score = RwSignal::new(None::<u8>);
    let comment = RwSignal::new(String::new());
    let done = RwSignal::new(None::<bool>);
    let code = StoredValue::new(code);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut body = serde_json::Map::new();
        if let Some(s) = score.get_untracked() {
            body.insert("score".into(), s.into());
        }
        let c = comment.get_untracked();
        if !c.trim().is_empty() {
            body.insert("comment".into(), c.into());
        }
        if body.is_empty() {
            return;
        }
        let url = format!("/api/v1/dossiers/{}/rating", code.get_value());
        leptos::task::spawn_local(async move {
            let ok = fetch::request(&url, Some(&Value::Object(body).to_string()))
                .await
                .is_ok_and(|a| a.status == 201 || a.status == 409);
            done.set(Some(ok));
        });
    };
    view! {
        <section class="ef-panel ef-rating ef-no-print" aria-labelledby="ef-rating-title">
            <h2 id="ef-rating-title" class="ef-section__title">{tr(lang, "Đánh giá mức độ hài lòng", "How satisfied are you?")}</h2>
            {move || match done.get() {
                Some(true) => view! { <p role="status" data-testid="rated">{tr(lang, "Cảm ơn bạn đã đánh giá. Đánh giá không gắn với danh tính của bạn.", "Thank you. Your rating is not linked to your identity.")}</p> }.into_any(),
                _ => view! {
                    <form on:submit=submit>
                        <p class="ef-hint">{tr(lang, "Không bắt buộc. Đánh giá được lưu ẩn danh, không gắn với bạn hay hồ sơ.", "Optional. Ratings are kept anonymous, linked neither to you nor to the dossier.")}</p>
                        <fieldset class="ef-fieldset">
                            <legend class="ef-label">{tr(lang, "Điểm (1 = rất không hài lòng, 5 = rất hài lòng)", "Score (1 = very dissatisfied, 5 = very satisfied)")}</legend>
                            <div class="ef-choices ef-choices--inline">
                                {(1u8..=5).map(|n| view! {
                                    <label class="ef-choice"><input type="radio" name="ef-score" value=n.to_string() on:change=move |_| score.set(Some(n)) />" "{n}</label>
                                }).collect_view()}
                            </div>
                        </fieldset>
                        <label class="ef-label" for="ef-rating-comment">{tr(lang, "Góp ý", "Comment")}</label>
                        <textarea id="ef-rating-comment" class="ef-input" maxlength="2000" rows="3" on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        {move || (done.get() == Some(false)).then(|| view! { <p class="ef-error" role="alert">{tr(lang, "Chưa gửi được đánh giá; hãy thử lại.", "The rating was not sent; please try again.")}</p> })}
                        <button type="submit" class="ef-button ef-button--secondary">{tr(lang, "Gửi đánh giá", "Send the rating")}</button>
                    </form>
                }.into_any(),
            }}
        </section>
    }
}

/// The official's actions: received, needs supplement (one message listing everything), result
/// issued (with the result document).
fn status_form(
    code: String,
    closed: bool,
    lang: RwSignal<Lang>,
    reload: impl Fn() + Clone + 'static,
) -> impl IntoView {
    let choice = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let file = StoredValue::new_local(None::<web_sys::File>);
    let problem = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // The form element, emptied once the change is saved (the page is drawn again in
        // place: typed values would otherwise stay).
        let form_el: Option<web_sys::HtmlFormElement> = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into(t).ok());
        let status = choice.get_untracked();
        if status.is_empty() {
            problem.set(Some(Text::new("Chọn trạng thái.", "Choose a status.")));
            return;
        }
        let code = code.clone();
        let reload = reload.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let mut body = serde_json::json!({"status": status});
            let m = message.get_untracked();
            if !m.trim().is_empty() {
                body["message"] = Value::String(m);
            }
            if status == "result-issued" {
                let Some(f) = file.get_value() else {
                    problem.set(Some(Text::new(
                        "Chọn văn bản kết quả (PDF).",
                        "Choose the result document (PDF).",
                    )));
                    busy.set(false);
                    return;
                };
                let name = String::from(js_sys::encode_uri_component(&f.name()));
                match fetch::post_file(&format!("/api/v1/attachments?name={name}"), &f).await {
                    Ok(a) if a.status == 201 => {
                        let sha = serde_json::from_str::<Value>(&a.body)
                            .ok()
                            .and_then(|v| v.get("sha256").cloned());
                        body["result"] = serde_json::json!({"sha256": sha});
                    }
                    Ok(a) => {
                        problem.set(fetch::error_of(&a.body));
                        busy.set(false);
                        return;
                    }
                    Err(_) => {
                        problem.set(Some(Text::new(
                            "Không kết nối được; hãy thử lại.",
                            "Could not connect; please try again.",
                        )));
                        busy.set(false);
                        return;
                    }
                }
            }
            match fetch::request(
                &format!("/api/v1/dossiers/{code}/status"),
                Some(&body.to_string()),
            )
            .await
            {
                Ok(a) if a.status == 200 => {
                    if let Some(f) = &form_el {
                        f.reset();
                    }
                    choice.set(String::new());
                    message.set(String::new());
                    file.set_value(None);
                    problem.set(None);
                    reload();
                }
                Ok(a) => problem.set(fetch::error_of(&a.body)),
                Err(_) => problem.set(Some(Text::new(
                    "Không kết nối được; hãy thử lại.",
                    "Could not connect; please try again.",
                ))),
            }
            busy.set(false);
        });
    };
    let option = move |value: &'static str, label: Text| {
        view! {
            <label class="ef-choice">
                <input type="radio" name="ef-status" value=value on:change=move |_| choice.set(value.to_owned()) />
                " "{move || label.get(lang.get()).to_owned()}
            </label>
        }
    };
    view! {
        <section class="ef-panel ef-no-print" aria-labelledby="ef-process-title" data-testid="process">
            <h2 id="ef-process-title" class="ef-section__title">{tr(lang, "Xử lý hồ sơ", "Process the dossier")}</h2>
            <form on:submit=submit>
                <fieldset class="ef-fieldset">
                    <legend class="ef-label">{tr(lang, "Trạng thái mới", "New status")}</legend>
                    <div class="ef-choices">
                        {(!closed).then(|| view! {
                            {option("received", status_text("received"))}
                            {option("needs-supplement", status_text("needs-supplement"))}
                        })}
                        {option("result-issued", Text::new("Trả kết quả (đính kèm văn bản)", "Issue the result (attach the document)"))}
                    </div>
                </fieldset>
                <label class="ef-label" for="ef-status-message">{tr(lang, "Thông báo cho công dân (khi yêu cầu bổ sung: nêu đầy đủ một lần mọi nội dung cần bổ sung)", "Message to the citizen (for a supplement: list everything to add, at once)")}</label>
                <textarea id="ef-status-message" class="ef-input" rows="3" maxlength="4000" on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                <label class="ef-label" for="ef-result-file">{tr(lang, "Văn bản kết quả (PDF, khi trả kết quả)", "Result document (PDF, when issuing the result)")}</label>
                <input id="ef-result-file" type="file" class="ef-file" accept="application/pdf" on:change=move |ev| {
                    let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into(t).ok());
                    file.set_value(input.and_then(|i| i.files()).and_then(|l| l.get(0)));
                } />
                {move || problem.get().map(|p| view! { <p class="ef-error" role="alert">{p.get(lang.get()).to_owned()}</p> })}
                <button type="submit" class="ef-button" disabled=move || busy.get()>{tr(lang, "Cập nhật trạng thái", "Update the status")}</button>
            </form>
        </section>
    }
}

/// `/dossiers` (a citizen's own) and `/inbox` (an official's agency's, filtered by status).
#[component]
pub fn DossierList(lang: RwSignal<Lang>, me: Me) -> impl IntoView {
    let official = me.is_official();
    let filter = RwSignal::new(String::new());
    let rows = RwSignal::new(None::<Result<Vec<DossierSummary>, ()>>);
    // The next page of the list, when the portal says there is one.
    let next = RwSignal::new(None::<String>);
    let more_failed = RwSignal::new(false);
    Effect::new(move |_| {
        let f = filter.get();
        leptos::task::spawn_local(async move {
            let url = if f.is_empty() {
                "/api/v1/dossiers".to_owned()
            } else {
                format!("/api/v1/dossiers?status={f}")
            };
            let (got, after) = match fetch::request(&url, None).await {
                Ok(a) if a.status == 200 => (serde_json::from_str(&a.body).map_err(|_| ()), a.next),
                _ => (Err(()), None),
            };
            next.set(after);
            rows.set(Some(got));
        });
    });
    let load_more = move |_| {
        let Some(url) = next.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match fetch::request(&url, None).await {
                Ok(a) if a.status == 200 => {
                    if let Ok(more) = serde_json::from_str::<Vec<DossierSummary>>(&a.body) {
                        rows.update(|r| {
                            if let Some(Ok(list)) = r {
                                list.extend(more);
                            }
                        });
                        next.set(a.next);
                        more_failed.set(false);
                    }
                }
                _ => more_failed.set(true),
            }
        });
    };
    let agency = me.agency.as_ref().and_then(|a| a.name.clone());
    view! {
        <h1 class="ef-title">{move || if official { Text::new("Hồ sơ cần xử lý", "Inbox").get(lang.get()).to_owned() } else { Text::new("Hồ sơ của tôi", "My dossiers").get(lang.get()).to_owned() }}</h1>
        {agency.map(|a| view! { <p class="ef-lead">{move || a.get(lang.get()).to_owned()}</p> })}
        {(!official).then(|| view! { <crate::cosign::CoSignTasks lang=lang /> })}
        {me.portal_drafts.then(|| view! { <crate::resume::ResumeDrafts lang=lang /> })}
        {official.then(|| view! {
            <div class="ef-field">
                <label class="ef-label" for="ef-filter">{tr(lang, "Lọc theo trạng thái", "Filter by status")}</label>
                <select id="ef-filter" class="ef-select" on:change=move |ev| filter.set(event_target_value(&ev))>
                    <option value="">{tr(lang, "Tất cả", "All")}</option>
                    {["submitted", "received", "needs-supplement", "result-issued", "awaiting-co-signature"].into_iter().map(|s| view! {
                        <option value=s>{move || status_text(s).get(lang.get()).to_owned()}</option>
                    }).collect_view()}
                </select>
            </div>
        })}
        {move || match rows.get() {
            None => view! { <p class="ef-hint">{tr(lang, "Đang tải…", "Loading…")}</p> }.into_any(),
            Some(Err(())) => view! { <p class="ef-panel ef-panel--warn" role="alert">{tr(lang, "Không tải được danh sách hồ sơ.", "The list could not be loaded.")}</p> }.into_any(),
            Some(Ok(list)) if list.is_empty() => view! { <p data-testid="no-dossiers">{tr(lang, "Chưa có hồ sơ nào.", "No dossiers yet.")}</p> }.into_any(),
            Some(Ok(list)) => view! {
                <div class="ef-table-wrap">
                    <table class="ef-table" data-testid="dossier-list">
                        <thead><tr>
                            <th scope="col">{tr(lang, "Mã hồ sơ", "Dossier code")}</th>
                            <th scope="col">{tr(lang, "Biểu mẫu", "Form")}</th>
                            {official.then(|| view! { <th scope="col">{tr(lang, "Người nộp", "Applicant")}</th> })}
                            <th scope="col">{tr(lang, "Thời gian nộp", "Submitted")}</th>
                            <th scope="col">{tr(lang, "Trạng thái", "Status")}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|d| {
                                let title = d.form_title.clone();
                                let status = d.status.clone();
                                let status_class = format!("ef-status ef-status--{status}");
                                let held = d.signature_check.as_deref() == Some("pending");
                                view! {
                                    <tr>
                                        <td><a href=format!("/d/{}", d.code)>{d.code.clone()}</a></td>
                                        <td>{move || title.as_ref().map(|t| t.get(lang.get()).to_owned()).unwrap_or_default()}</td>
                                        {official.then(|| view! { <td>{d.owner.as_ref().map(|o| o.name.clone()).unwrap_or_default()}</td> })}
                                        <td>{time_text(&d.received_at)}</td>
                                        <td>
                                            <span class=status_class>{move || status_text(&status).get(lang.get()).to_owned()}</span>
                                            {held.then(|| view! { <br/><span class="ef-status ef-status--needs-supplement" data-testid="signature-pending">{tr(lang, "Chữ ký: chưa xác định", "Signature: not yet determined")}</span> })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any(),
        }}
        {move || next.get().is_some().then(|| view! {
            <p><button type="button" class="ef-button ef-button--secondary" data-testid="more-dossiers" on:click=load_more>{tr(lang, "Xem thêm hồ sơ", "More dossiers")}</button></p>
        })}
        {move || more_failed.get().then(|| view! {
            <p class="ef-panel ef-panel--warn" role="alert">{tr(lang, "Không tải được thêm hồ sơ; thử lại.", "More dossiers could not be loaded; try again.")}</p>
        })}
    }
}
