-- How a reporter wishes to be credited (`name`, `alias` or `anonymous`, with the alias when
-- chosen), for the certificate of appreciation issued at close; and the signed copies of
-- issued documents: after a certified electronic signature applied outside the product, the
-- signed PDF is uploaded back and kept beside the original, each under its own SHA-256.
-- A document also names the step that issued it, so that a correction can be rebuilt from
-- that step's records.

ALTER TABLE reports ADD COLUMN credit TEXT NOT NULL DEFAULT 'anonymous';
ALTER TABLE reports ADD COLUMN credit_alias TEXT;
ALTER TABLE documents ADD COLUMN step_record_id BIGINT REFERENCES step_records (id);

CREATE TABLE signed_copies (
    id           INTEGER PRIMARY KEY,
    document_id  BIGINT NOT NULL REFERENCES documents (id),
    sha256       TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    note         TEXT,
    uploaded_by  BIGINT REFERENCES users (id),
    created_at   BIGINT NOT NULL,
    UNIQUE (document_id, sha256)
);

CREATE INDEX signed_copies_document ON signed_copies (document_id, id);
