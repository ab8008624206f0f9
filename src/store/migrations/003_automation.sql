-- Scoring and automations: customer health and the joint priority on leads, client profiles
-- (filled when a deal is won), and the state the time-based rules keep between runs.

ALTER TABLE leads ADD COLUMN health INTEGER;
ALTER TABLE leads ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
UPDATE leads SET priority = score;
CREATE INDEX leads_by_priority ON leads(team_id, priority DESC, seq) WHERE deleted_at IS NULL;

-- Everything scoring counts per lead, readable from the index alone (deleted_at is there so SQLite
-- sees the index as covering: no table lookups).
CREATE INDEX outreach_facts ON outreach(lead_id, direction, kind, reply_type, cited_metric, deleted_at)
    WHERE deleted_at IS NULL;

CREATE TABLE client_profiles (
    id                  TEXT PRIMARY KEY,
    team_id             TEXT NOT NULL REFERENCES teams(id),
    lead_id             TEXT NOT NULL REFERENCES leads(id),
    deal_id             TEXT REFERENCES deals(id),
    plan                TEXT,
    product             TEXT,
    origin_source       TEXT,
    origin_outreach_id  TEXT,
    owner_id            TEXT REFERENCES users(id),
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'churned')),
    won_at              INTEGER,
    churned_at          INTEGER,
    churn_reason        TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    deleted_at          INTEGER
);
CREATE UNIQUE INDEX client_profiles_by_lead ON client_profiles(lead_id) WHERE deleted_at IS NULL;

-- Watermarks of the time-based rules (e.g. when scores were last refreshed for the passing of time).
CREATE TABLE automation_state (
    team_id  TEXT NOT NULL REFERENCES teams(id),
    key      TEXT NOT NULL,
    value    INTEGER NOT NULL,
    PRIMARY KEY (team_id, key)
) WITHOUT ROWID;
