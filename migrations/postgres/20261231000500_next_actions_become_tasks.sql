-- Issue 19: an opportunity's next action becomes the first task on its list. Each one there is
-- moves to `tasks` (open, with its day), and the two columns and their index go: an
-- opportunity's "next action" is read from its open tasks from now on.
--
-- Only the new task's id differs from SQLite's file (PostgreSQL has a UUID function).
INSERT INTO tasks (id, user_id, opportunity_id, title, due_on, done, done_at, notes, created_at, updated_at)
SELECT gen_random_uuid()::text, user_id, id, next_action, next_action_due, 0, NULL, '', updated_at, updated_at
FROM opportunities WHERE next_action <> '';

DROP INDEX opportunities_due_next;
ALTER TABLE opportunities DROP COLUMN next_action;
ALTER TABLE opportunities DROP COLUMN next_action_due;

-- The dashboard's tasks come from this index in their order (ties by age, then id), so a page of
-- them stops at its size without sorting what it read.
DROP INDEX tasks_agenda;
CREATE INDEX tasks_agenda ON tasks(user_id, done, due_on, created_at, id);
