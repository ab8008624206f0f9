-- An import of leads records, for a lead it brings opted out or forgotten, the privacy log entry its fields
-- imply. The privacy log's own export, imported after the leads, replaces those with the entries they were
-- inferred from; marked, they are told from entries that travelled themselves.
ALTER TABLE privacy_log ADD COLUMN inferred INTEGER NOT NULL DEFAULT 0;
-- Those an earlier version inferred, told by the reasons it gave them.
UPDATE privacy_log SET inferred = 1
WHERE reason IN ('opted out in the imported file', 'forgotten where the imported file comes from')
   OR reason LIKE '% (as the imported file says)';
