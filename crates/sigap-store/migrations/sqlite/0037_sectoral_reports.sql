-- Peraturan BSSN 1/2024: a ticket of high risk (`reasons`: `high`, `personal_data`, `iiv`,
-- comma-separated) is reported to the sectoral CSIRT from its assessment (`started_at`)
-- until `due_at` (the `law` section's hours, 1×24 for an IIV system); the CSIRT records
-- when (`sent_at`) and how it sent the report and the recipient's reference.
CREATE TABLE sectoral_reports (
    ticket_id   BIGINT NOT NULL PRIMARY KEY REFERENCES tickets (id),
    started_at  BIGINT NOT NULL,
    due_at      BIGINT NOT NULL,
    reasons     TEXT   NOT NULL,
    sent_at     BIGINT,
    channel     TEXT,
    reference   TEXT,
    recipient   TEXT,
    recorded_by TEXT,
    recorded_at BIGINT
);
CREATE INDEX sectoral_reports_open ON sectoral_reports (due_at) WHERE sent_at IS NULL;
