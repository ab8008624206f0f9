-- A merge keeps the merged lead's address as another e-mail of the kept lead (since migration 016); leads
-- merged before that get theirs now, so the person is still found by the address they were known by, here
-- and in an exported copy. Followed along merges of merges to the lead that is live today; an address that
-- a live lead, or another live lead's other e-mails, hold stays theirs.
WITH RECURSIVE chain(merged_id, kept_id, at) AS (
    SELECT merged_id, kept_id, created_at FROM merge_log
    UNION
    SELECT c.merged_id, m.kept_id, c.at FROM chain c JOIN merge_log m ON m.merged_id = c.kept_id
)
INSERT INTO lead_emails (team_id, email_key, lead_id, email, created_at)
SELECT k.team_id, g.email_key, k.id, g.email, c.at
FROM chain c
JOIN leads k ON k.id = c.kept_id AND k.deleted_at IS NULL AND k.forgotten_at IS NULL
JOIN leads g ON g.id = c.merged_id AND g.email IS NOT NULL AND g.email_key IS NOT NULL AND g.forgotten_at IS NULL
WHERE NOT EXISTS (SELECT 1 FROM leads x WHERE x.team_id = k.team_id AND x.email_key = g.email_key AND x.deleted_at IS NULL)
ORDER BY c.at
ON CONFLICT (team_id, email_key) DO UPDATE SET lead_id = excluded.lead_id, email = excluded.email,
    created_at = excluded.created_at
WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = lead_emails.lead_id AND l.deleted_at IS NULL);
