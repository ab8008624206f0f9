-- Open tasks in the order every list reads them, their due time and then their id: a page of a long list
-- (`task list --limit 100000`, 175,000 follow-ups filed at one minute) starts where the last one ended
-- along the index, rather than sorting the tasks of one due time again for each page.
DROP INDEX IF EXISTS tasks_open_by_due;
CREATE INDEX tasks_open_by_due ON tasks(team_id, ifnull(snoozed_until, due_at), id)
    WHERE done_at IS NULL AND deleted_at IS NULL;
DROP INDEX IF EXISTS tasks_open_by_owner_due;
CREATE INDEX tasks_open_by_owner_due ON tasks(owner_id, ifnull(snoozed_until, due_at), id)
    WHERE done_at IS NULL AND deleted_at IS NULL;
