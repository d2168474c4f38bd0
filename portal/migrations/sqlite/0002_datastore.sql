-- The citizen's personal data store (design §4). Values are JSON text; times are milliseconds.

-- One value per citizen and catalogue key, with where it came from.
CREATE TABLE attributes (
    owner_id   TEXT NOT NULL REFERENCES users (id),
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    source     TEXT NOT NULL,
    verified   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, key)
);

-- Every consent to keep declared values: on which form, when, for which keys.
CREATE TABLE consents (
    owner_id     TEXT NOT NULL REFERENCES users (id),
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    given_at     TEXT NOT NULL,
    recorded_at  INTEGER NOT NULL,
    keys         TEXT NOT NULL
);

-- Every read and write of a citizen's store, shown to them.
CREATE TABLE datastore_audit (
    owner_id     TEXT NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    keys         TEXT NOT NULL,
    form_id      TEXT,
    form_version INTEGER
);
CREATE INDEX datastore_audit_owner ON datastore_audit (owner_id, at);
