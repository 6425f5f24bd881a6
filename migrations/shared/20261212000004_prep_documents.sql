-- AI interview preparation (issue 13, item 4): the document a run wrote, which the user can
-- then edit, write again or delete. One per interview, and one per opportunity for preparation
-- before any interview is set (interview_id NULL); the service keeps it to one each.
CREATE TABLE prep_documents (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opportunity_id TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    interview_id   TEXT REFERENCES interviews(id) ON DELETE CASCADE,
    body           TEXT NOT NULL,
    -- The records it drew on, as JSON: [{"kind": "achievement", "id": "…", "title": "…"}, …].
    sources        TEXT NOT NULL,
    model          TEXT NOT NULL,
    generated_at   BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX prep_documents_owner ON prep_documents(user_id, opportunity_id);
