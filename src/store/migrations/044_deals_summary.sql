-- The board's totals per stage and currency, read after every move: from this index alone rather than from
-- every deal's row (0.05 s against 0.3 s at 277,000 deals). Currency before stage: a query for one stage's
-- deals in board order keeps to `deals_by_stage` (team, stage, position), which serves its order.
CREATE INDEX IF NOT EXISTS deals_summary ON deals(team_id, currency, stage, amount_minor) WHERE deleted_at IS NULL;
