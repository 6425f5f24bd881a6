-- Issue 19: an opportunity's next action becomes the first task on its list. Each one there is
-- moves to `tasks` with its day: open while its opportunity is, done (when the opportunity last
-- changed) once it is settled, as it no longer waits on anyone. An opportunity's "next action"
-- is read from its open tasks from now on.
--
-- The columns `opportunities.next_action` and `next_action_due` and their index stay, unused,
-- for instances of an earlier build still running against this database while a new one rolls
-- out (they read and write them); a later release drops them (see migrations/README.md).
--
-- Only the new task's id differs from SQLite's file (PostgreSQL has a UUID function).
INSERT INTO tasks (id, user_id, opportunity_id, title, due_on, done, done_at, notes, created_at, updated_at)
SELECT gen_random_uuid()::text, user_id, id, next_action, next_action_due,
       CASE WHEN status IN ('saved', 'applied', 'screening', 'interviewing', 'offer') THEN 0 ELSE 1 END,
       CASE WHEN status IN ('saved', 'applied', 'screening', 'interviewing', 'offer') THEN NULL ELSE updated_at END,
       '', updated_at, updated_at
FROM opportunities WHERE next_action <> '';

-- The dashboard's tasks come from this index in their order (ties by age, then id), so a page of
-- them stops at its size without sorting what it read.
DROP INDEX tasks_agenda;
CREATE INDEX tasks_agenda ON tasks(user_id, done, due_on, created_at, id);
