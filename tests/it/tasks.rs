//! Issue 19, item 2: tasks. A task is for an opportunity or on its own, due on a day or not; it
//! shows on its opportunity's page and, while open, on the dashboard as overdue, today or this
//! week; it is marked done and put off from there; the API has it as a resource like the others;
//! it is the owner's alone (promise 18).

use std::time::Duration;

use careerlog::clock::Clock as _;
use serde_json::json;

use careerlog::housekeeping::run as housekeeping;

use crate::career::{api_for, Api};
use crate::on_both_databases;
use crate::support::{csrf_token_in, location, TestApp};

on_both_databases!(
    a_task_for_an_opportunity_is_on_its_page_and_on_the_dashboard_until_it_is_done,
    the_dashboard_sorts_open_tasks_into_overdue_today_and_this_week_as_days_pass,
    the_dashboard_shows_the_five_overdue_longest_and_the_five_due_soonest,
    tasks_are_a_resource_of_the_api_like_the_others,
    a_task_form_with_mistakes_comes_back_whole_and_saves_nothing,
    promise_18_another_user_gets_404_for_every_task_route,
    open_tasks_with_a_day_are_all_day_events_in_the_calendar_feed,
    the_morning_digest_lists_what_is_due_once_a_day_and_nothing_on_a_day_with_nothing_due,
    an_interview_is_reminded_of_a_day_before_once_per_start_and_never_when_cancelled,
);

/// `today` plus `days`, as `YYYY-MM-DD` (the user has no time zone: UTC).
fn day(app: &TestApp, days: i64) -> String {
    let today: jiff::civil::Date = app.clock.now().iso_date().parse().unwrap();
    (today + jiff::Span::new().days(days)).to_string()
}

/// The part of a page from the element with this id to the end of its section.
fn section(page: &str, id: &str) -> String {
    let start = page.find(&format!(r#"id="{id}""#)).unwrap_or_else(|| panic!("{id} is on the page: {page}"));
    page[start..].split("</section>").next().unwrap().to_owned()
}

async fn an_opportunity(app: &TestApp, company: &str) -> String {
    let response =
        app.submit("/opportunities/new", "/opportunities", &[("role", "Staff Engineer"), ("company", company)]).await;
    assert_eq!(response.status(), 303);
    location(&response).trim_start_matches("/opportunities/").split('?').next().unwrap().to_owned()
}

async fn a_task_for_an_opportunity_is_on_its_page_and_on_the_dashboard_until_it_is_done(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let globex = an_opportunity(&app, "Globex").await;
    let page = format!("/opportunities/{globex}");
    let today = day(&app, 0);

    // Added from the opportunity's own page: back to its tasks.
    let added = app
        .submit(&page, "/tasks", &[("opportunity_id", &globex), ("title", "Send the portfolio"), ("due_on", &today)])
        .await;
    assert_eq!(added.status(), 303);
    assert_eq!(location(&added), format!("/opportunities/{globex}?notice=saved#tasks"));
    let tasks = section(&app.get_text(&page).await.1, "tasks");
    assert!(tasks.contains("Send the portfolio") && tasks.contains(r#"<span class="count">1</span>"#), "{tasks}");

    // On the dashboard, due today, named with its opportunity.
    let agenda = section(&app.get_text("/jobs").await.1, "agenda-heading");
    assert!(agenda.contains("Today") && agenda.contains("Send the portfolio"), "{agenda}");
    assert!(agenda.contains("for Globex · Staff Engineer"), "{agenda}");
    let id: String = sqlx::query_scalar("SELECT id FROM tasks").fetch_one(app.state.db.pool()).await.unwrap();

    // Put off a week from the dashboard: still on it, this week.
    let snoozed = app.submit("/jobs", &format!("/tasks/{id}/snooze"), &[("days", "7"), ("back", "jobs")]).await;
    assert_eq!(location(&snoozed), "/jobs?notice=task_snoozed#agenda-heading");
    let due_on: String = sqlx::query_scalar("SELECT due_on FROM tasks").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(due_on, day(&app, 7));
    let agenda = section(&app.get_text("/jobs").await.1, "agenda-heading");
    assert!(agenda.contains("This week") && agenda.contains("Send the portfolio"));

    // Done, from the opportunity's page: off the dashboard, kept on the opportunity as done.
    let back = format!("opportunity:{globex}");
    let done = app.submit(&page, &format!("/tasks/{id}/done"), &[("done", "1"), ("back", &back)]).await;
    assert_eq!(location(&done), format!("/opportunities/{globex}?notice=task_done#tasks"));
    assert!(!app.get_text("/jobs").await.1.contains("Send the portfolio"));
    let tasks = section(&app.get_text(&page).await.1, "tasks");
    assert!(tasks.contains("task-done") && tasks.contains("Open again"), "{tasks}");
    let done_at: Option<i64> =
        sqlx::query_scalar("SELECT done_at FROM tasks").fetch_one(app.state.db.pool()).await.unwrap();
    let marked = done_at.expect("the time it was done");
    assert!((app.clock.now().0 - marked).abs() < 60_000, "done just now");
    // A done task cannot be put off; opened again, it can.
    let refused = app.submit(&page, &format!("/tasks/{id}/snooze"), &[("days", "1"), ("back", &back)]).await;
    assert_eq!(location(&refused), format!("/opportunities/{globex}?notice=task_not_snoozed#tasks"));
    app.submit(&page, &format!("/tasks/{id}/done"), &[("done", "0"), ("back", &back)]).await;
    assert!(app.get_text("/jobs").await.1.contains("Send the portfolio"));

    // Deleting the opportunity deletes its tasks.
    let deleted = app.submit(&page, &format!("/opportunities/{globex}/delete"), &[]).await;
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM tasks").await, 0);
}

async fn the_dashboard_sorts_open_tasks_into_overdue_today_and_this_week_as_days_pass(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    for (title, days) in [("Thank Grace", -2), ("Call Sam", 0), ("Prepare the talk", 3), ("Renew the passport", 20)] {
        api.create("/tasks", json!({"title": title, "due_on": day(&app, days)})).await;
    }
    api.create("/tasks", json!({"title": "Someday: learn Erlang"})).await;
    api.create("/tasks", json!({"title": "Done already", "due_on": day(&app, 0), "done": true})).await;

    let agenda = section(&app.get_text("/jobs").await.1, "agenda-heading");
    let position = |text: &str| agenda.find(text).unwrap_or_else(|| panic!("{text} in {agenda}"));
    assert!(position("Overdue") < position("Thank Grace"));
    assert!(position("Thank Grace") < position(">Today<") && position(">Today<") < position("Call Sam"));
    assert!(position("This week") < position("Prepare the talk"));
    for absent in ["Renew the passport", "Someday", "Done already"] {
        assert!(!agenda.contains(absent), "{absent} is not on the dashboard");
    }

    // Four days on: the talk is due yesterday, so overdue; the passport comes into the week.
    later(&app, Duration::from_secs(4 * 86_400), password).await;
    let agenda = section(&app.get_text("/jobs").await.1, "agenda-heading");
    let overdue = agenda.split("Today").next().unwrap();
    assert!(overdue.contains("Prepare the talk") && overdue.contains("Call Sam"), "{agenda}");
    assert!(!agenda.contains("Renew the passport"), "16 days away is not this week");

    // The whole list has every task, open ones first, soonest first.
    let list = app.get_text("/tasks").await.1;
    let position = |text: &str| list.find(text).unwrap_or_else(|| panic!("{text} in the list"));
    assert!(position("Thank Grace") < position("Call Sam"));
    assert!(position("Call Sam") < position("Renew the passport"));
    assert!(position("Renew the passport") < position("Someday: learn Erlang"));
    assert!(position("Someday: learn Erlang") < position("Done already"));
}

async fn tasks_are_a_resource_of_the_api_like_the_others(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let globex = an_opportunity(&app, "Globex").await;

    let (status, task) =
        api.post("/tasks", json!({"title": "Book the train", "due_on": "2026-12-09", "opportunity_id": globex})).await;
    assert_eq!(status, 201, "{task}");
    assert_eq!(task["done"], false);
    assert_eq!(task["due_on"], "2026-12-09");
    assert_eq!(task["opportunity_id"], globex.as_str());
    assert_eq!(task["company"], "Globex");
    let id = task["id"].as_str().unwrap().to_owned();
    let path = format!("/tasks/{id}");
    // Found by the search box, linked to its page.
    let (_, found) = api.get("/search?q=train").await;
    assert_eq!(found["items"][0]["url"], format!("/tasks/{id}"), "{found}");
    assert_eq!(found["items"][0]["kind"], "task");

    // PATCH changes only what it names; null clears.
    let (status, task) = api.patch(&path, json!({"done": true, "due_on": null})).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!((task["done"].clone(), task["due_on"].clone()), (json!(true), json!(null)));
    assert_eq!(task["title"], "Book the train");
    assert!(task["done_at"].is_string(), "{task}");
    let (_, task) = api.patch(&path, json!({"done": false, "opportunity_id": null})).await;
    assert_eq!(
        (task["done"].clone(), task["done_at"].clone(), task["opportunity_id"].clone()),
        (json!(false), json!(null), json!(null))
    );

    // Put off through the API: due days from today.
    let (status, task) = api.post(&format!("{path}/snooze"), json!({"days": 3})).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["due_on"], day(&app, 3));
    let (status, error) = api.post(&format!("{path}/snooze"), json!({"days": 5})).await;
    assert_eq!(status, 422, "{error}");

    // Listed, and narrowed to one opportunity.
    api.create("/tasks", json!({"title": "Ask Sam", "opportunity_id": globex})).await;
    let (_, all) = api.get("/tasks").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    let (_, of_globex) = api.get(&format!("/tasks?opportunity={globex}")).await;
    let titles: Vec<&str> =
        of_globex["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Ask Sam"]);
    // And by whether they are done, on the API and on the list page.
    api.create("/tasks", json!({"title": "Thank the panel", "done": true})).await;
    let titles = |page: &serde_json::Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(titles(&api.get("/tasks?done=true").await.1), ["Thank the panel"]);
    assert_eq!(titles(&api.get("/tasks?done=false").await.1).len(), 2);
    assert_eq!(api.get("/tasks?done=true").await.1["total"], 1);
    let (status, error) = api.get("/tasks?done=maybe").await;
    assert_eq!((status, error["error"]["fields"]["done"].is_string()), (422, true), "{error}");
    let (_, done_page) = app.get_text("/tasks?done=true").await;
    assert!(done_page.contains("Thank the panel") && !done_page.contains("Ask Sam"));
    assert!(done_page.contains(r#"done=true" aria-current="page">Done<"#), "the Done tab is lit: {done_page}");
    let late = api.create("/tasks", json!({"title": "Thank the recruiter", "due_on": day(&app, -2)})).await;
    let (_, all_page) = app.get_text("/tasks").await;
    let shown = all_page.split("Thank the recruiter").nth(1).unwrap().split("</li>").next().unwrap();
    assert!(shown.contains("<strong>Overdue</strong>"), "an overdue task says so in the list: {shown}");
    assert_eq!(api.delete(&format!("/tasks/{}", late["id"].as_str().unwrap())).await, 204);
    let (_, open_page) = app.get_text("/tasks?done=false").await;
    assert!(open_page.contains("Ask Sam") && !open_page.contains("Thank the panel"));
    api.patch(
        &format!("/tasks/{}", api.get("/tasks?done=true").await.1["items"][0]["id"].as_str().unwrap()),
        json!({"done": false}),
    )
    .await;
    let (_, none_done) = app.get_text("/tasks?done=true").await;
    assert!(none_done.contains("No task is done yet."), "{none_done}");

    // Bad input: a clear field error, nothing saved.
    for (body, field) in [
        (json!({"due_on": "2026-12-09"}), "title"),
        (json!({"title": "   "}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"title": "Call", "due_on": "next tuesday"}), "due_on"),
        (json!({"title": "Call", "due_on": "2026-02-30"}), "due_on"),
        (json!({"title": "Call", "opportunity_id": "not-an-id"}), "opportunity_id"),
        (json!({"title": "Call", "opportunity_id": "0190f0b4-7d3c-7a1e-9a51-6c1d2b3e4f50"}), "opportunity_id"),
        (json!({"title": "Call", "notes": "n".repeat(10_001)}), "notes"),
    ] {
        let (status, error) = api.post("/tasks", body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert!(error["error"]["fields"][field].is_string(), "{body}: {error}");
    }
    let (status, _) = api.post("/tasks", json!({"title": "Call", "priority": "high"})).await;
    assert!(status == 400 || status == 422, "an unknown field is refused");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM tasks").await, 3);

    assert_eq!(api.delete(&path).await, 204);
    assert_eq!(api.get(&path).await.0, 404);
}

async fn a_task_form_with_mistakes_comes_back_whole_and_saves_nothing(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let response = app
        .submit(
            "/tasks/new",
            "/tasks",
            &[("title", ""), ("due_on", "the 31st of February"), ("notes", "Bring the slides")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"id="title-error""#) && page.contains(r#"id="due_on-error""#), "{page}");
    assert!(page.contains("Bring the slides") && page.contains("the 31st of February"), "what was typed is kept");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM tasks").await, 0);

    // A task of its own, with a day typed as people write it.
    let saved = app.submit("/tasks/new", "/tasks", &[("title", "Update the CV"), ("due_on", "9 December 2026")]).await;
    assert_eq!(saved.status(), 303);
    assert!(location(&saved).starts_with("/tasks/"), "a task of its own goes to its page");
    let due_on: String = sqlx::query_scalar("SELECT due_on FROM tasks").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(due_on, "2026-12-09");
}

async fn promise_18_another_user_gets_404_for_every_task_route(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let globex = an_opportunity(&app, "Globex").await;
    let ada = api_for(&app).await;
    let task = ada.create("/tasks", json!({"title": "Secret plan", "opportunity_id": globex})).await;
    let id = task["id"].as_str().unwrap().to_owned();
    app.sign_out().await;

    app.signed_up_user("grace@example.com").await;
    let html = app.get_text("/tasks").await.1;
    assert!(!html.contains("Secret plan"));
    let token = csrf_token_in(&app.get_text("/jobs").await.1).unwrap();
    for path in [format!("/tasks/{id}"), format!("/tasks/{id}/edit")] {
        assert_eq!(app.get(&path).await.status(), 404, "{path}");
    }
    for (path, fields) in [
        (format!("/tasks/{id}"), vec![("title", "Mine")]),
        (format!("/tasks/{id}/done"), vec![("done", "1")]),
        (format!("/tasks/{id}/snooze"), vec![("days", "1")]),
        (format!("/tasks/{id}/delete"), vec![]),
    ] {
        let mut form = vec![("_csrf", token.as_str())];
        form.extend(fields);
        let response = app.client.post(app.url(&path)).form(&form).send().await.unwrap();
        assert_eq!(response.status(), 404, "POST {path}");
    }
    // Nor can Grace hang a task on Ada's opportunity.
    let grace = api_for(&app).await;
    let (status, error) = grace.post("/tasks", json!({"title": "Sneaky", "opportunity_id": globex})).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(grace.get(&format!("/tasks/{id}")).await.0, 404);
    assert_eq!(grace.patch(&format!("/tasks/{id}"), json!({"done": true})).await.0, 404);
    assert_eq!(grace.post(&format!("/tasks/{id}/snooze"), json!({"days": 1})).await.0, 404);
    assert_eq!(grace.delete(&format!("/tasks/{id}")).await, 404);
    let (title, done): (String, i64) =
        sqlx::query_as("SELECT title, done FROM tasks").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!((title.as_str(), done), ("Secret plan", 0), "Ada's task is untouched");
}

async fn open_tasks_with_a_day_are_all_day_events_in_the_calendar_feed(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let due = day(&app, 2);
    let call = api.create("/tasks", json!({"title": "Call Sam", "due_on": due, "notes": "Private detail"})).await;
    api.create("/tasks", json!({"title": "Finished", "due_on": due, "done": true})).await;
    api.create("/tasks", json!({"title": "Whenever"})).await;
    let (_, path) = crate::calendar::make_feed(&app).await;
    let feed = app.client.get(app.url(&path)).send().await.unwrap().text().await.unwrap();
    let id = call["id"].as_str().unwrap();
    let event = feed.split("BEGIN:VEVENT").find(|e| e.contains(&format!("UID:task-{id}@careerlog"))).expect("the task");
    assert!(event.contains("SUMMARY:Task: Call Sam\r\n"), "{event}");
    assert!(event.contains(&format!("DTSTART;VALUE=DATE:{}\r\n", due.replace('-', ""))), "{event}");
    assert!(event.contains("TRANSP:TRANSPARENT"), "a task does not make the day busy");
    assert!(!feed.contains("Private detail"), "notes stay in Careerlog");
    assert!(!feed.contains("Finished") && !feed.contains("Whenever"), "only open tasks with a day");
}

/// Let `time` pass, and sign Ada in again if her session ended (it does after a while unused).
async fn later(app: &TestApp, time: Duration, password: &str) {
    app.clock.advance(time);
    if app.get("/jobs").await.status() != 200 {
        let signed_in = app.sign_in("ada@example.com", password).await;
        assert_eq!(signed_in.status(), 303);
    }
}

/// How long from the test clock's now to the next `hour`:00 UTC.
fn until_next(app: &TestApp, hour: i64) -> Duration {
    let now = app.clock.now().0;
    let day_ms = 86_400_000;
    let target = (now / day_ms) * day_ms + hour * 3_600_000;
    let target = if target <= now { target + day_ms } else { target };
    Duration::from_millis((target - now) as u64)
}

/// The wall-clock minute `hours` from the test clock's now, in UTC, as an interview's start.
fn hours_from_now(app: &TestApp, hours: i64) -> String {
    let at = jiff::Timestamp::from_millisecond(app.clock.now().0 + hours * 3_600_000).unwrap();
    at.to_zoned(jiff::tz::TimeZone::UTC).strftime("%Y-%m-%dT%H:%M").to_string()
}

async fn an_interview(api: &Api, opportunity: &str, round: &str, start: &str) -> String {
    let body = json!({"opportunity_id": opportunity, "round_name": round, "kind": "technical", "start": start,
                      "time_zone": "UTC", "duration_minutes": 45, "meeting_url": "https://meet.example.com/abc"});
    api.create("/interviews", body).await["id"].as_str().unwrap().to_owned()
}

fn mails_titled(app: &TestApp, subject: &str) -> Vec<crate::support::Mail> {
    app.mails().into_iter().filter(|mail| mail.subject.contains(subject)).collect()
}

async fn the_morning_digest_lists_what_is_due_once_a_day_and_nothing_on_a_day_with_nothing_due(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    later(&app, until_next(&app, 6), password).await;
    let thank = api.create("/tasks", json!({"title": "Thank Grace", "due_on": day(&app, 0)})).await;
    api.create("/tasks", json!({"title": "Later", "due_on": day(&app, 5)})).await;

    // Off until asked for.
    later(&app, Duration::from_secs(3600), password).await;
    assert_eq!(housekeeping(&app.state).await.unwrap().digests_sent, 0, "no digest unless asked for");
    let (_, settings) = app.get_text("/settings").await;
    assert!(section(&settings, "reminders-heading").contains("A morning digest"));
    let saved = app.submit("/settings", "/settings/reminders", &[("daily_digest", "on")]).await;
    assert_eq!(location(&saved), "/settings?notice=reminders_saved#reminders-heading");
    // It is 07:00 UTC: the digest goes, once.
    let report = housekeeping(&app.state).await.unwrap();
    assert_eq!((report.digests_sent, report.interview_reminders_sent), (1, 0));
    let digest = app.wait_for_mail("ada@example.com", "Due today").await;
    assert_eq!(digest.subject, "Due today: 1 thing to do in Careerlog");
    assert!(digest.body.contains("Tasks due today:\n- Thank Grace: "), "{}", digest.body);
    assert!(digest.body.contains(&format!("/tasks/{}", thank["id"].as_str().unwrap())));
    assert!(!digest.body.contains("Later"), "only what is due today");
    assert!(digest.body.contains("/settings#reminders-heading"), "it says how to turn it off");
    assert_eq!(housekeeping(&app.state).await.unwrap().digests_sent, 0, "once a day");

    // The next morning nothing is due: no mail at all.
    api.patch(&format!("/tasks/{}", thank["id"].as_str().unwrap()), json!({"done": true})).await;
    app.clock.advance(Duration::from_secs(86_400));
    assert_eq!(housekeeping(&app.state).await.unwrap().digests_sent, 0);
    // A task due today added later in the day waits for tomorrow's digest.
    app.clock.advance(Duration::from_secs(3 * 3600));
    api.create("/tasks", json!({"title": "Call Sam", "due_on": day(&app, 0)})).await;
    assert_eq!(housekeeping(&app.state).await.unwrap().digests_sent, 0, "a day is looked at once");

    // The morning after: the call is overdue, and there is an interview at 15:00.
    later(&app, Duration::from_secs(21 * 3600), password).await;
    let globex = an_opportunity(&app, "Globex").await;
    an_interview(&api, &globex, "Panel", &hours_from_now(&app, 8)).await;
    assert_eq!(housekeeping(&app.state).await.unwrap().digests_sent, 1);
    for _ in 0..200 {
        if mails_titled(&app, "Due today").len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let digest = mails_titled(&app, "Due today").pop().unwrap();
    assert_eq!(digest.subject, "Due today: 1 thing to do and 1 interview in Careerlog");
    assert!(digest.body.contains("Overdue tasks:\n- Call Sam: "), "{}", digest.body);
    assert!(digest.body.contains("Interviews today:\n- 15:00 Panel: Staff Engineer at Globex"), "{}", digest.body);

    // Switched off: nothing more.
    let saved = app.submit("/settings", "/settings/reminders", &[]).await;
    assert_eq!(saved.status(), 303);
    app.clock.advance(Duration::from_secs(86_400));
    assert_eq!(housekeeping(&app.state).await.unwrap().digests_sent, 0);
}

async fn an_interview_is_reminded_of_a_day_before_once_per_start_and_never_when_cancelled(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    let globex = an_opportunity(&app, "Globex").await;
    app.submit("/settings", "/settings/reminders", &[("interview_reminders", "on")]).await;
    let first = an_interview(&api, &globex, "First round", &hours_from_now(&app, 30)).await;
    let cancelled = an_interview(&api, &globex, "Called off", &hours_from_now(&app, 10)).await;
    api.patch(&format!("/interviews/{cancelled}"), json!({"outcome": "cancelled"})).await;

    assert_eq!(housekeeping(&app.state).await.unwrap().interview_reminders_sent, 0, "30 hours away, and cancelled");
    app.clock.advance(Duration::from_secs(7 * 3600));
    assert_eq!(housekeeping(&app.state).await.unwrap().interview_reminders_sent, 1, "23 hours away");
    let reminder = app.wait_for_mail("ada@example.com", "Reminder: First round with Globex").await;
    assert!(reminder.body.contains("Meeting link: https://meet.example.com/abc"), "{}", reminder.body);
    assert!(reminder.body.contains(&format!("/interviews/{first}")));
    assert_eq!(housekeeping(&app.state).await.unwrap().interview_reminders_sent, 0, "once");

    // Moved two hours later: reminded again at the new time.
    api.patch(&format!("/interviews/{first}"), json!({"start": hours_from_now(&app, 25)})).await;
    assert_eq!(housekeeping(&app.state).await.unwrap().interview_reminders_sent, 0, "25 hours away");
    app.clock.advance(Duration::from_secs(2 * 3600));
    assert_eq!(housekeeping(&app.state).await.unwrap().interview_reminders_sent, 1);
    assert!(mails_titled(&app, "Called off").is_empty(), "a cancelled interview is never reminded of");
}

/// However many tasks are due, the dashboard weighs the same: the 5 overdue longest and the 5
/// due soonest, and a link to all open tasks.
async fn the_dashboard_shows_the_five_overdue_longest_and_the_five_due_soonest(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let api = api_for(&app).await;
    for n in 1..=7 {
        api.create("/tasks", json!({"title": format!("Overdue number {n}"), "due_on": day(&app, -n)})).await;
        api.create("/tasks", json!({"title": format!("Coming number {n}"), "due_on": day(&app, n - 1)})).await;
    }
    let agenda = section(&app.get_text("/jobs").await.1, "agenda-heading");
    assert_eq!(agenda.matches("<strong>Overdue number").count(), 5, "{agenda}");
    assert_eq!(agenda.matches("<strong>Coming number").count(), 5, "{agenda}");
    for shown in ["Overdue number 7", "Overdue number 3", "Coming number 1", "Coming number 5"] {
        assert!(agenda.contains(&format!("<strong>{shown}</strong>")), "{shown}: {agenda}");
    }
    for left_out in ["Overdue number 2", "Coming number 6"] {
        assert!(!agenda.contains(&format!("<strong>{left_out}</strong>")), "{left_out}: {agenda}");
    }
    assert!(agenda.contains("The 5 overdue longest and the 5 due soonest are shown."), "{agenda}");
    assert!(agenda.contains(r#"href="/tasks?done=false""#));
}
