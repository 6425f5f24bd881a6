//! The render cache of public pages: each page's bytes as rendered, already compressed with
//! gzip and brotli, kept while what it shows is unchanged.
//!
//! - **Never stale.** A page remembers the change count of its owner (or of the sitemap) it was
//!   rendered at; triggers in the database bump that count on every write to anything a public
//!   page reads (`db::public_versions`). Before a kept page is served, the current count is read
//!   back, so an edit, a page switched off or a username given up shows on the very next
//!   request, whichever instance or process wrote it.
//! - **One query for many requests.** The counts are read by one task in batches: a request
//!   waits for the next read that starts after it asked, which sees every write committed
//!   before it arrived, and every request waiting then shares that one indexed query. Under
//!   load, dozens of page views cost one small read.
//! - **Bounded.** The pages are kept least recently used first out, within a byte budget
//!   (`--public-cache-mb`); 0 turns the cache off.
//!
//! Nothing here knows HTTP: the web layer picks the encoding and writes the headers.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::Any;
use tokio::sync::{mpsc, oneshot};

use crate::db::{public_versions, Db};
use crate::domain::UserId;

/// What a kept page depends on: whose change count it is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One owner's pages: their resume, journal, entries and feed.
    Owner(UserId),
    /// Everyone's indexable pages.
    Sitemap,
    /// What depends on nothing stored (robots.txt, llms.txt): current until the process ends.
    Fixed,
}

impl Scope {
    fn version_key(&self) -> Option<&str> {
        match self {
            Scope::Owner(id) => Some(id.as_str()),
            Scope::Sitemap => Some(public_versions::SITEMAP),
            Scope::Fixed => None,
        }
    }
}

/// The content codings a page is kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The `Content-Encoding` value, `None` for identity.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some("gzip"),
            Encoding::Brotli => Some("br"),
        }
    }
}

/// One rendered page, in every encoding, and what it was rendered from.
#[derive(Debug)]
pub struct Page {
    pub scope: Scope,
    /// The scope's change count when the page was rendered (read before anything it shows).
    pub version: i64,
    pub content_type: &'static str,
    /// Whether the owner keeps robots out (`X-Robots-Tag: noindex`).
    pub noindex: bool,
    /// A hash of the identity bytes: the entity tag's core, the same on every instance.
    pub fingerprint: String,
    identity: Bytes,
    gzip: Bytes,
    brotli: Bytes,
}

impl Page {
    /// Compress `body` both ways and fingerprint it. CPU work of a few milliseconds for a large
    /// page: call it off the async runtime.
    pub fn build(scope: Scope, version: i64, content_type: &'static str, noindex: bool, body: Bytes) -> Page {
        let digest = Sha256::digest(&body);
        let fingerprint: String = digest[..12].iter().map(|byte| format!("{byte:02x}")).collect();
        let gzip = {
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            encoder.write_all(&body).expect("writing to memory");
            Bytes::from(encoder.finish().expect("writing to memory"))
        };
        let brotli = {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams { quality: 6, lgwin: 22, ..Default::default() };
            brotli::BrotliCompress(&mut &body[..], &mut out, &params).expect("writing to memory");
            Bytes::from(out)
        };
        Page { scope, version, content_type, noindex, fingerprint, identity: body, gzip, brotli }
    }

    /// The bytes in one encoding (cheap: a reference count).
    pub fn body(&self, encoding: Encoding) -> Bytes {
        match encoding {
            Encoding::Identity => self.identity.clone(),
            Encoding::Gzip => self.gzip.clone(),
            Encoding::Brotli => self.brotli.clone(),
        }
    }

    /// The strong entity tag of one encoding (each coding is its own representation).
    pub fn etag(&self, encoding: Encoding) -> String {
        match encoding.header() {
            None => format!("\"{}\"", self.fingerprint),
            Some(coding) => format!("\"{}-{coding}\"", self.fingerprint),
        }
    }

    /// Whether `tag` (as a client sent it back, weak or strong) names this page in `encoding`.
    pub fn is_named_by(&self, tag: &str, encoding: Encoding) -> bool {
        let tag = tag.trim();
        tag.strip_prefix("W/").unwrap_or(tag) == self.etag(encoding)
    }

    fn weight(&self) -> usize {
        self.identity.len() + self.gzip.len() + self.brotli.len() + 256
    }
}

/// Where a page lives in the cache: its kind and what picks it (username, slug, label, page).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageKey(String);

impl PageKey {
    /// A key from its parts; the separator cannot occur in a URL's decoded text we keep.
    pub fn new(parts: &[&str]) -> Self {
        PageKey(parts.join("\u{0}"))
    }
}

/// The cache: kept pages and the reader of the change counts.
pub struct PageCache {
    pages: Mutex<Pages>,
    budget: usize,
    versions: mpsc::UnboundedSender<Ask>,
    /// Requests answered from the cache, and pages kept after rendering.
    served: AtomicU64,
    kept: AtomicU64,
}

struct Pages {
    lru: lru::LruCache<PageKey, Arc<Page>>,
    bytes: usize,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache").field("budget", &self.budget).finish_non_exhaustive()
    }
}

/// A request for a scope's current count.
struct Ask {
    key: String,
    answer: oneshot::Sender<Option<i64>>,
}

/// A page larger than this share of the budget is not kept (one page never empties the cache).
const LARGEST_SHARE: usize = 8;
/// Most counts read in one query.
const BATCH: usize = 256;
/// How long one read of the counts may take; past it, the pages are rendered (as when the
/// database fails) rather than the visitors kept waiting.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl PageCache {
    /// A cache of at most `budget_bytes` (0: keep nothing) whose counts are read from `db` by a
    /// task started here, on the current Tokio runtime.
    pub fn start(db: Db, budget_bytes: usize) -> Self {
        let (versions, asks) = mpsc::unbounded_channel();
        tokio::spawn(read_counts(db, asks));
        PageCache {
            pages: Mutex::new(Pages { lru: lru::LruCache::unbounded(), bytes: 0 }),
            budget: budget_bytes,
            versions,
            served: AtomicU64::new(0),
            kept: AtomicU64::new(0),
        }
    }

    pub fn is_on(&self) -> bool {
        self.budget > 0
    }

    /// The kept page under `key` if it is still what its owner's pages show.
    pub async fn current(&self, key: &PageKey) -> Option<Arc<Page>> {
        if !self.is_on() {
            return None;
        }
        let page = self.pages.lock().expect("the page cache lock").lru.get(key).cloned()?;
        match self.version(&page.scope).await {
            Some(version) if version == page.version => {
                self.served.fetch_add(1, Ordering::Relaxed);
                Some(page)
            }
            _ => None,
        }
    }

    /// The scope's change count now, read in the next batch. `None` when the database could not
    /// answer (the caller renders the page, which reports the error).
    pub async fn version(&self, scope: &Scope) -> Option<i64> {
        let Some(key) = scope.version_key() else { return Some(1) };
        let (answer, answered) = oneshot::channel();
        self.versions.send(Ask { key: key.to_owned(), answer }).ok()?;
        answered.await.ok().flatten()
    }

    /// Keep `page` under `key`, evicting the least recently used pages beyond the budget. A page
    /// rendered at count 0 (an owner no write has counted yet) is not kept: a deleted owner's
    /// count reads 0 too.
    pub fn keep(&self, key: PageKey, page: Arc<Page>) {
        let weight = page.weight();
        if !self.is_on() || page.version == 0 || weight > self.budget / LARGEST_SHARE {
            return;
        }
        self.kept.fetch_add(1, Ordering::Relaxed);
        let mut pages = self.pages.lock().expect("the page cache lock");
        if let Some(old) = pages.lru.put(key, page) {
            pages.bytes -= old.weight();
        }
        pages.bytes += weight;
        while pages.bytes > self.budget {
            match pages.lru.pop_lru() {
                Some((_, evicted)) => pages.bytes -= evicted.weight(),
                None => break,
            }
        }
    }

    /// Drop the page under `key` (it answers 404 now).
    pub fn forget(&self, key: &PageKey) {
        let mut pages = self.pages.lock().expect("the page cache lock");
        if let Some(old) = pages.lru.pop(key) {
            pages.bytes -= old.weight();
        }
    }

    /// Pages kept and their bytes.
    pub fn size(&self) -> (usize, usize) {
        let pages = self.pages.lock().expect("the page cache lock");
        (pages.lru.len(), pages.bytes)
    }

    /// The cache's figures in Prometheus' text format, for `/metrics`.
    pub fn render_metrics(&self) -> String {
        use crate::metrics::write_sample;
        let (pages, bytes) = self.size();
        let mut out = String::new();
        let served = self.served.load(Ordering::Relaxed);
        let kept = self.kept.load(Ordering::Relaxed);
        let help = "Public page requests answered from the render cache.";
        write_sample(&mut out, "careerlog_public_cache_hits_total", "counter", help, served);
        let help = "Public pages rendered and kept in the cache.";
        write_sample(&mut out, "careerlog_public_cache_renders_total", "counter", help, kept);
        write_sample(&mut out, "careerlog_public_cache_pages", "gauge", "Public pages in the render cache.", pages);
        let help = "Bytes the render cache holds (every encoding).";
        write_sample(&mut out, "careerlog_public_cache_bytes", "gauge", help, bytes);
        out
    }
}

/// Answers the asks in batches: everything queued when a read starts shares that read, and what
/// arrives during it waits for the next, so no answer predates its question.
///
/// The reads use one connection, kept while asks keep coming and another connection is idle in
/// the pool, and given back otherwise: taking a connection from the pool and returning it for
/// every read cost more than the read itself under load (`scripts/bench`), but requests must
/// never queue for the pool behind it.
async fn read_counts(db: Db, mut asks: mpsc::UnboundedReceiver<Ask>) {
    let mut batch: Vec<Ask> = Vec::with_capacity(BATCH);
    let mut connection: Option<PoolConnection<Any>> = None;
    while asks.recv_many(&mut batch, BATCH).await > 0 {
        let mut keys: Vec<&str> = batch.iter().map(|ask| ask.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let counts = read_batch(&db, &mut connection, &keys).await;
        for ask in batch.drain(..) {
            let count = counts.as_ref().map(|counts| counts.get(&ask.key).copied().unwrap_or(0));
            // The asker may have gone (its client hung up): nothing to do.
            let _ = ask.answer.send(count);
        }
        if asks.is_empty() || db.pool().num_idle() == 0 {
            // Idle (the pool may close: at shutdown it waits for every connection), or the
            // pool has nothing else to lend.
            connection = None;
        }
    }
}

/// The counts of `keys`, read on `connection` (taken from the pool when there is none; dropped
/// after an error, so the next batch takes a sound one). `None` when the database failed.
async fn read_batch(
    db: &Db,
    connection: &mut Option<PoolConnection<Any>>,
    keys: &[&str],
) -> Option<HashMap<String, i64>> {
    if connection.is_none() {
        match db.pool().acquire().await {
            Ok(taken) => *connection = Some(taken),
            Err(error) => {
                tracing::warn!(%error, "could not read the public pages' change counts");
                return None;
            }
        }
    }
    let reader = connection.as_mut()?;
    match tokio::time::timeout(READ_TIMEOUT, public_versions::current(&mut **reader, keys)).await {
        Ok(Ok(counts)) => Some(counts),
        Ok(Err(error)) => {
            tracing::warn!(%error, "could not read the public pages' change counts");
            *connection = None;
            None
        }
        Err(_) => {
            // A connection that stopped answering is dropped, not given back.
            tracing::warn!("reading the public pages' change counts timed out");
            if let Some(stuck) = connection.take() {
                drop(stuck.detach());
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: i64, body: &str) -> Arc<Page> {
        Arc::new(Page::build(Scope::Sitemap, version, "text/html", false, Bytes::from(body.to_owned())))
    }

    #[test]
    fn a_page_is_kept_in_three_encodings_that_each_decode_to_the_same_bytes() {
        let body = "<p>hello</p>".repeat(500);
        let page = page(1, &body);
        let mut gunzipped = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&page.body(Encoding::Gzip)[..]),
            &mut gunzipped,
        )
        .unwrap();
        assert_eq!(gunzipped, body);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(&mut &page.body(Encoding::Brotli)[..], &mut unbrotlied).unwrap();
        assert_eq!(unbrotlied, body.as_bytes());
        assert!(page.body(Encoding::Brotli).len() < body.len() / 10);
    }

    #[test]
    fn entity_tags_differ_by_encoding_and_any_of_them_names_the_page() {
        let page = page(1, "<p>hello</p>");
        let tags = [page.etag(Encoding::Identity), page.etag(Encoding::Gzip), page.etag(Encoding::Brotli)];
        assert_ne!(tags[0], tags[1]);
        assert_ne!(tags[1], tags[2]);
        let encodings = [Encoding::Identity, Encoding::Gzip, Encoding::Brotli];
        for (tag, encoding) in tags.iter().zip(encodings) {
            assert!(page.is_named_by(tag, encoding));
            assert!(page.is_named_by(&format!("W/{tag}"), encoding));
        }
        assert!(!page.is_named_by(&tags[1], Encoding::Identity), "a gzip copy is not the identity one");
        assert!(!page.is_named_by("\"something-else\"", Encoding::Identity));
        assert!(!page.is_named_by("*", Encoding::Identity));
        assert!(!super::tests::page(1, "<p>changed</p>").is_named_by(&tags[0], Encoding::Identity));
    }

    #[tokio::test]
    async fn the_least_recently_used_pages_go_first_when_the_budget_is_spent() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let weight = page(1, &"1".repeat(1000)).weight();
        let cache = PageCache::start(db, weight * LARGEST_SHARE);
        let key = |n: usize| PageKey::new(&["test", &n.to_string()]);
        for n in 1..=LARGEST_SHARE + 1 {
            cache.keep(key(n), page(1, &(n % 10).to_string().repeat(1000)));
            if n == 2 {
                // Reading the first keeps it in.
                assert!(cache.pages.lock().unwrap().lru.get(&key(1)).is_some());
            }
        }
        let pages = cache.pages.lock().unwrap();
        assert!(pages.bytes <= cache.budget);
        assert_eq!(pages.lru.len(), LARGEST_SHARE);
        assert!(pages.lru.contains(&key(1)), "recently read");
        assert!(!pages.lru.contains(&key(2)), "least recently used");
    }

    #[tokio::test]
    async fn a_page_of_count_zero_or_too_large_is_not_kept() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let cache = PageCache::start(db, 100_000);
        cache.keep(PageKey::new(&["zero"]), page(0, "x"));
        cache.keep(PageKey::new(&["large"]), page(1, &"x".repeat(200_000)));
        assert_eq!(cache.size(), (0, 0));
    }
}
