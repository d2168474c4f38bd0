-- The revocation data signatures were validated with (OCSP answers, CRLs), kept as evidence by
-- the SHA-256 of their DER: a validation report names them, and shows again years later.
CREATE TABLE validation_data (
    sha256     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    der        BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
-- Signatures accepted while their revocation status could not be had (INDETERMINATE /
-- TRY_LATER under the policy "hold"): validated again until it can.
CREATE TABLE signature_rechecks (
    code     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    due_at   INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (code, version)
);
CREATE INDEX signature_rechecks_due ON signature_rechecks (due_at);
