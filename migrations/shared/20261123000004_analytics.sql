-- Page-view analytics for public pages.
-- No address is ever stored: a view keeps a keyed hash of the visitor's address with that day's
-- random salt, and the salt is deleted once its day is over.

CREATE TABLE analytics_salts (
    day   TEXT PRIMARY KEY,
    salt  TEXT NOT NULL
);

CREATE TABLE page_views (
    id            TEXT PRIMARY KEY,
    owner_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    content_kind  TEXT NOT NULL,
    path          TEXT NOT NULL,
    visitor_hash  TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    referrer      TEXT,
    referrer_host TEXT,
    day           TEXT NOT NULL,
    viewed_at     BIGINT NOT NULL
);
CREATE INDEX page_views_owner ON page_views(owner_id, day);
CREATE INDEX page_views_day ON page_views(day);

-- Raw views older than the retention window become daily figures: one row per owner, day and
-- dimension ('total', 'kind', 'page', 'referrer') value.
CREATE TABLE page_view_days (
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day        TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    value      TEXT NOT NULL,
    views      BIGINT NOT NULL,
    visitors   BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day, dimension, value)
);
