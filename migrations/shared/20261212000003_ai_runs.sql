-- AI runs (issue 13): each run a user starts, for their "AI activity" page, the hourly limit
-- and the monthly token budget. What was sent and answered is never kept here: only the
-- feature, the model, sizes, usage and the outcome.
CREATE TABLE ai_runs (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    feature       TEXT NOT NULL,
    prompt        TEXT NOT NULL,
    provider      TEXT NOT NULL,
    model         TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    duration_ms   BIGINT NOT NULL DEFAULT 0,
    input_chars   BIGINT NOT NULL DEFAULT 0,
    output_chars  BIGINT NOT NULL DEFAULT 0,
    input_tokens  BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    outcome       TEXT NOT NULL
);
CREATE INDEX ai_runs_owner ON ai_runs(user_id, started_at);

-- An administrator's monthly token budget for one user; NULL means the instance's default.
ALTER TABLE users ADD COLUMN ai_monthly_tokens BIGINT;
