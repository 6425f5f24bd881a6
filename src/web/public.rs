//! Public pages, all opt-in: a person's resume at `/u/{username}`, their public journal and its
//! Atom feed, and what helps others find them (sitemap, robots.txt, llms.txt, structured data)
//! only when they allow indexing. Anything not turned on answers 404, the same as a page that
//! never existed; turning a switch off takes effect on the next request.

use askama::Template;
use std::sync::Arc;

use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, USER_AGENT, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::db::career::{Achievement, Certification, Education, Experience, Project, Skill};
use crate::db::journal::JournalEntry;
use crate::db::labels::{self, Label};
use crate::db::lists::{Audience, ListFilter};
use crate::db::profiles::{self, ContactDetails, PublicProfile};
use crate::db::{bluesky, career, journal, lists, public_versions};
use crate::domain::fields::name_key;
use crate::domain::markdown;
use crate::domain::UserId;
use crate::page_cache::{Encoding, Page, PageKey, Scope};
use crate::services::analytics::{self, ContentKind, View};
use crate::services::records::kinds::Journal;
use crate::services::records::{attach_labels, RecordType};
use crate::services::resume_export::ResumeRecords;
use crate::state::AppState;
use crate::web::assets;
use crate::web::client::ClientAddr;
use crate::web::error::{AppError, AppResult};
use crate::web::respond::render;
use crate::web::session::{cookie_value, CookiePolicy, Visitor};
use crate::web::{request_id, security};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/u/{username}", get(resume))
        .route("/resume", get(resume_preview))
        .route("/u/{username}/journal", get(journal))
        .route("/u/{username}/journal.atom", get(feed))
        .route("/u/{username}/journal/{slug}", get(entry))
        .route("/.well-known/site.standard.publication/u/{username}/journal", get(publication_verification))
        .route("/sitemap.xml", get(sitemap))
        .route("/robots.txt", get(robots))
        .route("/llms.txt", get(llms))
}

/// What the head of a public page says about it.
pub struct PublicMeta {
    pub title: String,
    pub description: String,
    /// Absolute URL of this page.
    pub canonical: String,
    pub indexable: bool,
    /// schema.org JSON-LD, only when the owner allows indexing.
    pub json_ld: Option<String>,
    /// Absolute URL of the Atom feed, on journal pages.
    pub feed: Option<String>,
    pub og_type: &'static str,
    pub image: Option<String>,
    pub css_url: &'static str,
    pub icon_url: &'static str,
    /// Public pages run no script; the owner's preview does (its print button, the theme).
    pub js_url: Option<&'static str>,
    /// The journal's standard.site publication record (AT-URI): a discovery hint on its pages.
    pub publication: Option<String>,
    /// The entry's standard.site document record (AT-URI): how the record is verified.
    pub document: Option<String>,
}

impl PublicMeta {
    fn new(state: &AppState, owner: &PublicProfile, title: String, description: String, path: &str) -> Self {
        let assets = assets::urls();
        PublicMeta {
            title,
            description,
            canonical: absolute(state, path),
            indexable: owner.allow_indexing.get(),
            json_ld: None,
            feed: owner.journal_public.get().then(|| absolute(state, &format!("/u/{}/journal.atom", owner.username))),
            og_type: "profile",
            image: owner.photo_url().map(|p| absolute(state, &p)),
            css_url: assets.css,
            icon_url: assets.icon,
            js_url: None,
            publication: None,
            document: None,
        }
    }

    fn with_publication(mut self, uri: Option<String>) -> Self {
        self.publication = uri;
        self
    }

    fn with_json_ld(mut self, value: serde_json::Value) -> Self {
        if self.indexable {
            // `<` never appears raw, so the data can't close its <script> element.
            self.json_ld = Some(value.to_string().replace('<', "\\u003c"));
        }
        self
    }
}

fn absolute(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.base_url.as_str().trim_end_matches('/'))
}

/// The owner of a public page, if that page is turned on; otherwise 404.
async fn find_owner(state: &AppState, username: &str, page_on: fn(&PublicProfile) -> bool) -> AppResult<PublicProfile> {
    if crate::domain::fields::username(username).is_err() {
        return Err(AppError::NotFound);
    }
    match profiles::find_by_username(state.db.pool(), username).await? {
        Some(owner) if page_on(&owner) => Ok(owner),
        _ => Err(AppError::NotFound),
    }
}

/// Count a view of `owner`'s public page at `path`, unless a robot, a prefetch or the owner
/// made it.
fn count_view(
    state: &AppState,
    request: &ViewRequest,
    owner: &UserId,
    kind: ContentKind,
    path: impl FnOnce() -> String,
) {
    let Some(reader) = &request.reader else { return };
    if request.visitor_id.as_ref() == Some(owner) {
        return;
    }
    let path = path();
    state.analytics.record(View {
        owner_id: owner.clone(),
        kind,
        path,
        address: reader.address,
        user_agent: reader.user_agent.clone(),
        referrer: reader.referrer.clone(),
        at: state.clock.now(),
    });
}

/// Who is asking for a public page, as far as counting the view needs to know.
pub struct ViewRequest {
    visitor_id: Option<UserId>,
    /// `None` when no person is reading: a robot, a prefetch, a link checker's HEAD.
    reader: Option<Reader>,
}

struct Reader {
    address: std::net::IpAddr,
    user_agent: String,
    referrer: Option<String>,
}

impl axum::extract::FromRequestParts<AppState> for ViewRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> Result<Self, AppError> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        let visitor_id = visitor.user().map(|u| u.id.clone());
        Ok(ViewRequest::of(&parts.method, &parts.headers, &parts.extensions, state, visitor_id))
    }
}

impl ViewRequest {
    fn of(
        method: &Method,
        headers: &HeaderMap,
        extensions: &axum::http::Extensions,
        state: &AppState,
        visitor_id: Option<UserId>,
    ) -> Self {
        let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let is_person = method != Method::HEAD
            && !analytics::is_bot(user_agent)
            && !analytics::is_prefetch(|name| headers.get(name).and_then(|v| v.to_str().ok()));
        if !is_person {
            return ViewRequest { visitor_id, reader: None };
        }
        let reader = Reader {
            user_agent: user_agent.chars().take(500).collect(),
            referrer: analytics::clean_referrer(
                headers.get(axum::http::header::REFERER).and_then(|v| v.to_str().ok()),
                &state.base_url,
            ),
            address: ClientAddr::of(headers, extensions, state).0,
        };
        ViewRequest { visitor_id, reader: Some(reader) }
    }
}

const HTML: &str = "text/html; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Which public page of an owner is asked for: what is counted as a view, and the key it is
/// kept under in the render cache.
struct OwnerPage<'a> {
    /// The username as asked (checked before anything is read).
    username: &'a str,
    /// Whether the page is on, from the owner's switches.
    page_on: fn(&PublicProfile) -> bool,
    kind: ContentKind,
    content_type: &'static str,
    /// What else picks the page: slug, label, page number.
    parts: &'a [&'a str],
}

impl<'a> OwnerPage<'a> {
    /// The resume of `username`, narrowed to a label when `label` is not empty.
    fn resume(username: &'a str, label: &'a &'a str) -> Self {
        OwnerPage {
            username,
            page_on: |p| p.resume_public.get(),
            kind: ContentKind::Resume,
            content_type: HTML,
            parts: std::slice::from_ref(label),
        }
    }

    /// The path a view of it is counted under (the username as stored: lower case).
    fn view_path(&self) -> String {
        let username = self.username.to_ascii_lowercase();
        match self.kind {
            ContentKind::Resume => format!("/u/{username}"),
            ContentKind::Journal => format!("/u/{username}/journal"),
            ContentKind::Feed => format!("/u/{username}/journal.atom"),
            ContentKind::Entry => format!("/u/{username}/journal/{}", self.parts.first().copied().unwrap_or_default()),
        }
    }

    fn key(&self) -> PageKey {
        let username = self.username.to_ascii_lowercase();
        let mut parts = vec![self.kind.as_str(), username.as_str()];
        parts.extend_from_slice(self.parts);
        PageKey::new(&parts)
    }
}

/// Serve one of an owner's public pages: from the render cache while what it shows is unchanged,
/// else rendered by `render` (given the owner) and kept. A view is counted either way.
async fn serve_owner_page<F, Fut>(
    state: &AppState,
    request: &ViewRequest,
    headers: &HeaderMap,
    page: OwnerPage<'_>,
    render: F,
) -> AppResult<Response>
where
    F: FnOnce(PublicProfile) -> Fut,
    Fut: std::future::Future<Output = AppResult<String>>,
{
    if crate::domain::fields::username(page.username).is_err() {
        return Err(AppError::NotFound);
    }
    let key = page.key();
    if let Some(kept) = state.page_cache.current(&key).await {
        if let Scope::Owner(owner) = &kept.scope {
            count_view(state, request, owner, page.kind, || page.view_path());
        }
        return Ok(cached_response(&kept, headers));
    }
    // The count is read before anything the page shows: a write after it bumps the count, so a
    // page that missed the write is never taken for current.
    let found = public_versions::of_username(state.db.pool(), page.username).await?;
    let owner = match found {
        Some(_) => find_owner(state, page.username, page.page_on).await,
        None => Err(AppError::NotFound),
    };
    let owner = match owner {
        Ok(owner) => owner,
        Err(error) => {
            state.page_cache.forget(&key);
            return Err(error);
        }
    };
    // The name may have passed to someone else between the two reads: then the count is not
    // this owner's, and the page is served but not kept (count 0 is never kept).
    let version = match found {
        Some((counted, version)) if counted == owner.user_id => version,
        _ => 0,
    };
    let owner_id = owner.user_id.clone();
    let noindex = !owner.allow_indexing.get();
    let body = render(owner).await?;
    count_view(state, request, &owner_id, page.kind, || page.view_path());
    let kept = build_page(Scope::Owner(owner_id), version, page.content_type, noindex, body).await?;
    state.page_cache.keep(key, kept.clone());
    Ok(cached_response(&kept, headers))
}

/// A signed-out `GET /u/{username}` (no query) whose page the render cache holds, current, is
/// answered here, before routing and the layers that only matter when handler code runs (the
/// deadline, error pages, caught panics, the session, CSRF); `None` sends the request on to the
/// router. The answer is the route's own: the same bytes and headers (security ones included),
/// the view counted, the request timed in the metrics under the route's template, its id on the
/// response and its log line.
pub async fn kept_resume<B>(state: &AppState, request: &axum::http::Request<B>) -> Option<Response> {
    let started = Instant::now();
    if request.method() != Method::GET || request.uri().query().is_some() {
        return None;
    }
    let path = request.uri().path();
    let username = path.strip_prefix("/u/").filter(|name| crate::domain::fields::username(name).is_ok())?;
    if cookie_value(request.headers(), CookiePolicy::of(state).session_name).is_some() {
        return None;
    }
    let no_label = "";
    let page = OwnerPage::resume(username, &no_label);
    let kept = state.page_cache.current(&page.key()).await?;
    let Scope::Owner(owner) = &kept.scope else { return None };

    let id = request_id::fresh();
    let span = request_id::request_span(&id, "GET", path);
    let view = ViewRequest::of(request.method(), request.headers(), request.extensions(), state, None);
    count_view(state, &view, owner, page.kind, || page.view_path());
    let mut response = cached_response(&kept, request.headers());
    security::apply(state, response.headers_mut());
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.observe_request("GET", Some("/u/{username}"), response.status().as_u16(), seconds);
    let _in_request = span.enter();
    Some(request_id::answered(&id, started, response))
}

/// A page nobody owns (the sitemap, robots.txt, llms.txt), cached the same way.
async fn serve_site_page<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    scope: Scope,
    name: &str,
    content_type: &'static str,
    render: F,
) -> AppResult<Response>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<String>>,
{
    let key = PageKey::new(&["site", name]);
    if let Some(kept) = state.page_cache.current(&key).await {
        return Ok(cached_response(&kept, headers));
    }
    let version = state.page_cache.version(&scope).await.unwrap_or(0);
    let body = render().await?;
    let kept = build_page(scope, version, content_type, false, body).await?;
    state.page_cache.keep(key, kept.clone());
    Ok(cached_response(&kept, headers))
}

/// Compress and fingerprint a rendered page, off the async runtime.
async fn build_page(
    scope: Scope,
    version: i64,
    content_type: &'static str,
    noindex: bool,
    body: String,
) -> AppResult<Arc<Page>> {
    let page = tokio::task::spawn_blocking(move || Page::build(scope, version, content_type, noindex, body.into()))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("compressing a public page: {e}")))?;
    Ok(Arc::new(page))
}

/// The page in the best encoding the client takes, or 304 when the client's copy is current.
/// Public pages may be stored by browsers and proxies, but only to be revalidated each time:
/// an owner who turns a page off is obeyed on the next request.
fn cached_response(page: &Page, headers: &HeaderMap) -> Response {
    let encoding = preferred_encoding(headers);
    let etag = page.etag(encoding);
    let unchanged = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || page.is_named_by(tag, encoding));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = page.body(encoding).into_response();
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(page.content_type));
        if let Some(coding) = encoding.header() {
            response.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(ETAG, etag);
    }
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
    if page.noindex {
        headers.insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    }
    response
}

/// brotli, else gzip, else none, as `Accept-Encoding` allows (a coding with `q=0` is refused).
fn preferred_encoding(headers: &HeaderMap) -> Encoding {
    let mut gzip = false;
    for value in headers.get_all(ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match coding.as_str() {
                "br" => return Encoding::Brotli,
                "gzip" | "x-gzip" => gzip = true,
                _ => {}
            }
        }
    }
    if gzip {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

fn person(state: &AppState, owner: &PublicProfile) -> serde_json::Value {
    let mut person = serde_json::json!({
        "@type": "Person",
        "name": owner.name(),
        "url": absolute(state, &owner.home_path()),
    });
    if !owner.job_title.is_empty() {
        person["jobTitle"] = owner.job_title.clone().into();
    }
    if !owner.region.is_empty() {
        person["address"] = serde_json::json!({ "@type": "PostalAddress", "addressRegion": owner.region });
    }
    if !owner.bio.is_empty() {
        person["description"] = owner.bio.clone().into();
    }
    if let Some(photo) = owner.photo_url() {
        person["image"] = absolute(state, &photo).into();
    }
    // Contact details only as the owner shows them publicly (never the private ones).
    let contact = owner.contact_details(false);
    if let Some(email) = &contact.email {
        person["email"] = email.clone().into();
    }
    if let Some(phone) = &contact.phone {
        person["telephone"] = phone.clone().into();
    }
    let same_as: Vec<&str> = contact
        .url
        .iter()
        .map(String::as_str)
        .chain(contact.profiles.iter().map(|p| p.url.as_str()))
        .filter(|u| !u.is_empty())
        .collect();
    if !same_as.is_empty() {
        person["sameAs"] = same_as.into();
    }
    if !owner.languages.0.is_empty() {
        person["knowsLanguage"] = owner
            .languages
            .0
            .iter()
            .map(|l| serde_json::json!({ "@type": "Language", "name": l.language }))
            .collect::<Vec<_>>()
            .into();
    }
    person
}

/// `?label=…&page=…`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublicQuery {
    label: Option<String>,
    page: Option<String>,
}

impl PublicQuery {
    fn label(&self) -> Option<String> {
        self.label.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(|l| l.chars().take(100).collect())
    }
    fn page(&self) -> i64 {
        self.page.as_deref().and_then(|p| p.trim().parse().ok()).unwrap_or(1).clamp(1, 1_000_000)
    }
}

async fn resume_rows<R>(
    state: &AppState,
    owner: &PublicProfile,
    table: &lists::Table,
    label: &Option<String>,
) -> AppResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + crate::web::records::Labelled + Send + Unpin,
{
    let filter = ListFilter {
        label: label.clone(),
        page: 1,
        per_page: 500,
        audience: Audience::Resume,
        ..ListFilter::default()
    };
    let mut rows: Vec<R> = lists::rows(state.db.pool(), table, &owner.user_id, &filter).await?;
    attach_labels(&state.db, &owner.user_id, table.kind, &mut rows, true).await?;
    Ok(rows)
}

/// One experience on the resume with the achievements that belong to it.
pub struct ResumeExperience {
    pub experience: Experience,
    pub achievements: Vec<Achievement>,
}

#[derive(Template)]
#[template(path = "public/resume.html")]
struct ResumePage {
    meta: PublicMeta,
    owner: PublicProfile,
    /// Where label filters link: the public page, or the preview.
    base_path: String,
    contact: ContactDetails,
    /// Set when the owner looks at their own private preview.
    preview: Option<Preview>,
    /// Set when the owner looks at a version tailored to an opportunity.
    version: Option<VersionBanner>,
    experiences: Vec<ResumeExperience>,
    skills: Vec<(String, Vec<Skill>)>,
    projects: Vec<Project>,
    achievements: Vec<Achievement>,
    // Education and certifications (issue 12): their own sections, after the work.
    education: Vec<Education>,
    certifications: Vec<Certification>,
    labels: Vec<Label>,
    label: Option<String>,
}

/// What the banner of the owner's private preview says.
struct Preview {
    /// The public address, when the resume is published.
    public_path: Option<String>,
    has_username: bool,
    /// Private contact details are shown (for a printout the owner sends themselves).
    with_private_contact: bool,
    /// Some contact detail is filled in but not public: the toggle is worth offering.
    has_private_contact: bool,
    /// The `?label=` in force, kept when the toggle is followed.
    label_query: String,
    /// Every label of the owner's, private ones too: the documents to download can be narrowed
    /// to one.
    labels: Vec<String>,
    /// The label in force ("" for none).
    label: String,
}

impl ResumePage {
    fn is_empty(&self) -> bool {
        self.experiences.is_empty()
            && self.skills.is_empty()
            && self.projects.is_empty()
            && self.achievements.is_empty()
            && self.owner.languages.0.is_empty()
            && self.education.is_empty()
            && self.certifications.is_empty()
    }
    fn label_is(&self, name: &str) -> bool {
        self.label.as_deref().is_some_and(|l| name_key(l) == name_key(name))
    }
}

async fn resume(
    State(state): State<AppState>,
    request: ViewRequest,
    headers: HeaderMap,
    Path(username): Path<String>,
    Query(query): Query<PublicQuery>,
) -> AppResult<Response> {
    let label = query.label();
    let label_part = label.clone().unwrap_or_default();
    let label_part: &str = &label_part;
    let page = OwnerPage::resume(&username, &label_part);
    let path = format!("/u/{}", username.to_ascii_lowercase());
    let state_ref = &state;
    serve_owner_page(&state, &request, &headers, page, move |owner| async move {
        let contact = owner.contact_details(false);
        let page = resume_page(state_ref, owner, label, path, contact, None).await?;
        Ok(render(&page)?.0)
    })
    .await
}

/// `?contact=all` on the preview.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PreviewQuery {
    contact: Option<String>,
    label: Option<String>,
}

/// The owner's private preview at `/resume`: exactly what visitors of the public resume see,
/// whatever the publish switch says, with a banner saying who can see it (hidden in print).
/// Optionally with the contact details that are not public, for a printout the owner sends.
/// Never indexed, never counted.
async fn resume_preview(
    State(state): State<AppState>,
    me: crate::web::session::SignedIn,
    Query(query): Query<PreviewQuery>,
) -> AppResult<Response> {
    let owner = profiles::find_by_user_id(state.db.pool(), &me.user.id)
        .await?
        .unwrap_or_else(|| PublicProfile::empty(me.user.id.clone()));
    let with_private_contact = query.contact.as_deref() == Some("all");
    let label = PublicQuery { label: query.label, page: None }.label();
    let preview = Preview {
        public_path: (owner.resume_public.get() && !owner.username.is_empty())
            .then(|| format!("/u/{}", owner.username)),
        has_username: !owner.username.is_empty(),
        with_private_contact,
        has_private_contact: owner.contact_details(true).len_shown() > owner.contact_details(false).len_shown(),
        label_query: label.as_deref().map(|l| format!("&label={}", urlencode(l))).unwrap_or_default(),
        labels: labels::list_for_user(state.db.pool(), &me.user.id).await?.into_iter().map(|l| l.name).collect(),
        label: label.clone().unwrap_or_default(),
    };
    let contact = owner.contact_details(with_private_contact);
    let mut page = resume_page(&state, owner, label, "/resume".into(), contact, Some(preview)).await?;
    page.meta.indexable = false;
    page.meta.json_ld = None;
    page.meta.title = "Resume preview".into();
    page.meta.js_url = Some(assets::urls().js);
    let mut response = render(&page)?.into_response();
    response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    Ok(response)
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The resume of `owner` as a page: their on-resume records (filtered by a public label).
async fn resume_page(
    state: &AppState,
    owner: PublicProfile,
    label: Option<String>,
    base_path: String,
    contact: ContactDetails,
    preview: Option<Preview>,
) -> AppResult<ResumePage> {
    // Read one after another: on SQLite, spreading one page over several connections costs more
    // under load than it saves (scripts/bench).
    let records = ResumeRecords {
        experiences: resume_rows(state, &owner, &career::EXPERIENCES, &label).await?,
        skills: resume_rows(state, &owner, &career::SKILLS, &label).await?,
        projects: resume_rows(state, &owner, &career::PROJECTS, &label).await?,
        achievements: resume_rows(state, &owner, &career::ACHIEVEMENTS, &label).await?,
        education: resume_rows(state, &owner, &career::EDUCATION, &label).await?,
        certifications: resume_rows(state, &owner, &career::CERTIFICATIONS, &label).await?,
    };
    let labels = labels::public_on_page(state.db.pool(), &owner.user_id, false).await?;
    Ok(resume_page_of(state, owner, records, labels, label, base_path, contact, preview))
}

/// The resume page of these records.
#[allow(clippy::too_many_arguments)]
fn resume_page_of(
    state: &AppState,
    owner: PublicProfile,
    records: ResumeRecords,
    labels: Vec<Label>,
    label: Option<String>,
    base_path: String,
    contact: ContactDetails,
    preview: Option<Preview>,
) -> ResumePage {
    let ResumeRecords {
        experiences,
        skills: mut skill_rows,
        projects,
        achievements: achievement_rows,
        education,
        certifications,
    } = records;
    // Achievements sit under their experience when it is on the page; the rest get a section.
    let mut experiences: Vec<ResumeExperience> =
        experiences.into_iter().map(|experience| ResumeExperience { experience, achievements: Vec::new() }).collect();
    let mut achievements = Vec::new();
    for achievement in achievement_rows {
        let home =
            achievement.experience_id.as_deref().and_then(|id| experiences.iter_mut().find(|e| e.experience.id == id));
        match home {
            Some(experience) => experience.achievements.push(achievement),
            None => achievements.push(achievement),
        }
    }
    let mut skills: Vec<(String, Vec<Skill>)> = Vec::new();
    for skill in skill_rows.drain(..) {
        match skills.iter_mut().find(|(category, _)| *category == skill.category) {
            Some((_, group)) => group.push(skill),
            None => skills.push((skill.category.clone(), vec![skill])),
        }
    }

    let description = if owner.bio.is_empty() {
        format!(
            "The resume of {}{}.",
            owner.name(),
            if owner.job_title.is_empty() { String::new() } else { format!(", {}", owner.job_title) }
        )
    } else {
        markdown::summary(&owner.bio, 200)
    };
    let path = format!("/u/{}", owner.username);
    let mut json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": absolute(state, &path),
        "dateModified": owner.updated_at.rfc3339(),
        "mainEntity": person(state, &owner),
    });
    add_studies_and_credentials(&mut json_ld["mainEntity"], &education, &certifications);
    let meta =
        PublicMeta::new(state, &owner, format!("{} · Resume", owner.name()), description, &path).with_json_ld(json_ld);
    ResumePage {
        meta,
        labels,
        owner,
        base_path,
        contact,
        preview,
        version: None,
        experiences,
        skills,
        projects,
        achievements,
        education,
        certifications,
        label,
    }
}

/// What the banner of a tailored version's private preview says.
pub struct VersionBanner {
    /// The version's name.
    pub name: String,
    /// What it is for: "Staff Engineer at Acme".
    pub opportunity: String,
    /// The opportunity's page.
    pub opportunity_path: String,
    /// The version's chooser; its downloads hang off it.
    pub version_path: String,
}

/// The private preview of a resume version tailored to an opportunity: the resume page as it
/// looks, holding only the version's records, with every contact detail (the documents carry
/// them all), under a banner that says whose version it is. Never public, never indexed.
pub async fn version_preview(
    state: &AppState,
    user_id: &UserId,
    records: ResumeRecords,
    banner: VersionBanner,
) -> AppResult<Response> {
    let owner = profiles::find_by_user_id(state.db.pool(), user_id)
        .await?
        .unwrap_or_else(|| PublicProfile::empty(user_id.clone()));
    let contact = owner.contact_details(true);
    let base_path = banner.version_path.clone();
    let title = format!("Preview: {}", banner.name);
    let mut page = resume_page_of(state, owner, records, Vec::new(), None, base_path, contact, None);
    page.version = Some(banner);
    page.meta.indexable = false;
    page.meta.json_ld = None;
    page.meta.feed = None;
    page.meta.title = title;
    page.meta.js_url = Some(assets::urls().js);
    let mut response = render(&page)?.into_response();
    response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex, nofollow"));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

/// The resume's person as schema.org knows studies and certificates: `alumniOf` names the
/// institutions, `hasCredential` the certificates. Only what the page shows (records on the
/// resume) is passed in, so nothing switched off reaches search engines.
fn add_studies_and_credentials(
    person: &mut serde_json::Value,
    education: &[Education],
    certifications: &[Certification],
) {
    let mut schools: Vec<&str> = Vec::new();
    for study in education {
        if !schools.iter().any(|name| name_key(name) == name_key(&study.institution)) {
            schools.push(&study.institution);
        }
    }
    if !schools.is_empty() {
        person["alumniOf"] = schools
            .into_iter()
            .map(|name| serde_json::json!({ "@type": "EducationalOrganization", "name": name }))
            .collect();
    }
    if !certifications.is_empty() {
        person["hasCredential"] = certifications
            .iter()
            .map(|certificate| {
                let mut credential = serde_json::json!({
                    "@type": "EducationalOccupationalCredential",
                    "name": certificate.name,
                    "credentialCategory": "certificate",
                });
                if !certificate.issuer.is_empty() {
                    credential["recognizedBy"] =
                        serde_json::json!({ "@type": "Organization", "name": certificate.issuer });
                }
                if let Some(date) = &certificate.issued_on {
                    credential["dateCreated"] = date.clone().into();
                }
                if let Some(url) = &certificate.url {
                    credential["url"] = url.clone().into();
                }
                credential
            })
            .collect();
    }
}

#[derive(Template)]
#[template(path = "public/journal.html")]
struct JournalPage {
    meta: PublicMeta,
    owner: PublicProfile,
    entries: Vec<JournalEntry>,
    labels: Vec<Label>,
    label: Option<String>,
    page: i64,
    last_page: i64,
}

impl JournalPage {
    fn label_is(&self, name: &str) -> bool {
        self.label.as_deref().is_some_and(|l| name_key(l) == name_key(name))
    }
    fn page_url(&self, page: i64) -> String {
        let mut url = format!("/u/{}/journal?page={page}", self.owner.username);
        if let Some(label) = &self.label {
            url.push_str("&label=");
            url.extend(url::form_urlencoded::byte_serialize(label.as_bytes()));
        }
        url
    }
}

const JOURNAL_PER_PAGE: i64 = 20;

async fn journal(
    State(state): State<AppState>,
    request: ViewRequest,
    headers: HeaderMap,
    Path(username): Path<String>,
    Query(query): Query<PublicQuery>,
) -> AppResult<Response> {
    let label = query.label();
    let label_part = label.clone().unwrap_or_default();
    let page_number = query.page();
    let page_text = page_number.to_string();
    let page = OwnerPage {
        username: &username,
        page_on: |p| p.journal_public.get(),
        kind: ContentKind::Journal,
        content_type: HTML,
        parts: &[&label_part, &page_text],
    };
    serve_owner_page(&state, &request, &headers, page, |owner| journal_page(&state, owner, label, page_number)).await
}

async fn journal_page(state: &AppState, owner: PublicProfile, label: Option<String>, page: i64) -> AppResult<String> {
    let filter = ListFilter {
        label: label.clone(),
        page,
        per_page: JOURNAL_PER_PAGE,
        audience: Audience::PublicJournal,
        ..ListFilter::default()
    };
    let page = lists::list::<JournalEntry>(state.db.pool(), &journal::JOURNAL, &owner.user_id, &filter).await?;
    let mut entries = page.items;
    attach_labels(&state.db, &owner.user_id, journal::JOURNAL.kind, &mut entries, true).await?;
    let path = format!("/u/{}/journal", owner.username);
    let json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Blog",
        "name": format!("{}’s journal", owner.name()),
        "url": absolute(state, &path),
        "author": person(state, &owner),
    });
    let meta = PublicMeta::new(
        state,
        &owner,
        format!("{} · Journal", owner.name()),
        format!("Notes on work by {}.", owner.name()),
        &path,
    )
    .with_json_ld(json_ld)
    .with_publication(publication_uri(state, &owner.user_id).await?);
    let page = JournalPage {
        meta,
        labels: labels::public_on_page(state.db.pool(), &owner.user_id, true).await?,
        owner,
        entries,
        label,
        page: filter.page,
        last_page: ((page.total + JOURNAL_PER_PAGE - 1) / JOURNAL_PER_PAGE).max(1),
    };
    Ok(render(&page)?.0)
}

#[derive(Template)]
#[template(path = "public/entry.html")]
struct EntryPage {
    meta: PublicMeta,
    owner: PublicProfile,
    entry: JournalEntry,
    body_html: String,
}

async fn entry(
    State(state): State<AppState>,
    request: ViewRequest,
    headers: HeaderMap,
    Path((username, slug)): Path<(String, String)>,
) -> AppResult<Response> {
    let page = OwnerPage {
        username: &username,
        page_on: |p| p.journal_public.get(),
        kind: ContentKind::Entry,
        content_type: HTML,
        parts: &[&slug],
    };
    serve_owner_page(&state, &request, &headers, page, |owner| entry_page(&state, owner, &slug)).await
}

async fn entry_page(state: &AppState, owner: PublicProfile, slug: &str) -> AppResult<String> {
    let mut entry =
        journal::public_entry_by_slug(state.db.pool(), &owner.user_id, slug).await?.ok_or(AppError::NotFound)?;
    attach_labels(&state.db, &owner.user_id, journal::JOURNAL.kind, std::slice::from_mut(&mut entry), true).await?;
    <Journal as RecordType>::enrich(&state.db, &owner.user_id, std::slice::from_mut(&mut entry)).await?;
    let path = format!("/u/{}/journal/{}", owner.username, entry.slug);
    let json_ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": entry.title,
        "datePublished": entry.entry_date,
        "dateModified": entry.updated_at.rfc3339(),
        "url": absolute(state, &path),
        "description": entry.summary(),
        "author": person(state, &owner),
    });
    let mut meta = PublicMeta::new(state, &owner, entry.title.clone(), entry.summary(), &path)
        .with_json_ld(json_ld)
        .with_publication(publication_uri(state, &owner.user_id).await?);
    meta.og_type = "article";
    meta.document = bluesky::document_uri(state.db.pool(), &owner.user_id, &entry.id).await?;
    if let Some(image) = entry.images.first() {
        meta.image = Some(absolute(state, &image.url));
    }
    let page = EntryPage { meta, body_html: markdown::to_safe_html(&entry.body), owner, entry };
    Ok(render(&page)?.0)
}

/// The public journal as an Atom feed: the newest 50 public entries.
async fn feed(
    State(state): State<AppState>,
    request: ViewRequest,
    headers: HeaderMap,
    Path(username): Path<String>,
) -> AppResult<Response> {
    let page = OwnerPage {
        username: &username,
        page_on: |p| p.journal_public.get(),
        kind: ContentKind::Feed,
        content_type: ATOM,
        parts: &[],
    };
    serve_owner_page(&state, &request, &headers, page, |owner| feed_document(&state, owner)).await
}

async fn feed_document(state: &AppState, owner: PublicProfile) -> AppResult<String> {
    use atom_syndication::{ContentBuilder, EntryBuilder, FeedBuilder, FixedDateTime, LinkBuilder, PersonBuilder};
    let filter =
        ListFilter { label: None, page: 1, per_page: 50, audience: Audience::PublicJournal, ..ListFilter::default() };
    let entries = lists::rows::<JournalEntry>(state.db.pool(), &journal::JOURNAL, &owner.user_id, &filter).await?;
    let time =
        |t: crate::clock::Timestamp| t.rfc3339().parse::<FixedDateTime>().map_err(|e| AppError::Internal(e.into()));
    let journal_url = absolute(state, &format!("/u/{}/journal", owner.username));
    let author =
        PersonBuilder::default().name(owner.name().to_owned()).uri(Some(absolute(state, &owner.home_path()))).build();
    let mut items = Vec::new();
    let mut newest = owner.updated_at;
    for entry in &entries {
        newest = newest.max(entry.updated_at);
        let url = format!("{journal_url}/{}", entry.slug);
        items.push(
            EntryBuilder::default()
                .id(url.clone())
                .title(entry.title.clone())
                .updated(time(entry.updated_at)?)
                .published(Some(time(entry.created_at)?))
                .links(vec![LinkBuilder::default().href(url).rel("alternate").build()])
                .summary(Some(entry.summary().into()))
                .content(Some(
                    ContentBuilder::default()
                        .content_type(Some("html".to_owned()))
                        .value(Some(markdown::to_safe_html(&entry.body)))
                        .build(),
                ))
                .authors(vec![author.clone()])
                .build(),
        );
    }
    let feed_url = format!("{journal_url}.atom");
    let feed = FeedBuilder::default()
        .id(feed_url.clone())
        .title(format!("{}’s journal", owner.name()))
        .updated(time(newest)?)
        .authors(vec![author])
        .links(vec![
            LinkBuilder::default()
                .href(feed_url)
                .rel("self")
                .mime_type(Some("application/atom+xml".to_owned()))
                .build(),
            LinkBuilder::default().href(journal_url).rel("alternate").mime_type(Some("text/html".to_owned())).build(),
        ])
        .entries(items)
        .build();
    Ok(feed.to_string())
}

/// standard.site's check that the publication record and this journal belong together: the
/// publication's AT-URI, at the journal's address under `/.well-known/site.standard.publication`.
/// 404 unless the journal is public, publishing is on and the record was written.
async fn publication_verification(State(state): State<AppState>, Path(username): Path<String>) -> AppResult<Response> {
    let owner = find_owner(&state, &username, |p| p.journal_public.get()).await?;
    let uri = publication_uri(&state, &owner.user_id).await?.ok_or(AppError::NotFound)?;
    Ok(([(CONTENT_TYPE, "text/plain; charset=utf-8")], uri).into_response())
}

/// The owner's publication record, while they publish.
async fn publication_uri(state: &AppState, user_id: &UserId) -> AppResult<Option<String>> {
    let account = bluesky::account_of_user(state.db.pool(), user_id).await?;
    Ok(account.filter(|a| a.publishing()).and_then(|a| a.publication_uri))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const SITEMAP_MAX: usize = 50_000;

/// Public pages of people who allow indexing, and nobody else's.
async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    serve_site_page(&state, &headers, Scope::Sitemap, "sitemap", XML, || sitemap_document(&state)).await
}

async fn sitemap_document(state: &AppState) -> AppResult<String> {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
"#,
    );
    let mut add = |path: &str, modified: crate::clock::Timestamp| {
        xml.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            xml_escape(&absolute(state, path)),
            modified.iso_date()
        ));
    };
    // One sitemap holds at most 50 000 addresses; entries come from one query for everyone.
    let mut left = SITEMAP_MAX;
    for owner in profiles::indexable(state.db.pool()).await? {
        if owner.resume_public.get() && left > 0 {
            add(&format!("/u/{}", owner.username), owner.updated_at);
            left -= 1;
        }
        if owner.journal_public.get() && left > 0 {
            add(&format!("/u/{}/journal", owner.username), owner.updated_at);
            left -= 1;
        }
    }
    for (username, slug, updated) in profiles::indexable_entries(state.db.pool(), left as i64).await? {
        add(&format!("/u/{username}/journal/{slug}"), updated);
    }
    xml.push_str("</urlset>\n");
    Ok(xml)
}

async fn robots(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    serve_site_page(&state, &headers, Scope::Fixed, "robots", TEXT, || async { Ok(robots_text(&state)) }).await
}

fn robots_text(state: &AppState) -> String {
    format!(
        "# Careerlog: only the public pages people chose to publish are meant for robots.\n\
         User-agent: *\nAllow: /u/\nDisallow: /api/\nDisallow: /files/\nDisallow: /settings\nDisallow: /login\n\
         Disallow: /signup\n\nSitemap: {}\n",
        absolute(state, "/sitemap.xml")
    )
}

/// A description of the site for AI agents: what Careerlog is and its public URL patterns. It
/// holds no user data at all.
async fn llms(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    serve_site_page(&state, &headers, Scope::Fixed, "llms", TEXT, || async { Ok(llms_text(&state)) }).await
}

fn llms_text(state: &AppState) -> String {
    let base = absolute(state, "");
    format!(
        "# Careerlog\n\n\
         > Careerlog is a self-hosted place where people keep their working life private: experience, skills, \
         projects, achievements, education, certifications and a work journal. A person may choose to publish a resume and a journal; nothing \
         else on this site is public.\n\n\
         ## Public pages\n\n\
         - `{base}/u/{{username}}`: a person's public resume, if they have published it. `?label={{label}}` filters \
         it by one of their public labels.\n\
         - `{base}/u/{{username}}/journal`: their public journal entries, newest first (`?page=`, `?label=`).\n\
         - `{base}/u/{{username}}/journal/{{slug}}`: one journal entry.\n\
         - `{base}/u/{{username}}/journal.atom`: the journal as an Atom feed.\n\
         - `{base}/sitemap.xml`: every public page whose owner allows indexing.\n\n\
         ## Please respect\n\n\
         - Only pages listed in the sitemap are meant to be indexed or used for training. A page that sends \
         `X-Robots-Tag: noindex` (or the same robots meta tag) belongs to someone who has not allowed indexing.\n\
         - Everything else on this site is private and needs an account.\n"
    )
}
