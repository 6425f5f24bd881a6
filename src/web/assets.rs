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
