-- PostgreSQL's full-text index over search_documents (its SQLite counterpart is an FTS5 table,
-- in migrations/sqlite): the words of the title (weight A) and the body (weight B), kept by the
-- database itself, under a GIN index. The 'simple' configuration neither stems nor drops stop
-- words, as SQLite's unicode61 tokenizer does not, so both find the same records. Punctuation
-- becomes a space first: PostgreSQL's parser keeps `node.js` or `ada@example.com` as one
-- word, where SQLite (and the search box) split them.
ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', regexp_replace(title, '[[:punct:]]+', ' ', 'g')), 'A')
    || setweight(to_tsvector('simple', regexp_replace(body, '[[:punct:]]+', ' ', 'g')), 'B')
) STORED;
CREATE INDEX search_documents_document ON search_documents USING GIN (document);
