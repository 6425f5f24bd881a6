//! Education and certifications (issue 12, item 1): what makes them different from the other
//! kinds of record. Their life through pages and the API, ownership and CSRF are in the shared
//! stories of `career.rs`; here are their own rules and mistakes, their labels, and how the "on
//! resume" switch decides what the public resume and its structured data show.

use reqwest::Method;
use serde_json::{json, Value};

use crate::career::{add, api_for, field_error, page, refused, Api};
use crate::on_both_databases;
use crate::public::{ada_with_a_record, switches};
use crate::support::{location, TestApp};

on_both_databases!(
    education_and_certification_form_mistakes_are_explained_beside_the_field_and_nothing_is_saved,
    education_and_certification_api_mistakes_answer_stable_codes_and_never_fail_the_server,
    labels_go_on_and_come_off_education_and_certifications_and_the_label_page_lists_them,
    the_on_resume_switch_decides_what_the_public_resume_and_its_json_ld_show,
);

const HINT: &str = "Use a year (2021), a month (2021-03) or a full date (2021-03-15).";
/// What a form says of a date it cannot read (forms read "May 2023"; the API does not).
const FORM_HINT: &str =
    "Type a year (2021), a month (March 2021, 03/2021 or 2021-03) or a date (5 March 2021 or 2021-03-05).";

async fn education_and_certification_form_mistakes_are_explained_beside_the_field_and_nothing_is_saved(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let study = |field: &'static str, value: String| {
        let mut fields = vec![
            ("institution", "University of Leeds".to_owned()),
            ("study_type", "BSc".to_owned()),
            ("area", "Computer Science".to_owned()),
            ("start_date", "2012-09".to_owned()),
            ("courses", "Algorithms\nCompilers".to_owned()),
            ("labels", "Databases".to_owned()),
        ];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        fields
    };
    let typed =
        [r#"value="BSc""#, r#"value="Computer Science""#, ">Algorithms\nCompilers</textarea>", r#"value="Databases""#];
    let long_course = "C".repeat(201);
    let cases = [
        ("institution", "  ".to_owned(), "Enter the school, university or institution.".to_owned()),
        ("end_date", "2011".to_owned(), "The end date is before the start date.".to_owned()),
        ("start_date", "2023-02-30".to_owned(), "There is no 30 February 2023.".to_owned()),
        ("url", "javascript:alert(1)".to_owned(), "“javascript:alert(1)” is not a web address.".to_owned()),
        ("score", "First\u{7}class".to_owned(), "This cannot contain line breaks or control characters.".to_owned()),
        ("courses", "Course\n".repeat(31), "At most 30 items, please (this has 31).".to_owned()),
        (
            "courses",
            long_course.clone(),
            format!("“{}…”: At most 200 characters, please (this has 201).", "C".repeat(20)),
        ),
        ("description", "d".repeat(10_001), "At most 10000 characters, please (this has 10001).".to_owned()),
        (
            "labels",
            (1..=21).map(|n| format!("L{n}")).collect::<Vec<_>>().join(", "),
            "At most 20 labels on one record.".to_owned(),
        ),
    ];
    for (field, value, message) in cases {
        let fields = study(field, value);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        // Each mistake leaves the other fields as typed (the courses when they are not the mistake).
        let kept: Vec<&str> =
            typed.iter().copied().filter(|t| !(field == "courses" && t.contains("Algorithms"))).collect();
        let kept: Vec<&str> = kept.into_iter().filter(|t| !(field == "labels" && t.contains("Databases"))).collect();
        refused(&app, "/education", &fields, field, &message, &kept).await;
    }

    let certificate = |field: &'static str, value: &'static str| {
        let mut fields = vec![("name", "Certified Kubernetes Administrator"), ("issuer", "CNCF"), ("date", "2023-05")];
        fields.retain(|(name, _)| *name != field);
        fields.push((field, value));
        fields
    };
    let typed = [r#"value="CNCF""#];
    for (field, value, message) in [
        ("name", "", "Enter the certification’s name.".to_owned()),
        ("date", "Mayday 2023", format!("“Mayday 2023” is not a date. {FORM_HINT}")),
        ("url", "ftp://files.example.com/cka.pdf", "Only web links (https://…) can be used here.".to_owned()),
    ] {
        refused(&app, "/certifications", &certificate(field, value), field, &message, &typed).await;
    }
    let long_name: &'static str = "N".repeat(201).leak();
    let kept = format!(r#"value="{long_name}""#);
    let message = "At most 200 characters, please (this has 201).";
    refused(&app, "/certifications", &certificate("name", long_name), "name", message, &[kept.as_str()]).await;

    for table in ["education", "certifications", "labels"] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "nothing saved in {table}");
    }

    // What a hostile user types is kept as text: shown escaped, never run.
    let id =
        add(&app, "education", &[("institution", "<script>alert(1)</script> College"), ("courses", "<b>bold</b>")])
            .await;
    let shown = page(&app, &format!("/education/{id}")).await;
    assert!(!shown.contains("<script>alert(1)") && !shown.contains("<b>bold</b>"), "{shown}");
    assert!(shown.contains("&#60;script&#62;alert(1)&#60;/script&#62; College"), "{shown}");

    // A mistake while editing shows the edit form again and changes nothing.
    let response = app
        .submit(
            &format!("/education/{id}/edit"),
            &format!("/education/{id}"),
            &[("institution", "Leeds"), ("start_date", "2015"), ("end_date", "2014")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!(r#"action="/education/{id}""#)) && html.contains("Edit education"));
    assert!(html.contains(&field_error("end_date", "The end date is before the start date.")));
    assert!(html.contains(r#"value="Leeds""#));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM education WHERE institution LIKE '<script>%'").await, 1);
}

async fn education_and_certification_api_mistakes_answer_stable_codes_and_never_fail_the_server(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let thirty_one: Vec<String> = (1..=31).map(|n| format!("Course {n}")).collect();
    let cases = [
        ("/education", json!({}), "institution", "Enter the school, university or institution.".to_owned()),
        (
            "/education",
            json!({"institution": ""}),
            "institution",
            "Enter the school, university or institution.".into(),
        ),
        (
            "/education",
            json!({"institution": "I".repeat(100_000)}),
            "institution",
            "At most 200 characters, please (this has 100000).".into(),
        ),
        (
            "/education",
            json!({"institution": "Leeds\u{0}"}),
            "institution",
            "This cannot contain line breaks or control characters.".into(),
        ),
        (
            "/education",
            json!({"institution": "Leeds", "start_date": "2015-09", "end_date": "2015-06"}),
            "end_date",
            "The end date is before the start date.".into(),
        ),
        (
            "/education",
            json!({"institution": "Leeds", "end_date": "1850"}),
            "end_date",
            "Give a year between 1900 and 2100.".into(),
        ),
        (
            "/education",
            json!({"institution": "Leeds", "courses": thirty_one}),
            "courses",
            "At most 30 items, please (this has 31).".into(),
        ),
        (
            "/education",
            json!({"institution": "Leeds", "url": "javascript://alert(1)"}),
            "url",
            "Only web links (https://…) can be used here.".into(),
        ),
        (
            "/education",
            json!({"institution": "Leeds", "labels": ["a, b"]}),
            "labels",
            "A label name cannot contain a comma.".into(),
        ),
        ("/certifications", json!({"issuer": "CNCF"}), "name", "Enter the certification’s name.".into()),
        (
            "/certifications",
            json!({"name": "CKA", "date": "next year"}),
            "date",
            format!("“next year” is not a date. {HINT}"),
        ),
        (
            "/certifications",
            json!({"name": "CKA", "url": "not a url"}),
            "url",
            "“not a url” is not a web address.".into(),
        ),
    ];
    for (path, body, field, message) in &cases {
        let (status, answer) = api.post(path, body.clone()).await;
        assert_eq!(status, 422, "POST {path} {body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert_eq!(answer["error"]["fields"][field], message.as_str(), "POST {path}: {answer}");
    }
    // Bodies that are not what the API reads: an unknown field (an expiry date is not one of
    // JSON Resume's fields), a list sent as text, a number for text.
    for (path, body) in [
        ("/education", json!({"institution": "Leeds", "gpa": "3.8"})),
        ("/education", json!({"institution": "Leeds", "courses": "Algorithms"})),
        ("/education", json!({"institution": 42})),
        ("/certifications", json!({"name": "CKA", "expires": "2027"})),
        ("/certifications", json!({"name": ["CKA"]})),
    ] {
        let (status, answer) = api.post(path, body.clone()).await;
        assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid_json")), "POST {path} {body}");
    }
    let (status, answer) =
        api.raw(Method::POST, "/education", Some("application/json"), Some("{\"institution\":".into())).await;
    assert_eq!((status, &answer["error"]["code"]), (400, &json!("invalid_json")));
    for table in ["education", "certifications", "labels"] {
        assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await, 0, "nothing saved in {table}");
    }

    // A PATCH with a mistake changes nothing; a required field cannot be cleared.
    let leeds = api.create("/education", json!({"institution": "University of Leeds", "start_date": "2012"})).await;
    let url = format!("/education/{}", leeds["id"].as_str().unwrap());
    for (body, field) in [
        (json!({"institution": null}), "institution"),
        (json!({"end_date": "2011", "score": "First class"}), "end_date"),
    ] {
        let (status, answer) = api.patch(&url, body.clone()).await;
        assert_eq!((status, answer["error"]["fields"][field].is_string()), (422, true), "PATCH {body}: {answer}");
    }
    assert_eq!(api.get(&url).await, (200, leeds));
    // Lists filter by label like the others; a page past the end is empty.
    let (status, list) = api.get("/education?label=Nothing&page=abc").await;
    assert_eq!((status, &list["items"], &list["page"]), (200, &json!([]), &json!(1)));
    let (_, list) = api.get("/certifications?page=9&per_page=1000").await;
    assert_eq!((&list["items"], &list["per_page"]), (&json!([]), &json!(100)));
}

async fn labels_go_on_and_come_off_education_and_certifications_and_the_label_page_lists_them(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let leeds = add(&app, "education", &[("institution", "University of Leeds"), ("labels", "Research")]).await;
    let cka = add(&app, "certifications", &[("name", "Certified Kubernetes Administrator")]).await;
    for (path, id) in [("education", &leeds), ("certifications", &cka)] {
        let show = format!("/{path}/{id}");
        let added = app.submit(&show, &format!("{show}/labels"), &[("name", "Cloud")]).await;
        assert_eq!(location(&added), format!("{show}?notice=label_added#labels"), "{path}");
        assert!(page(&app, &show).await.contains("?label=Cloud"), "{path} shows its new label");
        let (_, list) = api.get(&format!("/{path}?label=cloud")).await;
        assert_eq!(list["total"], 1, "/{path} filtered by the label");
        assert!(page(&app, &format!("/{path}?label=Cloud")).await.contains(&format!(r#"href="/{path}/{id}""#)));
    }
    let cloud = app
        .scalar("SELECT COUNT(*) FROM record_labels rl JOIN labels l ON l.id = rl.label_id WHERE l.name = 'Cloud'")
        .await;
    assert_eq!(cloud, 2);

    // The label's page lists records of every kind, these two among them.
    let (_, labels) = api.get("/labels").await;
    let label_id = |name: &str| {
        labels["items"].as_array().unwrap().iter().find(|l| l["name"] == name).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let cloud_id = label_id("Cloud");
    let label_page = page(&app, &format!("/labels/{cloud_id}")).await;
    assert!(label_page.contains(&format!(r#"href="/education/{leeds}""#)), "{label_page}");
    assert!(label_page.contains(&format!(r#"href="/certifications/{cka}""#)));
    assert!(label_page.contains("University of Leeds") && label_page.contains("Certified Kubernetes Administrator"));

    // Taken off from the record page: the label stays, the record no longer carries it.
    let show = format!("/education/{leeds}");
    let removed = app.submit(&show, &format!("{show}/labels/{cloud_id}/remove"), &[]).await;
    assert_eq!(location(&removed), format!("{show}?notice=label_removed#labels"));
    assert!(!page(&app, &show).await.contains("?label=Cloud"));
    // Through the API, labels sent replace the record's; [] removes them all.
    let (status, changed) = api.patch(&format!("/certifications/{cka}"), json!({"labels": ["Kubernetes"]})).await;
    assert_eq!(status, 200);
    assert_eq!(changed["labels"].as_array().unwrap().len(), 1);
    assert_eq!(changed["labels"][0]["name"], "Kubernetes");
    let (_, changed) = api.patch(&format!("/education/{leeds}"), json!({"labels": []})).await;
    assert_eq!(changed["labels"], json!([]));
    assert_eq!(api.get("/labels").await.1["total"], 3, "Research, Cloud and Kubernetes are still there");
    let label_page = page(&app, &format!("/labels/{cloud_id}")).await;
    assert!(!label_page.contains("University of Leeds") && !label_page.contains("Certified Kubernetes"));
    // Deleting a record takes its labels off it.
    assert_eq!(api.delete(&format!("/certifications/{cka}")).await, 204);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM record_labels WHERE record_id = '{cka}'")).await, 0);
}

/// A visitor's view of a public page.
async fn visit(app: &TestApp, path: &str) -> String {
    let response = app.new_browser().get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap()
}

fn json_ld(html: &str) -> Value {
    let start = html.find(r#"<script type="application/ld+json">"#).expect("JSON-LD on the page") + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("the JSON-LD parses")
}

async fn publish_label(api: &Api, name: &str) {
    let (_, all) = api.get("/labels").await;
    let label = all["items"].as_array().unwrap().iter().find(|l| l["name"] == name).unwrap();
    let (status, _) =
        api.patch(&format!("/labels/{}", label["id"].as_str().unwrap()), json!({"is_public": true})).await;
    assert_eq!(status, 200);
}

async fn the_on_resume_switch_decides_what_the_public_resume_and_its_json_ld_show(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, false, true).await;
    let before = visit(&app, "/u/ada").await;
    assert!(!before.contains("education-heading") && !before.contains("certifications-heading"), "no empty sections");
    let person = &json_ld(&before)["mainEntity"];
    assert!(person.get("alumniOf").is_none() && person.get("hasCredential").is_none(), "{person}");

    let leeds = api
        .create(
            "/education",
            json!({"institution": "University of Leeds", "study_type": "BSc", "area": "Computer Science",
                   "start_date": "2012-09", "end_date": "2015-06", "score": "First class",
                   "courses": ["Algorithms", "Compilers"], "labels": ["Teaching"]}),
        )
        .await;
    api.create(
        "/education",
        json!({"institution": "Evening Pottery Class", "start_date": "2019", "on_resume": false, "labels": ["Teaching"]}),
    )
    .await;
    // Two degrees from one university name it once in `alumniOf`.
    let msc = api.create("/education", json!({"institution": "university of leeds", "study_type": "MSc"})).await;
    let cka = api
        .create(
            "/certifications",
            json!({"name": "Certified Kubernetes Administrator", "issuer": "CNCF", "date": "2023-05",
                   "url": "https://www.credly.com/badges/cka", "labels": ["Rust"]}),
        )
        .await;
    api.create("/certifications", json!({"name": "Forklift Licence", "issuer": "Depot", "on_resume": false})).await;
    publish_label(&api, "Teaching").await;

    let html = visit(&app, "/u/ada").await;
    let section = |id: &str| {
        let start = html.find(&format!(r#"aria-labelledby="{id}""#)).unwrap_or_else(|| panic!("a section {id}"));
        html[start..start + html[start..].find("</section>").unwrap()].to_owned()
    };
    let education = section("education-heading");
    assert!(education.contains(r#"<h2 id="education-heading">Education</h2>"#));
    assert!(education.contains("University of Leeds<span class=\"resume-org\"> · BSc, Computer Science</span>"));
    assert!(education.contains("Sep 2012 – Jun 2015 · First class"));
    assert!(education.contains("Algorithms, Compilers"));
    assert!(!html.contains("Evening Pottery Class"), "off the resume");
    let certifications = section("certifications-heading");
    assert!(certifications.contains(
        r#"<a href="https://www.credly.com/badges/cka" rel="noopener noreferrer nofollow">Certified Kubernetes Administrator</a>"#
    ));
    assert!(certifications.contains(", CNCF (May 2023)"));
    assert!(!html.contains("Forklift"), "off the resume");
    // A public label on a record on the resume is offered as a filter.
    assert!(html.contains(r#"href="/u/ada?label=Teaching""#));

    let person = &json_ld(&html)["mainEntity"];
    assert_eq!(person["alumniOf"], json!([{"@type": "EducationalOrganization", "name": "University of Leeds"}]));
    assert_eq!(
        person["hasCredential"],
        json!([{"@type": "EducationalOccupationalCredential", "name": "Certified Kubernetes Administrator",
                "credentialCategory": "certificate", "recognizedBy": {"@type": "Organization", "name": "CNCF"},
                "dateCreated": "2023-05", "url": "https://www.credly.com/badges/cka"}])
    );
    assert_eq!(person["name"], "Ada Lovelace", "the rest of the person is as before");

    // Filtered by a public label, only what carries it shows.
    let filtered = visit(&app, "/u/ada?label=Teaching").await;
    assert!(filtered.contains("University of Leeds") && !filtered.contains("Certified Kubernetes Administrator"));
    let filtered = visit(&app, "/u/ada?label=Rust").await;
    assert!(!filtered.contains("education-heading") && filtered.contains("Certified Kubernetes Administrator"));

    // Switched off, they leave the page, its structured data and its filters at once.
    for url in [
        format!("/education/{}", leeds["id"].as_str().unwrap()),
        format!("/education/{}", msc["id"].as_str().unwrap()),
        format!("/certifications/{}", cka["id"].as_str().unwrap()),
    ] {
        let (status, changed) = api.patch(&url, json!({"on_resume": false})).await;
        assert_eq!((status, &changed["on_resume"]), (200, &json!(false)));
    }
    let html = visit(&app, "/u/ada").await;
    for gone in [
        "education-heading",
        "certifications-heading",
        "University of Leeds",
        "Certified Kubernetes",
        "?label=Teaching",
    ] {
        assert!(!html.contains(gone), "{gone} is gone from the resume");
    }
    let person = &json_ld(&html)["mainEntity"];
    assert!(person.get("alumniOf").is_none() && person.get("hasCredential").is_none(), "{person}");
    // The owner still has them all.
    assert_eq!(api.get("/education").await.1["total"], 3);
    assert_eq!(api.get("/certifications").await.1["total"], 2);
}
