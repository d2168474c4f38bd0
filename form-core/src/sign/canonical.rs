//! The bytes a dossier's signature covers: the RFC 8785 (JSON Canonicalization Scheme) form of
//! `{formId, formVersion, data}`, every string — values and property names — normalised to
//! Unicode NFC first, as Vietnamese text can arrive decomposed (a keyboard or another system may
//! send `ễ` as `e` + two combining marks) and must sign the same either way.

use crate::diagnostic::Diagnostic;
use crate::text::Text;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// A step of the path to where a problem is (made into a JSON pointer only then).
enum Step<'a> {
    Index(usize),
    Name(&'a str),
}

fn pointer(path: &[Step<'_>]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Index(i) => format!("/{i}"),
            Step::Name(n) => format!("/{}", crate::pointer::escape(n)),
        })
        .collect()
}

fn duplicate(path: &[Step<'_>], name: &str) -> Diagnostic {
    Diagnostic::error(
        pointer(path),
        "duplicate-name",
        Text::new(
            format!("Hai thuộc tính trùng tên \"{name}\" sau khi chuẩn hóa Unicode (NFC)."),
            format!("Two properties are both named \"{name}\" once normalised to Unicode NFC."),
        ),
    )
}

/// `s` in NFC, borrowed when it already is (the quick check settles nearly every string).
fn nfc_str(s: &str) -> Cow<'_, str> {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// The signed content of a dossier: RFC 8785 bytes of `{formId, formVersion, data}` in NFC.
pub fn content(form_id: &str, form_version: u32, data: &Value) -> Result<Vec<u8>, Diagnostic> {
    // Written straight from the parts (no copy of the data): the names in their sorted order.
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"data\":");
    let mut path = vec![Step::Name("data")];
    write(data, &mut out, &mut path)?;
    out.extend_from_slice(b",\"formId\":");
    write_str(&nfc_str(form_id), &mut out);
    out.extend_from_slice(b",\"formVersion\":");
    write_number(f64::from(form_version), &mut out);
    out.push(b'}');
    Ok(out)
}

/// RFC 8785 bytes of a JSON value, its strings and names in NFC first: names sorted by their
/// UTF-16 code units, numbers as ECMAScript prints them, only the escapes JSON requires, no
/// white space. One pass, no copy of the value. (The `serde_json_canonicalizer` crate is the
/// oracle of the tests.)
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, Diagnostic> {
    let mut out = Vec::new();
    write(value, &mut out, &mut Vec::new())?;
    Ok(out)
}

fn write<'a>(
    value: &'a Value,
    out: &mut Vec<u8>,
    path: &mut Vec<Step<'a>>,
) -> Result<(), Diagnostic> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_number(n.as_f64().unwrap_or(0.0), out),
        Value::String(s) => write_str(&nfc_str(s), out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                path.push(Step::Index(i));
                write(item, out, path)?;
                path.pop();
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(Cow<'a, str>, &'a str, &'a Value)> = members
                .iter()
                .map(|(k, v)| (nfc_str(k), k.as_str(), v))
                .collect();
            sorted.sort_unstable_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(duplicate(path, &w[0].0));
            }
            out.push(b'{');
            for (i, (name, raw, member)) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(name, out);
                out.push(b':');
                path.push(Step::Name(raw));
                write(member, out, path)?;
                path.pop();
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// ECMAScript `Number.prototype.toString` (RFC 8785 §3.2.2.3); integers beyond 2^53 round as
/// they do in a browser.
fn write_number(n: f64, out: &mut Vec<u8>) {
    if n == 0.0 {
        out.push(b'0'); // -0 too
    } else {
        out.extend_from_slice(ryu_js::Buffer::new().format_finite(n).as_bytes());
    }
}

/// A JSON string with only the escapes RFC 8785 §3.2.2.2 keeps: `"` `\\`, the short forms
/// `\b \t \n \f \r`, other controls as `\u00xx` (lower-case hex); everything else as is.
fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
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
        let names: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&sorted)
            .unwrap()
            .into_iter()
            .map(|(_, v)| v.as_str().unwrap().to_owned())
            .collect();
        // The RFC's order is \r, 1, U+0080, ö, €, 😀, U+FB33. U+FB33 is a composition
        // exclusion: NFC turns it into U+05D3 U+05BC, which sorts before the euro sign.
        assert_eq!(
            names,
            [
                "Carriage Return",
                "One",
                "Control",
                "Latin Small Letter O With Diaeresis",
                "Hebrew Letter Dalet With Dagesh",
                "Euro Sign",
                "Emoji: Grinning Face",
            ]
        );
        assert!(sorted.contains("\u{05d3}\u{05bc}"));
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

    /// The reference: every string and name to NFC, then the `serde_json_canonicalizer` crate.
    #[cfg(not(target_arch = "wasm32"))]
    fn reference(v: &Value) -> Vec<u8> {
        fn nfc(v: &Value) -> Value {
            match v {
                Value::String(s) => Value::String(s.nfc().collect()),
                Value::Array(a) => Value::Array(a.iter().map(nfc).collect()),
                Value::Object(o) => {
                    Value::Object(o.iter().map(|(k, v)| (k.nfc().collect(), nfc(v))).collect())
                }
                other => other.clone(),
            }
        }
        serde_json_canonicalizer::to_vec(&nfc(v)).unwrap()
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// Our one-pass writer gives the bytes of the reference for any JSON: strings with
        /// controls, quotes, Vietnamese (composed or not), astral characters; any finite number.
        #[test]
        fn the_writer_agrees_with_the_reference_crate(v in json_value()) {
            // Names equal only after NFC are refused by ours; the reference would keep one.
            if let Ok(ours) = canonical_bytes(&v) {
                proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(reference(&v)).unwrap());
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let text = || {
            proptest::string::string_regex("[a-zA-Z0-9 \"\\\\\\x00-\\x1f\\x7fàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđĐ€😀\\u{0300}\\u{0301}\\u{0303}\\u{0309}\\u{0323}]{0,12}").unwrap()
        };
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            (-1e6f64..1e6).prop_map(|f| Value::from((f * 100.0).round() / 100.0)),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((text(), inner), 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
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
