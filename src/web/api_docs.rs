//! The career resources in the OpenAPI document. They share one set of routes (see
//! `web::records`), so their paths are described here from one table instead of one annotation
//! per handler; their schemas come from the types themselves.

use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{Array, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Schema};
use utoipa::Modify;

/// `(path, tag, record schema, write schema, what it is)` for each resource.
const RESOURCES: [(&str, &str, &str, &str, &str); 10] = [
    ("experiences", "career", "Experience", "ExperienceWrite", "experience"),
    ("skills", "career", "Skill", "SkillWrite", "skill"),
    ("projects", "career", "Project", "ProjectWrite", "project"),
    ("achievements", "career", "Achievement", "AchievementWrite", "achievement"),
    ("journal", "journal", "JournalEntry", "JournalWrite", "journal entry"),
    ("labels", "labels", "Label", "LabelWrite", "label"),
    ("opportunities", "job search", "Opportunity", "OpportunityWrite", "opportunity"),
    ("contacts", "job search", "Contact", "ContactWrite", "contact"),
    ("interviews", "job search", "Interview", "InterviewWrite", "interview"),
    ("notes", "job search", "Note", "NoteWrite", "note"),
];

pub struct CareerPaths;

fn json(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn response(description: &str, schema: Option<RefOr<Schema>>) -> utoipa::openapi::Response {
    let builder = ResponseBuilder::new().description(description);
    match schema {
        Some(schema) => builder.content("application/json", json(schema)).build(),
        None => builder.build(),
    }
}

fn error(description: &str) -> utoipa::openapi::Response {
    response(description, Some(schema_ref("ErrorBody")))
}

fn query(name: &str, kind: Type, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(kind).build()))
        .build()
}

fn id_parameter(name: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid))),
        ))
        .build()
}

fn body(schema: &str) -> Option<utoipa::openapi::request_body::RequestBody> {
    Some(
        RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content("application/json", json(schema_ref(schema)))
            .build(),
    )
}

fn page_of(schema: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .property("items", Array::new(schema_ref(schema)))
        .property("page", ObjectBuilder::new().schema_type(Type::Integer))
        .property("per_page", ObjectBuilder::new().schema_type(Type::Integer))
        .property("total", ObjectBuilder::new().schema_type(Type::Integer))
        .required("items")
        .required("page")
        .required("per_page")
        .required("total")
        .into()
}

impl Modify for CareerPaths {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, tag, schema, write, noun) in RESOURCES {
            let collection = format!("/{path}");
            let item = format!("/{path}/{{id}}");
            let list = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("List your {path}")))
                .operation_id(Some(format!("list_{path}")))
                .parameter(query("page", Type::Integer, "Page number, from 1."))
                .parameter(query("per_page", Type::Integer, "Records per page (1–100, default 25)."))
                .parameter(query("label", Type::String, "Only records carrying this label (by name, any case)."))
                .response("200", response("One page of the list", Some(page_of(schema))))
                .response("401", error("Missing or invalid token"));
            let list = if path == "opportunities" {
                list.parameter(query(
                    "status",
                    Type::String,
                    "Only opportunities in this status (422 for an unknown one).",
                ))
                .response("422", error("An unknown status (`validation_failed`)"))
            } else if path == "interviews" {
                list.parameter(query("opportunity", Type::String, "Only the interviews of this opportunity (its id)."))
            } else if path == "notes" {
                list.parameter(query(
                    "about",
                    Type::String,
                    "Only the notes about this opportunity, contact or interview (its id).",
                ))
            } else {
                list
            };
            let create = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Create a {noun}")))
                .operation_id(Some(format!("create_{path}")))
                .request_body(body(write))
                .response(
                    "201",
                    response(&format!("The new {noun}; `Location` is its address"), Some(schema_ref(schema))),
                )
                .response(
                    "400",
                    error("The body is not valid JSON, or has an unknown field or a wrong type (`invalid_json`)"),
                )
                .response("401", error("Missing or invalid token"))
                .response("422", error("Some fields are invalid (`validation_failed`, see `fields`)"));
            let get = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Get a {noun}")))
                .operation_id(Some(format!("get_{path}")))
                .parameter(id_parameter("id"))
                .response("200", response(&format!("The {noun}"), Some(schema_ref(schema))))
                .response("404", error("No such record of yours"));
            let patch = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Change a {noun}: only the fields sent change; `null` clears an optional one")))
                .operation_id(Some(format!("update_{path}")))
                .parameter(id_parameter("id"))
                .request_body(body(write))
                .response("200", response(&format!("The changed {noun}"), Some(schema_ref(schema))))
                .response("400", error("Unreadable body (`invalid_json`)"))
                .response("404", error("No such record of yours"))
                .response("422", error("Some fields are invalid (`validation_failed`)"));
            let delete = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Delete a {noun}")))
                .operation_id(Some(format!("delete_{path}")))
                .parameter(id_parameter("id"))
                .response("204", response("Deleted", None))
                .response("404", error("No such record of yours"));
            openapi.paths.add_path_operation(&collection, vec![HttpMethod::Get], list);
            openapi.paths.add_path_operation(&collection, vec![HttpMethod::Post], create);
            openapi.paths.add_path_operation(&item, vec![HttpMethod::Get], get);
            openapi.paths.add_path_operation(&item, vec![HttpMethod::Patch], patch);
            openapi.paths.add_path_operation(&item, vec![HttpMethod::Delete], delete);
        }

        let upload = RequestBodyBuilder::new()
            .required(Some(Required::True))
            .content(
                "multipart/form-data",
                json(
                    ObjectBuilder::new()
                        .property(
                            "image",
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .format(Some(utoipa::openapi::SchemaFormat::Custom("binary".into())))
                                .description(Some("A JPEG, PNG, WebP or GIF image (re-encoded; metadata removed).")),
                        )
                        .property("alt_text", ObjectBuilder::new().schema_type(Type::String))
                        .required("image"),
                ),
            )
            .build();
        let add_image = OperationBuilder::new()
            .tag("journal")
            .summary(Some("Attach an image to a journal entry"))
            .operation_id(Some("add_journal_image"))
            .parameter(id_parameter("id"))
            .request_body(Some(upload))
            .response("201", response("The stored image", Some(schema_ref("ImageRef"))))
            .response("404", error("No such entry of yours"))
            .response("413", error("The file is over the size limit (`payload_too_large`)"))
            .response("422", error("Not an accepted image, or too many pixels (`validation_failed`)"));
        let remove_image = OperationBuilder::new()
            .tag("journal")
            .summary(Some("Remove an image from a journal entry"))
            .operation_id(Some("remove_journal_image"))
            .parameter(id_parameter("id"))
            .parameter(id_parameter("image_id"))
            .response("204", response("Removed", None))
            .response("404", error("No such entry or image of yours"));
        openapi.paths.add_path_operation("/journal/{id}/images", vec![HttpMethod::Post], add_image);
        openapi.paths.add_path_operation("/journal/{id}/images/{image_id}", vec![HttpMethod::Delete], remove_image);

        let get_profile = OperationBuilder::new()
            .tag("profile")
            .summary(Some("Your profile"))
            .operation_id(Some("get_profile"))
            .response("200", response("The profile", Some(schema_ref("Profile"))));
        let patch_profile = OperationBuilder::new()
            .tag("profile")
            .summary(Some("Change your profile: only the fields sent change"))
            .operation_id(Some("update_profile"))
            .request_body(body("ProfileWrite"))
            .response("200", response("The changed profile", Some(schema_ref("Profile"))))
            .response("422", error("Some fields are invalid, or the username is taken"));
        openapi.paths.add_path_operation("/profile", vec![HttpMethod::Get], get_profile);
        openapi.paths.add_path_operation("/profile", vec![HttpMethod::Patch], patch_profile);
        job_search_paths(openapi);
    }
}

/// The job search's routes beyond create/read/update/delete: the timeline, connected contacts
/// and interviewers, and the interview-prep texts.
fn job_search_paths(openapi: &mut OpenApi) {
    let tag = "job search";
    let timeline = OperationBuilder::new()
        .tag(tag)
        .summary(Some("An opportunity's activity timeline, newest first"))
        .operation_id(Some("get_timeline"))
        .parameter(id_parameter("id"))
        .response("200", response("The timeline", Some(Array::new(schema_ref("Event")).into())))
        .response("404", error("No such opportunity of yours"));
    let add_entry = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Add an email, call, follow-up or note to the timeline"))
        .operation_id(Some("add_timeline_entry"))
        .parameter(id_parameter("id"))
        .request_body(body("EntryForm"))
        .response("201", response("The timeline with the entry", Some(Array::new(schema_ref("Event")).into())))
        .response("404", error("No such opportunity of yours"))
        .response("422", error("An unknown kind or an empty body (`validation_failed`)"));
    openapi.paths.add_path_operation("/opportunities/{id}/timeline", vec![HttpMethod::Get], timeline);
    openapi.paths.add_path_operation("/opportunities/{id}/timeline", vec![HttpMethod::Post], add_entry);
    for (path, segment, what) in [
        ("opportunities", "contacts", "a contact with an opportunity"),
        ("interviews", "interviewers", "an interviewer"),
    ] {
        let item = format!("/{path}/{{id}}/{segment}/{{contact_id}}");
        let connect = OperationBuilder::new()
            .tag(tag)
            .summary(Some(format!("Connect {what}")))
            .operation_id(Some(format!("connect_{path}_{segment}")))
            .parameter(id_parameter("id"))
            .parameter(id_parameter("contact_id"))
            .response("204", response("Connected (again is harmless)", None))
            .response("404", error("No such record or contact of yours"));
        let disconnect = OperationBuilder::new()
            .tag(tag)
            .summary(Some(format!("Disconnect {what}")))
            .operation_id(Some(format!("disconnect_{path}_{segment}")))
            .parameter(id_parameter("id"))
            .parameter(id_parameter("contact_id"))
            .response("204", response("Disconnected", None))
            .response("404", error("Not connected, or not yours"));
        openapi.paths.add_path_operation(&item, vec![HttpMethod::Put], connect);
        openapi.paths.add_path_operation(&item, vec![HttpMethod::Delete], disconnect);
    }
    let get_prep = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Your resume text and LinkedIn summary for interview preparation"))
        .operation_id(Some("get_interview_prep"))
        .response("200", response("The texts", Some(schema_ref("InterviewPrep"))));
    let patch_prep = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Change the interview-prep texts: only the fields sent change"))
        .operation_id(Some("update_interview_prep"))
        .request_body(body("PrepWrite"))
        .response("200", response("The changed texts", Some(schema_ref("InterviewPrep"))))
        .response("400", error("Unreadable body (`invalid_json`)"))
        .response("422", error("A text is too long (`validation_failed`)"));
    openapi.paths.add_path_operation("/interview-prep", vec![HttpMethod::Get], get_prep);
    openapi.paths.add_path_operation("/interview-prep", vec![HttpMethod::Patch], patch_prep);
}
