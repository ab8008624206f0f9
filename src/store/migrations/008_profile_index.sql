-- Social outreach by its value (a profile URL): an import finds the person a LinkedIn connection already is,
-- when the file has no e-mail to go by. Only social touches are indexed (kind 4).
CREATE INDEX outreach_by_profile ON outreach(value) WHERE kind = 4 AND deleted_at IS NULL;
