-- Staff web sessions and failed logins, kept in the database so that several instances
-- share them. A session is known by the SHA-256 of its cookie value (the value itself is
-- never stored); it carries its anti-CSRF token, its idle and absolute limits, and its
-- stage: `complete` once the user is fully signed in, `password` while a second factor
-- (TOTP) is still awaited. Failed logins are counted per e-mail address to lock it out.

CREATE TABLE sessions (
    id_hash       TEXT    PRIMARY KEY,
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    stage         TEXT    NOT NULL,
    csrf_token    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    source        TEXT
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY,
    email   TEXT    NOT NULL,
    at      BIGINT  NOT NULL,
    source  TEXT
);

CREATE INDEX login_failures_email ON login_failures (email, at);
