-- The revocation data signatures were validated with (OCSP answers, CRLs), kept as evidence by
-- the SHA-256 of their DER: a validation report names them, and shows again years later.
CREATE TABLE validation_data (
    sha256     TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    der        BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
-- Signatures accepted while their revocation status could not be had (INDETERMINATE /
-- TRY_LATER under the policy "hold"): validated again until it can.
CREATE TABLE signature_rechecks (
    code     TEXT NOT NULL,
    version  BIGINT NOT NULL,
    due_at   BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (code, version)
);
CREATE INDEX signature_rechecks_due ON signature_rechecks (due_at);
