-- A meeting imported from a calendar keeps the event it came from (its UID, and for one occurrence of a
-- recurring event the start it was first given), so importing the calendar again moves a rescheduled
-- meeting and drops a cancelled one instead of booking it twice.
ALTER TABLE meetings ADD COLUMN calendar_key TEXT;
CREATE INDEX meetings_by_calendar_key ON meetings(lead_id, calendar_key) WHERE calendar_key IS NOT NULL AND deleted_at IS NULL;
