-- Google and other OpenID Connect providers: sign-in identities, the read-only Google Calendar
-- connection, and the calendar events found to be interviews (issue 16).

-- An identity at an OpenID Connect provider, keyed on issuer + subject (never on the email
-- address, which a provider may let its users change or reuse). `provider` is the name this
-- instance configured it under ("google", "keycloak"…); the profile fields are as the provider
-- last sent them.
CREATE TABLE oidc_identities (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider        TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    email           TEXT,
    email_verified  BIGINT NOT NULL DEFAULT 0,
    name            TEXT,
    picture_url     TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (issuer, subject)
);
-- One identity per provider per account.
CREATE UNIQUE INDEX oidc_identities_user ON oidc_identities(user_id, provider);

-- A Google Calendar read-only grant: the tokens sealed with the instance's field key (bound to
-- the user), the key's id, and where the background sync stands. `status` is "connected" or
-- "reconnect" (the grant stopped working). `sync_token` is Google's opaque incremental-sync
-- token; it names no event.
CREATE TABLE calendar_connections (
    user_id             TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    provider            TEXT NOT NULL,
    subject             TEXT NOT NULL,
    email               TEXT,
    sealed              TEXT NOT NULL,
    key_id              TEXT NOT NULL,
    status              TEXT NOT NULL,
    prepare_in_advance  BIGINT NOT NULL DEFAULT 0,
    sync_token          TEXT,
    next_sync_at        BIGINT NOT NULL DEFAULT 0,
    attempts            BIGINT NOT NULL DEFAULT 0,
    last_synced_at      BIGINT,
    last_error          TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX calendar_connections_due ON calendar_connections(next_sync_at);

-- Calendar events the detector found to be interviews, and what the user made of them:
-- "suggested", "accepted" (the interview it became, kept in step with the event) or
-- "dismissed" (remembered so it is not suggested again). Other events are never stored. What
-- lets the user recognise a suggestion (title, organiser, meeting link) is sealed in `details`
-- and dropped once the user has decided; the rest is only what an interview needs.
CREATE TABLE calendar_events (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    status          TEXT NOT NULL,
    opportunity_id  TEXT REFERENCES opportunities(id) ON DELETE SET NULL,
    interview_id    TEXT REFERENCES interviews(id) ON DELETE SET NULL,
    company         TEXT NOT NULL DEFAULT '',
    -- The kind of round the words suggest (an interview kind's key).
    kind            TEXT NOT NULL DEFAULT 'other',
    details         TEXT,
    key_id          TEXT,
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    time_zone       TEXT NOT NULL,
    score           BIGINT NOT NULL,
    -- When preparation in advance last ran (or was refused) for its interview.
    prep_attempted_at BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (user_id, event_id)
);
CREATE INDEX calendar_events_status ON calendar_events(user_id, status, starts_at);
CREATE INDEX calendar_events_interview ON calendar_events(interview_id);
CREATE INDEX calendar_events_opportunity ON calendar_events(opportunity_id);
CREATE INDEX calendar_events_ends ON calendar_events(ends_at);
CREATE INDEX calendar_events_accepted ON calendar_events(status, interview_id);

-- The calendar sync reads every contact connected to a user's opportunities at once.
CREATE INDEX opportunity_contacts_owner ON opportunity_contacts(user_id);
