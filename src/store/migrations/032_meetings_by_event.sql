-- The meetings a calendar event booked, whoever they are with: a lead taken off the invitation, or who
-- declined it, has theirs dropped when the calendar is imported again.
CREATE INDEX meetings_by_event ON meetings(calendar_key) WHERE calendar_key IS NOT NULL AND deleted_at IS NULL;
