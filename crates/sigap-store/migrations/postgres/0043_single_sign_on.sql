-- Staff sign-in with OpenID Connect (`identity::sso`).
--
-- `sso_attempts`: the sign-ins on their way through the provider. Each is bound to the
-- browser that started it by the SHA-256 of its `sigap_sso` cookie and carries the
-- `state`, the `nonce` and the PKCE verifier of its authorization request. The callback
-- takes it once (`taken_at`) and, when the provider's answer holds, records whom it signed
-- in (`user_id`, the sealed ID token, whether the provider asserted a second factor); the
-- same-site step after it opens the session and deletes the row. Attempts live 10 minutes.
--
-- `user_identities`: the (issuer, subject) an earlier sign-in through a provider matched
-- to a staff user; later sign-ins find the user by it (`sigap user unlink-sso` forgets it).
--
-- `sessions.id_token`: the sealed ID token of a session opened through a provider, handed
-- back to it at sign-out (RP-initiated logout).

CREATE TABLE sso_attempts (
    binding_hash   TEXT    PRIMARY KEY,
    state          TEXT    NOT NULL UNIQUE,
    nonce          TEXT    NOT NULL,
    pkce_verifier  TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    taken_at       BIGINT,
    user_id        BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    id_token       TEXT,
    mfa            BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX sso_attempts_created ON sso_attempts (created_at);

CREATE TABLE user_identities (
    issuer      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    user_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX user_identities_user ON user_identities (user_id);

ALTER TABLE sessions ADD COLUMN id_token TEXT;
