-- A lead's social profile (a LinkedIn member page, in its one form) is kept on the lead: a contact file
-- (a vCard's URL, a CRM's "LinkedIn URL" column) gives one without saying it was ever a contact, so it is no
-- touch. A later file that gives it finds the lead again.
ALTER TABLE leads ADD COLUMN profile_url TEXT;
CREATE INDEX leads_by_profile ON leads(team_id, profile_url) WHERE profile_url IS NOT NULL AND deleted_at IS NULL;
-- A lead's profile so far was the value of its social touches: the earliest one is the lead's.
UPDATE leads SET profile_url = first.value
FROM (SELECT lead_id, value, min(occurred_at) FROM outreach WHERE kind = 4 AND deleted_at IS NULL GROUP BY lead_id) AS first
WHERE first.lead_id = leads.id AND leads.forgotten_at IS NULL AND leads.deleted_at IS NULL;
