-- The transactional outbox: every dossier event (received, amended, status changed, result
-- issued, erased), written in the transaction that makes the change. Numbered per agency by
-- `outbox_counters`, whose row each writer locks until it commits: an agency's events commit in
-- the order of their numbers, so a reader resuming after number N never misses one.
CREATE TABLE outbox_counters (
    agency_code TEXT PRIMARY KEY,
    n           INTEGER NOT NULL
);
CREATE TABLE outbox (
    agency_code  TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    at           INTEGER NOT NULL,
    dossier_code TEXT NOT NULL,
    kind         TEXT NOT NULL,
    version      INTEGER,
    status       TEXT,
    signed       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (agency_code, seq)
);

-- Agencies' back-office systems: an API key (only its SHA-256 kept) acting for one agency.
CREATE TABLE service_accounts (
    user_id     TEXT PRIMARY KEY REFERENCES users (id),
    agency_code TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
