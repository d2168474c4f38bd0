-- The development signer's test CA and citizens' keys (development mode only), shared by the
-- instances: `ca` (the CA's key, and the chain CA + root; the root's key is dropped once it
-- issued the CA) and `citizen:<user id>`.
CREATE TABLE dev_signer_keys (
    name       TEXT PRIMARY KEY,
    key_pem    TEXT,
    cert_pem   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
