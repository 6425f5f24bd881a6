-- The support ticket a visitor's mail is about ("We received your message", an answer to it):
-- deleting the ticket (as deleting the account of the address it came from does) takes its
-- queued mail too, so nothing is mailed about what is gone.
ALTER TABLE mail_outbox ADD COLUMN ticket_id TEXT REFERENCES support_tickets(id) ON DELETE CASCADE;
CREATE INDEX mail_outbox_ticket ON mail_outbox(ticket_id);
