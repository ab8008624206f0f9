-- leadline core schema. Times are INTEGER milliseconds since the Unix epoch, UTC.
-- Every shared row has a text id (UUID v7), created_at, updated_at and deleted_at (soft delete).

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams(id),
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'rep')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE UNIQUE INDEX users_team_email ON users(team_id, lower(email)) WHERE deleted_at IS NULL;

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL REFERENCES teams(id),
    name          TEXT NOT NULL,
    domain        TEXT,
    industry      TEXT,
    company_size  TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER
);
CREATE UNIQUE INDEX accounts_team_name ON accounts(team_id, lower(name)) WHERE deleted_at IS NULL;

-- seq is the internal row number (the FTS rowid and the keyset tie-breaker); id is the shared identity.
-- Sort indexes leave team_id out: a rep's database holds one team (or a few), every query still filters
-- by team, and 36 bytes less per entry keeps a million-lead database compact.
-- One lead per e-mail per team is enforced by the store (it names the existing lead), not by a UNIQUE index
-- that would abort bulk loads.
CREATE TABLE leads (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    team_id             TEXT NOT NULL REFERENCES teams(id),
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL DEFAULT '',
    email               TEXT,
    email_key           TEXT,
    phone               TEXT,
    title               TEXT,
    account_id          TEXT REFERENCES accounts(id),
    source              TEXT,
    product_interest    TEXT,
    industry            TEXT,
    company_size        TEXT,
    tags                TEXT NOT NULL DEFAULT '',
    owner_id            TEXT REFERENCES users(id),
    lifecycle           TEXT NOT NULL DEFAULT 'lead' CHECK (lifecycle IN ('lead', 'customer', 'churned')),
    do_not_contact      INTEGER NOT NULL DEFAULT 0,
    do_not_contact_at   INTEGER,
    do_not_contact_reason TEXT,
    notes               TEXT,
    origin_outreach_id  TEXT,
    score               INTEGER NOT NULL DEFAULT 0,
    manual_contact_at   INTEGER,
    last_contacted_at   INTEGER,
    name_key            TEXT GENERATED ALWAYS AS (lower(first_name || ' ' || last_name)) VIRTUAL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    deleted_at          INTEGER
);
CREATE INDEX leads_by_email ON leads(email_key) WHERE deleted_at IS NULL AND email_key IS NOT NULL;
CREATE INDEX leads_by_score ON leads(score, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_by_contact ON leads(ifnull(last_contacted_at, 0), seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_by_name ON leads(name_key, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_by_created ON leads(created_at, seq) WHERE deleted_at IS NULL;
CREATE INDEX leads_by_account ON leads(account_id);
CREATE INDEX leads_by_owner ON leads(owner_id);

CREATE TABLE lead_tags (
    tag      TEXT NOT NULL,
    lead_id  TEXT NOT NULL REFERENCES leads(id),
    PRIMARY KEY (tag, lead_id)
) WITHOUT ROWID;
CREATE INDEX lead_tags_by_lead ON lead_tags(lead_id);

CREATE TABLE outreach (
    seq                    INTEGER PRIMARY KEY,
    id                     TEXT NOT NULL UNIQUE,
    team_id                TEXT NOT NULL REFERENCES teams(id),
    user_id                TEXT REFERENCES users(id),
    lead_id                TEXT NOT NULL REFERENCES leads(id),
    kind                   INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 5),
    value                  TEXT NOT NULL,
    description            TEXT,
    occurred_at            INTEGER NOT NULL,
    direction              TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    variant                TEXT,
    personalization_level  INTEGER,
    reply_type             TEXT NOT NULL DEFAULT 'none' CHECK (reply_type IN ('none', 'positive', 'negative', 'info')),
    cited_metric           INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    deleted_at             INTEGER
);
CREATE INDEX outreach_by_lead ON outreach(lead_id, occurred_at) WHERE deleted_at IS NULL;
CREATE INDEX outreach_by_time ON outreach(occurred_at) WHERE deleted_at IS NULL;

CREATE TABLE meetings (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams(id),
    user_id         TEXT REFERENCES users(id),
    lead_id         TEXT NOT NULL REFERENCES leads(id),
    deal_id         TEXT REFERENCES deals(id),
    title           TEXT,
    scheduled_at    INTEGER NOT NULL,
    attended        INTEGER CHECK (attended IN (0, 1)),
    no_show_reason  TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX meetings_by_lead ON meetings(lead_id, scheduled_at) WHERE deleted_at IS NULL;
CREATE INDEX meetings_by_team_time ON meetings(team_id, scheduled_at) WHERE deleted_at IS NULL;

CREATE TABLE deals (
    id                  TEXT PRIMARY KEY,
    team_id             TEXT NOT NULL REFERENCES teams(id),
    lead_id             TEXT NOT NULL REFERENCES leads(id),
    account_id          TEXT REFERENCES accounts(id),
    owner_id            TEXT REFERENCES users(id),
    title               TEXT NOT NULL,
    product             TEXT,
    use_case            TEXT,
    amount_minor        INTEGER NOT NULL DEFAULT 0,
    currency            TEXT NOT NULL,
    stage               TEXT NOT NULL,
    position            INTEGER NOT NULL,
    status              TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason         TEXT,
    closed_at           INTEGER,
    stage_entered_at    INTEGER NOT NULL,
    origin_outreach_id  TEXT REFERENCES outreach(id),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    deleted_at          INTEGER
);
CREATE INDEX deals_by_stage ON deals(team_id, stage, position) WHERE deleted_at IS NULL;
CREATE INDEX deals_by_lead ON deals(lead_id, status) WHERE deleted_at IS NULL;

CREATE TABLE tasks (
    id              TEXT PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES teams(id),
    owner_id        TEXT REFERENCES users(id),
    lead_id         TEXT REFERENCES leads(id),
    deal_id         TEXT REFERENCES deals(id),
    title           TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'follow_up'
                    CHECK (kind IN ('follow_up', 'bump', 'reschedule', 'handoff', 'other')),
    channel         INTEGER CHECK (channel BETWEEN 1 AND 5),
    due_at          INTEGER NOT NULL,
    done_at         INTEGER,
    snoozed_until   INTEGER,
    origin          TEXT NOT NULL DEFAULT 'manual',
    -- Set by automations: rule + subject, so running a rule twice never makes a second task.
    dedupe_key      TEXT UNIQUE,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);
CREATE INDEX tasks_open_by_due ON tasks(team_id, ifnull(snoozed_until, due_at))
    WHERE done_at IS NULL AND deleted_at IS NULL;
CREATE INDEX tasks_by_lead ON tasks(lead_id) WHERE deleted_at IS NULL;

CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams(id),
    user_id     TEXT REFERENCES users(id),
    lead_id     TEXT REFERENCES leads(id),
    deal_id     TEXT REFERENCES deals(id),
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    deleted_at  INTEGER
);
CREATE INDEX notes_by_lead ON notes(lead_id) WHERE deleted_at IS NULL;

-- What needs a rep's attention: inbound messages (logged or from a connector) and system notices.
-- A connector fills connector + external_id; (connector, external_id) keeps a message from arriving twice.
CREATE TABLE inbox_items (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL REFERENCES teams(id),
    lead_id       TEXT REFERENCES leads(id),
    kind          TEXT NOT NULL CHECK (kind IN ('message', 'notice')),
    channel       INTEGER CHECK (channel BETWEEN 1 AND 5),
    outreach_id   TEXT REFERENCES outreach(id),
    event_id      TEXT,
    connector     TEXT,
    external_id   TEXT,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL DEFAULT '',
    received_at   INTEGER NOT NULL,
    read_at       INTEGER,
    handled_at    INTEGER,
    assigned_to   TEXT REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER
);
CREATE INDEX inbox_by_time ON inbox_items(team_id, received_at DESC) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX inbox_external ON inbox_items(connector, external_id) WHERE external_id IS NOT NULL;

-- The outbox of domain events (LeadAcquired, ...) for connectors to deliver; dedupe_key makes writes idempotent.
CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL REFERENCES teams(id),
    kind          TEXT NOT NULL,
    subject_id    TEXT,
    payload       TEXT NOT NULL DEFAULT '{}',
    dedupe_key    TEXT UNIQUE,
    created_at    INTEGER NOT NULL,
    delivered_at  INTEGER,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT
);
CREATE INDEX events_undelivered ON events(created_at) WHERE delivered_at IS NULL;

-- Search-as-you-type over leads. Contentless (the text lives in leads) and without positions: queries are
-- AND-ed prefix terms, so the index keeps only which lead has which token, and 2-character prefixes are
-- indexed so the first keystrokes stay fast on a million leads.
CREATE VIRTUAL TABLE lead_fts USING fts5(
    name, email, phone, company, title, tags,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2'
);
