-- The privacy log also records an address let in again (`privacy allow`) after its person was forgotten.
-- That entry names no lead (naming the forgotten one would tie the person who came back to it), so the
-- log's lead is optional. SQLite changes a check only by building the table again.
CREATE TABLE privacy_log_new (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES teams(id),
    user_id      TEXT REFERENCES users(id),
    lead_id      TEXT REFERENCES leads(id),
    action       TEXT NOT NULL CHECK (action IN ('opt_out', 'opt_in', 'forget', 'anonymize', 'allow')),
    reason       TEXT,
    created_at   INTEGER NOT NULL
);
INSERT INTO privacy_log_new (id, team_id, user_id, lead_id, action, reason, created_at)
    SELECT id, team_id, user_id, lead_id, action, reason, created_at FROM privacy_log;
DROP TABLE privacy_log;
ALTER TABLE privacy_log_new RENAME TO privacy_log;
CREATE INDEX privacy_log_by_lead ON privacy_log(lead_id);
CREATE INDEX privacy_log_by_time ON privacy_log(team_id, created_at);
