-- The reporter's contact data sealed at rest (`contact.rs`): `reports.reporter_name`,
-- `reporter_email` and `reporter_phone` hold sealed values (`c1.…`) from now on, written by
-- the store with a key derived from the server's key; the rows of before are sealed by the
-- store at its first start with the key (`Store::seal_contacts`), which cannot be done here.
-- The search by reporter reads a keyed blind index (`reporter_index`, space-separated
-- tokens of the words' starts) instead of the clear name and address: `reporter_search` is
-- generated from that column now.
DROP INDEX reports_reporter_search;
ALTER TABLE reports DROP COLUMN reporter_search;
ALTER TABLE reports ADD COLUMN reporter_index TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN reporter_search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', reporter_index)
) STORED;
CREATE INDEX reports_reporter_search ON reports USING GIN (reporter_search);
-- The reports still in clear, for the sealing pass at each start: empty once it has run, so
-- the pass costs one look at an empty index.
CREATE INDEX reports_clear_contact ON reports (ticket_id)
    WHERE reporter_email <> '' AND substr(reporter_email, 1, 3) <> 'c1.';
