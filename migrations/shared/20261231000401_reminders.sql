-- Issue 19: reminder mail, each kind switched on by its user (off until then): a morning digest
-- of what is due, and a mail the day before each interview. `reminders_sent` remembers what was
-- sent (the digest by local day, a reminder by interview and start), written in the transaction
-- that queues the mail, so no instance ever sends one twice.
CREATE TABLE reminder_settings (
    user_id              TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    daily_digest         BIGINT NOT NULL DEFAULT 0,
    interview_reminders  BIGINT NOT NULL DEFAULT 0,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX reminder_settings_digest ON reminder_settings(daily_digest, user_id);
CREATE INDEX reminder_settings_interviews ON reminder_settings(interview_reminders, user_id);

CREATE TABLE reminders_sent (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    sent_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, kind, subject)
);
CREATE INDEX reminders_sent_age ON reminders_sent(sent_at);
