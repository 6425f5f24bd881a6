//! Identity resolution: handle → DID (DNS TXT `_atproto.<handle>`, then
//! `https://<handle>/.well-known/atproto-did`; or, for a dev network whose handles live in no DNS,
//! the configured service's `com.atproto.identity.resolveHandle`) and DID → DID document (the
//! configured PLC directory, or `did:web`). Everything goes through [`GuardedHttp`].

use std::sync::Arc;

use atrium_api::did_doc::DidDocument;
use atrium_api::types::string::{Did, Handle};
use atrium_common::resolver::Resolver;
use atrium_identity::did::{CommonDidResolver, CommonDidResolverConfig};
use atrium_identity::handle::{
    AppViewHandleResolver, AppViewHandleResolverConfig, AtprotoHandleResolver, AtprotoHandleResolverConfig,
    DnsTxtResolver,
};

use super::http::GuardedHttp;

pub type DidResolver = CommonDidResolver<GuardedHttp>;

pub fn did_resolver(plc_directory_url: &str, http: Arc<GuardedHttp>) -> DidResolver {
    CommonDidResolver::new(CommonDidResolverConfig {
        plc_directory_url: plc_directory_url.trim_end_matches('/').to_owned(),
        http_client: http,
    })
}

/// How handles are resolved on this instance.
// Two of these live for the whole process (one in the OAuth client, one beside it): their size
// costs nothing, and boxing would only add an indirection to every lookup.
#[allow(clippy::large_enum_variant)]
pub enum HandleResolver {
    /// The public network: DNS, then the handle's own HTTPS well-known document.
    Atproto(AtprotoHandleResolver<SystemDns, GuardedHttp>),
    /// A service that answers `com.atproto.identity.resolveHandle` (a dev network's PDS).
    Service(AppViewHandleResolver<GuardedHttp>),
}

impl HandleResolver {
    pub fn new(service_url: Option<&url::Url>, http: Arc<GuardedHttp>) -> Self {
        match service_url {
            Some(url) => HandleResolver::Service(AppViewHandleResolver::new(AppViewHandleResolverConfig {
                service_url: url.as_str().trim_end_matches('/').to_owned(),
                http_client: http,
            })),
            None => HandleResolver::Atproto(AtprotoHandleResolver::new(AtprotoHandleResolverConfig {
                dns_txt_resolver: SystemDns::default(),
                http_client: http,
            })),
        }
    }
}

impl Resolver for HandleResolver {
    type Input = Handle;
    type Output = Did;
    type Error = atrium_identity::Error;

    async fn resolve(&self, handle: &Handle) -> Result<Did, Self::Error> {
        match self {
            HandleResolver::Atproto(resolver) => resolver.resolve(handle).await,
            HandleResolver::Service(resolver) => resolver.resolve(handle).await,
        }
    }
}

/// TXT lookups through the system's resolver configuration (`/etc/resolv.conf`), built on first
/// use; where there is none, DNS is skipped and the well-known document is asked.
#[derive(Default)]
pub struct SystemDns {
    resolver: tokio::sync::OnceCell<Option<hickory_resolver::TokioResolver>>,
}

impl DnsTxtResolver for SystemDns {
    async fn resolve(&self, query: &str) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync + 'static>> {
        let resolver = self
            .resolver
            .get_or_init(|| async { hickory_resolver::TokioResolver::builder_tokio().ok().map(|b| b.build()) })
            .await;
        let Some(resolver) = resolver else { return Err("no DNS resolver is configured on this machine".into()) };
        let lookup = resolver.txt_lookup(query).await?;
        Ok(lookup
            .iter()
            .map(|txt| txt.txt_data().iter().map(|part| String::from_utf8_lossy(part)).collect::<String>())
            .collect())
    }
}

/// The handle a DID document claims (its first `at://` alias), if any.
pub fn claimed_handle(document: &DidDocument) -> Option<String> {
    document.also_known_as.as_ref()?.iter().find_map(|alias| alias.strip_prefix("at://")).map(str::to_ascii_lowercase)
}
