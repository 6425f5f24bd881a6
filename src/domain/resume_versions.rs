//! A resume tailored to one application: which of the career record's entries it holds (by
//! id; an experience's highlights by their text, as they have no id of their own), how it was
//! started, and the chooser's form read back and checked against the user's own records.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::domain::fields;
use crate::domain::FieldErrors;

/// The longest name of a version ("Resume for Acme — Staff Engineer").
pub const NAME_MAX: usize = 200;
/// Versions one opportunity may have: far beyond need, and it keeps its list one short page.
pub const VERSIONS_PER_OPPORTUNITY: i64 = 50;
/// Sends one opportunity may record (each keeps a copy of what was sent).
pub const SENDS_PER_OPPORTUNITY: i64 = 100;
/// The most entries one version may hold, all sections together.
pub const CHOSEN_MAX: usize = 5_000;

crate::closed_set! {
    /// What a new version starts from, before the user adjusts it.
    pub enum StartFrom {
        Description = ("description", "The job description's keywords"),
        Label = ("label", "Records carrying a label"),
        Everything = ("everything", "Everything on my resume"),
    }
}

/// The "make a tailored resume" form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewVersionDraft {
    pub name: String,
    pub start: String,
    pub label: String,
}

/// Where a new version starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// The records on the resume that carry this label.
    Label(String),
    /// The records on the resume whose text names one of the description's keywords.
    Description,
    /// Every record on the resume.
    Everything,
}

impl Start {
    pub fn key(&self) -> StartFrom {
        match self {
            Start::Label(_) => StartFrom::Label,
            Start::Description => StartFrom::Description,
            Start::Everything => StartFrom::Everything,
        }
    }
}

/// A new version, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    pub name: String,
    pub start: Start,
}

pub fn version_name(input: &str) -> Result<String, String> {
    fields::required_line(input, NAME_MAX, "a name for this version")
}

impl NewVersionDraft {
    /// The name a new version is offered: "Resume for Acme — Staff Engineer", cut to fit.
    pub fn suggested_name(company: &str, role: &str) -> String {
        let name = format!("Resume for {} — {}", company.trim(), role.trim());
        name.chars().take(NAME_MAX).collect()
    }

    pub fn validate(&self) -> Result<NewVersion, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", version_name(&self.name));
        let start = match StartFrom::parse(self.start.trim()) {
            Some(StartFrom::Label) if self.label.trim().is_empty() => {
                errors.add("label", "Choose the label whose records to start from.");
                None
            }
            Some(StartFrom::Label) => errors.check("label", fields::label_name(&self.label)).map(Start::Label),
            Some(StartFrom::Description) => Some(Start::Description),
            Some(StartFrom::Everything) => Some(Start::Everything),
            None => {
                errors.add("start", "Choose what to start from.");
                None
            }
        };
        match (name, start) {
            (Some(name), Some(start)) if errors.is_empty() => Ok(NewVersion { name, start }),
            _ => Err(errors),
        }
    }
}

/// One highlight of an experience, chosen by its text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChosenHighlight {
    /// The experience it belongs to.
    pub experience: String,
    pub text: String,
}

/// Which records a version holds, section by section, by id. A highlight is shown only when
/// its experience is chosen too; records deleted since simply drop out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResumeChoice {
    pub experiences: Vec<String>,
    pub highlights: Vec<ChosenHighlight>,
    pub achievements: Vec<String>,
    pub projects: Vec<String>,
    pub skills: Vec<String>,
    pub education: Vec<String>,
    pub certifications: Vec<String>,
}

impl TryFrom<String> for ResumeChoice {
    type Error = serde_json::Error;
    fn try_from(stored: String) -> Result<Self, Self::Error> {
        serde_json::from_str(&stored)
    }
}

impl ResumeChoice {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    pub fn has_highlight(&self, experience: &str, text: &str) -> bool {
        self.highlights.iter().any(|h| h.experience == experience && h.text == text)
    }

    pub fn len(&self) -> usize {
        self.experiences.len()
            + self.highlights.len()
            + self.achievements.len()
            + self.projects.len()
            + self.skills.len()
            + self.education.len()
            + self.certifications.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The sections of the chooser, as its checkboxes are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Experience,
    Highlight,
    Achievement,
    Project,
    Skill,
    Education,
    Certification,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Experience,
        Section::Highlight,
        Section::Achievement,
        Section::Project,
        Section::Skill,
        Section::Education,
        Section::Certification,
    ];

    /// The checkboxes' name in the form.
    pub fn field(self) -> &'static str {
        match self {
            Section::Experience => "experience",
            Section::Highlight => "highlight",
            Section::Achievement => "achievement",
            Section::Project => "project",
            Section::Skill => "skill",
            Section::Education => "education",
            Section::Certification => "certification",
        }
    }

    fn of_field(name: &str) -> Option<Self> {
        Section::ALL.into_iter().find(|s| s.field() == name)
    }
}

/// The value of a highlight's checkbox: its experience and its place in the experience's list.
pub fn highlight_value(experience: &str, index: usize) -> String {
    format!("{experience}:{index}")
}

/// The chooser's form: the name and the ticked boxes, as sent (or as saved, to show).
#[derive(Debug, Clone, Default)]
pub struct ChoiceForm {
    pub name: String,
    ticked: HashMap<Section, BTreeSet<String>>,
}

impl ChoiceForm {
    /// Read the form's fields; fields it does not know are ignored.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut form = ChoiceForm::default();
        for (name, value) in pairs {
            if name == "name" {
                form.name = value.clone();
            } else if let Some(section) = Section::of_field(name) {
                form.ticked.entry(section).or_default().insert(value.clone());
            }
        }
        form
    }

    /// A saved version as its form: its highlights found again in their experiences' lists.
    pub fn of(name: &str, choice: &ResumeChoice, known: &KnownRecords) -> Self {
        let mut form = ChoiceForm { name: name.to_owned(), ticked: HashMap::new() };
        let mut tick = |section: Section, values: &[String]| {
            form.ticked.entry(section).or_default().extend(values.iter().cloned());
        };
        tick(Section::Experience, &choice.experiences);
        tick(Section::Achievement, &choice.achievements);
        tick(Section::Project, &choice.projects);
        tick(Section::Skill, &choice.skills);
        tick(Section::Education, &choice.education);
        tick(Section::Certification, &choice.certifications);
        let highlights: Vec<String> = known
            .highlights
            .iter()
            .flat_map(|(experience, texts)| {
                texts
                    .iter()
                    .enumerate()
                    .filter(move |(_, text)| choice.has_highlight(experience, text))
                    .map(move |(index, _)| highlight_value(experience, index))
            })
            .collect();
        tick(Section::Highlight, &highlights);
        form
    }

    /// Whether the box `value` of `section` is ticked.
    pub fn checked(&self, section: Section, value: &str) -> bool {
        self.ticked.get(&section).is_some_and(|values| values.contains(value))
    }

    fn values(&self, section: Section) -> impl Iterator<Item = &String> {
        self.ticked.get(&section).into_iter().flatten()
    }

    /// The records ticked that are among `known`, and how many ticked are not.
    fn collect(&self, known: &KnownRecords) -> (ResumeChoice, usize) {
        let mut unknown = 0;
        let mut ids = |section: Section, known_ids: &HashSet<String>| -> Vec<String> {
            let (mine, others): (Vec<String>, Vec<String>) =
                self.values(section).cloned().partition(|id| known_ids.contains(id));
            unknown += others.len();
            mine
        };
        let experiences = ids(Section::Experience, &known.experiences);
        let achievements = ids(Section::Achievement, &known.achievements);
        let projects = ids(Section::Project, &known.projects);
        let skills = ids(Section::Skill, &known.skills);
        let education = ids(Section::Education, &known.education);
        let certifications = ids(Section::Certification, &known.certifications);
        let mut highlights = Vec::new();
        for value in self.values(Section::Highlight) {
            let found = value.rsplit_once(':').and_then(|(experience, index)| {
                let index: usize = index.parse().ok()?;
                let text = known.highlights.get(experience)?.get(index)?;
                Some(ChosenHighlight { experience: experience.to_owned(), text: text.clone() })
            });
            match found {
                Some(highlight) => highlights.push(highlight),
                None => unknown += 1,
            }
        }
        highlights.sort();
        highlights.dedup();
        let choice =
            ResumeChoice { experiences, highlights, achievements, projects, skills, education, certifications };
        (choice, unknown)
    }

    /// What the ticked boxes hold among `known`, mistakes left out: what the coverage of a form
    /// sent back with mistakes is worked out from.
    pub fn lenient(&self, known: &KnownRecords) -> ResumeChoice {
        self.collect(known).0
    }

    /// The form checked against the user's own records: the version's name and its choice, or
    /// what to fix. An id that is not among `known` (another user's, a deleted record's, made
    /// up) is refused rather than dropped, so nothing is saved that was not meant.
    pub fn resolve(&self, known: &KnownRecords) -> Result<(String, ResumeChoice), FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", version_name(&self.name));
        let total: usize = self.ticked.values().map(BTreeSet::len).sum();
        if total > CHOSEN_MAX {
            errors.add("records", format!("A version holds at most {CHOSEN_MAX} entries."));
            return Err(errors);
        }
        let (choice, unknown) = self.collect(known);
        if unknown > 0 {
            errors.add(
                "records",
                format!(
                    "{unknown} of the chosen entries {} not among your records (deleted meanwhile?). Check the \
                     boxes and save again.",
                    if unknown == 1 { "is" } else { "are" }
                ),
            );
        }
        match name {
            Some(name) if errors.is_empty() => Ok((name, choice)),
            _ => Err(errors),
        }
    }
}

/// The user's records the chooser offers, by id; an experience's highlights in their order.
#[derive(Debug, Clone, Default)]
pub struct KnownRecords {
    pub experiences: HashSet<String>,
    pub highlights: HashMap<String, Vec<String>>,
    pub achievements: HashSet<String>,
    pub projects: HashSet<String>,
    pub skills: HashSet<String>,
    pub education: HashSet<String>,
    pub certifications: HashSet<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    fn known() -> KnownRecords {
        let mut known = KnownRecords::default();
        known.experiences.insert("e1".into());
        known.highlights.insert("e1".into(), vec!["Cut p99 by 7x".into(), "Led six engineers".into()]);
        known.skills.extend(["s1".to_owned(), "s2".to_owned()]);
        known
    }

    #[test]
    fn a_form_resolves_to_ids_and_highlight_texts_and_back() {
        let form = ChoiceForm::from_pairs(&pairs(&[
            ("_csrf", "token"),
            ("name", "  Resume for Acme  "),
            ("experience", "e1"),
            ("highlight", "e1:1"),
            ("skill", "s2"),
            ("skill", "s2"),
        ]));
        let (name, choice) = form.resolve(&known()).unwrap();
        assert_eq!(name, "Resume for Acme");
        assert_eq!(choice.experiences, ["e1"]);
        assert_eq!(choice.skills, ["s2"]);
        assert_eq!(choice.highlights, [ChosenHighlight { experience: "e1".into(), text: "Led six engineers".into() }]);
        let shown = ChoiceForm::of(&name, &choice, &known());
        assert!(shown.checked(Section::Highlight, "e1:1") && !shown.checked(Section::Highlight, "e1:0"));
        assert!(shown.checked(Section::Skill, "s2") && !shown.checked(Section::Skill, "s1"));
        assert_eq!(ResumeChoice::try_from(choice.to_json()).unwrap(), choice);
    }

    #[test]
    fn unknown_ids_long_names_and_missing_names_are_refused() {
        let long = "x".repeat(NAME_MAX + 1);
        let form = ChoiceForm::from_pairs(&pairs(&[
            ("name", long.as_str()),
            ("skill", "someone-elses"),
            ("highlight", "e1:9"),
            ("highlight", "nonsense"),
        ]));
        let errors = form.resolve(&known()).unwrap_err();
        assert!(errors.get("name").unwrap().contains("At most 200"));
        assert!(errors.get("records").unwrap().starts_with("3 of the chosen entries are not"), "{errors:?}");
        let errors = ChoiceForm::from_pairs(&pairs(&[("name", " ")])).resolve(&known()).unwrap_err();
        assert_eq!(errors.get("name"), Some("Enter a name for this version."));
    }

    #[test]
    fn a_new_version_needs_a_start_and_a_label_when_it_starts_from_one() {
        let draft = |start: &str, label: &str| NewVersionDraft {
            name: "Acme".into(),
            start: start.into(),
            label: label.into(),
        };
        assert_eq!(draft("description", "").validate().unwrap().start, Start::Description);
        assert_eq!(draft("label", " Backend ").validate().unwrap().start, Start::Label("Backend".into()));
        assert!(draft("label", "").validate().unwrap_err().get("label").is_some());
        assert!(draft("anything", "").validate().unwrap_err().get("start").is_some());
        let long = NewVersionDraft::suggested_name(&"A".repeat(300), "Staff Engineer");
        assert_eq!(long.chars().count(), NAME_MAX);
        assert_eq!(NewVersionDraft::suggested_name("Acme", "Staff Engineer"), "Resume for Acme — Staff Engineer");
    }
}
