-- Public pages: each switch is off until the owner turns it on.
ALTER TABLE profiles ADD COLUMN resume_public BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN journal_public BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN allow_indexing BIGINT NOT NULL DEFAULT 0;

-- The public journal lists an owner's public entries by date.
CREATE INDEX journal_entries_public ON journal_entries(user_id, is_public, entry_date);
