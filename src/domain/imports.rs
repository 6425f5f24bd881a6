//! A resume import's review: the rows a parsed resume becomes (one per record it would create,
//! plus the profile's contact details, links and languages), each kept in the shape the API's
//! create bodies take, so applying a row is creating a record as the API would.
//!
//! A row's `fields` are a JSON object with the keys of that kind's API body (`role`,
//! `start_date`, `highlights` as a list, …). The review page shows them as a form; what comes
//! back is read into the same shape ([`fields_from_form`]).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::career::SkillLevel;
use crate::domain::records::HIGHLIGHTS_MAX;
use crate::resume::json_resume::ParsedResume;

crate::closed_set! {
    /// What applying a row makes: a record of the career, or part of the profile.
    pub enum ImportKind {
        Profile = ("profile", "Contact details"),
        Link = ("link", "Profile link"),
        Language = ("language", "Language"),
        Experience = ("experience", "Experience"),
        Education = ("education", "Education"),
        Certification = ("certification", "Certification"),
        Project = ("project", "Project"),
        Skill = ("skill", "Skill"),
        Achievement = ("achievement", "Achievement"),
    }
}

/// The most rows one import offers; a long CV has well under this.
pub const ROWS_MAX: usize = 400;

/// One record the resume would give, for the user to keep, edit or drop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImportRow {
    /// Names the row within its import (`r0`, `r1`, …); apply names the rows to keep by it.
    pub id: String,
    /// `profile`, `link`, `language`, `experience`, `education`, `certification`, `project`,
    /// `skill` or `achievement`.
    #[schema(value_type = String)]
    pub kind: ImportKind,
    /// The record as the API's create body for its kind takes it (for `profile`: the
    /// profile's `display_name`, `job_title`, `email`, `phone`, `url`, `region`, `bio`; for
    /// `link`: `network`, `username`, `url`; for `language`: `language`, `fluency`).
    #[schema(value_type = Object)]
    pub fields: Map<String, Value>,
    /// Whether the review starts with the row ticked: not when it looks like a record the user
    /// already has.
    pub keep: bool,
    /// The user's record this one seems to repeat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<DuplicateOf>,
}

/// A record of the user's that an imported row seems to repeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DuplicateOf {
    /// The record's id; absent for the profile's links and languages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the user calls it.
    pub title: String,
}

impl ImportRow {
    /// A text field's value ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        text_of(&self.fields, name)
    }

    /// One line naming the row, for the review and messages.
    pub fn title(&self) -> String {
        title_of(self.kind, &self.fields)
    }
}

fn text_of<'a>(fields: &'a Map<String, Value>, name: &str) -> &'a str {
    fields.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// One line naming a row with these fields.
pub fn title_of(kind: ImportKind, fields: &Map<String, Value>) -> String {
    let t = |name| text_of(fields, name).trim();
    let joined = |parts: &[&str], between: &str| {
        parts.iter().copied().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(between)
    };
    let title = match kind {
        ImportKind::Profile => joined(&[t("display_name"), t("job_title")], " · "),
        ImportKind::Link => joined(&[t("network"), t("url")], ": "),
        ImportKind::Language => joined(&[t("language"), t("fluency")], " · "),
        ImportKind::Experience => {
            let role = joined(&[t("role"), t("company")], " at ");
            let (start, end) = (human(t("start_date")), human(t("end_date")));
            let dates = if fields.get("current").and_then(Value::as_bool) == Some(true) {
                joined(&[&start, "now"], " – ")
            } else {
                joined(&[&start, &end], " – ")
            };
            joined(&[&role, &dates], " · ")
        }
        ImportKind::Education => {
            let degree = joined(&[t("study_type"), t("area")], ", ");
            joined(&[&degree, t("institution")], " · ")
        }
        ImportKind::Certification => joined(&[t("name"), t("issuer")], " · "),
        ImportKind::Project => joined(&[t("name"), t("role")], " · "),
        ImportKind::Skill => joined(&[t("name"), t("category")], " · "),
        ImportKind::Achievement => joined(&[t("title"), &human(t("date"))], " · "),
    };
    if title.is_empty() {
        format!("{} (no name)", kind.label())
    } else {
        title
    }
}

/// "Mar 2019" for "2019-03"; empty stays empty.
fn human(date: &str) -> String {
    if date.is_empty() {
        String::new()
    } else {
        crate::domain::fields::human_date(date)
    }
}

/// How the review's form shows a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    /// One line of text.
    Line,
    /// A date as people write it ("March 2019"); kept as an ISO partial date.
    Date,
    /// Several lines; kept as one text.
    Text,
    /// One item per line; kept as a list.
    Lines,
    /// A tick box; kept as true or false.
    Tick,
}

/// A field of a row's form.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub widget: Widget,
}

const fn field(name: &'static str, label: &'static str, widget: Widget) -> FieldSpec {
    FieldSpec { name, label, widget }
}

/// The fields the review shows for each kind, in order.
pub fn fields_of(kind: ImportKind) -> &'static [FieldSpec] {
    use Widget::*;
    match kind {
        ImportKind::Profile => {
            const FIELDS: &[FieldSpec] = &[
                field("display_name", "Name", Line),
                field("job_title", "Title", Line),
                field("email", "Email", Line),
                field("phone", "Phone", Line),
                field("url", "Website", Line),
                field("region", "Location", Line),
                field("bio", "Summary", Text),
            ];
            FIELDS
        }
        ImportKind::Link => {
            const FIELDS: &[FieldSpec] =
                &[field("network", "Site", Line), field("username", "Username", Line), field("url", "Link", Line)];
            FIELDS
        }
        ImportKind::Language => {
            const FIELDS: &[FieldSpec] = &[field("language", "Language", Line), field("fluency", "Fluency", Line)];
            FIELDS
        }
        ImportKind::Experience => {
            const FIELDS: &[FieldSpec] = &[
                field("role", "Role", Line),
                field("company", "Company", Line),
                field("location", "Location", Line),
                field("start_date", "Started", Date),
                field("end_date", "Ended", Date),
                field("current", "I work here now", Tick),
                field("description", "Description", Text),
                field("highlights", "Highlights (one per line)", Lines),
            ];
            FIELDS
        }
        ImportKind::Education => {
            const FIELDS: &[FieldSpec] = &[
                field("institution", "Institution", Line),
                field("study_type", "Degree", Line),
                field("area", "Field of study", Line),
                field("start_date", "Started", Date),
                field("end_date", "Ended", Date),
                field("score", "Grade", Line),
                field("url", "Link", Line),
                field("courses", "Courses (one per line)", Lines),
            ];
            FIELDS
        }
        ImportKind::Certification => {
            const FIELDS: &[FieldSpec] = &[
                field("name", "Name", Line),
                field("issuer", "Issuer", Line),
                field("date", "Date", Date),
                field("url", "Link", Line),
            ];
            FIELDS
        }
        ImportKind::Project => {
            const FIELDS: &[FieldSpec] = &[
                field("name", "Name", Line),
                field("role", "Your role", Line),
                field("start_date", "Started", Date),
                field("end_date", "Ended", Date),
                field("url", "Link", Line),
                field("description", "Description", Text),
            ];
            FIELDS
        }
        ImportKind::Skill => {
            const FIELDS: &[FieldSpec] =
                &[field("name", "Skill", Line), field("category", "Category", Line), field("level", "Level", Line)];
            FIELDS
        }
        ImportKind::Achievement => {
            const FIELDS: &[FieldSpec] = &[
                field("title", "Title", Line),
                field("date", "Date", Date),
                field("description", "Description", Text),
            ];
            FIELDS
        }
    }
}

/// A field's value as the form shows it: lists one item per line, ticks as "on".
pub fn form_value(fields: &Map<String, Value>, spec: &FieldSpec) -> String {
    match (spec.widget, fields.get(spec.name)) {
        (_, None | Some(Value::Null)) => String::new(),
        (Widget::Lines, Some(Value::Array(items))) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")
        }
        (Widget::Tick, Some(Value::Bool(on))) => if *on { "on" } else { "" }.to_owned(),
        (_, Some(Value::String(text))) => text.clone(),
        (_, Some(other)) => other.to_string(),
    }
}

/// A row's fields as the review's form sent them (`value_of(name)` gives a field's text,
/// `None` when it was not sent: an unticked box). Empty text fields are left out, so the
/// record gets its default.
pub fn fields_from_form(kind: ImportKind, value_of: impl Fn(&str) -> Option<String>) -> Map<String, Value> {
    let mut fields = Map::new();
    for spec in fields_of(kind) {
        let typed = value_of(spec.name);
        let value = match spec.widget {
            Widget::Tick => Value::Bool(typed.is_some_and(|v| !v.is_empty())),
            Widget::Lines => {
                let text = typed.unwrap_or_default();
                let items: Vec<Value> = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Value::String(l.to_owned()))
                    .collect();
                if items.is_empty() {
                    continue;
                }
                Value::Array(items)
            }
            Widget::Line | Widget::Date | Widget::Text => match typed {
                Some(text) if !text.trim().is_empty() => Value::String(text),
                _ => continue,
            },
        };
        fields.insert(spec.name.to_owned(), value);
    }
    fields
}

/// The rows a parsed resume gives, in the order the review shows them: contact details, links
/// and languages, then the career by kind. Skills come one per row; two with the same name are
/// one. Duplicates of the user's records are flagged later, by the service that knows them.
pub fn rows_from_resume(resume: &ParsedResume) -> Vec<ImportRow> {
    let mut rows: Vec<(ImportKind, Map<String, Value>)> = Vec::new();
    let mut push = |kind, fields: Map<String, Value>| {
        if !fields.is_empty() {
            rows.push((kind, fields));
        }
    };

    let basics = &resume.basics;
    let location = &basics.location;
    let region = [&location.city, &location.region, &location.country_code]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    push(
        ImportKind::Profile,
        object([
            ("display_name", text(&basics.name)),
            ("job_title", text(&basics.label)),
            ("email", text(&basics.email)),
            ("phone", text(&basics.phone)),
            ("url", text(&basics.url)),
            ("region", text(&Some(region))),
            ("bio", text(&basics.summary)),
        ]),
    );
    for profile in &basics.profiles {
        push(
            ImportKind::Link,
            object([
                ("network", text(&Some(profile.network.clone()))),
                ("username", text(&profile.username)),
                ("url", text(&profile.url)),
            ]),
        );
    }
    for language in &resume.languages {
        push(
            ImportKind::Language,
            object([("language", text(&Some(language.language.clone()))), ("fluency", text(&language.fluency))]),
        );
    }
    for work in resume.work.iter().chain(&resume.volunteer) {
        let current = work.start_date.is_some() && work.end_date.is_none();
        let mut fields = object([
            ("role", text(&work.position)),
            ("company", text(&work.name)),
            ("location", text(&work.location)),
            ("start_date", text(&work.start_date)),
            ("end_date", text(&work.end_date)),
            ("description", text(&work.summary)),
            ("highlights", list(work.highlights.iter().take(HIGHLIGHTS_MAX))),
        ]);
        if !fields.is_empty() {
            fields.insert("current".into(), Value::Bool(current));
        }
        push(ImportKind::Experience, fields);
    }
    for education in &resume.education {
        push(
            ImportKind::Education,
            object([
                ("institution", text(&education.institution)),
                ("study_type", text(&education.study_type)),
                ("area", text(&education.area)),
                ("start_date", text(&education.start_date)),
                ("end_date", text(&education.end_date)),
                ("score", text(&education.score)),
                ("url", text(&education.url)),
                ("courses", list(education.courses.iter())),
            ]),
        );
    }
    for certificate in &resume.certificates {
        push(
            ImportKind::Certification,
            object([
                ("name", text(&Some(certificate.name.clone()))),
                ("issuer", text(&certificate.issuer)),
                ("date", text(&certificate.date)),
                ("url", text(&certificate.url)),
            ]),
        );
    }
    for project in &resume.projects {
        let mut description = project.description.clone().unwrap_or_default();
        for highlight in &project.highlights {
            if !description.is_empty() {
                description.push('\n');
            }
            description.push_str("- ");
            description.push_str(highlight);
        }
        push(
            ImportKind::Project,
            object([
                ("name", text(&Some(project.name.clone()))),
                ("role", text(&Some(project.roles.join(", ")))),
                ("start_date", text(&project.start_date)),
                ("end_date", text(&project.end_date)),
                ("url", text(&project.url)),
                ("description", text(&Some(description))),
            ]),
        );
    }
    let mut skill_names = std::collections::HashSet::new();
    for group in &resume.skills {
        let level = group.level.as_deref().and_then(skill_level);
        let (category, names): (&str, Vec<&String>) = if group.keywords.is_empty() {
            ("", vec![&group.name])
        } else {
            (group.name.as_str(), group.keywords.iter().collect())
        };
        let category = if category.eq_ignore_ascii_case("skills") { "" } else { category };
        for name in names {
            if !skill_names.insert(name.trim().to_lowercase()) {
                continue;
            }
            push(
                ImportKind::Skill,
                object([
                    ("name", text(&Some(name.clone()))),
                    ("category", text(&Some(category.to_owned()))),
                    ("level", level.map(|l| Value::String(l.as_str().to_owned()))),
                ]),
            );
        }
    }
    for award in &resume.awards {
        let description = [award.awarder.as_deref(), award.summary.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" — ");
        push(
            ImportKind::Achievement,
            object([
                ("title", text(&Some(award.title.clone()))),
                ("date", text(&award.date)),
                ("description", text(&Some(description))),
            ]),
        );
    }
    for publication in &resume.publications {
        let description = match &publication.publisher {
            Some(publisher) if !publisher.trim().is_empty() => format!("Published in {publisher}"),
            _ => "Publication".to_owned(),
        };
        push(
            ImportKind::Achievement,
            object([
                ("title", text(&Some(publication.name.clone()))),
                ("date", text(&publication.release_date)),
                ("description", Some(Value::String(description))),
            ]),
        );
    }

    rows.into_iter()
        .take(ROWS_MAX)
        .enumerate()
        .map(|(n, (kind, fields))| ImportRow { id: format!("r{n}"), kind, fields, keep: true, duplicate_of: None })
        .collect()
}

/// A skill level as resumes write it ("Advanced", "expert", "Native"?), when it is one of ours.
fn skill_level(written: &str) -> Option<SkillLevel> {
    let written = written.trim().to_lowercase();
    SkillLevel::ALL.iter().copied().find(|level| level.as_str() == written)
}

fn text(value: &Option<String>) -> Option<Value> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned()))
}

fn list<'a>(items: impl Iterator<Item = &'a String>) -> Option<Value> {
    let items: Vec<Value> =
        items.map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned())).collect();
    (!items.is_empty()).then_some(Value::Array(items))
}

fn object<const N: usize>(entries: [(&str, Option<Value>); N]) -> Map<String, Value> {
    entries.into_iter().filter_map(|(key, value)| Some((key.to_owned(), value?))).collect()
}

/// Text as the duplicate check compares it: letters and digits only, lower case.
pub fn comparable(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resume::json_resume::{Basics, Skill, Work};

    #[test]
    fn a_parsed_resume_becomes_rows_in_the_api_shape() {
        let resume = ParsedResume {
            basics: Basics {
                name: Some("Ada Byron".into()),
                email: Some("ada@example.com".into()),
                ..Basics::default()
            },
            work: vec![Work {
                name: Some("Analytical Engines".into()),
                position: Some("Engineer".into()),
                start_date: Some("2019-03".into()),
                highlights: vec!["Wrote the first program".into(), "  ".into()],
                ..Work::default()
            }],
            skills: vec![
                Skill { name: "Languages".into(), level: None, keywords: vec!["Rust".into(), "SQL".into()] },
                Skill {
                    name: "Skills".into(),
                    level: Some("Expert".into()),
                    keywords: vec!["rust".into(), "Go".into()],
                },
            ],
            ..ParsedResume::default()
        };
        let rows = rows_from_resume(&resume);
        let kinds: Vec<_> = rows.iter().map(|r| r.kind).collect();
        let skill = ImportKind::Skill;
        assert_eq!(
            kinds,
            [ImportKind::Profile, ImportKind::Experience, skill, skill, skill],
            "Rust twice is one skill"
        );
        assert_eq!(rows[1].fields["highlights"], serde_json::json!(["Wrote the first program"]));
        assert_eq!(rows[1].fields["current"], Value::Bool(true), "no end date: the role goes on");
        assert_eq!(rows[1].title(), "Engineer at Analytical Engines · Mar 2019 – now");
        assert_eq!(rows[4].fields["level"], "expert");
        assert!(!rows[4].fields.contains_key("category"), "the generic group is no category");
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["r0", "r1", "r2", "r3", "r4"]);
    }

    #[test]
    fn the_form_round_trips_a_row() {
        let fields = serde_json::json!({"role": "Engineer", "highlights": ["a", "b"], "current": true});
        let fields = fields.as_object().unwrap().clone();
        let specs = fields_of(ImportKind::Experience);
        let shown: std::collections::HashMap<&str, String> =
            specs.iter().map(|s| (s.name, form_value(&fields, s))).filter(|(_, v)| !v.is_empty()).collect();
        assert_eq!(shown["highlights"], "a\nb");
        let back = fields_from_form(ImportKind::Experience, |name| shown.get(name).cloned());
        assert_eq!(back, fields);
        let unticked = fields_from_form(ImportKind::Experience, |_| None);
        assert_eq!(unticked["current"], Value::Bool(false));
    }

    #[test]
    fn names_compare_without_case_or_punctuation() {
        assert_eq!(comparable("ACME, Inc."), comparable("Acme Inc"));
    }
}
