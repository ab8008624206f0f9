-- Forgetting a person and merging two leads reach every row of a lead, removed ones too. The lead_id indexes
-- hold live rows only, so those writes read whole tables; these small indexes of removed rows (and one of the
-- inbox, which had none) let them seek instead (`store::OF_LEAD`). A company's deals are found by account, a
-- deal's notes by deal.
CREATE INDEX outreach_removed_by_lead ON outreach(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX meetings_removed_by_lead ON meetings(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX deals_removed_by_lead ON deals(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX tasks_removed_by_lead ON tasks(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX notes_removed_by_lead ON notes(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX inbox_by_lead ON inbox_items(lead_id) WHERE deleted_at IS NULL;
CREATE INDEX inbox_removed_by_lead ON inbox_items(lead_id) WHERE deleted_at IS NOT NULL;
CREATE INDEX deals_by_account ON deals(account_id) WHERE account_id IS NOT NULL;
CREATE INDEX notes_by_deal ON notes(deal_id) WHERE deal_id IS NOT NULL;
