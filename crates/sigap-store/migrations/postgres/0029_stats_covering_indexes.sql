-- The figures at 100,000 tickets: the "> 3 reports" rule's count per agency (the
-- dashboard, the scorecard, and the review's own count) reads the valid tickets of an
-- agency from this index alone instead of every ticket since the window's start; the
-- intake of a period reads its tickets' channel, agency, class, state and outcome from
-- the second without visiting the table.
CREATE INDEX tickets_valid_agency ON tickets (valid, agency_id, created_at, state);
CREATE INDEX tickets_intake ON tickets (created_at, channel, agency_id, weakness_class, state, valid);
