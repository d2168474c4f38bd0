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

/// Review finding C2: production is the default, and it does not start half-configured.
#[test]
fn serve_is_production_and_refuses_to_start_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (code, out) = eform(&["serve", "--addr", "127.0.0.1:0", "--data-dir", data]);
    assert_eq!(code, 2, "{out}");
    for missing in [
        "production mode unless --dev",
        "--oidc-issuer",
        "--public-url",
        "--trust-store",
    ] {
        assert!(out.contains(missing), "{missing} not named in:\n{out}");
    }
    // The secret only from the environment: a client id alone is not enough.
    let (code, out) = eform(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--data-dir",
        data,
        "--oidc-issuer",
        "http://sso.example.gov.vn",
        "--oidc-client-id",
        "eform",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("EFORM_OIDC_CLIENT_SECRET"), "{out}");
    assert!(out.contains("must be https://"), "{out}");
    // Development mode only on loopback.
    let (code, out) = eform(&["serve", "--dev", "--addr", "0.0.0.0:0", "--data-dir", data]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("loopback"), "{out}");
}

/// Review finding C1 (nothing provisions officials): `eform officials add|list|remove`.
#[test]
fn officials_are_provisioned_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    // A database with the agency directory, as a production portal leaves it.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db =
            portal::db::Db::connect(&format!("sqlite:{}", dir.path().join("eform.db").display()))
                .await
                .unwrap();
        let name = form_core::Text::new("Công an phường A", "Ward A police");
        db.upsert_agency("000.00.18.H56", &name).await.unwrap();
        db.close().await;
    });
    let (code, out) = eform(&[
        "officials",
        "add",
        "001185001122",
        "--agency",
        "000.00.18.H56",
        "--name",
        "Phạm Thu Hà",
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = eform(&["officials", "list", "--data-dir", data]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("001185001122\t000.00.18.H56\tPhạm Thu Hà"),
        "{out}"
    );
    // Mistakes are named, and change nothing.
    let (code, out) = eform(&[
        "officials",
        "add",
        "12345",
        "--agency",
        "000.00.18.H56",
        "--name",
        "X",
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("not a personal ID number"), "{out}");
    let (code, out) = eform(&[
        "officials",
        "add",
        "001185009999",
        "--agency",
        "999.99.99.X00",
        "--name",
        "X",
        "--data-dir",
        data,
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no agency 999.99.99.X00"), "{out}");
    let (code, out) = eform(&["officials", "remove", "001185001122", "--data-dir", data]);
    assert_eq!(code, 0, "{out}");
    let (code, _) = eform(&["officials", "remove", "001185001122", "--data-dir", data]);
    assert_eq!(code, 1);
    let (_, out) = eform(&["officials", "list", "--data-dir", data]);
    assert!(!out.contains("001185001122"), "{out}");
}

/// Review §B.3 (no backups): `eform backup FILE` copies a running portal's SQLite database
/// consistently; the copy opens with everything in it.
#[test]
fn a_backup_is_a_database_that_opens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let copy = dir.path().join("copy.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db =
            portal::db::Db::connect(&format!("sqlite:{}", dir.path().join("eform.db").display()))
                .await
                .unwrap();
        db.upsert_agency("000.00.18.H56", &form_core::Text::new("A", "A"))
            .await
            .unwrap();
        db.close().await;
    });
    let (code, out) = eform(&["backup", copy.to_str().unwrap(), "--data-dir", data]);
    assert_eq!(code, 0, "{out}");
    // Not over an existing file.
    let (code, out) = eform(&["backup", copy.to_str().unwrap(), "--data-dir", data]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("exists already"), "{out}");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = portal::db::Db::connect(&format!("sqlite:{}", copy.display()))
            .await
            .unwrap();
        assert_eq!(db.agencies().await.unwrap().len(), 1);
        db.close().await;
    });
}

/// Issue 22: `eform validate … | head` stops quietly when its reader has gone, instead of
/// panicking on the broken pipe.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_eform"))
        .args([
            "validate",
            "schemas/forms/ct01.json",
            "form-core/tests/fixtures/five-mistakes.json",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is read.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{:?} {stderr}",
        out.status
    );
}
