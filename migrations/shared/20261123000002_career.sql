-- The career record: experiences, skills, projects, achievements, journal, labels, uploads,
-- profile.
-- Dates a person enters (start, end, achieved) are text in JSON Resume's form: YYYY, YYYY-MM or
-- YYYY-MM-DD, which sorts correctly as text.

CREATE TABLE experiences (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    company      TEXT NOT NULL,
    location     TEXT NOT NULL DEFAULT '',
    start_date   TEXT NOT NULL,
    end_date     TEXT,
    is_current   BIGINT NOT NULL DEFAULT 0,
    description  TEXT NOT NULL DEFAULT '',
    highlights   TEXT NOT NULL DEFAULT '[]',
    on_resume    BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX experiences_owner ON experiences(user_id, start_date);

CREATE TABLE skills (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    category     TEXT NOT NULL DEFAULT '',
    level        TEXT NOT NULL DEFAULT '',
    on_resume    BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (user_id, name_key)
);

CREATE TABLE projects (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT '',
    kind         TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    url          TEXT,
    start_date   TEXT,
    end_date     TEXT,
    on_resume    BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX projects_owner ON projects(user_id, start_date);

CREATE TABLE achievements (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    achieved_on    TEXT,
    description    TEXT NOT NULL DEFAULT '',
    experience_id  TEXT REFERENCES experiences(id) ON DELETE SET NULL,
    project_id     TEXT REFERENCES projects(id) ON DELETE SET NULL,
    on_resume      BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX achievements_owner ON achievements(user_id, achieved_on);
CREATE INDEX achievements_experience ON achievements(experience_id);
CREATE INDEX achievements_project ON achievements(project_id);

CREATE TABLE journal_entries (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    slug         TEXT NOT NULL,
    entry_date   TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    is_public    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (user_id, slug)
);
CREATE INDEX journal_entries_owner ON journal_entries(user_id, entry_date);

CREATE TABLE labels (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    colour       TEXT,
    is_public    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (user_id, name_key)
);

-- A label on any record: record_kind names the table (experience, skill, project, achievement,
-- journal_entry, and later opportunity). Deleting a record deletes its rows here in the same
-- transaction.
CREATE TABLE record_labels (
    label_id     TEXT NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (label_id, record_kind, record_id)
);
CREATE INDEX record_labels_record ON record_labels(user_id, record_kind, record_id);

-- Uploaded files. The bytes live in the file store under storage_key (made by the server).
CREATE TABLE uploads (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose           TEXT NOT NULL,
    journal_entry_id  TEXT REFERENCES journal_entries(id) ON DELETE SET NULL,
    storage_key       TEXT NOT NULL UNIQUE,
    content_type      TEXT NOT NULL,
    byte_size         BIGINT NOT NULL,
    width             BIGINT NOT NULL,
    height            BIGINT NOT NULL,
    original_name     TEXT NOT NULL DEFAULT '',
    alt_text          TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL
);
CREATE INDEX uploads_owner ON uploads(user_id, purpose);
CREATE INDEX uploads_journal_entry ON uploads(journal_entry_id);

-- Files to remove from the file store once remove_after has passed: queued in the transaction
-- that deletes their rows (due at once), and before a new file is written (due in an hour,
-- unless the upload's row claims it), so a failed or interrupted step never leaves files behind.
CREATE TABLE file_deletions (
    storage_key   TEXT PRIMARY KEY,
    remove_after  BIGINT NOT NULL
);
CREATE INDEX file_deletions_due ON file_deletions(remove_after);

CREATE TABLE profiles (
    user_id          TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    username         TEXT UNIQUE,
    display_name     TEXT NOT NULL DEFAULT '',
    job_title        TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    bio              TEXT NOT NULL DEFAULT '',
    photo_upload_id  TEXT REFERENCES uploads(id) ON DELETE SET NULL,
    photo_public     BIGINT NOT NULL DEFAULT 0,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX profiles_photo ON profiles(photo_upload_id);
