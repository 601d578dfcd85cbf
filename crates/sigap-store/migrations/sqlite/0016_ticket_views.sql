-- When each staff member last opened each ticket's page, so that the queue can mark the
-- tickets with something new for them since: a reporter's message, a comment, a file or a
-- document they have not seen. One row per user and ticket, overwritten on each visit.
CREATE TABLE ticket_views (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, ticket_id)
);
