-- Peraturan BSSN 1/2024: the report prepared for the sectoral CSIRT, the latest issued
-- (`document_id`, a `sectoral_report` document naming the reporter) and the STIX 2.1
-- bundle that goes with it, kept in the blob store under its SHA-256 (`bundle_sha256`)
-- so that what was sent can be shown as it was.
ALTER TABLE sectoral_reports ADD COLUMN document_id BIGINT REFERENCES documents (id);
ALTER TABLE sectoral_reports ADD COLUMN bundle_sha256 TEXT;
