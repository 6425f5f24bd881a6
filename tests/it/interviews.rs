//! The job search, second part: interviews with their interviewers, preparation and debrief on
//! the opportunity's timeline; notes about opportunities, contacts and interviews; the dashboard;
//! the interview-prep texts; and promises 8 and 18 for every new route.

use serde_json::{json, Value};

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, TestApp};

on_both_databases!(
    an_interview_is_scheduled_with_an_interviewer_debriefed_and_told_on_the_timeline,
    interviews_are_managed_and_validated_through_the_api,
    notes_are_kept_about_opportunities_contacts_and_interviews_and_go_with_them,
    the_dashboard_shows_what_is_coming_what_is_due_the_board_and_the_funnel,
    an_applied_date_counts_as_applied_and_moving_to_applied_stamps_it,
    notes_name_what_they_are_about,
    save_and_add_another_opens_a_new_form_with_the_record_kept,
    next_actions_are_done_or_put_off_from_the_dashboard_and_the_opportunity,
    next_actions_are_done_or_put_off_through_the_api,
    a_long_job_description_is_folded_behind_show_full_description,
    pickers_offer_only_people_not_yet_connected_and_someone_new_is_added_in_one_go,
    preparation_and_debrief_are_written_in_markdown_like_the_journal,
    the_skills_list_is_grouped_by_category,
    new_labels_get_distinct_colours_by_default,
    times_are_shown_in_the_users_time_zone_and_interviews_in_both,
    interview_prep_texts_are_kept_with_the_account,
    promise_18_another_user_gets_404_for_every_interview_and_note_route,
    promise_8_interview_and_note_forms_refuse_a_missing_token,
);

/// A wall-clock time (UTC) `days` from now, as a `datetime-local` field sends it.
fn days_from_now(days: i64) -> String {
    minutes_from_now(24 * 60 * days)
}

fn minutes_from_now(minutes: i64) -> String {
    let when = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(minutes);
    when.to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M").to_string()
}

fn id_in(location: &str, path: &str) -> String {
    location.trim_start_matches(path).trim_start_matches('/').split(['?', '#']).next().unwrap().to_owned()
}

async fn opportunity(api: &Api, role: &str, company: &str) -> String {
    let created = api.create("/opportunities", json!({"role": role, "company": company})).await;
    created["id"].as_str().unwrap().to_owned()
}

async fn interview(api: &Api, opportunity: &str, round: &str, start: &str) -> Value {
    api.create(
        "/interviews",
        json!({"opportunity_id": opportunity, "round_name": round, "kind": "technical", "start": start,
               "time_zone": "UTC", "duration_minutes": 45}),
    )
    .await
}

async fn an_interview_is_scheduled_with_an_interviewer_debriefed_and_told_on_the_timeline(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let sam = api.create("/contacts", json!({"name": "Sam Interviewer", "company": "Globex"})).await;
    let sam = sam["id"].as_str().unwrap();

    // "Schedule interview" on the opportunity opens the form with it chosen.
    let new = format!("/interviews/new?opportunity={job}");
    let (status, form) = app.get_text(&new).await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!(r#"<option value="{job}" selected>Staff Engineer at Globex</option>"#)));

    // Mistakes come back beside their fields, with everything typed.
    let bad = app
        .submit(
            &new,
            "/interviews",
            &[
                ("opportunity_id", job.as_str()),
                ("round_name", "System design"),
                ("kind", "system_design"),
                ("start", "2026-12-01T14:00"),
                ("time_zone", "Europe/Atlantis"),
                ("duration_minutes", "90"),
                ("meeting_url", "https://meet example com"),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("That is not a time zone we know."), "bad time zone");
    assert!(html.contains("is not a web address"), "malformed meeting link");
    assert!(html.contains(r#"value="Europe/Atlantis""#) && html.contains(r#"value="System design""#));

    let saved = app
        .submit(
            &new,
            "/interviews",
            &[
                ("opportunity_id", job.as_str()),
                ("round_name", "System design"),
                ("kind", "system_design"),
                ("start", "2026-12-01T14:00"),
                ("time_zone", "Europe/Berlin"),
                ("duration_minutes", "90"),
                ("meeting_url", "https://meet.example.com/abc"),
                ("prep_notes", "Read about their event pipeline."),
            ],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let id = id_in(&location(&saved), "/interviews");
    let show = format!("/interviews/{id}");
    let (_, page) = app.get_text(&show).await;
    assert!(page.contains("Tue 1 Dec 2026, 14:00") && page.contains("Europe/Berlin") && page.contains("1 h 30 min"));
    assert!(page.contains(r#"datetime="2026-12-01T13:00:00Z""#), "the instant is kept in UTC");

    // Sam is one of the interviewers.
    let added = app.submit(&show, &format!("{show}/interviewers"), &[("contact_id", sam)]).await;
    assert_eq!(added.status(), 303);
    assert!(app.get_text(&show).await.1.contains("Sam Interviewer"));
    assert!(app.get_text(&format!("/contacts/{sam}")).await.1.contains("System design"), "and it shows on Sam's page");

    // The debrief, and then the outcome.
    let mut edit = vec![
        ("opportunity_id", job.as_str()),
        ("round_name", "System design"),
        ("kind", "system_design"),
        ("start", "2026-12-01T14:00"),
        ("time_zone", "Europe/Berlin"),
        ("duration_minutes", "90"),
        ("debrief_summary", "Went well; ran out of time on storage."),
        ("debrief_questions", "Design a rate limiter"),
        ("debrief_improve", "Start with the data model"),
        ("outcome", "pending"),
    ];
    assert_eq!(app.submit(&format!("{show}/edit"), &show, &edit).await.status(), 303);
    edit.retain(|(field, _)| *field != "outcome");
    edit.push(("outcome", "passed"));
    assert_eq!(app.submit(&format!("{show}/edit"), &show, &edit).await.status(), 303);
    let (_, page) = app.get_text(&show).await;
    assert!(page.contains("Design a rate limiter") && page.contains("Passed"));

    let (_, timeline) = app.get_text(&format!("/opportunities/{job}")).await;
    for text in ["Interview scheduled", "System design (System design), Tue 1 Dec 2026, 14:00 Europe/Berlin"] {
        assert!(timeline.contains(text), "{text:?}");
    }
    assert!(timeline.contains("Debrief added") && timeline.contains("System design: Passed"));
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM opportunity_events WHERE opportunity_id = $1 AND interview_id = $2 ORDER BY occurred_at, id",
    )
    .bind(&job)
    .bind(&id)
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(kinds, ["interview_scheduled", "debrief_added", "interview_outcome"]);

    // Moving it to another day says so.
    edit.retain(|(field, _)| *field != "start");
    edit.push(("start", "2026-12-02T09:30"));
    assert_eq!(app.submit(&format!("{show}/edit"), &show, &edit).await.status(), 303);
    assert!(app.get_text(&format!("/opportunities/{job}")).await.1.contains("Interview moved"));

    // Removing the interviewer, then the interview.
    let removed = app.submit(&show, &format!("{show}/interviewers/{sam}/remove"), &[]).await;
    assert_eq!(removed.status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM interview_contacts").await, 0);
    assert_eq!(app.submit(&show, &format!("{show}/delete"), &[]).await.status(), 303);
    assert_eq!(app.get(&show).await.status(), 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM opportunity_events WHERE interview_id IS NOT NULL").await, 0);
    assert!(app.get_text(&format!("/opportunities/{job}")).await.1.contains("Interview scheduled"), "history stays");
}

async fn interviews_are_managed_and_validated_through_the_api(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Platform Engineer", "Hooli").await;
    let other_job = opportunity(&api, "SRE", "Initech").await;
    let created = api
        .create(
            "/interviews",
            json!({"opportunity_id": job, "round_name": "Phone screen", "kind": "phone_screen",
                   "start": "2026-07-01T09:00", "time_zone": "America/New_York", "labels": ["Remote"],
                   "meeting_url": "https://zoom.example.com/j/1"}),
        )
        .await;
    assert_eq!(created["starts_at"], "2026-07-01T13:00:00Z", "09:00 in New York in summer");
    assert_eq!((created["duration_minutes"].as_i64(), created["outcome"].as_str()), (Some(60), Some("pending")));
    assert_eq!((created["company"].as_str(), created["labels"][0]["name"].as_str()), (Some("Hooli"), Some("Remote")));
    let url = format!("/interviews/{}", created["id"].as_str().unwrap());
    interview(&api, &other_job, "Onsite", "2026-08-01T10:00").await;

    let (status, changed) = api.patch(&url, json!({"debrief_summary": "Friendly", "outcome": "passed"})).await;
    assert_eq!(status, 200);
    assert_eq!((changed["round_name"].as_str(), changed["outcome"].as_str()), (Some("Phone screen"), Some("passed")));
    let (_, timeline) = api.get(&format!("/opportunities/{job}/timeline")).await;
    let kinds: Vec<&str> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"interview_scheduled") && kinds.contains(&"debrief_added"), "{kinds:?}");

    for (body, field) in [
        (json!({"time_zone": "Mars/Olympus_Mons"}), "time_zone"),
        (json!({"start": "next Tuesday"}), "start"),
        (json!({"start": "2026-12-01T14:00+05:00"}), "start"),
        (json!({"kind": "interrogation"}), "kind"),
        (json!({"outcome": "hired"}), "outcome"),
        (json!({"duration_minutes": 0}), "duration_minutes"),
        (json!({"meeting_url": "javascript:alert(1)"}), "meeting_url"),
        (json!({"round_name": null}), "round_name"),
        (json!({"opportunity_id": "not-an-id"}), "opportunity_id"),
        (json!({"opportunity_id": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}), "opportunity_id"),
    ] {
        let (status, error) = api.patch(&url, body.clone()).await;
        assert_eq!(status, 422, "{body}");
        assert!(error["error"]["fields"][field].is_string(), "{body}: {error}");
    }
    let (status, error) = api.post("/interviews", json!({"round_name": "x", "when": "soon"})).await;
    assert_eq!((status, error["error"]["code"].as_str()), (400, Some("invalid_json")), "unknown field");
    let (status, error) = api.post("/interviews", json!({"round_name": "x"})).await;
    assert_eq!(status, 422);
    for field in ["opportunity_id", "start", "time_zone"] {
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }

    // Lists: all, by opportunity, by label, paginated.
    assert_eq!(api.get("/interviews").await.1["total"], 2);
    assert_eq!(api.get("/interviews?status=applied").await.0, 200, "interviews have no status to filter by");
    let (_, mine) = api.get(&format!("/interviews?opportunity={job}")).await;
    assert_eq!((mine["total"].as_i64(), mine["items"][0]["company"].as_str()), (Some(1), Some("Hooli")));
    assert_eq!(api.get("/interviews?opportunity=nonsense").await.1["total"], 0);
    assert_eq!(api.get("/interviews?label=remote").await.1["total"], 1);
    let (_, labels) = api.get("/labels").await;
    let remote = labels["items"].as_array().unwrap().iter().find(|l| l["name"] == "Remote").unwrap()["id"].clone();
    let (_, label_page) = app.get_text(&format!("/labels/{}", remote.as_str().unwrap())).await;
    assert!(label_page.contains("Phone screen · Hooli"), "the label's page lists the interview");
    let (_, page) = api.get("/interviews?per_page=1&page=2").await;
    assert_eq!((page["items"].as_array().unwrap().len(), page["page"].as_i64()), (1, Some(2)));

    // Interviewers through the API.
    let contact = api.create("/contacts", json!({"name": "Pat Panel"})).await;
    let link = format!("{url}/interviewers/{}", contact["id"].as_str().unwrap());
    assert_eq!(api.call(reqwest::Method::PUT, &link, None).await.0, 204);
    assert_eq!(api.call(reqwest::Method::PUT, &link, None).await.0, 204, "again is harmless");
    assert_eq!(api.get(&url).await.1["interviewers"][0]["name"], "Pat Panel");
    assert_eq!(api.call(reqwest::Method::DELETE, &link, None).await.0, 204);
    assert_eq!(api.call(reqwest::Method::DELETE, &link, None).await.0, 404);

    // Deleting the opportunity takes its interviews with it.
    assert_eq!(api.delete(&format!("/opportunities/{job}")).await, 204);
    assert_eq!(api.get(&url).await.0, 404);
    assert_eq!(api.get("/interviews").await.1["total"], 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM record_labels WHERE record_kind = 'interview'").await, 0);
}

async fn notes_are_kept_about_opportunities_contacts_and_interviews_and_go_with_them(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let round = interview(&api, &job, "Onsite", "2026-12-03T10:00").await;
    let round = round["id"].as_str().unwrap().to_owned();

    // From the opportunity's page: the note form brings you back there.
    let show = format!("/opportunities/{job}");
    let saved = app
        .submit(
            &show,
            "/notes",
            &[("subject_kind", "opportunity"), ("subject_id", job.as_str()), ("body", "Team of 8, Rust and Go")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), format!("/opportunities/{job}?notice=saved#notes"));
    assert!(app.get_text(&show).await.1.contains("Team of 8, Rust and Go"));
    let empty = app
        .submit(&show, "/notes", &[("subject_kind", "opportunity"), ("subject_id", job.as_str()), ("body", " ")])
        .await;
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("Write the note."));

    // Through the API, about the interview; edited; listed by subject.
    let note =
        api.create("/notes", json!({"subject_kind": "interview", "subject_id": round, "body": "Bring ID"})).await;
    let url = format!("/notes/{}", note["id"].as_str().unwrap());
    let (status, changed) = api.patch(&url, json!({"body": "Bring ID and a laptop"})).await;
    assert_eq!((status, changed["body"].as_str()), (200, Some("Bring ID and a laptop")));
    assert!(app.get_text(&format!("/interviews/{round}")).await.1.contains("Bring ID and a laptop"));
    let (_, new_note) = app.get_text(&format!("/notes/new?about={round}")).await;
    assert!(new_note.contains(&format!(r#"name="subject_id" value="{round}""#)), "a note about the interview");
    assert!(app.get_text("/notes/new").await.1.contains("A note is about something."));
    assert_eq!(api.get("/notes").await.1["total"], 2);
    assert_eq!(api.get(&format!("/notes?about={round}")).await.1["total"], 1);
    let (_, page) = app.get_text("/notes").await;
    assert!(page.contains("Team of 8, Rust and Go") && page.contains(&format!("/interviews/{round}")));
    for (body, field) in [
        (json!({"subject_kind": "user", "subject_id": job, "body": "x"}), "subject_kind"),
        (json!({"subject_kind": "contact", "subject_id": job, "body": "x"}), "subject_id"),
        (json!({"subject_kind": "opportunity", "subject_id": job, "body": "x".repeat(20_001)}), "body"),
    ] {
        let (status, error) = api.post("/notes", body).await;
        assert_eq!(status, 422);
        assert!(error["error"]["fields"][field].is_string(), "{field}: {error}");
    }

    // A contact's notes go with the contact; an opportunity's with it, and its interviews'.
    let sam = api.create("/contacts", json!({"name": "Sam"})).await;
    let sam = sam["id"].as_str().unwrap();
    api.create("/notes", json!({"subject_kind": "contact", "subject_id": sam, "body": "Likes cycling"})).await;
    assert_eq!(api.delete(&format!("/contacts/{sam}")).await, 204);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notes").await, 2);
    assert_eq!(api.delete(&format!("/opportunities/{job}")).await, 204);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notes").await, 0, "no note outlives what it was about");
    assert_eq!(api.get(&url).await.0, 404);
}

async fn the_dashboard_shows_what_is_coming_what_is_due_the_board_and_the_funnel(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (_, empty) = app.get_text("/jobs").await;
    assert!(empty.contains("No opportunities yet.") && empty.contains("Nothing scheduled."));

    let api = api_for(&app).await;
    let globex = opportunity(&api, "Staff Engineer", "Globex").await;
    let hooli = opportunity(&api, "Platform Engineer", "Hooli").await;
    let initech = opportunity(&api, "SRE", "Initech").await;
    let yesterday = (jiff::Zoned::now().date() - jiff::Span::new().days(1)).to_string();
    api.patch(
        &format!("/opportunities/{hooli}"),
        json!({"next_action": "Send the take-home", "next_action_due": yesterday}),
    )
    .await;
    api.patch(&format!("/opportunities/{initech}"), json!({"next_action": "Someday", "next_action_due": "2099-01-01"}))
        .await;
    interview(&api, &globex, "Soon round", &days_from_now(3)).await;
    interview(&api, &globex, "Later round", &days_from_now(20)).await;
    interview(&api, &globex, "Past round", &days_from_now(-3)).await;
    interview(&api, &globex, "Happening now", &minutes_from_now(-10)).await;
    let called_off = interview(&api, &hooli, "Called off", &days_from_now(2)).await;
    api.patch(&format!("/interviews/{}", called_off["id"].as_str().unwrap()), json!({"outcome": "cancelled"})).await;
    for status in ["applied", "screening", "interviewing", "offer"] {
        api.patch(&format!("/opportunities/{globex}"), json!({"status": status})).await;
    }
    for status in ["applied", "rejected"] {
        api.patch(&format!("/opportunities/{hooli}"), json!({"status": status})).await;
    }

    let (status, page) = app.get_text("/jobs").await;
    assert_eq!(status, 200);
    let upcoming = section(&page, "upcoming-heading");
    assert!(upcoming.contains("Soon round"), "an interview in 3 days is upcoming");
    assert!(upcoming.contains("Happening now"), "one in progress is still on the list");
    assert!(!upcoming.contains("Called off"), "a cancelled one is not");
    assert!(!page.contains("Later round") && !page.contains("Past round"), "only the next two weeks");
    let due = section(&page, "agenda-heading");
    assert!(!due.contains("Send the take-home"), "a rejected opportunity's action is not due any more");
    assert!(!due.contains("Someday"));
    // The funnel: Globex got to an offer, Hooli to applied (its cancelled interview is no interview).
    assert!(page.contains("Applied: 2. Screened: 1. Interviewed: 1. Offered: 1."), "{page}");
    // An interview that took place counts Hooli as interviewed (and screened); deleted, it does not.
    let held = interview(&api, &hooli, "Held round", &days_from_now(-1)).await;
    let held = format!("/interviews/{}", held["id"].as_str().unwrap());
    assert!(app.get_text("/jobs").await.1.contains("Applied: 2. Screened: 2. Interviewed: 2. Offered: 1."));
    api.patch(&held, json!({"outcome": "cancelled"})).await;
    assert!(app.get_text("/jobs").await.1.contains("Applied: 2. Screened: 1. Interviewed: 1. Offered: 1."));
    api.patch(&held, json!({"outcome": "passed"})).await;
    assert_eq!(api.delete(&held).await, 204);
    assert!(app.get_text("/jobs").await.1.contains("Applied: 2. Screened: 1. Interviewed: 1. Offered: 1."));

    // Move a card on the board without JavaScript: back to the board.
    api.patch(&format!("/opportunities/{hooli}"), json!({"status": "applied"})).await;
    let due = section(&app.get_text("/jobs").await.1, "agenda-heading");
    assert!(due.contains("Send the take-home") && due.contains("Overdue"), "overdue and open again");
    let moved = app
        .submit("/jobs", &format!("/opportunities/{initech}/status"), &[("status", "screening"), ("back", "board")])
        .await;
    assert_eq!(moved.status(), 303);
    assert_eq!(location(&moved), format!("/jobs?notice=saved#card-{initech}"));
    let (_, board) = app.get_text("/jobs").await;
    let column = board.split(r#"data-status="screening""#).nth(1).unwrap().split("</section>").next().unwrap();
    assert!(column.contains("SRE") && column.contains(">1<"), "the card is in its new column, counted");
    let unknown = app
        .submit("/jobs", &format!("/opportunities/{initech}/status"), &[("status", "hired"), ("back", "board")])
        .await;
    assert_eq!(unknown.status(), 422);
}

/// Issue 12, item 7: an opportunity entered straight as rejected (or withdrawn, or ghosted) with
/// an "applied on" date was applied for, and the funnel says so; moving a card to Applied stamps
/// today when the date is empty, and keeps a date already there.
async fn an_applied_date_counts_as_applied_and_moving_to_applied_stamps_it(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    api.create(
        "/opportunities",
        json!({"role": "SRE", "company": "Umbrella", "status": "rejected", "applied_on": "2026-10-01"}),
    )
    .await;
    let (_, page) = app.get_text("/jobs").await;
    assert!(page.contains("Applied: 1. Screened: 0."), "{}", section(&page, "funnel-heading"));

    let vandelay = opportunity(&api, "Data Engineer", "Vandelay").await;
    let dated = api
        .create("/opportunities", json!({"role": "Analyst", "company": "Kramerica", "applied_on": "2026-09-01"}))
        .await;
    let dated = dated["id"].as_str().unwrap().to_owned();
    for id in [&vandelay, &dated] {
        let moved = app
            .submit("/jobs", &format!("/opportunities/{id}/status"), &[("status", "applied"), ("back", "board")])
            .await;
        assert_eq!(moved.status(), 303);
    }
    let today = app.state.clock.now().iso_date();
    assert_eq!(api.get(&format!("/opportunities/{vandelay}")).await.1["applied_on"], today.as_str());
    assert_eq!(api.get(&format!("/opportunities/{dated}")).await.1["applied_on"], "2026-09-01", "a date is kept");
    assert!(app.get_text("/jobs").await.1.contains("Applied: 3. Screened: 0."));
}

/// Issue 12, item 11: away from their subject, notes say what they are about: company and role,
/// a contact's name, an interview's round and company.
async fn notes_name_what_they_are_about(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let round = interview(&api, &job, "Technical round", "2026-12-03T10:00").await;
    let grace = api.create("/contacts", json!({"name": "Grace Hopper", "company": "Globex"})).await;
    let mut note_pages = Vec::new();
    for (kind, id) in [
        ("opportunity", job.clone()),
        ("interview", round["id"].as_str().unwrap().to_owned()),
        ("contact", grace["id"].as_str().unwrap().to_owned()),
    ] {
        let note = api.create("/notes", json!({"subject_kind": kind, "subject_id": id, "body": "Worth a note"})).await;
        note_pages.push(format!("/notes/{}", note["id"].as_str().unwrap()));
    }
    let (_, list) = app.get_text("/notes").await;
    for title in ["Globex · Staff Engineer", "Technical round · Globex", "Grace Hopper"] {
        assert!(list.contains(&format!(">{title}</a>")), "{title} on the list: {list}");
    }
    assert!(!list.contains("this opportunity") && !list.contains("this contact"));
    let (_, one) = app.get_text(&note_pages[1]).await;
    assert!(one.contains(">Technical round · Globex</a>"), "{one}");
}

/// Issue 12, item 14: "Save and add another" on a new record's form saves it and opens an empty
/// form of the same kind (a new interview for the same opportunity); a mistake keeps the form.
async fn save_and_add_another_opens_a_new_form_with_the_record_kept(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (_, form) = app.get_text("/skills/new").await;
    assert!(form.contains(r#"formaction="/skills?then=another">Save and add another</button>"#), "{form}");
    let saved = app.submit("/skills/new", "/skills?then=another", &[("name", "Rust"), ("on_resume", "on")]).await;
    assert_eq!(location(&saved), "/skills/new?notice=saved_another");
    let (_, next) = app.get_text("/skills/new?notice=saved_another").await;
    assert!(next.contains("Saved. Here is a new form for the next one.") && !next.contains(r#"value="Rust""#));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM skills").await, 1);
    let refused = app.submit("/skills/new", "/skills?then=another", &[("name", " ")]).await;
    assert_eq!(refused.status(), 422, "a mistake stays on the form");

    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let fields = [
        ("opportunity_id", job.as_str()),
        ("round_name", "Phone screen"),
        ("kind", "phone_screen"),
        ("start", "2026-12-03T10:00"),
        ("time_zone", "Europe/Berlin"),
        ("duration_minutes", "30"),
    ];
    let saved = app.submit(&format!("/interviews/new?opportunity={job}"), "/interviews?then=another", &fields).await;
    assert_eq!(location(&saved), format!("/interviews/new?opportunity={job}&notice=saved_another"));
    let (_, next) = app.get_text(&location(&saved)).await;
    assert!(next.contains(&format!(r#"value="{job}" selected"#)) || next.contains(&format!(r#"value="{job}""#)));
    // Edit forms save and go back to the record, with no second button.
    let (_, edit) = app.get_text(&format!("/opportunities/{job}/edit")).await;
    assert!(!edit.contains("Save and add another"));
}

/// Issue 12, item 6, as issue 19 (item 2) made it: an opportunity's next action is the first
/// task on its list. Saved with the opportunity, it is on the dashboard's tasks (overdue, today,
/// this week), on its card on the board and in the list; marked done from the dashboard it goes
/// on the opportunity's timeline and the next task takes its place; put off from the
/// opportunity's page, it moves.
async fn next_actions_are_done_or_put_off_from_the_dashboard_and_the_opportunity(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let today: jiff::civil::Date = app.state.clock.now().iso_date().parse().unwrap();
    let day = |n: i64| (today + jiff::Span::new().days(n)).to_string();
    let mut ids = Vec::new();
    for (company, action, due) in [
        ("Globex", "Send the take-home", day(-2)),
        ("Hooli", "Call the recruiter", day(0)),
        ("Initech", "Prepare questions", day(3)),
        ("Umbrella", "Follow up", day(10)),
    ] {
        let created = api
            .create(
                "/opportunities",
                json!({"role": "Engineer", "company": company, "next_action": action, "next_action_due": due}),
            )
            .await;
        assert_eq!((created["next_action"].as_str(), created["next_action_due"].as_str()), (Some(action), Some(&*due)));
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let task_of = |opportunity: &str| {
        let (api, opportunity) = (&api, opportunity.to_owned());
        async move {
            let (_, tasks) = api.get(&format!("/tasks?opportunity={opportunity}")).await;
            tasks["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
        }
    };
    assert_eq!(task_of(&ids[0]).await.len(), 1, "each next action is a task of its opportunity");

    let (_, page) = app.get_text("/jobs").await;
    let due = section(&page, "agenda-heading");
    assert!(due.contains("Send the take-home") && due.contains("Overdue"));
    assert!(due.contains("Call the recruiter") && due.contains(">Today<"));
    assert!(due.contains("Prepare questions") && due.contains(">Coming<"), "the coming week is shown: {due}");
    assert!(!due.contains("Follow up"), "ten days away is not yet");
    assert!(page.contains("Follow up"), "outside the week's tasks, it is on its card on the board");
    assert!(app.get_text("/opportunities").await.1.contains("Follow up"), "and so does the list");

    // Done from the dashboard: onto the timeline; the opportunity's next task takes its place.
    api.create("/tasks", json!({"title": "Book the onsite", "due_on": day(5), "opportunity_id": ids[0]})).await;
    let take_home = task_of(&ids[0]).await[0].clone();
    let done = app.submit("/jobs", &format!("/tasks/{take_home}/done"), &[("done", "1"), ("back", "jobs")]).await;
    assert_eq!(done.status(), 303);
    assert!(!section(&app.get_text("/jobs").await.1, "agenda-heading").contains("Send the take-home"));
    let (_, globex) = api.get(&format!("/opportunities/{}", ids[0])).await;
    assert_eq!(
        (globex["next_action"].as_str(), globex["next_action_due"].as_str()),
        (Some("Book the onsite"), Some(&*day(5)))
    );
    let (_, timeline) = api.get(&format!("/opportunities/{}/timeline", ids[0])).await;
    assert!(timeline
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "action_done" && e["body"] == "Send the take-home"));
    let (_, show) = app.get_text(&format!("/opportunities/{}", ids[0])).await;
    assert!(show.contains("Task done"), "the timeline says what was done");

    // Put off from the opportunity's page: due three days from today.
    let page = format!("/opportunities/{}", ids[1]);
    let call = task_of(&ids[1]).await[0].clone();
    let (_, show) = app.get_text(&page).await;
    assert!(show.contains(&format!(r#"action="/tasks/{call}/snooze""#)));
    let back = format!("opportunity:{}", ids[1]);
    let put_off = app.submit(&page, &format!("/tasks/{call}/snooze"), &[("days", "3"), ("back", &back)]).await;
    assert_eq!(put_off.status(), 303);
    assert!(location(&put_off).starts_with(&page), "{}", location(&put_off));
    assert_eq!(api.get(&page).await.1["next_action_due"], day(3).as_str());
    let forged = app.submit(&page, &format!("/tasks/{call}/snooze"), &[("days", "-400"), ("back", &back)]).await;
    assert!(location(&forged).contains("notice=task_not_snoozed"), "{}", location(&forged));
    assert_eq!(api.get(&page).await.1["next_action_due"], day(3).as_str(), "a made-up choice changes nothing");

    // Editing an opportunity leaves its tasks alone: its form has no next action (its tasks do).
    let (_, edit) = app.get_text(&format!("{page}/edit")).await;
    assert!(!edit.contains(r#"name="next_action""#), "{edit}");
    api.patch(&page, json!({"status": "applied"})).await;
    assert_eq!(api.get(&page).await.1["next_action"], "Call the recruiter");
    // Emptied through the API, the next action stays a task: it is finished as one.
    let (status, emptied) = api.patch(&page, json!({"next_action": null})).await;
    assert_eq!((status, emptied["next_action"].as_str()), (200, Some("Call the recruiter")), "{emptied}");
    // Its edit form, opened before the task was done and saved after, brings nothing back.
    let (_, edit) = app.get_text(&format!("{page}/edit")).await;
    api.patch(&format!("/tasks/{call}"), json!({"done": true})).await;
    let token = crate::support::csrf_token_in(&edit).unwrap();
    let fields = [("_csrf", token.as_str()), ("company", "Hooli"), ("role", "Engineer"), ("status", "applied")];
    let saved = app.client.post(app.url(&page)).form(&fields).send().await.unwrap();
    assert_eq!(saved.status(), 303);
    assert_eq!(api.get(&page).await.1["next_action"], "", "the done task stays done");
    assert_eq!(api.get(&format!("/tasks?opportunity={}&done=false", ids[1])).await.1["total"], 0);
    // A day with no step to take is refused, not dropped.
    let (_, new_form) = app.get_text("/opportunities/new").await;
    assert!(new_form.contains(r#"name="next_action""#), "a new opportunity's first step can be written at once");
    let fields = [("company", "Acme"), ("role", "Engineer"), ("status", "saved"), ("next_action_due", "2027-01-04")];
    let refused = app.submit("/opportunities/new", "/opportunities", &fields).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("Say what the next step is"));

    // Someone else's opportunity is not there to change.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let other = app.submit("/jobs", &format!("/tasks/{}/done", task_of(&ids[2]).await[0]), &[("done", "1")]).await;
    assert_eq!(other.status(), 404);
    assert_eq!(api.get(&format!("/opportunities/{}", ids[2])).await.1["next_action"], "Prepare questions");
}

/// Issue 12, item 6, for scripts (kept when next actions became tasks): "done" and "put off" act
/// on the opportunity's first open task, answering the opportunity as it is now; bad input is a
/// 422 with the field named.
async fn next_actions_are_done_or_put_off_through_the_api(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let today: jiff::civil::Date = app.state.clock.now().iso_date().parse().unwrap();
    let created = api
        .create(
            "/opportunities",
            json!({"role": "Engineer", "company": "Globex", "next_action": "Send the take-home",
                   "next_action_due": today.to_string()}),
        )
        .await;
    let id = created["id"].as_str().unwrap();

    let (status, put_off) = api.post(&format!("/opportunities/{id}/next-action/snooze"), json!({"days": 7})).await;
    assert_eq!(status, 200, "{put_off}");
    assert_eq!(put_off["next_action_due"], (today + jiff::Span::new().days(7)).to_string().as_str());
    assert_eq!(put_off["next_action"], "Send the take-home");
    for (body, field) in [
        (json!({"days": 5}), "days"),
        (json!({"days": -1}), "days"),
        (json!({"days": 100000000000i64}), "days"),
        (json!({}), "days"),
    ] {
        let (status, answer) = api.post(&format!("/opportunities/{id}/next-action/snooze"), body.clone()).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (422, Some("validation_failed")), "{body}");
        assert!(answer["error"]["fields"][field].is_string(), "{answer}");
    }
    for body in [json!({"days": "7"}), json!({"days": 7, "until": "tomorrow"}), json!([7])] {
        let (status, answer) = api.post(&format!("/opportunities/{id}/next-action/snooze"), body.clone()).await;
        assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_json")), "{body}");
    }

    // Done: the first open task is, and the one after it becomes the next action.
    api.create("/tasks", json!({"title": "Ask for feedback", "opportunity_id": id})).await;
    let (status, done) = api.post(&format!("/opportunities/{id}/next-action/done"), json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["next_action"].as_str(), done["next_action_due"].clone()),
        (Some("Ask for feedback"), Value::Null)
    );
    let (status, done) = api.post(&format!("/opportunities/{id}/next-action/done"), json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!((done["next_action"].as_str(), done["next_action_due"].clone()), (Some(""), Value::Null));
    let (_, tasks) = api.get(&format!("/tasks?opportunity={id}")).await;
    assert!(tasks["items"].as_array().unwrap().iter().all(|task| task["done"] == true), "{tasks}");
    let (_, timeline) = api.get(&format!("/opportunities/{id}/timeline")).await;
    assert!(timeline.as_array().unwrap().iter().any(|e| e["kind"] == "action_done"));
    // Done again is harmless; putting off what is not there is refused plainly.
    assert_eq!(api.post(&format!("/opportunities/{id}/next-action/done"), json!({})).await.0, 200);
    let (status, nothing) = api.post(&format!("/opportunities/{id}/next-action/snooze"), json!({"days": 1})).await;
    assert_eq!((status, nothing["error"]["fields"]["next_action"].is_string()), (422, true), "{nothing}");

    // Someone else's opportunity is not there, and an id that cannot be one is not either.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    assert_eq!(grace.post(&format!("/opportunities/{id}/next-action/done"), json!({})).await.0, 404);
    assert_eq!(grace.post(&format!("/opportunities/{id}/next-action/snooze"), json!({"days": 1})).await.0, 404);
    assert_eq!(grace.post("/opportunities/not-an-id/next-action/done", json!({})).await.0, 404);
}

/// Issue 12, item 15: a long job description shows its start and folds the rest behind "Show
/// full description", so the interviews, timeline and notes below stay within reach.
async fn a_long_job_description_is_folded_behind_show_full_description(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let long = format!("We are hiring. {} The end of the posting.", "You will build reliable systems. ".repeat(60));
    let folded = api.create("/opportunities", json!({"role": "SRE", "company": "Globex", "description": long})).await;
    let short = api.create("/opportunities", json!({"role": "SRE", "company": "Hooli", "description": "Short."})).await;
    let (_, page) = app.get_text(&format!("/opportunities/{}", folded["id"].as_str().unwrap())).await;
    assert!(page.contains("<summary>Show full description</summary>"));
    assert!(page.contains("The end of the posting."), "the whole text is on the page, folded");
    let preview = page.split(r#"description-preview">"#).nth(1).unwrap().split("</p>").next().unwrap();
    assert!(preview.starts_with("We are hiring.") && preview.ends_with('…') && preview.chars().count() <= 402);
    let (_, page) = app.get_text(&format!("/opportunities/{}", short["id"].as_str().unwrap())).await;
    assert!(page.contains("Short.") && !page.contains("Show full description"));
}

/// Issue 12, item 14: the contact and interviewer pickers leave out people already connected,
/// and someone new is made and connected from the picker in one go.
async fn pickers_offer_only_people_not_yet_connected_and_someone_new_is_added_in_one_go(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let sam = api.create("/contacts", json!({"name": "Sam Recruiter"})).await;
    let sam = sam["id"].as_str().unwrap().to_owned();
    let page = format!("/opportunities/{job}");
    let option = format!(r#"<option value="{sam}">Sam Recruiter</option>"#);
    assert!(app.get_text(&page).await.1.contains(&option));
    app.submit(&page, &format!("{page}/contacts"), &[("contact_id", sam.as_str())]).await;
    assert!(!app.get_text(&page).await.1.contains(&option), "a connected contact is not offered again");

    let added =
        app.submit(&page, &format!("{page}/contacts/new"), &[("name", "Grace Hopper"), ("company", "Globex")]).await;
    assert_eq!(location(&added), format!("{page}?notice=saved#contacts"));
    let (_, shown) = app.get_text(&page).await;
    assert!(shown.contains("Grace Hopper"), "connected at once");
    let (_, contacts) = api.get("/contacts").await;
    let grace = contacts["items"].as_array().unwrap().iter().find(|c| c["name"] == "Grace Hopper").unwrap().clone();
    assert_eq!(grace["company"], "Globex");
    let nameless = app.submit(&page, &format!("{page}/contacts/new"), &[("name", " ")]).await;
    assert_eq!(nameless.status(), 422);

    // The same on an interview, for its interviewers.
    let round = interview(&api, &job, "Onsite", "2026-12-03T10:00").await;
    let round = format!("/interviews/{}", round["id"].as_str().unwrap());
    let added = app.submit(&round, &format!("{round}/interviewers/new"), &[("name", "Linus Panel")]).await;
    assert_eq!(location(&added), format!("{round}?notice=saved#interviewers"));
    let (_, shown) = app.get_text(&round).await;
    assert!(shown.contains("Linus Panel"));
    assert!(!shown.contains(r#">Linus Panel</option>"#), "an interviewer is not offered again");

    // Nobody is made for someone else's record.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let other = app.submit("/jobs", &format!("{page}/contacts/new"), &[("name", "Intruder")]).await;
    assert_eq!(other.status(), 404);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM contacts WHERE name = 'Intruder'").await, 0);
}

/// Issue 12 (polish): preparation and debrief render Markdown, cleaned as the journal is.
async fn preparation_and_debrief_are_written_in_markdown_like_the_journal(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let round = interview(&api, &job, "Onsite", "2026-12-03T10:00").await;
    let url = format!("/interviews/{}", round["id"].as_str().unwrap());
    let (status, _) = api
        .patch(
            &url,
            json!({"prep_notes": "**Bring** a laptop\n\n- the planner story\n- questions <script>alert(1)</script>",
                   "debrief_summary": "Went *well*."}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, page) = app.get_text(&url).await;
    assert!(page.contains("<strong>Bring</strong>") && page.contains("<li>the planner story</li>"), "{page}");
    assert!(page.contains("<em>well</em>"));
    assert!(!page.contains("<script>alert(1)</script>"));
}

/// Issue 12 (polish): the skills page groups skills by category, as it says it does.
async fn the_skills_list_is_grouped_by_category(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    for (name, category) in [("Rust", "Languages"), ("PostgreSQL", "Data"), ("Go", "Languages"), ("Mentoring", "")] {
        api.create("/skills", json!({"name": name, "category": category})).await;
    }
    let (_, page) = app.get_text("/skills").await;
    let heads: Vec<&str> =
        page.split(r#"<th scope="colgroup" colspan="4">"#).skip(1).map(|s| s.split('<').next().unwrap()).collect();
    assert_eq!(heads, ["Other", "Data", "Languages"], "one heading per category, in order");
    let languages = page.split(">Languages</th>").nth(1).unwrap().split("</tbody>").next().unwrap();
    assert!(languages.contains(">Go</a>") && languages.contains(">Rust</a>") && !languages.contains("PostgreSQL"));
}

/// Issue 12 (polish): labels made without a colour each take the next colour of the palette,
/// so a user's labels differ at a glance; a colour given is kept.
async fn new_labels_get_distinct_colours_by_default(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    api.create("/skills", json!({"name": "Rust", "labels": ["Backend", "Leadership", "Open source"]})).await;
    let chosen = api.create("/labels", json!({"name": "Salary", "colour": "#123456"})).await;
    assert_eq!(chosen["colour"], "#123456");
    let (_, labels) = api.get("/labels").await;
    let colours: Vec<String> =
        labels["items"].as_array().unwrap().iter().map(|l| l["colour"].as_str().unwrap().to_owned()).collect();
    let mut distinct = colours.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "every label has its own colour: {colours:?}");
}

/// Issue 12, item 5: times are shown in the user's own time zone, which the browser gives once
/// and Settings can change; an interview elsewhere shows its own time and the user's.
async fn times_are_shown_in_the_users_time_zone_and_interviews_in_both(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (_, settings) = app.get_text("/settings").await;
    assert!(settings.contains("data-auto-time-zone"), "the page asks the browser once");
    assert!(settings.contains(" UTC</dd>"), "UTC until a zone is known");
    // What the page sends: the browser's zone fills the empty setting, and only that once.
    let first = app.submit("/settings", "/settings/time-zone", &[("time_zone", "Europe/Berlin"), ("first", "1")]).await;
    assert_eq!(first.status(), 204);
    let again = app.submit("/settings", "/settings/time-zone", &[("time_zone", "Asia/Tokyo"), ("first", "1")]).await;
    assert_eq!(again.status(), 204);
    let (_, settings) = app.get_text("/settings").await;
    assert!(!settings.contains("data-auto-time-zone"));
    assert!(settings.contains(r#"value="Europe/Berlin""#), "the browser's zone, not overridden");
    assert!(settings.contains(" CET</dd>") || settings.contains(" CEST</dd>"), "member since, in Berlin time");

    let wrong = app.submit("/settings", "/settings/time-zone", &[("time_zone", "Mars/Olympus")]).await;
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("That is not a time zone we know.") && html.contains(r#"value="Mars/Olympus""#));
    let chosen = app.submit("/settings", "/settings/time-zone", &[("time_zone", "America/New_York")]).await;
    assert_eq!(location(&chosen), "/settings?notice=time_zone_saved");

    // An interview at 15:00 in Berlin, seen from New York: 09:00 (EST) or 09:00 (EDT) your time.
    let api = api_for(&app).await;
    let job = opportunity(&api, "Staff Engineer", "Globex").await;
    let round = api
        .create(
            "/interviews",
            json!({"opportunity_id": job, "round_name": "Onsite", "kind": "onsite", "start": "2026-12-03T15:00",
                   "time_zone": "Europe/Berlin", "duration_minutes": 60}),
        )
        .await;
    let (_, page) = app.get_text(&format!("/interviews/{}", round["id"].as_str().unwrap())).await;
    assert!(page.contains("15:00") && page.contains("<strong>09:00 your time</strong>"), "{page}");
    // In the interview's own zone there is nothing to add.
    app.submit("/settings", "/settings/time-zone", &[("time_zone", "Europe/Berlin")]).await;
    let (_, page) = app.get_text(&format!("/interviews/{}", round["id"].as_str().unwrap())).await;
    assert!(!page.contains("your time"));
}

/// The dashboard section headed by the element with this id.
fn section(page: &str, heading: &str) -> String {
    let start = page.find(&format!(r#"id="{heading}""#)).expect(heading);
    page[start..].split("</section>").next().unwrap().to_owned()
}

async fn interview_prep_texts_are_kept_with_the_account(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let (status, page) = app.get_text("/settings/interview-prep").await;
    assert_eq!(status, 200);
    assert!(page.contains("Your resume, as text"));
    let resume = "Ada Lovelace\nAnalyst, Analytical Engine\n".repeat(50);
    let saved = app
        .submit(
            "/settings/interview-prep",
            "/settings/interview-prep",
            &[("resume_text", resume.as_str()), ("linkedin_summary", "I make engines compute.")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    let (_, page) = app.get_text("/settings/interview-prep").await;
    assert!(page.contains("I make engines compute.") && page.contains("Analyst, Analytical Engine"));

    let too_long = "x".repeat(10_001);
    let bad = app
        .submit(
            "/settings/interview-prep",
            "/settings/interview-prep",
            &[("resume_text", "Kept as typed"), ("linkedin_summary", too_long.as_str())],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Kept as typed") && html.contains("10000"), "the message and what was typed");

    let api = api_for(&app).await;
    let (_, prep) = api.get("/interview-prep").await;
    assert_eq!(prep["linkedin_summary"], "I make engines compute.");
    let (status, prep) = api.patch("/interview-prep", json!({"linkedin_summary": "Engines, computing."})).await;
    assert_eq!(status, 200);
    assert_eq!(prep["resume_text"].as_str(), Some(resume.trim_end()), "only the field sent changes");
    let (status, error) = api.patch("/interview-prep", json!({"resume": "x"})).await;
    assert_eq!((status, error["error"]["code"].as_str()), (400, Some("invalid_json")));
    let public_profile: i64 = app.scalar("SELECT COUNT(*) FROM profiles WHERE bio LIKE '%engines%'").await;
    assert_eq!(public_profile, 0, "the texts are not part of the public profile");
}

async fn promise_18_another_user_gets_404_for_every_interview_and_note_route(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let ada = api_for(&app).await;
    let job = opportunity(&ada, "Secret Role", "Secret Company").await;
    let round = interview(&ada, &job, "Secret Round", "2026-12-01T10:00").await;
    let round = round["id"].as_str().unwrap().to_owned();
    let note =
        ada.create("/notes", json!({"subject_kind": "interview", "subject_id": round, "body": "Secret note"})).await;
    let note = note["id"].as_str().unwrap().to_owned();
    let ada_contact = ada.create("/contacts", json!({"name": "Secret Contact"})).await;
    let ada_contact = ada_contact["id"].as_str().unwrap().to_owned();
    app.sign_out().await;

    app.signed_up_user("grace@example.com").await;
    let grace = api_for(&app).await;
    let own_contact = grace.create("/contacts", json!({"name": "Grace's friend"})).await;
    let own_contact = own_contact["id"].as_str().unwrap().to_owned();
    let own_job = opportunity(&grace, "Mine", "Mine").await;
    for path in ["/interviews", "/notes", "/jobs", "/contacts"] {
        let (_, page) = app.get_text(path).await;
        assert!(!page.contains("Secret"), "{path} shows nothing of Ada's");
    }
    for path in [
        format!("/interviews/{round}"),
        format!("/interviews/{round}/edit"),
        format!("/notes/{note}"),
        format!("/notes/{note}/edit"),
    ] {
        assert_eq!(app.get(&path).await.status(), 404, "{path}");
    }
    let form_page = app.get_text("/interviews").await.1;
    let token = csrf_token_in(&form_page).unwrap();
    for (path, fields) in [
        (format!("/interviews/{round}"), vec![("round_name", "Mine")]),
        (format!("/interviews/{round}/delete"), vec![]),
        (format!("/interviews/{round}/interviewers"), vec![("contact_id", own_contact.as_str())]),
        (format!("/interviews/{round}/interviewers/{own_contact}/remove"), vec![]),
        (format!("/interviews/{round}/labels"), vec![("name", "Mine")]),
        (format!("/notes/{note}"), vec![("body", "Mine")]),
        (format!("/notes/{note}/delete"), vec![]),
    ] {
        let mut form = vec![("_csrf", token.as_str())];
        form.extend(fields);
        let response = app.client.post(app.url(&path)).form(&form).send().await.unwrap();
        let status = response.status();
        assert_eq!(status, 404, "POST {path}: {}", response.text().await.unwrap());
    }
    // Pointing her own records at Ada's is refused like a record that does not exist.
    let (status, _) = grace
        .post(
            "/interviews",
            json!({"opportunity_id": job, "round_name": "x", "kind": "other", "start": "2026-12-01T10:00", "time_zone": "UTC"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) =
        grace.post("/notes", json!({"subject_kind": "interview", "subject_id": round, "body": "x"})).await;
    assert_eq!(status, 422);
    let mine = interview(&grace, &own_job, "Mine", "2026-12-01T10:00").await;
    let mine = mine["id"].as_str().unwrap();
    assert_eq!(
        grace.call(reqwest::Method::PUT, &format!("/interviews/{mine}/interviewers/{ada_contact}"), None).await.0,
        404
    );
    for (path, change) in
        [(format!("/interviews/{round}"), json!({"round_name": "x"})), (format!("/notes/{note}"), json!({"body": "x"}))]
    {
        assert_eq!(grace.get(&path).await.0, 404, "{path}");
        assert_eq!(grace.patch(&path, change).await.0, 404, "{path}");
        assert_eq!(grace.delete(&path).await, 404, "{path}");
    }
    let link = format!("/interviews/{round}/interviewers/{own_contact}");
    assert_eq!(grace.call(reqwest::Method::PUT, &link, None).await.0, 404);
    assert_eq!(grace.call(reqwest::Method::DELETE, &link, None).await.0, 404);
    assert_eq!(grace.get(&format!("/notes?about={round}")).await.1["total"], 0);
    assert_eq!(grace.get(&format!("/interviews?opportunity={job}")).await.1["total"], 0);

    // Ada's records are as she left them.
    let (round_name, body): (String, String) = sqlx::query_as(
        "SELECT i.round_name, n.body FROM interviews i JOIN notes n ON n.subject_id = i.id WHERE i.id = $1",
    )
    .bind(&round)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!((round_name.as_str(), body.as_str()), ("Secret Round", "Secret note"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM interview_contacts").await, 0);
}

async fn promise_8_interview_and_note_forms_refuse_a_missing_token(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let job = opportunity(&api, "Engineer", "Acme").await;
    let round = interview(&api, &job, "First", "2026-12-01T10:00").await;
    let round = round["id"].as_str().unwrap();
    let contact = api.create("/contacts", json!({"name": "Sam"})).await;
    let contact = contact["id"].as_str().unwrap();
    let note = api.create("/notes", json!({"subject_kind": "opportunity", "subject_id": job, "body": "n"})).await;
    let note = note["id"].as_str().unwrap();
    for path in [
        "/interviews".to_owned(),
        format!("/interviews/{round}"),
        format!("/interviews/{round}/delete"),
        format!("/interviews/{round}/interviewers"),
        format!("/interviews/{round}/interviewers/{contact}/remove"),
        "/notes".to_owned(),
        format!("/notes/{note}"),
        format!("/notes/{note}/delete"),
        "/settings/interview-prep".to_owned(),
    ] {
        let response = app
            .client
            .post(app.url(&path))
            .form(&[("contact_id", contact), ("body", "x"), ("round_name", "x"), ("resume_text", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM interviews").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notes").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM interview_prep").await, 0);
}
