-- The e-mail addresses of people who asked to be forgotten, as one-way hashes: a later file or command with
-- one of them does not bring the person back (the address itself is erased with the rest of them). The
-- forgotten lead they were whose travels with it in a JSON export, so a moved database refuses them too.
CREATE TABLE forgotten_addresses (
    team_id      TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    lead_id      TEXT,
    forgotten_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, address_hash)
) WITHOUT ROWID;
CREATE INDEX forgotten_addresses_of_lead ON forgotten_addresses(lead_id);
