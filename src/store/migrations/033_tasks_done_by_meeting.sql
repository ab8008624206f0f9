-- A bump or reschedule a booked meeting answered says which meeting, so that dropping the meeting (a calendar
-- imported again after the lead declined) makes the task owed again, as removing a touch does.
ALTER TABLE tasks ADD COLUMN done_by_meeting_id TEXT;
CREATE INDEX tasks_done_by_meeting ON tasks(done_by_meeting_id) WHERE done_by_meeting_id IS NOT NULL;
