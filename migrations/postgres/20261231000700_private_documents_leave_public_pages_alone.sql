-- Issue 19: a document attached to an opportunity (a resume sent, an offer letter) is private, so
-- adding or removing one changes no public page: its owner's public pages stay in the render
-- cache. Photos and journal images still count.
DROP TRIGGER uploads_public_version ON uploads;

CREATE CONSTRAINT TRIGGER uploads_public_version AFTER INSERT OR UPDATE ON uploads
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.purpose <> 'opportunity_document')
    EXECUTE FUNCTION bump_public_page_version();
CREATE CONSTRAINT TRIGGER uploads_public_version_delete AFTER DELETE ON uploads
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.purpose <> 'opportunity_document')
    EXECUTE FUNCTION bump_public_page_version();
