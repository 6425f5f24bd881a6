-- The currency a person's salaries are usually in (issue 12, item 13): three upper-case letters
-- such as EUR, or NULL when not chosen. A new opportunity's form starts with it, and a salary
-- typed without a currency is read in it.
ALTER TABLE users ADD COLUMN default_currency TEXT;
