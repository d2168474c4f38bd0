-- Co-signers (definition `signature.coSigners`): one row per party who must sign a version
-- after the applicant. A dossier waits in the status 'awaiting-co-signature' until every row of
-- its newest version is 'signed'; a decline or the deadline ends it ('co-signature-declined',
-- 'co-signature-expired'), or — for an amendment of a dossier the agency already has — returns
-- it to the status kept in `resume_status`.
CREATE TABLE co_signatures (
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    at         TEXT NOT NULL,
    id_number  TEXT NOT NULL,
    name       TEXT,
    label      TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'waiting',
    due_at     INTEGER NOT NULL,
    decided_at INTEGER,
    signer_id  TEXT,
    signature  TEXT,
    reason     TEXT,
    PRIMARY KEY (code, version, n)
);
CREATE INDEX co_signatures_party ON co_signatures (id_number, status);
CREATE INDEX co_signatures_due ON co_signatures (status, due_at);
ALTER TABLE dossiers ADD COLUMN resume_status TEXT;
