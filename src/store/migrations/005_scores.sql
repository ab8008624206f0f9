-- Scores move off the leads table into a narrow one keyed by the lead's row number. They are derived
-- (the scoring rules recompute them), so a rule change rewrites a few bytes a lead here instead of every
-- page of the wide leads table. Every lead has a row, made and removed by triggers; a soft-deleted lead
-- keeps its row and is filtered out by the join to leads, as every list does.
CREATE TABLE lead_scores (
    seq       INTEGER PRIMARY KEY,
    score     INTEGER NOT NULL DEFAULT 0,
    health    INTEGER,
    priority  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO lead_scores (seq, score, health, priority) SELECT seq, score, health, priority FROM leads ORDER BY seq;

DROP INDEX leads_by_score;
DROP INDEX leads_by_priority;
ALTER TABLE leads DROP COLUMN score;
ALTER TABLE leads DROP COLUMN health;
ALTER TABLE leads DROP COLUMN priority;

CREATE INDEX lead_scores_by_score ON lead_scores(score, seq);
CREATE INDEX lead_scores_by_priority ON lead_scores(priority DESC, seq);

CREATE TRIGGER leads_scores_insert AFTER INSERT ON leads BEGIN
    INSERT INTO lead_scores (seq) VALUES (new.seq);
END;
CREATE TRIGGER leads_scores_delete AFTER DELETE ON leads BEGIN
    DELETE FROM lead_scores WHERE seq = old.seq;
END;
