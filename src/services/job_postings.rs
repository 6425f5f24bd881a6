//! Save a job from its posting URL: fetch the page (through the guarded fetcher of
//! `integrations::web_pages`), read the posting in it (`domain::job_posting`, off the async
//! runtime: a big page takes a while to read) and make an opportunity's draft of it, which the
//! pages show for review and the API saves at once.

use crate::db::opportunities::Opportunity;
use crate::domain::job_posting::{self, AddressProblem, FoundIn, PostingProblem};
use crate::domain::opportunities::OpportunityDraft;
use crate::domain::{FieldErrors, UserId};
use crate::integrations::web_pages::FetchError;
use crate::services::records::{self, kinds::Opportunities};
use crate::services::throttle::{self, Policy};
use crate::services::{Handles, ServiceError};

/// Pages one user may have fetched in an hour, from the form, the bookmarklet and the API
/// together: each holds a connection for up to ten seconds and a few megabytes while it is read.
pub const FETCHES_PER_HOUR: Policy = Policy { max_hits: 60, window_ms: 60 * 60 * 1000 };

/// Why no opportunity could be made from an address.
#[derive(Debug)]
pub enum FromUrlError {
    /// The page could not be had, or has no posting in it: a code and a sentence for the user.
    Page {
        problem: PostingProblem,
        message: String,
    },
    Service(ServiceError),
}

impl From<ServiceError> for FromUrlError {
    fn from(err: ServiceError) -> Self {
        FromUrlError::Service(err)
    }
}

impl FromUrlError {
    fn page(problem: PostingProblem, message: impl Into<String>) -> Self {
        FromUrlError::Page { problem, message: message.into() }
    }
}

/// A draft read from a posting, for review.
#[derive(Debug, Clone)]
pub struct PostingDraft {
    pub draft: OpportunityDraft,
    pub found_in: FoundIn,
    /// The address the page was finally read at (after redirects).
    pub read_at: String,
}

/// Read the posting at `typed` (an address as the user typed it) into an opportunity's draft.
/// Nothing is saved.
pub async fn read(handles: &Handles, user_id: &UserId, typed: &str) -> Result<PostingDraft, FromUrlError> {
    let url = match job_posting::posting_address(typed) {
        Ok(url) => url,
        Err(AddressProblem::Missing) => {
            let message = "Paste the address of the job posting, such as https://jobs.example.com/123.";
            return Err(ServiceError::Invalid(FieldErrors::single("url", message)).into());
        }
        Err(AddressProblem::Invalid(message)) => return Err(FromUrlError::page(PostingProblem::InvalidUrl, message)),
    };
    let bucket = format!("page-fetch:{}", handles.throttle_key.mac(user_id.as_str().as_bytes()));
    throttle::take(handles, &bucket, FETCHES_PER_HOUR, |minutes| {
        format!(
            "You have read many job postings this hour. Try again in {minutes} minute{}, or fill in the form by hand.",
            throttle::plural(minutes)
        )
    })
    .await?;
    let page = match handles.pages.fetch(&url).await {
        Ok(page) => page,
        // Turned away before anything was read: it does not count against the hour's pages.
        Err(FetchError::Busy) => {
            if let Err(error) = throttle::give_back(handles, &bucket).await {
                tracing::warn!(?error, "could not give back a page fetch turned away as busy");
            }
            return Err(fetch_problem(&FetchError::Busy));
        }
        Err(err) => return Err(fetch_problem(&err)),
    };
    let read_at = page.url.clone();
    let posting = tokio::task::spawn_blocking(move || job_posting::read_posting(&page.html, &page.url))
        .await
        .map_err(|err| ServiceError::Internal(anyhow::Error::new(err).context("reading a job posting")))?
        .map_err(|_| {
            FromUrlError::page(
                PostingProblem::NotAJobPosting,
                "That page has no job posting in it that Careerlog can read: no title, no text. \
                 Check the address, or fill in the form by hand.",
            )
        })?;
    Ok(PostingDraft { draft: posting.to_draft(url.as_str()), found_in: posting.found_in, read_at: read_at.to_string() })
}

/// Read the posting at `typed` and save it as a new opportunity (status "saved"), as the API
/// does: no review.
pub async fn save(handles: &Handles, user_id: &UserId, typed: &str) -> Result<Opportunity, FromUrlError> {
    let posting = read(handles, user_id, typed).await?;
    let id = records::save::<Opportunities>(handles, user_id, None, &posting.draft).await?;
    Ok(records::get::<Opportunities>(&handles.db, user_id, &id).await?)
}

/// A fetch's failure in the user's words, with its code.
fn fetch_problem(err: &FetchError) -> FromUrlError {
    use PostingProblem as P;
    match err {
        FetchError::Scheme(scheme) => {
            FromUrlError::page(P::InvalidUrl, format!("Only http:// and https:// pages can be read, not {scheme}:."))
        }
        // Which private address a name led to, or why a connection failed, stays in the log:
        // told to the user, it would map this server's network for them.
        FetchError::Refused(refused) => {
            tracing::info!(%refused, "a page address was refused");
            FromUrlError::page(
                P::AddressRefused,
                "That address leads to a private or local network; only pages on the public internet can be read.",
            )
        }
        FetchError::Unreachable(cause) => {
            tracing::info!(%cause, "a page could not be reached");
            FromUrlError::page(P::Unreachable, "The page could not be reached. Check the address.")
        }
        FetchError::Status(status) => {
            let reason = status_name(*status);
            FromUrlError::page(
                P::Unreachable,
                format!(
                    "The site answered {status}{reason}: the posting may have been taken down, or needs a sign-in."
                ),
            )
        }
        FetchError::BadRedirect => FromUrlError::page(P::Unreachable, "The site sent a redirect that leads nowhere."),
        FetchError::TimedOut(seconds) => FromUrlError::page(
            P::TimedOut,
            format!("The page did not arrive within {seconds} seconds. Try again later."),
        ),
        FetchError::TooManyRedirects(max) => FromUrlError::page(
            P::TooManyRedirects,
            format!("The page redirected more than {max} times (a redirect loop?), so it was given up."),
        ),
        FetchError::TooLarge(bytes) => FromUrlError::page(
            P::TooLarge,
            format!(
                "The page is larger than {} MB, more than a job posting needs, so it was not read.",
                bytes / (1024 * 1024)
            ),
        ),
        FetchError::Port(port) => FromUrlError::page(
            P::AddressRefused,
            format!(
                "Port {port} is not a web site's: only pages on the usual web ports ({}) can be read.",
                crate::integrations::web_pages::WEB_PORTS.map(|p| p.to_string()).join(", ")
            ),
        ),
        FetchError::Busy => {
            tracing::warn!("page fetches are at their limit; one was turned away");
            FromUrlError::Service(ServiceError::RateLimited {
                message:
                    "Careerlog is reading many pages right now. Try again in a moment, or fill in the form by hand."
                        .into(),
                retry_after_secs: 10,
            })
        }
        FetchError::NotHtml(kind) => FromUrlError::page(
            P::NotHtml,
            format!("That address gives {kind}, not a web page. Paste the address of the posting's page."),
        ),
    }
}

/// " Not Found" for 404: the status's usual name, when it has one.
fn status_name(status: u16) -> String {
    let name = match status {
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => return String::new(),
    };
    format!(" {name}")
}
