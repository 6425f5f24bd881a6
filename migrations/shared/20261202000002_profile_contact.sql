-- Contact details for the resume (issue 12): the address, phone and website a person wants on
-- their resume, which need not be the address they sign in with. Each has its own "show on my
-- public pages" switch, off by default. Profile links (GitHub, LinkedIn, …) and spoken languages
-- are short lists kept as JSON text, in JSON Resume's shape: `[{network, username, url, public}]`
-- and `[{language, fluency}]`.
ALTER TABLE profiles ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN email_public BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN phone_public BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE profiles ADD COLUMN url_public BIGINT NOT NULL DEFAULT 0;
ALTER TABLE profiles ADD COLUMN links TEXT NOT NULL DEFAULT '[]';
ALTER TABLE profiles ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
