-- Retention of a closed ticket's data (sigap_core::retention). `legal_holds`: a ticket an
-- admin holds, with the reason, is skipped by the retention sweep until the hold is
-- lifted (the history is in the audit log). `tickets.contact_removed_at`: when the
-- reporter's contact data were anonymised; `evidence.destroyed_at`: when a file was
-- destroyed (its row stays, so the documents that name it by its SHA-256 still point to
-- something; the blob sweep deletes the bytes). `destruction_records`: each run that
-- changed something, as its Berita Acara Pemusnahan (a document of no ticket, numbered
-- like the documents, its PDF in the blob store) with what it did as JSON.
CREATE TABLE legal_holds (
    ticket_id BIGINT NOT NULL PRIMARY KEY REFERENCES tickets (id),
    reason    TEXT   NOT NULL,
    set_by    TEXT   NOT NULL,
    set_at    BIGINT NOT NULL
);
ALTER TABLE tickets ADD COLUMN contact_removed_at BIGINT;
ALTER TABLE evidence ADD COLUMN destroyed_at BIGINT;
CREATE INDEX tickets_retention ON tickets (closed_at) WHERE closed_at IS NOT NULL;
CREATE TABLE destruction_records (
    id          INTEGER PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    year        BIGINT  NOT NULL,
    seq         BIGINT  NOT NULL,
    pdf_sha256  TEXT    NOT NULL,
    verify_code TEXT    NOT NULL UNIQUE,
    signed_by   TEXT    NOT NULL,
    draft       BOOLEAN NOT NULL,
    details     TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
