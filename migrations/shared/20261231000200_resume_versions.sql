-- A resume tailored to each application (issue 19, item 3). A version names the records it
-- holds by id, as JSON in `chosen` ({"experiences": [...], "highlights": [{"experience": …,
-- "text": …}], "achievements": [...], "projects": [...], "skills": [...], "education": [...],
-- "certifications": [...]}); records deleted later simply drop out when it is read.
CREATE TABLE resume_versions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    -- How it was started: `label`, `description` or `everything`.
    started_from   TEXT NOT NULL,
    chosen         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX resume_versions_owner ON resume_versions(user_id, updated_at);
CREATE INDEX resume_versions_opportunity ON resume_versions(opportunity_id, created_at);

-- Each time a version was sent: a frozen copy of what was sent (the JSON Resume document at
-- that moment), so the exact document can be written again after the records change. A send
-- outlives its version (what was sent was sent), but not its opportunity.
CREATE TABLE resume_sends (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    version_id     TEXT REFERENCES resume_versions(id) ON DELETE SET NULL,
    version_name   TEXT NOT NULL,
    document       TEXT NOT NULL,
    sent_at        BIGINT NOT NULL
);
CREATE INDEX resume_sends_owner ON resume_sends(user_id, sent_at);
CREATE INDEX resume_sends_opportunity ON resume_sends(opportunity_id, sent_at);
CREATE INDEX resume_sends_version ON resume_sends(version_id);
