-- The job search, third part: interviews, notes, the calendar feed and the texts for interview
-- preparation.

CREATE TABLE interviews (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    opportunity_id    TEXT NOT NULL REFERENCES opportunities(id) ON DELETE CASCADE,
    round_name        TEXT NOT NULL,
    kind              TEXT NOT NULL,
    -- The instant it starts (milliseconds, UTC), and the wall-clock time and zone it was given in.
    starts_at         BIGINT NOT NULL,
    local_start       TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    duration_minutes  BIGINT NOT NULL,
    location          TEXT NOT NULL DEFAULT '',
    meeting_url       TEXT,
    prep_notes        TEXT NOT NULL DEFAULT '',
    debrief_summary   TEXT NOT NULL DEFAULT '',
    debrief_questions TEXT NOT NULL DEFAULT '',
    debrief_improve   TEXT NOT NULL DEFAULT '',
    outcome           TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX interviews_owner ON interviews(user_id, starts_at);
CREATE INDEX interviews_opportunity ON interviews(opportunity_id, starts_at);
CREATE INDEX interviews_latest ON interviews(user_id, created_at);

-- Who interviews: contacts connected to an interview.
CREATE TABLE interview_contacts (
    interview_id  TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    contact_id    TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (interview_id, contact_id)
);
CREATE INDEX interview_contacts_contact ON interview_contacts(contact_id);
CREATE INDEX interview_contacts_owner ON interview_contacts(user_id);

-- Timeline entries about an interview (scheduled, debrief added) point at it.
ALTER TABLE opportunity_events ADD COLUMN interview_id TEXT REFERENCES interviews(id) ON DELETE SET NULL;
CREATE INDEX opportunity_events_owner ON opportunity_events(user_id, to_status);
CREATE INDEX opportunity_events_interview ON opportunity_events(interview_id);

-- Opportunity lists are ordered by their latest change.
CREATE INDEX opportunities_recent ON opportunities(user_id, updated_at, id);

-- What the dashboard's funnel counts, kept on the opportunity as it changes: the furthest stage
-- its status ever reached (1 applied, 2 screening, 3 interviewing, 4 offer or accepted) and when
-- its first interview that was not cancelled starts.
ALTER TABLE opportunities ADD COLUMN reached_stage BIGINT NOT NULL DEFAULT 0;
ALTER TABLE opportunities ADD COLUMN first_interview_at BIGINT;
UPDATE opportunities SET reached_stage = COALESCE((
    SELECT MAX(CASE e.to_status WHEN 'applied' THEN 1 WHEN 'screening' THEN 2 WHEN 'interviewing' THEN 3
                                WHEN 'offer' THEN 4 WHEN 'accepted' THEN 4 ELSE 0 END)
    FROM opportunity_events e WHERE e.opportunity_id = opportunities.id), 0);
CREATE INDEX opportunities_funnel ON opportunities(user_id, reached_stage, first_interview_at);

-- Free notes about an opportunity, a contact or an interview. The subject is checked to be the
-- owner's when the note is written; notes go with their subject.
CREATE TABLE notes (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX notes_owner ON notes(user_id, updated_at);
CREATE INDEX notes_subject ON notes(subject_id, updated_at);

-- The private calendar feed: only a hash of its secret address is kept.
CREATE TABLE calendar_feeds (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- What the AI interview preparation will read: the user's resume text and LinkedIn summary.
CREATE TABLE interview_prep (
    user_id           TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    resume_text       TEXT NOT NULL DEFAULT '',
    linkedin_summary  TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL
);
