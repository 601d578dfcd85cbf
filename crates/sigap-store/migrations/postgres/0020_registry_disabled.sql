-- Agencies and electronic systems an admin takes out of service stay on record (their
-- tickets keep naming them) but are no longer matched to new reports, offered for a
-- validation, or given new systems or system-owner accounts.
ALTER TABLE agencies ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE systems ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
