-- Bluesky (AT Protocol): linked accounts, their OAuth sessions, shared posts and standard.site
-- publishing (issue 15).

-- The OAuth session of a Bluesky account: the DPoP private key and the tokens, sealed with the
-- instance's field key bound to the DID (`sealed`), and the id of the key that sealed them so a
-- rotation can find what to re-seal. Written by the OAuth client as the code is exchanged, before
-- the account is linked: `user_id` is empty until then, and housekeeping removes such rows after
-- ten minutes.
CREATE TABLE bluesky_sessions (
    did         TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    sealed      TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX bluesky_sessions_user ON bluesky_sessions(user_id);
CREATE INDEX bluesky_sessions_unlinked ON bluesky_sessions(updated_at);

-- A Bluesky account linked to a Careerlog account (one each way). `status` is "connected" or
-- "reconnect" (the grant stopped working: the user must sign in at Bluesky again).
CREATE TABLE bluesky_accounts (
    did                 TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
    handle              TEXT NOT NULL,
    pds_url             TEXT NOT NULL,
    avatar_url          TEXT,
    status              TEXT NOT NULL,
    -- standard.site publishing: the switch, the publication record once written, the last error.
    publishing          BIGINT NOT NULL DEFAULT 0,
    publication_uri     TEXT,
    publication_error   TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

-- Journal entries shared as Bluesky posts: the post's AT-URI, so the entry's page links to it.
CREATE TABLE bluesky_posts (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    entry_id    TEXT NOT NULL REFERENCES journal_entries(id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    cid         TEXT NOT NULL,
    post_text   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX bluesky_posts_entry ON bluesky_posts(user_id, entry_id, created_at);

-- Public journal entries as site.standard.document records in the user's repository. A row is
-- work to do while `synced_at` < the entry's change (`wanted_at`); `record_key` is the TID the
-- record lives under, `uri` set once written. `gone` rows (the entry turned private or was
-- deleted) are removed from the repository, then forgotten.
CREATE TABLE standard_site_documents (
    entry_id         TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    record_key       TEXT NOT NULL,
    uri              TEXT,
    gone             BIGINT NOT NULL DEFAULT 0,
    wanted_at        BIGINT NOT NULL,
    synced_at        BIGINT NOT NULL DEFAULT 0,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT
);
CREATE INDEX standard_site_documents_user ON standard_site_documents(user_id);
CREATE INDEX standard_site_documents_due ON standard_site_documents(next_attempt_at);
