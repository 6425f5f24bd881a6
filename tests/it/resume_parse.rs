//! `careerlog resume parse FILE`: the parser without AI or database, run as a process on the
//! corpus of invented resumes in tests/resumes/ and on hostile files.

use std::process::{Command, Output};

#[path = "../resumes/score.rs"]
mod score;

fn parse(path: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["resume", "parse"])
        .arg(path)
        .env_remove("CAREERLOG_DATABASE_URL")
        .output()
        .unwrap()
}

/// Every resume of the corpus comes out as a JSON Resume document with its name, email and
/// nearly all of its positions, companies, schools and skills: the invented layouts whole, the
/// files made with pdflatex, Typst and LibreOffice (`real/`) nearly so.
#[test]
fn the_corpus_parses_into_its_expected_records() {
    let mut totals: std::collections::BTreeMap<&str, score::Tally> = Default::default();
    let corpus = score::corpus();
    assert!(corpus.len() >= 17, "{}", corpus.len());
    for (path, expected) in corpus {
        let output = parse(&path);
        assert!(output.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&output.stderr));
        let parsed: careerlog::resume::ParsedResume = serde_json::from_slice(&output.stdout).unwrap();
        let tallies = score::score(&parsed, &expected);
        let real = path.parent().is_some_and(|dir| dir.ends_with("real"));
        for field in ["name", "email", "work position", "work company", "work dates"] {
            if real && field.starts_with("work") {
                continue;
            }
            let tally = tallies[field];
            assert_eq!(tally.correct, tally.expected, "{}: {field} {tally:?}\n{parsed:#?}", path.display());
        }
        for (field, tally) in tallies {
            totals.entry(field).or_default().add(tally);
        }
    }
    for (field, tally) in totals {
        assert!(tally.recall() >= 0.85 && tally.precision() >= 0.9, "{field}: {tally:?}");
    }
}

/// A file that cannot be imported gets its sentence on standard error, exit status 2, and
/// nothing on standard output.
#[test]
fn hostile_and_unreadable_files_get_a_sentence_and_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let too_big = dir.path().join("big.txt");
    std::fs::write(&too_big, vec![b'a'; careerlog::resume::MAX_IMPORT_BYTES + 1]).unwrap();
    let html = dir.path().join("resume.pdf");
    std::fs::write(&html, "<!doctype html><html><body>Jane</body></html>").unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "  \n \n").unwrap();
    let encrypted = score::corpus_dir().join("hostile/encrypted.pdf");
    let missing = dir.path().join("missing.pdf");
    for (path, expected) in [
        (&too_big, "at most 5 MB"),
        (&html, "This file is not a PDF"),
        (&empty, "We could not find any text"),
        (&encrypted, "password-protected"),
        (&missing, "Could not read"),
    ] {
        let output = parse(path);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{}: {stderr}", path.display());
        assert!(stderr.contains(expected), "{}: {stderr}", path.display());
        assert!(output.stdout.is_empty());
    }
}

/// `--text` shows what the parser reads.
#[test]
fn the_text_option_prints_the_extracted_text() {
    let output = Command::new(env!("CARGO_BIN_EXE_careerlog"))
        .args(["resume", "parse", "--text"])
        .arg(score::corpus_dir().join("two_column.pdf"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("Sofia Lindqvist\n"), "{text}");
}
