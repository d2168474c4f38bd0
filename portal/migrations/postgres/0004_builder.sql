-- The form builder: each form an agency edits has one draft (saved as the official works; it
-- may have errors), and every published version is immutable: its text in form_versions,
-- who published it, when, and what changed from the version before.
CREATE TABLE builder_forms (
    form_id     TEXT PRIMARY KEY,
    agency_code TEXT NOT NULL,
    draft       TEXT NOT NULL,
    rev         BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL REFERENCES users (id)
);
CREATE INDEX builder_forms_agency ON builder_forms (agency_code, form_id);

CREATE TABLE form_publications (
    form_id      TEXT NOT NULL,
    version      BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL REFERENCES users (id),
    changes      TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);
