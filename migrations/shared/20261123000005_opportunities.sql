-- The job search, first part: opportunities and their activity.

CREATE TABLE opportunities (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company          TEXT NOT NULL,
    role             TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    posting_url      TEXT,
    location         TEXT NOT NULL DEFAULT '',
    work_mode        TEXT NOT NULL DEFAULT '',
    salary_min       BIGINT,
    salary_max       BIGINT,
    currency         TEXT NOT NULL DEFAULT '',
    source           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    applied_on       TEXT,
    next_action      TEXT NOT NULL DEFAULT '',
    next_action_due  TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX opportunities_owner ON opportunities(user_id, status, updated_at);
CREATE INDEX opportunities_due ON opportunities(user_id, next_action_due);

-- The activity timeline: automatic events (created, status changed, …) and manual entries.
CREATE TABLE opportunity_events (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opportunity_id  TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    from_status     TEXT,
    to_status       TEXT,
    body            TEXT NOT NULL DEFAULT '',
    occurred_at     BIGINT NOT NULL
);
CREATE INDEX opportunity_events_timeline ON opportunity_events(opportunity_id, occurred_at);
