-- Events still to go out, by the lead their payload names: an opt-out, a merge or a touch taken back finds
-- the lead's among them without reading every pending event (`events::PENDING_OF_LEAD` reads it).
CREATE INDEX IF NOT EXISTS events_pending_by_lead
ON events((CASE WHEN json_valid(payload) THEN json_extract(payload, '$.lead.id') END))
WHERE delivered_at IS NULL AND withdrawn_at IS NULL;
