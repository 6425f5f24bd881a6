-- Issue 19, item 4: documents attached to an opportunity, and the offer it led to.

-- A document is an upload like any other (its file in the store, exported under files/ and
-- removed with the account through the uploads table), naming the opportunity it belongs to,
-- what kind of document it is and a note. The opportunity's deletion removes its documents
-- first (queuing their files); SET NULL is only a safety net.
ALTER TABLE uploads ADD COLUMN opportunity_id TEXT REFERENCES opportunities(id) ON DELETE SET NULL;
ALTER TABLE uploads ADD COLUMN document_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX uploads_opportunity ON uploads(user_id, opportunity_id, created_at);

-- One current offer per opportunity: saving again replaces it. Amounts are whole units of
-- base_currency (ISO 4217), per base_period (year, month or hour).
CREATE TABLE offers (
    opportunity_id  TEXT PRIMARY KEY REFERENCES opportunities(id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    base_amount     BIGINT,
    base_currency   TEXT NOT NULL DEFAULT '',
    base_period     TEXT NOT NULL DEFAULT 'year',
    bonus           TEXT NOT NULL DEFAULT '',
    equity          TEXT NOT NULL DEFAULT '',
    benefits        TEXT NOT NULL DEFAULT '',
    starts_on       TEXT,
    decide_by       TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX offers_owner ON offers(user_id, decide_by);
