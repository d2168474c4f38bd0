-- Officials' reads of personal data (a dossier, its download, its signed pair, an attachment):
-- appended, never changed or removed — the database itself refuses UPDATE, DELETE and TRUNCATE.
CREATE TABLE access_audit (
    id           BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_id     TEXT NOT NULL,
    agency_code  TEXT,
    action       TEXT NOT NULL,
    dossier_code TEXT,
    object       TEXT
);
CREATE INDEX access_audit_dossier ON access_audit (dossier_code, id);
CREATE INDEX access_audit_actor ON access_audit (actor_id, id);

CREATE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access audit is append-only';
END
$$;
CREATE TRIGGER access_audit_no_change BEFORE UPDATE OR DELETE ON access_audit
    FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();
CREATE TRIGGER access_audit_no_truncate BEFORE TRUNCATE ON access_audit
    FOR EACH STATEMENT EXECUTE FUNCTION access_audit_append_only();

-- Officials provisioned by an administrator (`eform officials add`), matched at sign-in by
-- personal ID number: for identity providers that do not say who is an official.
CREATE TABLE officials (
    personal_id TEXT PRIMARY KEY,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    name        TEXT NOT NULL,
    added_at    BIGINT NOT NULL
);

-- When each form version was first recorded: a version is superseded when a later one is
-- recorded, and takes new dossiers only within the grace window after that (`--form-grace-hours`).
ALTER TABLE form_versions ADD COLUMN recorded_at BIGINT;
