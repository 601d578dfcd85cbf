-- The reporter's contact data sealed at rest (`contact.rs`): `reports.reporter_name`,
-- `reporter_email` and `reporter_phone` hold sealed values (`c1.…`) from now on, written by
-- the store with a key derived from the server's key; the rows of before are sealed by the
-- store at its first start with the key (`Store::seal_contacts`), which cannot be done here.
-- The search by reporter reads a keyed blind index (`reporter_index`, space-separated
-- tokens of the words' starts) instead of the clear name and address: `reporters_fts` is
-- made again over that column.
DROP TRIGGER reporters_fts_insert;
DROP TRIGGER reporters_fts_delete;
DROP TRIGGER reporters_fts_update;
DROP TABLE reporters_fts;
ALTER TABLE reports ADD COLUMN reporter_index TEXT NOT NULL DEFAULT '';
CREATE VIRTUAL TABLE reporters_fts USING fts5 (
    reporter_index,
    content = 'reports', content_rowid = 'ticket_id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER reporters_fts_insert AFTER INSERT ON reports BEGIN
    INSERT INTO reporters_fts (rowid, reporter_index) VALUES (new.ticket_id, new.reporter_index);
END;
CREATE TRIGGER reporters_fts_delete AFTER DELETE ON reports BEGIN
    INSERT INTO reporters_fts (reporters_fts, rowid, reporter_index)
    VALUES ('delete', old.ticket_id, old.reporter_index);
END;
CREATE TRIGGER reporters_fts_update AFTER UPDATE OF reporter_index ON reports BEGIN
    INSERT INTO reporters_fts (reporters_fts, rowid, reporter_index)
    VALUES ('delete', old.ticket_id, old.reporter_index);
    INSERT INTO reporters_fts (rowid, reporter_index) VALUES (new.ticket_id, new.reporter_index);
END;
-- The reports still in clear, for the sealing pass at each start: empty once it has run, so
-- the pass costs one look at an empty index.
CREATE INDEX reports_clear_contact ON reports (ticket_id)
    WHERE reporter_email <> '' AND substr(reporter_email, 1, 3) <> 'c1.';
