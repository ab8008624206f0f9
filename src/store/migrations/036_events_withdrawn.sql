-- Whether an event may reach its lead as a message (a rule's does, unless it says `even_opted_out`), and when
-- one still waiting to go out was withdrawn because the lead opted out: a connector draining the outbox
-- never delivers it.
ALTER TABLE events ADD COLUMN reaches_lead INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN withdrawn_at INTEGER;
