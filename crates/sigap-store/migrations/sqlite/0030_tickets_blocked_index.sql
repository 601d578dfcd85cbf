-- The systems blocked now (the dashboard's blocking section, an agency's scorecard) are
-- found along this index instead of a scan of every ticket.
CREATE INDEX tickets_blocked ON tickets (blocked, id);
