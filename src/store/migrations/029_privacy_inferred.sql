-- An import of leads records, for a lead it brings opted out or forgotten, the privacy log entry its fields
-- imply. The privacy log's own export, imported after the leads, replaces those with the entries they were
-- inferred from; marked, they are told from entries that travelled themselves.
ALTER TABLE privacy_log ADD COLUMN inferred INTEGER NOT NULL DEFAULT 0;
