-- Education and certifications, as JSON Resume's `education` and `certificates` (issue 12):
-- records like projects, with dates as text in JSON Resume's form (YYYY, YYYY-MM or YYYY-MM-DD),
-- an "on resume" switch that is on by default, and labels through record_labels.

CREATE TABLE education (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    institution  TEXT NOT NULL,
    area         TEXT NOT NULL DEFAULT '',
    study_type   TEXT NOT NULL DEFAULT '',
    start_date   TEXT,
    end_date     TEXT,
    score        TEXT NOT NULL DEFAULT '',
    url          TEXT,
    courses      TEXT NOT NULL DEFAULT '[]',
    description  TEXT NOT NULL DEFAULT '',
    on_resume    BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX education_owner ON education(user_id, end_date);

CREATE TABLE certifications (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    issuer       TEXT NOT NULL DEFAULT '',
    issued_on    TEXT,
    url          TEXT,
    on_resume    BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX certifications_owner ON certifications(user_id, issued_on);
