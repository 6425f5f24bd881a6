-- Labels by AI (issue 13, item 3): bulk linking applies the model's suggestions at once and
-- records what it added, so that exactly those links can be undone. A batch is kept 7 days
-- (housekeeping deletes older ones); its items go with it.
CREATE TABLE label_link_batches (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- Also the created_at of every link the batch added: undo removes only links made then.
    created_at    BIGINT NOT NULL,
    records_sent  BIGINT NOT NULL
);
CREATE INDEX label_link_batches_owner ON label_link_batches(user_id, created_at);

CREATE TABLE label_link_batch_items (
    batch_id     TEXT NOT NULL REFERENCES label_link_batches(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label_id     TEXT NOT NULL REFERENCES labels(id) ON DELETE CASCADE,
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (batch_id, label_id, record_kind, record_id)
);
CREATE INDEX label_link_batch_items_owner ON label_link_batch_items(user_id, batch_id);
