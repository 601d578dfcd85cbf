-- Each staff member's saved queue filters ("Saringan tersimpan"): a name and the queue's
-- query string, as the queue page wrote it. At most a handful per user (the app limits).
CREATE TABLE saved_filters (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    name        TEXT   NOT NULL,
    query       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (user_id, name)
);
