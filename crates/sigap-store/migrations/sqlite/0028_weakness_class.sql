-- Each ticket's vulnerability class (an OWASP Top 10 2021 category's key, as
-- `sigap_core::WeaknessClass` reads the report's type: a CWE id or the reporter's words),
-- written with the ticket, so that the queue, the exports and the figures filter and count
-- by class in the database, and a count on the dashboard opens the same tickets in the
-- queue. Tickets of before are classified when the store opens (`fill_weakness_classes`).
ALTER TABLE tickets ADD COLUMN weakness_class TEXT;
CREATE INDEX tickets_weakness_class ON tickets (weakness_class, id);
