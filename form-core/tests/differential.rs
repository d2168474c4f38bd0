//! Two validators, one verdict: the compact validator and the reference `jsonschema` crate get
//! the same schemas and data (the real forms, and generated ones) and must agree on validity and
//! on where each error is and which keyword failed.
#![cfg(not(target_arch = "wasm32"))]

use form_core::reference::Reference;
use form_core::schema::Schema;
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::LazyLock;

fn compact_errors(schema: &Schema, data: &Value) -> BTreeSet<(String, String)> {
    schema
        .validate(data)
        .iter()
        .map(|e| {
            (
                e.standard_location().to_owned(),
                e.kind.keyword().to_owned(),
            )
        })
        .collect()
}

fn reference_errors(r: &Reference, data: &Value) -> BTreeSet<(String, String)> {
    r.errors(data)
        .into_iter()
        .map(|e| (e.instance, e.keyword))
        .collect()
}

fn assert_same(schema_json: &Value, data: &Value) {
    let (compact, diags) = Schema::compile(schema_json);
    assert!(diags.is_empty(), "{diags:?}");
    let reference = Reference::new(schema_json).expect("reference compiles");
    let a = compact_errors(&compact, data);
    let b = reference_errors(&reference, data);
    assert_eq!(
        a,
        b,
        "\nschema: {schema_json}\ndata: {data}\nreference said: {:#?}",
        reference.errors(data)
    );
    assert_eq!(compact.is_valid(data), reference.is_valid(data));
}

#[test]
fn ct01_example_and_mutations_agree() {
    let def: Value = serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
    let schema = &def["dataSchema"];
    let example: Value =
        serde_json::from_str(include_str!("../../schemas/forms/ct01.example.json")).unwrap();
    assert_same(schema, &example);
    assert_same(schema, &json!({}));
    let mutations: [(&str, Value); 8] = [
        ("/applicant/idNumber", json!("0011900123456")),
        ("/applicant/email", json!("a@b")),
        ("/applicant/dateOfBirth", json!("1990-02-30")),
        ("/applicant/phone", json!(912345678)),
        ("/members/0/sex", json!("x")),
        ("/members", json!([{}, {}])),
        ("/extra", json!(true)),
        ("/request", json!("")),
    ];
    for (at, v) in mutations {
        let mut d = example.clone();
        form_core::pointer::set(&mut d, at, v);
        assert_same(schema, &d);
    }
}

#[test]
fn the_meta_schema_agrees_on_sample_and_broken_definitions() {
    let meta: Value = serde_json::from_str(form_core::DEFINITION_META_SCHEMA).unwrap();
    for text in [
        include_str!("../../schemas/forms/ct01.json"),
        include_str!("fixtures/five-mistakes.json"),
    ] {
        assert_same(&meta, &serde_json::from_str(text).unwrap());
    }
    let ct01: Value = serde_json::from_str(include_str!("../../schemas/forms/ct01.json")).unwrap();
    assert!(Reference::new(&meta).unwrap().is_valid(&ct01));
}

/// A small deterministic generator (xorshift), driven by proptest's seed: it builds a schema
/// from the supported subset and data that is *near* it (mostly the right shape, with values
/// on both sides of every limit), so most cases exercise keywords rather than fail on `type`.
struct Gen(u64);

/// Patterns of the real forms, and ones where ECMA-262 (JSON Schema's dialect) and regex-lite's
/// own reading part: white space beyond ASCII, `.` and line terminators, `[` and `&&` inside a
/// class, `[]`, `{` that quantifies nothing, escapes.
const PATTERNS: [&str; 19] = [
    "\\d{3}",
    "^[0-9]{12}$",
    "^[a-z]+$",
    "x",
    "^(0|\\+84)[0-9]{9}$",
    "^[A-Z][a-zà-ỹ ]*$",
    "a|b",
    "^\\s*$",
    "^\\S+$",
    "\\S\\s\\S",
    "^.+$",
    "a.b",
    "[[:alpha:]]",
    "^[^\\s]*$",
    "^[\\w\\s&&-]+$",
    "^[a-z\\S]$",
    "x},?",
    "^[^a]*\\u{2028}",
    "^\\u0041\\x42?",
];
const STRINGS: [&str; 26] = [
    "٣٣٣",
    "",
    "x",
    "abc",
    "001190012345",
    "0912345678",
    "+84912345678",
    "2024-02-29",
    "2023-02-29",
    "an@example.vn",
    "an@",
    "Đức",
    "Nguyễn Văn A",
    "ABC",
    "a.b@c.co",
    "Nguyễn\u{a0}Văn",
    "\u{a0}",
    "a\rb",
    "a\u{2028}b",
    "\u{feff}\u{2003} ",
    "a]",
    "x{,2}",
    "2020-03",
    "2020-13",
    "&-_\n",
    "AB",
];

const TWO53: u64 = 1 << 53;

/// Bounds where exact and rounded comparison part: integers past 2^53 and the float they
/// round to, the largest integers, huge and tiny floats.
static LIMITS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        json!(TWO53),
        json!(TWO53 + 1),
        json!(TWO53 as f64),
        json!(-(TWO53 as i64) - 1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(-1e300),
        json!(1e-9),
    ]
});

/// Divisors whole and fractional, in decimal (0.01, 2.675) and tiny (1e-9).
static DIVISORS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        json!(2),
        json!(5),
        json!(1),
        json!(3),
        json!(2.0),
        json!(0.5),
        json!(0.01),
        json!(0.1),
        json!(2.675),
        json!(1e-9),
        json!(TWO53),
    ]
});

/// Numbers around the limits and divisors above.
static NUMBERS: LazyLock<Vec<Value>> = LazyLock::new(|| {
    vec![
        json!(TWO53),
        json!(TWO53 + 1),
        json!(TWO53 + 2),
        json!(TWO53 as f64),
        json!(-(TWO53 as i64) - 1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(u64::MAX as f64),
        json!(1e308),
        json!(1e300),
        json!(-1e300),
        json!(1.5e-9),
        json!(3e-9),
        json!(1.000000001),
        json!(1.0000000001),
        json!(19.99),
        json!(5.35),
        json!(1_070_468.145),
        json!(0.0075),
        json!(-0.0),
        json!(0.3),
    ]
});

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    fn schema(&mut self, depth: u32) -> Value {
        let kind = if depth >= 3 {
            self.below(4)
        } else {
            self.below(6)
        };
        let mut s = Map::new();
        match kind {
            0 => {
                s.insert("type".into(), json!("string"));
                if self.chance(40) {
                    s.insert("minLength".into(), json!(self.below(4)));
                }
                if self.chance(40) {
                    s.insert("maxLength".into(), json!(self.below(12)));
                }
                if self.chance(40) {
                    s.insert("pattern".into(), json!(self.pick(&PATTERNS)));
                }
                if self.chance(25) {
                    s.insert(
                        "format".into(),
                        json!(self.pick(&["date", "email", "year-month"])),
                    );
                }
                if self.chance(20) {
                    s.insert("enum".into(), json!(["x", "abc", "Đức"]));
                }
            }
            1 => {
                s.insert("type".into(), json!(self.pick(&["number", "integer"])));
                if self.chance(50) {
                    let m = if self.chance(70) {
                        json!(self.below(10) as i64 - 5)
                    } else {
                        self.pick(&LIMITS).clone()
                    };
                    s.insert("minimum".into(), m);
                }
                if self.chance(50) {
                    let m = if self.chance(70) {
                        json!(self.below(200))
                    } else {
                        self.pick(&LIMITS).clone()
                    };
                    s.insert("maximum".into(), m);
                }
                if self.chance(30) {
                    s.insert("exclusiveMinimum".into(), json!(0));
                }
                if self.chance(30) {
                    let m = if self.chance(70) {
                        json!(150.5)
                    } else {
                        self.pick(&LIMITS).clone()
                    };
                    s.insert("exclusiveMaximum".into(), m);
                }
                if self.chance(30) {
                    s.insert("multipleOf".into(), self.pick(&DIVISORS).clone());
                }
            }
            2 => {
                s.insert("type".into(), json!("boolean"));
                if self.chance(30) {
                    s.insert("const".into(), json!(true));
                }
            }
            3 => {
                if self.chance(50) {
                    s.insert("type".into(), json!(["string", "null"]));
                }
                if self.chance(70) {
                    s.insert("enum".into(), json!([1, "a", null, 2.5]));
                } else {
                    s.insert("enum".into(), json!([TWO53 + 1, 1e300, -0.0]));
                }
            }
            4 => {
                s.insert("type".into(), json!("object"));
                let mut props = Map::new();
                let mut required = Vec::new();
                for name in ["a", "b", "c~/d", "đ"]
                    .iter()
                    .take(1 + self.below(4) as usize)
                {
                    props.insert((*name).into(), self.schema(depth + 1));
                    if self.chance(50) {
                        required.push(json!(name));
                    }
                }
                s.insert("properties".into(), Value::Object(props));
                s.insert("required".into(), Value::Array(required));
                if self.chance(50) {
                    s.insert("additionalProperties".into(), json!(false));
                }
            }
            _ => {
                s.insert("type".into(), json!("array"));
                s.insert("items".into(), self.schema(depth + 1));
                if self.chance(40) {
                    s.insert("minItems".into(), json!(1));
                }
                if self.chance(40) {
                    s.insert("maxItems".into(), json!(2));
                }
                if self.chance(30) {
                    s.insert("uniqueItems".into(), json!(true));
                }
            }
        }
        Value::Object(s)
    }

    fn data(&mut self, schema: &Value, depth: u32) -> Value {
        if self.chance(8) || depth > 5 {
            return self.any();
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => json!(self.pick(&STRINGS)),
            Some("number") | Some("integer") => {
                if self.chance(60) {
                    json!(*self.pick(&[-5.0, 0.0, 1.0, 2.0, 4.5, 10.0, 150.0, 150.5, 151.0, 1e3]))
                } else {
                    self.pick(&NUMBERS).clone()
                }
            }
            Some("boolean") => json!(self.chance(50)),
            Some("object") => {
                let mut m = Map::new();
                if let Some(Value::Object(props)) = schema.get("properties") {
                    for (k, sub) in props {
                        if self.chance(75) {
                            m.insert(k.clone(), self.data(sub, depth + 1));
                        }
                    }
                }
                if self.chance(15) {
                    m.insert("zz".into(), json!(1));
                }
                Value::Object(m)
            }
            Some("array") => {
                let n = self.below(4);
                let item = schema.get("items").cloned().unwrap_or(json!({}));
                let mut rows: Vec<Value> = (0..n).map(|_| self.data(&item, depth + 1)).collect();
                if self.chance(20) && !rows.is_empty() {
                    rows.push(rows[0].clone());
                }
                Value::Array(rows)
            }
            _ => self.any(),
        }
    }

    fn any(&mut self) -> Value {
        match self.below(7) {
            0 => Value::Null,
            1 => json!(self.chance(50)),
            2 => json!(1),
            3 => json!(2.5),
            4 => json!(self.pick(&STRINGS)),
            5 => json!([1, "a"]),
            _ => json!({"a": 1}),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
    #[test]
    fn generated_schemas_and_data_agree(seed in 1u64..) {
        let mut g = Gen(seed);
        let schema = g.schema(0);
        for _ in 0..4 {
            let data = g.data(&schema, 0);
            assert_same(&schema, &data);
        }
    }

    /// Every address eform accepts is accepted by the crate's standard RFC 5321 check too, so
    /// receiving systems with any validator accept what citizens submitted.
    #[test]
    fn eform_emails_are_standard_emails(local in "[a-z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,10}(\\.[a-z0-9-]{1,10}){1,3}") {
        let email = format!("{local}@{domain}");
        if form_core::format::Format::Email.is_valid(&email) {
            let standard = jsonschema::options().should_validate_formats(true).build(&json!({"format": "email"})).unwrap();
            prop_assert!(standard.is_valid(&json!(email)), "{email}");
        }
    }
}

#[test]
fn decimal_multiple_of_agrees() {
    // Found in review: 19.99 / 0.01 is 1998.9999999999998 in binary floating point.
    for (m, values) in [
        (0.01, [0.07, 19.99, 0.075, 1.0]),
        (0.1, [0.3, 0.35, 2.2, 1e-9]),
    ] {
        for v in values {
            assert_same(&json!({"type": "number", "multipleOf": m}), &json!(v));
        }
    }
}

/// Found against the JSON Schema Test Suite's optional cases and probes beside them: the
/// division overflowed (`1e308` is a multiple of 0.5), a tolerance let `1.0000000001` pass
/// `multipleOf: 1e-9`, and bounds and `enum` past 2^53 compared as rounded doubles.
#[test]
fn extreme_numbers_agree() {
    let cases = [
        (
            json!({"multipleOf": 0.5}),
            vec![json!(1e308), json!(1e308 + 0.5)],
        ),
        (
            json!({"multipleOf": 1e-9}),
            vec![json!(1.0000000001), json!(1.000000001), json!(3e-9)],
        ),
        (
            json!({"maximum": TWO53}),
            vec![json!(TWO53 + 1), json!(TWO53 as f64), json!(TWO53)],
        ),
        (
            json!({"exclusiveMinimum": TWO53 as f64}),
            vec![json!(TWO53 + 1), json!(TWO53)],
        ),
        (
            json!({"enum": [TWO53 + 1]}),
            vec![json!(TWO53 as f64), json!(TWO53 + 1), json!(TWO53 + 2)],
        ),
        (
            json!({"type": "array", "uniqueItems": true}),
            vec![
                json!([TWO53 + 1, TWO53 as f64]),
                json!([TWO53, TWO53 as f64]),
            ],
        ),
    ];
    for (schema, values) in cases {
        for v in values {
            assert_same(&schema, &v);
        }
    }
}

/// A pattern the reference validator cannot compile is refused by `eform check` too (with a
/// pointer), and so is one it would read other than ECMA-262 does or regex-lite can (`\\A`,
/// lookaround, flags): never accepted by one and refused by the other at submission.
#[test]
fn patterns_are_refused_where_they_cannot_agree() {
    let refused_by_both = [
        "x{,2}",
        "^[^]*$",
        "[]",
        "a{",
        r"[\b]",
        r"\0",
        r"\x4",
        r"\a",
        "[a--b]",
        r"\k<n>",
        r"[\d-z]",
        "a{2,1}",
        r"\e",
        "a**",
        r"\Q",
        r"\é",
        r"[\x01-\s]",
        r"[\s-\uFFFF]",
        "(?<a)|(b>c)",
        "(?<>x)",
        "(?<a>x)(?<a>y)",
        "(*a)",
    ];
    let refused_by_eform = [
        r"\A", r"\z", r"\p{L}", "(?i)a", r"(a)\1", "(?=a)", "^*", "$+", r"\b*",
    ];
    let accepted_by_both = [
        "a}",
        "a]",
        r"\/",
        r"\-",
        r"\cJ",
        r"\u0041",
        r"\u{41}",
        "(?<n>a)",
        "[a&&b]",
        "[[:alpha:]]",
        "[a~~b]",
        r"\$",
        "(?:a)",
        "a{1}?",
        r"\_",
        r"\ ",
        r"\#",
    ];
    let compact_refuses = |p: &str| {
        let (_, d) = Schema::compile(&json!({"pattern": p}));
        d.iter().any(|d| d.pointer == "/pattern")
    };
    let reference_refuses = |p: &str| Reference::new(&json!({"pattern": p})).is_err();
    for p in refused_by_both {
        assert!(compact_refuses(p) && reference_refuses(p), "{p}");
    }
    for p in refused_by_eform {
        assert!(compact_refuses(p) && !reference_refuses(p), "{p}");
    }
    for p in accepted_by_both {
        assert!(!compact_refuses(p) && !reference_refuses(p), "{p}");
    }
}

#[test]
fn deeply_nested_data_schemas_are_checked_all_the_way_down() {
    // Found in review: the `$ref` depth counter once grew with the data's depth, so the
    // meta-schema stopped checking nested schemas after about 32 levels.
    let mut inner = json!({"$ref": "#"});
    for _ in 0..40 {
        inner = json!({"type": "object", "required": ["a"], "properties": {"a": inner}});
    }
    let def = json!({
        "id": "deep", "version": 1, "title": {"vi": "x", "en": "x"}, "dataSchema": inner,
        "pages": [{"id": "p", "title": {"vi": "x", "en": "x"}, "sections": [{"id": "s", "items": [
            {"widget": "text", "pointer": "/a", "label": {"vi": "x", "en": "x"}}]}]}]
    });
    let loaded = form_core::load(&def.to_string());
    assert!(loaded.form.is_none());
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|d| d.pointer.ends_with("/$ref") && d.code == "definition-additionalProperties"),
        "{:?}",
        loaded
            .diagnostics
            .iter()
            .map(|d| &d.pointer)
            .collect::<Vec<_>>()
    );
}
