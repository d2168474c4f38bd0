-- The citizen's personal data store (design §4). Values are JSON text; times are milliseconds.

-- One value per citizen and catalogue key, with where it came from.
CREATE TABLE attributes (
    owner_id   TEXT NOT NULL REFERENCES users (id),
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    source     TEXT NOT NULL,
    verified   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, key)
);

-- Every consent to keep declared values: on which form, when, for which keys.
CREATE TABLE consents (
    owner_id     TEXT NOT NULL REFERENCES users (id),
    form_id      TEXT NOT NULL,
    form_version BIGINT NOT NULL,
    given_at     TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    keys         TEXT NOT NULL
);

-- Every read and write of a citizen's store, shown to them.
CREATE TABLE datastore_audit (
    owner_id     TEXT NOT NULL,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    keys         TEXT NOT NULL,
    form_id      TEXT,
    form_version BIGINT
);
CREATE INDEX datastore_audit_owner ON datastore_audit (owner_id, at);
