//! Contact details: name, title, email, phone, web addresses and profiles, location.

use std::sync::LazyLock;

use regex::Regex;

use super::lines::{bullet_body, fields};
use super::sections::heading_kind;
use crate::resume::dates::find_range;
use crate::resume::json_resume::{Basics, Location, Profile};

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
        .expect("the email pattern is valid")
});
static PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+|\b00|\(|\b)\d[\d ().\-/]{5,}\d\b").expect("the phone pattern is valid"));
/// A web address: with a scheme or "www.", or a lower-case host on a common top-level domain
/// (so "Node.js" and "ASP.NET" are not addresses).
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:https?://[^\s,;|<>()]+|\bwww\.[^\s,;|<>()]+|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|dev|me|app|co|uk|de|fr|ai|eu|info|page|site|xyz|tech|ca|au|nl|ch|se|es|it|us|in|be|at|pl|pt|ie|nz|sh|so|cc|to|gg)(?:/[^\s,;|<>()]*)?)")
        .expect("the url pattern is valid")
});

/// Sites whose addresses are profiles, with the network's name.
const NETWORKS: &[(&str, &str)] = &[
    ("linkedin.com", "LinkedIn"),
    ("github.com", "GitHub"),
    ("gitlab.com", "GitLab"),
    ("bitbucket.org", "Bitbucket"),
    ("twitter.com", "Twitter"),
    ("x.com", "X"),
    ("stackoverflow.com", "Stack Overflow"),
    ("medium.com", "Medium"),
    ("behance.net", "Behance"),
    ("dribbble.com", "Dribbble"),
    ("bsky.app", "Bluesky"),
    ("kaggle.com", "Kaggle"),
    ("orcid.org", "ORCID"),
    ("scholar.google.com", "Google Scholar"),
    ("researchgate.net", "ResearchGate"),
    ("xing.com", "XING"),
    ("youtube.com", "YouTube"),
    ("instagram.com", "Instagram"),
];

pub fn find_email(text: &str) -> Option<String> {
    EMAIL.find(text).map(|m| m.as_str().trim_end_matches('.').to_string())
}

/// A telephone number: 7 to 15 digits, and not a date range ("2019 - 2021").
pub fn find_phone(text: &str) -> Option<String> {
    let without_emails = EMAIL.replace_all(text, " ");
    let without_urls = URL.replace_all(&without_emails, " ");
    PHONE.find_iter(&without_urls).find_map(|m| {
        let candidate = m.as_str().trim();
        let digits = candidate.chars().filter(char::is_ascii_digit).count();
        let plausible = (7..=15).contains(&digits) && find_range(candidate).is_none() && !candidate.contains("..");
        plausible.then(|| candidate.trim_end_matches([')', '.', '-']).trim().to_string())
    })
}

pub fn find_urls(text: &str) -> Vec<String> {
    let without_emails = EMAIL.replace_all(text, " ");
    URL.find_iter(&without_emails).map(|m| m.as_str().trim_end_matches(['.', '/']).to_string()).collect()
}

/// `url` as a profile, when it is on a site we know.
pub fn profile_of(url: &str) -> Option<Profile> {
    let bare = url.trim_start_matches("https://").trim_start_matches("http://").trim_start_matches("www.");
    let (host, path) = bare.split_once('/').unwrap_or((bare, ""));
    let host = host.to_ascii_lowercase();
    let (_, network) = NETWORKS.iter().find(|(domain, _)| host == *domain || host.ends_with(&format!(".{domain}")))?;
    // linkedin.com/in/jane-doe, github.com/jane, medium.com/@jane, bsky.app/profile/jane.bsky.social
    let segments: Vec<&str> = path.split(['/', '?', '#']).filter(|s| !s.is_empty()).collect();
    let username = match segments.as_slice() {
        ["users", id, name, ..] if id.chars().all(|c| c.is_ascii_digit()) => Some(*name),
        ["in" | "pub" | "profile" | "u" | "user" | "users", name, ..] => Some(*name),
        [name, ..] => Some(*name),
        [] => None,
    }
    .map(|name| name.trim_start_matches('@').to_string())
    .filter(|name| !name.is_empty());
    let full = if url.starts_with("http") { url.to_string() } else { format!("https://{bare}") };
    Some(Profile { network: network.to_string(), username, url: Some(full) })
}

/// "GitHub: janedoe", "LinkedIn - jane-doe": a profile named by its network, without an address.
fn labelled_profile(field: &str) -> Option<Profile> {
    let (label, value) = field.split_once(':').or_else(|| field.split_once(" - "))?;
    let value = value.trim();
    if value.is_empty() || value.contains(' ') || value.contains('/') {
        return None;
    }
    let (domain, network) = NETWORKS.iter().find(|(_, network)| network.eq_ignore_ascii_case(label.trim()))?;
    let username = value.trim_start_matches('@').to_string();
    let url = match *network {
        "LinkedIn" => format!("https://www.linkedin.com/in/{username}"),
        _ => format!("https://{domain}/{username}"),
    };
    Some(Profile { network: network.to_string(), username: Some(username), url: Some(url) })
}

/// US states and a few countries, to tell "Austin, TX" and "Lyon, France" from "Engineer, Acme".
const REGIONS: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR",
    "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "ON", "BC", "QC", "AB", "NSW", "VIC",
    "QLD",
];
const COUNTRIES: &[(&str, &str)] = &[
    ("united states", "US"),
    ("usa", "US"),
    ("us", "US"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("ireland", "IE"),
    ("france", "FR"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("spain", "ES"),
    ("portugal", "PT"),
    ("italy", "IT"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("belgium", "BE"),
    ("switzerland", "CH"),
    ("austria", "AT"),
    ("sweden", "SE"),
    ("norway", "NO"),
    ("denmark", "DK"),
    ("finland", "FI"),
    ("poland", "PL"),
    ("czech republic", "CZ"),
    ("czechia", "CZ"),
    ("greece", "GR"),
    ("romania", "RO"),
    ("hungary", "HU"),
    ("ukraine", "UA"),
    ("canada", "CA"),
    ("mexico", "MX"),
    ("brazil", "BR"),
    ("argentina", "AR"),
    ("chile", "CL"),
    ("colombia", "CO"),
    ("india", "IN"),
    ("china", "CN"),
    ("japan", "JP"),
    ("south korea", "KR"),
    ("korea", "KR"),
    ("singapore", "SG"),
    ("australia", "AU"),
    ("new zealand", "NZ"),
    ("israel", "IL"),
    ("turkey", "TR"),
    ("egypt", "EG"),
    ("nigeria", "NG"),
    ("kenya", "KE"),
    ("south africa", "ZA"),
    ("united arab emirates", "AE"),
    ("uae", "AE"),
    ("pakistan", "PK"),
    ("vietnam", "VN"),
    ("indonesia", "ID"),
    ("philippines", "PH"),
    ("estonia", "EE"),
    ("luxembourg", "LU"),
];

pub fn country_code(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_end_matches('.').to_lowercase();
    COUNTRIES.iter().find(|(country, _)| *country == name).map(|(_, code)| *code)
}

/// Is this field a place: "Austin, TX", "Lyon, France", "Berlin, Germany", "Remote", "London, UK
/// (hybrid)"? Names of cities alone are not recognised (we have no gazetteer), except before a
/// region or country.
pub fn is_location(field: &str) -> bool {
    let field = field.trim().trim_start_matches("Location:").trim_start_matches("Based in").trim();
    let lower = field.to_lowercase();
    let without_mode = lower.trim_end_matches(|c: char| c == ')' || c.is_whitespace());
    if ["remote", "hybrid", "on-site", "onsite", "worldwide", "anywhere"].iter().any(|w| {
        without_mode == *w || without_mode.ends_with(&format!("({w}")) || without_mode.starts_with(&format!("{w} "))
    }) {
        return true;
    }
    if country_code(field).is_some() {
        return true;
    }
    let field = field.split('(').next().unwrap_or(field).trim();
    let parts: Vec<&str> = field.split(',').map(str::trim).collect();
    if parts.len() < 2 || parts.len() > 3 || field.chars().count() > 50 || parts.iter().any(|p| p.is_empty()) {
        return false;
    }
    let last = parts[parts.len() - 1];
    let named_place = |p: &str| {
        p.split_whitespace().count() <= 3
            && p.split_whitespace().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()))
    };
    let last_is_region =
        REGIONS.contains(&last.split_whitespace().next().unwrap_or_default()) || country_code(last).is_some();
    last_is_region && parts.iter().all(|p| named_place(p))
}

/// A place as JSON Resume's location.
pub fn location_of(field: &str) -> Location {
    let field = field.trim().trim_start_matches("Location:").trim_start_matches("Address:").trim();
    let parts: Vec<&str> = field.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    let mut location = Location::default();
    if parts.iter().any(|p| p.chars().any(|c| c.is_ascii_digit())) {
        // A postal address: "Via Roma 12, 40126 Bologna, Italy". The city is the part before the
        // country, without its postal code.
        location.address = Some(field.to_string());
        if parts.len() >= 2 {
            let last = parts[parts.len() - 1];
            let (city_part, country) = match country_code(last) {
                Some(code) => (parts[parts.len() - 2], Some(code)),
                None => (last, None),
            };
            let city: Vec<&str> =
                city_part.split_whitespace().filter(|w| !w.chars().any(|c| c.is_ascii_digit())).collect();
            location.city = (!city.is_empty()).then(|| city.join(" "));
            location.country_code = country.map(str::to_string);
            return location;
        }
    }
    match parts.as_slice() {
        [one] => match country_code(one) {
            Some(code) => location.country_code = Some(code.to_string()),
            None => location.city = Some(one.to_string()),
        },
        [city, .., last] => {
            location.city =
                Some(city.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace()).to_string());
            match country_code(last) {
                Some(code) => {
                    location.country_code = Some(code.to_string());
                    if parts.len() == 3 {
                        location.region = Some(parts[1].to_string());
                    }
                }
                None => location.region = Some(last.split_whitespace().next().unwrap_or(last).to_string()),
            }
        }
        [] => {}
    }
    location
}

/// Words that make a line a job title ("Senior Software Engineer").
pub const ROLE_WORDS: &[&str] = &[
    "engineer",
    "developer",
    "manager",
    "intern",
    "analyst",
    "designer",
    "consultant",
    "director",
    "lead",
    "head",
    "scientist",
    "researcher",
    "specialist",
    "architect",
    "officer",
    "assistant",
    "associate",
    "coordinator",
    "administrator",
    "teacher",
    "professor",
    "lecturer",
    "founder",
    "co-founder",
    "cofounder",
    "cto",
    "ceo",
    "cfo",
    "coo",
    "vp",
    "president",
    "owner",
    "technician",
    "nurse",
    "accountant",
    "editor",
    "writer",
    "programmer",
    "sre",
    "devops",
    "representative",
    "executive",
    "advisor",
    "adviser",
    "fellow",
    "tutor",
    "contractor",
    "freelancer",
    "freelance",
    "partner",
    "principal",
    "staff",
    "senior",
    "junior",
    "sr",
    "jr",
    "trainee",
    "apprentice",
    "postdoc",
    "postdoctoral",
    "student",
    "instructor",
    "chef",
    "clerk",
    "agent",
    "supervisor",
    "strategist",
    "marketer",
    "recruiter",
    "producer",
    "physician",
    "lawyer",
    "attorney",
    "paralegal",
    "pharmacist",
    "therapist",
    "coach",
    "mentor",
    "volunteer",
    "maintainer",
    "contributor",
    "member",
    "chair",
    "secretary",
    "treasurer",
    "ambassador",
    "operator",
    "sales",
    "product",
    "owner",
    "full-stack",
    "fullstack",
    "backend",
    "frontend",
    "back-end",
    "front-end",
    "data",
    "software",
];

pub fn role_score(text: &str) -> usize {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| ROLE_WORDS.contains(&w.to_lowercase().as_str()))
        .count()
}

/// Does the line hold a contact detail (so it is not a name or a title)?
pub fn has_contact(text: &str) -> bool {
    find_email(text).is_some() || find_phone(text).is_some() || !find_urls(text).is_empty()
}

/// Is this a person's name: two to five words, letters (and hyphens, apostrophes, dots), no
/// heading word, no role word?
pub fn is_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    if !(1..=5).contains(&words.len()) || text.chars().count() > 50 || has_contact(text) || heading_kind(text).is_some()
    {
        return false;
    }
    if words.len() == 1
        && !words[0].chars().all(|c| c.is_uppercase() || !c.is_alphabetic())
        && words[0].chars().count() < 3
    {
        return false;
    }
    let letters_only = text.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.' | ','));
    let capitalised = words.iter().all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()));
    letters_only && capitalised && role_score(text) == 0 && !is_location(text)
}

/// "JANE DOE" → "Jane Doe"; a name already in mixed case stays as written.
fn tidy_name(text: &str) -> String {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() < 2 || !letters.iter().all(|c| c.is_uppercase()) {
        return text.to_string();
    }
    text.split(' ')
        .map(|word| {
            let mut out = String::new();
            let mut start = true;
            for c in word.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                start = matches!(c, '-' | '\'');
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The contact details from the lines above the first heading and a contact section (`block`),
/// with email, phone and profiles looked for in all the `lines` when the block lacks them (a
/// two-column layout may put them in a sidebar further down).
pub fn basics_from(block: &[String], all_lines: &[String]) -> Basics {
    let mut basics = Basics::default();
    let block_fields: Vec<(usize, String)> = block
        .iter()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .flat_map(|(i, line)| fields(bullet_body(line).unwrap_or(line)).into_iter().map(move |f| (i, f)))
        .collect();
    // The name: the first field that reads as one. A letter-spaced name is joined first.
    let mut name_line = None;
    for (line, field) in block_fields.iter().take(8) {
        let candidate = field.split(',').next().unwrap_or(field).trim();
        if is_name(candidate) {
            basics.name = Some(tidy_name(candidate));
            name_line = Some(*line);
            break;
        }
    }
    // The title: the next field after the name that is no contact detail or place.
    if let Some(name_line) = name_line {
        let name = basics.name.clone().unwrap_or_default();
        basics.label = block_fields
            .iter()
            .filter(|(line, field)| *line >= name_line && *line <= name_line + 2 && tidy_name(field) != name)
            .map(|(_, field)| field.trim())
            .find(|field| {
                !has_contact(field)
                    && !is_location(field)
                    && field.split_whitespace().count() <= 8
                    && !field.chars().any(|c| c.is_ascii_digit())
                    && heading_kind(field).is_none()
                    && (role_score(field) > 0 || field.split_whitespace().count() <= 4 && !is_name(field))
            })
            .map(str::to_string);
    }
    let block_text = block.join("\n");
    let everywhere = all_lines.join("\n");
    basics.email = find_email(&block_text).or_else(|| find_email(&everywhere));
    basics.phone = block.iter().find_map(|l| find_phone(l)).or_else(|| {
        // Further down, only a short line that is mostly a number: not a bullet with figures.
        all_lines.iter().filter(|l| l.chars().count() <= 40).find_map(|l| find_phone(l))
    });
    let mut urls = find_urls(&block_text);
    if urls.is_empty() {
        urls = all_lines.iter().filter(|l| l.chars().count() <= 60).flat_map(|l| find_urls(l)).collect();
    }
    for url in urls {
        match profile_of(&url) {
            Some(profile) if !basics.profiles.iter().any(|p| p.network == profile.network) => {
                basics.profiles.push(profile);
            }
            Some(_) => {}
            None if basics.url.is_none() => {
                basics.url = Some(if url.starts_with("http") { url } else { format!("https://{url}") })
            }
            None => {}
        }
    }
    for (_, field) in &block_fields {
        if let Some(profile) = labelled_profile(field) {
            if !basics.profiles.iter().any(|p| p.network == profile.network) {
                basics.profiles.push(profile);
            }
        }
    }
    if let Some((_, place)) = block_fields.iter().find(|(_, field)| is_location(field) && !has_contact(field)) {
        basics.location = location_of(place);
    }
    basics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_details_are_found_in_the_top_block() {
        let block: Vec<String> = [
            "JANE Q. DOE",
            "Senior Software Engineer",
            "Austin, TX | +1 (512) 555-0199 | jane.doe@example.com",
            "linkedin.com/in/jane-doe • https://github.com/janedoe • janedoe.dev",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let basics = basics_from(&block, &block);
        assert_eq!(basics.name.as_deref(), Some("Jane Q. Doe"));
        assert_eq!(basics.label.as_deref(), Some("Senior Software Engineer"));
        assert_eq!(basics.email.as_deref(), Some("jane.doe@example.com"));
        assert_eq!(basics.phone.as_deref(), Some("+1 (512) 555-0199"));
        assert_eq!(basics.url.as_deref(), Some("https://janedoe.dev"));
        assert_eq!(basics.profiles[0].network, "LinkedIn");
        assert_eq!(basics.profiles[0].username.as_deref(), Some("jane-doe"));
        assert_eq!(basics.profiles[1].username.as_deref(), Some("janedoe"));
        assert_eq!(basics.location.city.as_deref(), Some("Austin"));
        assert_eq!(basics.location.region.as_deref(), Some("TX"));
    }

    #[test]
    fn places_phones_and_addresses_are_told_apart() {
        assert!(is_location("Lyon, France"));
        assert!(is_location("Remote"));
        assert!(!is_location("Engineer, Acme"));
        assert_eq!(find_phone("2019 - 2021"), None);
        assert_eq!(find_phone("Tel: 030 1234567"), Some("030 1234567".into()));
        assert!(find_urls("Node.js, ASP.NET, Vue.js").is_empty());
    }
}
