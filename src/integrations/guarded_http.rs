//! The guard every outgoing HTTP request to an address we did not choose goes through: a handle,
//! DID document or metadata document (Bluesky), or a job posting's URL that a user pasted, names
//! the host we then call, so a hostile one could point us at this machine's or this network's
//! private services (server-side request forgery).
//!
//! - Every address a name resolves to must be public, checked where the connection is made (our
//!   own DNS resolver for reqwest), so a name that answers a private address is refused even if
//!   it answered a public one a moment ago; an address written in the URL is checked before the
//!   request, as reqwest does not resolve it.
//! - No redirects are followed by the client: a caller that follows them checks each hop again.
//! - No proxy from the environment: a proxy would resolve the names itself, past the guard.
//!
//! Development and tests may allow private addresses ([`Network::AllowPrivate`]); tests of the
//! guard itself may exempt exact loopback socket addresses (their own servers) while everything
//! else stays refused ([`Guard::exempting`]).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Whether private and loopback addresses may be called (a dev network on this machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    Public,
    /// Tests and development: servers listen on loopback or a private network.
    AllowPrivate,
}

/// Why a request was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("only https:// addresses may be fetched, not {0}")]
    Scheme(String),
    #[error("the address has no host")]
    NoHost,
    #[error("{0} is not a public address")]
    PrivateAddress(IpAddr),
}

/// What may be called: the network, and the exact loopback sockets a test exempts.
#[derive(Debug, Clone)]
pub struct Guard {
    network: Network,
    /// Loopback sockets (address and port) allowed on the public network: a test's own server,
    /// so that the guard can be tested on what it refuses next (a redirect elsewhere).
    exempt: Arc<[SocketAddr]>,
}

impl Guard {
    pub fn new(network: Network) -> Self {
        Self { network, exempt: Vec::new().into() }
    }

    /// The public network, with these loopback sockets allowed (only loopback ones are kept:
    /// nothing else on the private network can be exempted this way).
    pub fn exempting(network: Network, sockets: &[SocketAddr]) -> Self {
        let exempt: Vec<SocketAddr> = sockets.iter().copied().filter(|s| s.ip().is_loopback()).collect();
        Self { network, exempt: exempt.into() }
    }

    pub fn network(&self) -> Network {
        self.network
    }

    /// Refuse a URL before any connection: no host, or an address written in it that is not
    /// public (unless private ones are allowed, or it is an exempted socket).
    pub fn check_address(&self, url: &url::Url) -> Result<(), Refused> {
        let host = url.host().ok_or(Refused::NoHost)?;
        if self.network == Network::AllowPrivate {
            return Ok(());
        }
        let literal = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        match literal {
            Some(ip) if !is_public(ip) && !self.exempts(url) => Err(Refused::PrivateAddress(ip)),
            _ => Ok(()),
        }
    }

    /// Whether the URL names, by its address written in it, one of the exempted sockets.
    pub fn exempts(&self, url: &url::Url) -> bool {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return false,
        };
        url.port_or_known_default().is_some_and(|port| self.exempt.contains(&SocketAddr::new(ip, port)))
    }

    /// A reqwest client builder with the guard in place: our resolver on the public network, no
    /// redirects, no proxy, a connect and a total time limit.
    pub fn client_builder(&self, timeout: Duration) -> reqwest::ClientBuilder {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(Duration::from_secs(5).min(timeout))
            .timeout(timeout)
            .user_agent(concat!("careerlog/", env!("CARGO_PKG_VERSION")));
        if self.network == Network::Public {
            builder = builder.dns_resolver(Arc::new(PublicOnlyResolver));
        }
        builder
    }
}

/// The guard's refusal somewhere in an error's chain of causes (reqwest wraps what our
/// resolver answers).
pub fn refusal_in(error: &(dyn std::error::Error + 'static)) -> Option<Refused> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(err) = cause {
        if let Some(refused) = err.downcast_ref::<Refused>() {
            return Some(refused.clone());
        }
        // A wrapper that kept only the words (its Display) still names the address.
        let text = err.to_string();
        if let Some(ip) = text.strip_suffix(" is not a public address").and_then(|ip| ip.parse().ok()) {
            return Some(Refused::PrivateAddress(ip));
        }
        cause = err.source();
    }
    None
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

/// An address on the public internet: not loopback, private, link-local (cloud metadata
/// services live there), shared (CGNAT), documentation, benchmarking, multicast, reserved or
/// unspecified. An IPv6 address that carries an IPv4 one (mapped, compatible, translated, 6to4)
/// is judged by that IPv4 address, as the network may deliver it there; tunnels and
/// translators that can reach anywhere (NAT64, Teredo) are refused whole.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_v4(v6) {
                return is_public_v4(v4);
            }
            let [first, second, third, ..] = v6.segments();
            !(v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some sites)
                || (first == 0x2001 && second == 0x0db8) // documentation
                || (first == 0x2001 && second == 0x0000) // Teredo
                || (first == 0x2001 && second == 0x0002 && third == 0) // benchmarking
                || (first == 0x0064 && second == 0xff9b) // NAT64, well-known and local-use
                || (first == 0x0100 && v6.segments()[1..4] == [0, 0, 0]) // discard-only
                || first == 0)
        }
    }
}

/// The IPv4 address an IPv6 one stands for: `::ffff:a.b.c.d` (mapped), `::a.b.c.d` (compatible,
/// which also holds `::` and `::1`), `::ffff:0:a.b.c.d` (translated) and `2002:aabb:ccdd::/48`
/// (6to4).
fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let low = Ipv4Addr::from(((u32::from(s[6])) << 16) | u32::from(s[7]));
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] | [0, 0, 0, 0, 0, 0, _, _] | [0, 0, 0, 0, 0xffff, 0, _, _] => Some(low),
        [0x2002, a, b, ..] => Some(Ipv4Addr::from((u32::from(a) << 16) | u32::from(b))),
        _ => None,
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
            "64:ff9b:1::a00:1",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:127.0.0.1",
            "::ffff:0:a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2001:0:4136:e378::1",
            "2001:2::1",
            "fec0::1",
            "100::1",
            "0:0:0:1::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in
            ["1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::1", "::8.8.8.8"]
        {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn addresses_written_in_the_url_are_checked_and_only_exact_loopback_sockets_are_exempted() {
        let refused = |guard: &Guard, u: &str| guard.check_address(&url::Url::parse(u).unwrap()).is_err();
        let public = Guard::new(Network::Public);
        for private in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://[::1]:8080/",
            "http://[::ffff:7f00:1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.1.1/",
            "http://0.0.0.0/",
        ] {
            assert!(refused(&public, private), "{private}");
        }
        assert!(!refused(&public, "https://jobs.example.org/1"), "a name is checked where it is resolved");
        assert!(!refused(&public, "http://93.184.216.34/"));
        let server: SocketAddr = "127.0.0.1:4567".parse().unwrap();
        let exempting = Guard::exempting(Network::Public, &[server, "10.0.0.1:80".parse().unwrap()]);
        assert!(!refused(&exempting, "http://127.0.0.1:4567/job"));
        assert!(refused(&exempting, "http://127.0.0.1:4568/job"), "another port of the same address");
        assert!(refused(&exempting, "http://10.0.0.1/"), "only loopback sockets can be exempted");
        assert!(!refused(&Guard::new(Network::AllowPrivate), "http://10.0.0.1/"));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_on_the_public_network() {
        let client = Guard::new(Network::Public).client_builder(Duration::from_secs(5)).build().unwrap();
        let error = client.get("http://localhost:9/").send().await.unwrap_err();
        match refusal_in(&error) {
            Some(Refused::PrivateAddress(ip)) => assert!(ip.is_loopback(), "{ip}"),
            other => panic!("not refused by the guard: {other:?} ({error:?})"),
        }
    }
}
