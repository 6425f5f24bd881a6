-- Public pages are served from a render cache (src/page_cache.rs). Each owner's row here counts
-- the changes to what their public pages show; the cache keeps a page only while its owner's
-- count is the one it was rendered at. Triggers on every table a public page reads keep the
-- counts, so every write path (forms, the API, imports, publishing, the command line, a second
-- instance) invalidates without knowing the cache exists. The row '*' counts the changes to
-- what the sitemap lists (profiles and journal entries of everyone).
--
-- PostgreSQL has the same table, and triggers that run at commit (migrations/postgres).
CREATE TABLE public_page_versions (
    user_id  TEXT PRIMARY KEY,
    version  BIGINT NOT NULL
);

INSERT INTO public_page_versions (user_id, version) SELECT user_id, 1 FROM profiles;
INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1);

CREATE TRIGGER profiles_public_version_insert AFTER INSERT ON profiles BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
    INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER profiles_public_version_update AFTER UPDATE ON profiles BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
    INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER profiles_public_version_delete AFTER DELETE ON profiles BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
    INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER experiences_public_version_insert AFTER INSERT ON experiences BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER experiences_public_version_update AFTER UPDATE ON experiences BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER experiences_public_version_delete AFTER DELETE ON experiences BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER skills_public_version_insert AFTER INSERT ON skills BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER skills_public_version_update AFTER UPDATE ON skills BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER skills_public_version_delete AFTER DELETE ON skills BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER projects_public_version_insert AFTER INSERT ON projects BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER projects_public_version_update AFTER UPDATE ON projects BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER projects_public_version_delete AFTER DELETE ON projects BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER achievements_public_version_insert AFTER INSERT ON achievements BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER achievements_public_version_update AFTER UPDATE ON achievements BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER achievements_public_version_delete AFTER DELETE ON achievements BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER education_public_version_insert AFTER INSERT ON education BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER education_public_version_update AFTER UPDATE ON education BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER education_public_version_delete AFTER DELETE ON education BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER certifications_public_version_insert AFTER INSERT ON certifications BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER certifications_public_version_update AFTER UPDATE ON certifications BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER certifications_public_version_delete AFTER DELETE ON certifications BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER journal_entries_public_version_insert AFTER INSERT ON journal_entries BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
    INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER journal_entries_public_version_update AFTER UPDATE ON journal_entries BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
    INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER journal_entries_public_version_delete AFTER DELETE ON journal_entries BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
    INSERT INTO public_page_versions (user_id, version) VALUES ('*', 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER labels_public_version_insert AFTER INSERT ON labels BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER labels_public_version_update AFTER UPDATE ON labels BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER labels_public_version_delete AFTER DELETE ON labels BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER record_labels_public_version_insert AFTER INSERT ON record_labels BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER record_labels_public_version_update AFTER UPDATE ON record_labels BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER record_labels_public_version_delete AFTER DELETE ON record_labels BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER uploads_public_version_insert AFTER INSERT ON uploads BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER uploads_public_version_update AFTER UPDATE ON uploads BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER uploads_public_version_delete AFTER DELETE ON uploads BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER bluesky_accounts_public_version_insert AFTER INSERT ON bluesky_accounts BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER bluesky_accounts_public_version_update AFTER UPDATE ON bluesky_accounts BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER bluesky_accounts_public_version_delete AFTER DELETE ON bluesky_accounts BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER bluesky_posts_public_version_insert AFTER INSERT ON bluesky_posts BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER bluesky_posts_public_version_update AFTER UPDATE ON bluesky_posts BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER bluesky_posts_public_version_delete AFTER DELETE ON bluesky_posts BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER standard_site_documents_public_version_insert AFTER INSERT ON standard_site_documents BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER standard_site_documents_public_version_update AFTER UPDATE ON standard_site_documents BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER standard_site_documents_public_version_delete AFTER DELETE ON standard_site_documents BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
