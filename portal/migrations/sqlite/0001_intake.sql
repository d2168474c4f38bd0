-- Dossier intake (SQLite). Times are milliseconds since the Unix epoch (UTC); JSON is kept as
-- the exact text received or produced.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    role        TEXT NOT NULL CHECK (role IN ('citizen', 'official')),
    name        TEXT NOT NULL,
    agency_code TEXT,
    personal_id TEXT
);

-- Only the SHA-256 of a session token is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Every form version a dossier was filled against, exactly as it was served.
CREATE TABLE form_versions (
    form_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- The last sequence number of dossier codes per agency and day (Vietnam time).
CREATE TABLE code_counters (
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (agency_code, day)
);

CREATE TABLE dossiers (
    code         TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL REFERENCES users (id),
    agency_code  TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    status       TEXT NOT NULL,
    status_at    INTEGER NOT NULL,
    versions     INTEGER NOT NULL,
    events       INTEGER NOT NULL,
    results      INTEGER NOT NULL DEFAULT 0,
    rated        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dossiers_owner ON dossiers (owner_id, received_at);
CREATE INDEX dossiers_agency ON dossiers (agency_code, received_at);

-- Append-only: version 1 is the submission, the next ones amendments.
CREATE TABLE dossier_versions (
    code         TEXT NOT NULL REFERENCES dossiers (code),
    version      INTEGER NOT NULL,
    owner_id     TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    submitted_at INTEGER NOT NULL,
    data         TEXT NOT NULL,
    attachments  TEXT NOT NULL,
    signature    TEXT,
    PRIMARY KEY (code, version),
    UNIQUE (owner_id, idem_key)
);

-- Append-only history: submitted, amended, status changes.
CREATE TABLE dossier_events (
    code        TEXT NOT NULL REFERENCES dossiers (code),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    message     TEXT,
    result_code TEXT,
    attachment  TEXT,
    PRIMARY KEY (code, seq)
);

-- Uploaded files, by the SHA-256 of their content.
CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    content    BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
-- Who uploaded a file (and under which name): only they may attach it to a dossier.
CREATE TABLE blob_owners (
    sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    user_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (sha256, user_id)
);
-- Which dossiers refer to a file: whoever may see the dossier may download it.
CREATE TABLE dossier_blobs (
    code   TEXT NOT NULL REFERENCES dossiers (code),
    sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (code, sha256)
);

-- Satisfaction ratings (Decree 42/2022 Art. 13.5.b): no user, no dossier, only the day.
CREATE TABLE ratings (
    form_id     TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    day         TEXT NOT NULL,
    score       INTEGER CHECK (score BETWEEN 1 AND 5),
    comment     TEXT
);
