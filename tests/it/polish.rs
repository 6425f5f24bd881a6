//! Issue 12, "polish worth doing while there": the label form's colour picker (the palette's
//! swatches and a colour of one's own), label chips that lead to the label's records, and a
//! landing page that shows the product.

use crate::career::{add, csrf_of, field_error, page, post_form};
use crate::on_both_databases;
use crate::support::{location, visitor_get, TestApp};

on_both_databases!(
    the_label_form_offers_the_palette_as_swatches_and_a_colour_of_ones_own,
    a_wrong_colour_is_explained_beside_the_picker_and_kept,
    a_label_chip_on_a_record_list_leads_to_the_labels_records,
    the_landing_page_shows_the_board_and_the_resume_and_tells_of_the_job_search,
);

const BAD_COLOUR: &str = "Give a colour as #rrggbb, such as #2f6fde.";

/// The user's one label's id and colour.
async fn the_label(app: &TestApp) -> (String, String) {
    let id = app.scalar_text("SELECT id FROM labels").await;
    let colour = app.scalar_text("SELECT colour FROM labels").await;
    (id, colour)
}

/// The swatch radio for `hex`, checked or not.
fn swatch(hex: &str, checked: bool) -> String {
    format!(r#"type="radio" name="colour" value="{hex}"{}>"#, if checked { " checked" } else { "" })
}

async fn the_label_form_offers_the_palette_as_swatches_and_a_colour_of_ones_own(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    // A new label: "Automatic" is chosen, and it takes the palette's first colour.
    let new = page(&app, "/labels").await;
    assert!(new.contains(r#"type="radio" name="colour" value="" checked>"#), "{new}");
    let created = app.submit("/labels", "/labels", &[("name", "Salary"), ("colour", "")]).await;
    assert_eq!(created.status(), 303);
    let (id, colour) = the_label(&app).await;
    assert_eq!(colour, "#2f6fde");

    // Its form: twelve swatches, each a radio button named for screen readers, the current one
    // chosen, and the browser's own colour input opening on it.
    let form = page(&app, &format!("/labels/{id}")).await;
    assert_eq!(form.matches(r#"class="swatch-input" type="radio" name="colour""#).count(), 12, "{form}");
    assert!(form.contains("<legend>Colour</legend>"));
    assert!(form.contains(&swatch("#2f6fde", true)) && form.contains(&swatch("#0c8599", false)));
    assert!(form.contains(r#"<span class="visually-hidden">Teal</span>"#));
    assert!(form.contains(r##"id="colour" name="custom_colour" type="color" value="#2f6fde""##), "{form}");
    assert!(form.contains(r#"value="custom" id="colour-custom">"#), "another colour is not chosen");

    // Choosing the teal swatch saves teal; the form then shows it chosen.
    let saved = app
        .submit(
            &format!("/labels/{id}"),
            &format!("/labels/{id}"),
            &[("name", "Salary"), ("colour", "#0c8599"), ("custom_colour", "#2f6fde")],
        )
        .await;
    assert_eq!(location(&saved), format!("/labels/{id}?notice=saved"));
    assert_eq!(the_label(&app).await.1, "#0c8599");
    let form = page(&app, &format!("/labels/{id}")).await;
    assert!(form.contains(&swatch("#0c8599", true)) && form.contains(&swatch("#2f6fde", false)));

    // "Another colour" takes the colour input's value, whatever it is.
    let fields = [("name", "Salary"), ("colour", "custom"), ("custom_colour", "#B7410E")];
    let saved = app.submit(&format!("/labels/{id}"), &format!("/labels/{id}"), &fields).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(the_label(&app).await.1, "#b7410e");
    let form = page(&app, &format!("/labels/{id}")).await;
    assert!(form.contains(r#"value="custom" id="colour-custom" checked>"#), "{form}");
    assert!(form.contains(r##"type="color" value="#b7410e""##));
    assert_eq!(form.matches(" checked>").count(), 1, "one choice only");

    // Another user can neither see nor change it.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let csrf = csrf_of(&app).await;
    let theirs =
        post_form(&app, &format!("/labels/{id}"), Some(&csrf), &[("name", "Mine"), ("colour", "#0c8599")]).await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(the_label(&app).await.1, "#b7410e");
}

async fn a_wrong_colour_is_explained_beside_the_picker_and_kept(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    app.submit("/labels", "/labels", &[("name", "Salary"), ("colour", "#0c8599")]).await;
    let (id, _) = the_label(&app).await;
    let url = format!("/labels/{id}");
    // A browser without a colour input sends what was typed in the text box it shows instead.
    let refused = app.submit(&url, &url, &[("name", "Pay"), ("colour", "custom"), ("custom_colour", "teal")]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains(&field_error("colour", BAD_COLOUR)), "{html}");
    assert!(html.contains(r#"class="field colour-field has-error" aria-describedby="colour-hint colour-error""#));
    assert!(
        html.contains(r#"type="color" value="teal" data-colour-custom="colour-custom" aria-invalid="true" aria-describedby="colour-error">"#),
        "what was typed is kept and marked: {html}"
    );
    assert!(html.contains(r#"value="custom" id="colour-custom" checked>"#), "another colour stays chosen");
    assert!(html.contains(r#"value="Pay""#), "the name is kept too");
    assert_eq!(the_label(&app).await.1, "#0c8599", "nothing saved");

    // The same on the new-label form, with a colour typed straight into `colour`.
    let refused = app.submit("/labels", "/labels", &[("name", "Cloud"), ("colour", "#12345")]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains(&field_error("colour", BAD_COLOUR)));
    assert!(html.contains(r##"type="color" value="#12345""##) && html.contains(r#"id="colour-custom" checked>"#));
}

async fn a_label_chip_on_a_record_list_leads_to_the_labels_records(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let skill = add(&app, "skills", &[("name", "Rust"), ("labels", "Back end")]).await;
    add(&app, "skills", &[("name", "Figma"), ("labels", "Design")]).await;
    add(&app, "projects", &[("name", "Ledger rewrite"), ("labels", "Back end")]).await;
    let label = app.scalar_text("SELECT id FROM labels WHERE name = 'Back end'").await;

    // On the list and on the record's page, the chip is a link to the records with the label.
    let chip = r#"<a class="chip chip-label" href="/skills?label=Back%20end">"#;
    let list = page(&app, "/skills").await;
    assert!(list.contains(chip), "{list}");
    let record = page(&app, &format!("/skills/{skill}")).await;
    assert!(record.contains(r#"<a href="/skills?label=Back%20end">"#), "{record}");

    // Followed, it lists what carries the label, and leads on to the label's own page, which
    // lists every kind of record that carries it.
    let filtered = page(&app, "/skills?label=Back%20end").await;
    assert!(filtered.contains(">Rust<") && !filtered.contains(">Figma<"), "{filtered}");
    assert!(
        filtered.contains(&format!(r#"<a href="/labels/{label}">Everything labelled “Back end”</a>"#)),
        "{filtered}"
    );
    let everything = page(&app, &format!("/labels/{label}")).await;
    assert!(everything.contains(">Rust</a>") && everything.contains(">Ledger rewrite</a>"), "{everything}");
    assert!(!everything.contains(">Figma</a>"));
}

async fn the_landing_page_shows_the_board_and_the_resume_and_tells_of_the_job_search(app: TestApp) {
    let (status, landing) = visitor_get(&app, "/").await;
    assert_eq!(status, 200);
    // The picture is hidden from assistive technology, which reads one sentence instead.
    assert!(landing.contains(r#"<div class="shot-frame" aria-hidden="true">"#), "{landing}");
    assert!(landing.contains(r#"<p class="visually-hidden">An illustration of Careerlog: the job-search board"#));
    for column in ["Saved", "Applied", "Interviewing", "Offer"] {
        assert!(landing.contains(&format!(">{column}</span>")), "the board shows {column}");
    }
    assert!(landing.contains(r#"<div class="shot-resume">"#));
    // No picture files, no style attributes (the CSP would refuse them).
    assert!(!landing.contains("<img src=\"http") && !landing.contains(" style="));
    // The job search is told as a feature: the board, interviews, tasks.
    assert!(landing.contains("A job search that keeps itself in order"));
    assert!(landing.contains("Opportunities on a board from saved to offer, each with its tasks"));
    assert!(landing.contains("interviews with their preparation and debrief"));
    // And nothing is promised that Careerlog does not do.
    let lower = landing.to_lowercase();
    assert!(!lower.contains("export") && !lower.contains("delete your account"), "{landing}");
}
