-- The mail outbox (issue 17, item 3): every mail is written here in the same transaction as
-- what caused it, and a background worker sends it, trying again with growing delays while
-- the provider is down. A sent mail's row is deleted at once.

CREATE TABLE mail_outbox (
    id               TEXT PRIMARY KEY,
    -- The account the mail is about (its owner's sign-in links, a ticket's answer), so that
    -- deleting the account takes its queued mail too; NULL for a visitor, and for the mail
    -- that says an account was deleted.
    user_id          TEXT REFERENCES users(id) ON DELETE CASCADE,
    -- A fixed sentence of ours ("Reset your password"), never anything a user typed.
    subject          TEXT NOT NULL,
    -- The recipient and the body, sealed (bodies hold single-use sign-in links) and bound to
    -- this row's id.
    sealed           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    -- Tries so far (a try counts when it starts, so a crash mid-send counts too).
    attempts         BIGINT NOT NULL DEFAULT 0,
    -- When the mail is next due.
    next_attempt_at  BIGINT NOT NULL,
    -- While a sender has it: until when no other sender may take it.
    claimed_until    BIGINT,
    -- Why the last try failed: the provider's short answer, never the body.
    last_error       TEXT,
    last_attempt_at  BIGINT,
    -- Set when the outbox stopped trying (after a day); an administrator may retry or discard.
    given_up_at      BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox(given_up_at, next_attempt_at);
CREATE INDEX mail_outbox_user ON mail_outbox(user_id);
