-- The import run that last made or found a deal in its file: another row of that run with the same title
-- is another deal (a yearly renewal), also once the run was stopped and resumed.
ALTER TABLE deals ADD COLUMN import_run TEXT;
