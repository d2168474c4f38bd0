//! Text encodings the portal's modules share: hexadecimal, percent-encoding of a query value,
//! and new random tokens.

/// A new session token: 32 random bytes, hex.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encoding of a query parameter's value (form-html's: the pages it draws encode the
/// same way).
pub use form_html::percent_encode;
