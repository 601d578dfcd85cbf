-- The initial schema: registries (agencies, systems, domains, users, tokens), tickets with
-- their reports, one row per step execution, comments, evidence metadata, gapless counters,
-- the hash-chained audit log and full-text search over the reports.

CREATE TABLE agencies (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    email       TEXT,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE systems (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id        BIGINT  NOT NULL REFERENCES agencies (id),
    name             TEXT    NOT NULL,
    suspended        BOOLEAN NOT NULL DEFAULT FALSE,
    blocking_adapter TEXT    NOT NULL DEFAULT 'manual',
    blocking_params  TEXT    NOT NULL DEFAULT '{}',
    created_at       BIGINT  NOT NULL
);
CREATE INDEX systems_agency ON systems (agency_id);

CREATE TABLE system_domains (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id  BIGINT NOT NULL REFERENCES systems (id),
    domain     TEXT   NOT NULL UNIQUE
);
CREATE INDEX system_domains_system ON system_domains (system_id);

CREATE TABLE users (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    agency_id      BIGINT  REFERENCES agencies (id),
    password_hash  TEXT,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL
);

-- Tokens are stored as the SHA-256 of the secret; the secret is shown once.
CREATE TABLE api_tokens (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    token_hash    TEXT   NOT NULL UNIQUE,
    label         TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);

-- Gapless sequences: one row per (scope, year), incremented inside the transaction that
-- uses the number, so a rolled-back transaction gives its number back.
CREATE TABLE counters (
    scope  TEXT   NOT NULL,
    year   BIGINT NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE tickets (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number               TEXT    NOT NULL UNIQUE,
    year                 BIGINT  NOT NULL,
    seq                  BIGINT  NOT NULL,
    state                TEXT    NOT NULL,
    channel              TEXT    NOT NULL,
    agency_id            BIGINT  REFERENCES agencies (id),
    system_id            BIGINT  REFERENCES systems (id),
    criticality          TEXT,
    valid                BOOLEAN,
    blocked              BOOLEAN NOT NULL DEFAULT FALSE,
    round                BIGINT  NOT NULL DEFAULT 1,
    tlp                  TEXT    NOT NULL DEFAULT 'TLP:AMBER+STRICT',
    duplicate_of         TEXT,
    assignee_id          BIGINT  REFERENCES users (id),
    created_by           BIGINT  REFERENCES users (id),
    tracking_token_hash  TEXT    NOT NULL,
    state_entered_at     BIGINT  NOT NULL,
    due_at               BIGINT,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    closed_at            BIGINT,
    UNIQUE (year, seq)
);
CREATE INDEX tickets_state ON tickets (state, id);
CREATE INDEX tickets_agency ON tickets (agency_id, id);
CREATE INDEX tickets_criticality ON tickets (criticality, id);
CREATE INDEX tickets_due ON tickets (due_at);

-- What the reporter sent (SOP steps 1-2). The reporter's claimed severity stays here; the
-- CSIRT's criticality is on the ticket.
CREATE TABLE reports (
    ticket_id           BIGINT PRIMARY KEY REFERENCES tickets (id),
    reporter_name       TEXT   NOT NULL,
    reporter_email      TEXT   NOT NULL,
    reporter_phone      TEXT,
    severity            TEXT   NOT NULL,
    vulnerability_type  TEXT   NOT NULL,
    target_url          TEXT   NOT NULL,
    target_host         TEXT   NOT NULL,
    title               TEXT   NOT NULL,
    description         TEXT   NOT NULL,
    proof_of_concept    TEXT   NOT NULL,
    evidence_text       TEXT,
    cvss_vector         TEXT,
    cvss_score          DOUBLE PRECISION,
    language            TEXT   NOT NULL DEFAULT 'id'
);

-- One row per step execution: the records written, and the step's SLA (started, due, done).
CREATE TABLE step_records (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    action      TEXT   NOT NULL,
    round       BIGINT NOT NULL,
    actor_id    BIGINT REFERENCES users (id),
    actor_role  TEXT   NOT NULL,
    from_state  TEXT   NOT NULL,
    to_state    TEXT   NOT NULL,
    records     TEXT   NOT NULL,
    started_at  BIGINT NOT NULL,
    due_at      BIGINT,
    done_at     BIGINT NOT NULL,
    overdue     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX step_records_ticket ON step_records (ticket_id, id);

CREATE TABLE comments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
    author_id   BIGINT REFERENCES users (id),
    author_kind TEXT   NOT NULL,
    visibility  TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX comments_ticket ON comments (ticket_id, id);

-- Evidence metadata; the bytes live under the data directory, named by their SHA-256.
CREATE TABLE evidence (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id       BIGINT NOT NULL REFERENCES tickets (id),
    step_record_id  BIGINT REFERENCES step_records (id),
    comment_id      BIGINT REFERENCES comments (id),
    sha256          TEXT   NOT NULL,
    original_name   TEXT   NOT NULL,
    media_type      TEXT   NOT NULL,
    size            BIGINT NOT NULL,
    uploaded_by     BIGINT REFERENCES users (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX evidence_ticket ON evidence (ticket_id, id);

-- Append-only, hash-chained. `hash` = SHA-256(prev_hash || canonical JSON of the entry).
CREATE TABLE audit_log (
    seq            BIGINT PRIMARY KEY,
    at             BIGINT NOT NULL,
    actor          TEXT   NOT NULL,
    role           TEXT   NOT NULL,
    action         TEXT   NOT NULL,
    ticket_number  TEXT,
    source         TEXT,
    outcome        TEXT   NOT NULL,
    details        TEXT   NOT NULL,
    prev_hash      TEXT   NOT NULL,
    hash           TEXT   NOT NULL
);
CREATE INDEX audit_log_ticket ON audit_log (ticket_number, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Full text over what the reporter wrote: the text is split on anything that is not a
-- letter or digit and indexed with the 'simple' configuration (no stemming), so that the
-- same query finds the same tickets as SQLite's FTS5 unicode61 tokenizer.
ALTER TABLE reports ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(lower(
        title || ' ' || description || ' ' || proof_of_concept || ' ' || target_url),
        '[^[:alnum:]]+', ' ', 'g'))
) STORED;
CREATE INDEX reports_search ON reports USING GIN (search);

-- The chain's head: the last entry's number and hash. Appends lock this row, so entries are
-- numbered without gaps; `audit verify` compares it with the last entry (a cut tail shows).
CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT   NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
