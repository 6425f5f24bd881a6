//! Which upcoming calendar events are the user's job interviews, and for which opportunity.
//!
//! A score from weighed signals rather than rules that either fire or not: no single word or
//! address decides, so one misleading signal (a "sync" that is an interview, a webinar from a
//! company the user applied to) is outweighed by the others. Pure and total: any input, however
//! odd or large, gives an answer and never panics. No I/O here.

use crate::domain::interviews::InterviewKind;

/// What the detector reads of one calendar event (already extracted from Google's JSON).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EventFacts {
    pub title: String,
    pub description: String,
    pub location: String,
    /// The organiser's address (any case).
    pub organizer_email: Option<String>,
    pub attendee_emails: Vec<String>,
    /// Conferencing links: Google's hangoutLink and conferenceData entry points. The detector
    /// also finds links in location and description itself.
    pub conference_urls: Vec<String>,
    pub all_day: bool,
    /// Part of a recurring series.
    pub recurring: bool,
    /// The calendar owner's own address, so their own domain is never taken for a company's.
    pub own_email: Option<String>,
    pub duration_minutes: i64,
}

/// One of the user's opportunities, as the detector compares events with it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Prospect {
    pub opportunity_id: String,
    pub company: String,
    /// Addresses of the opportunity's contacts (any case).
    pub contact_emails: Vec<String>,
    /// Domains known for the company (contacts' addresses' domains, the posting URL's host), any case, maybe with "www.".
    pub domains: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// 0–100: how sure the detector is that this is one of the user's job interviews.
    pub score: u32,
    /// The matched opportunity, when one matched.
    pub opportunity_id: Option<String>,
    /// The company: the matched opportunity's name, else guessed from the title ("Interview with Globex") or an attendee's company domain ("globex.com" → "Globex"), else empty.
    pub company: String,
    /// A guess at the round's kind from the words used (recruiter call/screen → PhoneScreen, "system design" → SystemDesign, "coding"/"technical" → Technical, "behavioral/behavioural/culture" → Behavioural, "panel" → Panel, "onsite/on-site/final round" → Onsite, else Other).
    pub kind: InterviewKind,
    /// Short stable reason codes for debugging/tests, e.g. "keyword", "contact", "company_in_title", "recruiting_tool", "conference_link", "all_day", "recurring", "internal_only".
    pub reasons: Vec<&'static str>,
}

/// Events scoring at least this are suggested to the user.
pub const SUGGESTION_THRESHOLD: u32 = 50;

/// The detection for one event: `None` when it scores below the threshold.
pub fn detect(event: &EventFacts, prospects: &[Prospect]) -> Option<Detection> {
    Some(score(event, prospects)).filter(|detection| detection.score >= SUGGESTION_THRESHOLD)
}

// What each signal is worth. An interview word in the title reaches the threshold alone (people
// write "Interview" and nothing else), and so does an invitation from one of the opportunity's
// contacts (the recruiter's "Alex <> Jane" is the typical screen); everything else needs company.
const INTERVIEW_WORD_IN_TITLE: i32 = 50;
const INTERVIEW_WORD_IN_TEXT: i32 = 25;
const HIRING_WORD_IN_TITLE: i32 = 20;
const CONTACT: i32 = 50;
const COMPANY_DOMAIN: i32 = 30;
const COMPANY_IN_TITLE: i32 = 25;
const COMPANY_IN_TEXT: i32 = 15;
const RECRUITING_TOOL: i32 = 30;
// Nearly every meeting has a link now: it only separates a call from a reminder.
const CONFERENCE_LINK: i32 = 5;
const ROUTINE_WORD: i32 = -35;
const ALL_DAY: i32 = -45;
const RECURRING: i32 = -30;
// Nearly decisive: with everyone else at the owner's employer, the owner is the interviewer.
const INTERNAL_ONLY: i32 = -60;
const COLLEAGUE_INVITED: i32 = -40;
const ODD_LENGTH: i32 = -30;

/// How much of each text field is read: calendar text comes from strangers.
const MAX_FIELD_CHARS: usize = 10_000;
/// How many addresses or links of one event (or one prospect) are read.
const MAX_LIST_ITEMS: usize = 200;

/// Interview words, written as people type them; matched as whole words (Japanese and Chinese,
/// written without spaces, as a run of characters).
const INTERVIEW_WORDS: &[&str] = &[
    "interview",
    "interviews",
    "job interview",
    "phone screen",
    "phone screening",
    "screening call",
    "technical screen",
    "recruiter call",
    "recruiter screen",
    "recruiter chat",
    "hiring manager",
    "onsite",
    "on-site",
    "final round",
    "superday",
    // German
    "Vorstellungsgespräch",
    "Vorstellungsgespraech",
    "Bewerbungsgespräch",
    "Bewerbungsgespraech",
    "Interviewtermin",
    "Telefoninterview",
    // French, Spanish, Portuguese, Italian, Dutch, Polish, Swedish
    "entretien d'embauche",
    "entretien d’embauche",
    "entretien de recrutement",
    "entrevista",
    "entrevistas",
    "colloquio",
    "colloqui",
    "sollicitatiegesprek",
    "rozmowa kwalifikacyjna",
    "anställningsintervju",
    // Japanese, Chinese
    "面接",
    "面试",
    "面試",
];

/// Words that hint at hiring without saying "interview"; counted in the title only, since
/// descriptions of unrelated events say "we're hiring".
const HIRING_WORDS: &[&str] =
    &["recruiter", "recruiting", "recruitment", "hiring", "talent acquisition", "entretien", "headhunter"];

/// Words of everyday events that are not interviews, counted in the title only (an interview's
/// description may well mention lunch).
const ROUTINE_WORDS: &[&str] = &[
    "stand-up",
    "standup",
    "stand up",
    "daily",
    "sync",
    "retro",
    "retrospective",
    "1:1",
    "1-1",
    "1on1",
    "1 on 1",
    "one on one",
    "one-on-one",
    "dentist",
    "doctor",
    "birthday",
    "lunch",
    "dinner",
    "gym",
    "workout",
    "yoga",
    "flight",
    "webinar",
    "livestream",
    "tech talk",
    "meetup",
    "all hands",
    "all-hands",
    "offsite",
    "holiday",
    "vacation",
    "haircut",
    "coffee",
    "happy hour",
    "party",
    "prep",
    "preparation",
    "mock",
    "practice",
    "training",
    "debrief",
    "focus time",
    "reminder",
    "deadline",
    // Everyday words in the languages above
    "Zahnarzt",
    "Arzt",
    "Geburtstag",
    "Urlaub",
    "anniversaire",
    "cumpleaños",
    "compleanno",
    "verjaardag",
    "urodziny",
];

/// Hosts of conferencing services.
const CONFERENCE_HOSTS: &[&str] = &[
    "meet.google.com",
    "zoom.us",
    "zoom.com",
    "teams.microsoft.com",
    "teams.live.com",
    "webex.com",
    "whereby.com",
    "gotomeeting.com",
    "meet.jit.si",
    "chime.aws",
];

/// Conferencing services as a location names them, without a link.
const CONFERENCE_WORDS: &[&str] = &["zoom", "google meet", "microsoft teams", "teams", "webex", "skype"];

/// Applicant tracking and scheduling tools: their addresses send invites, their names sign
/// descriptions; never a company's own domain.
const RECRUITING_TOOL_DOMAINS: &[&str] = &[
    "greenhouse.io",
    "lever.co",
    "ashbyhq.com",
    "myworkday.com",
    "workday.com",
    "smartrecruiters.com",
    "goodtime.io",
    "calendly.com",
    "gem.com",
    "modernloop.io",
    "teamtailor.com",
    "workable.com",
    "recruitee.com",
    "jobvite.com",
    "icims.com",
    "personio.de",
    "personio.com",
    "bamboohr.com",
    "breezy.hr",
    "pinpointhq.com",
];

const RECRUITING_TOOL_WORDS: &[&str] = &[
    "scheduled via",
    "scheduled with",
    "scheduled using",
    "scheduled through",
    "booked through",
    "greenhouse",
    "ashby",
    "workday",
    "smartrecruiters",
    "goodtime",
    "calendly",
    "teamtailor",
    "workable",
    "jobvite",
];

/// Domains that are never a company's: conferencing and calendar services (room resources are
/// attendees at resource.calendar.google.com).
const SERVICE_DOMAINS: &[&str] = &[
    "calendar.google.com",
    "zoom.us",
    "zoom.com",
    "teams.microsoft.com",
    "webex.com",
    "whereby.com",
    "gotomeeting.com",
];

/// Mail providers anyone can sign up to: sharing one says nothing about an employer.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "ymail.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "tutanota.com",
    "tuta.io",
    "fastmail.com",
    "hey.com",
    "mail.com",
    "gmx.net",
    "web.de",
    "t-online.de",
    "freenet.de",
    "posteo.de",
    "mailbox.org",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "libero.it",
    "seznam.cz",
    "wp.pl",
    "o2.pl",
    "onet.pl",
    "interia.pl",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "qq.com",
    "163.com",
    "126.com",
    "naver.com",
    "comcast.net",
    "btinternet.com",
];

/// Free-mail providers with an address in many countries (gmx.de, yahoo.co.uk, outlook.fr…).
const FREE_MAIL_FAMILIES: &[&str] = &["gmail", "gmx", "yahoo", "hotmail", "outlook", "live", "icloud", "yandex"];

/// Second-level labels under a country code ("globex.co.jp", "tecnobrasil.com.br").
const SECOND_LEVEL_LABELS: &[&str] = &["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gob"];

/// Legal forms that do not belong to the name people use ("Initech, Inc." is "Initech").
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "se",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "asa",
    "aps",
    "kk",
    "pty",
    "pte",
    "corp",
    "corporation",
    "co",
    "company",
];

/// Words after which a title names the company ("Interview with Globex", "… bei Umbrella").
const COMPANY_MARKERS: &[&str] =
    &[" with ", " at ", " @ ", " bei ", " mit ", " avec ", " chez ", " con ", " med ", " met "];
/// Where a company named in a title ends.
const COMPANY_ENDS: &[&str] = &[" - ", " – ", " — ", " | ", " for ", " für ", " pour ", " para ", " per ", " voor "];

/// The score whatever it is (for the dataset report), same logic.
pub fn score(event: &EventFacts, prospects: &[Prospect]) -> Detection {
    let text = EventText::read(event);
    let people = People::read(event);
    let mut total = 0i32;
    let mut reasons = Vec::new();
    let mut add = |points: i32, reason: &'static str| {
        total += points;
        reasons.push(reason);
    };

    if any_phrase(&text.title, INTERVIEW_WORDS) {
        add(INTERVIEW_WORD_IN_TITLE, "keyword");
    } else if any_phrase(&text.body, INTERVIEW_WORDS) {
        add(INTERVIEW_WORD_IN_TEXT, "keyword_in_text");
    } else if any_phrase(&text.title, HIRING_WORDS) {
        add(HIRING_WORD_IN_TITLE, "hiring_word");
    }

    let best = prospects
        .iter()
        .map(|prospect| (prospect, Evidence::of(prospect, &text, &people)))
        .filter(|(_, evidence)| evidence.any())
        // The first of equals wins, so the result does not depend on how ties sort.
        .fold(None::<(&Prospect, Evidence)>, |best, (prospect, evidence)| match best {
            Some((_, ref held)) if held.rank() >= evidence.rank() => best,
            _ => Some((prospect, evidence)),
        });
    if let Some((_, evidence)) = &best {
        if evidence.contact {
            add(CONTACT, "contact");
        } else if evidence.domain {
            add(COMPANY_DOMAIN, "company_domain");
        }
        if evidence.name_in_title {
            add(COMPANY_IN_TITLE, "company_in_title");
        } else if evidence.name_in_text {
            add(COMPANY_IN_TEXT, "company_in_text");
        }
    }

    if people.uses_recruiting_tool()
        || any_phrase(&text.body, RECRUITING_TOOL_WORDS)
        || contains_any(&text.raw, RECRUITING_TOOL_DOMAINS)
    {
        add(RECRUITING_TOOL, "recruiting_tool");
    }
    if contains_any(&text.raw, CONFERENCE_HOSTS) || any_phrase(&text.location, CONFERENCE_WORDS) {
        add(CONFERENCE_LINK, "conference_link");
    }

    if any_phrase(&text.title, ROUTINE_WORDS) {
        add(ROUTINE_WORD, "routine_word");
    }
    if event.all_day {
        add(ALL_DAY, "all_day");
    } else if event.duration_minutes > 0 && !(10..=360).contains(&event.duration_minutes) {
        // 0 is what an event without a known length deserialises to: no evidence either way.
        add(ODD_LENGTH, "odd_length");
    }
    if event.recurring {
        add(RECURRING, "recurring");
    }
    if people.internal_only() {
        add(INTERNAL_ONLY, "internal_only");
    }
    if people.colleague_invited() {
        add(COLLEAGUE_INVITED, "colleague_invited");
    }

    let company = match &best {
        Some((prospect, _)) => prospect.company.trim().to_string(),
        None => company_in_title(capped(&event.title)).or_else(|| people.company_from_domains()).unwrap_or_default(),
    };
    Detection {
        score: total.clamp(0, 100) as u32,
        opportunity_id: best.map(|(prospect, _)| prospect.opportunity_id.clone()),
        company,
        kind: kind_of(&text),
        reasons,
    }
}

/// The round's kind from the title's words, else the description's. The most specific wins:
/// a "technical phone screen" is technical, an "onsite panel" a panel.
fn kind_of(text: &EventText) -> InterviewKind {
    const KINDS: &[(InterviewKind, &[&str])] = &[
        (InterviewKind::SystemDesign, &["system design", "systems design", "architecture interview"]),
        (
            InterviewKind::Technical,
            &[
                "technical",
                "coding",
                "live coding",
                "pair programming",
                "algorithms",
                "technisch",
                "technisches",
                "técnica",
                "tecnica",
                "técnico",
                "tecnico",
                "technique",
            ],
        ),
        (InterviewKind::Behavioural, &["behavioral", "behavioural", "culture", "cultural fit", "values interview"]),
        (InterviewKind::Panel, &["panel"]),
        (InterviewKind::Onsite, &["onsite", "on-site", "final round", "final interview", "superday"]),
        (
            InterviewKind::PhoneScreen,
            &[
                "phone screen",
                "phone screening",
                "phone interview",
                "screening call",
                "recruiter call",
                "recruiter screen",
                "recruiter chat",
                "Telefoninterview",
            ],
        ),
    ];
    [&text.title, &text.body]
        .into_iter()
        .find_map(|words| KINDS.iter().find(|(_, phrases)| any_phrase(words, phrases)).map(|(kind, _)| *kind))
        .unwrap_or(InterviewKind::Other)
}

/// The event's text, capped, in the two forms it is searched in.
struct EventText {
    /// Title as padded lowercase words (see `words`).
    title: String,
    /// Description and location as words.
    body: String,
    location: String,
    /// Description, location and conferencing links, lowercased as they are: for hosts and links.
    raw: String,
}

impl EventText {
    fn read(event: &EventFacts) -> Self {
        let description = capped(&event.description);
        let location = capped(&event.location);
        let mut raw = format!("{description}\n{location}").to_lowercase();
        for url in event.conference_urls.iter().take(MAX_LIST_ITEMS) {
            raw.push('\n');
            raw.push_str(&capped(url).to_lowercase());
        }
        Self {
            title: words(capped(&event.title)),
            body: words(&format!("{description}\n{location}")),
            location: words(location),
            raw,
        }
    }
}

/// The event's people: who organised it and who is invited, by address and domain.
struct People {
    /// The owner's domain when it is an employer's (not free mail or a service).
    own_domain: Option<String>,
    /// Everyone on the event but the owner and room resources, organiser first.
    others: Vec<String>,
}

impl People {
    fn read(event: &EventFacts) -> Self {
        let own_address = event.own_email.as_deref().and_then(address);
        let own_domain =
            own_address.as_deref().and_then(domain_of).filter(|d| is_company_domain(d)).map(str::to_string);
        let organiser = event.organizer_email.as_deref().and_then(address);
        let mut others: Vec<String> = Vec::new();
        for candidate in organiser
            .iter()
            .cloned()
            .chain(event.attendee_emails.iter().take(MAX_LIST_ITEMS).filter_map(|a| address(a)))
        {
            let is_owner = own_address.as_deref() == Some(candidate.as_str());
            let is_room = domain_of(&candidate).is_some_and(|d| within(d, "calendar.google.com"));
            if !is_owner && !is_room && !others.contains(&candidate) {
                others.push(candidate);
            }
        }
        Self { own_domain, others }
    }

    /// The domains of the others that could be a company's (not free mail, a service, or the owner's).
    fn company_domains(&self) -> impl Iterator<Item = &str> {
        self.others.iter().filter_map(|a| domain_of(a)).filter(|d| is_company_domain(d) && !self.is_own_domain(d))
    }

    fn is_own_domain(&self, domain: &str) -> bool {
        self.own_domain.as_deref().is_some_and(|own| same_organisation(domain, own))
    }

    fn uses_recruiting_tool(&self) -> bool {
        self.others.iter().filter_map(|a| domain_of(a)).any(is_recruiting_tool)
    }

    /// Everyone else works where the owner works: a stand-up, a 1:1, or the owner interviewing
    /// a candidate for their own employer.
    fn internal_only(&self) -> bool {
        self.own_domain.is_some()
            && !self.others.is_empty()
            && self.others.iter().all(|a| domain_of(a).is_some_and(|d| self.is_own_domain(d)))
    }

    /// Someone from the owner's employer is on an event with outsiders: a business meeting, or
    /// the owner interviewing a candidate; nobody brings a colleague to their own job interview.
    fn colleague_invited(&self) -> bool {
        !self.internal_only() && self.others.iter().any(|a| domain_of(a).is_some_and(|d| self.is_own_domain(d)))
    }

    /// "globex.com" → "Globex", from the organiser first, then the attendees.
    fn company_from_domains(&self) -> Option<String> {
        self.company_domains().next().map(|domain| {
            company_label(domain)
                .split('-')
                .filter(|part| !part.is_empty())
                .map(capitalised)
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

/// How an event points at one prospect.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    contact: bool,
    domain: bool,
    name_in_title: bool,
    name_in_text: bool,
}

impl Evidence {
    fn of(prospect: &Prospect, text: &EventText, people: &People) -> Self {
        let contacts: Vec<String> =
            prospect.contact_emails.iter().take(MAX_LIST_ITEMS).filter_map(|a| address(a)).collect();
        let contact = people.others.iter().any(|a| contacts.contains(a));
        let domains: Vec<String> = prospect
            .domains
            .iter()
            .take(MAX_LIST_ITEMS)
            .filter_map(|d| host(d))
            .filter(|d| is_company_domain(d) && !people.is_own_domain(d))
            .collect();
        let name = company_words(&prospect.company);
        // With no domain on record, a domain that spells the name ("hooli.xyz" for Hooli) counts.
        let squashed: String = name.split_whitespace().collect();
        let domain = people.company_domains().any(|seen| {
            domains.iter().any(|known| within(seen, known))
                || (squashed.chars().count() >= 3 && company_label(seen).replace('-', "") == squashed)
        });
        let named = |words: &str| !name.trim().is_empty() && has_phrase(words, &name);
        Self { contact, domain, name_in_title: named(&text.title), name_in_text: named(&text.body) }
    }

    fn any(&self) -> bool {
        self.contact || self.domain || self.name_in_title || self.name_in_text
    }

    /// Stronger evidence ranks higher: contact, then domain, then the name.
    fn rank(&self) -> (bool, bool, bool, bool) {
        (self.contact, self.domain, self.name_in_title, self.name_in_text)
    }
}

/// At most `MAX_FIELD_CHARS` characters of `text`, cut on a character boundary.
fn capped(text: &str) -> &str {
    match text.char_indices().nth(MAX_FIELD_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// `text` as lowercase words separated by single spaces, with a space at each end, so a phrase
/// is found as whole words by looking for " phrase ". Punctuation separates words; combining
/// accents are dropped so that decomposed "técnica" reads as "tecnica".
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    for c in text.chars().flat_map(char::to_lowercase) {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue;
        }
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Scripts written without spaces between words, where a phrase is any run of its characters.
fn unspaced_script(phrase: &str) -> bool {
    phrase.chars().any(|c| matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}'))
}

/// Does `haystack` (from `words`) hold `phrase` as whole words?
fn has_phrase(haystack: &str, phrase: &str) -> bool {
    let phrase = words(phrase);
    if phrase.trim().is_empty() {
        return false;
    }
    if unspaced_script(&phrase) {
        haystack.contains(phrase.trim())
    } else {
        haystack.contains(&phrase)
    }
}

fn any_phrase(haystack: &str, phrases: &[&str]) -> bool {
    phrases.iter().any(|phrase| has_phrase(haystack, phrase))
}

fn contains_any(haystack: &str, needles: &[&str]) -> bool {
    needles.iter().any(|needle| haystack.contains(needle))
}

/// A company's name as words, without its legal form: "Initech, Inc." → " initech ",
/// "Umbrella Health GmbH" → " umbrella health ". Dots go first so "S.A." is one word.
fn company_words(name: &str) -> String {
    let name = words(&capped(name).replace('.', ""));
    let mut parts: Vec<&str> = name.split_whitespace().collect();
    while parts.len() > 1 && parts.last().is_some_and(|last| LEGAL_SUFFIXES.contains(last)) {
        parts.pop();
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(" {} ", parts.join(" "))
}

/// An address as compared: trimmed, without angle brackets, lowercase; `None` unless it has a
/// local part and a domain.
fn address(raw: &str) -> Option<String> {
    let trimmed = capped(raw).trim().trim_start_matches('<').trim_end_matches('>').trim().to_lowercase();
    let (local, domain) = trimmed.rsplit_once('@')?;
    (!local.is_empty() && domain.contains('.') && !domain.starts_with('.')).then_some(trimmed)
}

/// The domain of an address from `address`.
fn domain_of(address: &str) -> Option<&str> {
    address.rsplit_once('@').map(|(_, domain)| domain.trim_end_matches('.')).filter(|d| d.contains('.'))
}

/// A domain as people write it ("https://www.Globex.com/careers", "www.globex.com") → "globex.com".
fn host(raw: &str) -> Option<String> {
    let lower = capped(raw).trim().to_lowercase();
    let rest = lower.split_once("://").map_or(lower.as_str(), |(_, rest)| rest);
    let rest = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let rest = rest.split(':').next().unwrap_or_default().trim_end_matches('.');
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    (rest.contains('.') && !rest.starts_with('.') && !rest.contains("..")).then(|| rest.to_string())
}

/// Is `domain` `base` or one of its subdomains ("mail.globex.com" within "globex.com")?
fn within(domain: &str, base: &str) -> bool {
    domain == base || domain.strip_suffix(base).is_some_and(|head| head.ends_with('.'))
}

/// The part of a domain an organisation registers: "mail.globex.co.jp" → "globex.co.jp".
fn registrable(domain: &str) -> &str {
    let labels: Vec<&str> = domain.split('.').collect();
    let n = labels.len();
    let keep = if n >= 3 && labels[n - 1].len() == 2 && SECOND_LEVEL_LABELS.contains(&labels[n - 2]) { 3 } else { 2 };
    let skip: usize = labels.iter().take(n.saturating_sub(keep)).map(|label| label.len() + 1).sum();
    &domain[skip.min(domain.len())..]
}

/// The organisation's name in a domain: "mail.globex.co.jp" → "globex".
fn company_label(domain: &str) -> &str {
    registrable(domain).split('.').next().unwrap_or_default()
}

/// Do two domains belong to one organisation (one is the other or its subdomain)?
fn same_organisation(a: &str, b: &str) -> bool {
    within(a, b) || within(b, a)
}

fn is_free_mail(domain: &str) -> bool {
    let registered = registrable(domain);
    FREE_MAIL_DOMAINS.contains(&registered) || FREE_MAIL_FAMILIES.contains(&company_label(domain))
}

fn is_recruiting_tool(domain: &str) -> bool {
    RECRUITING_TOOL_DOMAINS.iter().any(|tool| within(domain, tool))
}

/// Could `domain` be a company's own? Not free mail, a conferencing or calendar service, or a
/// recruiting tool (a posting's host at jobs.lever.co says nothing about the next Lever invite).
fn is_company_domain(domain: &str) -> bool {
    !is_free_mail(domain)
        && !is_recruiting_tool(domain)
        && !SERVICE_DOMAINS.iter().any(|service| within(domain, service))
}

/// "Interview with Globex - Senior SRE" → "Globex": the words after a marker up to a separator,
/// only when they look like a name (a capital or a non-Latin letter first), at most five words.
fn company_in_title(title: &str) -> Option<String> {
    let lower = title.to_lowercase();
    // Lowercasing may change lengths outside ASCII; offsets are only used when they agree.
    if lower.len() != title.len() {
        return None;
    }
    let start = COMPANY_MARKERS.iter().filter_map(|marker| lower.find(marker).map(|at| at + marker.len())).min()?;
    let rest = title.get(start..)?;
    let rest_lower = lower.get(start..)?;
    let end = COMPANY_ENDS
        .iter()
        .filter_map(|separator| rest_lower.find(separator))
        .chain(rest.find(['(', ')', ':', ',', '|', '/', '·', '（']))
        .min()
        .unwrap_or(rest.len());
    let name = rest.get(..end)?.trim();
    let first = name.chars().next()?;
    let looks_like_a_name = first.is_uppercase() || (first.is_alphabetic() && !first.is_lowercase());
    (looks_like_a_name && name.split_whitespace().count() <= 5).then(|| name.to_string())
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prospect(id: &str, company: &str, contacts: &[&str], domains: &[&str]) -> Prospect {
        Prospect {
            opportunity_id: id.into(),
            company: company.into(),
            contact_emails: contacts.iter().map(|c| c.to_string()).collect(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn globex() -> Prospect {
        prospect("opp-globex", "Globex Corporation", &["Jane.Recruiter@globex.com"], &["www.globex.com"])
    }

    fn personal(title: &str) -> EventFacts {
        EventFacts {
            title: title.into(),
            own_email: Some("alex@gmail.com".into()),
            attendee_emails: vec!["alex@gmail.com".into()],
            duration_minutes: 45,
            ..EventFacts::default()
        }
    }

    fn with_people(mut event: EventFacts, organiser: &str, attendees: &[&str]) -> EventFacts {
        event.organizer_email = Some(organiser.into());
        event.attendee_emails.extend(attendees.iter().map(|a| a.to_string()));
        event
    }

    #[derive(serde::Deserialize)]
    struct Dataset {
        prospects: Vec<Prospect>,
        cases: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        name: String,
        event: EventFacts,
        expected: bool,
        opportunity_id: Option<String>,
    }

    #[test]
    fn the_labelled_dataset_is_detected_well_enough() {
        let dataset: Dataset = serde_json::from_str(include_str!("interview_detection_cases.json")).unwrap();
        let (mut true_positives, mut false_positives, mut false_negatives, mut right_opportunity) = (0, 0, 0, 0);
        let mut misses = Vec::new();
        for case in &dataset.cases {
            let detection = score(&case.event, &dataset.prospects);
            let suggested = detection.score >= SUGGESTION_THRESHOLD;
            let line = format!(
                "{} (score {}, opportunity {:?}, reasons {:?})",
                case.name, detection.score, detection.opportunity_id, detection.reasons
            );
            match (case.expected, suggested) {
                (true, true) => {
                    true_positives += 1;
                    if detection.opportunity_id == case.opportunity_id {
                        right_opportunity += 1;
                    } else {
                        misses.push(format!("wrong opportunity, expected {:?}: {line}", case.opportunity_id));
                    }
                }
                (false, true) => {
                    false_positives += 1;
                    misses.push(format!("false positive: {line}"));
                }
                (true, false) => {
                    false_negatives += 1;
                    misses.push(format!("missed: {line}"));
                }
                (false, false) => {}
            }
        }
        let ratio = |part: usize, whole: usize| if whole == 0 { 1.0 } else { part as f64 / whole as f64 };
        let precision = ratio(true_positives, true_positives + false_positives);
        let recall = ratio(true_positives, true_positives + false_negatives);
        let opportunity_accuracy = ratio(right_opportunity, true_positives);
        let positives = dataset.cases.iter().filter(|case| case.expected).count();
        println!(
            "interview detection: {} cases ({positives} interviews), precision {precision:.2}, recall {recall:.2}, \
             opportunity accuracy {opportunity_accuracy:.2} ({right_opportunity}/{true_positives})",
            dataset.cases.len()
        );
        for miss in &misses {
            println!("  {miss}");
        }
        assert!(dataset.cases.len() >= 45);
        assert!(precision >= 0.9, "precision {precision:.2}");
        assert!(recall >= 0.85, "recall {recall:.2}");
        assert!(opportunity_accuracy >= 0.9, "opportunity accuracy {opportunity_accuracy:.2}");
    }

    #[test]
    fn an_invite_from_a_contact_matches_their_opportunity_even_with_a_bland_title() {
        let event = with_people(personal("Alex <> Jane"), "JANE.RECRUITER@GLOBEX.COM", &[]);
        let detection = detect(&event, &[globex()]).expect("a contact's call is suggested");
        assert_eq!(detection.opportunity_id.as_deref(), Some("opp-globex"));
        assert_eq!(detection.company, "Globex Corporation");
        assert!(detection.reasons.contains(&"contact"));
    }

    #[test]
    fn a_free_mail_domain_is_never_a_company_domain() {
        // The recruiter writes from Gmail, so gmail.com landed among the opportunity's domains.
        let wayne = prospect("opp-wayne", "Wayne Enterprises", &["lucius@gmail.com"], &["gmail.com", "GMX.de"]);
        let friend = with_people(personal("Interview"), "tom@gmail.com", &["lina@gmx.de"]);
        let detection = score(&friend, std::slice::from_ref(&wayne));
        assert_eq!(detection.opportunity_id, None);
        assert!(!detection.reasons.contains(&"company_domain"));
        assert_eq!(detection.company, "", "gmail is no company to guess");

        let lucius = with_people(personal("Call"), "lucius@gmail.com", &[]);
        assert_eq!(
            score(&lucius, &[wayne]).opportunity_id.as_deref(),
            Some("opp-wayne"),
            "the address itself still counts"
        );
    }

    #[test]
    fn a_subdomain_of_a_company_domain_matches() {
        let event = with_people(personal("Technical interview"), "interviews@mail.globex.com", &[]);
        let detection = detect(&event, &[globex()]).unwrap();
        assert_eq!(detection.opportunity_id.as_deref(), Some("opp-globex"));
        assert!(detection.reasons.contains(&"company_domain"));

        let lookalike = with_people(personal("Technical interview"), "hr@notglobex.com", &[]);
        assert_eq!(score(&lookalike, &[globex()]).opportunity_id, None, "a longer name is another company");
    }

    #[test]
    fn a_recruiting_tools_host_on_a_posting_is_not_the_companys_domain() {
        // Initech's posting is on boards.greenhouse.io; the next Greenhouse invite may be anyone's.
        let initech = prospect("opp-initech", "Initech", &[], &["https://boards.greenhouse.io/initech"]);
        let event = with_people(personal("Interview"), "no-reply@greenhouse.io", &["dev@acme.ai"]);
        let detection = detect(&event, &[initech]).unwrap();
        assert_eq!(detection.opportunity_id, None);
        assert!(detection.reasons.contains(&"recruiting_tool"));
        assert_eq!(detection.company, "Acme");
    }

    #[test]
    fn when_the_whole_invite_is_the_users_own_company_it_is_not_their_interview() {
        let brightwave = |attendees: &[&str]| EventFacts {
            title: "Interview: Jordan Lee, Senior Engineer".into(),
            own_email: Some("alex@brightwave.com".into()),
            organizer_email: Some("alex@brightwave.com".into()),
            attendee_emails: attendees.iter().map(|a| a.to_string()).collect(),
            duration_minutes: 60,
            ..EventFacts::default()
        };
        let internal = score(&brightwave(&["alex@brightwave.com", "tom@eu.brightwave.com"]), &[]);
        let outside = score(&brightwave(&["alex@brightwave.com", "hr@globex.com"]), &[]);
        assert!(internal.reasons.contains(&"internal_only"));
        assert!(!outside.reasons.contains(&"internal_only"));
        assert!(internal.score < SUGGESTION_THRESHOLD && outside.score >= SUGGESTION_THRESHOLD);
    }

    #[test]
    fn a_colleague_on_an_invite_with_outsiders_means_it_is_not_the_users_own_interview() {
        // The user sits on their employer's panel; the candidate's Gmail is on the invite, so
        // the event is not internal-only, but nobody brings a colleague to their own interview.
        let panel = EventFacts {
            title: "Technical interview: Jordan Lee".into(),
            description: "Scheduled via Greenhouse.".into(),
            own_email: Some("alex@brightwave.com".into()),
            organizer_email: Some("recruiting@brightwave.com".into()),
            attendee_emails: vec!["alex@brightwave.com".into(), "jordan.lee@gmail.com".into()],
            duration_minutes: 60,
            ..EventFacts::default()
        };
        let detection = score(&panel, &[]);
        assert!(detection.reasons.contains(&"colleague_invited"), "{detection:?}");
        assert!(!detection.reasons.contains(&"internal_only"));
        assert!(detection.score < SUGGESTION_THRESHOLD, "{detection:?}");

        let alone = EventFacts { organizer_email: Some("recruiting@globex.com".into()), ..panel };
        assert!(detect(&alone, &[]).is_some(), "the same invite from another company is an interview");
    }

    #[test]
    fn the_users_own_domain_is_never_taken_for_the_companys() {
        // An opportunity whose domains include the user's employer (an internal transfer, or a typo).
        let odd = prospect("opp-odd", "Odd Co", &[], &["brightwave.com"]);
        let event = EventFacts {
            title: "Quarterly planning".into(),
            own_email: Some("alex@brightwave.com".into()),
            attendee_emails: vec!["priya@brightwave.com".into()],
            duration_minutes: 60,
            ..EventFacts::default()
        };
        let detection = score(&event, &[odd]);
        assert_eq!(detection.opportunity_id, None);
        assert_eq!(detection.company, "");
    }

    #[test]
    fn a_personal_mailbox_has_no_colleagues() {
        // Everyone on Gmail is not "everyone at the user's company".
        let event = with_people(personal("Interview"), "recruiter.sam@gmail.com", &[]);
        let detection = score(&event, &[]);
        assert!(!detection.reasons.contains(&"internal_only"));
        assert!(detection.score >= SUGGESTION_THRESHOLD);
    }

    #[test]
    fn a_company_name_is_found_whatever_its_legal_form_case_or_punctuation() {
        let initech = prospect("opp-initech", "Initech, Inc.", &[], &[]);
        let umbrella = prospect("opp-umbrella", "Umbrella Health GmbH", &[], &[]);
        let sa = prospect("opp-sa", "Vandelay Industries S.A.", &[], &[]);
        for (title, expected) in [
            ("INITECH interview", "opp-initech"),
            ("Interview (initech)", "opp-initech"),
            ("Vorstellungsgespräch bei Umbrella-Health", "opp-umbrella"),
            ("Entrevista: vandelay industries", "opp-sa"),
        ] {
            let detection = score(&personal(title), &[initech.clone(), umbrella.clone(), sa.clone()]);
            assert_eq!(detection.opportunity_id.as_deref(), Some(expected), "{title}");
            assert!(detection.reasons.contains(&"company_in_title"), "{title}");
        }
    }

    #[test]
    fn a_company_name_matches_only_as_whole_words() {
        let meta = prospect("opp-meta", "Meta", &[], &[]);
        let wayne = prospect("opp-wayne", "Wayne Enterprises", &[], &[]);
        for title in ["Metadata review interview", "Interview with Wayne from the book club"] {
            assert_eq!(score(&personal(title), &[meta.clone(), wayne.clone()]).opportunity_id, None, "{title}");
        }
    }

    #[test]
    fn the_strongest_evidence_chooses_between_opportunities() {
        let hooli = prospect("opp-hooli", "Hooli", &[], &["hooli.xyz"]);
        let initech = prospect("opp-initech", "Initech", &["bill@initech.io"], &[]);
        let prospects = [globex(), hooli, initech];
        // Named in the title: Globex; an interviewer from Hooli's domain; Initech's contact invited.
        let event = with_people(personal("Globex interview"), "gavin@hooli.xyz", &["bill@initech.io"]);
        assert_eq!(score(&event, &prospects).opportunity_id.as_deref(), Some("opp-initech"));
        let event = with_people(personal("Globex interview"), "gavin@hooli.xyz", &[]);
        assert_eq!(score(&event, &prospects).opportunity_id.as_deref(), Some("opp-hooli"));
        assert_eq!(score(&personal("Globex interview"), &prospects).opportunity_id.as_deref(), Some("opp-globex"));
    }

    #[test]
    fn interview_words_in_many_languages_are_found() {
        for title in [
            "Interview",
            "Phone screen",
            "Recruiter call",
            "Hiring manager chat",
            "Final round",
            "Vorstellungsgespräch",
            "Bewerbungsgespräch (2. Runde)",
            "Entretien d'embauche",
            "Entretien d’embauche",
            "Entrevista",
            "Colloquio di lavoro",
            "Sollicitatiegesprek",
            "Rozmowa kwalifikacyjna",
            "Anställningsintervju",
            "一次面接",
            "技术面试",
        ] {
            let detection = detect(&personal(title), &[]);
            assert!(detection.is_some(), "{title}: {:?}", score(&personal(title), &[]));
        }
    }

    #[test]
    fn everyday_events_stay_below_the_threshold_even_when_they_name_a_prospect() {
        for title in ["Globex webinar", "Lunch with Jane from Globex", "Prep for Globex interview", "Daily stand-up"] {
            assert_eq!(detect(&personal(title), &[globex()]), None, "{title}");
        }
    }

    #[test]
    fn all_day_recurring_and_oddly_long_or_short_events_score_lower() {
        let plain = score(&personal("Interview"), &[]).score;
        let all_day = score(&EventFacts { all_day: true, duration_minutes: 1440, ..personal("Interview") }, &[]);
        let recurring = score(&EventFacts { recurring: true, ..personal("Interview") }, &[]);
        let long = score(&EventFacts { duration_minutes: 7 * 60, ..personal("Interview") }, &[]);
        let short = score(&EventFacts { duration_minutes: 5, ..personal("Interview") }, &[]);
        assert!(all_day.reasons.contains(&"all_day") && !all_day.reasons.contains(&"odd_length"));
        assert!(recurring.reasons.contains(&"recurring"));
        assert!(long.reasons.contains(&"odd_length") && short.reasons.contains(&"odd_length"));
        for lower in [all_day, recurring, long, short] {
            assert!(lower.score < plain, "{lower:?}");
        }
        let unknown_length = score(&EventFacts { duration_minutes: 0, ..personal("Interview") }, &[]);
        assert_eq!(unknown_length.score, plain, "an unknown length is no evidence");
    }

    #[test]
    fn links_to_meetings_and_recruiting_tools_are_found_in_any_field() {
        let in_location = EventFacts { location: "https://us02web.zoom.us/j/123".into(), ..personal("Call") };
        let in_urls = EventFacts { conference_urls: vec!["https://meet.google.com/abc".into()], ..personal("Call") };
        let tool = EventFacts { description: "This event was scheduled via Greenhouse.".into(), ..personal("Call") };
        assert!(score(&in_location, &[]).reasons.contains(&"conference_link"));
        assert!(score(&in_urls, &[]).reasons.contains(&"conference_link"));
        assert!(score(&tool, &[]).reasons.contains(&"recruiting_tool"));
    }

    #[test]
    fn the_rounds_kind_is_guessed_from_its_words() {
        for (title, kind) in [
            ("Recruiter call - Globex", InterviewKind::PhoneScreen),
            ("Phone screen", InterviewKind::PhoneScreen),
            ("System design interview", InterviewKind::SystemDesign),
            ("Coding interview", InterviewKind::Technical),
            ("Technical phone screen", InterviewKind::Technical),
            ("Entrevista técnica", InterviewKind::Technical),
            ("Behavioral interview", InterviewKind::Behavioural),
            ("Culture interview", InterviewKind::Behavioural),
            ("Onsite panel", InterviewKind::Panel),
            ("On-site interviews", InterviewKind::Onsite),
            ("Final round", InterviewKind::Onsite),
            ("Interview", InterviewKind::Other),
        ] {
            assert_eq!(score(&personal(title), &[]).kind, kind, "{title}");
        }
        let described = EventFacts { description: "Your system design round".into(), ..personal("Interview") };
        assert_eq!(score(&described, &[]).kind, InterviewKind::SystemDesign);
    }

    #[test]
    fn without_a_matching_opportunity_the_company_is_guessed_from_the_title_then_a_domain() {
        let titled = with_people(personal("Interview with Pied Piper - Senior Engineer"), "monica@piedpiper.com", &[]);
        assert_eq!(score(&titled, &[]).company, "Pied Piper");
        let untitled = with_people(personal("Entrevista"), "rh@tecno-brasil.com.br", &[]);
        assert_eq!(score(&untitled, &[]).company, "Tecno Brasil");
        assert_eq!(score(&personal("Interview"), &[]).company, "");
    }

    #[test]
    fn odd_huge_and_empty_input_never_panics() {
        let huge = "interview ".repeat(200_000);
        // Many long entries, but not a thousand copies of two megabytes.
        let long = "x@globex.com ".repeat(2_000);
        let odd = "\u{202e}Ïnterview\u{0}\u{301}\u{fffd}👩‍💻 面接 İ ß ﬁ \u{10ffff} @@ .. <> \r\n\t";
        let events = [
            EventFacts::default(),
            EventFacts {
                title: huge.clone(),
                description: huge.clone(),
                location: huge.clone(),
                organizer_email: Some(huge.clone()),
                attendee_emails: vec![long.clone(); 1_000],
                conference_urls: vec![long.clone(); 1_000],
                own_email: Some(huge.clone()),
                duration_minutes: i64::MAX,
                ..EventFacts::default()
            },
            EventFacts {
                title: odd.into(),
                description: odd.into(),
                location: odd.into(),
                organizer_email: Some("@".into()),
                attendee_emails: vec!["".into(), "a@".into(), "@b".into(), "@@@".into(), "x@.".into(), "é@ü.ß".into()],
                conference_urls: vec![odd.into()],
                own_email: Some("<>".into()),
                duration_minutes: i64::MIN,
                all_day: true,
                recurring: true,
            },
            EventFacts { title: "İİİ with ẞẞ - x".into(), ..EventFacts::default() },
        ];
        let prospects = [
            Prospect::default(),
            prospect("a", "Inc.", &["", "@"], &["", ".", "..", "https://", "www.", "a..b", "é.ü"]),
            prospect("b", odd, &[odd], &[odd, &huge]),
            prospect("c", &huge, &[], &[]),
        ];
        for event in &events {
            let detection = score(event, &prospects);
            assert!(detection.score <= 100);
            let _ = detect(event, &prospects);
            let _ = detect(event, &[]);
        }
        assert_eq!(score(&EventFacts::default(), &[]).score, 0);
        assert_eq!(detect(&EventFacts::default(), &[]), None);
    }
}
