-- Deleting an opportunity sets its documents' opportunity_id to NULL (ON DELETE SET NULL): an
-- index on the column spares PostgreSQL a scan of every upload to find them.
CREATE INDEX uploads_of_opportunity ON uploads(opportunity_id);
