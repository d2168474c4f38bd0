//! Signing dossiers (design §5): what is signed (the canonical content bytes), the CAdES B-B
//! signed attributes whose hash leaves the browser, the detached CMS SignedData assembled from the
//! signature the remote signer returns, its RFC 3161 signature-time-stamp (B-T: the request, the
//! token judged and added), and the verifier the portal and `eform verify` use.
//! Pure computation: times, certificates and signatures are handed in.

pub mod cades;
pub mod canonical;
pub mod revocation;
pub mod timestamp;
pub mod verify;

pub use cades::{Prepared, SignAlgo, assemble, prepare};
pub use canonical::{content, content_digest};
pub use revocation::{Evidence, OcspAnswer};
pub use timestamp::{TimeStamp, token_of, verify_token, with_timestamp};
pub use verify::{
    Check, CheckStatus, Context, Format, Indication, Need, Problem, SubIndication, TrustStore,
    Verdict, revocation_needs, verify,
};

/// Why a signature could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignError {
    /// DER encoding or decoding failed.
    Der(String),
    /// The signer returned something that is not a signature of the expected form.
    BadSignature,
    /// No signer certificate was given.
    NoCertificate,
}

impl SignError {
    fn der(e: der::Error) -> SignError {
        SignError::Der(e.to_string())
    }
}

impl std::error::Error for SignError {}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::Der(e) => write!(f, "DER: {e}"),
            SignError::BadSignature => f.write_str("the signer's answer is not a signature"),
            SignError::NoCertificate => f.write_str("no signer certificate"),
        }
    }
}
