-- Sign-in hardening and API token limits.
--
-- `login_throttle` counts sign-in attempts per client (a keyed hash of the address, or of
-- its IPv6 /64, never the address itself) and 15-minute window, so that every instance on
-- the database refuses the same client before any password hash is computed.
-- `sign_in_notices` remembers that a repeated refusal (a locked account, a throttled
-- client, an unknown token) was already audited in a window, so that it is audited once.
-- `known_sign_in_clients` keeps the clients (keyed hashes) from which an account last
-- completed a sign-in: the account's lockout does not refuse them, so a stranger cannot
-- lock a user out from their own address.
-- API tokens gain an optional expiry, their scopes (comma-separated `read`, `act`,
-- `admin`; existing tokens keep all three) and the time of their last use.

CREATE TABLE login_throttle (
    client        TEXT   NOT NULL,
    window_start  BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (client, window_start)
);

CREATE TABLE sign_in_notices (
    subject       TEXT   NOT NULL,
    window_start  BIGINT NOT NULL,
    PRIMARY KEY (subject, window_start)
);

CREATE TABLE known_sign_in_clients (
    email    TEXT   NOT NULL,
    client   TEXT   NOT NULL,
    last_at  BIGINT NOT NULL,
    PRIMARY KEY (email, client)
);

ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,act,admin';
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;

CREATE INDEX api_tokens_user ON api_tokens (user_id);
