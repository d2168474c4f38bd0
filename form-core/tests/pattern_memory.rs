//! Refusing a huge pattern allocates next to nothing (security review H1): the process's peak
//! resident memory hardly moves while 51 `a{300000}` patterns (about 10 MB each if compiled) are
//! refused. A test binary of its own, so no other test runs beside it; Linux only (it reads
//! `VmHWM` from `/proc/self/status`).
#![cfg(target_os = "linux")]

use serde_json::{Map, Value, json};

fn peak_resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn refusing_huge_patterns_allocates_little() {
    let t = |s: &str| json!({"vi": s, "en": s});
    let props: Map<String, Value> = (0..50)
        .map(|i| {
            (
                format!("p{i}"),
                json!({"type": "string", "pattern": "a{300000}"}),
            )
        })
        .chain([("x".to_owned(), json!({"type": "string"}))])
        .collect();
    let item = json!({"widget": "text", "pointer": "/x", "label": t("X"),
        "visibleIf": "matches(x, \"a{300000}\")"});
    let def = json!({
        "id": "bomb", "version": 1, "title": t("B"),
        "dataSchema": {"type": "object", "properties": props},
        "pages": [{"id": "p", "title": t("P"), "sections": [{"id": "s", "title": t("S"), "items": [item]}]}]
    });
    // Warm up (the meta-schema, once per process), then measure.
    let _ = form_core::load_value(&json!({}));
    let before = peak_resident_kib();
    let loaded = form_core::load_value(&def);
    let grown = peak_resident_kib() - before;
    assert!(
        grown < 16 * 1024,
        "peak resident memory grew by {grown} KiB"
    );
    assert_eq!(loaded.diagnostics.len(), 51, "{:#?}", loaded.diagnostics);
}
