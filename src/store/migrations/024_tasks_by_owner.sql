-- A rep's own open tasks by when they are due (the follow-ups view and `task list --owner`): in a team of
-- a million leads, counting one member's overdue tasks reads this index alone.
CREATE INDEX tasks_open_by_owner_due ON tasks(owner_id, ifnull(snoozed_until, due_at))
    WHERE done_at IS NULL AND deleted_at IS NULL;
