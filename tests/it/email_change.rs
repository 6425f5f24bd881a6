//! Changing the sign-in address (issue 14, item 5): the current password, then a link mailed to
//! the new address, valid 30 minutes and once; the old address is told.

use std::time::Duration;

use crate::on_both_databases;
use crate::support::{location, TestApp};

on_both_databases!(
    a_person_moves_their_account_to_a_new_address_and_the_old_one_is_told,
    an_address_change_link_expires_after_30_minutes,
    an_address_change_link_works_once,
    a_wrong_password_is_refused_beside_the_field_and_the_new_address_is_kept,
    an_address_taken_by_another_account_is_answered_like_a_free_one,
);

async fn ask_for_change(app: &TestApp, password: &str, new_email: &str) -> reqwest::Response {
    app.submit("/settings", "/settings/email", &[("email_password", password), ("new_email", new_email)]).await
}

async fn a_person_moves_their_account_to_a_new_address_and_the_old_one_is_told(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    let response = ask_for_change(&app, password, "Ada.Lovelace@Example.org").await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/settings?notice=email_change_sent");
    let (_, settings) = app.get_text("/settings?notice=email_change_sent").await;
    assert!(settings.contains("We sent a link to the new address"));
    // Nothing changes until the link is opened.
    assert!(settings.contains("ada@example.com"));
    let mail = app.wait_for_mail("ada.lovelace@example.org", "Confirm your new sign-in address").await;
    assert!(mail.link().starts_with(&format!("{}/settings/email/confirm?token=", app.base_url)));
    assert!(mail.body.contains("30 minutes"));
    assert_eq!(
        app.scalar_text("SELECT email FROM users").await,
        "ada@example.com",
        "the address is the same until the link is opened"
    );
    // Only the token's hash is stored.
    let stored = app.scalar_text("SELECT token_hash FROM email_changes").await;
    assert_ne!(stored, mail.token());

    let opened = app.client.get(mail.link()).send().await.unwrap();
    assert_eq!(opened.status(), 303);
    assert_eq!(location(&opened), "/settings?notice=email_changed");
    let (_, settings) = app.get_text("/settings?notice=email_changed").await;
    assert!(settings.contains("Your sign-in address was changed"));
    assert!(settings.contains("ada.lovelace@example.org"));

    let told = app.wait_for_mail("ada@example.com", "Your sign-in address was changed").await;
    assert!(told.body.contains("ada.lovelace@example.org"), "the old address learns the new one");
    assert!(told.body.contains(&format!("{}/support", app.base_url)), "and where to get help");

    app.sign_out().await;
    assert_eq!(app.sign_in("ada@example.com", password).await.status(), 401, "the old address no longer signs in");
    assert_eq!(app.sign_in("ada.lovelace@example.org", password).await.status(), 303);
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains("Please verify"), "the new address is proven by the link");
}

async fn an_address_change_link_expires_after_30_minutes(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    ask_for_change(&app, password, "new@example.org").await;
    let mail = app.wait_for_mail("new@example.org", "Confirm").await;
    app.clock.advance(Duration::from_secs(31 * 60));
    let response = app.client.get(mail.link()).send().await.unwrap();
    assert_eq!(response.status(), 410);
    let html = response.text().await.unwrap();
    assert!(html.contains("This link has expired"), "{html}");
    assert!(html.contains("Ask for a new link in Settings"));
    assert_eq!(app.scalar_text("SELECT email FROM users").await, "ada@example.com");
    assert_eq!(app.count_mails_to("ada@example.com").await, 1, "only the verification mail: nothing changed");
    // Housekeeping deletes the expired link.
    let report = careerlog::housekeeping::run(&app.state).await.unwrap();
    assert_eq!(report.email_change_links, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM email_changes").await, 0);
}

async fn an_address_change_link_works_once(app: TestApp) {
    let password = app.signed_up_user("ada@example.com").await;
    ask_for_change(&app, password, "new@example.org").await;
    let mail = app.wait_for_mail("new@example.org", "Confirm").await;
    assert_eq!(app.client.get(mail.link()).send().await.unwrap().status(), 303);
    let again = app.client.get(mail.link()).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("This link has already been used"));
    // A made-up token is not valid either.
    let (status, html) = app.get_text("/settings/email/confirm?token=nonsense").await;
    assert_eq!(status, 404);
    assert!(html.contains("This link is not valid"));
}

async fn a_wrong_password_is_refused_beside_the_field_and_the_new_address_is_kept(app: TestApp) {
    app.signed_up_user("ada@example.com").await;
    let response = ask_for_change(&app, "not my password at all", "new@example.org").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"<p class="field-error" id="email_password-error">This is not your current password."#));
    assert!(html.contains(r#"value="new@example.org""#), "what was typed is kept");
    assert!(!html.contains("not my password at all"), "a password is never shown again");
    // A malformed address gets its own message.
    let response = ask_for_change(&app, "maple orbit lantern quietly", "not an address").await;
    assert_eq!(response.status(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains(r#"id="new_email-error""#));
    assert!(html.contains(r#"value="not an address""#));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM email_changes").await, 0);
    assert_eq!(app.count_mails_to("new@example.org").await, 0);
}

async fn an_address_taken_by_another_account_is_answered_like_a_free_one(app: TestApp) {
    app.signed_up_user("grace@example.com").await;
    app.sign_out().await;
    let password = app.signed_up_user("ada@example.com").await;
    let taken = ask_for_change(&app, password, "grace@example.com").await;
    let free = ask_for_change(&app, password, "free@example.org").await;
    assert_eq!(taken.status(), free.status());
    assert_eq!(location(&taken), location(&free), "the answer does not tell whether the address is taken");
    // The taken address's owner is told nothing changed; no link exists for it.
    let mail = app.wait_for_mail("grace@example.com", "Your address was not changed").await;
    assert!(!mail.body.contains("/settings/email/confirm"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM email_changes WHERE email = 'grace@example.com'").await, 0);
    app.wait_for_mail("free@example.org", "Confirm").await;
    assert_eq!(app.scalar_text("SELECT email FROM users WHERE email LIKE 'ada%'").await, "ada@example.com");
}
