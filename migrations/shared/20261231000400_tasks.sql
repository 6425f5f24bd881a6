-- Issue 19: tasks, each with a day it is due or none, on its own or for one opportunity (deleted
-- with it). The dashboard reads a user's open tasks by day (tasks_agenda); an opportunity's page
-- reads its own (tasks_opportunity).
CREATE TABLE tasks (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opportunity_id  TEXT REFERENCES opportunities(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    due_on          TEXT,
    done            BIGINT NOT NULL DEFAULT 0,
    done_at         BIGINT,
    notes           TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX tasks_agenda ON tasks(user_id, done, due_on);
CREATE INDEX tasks_opportunity ON tasks(opportunity_id, done, due_on);
