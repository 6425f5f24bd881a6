//! standard.site publishing: the public journal as a `site.standard.publication` record in the
//! user's Bluesky repository, and each public entry as a `site.standard.document` in it.
//!
//! Nothing in the journal's write path knows about this. A background pass compares what should
//! be published (the switch, the journal, its public entries) with what was written (the
//! `standard_site_documents` rows and the account's `publication_uri`) and makes the repository
//! agree: it writes what is new or changed, deletes what turned private or is gone, and takes
//! everything down when the switch is off. A record that fails is tried again later with a
//! growing delay; an account whose connection stopped working is marked "reconnect".

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::clock::Timestamp;
use crate::db::bluesky::{self as db, LinkedAccount, PublicEntry, PublishedDocument};
use crate::db::{leases, profiles};
use crate::domain::bluesky::{record_key, tid};
use crate::integrations::bluesky::{self as atproto, Bluesky, BlueskyError, Session};
use crate::services::{Handles, ServiceError};

pub const PUBLICATION: &str = "site.standard.publication";
pub const DOCUMENT: &str = "site.standard.document";

/// How often an instance looks for work.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(30);
/// The lease that makes one instance the publisher at a time; renewed by each of its passes.
const PUBLISHER_LEASE: &str = "standard-site-publisher";
const PUBLISHER_LEASE_FOR: Duration = Duration::from_secs(2 * 60);
/// Held on one account while its repository is written, so two instances never act on one
/// session at once (a pass that outlives the publisher lease overlaps the next one's).
const ACCOUNT_LEASE_FOR: Duration = Duration::from_secs(10 * 60);
/// Repository writes (puts and deletes) for one account in one pass: a large journal is
/// published over a few passes instead of holding the pass for minutes.
pub const WRITES_PER_ACCOUNT: usize = 50;
/// The newest public entries that are published; older ones are not (and are taken down if
/// they were), so what is published never depends on where a list was cut.
pub const PUBLISHED_MAX: i64 = 1000;
/// The searchable text of a document is cut here.
pub const TEXT_CONTENT_MAX: usize = 10_000;
/// After an account-level failure (the server did not answer, refused the publication), the
/// account is left alone this long; the switch clears the error and so retries at once.
const ACCOUNT_RETRY: Duration = Duration::from_secs(2 * 60);
/// The first retry of a failed record; each further failure doubles it, up to the cap.
const FIRST_RETRY: Duration = Duration::from_secs(60);
const LONGEST_RETRY: Duration = Duration::from_secs(6 * 3600);

/// What a pass did, for the logs and the tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PublishReport {
    /// False when another pass held the publisher lease (another instance, or this one's loop).
    pub ran: bool,
    /// Accounts that had something to do.
    pub accounts_with_work: u64,
    /// Accounts skipped because another instance was writing their repository.
    pub accounts_busy: u64,
    /// Accounts stopped by an account-level failure (reconnect, server, publication).
    pub accounts_failed: u64,
    pub publications_written: u64,
    pub publications_removed: u64,
    pub documents_written: u64,
    pub documents_removed: u64,
    /// Record writes or deletes that failed and wait for a retry.
    pub documents_failed: u64,
}

/// Run the publisher every [`PUBLISH_EVERY`] until `stop` says so. An instance without a Bluesky
/// client has nothing to publish with.
pub fn spawn(handles: Arc<Handles>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        if handles.bluesky.is_none() {
            return;
        }
        loop {
            // Waiting first: an instance that just started has served no one yet.
            tokio::select! {
                _ = tokio::time::sleep(PUBLISH_EVERY) => {}
                _ = stop.changed() => break,
            }
            // A stop cancels a pass between awaits: a record written and not yet noted is
            // written again under the same key by the next pass (see `document_key`).
            tokio::select! {
                outcome = publish_pass(&handles) => {
                    if outcome.as_ref().map_or(true, |report| report.ran) {
                        handles.metrics.job_run("standard_site", outcome.is_ok());
                    }
                    log_pass(outcome)
                }
                _ = stop.changed() => break,
            }
        }
    })
}

fn log_pass(outcome: Result<PublishReport, ServiceError>) {
    match outcome {
        Ok(report) if report.accounts_with_work > 0 => tracing::info!(?report, "standard.site publishing pass"),
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %format!("{err:#}"), "standard.site publishing pass failed"),
    }
}

/// One reconciliation pass over every account that publishes or has something to take down.
pub async fn publish_pass(handles: &Handles) -> Result<PublishReport, ServiceError> {
    let Some(bluesky) = handles.bluesky.as_ref() else { return Ok(PublishReport::default()) };
    let Some(_running) = RunningPass::start(&handles.instance_id) else { return Ok(PublishReport::default()) };
    let now = handles.clock.now();
    let pool = handles.db.pool();
    if !leases::try_acquire(pool, PUBLISHER_LEASE, &handles.instance_id, now, now.plus(PUBLISHER_LEASE_FOR)).await? {
        return Ok(PublishReport::default());
    }
    let mut report = PublishReport { ran: true, ..PublishReport::default() };
    for account in db::publishing_accounts(pool).await? {
        // One account's trouble (its database rows, say) must not stop the others'.
        if let Err(err) = publish_account(handles, bluesky, &account, &mut report).await {
            tracing::warn!(user_id = %account.user_id, error = %format!("{err:#}"), "standard.site publishing failed");
        }
    }
    Ok(report)
}

/// Instance ids with a pass under way in this process: the publisher lease cannot tell this
/// instance's loop from a pass started directly (same holder), and two passes must not write
/// one repository at once.
static RUNNING: Mutex<Option<HashSet<String>>> = Mutex::new(None);

struct RunningPass(String);

impl RunningPass {
    fn start(instance_id: &str) -> Option<Self> {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        running
            .get_or_insert_with(HashSet::new)
            .insert(instance_id.to_owned())
            .then(|| RunningPass(instance_id.to_owned()))
    }
}

impl Drop for RunningPass {
    fn drop(&mut self) {
        let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(set) = running.as_mut() {
            set.remove(&self.0);
        }
    }
}

/// One account: look without a lease (most accounts have nothing to do), and only with work
/// take the account's lease, look again and act.
async fn publish_account(
    handles: &Handles,
    bluesky: &Bluesky,
    account: &LinkedAccount,
    report: &mut PublishReport,
) -> Result<(), ServiceError> {
    let now = handles.clock.now();
    if waiting_after_failure(account, now) {
        return Ok(());
    }
    if plan(&State::load(handles, account).await?, now).is_empty() {
        return Ok(());
    }
    let lease = format!("bluesky:{}", account.did);
    let pool = handles.db.pool();
    if !leases::try_acquire(pool, &lease, &handles.instance_id, now, now.plus(ACCOUNT_LEASE_FOR)).await? {
        report.accounts_busy += 1;
        return Ok(());
    }
    report.accounts_with_work += 1;
    let outcome = act(handles, bluesky, account, report).await;
    leases::release(pool, &lease, &handles.instance_id).await?;
    outcome
}

/// An account whose last pass failed as a whole waits a little before the next try.
fn waiting_after_failure(account: &LinkedAccount, now: Timestamp) -> bool {
    account.publication_error.is_some() && now < account.updated_at.plus(ACCOUNT_RETRY)
}

/// What should be and what is, for one account.
struct State {
    account: LinkedAccount,
    /// Publishing is on and the journal can be read at its address (public, with a username).
    wanted: bool,
    journal_url: String,
    publication_name: String,
    publication_description: String,
    entries: Vec<PublicEntry>,
    documents: Vec<PublishedDocument>,
}

impl State {
    async fn load(handles: &Handles, account: &LinkedAccount) -> Result<Self, ServiceError> {
        let pool = handles.db.pool();
        // Read again: the row the pass started from may be a few seconds old.
        let account = db::account_by_did(pool, &account.did).await?.unwrap_or_else(|| account.clone());
        let profile = profiles::find_by_user_id(pool, &account.user_id).await?;
        let journal_open = profile.as_ref().is_some_and(|p| p.journal_public.get() && !p.username.is_empty());
        let wanted = account.publishing() && journal_open;
        let entries =
            if wanted { db::public_entries(pool, &account.user_id, PUBLISHED_MAX).await? } else { Vec::new() };
        let documents = db::documents_of_user(pool, &account.user_id).await?;
        let (journal_url, publication_name, publication_description) = match &profile {
            Some(p) => (
                format!("{}/u/{}/journal", handles.base_url.as_str().trim_end_matches('/'), p.username),
                publication_name(p.name()),
                crate::services::bluesky::description_of(&p.bio, 300),
            ),
            None => Default::default(),
        };
        Ok(State { account, wanted, journal_url, publication_name, publication_description, entries, documents })
    }
}

/// The writes that make the repository agree with the journal.
#[derive(Debug, Default, PartialEq, Eq)]
struct Plan {
    create_publication: bool,
    /// Entry ids of documents to delete: their entry is no longer published.
    removals: Vec<String>,
    /// Entry ids of public entries to write: new, or changed since they were written.
    writes: Vec<String>,
    /// Delete the publication once no document is left.
    remove_publication: bool,
}

impl Plan {
    fn is_empty(&self) -> bool {
        *self == Plan::default()
    }
}

/// Compare; rows waiting for a retry are left out until their time.
fn plan(state: &State, now: Timestamp) -> Plan {
    let due = |d: &PublishedDocument| d.next_attempt_at <= now;
    let by_entry: HashMap<&str, &PublishedDocument> =
        state.documents.iter().map(|d| (d.entry_id.as_str(), d)).collect();
    let published: HashSet<&str> = state.entries.iter().map(|e| e.id.as_str()).collect();
    let removals = state
        .documents
        .iter()
        .filter(|d| !published.contains(d.entry_id.as_str()) && due(d))
        .map(|d| d.entry_id.clone());
    let writes = state
        .entries
        .iter()
        .filter(|e| match by_entry.get(e.id.as_str()) {
            None => true,
            Some(d) => d.synced_at < e.updated_at && due(d),
        })
        .map(|e| e.id.clone());
    let has_publication = state.account.publication_uri.is_some();
    Plan {
        create_publication: state.wanted && !has_publication,
        removals: removals.collect(),
        writes: writes.collect(),
        remove_publication: !state.wanted && has_publication,
    }
}

/// With the account's lease held: the session, then the publication, removals, writes, and the
/// publication's removal when nothing is left under it.
async fn act(
    handles: &Handles,
    bluesky: &Bluesky,
    account: &LinkedAccount,
    report: &mut PublishReport,
) -> Result<(), ServiceError> {
    let state = State::load(handles, account).await?;
    let work = plan(&state, handles.clock.now());
    let session = match bluesky.session(&state.account.did).await {
        Ok(session) => session,
        Err(err) => return account_failed(handles, &state.account, err, report).await,
    };
    let writer = Writer { handles, session: &session, did: &state.account.did, user_id: &state.account.user_id };
    let mut budget = WRITES_PER_ACCOUNT;
    let mut publication = state.account.publication_uri.clone();
    if work.create_publication {
        let rkey = publication_key(&state.account);
        let record = publication_record(&state.journal_url, &state.publication_name, &state.publication_description);
        match writer.put(PUBLICATION, &rkey, record).await {
            Ok(uri) => {
                db::set_publication(handles.db.pool(), writer.user_id, Some(&uri), None, handles.clock.now()).await?;
                report.publications_written += 1;
                budget -= 1;
                publication = Some(uri);
            }
            Err(err) => return account_failed(handles, &state.account, err, report).await,
        }
    }
    let documents: HashMap<&str, &PublishedDocument> =
        state.documents.iter().map(|d| (d.entry_id.as_str(), d)).collect();
    let mut removed = 0;
    for entry_id in work.removals.iter().take(budget) {
        let document = documents[entry_id.as_str()];
        match writer.remove(DOCUMENT, &document.record_key).await {
            Ok(()) => {
                db::document_removed(handles.db.pool(), writer.user_id, entry_id).await?;
                report.documents_removed += 1;
                removed += 1;
            }
            Err(BlueskyError::Reconnect) => {
                return account_failed(handles, &state.account, BlueskyError::Reconnect, report).await
            }
            Err(err) => writer.record_failed(entry_id, &document.record_key, document.attempts, &err, report).await?,
        }
    }
    budget = budget.saturating_sub(work.removals.len());
    if let Some(site) = publication.as_deref().filter(|_| state.wanted) {
        let entries: HashMap<&str, &PublicEntry> = state.entries.iter().map(|e| (e.id.as_str(), e)).collect();
        for entry_id in work.writes.iter().take(budget) {
            let entry = entries[entry_id.as_str()];
            let existing = documents.get(entry_id.as_str()).copied();
            let rkey = existing.map(|d| d.record_key.clone()).unwrap_or_else(|| document_key(entry));
            match writer.put(DOCUMENT, &rkey, document_record(site, entry)).await {
                Ok(uri) => {
                    db::document_written(handles.db.pool(), writer.user_id, entry_id, &rkey, &uri, entry.updated_at)
                        .await?;
                    report.documents_written += 1;
                }
                Err(BlueskyError::Reconnect) => {
                    return account_failed(handles, &state.account, BlueskyError::Reconnect, report).await
                }
                Err(err) => {
                    let attempts = existing.map_or(0, |d| d.attempts);
                    writer.record_failed(entry_id, &rkey, attempts, &err, report).await?
                }
            }
        }
    }
    let nothing_left = removed == state.documents.len();
    if work.remove_publication && nothing_left {
        if let Some(rkey) = state.account.publication_uri.as_deref().and_then(record_key) {
            match writer.remove(PUBLICATION, rkey).await {
                Ok(()) => {
                    db::forget_publication(handles.db.pool(), writer.user_id).await?;
                    report.publications_removed += 1;
                    return Ok(());
                }
                Err(err) => return account_failed(handles, &state.account, err, report).await,
            }
        }
    }
    if state.account.publication_error.is_some() {
        db::set_publication(handles.db.pool(), writer.user_id, None, None, handles.clock.now()).await?;
    }
    Ok(())
}

/// Repository writes for one account, and what a failed one leaves behind.
struct Writer<'a> {
    handles: &'a Handles,
    session: &'a Session,
    did: &'a str,
    user_id: &'a crate::domain::UserId,
}

impl Writer<'_> {
    /// Create or replace the record; answers its AT-URI.
    async fn put(&self, collection: &str, rkey: &str, record: Value) -> Result<String, BlueskyError> {
        let input = json!({ "repo": self.did, "collection": collection, "rkey": rkey, "record": record });
        let answer = atproto::procedure(self.session, "com.atproto.repo.putRecord", input).await?;
        answer["uri"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| BlueskyError::Server("the answer has no record address".into()))
    }

    /// Delete the record (a record that is already gone is no error at the server).
    async fn remove(&self, collection: &str, rkey: &str) -> Result<(), BlueskyError> {
        let input = json!({ "repo": self.did, "collection": collection, "rkey": rkey });
        atproto::procedure(self.session, "com.atproto.repo.deleteRecord", input).await.map(|_| ())
    }

    /// Note the failure on the document's row, keeping its record key so the retry writes the
    /// same record rather than a second one.
    async fn record_failed(
        &self,
        entry_id: &str,
        rkey: &str,
        attempts: i64,
        err: &BlueskyError,
        report: &mut PublishReport,
    ) -> Result<(), ServiceError> {
        let now = self.handles.clock.now();
        let message = error_message(err);
        tracing::info!(user_id = %self.user_id, error = %err, "a standard.site record was not written; retrying later");
        db::document_failed(
            self.handles.db.pool(),
            self.user_id,
            entry_id,
            rkey,
            &message,
            now.plus(retry_delay(attempts)),
            now,
        )
        .await?;
        report.documents_failed += 1;
        Ok(())
    }
}

/// The account as a whole could not be published: a grant that stopped working marks it
/// "reconnect" (the user must sign in at Bluesky again); either way the settings page shows why.
async fn account_failed(
    handles: &Handles,
    account: &LinkedAccount,
    err: BlueskyError,
    report: &mut PublishReport,
) -> Result<(), ServiceError> {
    let now = handles.clock.now();
    let pool = handles.db.pool();
    if matches!(err, BlueskyError::Reconnect) {
        db::set_status(pool, &account.did, db::RECONNECT, now).await?;
    }
    tracing::info!(user_id = %account.user_id, error = %err, "standard.site publishing stopped for an account");
    db::set_publication(pool, &account.user_id, None, Some(&error_message(&err)), now).await?;
    report.accounts_failed += 1;
    Ok(())
}

/// What the settings page says about a failure.
pub fn error_message(err: &BlueskyError) -> String {
    match err {
        BlueskyError::Reconnect => {
            "The connection to Bluesky stopped working. Reconnect it to go on publishing.".to_owned()
        }
        BlueskyError::Server(detail) => {
            format!("Bluesky did not accept the record: {}", detail.chars().take(300).collect::<String>())
        }
        other => format!("Bluesky could not be reached: {}", other.to_string().chars().take(300).collect::<String>()),
    }
}

/// How long after its `attempts`-th failure (counting from 0) a record is tried again: 1 min,
/// 2, 4, … up to 6 hours.
pub fn retry_delay(attempts: i64) -> Duration {
    let doublings = attempts.clamp(0, 20) as u32;
    FIRST_RETRY.saturating_mul(1 << doublings).min(LONGEST_RETRY)
}

/// The journal's name as a publication: "Ada Lovelace’s journal".
pub fn publication_name(owner_name: &str) -> String {
    format!("{owner_name}’s journal")
}

/// The `site.standard.publication` record.
pub fn publication_record(journal_url: &str, name: &str, description: &str) -> Value {
    let mut record = json!({ "$type": PUBLICATION, "url": journal_url, "name": cut(name, 500) });
    if !description.is_empty() {
        record["description"] = cut(description, 3000).into();
    }
    record
}

/// The `site.standard.document` record of a public entry in the publication `site` (an
/// AT-URI); its address is the publication's URL followed by `path`.
pub fn document_record(site: &str, entry: &PublicEntry) -> Value {
    let mut record = json!({
        "$type": DOCUMENT,
        "site": site,
        "path": format!("/{}", entry.slug),
        "title": cut(&entry.title, 500),
        // The PDS refuses a document without it.
        "publishedAt": entry.created_at.rfc3339(),
        "updatedAt": entry.updated_at.rfc3339(),
    });
    let description = crate::services::bluesky::description_of(&entry.body, 300);
    if !description.is_empty() {
        record["description"] = description.into();
    }
    let text = crate::domain::markdown::plain_text(&entry.body, TEXT_CONTENT_MAX);
    if !text.is_empty() {
        record["textContent"] = text.into();
    }
    record
}

/// A document's record key, made from the entry alone (its creation time and id), so a write
/// that reached the server but was never noted here is written again under the same key instead
/// of leaving a second copy in the repository.
pub fn document_key(entry: &PublicEntry) -> String {
    stable_tid(entry.created_at, &entry.id)
}

/// The publication's record key, the same way: from when the account was linked.
pub fn publication_key(account: &LinkedAccount) -> String {
    stable_tid(account.created_at, &account.did)
}

/// A TID at `at` whose sub-millisecond digits and clock id come from `id`, so two things made in
/// the same millisecond still get different keys.
fn stable_tid(at: Timestamp, id: &str) -> String {
    // FNV-1a: stable across Rust versions, unlike the standard library's hasher.
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let micros = (at.millis().max(0) as u64).saturating_mul(1000) + hash % 1000;
    tid(micros, ((hash >> 10) & 0x3ff) as u16)
}

fn cut(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// What the settings page shows about publishing, from the account and its document rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishingStatus {
    pub on: bool,
    pub publication_uri: Option<String>,
    /// Why the last pass stopped for the whole account, if it did.
    pub error: Option<String>,
    /// Entries published (their record written).
    pub published: usize,
    /// Records waiting for a retry, and the latest reason.
    pub failing: usize,
    pub last_failure: Option<String>,
}

impl PublishingStatus {
    /// From `db::bluesky::account_of_user` and `db::bluesky::documents_of_user`.
    pub fn of(account: &LinkedAccount, documents: &[PublishedDocument]) -> Self {
        let failing: Vec<&PublishedDocument> = documents.iter().filter(|d| d.last_error.is_some()).collect();
        PublishingStatus {
            on: account.publishing(),
            publication_uri: account.publication_uri.clone(),
            error: account.publication_error.clone(),
            published: documents.iter().filter(|d| d.uri.is_some()).count(),
            failing: failing.len(),
            last_failure: failing.iter().max_by_key(|d| d.next_attempt_at).and_then(|d| d.last_error.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    fn entry(id: &str, updated: i64) -> PublicEntry {
        PublicEntry {
            id: id.into(),
            username: "ada".into(),
            slug: format!("2026-12-01-{id}"),
            title: format!("Entry {id}"),
            body: "# Shipped\n\nThe **planner** is live.".into(),
            entry_date: "2026-12-01".into(),
            created_at: Timestamp(1_765_000_000_000),
            updated_at: Timestamp(updated),
        }
    }

    fn document(entry_id: &str, synced: i64, next_attempt: i64) -> PublishedDocument {
        PublishedDocument {
            entry_id: entry_id.into(),
            record_key: "3kabc".into(),
            uri: Some(format!("at://did:plc:ada/{DOCUMENT}/3kabc")),
            synced_at: Timestamp(synced),
            attempts: 0,
            next_attempt_at: Timestamp(next_attempt),
            last_error: None,
        }
    }

    fn account(publishing: bool, publication: Option<&str>) -> LinkedAccount {
        LinkedAccount {
            did: "did:plc:ada".into(),
            user_id: UserId::from("u1".to_owned()),
            handle: "ada.test".into(),
            pds_url: "https://pds.example".into(),
            avatar_url: None,
            status: db::CONNECTED.into(),
            publishing: i64::from(publishing),
            publication_uri: publication.map(str::to_owned),
            publication_error: None,
            created_at: Timestamp(1_700_000_000_000),
            updated_at: Timestamp(1_700_000_000_000),
        }
    }

    fn state(
        wanted: bool,
        publication: Option<&str>,
        entries: Vec<PublicEntry>,
        documents: Vec<PublishedDocument>,
    ) -> State {
        State {
            account: account(wanted, publication),
            wanted,
            journal_url: "https://careerlog.example/u/ada/journal".into(),
            publication_name: publication_name("Ada"),
            publication_description: String::new(),
            entries,
            documents,
        }
    }

    const PUB: &str = "at://did:plc:ada/site.standard.publication/3kpub";

    #[test]
    fn the_publication_record_names_the_journal_and_its_address() {
        let record = publication_record("https://careerlog.example/u/ada/journal", &publication_name("Ada"), "");
        assert_eq!(
            record,
            json!({"$type": "site.standard.publication", "url": "https://careerlog.example/u/ada/journal",
                   "name": "Ada’s journal"})
        );
        let described = publication_record("https://x.example/u/a/journal", "A", "I build data systems.");
        assert_eq!(described["description"], "I build data systems.");
    }

    #[test]
    fn the_document_record_has_what_the_pds_requires_and_plain_text() {
        let record = document_record(PUB, &entry("e1", 1_765_000_500_000));
        assert_eq!(record["$type"], DOCUMENT);
        assert_eq!(record["site"], PUB);
        assert_eq!(record["path"], "/2026-12-01-e1");
        assert_eq!(record["title"], "Entry e1");
        assert_eq!(record["publishedAt"], Timestamp(1_765_000_000_000).rfc3339());
        assert!(record["publishedAt"].as_str().unwrap().ends_with('Z'));
        assert_eq!(record["updatedAt"], Timestamp(1_765_000_500_000).rfc3339());
        assert_eq!(record["description"], "Shipped The planner is live.");
        assert_eq!(record["textContent"], "Shipped\n\nThe planner is live.");
        let mut empty = entry("e2", 1);
        empty.body = String::new();
        let record = document_record(PUB, &empty);
        assert!(record.get("description").is_none() && record.get("textContent").is_none());
    }

    #[test]
    fn the_text_content_of_a_long_entry_is_cut() {
        let mut long = entry("e1", 1);
        long.body = "word ".repeat(5_000);
        let text = document_record(PUB, &long)["textContent"].as_str().unwrap().to_owned();
        assert!(text.chars().count() <= TEXT_CONTENT_MAX + 1 && text.ends_with('…'));
    }

    #[test]
    fn record_keys_are_tids_that_stay_the_same_for_the_same_entry() {
        let a = entry("0193a1b2-0000-7000-8000-000000000001", 1);
        let b = entry("0193a1b2-0000-7000-8000-000000000002", 1);
        assert_eq!(document_key(&a), document_key(&a));
        assert_ne!(document_key(&a), document_key(&b), "same millisecond, different entries");
        assert_eq!(document_key(&a).len(), 13);
        assert!(document_key(&a).chars().all(|c| "234567abcdefghijklmnopqrstuvwxyz".contains(c)));
        assert_eq!(publication_key(&account(true, None)).len(), 13);
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_six_hours() {
        let minutes = |attempts| retry_delay(attempts).as_secs() / 60;
        assert_eq!([minutes(0), minutes(1), minutes(2), minutes(3)], [1, 2, 4, 8]);
        assert_eq!(retry_delay(9), Duration::from_secs(6 * 3600));
        assert_eq!(retry_delay(1_000), Duration::from_secs(6 * 3600));
        assert_eq!(retry_delay(-3), Duration::from_secs(60));
    }

    #[test]
    fn the_plan_writes_new_and_changed_entries_and_removes_the_rest() {
        let now = Timestamp(10_000);
        let entries = vec![entry("new", 500), entry("changed", 900), entry("same", 500)];
        let documents = vec![document("changed", 500, 0), document("same", 500, 0), document("private", 500, 0)];
        let work = plan(&state(true, Some(PUB), entries, documents), now);
        assert_eq!(work.writes, ["new", "changed"]);
        assert_eq!(work.removals, ["private"]);
        assert!(!work.create_publication && !work.remove_publication);
    }

    #[test]
    fn the_plan_creates_the_publication_first_and_takes_everything_down_when_off() {
        let now = Timestamp(10_000);
        let work = plan(&state(true, None, vec![entry("a", 1)], vec![]), now);
        assert!(work.create_publication);
        assert_eq!(work.writes, ["a"]);
        let off = plan(&state(false, Some(PUB), vec![], vec![document("a", 1, 0)]), now);
        assert_eq!(off.removals, ["a"]);
        assert!(off.remove_publication && !off.create_publication && off.writes.is_empty());
        assert!(plan(&state(false, None, vec![], vec![]), now).is_empty());
        assert!(plan(&state(true, Some(PUB), vec![entry("a", 1)], vec![document("a", 1, 0)]), now).is_empty());
    }

    #[test]
    fn the_plan_leaves_failed_records_alone_until_their_retry() {
        let now = Timestamp(10_000);
        let mut failed_new = document("a", 0, 20_000);
        failed_new.uri = None;
        let waiting = plan(&state(true, Some(PUB), vec![entry("a", 1)], vec![failed_new.clone()]), now);
        assert!(waiting.is_empty());
        failed_new.next_attempt_at = Timestamp(9_000);
        let due = plan(&state(true, Some(PUB), vec![entry("a", 1)], vec![failed_new]), now);
        assert_eq!(due.writes, ["a"]);
        let removal_waits = plan(&state(true, Some(PUB), vec![], vec![document("gone", 1, 20_000)]), now);
        assert!(removal_waits.is_empty());
    }

    #[test]
    fn failures_read_as_sentences_for_the_settings_page() {
        assert!(error_message(&BlueskyError::Reconnect).contains("Reconnect"));
        let long = error_message(&BlueskyError::Server("x".repeat(5_000)));
        assert!(long.starts_with("Bluesky did not accept") && long.len() < 400);
    }

    #[test]
    fn the_status_counts_what_is_published_and_what_fails() {
        let mut failing = document("b", 0, 5);
        failing.uri = None;
        failing.last_error = Some("Bluesky did not accept the record: too big".into());
        let mut account = account(true, Some(PUB));
        account.publication_error = Some("boom".into());
        let status = PublishingStatus::of(&account, &[document("a", 1, 0), failing]);
        assert_eq!((status.on, status.published, status.failing), (true, 1, 1));
        assert_eq!(status.error.as_deref(), Some("boom"));
        assert_eq!(status.last_failure.as_deref(), Some("Bluesky did not accept the record: too big"));
    }
}
