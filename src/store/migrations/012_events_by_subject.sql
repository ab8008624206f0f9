-- Forgetting a person erases the events about them and their rows; retention does it for many leads at once.
CREATE INDEX events_by_subject ON events(subject_id) WHERE subject_id IS NOT NULL;
