-- The official documents (*naskah dinas*) issued by the steps of a ticket. The PDF itself is
-- kept in the blob store under its SHA-256 (`pdf_sha256`, equal to `sha256`); `number` is
-- gapless per kind per year (counter scope `doc:{kind}`); `verify_code` is the random code
-- of the public verification link printed as a QR code.

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
    kind         TEXT   NOT NULL,
    number       TEXT   NOT NULL UNIQUE,
    year         BIGINT NOT NULL,
    seq          BIGINT NOT NULL,
    sha256       TEXT   NOT NULL,
    pdf_sha256   TEXT   NOT NULL,
    verify_code  TEXT   NOT NULL UNIQUE,
    replaces_id  BIGINT REFERENCES documents (id),
    created_at   BIGINT NOT NULL
);

CREATE INDEX documents_ticket ON documents (ticket_id, id);
