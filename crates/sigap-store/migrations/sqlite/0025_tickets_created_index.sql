-- The queue's period filters (`from`, `to`: the days a ticket was created, in WIB) and the
-- exports and counts of a period read the tickets created between two instants along this
-- index, instead of every ticket.
CREATE INDEX tickets_created ON tickets (created_at, id);
