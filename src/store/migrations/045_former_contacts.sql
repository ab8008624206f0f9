-- The addresses, numbers and profiles a lead had and lost (replaced by an edit or an import's update, an
-- other e-mail taken off), as the hashes `forget` remembers a person by, and as nothing else: forgetting
-- the person then refuses those too, so an old list does not bring them back by what they used to have.
CREATE TABLE IF NOT EXISTS former_contacts (
    team_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (lead_id, hash)
) WITHOUT ROWID;
