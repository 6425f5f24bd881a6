-- Issue 19: a document attached to an opportunity (a resume sent, an offer letter) is private, so
-- adding or removing one changes no public page: its owner's public pages stay in the render
-- cache. Photos and journal images still count.
DROP TRIGGER uploads_public_version_insert;
DROP TRIGGER uploads_public_version_update;
DROP TRIGGER uploads_public_version_delete;

CREATE TRIGGER uploads_public_version_insert AFTER INSERT ON uploads
WHEN NEW.purpose <> 'opportunity_document' BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER uploads_public_version_update AFTER UPDATE ON uploads
WHEN NEW.purpose <> 'opportunity_document' OR OLD.purpose <> 'opportunity_document' BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (NEW.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER uploads_public_version_delete AFTER DELETE ON uploads
WHEN OLD.purpose <> 'opportunity_document' BEGIN
    INSERT INTO public_page_versions (user_id, version) VALUES (OLD.user_id, 1)
        ON CONFLICT (user_id) DO UPDATE SET version = version + 1;
END;
