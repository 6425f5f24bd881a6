-- Images pasted into a journal entry before its first save wait as drafts (purpose
-- 'journal_draft', no entry) until the entry is saved with them or housekeeping removes them
-- a day later; housekeeping finds them across users by purpose and age.
CREATE INDEX uploads_purpose_age ON uploads(purpose, created_at);
