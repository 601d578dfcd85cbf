-- The figures of a period (the dashboard, `/api/v1/stats/*`, the periodic report) read the
-- steps done in it along this index, never the whole table; the tickets created in it go
-- along `tickets_created` (0025).
CREATE INDEX step_records_action_done ON step_records (action, done_at);
