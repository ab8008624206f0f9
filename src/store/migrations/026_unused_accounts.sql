-- A company no lead (live or removed) and no deal is at any more is removed, name and all, as a lead's move
-- to another company now removes the one it left (`accounts::drop_if_unused`): its name may be a person's
-- own, which an erasure could no longer find. Those left by earlier moves go now.
UPDATE accounts SET name = '(erased) ' || id, name_key = NULL, domain = NULL, industry = NULL, company_size = NULL,
    deleted_at = CAST(unixepoch('subsec') * 1000 AS INTEGER), updated_at = CAST(unixepoch('subsec') * 1000 AS INTEGER)
    WHERE deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM leads WHERE account_id = accounts.id)
    AND NOT EXISTS (SELECT 1 FROM deals WHERE account_id = accounts.id);
