-- Drafts saved on the portal (save and resume on another device): one per citizen and form,
-- the data encrypted (AES-256-GCM under a key kept outside the database; the owner and form are
-- its associated data, so a row moved to another owner does not open), removed on submission
-- and after the form's `drafts_days` (retention policy; default 30) without a save.
CREATE TABLE drafts (
    owner_id     TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    saved_at     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    nonce        BLOB NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (owner_id, form_id)
);
CREATE INDEX drafts_expiry ON drafts (expires_at);
ALTER TABLE retention_policies ADD COLUMN drafts_days INTEGER;
