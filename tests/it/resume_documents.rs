//! Resume documents (issue 14, item 1): the resume as a Word document and as a PDF, both read
//! back as a recruiter's software would — the .docx as XML (headings, bullets, links, no
//! tables), the PDF as extracted text and as a rendered image.

use std::io::Read;

use serde_json::json;

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::TestApp;

on_both_databases!(
    the_word_resume_has_real_headings_bullets_and_links_and_no_tables,
    the_pdf_resume_has_selectable_text_links_and_renders,
    a_label_narrows_the_documents_to_its_records,
);

/// Ada's resume: two roles on it, one kept off it, a project with a link, skills, a language.
async fn ada_with_a_resume(app: &TestApp) -> Api {
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(app).await;
    ada.patch(
        "/profile",
        json!({"display_name": "Ada Łovelace", "job_title": "Principal Engineer", "region": "Zürich",
               "email": "ada@analytical.example", "url": "https://ada.example",
               "profiles": [{"network": "GitHub", "username": "ada", "url": "https://github.com/ada"}],
               "languages": [{"language": "English", "fluency": "Native"}]}),
    )
    .await;
    ada.create(
        "/experiences",
        json!({"role": "Principal Engineer", "company": "Analytical Engines", "location": "London", "start_date": "2019-03",
               "current": true, "description": "Query platform lead.", "highlights": ["Cut p99 by 7x", "Led six engineers"],
               "labels": ["Backend"]}),
    )
    .await;
    ada.create(
        "/experiences",
        json!({"role": "Designer", "company": "Difference Works", "start_date": "2015", "end_date": "2019-02"}),
    )
    .await;
    ada.create(
        "/experiences",
        json!({"role": "Hidden role", "company": "Not on resume", "start_date": "2010", "end_date": "2011", "on_resume": false}),
    )
    .await;
    ada.create(
        "/projects",
        json!({"name": "Planner", "role": "Author", "description": "A cost-based planner.", "url": "https://planner.example",
               "labels": ["Backend"]}),
    )
    .await;
    ada.create("/skills", json!({"name": "Rust", "category": "Languages", "labels": ["Backend"]})).await;
    ada.create("/skills", json!({"name": "Figma", "category": "Design"})).await;
    ada
}

fn zip_entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a .docx is a zip");
    let mut text = String::new();
    archive.by_name(name).unwrap_or_else(|_| panic!("{name} in the .docx")).read_to_string(&mut text).unwrap();
    text
}

/// The document's paragraphs as (style, text, is a list item).
fn paragraphs(document_xml: &str) -> Vec<(String, String, bool)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(document_xml);
    let mut out = Vec::new();
    let (mut style, mut text, mut listed, mut in_text) = (String::new(), String::new(), false, false);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"w:p" => {
                (style, text, listed) = (String::new(), String::new(), false);
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"w:pStyle" => {
                // Style ids are plain names, never entities.
                style = String::from_utf8_lossy(&e.try_get_attribute("w:val").unwrap().unwrap().value).into_owned();
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"w:numPr" => listed = true,
            Event::Start(e) if e.name().as_ref() == b"w:t" => in_text = true,
            Event::End(e) if e.name().as_ref() == b"w:t" => in_text = false,
            Event::Text(t) if in_text => text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) if in_text => {
                let name = r.decode().unwrap();
                text.push_str(match name.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    _ => "'",
                });
            }
            Event::End(e) if e.name().as_ref() == b"w:p" => out.push((style.clone(), text.clone(), listed)),
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

async fn the_word_resume_has_real_headings_bullets_and_links_and_no_tables(app: TestApp) {
    let ada = ada_with_a_resume(&app).await;
    let (status, content_type, bytes) = ada.get_bytes("/resume.docx").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    let document = zip_entry(&bytes, "word/document.xml");
    // One column: nothing laid out in tables, text boxes, frames or drawings.
    for layout in ["<w:tbl", "<w:txbxContent", "<w:framePr", "<w:drawing", "<v:shape"] {
        assert!(!document.contains(layout), "{layout} in the document");
    }
    let paragraphs = paragraphs(&document);
    let styled = |style: &str| -> Vec<String> {
        paragraphs.iter().filter(|(s, _, _)| s == style).map(|(_, t, _)| t.clone()).collect()
    };
    assert_eq!(styled("Title"), ["Ada Łovelace"]);
    assert_eq!(styled("Heading1"), ["Experience", "Projects", "Skills", "Languages"]);
    let entries = styled("Heading2");
    assert!(entries.contains(&"Principal EngineerMar 2019 – Present".to_owned()), "{entries:?}");
    assert!(entries.contains(&"Planner".to_owned()), "{entries:?}");
    assert!(!entries.iter().any(|e| e.contains("Hidden role")), "a record kept off the resume stays off");
    let bullets: Vec<&str> = paragraphs.iter().filter(|(_, _, l)| *l).map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(bullets, ["Cut p99 by 7x", "Led six engineers"]);

    // The headings and the bullet list are defined, so Word shows them as such.
    let styles = zip_entry(&bytes, "word/styles.xml");
    assert!(styles.contains(r#"w:styleId="Heading1""#) && styles.contains(r#"w:val="heading 1""#));
    let numbering = zip_entry(&bytes, "word/numbering.xml");
    assert!(numbering.contains(r#"<w:numFmt w:val="bullet""#), "{numbering}");

    // Links work: each hyperlink names a relationship that leads to the address.
    let relationships = zip_entry(&bytes, "word/_rels/document.xml.rels");
    for address in
        ["mailto:ada@analytical.example", "https://ada.example/", "https://github.com/ada", "https://planner.example/"]
    {
        let id = regex::Regex::new(&format!(r#"Id="([^"]+)"[^>]*Target="{}""#, regex::escape(address)))
            .unwrap()
            .captures(&relationships)
            .unwrap_or_else(|| panic!("{address} in {relationships}"))[1]
            .to_owned();
        assert!(relationships.contains(&format!(
            r#"Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink""#
        )));
        assert!(document.contains(&format!(r#"<w:hyperlink r:id="{id}""#)), "{address} is linked in the text");
    }

    // Careerlog's own import reads the document back as the same resume.
    let text = careerlog::resume::extract_text(&bytes, "resume.docx", None).unwrap();
    let parsed = careerlog::resume::parse_resume(&text);
    let roles: Vec<_> = parsed.work.iter().filter_map(|w| w.position.clone()).collect();
    assert!(roles.contains(&"Principal Engineer".to_owned()), "{:?}", parsed.work);
}

async fn the_pdf_resume_has_selectable_text_links_and_renders(app: TestApp) {
    let ada = ada_with_a_resume(&app).await;
    let (status, content_type, bytes) = ada.get_bytes("/resume.pdf").await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    assert!(bytes.starts_with(b"%PDF-"));

    let text = careerlog::resume::extract_text(&bytes, "resume.pdf", Some("application/pdf")).unwrap().text();
    for expected in [
        "Ada Łovelace",
        "Principal Engineer",
        "Analytical Engines · London",
        "Mar 2019 – Present",
        "Cut p99 by 7x",
        "Planner",
        "Languages: Rust",
        "English (Native)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF's text:\n{text}");
    }
    assert!(!text.contains("Hidden role"));

    // Its links are link annotations leading to the addresses.
    let document = lopdf::Document::load_mem(&bytes).unwrap();
    let mut uris = Vec::new();
    for object in document.objects.values() {
        if let Ok(dict) = object.as_dict() {
            if let Ok(action) = dict.get(b"A").and_then(|a| a.as_dict()) {
                if let Ok(uri) = action.get(b"URI").and_then(|u| u.as_str()) {
                    uris.push(String::from_utf8_lossy(uri).into_owned());
                }
            }
        }
    }
    for address in
        ["mailto:ada@analytical.example", "https://ada.example/", "https://github.com/ada", "https://planner.example/"]
    {
        assert!(uris.iter().any(|u| u == address), "{address} not among {uris:?}");
    }

    // Rendered by poppler, the page has ink on it: the font is embedded and drawn.
    if !crate::support::in_ci() && which("pdftoppm").is_none() {
        eprintln!("pdftoppm is missing (scripts/test installs poppler-utils): the PDF is not rendered");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("resume.pdf");
    std::fs::write(&pdf, &bytes).unwrap();
    let rendered = tokio::process::Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-singlefile"])
        .arg(&pdf)
        .arg(dir.path().join("page"))
        .status()
        .await
        .expect("pdftoppm is installed (scripts/test installs poppler-utils)");
    assert!(rendered.success());
    let image = image::open(dir.path().join("page.png")).unwrap().to_luma8();
    let dark = image.pixels().filter(|p| p.0[0] < 128).count();
    assert!(dark > 500, "the rendered page is nearly blank ({dark} dark pixels)");
}

async fn a_label_narrows_the_documents_to_its_records(app: TestApp) {
    let ada = ada_with_a_resume(&app).await;
    let (status, _, bytes) = ada.get_bytes("/resume.pdf?label=backend").await;
    assert_eq!(status, 200);
    let text = careerlog::resume::extract_text(&bytes, "resume.pdf", Some("application/pdf")).unwrap().text();
    assert!(text.contains("Principal Engineer") && text.contains("Planner") && text.contains("Rust"));
    assert!(!text.contains("Designer") && !text.contains("Figma"), "records without the label stay out:\n{text}");

    let (status, _, bytes) = ada.get_bytes("/resume.json?label=Backend").await;
    assert_eq!(status, 200);
    let document: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(document["work"].as_array().unwrap().len(), 1);

    // A label Ada does not have is a mistake, said so, not an empty resume.
    let (status, _, bytes) = ada.get_bytes("/resume.docx?label=Nope").await;
    assert_eq!(status, 422);
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert!(answer["error"]["fields"]["label"].is_string(), "{answer}");

    // Another user's documents hold none of Ada's records.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    let (_, _, bytes) = grace.get_bytes("/resume.pdf").await;
    let text = careerlog::resume::extract_text(&bytes, "resume.pdf", Some("application/pdf")).unwrap().text();
    assert!(!text.contains("Ada") && !text.contains("Planner"), "{text}");
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|path| path.is_file()))
}
