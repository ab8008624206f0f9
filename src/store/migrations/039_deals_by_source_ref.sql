-- A deal is found again by the id its CRM gives it, whichever person it is on here.
CREATE INDEX deals_by_source_ref ON deals(team_id, source_ref) WHERE source_ref IS NOT NULL;
