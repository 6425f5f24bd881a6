//! Forms read what people type freely (issue 12, item 13): dates as "March 2017", "03/2017" or
//! "5th March 2017", salaries as "£95,000", "95k" or "90-110k" with the currency taken from the
//! symbol, and a default currency from Settings. Every field's mistake is shown at once. The API
//! stays strict: it takes the canonical forms its document states.

use reqwest::Method;
use serde_json::{json, Value};

use crate::career::{add, api_for, field_error, page, Api};
use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    dates_typed_as_people_write_them_are_saved_in_their_canonical_form,
    a_date_that_could_be_read_two_ways_is_refused_beside_its_field_and_kept_as_typed,
    salaries_are_read_with_the_currency_of_their_symbol_and_a_range_fills_both_ends,
    a_salary_whose_symbol_contradicts_the_chosen_currency_is_refused,
    the_default_currency_is_chosen_in_settings_prefilled_and_used_when_none_is_typed,
    the_api_stays_strict_about_dates_salaries_and_preferences,
    a_form_with_several_mistakes_shows_every_message_at_once,
    hostile_text_in_date_and_salary_fields_is_refused_politely_and_kept,
);

const HINT: &str =
    "Type a year (2021), a month (March 2021, 03/2021 or 2021-03) or a date (5 March 2021 or 2021-03-05).";

/// A record as the API answers it.
async fn record(api: &Api, path: &str, id: &str) -> Value {
    let (status, body) = api.get(&format!("/{path}/{id}")).await;
    assert_eq!(status, 200, "GET /{path}/{id}: {body}");
    body
}

/// Post a form that must be refused: the page that comes back (422).
async fn refused_page(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> String {
    let response = app.submit(&format!("/{path}/new"), &format!("/{path}"), fields).await;
    let status = response.status();
    let html = response.text().await.unwrap();
    assert_eq!(status, 422, "POST /{path} {fields:?}: {html}");
    html
}

/// The value attribute a form field shows, as askama escapes it.
fn shown_value(text: &str) -> String {
    let escaped = text
        .replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;");
    format!(r#"value="{escaped}""#)
}

async fn dates_typed_as_people_write_them_are_saved_in_their_canonical_form(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;

    let job = add(
        &app,
        "experiences",
        &[("role", "Staff Engineer"), ("company", "Northwind"), ("start_date", "March 2017"), ("end_date", "03/2019")],
    )
    .await;
    let job = record(&api, "experiences", &job).await;
    assert_eq!((job["start_date"].as_str(), job["end_date"].as_str()), (Some("2017-03"), Some("2019-03")));

    let second = add(
        &app,
        "experiences",
        &[("role", "Engineer"), ("company", "Globex"), ("start_date", "mar. 2015"), ("end_date", "5 March 2017")],
    )
    .await;
    let second = record(&api, "experiences", &second).await;
    assert_eq!((second["start_date"].as_str(), second["end_date"].as_str()), (Some("2015-03"), Some("2017-03-05")));

    let project =
        add(&app, "projects", &[("name", "tidy-csv"), ("start_date", "Sept 2015"), ("end_date", "5th of June 2016")])
            .await;
    let project = record(&api, "projects", &project).await;
    assert_eq!((project["start_date"].as_str(), project["end_date"].as_str()), (Some("2015-09"), Some("2016-06-05")));

    let study = add(
        &app,
        "education",
        &[("institution", "University of Leeds"), ("start_date", "September 2012"), ("end_date", "2015/6")],
    )
    .await;
    let study = record(&api, "education", &study).await;
    assert_eq!((study["start_date"].as_str(), study["end_date"].as_str()), (Some("2012-09"), Some("2015-06")));

    let cert = add(&app, "certifications", &[("name", "CKA"), ("issuer", "CNCF"), ("date", "12 May 2023")]).await;
    assert_eq!(record(&api, "certifications", &cert).await["date"], "2023-05-12");

    let award = add(&app, "achievements", &[("title", "Won the hackathon"), ("date", "March 5, 2017")]).await;
    assert_eq!(record(&api, "achievements", &award).await["date"], "2017-03-05");

    let entry =
        add(&app, "journal", &[("title", "Sprint review"), ("entry_date", "5 March 2017"), ("body", "Demo.")]).await;
    assert_eq!(record(&api, "journal", &entry).await["entry_date"], "2017-03-05");

    // 13/05 and 05/13 can be read only one way.
    let job_search = add(
        &app,
        "opportunities",
        &[
            ("role", "CTO"),
            ("company", "Initech"),
            ("status", "applied"),
            ("applied_on", "13/05/2026"),
            ("next_action", "Follow up"),
            ("next_action_due", "05/20/2026"),
        ],
    )
    .await;
    let job_search = record(&api, "opportunities", &job_search).await;
    assert_eq!(
        (job_search["applied_on"].as_str(), job_search["next_action_due"].as_str()),
        (Some("2026-05-13"), Some("2026-05-20"))
    );

    // The edit form shows what is stored, and saving it again changes nothing.
    let id = job["id"].as_str().unwrap();
    let edit = page(&app, &format!("/experiences/{id}/edit")).await;
    assert!(edit.contains(r#"value="2017-03""#), "{edit}");
    assert!(edit.contains(r#"placeholder="March 2021""#), "the hint shows a month in words");
    let saved = app
        .submit(
            &format!("/experiences/{id}/edit"),
            &format!("/experiences/{id}"),
            &[
                ("role", "Staff Engineer"),
                ("company", "Northwind"),
                ("start_date", "2017-03"),
                ("end_date", "Mar 2019"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(record(&api, "experiences", id).await["end_date"], "2019-03");
}

async fn a_date_that_could_be_read_two_ways_is_refused_beside_its_field_and_kept_as_typed(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let fields =
        [("role", "Staff Engineer"), ("company", "Northwind"), ("start_date", "03/05/2017"), ("current", "on")];
    let html = refused_page(&app, "experiences", &fields).await;
    let message = "“03/05/2017” could be 3 May 2017 or March 5, 2017. Write the month as a word, such as 3 May 2017, \
                   or as 2017-05-03.";
    assert!(html.contains(&field_error("start_date", message)), "{html}");
    assert!(html.contains(r#"value="03/05/2017""#), "what was typed is kept");
    assert!(html.contains(r#"value="Staff Engineer""#) && html.contains(r#"value="Northwind""#));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM experiences").await, 0);

    // Where a full date is needed, a month alone is still a mistake, said in the form's words.
    let html =
        refused_page(&app, "journal", &[("title", "Sprint review"), ("entry_date", "March 2017"), ("body", "Demo.")])
            .await;
    let message = "Give the full date, such as 5 March 2021 or 2021-03-05.";
    assert!(html.contains(&field_error("entry_date", message)), "{html}");
    assert!(html.contains(r#"value="March 2017""#));

    // A day that does not exist, a year out of range, and words that are no date.
    for (typed, message) in [
        ("30 February 2023", "There is no 30 February 2023.".to_owned()),
        ("March 1850", "Give a year between 1900 and 2100.".to_owned()),
        ("next spring", format!("“next spring” is not a date. {HINT}")),
    ] {
        let html = refused_page(&app, "achievements", &[("title", "Won"), ("date", typed)]).await;
        assert!(html.contains(&field_error("date", &message)), "{typed}: {html}");
        assert!(html.contains(&shown_value(typed)));
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM achievements").await, 0);
}

async fn salaries_are_read_with_the_currency_of_their_symbol_and_a_range_fills_both_ends(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let opportunity = |salary_min: &'static str, salary_max: &'static str, currency: &'static str| {
        [
            ("role", "Staff Engineer"),
            ("company", "Initech"),
            ("salary_min", salary_min),
            ("salary_max", salary_max),
            ("currency", currency),
        ]
    };
    for (fields, expected) in [
        (opportunity("£95,000", "", ""), (Some(95_000), None, "GBP")),
        (opportunity("90-110k", "", "eur"), (Some(90_000), Some(110_000), "EUR")),
        (opportunity("£90k–£110k", "", ""), (Some(90_000), Some(110_000), "GBP")),
        (opportunity("90,000 - 110,000", "", "USD"), (Some(90_000), Some(110_000), "USD")),
        (opportunity("95 000", "120k", "CHF"), (Some(95_000), Some(120_000), "CHF")),
        (opportunity("", "$120k", ""), (None, Some(120_000), "USD")),
        (opportunity("€80.000", "", "€"), (Some(80_000), None, "EUR")),
        (opportunity("1.2m", "", "JPY"), (Some(1_200_000), None, "JPY")),
    ] {
        let id = add(&app, "opportunities", &fields).await;
        let saved = record(&api, "opportunities", &id).await;
        let got = (saved["salary_min"].as_i64(), saved["salary_max"].as_i64(), saved["currency"].as_str().unwrap());
        assert_eq!(got, expected, "{fields:?}");
    }

    // Amounts that cannot be read are explained, and kept as typed.
    for (typed, message) in [
        ("competitive", "“competitive” is not an amount. Type it as 95000, 95,000, 95k or £95,000."),
        ("-5000", "A salary cannot be negative."),
        ("5,000,000,000", "That is more than 1,000,000,000: check the amount."),
        ("110k-90k", "The top of the range is below its bottom."),
    ] {
        let html = refused_page(&app, "opportunities", &opportunity(typed, "", "EUR")).await;
        assert!(html.contains(&field_error("salary_min", message)), "{typed}: {html}");
        assert!(html.contains(&shown_value(typed)), "{typed} is kept");
    }
}

async fn a_salary_whose_symbol_contradicts_the_chosen_currency_is_refused(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let fields = [("role", "Staff Engineer"), ("company", "Initech"), ("salary_min", "£95k"), ("currency", "EUR")];
    let html = refused_page(&app, "opportunities", &fields).await;
    let message = "This amount is in GBP, but the currency is EUR: change one of them.";
    assert!(html.contains(&field_error("salary_min", message)), "{html}");
    assert!(html.contains(r#"value="£95k""#) && html.contains(r#"value="EUR""#), "both are kept as typed");

    let fields = [("role", "Staff Engineer"), ("company", "Initech"), ("salary_min", "£90k"), ("salary_max", "$110k")];
    let html = refused_page(&app, "opportunities", &fields).await;
    let message = "“Salary from” is in GBP and this is in USD: use one currency.";
    assert!(html.contains(&field_error("salary_max", message)), "{html}");

    // A range in one box and an amount in the other: which is meant is not clear.
    let fields = [
        ("role", "Staff Engineer"),
        ("company", "Initech"),
        ("salary_min", "90-110k"),
        ("salary_max", "120k"),
        ("currency", "EUR"),
    ];
    let html = refused_page(&app, "opportunities", &fields).await;
    assert!(html.contains(r#"id="salary_min-error""#) && html.contains(r#"value="90-110k""#), "{html}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunities").await, 0);
}

async fn the_default_currency_is_chosen_in_settings_prefilled_and_used_when_none_is_typed(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let settings = page(&app, "/settings").await;
    assert!(settings.contains(r#"id="default_currency" name="default_currency" type="text" value="""#), "{settings}");

    // A mistake is shown beside the field, with what was typed.
    let refused = app.submit("/settings", "/settings/currency", &[("default_currency", "euros")]).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(
        html.contains(&field_error("default_currency", "Use a three-letter currency code, such as EUR, GBP or USD."))
    );
    assert!(html.contains(r#"value="euros""#) && html.contains(r#"aria-invalid="true""#));

    let saved = app.submit("/settings", "/settings/currency", &[("default_currency", "gbp")]).await;
    assert_eq!((saved.status().as_u16(), location(&saved).as_str()), (303, "/settings?notice=currency_saved"));
    let settings = page(&app, "/settings?notice=currency_saved").await;
    assert!(settings.contains(r#"value="GBP""#) && settings.contains("New salaries are in this currency"));
    assert_eq!(api.get("/me").await.1["default_currency"], "GBP");

    // The new opportunity form starts in it; an amount typed without a currency is read in it.
    let form = page(&app, "/opportunities/new").await;
    assert!(form.contains(r#"id="currency" name="currency" type="text" value="GBP""#), "{form}");
    let id = add(
        &app,
        "opportunities",
        &[("role", "Staff Engineer"), ("company", "Initech"), ("salary_min", "95k"), ("currency", "")],
    )
    .await;
    let saved = record(&api, "opportunities", &id).await;
    assert_eq!((saved["salary_min"].as_i64(), saved["currency"].as_str()), (Some(95_000), Some("GBP")));
    // A symbol typed wins over the default.
    let id = add(
        &app,
        "opportunities",
        &[("role", "SRE"), ("company", "Globex"), ("salary_min", "$120k"), ("currency", "")],
    )
    .await;
    assert_eq!(record(&api, "opportunities", &id).await["currency"], "USD");

    // Another account has its own setting (none): its form starts empty, and an amount without a
    // currency is a mistake there.
    assert_eq!(app.sign_out().await.status(), 303);
    app.signed_up_user("grace@example.com").await;
    let form = page(&app, "/opportunities/new").await;
    assert!(form.contains(r#"id="currency" name="currency" type="text" value="""#), "{form}");
    let html =
        refused_page(&app, "opportunities", &[("role", "Engineer"), ("company", "Hooli"), ("salary_min", "95k")]).await;
    assert!(html.contains(&field_error("currency", "Say which currency the salary is in, such as EUR.")), "{html}");
    assert_eq!(app.sign_out().await.status(), 303);

    // Emptying the field clears the setting.
    assert_eq!(app.sign_in("ada@example.com", password).await.status(), 303);
    let cleared = app.submit("/settings", "/settings/currency", &[("default_currency", " ")]).await;
    assert_eq!(cleared.status(), 303);
    assert_eq!(api.get("/me").await.1["default_currency"], Value::Null);
    let (_, mine) = api.get("/opportunities").await;
    assert_eq!(mine["total"], 2, "Ada's records are hers alone: {mine}");
}

async fn the_api_stays_strict_about_dates_salaries_and_preferences(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let not_a_date = "Use a year (2021), a month (2021-03) or a full date (2021-03-15).";
    let job = json!({"role": "Staff Engineer", "company": "Northwind", "current": true});
    for typed in ["March 2017", "03/2017", "5 March 2017", "Sept 2017"] {
        let mut body = job.clone();
        body["start_date"] = json!(typed);
        let (status, answer) = api.post("/experiences", body).await;
        assert_eq!(status, 422, "{typed}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert_eq!(answer["error"]["fields"]["start_date"], format!("“{typed}” is not a date. {not_a_date}"));
    }
    let (status, answer) =
        api.post("/opportunities", json!({"company": "Initech", "role": "CTO", "applied_on": "13/05/2026"})).await;
    assert_eq!((status, answer["error"]["fields"]["applied_on"].is_string()), (422, true), "{answer}");
    // A salary is a JSON number: text such as "£95,000" is the wrong type (400), a symbol is no
    // currency code (422).
    let (status, answer) =
        api.post("/opportunities", json!({"company": "Initech", "role": "CTO", "salary_min": "£95,000"})).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_json")), "{answer}");
    let (status, answer) = api
        .post("/opportunities", json!({"company": "Initech", "role": "CTO", "salary_min": 95000, "currency": "£"}))
        .await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["error"]["fields"]["currency"].is_string());
    let (status, answer) =
        api.post("/opportunities", json!({"company": "Initech", "role": "CTO", "salary_min": 95000})).await;
    assert_eq!(status, 422, "no default currency is guessed over the API: {answer}");
    assert_eq!(api.get("/opportunities").await.1["total"], 0);

    // The account's preferences over the API.
    let (status, me) = api.get("/me").await;
    assert_eq!(status, 200);
    assert_eq!((me["time_zone"].clone(), me["default_currency"].clone()), (Value::Null, Value::Null), "{me}");
    let (status, answer) = api.patch("/me", json!({"default_currency": "euros", "time_zone": "Mars/Olympus"})).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert_eq!(
        answer["error"]["fields"]["default_currency"],
        "Use a three-letter currency code, such as EUR, GBP or USD."
    );
    assert!(answer["error"]["fields"]["time_zone"].is_string());
    let (status, answer) = api.patch("/me", json!({"currency": "EUR"})).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_json")));
    let (status, answer) = api.raw(Method::PATCH, "/me", Some("application/json"), Some("[]".into())).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_json")));
    let (status, me) = api.patch("/me", json!({"default_currency": "eur", "time_zone": "europe/berlin"})).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["default_currency"].as_str(), me["time_zone"].as_str()), (Some("EUR"), Some("Europe/Berlin")));
    assert_eq!(me["email"], "ada@example.com");
    let (_, me) = api.patch("/me", json!({"default_currency": null})).await;
    assert_eq!((me["default_currency"].clone(), me["time_zone"].as_str()), (Value::Null, Some("Europe/Berlin")));
    let (_, me) = api.patch("/me", json!({})).await;
    assert_eq!(me["time_zone"], "Europe/Berlin", "an empty body changes nothing");
    let (_, me) = api.patch("/me", json!({"time_zone": ""})).await;
    assert_eq!(me["time_zone"], Value::Null);
    let settings = page(&app, "/settings").await;
    assert!(settings.contains(r#"id="default_currency" name="default_currency" type="text" value="""#));
}

async fn a_form_with_several_mistakes_shows_every_message_at_once(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let fields =
        [("role", ""), ("company", "Northwind"), ("start_date", "Marchember 2017"), ("end_date", "31/02/2019")];
    let html = refused_page(&app, "experiences", &fields).await;
    for (field, message) in [
        ("role", "Enter your role or job title.".to_owned()),
        ("start_date", format!("“Marchember 2017” is not a date. {HINT}")),
        ("end_date", "There is no 31 February 2019.".to_owned()),
    ] {
        assert!(html.contains(&field_error(field, &message)), "{field}: {html}");
    }
    assert!(html.contains(r#"value="Marchember 2017""#) && html.contains(r#"value="31/02/2019""#));

    // A date read well beside mistakes elsewhere: the others are still all shown, and the date
    // is shown as it was typed.
    let fields = [("role", ""), ("company", ""), ("start_date", "March 2017"), ("end_date", "")];
    let html = refused_page(&app, "experiences", &fields).await;
    for field in ["role", "company", "end_date"] {
        assert!(html.contains(&format!(r#"id="{field}-error""#)), "{field}: {html}");
    }
    assert!(!html.contains(r#"id="start_date-error""#) && html.contains(r#"value="March 2017""#));

    let fields = [
        ("role", "CTO"),
        ("company", ""),
        ("salary_min", "lots"),
        ("salary_max", "95k"),
        ("currency", "euros"),
        ("applied_on", "32/13/2026"),
        ("next_action_due", "2026-05"),
        ("posting_url", "not a url"),
    ];
    let html = refused_page(&app, "opportunities", &fields).await;
    for field in ["company", "salary_min", "currency", "applied_on", "next_action_due", "posting_url"] {
        assert!(html.contains(&format!(r#"id="{field}-error""#)), "{field}: {html}");
    }
    assert!(
        html.contains(r#"value="lots""#) && html.contains(r#"value="95k""#) && html.contains(r#"value="32/13/2026""#)
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM experiences").await + app.scalar("SELECT COUNT(*) FROM opportunities").await,
        0
    );
}

async fn hostile_text_in_date_and_salary_fields_is_refused_politely_and_kept(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let long_date = "5 March 2017 ".repeat(2000);
    let long_amount = "9".repeat(20_000);
    for typed in [
        long_date.as_str(),
        "🦀 March 2017",
        "\u{202e}7102 hcraM",
        "März 2017",
        "½/2017",
        "<script>alert(1)</script>",
        "\"'><",
        "%00",
        "——",
    ] {
        let html = refused_page(&app, "achievements", &[("title", "Won"), ("date", typed)]).await;
        assert!(html.contains(r#"id="date-error""#), "{typed:?}");
        assert!(!html.contains("<script>alert(1)"), "shown escaped");
    }
    for typed in [long_amount.as_str(), "💰95k", "95k🎉", "£££", "٩٥٠٠٠", "∞", "NaN", "1e9999", "<b>95k</b>"]
    {
        let fields = [("role", "CTO"), ("company", "Initech"), ("salary_min", typed), ("currency", "EUR")];
        let html = refused_page(&app, "opportunities", &fields).await;
        assert!(html.contains(r#"id="salary_min-error""#), "{typed:?}");
        assert!(!html.contains("<b>95k"), "shown escaped");
        if typed.chars().count() < 100 {
            assert!(html.contains(&shown_value(typed)), "{typed:?} is kept");
        }
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM achievements").await + app.scalar("SELECT COUNT(*) FROM opportunities").await,
        0
    );
}
