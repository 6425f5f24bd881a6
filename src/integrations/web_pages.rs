//! Fetching a web page a user named (a job posting), behind the guard against server-side
//! request forgery (`guarded_http`): only http and https; every redirect followed by hand and
//! checked again (scheme and address), at most [`Limits::max_redirects`] of them; one time limit
//! for the whole fetch; the body read as it streams in and given up at [`Limits::max_bytes`], so
//! a huge page costs a few megabytes and is never buffered whole; HTML only.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE, LOCATION};
use url::Url;

use crate::integrations::guarded_http::{refusal_in, Guard, Network, Refused};

/// How far a fetch may go.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// For the whole fetch: every redirect, the connection and the body.
    pub total: Duration,
    pub max_redirects: usize,
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // A job posting is rarely beyond a few hundred kilobytes; 3 MB leaves room for pages
        // that inline their styles and scripts.
        Self { total: Duration::from_secs(10), max_redirects: 5, max_bytes: 3 * 1024 * 1024 }
    }
}

/// A page as fetched: where it ended up (after redirects) and its text.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: Url,
    pub html: String,
}

/// Why a page could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("only http:// and https:// addresses can be fetched, not {0}:")]
    Scheme(String),
    #[error("{0}")]
    Refused(Refused),
    #[error("the server could not be reached: {0}")]
    Unreachable(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the page took longer than {0} seconds")]
    TimedOut(u64),
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    #[error("a redirect without a valid Location")]
    BadRedirect,
    #[error("the page is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the answer is {0}, not an HTML page")]
    NotHtml(String),
    #[error("port {0} is not a web port")]
    Port(u16),
    #[error("too many pages are being read at once")]
    Busy,
}

/// The ports a page is read from on the public network: the web's own. Any other names a
/// service that is not a web site (mail, a database), which a pasted address must not probe.
pub const WEB_PORTS: [u16; 4] = [80, 443, 8080, 8443];

/// Pages read at once by this process, from every user: each holds a connection and up to
/// [`Limits::max_bytes`] while it arrives, and more while it is read. A fetch waits for its
/// turn at most half its time limit.
const FETCHES_AT_ONCE: usize = 8;

pub struct PageFetcher {
    client: reqwest::Client,
    guard: Guard,
    limits: Limits,
    turns: tokio::sync::Semaphore,
}

impl PageFetcher {
    /// `exempt`: loopback sockets allowed although private addresses are refused (tests only;
    /// see [`Guard::exempting`]).
    pub fn new(network: Network, exempt: &[SocketAddr], limits: Limits) -> anyhow::Result<Self> {
        let guard = Guard::exempting(network, exempt);
        let client = guard.client_builder(limits.total).build()?;
        Ok(Self { client, guard, limits, turns: tokio::sync::Semaphore::new(FETCHES_AT_ONCE) })
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The page at `url`, following redirects. [`FetchError::Busy`] when its turn did not come
    /// within half its time limit (as many fetches as allowed were under way all along).
    pub async fn fetch(&self, url: &Url) -> Result<Page, FetchError> {
        let seconds = self.limits.total.as_secs().max(1);
        let Ok(Ok(_turn)) = tokio::time::timeout(self.limits.total / 2, self.turns.acquire()).await else {
            return Err(FetchError::Busy);
        };
        match tokio::time::timeout(self.limits.total, self.follow(url.clone())).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::TimedOut(seconds)),
        }
    }

    async fn follow(&self, mut url: Url) -> Result<Page, FetchError> {
        let mut redirects = 0;
        loop {
            self.check(&url)?;
            let mut response = self
                .client
                .get(url.clone())
                .header(ACCEPT, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
                .send()
                .await
                .map_err(|e| self.failure(e))?;
            let status = response.status();
            if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
                redirects += 1;
                if redirects > self.limits.max_redirects {
                    return Err(FetchError::TooManyRedirects(self.limits.max_redirects));
                }
                let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok());
                url = location.and_then(|l| url.join(l.trim()).ok()).ok_or(FetchError::BadRedirect)?;
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::Status(status.as_u16()));
            }
            let content_type = content_type(response.headers());
            if let Some(essence) = content_type.as_deref().map(essence) {
                if !matches!(essence.as_str(), "text/html" | "application/xhtml+xml") {
                    return Err(FetchError::NotHtml(essence));
                }
            }
            if response.content_length().is_some_and(|n| n > self.limits.max_bytes as u64) {
                return Err(FetchError::TooLarge(self.limits.max_bytes));
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(e))? {
                if body.len() + chunk.len() > self.limits.max_bytes {
                    // Dropping the response closes the connection: the rest is never read.
                    return Err(FetchError::TooLarge(self.limits.max_bytes));
                }
                body.extend_from_slice(&chunk);
            }
            let html = decode(&body, content_type.as_deref());
            return Ok(Page { url, html });
        }
    }

    /// Each hop's scheme and written address, before it is requested.
    fn check(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme(url.scheme().to_owned()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FetchError::Unreachable("the address carries a user name or password".into()));
        }
        self.guard.check_address(url).map_err(FetchError::Refused)?;
        let port = url.port_or_known_default().unwrap_or_default();
        if self.guard.network() == Network::Public && !WEB_PORTS.contains(&port) && !self.guard.exempts(url) {
            return Err(FetchError::Port(port));
        }
        Ok(())
    }

    fn failure(&self, error: reqwest::Error) -> FetchError {
        if let Some(refused) = refusal_in(&error) {
            return FetchError::Refused(refused);
        }
        if error.is_timeout() {
            return FetchError::TimedOut(self.limits.total.as_secs().max(1));
        }
        // The innermost cause says most ("Connection refused", "failed to lookup address").
        let mut cause: &(dyn std::error::Error + 'static) = &error;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        FetchError::Unreachable(cause.to_string())
    }
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// `text/html` of `text/html; charset=utf-8`, lower-cased.
fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// The body as text: in the charset the server names, else the one a `<meta>` near the start
/// names, else UTF-8 (a byte-order mark wins over both); bytes that do not decode become U+FFFD.
fn decode(body: &[u8], content_type: Option<&str>) -> String {
    let label = content_type.and_then(charset_of).or_else(|| meta_charset(&body[..body.len().min(2048)]));
    let encoding = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())).unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(body);
    text.into_owned()
}

fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|parameter| {
        let (name, value) = parameter.split_once('=')?;
        name.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the
/// first bytes of a page.
fn meta_charset(start: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(start).to_ascii_lowercase();
    let at = text.find("charset=")? + "charset=".len();
    let value: String = text[at..]
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_read_in_the_charset_it_names() {
        let latin1 = b"<p>Caf\xe9 cr\xe8me</p>";
        assert_eq!(decode(latin1, Some("text/html; charset=ISO-8859-1")), "<p>Café crème</p>");
        let with_meta = b"<html><head><meta charset=\"windows-1252\"></head><p>\x93quoted\x94</p>";
        assert!(decode(with_meta, Some("text/html")).contains("\u{201c}quoted\u{201d}"));
        assert_eq!(decode("<p>Zürich</p>".as_bytes(), None), "<p>Zürich</p>");
        assert_eq!(decode(b"<p>\xff</p>", Some("text/html; charset=utf-8")), "<p>\u{fffd}</p>");
        assert_eq!(essence("Text/HTML; charset=UTF-8"), "text/html");
    }

    #[tokio::test]
    async fn only_http_and_https_and_no_private_address_is_fetched() {
        let fetcher = PageFetcher::new(Network::Public, &[], Limits::default()).unwrap();
        for (url, expected) in [
            ("ftp://jobs.example.org/1", FetchError::Scheme("ftp".into())),
            ("file:///etc/passwd", FetchError::Scheme("file".into())),
            // Refused before any connection (only loopback ones here, so that a broken guard
            // would not send anything off this machine).
            ("http://127.0.0.2/job", FetchError::Refused(Refused::PrivateAddress("127.0.0.2".parse().unwrap()))),
            ("http://[::1]:8080/", FetchError::Refused(Refused::PrivateAddress("::1".parse().unwrap()))),
        ] {
            assert_eq!(fetcher.fetch(&Url::parse(url).unwrap()).await.unwrap_err(), expected, "{url}");
        }
        let error = fetcher.fetch(&Url::parse("http://localhost:8080/").unwrap()).await.unwrap_err();
        assert!(matches!(error, FetchError::Refused(Refused::PrivateAddress(ip)) if ip.is_loopback()), "{error:?}");
    }

    #[tokio::test]
    async fn a_server_that_never_answers_is_given_up_at_the_time_limit() {
        // It accepts the connection and says nothing.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let silent = tokio::spawn(async move {
            let (_connection, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(30)).await;
        });
        let limits = Limits { total: Duration::from_millis(800), ..Limits::default() };
        let fetcher = PageFetcher::new(Network::AllowPrivate, &[], limits).unwrap();
        let started = std::time::Instant::now();
        let error = fetcher.fetch(&Url::parse(&format!("http://{address}/job")).unwrap()).await.unwrap_err();
        assert_eq!(error, FetchError::TimedOut(1));
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        silent.abort();
    }

    #[test]
    fn on_the_public_network_only_the_web_ports_are_fetched() {
        let fetcher = PageFetcher::new(Network::Public, &[], Limits::default()).unwrap();
        let check = |url: &str| fetcher.check(&Url::parse(url).unwrap());
        assert_eq!(check("http://93.184.216.34:25/"), Err(FetchError::Port(25)));
        assert_eq!(check("https://jobs.example.org:6379/"), Err(FetchError::Port(6379)));
        for allowed in ["http://jobs.example.org/", "https://jobs.example.org/", "https://jobs.example.org:8443/"] {
            assert_eq!(check(allowed), Ok(()), "{allowed}");
        }
        let exempt: SocketAddr = "127.0.0.1:4567".parse().unwrap();
        let testing = PageFetcher::new(Network::Public, &[exempt], Limits::default()).unwrap();
        assert_eq!(testing.check(&Url::parse("http://127.0.0.1:4567/job").unwrap()), Ok(()));
        let development = PageFetcher::new(Network::AllowPrivate, &[], Limits::default()).unwrap();
        assert_eq!(development.check(&Url::parse("http://127.0.0.1:3000/job").unwrap()), Ok(()));
    }

    #[tokio::test]
    async fn only_so_many_pages_are_read_at_once_and_the_next_is_turned_away_in_time() {
        // A server that takes every connection and never answers: each fetch holds its turn.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((connection, _)) = listener.accept().await {
                held.push(connection);
            }
        });
        let limits = Limits { total: Duration::from_secs(3), ..Limits::default() };
        let fetcher = std::sync::Arc::new(PageFetcher::new(Network::AllowPrivate, &[], limits).unwrap());
        let url = Url::parse(&format!("http://{address}/job")).unwrap();
        let waiting: Vec<_> = (0..FETCHES_AT_ONCE)
            .map(|_| {
                let (fetcher, url) = (fetcher.clone(), url.clone());
                tokio::spawn(async move { fetcher.fetch(&url).await })
            })
            .collect();
        while fetcher.turns.available_permits() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let started = std::time::Instant::now();
        assert_eq!(fetcher.fetch(&url).await.unwrap_err(), FetchError::Busy);
        assert!(started.elapsed() < limits.total, "{:?}", started.elapsed());
        for fetch in waiting {
            assert_eq!(fetch.await.unwrap().unwrap_err(), FetchError::TimedOut(3));
        }
        assert_eq!(fetcher.turns.available_permits(), FETCHES_AT_ONCE, "every turn is given back");
        silent.abort();
    }
}
