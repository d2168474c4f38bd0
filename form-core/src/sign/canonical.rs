//! The bytes a dossier's signature covers: the RFC 8785 (JSON Canonicalization Scheme) form of
//! `{formId, formVersion, data}`, every string — values and property names — normalised to
//! Unicode NFC first, as Vietnamese text can arrive decomposed (a keyboard or another system may
//! send `ễ` as `e` + two combining marks) and must sign the same either way.

use crate::diagnostic::Diagnostic;
use crate::text::Text;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// `value` with every string and property name in NFC. Two names of one object that become the
/// same text are an error (pointing at the object): signing either would lose the other.
pub fn nfc(value: &Value) -> Result<Value, Diagnostic> {
    nfc_at(value, &mut String::new())
}

fn nfc_at(value: &Value, at: &mut String) -> Result<Value, Diagnostic> {
    Ok(match value {
        Value::String(s) => Value::String(s.nfc().collect()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                out.push(nfc_at(item, at)?);
                at.truncate(len);
            }
            Value::Array(out)
        }
        Value::Object(members) => {
            let mut out = Map::with_capacity(members.len());
            for (name, member) in members {
                let len = at.len();
                at.push('/');
                at.push_str(&crate::pointer::escape(name));
                let normal: String = name.nfc().collect();
                let member = nfc_at(member, at)?;
                at.truncate(len);
                if out.insert(normal.clone(), member).is_some() {
                    return Err(Diagnostic::error(
                        at.clone(),
                        "duplicate-name",
                        Text::new(
                            format!(
                                "Hai thuộc tính trùng tên \"{normal}\" sau khi chuẩn hóa Unicode (NFC)."
                            ),
                            format!(
                                "Two properties are both named \"{normal}\" once normalised to Unicode NFC."
                            ),
                        ),
                    ));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

/// The signed content of a dossier: RFC 8785 bytes of `{formId, formVersion, data}` in NFC.
pub fn content(form_id: &str, form_version: u32, data: &Value) -> Result<Vec<u8>, Diagnostic> {
    let whole = serde_json::json!({"formId": form_id, "formVersion": form_version, "data": data});
    canonical_bytes(&nfc(&whole)?)
}

/// RFC 8785 bytes of a JSON value (numbers as ECMAScript prints them, names sorted by UTF-16
/// code units, no white space).
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, Diagnostic> {
    serde_json_canonicalizer::to_vec(value).map_err(|e| {
        Diagnostic::error(
            "",
            "canonical-json",
            Text::new(
                format!("Không chuẩn hóa được nội dung JSON: {e}"),
                format!("The JSON content cannot be canonicalised: {e}"),
            ),
        )
    })
}

/// SHA-256 of the content bytes.
pub fn content_digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn jcs(text: &str) -> String {
        let v: Value = serde_json::from_str(text).unwrap();
        String::from_utf8(canonical_bytes(&v).unwrap()).unwrap()
    }

    /// The examples of RFC 8785 §3.2.2 (numbers, strings, literals, white space) and §3.2.3
    /// (property names sorted by their UTF-16 code units).
    #[test]
    fn rfc_8785_examples() {
        assert_eq!(
            jcs(r#"{
                "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                "literals": [null, true, false]
            }"#),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
        let sorted = jcs(r#"{
            "\u20ac": "Euro Sign",
            "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\ud83d\ude00": "Emoji: Grinning Face",
            "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#);
        let names: Vec<String> = serde_json::from_str::<Map<String, Value>>(&sorted)
            .unwrap()
            .into_iter()
            .map(|(_, v)| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Euro Sign",
                "Emoji: Grinning Face",
                "Hebrew Letter Dalet With Dagesh"
            ]
        );
    }

    /// ECMAScript number printing (RFC 8785 Appendix B): integers without a fraction, the
    /// shortest round-trip digits, exponents from 1e21 and below 1e-6, -0 as 0.
    #[test]
    fn numbers_print_as_ecmascript_does() {
        for (input, expected) in [
            ("0", "0"),
            ("-0", "0"),
            ("1.0", "1"),
            ("100", "100"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("9007199254740993", "9007199254740992"),
            ("-1.5", "-1.5"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ] {
            assert_eq!(jcs(input), expected, "{input}");
        }
    }

    #[test]
    fn decomposed_vietnamese_signs_as_composed() {
        let composed = json!({"fullName": "Nguyễn Thị Hương"});
        let decomposed: String = "Nguyễn Thị Hương".nfd().collect();
        assert_ne!(decomposed, "Nguyễn Thị Hương");
        let decomposed = json!({"fullName": decomposed});
        let a = content("ct01", 1, &composed).unwrap();
        let b = content("ct01", 1, &decomposed).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            String::from_utf8(a.clone()).unwrap(),
            r#"{"data":{"fullName":"Nguyễn Thị Hương"},"formId":"ct01","formVersion":1}"#
        );
        assert_eq!(content_digest(&a), content_digest(&b));
        // A property name too.
        let key: String = "Hộ".nfd().collect();
        assert_eq!(
            content("f", 1, &json!({ key: 1 })).unwrap(),
            content("f", 1, &json!({"Hộ": 1})).unwrap()
        );
    }

    #[test]
    fn names_equal_after_normalisation_are_refused_with_a_pointer() {
        let decomposed: String = "é".nfd().collect();
        let data = json!({"members": [{"é": 1, decomposed: 2}]});
        let e = content("f", 1, &data).unwrap_err();
        assert_eq!(e.pointer, "/data/members/0");
        assert_eq!(e.code, "duplicate-name");
    }

    #[test]
    fn digest_is_sha256_of_the_bytes() {
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        let d = content_digest(b"abc");
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
