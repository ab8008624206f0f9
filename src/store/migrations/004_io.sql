-- Import, export, duplicates and privacy: what a run did (so it can resume), which leads may be the same
-- person (and which were merged, so a merge can be explained), and every opt-out, erasure and anonymisation.

-- Digits of the phone with a leading + kept: the key for "same phone" lookups (the importer also tries E.164).
ALTER TABLE leads ADD COLUMN phone_key TEXT GENERATED ALWAYS AS (
    nullif(replace(replace(replace(replace(replace(replace(phone, ' ', ''), '-', ''), '.', ''), '(', ''), ')', ''), '/', ''), '')
) VIRTUAL;
CREATE INDEX leads_team_phone ON leads(team_id, phone_key) WHERE deleted_at IS NULL AND phone_key IS NOT NULL;
-- Set when a lead's personal data was erased (forget or retention); such a lead is never contacted again.
ALTER TABLE leads ADD COLUMN forgotten_at INTEGER;

-- One import of one file with one set of options; rows_done counts the records committed so far, so the same
-- command after a crash or Ctrl-C carries on where it stopped.
CREATE TABLE import_runs (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES teams(id),
    user_id      TEXT REFERENCES users(id),
    file_name    TEXT NOT NULL,
    file_hash    TEXT NOT NULL,
    options_key  TEXT NOT NULL,
    format       TEXT NOT NULL,
    preset       TEXT,
    -- The file's column names, so the rejects file has the same columns and can be imported again.
    headers      TEXT NOT NULL DEFAULT '[]',
    rows_done    INTEGER NOT NULL DEFAULT 0,
    counts       TEXT NOT NULL DEFAULT '{}',
    status       TEXT NOT NULL CHECK (status IN ('running', 'done')),
    started_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE UNIQUE INDEX import_runs_key ON import_runs(team_id, file_hash, options_key);

-- Rows an import refused, with where and why; the rejects CSV is written from here.
CREATE TABLE import_rejects (
    run_id       TEXT NOT NULL REFERENCES import_runs(id),
    line         INTEGER NOT NULL,
    column_name  TEXT,
    reason       TEXT NOT NULL,
    record       TEXT NOT NULL,
    PRIMARY KEY (run_id, line)
) WITHOUT ROWID;

-- Leads that may be the same person but were not merged blindly (e.g. same name and company).
CREATE TABLE merge_candidates (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES teams(id),
    lead_a       TEXT NOT NULL REFERENCES leads(id),
    lead_b       TEXT NOT NULL REFERENCES leads(id),
    reason       TEXT NOT NULL,
    confidence   INTEGER NOT NULL,
    origin       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX merge_candidates_pair ON merge_candidates(lead_a, lead_b);

-- Every merge: which lead was kept, which was folded into it, why, and what moved (ids and field names only).
CREATE TABLE merge_log (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES teams(id),
    user_id      TEXT REFERENCES users(id),
    kept_id      TEXT NOT NULL REFERENCES leads(id),
    merged_id    TEXT NOT NULL REFERENCES leads(id),
    reason       TEXT NOT NULL,
    confidence   INTEGER NOT NULL,
    details      TEXT NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL
);
CREATE INDEX merge_log_by_lead ON merge_log(kept_id);

-- Opt-outs, erasures and anonymisations: when, why, by whom. Holds no personal data itself.
CREATE TABLE privacy_log (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES teams(id),
    user_id      TEXT REFERENCES users(id),
    lead_id      TEXT NOT NULL REFERENCES leads(id),
    action       TEXT NOT NULL CHECK (action IN ('opt_out', 'opt_in', 'forget', 'anonymize')),
    reason       TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX privacy_log_by_lead ON privacy_log(lead_id);
