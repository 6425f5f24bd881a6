//! Support tickets and the administrators' area (issue 14, item 6), as people use them: a
//! visitor or a signed-in person writes to the administrators, an administrator answers from the
//! inbox, the person reads the answer on their ticket page and answers back; administrators see
//! addresses and dates of accounts, never what anyone recorded, and may close sign-ups.

use crate::on_both_databases;
use crate::support::{browser, location, submit_with, TestApp};

on_both_databases!(
    a_visitor_writes_an_administrator_answers_and_the_visitor_reads_and_answers_back,
    a_signed_in_persons_tickets_are_theirs_alone,
    every_admin_page_answers_404_to_anyone_but_an_administrator,
    the_users_list_shows_addresses_and_dates_and_nothing_anyone_recorded,
    sign_ups_closed_by_an_administrator_refuse_a_sign_up,
    a_delete_my_account_ticket_shows_as_such_in_the_inbox,
    an_administrator_carries_out_a_deletion_request_once_the_address_is_confirmed,
    a_visitors_deletion_request_waits_until_they_answer_through_the_mailed_link,
    hostile_and_oversized_ticket_input_gets_messages_not_500s,
    visitors_are_limited_in_how_many_tickets_they_open,
);

const ADMIN: &str = "root@example.com";

/// Sign up `email` and make it an administrator; the app's client is signed in as it.
async fn administrator(app: &TestApp) -> reqwest::Client {
    let password = app.signed_up_user(ADMIN).await;
    sqlx::query("UPDATE users SET is_admin = 1 WHERE email = $1")
        .bind(ADMIN)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.browser_signed_in_as(ADMIN, password).await
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn a_visitor_writes_an_administrator_answers_and_the_visitor_reads_and_answers_back(app: TestApp) {
    let admin = administrator(&app).await;
    // The footer of every page leads to support.
    let visitor = browser();
    let (_, landing) = get(&visitor, &app, "/").await;
    assert!(landing.contains(r#"<a href="/support">Support</a>"#));

    let response = submit_with(
        &visitor,
        &app.address,
        "/support",
        "/support",
        &[
            ("email", "Visitor@Example.net"),
            ("category", "question"),
            ("subject", "Can I import from LinkedIn?"),
            ("message", "Hello,\nis there a way to bring my LinkedIn history in?"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("Check your inbox") && html.contains("visitor@example.net"), "{html}");

    let mail = app.wait_for_mail("visitor@example.net", "We received your message").await;
    assert!(mail.link().starts_with(&format!("{}/support/ticket?token=", app.base_url)));
    let token = mail.token();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_ticket_links").await, 1);
    assert_ne!(app.scalar_text("SELECT token_hash FROM support_ticket_links").await, token, "only a hash is kept");
    // Administrators are told, without the text.
    let told = app.wait_for_mail(ADMIN, "A new support ticket").await;
    assert!(!told.body.contains("LinkedIn"));

    // The administrator finds it in the inbox and answers.
    let (status, inbox) = get(&admin, &app, "/admin/tickets").await;
    assert_eq!(status, 200);
    assert!(inbox.contains("Can I import from LinkedIn?") && inbox.contains("visitor@example.net"));
    let id = app.scalar_text("SELECT id FROM support_tickets").await;
    let (status, page) = get(&admin, &app, &format!("/admin/tickets/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("is there a way to bring my LinkedIn history in?"));
    let answered = submit_with(
        &admin,
        &app.address,
        &format!("/admin/tickets/{id}"),
        &format!("/admin/tickets/{id}/reply"),
        &[("message", "Yes: save your profile as PDF and use Career → Import.")],
    )
    .await;
    assert_eq!(answered.status(), 303);
    assert_eq!(app.scalar_text("SELECT status FROM support_tickets").await, "answered");
    let (_, answered_tab) = get(&admin, &app, "/admin/tickets?status=answered").await;
    assert!(answered_tab.contains("Can I import from LinkedIn?"));

    // The visitor is mailed the answer, with a link to the ticket page.
    let answer = app.wait_for_mail("visitor@example.net", "An answer to your message").await;
    assert!(answer.body.contains("save your profile as PDF"));
    let page_link = answer.link();
    let (status, ticket_page) = get(&visitor, &app, &page_link.replace(&app.base_url, "")).await;
    assert_eq!(status, 200);
    assert!(ticket_page.contains("Administrators") && ticket_page.contains("save your profile as PDF"));
    // The first link still works too.
    let first = format!("/support/ticket?token={token}");
    let response = visitor.get(app.url(&first)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["referrer-policy"], "same-origin", "the token does not leak to other sites");

    // The visitor answers back; the ticket is open again.
    let back = submit_with(
        &visitor,
        &app.address,
        &first,
        "/support/ticket/reply",
        &[("token", &token), ("message", "Thank you, that worked.")],
    )
    .await;
    assert_eq!(back.status(), 303);
    assert_eq!(app.scalar_text("SELECT status FROM support_tickets").await, "open");
    let (_, page) = get(&admin, &app, &format!("/admin/tickets/{id}")).await;
    assert!(page.contains("Thank you, that worked."));

    // The administrator closes it.
    let closed =
        submit_with(&admin, &app.address, &format!("/admin/tickets/{id}"), &format!("/admin/tickets/{id}/close"), &[])
            .await;
    assert_eq!(closed.status(), 303);
    assert_eq!(app.scalar_text("SELECT status FROM support_tickets").await, "closed");
    let (_, closed_tab) = get(&admin, &app, "/admin/tickets?status=closed").await;
    assert!(closed_tab.contains("Can I import from LinkedIn?"));
    let (_, open_tab) = get(&admin, &app, "/admin/tickets").await;
    assert!(!open_tab.contains("Can I import from LinkedIn?"));
}

async fn a_signed_in_persons_tickets_are_theirs_alone(app: TestApp) {
    let admin = administrator(&app).await;
    app.sign_out().await;
    app.signed_up_user("ada@example.com").await;
    let response = app
        .submit(
            "/support",
            "/support",
            &[("category", "question"), ("subject", "Time zones"), ("message", "My times look an hour off.")],
        )
        .await;
    assert_eq!(response.status(), 303);
    let page = location(&response);
    assert!(page.starts_with("/support/tickets/"), "{page}");
    let id = page.trim_start_matches("/support/tickets/").split('?').next().unwrap().to_owned();
    assert_eq!(app.count_mails_to("ada@example.com").await, 1, "no link mail: the ticket is in the account");
    let (_, list) = app.get_text("/support/tickets").await;
    assert!(list.contains("Time zones"));

    let answered = submit_with(
        &admin,
        &app.address,
        &format!("/admin/tickets/{id}"),
        &format!("/admin/tickets/{id}/reply"),
        &[("message", "Set your zone in Settings → Account.")],
    )
    .await;
    assert_eq!(answered.status(), 303);
    let mail = app.wait_for_mail("ada@example.com", "An answer to your message").await;
    assert!(mail.body.contains("> Set your zone in Settings -> Account."), "{}", mail.body);
    assert_eq!(mail.link(), format!("{}/support/tickets/{id}", app.base_url));
    let (status, ticket) = app.get_text(&format!("/support/tickets/{id}")).await;
    assert_eq!(status, 200);
    assert!(ticket.contains("Set your zone in Settings"));
    let back = app
        .submit(&format!("/support/tickets/{id}"), &format!("/support/tickets/{id}/reply"), &[("message", "Thanks!")])
        .await;
    assert_eq!(back.status(), 303);

    // Another person: the ticket id answers 404, to read and to answer.
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let (status, _) = app.get_text(&format!("/support/tickets/{id}")).await;
    assert_eq!(status, 404);
    let reply =
        app.submit("/support/tickets", &format!("/support/tickets/{id}/reply"), &[("message", "Let me in")]).await;
    assert_eq!(reply.status(), 404);
    let (_, list) = app.get_text("/support/tickets").await;
    assert!(!list.contains("Time zones"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_messages WHERE body = 'Let me in'").await, 0);
    // A signed-in person's ticket cannot be reached by a link token either.
    let (status, _) = app.get_text("/support/ticket?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, 404);
}

async fn every_admin_page_answers_404_to_anyone_but_an_administrator(app: TestApp) {
    let admin = administrator(&app).await;
    let id = {
        let visitor = browser();
        submit_with(
            &visitor,
            &app.address,
            "/support",
            "/support",
            &[("email", "v@example.net"), ("subject", "Hi"), ("message", "Hello")],
        )
        .await;
        app.scalar_text("SELECT id FROM support_tickets").await
    };
    let pages = [
        "/admin",
        "/admin/users",
        "/admin/users?page=2",
        "/admin/tickets",
        "/admin/tickets?status=closed",
        &format!("/admin/tickets/{id}"),
    ];
    for page in pages {
        assert_eq!(get(&admin, &app, page).await.0, 200, "{page} for the administrator");
    }
    // The nav shows the way to administrators only.
    assert!(get(&admin, &app, "/").await.1.contains(r#"<a href="/admin""#));

    app.sign_out().await;
    app.signed_up_user("ada@example.com").await;
    assert!(!app.get_text("/").await.1.contains(r#"<a href="/admin""#));
    let anonymous = browser();
    for page in pages {
        assert_eq!(app.get_text(page).await.0, 404, "{page} for a signed-in user");
        assert_eq!(get(&anonymous, &app, page).await.0, 404, "{page} for a visitor");
    }
    let actions = [
        ("/admin/signups", vec![("signups", "closed")]),
        (&*format!("/admin/tickets/{id}/reply"), vec![("message", "I am not an admin")]),
        (&*format!("/admin/tickets/{id}/close"), vec![]),
        (&*format!("/admin/tickets/{id}/reopen"), vec![]),
    ];
    for (action, fields) in &actions {
        let response = app.submit("/settings", action, fields).await;
        assert_eq!(response.status(), 404, "POST {action} for a signed-in user");
    }
    assert_eq!(app.scalar_text("SELECT status FROM support_tickets").await, "open");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_messages WHERE from_admin = 1").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM instance_settings WHERE name = 'signups'").await, 0);
}

async fn the_users_list_shows_addresses_and_dates_and_nothing_anyone_recorded(app: TestApp) {
    let admin = administrator(&app).await;
    app.sign_out().await;
    app.signed_up_user("ada@example.com").await;
    let saved = app
        .submit(
            "/journal/new",
            "/journal",
            &[("title", "Secret reorg plans"), ("entry_date", "2026-11-20"), ("body", "Confidential body text")],
        )
        .await;
    assert_eq!(saved.status(), 303);
    app.sign_out().await;
    app.signed_up_unverified_user("later@example.com", "another long passphrase").await;

    let (status, html) = get(&admin, &app, "/admin/users").await;
    assert_eq!(status, 200);
    for email in ["ada@example.com", "later@example.com", ADMIN] {
        assert!(html.contains(email), "{email} is listed");
    }
    assert!(html.contains("Not verified"), "verification is shown");
    assert!(!html.contains("Secret reorg plans") && !html.contains("Confidential"), "no record data");
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    assert!(!table.to_lowercase().contains("journal") && !table.to_lowercase().contains("record"), "no counts either");
    assert_eq!(table.matches(r#"<th scope="col">"#).count(), 4, "email, created, verified, last seen: {table}");

    // Paginated: 50 to a page.
    for i in 0..50 {
        sqlx::query("INSERT INTO users (id, email, is_admin, created_at, updated_at) VALUES ($1, $2, 0, $3, $3)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(format!("bulk{i:02}@example.com"))
            .bind(i64::from(i))
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    let (_, first) = get(&admin, &app, "/admin/users").await;
    assert!(first.contains("Page 1 of 2") && first.contains(r#"href="/admin/users?page=2""#));
    let (_, second) = get(&admin, &app, "/admin/users?page=2").await;
    assert!(second.contains("bulk00@example.com"), "the oldest is on the last page");
    assert!(!first.contains("bulk00@example.com"));
}

async fn sign_ups_closed_by_an_administrator_refuse_a_sign_up(app: TestApp) {
    let admin = administrator(&app).await;
    let closed = submit_with(&admin, &app.address, "/admin", "/admin/signups", &[("signups", "closed")]).await;
    assert_eq!(closed.status(), 303);
    assert!(get(&admin, &app, "/admin?notice=signups_closed").await.1.contains("Sign-ups are <strong>closed</strong>"));

    let visitor = browser();
    let (_, landing) = get(&visitor, &app, "/").await;
    assert!(!landing.contains("Create your account"), "the landing page no longer offers it");
    let (_, form) = get(&visitor, &app, "/signup").await;
    assert!(form.contains("Sign-ups are closed"));
    let refused = submit_with(
        &visitor,
        &app.address,
        "/login",
        "/signup",
        &[("email", "new@example.com"), ("password", "maple orbit lantern quietly")],
    )
    .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email = 'new@example.com'").await, 0);

    // Open again: sign-up works.
    submit_with(&admin, &app.address, "/admin", "/admin/signups", &[("signups", "open")]).await;
    let taken = submit_with(
        &visitor,
        &app.address,
        "/signup",
        "/signup",
        &[("email", "new@example.com"), ("password", "maple orbit lantern quietly")],
    )
    .await;
    assert_eq!(taken.status(), 200);
    app.wait_for_mail("new@example.com", "Verify").await;

    // The start-up flag wins over the administrators' choice.
    let flagged = TestApp::spawn_with(app.backend, &["--signups", "closed"]).await.unwrap();
    let password = careerlog::domain::Password::parse_new("an administrator passphrase", &[]).unwrap();
    let email = careerlog::domain::Email::parse(ADMIN).unwrap();
    let state = &flagged.state;
    careerlog::services::accounts::create_user_directly(
        &state.db,
        &state.hasher,
        &email,
        &password,
        true,
        state.clock.now(),
    )
    .await
    .unwrap();
    let admin = flagged.browser_signed_in_as(ADMIN, "an administrator passphrase").await;
    submit_with(&admin, &flagged.address, "/admin", "/admin/signups", &[("signups", "open")]).await;
    let (_, overview) = get(&admin, &flagged, "/admin").await;
    assert!(overview.contains("--signups closed"));
    let (_, form) = flagged.get_text("/signup").await;
    assert!(form.contains("Sign-ups are closed"));
}

async fn a_delete_my_account_ticket_shows_as_such_in_the_inbox(app: TestApp) {
    let admin = administrator(&app).await;
    app.sign_out().await;
    app.signed_up_user("ada@example.com").await;
    let (_, form) = app.get_text("/support?category=delete_account").await;
    assert!(form.contains(r#"value="delete_account" checked"#));
    app.submit(
        "/support",
        "/support",
        &[("category", "delete_account"), ("subject", "Please remove me"), ("message", "I am done job hunting.")],
    )
    .await;
    let (_, inbox) = get(&admin, &app, "/admin/tickets").await;
    assert!(inbox.contains(r#"<span class="chip chip-danger">Delete my account</span>"#), "{inbox}");
    let id = app.scalar_text("SELECT id FROM support_tickets").await;
    let (_, page) = get(&admin, &app, &format!("/admin/tickets/{id}")).await;
    assert!(page.contains("This person asks for their account to be deleted"));
}

async fn hostile_and_oversized_ticket_input_gets_messages_not_500s(app: TestApp) {
    let visitor = browser();
    let send = |fields: Vec<(&'static str, String)>| {
        let visitor = visitor.clone();
        let address = app.address.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = submit_with(&visitor, &address, "/support", "/support", &fields).await;
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let long = "x".repeat(10_001);
    let (status, html) =
        send(vec![("email", "v@example.net".into()), ("subject", "Fine".into()), ("message", long.clone())]).await;
    assert_eq!(status, 422);
    assert!(html.contains(r#"id="message-error">At most 10000 characters"#), "the message is beside the field");
    assert!(html.contains(&long), "what was typed is kept");
    assert!(html.contains(r#"value="v@example.net""#) && html.contains(r#"value="Fine""#));

    let (status, html) = send(vec![
        ("email", "not an address".into()),
        ("category", "<script>alert(1)</script>".into()),
        ("subject", "<img src=x onerror=alert(1)>".into()),
        ("message", "".into()),
    ])
    .await;
    assert_eq!(status, 422);
    for field in ["email", "category", "message"] {
        assert!(html.contains(&format!(r#"id="{field}-error""#)), "{field}");
    }
    assert!(!html.contains("<img src=x"), "typed text is escaped");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;") || html.contains("&#60;img"));
    let (status, _) = send(vec![
        ("email", "v@example.net".into()),
        ("subject", "a\u{0}b".into()),
        ("message", "control \u{7} character".into()),
    ])
    .await;
    assert_eq!(status, 422);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_tickets").await, 0);

    // A stored hostile text is shown escaped on the ticket page.
    let (status, _) = send(vec![
        ("email", "v@example.net".into()),
        ("subject", "<b>bold</b>".into()),
        ("message", "<script>alert('x')</script>".into()),
    ])
    .await;
    assert_eq!(status, 200);
    let token = app.wait_for_mail("v@example.net", "We received").await.token();
    let (status, page) = get(&visitor, &app, &format!("/support/ticket?token={token}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("<script>alert") && !page.contains("<b>bold</b>"));
    // Made-up and malformed tokens are not found.
    for bad in ["nonsense", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%27%20OR%201%3D1"] {
        assert_eq!(get(&visitor, &app, &format!("/support/ticket?token={bad}")).await.0, 404, "{bad}");
    }
    let reply = submit_with(
        &visitor,
        &app.address,
        "/support",
        "/support/ticket/reply",
        &[("token", "nonsense"), ("message", "hi")],
    )
    .await;
    assert_eq!(reply.status(), 404);
    // An empty answer is refused beside the field, and the page keeps its token.
    let empty = submit_with(
        &visitor,
        &app.address,
        &format!("/support/ticket?token={token}"),
        "/support/ticket/reply",
        &[("token", &token), ("message", "   ")],
    )
    .await;
    assert_eq!(empty.status(), 422);
    let html = empty.text().await.unwrap();
    assert!(html.contains(r#"id="message-error">Write a message."#));
    assert!(html.contains(&format!(r#"name="token" value="{token}""#)));
}

async fn visitors_are_limited_in_how_many_tickets_they_open(app: TestApp) {
    let visitor = browser();
    for i in 0..5 {
        let subject = format!("Question {i}");
        let response = submit_with(
            &visitor,
            &app.address,
            "/support",
            "/support",
            &[("email", "v@example.net"), ("subject", &subject), ("message", "Hello")],
        )
        .await;
        assert_eq!(response.status(), 200, "ticket {i}");
    }
    let response = submit_with(
        &visitor,
        &app.address,
        "/support",
        "/support",
        &[("email", "v@example.net"), ("subject", "One more"), ("message", "Still typed")],
    )
    .await;
    assert_eq!(response.status(), 429);
    let html = response.text().await.unwrap();
    assert!(html.contains("You have sent many messages lately"));
    assert!(html.contains("Still typed") && html.contains(r#"value="One more""#), "what was typed is kept");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_tickets").await, 5);
}

/// Promise 19 through a ticket: the administrator types the account's address again, and the
/// account goes exactly as from Settings; afterwards the inbox holds nothing of it.
async fn an_administrator_carries_out_a_deletion_request_once_the_address_is_confirmed(app: TestApp) {
    let admin = administrator(&app).await;
    app.sign_out().await;
    let password = app.signed_up_user("ada@example.com").await;
    let fields = [("category", "delete_account"), ("subject", "Please remove me"), ("message", "I am done.")];
    assert_eq!(app.submit("/support", "/support", &fields).await.status(), 303);
    let id = app.scalar_text("SELECT id FROM support_tickets").await;
    let page_path = format!("/admin/tickets/{id}");
    let (_, page) = get(&admin, &app, &page_path).await;
    assert!(page.contains("The account is <strong>ada@example.com</strong>"), "{page}");

    // A mistyped confirmation deletes nothing and says so beside the field.
    let action = format!("/admin/tickets/{id}/delete-account");
    let response =
        submit_with(&admin, &app.address, &page_path, &action, &[("confirm_email", "ada@example.org")]).await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"id="confirm_email-error">Type the account&#39;s address exactly"#), "{html}");
    assert!(html.contains(r#"value="ada@example.org""#), "what was typed is kept");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'").await, 1);

    let response =
        submit_with(&admin, &app.address, &page_path, &action, &[("confirm_email", "Ada@Example.com")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/admin/tickets?notice=requested_account_deleted");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_tickets").await, 0, "the ticket went with the account");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM deletion_counts").await, 1);
    app.wait_for_mail("ada@example.com", "Your Careerlog account was deleted").await;
    assert_eq!(app.sign_in("ada@example.com", password).await.status(), 401, "she can no longer sign in");
    let (_, inbox) = get(&admin, &app, "/admin/tickets").await;
    assert!(!inbox.contains("Please remove me") && !inbox.contains("ada@example.com"));
}

/// Anyone can type an address: a visitor's request is carried out only once they answered
/// through the link mailed to that address.
async fn a_visitors_deletion_request_waits_until_they_answer_through_the_mailed_link(app: TestApp) {
    let admin = administrator(&app).await;
    app.sign_out().await;
    app.signed_up_user("grace@example.com").await;
    let visitor = browser();
    let fields = [
        ("email", "grace@example.com"),
        ("category", "delete_account"),
        ("subject", "Delete me"),
        ("message", "Please delete my account."),
    ];
    let response = submit_with(&visitor, &app.address, "/support", "/support", &fields).await;
    assert_eq!(response.status(), 200);
    let mail = app.wait_for_mail("grace@example.com", "We received your message").await;
    let (link, token) = (mail.link(), mail.token());
    let id = app.scalar_text("SELECT id FROM support_tickets").await;
    let page_path = format!("/admin/tickets/{id}");
    let (_, page) = get(&admin, &app, &page_path).await;
    assert!(page.contains("Ask them to answer through the link we mailed them"), "{page}");
    assert!(!page.contains("Delete this account"));
    let action = format!("/admin/tickets/{id}/delete-account");
    let response =
        submit_with(&admin, &app.address, &page_path, &action, &[("confirm_email", "grace@example.com")]).await;
    assert_eq!(response.status(), 422, "not by posting the form either");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email = 'grace@example.com'").await, 1);

    // She answers from her mailbox: now the request stands.
    let path = link.trim_start_matches(&app.base_url).to_owned();
    let response = submit_with(
        &visitor,
        &app.address,
        &path,
        "/support/ticket/reply",
        &[("token", &token), ("message", "Yes, it is me.")],
    )
    .await;
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM support_messages WHERE from_admin = 0").await, 2);
    let (_, page) = get(&admin, &app, &page_path).await;
    assert!(page.contains("The account is <strong>grace@example.com</strong>"), "{page}");
    let response =
        submit_with(&admin, &app.address, &page_path, &action, &[("confirm_email", "grace@example.com")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM users WHERE email = 'grace@example.com'").await, 0);
}
