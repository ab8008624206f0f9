-- The version of each calendar event an import applied (its SEQUENCE, then DTSTAMP), by the event's UID
-- (with its RECURRENCE-ID for an occurrence moved on its own): a copy of the invitation older than one
-- imported before (an attachment saved before the change, read later) does not undo a cancellation or a
-- reschedule, even when nothing of it was booked (a cancellation read first).
CREATE TABLE calendar_versions (
    team_id     TEXT NOT NULL REFERENCES teams(id),
    event_key   TEXT NOT NULL,
    sequence    INTEGER NOT NULL,
    stamp       INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (team_id, event_key)
) WITHOUT ROWID;
