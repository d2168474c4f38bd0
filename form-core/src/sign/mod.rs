//! Signing dossiers (design §5): what is signed (the canonical content bytes), the CAdES B-B
//! signed attributes whose hash leaves the browser, the detached CMS SignedData assembled from the
//! signature the remote signer returns, and the verifier the portal and `eform verify` use.
//! Pure computation: times, certificates and signatures are handed in.

pub mod canonical;

pub use canonical::{content, content_digest};
