-- The reporter's name and e-mail address as a full-text index of their own, searched only
-- for the staff who may learn who reported (the CSIRT, help desk, domain officers,
-- auditors, admins). Kept apart from the report's text so that a word of a report never
-- finds a ticket by its reporter's name for a role that must not see it. External
-- content, kept by triggers, split like `reports_fts`.
CREATE VIRTUAL TABLE reporters_fts USING fts5 (
    reporter_name, reporter_email,
    content = 'reports', content_rowid = 'ticket_id',
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO reporters_fts (rowid, reporter_name, reporter_email)
SELECT ticket_id, reporter_name, reporter_email FROM reports;
CREATE TRIGGER reporters_fts_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reporters_fts (rowid, reporter_name, reporter_email)
    VALUES (new.ticket_id, new.reporter_name, new.reporter_email);
END;
CREATE TRIGGER reporters_fts_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reporters_fts (reporters_fts, rowid, reporter_name, reporter_email)
    VALUES ('delete', old.ticket_id, old.reporter_name, old.reporter_email);
END;
CREATE TRIGGER reporters_fts_update AFTER UPDATE OF reporter_name, reporter_email ON reports BEGIN
    INSERT INTO reporters_fts (reporters_fts, rowid, reporter_name, reporter_email)
    VALUES ('delete', old.ticket_id, old.reporter_name, old.reporter_email);
    INSERT INTO reporters_fts (rowid, reporter_name, reporter_email)
    VALUES (new.ticket_id, new.reporter_name, new.reporter_email);
END;
