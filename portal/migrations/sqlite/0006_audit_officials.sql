-- Officials' reads of personal data (a dossier, its download, its signed pair, an attachment):
-- appended, never changed or removed — the database itself refuses UPDATE and DELETE.
CREATE TABLE access_audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    actor_id     TEXT NOT NULL,
    agency_code  TEXT,
    action       TEXT NOT NULL,
    dossier_code TEXT,
    object       TEXT
);
CREATE INDEX access_audit_dossier ON access_audit (dossier_code, id);
CREATE INDEX access_audit_actor ON access_audit (actor_id, id);

CREATE TRIGGER access_audit_no_update BEFORE UPDATE ON access_audit
BEGIN
    SELECT RAISE(ABORT, 'the access audit is append-only');
END;
CREATE TRIGGER access_audit_no_delete BEFORE DELETE ON access_audit
BEGIN
    SELECT RAISE(ABORT, 'the access audit is append-only');
END;

-- Officials provisioned by an administrator (`eform officials add`), matched at sign-in by
-- personal ID number: for identity providers that do not say who is an official.
CREATE TABLE officials (
    personal_id TEXT PRIMARY KEY,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    name        TEXT NOT NULL,
    added_at    INTEGER NOT NULL
);

-- When each form version was first recorded: a version is superseded when a later one is
-- recorded, and takes new dossiers only within the grace window after that (`--form-grace-hours`).
ALTER TABLE form_versions ADD COLUMN recorded_at INTEGER;
