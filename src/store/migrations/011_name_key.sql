-- A lead's name_key was lower(first_name || ' ' || last_name), and SQLite's lower() folds ASCII only:
-- "Álvaro" sorted after "Zoe", and "Álvaro Núñez" could not be named by his full name. The key is now
-- written by the store (domain::text::name_key: case, accents and extra spaces folded); the migration's
-- hook fills it for every lead, then builds leads_by_name again (one sorted pass, not a B-tree write a row).
DROP INDEX leads_by_name;
ALTER TABLE leads DROP COLUMN name_key;
ALTER TABLE leads ADD COLUMN name_key TEXT;
