//! Review finding H5: the portal talks to PostgreSQL over TLS (rustls), verifying the server's
//! certificate against a CA given in the URL (`sslmode=verify-full&sslrootcert=…`). The
//! throwaway server of `cargo xtask test` speaks TLS with a test CA (`EFORM_TEST_POSTGRES_CA`)
//! and refuses its role `tls_only` without TLS.

mod common;

use sqlx::Row;

#[tokio::test]
async fn the_database_connection_is_encrypted_and_verified() {
    if !common::postgres_available() {
        return;
    }
    let Ok(ca) = std::env::var("EFORM_TEST_POSTGRES_CA") else {
        panic!("EFORM_TEST_POSTGRES_CA is not set (cargo xtask test sets it)");
    };
    let server = std::env::var("EFORM_TEST_POSTGRES_URL").unwrap();
    let tls_only = server.replacen("postgres://postgres@", "postgres://tls_only@", 1);
    // Without TLS the role is refused.
    let plain = portal::db::Db::connect(&format!("{tls_only}?sslmode=disable")).await;
    assert!(plain.is_err(), "a plain connection was accepted");
    // Verified TLS: the portal's pool works, and the server says the session is encrypted.
    let db = portal::db::Db::connect(&format!("{tls_only}?sslmode=verify-full&sslrootcert={ca}"))
        .await
        .expect("a verified TLS connection");
    let portal::db::Db::Pg(pool) = &db else {
        panic!("not PostgreSQL")
    };
    let row = sqlx::query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(row.get::<bool, _>("ssl"));
    assert!(row.get::<String, _>("version").starts_with("TLS"));
    db.close().await;
    // A certificate that does not lead to the given CA is refused.
    let other = tempfile::tempdir().unwrap();
    let wrong = other.path().join("other-ca.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .arg("-keyout")
        .arg(other.path().join("k.pem"))
        .arg("-out")
        .arg(&wrong)
        .args(["-days", "30", "-subj", "/CN=another CA"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let refused = portal::db::Db::connect(&format!(
        "{tls_only}?sslmode=verify-full&sslrootcert={}",
        wrong.display()
    ))
    .await;
    assert!(
        refused.is_err(),
        "a server certificate from another CA was accepted"
    );
}
