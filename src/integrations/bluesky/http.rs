//! The one HTTP client every AT Protocol request goes through (identity resolution, OAuth
//! metadata, the authorization server, the PDS), guarded against server-side request forgery:
//! a handle, DID document or metadata document names the hosts we then call, so a hostile one
//! could point us at this machine's or this network's private services.
//!
//! - Only `https://` (plain `http://` too when the instance is configured for a dev network).
//! - Every address a name resolves to must be public, checked where the connection is made (our
//!   own DNS resolver for reqwest), so a name that answers a private address is refused even if
//!   it answered a public one a moment ago; an address written in the URL is checked the same way.
//! - No redirects, a connect and a total time limit, and a cap on the response body.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use atrium_xrpc::http::{Request, Response};
use futures::StreamExt;

/// Largest response body read from any AT Protocol server (metadata, DID documents, XRPC
/// answers); uploads go the other way and are not limited here.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Whether private and loopback addresses may be called (a dev network on this machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Public,
    /// Tests and development: the PDS and PLC directory listen on loopback over plain http.
    AllowPrivate,
}

#[derive(Clone)]
pub struct GuardedHttp {
    client: reqwest::Client,
    network: Network,
}

#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("only https:// addresses may be fetched, not {0}")]
    Scheme(String),
    #[error("the address has no host")]
    NoHost,
    #[error("{0} is not a public address")]
    PrivateAddress(IpAddr),
    #[error("the answer was larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
}

impl GuardedHttp {
    pub fn new(network: Network, timeout: Duration) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .user_agent(concat!("careerlog/", env!("CARGO_PKG_VERSION")));
        if network == Network::Public {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        Ok(Self { client: builder.build()?, network })
    }

    /// Refuse a URL before any connection: its scheme, and an address written in it.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Refused> {
        match (url.scheme(), self.network) {
            ("https", _) | ("http", Network::AllowPrivate) => {}
            (other, _) => return Err(Refused::Scheme(other.to_owned())),
        }
        let host = url.host().ok_or(Refused::NoHost)?;
        if self.network == Network::Public {
            let literal = match host {
                url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
                url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
                url::Host::Domain(_) => None,
            };
            if let Some(ip) = literal.filter(|ip| !is_public(*ip)) {
                return Err(Refused::PrivateAddress(ip));
            }
        }
        Ok(())
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
            return Err(Box::new(Refused::TooLarge));
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(Box::new(Refused::TooLarge));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(builder.body(body)?)
    }
}

/// reqwest's resolver for the public network: the system's answers, with every non-public
/// address refused.
struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            if let Some(private) = addresses.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(Refused::PrivateAddress(private.ip())) as BoxError);
            }
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// documentation, benchmarking, multicast, reserved or unspecified; IPv4 inside IPv6 is judged
/// as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64 to anywhere
                || v6 == Ipv6Addr::from_bits(0))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

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
