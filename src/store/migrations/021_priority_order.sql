-- Leads are ranked by priority (the joint score for customers) as by score: highest first, the newest first
-- among equals. This index serves that order read backwards, as `lead_scores_by_score` serves the score's.
DROP INDEX lead_scores_by_priority;
CREATE INDEX lead_scores_by_priority ON lead_scores(priority, seq);
