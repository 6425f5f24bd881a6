-- The time zone a person reads times in (issue 12): an IANA name such as Europe/Berlin, or ''
-- until it is known (the browser tells it once; the user can change it in Settings). Kept on the
-- user row because every page that shows a time needs it and the row is read anyway.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
