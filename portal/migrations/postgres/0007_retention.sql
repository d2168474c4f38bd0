-- How long each procedure's dossiers are kept once their result is issued, and what happens
-- then: `delete` removes the dossier; `anonymise` removes its personal data (data, files,
-- signatures, messages, the link to the citizen) and keeps the figures (agency, form, dates,
-- status) for statistics. The form id `*` is the default for forms without a policy of their own.
CREATE TABLE retention_policies (
    form_id TEXT PRIMARY KEY,
    days    BIGINT NOT NULL CHECK (days >= 1),
    action  TEXT NOT NULL CHECK (action IN ('delete', 'anonymise')),
    set_at  BIGINT NOT NULL
);

-- When an anonymised dossier lost its personal data (NULL: it has it).
ALTER TABLE dossiers ADD COLUMN erased_at BIGINT;
CREATE INDEX dossiers_due ON dossiers (status, status_at);

-- The owner of anonymised dossiers: nobody.
INSERT INTO users (id, role, name) VALUES ('erased', 'citizen', '') ON CONFLICT DO NOTHING;
