-- Webhooks to agencies' back-office systems (the Standard Webhooks scheme): one endpoint per
-- agency, the event types it takes ('*': all), and how far its events have been fanned out
-- into deliveries (events after `fanned_seq` get theirs on the workers' next pass).
CREATE TABLE webhooks (
    agency_code TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL,
    fanned_seq  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);

-- One delivery per event and webhook: retried with backoff until the receiver answers 2xx,
-- then `delivered`; `dead` after the give-up window (replayable). A worker holds a lease while
-- it calls; a lease that runs out (the worker died) frees the delivery for another.
CREATE TABLE deliveries (
    agency_code  TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    first_at     INTEGER NOT NULL,
    next_at      INTEGER NOT NULL,
    leased_until INTEGER,
    last_error   TEXT,
    delivered_at INTEGER,
    PRIMARY KEY (agency_code, seq)
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);

-- Keys the instances share (e.g. the one that signs attachment links), made at first start.
CREATE TABLE portal_keys (
    name       TEXT PRIMARY KEY,
    key        TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
