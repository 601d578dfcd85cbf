-- The agency's text of each notice, edited in the portal before the notice is issued as a
-- document (`pdp_notice_subjects`, `pdp_notice_authority`): the three contents of Pasal 46
-- ayat (2) and where to ask.
CREATE TABLE personal_data_drafts (
    ticket_id    BIGINT NOT NULL REFERENCES personal_data_breaches (ticket_id),
    recipient    TEXT   NOT NULL,
    data_exposed TEXT   NOT NULL,
    when_how     TEXT   NOT NULL,
    handling     TEXT   NOT NULL,
    contact      TEXT,
    updated_by   TEXT   NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (ticket_id, recipient)
);
