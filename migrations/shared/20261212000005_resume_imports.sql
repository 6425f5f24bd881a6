-- Resume imports awaiting review (issue 13, item 2). The uploaded file is never kept; its text
-- and the parsed rows are kept sealed (XChaCha20-Poly1305 under the instance's field key, bound
-- to the row's id and owner) only until the user applies or discards them, or until
-- expires_at, after which housekeeping deletes the row.
CREATE TABLE resume_imports (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- 'parser' (our own, no AI) or 'ai'.
    read_by    TEXT NOT NULL,
    -- Base64 of nonce ‖ ciphertext of the review's JSON (file name, text, rows).
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX resume_imports_owner ON resume_imports(user_id, created_at);
CREATE INDEX resume_imports_expiry ON resume_imports(expires_at);
