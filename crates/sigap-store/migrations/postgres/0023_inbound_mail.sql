-- Mail received by the CSIRT (over LMTP from the city's mail server, or read from an IMAP
-- mailbox): one row per message. The message is kept whole as evidence, its bytes in the
-- blob store (`raw_sha256`), never rendered; beside it what was read of it.
--
-- `dedupe_key` makes a message land once however often it is delivered (a mail server's
-- retry after a lost acknowledgement, an IMAP re-read after a restart, two workers): the
-- Message-ID with the sender's address, or the hash of the bytes when there is no
-- Message-ID. `mailbox_uid` is the IMAP mailbox, UIDVALIDITY and UID it was read from.
-- `thread_key` is the first Message-ID of its thread (one acknowledgement per thread).
--
-- `kind`: `report` (not a reply: a new report for the inbox), `reply` (matched to a ticket),
-- `unverified` (names a ticket but could not be matched safely), `auto_reply`, `bounce`.
-- `status`: `new` (waiting in the inbox), `accepted` (became `ticket_id`), `discarded`
-- (with `discard_reason`), `posted` (a reply added to `ticket_id`), `recorded` (kept, not
-- shown to the desk: an out-of-office reply, a delivery report).
CREATE TABLE inbound_mail (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key      TEXT   NOT NULL UNIQUE,
    message_id      TEXT,
    mailbox_uid     TEXT   UNIQUE,
    thread_key      TEXT   NOT NULL,
    via             TEXT   NOT NULL,
    envelope_from   TEXT   NOT NULL,
    recipients      TEXT   NOT NULL,
    from_address    TEXT,
    from_name       TEXT,
    subject         TEXT   NOT NULL,
    body_text       TEXT   NOT NULL,
    raw_sha256      TEXT   NOT NULL,
    raw_size        BIGINT NOT NULL,
    authentication  TEXT   NOT NULL,
    fields          TEXT   NOT NULL,
    flags           TEXT   NOT NULL,
    kind            TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    ticket_id       BIGINT REFERENCES tickets (id),
    decided_by      BIGINT REFERENCES users (id),
    decided_at      BIGINT,
    discard_reason  TEXT,
    acknowledged    BOOLEAN NOT NULL DEFAULT FALSE,
    received_at     BIGINT NOT NULL
);
CREATE INDEX inbound_mail_status ON inbound_mail (status, id);
CREATE INDEX inbound_mail_thread ON inbound_mail (thread_key);
CREATE INDEX inbound_mail_ticket ON inbound_mail (ticket_id, id);

-- The attachments of a received message. One that passed the same sniffing, allow-list and
-- size limit as an upload is stored (`sha256`) and becomes evidence when the mail becomes a
-- ticket; one that did not keeps its name, size and `refused` reason, its bytes only in the
-- raw message.
CREATE TABLE inbound_files (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inbound_id      BIGINT NOT NULL REFERENCES inbound_mail (id),
    name            TEXT   NOT NULL,
    declared_type   TEXT   NOT NULL,
    media_type      TEXT,
    sha256          TEXT,
    size            BIGINT NOT NULL,
    refused         TEXT
);
CREATE INDEX inbound_files_mail ON inbound_files (inbound_id, id);
