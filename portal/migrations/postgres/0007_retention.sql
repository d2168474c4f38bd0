-- How long each procedure's data are kept, and what happens then (a NULL setting falls back
-- to the default row, form id `*`; without either, kept):
-- - `days` after a dossier's result is issued: `delete` removes the dossier; `anonymise`
--   removes its personal data (data, files, signatures, messages, the link to the citizen) and
--   keeps the figures (agency, form, dates, status) for statistics;
-- - `files_days` after the result: the dossier's files go earlier than the dossier;
-- - `audit_days`: the citizen's data-store log entries of reads for this form.
CREATE TABLE retention_policies (
    form_id    TEXT PRIMARY KEY,
    days       BIGINT CHECK (days >= 1),
    action     TEXT NOT NULL CHECK (action IN ('delete', 'anonymise')),
    files_days BIGINT CHECK (files_days >= 1),
    audit_days BIGINT CHECK (audit_days >= 1),
    set_at     BIGINT NOT NULL
);

-- When an anonymised dossier lost its personal data (NULL: it has it).
ALTER TABLE dossiers ADD COLUMN erased_at BIGINT;
CREATE INDEX dossiers_due ON dossiers (status, status_at);

-- The owner of anonymised dossiers: nobody.
INSERT INTO users (id, role, name) VALUES ('erased', 'citizen', '') ON CONFLICT DO NOTHING;
