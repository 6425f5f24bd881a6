-- Accounts, sign-in and housekeeping.
-- Conventions: ids are UUIDv7 text, times are unix milliseconds, booleans are 0/1.

CREATE TABLE users (
    id                 TEXT PRIMARY KEY,
    email              TEXT UNIQUE,
    email_verified_at  BIGINT,
    password_hash      TEXT,
    is_admin           BIGINT NOT NULL DEFAULT 0,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE TABLE email_verifications (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX email_verifications_user ON email_verifications(user_id);
CREATE INDEX email_verifications_expiry ON email_verifications(expires_at);

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX password_resets_user ON password_resets(user_id);
CREATE INDEX password_resets_expiry ON password_resets(expires_at);

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    token_prefix  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);

-- Failed sign-in attempts and mail sends, counted per fixed window. Keys are keyed hashes:
-- neither the email address nor the client address is stored.
CREATE TABLE throttle_buckets (
    bucket             TEXT PRIMARY KEY,
    window_started_at  BIGINT NOT NULL,
    hits               BIGINT NOT NULL
);
CREATE INDEX throttle_buckets_window ON throttle_buckets(window_started_at);

-- OAuth authorization requests in flight (Bluesky, Google); they expire after 10 minutes.
CREATE TABLE oauth_requests (
    state_hash   TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    user_id      TEXT REFERENCES users(id) ON DELETE CASCADE,
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX oauth_requests_expiry ON oauth_requests(expires_at);

-- Leases that let exactly one of several instances run a background job at a time.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
