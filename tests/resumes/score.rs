//! Field-level precision and recall of the resume parser against the hand-written records of
//! the corpus in tests/resumes/ (each `NAME.json` beside its `NAME.pdf|docx|txt|md`). Shared by
//! the integration test (`tests/it/resume_parse.rs`) and the benchmark (`benches/resume_parse.rs`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use careerlog::resume::ParsedResume;

/// The fields scored, in the order the table lists them.
pub const FIELDS: &[&str] = &[
    "name",
    "email",
    "phone",
    "work position",
    "work company",
    "work dates",
    "work highlights",
    "education institution",
    "education degree",
    "education area",
    "education dates",
    "skills",
    "languages",
    "certificates",
];

/// Found, wrongly found, missed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub correct: usize,
    pub predicted: usize,
    pub expected: usize,
}

impl Tally {
    pub fn precision(&self) -> f64 {
        if self.predicted == 0 {
            1.0
        } else {
            self.correct as f64 / self.predicted as f64
        }
    }
    pub fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.correct as f64 / self.expected as f64
        }
    }
    pub fn add(&mut self, other: Tally) {
        self.correct += other.correct;
        self.predicted += other.predicted;
        self.expected += other.expected;
    }
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/resumes")
}

/// Every resume of the corpus with its expected records: the invented layouts at the top, and
/// in `real/` the files made with the tools resumes come from (pdflatex, Typst, LibreOffice).
pub fn corpus() -> Vec<(PathBuf, ParsedResume)> {
    let mut found = Vec::new();
    let mut entries: Vec<PathBuf> = [corpus_dir(), corpus_dir().join("real")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()))
        .collect();
    entries.sort();
    for path in entries {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if !["pdf", "docx", "txt", "md"].contains(&ext) {
            continue;
        }
        let expected_path = path.with_extension("json");
        let expected =
            std::fs::read_to_string(&expected_path).unwrap_or_else(|_| panic!("{} has no .json", path.display()));
        found.push((path, serde_json::from_str(&expected).unwrap()));
    }
    found
}

/// Lower case, single spaces, no punctuation at the ends; a phone number as its digits.
fn norm(text: &str) -> String {
    let text = text.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
    text.trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '+').to_string()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Multiset overlap of two lists of values.
fn overlap(predicted: Vec<String>, expected: Vec<String>) -> Tally {
    let mut left = expected.clone();
    let mut correct = 0;
    for value in &predicted {
        if let Some(i) = left.iter().position(|e| e == value) {
            left.remove(i);
            correct += 1;
        }
    }
    Tally { correct, predicted: predicted.len(), expected: expected.len() }
}

fn some(value: &Option<String>) -> Vec<String> {
    value.iter().map(|v| norm(v)).collect()
}

/// Each field's tally for one resume.
pub fn score(predicted: &ParsedResume, expected: &ParsedResume) -> BTreeMap<&'static str, Tally> {
    let mut tallies = BTreeMap::new();
    let (p, e) = (predicted, expected);
    tallies.insert("name", overlap(some(&p.basics.name), some(&e.basics.name)));
    tallies.insert("email", overlap(some(&p.basics.email), some(&e.basics.email)));
    let phone = |b: &ParsedResume| b.basics.phone.iter().map(|v| digits(v)).collect::<Vec<_>>();
    tallies.insert("phone", overlap(phone(p), phone(e)));
    let work = |r: &ParsedResume, f: &dyn Fn(&careerlog::resume::json_resume::Work) -> Option<String>| {
        r.work.iter().filter_map(f).map(|v| norm(&v)).collect::<Vec<_>>()
    };
    tallies.insert("work position", overlap(work(p, &|w| w.position.clone()), work(e, &|w| w.position.clone())));
    tallies.insert("work company", overlap(work(p, &|w| w.name.clone()), work(e, &|w| w.name.clone())));
    let dates = |w: &careerlog::resume::json_resume::Work| {
        w.start_date.as_ref().map(|s| format!("{s}..{}", w.end_date.clone().unwrap_or_default()))
    };
    tallies.insert("work dates", overlap(work(p, &dates), work(e, &dates)));
    let highlights =
        |r: &ParsedResume| r.work.iter().flat_map(|w| w.highlights.iter().map(|h| norm(h))).collect::<Vec<_>>();
    tallies.insert("work highlights", overlap(highlights(p), highlights(e)));
    let school = |r: &ParsedResume, f: &dyn Fn(&careerlog::resume::json_resume::Education) -> Option<String>| {
        r.education.iter().filter_map(f).map(|v| norm(&v)).collect::<Vec<_>>()
    };
    tallies.insert(
        "education institution",
        overlap(school(p, &|s| s.institution.clone()), school(e, &|s| s.institution.clone())),
    );
    tallies.insert(
        "education degree",
        overlap(school(p, &|s| s.study_type.clone()), school(e, &|s| s.study_type.clone())),
    );
    tallies.insert("education area", overlap(school(p, &|s| s.area.clone()), school(e, &|s| s.area.clone())));
    let school_dates = |s: &careerlog::resume::json_resume::Education| {
        s.end_date.as_ref().map(|end| format!("{}..{end}", s.start_date.clone().unwrap_or_default()))
    };
    tallies.insert("education dates", overlap(school(p, &school_dates), school(e, &school_dates)));
    let skills =
        |r: &ParsedResume| r.skills.iter().flat_map(|s| s.keywords.iter().map(|k| norm(k))).collect::<Vec<_>>();
    tallies.insert("skills", overlap(skills(p), skills(e)));
    let languages = |r: &ParsedResume| r.languages.iter().map(|l| norm(&l.language)).collect::<Vec<_>>();
    tallies.insert("languages", overlap(languages(p), languages(e)));
    let certificates = |r: &ParsedResume| r.certificates.iter().map(|c| norm(&c.name)).collect::<Vec<_>>();
    tallies.insert("certificates", overlap(certificates(p), certificates(e)));
    tallies
}
