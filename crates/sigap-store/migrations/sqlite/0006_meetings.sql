-- Meetings scheduled for a step of a ticket: the validation in a meeting (SOP step 3), the
-- criticality assessment (step 4) and the internal review of the follow-up (step 9). Each
-- has a stable iCalendar `uid` and a `sequence` that grows with every update or the
-- cancellation, so that the invitations sent by mail move or remove the same calendar
-- event. `attendees` is JSON: `[{"name": "...", "email": "..."}]` (`name` optional).
-- `status` is `scheduled`, `cancelled` (with `cancel_reason`) or `held` once a step
-- has recorded it (`held_step_id`, the step record that used it).

CREATE TABLE meetings (
    id              INTEGER PRIMARY KEY,
    ticket_id       BIGINT NOT NULL REFERENCES tickets (id),
    purpose         TEXT   NOT NULL,
    round           BIGINT NOT NULL,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    place           TEXT,
    video_url       TEXT,
    attendees       TEXT   NOT NULL,
    agency_invited  BOOLEAN NOT NULL DEFAULT FALSE,
    sequence        BIGINT NOT NULL DEFAULT 0,
    status          TEXT   NOT NULL DEFAULT 'scheduled',
    uid             TEXT   NOT NULL UNIQUE,
    created_by      BIGINT REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    cancel_reason   TEXT,
    held_step_id    BIGINT REFERENCES step_records (id),
    CHECK (purpose IN ('validation', 'assessment', 'review')),
    CHECK (status IN ('scheduled', 'cancelled', 'held')),
    CHECK (ends_at > starts_at)
);

CREATE INDEX meetings_ticket ON meetings (ticket_id, starts_at);
