-- Issue 18: the dashboard and the lists stay light at any size. Each index below ends with the
-- record's id, so a page in the list's own order (`…, id`) is read from the index in that order,
-- a page after or before a record (keyset pagination) starts with one seek, and the pager's count
-- and a deep page's ids are read from the index alone.

-- A board column's newest cards, its count, and a list filtered by status: by status, newest
-- first. It replaces `opportunities_owner` (the same columns without the id).
CREATE INDEX opportunities_status_recent ON opportunities(user_id, status, updated_at, id);
DROP INDEX opportunities_owner;

-- The interviews list (newest start first) and the dashboard's upcoming ones (soonest first). It
-- replaces `interviews_owner` (the same columns without the id).
CREATE INDEX interviews_recent ON interviews(user_id, starts_at, id);
DROP INDEX interviews_owner;

-- The dashboard's next actions: soonest due first, ties by id. It replaces `opportunities_due`.
CREATE INDEX opportunities_due_next ON opportunities(user_id, next_action_due, id);
DROP INDEX opportunities_due;
