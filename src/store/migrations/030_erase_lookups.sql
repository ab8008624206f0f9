-- An erasure reaches every record of the lead, removed ones too, and every pair naming it on either side:
-- without these, each lead a retention run erases read every customer record and every staged pair.
CREATE INDEX client_profiles_removed_by_lead ON client_profiles(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX merge_candidates_by_b ON merge_candidates(lead_b);
