-- A reporter's requests made with the tracking token (sigap_core::rights): `export` (they
-- downloaded what sigap holds about them), `correction` (they corrected their contact
-- details), `erasure` (they asked to be erased: applied at once on a closed ticket, else
-- at its closing, `applied_at`). Shown to the help desk on the ticket.
CREATE TABLE reporter_requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    kind         TEXT   NOT NULL,
    requested_at BIGINT NOT NULL,
    applied_at   BIGINT
);
CREATE INDEX reporter_requests_ticket ON reporter_requests (ticket_id, id);
