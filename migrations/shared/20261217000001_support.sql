-- Change of sign-in address, support tickets and the administrators' settings (issue 14, items
-- 5 and 6).

-- A link mailed to the address someone wants to sign in with instead; like the verification
-- and reset links, only the token's hash is kept, it works once and expires (30 minutes).
CREATE TABLE email_changes (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The new address.
    email       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX email_changes_user ON email_changes(user_id);
CREATE INDEX email_changes_expiry ON email_changes(expires_at);

-- Settings administrators change while the instance runs (`signups`: "open" or "closed").
CREATE TABLE instance_settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- A conversation between a person and the instance's administrators. `user_id` is the
-- signed-in author (the ticket goes with their account); a visitor's ticket has none, only the
-- address they gave.
CREATE TABLE support_tickets (
    id          TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    -- "question" or "delete_account".
    category    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    -- "open" (waiting for an administrator), "answered", "closed".
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX support_tickets_user ON support_tickets(user_id, created_at);
CREATE INDEX support_tickets_status ON support_tickets(status, updated_at);

CREATE TABLE support_messages (
    id          TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES support_tickets(id) ON DELETE CASCADE,
    -- The ticket's account (NULL for a visitor's ticket), so the full export and the account
    -- deletion find a person's messages as they find every other row of theirs.
    user_id     TEXT REFERENCES users(id) ON DELETE CASCADE,
    -- 1 when an administrator wrote it (which one is not kept: they answer as the instance).
    from_admin  BIGINT NOT NULL DEFAULT 0,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX support_messages_ticket ON support_messages(ticket_id, created_at);
CREATE INDEX support_messages_user ON support_messages(user_id);

-- The private links mailed to a visitor for their ticket (one per mail; only hashes kept).
CREATE TABLE support_ticket_links (
    token_hash  TEXT PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES support_tickets(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX support_ticket_links_ticket ON support_ticket_links(ticket_id);
