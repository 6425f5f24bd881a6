//! An opportunity as a form or the API gives it, and its pipeline.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::choice::pick;
use crate::domain::fields::{self, nullable_list, nullable_text, set, PartialDate};
use crate::domain::records::Draft;
use crate::domain::records::LabelNames;
use crate::domain::records::{DESCRIPTION, MEDIUM, SHORT};
use crate::domain::FieldErrors;

crate::closed_set! {
    /// Where an opportunity stands. The first six are the pipeline in order; the last three can
    /// happen at any point.
    pub enum OpportunityStatus {
        Saved = ("saved", "Saved"),
        Applied = ("applied", "Applied"),
        Screening = ("screening", "Screening"),
        Interviewing = ("interviewing", "Interviewing"),
        Offer = ("offer", "Offer"),
        Accepted = ("accepted", "Accepted"),
        Rejected = ("rejected", "Rejected"),
        Withdrawn = ("withdrawn", "Withdrawn"),
        Ghosted = ("ghosted", "Ghosted"),
    }
}

impl OpportunityStatus {
    /// How far along the search a status is, for the funnel: 1 applied, 2 screening,
    /// 3 interviewing, 4 offer (or accepted); 0 for saved and the endings.
    pub fn stage(self) -> i64 {
        match self {
            OpportunityStatus::Applied => 1,
            OpportunityStatus::Screening => 2,
            OpportunityStatus::Interviewing => 3,
            OpportunityStatus::Offer | OpportunityStatus::Accepted => 4,
            _ => 0,
        }
    }

    /// Still in play: its next action is due, it can move on.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OpportunityStatus::Saved
                | OpportunityStatus::Applied
                | OpportunityStatus::Screening
                | OpportunityStatus::Interviewing
                | OpportunityStatus::Offer
        )
    }
}

crate::closed_set! {
    /// Where the work is done.
    pub enum WorkMode {
        Remote = ("remote", "Remote"),
        Hybrid = ("hybrid", "Hybrid"),
        Onsite = ("onsite", "On-site"),
    }
}

crate::closed_set! {
    /// What an entry on an opportunity's timeline records: the first six are written by
    /// Careerlog as things happen, the last four by the user.
    pub enum EventKind {
        Created = ("created", "Added"),
        StatusChanged = ("status_changed", "Status changed"),
        InterviewScheduled = ("interview_scheduled", "Interview scheduled"),
        InterviewMoved = ("interview_moved", "Interview moved"),
        DebriefAdded = ("debrief_added", "Debrief added"),
        InterviewOutcome = ("interview_outcome", "Interview outcome"),
        Email = ("email", "Email"),
        Call = ("call", "Call"),
        FollowUp = ("follow_up", "Follow-up"),
        Note = ("note", "Note"),
    }
}

impl EventKind {
    /// The kinds a user writes by hand.
    pub const MANUAL: [EventKind; 4] = [EventKind::Email, EventKind::Call, EventKind::FollowUp, EventKind::Note];
    /// `(key, label)` of the kinds a user writes, for the entry form's options.
    pub const MANUAL_CHOICES: [(&'static str, &'static str); 4] = {
        let [a, b, c, d] = EventKind::MANUAL;
        [(a.as_str(), a.label()), (b.as_str(), b.label()), (c.as_str(), c.label()), (d.as_str(), d.label())]
    };

    /// A kind the user may write: one of [`EventKind::MANUAL`].
    pub fn parse_manual(input: &str) -> Option<Self> {
        EventKind::parse(input).filter(|kind| EventKind::MANUAL.contains(kind))
    }
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
    pub labels: LabelNames,
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
pub(crate) fn nullable_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
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
    pub work_mode: Option<WorkMode>,
    pub salary_min: Option<i64>,
    pub salary_max: Option<i64>,
    pub currency: String,
    pub source: String,
    pub status: OpportunityStatus,
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
        Self { status: OpportunityStatus::Saved.to_string(), ..Self::default() }
    }
}

impl Draft for OpportunityDraft {
    type Write = OpportunityWrite;
    type Input = OpportunityInput;

    fn apply(&mut self, write: OpportunityWrite) {
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
        crate::domain::records::set_label_names(&mut self.labels, write.labels);
    }

    fn validate(&self) -> Result<OpportunityInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let company = e.check("company", fields::required_line(&self.company, SHORT, "the company"));
        let role = e.check("role", fields::required_line(&self.role, SHORT, "the role"));
        let description = e.check("description", fields::text(&self.description, 50_000.max(DESCRIPTION)));
        let posting_url = e.check("posting_url", fields::optional_web_link(&self.posting_url)).flatten();
        let location = e.check("location", fields::line(&self.location, MEDIUM));
        let work_mode = pick::<WorkMode>(
            &mut e,
            "work_mode",
            &self.work_mode,
            None,
            "Choose remote, hybrid or on-site, or leave it empty.",
        );
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
        let saved = Some(OpportunityStatus::Saved);
        let status = pick(&mut e, "status", &self.status, saved, "Choose a status from the list.");
        let applied_on = e.check("applied_on", optional_day(&self.applied_on)).flatten();
        let next_action = e.check("next_action", fields::line(&self.next_action, SHORT));
        let next_action_due = e.check("next_action_due", optional_day(&self.next_action_due)).flatten();
        let labels = crate::domain::records::parse_labels(&mut e, &self.labels);
        let Some(status) = status.filter(|_| e.is_empty()) else { return Err(e) };
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

/// A manual timeline entry: an email sent, a call, a follow-up, a note.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EntryForm {
    /// `email`, `call`, `follow_up` or `note`.
    pub kind: String,
    pub body: String,
}

impl EntryForm {
    pub fn validate(&self) -> Result<(EventKind, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = EventKind::parse_manual(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose what happened: email, call, follow-up or note.");
        }
        let body = errors.check("body", fields::text(&self.body, 5_000));
        if body.as_deref().is_some_and(str::is_empty) {
            errors.add("body", "Write a line about it.");
        }
        match (kind, body) {
            (Some(kind), Some(body)) if errors.is_empty() => Ok((kind, body)),
            _ => Err(errors),
        }
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
        assert_eq!(draft().validate().unwrap().status, OpportunityStatus::Saved);
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
