//! The resume parser without AI, measured: per-field precision and recall over the corpus in
//! tests/resumes/ (invented resumes, and in real/ files made with pdflatex, Typst and
//! LibreOffice), and the time to extract the text of a 5 MB PDF.
//!
//! `cargo bench --bench resume_parse` (release build), or `cargo test --bench resume_parse`
//! (dev build, the PDF crates optimised as in Cargo.toml; quicker to build). Prints a Markdown
//! table (the README's figures come from it).

use std::time::{Duration, Instant};

#[path = "../tests/resumes/score.rs"]
mod score;

fn main() {
    let mut totals: std::collections::BTreeMap<&str, score::Tally> = Default::default();
    let corpus = score::corpus();
    let mut parse_time = Duration::ZERO;
    for (path, expected) in &corpus {
        let bytes = std::fs::read(path).expect("the corpus file can be read");
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let started = Instant::now();
        let text = careerlog::resume::extract_text(&bytes, &name, None).expect("the corpus file extracts");
        let parsed = careerlog::resume::parse_resume(&text);
        parse_time += started.elapsed();
        for (field, tally) in score::score(&parsed, expected) {
            totals.entry(field).or_default().add(tally);
        }
    }
    println!(
        "Corpus: {} resumes, extracted and parsed in {:.1} ms in all\n",
        corpus.len(),
        parse_time.as_secs_f64() * 1000.0
    );
    println!("| field | precision | recall | found / predicted / expected |");
    println!("|---|---:|---:|---:|");
    for field in score::FIELDS {
        let tally = totals.get(field).copied().unwrap_or_default();
        println!(
            "| {field} | {:.2} | {:.2} | {} / {} / {} |",
            tally.precision(),
            tally.recall(),
            tally.correct,
            tally.predicted,
            tally.expected
        );
    }

    // A 5 MB PDF: 40 pages of resume-like text, each with an incompressible 122 KB image (as a
    // resume with photographs or scanned certificates would carry).
    let page: Vec<String> = (0..50)
        .map(|i| format!("• Line {i}: shipped the thing, measured it, and wrote it down (2019 – 2021)"))
        .collect();
    let pages: Vec<Vec<String>> = (0..40).map(|_| page.clone()).collect();
    let pdf = careerlog::resume::sample_pdf::text_pdf(&pages, 122 * 1024);
    assert!(pdf.len() <= careerlog::resume::MAX_IMPORT_BYTES, "{}", pdf.len());
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let text = careerlog::resume::extract_text(&pdf, "big.pdf", None).expect("the big PDF extracts");
        let _ = careerlog::resume::parse_resume(&text);
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "\n5 MB PDF ({:.2} MB, 40 pages): extraction and parsing take {:.0} ms (median of 5; fastest {:.0} ms)",
        pdf.len() as f64 / (1024.0 * 1024.0),
        times[2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0
    );
}
