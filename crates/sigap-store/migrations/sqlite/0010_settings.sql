-- Settings an admin changes on the admin pages, over those read at start from the
-- environment and the documents file: one row per section (`approval`, `holidays`,
-- `documents`), its value as JSON. Every change takes the next number of the counter
-- `settings` (scope `settings`, year 0) in its transaction and writes it as the row's
-- revision, so that each instance sees at its next use that the copy it holds is old.

CREATE TABLE settings (
    name        TEXT   PRIMARY KEY,
    value       TEXT   NOT NULL,
    revision    BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT   NOT NULL
);
