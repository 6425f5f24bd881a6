-- Full exports built in the background (Settings → Your data): one row per request, kept 24
-- hours; the ZIP itself is in the file store under `storage_key` (empty until it is ready).
-- `updated_at` moves with the progress, so a build that died with its instance is seen to
-- have stopped and is marked failed by housekeeping.
CREATE TABLE data_exports (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state        TEXT NOT NULL,
    progress     BIGINT NOT NULL DEFAULT 0,
    storage_key  TEXT NOT NULL DEFAULT '',
    byte_size    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX data_exports_owner ON data_exports(user_id, created_at);
CREATE INDEX data_exports_expiry ON data_exports(expires_at);

-- How many accounts were deleted, and nothing else: no id, no address, no date. What an
-- administrator sees of a deleted account is this number.
CREATE TABLE deletion_counts (
    name   TEXT PRIMARY KEY,
    count  BIGINT NOT NULL
);
