//! Element ids for data pointers: unique, stable and valid in CSS selectors and URLs.

/// `/applicant/fullName` → `f__applicant__fullName`; `/members/0/idNumber` →
/// `f__members__0__idNumber`. Characters other than ASCII letters, digits and `-` are written as
/// `_xx` (hex), so distinct pointers never share an id.
pub fn for_pointer(pointer: &str) -> String {
    let mut id = String::from("f");
    for token in pointer.split('/').skip(1) {
        id.push_str("__");
        for b in token.bytes() {
            if b.is_ascii_alphanumeric() || b == b'-' {
                id.push(b as char);
            } else {
                id.push_str(&format!("_{b:02x}"));
            }
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::for_pointer;

    #[test]
    fn distinct_pointers_get_distinct_ids() {
        assert_eq!(for_pointer("/applicant/fullName"), "f__applicant__fullName");
        assert_eq!(
            for_pointer("/members/0/id_number"),
            "f__members__0__id_5fnumber"
        );
        assert_ne!(for_pointer("/a-b"), for_pointer("/a/b"));
        assert_ne!(for_pointer("/a__b"), for_pointer("/a/b"));
    }
}
