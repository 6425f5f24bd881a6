//! The shared state the web layer reads: configuration, the handles the use cases work with,
//! and the keys only HTTP needs (CSRF). No HTTP types live here, so everything below the web
//! layer can be built and tested without a request.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::page_cache::PageCache;
use crate::secrets::DerivedKey;
use crate::services::Handles;

/// Everything a request handler may need. Cheap to clone. Dereferences to the [`Handles`], so a
/// handler passes `&state` wherever a use case asks for them.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

pub struct AppStateInner {
    pub config: Config,
    pub handles: Arc<Handles>,
    pub csrf_key: DerivedKey,
    /// Public pages as rendered, while what they show is unchanged.
    pub page_cache: PageCache,
}

impl AppState {
    pub fn new(inner: AppStateInner) -> Self {
        Self(Arc::new(inner))
    }
}

impl Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Deref for AppStateInner {
    type Target = Handles;
    fn deref(&self) -> &Handles {
        &self.handles
    }
}
