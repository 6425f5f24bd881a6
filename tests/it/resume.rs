//! A resume you can send (issue 12): contact details and languages in the profile, each contact
//! detail private until its own switch is on, and the owner's private preview at `/resume`.
//! Promises (SPEC §B) covered here: 4 (public features opt-in, off by default), 5 (structured data
//! only as allowed), 18 (nobody reads another user's private data).

use serde_json::{json, Value};

use crate::on_both_databases;
use crate::public::{ada_with_a_record, switches};
use crate::support::{location, TestApp};

on_both_databases!(
    promise_4_contact_details_are_private_until_each_is_shown,
    contact_details_and_languages_are_validated_with_messages_and_nothing_is_lost,
    the_owner_previews_the_resume_privately_whatever_the_publish_switch_says,
);

const CONTACT: &str = "ada.lovelace@analytical.example";
const PHONE: &str = "+44 20 7946 0958";

async fn visit(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.new_browser().get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

fn json_ld(html: &str) -> Option<Value> {
    let start = html.find(r#"<script type="application/ld+json">"#)? + 35;
    let end = start + html[start..].find("</script>")?;
    Some(serde_json::from_str(&html[start..end]).unwrap())
}

async fn promise_4_contact_details_are_private_until_each_is_shown(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    switches(&api, true, false, true).await;
    let (status, profile) = api
        .patch(
            "/profile",
            json!({"email": CONTACT, "phone": PHONE, "url": "ada.example.org",
                   "profiles": [{"network": "GitHub", "username": "ada", "url": "https://github.com/ada"},
                                {"network": "LinkedIn", "url": "https://www.linkedin.com/in/ada", "public": true}],
                   "languages": [{"language": "English", "fluency": "Native or bilingual"}, {"language": "French"}]}),
        )
        .await;
    assert_eq!(status, 200, "{profile}");
    // The API speaks JSON Resume's names, with every switch off unless asked.
    assert_eq!(profile["email"], CONTACT);
    assert_eq!(profile["phone"], PHONE);
    assert_eq!(profile["url"], "https://ada.example.org/", "a bare host becomes a link");
    assert_eq!((profile["email_public"].clone(), profile["phone_public"].clone()), (json!(false), json!(false)));
    assert_eq!(profile["url_public"], false);
    assert_eq!(
        profile["profiles"],
        json!([{"network": "GitHub", "username": "ada", "url": "https://github.com/ada", "public": false},
               {"network": "LinkedIn", "username": "", "url": "https://www.linkedin.com/in/ada", "public": true}])
    );
    assert_eq!(profile["languages"][1], json!({"language": "French", "fluency": ""}));

    let (status, page) = visit(&app, "/u/ada").await;
    assert_eq!(status, 200);
    for private in [CONTACT, "7946", "ada.example.org", "github.com/ada"] {
        assert!(!page.contains(private), "{private} is not shown before its switch is on");
    }
    assert!(page.contains(r#"href="https://www.linkedin.com/in/ada""#), "the shown profile is there");
    assert!(page.contains("English") && page.contains("Native or bilingual") && page.contains("French"));
    let person = json_ld(&page).expect("indexing is on")["mainEntity"].clone();
    assert!(person.get("email").is_none() && person.get("telephone").is_none(), "{person}");
    assert_eq!(person["sameAs"], json!(["https://www.linkedin.com/in/ada"]));
    assert_eq!(person["knowsLanguage"][0]["name"], "English");

    let (status, _) = api.patch("/profile", json!({"email_public": true, "phone_public": true})).await;
    assert_eq!(status, 200);
    let (_, page) = visit(&app, "/u/ada").await;
    assert!(page.contains(&format!(r#"href="mailto:{CONTACT}""#)));
    assert!(page.contains(r#"href="tel:+442079460958""#), "a dialable link");
    assert!(!page.contains("ada.example.org"), "the website is still private");
    let person = json_ld(&page).unwrap()["mainEntity"].clone();
    assert_eq!((person["email"].clone(), person["telephone"].clone()), (json!(CONTACT), json!(PHONE)));

    // With indexing off there is no structured data at all, shown details or not.
    switches(&api, true, false, false).await;
    let (_, page) = visit(&app, "/u/ada").await;
    assert!(json_ld(&page).is_none());
    assert!(page.contains(CONTACT), "the page itself still shows what the owner shows");
}

async fn contact_details_and_languages_are_validated_with_messages_and_nothing_is_lost(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    let bad: [(Value, &str, &str); 9] = [
        (json!({"email": "not an address"}), "email", "Enter an email address like name@example.com."),
        (json!({"phone": "call me maybe"}), "phone", "Use digits, spaces and + - ( ) only."),
        (json!({"phone": "+44 20 7946 0958 ".repeat(3)}), "phone", "At most 40 characters, please (this has 50)."),
        (json!({"url": "javascript:alert(1)"}), "url", "“javascript:alert(1)” is not a web address."),
        (json!({"email_public": true}), "email", "Enter an email address to show, or untick “show”."),
        (
            json!({"profiles": [{"network": "", "url": "https://x.example"}]}),
            "profiles[0].network",
            "Enter the site, e.g. GitHub.",
        ),
        (
            json!({"profiles": [{"network": "Mastodon"}]}),
            "profiles[0].url",
            "Enter the link to your profile, or your user name there.",
        ),
        (
            json!({"languages": [{"language": "German"}, {"language": " "}]}),
            "languages[1].language",
            "Enter the language.",
        ),
        (
            json!({"languages": [{"language": "x".repeat(61)}]}),
            "languages[0].language",
            "At most 60 characters, please (this has 61).",
        ),
    ];
    for (body, field, message) in bad {
        let (status, answer) = api.patch("/profile", body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert_eq!(answer["error"]["fields"][field], message, "{body}: {answer}");
    }
    let eleven: Vec<Value> = (0..11).map(|n| json!({"network": format!("Site {n}"), "username": "ada"})).collect();
    let (status, answer) = api.patch("/profile", json!({"profiles": eleven})).await;
    assert_eq!(
        (status, answer["error"]["fields"]["profiles"].clone()),
        (422, json!("At most 10 profile links, please."))
    );
    for hostile in [
        json!({"profiles": [{"network": "GitHub", "username": "ada", "colour": "red"}]}),
        json!({"languages": "English"}),
        json!({"profiles": [{"network": 7}]}),
    ] {
        let (status, answer) = api.patch("/profile", hostile.clone()).await;
        assert_eq!((status, answer["error"]["code"].clone()), (400, json!("invalid_json")), "{hostile}");
    }
    let (_, profile) = api.get("/profile").await;
    assert_eq!(profile["email"], "", "nothing refused was kept");

    // The form: every error beside its field at once, and every value typed kept.
    let response = app
        .submit(
            "/settings/profile",
            "/settings/profile",
            &[
                ("display_name", "Ada Lovelace"),
                ("username", "ada"),
                ("phone", "call me"),
                ("email", "ada@"),
                ("link0_network", "GitHub"),
                ("link0_url", "not a link at all"),
                ("link1_network", "Bluesky"),
                ("link1_username", "ada.bsky.social"),
                ("link1_public", "on"),
                ("language0_name", "Welsh"),
                ("language0_fluency", "Elementary proficiency"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"id="phone-error">Use digits"#), "{html}");
    assert!(html.contains(r#"id="email-error">Enter an email address"#));
    assert!(html.contains(r#"id="link0_url-error">“not a link at all” is not a web address."#), "{html}");
    for kept in [
        r#"value="call me""#,
        r#"value="not a link at all""#,
        r#"value="ada.bsky.social""#,
        r#"id="link1_public" name="link1_public" type="checkbox" value="on" checked"#,
        r#"value="Welsh""#,
    ] {
        assert!(html.contains(kept), "{kept} is kept");
    }
    // Fixed, it saves; a row left empty is dropped.
    let response = app
        .submit(
            "/settings/profile",
            "/settings/profile",
            &[
                ("display_name", "Ada Lovelace"),
                ("username", "ada"),
                ("phone", "+44 20 7946 0958"),
                ("phone_public", "on"),
                ("link0_network", "Bluesky"),
                ("link0_username", "ada.bsky.social"),
                ("link0_url", "https://bsky.app/profile/ada.bsky.social"),
                ("link0_public", "on"),
                ("link1_network", ""),
                ("language0_name", "Welsh"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/settings/profile?notice=profile_saved");
    let (_, profile) = api.get("/profile").await;
    assert_eq!(profile["phone_public"], true);
    assert_eq!(profile["profiles"].as_array().unwrap().len(), 1);
    assert_eq!(profile["languages"], json!([{"language": "Welsh", "fluency": ""}]));
}

async fn the_owner_previews_the_resume_privately_whatever_the_publish_switch_says(app: TestApp) {
    let api = ada_with_a_record(&app).await;
    let (status, _) = api
        .patch("/profile", json!({"email": CONTACT, "allow_indexing": true, "languages": [{"language": "English"}]}))
        .await;
    assert_eq!(status, 200);
    // Not published: visitors get 404, the owner sees exactly what they would publish.
    assert_eq!(visit(&app, "/u/ada").await.0, 404);
    let response = app.get("/resume").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-robots-tag"], "noindex, nofollow");
    let page = response.text().await.unwrap();
    assert!(page.contains("Private preview: only you can see this page."));
    assert!(page.contains("Your resume is not published"));
    assert!(page.contains("Acme Analytics") && page.contains("Query planner") && page.contains("English"));
    assert!(!page.contains("Night Shift Cashier"), "records kept off the resume stay off");
    assert!(json_ld(&page).is_none(), "a preview is never indexed");
    assert!(!page.contains(CONTACT), "private contact details are hidden, as visitors would see");
    assert!(page.contains(r#"href="/resume?contact=all""#));
    assert!(page.contains("data-print"), "a print button for browsers that run the script");
    // Asked for, the private ones appear, for a printout Ada sends herself.
    let (_, with_contact) = app.get_text("/resume?contact=all").await;
    assert!(with_contact.contains(&format!("mailto:{CONTACT}")));
    // Label filters stay inside the preview.
    let (_, filtered) = app.get_text("/resume?label=Rust").await;
    assert!(filtered.contains(r#"href="/resume?label=Rust""#) || filtered.contains(r#"href="/resume""#));
    assert!(!filtered.contains("Query planner"), "the project has no Rust label");

    // Published: the banner says where, and the public page is the preview without the banner.
    switches(&api, true, false, false).await;
    let (_, page) = app.get_text("/resume").await;
    assert!(page.contains(r#"Your resume is published at <a href="/u/ada">/u/ada</a>"#), "{page}");
    let (status, public) = visit(&app, "/u/ada").await;
    assert_eq!(status, 200);
    assert!(!public.contains("Private preview"));

    // A visitor is sent to sign in; another user previews their own (empty) resume, never Ada's.
    let visitor = app.new_browser().get(app.url("/resume")).send().await.unwrap();
    assert_eq!(visitor.status(), 303);
    assert!(location(&visitor).starts_with("/login"));
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let (status, grace) = app.get_text("/resume").await;
    assert_eq!(status, 200);
    assert!(!grace.contains("Acme Analytics") && !grace.contains("Ada Lovelace"));
    assert!(grace.contains("Nothing is published"));
}
