-- A lead's social profile (a LinkedIn member page, in its one form) is kept on the lead: a contact file
-- (a vCard's URL, a CRM's "LinkedIn URL" column) gives one without saying it was ever a contact, so it is no
-- touch. A later file that gives it finds the lead again.
ALTER TABLE leads ADD COLUMN profile_url TEXT;
CREATE INDEX leads_by_profile ON leads(team_id, profile_url) WHERE profile_url IS NOT NULL AND deleted_at IS NULL;
