//! What every page shares: the frame around the content (navigation, the signed-in user, the CSRF
//! token for forms, a notice), and the notices a redirect can ask for.

use serde::Deserialize;

use crate::state::AppState;
use crate::web::assets;
use crate::web::session::Visitor;

/// The signed-in user as the page frame shows them.
#[derive(Debug, Clone)]
pub struct ChromeUser {
    pub email: String,
    pub is_admin: bool,
    pub verified: bool,
    /// No time zone yet: the page asks the browser for its own, once (see static/app.js).
    pub needs_time_zone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Success,
    Info,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NoticeKind,
    pub text: String,
}

impl Notice {
    pub fn class(&self) -> &'static str {
        match self.kind {
            NoticeKind::Success => "notice notice-success",
            NoticeKind::Info => "notice notice-info",
            NoticeKind::Warning => "notice notice-warning",
        }
    }
    pub fn success(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Success, text: text.into() }
    }
    pub fn info(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Info, text: text.into() }
    }
    pub fn warning(text: impl Into<String>) -> Self {
        Self { kind: NoticeKind::Warning, text: text.into() }
    }
}

/// Notices carried across a redirect as `?notice=<key>`: a fixed set of messages, so no cookie
/// and no user data travels in the URL.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    pub notice: Option<String>,
}

impl NoticeQuery {
    pub fn notice(&self) -> Option<Notice> {
        let text =
            match self.notice.as_deref()? {
                "verified" => return Some(Notice::success("Your email address is verified.")),
                "verification_sent" => "We sent a new verification link. It is valid for 30 minutes.",
                "mail_failed" => {
                    return Some(Notice::warning("We could not send the email just now. Try again in a few minutes."))
                }
                "signed_out" => "You have signed out.",
                "oidc_confirm" => return Some(Notice::info(
                    "An account here already uses that verified address. Sign in to it to confirm the link; nothing \
                     is linked until you do.",
                )),
                "oidc_linked" => return Some(Notice::success("Linked. You can sign in with it from now on.")),
                "oidc_unlinked" => {
                    return Some(Notice::success("Unlinked: what the provider told us about you was deleted here."))
                }
                "welcome_oidc" => return Some(Notice::success(
                    "Welcome to Careerlog. You can add a password under Account, so you can also sign in without your \
                     provider.",
                )),
                "calendar_connected" => {
                    return Some(Notice::success(
                        "Your Google Calendar is connected. Interviews found in it will appear on your dashboard.",
                    ))
                }
                "calendar_synced" => return Some(Notice::success("Your calendar was read again.")),
                "calendar_not_read" => {
                    return Some(Notice::warning(
                        "The calendar could not be read just now (see below); it is tried again by itself.",
                    ))
                }
                "calendar_waiting" => return Some(Notice::warning(
                    "Google asked us to wait before reading your calendar again; it will be read as soon as it may.",
                )),
                "calendar_disconnected" => return Some(Notice::success(
                    "Your Google Calendar is disconnected: Google revoked the access, and the tokens and suggestions \
                     kept here were deleted.",
                )),
                "calendar_disconnected_not_revoked" => return Some(Notice::warning(
                    "Your Google Calendar is disconnected and everything of it was deleted here, but Google could not \
                     be reached to revoke the access: remove Careerlog from your Google account's apps to be sure.",
                )),
                "preparation_on" => return Some(Notice::success(
                    "Interviews you accept from your calendar will have their preparation written in the week before.",
                )),
                "preparation_off" => return Some(Notice::success("Preparation in advance is off.")),
                "password_reset" => {
                    return Some(Notice::success("Your password has been changed. Sign in with the new one."))
                }
                "password_changed" => {
                    return Some(Notice::success(
                        "Your password has been changed and your other sessions were signed out.",
                    ))
                }
                "password_changed_programs_revoked" => {
                    return Some(Notice::success(
                        "Your password has been changed, your other sessions were signed out, and your API tokens and \
                     calendar feed address no longer work.",
                    ))
                }
                "time_zone_saved" => return Some(Notice::success("Saved. Times are now shown in your time zone.")),
                "currency_saved" => {
                    return Some(Notice::success("Saved. New salaries are in this currency unless you type another."))
                }
                "email_change_sent" => return Some(Notice::info(
                    "We sent a link to the new address. Open it within 30 minutes to sign in with that address from \
                     then on; until then nothing changes.",
                )),
                "email_changed" => {
                    return Some(Notice::success("Your sign-in address was changed. Use the new one to sign in."))
                }
                "ticket_opened" => {
                    return Some(Notice::success(
                        "Your message was sent. The administrators' answers will appear here.",
                    ))
                }
                "reply_sent" => return Some(Notice::success("Your message was added to the conversation.")),
                "answer_sent" => return Some(Notice::success("Your answer was sent and mailed.")),
                "ticket_closed" => return Some(Notice::success("The ticket was closed.")),
                "requested_account_deleted" => {
                    return Some(Notice::success(
                        "The account, its ticket and everything in it were deleted; its owner was sent a confirmation.",
                    ))
                }
                "ticket_reopened" => return Some(Notice::success("The ticket is open again.")),
                "mail_retried" => return Some(Notice::success("The mail is being sent again.")),
                "mail_discarded" => return Some(Notice::success("The mail was discarded: it will not be sent.")),
                "signups_opened" => return Some(Notice::success("Sign-ups are open.")),
                "signups_closed" => {
                    return Some(Notice::success("Sign-ups are closed: nobody new can create an account."))
                }
                "sessions_ended" => return Some(Notice::success("Your other sessions were signed out.")),
                "token_revoked" => {
                    return Some(Notice::success("The token was revoked. Programs using it can no longer sign in."))
                }
                "signin_required" => "Sign in to continue.",
                "saved" => return Some(Notice::success("Saved.")),
                "mail_being_sent" => {
                    return Some(Notice::warning(
                        "That mail is being sent right now, so it was not discarded. Look again in a moment: it is \
                         gone from the list if it went out.",
                    ))
                }
                "task_done" => return Some(Notice::success("Done.")),
                "task_reopened" => return Some(Notice::success("Open again.")),
                "task_snoozed" => return Some(Notice::success("Put off. It will be due again on the new date.")),
                "task_not_snoozed" => {
                    return Some(Notice::warning("Not put off: the task is done, or the choice was not one offered."))
                }
                "reminders_saved" => return Some(Notice::success("Saved. Reminder mail goes as you chose.")),
                "resume_sent" => {
                    return Some(Notice::success(
                        "Marked as sent: it is on the opportunity’s timeline, and a copy of what was sent is kept.",
                    ))
                }
                "saved_another" => return Some(Notice::success("Saved. Here is a new form for the next one.")),
                "deleted" => return Some(Notice::success("Deleted.")),
                "label_removed" => return Some(Notice::success("The label was taken off.")),
                "label_added" => return Some(Notice::success("The label was added.")),
                "label_created" => return Some(Notice::success("The label was created.")),
                "labels_created" => return Some(Notice::success("The labels you kept were created.")),
                "labels_applied" => return Some(Notice::success("The labels you ticked were added.")),
                "links_undone" => {
                    return Some(Notice::success("Undone: the links that run added were taken off; the labels stay."))
                }
                "label_deleted" => return Some(Notice::success("The label was deleted and taken off every record.")),
                "offer_saved" => return Some(Notice::success("The offer was saved.")),
                "offer_saved_moved" => {
                    return Some(Notice::success("The offer was saved, and the opportunity moved to Offer."))
                }
                "offer_removed" => return Some(Notice::success("The offer was removed.")),
                "document_added" => return Some(Notice::success("The file was attached.")),
                "document_removed" => return Some(Notice::success("The file was deleted.")),
                "image_added" => return Some(Notice::success("The image was added.")),
                "image_removed" => return Some(Notice::success("The image was removed.")),
                "profile_saved" => return Some(Notice::success("Your profile was saved.")),
                "photo_saved" => return Some(Notice::success("Your new photo was saved.")),
                "photo_removed" => return Some(Notice::success("Your photo was removed.")),
                "import_applied" => {
                    return Some(Notice::success("Applied. The rows you kept are in your career record and profile."))
                }
                "import_applied_nothing" => "Nothing was kept, so nothing was added. The import is gone.",
                "import_discarded" => "The import was discarded: its text and rows are deleted.",
                "import_read_by_ai" => return Some(Notice::success("Read again with AI. Review the rows below.")),
                "account_deleted" => {
                    return Some(Notice::success(
                        "Your account and everything in it were deleted. We sent a confirmation.",
                    ))
                }
                _ => return None,
            };
        Some(Notice::info(text))
    }
}

/// The frame around every page.
pub struct Chrome {
    pub title: String,
    pub section: &'static str,
    pub user: Option<ChromeUser>,
    visitor: Visitor,
    pub notice: Option<Notice>,
    pub signups_open: bool,
    pub css_url: &'static str,
    pub js_url: &'static str,
    pub icon_url: &'static str,
    /// Whether this instance has an AI provider: AI buttons say what they would do without one.
    pub ai_available: bool,
}

impl Chrome {
    pub fn new(state: &AppState, visitor: &Visitor, title: impl Into<String>, section: &'static str) -> Self {
        let assets = assets::urls();
        Chrome {
            title: title.into(),
            section,
            user: visitor.user().map(|u| ChromeUser {
                email: u.email.clone().unwrap_or_default(),
                is_admin: u.is_admin(),
                verified: u.is_verified(),
                needs_time_zone: u.time_zone.is_empty(),
            }),
            visitor: visitor.clone(),
            notice: None,
            signups_open: state.config.signups == crate::config::Signups::Open,
            css_url: assets.css,
            js_url: assets.js,
            icon_url: assets.icon,
            ai_available: state.ai.is_some(),
        }
    }

    /// Whether the frame offers "Create account", as sign-ups are now (the start-up flag and
    /// the administrators' choice together); pages that know it set it.
    pub fn with_signups_open(mut self, open: bool) -> Self {
        self.signups_open = self.signups_open && open;
        self
    }

    pub fn with_notice(mut self, notice: Option<Notice>) -> Self {
        self.notice = notice;
        self
    }

    /// The CSRF token for a form on this page. Asked for only by pages that have forms, so an
    /// anonymous visitor gets the CSRF cookie only where it is needed.
    pub fn csrf(&self) -> String {
        self.visitor.csrf_token()
    }

    /// Is `name` the current section (or a part of it, as in `settings/tokens`)? For
    /// `aria-current` in the navigation.
    pub fn is(&self, name: &str) -> bool {
        self.section == name || self.section.strip_prefix(name).is_some_and(|rest| rest.starts_with('/'))
    }
}
