-- A citizen's report that a verified register value is wrong: kept for the register's keeper
-- (the population register is corrected by the police of the commune, never by a form).
CREATE TABLE mistake_reports (
    owner_id     TEXT NOT NULL REFERENCES users (id),
    at           INTEGER NOT NULL,
    key          TEXT NOT NULL,
    message      TEXT NOT NULL,
    form_id      TEXT,
    form_version INTEGER,
    status       TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX mistake_reports_owner ON mistake_reports (owner_id, at);
