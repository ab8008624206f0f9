-- Where an imported file was read from: an unfinished import of a file is known again when the file at that
-- path has changed since (edited after Ctrl-C), without taking another folder's file of the same name for it.
ALTER TABLE import_runs ADD COLUMN file_path TEXT;
