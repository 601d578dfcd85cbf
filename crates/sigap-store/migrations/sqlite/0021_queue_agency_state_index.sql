-- An agency's tickets in one state (`?agency=DISDIK&state=queued`, a system owner's queue)
-- are read and counted along this index alone: with `(state, due_at, id)` beside
-- `(agency_id, id)` the planner took the state's index and read every ticket in that state
-- to count one agency's.
CREATE INDEX tickets_agency_state ON tickets (agency_id, state, id);
