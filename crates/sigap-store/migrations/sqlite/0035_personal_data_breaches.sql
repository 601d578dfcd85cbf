-- The clock of UU 27/2022 (PDP) Pasal 46: a ticket whose finding exposed personal data, from
-- when it was recorded (`source`: `assessment`, the criticality minutes; `staff`, later,
-- with `reason`) to `due_at` (the `law` section's hours, 72 by default); `stopped_at` is
-- the later of the two notices' times once the agency has recorded both.
CREATE TABLE personal_data_breaches (
    ticket_id   BIGINT NOT NULL PRIMARY KEY REFERENCES tickets (id),
    started_at  BIGINT NOT NULL,
    due_at      BIGINT NOT NULL,
    source      TEXT   NOT NULL,
    reason      TEXT,
    recorded_by TEXT   NOT NULL,
    stopped_at  BIGINT
);
CREATE INDEX personal_data_breaches_open ON personal_data_breaches (due_at)
    WHERE stopped_at IS NULL;

-- The notices the agency gave (`recipient`: `subjects` or `authority`), one of each: when,
-- how (`channel`), a note, and the notice itself as a file in the blob store.
CREATE TABLE personal_data_notices (
    ticket_id    BIGINT NOT NULL REFERENCES personal_data_breaches (ticket_id),
    recipient    TEXT   NOT NULL,
    notified_at  BIGINT NOT NULL,
    channel      TEXT   NOT NULL,
    note         TEXT,
    sha256       TEXT   NOT NULL,
    file_name    TEXT   NOT NULL,
    media_type   TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    recorded_by  TEXT   NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, recipient)
);
