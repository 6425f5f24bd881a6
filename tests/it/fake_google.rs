//! A fake Google on 127.0.0.1 that speaks the real wire protocols, for the code that signs people
//! in with Google and reads their calendar:
//!
//! - an OpenID Connect provider: discovery, the authorization endpoint (PKCE S256, nonce, state),
//!   the token endpoint (code and refresh grants, client auth by Basic or in the body), ID tokens
//!   signed RS256 with real keys and a real JWKS, revocation and userinfo;
//! - the Calendar API v3's events list: paging, sync tokens, 410 Gone, 429, 401 and 403 with
//!   Google's JSON error bodies.
//!
//! Knobs make it misbehave the ways Google (or someone pretending to be it) can: faulty ID tokens,
//! key rotation, denied consent, expired and revoked tokens, invalidated sync tokens, rate limits.
//! It is stricter than Google where strictness catches a mistake of ours (a nonce and PKCE S256
//! are required), and simpler where it does not matter (recurring series are not expanded into
//! occurrences; store the occurrences you want listed).
//!
//! Tests of the fake itself (mostly its OpenID side, which the sign-in code will rely on) are at
//! the end of this file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Form, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::Mac as _;
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rsa::pkcs8::EncodePublicKey as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};
use rsa::traits::PublicKeyParts as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

/// The scope the calendar sync asks for; any of Google's calendar scopes reads events here.
pub(crate) const CALENDAR_SCOPE: &str = "https://www.googleapis.com/auth/calendar.readonly";
const CALENDAR_SCOPES: [&str; 4] = [
    "https://www.googleapis.com/auth/calendar",
    "https://www.googleapis.com/auth/calendar.readonly",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.events.readonly",
];
/// Google's access tokens live an hour less a second.
const ACCESS_TOKEN_SECONDS: u64 = 3599;
const DEFAULT_PAGE_SIZE: usize = 250;

/// Who the fake signs in as.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FakeAccount {
    pub sub: String,
    pub email: String,
    pub email_verified: bool,
    pub name: String,
    pub picture: String,
}

impl Default for FakeAccount {
    fn default() -> Self {
        FakeAccount {
            sub: "108234567890123456789".into(),
            email: "ada@example.com".into(),
            email_verified: true,
            name: "Ada Lovelace".into(),
            picture: "https://lh3.googleusercontent.com/a/fake-ada".into(),
        }
    }
}

/// What is wrong with the ID tokens issued while it is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenFault {
    /// `aud` (and `azp`) name another client.
    WrongAudience,
    /// `iss` is not the issuer of the discovery document.
    WrongIssuer,
    /// Issued two hours ago, expired one hour ago.
    Expired,
    /// `alg: "none"` and an empty signature.
    AlgNone,
    /// `alg: "HS256"`, HMAC-SHA256 keyed with the signing key's public PEM (SPKI, LF line ends):
    /// the key confusion attack on verifiers that take the algorithm from the token.
    Hs256WithPublicKey,
    /// A nonce other than the one the authorization request sent.
    WrongNonce,
    /// Signed by key3, kid "key3", which the JWKS never lists.
    UnpublishedKey,
    /// Signed by the right key, then one byte of the signature changed.
    BadSignature,
}

struct Key {
    kid: &'static str,
    signing: rsa::pkcs1v15::SigningKey<Sha256>,
    public: rsa::RsaPublicKey,
}

impl Key {
    fn load(kid: &'static str, pem: &str) -> Key {
        let private = rsa::RsaPrivateKey::from_pkcs1_pem(pem).expect("the fixture is a PKCS#1 RSA key");
        Key { kid, public: private.to_public_key(), signing: rsa::pkcs1v15::SigningKey::new(private) }
    }

    fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(self.public.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.public.e().to_bytes_be()),
        })
    }
}

/// Parsed once per test binary: key1 signs first, key2 after `rotate_keys`, key3 is never published.
static KEYS: LazyLock<[Key; 3]> = LazyLock::new(|| {
    [
        Key::load("key1", include_str!("../fixtures/oidc/key1.pem")),
        Key::load("key2", include_str!("../fixtures/oidc/key2.pem")),
        Key::load("key3", include_str!("../fixtures/oidc/key3.pem")),
    ]
});

/// An authorization code and what it was issued for.
struct CodeGrant {
    grant: u64,
    client_id: String,
    redirect_uri: String,
    challenge: String,
    nonce: Option<String>,
    scope: String,
    offline: bool,
    account: FakeAccount,
    used: bool,
}

struct AccessGrant {
    grant: u64,
    account: FakeAccount,
    scope: String,
    expires_at: SystemTime,
}

struct RefreshGrant {
    grant: u64,
    client_id: String,
    account: FakeAccount,
    scope: String,
    revoked: bool,
}

/// An event as stored, with the change sequence of its last write.
struct Stored {
    seq: u64,
    event: Value,
}

/// Where the next page of a listing starts. Pages follow the change sequence, so an event written
/// while someone pages is neither skipped nor repeated: it leaves this listing (its new sequence is
/// past the snapshot) and comes with the next incremental sync.
#[derive(serde::Serialize, serde::Deserialize)]
struct PageToken {
    /// The listing holds events written up to this sequence.
    snapshot: u64,
    /// Pages so far ended at this sequence.
    after: u64,
    /// An incremental listing: changes after this sequence (and the token's generation).
    since: Option<(u64, u64)>,
}

#[derive(Default)]
struct Inner {
    issuer: String,
    account: FakeAccount,
    deny_next: bool,
    authorize_requests: Vec<BTreeMap<String, String>>,
    codes: HashMap<String, CodeGrant>,
    access_tokens: HashMap<String, AccessGrant>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    next_grant: u64,
    revoked_grants: HashSet<u64>,
    revoked: Vec<String>,
    token_fault: Option<TokenFault>,
    rotated: bool,
    discovery_fetches: usize,
    jwks_fetches: usize,

    events: HashMap<String, BTreeMap<String, Stored>>,
    sequence: u64,
    /// Bumped by `invalidate_sync_tokens`; a sync token of an older generation is Gone.
    sync_generation: u64,
    page_size: Option<usize>,
    rate_limited: usize,
    retry_after_seconds: u64,
    calendar_requests: Vec<BTreeMap<String, String>>,
}

type Shared = Arc<Mutex<Inner>>;

pub(crate) struct FakeGoogle {
    state: Shared,
    issuer: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeGoogle {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeGoogle {
    pub(crate) const CLIENT_ID: &'static str = "1234567890-careerlog.apps.googleusercontent.com";
    pub(crate) const CLIENT_SECRET: &'static str = "GOCSPX-careerlog-fake-secret";

    pub(crate) async fn start() -> FakeGoogle {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state: Shared = Arc::new(Mutex::new(Inner { issuer: issuer.clone(), ..Inner::default() }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/o/oauth2/v2/auth", get(authorize))
            .route("/token", post(token))
            .route("/oauth2/v3/certs", get(jwks))
            .route("/revoke", post(revoke))
            .route("/v1/userinfo", get(userinfo))
            .route("/calendar/v3/calendars/{calendar_id}/events", get(list_events))
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeGoogle { state, issuer, server }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.state.lock().unwrap()
    }

    /// `http://127.0.0.1:PORT`, as the discovery document and ID tokens name it.
    pub(crate) fn issuer(&self) -> String {
        self.issuer.clone()
    }

    /// The Calendar API's base, for `GoogleCalendar::new`.
    pub(crate) fn calendar_api(&self) -> String {
        format!("{}/calendar/v3", self.issuer)
    }

    // ---- the OpenID side ----

    /// Whoever signs in from now on.
    pub(crate) fn set_account(&self, account: FakeAccount) {
        self.inner().account = account;
    }

    pub(crate) fn account(&self) -> FakeAccount {
        self.inner().account.clone()
    }

    /// The next authorization request is refused by the person (`error=access_denied`).
    pub(crate) fn deny_next(&self) {
        self.inner().deny_next = true;
    }

    /// The query of every authorization request, in order.
    pub(crate) fn authorize_requests(&self) -> Vec<BTreeMap<String, String>> {
        self.inner().authorize_requests.clone()
    }

    /// ID tokens issued from now on carry this fault (None: correct again).
    pub(crate) fn set_token_fault(&self, fault: Option<TokenFault>) {
        self.inner().token_fault = fault;
    }

    /// Sign with key2 from now on; the JWKS lists only key2, so a verifier holding the old JWKS
    /// has to fetch it again.
    pub(crate) fn rotate_keys(&self) {
        self.inner().rotated = true;
    }

    /// Every refresh token issued so far stops working, as when the person removes the app's
    /// access in their Google account.
    pub(crate) fn revoke_refresh_tokens(&self) {
        for refresh in self.inner().refresh_tokens.values_mut() {
            refresh.revoked = true;
        }
    }

    /// Tokens posted to the revocation endpoint, in order.
    pub(crate) fn revoked(&self) -> Vec<String> {
        self.inner().revoked.clone()
    }

    /// Every access token issued so far is expired (new ones are fine).
    pub(crate) fn expire_access_tokens(&self) {
        let past = SystemTime::now() - Duration::from_secs(1);
        for access in self.inner().access_tokens.values_mut() {
            access.expires_at = past;
        }
    }

    pub(crate) fn discovery_fetches(&self) -> usize {
        self.inner().discovery_fetches
    }

    pub(crate) fn jwks_fetches(&self) -> usize {
        self.inner().jwks_fetches
    }

    // ---- the Calendar side ----

    /// Create or replace an event (Google's event JSON, with an `id`) in `sub`'s primary calendar.
    pub(crate) fn put_event(&self, sub: &str, mut event: Value) {
        let id = event["id"].as_str().expect("an event needs an id").to_owned();
        let mut inner = self.inner();
        inner.sequence += 1;
        let seq = inner.sequence;
        // Google keeps these itself, whatever the writer sent.
        event["kind"] = json!("calendar#event");
        event["etag"] = json!(format!("\"{seq}\""));
        event["updated"] = json!(now_rfc3339());
        inner.events.entry(sub.to_owned()).or_default().insert(id, Stored { seq, event });
    }

    /// Delete an event: it stays as Google keeps deleted events, `status: "cancelled"` with hardly
    /// anything else (a cancelled occurrence keeps its series and original start).
    pub(crate) fn cancel_event(&self, sub: &str, id: &str) {
        let mut inner = self.inner();
        inner.sequence += 1;
        let seq = inner.sequence;
        let stored = inner
            .events
            .get_mut(sub)
            .and_then(|events| events.get_mut(id))
            .unwrap_or_else(|| panic!("no event {id} for {sub}"));
        let mut cancelled = json!({
            "kind": "calendar#event",
            "etag": format!("\"{seq}\""),
            "id": id,
            "status": "cancelled",
            "updated": now_rfc3339(),
        });
        for kept in ["recurringEventId", "originalStartTime"] {
            if let Some(value) = stored.event.get(kept) {
                cancelled[kept] = value.clone();
            }
        }
        *stored = Stored { seq, event: cancelled };
    }

    /// Sync tokens issued so far answer 410 Gone (Google does this now and then, and after
    /// changes it cannot express incrementally).
    pub(crate) fn invalidate_sync_tokens(&self) {
        self.inner().sync_generation += 1;
    }

    /// The next `n` calendar requests answer 429 with `Retry-After: retry_after_seconds`.
    pub(crate) fn rate_limit_next(&self, n: usize, retry_after_seconds: u64) {
        let mut inner = self.inner();
        inner.rate_limited = n;
        inner.retry_after_seconds = retry_after_seconds;
    }

    /// Pages of at most `n` events, whatever `maxResults` asks, so paging is exercised.
    pub(crate) fn set_page_size(&self, n: usize) {
        self.inner().page_size = Some(n.max(1));
    }

    /// The query of every calendar request, in order.
    pub(crate) fn calendar_requests(&self) -> Vec<BTreeMap<String, String>> {
        self.inner().calendar_requests.clone()
    }

    /// A confirmed event as Google lists it, between two RFC 3339 times.
    pub(crate) fn event(id: &str, summary: &str, start: &str, end: &str) -> Value {
        json!({
            "kind": "calendar#event",
            "id": id,
            "status": "confirmed",
            "htmlLink": format!("https://www.google.com/calendar/event?eid={id}"),
            "created": "2026-01-05T09:00:00.000Z",
            "summary": summary,
            "creator": {"email": "recruiter@acme.example"},
            "organizer": {"email": "recruiter@acme.example"},
            "start": {"dateTime": start},
            "end": {"dateTime": end},
            "iCalUID": format!("{id}@google.com"),
            "sequence": 0,
            "reminders": {"useDefault": true},
            "eventType": "default",
        })
    }

    /// An all-day event from `start_date` to the exclusive `end_date` (`YYYY-MM-DD`).
    pub(crate) fn all_day_event(id: &str, summary: &str, start_date: &str, end_date: &str) -> Value {
        let mut event = Self::event(id, summary, "", "");
        event["start"] = json!({"date": start_date});
        event["end"] = json!({"date": end_date});
        event["transparency"] = json!("transparent");
        event
    }

    /// `event` as an invitation to a Google Meet call, with the account as an attendee.
    pub(crate) fn with_meet(mut event: Value, meeting: &str, me: &str) -> Value {
        let uri = format!("https://meet.google.com/{meeting}");
        event["hangoutLink"] = json!(uri);
        event["conferenceData"] = json!({
            "entryPoints": [
                {"entryPointType": "video", "uri": uri, "label": format!("meet.google.com/{meeting}")},
                {"entryPointType": "more", "uri": format!("https://tel.meet/{meeting}?pin=1234")},
            ],
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
            "conferenceId": meeting,
        });
        event["attendees"] = json!([
            {"email": "recruiter@acme.example", "organizer": true, "responseStatus": "accepted"},
            {"email": me, "self": true, "responseStatus": "needsAction"},
        ]);
        event
    }

    // ---- the relying party's side, for tests that need tokens ----

    /// Sign in as the current account through the real endpoints and return the token
    /// endpoint's answer (`access_token`, `id_token`, `refresh_token` when `offline`).
    pub(crate) async fn sign_in(&self, scope: &str, offline: bool) -> Value {
        let flow = CodeFlow { offline, ..CodeFlow::new(scope) };
        let code = flow.code(self).await.expect("the fake signs in");
        let (status, body) = flow.exchange(self, &code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// An access token that may read the calendar.
    pub(crate) async fn calendar_token(&self) -> String {
        let body = self.sign_in(&format!("openid email {CALENDAR_SCOPE}"), false).await;
        body["access_token"].as_str().unwrap().to_owned()
    }
}

/// The relying party's half of the authorization code flow, by hand (no redirects followed).
pub(crate) struct CodeFlow {
    pub scope: String,
    pub offline: bool,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

impl CodeFlow {
    pub(crate) fn new(scope: &str) -> CodeFlow {
        CodeFlow {
            scope: scope.to_owned(),
            offline: false,
            redirect_uri: "http://127.0.0.1:9/auth/google/callback".into(),
            state: random_token(),
            nonce: random_token(),
            // 43 characters of base64url: the shortest verifier RFC 7636 allows.
            verifier: URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()),
        }
    }

    pub(crate) fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.as_bytes()))
    }

    /// The authorization request's parameters, to send as they are or changed.
    pub(crate) fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![
            ("client_id", FakeGoogle::CLIENT_ID.to_owned()),
            ("response_type", "code".to_owned()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scope.clone()),
            ("state", self.state.clone()),
            ("nonce", self.nonce.clone()),
            ("code_challenge", self.challenge()),
            ("code_challenge_method", "S256".to_owned()),
        ];
        if self.offline {
            params.push(("access_type", "offline".to_owned()));
            params.push(("prompt", "consent".to_owned()));
        }
        params
    }

    /// GET the authorization endpoint with `params`, redirects not followed.
    pub(crate) async fn authorize(fake: &FakeGoogle, params: &[(&str, String)]) -> reqwest::Response {
        let url = url::Url::parse_with_params(&format!("{}/o/oauth2/v2/auth", fake.issuer()), params).unwrap();
        no_redirects().get(url).send().await.unwrap()
    }

    /// The code the redirect back carries, or its query when it carries none (an error).
    pub(crate) async fn code(&self, fake: &FakeGoogle) -> Result<String, BTreeMap<String, String>> {
        let response = Self::authorize(fake, &self.params()).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{:?}", response.text().await);
        let location = url::Url::parse(response.headers()[header::LOCATION].to_str().unwrap()).unwrap();
        let query: BTreeMap<String, String> = location.query_pairs().into_owned().collect();
        assert_eq!(query.get("state"), Some(&self.state), "the state comes back");
        query.get("code").cloned().ok_or(query)
    }

    /// POST the code to the token endpoint (client_secret_post) with this flow's verifier.
    pub(crate) async fn exchange(&self, fake: &FakeGoogle, code: &str) -> (StatusCode, Value) {
        token_request(
            fake,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.redirect_uri),
                ("client_id", FakeGoogle::CLIENT_ID),
                ("client_secret", FakeGoogle::CLIENT_SECRET),
                ("code_verifier", &self.verifier),
            ],
        )
        .await
    }
}

/// POST a form to the token endpoint; its status and JSON.
pub(crate) async fn token_request(fake: &FakeGoogle, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = no_redirects().post(format!("{}/token", fake.issuer())).form(form).send().await.unwrap();
    (response.status(), response.json().await.unwrap())
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

// ---- the OpenID provider ----

async fn discovery(State(state): State<Shared>) -> Json<Value> {
    let mut inner = state.lock().unwrap();
    inner.discovery_fetches += 1;
    let issuer = &inner.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/o/oauth2/v2/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/v1/userinfo"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "jwks_uri": format!("{issuer}/oauth2/v3/certs"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "email", "email_verified", "exp", "iat", "iss", "name", "picture", "sub", "nonce", "azp", "at_hash"],
        "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
    }))
}

async fn jwks(State(state): State<Shared>) -> Response {
    let mut inner = state.lock().unwrap();
    inner.jwks_fetches += 1;
    let published = if inner.rotated { &KEYS[1] } else { &KEYS[0] };
    let mut response = Json(json!({"keys": [published.jwk()]})).into_response();
    // Google lets its keys be cached for hours; a verifier must still refetch on an unknown kid.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=21600"));
    response
}

async fn authorize(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = query_map(query);
    let mut inner = state.lock().unwrap();
    inner.authorize_requests.push(params.clone());
    let param = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());

    // Google shows these on its own page: the redirect URI cannot be trusted with them.
    if param("client_id") != Some(FakeGoogle::CLIENT_ID) {
        return page_error("invalid_client", "The OAuth client was not found.");
    }
    let Some(redirect) = param("redirect_uri").and_then(|uri| url::Url::parse(uri).ok()) else {
        return page_error("redirect_uri_mismatch", "redirect_uri is missing or not an absolute URL.");
    };
    if !matches!(redirect.scheme(), "http" | "https") {
        return page_error("redirect_uri_mismatch", "redirect_uri must be http(s).");
    }
    if param("response_type") != Some("code") {
        return page_error("unsupported_response_type", "Only response_type=code is offered.");
    }
    let Some(scope) = param("scope") else {
        return page_error("invalid_request", "Missing required parameter: scope");
    };
    let Some(client_state) = param("state") else {
        return page_error("invalid_request", "The fake requires a state (CSRF protection of the callback).");
    };
    let Some(challenge) = param("code_challenge") else {
        return page_error("invalid_request", "The fake requires PKCE: code_challenge is missing.");
    };
    if param("code_challenge_method") != Some("S256") {
        return page_error("invalid_request", "The fake requires code_challenge_method=S256.");
    }
    let openid = scope.split(' ').any(|s| s == "openid");
    if openid && param("nonce").is_none() {
        return page_error("invalid_request", "The fake requires a nonce with the openid scope.");
    }

    let mut back = redirect.clone();
    if std::mem::take(&mut inner.deny_next) {
        back.query_pairs_mut().append_pair("error", "access_denied").append_pair("state", client_state);
        return found(&back);
    }
    let code = format!("4/0A{}", random_token());
    inner.next_grant += 1;
    let grant = CodeGrant {
        grant: inner.next_grant,
        client_id: FakeGoogle::CLIENT_ID.to_owned(),
        // As sent: the token request must repeat it exactly.
        redirect_uri: param("redirect_uri").unwrap_or_default().to_owned(),
        challenge: challenge.to_owned(),
        nonce: param("nonce").map(str::to_owned),
        scope: scope.to_owned(),
        offline: param("access_type") == Some("offline"),
        account: inner.account.clone(),
        used: false,
    };
    inner.codes.insert(code.clone(), grant);
    back.query_pairs_mut()
        .append_pair("state", client_state)
        .append_pair("code", &code)
        .append_pair("scope", scope)
        .append_pair("authuser", "0")
        .append_pair("prompt", "consent");
    found(&back)
}

async fn token(State(state): State<Shared>, headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Response {
    let client_id = match client_authentication(&headers, &form) {
        Ok(client_id) => client_id,
        Err((status, error, description)) => return oauth_error(status, error, description),
    };
    let mut inner = state.lock().unwrap();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    match field("grant_type") {
        "authorization_code" => {
            let Some(code) = inner.codes.get_mut(field("code")) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Malformed auth code.");
            };
            if code.used {
                // RFC 6749 §4.1.2: a code used twice may have been stolen; what it gave is withdrawn.
                let grant = code.grant;
                inner.revoked_grants.insert(grant);
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Bad Request");
            }
            // Any attempt uses the code up, so a wrong verifier cannot be retried until one fits.
            code.used = true;
            if code.client_id != client_id {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "The code was issued to another client.");
            }
            if field("redirect_uri") != code.redirect_uri {
                return oauth_error(StatusCode::BAD_REQUEST, "redirect_uri_mismatch", "Bad Request");
            }
            let verifier = field("code_verifier");
            if !(43..=128).contains(&verifier.len())
                || URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != code.challenge
            {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Invalid code verifier.");
            }
            let (grant, account, scope, nonce, offline) =
                (code.grant, code.account.clone(), code.scope.clone(), code.nonce.clone(), code.offline);
            let access_token = inner.issue_access_token(grant, &account, &scope);
            let mut answer = json!({
                "access_token": access_token,
                "expires_in": ACCESS_TOKEN_SECONDS,
                "scope": scope,
                "token_type": "Bearer",
            });
            if has_scope(&scope, "openid") {
                answer["id_token"] = json!(inner.id_token(&account, nonce.as_deref(), &access_token));
            }
            // Google gives a refresh token only to an offline request.
            if offline {
                let refresh_token = format!("1//0{}", random_token());
                let refresh = RefreshGrant { grant, client_id, account, scope, revoked: false };
                inner.refresh_tokens.insert(refresh_token.clone(), refresh);
                answer["refresh_token"] = json!(refresh_token);
            }
            token_answer(answer)
        }
        "refresh_token" => {
            let usable = inner.refresh_tokens.get(field("refresh_token")).filter(|refresh| {
                !refresh.revoked && !inner.revoked_grants.contains(&refresh.grant) && refresh.client_id == client_id
            });
            let Some(refresh) = usable else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Token has been expired or revoked.");
            };
            let (grant, account, scope) = (refresh.grant, refresh.account.clone(), refresh.scope.clone());
            let access_token = inner.issue_access_token(grant, &account, &scope);
            // Like Google: a new access token (and ID token), never a new refresh token.
            let mut answer = json!({
                "access_token": access_token,
                "expires_in": ACCESS_TOKEN_SECONDS,
                "scope": scope,
                "token_type": "Bearer",
            });
            if has_scope(&scope, "openid") {
                answer["id_token"] = json!(inner.id_token(&account, None, &access_token));
            }
            token_answer(answer)
        }
        "" => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Required parameter is missing: grant_type"),
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Invalid grant_type."),
    }
}

/// An OAuth error: status, `error`, `error_description`.
type Refusal = (StatusCode, &'static str, &'static str);

/// The client, authenticated by HTTP Basic (RFC 6749 §2.3.1: form-encoded id and secret) or by
/// `client_id` + `client_secret` in the body; not both.
fn client_authentication(headers: &HeaderMap, form: &HashMap<String, String>) -> Result<String, Refusal> {
    let refused = || (StatusCode::UNAUTHORIZED, "invalid_client", "Unauthorized");
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .map(|encoded| {
            let decoded = STANDARD.decode(encoded.trim()).ok().and_then(|bytes| String::from_utf8(bytes).ok());
            let (id, secret) = decoded.as_deref().and_then(|d| d.split_once(':')).unwrap_or_default();
            (form_decode(id), form_decode(secret))
        });
    let (id, secret) = match (basic, form.get("client_secret")) {
        (Some(_), Some(_)) => {
            return Err((StatusCode::BAD_REQUEST, "invalid_request", "More than one client authentication."))
        }
        (Some((id, secret)), None) => {
            if form.get("client_id").is_some_and(|body_id| *body_id != id) {
                return Err(refused());
            }
            (id, secret)
        }
        (None, Some(secret)) => (form.get("client_id").cloned().unwrap_or_default(), secret.clone()),
        (None, None) => return Err(refused()),
    };
    if id == FakeGoogle::CLIENT_ID && secret == FakeGoogle::CLIENT_SECRET {
        Ok(id)
    } else {
        Err(refused())
    }
}

async fn revoke(State(state): State<Shared>, RawQuery(query): RawQuery, body: String) -> Response {
    // Google takes the token in the body or the query.
    let mut params = query_map(Some(body));
    params.extend(query_map(query));
    let token = params.get("token").cloned().unwrap_or_default();
    let mut inner = state.lock().unwrap();
    inner.revoked.push(token.clone());
    // Revoking either token of a grant ends the whole grant, as at Google.
    let grant = match (inner.access_tokens.get(&token), inner.refresh_tokens.get(&token)) {
        (Some(access), _) => Some(access.grant),
        (_, Some(refresh)) => Some(refresh.grant),
        _ => None,
    };
    match grant.filter(|grant| !inner.revoked_grants.contains(grant)) {
        Some(grant) => {
            inner.revoked_grants.insert(grant);
            Json(json!({})).into_response()
        }
        None => oauth_error(StatusCode::BAD_REQUEST, "invalid_token", "Token expired or revoked"),
    }
}

async fn userinfo(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let inner = state.lock().unwrap();
    let Some(access) = bearer(&headers).and_then(|token| inner.valid_access(token)) else {
        return unauthenticated();
    };
    let account = &access.account;
    Json(json!({
        "sub": account.sub,
        "email": account.email,
        "email_verified": account.email_verified,
        "name": account.name,
        "picture": account.picture,
    }))
    .into_response()
}

impl Inner {
    fn issue_access_token(&mut self, grant: u64, account: &FakeAccount, scope: &str) -> String {
        let token = format!("ya29.a0{}", random_token());
        let expires_at = SystemTime::now() + Duration::from_secs(ACCESS_TOKEN_SECONDS);
        let access = AccessGrant { grant, account: account.clone(), scope: scope.to_owned(), expires_at };
        self.access_tokens.insert(token.clone(), access);
        token
    }

    fn valid_access(&self, token: &str) -> Option<&AccessGrant> {
        self.access_tokens
            .get(token)
            .filter(|access| access.expires_at > SystemTime::now() && !self.revoked_grants.contains(&access.grant))
    }

    fn signing_key(&self) -> &'static Key {
        if self.rotated {
            &KEYS[1]
        } else {
            &KEYS[0]
        }
    }

    /// A signed ID token for `account`, with whatever fault is set.
    fn id_token(&self, account: &FakeAccount, nonce: Option<&str>, access_token: &str) -> String {
        let fault = self.token_fault;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let issued = if fault == Some(TokenFault::Expired) { now - 7200 } else { now };
        let audience = if fault == Some(TokenFault::WrongAudience) {
            "999999-someone-else.apps.googleusercontent.com"
        } else {
            FakeGoogle::CLIENT_ID
        };
        let issuer = if fault == Some(TokenFault::WrongIssuer) {
            "https://accounts.google.com.evil.example"
        } else {
            &self.issuer
        };
        // The access token's hash, as Google sends it: the left half of its SHA-256.
        let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16]);
        let mut claims = json!({
            "iss": issuer,
            "azp": audience,
            "aud": audience,
            "sub": account.sub,
            "email": account.email,
            "email_verified": account.email_verified,
            "at_hash": at_hash,
            "name": account.name,
            "picture": account.picture,
            "iat": issued,
            "exp": issued + 3600,
        });
        match (fault, nonce) {
            (Some(TokenFault::WrongNonce), _) => claims["nonce"] = json!("a-nonce-nobody-sent"),
            (_, Some(nonce)) => claims["nonce"] = json!(nonce),
            _ => {}
        }

        let key = if fault == Some(TokenFault::UnpublishedKey) { &KEYS[2] } else { self.signing_key() };
        let alg = match fault {
            Some(TokenFault::AlgNone) => "none",
            Some(TokenFault::Hs256WithPublicKey) => "HS256",
            _ => "RS256",
        };
        let header = json!({"alg": alg, "kid": key.kid, "typ": "JWT"});
        let signing_input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
        let signature = match fault {
            Some(TokenFault::AlgNone) => Vec::new(),
            Some(TokenFault::Hs256WithPublicKey) => {
                let mut mac = hmac::Hmac::<Sha256>::new_from_slice(public_pem(key).as_bytes()).unwrap();
                mac.update(signing_input.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            _ => {
                let mut signature = key.signing.sign(signing_input.as_bytes()).to_vec();
                if fault == Some(TokenFault::BadSignature) {
                    signature[100] ^= 0x01;
                }
                signature
            }
        };
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// The public key as PEM text (SPKI, `BEGIN PUBLIC KEY`), what an attacker would HMAC with.
fn public_pem(key: &Key) -> String {
    key.public.to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap()
}

// ---- the Calendar API ----

async fn list_events(
    State(state): State<Shared>,
    Path(calendar_id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_map(query);
    let mut inner = state.lock().unwrap();
    inner.calendar_requests.push(query.clone());

    if inner.rate_limited > 0 {
        inner.rate_limited -= 1;
        let mut response =
            google_error(StatusCode::TOO_MANY_REQUESTS, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded");
        response.headers_mut().insert(header::RETRY_AFTER, inner.retry_after_seconds.into());
        return response;
    }
    let Some(access) = bearer(&headers).and_then(|token| inner.valid_access(token)) else {
        return unauthenticated();
    };
    if !access.scope.split(' ').any(|scope| CALENDAR_SCOPES.contains(&scope)) {
        return google_error(
            StatusCode::FORBIDDEN,
            "global",
            "insufficientPermissions",
            "Request had insufficient authentication scopes.",
        );
    }
    let account = access.account.clone();
    if calendar_id != "primary" && calendar_id != account.email {
        return google_error(StatusCode::NOT_FOUND, "global", "notFound", "Not Found");
    }

    let sync_token = query.get("syncToken");
    const NOT_WITH_SYNC_TOKEN: [&str; 6] = ["timeMin", "timeMax", "orderBy", "q", "updatedMin", "iCalUID"];
    if sync_token.is_some() && NOT_WITH_SYNC_TOKEN.iter().any(|name| query.contains_key(*name)) {
        // The wording is the fake's; the status and shape are Google's.
        return bad_request(
            "The syncToken cannot be combined with timeMin, timeMax, orderBy, q, updatedMin or iCalUID.",
        );
    }
    let max_results = match query.get("maxResults").map(|n| n.parse::<usize>()) {
        None => DEFAULT_PAGE_SIZE,
        Some(Ok(n)) if (1..=2500).contains(&n) => n,
        Some(_) => return bad_request("Invalid value for maxResults."),
    };
    let page_size = inner.page_size.unwrap_or(max_results);
    let window = match (time_param(&query, "timeMin"), time_param(&query, "timeMax")) {
        (Ok(min), Ok(max)) => (min, max),
        _ => return bad_request("Bad timeMin or timeMax: RFC 3339 with an offset is required."),
    };
    let show_deleted = query.get("showDeleted").map(String::as_str) == Some("true");

    let page = match query.get("pageToken") {
        Some(token) => match decode_opaque::<PageToken>(token) {
            Some(page) => page,
            None => return bad_request("Invalid pageToken."),
        },
        None => {
            let since = match sync_token {
                None => None,
                Some(token) => match decode_opaque::<(u64, u64)>(token) {
                    Some(since) => Some(since),
                    None => return bad_request("Invalid syncToken value."),
                },
            };
            PageToken { snapshot: inner.sequence, after: 0, since }
        }
    };
    if page.since.is_some_and(|(generation, _)| generation != inner.sync_generation) {
        return google_error(
            StatusCode::GONE,
            "global",
            "fullSyncRequired",
            "Sync token is no longer valid, a full sync is required.",
        );
    }

    let mut listed: Vec<&Stored> = inner
        .events
        .get(&account.sub)
        .into_iter()
        .flat_map(|events| events.values())
        .filter(|stored| stored.seq > page.after && stored.seq <= page.snapshot)
        .filter(|stored| match page.since {
            // Changes: everything written since, deleted events included.
            Some((_, since)) => stored.seq > since,
            None => {
                let cancelled = stored.event["status"].as_str() == Some("cancelled");
                (show_deleted || !cancelled) && overlaps(&stored.event, window)
            }
        })
        .collect();
    listed.sort_by_key(|stored| stored.seq);
    let more = listed.len() > page_size;
    listed.truncate(page_size);

    let mut answer = json!({
        "kind": "calendar#events",
        "etag": format!("\"p{}\"", inner.sequence),
        "summary": account.email,
        "description": "",
        "updated": now_rfc3339(),
        "timeZone": "UTC",
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": listed.iter().map(|stored| stored.event.clone()).collect::<Vec<_>>(),
    });
    if more {
        let after = listed.last().map_or(page.after, |stored| stored.seq);
        answer["nextPageToken"] = json!(encode_opaque(&PageToken { after, ..page }));
    } else {
        answer["nextSyncToken"] = json!(encode_opaque(&(inner.sync_generation, page.snapshot)));
    }
    Json(answer).into_response()
}

/// timeMin / timeMax: absent, or RFC 3339 with an offset (Google refuses one without).
fn time_param(query: &BTreeMap<String, String>, name: &str) -> Result<Option<jiff::Timestamp>, ()> {
    query.get(name).map(|value| jiff::Timestamp::from_str(value).map_err(|_| ())).transpose()
}

/// Whether the event ends after timeMin and starts before timeMax (Google's rule). An all-day
/// event's dates count from midnight UTC here.
fn overlaps(event: &Value, (min, max): (Option<jiff::Timestamp>, Option<jiff::Timestamp>)) -> bool {
    let instant = |time: &Value| -> Option<jiff::Timestamp> {
        if let Some(at) = time["dateTime"].as_str() {
            return jiff::Timestamp::from_str(at).ok();
        }
        let date = jiff::civil::Date::from_str(time["date"].as_str()?).ok()?;
        date.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|zoned| zoned.timestamp())
    };
    let (start, end) = (instant(&event["start"]), instant(&event["end"]));
    let ends_after_min = match (min, end) {
        (Some(min), Some(end)) => end > min,
        (Some(_), None) => false,
        (None, _) => true,
    };
    let starts_before_max = match (max, start) {
        (Some(max), Some(start)) => start < max,
        (Some(_), None) => false,
        (None, _) => true,
    };
    ends_after_min && starts_before_max
}

// ---- answers ----

fn found(location: &url::Url) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_string())]).into_response()
}

/// An error Google shows the person instead of redirecting.
fn page_error(error: &str, description: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": error, "error_description": description}))).into_response()
}

/// RFC 6749 §5.2, as Google's token endpoint answers.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (status, Json(json!({"error": error, "error_description": description}))).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"oauth2\""));
    }
    response
}

fn token_answer(answer: Value) -> Response {
    let mut response = Json(answer).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache, no-store, max-age=0, must-revalidate"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Google's API error body: `{"error": {"errors": [{domain, reason, message}], code, message}}`.
fn google_error(status: StatusCode, domain: &str, reason: &str, message: &str) -> Response {
    let body = json!({
        "error": {
            "errors": [{"domain": domain, "reason": reason, "message": message}],
            "code": status.as_u16(),
            "message": message,
        }
    });
    (status, Json(body)).into_response()
}

fn bad_request(message: &str) -> Response {
    google_error(StatusCode::BAD_REQUEST, "global", "badRequest", message)
}

/// What Google answers an API call without a valid access token.
fn unauthenticated() -> Response {
    let message = "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.";
    let body = json!({
        "error": {
            "code": 401,
            "message": message,
            "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}],
            "status": "UNAUTHENTICATED",
        }
    });
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""),
    );
    response
}

// ---- small helpers ----

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

fn has_scope(scope: &str, wanted: &str) -> bool {
    scope.split(' ').any(|s| s == wanted)
}

fn query_map(query: Option<String>) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect()
}

fn form_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

/// Page and sync tokens look opaque, as Google's do; inside they are JSON.
fn encode_opaque<T: serde::Serialize>(value: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn decode_opaque<T: serde::de::DeserializeOwned>(token: &str) -> Option<T> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token).ok()?).ok()
}

fn now_rfc3339() -> String {
    // Google writes milliseconds: 2026-11-02T09:00:00.000Z.
    format!("{:.3}", jiff::Timestamp::now())
}

// ---- the fake's own tests: what the sign-in code will rely on ----

mod tests {
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier as _;

    use super::*;

    /// Why a careful relying party refuses an ID token.
    #[derive(Debug, PartialEq)]
    enum Refused {
        Algorithm,
        UnknownKey,
        Signature,
        Issuer,
        Audience,
        Expired,
        Nonce,
    }

    /// The checks OpenID Connect Core §3.1.3.7 asks of a client, written out so the fake's tokens
    /// are judged by something other than the fake.
    fn verify(id_token: &str, jwks: &Value, issuer: &str, nonce: &str) -> Result<Value, Refused> {
        let parts: Vec<&str> = id_token.split('.').collect();
        assert_eq!(parts.len(), 3, "a JWS in compact form: {id_token}");
        let header = decode_json(parts[0]);
        // The algorithm is the client's choice, never the token's.
        if header["alg"] != "RS256" {
            return Err(Refused::Algorithm);
        }
        let jwk = jwks["keys"].as_array().unwrap().iter().find(|key| key["kid"] == header["kid"]);
        let public = public_key(jwk.ok_or(Refused::UnknownKey)?);
        let signature = Signature::try_from(URL_SAFE_NO_PAD.decode(parts[2]).unwrap().as_slice())
            .map_err(|_| Refused::Signature)?;
        VerifyingKey::<Sha256>::new(public)
            .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
            .map_err(|_| Refused::Signature)?;
        let claims = decode_json(parts[1]);
        if claims["iss"] != issuer {
            return Err(Refused::Issuer);
        }
        if claims["aud"] != FakeGoogle::CLIENT_ID {
            return Err(Refused::Audience);
        }
        if claims["exp"].as_u64().unwrap() <= SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() {
            return Err(Refused::Expired);
        }
        if claims["nonce"] != nonce {
            return Err(Refused::Nonce);
        }
        Ok(claims)
    }

    fn decode_json(part: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    fn public_key(jwk: &Value) -> rsa::RsaPublicKey {
        let number =
            |name: &str| rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap());
        rsa::RsaPublicKey::new(number("n"), number("e")).unwrap()
    }

    async fn get_json(url: String) -> Value {
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    async fn jwks_of(fake: &FakeGoogle) -> Value {
        get_json(format!("{}/oauth2/v3/certs", fake.issuer())).await
    }

    /// A code flow that stops at the ID token: the flow, for its nonce, and the token.
    async fn id_token_of(fake: &FakeGoogle) -> (CodeFlow, String) {
        let flow = CodeFlow::new("openid email profile");
        let code = flow.code(fake).await.unwrap();
        let (status, body) = flow.exchange(fake, &code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (flow, body["id_token"].as_str().unwrap().to_owned())
    }

    async fn userinfo_status(fake: &FakeGoogle, access_token: &str) -> StatusCode {
        let url = format!("{}/v1/userinfo", fake.issuer());
        reqwest::Client::new().get(url).bearer_auth(access_token).send().await.unwrap().status()
    }

    #[tokio::test]
    async fn fake_google_discovery_names_every_endpoint_on_the_issuer() {
        let fake = FakeGoogle::start().await;
        let issuer = fake.issuer();
        let document = get_json(format!("{issuer}/.well-known/openid-configuration")).await;
        assert_eq!(document["issuer"], issuer);
        assert_eq!(document["authorization_endpoint"], format!("{issuer}/o/oauth2/v2/auth"));
        assert_eq!(document["token_endpoint"], format!("{issuer}/token"));
        assert_eq!(document["jwks_uri"], format!("{issuer}/oauth2/v3/certs"));
        assert_eq!(document["revocation_endpoint"], format!("{issuer}/revoke"));
        assert_eq!(document["userinfo_endpoint"], format!("{issuer}/v1/userinfo"));
        assert_eq!(document["id_token_signing_alg_values_supported"], json!(["RS256"]));
        assert_eq!(document["code_challenge_methods_supported"], json!(["plain", "S256"]));
        assert_eq!(fake.discovery_fetches(), 1);

        let jwks = jwks_of(&fake).await;
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!((keys[0]["kid"].as_str(), keys[0]["kty"].as_str()), (Some("key1"), Some("RSA")));
        assert_eq!(keys[0]["e"], "AQAB", "65537, base64url without padding");
        assert_eq!(fake.jwks_fetches(), 1);
    }

    #[tokio::test]
    async fn fake_google_signs_a_person_in_with_an_id_token_the_published_key_verifies() {
        let fake = FakeGoogle::start().await;
        let (flow, id_token) = id_token_of(&fake).await;

        let header = decode_json(id_token.split('.').next().unwrap());
        assert_eq!(header, json!({"alg": "RS256", "kid": "key1", "typ": "JWT"}));
        let claims = verify(&id_token, &jwks_of(&fake).await, &fake.issuer(), &flow.nonce).unwrap();
        let ada = FakeAccount::default();
        assert_eq!(claims["sub"], ada.sub);
        assert_eq!(claims["email"], ada.email);
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["name"], ada.name);
        assert_eq!(claims["picture"], ada.picture);
        assert_eq!(claims["azp"], FakeGoogle::CLIENT_ID);
        assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 3600);

        // The authorization request was recorded as sent.
        let requests = fake.authorize_requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0]["nonce"], flow.nonce);
        assert_eq!(requests[0]["code_challenge"], flow.challenge());
        assert_eq!(requests[0]["code_challenge_method"], "S256");
    }

    #[tokio::test]
    async fn fake_google_token_faults_each_break_the_check_they_name() {
        let fake = FakeGoogle::start().await;
        let jwks = jwks_of(&fake).await;
        let cases = [
            (TokenFault::WrongAudience, Refused::Audience),
            (TokenFault::WrongIssuer, Refused::Issuer),
            (TokenFault::Expired, Refused::Expired),
            (TokenFault::AlgNone, Refused::Algorithm),
            (TokenFault::Hs256WithPublicKey, Refused::Algorithm),
            (TokenFault::WrongNonce, Refused::Nonce),
            (TokenFault::UnpublishedKey, Refused::UnknownKey),
            (TokenFault::BadSignature, Refused::Signature),
        ];
        for (fault, refused) in cases {
            fake.set_token_fault(Some(fault));
            let (flow, id_token) = id_token_of(&fake).await;
            assert_eq!(verify(&id_token, &jwks, &fake.issuer(), &flow.nonce).unwrap_err(), refused, "{fault:?}");

            let parts: Vec<&str> = id_token.split('.').collect();
            match fault {
                TokenFault::AlgNone => assert_eq!(parts[2], "", "no signature at all"),
                // The real attack: a verifier that lets the token pick HMAC and keys it with the
                // public key it holds would accept this.
                TokenFault::Hs256WithPublicKey => {
                    let public_pem =
                        public_key(&jwks["keys"][0]).to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
                    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(public_pem.as_bytes()).unwrap();
                    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
                    mac.verify_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).expect("HMAC with the public PEM");
                }
                TokenFault::UnpublishedKey => assert_eq!(decode_json(parts[0])["kid"], "key3"),
                _ => {}
            }
        }
        fake.set_token_fault(None);
        let (flow, id_token) = id_token_of(&fake).await;
        assert!(verify(&id_token, &jwks, &fake.issuer(), &flow.nonce).is_ok(), "correct again");
    }

    #[tokio::test]
    async fn fake_google_after_rotation_only_a_fresh_jwks_verifies_new_tokens() {
        let fake = FakeGoogle::start().await;
        let old_jwks = jwks_of(&fake).await;
        fake.rotate_keys();
        let (flow, id_token) = id_token_of(&fake).await;

        assert_eq!(decode_json(id_token.split('.').next().unwrap())["kid"], "key2");
        assert_eq!(verify(&id_token, &old_jwks, &fake.issuer(), &flow.nonce).unwrap_err(), Refused::UnknownKey);
        let new_jwks = jwks_of(&fake).await;
        let kids: Vec<&str> = new_jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(kids, ["key2"]);
        assert!(verify(&id_token, &new_jwks, &fake.issuer(), &flow.nonce).is_ok());
        assert_eq!(fake.jwks_fetches(), 2);
    }

    #[tokio::test]
    async fn fake_google_refuses_a_verifier_that_does_not_match_and_burns_the_code() {
        let fake = FakeGoogle::start().await;
        let flow = CodeFlow::new("openid email");
        let code = flow.code(&fake).await.unwrap();

        // Someone who intercepted the code, with a verifier of their own.
        let stolen = CodeFlow { verifier: CodeFlow::new("openid").verifier, ..CodeFlow::new("openid email") };
        let (status, body) = stolen.exchange(&fake, &code).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));

        // The rightful owner comes too late: one attempt per code.
        let (status, body) = flow.exchange(&fake, &code).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    }

    #[tokio::test]
    async fn fake_google_a_code_works_once_and_a_second_use_withdraws_what_it_gave() {
        let fake = FakeGoogle::start().await;
        let flow = CodeFlow::new("openid email");
        let code = flow.code(&fake).await.unwrap();

        let (status, first) = flow.exchange(&fake, &code).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["token_type"], "Bearer");
        assert_eq!(first["expires_in"], 3599);
        assert_eq!(first["scope"], "openid email");
        assert!(first.get("refresh_token").is_none(), "not an offline request");
        let access_token = first["access_token"].as_str().unwrap();
        assert_eq!(userinfo_status(&fake, access_token).await, StatusCode::OK);

        let (status, again) = flow.exchange(&fake, &code).await;
        assert_eq!((status, again["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
        assert_eq!(userinfo_status(&fake, access_token).await, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn fake_google_gives_refresh_tokens_to_offline_requests_and_honours_their_revocation() {
        let fake = FakeGoogle::start().await;
        let tokens = fake.sign_in("openid email", true).await;
        let refresh_token = tokens["refresh_token"].as_str().expect("offline: a refresh token").to_owned();

        // Client authentication by HTTP Basic this time.
        let refresh = || async {
            let response = reqwest::Client::new()
                .post(format!("{}/token", fake.issuer()))
                .basic_auth(FakeGoogle::CLIENT_ID, Some(FakeGoogle::CLIENT_SECRET))
                .form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh_token)])
                .send()
                .await
                .unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        };
        let (status, renewed) = refresh().await;
        assert_eq!(status, StatusCode::OK, "{renewed}");
        assert_ne!(renewed["access_token"], tokens["access_token"]);
        assert!(renewed.get("refresh_token").is_none(), "Google keeps the refresh token it gave");
        let claims = decode_json(renewed["id_token"].as_str().unwrap().split('.').nth(1).unwrap());
        assert_eq!(claims["sub"], FakeAccount::default().sub);

        fake.revoke_refresh_tokens();
        let (status, refused) = refresh().await;
        assert_eq!((status, refused["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));

        // Revocation through the endpoint ends the grant: its access tokens go with it.
        let tokens = fake.sign_in("openid email", true).await;
        let access_token = tokens["access_token"].as_str().unwrap();
        let response = reqwest::Client::new()
            .post(format!("{}/revoke", fake.issuer()))
            .form(&[("token", tokens["refresh_token"].as_str().unwrap())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(fake.revoked(), [tokens["refresh_token"].as_str().unwrap()]);
        assert_eq!(userinfo_status(&fake, access_token).await, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn fake_google_authorization_refuses_what_a_careful_client_never_sends() {
        let fake = FakeGoogle::start().await;
        let flow = CodeFlow::new("openid email");
        let without = |name: &str| flow.params().into_iter().filter(|(k, _)| *k != name).collect::<Vec<_>>();
        let with = |name: &'static str, value: &str| {
            let mut params = without(name);
            params.push((name, value.to_owned()));
            params
        };
        for (why, params) in [
            ("no nonce", without("nonce")),
            ("no state", without("state")),
            ("no PKCE", without("code_challenge")),
            ("plain PKCE", with("code_challenge_method", "plain")),
            ("another client", with("client_id", "someone-else")),
            ("implicit flow", with("response_type", "id_token")),
        ] {
            let response = CodeFlow::authorize(&fake, &params).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{why}");
        }

        fake.deny_next();
        assert_eq!(flow.code(&fake).await.unwrap_err()["error"], "access_denied");
        assert!(flow.code(&fake).await.is_ok(), "only the next one is denied");
    }

    #[tokio::test]
    async fn fake_google_authenticates_the_client_and_matches_the_redirect_uri() {
        let fake = FakeGoogle::start().await;
        let flow = CodeFlow::new("openid");
        let code = flow.code(&fake).await.unwrap();
        let exchange = |secret: &'static str, redirect_uri: String| {
            let form = [
                ("grant_type", "authorization_code".to_owned()),
                ("code", code.clone()),
                ("redirect_uri", redirect_uri),
                ("client_id", FakeGoogle::CLIENT_ID.to_owned()),
                ("client_secret", secret.to_owned()),
                ("code_verifier", flow.verifier.clone()),
            ];
            let fake = &fake;
            async move { token_request(fake, &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
        };
        let (status, body) = exchange("not-the-secret", flow.redirect_uri.clone()).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
        // Two ways of authenticating at once is one too many (RFC 6749 §2.3).
        let both = reqwest::Client::new()
            .post(format!("{}/token", fake.issuer()))
            .basic_auth(FakeGoogle::CLIENT_ID, Some(FakeGoogle::CLIENT_SECRET))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_secret", FakeGoogle::CLIENT_SECRET),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(both.status(), StatusCode::BAD_REQUEST);
        assert_eq!(both.json::<Value>().await.unwrap()["error"], "invalid_request");
        // A refused client never reaches the code, which is still good until a real attempt.
        let (status, body) = exchange(FakeGoogle::CLIENT_SECRET, "http://127.0.0.1:9/elsewhere".into()).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("redirect_uri_mismatch")));
        let (status, body) = exchange(FakeGoogle::CLIENT_SECRET, flow.redirect_uri.clone()).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "used up");
    }

    #[tokio::test]
    async fn fake_google_userinfo_answers_for_the_account_signed_in() {
        let fake = FakeGoogle::start().await;
        let grace = FakeAccount {
            sub: "2001".into(),
            email: "grace@example.org".into(),
            email_verified: false,
            name: "Grace Hopper".into(),
            picture: String::new(),
        };
        fake.set_account(grace.clone());
        let tokens = fake.sign_in("openid email profile", false).await;
        let response = reqwest::Client::new()
            .get(format!("{}/v1/userinfo", fake.issuer()))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        let info: Value = response.json().await.unwrap();
        assert_eq!((info["sub"].as_str(), info["email"].as_str()), (Some("2001"), Some("grace@example.org")));
        assert_eq!(info["email_verified"], false);
        assert_eq!(userinfo_status(&fake, "ya29.made-up").await, StatusCode::UNAUTHORIZED);
    }
}
