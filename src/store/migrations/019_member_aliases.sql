-- A team file can name a member who is already here under another id (added by hand before the move): the id
-- the file gave them, so that the touches, deals, tasks and inbox items imported after it, which name them
-- by that id, stay theirs.
CREATE TABLE member_aliases (
    alias   TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id)
) WITHOUT ROWID;
