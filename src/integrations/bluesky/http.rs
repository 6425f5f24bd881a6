//! The one HTTP client every AT Protocol request goes through (identity resolution, OAuth
//! metadata, the authorization server, the PDS), behind the shared guard against server-side
//! request forgery (`integrations::guarded_http`): a handle, DID document or metadata document
//! names the hosts we then call, so a hostile one could point us at this machine's or this
//! network's private services.
//!
//! - Only `https://` (plain `http://` too when the instance is configured for a dev network).
//! - Every address a name resolves to must be public (the guard's resolver); an address written
//!   in the URL is checked the same way.
//! - No redirects, a connect and a total time limit, and a cap on the response body.

use std::time::Duration;

use atrium_xrpc::http::{Request, Response};
use futures::StreamExt;

use crate::integrations::guarded_http::Guard;
pub use crate::integrations::guarded_http::{Network, Refused};

/// Largest response body read from any AT Protocol server (metadata, DID documents, XRPC
/// answers); uploads go the other way and are not limited here.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Clone)]
pub struct GuardedHttp {
    client: reqwest::Client,
    guard: Guard,
}

/// The answer was larger than [`MAX_RESPONSE_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("the answer was larger than {MAX_RESPONSE_BYTES} bytes")]
pub struct TooLarge;

impl GuardedHttp {
    pub fn new(network: Network, timeout: Duration) -> anyhow::Result<Self> {
        let guard = Guard::new(network);
        Ok(Self { client: guard.client_builder(timeout).build()?, guard })
    }

    /// Refuse a URL before any connection: its scheme, and an address written in it.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Refused> {
        match (url.scheme(), self.guard.network()) {
            ("https", _) | ("http", Network::AllowPrivate) => {}
            (other, _) => return Err(Refused::Scheme(other.to_owned())),
        }
        self.guard.check_address(url)
    }
}

impl atrium_xrpc::HttpClient for GuardedHttp {
    async fn send_http(&self, request: Request<Vec<u8>>) -> Result<Response<Vec<u8>>, BoxError> {
        let url = url::Url::parse(&request.uri().to_string())?;
        self.check_url(&url)?;
        let response = self.client.execute(request.try_into()?).await?;
        let mut builder = Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        if response.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(Box::new(TooLarge));
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Box::new(TooLarge));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(builder.body(body)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_and_no_private_address_in_the_url_on_the_public_network() {
        let http = GuardedHttp::new(Network::Public, Duration::from_secs(1)).unwrap();
        let refused = |u: &str| http.check_url(&url::Url::parse(u).unwrap()).is_err();
        assert!(refused("http://bsky.social/xrpc"));
        assert!(refused("https://127.0.0.1/.well-known/did.json"));
        assert!(refused("https://[::1]:2583/"));
        assert!(refused("https://169.254.169.254/latest/meta-data"));
        assert!(refused("file:///etc/passwd"));
        assert!(!refused("https://bsky.social/xrpc/com.atproto.identity.resolveHandle"));
        let dev = GuardedHttp::new(Network::AllowPrivate, Duration::from_secs(1)).unwrap();
        assert!(dev.check_url(&url::Url::parse("http://localhost:2583/").unwrap()).is_ok());
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_on_the_public_network() {
        use atrium_xrpc::HttpClient;
        let http = GuardedHttp::new(Network::Public, Duration::from_secs(5)).unwrap();
        let request = Request::builder().uri("https://localhost:9/").body(Vec::new()).unwrap();
        let error = http.send_http(request).await.unwrap_err();
        let mut chain = Vec::new();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
        while let Some(err) = cause {
            chain.push(err.to_string());
            cause = err.source();
        }
        assert!(chain.iter().any(|m| m.contains("not a public address")), "{chain:?}");
    }
}
