-- "Giliran saya" sorted by deadline reads each turn (a state) on its own along this index,
-- so that the first page of a turn with tens of thousands of open tickets is read in order
-- instead of gathered and sorted whole.
CREATE INDEX tickets_state_due ON tickets (state, due_at, id);
