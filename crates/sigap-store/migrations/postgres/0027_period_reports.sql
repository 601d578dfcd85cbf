-- The periodic reports (Laporan Bulanan/Triwulanan/Tahunan Penanganan Insiden Siber), one
-- per period: a draft whose narrative the CSIRT lead edits, then issued once, numbered like
-- the documents (counter of the kind `period_report`), its PDF in the blob store under
-- `pdf_sha256` and the figures it printed kept as JSON, so that what was issued can be
-- shown again as it was. `period` is the period's key (`2026-11`, `2026-Q4`, `2026`, or
-- `2026-11-01..2026-11-15`).
CREATE TABLE period_reports (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period       TEXT    NOT NULL UNIQUE,
    period_from  TEXT    NOT NULL,
    period_to    TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    narrative    TEXT    NOT NULL DEFAULT '',
    tlp          TEXT    NOT NULL,
    number       TEXT    UNIQUE,
    year         BIGINT,
    seq          BIGINT,
    pdf_sha256   TEXT,
    verify_code  TEXT    UNIQUE,
    figures      TEXT,
    signed_by    TEXT    NOT NULL DEFAULT '',
    draft        BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    issued_by    TEXT,
    issued_at    BIGINT
);
