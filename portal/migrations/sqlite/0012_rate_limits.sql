-- Rate limits shared by the instances (PostgreSQL): the theoretical arrival time (GCRA) of the
-- next request per kind and key, in ms. SQLite, a single instance, counts in memory.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat INTEGER NOT NULL
);
