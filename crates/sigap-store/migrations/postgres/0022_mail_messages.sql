-- Every mail sigap sends about a ticket, by its Message-ID: which ticket and which party
-- (reporter, agency, staff, meeting) it went to. A reply names the Message-ID in
-- `In-Reply-To`/`References` and is matched to its ticket here; the next mail to the same
-- party names the earlier ones so that mail clients keep one thread per ticket. The IDs are
-- random, so that they stay unique after a backup is restored.
CREATE TABLE mail_messages (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  TEXT   NOT NULL UNIQUE,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    job_id      BIGINT REFERENCES jobs (id),
    audience    TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX mail_messages_thread ON mail_messages (ticket_id, audience, id);
