-- Production identity: the agency directory, sign-ins through the identity provider (OpenID
-- Connect) in flight, sessions that remember their ID token (for signing out at the provider)
-- and when they were last used (officials' idle timeout).
CREATE TABLE agencies (
    code    TEXT PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

-- One row per sign-in started and not yet finished: only the SHA-256 of its `state`; the PKCE
-- verifier and the nonce stay here, never in the browser. Any instance finishes it.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    verifier   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    next_path  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_age ON oidc_logins (created_at);

ALTER TABLE sessions ADD COLUMN id_token TEXT;
ALTER TABLE sessions ADD COLUMN last_seen BIGINT NOT NULL DEFAULT 0;
