-- The e-mail addresses of people who asked to be forgotten, as one-way hashes: a later file or command with
-- one of them does not bring the person back (the address itself is erased with the rest of them).
CREATE TABLE forgotten_addresses (
    team_id      TEXT NOT NULL,
    address_hash TEXT NOT NULL,
    forgotten_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, address_hash)
) WITHOUT ROWID;
