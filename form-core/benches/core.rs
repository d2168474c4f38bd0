//! form-core benchmarks (`cargo xtask bench core`): a generated definition of 1,000 fields in
//! sections of ten (the peers-bench form: text, email, date, number, select, radio, checkbox,
//! ID number, textarea, and a conditional field with a rule), so 100 rules.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use form_core::{FormState, Ymd, load};
use serde_json::{Map, Value, json};
use std::hint::black_box;
use std::sync::Arc;

const TODAY: Ymd = (2025, 11, 25);

fn t(vi: &str, en: &str) -> Value {
    json!({"vi": vi, "en": en})
}

/// A definition with `n` fields (n a multiple of 10) and n/10 rules.
pub fn definition(n: usize) -> Value {
    let mut props = Map::new();
    let mut sections = Vec::new();
    let countries: Vec<String> = (0..60).map(|i| format!("c{i}")).collect();
    let options: Vec<Value> = countries
        .iter()
        .map(|c| json!({"value": c, "label": t(c, c)}))
        .collect();
    let marital: Vec<Value> = ["a", "b", "c", "d"]
        .iter()
        .map(|v| json!({"value": v, "label": t(v, v)}))
        .collect();
    for s in 0..n / 10 {
        let k = |name: &str| format!("s{s}_{name}");
        let mut items = Vec::new();
        let mut field = |name: &str, schema: Value, item: Value| {
            props.insert(k(name), schema);
            let mut item = item;
            item["pointer"] = json!(format!("/{}", k(name)));
            item["label"] = t(&format!("{name} {s}"), &format!("{name} {s}"));
            items.push(item);
        };
        field(
            "fullName",
            json!({"type": "string", "minLength": 1, "maxLength": 100}),
            json!({"widget": "text"}),
        );
        field(
            "email",
            json!({"type": "string", "format": "email"}),
            json!({"widget": "email"}),
        );
        field(
            "dateOfBirth",
            json!({"type": "string", "format": "date"}),
            json!({"widget": "date"}),
        );
        field(
            "years",
            json!({"type": "integer", "minimum": 0, "maximum": 120}),
            json!({"widget": "number"}),
        );
        field(
            "country",
            json!({"type": "string", "enum": countries}),
            json!({"widget": "select", "options": options}),
        );
        field(
            "marital",
            json!({"type": "string", "enum": ["a", "b", "c", "d"]}),
            json!({"widget": "radio", "options": marital}),
        );
        field(
            "agree",
            json!({"type": "boolean"}),
            json!({"widget": "checkbox"}),
        );
        field(
            "idNumber",
            json!({"type": "string", "pattern": "^[0-9]{12}$"}),
            json!({"widget": "id-number"}),
        );
        field(
            "notes",
            json!({"type": "string", "maxLength": 2000}),
            json!({"widget": "textarea"}),
        );
        field(
            "other",
            json!({"type": "string", "minLength": 1}),
            json!({"widget": "text", "visibleIf": format!("s{s}_country = \"c59\""), "requiredIf": format!("s{s}_country = \"c59\"")}),
        );
        sections.push(json!({"id": format!("s{s}"), "title": t("Mục", "Section"), "items": items}));
    }
    let required: Vec<String> = (0..n / 10)
        .flat_map(|s| ["fullName", "email", "dateOfBirth", "idNumber"].map(|f| format!("s{s}_{f}")))
        .collect();
    json!({
        "id": "bench", "version": 1, "title": t("Đo", "Bench"),
        "dataSchema": {"type": "object", "required": required, "properties": props},
        "pages": [{"id": "p", "title": t("Trang", "Page"), "sections": sections}]
    })
}

/// Valid data, or data where 2 of every 10 fields are invalid (20%).
pub fn data(n: usize, invalid: bool) -> Value {
    let mut m = Map::new();
    for s in 0..n / 10 {
        let k = |name: &str| format!("s{s}_{name}");
        m.insert(k("fullName"), json!("Nguyễn Văn An"));
        m.insert(
            k("email"),
            if invalid {
                json!("an@")
            } else {
                json!("an@example.vn")
            },
        );
        m.insert(k("dateOfBirth"), json!("1990-05-17"));
        m.insert(k("years"), if invalid { json!(130) } else { json!(12) });
        m.insert(k("country"), json!("c59"));
        m.insert(k("marital"), json!("b"));
        m.insert(k("agree"), json!(true));
        m.insert(k("idNumber"), json!("001090012345"));
        m.insert(k("notes"), json!("Ghi chú"));
        m.insert(k("other"), json!("Khác"));
    }
    Value::Object(m)
}

/// The real forms of `schemas/forms/`.
const REAL: [(&str, &str); 4] = [
    ("ct01", include_str!("../../schemas/forms/ct01.json")),
    (
        "birth-registration",
        include_str!("../../schemas/forms/birth-registration.json"),
    ),
    (
        "household-business",
        include_str!("../../schemas/forms/household-business.json"),
    ),
    (
        "pit-finalisation",
        include_str!("../../schemas/forms/pit-finalisation.json"),
    ),
];

fn benches(c: &mut Criterion) {
    for (id, text) in REAL {
        c.bench_with_input(BenchmarkId::new("load_real_form", id), &text, |b, text| {
            b.iter(|| load(black_box(text)))
        });
    }
    for n in [100, 1000] {
        let text = definition(n).to_string();
        c.bench_with_input(BenchmarkId::new("load_and_check", n), &text, |b, text| {
            b.iter(|| {
                let loaded = load(black_box(text));
                assert!(
                    loaded.diagnostics.is_empty(),
                    "{:?}",
                    &loaded.diagnostics[..1]
                );
                loaded
            })
        });
        let form = Arc::new(load(&text).form.unwrap());
        let invalid = data(n, true);
        let errors = form.evaluate(&invalid, TODAY).errors.len();
        assert_eq!(errors, n / 5, "20% of the fields are invalid");
        c.bench_with_input(
            BenchmarkId::new("validate_all_20pct_invalid", n),
            &invalid,
            |b, d| b.iter(|| form.evaluate(black_box(d), TODAY)),
        );
        // One keystroke: a field no rule reads (the fast path) and a field a rule reads.
        let mut state = FormState::new(form.clone(), data(n, false), TODAY);
        let mut i = 0u64;
        let mid = n / 20;
        c.bench_function(&format!("set_plain_field/{n}"), |b| {
            b.iter(|| {
                i += 1;
                state.set(&format!("/s{mid}_fullName"), Some(json!(format!("An {i}"))))
            })
        });
        c.bench_function(&format!("set_field_read_by_a_rule/{n}"), |b| {
            b.iter(|| {
                i += 1;
                state.set(
                    &format!("/s{mid}_country"),
                    Some(json!(if i.is_multiple_of(2) { "c59" } else { "c1" })),
                )
            })
        });
    }
    // `uniqueItems` over 49,000 distinct strings: the most a submission may hold (security
    // review M2).
    let (schema, _) = form_core::schema::Schema::compile(&json!({"uniqueItems": true}));
    let items: Value = (0..49_000).map(|i| json!(format!("item {i}"))).collect();
    assert!(schema.is_valid(&items));
    c.bench_with_input(
        BenchmarkId::new("unique_items", 49_000),
        &items,
        |b, items| b.iter(|| schema.is_valid(black_box(items))),
    );
}

criterion_group!(core, benches);
criterion_main!(core);
