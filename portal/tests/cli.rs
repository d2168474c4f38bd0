//! The `eform` command line: `check` and `validate` on real and broken files.

use std::process::Command;

fn eform(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_eform"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn check_passes_ct01() {
    let (code, out) = eform(&["check", "schemas/forms/ct01.json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 error(s), 0 warning(s)"), "{out}");
}

#[test]
fn check_reports_all_five_mistakes_with_pointers() {
    let (code, out) = eform(&["check", "form-core/tests/fixtures/five-mistakes.json"]);
    assert_eq!(code, 1, "{out}");
    for pointer in [
        "/dataSchema/properties/idNumber/pattern",
        "/pages/0/sections/0/items/0/pointer",
        "/pages/0/sections/0/items/1/label/en",
        "/pages/0/sections/0/items/2/options",
        "/pages/0/sections/0/items/3/widget",
    ] {
        assert!(out.contains(pointer), "{pointer} missing from:\n{out}");
    }
}

#[test]
fn check_speaks_vietnamese_on_request() {
    let (_, out) = eform(&[
        "check",
        "--lang",
        "vi",
        "form-core/tests/fixtures/five-mistakes.json",
    ]);
    assert!(out.contains("Thiếu thuộc tính bắt buộc \"en\""), "{out}");
}

#[test]
fn check_explains_malformed_json_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"x\",\n  \"version\": }").unwrap();
    let (code, out) = eform(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("json-syntax") && out.contains("line 2"),
        "{out}"
    );
    let (code, out) = eform(&["check", "no/such/file.json"]);
    assert_eq!(code, 2);
    assert!(out.contains("reading no/such/file.json"), "{out}");
}

#[test]
fn validate_accepts_the_example_and_lists_errors() {
    let (code, out) = eform(&[
        "validate",
        "schemas/forms/ct01.json",
        "schemas/forms/ct01.example.json",
    ]);
    assert_eq!(code, 0, "{out}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.json");
    std::fs::write(&data, r#"{"applicant": {"idNumber": "12"}}"#).unwrap();
    let (code, out) = eform(&[
        "validate",
        "schemas/forms/ct01.json",
        data.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("/applicant/idNumber") && out.contains("/applicant/fullName"),
        "{out}"
    );
}
