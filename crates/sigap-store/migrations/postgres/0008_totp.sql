-- The second factor of staff sign-in: a TOTP credential (RFC 6238) per user and its
-- one-time recovery codes. The secret is stored sealed (ChaCha20-Poly1305 under the
-- server's secret key, the user id as associated data), so that a copy of the database
-- alone does not give it away. `enabled_at` is NULL while an enrolment awaits its first
-- code; `last_step` is the last accepted 30-second time step, so that a code is never
-- accepted twice. Recovery codes are stored as the SHA-256 of the code (each has 80
-- random bits); `used_at` marks the one use each allows. Times are UTC milliseconds.

CREATE TABLE totp_credentials (
    user_id     BIGINT  PRIMARY KEY REFERENCES users (id),
    secret      TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    enabled_at  BIGINT,
    last_step   BIGINT
);

CREATE TABLE totp_recovery_codes (
    user_id     BIGINT  NOT NULL REFERENCES users (id),
    code_hash   TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
