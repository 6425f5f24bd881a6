//! Static assets, embedded in the binary. Their URLs carry a content hash, so browsers may cache
//! them for a year and still see a new version the moment it ships.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::web::error::AppError;

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset { name: "app.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../../static/app.css") },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/app.js"),
    },
    Asset { name: "icon.svg", content_type: "image/svg+xml", body: include_bytes!("../../static/icon.svg") },
];

/// One hash over all assets: any change to any of them moves every URL, which is simple and
/// costs little with three small files.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    for asset in ASSETS {
        hasher.update(asset.name.as_bytes());
        hasher.update(asset.body);
    }
    hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
});

pub struct AssetUrls {
    pub css: &'static str,
    pub js: &'static str,
    pub icon: &'static str,
}

static URLS: LazyLock<AssetUrls> = LazyLock::new(|| {
    let url = |name: &str| -> &'static str { Box::leak(format!("/static/{}/{name}", *VERSION).into_boxed_str()) };
    AssetUrls { css: url("app.css"), js: url("app.js"), icon: url("icon.svg") }
});

pub fn urls() -> &'static AssetUrls {
    &URLS
}

pub async fn serve(Path((version, name)): Path<(String, String)>) -> Result<Response, AppError> {
    let asset = ASSETS.iter().find(|a| a.name == name).ok_or(AppError::NotFound)?;
    // An old version's URL still gets the current file, but must not be cached as if immutable.
    let cache = if version == *VERSION { "public, max-age=31536000, immutable" } else { "no-cache" };
    Ok(([(CONTENT_TYPE, asset.content_type), (CACHE_CONTROL, cache)], asset.body).into_response())
}

#[cfg(test)]
mod tests {
    /// Every block in the style sheet is closed where it should be. One missing `}` once nested
    /// every rule after it (browsers read it as CSS nesting), and the search box's and
    /// header's rules silently stopped applying.
    #[test]
    fn the_style_sheet_closes_every_block_it_opens() {
        let css = include_str!("../../static/app.css");
        let mut depth = 0i32;
        let mut rest = css;
        let mut line = 1;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("/*") {
                let end = rest.find("*/").expect("every comment is closed") + 2;
                line += rest[..end].matches('\n').count();
                rest = &rest[end..];
                continue;
            }
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                '\n' => line += 1,
                _ => {}
            }
            assert!(depth >= 0, "a `}}` with no block to close, line {line}");
            // Top-level rules are plain rules or @media/@supports/@font-face blocks: nothing in
            // this sheet nests deeper than an at-rule holding a rule.
            assert!(depth <= 2, "a block opened inside a rule inside a block, line {line}: a `}}` is missing above");
            rest = &rest[c.len_utf8()..];
        }
        assert_eq!(depth, 0, "blocks left open at the end of the style sheet");
    }
}
