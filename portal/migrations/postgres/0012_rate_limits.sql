-- Rate limits shared by the instances: the theoretical arrival time (GCRA) of the next
-- request per kind and key, in ms. Unlogged: after a crash of the database the counts start
-- afresh, which a rate limit can afford.
CREATE UNLOGGED TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL
);
