-- The figures of a long period (a year at 100,000 tickets): `tickets_intake` gains the
-- criticality, so that the days' counts read a filtered period from the index alone, and
-- `step_records_clock` holds the times of the SOP's clock, so that a period's steps are
-- read without visiting the table (it replaces `step_records_action_done`, its prefix).
-- PostgreSQL groups a period's tickets by hashing; SQLite's `tickets_intake_groups` is not
-- needed here.
DROP INDEX tickets_intake;
CREATE INDEX tickets_intake ON tickets (created_at, channel, agency_id, weakness_class, state, valid, criticality);
DROP INDEX step_records_action_done;
CREATE INDEX step_records_clock ON step_records (action, done_at, started_at, due_at);
