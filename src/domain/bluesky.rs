//! Bluesky's rules that need no network: what may start a sign-in (a handle, a DID or a PDS
//! address), and a post's text, its 300-grapheme limit and its link facets.

use unicode_segmentation::UnicodeSegmentation;

/// Bluesky counts a post's length in grapheme clusters (what a reader sees as one character).
pub const POST_MAX_GRAPHEMES: usize = 300;
/// The app view refuses longer texts whatever their graphemes (a guard against giant clusters).
pub const POST_MAX_BYTES: usize = 3000;

/// Where a Bluesky sign-in starts, as typed: `@alice.bsky.social`, `did:plc:…`, or the
/// `https://` address of a PDS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountIdentifier {
    Handle(String),
    Did(String),
    Server(String),
}

impl AccountIdentifier {
    pub fn parse(typed: &str) -> Result<Self, &'static str> {
        let text = typed.trim();
        if text.is_empty() {
            return Err("Enter your Bluesky handle, such as alice.bsky.social.");
        }
        if text.len() > 253 {
            return Err("That is longer than any handle, DID or address can be.");
        }
        if text.starts_with("https://") {
            let url = url::Url::parse(text).map_err(|_| "That address is not a valid URL.")?;
            if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
                return Err("Give your server's address alone, such as https://bsky.social.");
            }
            return Ok(AccountIdentifier::Server(url.as_str().trim_end_matches('/').to_owned()));
        }
        if text.starts_with("http://") {
            return Err("Your server's address must start with https://.");
        }
        if let Some(rest) = text.strip_prefix("did:") {
            let valid_method = rest.starts_with("plc:") || rest.starts_with("web:");
            let valid_chars = rest.chars().all(|c| c.is_ascii_alphanumeric() || "._:%-".contains(c));
            if !valid_method || !valid_chars || rest.ends_with(':') {
                return Err("That DID is not valid (it should look like did:plc:… or did:web:…).");
            }
            return Ok(AccountIdentifier::Did(text.to_owned()));
        }
        let handle = text.strip_prefix('@').unwrap_or(text).to_ascii_lowercase();
        if is_handle(&handle) {
            Ok(AccountIdentifier::Handle(handle))
        } else {
            Err("That is not a Bluesky handle: it looks like alice.bsky.social or your own domain.")
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AccountIdentifier::Handle(s) | AccountIdentifier::Did(s) | AccountIdentifier::Server(s) => s,
        }
    }
}

/// A handle's syntax: two or more labels of letters, digits and hyphens (not at either end),
/// 63 characters at most each, the last not starting with a digit.
fn is_handle(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && text.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_alphabetic()))
}

/// How many graphemes `text` has, as Bluesky counts them.
pub fn graphemes(text: &str) -> usize {
    text.graphemes(true).count()
}

/// A post's text as typed, checked: not empty, at most 300 graphemes (and 3 000 bytes).
pub fn check_post_text(text: &str) -> Result<String, String> {
    let text = text.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err("Write something to post.".into());
    }
    let count = graphemes(&text);
    if count > POST_MAX_GRAPHEMES {
        return Err(format!(
            "Bluesky posts hold at most {POST_MAX_GRAPHEMES} characters; this has {count}. Shorten it by {}.",
            count - POST_MAX_GRAPHEMES
        ));
    }
    if text.len() > POST_MAX_BYTES {
        return Err("This is too long for a Bluesky post: emoji and some letters take more room than they show. \
                    Shorten it a little."
            .into());
    }
    Ok(text)
}

/// The text a share starts with: the title, then the link, the title shortened (with an
/// ellipsis) so the whole fits in a post.
pub fn default_post_text(title: &str, link: &str) -> String {
    let room = POST_MAX_GRAPHEMES.saturating_sub(graphemes(link) + 2);
    let title = title.trim();
    let title = if graphemes(title) > room {
        let kept: String = title.graphemes(true).take(room.saturating_sub(1)).collect();
        format!("{}…", kept.trim_end())
    } else {
        title.to_owned()
    };
    format!("{title}\n\n{link}")
}

/// A link facet: the UTF-8 **byte** range of a URL in the text (what Bluesky's facets index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkFacet {
    pub byte_start: usize,
    pub byte_end: usize,
    pub uri: String,
}

/// Every `http://` or `https://` link in the text, up to the first space, with trailing
/// punctuation that usually ends a sentence left out.
pub fn link_facets(text: &str) -> Vec<LinkFacet> {
    let mut facets = Vec::new();
    let mut from = 0;
    while let Some(found) = next_link_start(&text[from..]) {
        let start = from + found;
        let rest = &text[start..];
        let mut end = start + rest.find(char::is_whitespace).unwrap_or(rest.len());
        while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', '"', '\'']) {
            end -= 1;
        }
        let candidate = &text[start..end];
        if url::Url::parse(candidate).is_ok_and(|u| u.host_str().is_some()) {
            facets.push(LinkFacet { byte_start: start, byte_end: end, uri: candidate.to_owned() });
        }
        from = end.max(start + 1);
    }
    facets
}

fn next_link_start(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The record key of an AT-URI (`at://did/collection/rkey`).
pub fn record_key(uri: &str) -> Option<&str> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (_, _, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    Some(rkey)
}

/// Where a post is read on the web.
pub fn post_web_url(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let (did, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (collection == "app.bsky.feed.post").then(|| format!("https://bsky.app/profile/{did}/post/{rkey}"))
}

/// A record key in AT Protocol's TID form: 13 characters of base32-sortable, from the time in
/// microseconds and a 10-bit clock id (so keys made later sort later).
pub fn tid(micros: u64, clock_id: u16) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let value = ((micros & ((1 << 53) - 1)) << 10) | u64::from(clock_id & 0x3ff);
    (0..13).rev().map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_starts_from_a_handle_a_did_or_a_server() {
        assert_eq!(
            AccountIdentifier::parse(" @Alice.bsky.social "),
            Ok(AccountIdentifier::Handle("alice.bsky.social".into()))
        );
        assert_eq!(AccountIdentifier::parse("alice.test"), Ok(AccountIdentifier::Handle("alice.test".into())));
        assert_eq!(
            AccountIdentifier::parse("did:plc:ewvi7nxzyoun6zhxrhs64oiz"),
            Ok(AccountIdentifier::Did("did:plc:ewvi7nxzyoun6zhxrhs64oiz".into()))
        );
        assert_eq!(
            AccountIdentifier::parse("https://bsky.social/"),
            Ok(AccountIdentifier::Server("https://bsky.social".into()))
        );
        for bad in [
            "",
            "alice",
            "http://pds.example",
            "did:key:z6Mk",
            "a..b",
            "-a.com",
            "al ice.com",
            "x.123",
            "javascript:alert(1)",
        ] {
            assert!(AccountIdentifier::parse(bad).is_err(), "{bad}");
        }
        assert!(AccountIdentifier::parse(&"a".repeat(300)).is_err());
    }

    #[test]
    fn the_limit_counts_graphemes_not_bytes_or_code_points() {
        // A family emoji is 7 code points and 25 bytes, but one grapheme.
        let family = "👨‍👩‍👧‍👦";
        assert_eq!(graphemes(family), 1);
        assert!(check_post_text(&family.repeat(120)).is_ok(), "120 graphemes in 3 000 bytes");
        // Bluesky also caps a post at 3 000 bytes, whatever its graphemes.
        assert!(check_post_text(&family.repeat(121)).unwrap_err().contains("too long"));
        let accented = "e\u{301}"; // e + combining acute: one grapheme, two code points
        assert!(check_post_text(&accented.repeat(300)).is_ok());
        assert!(check_post_text(&"x".repeat(301)).unwrap_err().contains("by 1"));
        assert!(check_post_text("   ").is_err());
    }

    #[test]
    fn a_long_title_is_shortened_so_the_link_always_fits() {
        let link = "https://careerlog.example/u/alice/journal/2026-12-04-a-long-story";
        let text = default_post_text(&"Ünïcödé title ".repeat(40), link);
        assert!(graphemes(&text) <= POST_MAX_GRAPHEMES, "{}", graphemes(&text));
        assert!(text.ends_with(link));
        assert!(text.contains('…'));
        assert_eq!(default_post_text("Short", link), format!("Short\n\n{link}"));
    }

    #[test]
    fn link_facets_use_utf8_byte_offsets() {
        let text = "Café ☕ notes: https://example.com/a?b=1. And http://x.example";
        let facets = link_facets(text);
        assert_eq!(facets.len(), 2);
        assert_eq!(&text[facets[0].byte_start..facets[0].byte_end], "https://example.com/a?b=1");
        assert_eq!(facets[0].byte_start, "Café ☕ notes: ".len());
        assert_eq!(facets[1].uri, "http://x.example");
        assert!(link_facets("no links here, just http:// alone").is_empty());
    }

    #[test]
    fn record_keys_and_web_addresses_come_from_at_uris() {
        let uri = "at://did:plc:abc/app.bsky.feed.post/3kxyz";
        assert_eq!(record_key(uri), Some("3kxyz"));
        assert_eq!(post_web_url(uri).as_deref(), Some("https://bsky.app/profile/did:plc:abc/post/3kxyz"));
        assert_eq!(post_web_url("at://did:plc:abc/site.standard.document/3k"), None);
    }

    #[test]
    fn tids_are_13_sortable_characters() {
        let earlier = tid(1_700_000_000_000_000, 7);
        let later = tid(1_700_000_000_000_001, 0);
        assert_eq!(earlier.len(), 13);
        assert!(earlier < later);
        assert!(earlier.starts_with(|c: char| "234567abcdefghij".contains(c)), "{earlier}");
    }
}
