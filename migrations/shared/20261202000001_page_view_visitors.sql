-- A visitor's views of one owner's pages on one day, found quickly: the writer looks them up to
-- count a visitor once per page per half hour and at most a few dozen times a day (issue 11).
CREATE INDEX page_views_visitor ON page_views(owner_id, visitor_hash, day);
