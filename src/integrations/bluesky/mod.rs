//! Bluesky (AT Protocol): OAuth sign-in and linking, and the few repository writes the user
//! starts (a post, a blob, standard.site records).
//!
//! The OAuth protocol itself — identity resolution, pushed authorization requests, PKCE S256,
//! DPoP with server nonces, `iss` and `sub` checks, refresh, revocation — is atrium-oauth's. What
//! is ours: the guarded HTTP client ([`http`]), the sealed stores ([`stores`]), the DNS TXT
//! lookups ([`identity`]), the client's key (derived from the instance key), a check that the
//! account that signed in is the one that was asked for, and a wall around the library's
//! callback, which panics instead of answering an error when the code exchange fails.

pub mod http;
pub mod identity;
pub mod stores;

use std::sync::Arc;
use std::time::Duration;

use atrium_api::types::string::Did;
use atrium_oauth::{
    AtprotoClientMetadata, AtprotoLocalhostClientMetadata, AuthMethod, AuthorizeOptions, CallbackParams, GrantType,
    KnownScope, OAuthClient, OAuthClientConfig, OAuthResolverConfig, OAuthSession, Scope,
};
use atrium_xrpc::{InputDataOrBytes, OutputDataOrBytes, XrpcClient, XrpcRequest};
use url::Url;

use self::http::{GuardedHttp, Network};
use self::identity::{DidResolver, HandleResolver};
use self::stores::{RequestStore, Sealer, SessionRows};
use crate::clock::Clock;
use crate::db::Db;
use crate::secrets::DerivedKey;

/// The scopes Careerlog asks for: signing in, creating posts, the two standard.site collections
/// and image uploads (a link card's thumbnail). Never the feed, notifications or messages.
pub const SCOPES: &[&str] = &[
    "atproto",
    "repo:app.bsky.feed.post?action=create",
    "repo:site.standard.publication",
    "repo:site.standard.document",
    "blob:image/*",
];

pub const CALLBACK_PATH: &str = "/oauth/bluesky/callback";
pub const METADATA_PATH: &str = "/oauth/bluesky/client-metadata.json";
pub const JWKS_PATH: &str = "/oauth/bluesky/jwks.json";

/// What an instance needs to speak AT Protocol.
#[derive(Clone)]
pub struct Settings {
    pub base_url: Url,
    pub plc_directory_url: Url,
    /// Resolve handles through this service's `com.atproto.identity.resolveHandle` instead of
    /// DNS and well-known documents (a dev network).
    pub handle_resolver_url: Option<Url>,
    pub network: Network,
    pub timeout: Duration,
}

/// How this instance can be a Bluesky OAuth client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// Served over https: a confidential client that proves itself with a key (`private_key_jwt`).
    Confidential,
    /// Served on `http://127.0.0.1` or `http://[::1]`: the loopback development client.
    Loopback,
}

impl ClientKind {
    /// `None` when the base URL can be neither (plain http on another host).
    pub fn of(base_url: &Url) -> Option<Self> {
        match (base_url.scheme(), base_url.host()) {
            ("https", _) => Some(ClientKind::Confidential),
            ("http", Some(url::Host::Ipv4(ip))) if ip.is_loopback() => Some(ClientKind::Loopback),
            ("http", Some(url::Host::Ipv6(ip))) if ip.is_loopback() => Some(ClientKind::Loopback),
            _ => None,
        }
    }
}

type Client = OAuthClient<RequestStore, SessionRows, DidResolver, HandleResolver, GuardedHttp>;
pub type Session = OAuthSession<GuardedHttp, DidResolver, HandleResolver, SessionRows>;

/// Why a Bluesky step failed, in the terms a page explains.
#[derive(Debug, thiserror::Error)]
pub enum BlueskyError {
    /// The handle, DID or server could not be resolved to an authorization server.
    #[error("could not find that account: {0}")]
    Resolve(String),
    /// The state is unknown: replayed, expired or never ours.
    #[error("the sign-in request is unknown or expired")]
    UnknownRequest,
    /// The authorization server or the answer it sent was not accepted.
    #[error("the sign-in could not be completed: {0}")]
    Callback(String),
    /// The grant stopped working (revoked, expired): the user must connect again.
    #[error("the connection to Bluesky needs to be renewed")]
    Reconnect,
    /// The server did not answer or answered with an error.
    #[error("Bluesky did not accept the request: {0}")]
    Server(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub struct Bluesky {
    client: Client,
    kind: ClientKind,
    settings: Settings,
    client_key: Option<jose_jwk::Jwk>,
    did_resolver: DidResolver,
    handle_resolver: HandleResolver,
    pub requests: RequestStore,
    pub sessions: SessionRows,
    http: Arc<GuardedHttp>,
}

impl Bluesky {
    /// `None` when the base URL cannot be an AT Protocol OAuth client (say so in the logs).
    pub fn new(
        settings: Settings,
        db: Db,
        clock: Arc<dyn Clock>,
        field_key: DerivedKey,
        client_key_seed: &DerivedKey,
    ) -> anyhow::Result<Option<Arc<Self>>> {
        let Some(kind) = ClientKind::of(&settings.base_url) else {
            tracing::warn!(
                base_url = %settings.base_url,
                "Bluesky sign-in is off: it needs an https base URL (or http://127.0.0.1 for development)"
            );
            return Ok(None);
        };
        let http = Arc::new(GuardedHttp::new(settings.network, settings.timeout)?);
        let sealer = Sealer::new(field_key);
        let requests = RequestStore { db: db.clone(), clock: clock.clone(), sealer: sealer.clone() };
        let sessions = SessionRows { db, clock, sealer };
        let resolver = || OAuthResolverConfig {
            did_resolver: identity::did_resolver(settings.plc_directory_url.as_str(), http.clone()),
            handle_resolver: HandleResolver::new(settings.handle_resolver_url.as_ref(), http.clone()),
            authorization_server_metadata: Default::default(),
            protected_resource_metadata: Default::default(),
        };
        let scopes = scopes();
        let callback = join(&settings.base_url, CALLBACK_PATH);
        let (client, client_key) = match kind {
            ClientKind::Loopback => {
                let config = OAuthClientConfig {
                    client_metadata: AtprotoLocalhostClientMetadata {
                        redirect_uris: Some(vec![callback]),
                        scopes: Some(scopes),
                    },
                    keys: None,
                    state_store: requests.clone(),
                    session_store: sessions.clone(),
                    resolver: resolver(),
                    http_client: (*http).clone(),
                };
                (OAuthClient::new(config)?, None)
            }
            ClientKind::Confidential => {
                let key = client_key(client_key_seed);
                let config = OAuthClientConfig {
                    client_metadata: AtprotoClientMetadata {
                        client_id: join(&settings.base_url, METADATA_PATH),
                        client_uri: Some(settings.base_url.as_str().trim_end_matches('/').to_owned()),
                        redirect_uris: vec![callback],
                        token_endpoint_auth_method: AuthMethod::PrivateKeyJwt,
                        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
                        scopes,
                        jwks_uri: Some(join(&settings.base_url, JWKS_PATH)),
                        token_endpoint_auth_signing_alg: Some("ES256".into()),
                    },
                    keys: Some(vec![key.clone()]),
                    state_store: requests.clone(),
                    session_store: sessions.clone(),
                    resolver: resolver(),
                    http_client: (*http).clone(),
                };
                (OAuthClient::new(config)?, Some(key))
            }
        };
        Ok(Some(Arc::new(Self {
            client,
            kind,
            did_resolver: identity::did_resolver(settings.plc_directory_url.as_str(), http.clone()),
            handle_resolver: HandleResolver::new(settings.handle_resolver_url.as_ref(), http.clone()),
            settings,
            client_key,
            requests,
            sessions,
            http,
        })))
    }

    pub fn kind(&self) -> ClientKind {
        self.kind
    }

    /// The client metadata document served at its own `client_id` URL.
    pub fn client_metadata(&self) -> serde_json::Value {
        client_metadata_document(&self.settings.base_url)
    }

    /// The client's public keys (none for the loopback client).
    pub fn public_jwks(&self) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .client_key
            .iter()
            .map(|jwk| {
                let mut public = jwk.clone();
                if let jose_jwk::Key::Ec(ec) = &mut public.key {
                    ec.d = None;
                }
                serde_json::to_value(public).expect("a JWK serialises")
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }

    /// Start an authorization at the user's server: the address to send their browser to.
    /// `app_state` comes back from [`Bluesky::finish`].
    pub async fn authorize(&self, input: &str, app_state: String) -> Result<String, BlueskyError> {
        let options = AuthorizeOptions { scopes: scopes(), state: Some(app_state), ..Default::default() };
        self.client.authorize(input, options).await.map_err(|err| match err {
            atrium_oauth::Error::Identity(e) => BlueskyError::Resolve(e.to_string()),
            other => BlueskyError::Resolve(other.to_string()),
        })
    }

    /// The app state of a request in flight, read without using it up (to check it belongs to
    /// this browser before the code is exchanged).
    pub async fn pending(&self, state: &str) -> Result<Option<String>, BlueskyError> {
        use atrium_common::store::Store;
        let data = self.requests.get(&state.to_owned()).await.map_err(|e| BlueskyError::Internal(e.to_string()))?;
        Ok(data.and_then(|d| d.app_state))
    }

    pub async fn forget_request(&self, state: &str) {
        use atrium_common::store::Store;
        if let Err(err) = self.requests.del(&state.to_owned()).await {
            tracing::warn!(error = %err, "could not remove an OAuth request");
        }
    }

    /// Exchange the code: checks `iss`, the PKCE verifier and DPoP binding, and that the
    /// account's DID names this authorization server. Answers the DID, whose session is now kept
    /// (unclaimed until the account is linked).
    pub async fn finish(
        self: &Arc<Self>,
        code: String,
        state: String,
        iss: Option<String>,
    ) -> Result<Did, BlueskyError> {
        let this = Arc::clone(self);
        // The library panics (a `todo!()`) when the exchange fails: keep that inside a task.
        let task = tokio::spawn(async move {
            let params = CallbackParams { code, state: Some(state), iss };
            match this.client.callback(params).await {
                Ok((session, _)) => {
                    use atrium_api::agent::SessionManager;
                    session.did().await.ok_or_else(|| BlueskyError::Callback("no account in the answer".into()))
                }
                Err(atrium_oauth::Error::Callback(message)) if message.starts_with("unknown authorization state") => {
                    Err(BlueskyError::UnknownRequest)
                }
                Err(err) => Err(BlueskyError::Callback(err.to_string())),
            }
        });
        match task.await {
            Ok(result) => result,
            Err(join) if join.is_panic() => {
                Err(BlueskyError::Callback("the authorization server refused the code exchange".into()))
            }
            Err(join) => Err(BlueskyError::Internal(join.to_string())),
        }
    }

    /// A working session for actions the user started.
    pub async fn session(&self, did: &str) -> Result<Session, BlueskyError> {
        let did: Did = did.parse().map_err(|e: &str| BlueskyError::Internal(e.to_owned()))?;
        self.client.restore(&did).await.map_err(|err| match err {
            atrium_oauth::Error::SessionRegistry(_) => BlueskyError::Reconnect,
            other => BlueskyError::Server(other.to_string()),
        })
    }

    /// Revoke the grant at the authorization server (best effort: answers whether it was) and
    /// forget the session here in any case.
    pub async fn revoke(&self, did: &str) -> bool {
        use atrium_common::store::Store;
        let Ok(parsed) = did.parse::<Did>() else { return false };
        let revoked = match tokio::time::timeout(self.settings.timeout, self.client.revoke(&parsed)).await {
            Ok(Ok(())) => true,
            // RFC 7009 answers a revocation with 200; the library expects 204 and calls a 200
            // an error, though the grant is gone.
            Ok(Err(err)) if err.to_string().contains("status: 200") => true,
            Ok(Err(err)) => {
                tracing::info!(error = %err, "the Bluesky grant could not be revoked at the server");
                false
            }
            Err(_) => false,
        };
        if let Err(err) = self.sessions.del(&parsed).await {
            tracing::warn!(error = %err, "could not remove a Bluesky session");
        }
        revoked
    }

    /// The account's handle and PDS, from its DID document, with the handle checked both ways
    /// (the handle must resolve back to this DID); `handle.invalid` when it does not.
    pub async fn describe(&self, did: &str) -> Result<(String, String), BlueskyError> {
        use atrium_common::resolver::Resolver;
        let parsed: Did = did.parse().map_err(|e: &str| BlueskyError::Internal(e.to_owned()))?;
        let document = self.did_resolver.resolve(&parsed).await.map_err(|e| BlueskyError::Resolve(e.to_string()))?;
        let pds =
            document.get_pds_endpoint().ok_or_else(|| BlueskyError::Resolve("the DID document names no PDS".into()))?;
        let handle = match identity::claimed_handle(&document) {
            Some(claimed) => match claimed.parse() {
                Ok(handle) => match self.handle_resolver.resolve(&handle).await {
                    Ok(back) if back.as_str() == did => claimed,
                    _ => "handle.invalid".to_owned(),
                },
                Err(_) => "handle.invalid".to_owned(),
            },
            None => "handle.invalid".to_owned(),
        };
        Ok((handle, pds))
    }

    /// The avatar's address, from the profile record (public; no token needed). `None` when the
    /// account has none or the PDS did not answer.
    pub async fn avatar_url(&self, did: &str, pds: &str) -> Option<String> {
        use atrium_xrpc::HttpClient;
        let url = Url::parse_with_params(
            &format!("{}/xrpc/com.atproto.repo.getRecord", pds.trim_end_matches('/')),
            &[("repo", did), ("collection", "app.bsky.actor.profile"), ("rkey", "self")],
        )
        .ok()?;
        let request = atrium_xrpc::http::Request::builder().uri(url.as_str()).body(Vec::new()).ok()?;
        let response = self.http.send_http(request).await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        let value: serde_json::Value = serde_json::from_slice(response.body()).ok()?;
        let cid = value.pointer("/value/avatar/ref/$link")?.as_str()?;
        let blob = Url::parse_with_params(
            &format!("{}/xrpc/com.atproto.sync.getBlob", pds.trim_end_matches('/')),
            &[("did", did), ("cid", cid)],
        )
        .ok()?;
        Some(blob.to_string())
    }
}

/// A repository write through a session, in JSON.
pub async fn procedure(
    session: &Session,
    nsid: &str,
    input: serde_json::Value,
) -> Result<serde_json::Value, BlueskyError> {
    let request: XrpcRequest<(), serde_json::Value> = XrpcRequest {
        method: atrium_xrpc::http::Method::POST,
        nsid: nsid.to_owned(),
        parameters: None,
        input: Some(InputDataOrBytes::Data(input)),
        encoding: Some("application/json".into()),
    };
    answer(session.send_xrpc::<(), serde_json::Value, serde_json::Value, serde_json::Value>(&request).await)
}

/// Upload a blob (an image); answers the blob object to put in a record.
pub async fn upload_blob(session: &Session, bytes: Vec<u8>, mime: &str) -> Result<serde_json::Value, BlueskyError> {
    let request: XrpcRequest<(), serde_json::Value> = XrpcRequest {
        method: atrium_xrpc::http::Method::POST,
        nsid: "com.atproto.repo.uploadBlob".into(),
        parameters: None,
        input: Some(InputDataOrBytes::Bytes(bytes)),
        encoding: Some(mime.to_owned()),
    };
    let output =
        answer(session.send_xrpc::<(), serde_json::Value, serde_json::Value, serde_json::Value>(&request).await)?;
    output.get("blob").cloned().ok_or_else(|| BlueskyError::Server("no blob in the answer".into()))
}

fn answer(
    result: Result<OutputDataOrBytes<serde_json::Value>, atrium_xrpc::Error<serde_json::Value>>,
) -> Result<serde_json::Value, BlueskyError> {
    match result {
        Ok(OutputDataOrBytes::Data(value)) => Ok(value),
        Ok(OutputDataOrBytes::Bytes(bytes)) => {
            serde_json::from_slice(&bytes).map_err(|e| BlueskyError::Server(format!("unreadable answer: {e}")))
        }
        Err(atrium_xrpc::Error::Authentication(_)) => Err(BlueskyError::Reconnect),
        Err(err) => Err(BlueskyError::Server(err.to_string())),
    }
}

/// [`SCOPES`] as the library takes them.
fn scopes() -> Vec<Scope> {
    SCOPES
        .iter()
        .map(|s| if *s == "atproto" { Scope::Known(KnownScope::Atproto) } else { Scope::Unknown((*s).to_owned()) })
        .collect()
}

fn join(base: &Url, path: &str) -> String {
    format!("{}{path}", base.as_str().trim_end_matches('/'))
}

/// The client's signing key, derived from the instance key so every instance of a deployment
/// has the same one with nothing more to configure; its id names the public key.
fn client_key(seed: &DerivedKey) -> jose_jwk::Jwk {
    let secret = p256::SecretKey::from_slice(seed.expose_bytes()).expect("an HMAC output is a valid P-256 scalar");
    let key = jose_jwk::Key::from(&jose_jwk::crypto::Key::from(secret.clone()));
    let point = secret.public_key().to_sec1_bytes();
    let kid = crate::secrets::hash_token(&base64::Engine::encode(&base64::engine::general_purpose::STANDARD, point));
    jose_jwk::Jwk {
        key,
        prm: jose_jwk::Parameters {
            kid: Some(kid[..16].to_owned()),
            alg: Some(jose_jwk::jose_jwa::Algorithm::Signing(jose_jwk::jose_jwa::Signing::Es256)),
            cls: Some(jose_jwk::Class::Signing),
            ..Default::default()
        },
    }
}

/// The client metadata document for an instance at `base_url` (its `client_id` is the address
/// it is served at).
pub fn client_metadata_document(base_url: &Url) -> serde_json::Value {
    let base = base_url.as_str().trim_end_matches('/');
    let confidential = base_url.scheme() == "https";
    let mut document = serde_json::json!({
        "client_id": format!("{base}{METADATA_PATH}"),
        "client_name": "Careerlog",
        "client_uri": base,
        "logo_uri": format!("{base}/static/icon.svg"),
        "policy_uri": format!("{base}/privacy"),
        "redirect_uris": [format!("{base}{CALLBACK_PATH}")],
        "scope": SCOPES.join(" "),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "application_type": "web",
        "dpop_bound_access_tokens": true,
        "token_endpoint_auth_method": if confidential { "private_key_jwt" } else { "none" },
    });
    if confidential {
        document["jwks_uri"] = format!("{base}{JWKS_PATH}").into();
        document["token_endpoint_auth_signing_alg"] = "ES256".into();
    }
    document
}
