//! OpenID Connect: Google and any provider a self-hoster configures (Keycloak, Authentik,
//! GitLab, Microsoft…), through the `openidconnect` crate. The same code serves them all: the
//! endpoints and keys come from each provider's discovery document.
//!
//! What the crate does: the authorization URL (state, nonce, PKCE S256), the code exchange and
//! the ID token's checks (signature with the provider's published keys, `iss`, `aud`, `exp`,
//! `nonce`). What we add: RS256 only, the instance's clock for `exp`, a fresh copy of the keys
//! when a token names one we do not have (the provider rotated them), an HTTP client that follows
//! no redirects, and token revocation (RFC 7009) for the calendar grant.

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
    CoreGenderClaim, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EmptyAdditionalClaims, IdTokenClaims, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadata, RedirectUrl, RefreshToken, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use url::Url;

use crate::clock::Timestamp;
use crate::secrets::Secret;

/// Google's read-only scope for events: enough to list them, nothing to change them.
pub const CALENDAR_SCOPE: &str = "https://www.googleapis.com/auth/calendar.events.readonly";
/// The name Google is configured under (its redirect URI is `/oauth/oidc/google/callback`).
pub const GOOGLE: &str = "google";
/// How long a copy of a provider's discovery document and keys is used before it is read again.
const METADATA_LIFETIME: Duration = Duration::from_secs(60 * 60);
/// A token naming an unknown key makes us read the keys again, but not more often than this (so
/// forged tokens cannot make us hammer the provider).
const KEY_REFRESH_GAP: Duration = Duration::from_secs(30);

/// An issuer this instance may talk to: https, or plain http on this machine (development and
/// tests).
pub fn issuer_allowed(issuer: &Url) -> bool {
    match issuer.scheme() {
        "https" => true,
        "http" => matches!(issuer.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        _ => false,
    }
}

/// The issuer as the provider may name it, most likely first. `Url` writes a bare host with a
/// trailing slash whether or not it was typed: Google's issuer has none, Auth0's has one, so
/// both are tried (the discovery document must name exactly the issuer asked for). A path is
/// kept as written.
fn issuer_candidates(issuer: &Url) -> Vec<String> {
    let written = issuer.as_str().to_owned();
    let toggled = match written.strip_suffix('/') {
        Some(trimmed) => trimmed.to_owned(),
        None => format!("{written}/"),
    };
    if issuer.path() == "/" {
        vec![toggled, written]
    } else {
        vec![written, toggled]
    }
}

/// The part of the discovery document the crate does not read itself.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ExtraMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<String>,
}
impl AdditionalProviderMetadata for ExtraMetadata {}

type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The discovery document or the keys could not be read.
    #[error("the provider's discovery document could not be read: {0}")]
    Discovery(String),
    /// The code exchange or a refresh was refused or failed.
    #[error("the token request failed: {0}")]
    Token(String),
    /// The provider said the grant is no longer valid (revoked, expired): sign in again.
    #[error("the grant is no longer valid")]
    InvalidGrant,
    /// The ID token did not pass its checks.
    #[error("the ID token was refused: {0}")]
    IdToken(String),
}

/// One provider's settings.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    pub name: String,
    pub issuer: Url,
    pub client_id: String,
    pub client_secret: Secret<String>,
    /// This instance's public URL; the callback is `<base>/oauth/oidc/<name>/callback`.
    pub base_url: Url,
}

/// What is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Who the person is: `openid email profile`.
    SignIn,
    /// Google Calendar, read-only, with a refresh token so the sync runs while they are away.
    Calendar,
}

/// An authorization request about to be sent: the URL and the secrets to keep until the answer.
#[derive(Debug, Clone)]
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Who signed in, as the ID token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// Only an https address.
    pub picture: Option<String>,
}

/// Tokens for the provider's APIs.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: String,
    pub expires_at: Timestamp,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
}

/// A finished code exchange.
#[derive(Debug, Clone)]
pub struct Granted {
    pub identity: Identity,
    pub tokens: Tokens,
}

/// One configured OpenID Connect provider.
pub struct OidcProvider {
    pub name: String,
    /// What its button says after "Continue with".
    pub label: String,
    settings: ProviderSettings,
    redirect_uri: RedirectUrl,
    http: reqwest::Client,
    metadata: RwLock<Option<(Arc<Metadata>, Instant)>>,
    keys_read_at: std::sync::Mutex<Option<Instant>>,
}

impl OidcProvider {
    pub fn new(settings: ProviderSettings, timeout: Duration) -> anyhow::Result<Self> {
        let callback =
            format!("{}/oauth/oidc/{}/callback", settings.base_url.as_str().trim_end_matches('/'), settings.name);
        let redirect_uri = RedirectUrl::new(callback)?;
        // No redirects: the crate's own advice (a redirect could carry the code elsewhere), and
        // nothing a provider answers needs one.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(timeout)
            .user_agent(concat!("Careerlog/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            label: label_of(&settings.name),
            name: settings.name.clone(),
            settings,
            redirect_uri,
            http,
            metadata: RwLock::new(None),
            keys_read_at: std::sync::Mutex::new(None),
        })
    }

    pub fn is_google(&self) -> bool {
        self.name == GOOGLE
    }

    pub fn issuer(&self) -> &Url {
        &self.settings.issuer
    }

    /// The discovery document (with the keys), read when first needed and again after an hour.
    async fn metadata(&self, fresh: bool) -> Result<Arc<Metadata>, OidcError> {
        if !fresh {
            if let Some((metadata, read_at)) = self.metadata.read().await.as_ref() {
                if read_at.elapsed() < METADATA_LIFETIME {
                    return Ok(metadata.clone());
                }
            }
        }
        let mut found = Err(OidcError::Discovery("no issuer".into()));
        for candidate in issuer_candidates(&self.settings.issuer) {
            let issuer = IssuerUrl::new(candidate).map_err(|e| OidcError::Discovery(e.to_string()))?;
            found = Metadata::discover_async(issuer, &self.http).await.map_err(|e| {
                let mut message = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(inner) = source {
                    message.push_str(": ");
                    message.push_str(&inner.to_string());
                    source = inner.source();
                }
                OidcError::Discovery(message)
            });
            if found.is_ok() {
                break;
            }
        }
        let metadata = Arc::new(found?);
        *self.metadata.write().await = Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    fn client(&self, metadata: &Metadata) -> CoreClientFor {
        CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.expose().clone())),
        )
        .set_redirect_uri(self.redirect_uri.clone())
    }

    /// Where to send the browser, with a fresh state, nonce and PKCE S256 challenge.
    pub async fn authorize(&self, access: Access) -> Result<Authorization, OidcError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge);
        request = match access {
            Access::SignIn => request.add_scope(Scope::new("profile".into())),
            // A separate, optional consent: only the calendar's read-only scope on top of who
            // it is, and offline access so the sync can refresh the token; `prompt=consent` is
            // what makes Google send a refresh token again after an earlier grant.
            Access::Calendar => request
                .add_scope(Scope::new(CALENDAR_SCOPE.into()))
                .add_extra_param("access_type", "offline")
                .add_extra_param("prompt", "consent"),
        };
        let (url, state, nonce) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchange the code, then check the ID token (against the keys read again once if it names
    /// a key we do not have).
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
        now: Timestamp,
    ) -> Result<Granted, OidcError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata);
        let request = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Token(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        let response = request.request_async(&self.http).await.map_err(token_error)?;
        let id_token = response.id_token().ok_or_else(|| OidcError::IdToken("the answer has no ID token".into()))?;
        let nonce = Nonce::new(nonce.to_owned());
        let identity = match self.verify(&client, id_token, &nonce, now) {
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
                if self.may_read_keys_again() =>
            {
                tracing::info!(provider = %self.name, "an ID token names a key we do not have: reading the keys again");
                let metadata = self.metadata(true).await?;
                self.verify(&self.client(&metadata), id_token, &nonce, now)
            }
            other => other,
        }
        .map_err(|e| OidcError::IdToken(e.to_string()))?;
        Ok(Granted { identity, tokens: tokens_of(&response, now) })
    }

    fn may_read_keys_again(&self) -> bool {
        let mut last = self.keys_read_at.lock().expect("not poisoned");
        if last.is_some_and(|at| at.elapsed() < KEY_REFRESH_GAP) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    fn verify(
        &self,
        client: &CoreClientFor,
        id_token: &openidconnect::core::CoreIdToken,
        nonce: &Nonce,
        now: Timestamp,
    ) -> Result<Identity, ClaimsVerificationError> {
        let at = chrono::DateTime::from_timestamp_millis(now.millis()).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs([CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256])
            .set_time_fn(move || at);
        let claims: &IdTokenClaims<EmptyAdditionalClaims, CoreGenderClaim> = id_token.claims(&verifier, nonce)?;
        Ok(Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().trim().to_owned()).filter(|e| !e.is_empty() && e.len() <= 254),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().trim().chars().take(100).collect::<String>())
                .filter(|n| !n.is_empty()),
            picture: claims
                .picture()
                .and_then(|p| p.get(None))
                .map(|p| p.as_str().to_owned())
                .filter(|p| p.starts_with("https://") && p.len() <= 2000),
        })
    }

    /// A new access token from the refresh token.
    pub async fn refresh(&self, refresh_token: &str, now: Timestamp) -> Result<Tokens, OidcError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata);
        let token = RefreshToken::new(refresh_token.to_owned());
        let response = client
            .exchange_refresh_token(&token)
            .map_err(|e| OidcError::Token(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        let mut tokens = tokens_of(&response, now);
        // Google sends no new refresh token on a refresh: the old one stays good.
        tokens.refresh_token.get_or_insert_with(|| refresh_token.to_owned());
        Ok(tokens)
    }

    /// Revoke a token at the provider (RFC 7009), when it has a revocation endpoint. True when
    /// it is revoked (or the provider has no such endpoint to ask).
    pub async fn revoke(&self, token: &str) -> bool {
        let Ok(metadata) = self.metadata(false).await else { return false };
        let Some(endpoint) = metadata.additional_metadata().revocation_endpoint.clone() else { return true };
        let answer = self
            .http
            .post(endpoint)
            .basic_auth(&self.settings.client_id, Some(self.settings.client_secret.expose()))
            .form(&[("token", token)])
            .send()
            .await;
        match answer {
            // 400 invalid_token: already revoked or expired, which is what was wanted.
            Ok(answer) => answer.status().is_success() || answer.status() == reqwest::StatusCode::BAD_REQUEST,
            Err(err) => {
                tracing::warn!(provider = %self.name, error = %err, "a token could not be revoked");
                false
            }
        }
    }
}

type CoreClientFor = openidconnect::Client<
    EmptyAdditionalClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    openidconnect::core::CoreAuthPrompt,
    openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    openidconnect::core::CoreTokenResponse,
    openidconnect::core::CoreTokenIntrospectionResponse,
    openidconnect::core::CoreRevocableToken,
    openidconnect::core::CoreRevocationErrorResponse,
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

fn tokens_of(response: &openidconnect::core::CoreTokenResponse, now: Timestamp) -> Tokens {
    let lifetime = response.expires_in().unwrap_or(Duration::from_secs(3600)).min(Duration::from_secs(24 * 3600));
    Tokens {
        access_token: response.access_token().secret().clone(),
        expires_at: now.plus(lifetime),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        scopes: response.scopes().map(|s| s.iter().map(|s| s.as_str().to_owned()).collect()).unwrap_or_default(),
    }
}

fn token_error<E: std::error::Error + 'static>(
    err: openidconnect::RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> OidcError {
    use openidconnect::core::CoreErrorResponseType;
    match &err {
        openidconnect::RequestTokenError::ServerResponse(response)
            if *response.error() == CoreErrorResponseType::InvalidGrant =>
        {
            OidcError::InvalidGrant
        }
        _ => OidcError::Token(err.to_string()),
    }
}

/// "google" → "Google", "my-keycloak" → "My keycloak".
fn label_of(name: &str) -> String {
    if name == GOOGLE {
        return "Google".into();
    }
    let spaced = name.replace('-', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Every configured provider, Google first.
#[derive(Default)]
pub struct OidcProviders {
    providers: Vec<Arc<OidcProvider>>,
}

impl OidcProviders {
    pub fn new(providers: Vec<OidcProvider>) -> Self {
        let mut providers: Vec<Arc<OidcProvider>> = providers.into_iter().map(Arc::new).collect();
        providers.sort_by_key(|p| !p.is_google());
        Self { providers }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<OidcProvider>> {
        self.providers.iter().find(|p| p.name == name)
    }

    pub fn google(&self) -> Option<&Arc<OidcProvider>> {
        self.get(GOOGLE)
    }

    pub fn all(&self) -> &[Arc<OidcProvider>] {
        &self.providers
    }

    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_names() {
        assert_eq!(label_of("google"), "Google");
        assert_eq!(label_of("keycloak"), "Keycloak");
        assert_eq!(label_of("my-gitlab"), "My gitlab");
    }

    #[test]
    fn an_issuer_is_named_as_the_provider_names_it() {
        let of = |url: &str| issuer_candidates(&Url::parse(url).unwrap());
        assert_eq!(of("https://accounts.google.com"), ["https://accounts.google.com", "https://accounts.google.com/"]);
        assert_eq!(of("https://tenant.auth0.com/"), ["https://tenant.auth0.com", "https://tenant.auth0.com/"]);
        assert_eq!(
            of("https://id.example/realms/staff"),
            ["https://id.example/realms/staff", "https://id.example/realms/staff/"]
        );
        assert_eq!(of("https://id.example/realms/x/"), ["https://id.example/realms/x/", "https://id.example/realms/x"]);
    }

    #[test]
    fn issuers_are_https_except_on_this_machine() {
        assert!(issuer_allowed(&Url::parse("https://accounts.google.com").unwrap()));
        assert!(issuer_allowed(&Url::parse("http://127.0.0.1:8080/realms/x").unwrap()));
        assert!(issuer_allowed(&Url::parse("http://localhost:9000").unwrap()));
        assert!(!issuer_allowed(&Url::parse("http://keycloak.internal").unwrap()));
        assert!(!issuer_allowed(&Url::parse("ftp://example.com").unwrap()));
    }
}
