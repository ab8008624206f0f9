-- A rep's own open tasks by when they are due (the follow-ups view and `task list --owner`): in a team of
-- a million leads, one member's overdue tasks are counted through this index, not through everyone's.
CREATE INDEX tasks_open_by_owner_due ON tasks(owner_id, ifnull(snoozed_until, due_at))
    WHERE done_at IS NULL AND deleted_at IS NULL;

-- A rule's task is for the rep whose lead it is (a handoff checklist for the deal's owner), no longer for
-- whichever rep's leadline ran the rule: the open ones are given to them now, where they are still here.
UPDATE tasks SET owner_id = coalesce(
        CASE WHEN origin = 'handoff' THEN
            (SELECT d.owner_id FROM deals d JOIN users u ON u.id = d.owner_id
             WHERE d.id = tasks.deal_id AND u.deleted_at IS NULL) END,
        (SELECT l.owner_id FROM leads l JOIN users u ON u.id = l.owner_id
         WHERE l.id = tasks.lead_id AND u.deleted_at IS NULL),
        owner_id)
    WHERE origin <> 'manual' AND dedupe_key IS NOT NULL AND done_at IS NULL AND deleted_at IS NULL;
