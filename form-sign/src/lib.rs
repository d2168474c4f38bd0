//! The browser's half of signing a dossier, as a WebAssembly module of its own.
//!
//! The Sign step needs form-core's canonical JSON (with the Unicode NFC tables), CAdES signed
//! attributes, CMS assembly and X.509 parsing: about a third of the citizen runtime's code, used
//! only by a citizen who signs. `cargo xtask build-web` builds this crate apart
//! (`form-sign-<hash>.js` and `_bg.wasm` beside each runtime, with `form-sign.js` naming the
//! current build), and form-ui's Sign step loads it on first use (`form-ui/signer.js`).
//!
//! The interface is text, so that the two modules share no memory or types: certificate chains
//! are JSON arrays of base64 DER (signer first, as the bridge gives them), results JSON, errors
//! a code the runtime words in both languages (or a form-core message, `{vi, en}`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use form_core::sign::{self, Prepared, SignAlgo, verify::describe};
use serde_json::{Value, json};
use wasm_bindgen::prelude::wasm_bindgen;
use x509_cert::Certificate;
use x509_cert::der::Decode;

/// The version of this interface: the runtime refuses a module of another (a page loaded
/// before an upgrade, signing after it).
pub const API: u32 = 1;

#[wasm_bindgen]
pub fn api() -> u32 {
    API
}

/// The chain given as a JSON array of base64 DER, signer first.
fn chain(chain_json: &str) -> Result<Vec<Certificate>, String> {
    let list: Vec<String> =
        serde_json::from_str(chain_json).map_err(|_| "no-certificate".to_owned())?;
    let certs: Vec<Certificate> = list
        .iter()
        .filter_map(|c| B64.decode(c).ok())
        .filter_map(|d| Certificate::from_der(&d).ok())
        .collect();
    if certs.is_empty() {
        return Err("no-certificate".into());
    }
    Ok(certs)
}

/// The signer's certificate described, and the algorithm to sign with: the first of ours (RSA:
/// PSS first) that the key offers (`offered_json`, a JSON array of OIDs). `{algo, holder,
/// serial, issuer, notBefore, notAfter}`; errors `no-certificate`, `algorithm-unsupported`.
#[wasm_bindgen]
pub fn credential(chain_json: &str, offered_json: &str) -> Result<String, String> {
    let chain = chain(chain_json)?;
    let offered: Vec<String> = serde_json::from_str(offered_json).unwrap_or_default();
    let signer = &chain[0];
    let algo = SignAlgo::for_certificate(signer)
        .into_iter()
        .find(|a| offered.iter().any(|o| o == a.oid()))
        .ok_or_else(|| "algorithm-unsupported".to_owned())?;
    let who = describe(signer);
    Ok(json!({
        "algo": algo.oid(),
        "holder": who.name,
        "serial": who.serial_number,
        "issuer": who.issuer,
        "notBefore": who.not_before,
        "notAfter": who.not_after,
    })
    .to_string())
}

/// The CAdES signed attributes over the dossier's content (`{formId, formVersion, data}` in
/// NFC, RFC 8785), signed at `signing_time` (seconds, the portal's clock) by the chain's first
/// certificate: `{hash, signedAttributes}`, both base64 — the hash goes to the bridge, the
/// attributes come back to [`assemble`]. Errors: a form-core message `{vi, en}` as JSON.
#[wasm_bindgen]
pub fn prepare(
    form_id: &str,
    form_version: u32,
    data_json: &str,
    signing_time: f64,
    chain_json: &str,
) -> Result<String, String> {
    let words = |vi: &str, en: &str| json!({"vi": vi, "en": en}).to_string();
    let data: Value = serde_json::from_str(data_json)
        .map_err(|_| words("Dữ liệu ký không hợp lệ.", "The data to sign is not valid."))?;
    let chain = chain(chain_json).map_err(|_| {
        words(
            "Không đọc được chứng thư số.",
            "The certificate cannot be read.",
        )
    })?;
    let content = sign::content(form_id, form_version, &data)
        .map_err(|d| serde_json::to_string(&d.message).unwrap_or_default())?;
    let prepared = sign::prepare(
        &sign::content_digest(&content),
        signing_time.max(0.0) as u64,
        &chain[0],
    )
    .map_err(|_| {
        words(
            "Không chuẩn bị được chữ ký.",
            "The signature cannot be prepared.",
        )
    })?;
    Ok(json!({
        "hash": B64.encode(prepared.hash),
        "signedAttributes": B64.encode(&prepared.signed_attributes),
    })
    .to_string())
}

/// The detached CMS SignedData (base64 DER) from [`prepare`]'s answer, the algorithm (OID),
/// the signer's signature over the hash (base64) and the chain. Error: `bad-signature`.
#[wasm_bindgen]
pub fn assemble(
    prepared_json: &str,
    algo: &str,
    signature: &str,
    chain_json: &str,
) -> Result<String, String> {
    let bad = || "bad-signature".to_owned();
    let chain = chain(chain_json)?;
    let p: Value = serde_json::from_str(prepared_json).map_err(|_| bad())?;
    let field = |name: &str| {
        p[name]
            .as_str()
            .and_then(|s| B64.decode(s).ok())
            .ok_or_else(bad)
    };
    let prepared = Prepared {
        signed_attributes: field("signedAttributes")?,
        hash: field("hash")?.try_into().map_err(|_| bad())?,
    };
    let algo = SignAlgo::from_oid(algo).ok_or_else(bad)?;
    let signature = B64.decode(signature).map_err(|_| bad())?;
    let p7s = sign::assemble(&prepared, algo, &signature, &chain).map_err(|_| bad())?;
    Ok(B64.encode(p7s))
}
