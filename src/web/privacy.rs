//! `/privacy`: what this instance actually does with people's data, written from its running
//! configuration rather than a policy someone must remember to update — which providers are on
//! (mail, file storage, database, AI, sign-in), what each receives, how long temporary data
//! lives and which cookies exist. Open to everyone, linked from every page's footer. It names
//! hosts and buckets, never credentials.

use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::config::{AiProviderKind, Config, FileStoreKind, MailTransport};
use crate::state::AppState;
use crate::web::error::AppResult;
use crate::web::pages::Chrome;
use crate::web::respond::render;
use crate::web::session::{CookiePolicy, Visitor};

pub fn routes() -> Router<AppState> {
    Router::new().route("/privacy", get(page))
}

/// One provider or place, as the page states it.
pub struct Fact {
    pub title: &'static str,
    /// What is used.
    pub what: String,
    /// What it receives, and when.
    pub receives: String,
}

pub struct Lifetime {
    pub what: &'static str,
    pub lives: String,
}

pub struct CookieFact {
    pub name: &'static str,
    pub purpose: &'static str,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    chrome: Chrome,
    base_url: String,
    facts: Vec<Fact>,
    ai_on: bool,
    lifetimes: Vec<Lifetime>,
    cookies: Vec<CookieFact>,
}

/// "30 minutes", "24 hours", "7 days".
fn spoken(duration: Duration) -> String {
    let minutes = duration.as_secs() / 60;
    let (amount, unit) = if minutes.is_multiple_of(24 * 60) && minutes >= 24 * 60 * 2 {
        (minutes / (24 * 60), "day")
    } else if minutes.is_multiple_of(60) && minutes >= 60 {
        (minutes / 60, "hour")
    } else {
        (minutes, "minute")
    };
    format!("{amount} {unit}{}", if amount == 1 { "" } else { "s" })
}

/// The host of an address, without path, user or password.
fn host_of(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => "an address set by the administrators".to_owned(),
    }
}

fn facts(config: &Config) -> Vec<Fact> {
    let database = match config.storage.database.url.as_ref() {
        None => Fact {
            title: "Database",
            what: "A SQLite file on this server's own disk.".into(),
            receives: "Everything you keep here. It never leaves this server except in the administrators' backups."
                .into(),
        },
        Some(url) => Fact {
            title: "Database",
            what: format!(
                "A PostgreSQL server at {}.",
                url::Url::parse(url.expose()).as_ref().map(host_of).unwrap_or_else(|_| "a private address".into())
            ),
            receives: "Everything you keep here, over the administrators' own database connection.".into(),
        },
    };
    let uploads = &config.uploads;
    let files = match uploads.store {
        FileStoreKind::Local => Fact {
            title: "Uploaded files",
            what: "This server's own disk.".into(),
            receives: "Your profile photo, the images in your journal and the files you attach to opportunities. \
                       Resumes you import are read and never kept."
                .into(),
        },
        FileStoreKind::S3 => Fact {
            title: "Uploaded files",
            what: format!(
                "The S3-compatible bucket “{}” at {} (region {}).",
                uploads.s3_bucket.as_deref().unwrap_or("(unnamed)"),
                uploads.s3_endpoint.as_ref().map(host_of).unwrap_or_else(|| "Amazon S3".into()),
                uploads.s3_region
            ),
            receives: "Your profile photo and the images in your journal (resized, their metadata removed), and the \
                       files you attach to opportunities (kept as you sent them). Resumes you import are read and \
                       never kept."
                .into(),
        },
    };
    let mail = &config.mail;
    let mail = Fact {
        title: "Email",
        what: match mail.transport {
            MailTransport::File => {
                "No mail service: messages are written to files on this server for the administrators (nothing is \
                 sent over the internet)."
                    .into()
            }
            MailTransport::Smtp => {
                format!("The mail server {}.", mail.smtp_host.as_deref().unwrap_or("set by the administrators"))
            }
            MailTransport::Postmark => {
                format!("Postmark (a mail delivery service), through {}.", host_of(&mail.postmark_api_url))
            }
        },
        receives: "Your email address and the message: sign-up and password links, notices about your account, \
                   answers to your support requests. Never your records."
            .into(),
    };
    let ai = &config.ai;
    let ai = Fact {
        title: "AI",
        what: match ai.provider {
            AiProviderKind::None => "None: no AI provider is set up, so nothing is ever sent anywhere for AI.".into(),
            AiProviderKind::Anthropic => format!(
                "Anthropic's Claude{} at {}.",
                ai.model.as_deref().map(|m| format!(" ({m})")).unwrap_or_default(),
                ai.base_url.as_ref().map(host_of).unwrap_or_else(|| "api.anthropic.com".into())
            ),
            AiProviderKind::OpenaiCompatible => format!(
                "A model server{} at {} (it may run on the administrators' own hardware).",
                ai.model.as_deref().map(|m| format!(" ({m})")).unwrap_or_default(),
                ai.base_url.as_ref().map(host_of).unwrap_or_else(|| "an address set by the administrators".into())
            ),
        },
        receives: match ai.provider {
            AiProviderKind::None => "Nothing.".into(),
            _ => "Only when you ask for an AI feature, and only the material that feature lists before you run it \
                  (an interview's job description and your chosen records for preparation, a resume's text for \
                  reading it, record titles for label suggestions). Never your whole account, and in the background \
                  only if you turn on preparation in advance for interviews found in your Google Calendar: then \
                  the opportunity's own fields, your resume texts and latest achievements, never the calendar \
                  event itself."
                .into(),
        },
    };
    let sign_in = match config.bluesky.switch {
        crate::config::Switch::Off => Fact {
            title: "Sign-in",
            what: "Email address and password. No other sign-in provider is switched on.".into(),
            receives: "Nobody outside this instance. Passwords are stored only as Argon2id hashes.".into(),
        },
        crate::config::Switch::On => Fact {
            title: "Sign-in and Bluesky",
            what: "Email address and password, or a Bluesky account (only if you choose to sign in with it or link \
                   it in Settings → Connections)."
                .into(),
            receives: "Passwords are stored only as Argon2id hashes. Your Bluesky server learns that you signed in to \
                       Careerlog; it receives a post only when you share one, and your public journal only if you \
                       turn publishing on. Careerlog keeps your handle, DID and sealed access tokens until you \
                       unlink, and never reads your feed or messages."
                .into(),
        },
    };
    let mut facts = vec![database, files, mail, ai, sign_in];
    let oidc = &config.oidc;
    let mut providers: Vec<String> =
        oidc.providers.iter().map(|p| format!("{} ({})", p.name, host_of(&p.issuer))).collect();
    if oidc.google_client_id.is_some() {
        providers.insert(0, "Google".into());
    }
    if !providers.is_empty() {
        facts.push(Fact {
            title: "Other sign-in providers and Google Calendar",
            what: format!(
                "{}: only if you choose to sign in with one or link it in Settings → Connections.{}",
                providers.join(", "),
                if oidc.google_client_id.is_some() {
                    " Google Calendar, read-only, only if you connect it there."
                } else {
                    ""
                }
            ),
            receives: "The provider learns that you signed in to Careerlog. Careerlog keeps who you are there (an id, \
                       your name, address and picture) until you unlink. With Google Calendar connected, Careerlog \
                       reads your upcoming events (never changes them), keeps only those it suggests as interviews \
                       until you decide (their titles sealed), keeps its access tokens sealed, and never sends an \
                       event to an AI provider."
                .into(),
        });
    }
    let error_reports = match config.sentry_dsn.as_ref().filter(|dsn| !dsn.expose().trim().is_empty()) {
        None => Fact {
            title: "Error reports",
            what: "None: when something fails on this server, it is written to the server's own log only.".into(),
            receives: "Nothing.".into(),
        },
        Some(dsn) => Fact {
            title: "Error reports",
            what: format!(
                "The administrators' Sentry (an error monitoring service) at {}.",
                url::Url::parse(dsn.expose().trim())
                    .as_ref()
                    .map(host_of)
                    .unwrap_or_else(|_| "a private address".into())
            ),
            receives: "Only when something fails on this server: which kind of page failed (its pattern, such as \
                       /opportunities/{id}, never the address you opened), the error's description with anything \
                       that looks like an address, a number or a quoted value removed, and the program's version. \
                       Never your name, email address, IP address, cookies, what you typed or your records."
                .into(),
        },
    };
    facts.push(error_reports);
    facts
}

fn lifetimes(state: &AppState) -> Vec<Lifetime> {
    let security = &state.config.security;
    let hour = Duration::from_secs(3600);
    vec![
        Lifetime {
            what: "A signed-in session",
            lives: format!(
                "ends after {} without activity, and after {} at most",
                spoken(Duration::from_secs(u64::from(security.session_idle_minutes) * 60)),
                spoken(hour * security.session_max_hours)
            ),
        },
        Lifetime {
            what: "An email verification link",
            lives: spoken(crate::services::accounts::VERIFICATION_LINK_LIFETIME),
        },
        Lifetime { what: "A password reset link", lives: spoken(crate::services::accounts::RESET_LINK_LIFETIME) },
        Lifetime {
            what: "A link confirming a new sign-in address",
            lives: spoken(crate::services::accounts::EMAIL_CHANGE_LINK_LIFETIME),
        },
        Lifetime {
            what: "A Bluesky sign-in not finished at Bluesky",
            lives: spoken(crate::integrations::bluesky::stores::REQUEST_LIFETIME),
        },
        Lifetime {
            what: "A Google or other provider sign-in not finished there, or a link waiting for you to confirm it",
            lives: spoken(crate::services::oidc::REQUEST_LIFETIME),
        },
        Lifetime {
            what: "An event from your calendar suggested as an interview",
            lives: "until you decide; the decision is kept until a day after the event, then forgotten".into(),
        },
        Lifetime {
            what: "A resume import waiting for review (sealed, the file itself is never kept)",
            lives: spoken(crate::services::imports::IMPORT_LIFETIME),
        },
        Lifetime {
            what: "A full export you prepared in Settings → Your data",
            lives: spoken(crate::services::user_data::EXPORT_LIFETIME),
        },
        Lifetime {
            what: "An image added to a journal draft that was never saved",
            lives: spoken(crate::services::journal::DRAFT_IMAGE_LIFETIME),
        },
        Lifetime {
            what: "AI label links you have not reviewed",
            lives: spoken(crate::services::label_ai::BATCH_LIFETIME),
        },
        Lifetime {
            what: "Visitors' page views on public pages (without their addresses), before they become daily totals",
            lives: spoken(state.limits.analytics_retention),
        },
        Lifetime {
            what: "A mail waiting to be sent (its address and text sealed; the provider was down)",
            lives: format!(
                "until the provider takes it (it is then deleted at once); given up after {} of tries, or at once \
                 when the provider refuses it for good, then kept {} for the administrators",
                spoken(crate::services::mail_outbox::GIVE_UP_AFTER),
                spoken(crate::services::mail_outbox::FORGET_GIVEN_UP_AFTER)
            ),
        },
        Lifetime {
            what: "The daily random salt that keeps one visitor's views apart from another's",
            lives: "1 day, then it is deleted and that day's visitors cannot be told apart".into(),
        },
    ]
}

fn cookies(state: &AppState) -> Vec<CookieFact> {
    let policy = CookiePolicy::of(state);
    let mut cookies = vec![
        CookieFact {
            name: policy.session_name,
            purpose: "Keeps you signed in. Set when you sign in, gone when you sign out or close the browser.",
        },
        CookieFact {
            name: policy.csrf_name,
            purpose: "Proves that a form was sent from this site (protection against cross-site requests).",
        },
    ];
    if state.bluesky.is_some() {
        cookies.push(CookieFact {
            name: crate::web::bluesky::browser_cookie_name(state),
            purpose: "Set only while you sign in at Bluesky (10 minutes at most): makes sure the sign-in finishes \
                      in the browser that started it.",
        });
    }
    if !state.oidc.is_empty() {
        cookies.push(CookieFact {
            name: crate::web::oidc::browser_cookie_name(state),
            purpose: "Set only while you sign in at Google or another provider (10 minutes at most): makes sure the \
                      sign-in finishes in the browser that started it.",
        });
        cookies.push(CookieFact {
            name: crate::web::oidc::pending_cookie_name(state),
            purpose: "Set only when a provider's sign-in found your account by its verified address (10 minutes at \
                      most): lets you confirm the link once you have signed in.",
        });
    }
    cookies
}

async fn page(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let chrome = Chrome::new(&state, &visitor, "Privacy on this instance", "privacy");
    let page = PrivacyPage {
        chrome,
        base_url: state.base_url.as_str().trim_end_matches('/').to_owned(),
        facts: facts(&state.config),
        ai_on: state.config.ai.provider != AiProviderKind::None,
        lifetimes: lifetimes(&state),
        cookies: cookies(&state),
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_said_as_people_say_them() {
        assert_eq!(spoken(Duration::from_secs(30 * 60)), "30 minutes");
        assert_eq!(spoken(Duration::from_secs(24 * 3600)), "24 hours");
        assert_eq!(spoken(Duration::from_secs(7 * 24 * 3600)), "7 days");
        assert_eq!(spoken(Duration::from_secs(3600)), "1 hour");
    }
}
