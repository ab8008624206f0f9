-- A bump is done by the next touch the rep logs (the touch was the bump, sent); which touch did it is kept,
-- so that removing that touch (logged on the wrong lead) opens the bump again.
ALTER TABLE tasks ADD COLUMN done_by_outreach_id TEXT;
CREATE INDEX tasks_done_by_touch ON tasks(done_by_outreach_id) WHERE done_by_outreach_id IS NOT NULL;
