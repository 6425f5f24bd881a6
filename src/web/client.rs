//! The client's address: the TCP peer, or — only when that peer is a configured trusted proxy —
//! the nearest untrusted address in `X-Forwarded-For`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};

use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(&parts.headers, &parts.extensions, state))
    }
}

impl ClientAddr {
    /// The client of a request with these headers and extensions (the peer is in `ConnectInfo`).
    pub fn of(headers: &HeaderMap, extensions: &Extensions, state: &AppState) -> Self {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip().to_canonical())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let trusted = &state.config.security.trusted_proxies;
        let forwarded = headers.get_all("x-forwarded-for").iter().map(|v| v.as_bytes());
        ClientAddr(client_address(peer, forwarded, |ip| trusted.iter().any(|net| net.contains(ip))))
    }
}

/// The client, given the TCP `peer` and the `X-Forwarded-For` header values in order: the peer
/// itself unless it is a trusted proxy; else the nearest hop, walking the chain from the peer
/// outwards, that is not trusted.
fn client_address<'a>(
    peer: IpAddr,
    forwarded: impl Iterator<Item = &'a [u8]>,
    is_trusted: impl Fn(&IpAddr) -> bool,
) -> IpAddr {
    if !is_trusted(&peer) {
        return peer;
    }
    // A value is read even when the client put bytes that are not text in it: dropping the
    // whole value would drop the hops our proxy added after them too, and make every such
    // client look like the proxy itself (the bytes only make their own hop unreadable).
    let values: Vec<std::borrow::Cow<'_, str>> = forwarded.map(String::from_utf8_lossy).collect();
    let hops: Vec<&str> = values.iter().flat_map(|v| v.split(',')).map(str::trim).collect();
    // A hop we cannot read ends the walk: what lies beyond it is the client's to invent.
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip.to_canonical();
                if !is_trusted(&client) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    /// The proxies in these properties: 10.0.0.0/8 and fd00::/8.
    fn trusted(ip: &IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => v4.octets()[0] == 10,
            IpAddr::V6(v6) => v6.octets()[0] == 0xfd,
        }
    }

    fn address() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u8; 4]>().prop_map(|o| IpAddr::from([10, o[1], o[2], o[3]])),
            any::<[u8; 16]>().prop_map(IpAddr::from),
            any::<[u8; 16]>().prop_map(|mut o| {
                o[0] = 0xfd;
                IpAddr::from(o)
            }),
            // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is the IPv4 address.
            any::<[u8; 4]>().prop_map(|o| IpAddr::from(std::net::Ipv4Addr::from(o).to_ipv6_mapped())),
        ]
    }

    fn untrusted() -> impl Strategy<Value = IpAddr> {
        address().prop_filter("not a proxy", |ip| !trusted(&ip.to_canonical()))
    }

    fn proxy() -> impl Strategy<Value = IpAddr> {
        address().prop_filter("a proxy", |ip| trusted(&ip.to_canonical()))
    }

    /// Anything a client might put in the header: addresses, junk, spaces, empty hops, bytes
    /// that are not text.
    fn hop() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            address().prop_map(|ip| ip.to_string().into_bytes()),
            "[0-9a-f.:, ]{0,20}".prop_map(String::into_bytes),
            user_text().prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..20),
        ]
    }

    fn header(hops: &[Vec<u8>]) -> Vec<u8> {
        hops.join(&b", "[..])
    }

    fn read(values: &[Vec<u8>]) -> impl Iterator<Item = &[u8]> {
        values.iter().map(Vec::as_slice)
    }

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn an_untrusted_peer_is_the_client_whatever_the_header_says(
            peer in untrusted(),
            values in proptest::collection::vec(hop(), 0..6),
        ) {
            let client = client_address(peer, read(&values), trusted);
            prop_assert_eq!(client, peer);
        }

        /// Through trusted proxies, the client is the address the outermost proxy saw; nothing
        /// the client wrote in the header before that can change it.
        #[test]
        fn a_client_cannot_choose_its_address_through_the_header(
            invented in proptest::collection::vec(hop(), 0..5),
            real in untrusted(),
            proxies in proptest::collection::vec(proxy(), 0..4),
            peer in proxy(),
            split in any::<bool>(),
        ) {
            let mut hops = invented.clone();
            hops.push(real.to_string().into_bytes());
            hops.extend(proxies.iter().map(|ip| ip.to_string().into_bytes()));
            // One header, or one per proxy (the values are read in order).
            let values: Vec<Vec<u8>> = if split { hops.clone() } else { vec![header(&hops)] };
            // The peer as the extractor gives it: an IPv4 address as IPv4.
            let client = client_address(peer.to_canonical(), read(&values), trusted);
            prop_assert_eq!(client, real.to_canonical());
        }

        #[test]
        fn the_client_is_the_peer_or_a_hop(peer in address(), values in proptest::collection::vec(hop(), 0..6)) {
            let client = client_address(peer, read(&values), trusted);
            let hops: Vec<IpAddr> = values
                .iter()
                .flat_map(|v| String::from_utf8_lossy(v).split(',').map(str::to_owned).collect::<Vec<_>>())
                .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
                .map(|ip| ip.to_canonical())
                .collect();
            prop_assert!(client == peer || hops.contains(&client), "{client} from {values:?}");
        }
    }

    /// Found while writing the property above: a value with a byte that is not visible ASCII (here a
    /// client's own "é") was dropped whole, with the real address our proxy appended to it, so
    /// the client became the proxy.
    #[test]
    fn a_hop_that_is_not_ascii_does_not_hide_the_hops_after_it() {
        let peer = IpAddr::from([10, 0, 0, 1]);
        let value = "é, 203.0.113.7".as_bytes();
        assert_eq!(client_address(peer, [value].into_iter(), trusted), IpAddr::from([203, 0, 113, 7]));
    }
}
