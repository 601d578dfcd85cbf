-- The confirmation page of a report sent with the public form (post/redirect/get): after
-- the ticket is opened the browser is sent to `/report/done`, which shows the number and
-- the tracking token from this short-lived record. The browser holds the receipt's id in a
-- cookie; the table keeps only its hash, and the token sealed under a key derived from
-- that id and the server key, so neither a copy of the database nor the cookie alone
-- reveals it. `form_key` is the form's anti-spam challenge: the same form sent again is
-- recognised as the report it already opened. Rows are deleted when they expire.

CREATE TABLE report_receipts (
    receipt_hash  TEXT   PRIMARY KEY,
    form_key      TEXT   UNIQUE,
    ticket_id     BIGINT NOT NULL REFERENCES tickets (id),
    sealed_token  TEXT   NOT NULL,
    expires_at    BIGINT NOT NULL
);
