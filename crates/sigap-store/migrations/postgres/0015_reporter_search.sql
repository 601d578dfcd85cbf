-- The reporter's name and e-mail address as a full-text index of their own, searched only
-- for the staff who may learn who reported (the CSIRT, help desk, domain officers,
-- auditors, admins). Kept apart from the report's text so that a word of a report never
-- finds a ticket by its reporter's name for a role that must not see it. Split like
-- `reports.search`, so both backends find the same tickets.
ALTER TABLE reports ADD COLUMN reporter_search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(lower(reporter_name || ' ' || reporter_email),
        '[^[:alnum:]]+', ' ', 'g'))
) STORED;
CREATE INDEX reports_reporter_search ON reports USING GIN (reporter_search);
