//! Drafts: `form_bind::drafts` (shared with the light runtime), and what only the citizen app
//! does with them (removing a citizen's drafts at sign-out).

pub use form_bind::drafts::*;

/// Removes every draft of `subject` (and what is kept beside them): at sign-out, so that the
/// next person on a shared browser finds nothing of theirs — drafts hold prefilled register
/// data.
#[cfg(feature = "app")]
pub fn clear_subject(subject: &str) {
    let Some(storage) = storage() else { return };
    let (suffix, infix) = (format!(".{subject}"), format!(".{subject}."));
    let n = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with("eform.") && (k.ends_with(&suffix) || k.contains(&infix)))
        .collect();
    for k in keys {
        let _ = storage.remove_item(&k);
    }
}
