-- The search box: one row per record the user can find, with the text it is found by (a title,
-- which weighs most, and a body). The one write path (services::records) keeps each row in step
-- with its record, in the record's own transaction; a user's rows go with the user. The
-- full-text index over these rows is each database's own (the next migration, in
-- migrations/sqlite and migrations/postgres).
CREATE TABLE search_documents (
    record_kind  TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    -- SQLite's full-text index names each document by a number. A table's own rowid would do,
    -- but VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY, and the
    -- index would then point at the wrong rows; so the number is a column of its own.
    -- PostgreSQL leaves it empty.
    doc_no       BIGINT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (record_kind, record_id)
);
CREATE INDEX search_documents_owner ON search_documents(user_id, updated_at);
CREATE UNIQUE INDEX search_documents_doc_no ON search_documents(doc_no);
