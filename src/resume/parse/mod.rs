//! The deterministic resume parser: extracted text in, JSON Resume records out, no AI.
//!
//! 1. Sections by their headings (`sections`).
//! 2. Contact details from the lines above the first heading (`contact`).
//! 3. Each section by its own reader: dated entries for work, schooling and projects
//!    (`entries`), lists for skills, languages, certificates and awards (`lists`).
//!
//! Everything is a judgement on typical resumes, made without knowing the template; what a
//! reader cannot place it leaves out rather than guess, since the import shows the result for
//! review before anything is kept.

mod contact;
mod entries;
mod lines;
mod lists;
mod sections;

use sections::{split_sections, SectionKind};

use super::extract::ExtractedText;
use super::json_resume::ParsedResume;

/// The records in a resume's text.
pub fn parse_resume(text: &ExtractedText) -> ParsedResume {
    let sections = split_sections(&text.lines);
    let all_lines: Vec<String> = text.lines.iter().map(|l| l.text.clone()).collect();
    let mut resume = ParsedResume::default();

    let mut contact_block: Vec<String> = Vec::new();
    for section in &sections {
        if matches!(section.kind, SectionKind::Top | SectionKind::Contact) {
            contact_block.extend(section.lines.iter().cloned());
        }
    }
    resume.basics = contact::basics_from(&contact_block, &all_lines);

    let mut summary: Vec<String> = Vec::new();
    for section in &sections {
        let lines = &section.lines;
        match section.kind {
            SectionKind::Top | SectionKind::Contact | SectionKind::References | SectionKind::Other => {}
            SectionKind::Summary => {
                summary.extend(lines.iter().filter(|l| !l.is_empty()).map(|l| l.replace('\t', " ")))
            }
            SectionKind::Work => resume.work.extend(entries::work_entries(lines)),
            SectionKind::Volunteer => resume.volunteer.extend(entries::work_entries(lines)),
            SectionKind::Education => resume.education.extend(entries::education_entries(lines)),
            SectionKind::Projects => resume.projects.extend(entries::project_entries(lines)),
            SectionKind::Skills => {
                let (skills, languages) = lists::skills(lines, &section.title);
                for skill in skills {
                    match resume.skills.iter_mut().find(|s| s.name == skill.name) {
                        Some(existing) => existing.keywords.extend(skill.keywords),
                        None => resume.skills.push(skill),
                    }
                }
                resume.languages.extend(languages);
            }
            SectionKind::Languages => {
                // "Languages: Rust, Go" as its own section: programming languages after all.
                let found = lists::languages(lines);
                if !found.is_empty()
                    && found.iter().filter(|l| lists::is_human_language(&l.language)).count() * 2 < found.len()
                {
                    let (skills, _) = lists::skills(lines, &section.title);
                    resume.skills.extend(skills);
                } else {
                    resume.languages.extend(found);
                }
            }
            SectionKind::Certificates => resume.certificates.extend(lists::certificates(lines)),
            SectionKind::Awards => resume.awards.extend(lists::awards(lines)),
            SectionKind::Publications => resume.publications.extend(lists::publications(lines)),
            SectionKind::Interests => resume.interests.extend(lists::interests(lines)),
        }
    }
    if summary.is_empty() {
        // No summary heading: a paragraph in the top block (a long line that is no contact line).
        summary = sections
            .first()
            .filter(|s| s.kind == SectionKind::Top)
            .map(|s| {
                s.lines
                    .iter()
                    .filter(|l| l.split_whitespace().count() >= 12 && !contact::has_contact(l))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
    }
    if !summary.is_empty() {
        resume.basics.summary = Some(summary.join(" "));
    }
    for skill in &mut resume.skills {
        let mut seen = std::collections::HashSet::new();
        skill.keywords.retain(|k| seen.insert(k.to_lowercase()));
    }
    resume
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_text_resume_is_read_whole() {
        let text = ExtractedText::from_plain_text(
            "Jane Doe\nBackend Engineer\njane@example.com | +44 20 7946 0958 | London, UK\n\n\
             SUMMARY\nEngineer who likes boring technology.\n\n\
             EXPERIENCE\nStaff Engineer — Acme Ltd\tMar 2021 – Present\n• Cut latency by 40%\n\n\
             EDUCATION\nUniversity of Leeds — BSc Mathematics, 2014 – 2017\n\n\
             SKILLS\nLanguages: Rust, Go\n\nLANGUAGES\nEnglish (native), Spanish (B1)\n",
        );
        let resume = parse_resume(&text);
        assert_eq!(resume.basics.name.as_deref(), Some("Jane Doe"));
        assert_eq!(resume.basics.label.as_deref(), Some("Backend Engineer"));
        assert_eq!(resume.basics.location.country_code.as_deref(), Some("GB"));
        assert_eq!(resume.basics.summary.as_deref(), Some("Engineer who likes boring technology."));
        assert_eq!(resume.work[0].position.as_deref(), Some("Staff Engineer"));
        assert_eq!(resume.work[0].name.as_deref(), Some("Acme Ltd"));
        assert_eq!(resume.education[0].institution.as_deref(), Some("University of Leeds"));
        assert_eq!(resume.education[0].area.as_deref(), Some("Mathematics"));
        assert_eq!(resume.skills[0].keywords, vec!["Rust", "Go"]);
        assert_eq!(resume.languages.len(), 2);
    }
}
