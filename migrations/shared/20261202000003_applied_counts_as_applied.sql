-- An opportunity with an "applied on" date was applied for, whatever its status says now (one
-- entered straight as rejected, withdrawn or ghosted): the funnel counts it from now on, and
-- this counts the ones already kept (issue 12).
UPDATE opportunities SET reached_stage = 1 WHERE reached_stage < 1 AND applied_on IS NOT NULL;
