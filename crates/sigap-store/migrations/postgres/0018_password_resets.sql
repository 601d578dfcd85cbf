-- "Lupa kata sandi": one row per link sent to a staff member's registered address. The link
-- is `{id}.{mac}`, the MAC taken with the server key over the row's id and its random
-- nonce: the database alone cannot make a link, and the mail job names only the row. A link
-- works once, before expires_at; using it retires the user's other links.
CREATE TABLE password_resets (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    nonce       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
