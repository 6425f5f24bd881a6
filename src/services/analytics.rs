//! Privacy-preserving page-view analytics for public pages (promises 1–3).
//!
//! - A view is handed to a bounded queue and the page is answered at once; a background task
//!   writes the queue in batches. When the queue is full, views are dropped rather than slowing
//!   anyone down.
//! - The visitor's address never reaches the database. The writer keeps a keyed hash of it
//!   (HMAC with the instance key) over that day's random salt. Salts live in the database so
//!   every instance agrees, and housekeeping deletes each one when its day is over. After that,
//!   nobody can tell whether two days' visitors were the same person.
//! - Known bots, crawlers, command-line tools, headless browsers and prefetches are not counted,
//!   and neither are owners looking at their own pages.
//! - One visitor moves the owner's figures only as a person would: a page counts once per
//!   visitor per half hour, and one visitor counts at most [`VIEWS_PER_VISITOR_PER_DAY`] times a
//!   day across an owner's pages, so a script reloading a page cannot inflate the chart.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use aho_corasick::AhoCorasick;
use rand::RngCore;
use tokio::sync::{mpsc, oneshot, watch, Notify};

use crate::clock::Timestamp;
use crate::db::analytics as store;
use crate::domain::UserId;
use crate::services::Handles;

/// What a public page is, for "resume vs journal".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentKind {
    Resume,
    Journal,
    Entry,
    Feed,
}

impl ContentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentKind::Resume => "resume",
            ContentKind::Journal => "journal",
            ContentKind::Entry => "entry",
            ContentKind::Feed => "feed",
        }
    }
}

/// A view on its way to the database. The address is only held here, in memory, until the
/// writer has hashed it.
#[derive(Debug, Clone)]
pub struct View {
    pub owner_id: UserId,
    pub kind: ContentKind,
    pub path: String,
    pub address: IpAddr,
    pub user_agent: String,
    pub referrer: Option<String>,
    pub at: Timestamp,
}

/// The recorder in the application state: cheap to call from a handler (a view is pushed onto
/// a list under a lock; the writer is woken only when a batch is full, not for every view).
pub struct Analytics {
    /// Views waiting for the writer: at most [`QUEUE`], beyond which new views are dropped.
    pending: Mutex<Vec<View>>,
    /// Rung when the pending views make a full batch.
    batch_full: Notify,
    /// Asks to write everything pending now, answered when written.
    flushes: mpsc::Sender<oneshot::Sender<()>>,
    flush_asks: Mutex<Option<mpsc::Receiver<oneshot::Sender<()>>>>,
}

/// A visitor who opens the same page again within this time is not counted again.
pub const SAME_PAGE_WINDOW: Duration = Duration::from_secs(30 * 60);
/// The most views one visitor adds to one owner's figures in a day: more than a person reads.
pub const VIEWS_PER_VISITOR_PER_DAY: i64 = 50;

/// Views waiting to be written; beyond this, new views are dropped.
const QUEUE: usize = 10_000;
/// A batch is written when it is this large, or this often.
const BATCH: usize = 500;
const EVERY: Duration = Duration::from_secs(2);

impl Default for Analytics {
    fn default() -> Self {
        let (flushes, flush_asks) = mpsc::channel(16);
        Analytics {
            pending: Mutex::new(Vec::new()),
            batch_full: Notify::new(),
            flushes,
            flush_asks: Mutex::new(Some(flush_asks)),
        }
    }
}

impl Analytics {
    /// Queue a view; never waits.
    pub fn record(&self, view: View) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() >= QUEUE {
            tracing::debug!("analytics queue full: a page view was not counted");
            return;
        }
        pending.push(view);
        if pending.len() == BATCH {
            // Stored as a permit when the writer is busy, so a full batch is never missed.
            self.batch_full.notify_one();
        }
    }

    /// Write everything queued so far (tests, and shutdown).
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.flushes.send(done).await.is_ok() {
            let _ = wait.await;
        }
    }

    /// At most a batch of the pending views, oldest first.
    fn take_batch(&self) -> Vec<View> {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if pending.len() <= BATCH {
            std::mem::take(&mut *pending)
        } else {
            pending.drain(..BATCH).collect()
        }
    }

    fn has_pending(&self) -> bool {
        !self.pending.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    /// Start the writer. Called once, by the running application.
    pub fn spawn_writer(state: Arc<Handles>, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        let flush_asks = state.analytics.flush_asks.lock().ok().and_then(|mut r| r.take());
        tokio::spawn(async move {
            let Some(mut flush_asks) = flush_asks else { return };
            let mut tick = tokio::time::interval(EVERY);
            loop {
                tokio::select! {
                    ask = flush_asks.recv() => match ask {
                        Some(done) => {
                            write_pending(&state).await;
                            let _ = done.send(());
                        }
                        None => break,
                    },
                    () = state.analytics.batch_full.notified() => write_pending(&state).await,
                    _ = tick.tick() => write_pending(&state).await,
                    _ = stop.changed() => break,
                }
            }
            flush_asks.close();
            let mut waiting = Vec::new();
            while let Ok(done) = flush_asks.try_recv() {
                waiting.push(done);
            }
            write_pending(&state).await;
            for done in waiting {
                let _ = done.send(());
            }
        })
    }
}

/// Write everything pending, a batch (one transaction) at a time: a write lock on SQLite is
/// held for one batch only, and a failure loses one batch.
async fn write_pending(state: &Handles) {
    loop {
        write(state, state.analytics.take_batch()).await;
        if !state.analytics.has_pending() {
            break;
        }
    }
}

/// Hash and store a batch; on failure the batch is dropped (it is only statistics) and logged.
async fn write(state: &Handles, views: Vec<View>) {
    if views.is_empty() {
        return;
    }
    if let Err(err) = write_views(state, views).await {
        tracing::warn!(error = %format!("{err:#}"), "could not store page views");
    }
}

async fn write_views(state: &Handles, views: Vec<View>) -> anyhow::Result<()> {
    let mut salts: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::with_capacity(views.len());
    for view in views {
        let day = view.at.iso_date();
        let salt = match salts.get(&day) {
            Some(salt) => salt.clone(),
            None => {
                let salt = salt_for(state, &day).await?;
                salts.insert(day.clone(), salt.clone());
                salt
            }
        };
        let visitor_hash = visitor_hash(state, &salt, view.address);
        let referrer_host = view.referrer.as_deref().and_then(referrer_host);
        rows.push(store::NewView {
            owner_id: view.owner_id,
            kind: view.kind.as_str(),
            path: view.path,
            visitor_hash,
            user_agent: view.user_agent,
            referrer: view.referrer,
            referrer_host,
            day,
            at: view.at,
        });
    }
    let mut tx = state.db.begin_write().await?;
    let mut visitors: HashMap<(UserId, String, String), store::VisitorDay> = HashMap::new();
    for row in &rows {
        let key = (row.owner_id.clone(), row.visitor_hash.clone(), row.day.clone());
        let seen = match visitors.entry(key) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(store::visitor_day(&mut tx, &row.owner_id, &row.visitor_hash, &row.day).await?)
            }
        };
        if counts_again(seen, &row.path, row.at) {
            seen.views += 1;
            seen.last_seen.insert(row.path.clone(), row.at);
            store::insert(&mut tx, row).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Does a view add to the figures, given what this visitor was already counted for today?
fn counts_again(seen: &store::VisitorDay, path: &str, at: Timestamp) -> bool {
    let window = SAME_PAGE_WINDOW.as_millis() as i64;
    let recently = seen.last_seen.get(path).is_some_and(|last| (at.0 - last.0).abs() < window);
    !recently && seen.views < VIEWS_PER_VISITOR_PER_DAY
}

/// The keyed one-way hash that stands for a visitor on one day. A visitor is a client as the
/// rate limits see one (an IPv6 visitor is their /64), so one machine cannot be many visitors.
pub fn visitor_hash(state: &Handles, salt: &str, address: IpAddr) -> String {
    let mut message = salt.as_bytes().to_vec();
    message.push(0);
    message.extend_from_slice(crate::services::throttle::client_network(address).as_bytes());
    state.analytics_key.mac(&message)
}

/// The day's salt, made at random by whichever instance needs it first. A day that is over
/// never gets a salt again (housekeeping may have deleted it already): a view written late for
/// it gets a salt used once and thrown away.
async fn salt_for(state: &Handles, day: &str) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let fresh = crate::domain::token::encode(&bytes);
    if day < state.clock.now().iso_date().as_str() {
        return Ok(store::existing_salt(state.db.pool(), day).await?.unwrap_or(fresh));
    }
    Ok(store::salt_for_day(state.db.pool(), day, &fresh).await?)
}

/// The site a referrer URL belongs to, e.g. `news.ycombinator.com`.
fn referrer_host(referrer: &str) -> Option<String> {
    url::Url::parse(referrer).ok()?.host_str().map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
}

/// Every pattern of `bots.txt` at once, ignoring ASCII case: one pass over the user agent.
fn bot_patterns() -> &'static AhoCorasick {
    static PATTERNS: OnceLock<AhoCorasick> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let patterns = include_str!("bots.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        AhoCorasick::builder().ascii_case_insensitive(true).build(patterns).expect("the bot patterns build")
    })
}

/// Is this user agent a robot, a tool or a headless browser rather than a person?
pub fn is_bot(user_agent: &str) -> bool {
    // Every browser people use says Mozilla/…; an agent without it is a program.
    let says_mozilla = user_agent.as_bytes().windows(8).any(|w| w.eq_ignore_ascii_case(b"mozilla/"));
    user_agent.trim().is_empty() || !says_mozilla || bot_patterns().is_match(user_agent)
}

/// Is the browser only fetching the page ahead of time (prefetch, prerender, link preview)?
/// `header` reads a request header by its lower-case name.
pub fn is_prefetch<'a>(header: impl Fn(&str) -> Option<&'a str>) -> bool {
    let says = |name: &str, word: &str| header(name).is_some_and(|v| v.to_ascii_lowercase().contains(word));
    says("sec-purpose", "prefetch")
        || says("purpose", "prefetch")
        || says("x-purpose", "preview")
        || says("x-moz", "prefetch")
        || says("sec-purpose", "prerender")
}

/// The referrer as stored: scheme, host and path, without query or fragment (which may carry
/// someone's personal tokens), at most 300 characters. Our own pages are not a referrer.
pub fn clean_referrer(raw: Option<&str>, base_url: &url::Url) -> Option<String> {
    let mut url = url::Url::parse(raw?).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str() == base_url.host_str() {
        return None;
    }
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_username("");
    let _ = url.set_password(None);
    Some(url.to_string().chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_and_tools_are_recognised() {
        for agent in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "curl/8.5.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
            "python-requests/2.31.0",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "",
        ] {
            assert!(is_bot(agent), "{agent:?} is a bot");
        }
        for agent in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
        ] {
            assert!(!is_bot(agent), "{agent:?} is a person's browser");
        }
    }

    #[test]
    fn referrers_lose_their_query_and_our_own_host() {
        let base = url::Url::parse("https://careerlog.example").unwrap();
        let outside = Some("https://news.example.com/item?id=1&token=secret#x");
        assert_eq!(clean_referrer(outside, &base).as_deref(), Some("https://news.example.com/item"));
        assert_eq!(clean_referrer(Some("https://careerlog.example/u/ada"), &base), None);
        assert_eq!(referrer_host("https://www.Example.com/a").as_deref(), Some("example.com"));
    }
}

#[cfg(test)]
mod properties;
