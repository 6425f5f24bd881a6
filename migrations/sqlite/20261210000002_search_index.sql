-- SQLite's full-text index over search_documents (its PostgreSQL counterpart is a tsvector
-- column with a GIN index, in migrations/postgres). An FTS5 table whose text stays in
-- search_documents (external content, keyed by doc_no), kept in step by triggers, which also
-- fire for the rows a user's deletion takes by cascade.
CREATE VIRTUAL TABLE search_fts USING fts5(
    title, body,
    content = 'search_documents', content_rowid = 'doc_no',
    tokenize = 'unicode61'
);
CREATE TRIGGER search_documents_inserted AFTER INSERT ON search_documents BEGIN
    INSERT INTO search_fts (rowid, title, body) VALUES (new.doc_no, new.title, new.body);
END;
CREATE TRIGGER search_documents_deleted AFTER DELETE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.doc_no, old.title, old.body);
END;
CREATE TRIGGER search_documents_updated AFTER UPDATE ON search_documents BEGIN
    INSERT INTO search_fts (search_fts, rowid, title, body) VALUES ('delete', old.doc_no, old.title, old.body);
    INSERT INTO search_fts (rowid, title, body) VALUES (new.doc_no, new.title, new.body);
END;
