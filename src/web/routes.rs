//! The routes every kind of record shares, written out path by path so that `grep` finds each
//! one. The handlers are generic (`web::records`); the paths are not.

use axum::routing::{get, post, put};
use axum::Router;

use crate::services::records::kinds::{
    Achievements, Certifications, Contacts, EducationRecords, Experiences, Interviews, Journal, Notes, Opportunities,
    Projects, Skills, Tasks,
};
use crate::state::AppState;
use crate::web::contacts::{connect_api, connect_html, create_and_connect_html, disconnect_api, disconnect_html};
use crate::web::records::{
    add_label_html, create_api, create_html, delete_api, delete_html, edit_html, get_api, list_api, list_html,
    new_html, patch_api, remove_label_html, show_html, update_html,
};

/// The pages of every kind of record: list and create, new, show and update, edit, delete, and
/// adding or removing a label on the record page.
pub fn record_pages() -> Router<AppState> {
    Router::new()
        .route("/experiences", get(list_html::<Experiences>).post(create_html::<Experiences>))
        .route("/experiences/new", get(new_html::<Experiences>))
        .route("/experiences/{id}", get(show_html::<Experiences>).post(update_html::<Experiences>))
        .route("/experiences/{id}/edit", get(edit_html::<Experiences>))
        .route("/experiences/{id}/delete", post(delete_html::<Experiences>))
        .route("/experiences/{id}/labels", post(add_label_html::<Experiences>))
        .route("/experiences/{id}/labels/{label_id}/remove", post(remove_label_html::<Experiences>))
        .route("/skills", get(list_html::<Skills>).post(create_html::<Skills>))
        .route("/skills/new", get(new_html::<Skills>))
        .route("/skills/{id}", get(show_html::<Skills>).post(update_html::<Skills>))
        .route("/skills/{id}/edit", get(edit_html::<Skills>))
        .route("/skills/{id}/delete", post(delete_html::<Skills>))
        .route("/skills/{id}/labels", post(add_label_html::<Skills>))
        .route("/skills/{id}/labels/{label_id}/remove", post(remove_label_html::<Skills>))
        .route("/projects", get(list_html::<Projects>).post(create_html::<Projects>))
        .route("/projects/new", get(new_html::<Projects>))
        .route("/projects/{id}", get(show_html::<Projects>).post(update_html::<Projects>))
        .route("/projects/{id}/edit", get(edit_html::<Projects>))
        .route("/projects/{id}/delete", post(delete_html::<Projects>))
        .route("/projects/{id}/labels", post(add_label_html::<Projects>))
        .route("/projects/{id}/labels/{label_id}/remove", post(remove_label_html::<Projects>))
        .route("/achievements", get(list_html::<Achievements>).post(create_html::<Achievements>))
        .route("/achievements/new", get(new_html::<Achievements>))
        .route("/achievements/{id}", get(show_html::<Achievements>).post(update_html::<Achievements>))
        .route("/achievements/{id}/edit", get(edit_html::<Achievements>))
        .route("/achievements/{id}/delete", post(delete_html::<Achievements>))
        .route("/achievements/{id}/labels", post(add_label_html::<Achievements>))
        .route("/achievements/{id}/labels/{label_id}/remove", post(remove_label_html::<Achievements>))
        .route("/education", get(list_html::<EducationRecords>).post(create_html::<EducationRecords>))
        .route("/education/new", get(new_html::<EducationRecords>))
        .route("/education/{id}", get(show_html::<EducationRecords>).post(update_html::<EducationRecords>))
        .route("/education/{id}/edit", get(edit_html::<EducationRecords>))
        .route("/education/{id}/delete", post(delete_html::<EducationRecords>))
        .route("/education/{id}/labels", post(add_label_html::<EducationRecords>))
        .route("/education/{id}/labels/{label_id}/remove", post(remove_label_html::<EducationRecords>))
        .route("/certifications", get(list_html::<Certifications>).post(create_html::<Certifications>))
        .route("/certifications/new", get(new_html::<Certifications>))
        .route("/certifications/{id}", get(show_html::<Certifications>).post(update_html::<Certifications>))
        .route("/certifications/{id}/edit", get(edit_html::<Certifications>))
        .route("/certifications/{id}/delete", post(delete_html::<Certifications>))
        .route("/certifications/{id}/labels", post(add_label_html::<Certifications>))
        .route("/certifications/{id}/labels/{label_id}/remove", post(remove_label_html::<Certifications>))
        .route("/journal", get(list_html::<Journal>).post(create_html::<Journal>))
        .route("/journal/new", get(new_html::<Journal>))
        .route("/journal/{id}", get(show_html::<Journal>).post(update_html::<Journal>))
        .route("/journal/{id}/edit", get(edit_html::<Journal>))
        .route("/journal/{id}/delete", post(delete_html::<Journal>))
        .route("/journal/{id}/labels", post(add_label_html::<Journal>))
        .route("/journal/{id}/labels/{label_id}/remove", post(remove_label_html::<Journal>))
        .route("/opportunities", get(list_html::<Opportunities>).post(create_html::<Opportunities>))
        // `?url=` fills the form from a job posting's page (the bookmarklet opens it).
        .route("/opportunities/new", get(crate::web::opportunities::new_html))
        .route("/opportunities/{id}", get(show_html::<Opportunities>).post(update_html::<Opportunities>))
        .route("/opportunities/{id}/edit", get(edit_html::<Opportunities>))
        .route("/opportunities/{id}/delete", post(delete_html::<Opportunities>))
        .route("/opportunities/{id}/labels", post(add_label_html::<Opportunities>))
        .route("/opportunities/{id}/labels/{label_id}/remove", post(remove_label_html::<Opportunities>))
        .route("/opportunities/{id}/contacts", post(connect_html::<Opportunities>))
        .route("/opportunities/{id}/contacts/new", post(create_and_connect_html::<Opportunities>))
        .route("/opportunities/{id}/contacts/{contact_id}/remove", post(disconnect_html::<Opportunities>))
        .route("/contacts", get(list_html::<Contacts>).post(create_html::<Contacts>))
        .route("/contacts/new", get(new_html::<Contacts>))
        .route("/contacts/{id}", get(show_html::<Contacts>).post(update_html::<Contacts>))
        .route("/contacts/{id}/edit", get(edit_html::<Contacts>))
        .route("/contacts/{id}/delete", post(delete_html::<Contacts>))
        .route("/contacts/{id}/labels", post(add_label_html::<Contacts>))
        .route("/contacts/{id}/labels/{label_id}/remove", post(remove_label_html::<Contacts>))
        .route("/interviews", get(list_html::<Interviews>).post(create_html::<Interviews>))
        .route("/interviews/new", get(new_html::<Interviews>))
        .route("/interviews/{id}", get(show_html::<Interviews>).post(update_html::<Interviews>))
        .route("/interviews/{id}/edit", get(edit_html::<Interviews>))
        .route("/interviews/{id}/delete", post(delete_html::<Interviews>))
        .route("/interviews/{id}/labels", post(add_label_html::<Interviews>))
        .route("/interviews/{id}/labels/{label_id}/remove", post(remove_label_html::<Interviews>))
        .route("/interviews/{id}/interviewers", post(connect_html::<Interviews>))
        .route("/interviews/{id}/interviewers/new", post(create_and_connect_html::<Interviews>))
        .route("/interviews/{id}/interviewers/{contact_id}/remove", post(disconnect_html::<Interviews>))
        // Notes carry no labels.
        .route("/notes", get(list_html::<Notes>).post(create_html::<Notes>))
        .route("/notes/new", get(new_html::<Notes>))
        .route("/notes/{id}", get(show_html::<Notes>).post(update_html::<Notes>))
        .route("/notes/{id}/edit", get(edit_html::<Notes>))
        .route("/notes/{id}/delete", post(delete_html::<Notes>))
        // Tasks carry no labels; marking one done and putting it off are in web::tasks.
        .route("/tasks", get(list_html::<Tasks>).post(create_html::<Tasks>))
        .route("/tasks/new", get(new_html::<Tasks>))
        .route("/tasks/{id}", get(show_html::<Tasks>).post(update_html::<Tasks>))
        .route("/tasks/{id}/edit", get(edit_html::<Tasks>))
        .route("/tasks/{id}/delete", post(delete_html::<Tasks>))
}

/// The API of every kind of record, under `/api/v1`: list and create; read, change and delete.
pub fn record_api() -> Router<AppState> {
    Router::new()
        .route("/experiences", get(list_api::<Experiences>).post(create_api::<Experiences>))
        .route(
            "/experiences/{id}",
            get(get_api::<Experiences>).patch(patch_api::<Experiences>).delete(delete_api::<Experiences>),
        )
        .route("/skills", get(list_api::<Skills>).post(create_api::<Skills>))
        .route("/skills/{id}", get(get_api::<Skills>).patch(patch_api::<Skills>).delete(delete_api::<Skills>))
        .route("/projects", get(list_api::<Projects>).post(create_api::<Projects>))
        .route("/projects/{id}", get(get_api::<Projects>).patch(patch_api::<Projects>).delete(delete_api::<Projects>))
        .route("/achievements", get(list_api::<Achievements>).post(create_api::<Achievements>))
        .route(
            "/achievements/{id}",
            get(get_api::<Achievements>).patch(patch_api::<Achievements>).delete(delete_api::<Achievements>),
        )
        .route("/education", get(list_api::<EducationRecords>).post(create_api::<EducationRecords>))
        .route(
            "/education/{id}",
            get(get_api::<EducationRecords>)
                .patch(patch_api::<EducationRecords>)
                .delete(delete_api::<EducationRecords>),
        )
        .route("/certifications", get(list_api::<Certifications>).post(create_api::<Certifications>))
        .route(
            "/certifications/{id}",
            get(get_api::<Certifications>).patch(patch_api::<Certifications>).delete(delete_api::<Certifications>),
        )
        .route("/journal", get(list_api::<Journal>).post(create_api::<Journal>))
        .route("/journal/{id}", get(get_api::<Journal>).patch(patch_api::<Journal>).delete(delete_api::<Journal>))
        .route("/opportunities", get(list_api::<Opportunities>).post(create_api::<Opportunities>))
        .route(
            "/opportunities/{id}",
            get(get_api::<Opportunities>).patch(patch_api::<Opportunities>).delete(delete_api::<Opportunities>),
        )
        .route(
            "/opportunities/{id}/contacts/{contact_id}",
            put(connect_api::<Opportunities>).delete(disconnect_api::<Opportunities>),
        )
        .route("/contacts", get(list_api::<Contacts>).post(create_api::<Contacts>))
        .route("/contacts/{id}", get(get_api::<Contacts>).patch(patch_api::<Contacts>).delete(delete_api::<Contacts>))
        .route("/interviews", get(list_api::<Interviews>).post(create_api::<Interviews>))
        .route(
            "/interviews/{id}",
            get(get_api::<Interviews>).patch(patch_api::<Interviews>).delete(delete_api::<Interviews>),
        )
        .route(
            "/interviews/{id}/interviewers/{contact_id}",
            put(connect_api::<Interviews>).delete(disconnect_api::<Interviews>),
        )
        .route("/notes", get(list_api::<Notes>).post(create_api::<Notes>))
        .route("/notes/{id}", get(get_api::<Notes>).patch(patch_api::<Notes>).delete(delete_api::<Notes>))
        .route("/tasks", get(list_api::<Tasks>).post(create_api::<Tasks>))
        .route("/tasks/{id}", get(get_api::<Tasks>).patch(patch_api::<Tasks>).delete(delete_api::<Tasks>))
}
