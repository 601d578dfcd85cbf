-- The figures of a period (the dashboard, `/api/v1/stats/*`, the monthly report) read the
-- tickets created in it and the steps done in it along these indexes, never the whole table.
CREATE INDEX IF NOT EXISTS tickets_created ON tickets (created_at);
CREATE INDEX step_records_action_done ON step_records (action, done_at);
