-- Signing transactions (the bridge's hash signing), shared by every instance: whichever
-- instance follows the provider records the outcome here, any instance answers the poll.
CREATE TABLE signing_transactions (
    id            TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    hash          TEXT NOT NULL,
    description   TEXT,
    doc_id        TEXT,
    created_at    INTEGER NOT NULL,
    state         TEXT NOT NULL
        CHECK (state IN ('pending', 'completed', 'rejected', 'expired', 'failed')),
    signature     TEXT,
    decided_at    INTEGER
);
CREATE INDEX signing_transactions_owner ON signing_transactions (owner_id, created_at);
CREATE INDEX signing_transactions_created ON signing_transactions (created_at);
