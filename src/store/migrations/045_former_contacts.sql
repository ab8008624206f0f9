-- The addresses, numbers and profiles a lead had and lost (replaced by an edit or an import's update, an
-- other e-mail taken off): kept beside the lead for `forget` alone, which remembers them as hashes with
-- the rest (unless another live lead has one since), so an old list does not bring the person back by what
-- they used to have. An erasure takes them with the lead's other data.
CREATE TABLE IF NOT EXISTS former_contacts (
    team_id TEXT NOT NULL,
    lead_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'profile')),
    value TEXT NOT NULL,
    PRIMARY KEY (lead_id, kind, value)
) WITHOUT ROWID;
