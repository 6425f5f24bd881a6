-- Public pages are served from a render cache (src/page_cache.rs). Each owner's row here counts
-- the changes to what their public pages show; the cache keeps a page only while its owner's
-- count is the one it was rendered at. Triggers on every table a public page reads keep the
-- counts, so every write path (forms, the API, imports, publishing, the command line, a second
-- instance) invalidates without knowing the cache exists. The row '*' counts the changes to
-- what the sitemap lists (profiles and journal entries of everyone).
--
-- SQLite has the same table and plain triggers (migrations/sqlite). Here the triggers are
-- constraint triggers deferred to the commit: a transaction takes the lock on its owner's row
-- only as it ends, and a run of rows of one owner counts once. (Two transactions that each
-- write several owners' rows in opposite orders could still deadlock at commit; one aborts and
-- its write fails as any deadlock victim's. Every write path writes one owner's rows.) A user
-- being deleted gets no new row (their row goes with the account).
CREATE TABLE public_page_versions (
    user_id  TEXT PRIMARY KEY,
    version  BIGINT NOT NULL
);

INSERT INTO public_page_versions (user_id, version) SELECT user_id, 1 FROM profiles;
INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1);

CREATE FUNCTION bump_public_page_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_owner TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed_owner := OLD.user_id;
    ELSE
        changed_owner := NEW.user_id;
    END IF;
    -- Only the owner bumped last is remembered (constant work per row, whatever the number of
    -- owners a transaction touches); a second bump of one owner is harmless.
    IF coalesce(current_setting('careerlog.public_pages_last_owner', true), '') <> changed_owner THEN
        PERFORM set_config('careerlog.public_pages_last_owner', changed_owner, true);
        INSERT INTO public_page_versions (user_id, version)
            SELECT changed_owner, 1 WHERE EXISTS (SELECT 1 FROM users WHERE id = changed_owner)
            ON CONFLICT (user_id) DO UPDATE SET version = public_page_versions.version + 1;
    END IF;
    IF TG_NARGS > 0 AND TG_ARGV[0] = 'sitemap'
        AND coalesce(current_setting('careerlog.public_pages_sitemap_bumped', true), '') <> 'yes' THEN
        PERFORM set_config('careerlog.public_pages_sitemap_bumped', 'yes', true);
        UPDATE public_page_versions SET version = version + 1 WHERE user_id = '*';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER profiles_public_version AFTER INSERT OR UPDATE OR DELETE ON profiles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version('sitemap');
CREATE CONSTRAINT TRIGGER experiences_public_version AFTER INSERT OR UPDATE OR DELETE ON experiences
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER skills_public_version AFTER INSERT OR UPDATE OR DELETE ON skills
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER projects_public_version AFTER INSERT OR UPDATE OR DELETE ON projects
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER achievements_public_version AFTER INSERT OR UPDATE OR DELETE ON achievements
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER education_public_version AFTER INSERT OR UPDATE OR DELETE ON education
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER certifications_public_version AFTER INSERT OR UPDATE OR DELETE ON certifications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER journal_entries_public_version AFTER INSERT OR UPDATE OR DELETE ON journal_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version('sitemap');
CREATE CONSTRAINT TRIGGER labels_public_version AFTER INSERT OR UPDATE OR DELETE ON labels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER record_labels_public_version AFTER INSERT OR UPDATE OR DELETE ON record_labels
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER uploads_public_version AFTER INSERT OR UPDATE OR DELETE ON uploads
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER bluesky_accounts_public_version AFTER INSERT OR UPDATE OR DELETE ON bluesky_accounts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER bluesky_posts_public_version AFTER INSERT OR UPDATE OR DELETE ON bluesky_posts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER standard_site_documents_public_version AFTER INSERT OR UPDATE OR DELETE ON standard_site_documents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_public_page_version();
