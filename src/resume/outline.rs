//! A resume laid out as a document reads it — a header, then sections of entries — from the same
//! JSON Resume document the `.json` export writes. The Word and PDF writers both draw this one
//! outline, so the two documents always say the same thing in the same order.

use crate::domain::fields::human_date;
use crate::resume::json_resume::ParsedResume;

/// What a resume document shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outline {
    /// The person's name, or "Resume" when the profile has none.
    pub name: String,
    /// Their title ("Senior Software Engineer").
    pub headline: Option<String>,
    /// Email, phone, place, website and profiles, in that order.
    pub contact: Vec<Contact>,
    pub sections: Vec<Section>,
}

/// One item of the contact line; `link` is where it leads (mailto:, tel: or the web address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub text: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: &'static str,
    pub entries: Vec<Entry>,
}

/// How an entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStyle {
    /// A title line (with dates on the right), a subtitle, paragraphs and bullets.
    Block,
    /// One line: the title in bold, a colon, then the first paragraph ("Languages: Rust, Go").
    Line,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub style: EntryStyle,
    pub title: String,
    /// Where the title leads (a project's or certificate's address).
    pub link: Option<String>,
    pub subtitle: Option<String>,
    /// "Mar 2019 – Present".
    pub dates: Option<String>,
    pub paragraphs: Vec<String>,
    pub bullets: Vec<String>,
}

impl Entry {
    fn block(title: impl Into<String>) -> Entry {
        Entry {
            style: EntryStyle::Block,
            title: title.into(),
            link: None,
            subtitle: None,
            dates: None,
            paragraphs: Vec::new(),
            bullets: Vec::new(),
        }
    }

    /// A description as paragraphs and bullets: lines starting with "- ", "* " or "• " are
    /// bullets, blank lines separate paragraphs, other line breaks join into one paragraph.
    fn with_text(mut self, text: Option<&str>) -> Entry {
        let Some(text) = text else { return self };
        let mut paragraph = String::new();
        let flush = |paragraph: &mut String, paragraphs: &mut Vec<String>| {
            if !paragraph.trim().is_empty() {
                paragraphs.push(paragraph.trim().to_owned());
            }
            paragraph.clear();
        };
        for line in text.lines() {
            let trimmed = line.trim();
            let bullet = ["- ", "* ", "• "].iter().find_map(|mark| trimmed.strip_prefix(mark));
            if let Some(item) = bullet {
                flush(&mut paragraph, &mut self.paragraphs);
                self.bullets.push(item.trim().to_owned());
            } else if trimmed.is_empty() {
                flush(&mut paragraph, &mut self.paragraphs);
            } else {
                if !paragraph.is_empty() {
                    paragraph.push(' ');
                }
                paragraph.push_str(trimmed);
            }
        }
        flush(&mut paragraph, &mut self.paragraphs);
        self
    }
}

fn some_text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// "Mar 2019 – Present", "2015 – 2019", "Jun 2020"; `ongoing` marks a role without an end.
fn date_range(start: Option<&str>, end: Option<&str>, ongoing: bool) -> Option<String> {
    let start = start.map(human_date);
    let end = match end {
        Some(end) => Some(human_date(end)),
        None if ongoing && start.is_some() => Some("Present".to_owned()),
        None => None,
    };
    match (start, end) {
        (Some(start), Some(end)) if start != end => Some(format!("{start} – {end}")),
        (Some(date), _) | (None, Some(date)) => Some(date),
        (None, None) => None,
    }
}

/// "A · B", leaving out the empty ones.
fn joined(parts: &[Option<&str>]) -> Option<String> {
    let parts: Vec<&str> = parts.iter().flatten().copied().collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// A link as people read it: without the scheme and a trailing slash.
fn readable_link(url: &str) -> String {
    let bare = url.trim_start_matches("https://").trim_start_matches("http://");
    bare.strip_suffix('/').unwrap_or(bare).to_owned()
}

/// Lay out a resume.
pub fn outline(resume: &ParsedResume) -> Outline {
    let basics = &resume.basics;
    let mut contact = Vec::new();
    if let Some(email) = some_text(&basics.email) {
        contact.push(Contact { text: email.to_owned(), link: Some(format!("mailto:{email}")) });
    }
    if let Some(phone) = some_text(&basics.phone) {
        let dial: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
        contact.push(Contact { text: phone.to_owned(), link: Some(format!("tel:{dial}")) });
    }
    if let Some(place) = joined(&[some_text(&basics.location.city), some_text(&basics.location.region)]) {
        contact.push(Contact { text: place.replace(" · ", ", "), link: None });
    }
    if let Some(url) = some_text(&basics.url) {
        contact.push(Contact { text: readable_link(url), link: Some(url.to_owned()) });
    }
    for profile in &basics.profiles {
        let text = match (some_text(&profile.url), some_text(&profile.username)) {
            (Some(url), _) => readable_link(url),
            (None, Some(username)) => format!("{}: {username}", profile.network),
            (None, None) => continue,
        };
        contact.push(Contact { text, link: some_text(&profile.url).map(str::to_owned) });
    }

    let mut sections = Vec::new();
    let mut add = |title: &'static str, entries: Vec<Entry>| {
        if !entries.is_empty() {
            sections.push(Section { title, entries });
        }
    };
    if let Some(summary) = some_text(&basics.summary) {
        add("Summary", vec![Entry::block("").with_text(Some(summary))]);
    }
    add(
        "Experience",
        resume
            .work
            .iter()
            .map(|work| {
                let mut entry = Entry {
                    subtitle: joined(&[some_text(&work.name), some_text(&work.location)]),
                    dates: date_range(some_text(&work.start_date), some_text(&work.end_date), true),
                    link: some_text(&work.url).map(str::to_owned),
                    ..Entry::block(
                        some_text(&work.position).or(some_text(&work.name)).unwrap_or("Experience").to_owned(),
                    )
                }
                .with_text(some_text(&work.summary));
                // The description's own bullets come first, then the highlights it did not repeat.
                for highlight in work.highlights.iter().map(|h| h.trim()).filter(|h| !h.is_empty()) {
                    if !entry.bullets.iter().any(|b| b == highlight) {
                        entry.bullets.push(highlight.to_owned());
                    }
                }
                entry
            })
            .collect(),
    );
    add(
        "Projects",
        resume
            .projects
            .iter()
            .map(|project| {
                Entry {
                    subtitle: (!project.roles.is_empty()).then(|| project.roles.join(", ")),
                    dates: date_range(some_text(&project.start_date), some_text(&project.end_date), false),
                    link: some_text(&project.url).map(str::to_owned),
                    bullets: project.highlights.clone(),
                    ..Entry::block(project.name.clone())
                }
                .with_text(some_text(&project.description))
            })
            .collect(),
    );
    add(
        "Education",
        resume
            .education
            .iter()
            .map(|education| {
                let degree = joined(&[some_text(&education.study_type), some_text(&education.area)])
                    .map(|d| d.replace(" · ", " in "));
                let institution = some_text(&education.institution);
                let mut entry = Entry {
                    subtitle: degree.as_ref().and(institution).map(str::to_owned),
                    dates: date_range(some_text(&education.start_date), some_text(&education.end_date), false),
                    link: some_text(&education.url).map(str::to_owned),
                    bullets: education.courses.clone(),
                    ..Entry::block(degree.clone().or(institution.map(str::to_owned)).unwrap_or_default())
                };
                if let Some(score) = some_text(&education.score) {
                    entry.paragraphs.push(format!("Grade: {score}"));
                }
                entry
            })
            .collect(),
    );
    add(
        "Certifications",
        resume
            .certificates
            .iter()
            .map(|certificate| Entry {
                subtitle: some_text(&certificate.issuer).map(str::to_owned),
                dates: date_range(some_text(&certificate.date), None, false),
                link: some_text(&certificate.url).map(str::to_owned),
                ..Entry::block(certificate.name.clone())
            })
            .collect(),
    );
    add(
        "Achievements",
        resume
            .awards
            .iter()
            .map(|award| {
                Entry {
                    subtitle: some_text(&award.awarder).map(str::to_owned),
                    dates: date_range(some_text(&award.date), None, false),
                    ..Entry::block(award.title.clone())
                }
                .with_text(some_text(&award.summary))
            })
            .collect(),
    );
    add(
        "Skills",
        resume
            .skills
            .iter()
            .filter(|group| !group.keywords.is_empty())
            .map(|group| {
                let title = match some_text(&group.level) {
                    Some(level) => format!("{} ({level})", group.name),
                    None => group.name.clone(),
                };
                Entry { style: EntryStyle::Line, paragraphs: vec![group.keywords.join(", ")], ..Entry::block(title) }
            })
            .collect(),
    );
    let languages: Vec<String> = resume
        .languages
        .iter()
        .map(|l| match some_text(&l.fluency) {
            Some(fluency) => format!("{} ({fluency})", l.language),
            None => l.language.clone(),
        })
        .collect();
    if !languages.is_empty() {
        add(
            "Languages",
            vec![Entry {
                style: EntryStyle::Line,
                paragraphs: vec![languages.join(", ")],
                ..Entry::block("Languages")
            }],
        );
    }

    Outline {
        name: some_text(&basics.name).unwrap_or("Resume").to_owned(),
        headline: some_text(&basics.label).map(str::to_owned),
        contact,
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resume::json_resume::{Basics, Skill, Work};

    #[test]
    fn a_role_reads_as_title_company_and_dates_with_its_bullets() {
        let resume = ParsedResume {
            basics: Basics { name: Some("Zoë Łukasiewicz".into()), ..Basics::default() },
            work: vec![Work {
                name: Some("Acme".into()),
                position: Some("Engineer".into()),
                location: Some("Kraków".into()),
                start_date: Some("2019-03".into()),
                summary: Some("Built the billing system.\n\n- Cut costs by 30%\n- Led 4 people".into()),
                highlights: vec!["Led 4 people".into(), "Shipped v2".into()],
                ..Work::default()
            }],
            skills: vec![Skill { name: "Languages".into(), level: None, keywords: vec!["Rust".into(), "Go".into()] }],
            ..ParsedResume::default()
        };
        let outline = outline(&resume);
        assert_eq!(outline.name, "Zoë Łukasiewicz");
        let experience = &outline.sections[0];
        assert_eq!(experience.title, "Experience");
        let role = &experience.entries[0];
        assert_eq!(role.title, "Engineer");
        assert_eq!(role.subtitle.as_deref(), Some("Acme · Kraków"));
        assert_eq!(role.dates.as_deref(), Some("Mar 2019 – Present"));
        assert_eq!(role.paragraphs, ["Built the billing system."]);
        assert_eq!(role.bullets, ["Cut costs by 30%", "Led 4 people", "Shipped v2"]);
        let skills = &outline.sections[1];
        assert_eq!(skills.entries[0].style, EntryStyle::Line);
        assert_eq!(skills.entries[0].paragraphs, ["Rust, Go"]);
    }

    #[test]
    fn an_empty_resume_has_a_title_and_no_sections() {
        let outline = outline(&ParsedResume::default());
        assert_eq!(outline.name, "Resume");
        assert!(outline.sections.is_empty() && outline.contact.is_empty());
    }
}
