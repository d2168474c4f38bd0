//! Signing a form's data through the certification portal's bridge (design §5), the part of the
//! Sign step that is not drawn: the citizen's certificate from the bridge (holder, issuer,
//! validity), then hash signing — the signing module builds the signed attributes, only their
//! hash goes to the bridge, the citizen approves in their signing app — and the detached CAdES
//! signature assembled. Every failure says so in both languages; the filled form is never
//! touched. Shared by the light runtime's Sign step and form-ui's.
//!
//! The certificate, the signed attributes and the CMS are the signing module's work
//! (`form-sign`, a WebAssembly module of its own loaded on first use: most citizens never sign,
//! and its code is a third of the runtime's); this module only talks to the bridge.

use crate::fetch;
use crate::services::Services;
use form_core::{Form, Text};
use serde_json::{Value, json};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Loads the signing module (crate form-sign, a WebAssembly module of its own) and gives a
/// promise of it, initialised: each runtime knows where its copy is (form-ui's `signer.js`, the
/// light runtime's `/eform/eform.js`). Called again after a failure (offline a moment).
pub type Loader = Rc<dyn Fn() -> Result<js_sys::Promise, JsValue>>;

/// The version of the signing module's interface this runtime speaks (`form_sign::API`).
const SIGNER_API: u32 = 1;

/// The signing module, loaded.
struct Signer(JsValue);

impl Signer {
    async fn load(loader: &Loader) -> Result<Signer, Text> {
        let module = JsFuture::from(loader().map_err(|_| not_loaded())?)
            .await
            .map_err(|_| not_loaded())?;
        let signer = Signer(module);
        // A page loaded before an upgrade, signing after it: the module speaks another version.
        match signer.call("api", &[]) {
            Ok(v) if v.as_f64() == Some(f64::from(SIGNER_API)) => Ok(signer),
            _ => Err(Text::new(
                "Cổng vừa được cập nhật. Hãy tải lại trang rồi ký; biểu mẫu của bạn vẫn được giữ.",
                "The portal was just updated. Reload the page, then sign; your form is kept.",
            )),
        }
    }

    /// Calls the module's function `name` with these arguments; `Err` is what it threw (a code
    /// or a `{vi, en}` message, as text).
    fn call(&self, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
        let f: js_sys::Function = js_sys::Reflect::get(&self.0, &JsValue::from_str(name))
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| "missing".to_owned())?;
        f.apply(&JsValue::NULL, &args.iter().collect::<js_sys::Array>())
            .map_err(|e| e.as_string().unwrap_or_default())
    }

    /// Like [`call`](Self::call), for functions that answer text.
    fn text(&self, name: &str, args: &[JsValue]) -> Result<String, String> {
        self.call(name, args)
            .map(|v| v.as_string().unwrap_or_default())
    }
}

/// The signing module could not be loaded (the form is kept).
pub fn not_loaded() -> Text {
    Text::new(
        "Không tải được phần ký số. Biểu mẫu của bạn vẫn được giữ; hãy thử lại.",
        "The signing part could not be loaded. Your form is kept; try again.",
    )
}

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
/// How often the bridge is asked whether the citizen approved.
const POLL_MS: i32 = 2000;

#[derive(Clone)]
pub struct Credential {
    pub id: String,
    /// The chain as the bridge gave it: a JSON array of base64 DER, signer first.
    pub chain: String,
    /// The signature algorithm's OID.
    pub algo: String,
    pub holder: String,
    pub serial: Option<String>,
    pub issuer: String,
    pub valid: String,
    /// The portal's clock minus the device's, in seconds: the signing time is written in the
    /// portal's time (a device clock off by minutes would make a signature the portal refuses).
    pub offset: f64,
}

/// Now on the portal's clock, in seconds.
fn portal_now(offset: f64) -> u64 {
    (js_sys::Date::now() / 1000.0 + offset).max(0.0) as u64
}

fn day(secs: u64) -> String {
    let iso = String::from(
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0)).to_iso_string(),
    );
    crate::drafts::day_of(&iso)
}

fn unreachable() -> Text {
    Text::new(
        "Không kết nối được dịch vụ ký số. Biểu mẫu của bạn vẫn được giữ; hãy thử lại.",
        "The signing service cannot be reached. Your form is kept; try again.",
    )
}

/// The bridge's address of `path`; none configured: it cannot be reached.
fn bridge(services: &Services, path: &str) -> Result<String, Text> {
    services.bridge(path).ok_or_else(unreachable)
}

/// What a 401 of the bridge means: the citizen's session is gone (or the host gave no token).
pub fn signed_out() -> Text {
    Text::new(
        "Phiên đăng nhập đã hết. Hãy đăng nhập lại rồi ký; biểu mẫu của bạn vẫn được giữ.",
        "You are no longer signed in. Sign in again, then sign; your form is kept.",
    )
}

/// The citizen's certificate from the bridge, checked for its validity on the portal's clock.
pub async fn credential(services: &Services, loader: &Loader) -> Result<Credential, Text> {
    // The signing module downloads while the bridge answers (`Signer::load` below waits for
    // the same download).
    let _download = loader().map_err(|_| not_loaded())?;
    let a = services
        .post_json(&bridge(services, "/credentials/list")?, "{}", &[])
        .await
        .map_err(|_| unreachable())?;
    if a.status == 401 {
        return Err(signed_out());
    }
    if a.status != 200 {
        return Err(fetch::error_of(&a.body).unwrap_or_else(unreachable));
    }
    let v: Value = serde_json::from_str(&a.body).map_err(|_| unreachable())?;
    let info = v["credentialInfos"].get(0).ok_or_else(|| {
        Text::new(
            "Tài khoản của bạn chưa có chứng thư số để ký.",
            "Your account has no signing certificate.",
        )
    })?;
    let signer = Signer::load(loader).await?;
    let chain = info["cert"]["certificates"].to_string();
    // The algorithms the key offers; the module picks the first of ours (RSA: PSS first).
    let offered = info["key"]["algo"].to_string();
    let who: Value = match signer.text("credential", &[chain.as_str().into(), offered.into()]) {
        Ok(text) => serde_json::from_str(&text).map_err(|_| unreachable())?,
        Err(code) if code == "algorithm-unsupported" => {
            return Err(Text::new(
                "Chứng thư số dùng thuật toán ký chưa được hỗ trợ.",
                "The certificate's signing algorithm is not supported.",
            ));
        }
        Err(_) => return Err(unreachable()),
    };
    let (not_before, not_after) = (
        who["notBefore"].as_u64().unwrap_or_default(),
        who["notAfter"].as_u64().unwrap_or_default(),
    );
    let offset = v["serverTime"]
        .as_f64()
        .map_or(0.0, |t| t - js_sys::Date::now() / 1000.0);
    // A certificate out of its validity would make a signature every verifier refuses.
    let now = portal_now(offset);
    if now > not_after {
        let until = day(not_after);
        return Err(Text::new(
            format!(
                "Chứng thư số của bạn đã hết hạn ngày {until}. Hãy gia hạn với tổ chức cung cấp chữ ký số rồi thử lại."
            ),
            format!(
                "Your certificate expired on {until}. Renew it with your signature provider, then try again."
            ),
        ));
    }
    if now < not_before {
        let from = day(not_before);
        return Err(Text::new(
            format!("Chứng thư số của bạn chỉ có hiệu lực từ ngày {from}."),
            format!("Your certificate is valid only from {from}."),
        ));
    }
    Ok(Credential {
        id: info["credentialID"].as_str().unwrap_or_default().to_owned(),
        algo: who["algo"].as_str().unwrap_or_default().to_owned(),
        holder: who["holder"].as_str().unwrap_or_default().to_owned(),
        serial: who["serial"].as_str().map(str::to_owned),
        issuer: who["issuer"].as_str().unwrap_or_default().to_owned(),
        valid: format!("{} – {}", day(not_before), day(not_after)),
        chain,
        offset,
    })
}

/// Signs `data` of `form` with `cred`: the detached CAdES (base64) once the citizen approved.
pub async fn sign_data(
    services: &Services,
    loader: &Loader,
    form: &Form,
    data: &Value,
    cred: &Credential,
) -> Result<String, Text> {
    let d = form.definition();
    let signer = Signer::load(loader).await?;
    let now = portal_now(cred.offset);
    let prepared = signer
        .text(
            "prepare",
            &[
                d.id.as_str().into(),
                d.version.into(),
                data.to_string().into(),
                (now as f64).into(),
                cred.chain.as_str().into(),
            ],
        )
        .map_err(|e| serde_json::from_str::<Text>(&e).unwrap_or_else(|_| unreachable()))?;
    let hash = serde_json::from_str::<Value>(&prepared)
        .ok()
        .and_then(|v| v["hash"].as_str().map(str::to_owned))
        .ok_or_else(unreachable)?;
    let body = json!({
        "credentialID": cred.id,
        "hashes": [hash],
        "hashAlgorithmOID": SHA256,
        "signAlgo": cred.algo,
        "docId": d.id,
        "description": format!("{} — {}", d.title.vi, d.title.en),
    })
    .to_string();
    let a = services
        .post_json(&bridge(services, "/signatures/signHash")?, &body, &[])
        .await
        .map_err(|_| unreachable())?;
    if a.status == 401 {
        return Err(signed_out());
    }
    if a.status != 202 {
        return Err(fetch::error_of(&a.body).unwrap_or_else(unreachable));
    }
    let tx = serde_json::from_str::<Value>(&a.body)
        .ok()
        .and_then(|v| v["transactionID"].as_str().map(str::to_owned))
        .ok_or_else(unreachable)?;
    let url = bridge(
        services,
        &format!(
            "/signatures/{}",
            String::from(js_sys::encode_uri_component(&tx))
        ),
    )?;
    let mut failures = 0;
    loop {
        fetch::sleep(POLL_MS).await;
        let v = match services.get(&url).await {
            Ok(a) if a.status == 200 => serde_json::from_str::<Value>(&a.body).unwrap_or_default(),
            _ => {
                failures += 1;
                if failures >= 5 {
                    return Err(unreachable());
                }
                continue;
            }
        };
        match v["status"].as_str() {
            Some("completed") => {
                let signature = v["signatures"][0].as_str().ok_or_else(unreachable)?;
                let args = [
                    prepared.as_str().into(),
                    cred.algo.as_str().into(),
                    signature.into(),
                    cred.chain.as_str().into(),
                ];
                return signer.text("assemble", &args).map_err(|_| {
                    Text::new(
                        "Chữ ký nhận về không hợp lệ; hãy ký lại.",
                        "The signature returned is not valid; sign again.",
                    )
                });
            }
            Some("rejected") => {
                return Err(Text::new(
                    "Bạn đã từ chối yêu cầu ký. Biểu mẫu vẫn được giữ; bạn có thể ký lại.",
                    "You refused the signing request. Your form is kept; you can sign again.",
                ));
            }
            Some("failed") => {
                return Err(Text::new(
                    "Dịch vụ ký số báo lỗi và chưa ký được. Biểu mẫu của bạn vẫn được giữ; hãy thử lại.",
                    "The signing service reported an error and did not sign. Your form is kept; try again.",
                ));
            }
            Some("expired") => {
                return Err(Text::new(
                    "Yêu cầu ký đã hết hạn trước khi được phê duyệt. Hãy ký lại.",
                    "The signing request expired before it was approved. Sign again.",
                ));
            }
            _ => {}
        }
    }
}
