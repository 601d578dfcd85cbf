-- Deadlines that act: the notices the clock has sent (reminders before the remediation
-- deadline, overdue notices, escalations), one row per ticket, notice and deadline, so that
-- each is sent once even with several workers on one database and a step done again in a
-- new round (a new deadline) is watched again. The agency head is told of an overdue
-- remediation, at the address kept here.

CREATE TABLE deadline_notices (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
    notice     TEXT   NOT NULL,
    due_at     BIGINT NOT NULL,
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, notice, due_at)
);

ALTER TABLE agencies ADD COLUMN head_email TEXT;
