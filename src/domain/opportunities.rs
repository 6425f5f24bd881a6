//! An opportunity as a form or the API gives it, and its pipeline.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::choice::pick;
use crate::domain::fields::{self, nullable_list, nullable_text, set, PartialDate};
use crate::domain::lenient::{self, TypedInput};
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

    /// Still in play: its tasks are due, it can move on.
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
        ActionDone = ("action_done", "Task done"),
        ResumeSent = ("resume_sent", "Resume sent"),
        OfferRecorded = ("offer_recorded", "Offer recorded"),
        OfferChanged = ("offer_changed", "Offer changed"),
        OfferRemoved = ("offer_removed", "Offer removed"),
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
    /// The next action and its day as the opportunity showed them when this draft was made from
    /// it: a save that leaves them so writes nothing to its tasks, so a status change (or any
    /// edit) made from a page read before a task was done or added never brings back or renames
    /// one. `None` for a new opportunity.
    #[serde(skip)]
    pub shown_next_action: Option<(String, String)>,
}

/// An opportunity as the API takes it: `company` and `role` are needed on create; `status`
/// defaults to `saved`. Only the fields sent change on PATCH; `null` clears an optional one. A
/// salary needs its `currency`, and `salary_max` may not be below `salary_min`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpportunityWrite {
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub role: Option<String>,
    /// The job description.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 50000, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::web_link_input)]
    pub posting_url: Option<String>,
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub location: Option<String>,
    /// `remote`, `hybrid` or `onsite`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::work_mode_input)]
    pub work_mode: Option<String>,
    #[serde(default, deserialize_with = "nullable_number")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000000000)]
    pub salary_min: Option<String>,
    #[serde(default, deserialize_with = "nullable_number")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1000000000)]
    pub salary_max: Option<String>,
    /// ISO 4217, e.g. `EUR`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(pattern = r"^[A-Za-z]{3}$")]
    pub currency: Option<String>,
    /// Where you found it.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 100, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub source: Option<String>,
    /// saved, applied, screening, interviewing, offer, accepted, rejected, withdrawn, ghosted.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::status_input)]
    pub status: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub applied_on: Option<String>,
    /// Sets the title of the first open task (soonest due), or adds a task when none is open.
    /// Empty changes nothing: a task is finished or deleted through `/tasks`.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub next_action: Option<String>,
    /// `YYYY-MM-DD`: the day that task is due.
    #[serde(default, deserialize_with = "nullable_text")]
    #[schema(schema_with = crate::domain::schema::day_or_null)]
    pub next_action_due: Option<String>,
    #[serde(default, deserialize_with = "nullable_list")]
    #[schema(schema_with = crate::domain::schema::label_names)]
    pub labels: Option<Vec<String>>,
}

/// A whole number from JSON (or `null`), kept as text like the form's field. JSON does not tell
/// `90000` from `90000.0` or `9e4` (JSON Schema's `integer` takes all three), so neither does
/// this; a fraction is refused.
pub(crate) fn nullable_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let whole = |n: &serde_json::Number| {
        // Beyond 2^53 a float is no longer exact; validation refuses such amounts anyway.
        n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
    };
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(Some(String::new())),
        Some(n) => match whole(&n) {
            Some(n) => Ok(Some(n.to_string())),
            None => Err(serde::de::Error::custom(format!("invalid value: {n}, expected a whole number"))),
        },
    }
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
    /// A next step to write onto its tasks (see `db::opportunities::set_next_action`); empty
    /// leaves them as they are.
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

    /// Move to `status`, as a card moved on the board or the record's quick form does. Moving
    /// to Applied with no "applied on" date stamps `today` (YYYY-MM-DD): that is when people
    /// move the card, and the funnel and the timeline read the date.
    pub fn move_to(&mut self, status: &str, today: &str) {
        self.status = status.to_owned();
        let to_applied = OpportunityStatus::parse(status) == Some(OpportunityStatus::Applied);
        if to_applied && self.applied_on.trim().is_empty() {
            self.applied_on = today.to_owned();
        }
    }
}

impl OpportunityDraft {
    /// This form, as typed, filled from a job posting's `page`: what the page says replaces what
    /// it names (company, role, where, salary, description, its address); what it does not say,
    /// and what only the user decides (status, dates, next step, labels), stays as typed.
    pub fn filled_from(mut self, page: OpportunityDraft) -> OpportunityDraft {
        // Filled from another posting before: nothing of that one is kept where this one is
        // silent (its salary is not this job's).
        let before = fields::optional_web_link(&self.posting_url).ok().flatten();
        if before.is_some_and(|before| before != page.posting_url) {
            for field in [
                &mut self.company,
                &mut self.role,
                &mut self.description,
                &mut self.location,
                &mut self.work_mode,
                &mut self.source,
                &mut self.salary_min,
                &mut self.salary_max,
                &mut self.currency,
            ] {
                field.clear();
            }
        }
        let take = |typed: &mut String, found: String| {
            if !found.trim().is_empty() {
                *typed = found;
            }
        };
        take(&mut self.company, page.company);
        take(&mut self.role, page.role);
        take(&mut self.description, page.description);
        take(&mut self.posting_url, page.posting_url);
        take(&mut self.location, page.location);
        take(&mut self.work_mode, page.work_mode);
        take(&mut self.source, page.source);
        // A salary is a range in one currency: taken whole, or not at all.
        if !(page.salary_min.is_empty() && page.salary_max.is_empty()) {
            self.salary_min = page.salary_min;
            self.salary_max = page.salary_max;
            self.currency = page.currency;
        }
        if self.status.trim().is_empty() {
            self.status = OpportunityStatus::Saved.to_string();
        }
        self
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
        // Emptying the next action (which leaves the tasks as they are) takes its day with it.
        if write.next_action.as_deref().is_some_and(|text| text.trim().is_empty()) && write.next_action_due.is_none() {
            self.next_action_due.clear();
        }
        set(&mut self.next_action, write.next_action);
        set(&mut self.next_action_due, write.next_action_due);
        crate::domain::records::set_label_names(&mut self.labels, write.labels);
    }

    fn read_typed(&mut self, typed: &TypedInput) -> FieldErrors {
        let mut e = FieldErrors::new();
        lenient::read_day(&mut e, "applied_on", &mut self.applied_on);
        lenient::read_day(&mut e, "next_action_due", &mut self.next_action_due);
        lenient::read_salary_fields(&mut e, typed, &mut self.salary_min, &mut self.salary_max, &mut self.currency);
        e
    }

    fn prefill(&mut self, typed: &TypedInput) {
        if self.currency.trim().is_empty() {
            self.currency = typed.default_currency.clone().unwrap_or_default();
        }
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
        let unchanged = self.shown_next_action.as_ref().is_some_and(|(action, due)| {
            (action.as_str(), due.as_str()) == (self.next_action.as_str(), self.next_action_due.as_str())
        });
        let (next_action, next_action_due) = if unchanged {
            (Some(String::new()), None)
        } else {
            let action = e.check("next_action", fields::line(&self.next_action, SHORT));
            let due = e.check("next_action_due", optional_day(&self.next_action_due)).flatten();
            if due.is_some() && action.as_deref().is_some_and(str::is_empty) {
                e.add("next_action", "Say what the next step is, or leave its day empty.");
            }
            (action, due)
        };
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

/// A manual timeline entry as the API takes it: `kind` and `body` are needed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TimelineEntryWrite {
    #[schema(required = true, schema_with = entry_kind_schema)]
    pub kind: String,
    /// What happened, in a line or a few.
    #[schema(
        required = true,
        min_length = 1,
        max_length = 5000,
        pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
    )]
    pub body: String,
}

/// How long a next action may be put off in one go.
pub const SNOOZE_DAYS: [(i64, &str); 4] = [(1, "Tomorrow"), (3, "In 3 days"), (7, "In a week"), (14, "In 2 weeks")];

/// How long the API puts a next action off: one of the dashboard's choices.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SnoozeWrite {
    /// Days from today, where the user is: 1, 3, 7 or 14.
    #[schema(required = true, schema_with = snooze_days_schema)]
    pub days: Option<i64>,
}

fn snooze_days_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some(SNOOZE_DAYS.iter().map(|(days, _)| *days)))
        .description(Some("Days from today, where the user is: 1, 3, 7 or 14."))
        .build()
}

fn entry_kind_schema() -> utoipa::openapi::schema::Object {
    let kinds = EventKind::MANUAL.iter().map(|kind| kind.as_str());
    crate::domain::schema::choice(kinds, false, false, "What happened: an email, a call, a follow-up or a note.")
}

impl From<TimelineEntryWrite> for EntryForm {
    fn from(write: TimelineEntryWrite) -> Self {
        EntryForm { kind: write.kind, body: write.body }
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
        let write: OpportunityWrite = serde_json::from_str(r#"{"salary_min": 80000.0, "salary_max": 9e4}"#).unwrap();
        assert_eq!((write.salary_min.as_deref(), write.salary_max.as_deref()), (Some("80000"), Some("90000")));
        assert!(serde_json::from_str::<OpportunityWrite>(r#"{"salary_min": 80000.5}"#).is_err());
        let no_currency = OpportunityDraft { salary_min: "80000".into(), ..draft() };
        assert!(no_currency.validate().unwrap_err().get("currency").is_some());
        let bad_url = OpportunityDraft { posting_url: "javascript:alert(1)".into(), ..draft() };
        assert!(bad_url.validate().unwrap_err().get("posting_url").is_some());
    }

    #[test]
    fn a_form_is_read_as_typed_before_it_is_validated() {
        let typed = TypedInput { default_currency: Some("EUR".into()) };
        let mut blank = OpportunityDraft::blank();
        blank.prefill(&typed);
        assert_eq!(blank.currency, "EUR");
        let mut form = OpportunityDraft {
            salary_min: "£90k–£110k".into(),
            applied_on: "5th March 2026".into(),
            next_action: "Follow up".into(),
            next_action_due: "05/13/2026".into(),
            ..draft()
        };
        assert!(form.validate().is_err(), "the strict validator does not read these");
        assert!(form.read_typed(&typed).is_empty());
        let input = form.validate().unwrap();
        assert_eq!((input.salary_min, input.salary_max, input.currency.as_str()), (Some(90_000), Some(110_000), "GBP"));
        assert_eq!(input.applied_on.map(|d| d.to_string()).as_deref(), Some("2026-03-05"));
        assert_eq!(input.next_action_due.map(|d| d.to_string()).as_deref(), Some("2026-05-13"));
        let mut month_only = OpportunityDraft { applied_on: "March 2026".into(), ..draft() };
        assert!(month_only.read_typed(&typed).get("applied_on").unwrap().contains("full date"));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::testing::{proptest_config, user_text};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(proptest_config(256))]

        #[test]
        fn a_salary_is_a_whole_amount_in_range_and_reads_back(input in prop_oneof![
            "[0-9 ,_.+-]{0,16}", "[0-9\u{a0}]{0,12}", user_text(),
        ], amount in 0..=1_000_000_000i64) {
            if let Ok(Some(n)) = salary(&input) {
                prop_assert!((0..=1_000_000_000).contains(&n));
                prop_assert_eq!(salary(&n.to_string()), Ok(Some(n)));
            }
            prop_assert_eq!(salary(&amount.to_string()), Ok(Some(amount)));
            // As people write it: with thousands separators.
            let grouped = amount.to_string().as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",");
            prop_assert_eq!(salary(&grouped), Ok(Some(amount)));
        }

        #[test]
        fn only_the_manual_kinds_are_written_by_hand(input in prop_oneof![user_text(), "[a-zA-Z_ ]{0,20}"]) {
            if let Some(kind) = EventKind::parse_manual(&input) {
                prop_assert!(EventKind::MANUAL.contains(&kind));
                prop_assert!(kind.as_str().eq_ignore_ascii_case(input.trim()));
            }
        }
    }

    #[test]
    fn a_posting_fills_what_it_names_and_keeps_what_only_the_user_decides() {
        let typed = OpportunityDraft {
            company: "Globex".into(),
            role: "Engineer".into(),
            status: "applied".into(),
            applied_on: "2026-12-01".into(),
            next_action: "Ask Sam".into(),
            salary_min: "90000".into(),
            currency: "USD".into(),
            labels: "Rust".into(),
            ..OpportunityDraft::default()
        };
        let page = OpportunityDraft {
            role: "Staff Engineer".into(),
            location: "Berlin".into(),
            salary_max: "120000".into(),
            currency: "EUR".into(),
            ..OpportunityDraft::blank()
        };
        let filled = typed.clone().filled_from(page);
        assert_eq!((filled.company.as_str(), filled.role.as_str()), ("Globex", "Staff Engineer"));
        assert_eq!((filled.status.as_str(), filled.applied_on.as_str()), ("applied", "2026-12-01"));
        assert_eq!((filled.next_action.as_str(), filled.location.as_str()), ("Ask Sam", "Berlin"));
        assert_eq!(
            (filled.salary_min.as_str(), filled.salary_max.as_str(), filled.currency.as_str()),
            ("", "120000", "EUR"),
            "a salary is taken whole"
        );
        assert_eq!(filled.labels, typed.labels);
        let nothing = typed.clone().filled_from(OpportunityDraft::blank());
        assert_eq!((nothing.salary_min.as_str(), nothing.currency.as_str()), ("90000", "USD"));
        assert_eq!(OpportunityDraft::default().filled_from(OpportunityDraft::blank()).status, "saved");
        // Filled from one posting, then from another: nothing of the first stays.
        let first = OpportunityDraft { posting_url: "https://a.example/1".into(), ..typed.clone() }.filled_from(
            OpportunityDraft { posting_url: "https://a.example/1".into(), location: "Berlin".into(), ..page_b() },
        );
        let second = first.filled_from(OpportunityDraft { posting_url: "https://b.example/2".into(), ..page_b() });
        assert_eq!((second.location.as_str(), second.salary_min.as_str(), second.company.as_str()), ("", "", ""));
        assert_eq!((second.role.as_str(), second.status.as_str()), ("Staff Engineer", "applied"));
    }

    #[test]
    fn a_draft_made_from_a_record_writes_its_next_action_only_when_it_was_changed() {
        let shown = ("Send the take-home".to_owned(), "2026-12-07".to_owned());
        let from_record = OpportunityDraft {
            next_action: shown.0.clone(),
            next_action_due: shown.1.clone(),
            shown_next_action: Some(shown),
            ..acme()
        };
        let moved = OpportunityDraft { status: "applied".into(), ..from_record.clone() }.validate().unwrap();
        assert_eq!((moved.next_action.as_str(), moved.next_action_due), ("", None), "a move leaves its tasks alone");
        let put_off = OpportunityDraft { next_action_due: "2026-12-10".into(), ..from_record.clone() };
        let put_off = put_off.validate().unwrap();
        assert_eq!(put_off.next_action, "Send the take-home");
        assert_eq!(put_off.next_action_due.map(|d| d.to_string()).as_deref(), Some("2026-12-10"));
        let new = OpportunityDraft { next_action: "Apply".into(), ..acme() }.validate().unwrap();
        assert_eq!(new.next_action, "Apply", "a new opportunity's next step is written");
    }

    fn acme() -> OpportunityDraft {
        OpportunityDraft { company: "Acme".into(), role: "Staff Engineer".into(), ..OpportunityDraft::blank() }
    }

    fn page_b() -> OpportunityDraft {
        OpportunityDraft { role: "Staff Engineer".into(), ..OpportunityDraft::blank() }
    }
}
