//! The job search's input: an opportunity as a form or the API gives it, and its pipeline.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::career::{DESCRIPTION, MEDIUM, SHORT};
use crate::domain::fields::{self, nullable_list, nullable_text, set, PartialDate};
use crate::domain::FieldErrors;

/// Where an opportunity stands. The first six are the pipeline in order; the last three can
/// happen at any point.
pub const STATUSES: [(&str, &str); 9] = [
    ("saved", "Saved"),
    ("applied", "Applied"),
    ("screening", "Screening"),
    ("interviewing", "Interviewing"),
    ("offer", "Offer"),
    ("accepted", "Accepted"),
    ("rejected", "Rejected"),
    ("withdrawn", "Withdrawn"),
    ("ghosted", "Ghosted"),
];

pub const WORK_MODES: [(&str, &str); 3] = [("remote", "Remote"), ("hybrid", "Hybrid"), ("onsite", "On-site")];

/// How far along the search a status is, for the funnel: 1 applied, 2 screening,
/// 3 interviewing, 4 offer (or accepted); 0 for saved and the endings.
pub fn stage_of(status: &str) -> i64 {
    match status {
        "applied" => 1,
        "screening" => 2,
        "interviewing" => 3,
        "offer" | "accepted" => 4,
        _ => 0,
    }
}

pub fn status_name(status: &str) -> &'static str {
    STATUSES.iter().find(|(key, _)| *key == status).map(|(_, name)| *name).unwrap_or("Unknown")
}

pub fn work_mode_name(mode: &str) -> &'static str {
    WORK_MODES.iter().find(|(key, _)| *key == mode).map(|(_, name)| *name).unwrap_or("")
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OpportunityDraft {
    pub company: String,
    pub role: String,
    pub description: String,
    pub posting_url: String,
    pub location: String,
    pub work_mode: String,
    pub salary_min: String,
    pub salary_max: String,
    pub currency: String,
    pub source: String,
    pub status: String,
    pub applied_on: String,
    pub next_action: String,
    pub next_action_due: String,
    pub labels: String,
}

/// An opportunity as the API takes it: `company` and `role` are needed on create; `status`
/// defaults to `saved`. Only the fields sent change on PATCH; `null` clears an optional one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub role: Option<String>,
    /// The job description.
    #[serde(default, deserialize_with = "nullable_text")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub posting_url: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub location: Option<String>,
    /// `remote`, `hybrid` or `onsite`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub work_mode: Option<String>,
    #[serde(default, deserialize_with = "nullable_number")]
    pub salary_min: Option<String>,
    #[serde(default, deserialize_with = "nullable_number")]
    pub salary_max: Option<String>,
    /// ISO 4217, e.g. `EUR`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub currency: Option<String>,
    /// Where you found it.
    #[serde(default, deserialize_with = "nullable_text")]
    pub source: Option<String>,
    /// saved, applied, screening, interviewing, offer, accepted, rejected, withdrawn, ghosted.
    #[serde(default, deserialize_with = "nullable_text")]
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub applied_on: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub next_action: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub next_action_due: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    pub labels: Option<Vec<String>>,
}

/// A whole number from JSON (or `null`), kept as text like the form's field.
fn nullable_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = Option::<i64>::deserialize(deserializer)?;
    Ok(Some(value.map(|n| n.to_string()).unwrap_or_default()))
}

#[derive(Debug, Clone)]
pub struct OpportunityInput {
    pub company: String,
    pub role: String,
    pub description: String,
    pub posting_url: Option<String>,
    pub location: String,
    pub work_mode: String,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub currency: String,
    pub source: String,
    pub status: String,
    pub applied_on: Option<PartialDate>,
    pub next_action: String,
    pub next_action_due: Option<PartialDate>,
    pub labels: Vec<String>,
}

fn salary(input: &str) -> Result<Option<i64>, String> {
    let cleaned: String = input.trim().chars().filter(|c| !matches!(c, ',' | '_' | ' ' | '\u{a0}')).collect();
    if cleaned.is_empty() {
        return Ok(None);
    }
    match cleaned.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000).contains(&n) => Ok(Some(n)),
        _ => Err("Give a whole amount, such as 85000.".into()),
    }
}

fn optional_day(input: &str) -> Result<Option<PartialDate>, String> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        PartialDate::parse_day(input).map(Some)
    }
}

impl OpportunityDraft {
    pub fn blank() -> Self {
        Self { status: "saved".into(), ..Self::default() }
    }

    pub fn apply(&mut self, write: OpportunityWrite) {
        set(&mut self.company, write.company);
        set(&mut self.role, write.role);
        set(&mut self.description, write.description);
        set(&mut self.posting_url, write.posting_url);
        set(&mut self.location, write.location);
        set(&mut self.work_mode, write.work_mode);
        set(&mut self.salary_min, write.salary_min);
        set(&mut self.salary_max, write.salary_max);
        set(&mut self.currency, write.currency);
        set(&mut self.source, write.source);
        set(&mut self.status, write.status);
        set(&mut self.applied_on, write.applied_on);
        set(&mut self.next_action, write.next_action);
        set(&mut self.next_action_due, write.next_action_due);
        crate::domain::career::set_label_names(&mut self.labels, write.labels);
    }

    pub fn validate(&self) -> Result<OpportunityInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let company = e.check("company", fields::required_line(&self.company, SHORT, "the company"));
        let role = e.check("role", fields::required_line(&self.role, SHORT, "the role"));
        let description = e.check("description", fields::text(&self.description, 50_000.max(DESCRIPTION)));
        let posting_url = e.check("posting_url", fields::optional_web_link(&self.posting_url)).flatten();
        let location = e.check("location", fields::line(&self.location, MEDIUM));
        let work_mode = self.work_mode.trim().to_ascii_lowercase();
        if !work_mode.is_empty() && !WORK_MODES.iter().any(|(key, _)| *key == work_mode) {
            e.add("work_mode", "Choose remote, hybrid or on-site, or leave it empty.");
        }
        let salary_min = e.check("salary_min", salary(&self.salary_min)).flatten();
        let salary_max = e.check("salary_max", salary(&self.salary_max)).flatten();
        if let (Some(min), Some(max)) = (salary_min, salary_max) {
            if max < min {
                e.add("salary_max", "The top of the range is below its bottom.");
            }
        }
        let currency = self.currency.trim().to_ascii_uppercase();
        let is_code = currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase());
        if !currency.is_empty() && !is_code {
            e.add("currency", "Use a three-letter currency code, such as EUR or USD.");
        }
        if currency.is_empty() && (salary_min.is_some() || salary_max.is_some()) {
            e.add("currency", "Say which currency the salary is in, such as EUR.");
        }
        let source = e.check("source", fields::line(&self.source, MEDIUM));
        let status = self.status.trim().to_ascii_lowercase();
        let status = if status.is_empty() { "saved".to_owned() } else { status };
        if !STATUSES.iter().any(|(key, _)| *key == status) {
            e.add("status", "Choose a status from the list.");
        }
        let applied_on = e.check("applied_on", optional_day(&self.applied_on)).flatten();
        let next_action = e.check("next_action", fields::line(&self.next_action, SHORT));
        let next_action_due = e.check("next_action_due", optional_day(&self.next_action_due)).flatten();
        let labels = crate::domain::career::parse_labels(&mut e, &self.labels);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(OpportunityInput {
            company: company.unwrap_or_default(),
            role: role.unwrap_or_default(),
            description: description.unwrap_or_default(),
            posting_url,
            location: location.unwrap_or_default(),
            work_mode,
            salary_min,
            salary_max,
            currency,
            source: source.unwrap_or_default(),
            status,
            applied_on,
            next_action: next_action.unwrap_or_default(),
            next_action_due,
            labels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> OpportunityDraft {
        OpportunityDraft { company: "Acme".into(), role: "Staff Engineer".into(), ..OpportunityDraft::blank() }
    }

    #[test]
    fn statuses_salaries_and_currencies_are_checked() {
        assert_eq!(draft().validate().unwrap().status, "saved");
        let unknown = OpportunityDraft { status: "hired".into(), ..draft() };
        assert!(unknown.validate().unwrap_err().get("status").is_some());
        let range = OpportunityDraft {
            salary_min: "90,000".into(),
            salary_max: "80000".into(),
            currency: "eur".into(),
            ..draft()
        };
        assert!(range.validate().unwrap_err().get("salary_max").is_some());
        let ok = OpportunityDraft {
            salary_min: "80 000".into(),
            salary_max: "90000".into(),
            currency: "eur".into(),
            ..draft()
        };
        let input = ok.validate().unwrap();
        assert_eq!((input.salary_min, input.salary_max, input.currency.as_str()), (Some(80_000), Some(90_000), "EUR"));
        let no_currency = OpportunityDraft { salary_min: "80000".into(), ..draft() };
        assert!(no_currency.validate().unwrap_err().get("currency").is_some());
        let bad_url = OpportunityDraft { posting_url: "javascript:alert(1)".into(), ..draft() };
        assert!(bad_url.validate().unwrap_err().get("posting_url").is_some());
    }
}

// ---- contacts ----

pub const CONTACT_LINKS_MAX: usize = 10;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ContactDraft {
    pub name: String,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    /// One web address per line.
    pub links: String,
    pub how_we_met: String,
    pub notes: String,
    pub labels: String,
}

/// A contact as the API takes it: `name` is needed on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub role: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub phone: Option<String>,
    /// http(s) addresses: a profile, a site.
    #[serde(default, deserialize_with = "nullable_list")]
    pub links: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub how_we_met: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    pub labels: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct ContactInput {
    pub name: String,
    pub company: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    pub links: Vec<String>,
    pub how_we_met: String,
    pub notes: String,
    pub labels: Vec<String>,
}

fn phone(input: &str) -> Result<String, String> {
    let value = fields::line(input, 40)?;
    if !value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return Err("Use digits, spaces and + - ( ) only.".into());
    }
    Ok(value)
}

impl ContactDraft {
    pub fn blank() -> Self {
        Self::default()
    }

    pub fn apply(&mut self, write: ContactWrite) {
        set(&mut self.name, write.name);
        set(&mut self.company, write.company);
        set(&mut self.role, write.role);
        set(&mut self.email, write.email);
        set(&mut self.phone, write.phone);
        if let Some(links) = write.links {
            let links = &links[..links.len().min(CONTACT_LINKS_MAX + 1)];
            self.links = links.iter().map(|l| l.replace(['\n', '\r'], " ")).collect::<Vec<_>>().join("\n");
        }
        set(&mut self.how_we_met, write.how_we_met);
        set(&mut self.notes, write.notes);
        crate::domain::career::set_label_names(&mut self.labels, write.labels);
    }

    pub fn validate(&self) -> Result<ContactInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check("name", fields::required_line(&self.name, SHORT, "the person’s name"));
        let company = e.check("company", fields::line(&self.company, SHORT));
        let role = e.check("role", fields::line(&self.role, SHORT));
        let email = if self.email.trim().is_empty() {
            Some(String::new())
        } else {
            e.check("email", crate::domain::Email::parse(&self.email).map(|m| m.as_str().to_owned()))
        };
        let phone = e.check("phone", phone(&self.phone));
        let mut links = Vec::new();
        let lines: Vec<&str> = self.links.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        if lines.len() > CONTACT_LINKS_MAX {
            e.add("links", format!("At most {CONTACT_LINKS_MAX} links."));
        } else {
            for line in lines {
                match fields::optional_web_link(line) {
                    Ok(Some(link)) => links.push(link),
                    Ok(None) => {}
                    Err(message) => e.add("links", message),
                }
            }
        }
        let how_we_met = e.check("how_we_met", fields::line(&self.how_we_met, SHORT));
        let notes = e.check("notes", fields::text(&self.notes, DESCRIPTION));
        let labels = crate::domain::career::parse_labels(&mut e, &self.labels);
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ContactInput {
            name: name.unwrap_or_default(),
            company: company.unwrap_or_default(),
            role: role.unwrap_or_default(),
            email: email.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            links,
            how_we_met: how_we_met.unwrap_or_default(),
            notes: notes.unwrap_or_default(),
            labels,
        })
    }
}

// ---- interviews ----

pub const INTERVIEW_KINDS: [(&str, &str); 7] = [
    ("phone_screen", "Phone screen"),
    ("technical", "Technical"),
    ("behavioural", "Behavioural"),
    ("system_design", "System design"),
    ("panel", "Panel"),
    ("onsite", "On-site"),
    ("other", "Other"),
];

pub const OUTCOMES: [(&str, &str); 4] =
    [("pending", "Waiting to hear"), ("passed", "Passed"), ("not_passed", "Not passed"), ("cancelled", "Cancelled")];

pub const DURATION_DEFAULT: i64 = 60;
pub const DURATION_MAX: i64 = 24 * 60;

pub fn interview_kind_name(kind: &str) -> &'static str {
    INTERVIEW_KINDS.iter().find(|(key, _)| *key == kind).map(|(_, name)| *name).unwrap_or("Interview")
}

pub fn outcome_name(outcome: &str) -> &'static str {
    OUTCOMES.iter().find(|(key, _)| *key == outcome).map(|(_, name)| *name).unwrap_or("")
}

/// An interview as the form gives it. `start` is the wall-clock time in `time_zone`
/// (`YYYY-MM-DDTHH:MM`, what a `datetime-local` field sends).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterviewDraft {
    pub opportunity_id: String,
    pub round_name: String,
    pub kind: String,
    pub start: String,
    pub time_zone: String,
    pub duration_minutes: String,
    pub location: String,
    pub meeting_url: String,
    pub prep_notes: String,
    pub debrief_summary: String,
    pub debrief_questions: String,
    pub debrief_improve: String,
    pub outcome: String,
    pub labels: String,
}

/// An interview as the API takes it: `opportunity_id`, `round_name`, `kind`, `start` and
/// `time_zone` are needed on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    pub opportunity_id: Option<String>,
    /// "First round", "Meet the team".
    #[serde(default, deserialize_with = "nullable_text")]
    pub round_name: Option<String>,
    /// phone_screen, technical, behavioural, system_design, panel, onsite, other.
    #[serde(default, deserialize_with = "nullable_text")]
    pub kind: Option<String>,
    /// The wall-clock start in `time_zone`: `YYYY-MM-DDTHH:MM`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub start: Option<String>,
    /// An IANA time zone, such as `Europe/Berlin`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub time_zone: Option<String>,
    /// 5 to 1440; 60 when left out.
    #[serde(default, deserialize_with = "nullable_number")]
    pub duration_minutes: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub location: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub meeting_url: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub prep_notes: Option<String>,
    /// Debrief: how it went.
    #[serde(default, deserialize_with = "nullable_text")]
    pub debrief_summary: Option<String>,
    /// Debrief: the questions asked.
    #[serde(default, deserialize_with = "nullable_text")]
    pub debrief_questions: Option<String>,
    /// Debrief: what to do better.
    #[serde(default, deserialize_with = "nullable_text")]
    pub debrief_improve: Option<String>,
    /// pending, passed, not_passed, cancelled.
    #[serde(default, deserialize_with = "nullable_text")]
    pub outcome: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    pub labels: Option<Vec<String>>,
}

/// When an interview starts: the instant, and the wall-clock time and zone it was given in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterviewStart {
    /// Milliseconds since the epoch.
    pub instant_millis: i64,
    /// `YYYY-MM-DDTHH:MM`.
    pub local: String,
    pub time_zone: String,
}

impl InterviewStart {
    /// Read a wall-clock time, to the minute, in a named time zone. Only `YYYY-MM-DDTHH:MM`
    /// (a space may stand for the `T`, and `:00` seconds may follow) is taken: a time with an
    /// offset or a zone of its own would silently mean something else here.
    pub fn parse(
        start: &str,
        time_zone: &str,
    ) -> (Result<jiff::civil::DateTime, String>, Result<jiff::tz::TimeZone, String>) {
        let start = start.trim();
        let local = if start.is_empty() {
            Err("Give the date and time it starts.".to_owned())
        } else {
            wall_clock_minute(start).ok_or_else(|| "Give the date and time as YYYY-MM-DD HH:MM.".to_owned())
        };
        let name = time_zone.trim();
        let zone = if name.is_empty() {
            Err("Choose the time zone it is in, such as Europe/Berlin.".to_owned())
        } else if name.len() > 64 {
            Err("That is not a time zone we know. Use a name such as Europe/Berlin.".to_owned())
        } else {
            jiff::tz::TimeZone::get(name)
                .map_err(|_| "That is not a time zone we know. Use a name such as Europe/Berlin.".to_owned())
        };
        (local, zone)
    }

    /// The start in its zone. A time the clocks skip when summer time begins is read as the
    /// time it becomes (02:30 is 03:30), as calendar apps do; a time that happens twice is the
    /// first. What is kept is what the clock will show, and the zone's own spelling of its name.
    pub fn new(local: jiff::civil::DateTime, zone: &jiff::tz::TimeZone, zone_name: &str) -> Result<Self, String> {
        let zoned =
            zone.to_ambiguous_zoned(local).compatible().map_err(|_| "That time does not exist there.".to_owned())?;
        Ok(Self {
            instant_millis: zoned.timestamp().as_millisecond(),
            local: zoned.datetime().strftime("%Y-%m-%dT%H:%M").to_string(),
            time_zone: zone.iana_name().unwrap_or(zone_name.trim()).to_owned(),
        })
    }
}

/// `YYYY-MM-DDTHH:MM` (or with a space, or with `:00` seconds) as a wall-clock time in
/// 1900–2200; anything else is `None`.
fn wall_clock_minute(input: &str) -> Option<jiff::civil::DateTime> {
    let bytes = input.as_bytes();
    let shape = |pattern: &[u8]| {
        bytes.len() == pattern.len()
            && bytes.iter().zip(pattern).all(|(b, p)| match p {
                b'9' => b.is_ascii_digit(),
                b'T' => *b == b'T' || *b == b' ',
                other => b == other,
            })
    };
    let ok = shape(b"9999-99-99T99:99") || (shape(b"9999-99-99T99:99:99") && input.ends_with(":00"));
    if !ok {
        return None;
    }
    // All ASCII by now, so the first 16 bytes are the minute.
    let parsed = input[..16].replacen(' ', "T", 1).parse::<jiff::civil::DateTime>().ok()?;
    (1900..=2200).contains(&parsed.year()).then_some(parsed)
}

#[derive(Debug, Clone)]
pub struct InterviewInput {
    pub opportunity_id: String,
    pub round_name: String,
    pub kind: String,
    pub start: InterviewStart,
    pub duration_minutes: i64,
    pub location: String,
    pub meeting_url: Option<String>,
    pub prep_notes: String,
    pub debrief_summary: String,
    pub debrief_questions: String,
    pub debrief_improve: String,
    pub outcome: String,
    pub labels: Vec<String>,
}

impl InterviewInput {
    pub fn has_debrief(&self) -> bool {
        !(self.debrief_summary.is_empty() && self.debrief_questions.is_empty() && self.debrief_improve.is_empty())
    }
}

fn choice(
    e: &mut FieldErrors,
    field: &str,
    input: &str,
    choices: &[(&str, &str)],
    default: &str,
    message: &str,
) -> String {
    let value = input.trim().to_ascii_lowercase();
    let value = if value.is_empty() { default.to_owned() } else { value };
    if !choices.iter().any(|(key, _)| *key == value) {
        e.add(field, message);
    }
    value
}

impl InterviewDraft {
    pub fn blank() -> Self {
        Self {
            kind: "phone_screen".into(),
            duration_minutes: DURATION_DEFAULT.to_string(),
            outcome: "pending".into(),
            ..Self::default()
        }
    }

    pub fn apply(&mut self, write: InterviewWrite) {
        set(&mut self.opportunity_id, write.opportunity_id);
        set(&mut self.round_name, write.round_name);
        set(&mut self.kind, write.kind);
        set(&mut self.start, write.start);
        set(&mut self.time_zone, write.time_zone);
        set(&mut self.duration_minutes, write.duration_minutes);
        set(&mut self.location, write.location);
        set(&mut self.meeting_url, write.meeting_url);
        set(&mut self.prep_notes, write.prep_notes);
        set(&mut self.debrief_summary, write.debrief_summary);
        set(&mut self.debrief_questions, write.debrief_questions);
        set(&mut self.debrief_improve, write.debrief_improve);
        set(&mut self.outcome, write.outcome);
        crate::domain::career::set_label_names(&mut self.labels, write.labels);
    }

    pub fn validate(&self) -> Result<InterviewInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let opportunity_id = self.opportunity_id.trim().to_ascii_lowercase();
        if uuid::Uuid::parse_str(&opportunity_id).is_err() {
            e.add("opportunity_id", "Choose the opportunity this interview is for.");
        }
        let round_name = e.check("round_name", fields::required_line(&self.round_name, SHORT, "the round’s name"));
        let kind =
            choice(&mut e, "kind", &self.kind, &INTERVIEW_KINDS, "other", "Choose a kind of interview from the list.");
        let (local, zone) = InterviewStart::parse(&self.start, &self.time_zone);
        let local = e.check("start", local);
        let zone = e.check("time_zone", zone);
        let start = match (local, zone) {
            (Some(local), Some(zone)) => e.check("start", InterviewStart::new(local, &zone, &self.time_zone)),
            _ => None,
        };
        let duration = self.duration_minutes.trim();
        let duration_minutes = if duration.is_empty() {
            DURATION_DEFAULT
        } else {
            match duration.parse::<i64>() {
                Ok(n) if (5..=DURATION_MAX).contains(&n) => n,
                _ => {
                    e.add("duration_minutes", "Give the length in minutes, from 5 to 1440.");
                    DURATION_DEFAULT
                }
            }
        };
        let location = e.check("location", fields::line(&self.location, SHORT));
        let meeting_url = e.check("meeting_url", fields::optional_web_link(&self.meeting_url)).flatten();
        let prep_notes = e.check("prep_notes", fields::text(&self.prep_notes, DESCRIPTION));
        let debrief_summary = e.check("debrief_summary", fields::text(&self.debrief_summary, DESCRIPTION));
        let debrief_questions = e.check("debrief_questions", fields::text(&self.debrief_questions, DESCRIPTION));
        let debrief_improve = e.check("debrief_improve", fields::text(&self.debrief_improve, DESCRIPTION));
        let outcome =
            choice(&mut e, "outcome", &self.outcome, &OUTCOMES, "pending", "Choose an outcome from the list.");
        let labels = crate::domain::career::parse_labels(&mut e, &self.labels);
        match start {
            Some(start) if e.is_empty() => Ok(InterviewInput {
                opportunity_id,
                round_name: round_name.unwrap_or_default(),
                kind,
                start,
                duration_minutes,
                location: location.unwrap_or_default(),
                meeting_url,
                prep_notes: prep_notes.unwrap_or_default(),
                debrief_summary: debrief_summary.unwrap_or_default(),
                debrief_questions: debrief_questions.unwrap_or_default(),
                debrief_improve: debrief_improve.unwrap_or_default(),
                outcome,
                labels,
            }),
            _ => Err(e),
        }
    }
}

// ---- notes ----

/// What a note can be about.
pub const NOTE_SUBJECTS: [(&str, &str); 3] =
    [("opportunity", "opportunities"), ("contact", "contacts"), ("interview", "interviews")];

pub const NOTE_MAX: usize = 20_000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NoteDraft {
    /// `opportunity`, `contact` or `interview`.
    pub subject_kind: String,
    pub subject_id: String,
    pub body: String,
}

/// A note as the API takes it: all three fields are needed on create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteWrite {
    /// `opportunity`, `contact` or `interview`.
    #[serde(default, deserialize_with = "nullable_text")]
    pub subject_kind: Option<String>,
    /// The id of the opportunity, contact or interview.
    #[serde(default, deserialize_with = "nullable_text")]
    pub subject_id: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NoteInput {
    /// One of [`NOTE_SUBJECTS`]' kinds, as our own text.
    pub subject_kind: &'static str,
    pub subject_id: String,
    pub body: String,
}

impl NoteDraft {
    pub fn apply(&mut self, write: NoteWrite) {
        set(&mut self.subject_kind, write.subject_kind);
        set(&mut self.subject_id, write.subject_id);
        set(&mut self.body, write.body);
    }

    pub fn validate(&self) -> Result<NoteInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let wanted = self.subject_kind.trim().to_ascii_lowercase();
        let subject_kind = NOTE_SUBJECTS.iter().map(|(kind, _)| *kind).find(|kind| *kind == wanted);
        if subject_kind.is_none() {
            e.add("subject_kind", "A note is about an opportunity, a contact or an interview.");
        }
        let subject_id = self.subject_id.trim().to_ascii_lowercase();
        if uuid::Uuid::parse_str(&subject_id).is_err() {
            e.add("subject_id", "Say which record the note is about.");
        }
        let body = e.check("body", fields::text(&self.body, NOTE_MAX));
        if body.as_deref().is_some_and(str::is_empty) {
            e.add("body", "Write the note.");
        }
        match subject_kind {
            Some(subject_kind) if e.is_empty() => {
                Ok(NoteInput { subject_kind, subject_id, body: body.unwrap_or_default() })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod interview_tests {
    use super::*;

    fn draft() -> InterviewDraft {
        InterviewDraft {
            opportunity_id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
            round_name: "First round".into(),
            start: "2026-03-29T02:30".into(),
            time_zone: "Europe/Berlin".into(),
            ..InterviewDraft::blank()
        }
    }

    #[test]
    fn a_start_is_read_in_its_own_time_zone() {
        let input = InterviewDraft { start: "2026-12-01T14:00".into(), ..draft() }.validate().unwrap();
        // 14:00 in Berlin in winter is 13:00 UTC.
        assert_eq!(input.start.instant_millis, 1_796_130_000_000);
        assert_eq!(input.start.local, "2026-12-01T14:00");
        // A time the clocks skip (02:30 on the night summer time begins) is the time it becomes.
        let skipped = draft().validate().unwrap();
        assert_eq!(
            (skipped.start.local.as_str(), skipped.start.time_zone.as_str()),
            ("2026-03-29T03:30", "Europe/Berlin")
        );
        let typed_lower = InterviewDraft { time_zone: "europe/berlin".into(), ..draft() }.validate().unwrap();
        assert_eq!(typed_lower.start.time_zone, "Europe/Berlin", "the zone's own spelling");
        let seconds = InterviewDraft { start: "2026-12-01 14:00:00".into(), ..draft() }.validate().unwrap();
        assert_eq!(seconds.start.instant_millis, 1_796_130_000_000);
        for other in [
            "2026-12-01T14:00+05:00",
            "2026-12-01T14:00-05:00[America/New_York]",
            "2026-12-01",
            "2026-12-01T14:00:30",
            "1800-01-01T10:00",
        ] {
            let refused = InterviewDraft { start: other.into(), ..draft() }.validate().unwrap_err();
            assert!(refused.get("start").is_some(), "{other}");
        }
    }

    #[test]
    fn unknown_zones_kinds_and_lengths_are_refused() {
        let bad = InterviewDraft {
            time_zone: "Mars/Olympus".into(),
            kind: "interrogation".into(),
            duration_minutes: "0".into(),
            meeting_url: "ftp://example.com".into(),
            outcome: "hired".into(),
            ..draft()
        };
        let errors = bad.validate().unwrap_err();
        for field in ["time_zone", "kind", "duration_minutes", "meeting_url", "outcome"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let no_time = InterviewDraft { start: "tomorrow".into(), ..draft() }.validate().unwrap_err();
        assert!(no_time.get("start").is_some());
    }

    #[test]
    fn a_note_needs_a_known_subject_and_a_body() {
        let errors =
            NoteDraft { subject_kind: "user".into(), subject_id: "x".into(), body: " ".into() }.validate().unwrap_err();
        for field in ["subject_kind", "subject_id", "body"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}

// ---- interview preparation ----

pub const RESUME_TEXT_MAX: usize = 50_000;
pub const LINKEDIN_SUMMARY_MAX: usize = 10_000;

/// The resume text and LinkedIn summary as the form sends them (a field left out stays as it is).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PrepDraft {
    pub resume_text: Option<String>,
    pub linkedin_summary: Option<String>,
}

/// The interview-prep texts as the API's PATCH takes them: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PrepWrite {
    /// Your resume as plain text (up to 50 000 characters).
    #[serde(deserialize_with = "nullable_text")]
    pub resume_text: Option<String>,
    /// Your LinkedIn "About" text (up to 10 000 characters).
    #[serde(deserialize_with = "nullable_text")]
    pub linkedin_summary: Option<String>,
}

impl From<PrepWrite> for PrepDraft {
    fn from(write: PrepWrite) -> Self {
        Self { resume_text: write.resume_text, linkedin_summary: write.linkedin_summary }
    }
}

impl PrepDraft {
    /// The texts to keep: what was sent, else what was there.
    pub fn validate(&self, resume_text: &str, linkedin_summary: &str) -> Result<(String, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let resume = self.resume_text.as_deref().unwrap_or(resume_text);
        let summary = self.linkedin_summary.as_deref().unwrap_or(linkedin_summary);
        let resume = e.check("resume_text", fields::text(resume, RESUME_TEXT_MAX));
        let summary = e.check("linkedin_summary", fields::text(summary, LINKEDIN_SUMMARY_MAX));
        match (resume, summary) {
            (Some(resume), Some(summary)) if e.is_empty() => Ok((resume, summary)),
            _ => Err(e),
        }
    }
}
