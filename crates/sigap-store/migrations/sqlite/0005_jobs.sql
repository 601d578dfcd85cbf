-- Background jobs (the outbox): enqueued in the transaction of the action that causes them,
-- so that a refused action leaves none and a committed one always has its jobs. A worker
-- claims due jobs for a lease (`locked_until`); a job whose worker died is claimed again
-- once its lease has passed. `attempts` fences a worker whose lease was taken over: only the
-- claim with the current attempt number may finish the job. Failed attempts are retried with
-- backoff until `failed`. Payloads are JSON; a payload that carried a secret (the tracking
-- token of the receipt mail) is emptied when the job is done.

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT   NOT NULL,
    payload       TEXT   NOT NULL,
    ticket_id     BIGINT REFERENCES tickets (id),
    state         TEXT   NOT NULL DEFAULT 'pending',
    attempts      BIGINT NOT NULL DEFAULT 0,
    run_at        BIGINT NOT NULL,
    locked_until  BIGINT,
    last_error    TEXT,
    created_at    BIGINT NOT NULL,
    done_at       BIGINT
);

CREATE INDEX jobs_due ON jobs (state, run_at);
