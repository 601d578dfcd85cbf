-- The audit chain is keyed: each entry's hash is an HMAC-SHA256 under a key derived from the
-- server's secret key, so that someone who can write to the database but does not hold the
-- key cannot rebuild the chain after changing it.
-- `key_id` names the key the chain is sealed with (a MAC of a fixed text, never the key), so
-- that a server started with another key is told so. `legacy_until` and `legacy_seal` are set
-- once by the operator (`sigap audit seal`) on a database from before the keyed chain: the
-- entries up to `legacy_until` keep their plain SHA-256 hashes, and the record of that number
-- is itself sealed with the key, so that it cannot be moved.
-- `audit_watch` keeps the worker's last check of the chain (read by `/metrics` and the audit
-- page); `alerted_seq` remembers the break that the admins were already mailed about.
-- The indexes serve the audit page's filters by time, actor and action.

ALTER TABLE audit_head ADD COLUMN key_id TEXT;
ALTER TABLE audit_head ADD COLUMN legacy_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN legacy_seal TEXT;

CREATE TABLE audit_watch (
    id           BIGINT  PRIMARY KEY,
    checked_at   BIGINT  NOT NULL,
    checked_seq  BIGINT  NOT NULL,
    intact       BOOLEAN NOT NULL,
    broken_seq   BIGINT,
    reason       TEXT,
    alerted_seq  BIGINT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
