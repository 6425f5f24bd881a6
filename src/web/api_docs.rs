//! The paths of the OpenAPI document beyond `/me`. The record resources share one set of routes
//! (see `web::routes` and `web::records`), so their paths are described here from one table instead of one
//! annotation per handler; their schemas come from the types the server reads and answers with.
//!
//! One `…Write` type serves create and PATCH. PATCH takes it as it is (every field optional,
//! `null` clears an optional one); create takes `…Create`, made here from the same schema with
//! the fields a new record needs marked `required` (and the cross-field rules JSON Schema can
//! say), so the two cannot drift apart.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, Array, ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{ContentBuilder, KnownFormat, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder, Schema};
use utoipa::{Modify, ToSchema};

use crate::web::records::API_PER_PAGE_MAX;

/// A list's query parameters beyond `page` and `per_page`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// `?label=`: records carrying a label.
    Label,
    /// `?status=`: opportunities in a status.
    Status,
    /// `?opportunity=`: an opportunity's interviews.
    Opportunity,
    /// `?about=`: the notes about a record.
    About,
    /// `?done=`: tasks done or open.
    Done,
}

/// A type's name and schema in the document.
type Named = fn() -> (String, RefOr<Schema>);

fn named<T: ToSchema>() -> (String, RefOr<Schema>) {
    (T::name().into_owned(), T::schema())
}

/// One kind of record in the API. Its two types' schemas are registered from here, so a new
/// kind is described by its row in [`RESOURCES`] alone.
struct Resource {
    path: &'static str,
    tag: &'static str,
    /// The type of a stored record.
    record: Named,
    /// The type of a PATCH body; the create body is made from it (`…Create`).
    write: Named,
    noun: &'static str,
    /// The fields a new record needs.
    required: &'static [&'static str],
    filters: &'static [Filter],
}

const RESOURCES: [Resource; 13] = [
    Resource {
        path: "experiences",
        tag: "career",
        record: named::<crate::db::career::Experience>,
        write: named::<crate::domain::career::ExperienceWrite>,
        noun: "experience",
        required: &["role", "company", "start_date"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "skills",
        tag: "career",
        record: named::<crate::db::career::Skill>,
        write: named::<crate::domain::career::SkillWrite>,
        noun: "skill",
        required: &["name"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "projects",
        tag: "career",
        record: named::<crate::db::career::Project>,
        write: named::<crate::domain::career::ProjectWrite>,
        noun: "project",
        required: &["name"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "achievements",
        tag: "career",
        record: named::<crate::db::career::Achievement>,
        write: named::<crate::domain::career::AchievementWrite>,
        noun: "achievement",
        required: &["title"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "education",
        tag: "career",
        record: named::<crate::db::career::Education>,
        write: named::<crate::domain::career::EducationWrite>,
        noun: "degree or course",
        required: &["institution"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "certifications",
        tag: "career",
        record: named::<crate::db::career::Certification>,
        write: named::<crate::domain::career::CertificationWrite>,
        noun: "certification",
        required: &["name"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "journal",
        tag: "journal",
        record: named::<crate::db::journal::JournalEntry>,
        write: named::<crate::domain::career::JournalWrite>,
        noun: "journal entry",
        required: &["title"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "labels",
        tag: "labels",
        record: named::<crate::db::labels::Label>,
        write: named::<crate::domain::career::LabelWrite>,
        noun: "label",
        required: &["name"],
        filters: &[],
    },
    Resource {
        path: "opportunities",
        tag: "job search",
        record: named::<crate::db::opportunities::Opportunity>,
        write: named::<crate::domain::opportunities::OpportunityWrite>,
        noun: "opportunity",
        required: &["company", "role"],
        filters: &[Filter::Label, Filter::Status],
    },
    Resource {
        path: "contacts",
        tag: "job search",
        record: named::<crate::db::contacts::Contact>,
        write: named::<crate::domain::contacts::ContactWrite>,
        noun: "contact",
        required: &["name"],
        filters: &[Filter::Label],
    },
    Resource {
        path: "interviews",
        tag: "job search",
        record: named::<crate::db::interviews::Interview>,
        write: named::<crate::domain::interviews::InterviewWrite>,
        noun: "interview",
        required: &["opportunity_id", "round_name", "start", "time_zone"],
        filters: &[Filter::Label, Filter::Opportunity],
    },
    Resource {
        path: "notes",
        tag: "job search",
        record: named::<crate::db::notes::Note>,
        write: named::<crate::domain::notes::NoteWrite>,
        noun: "note",
        required: &["subject_kind", "subject_id", "body"],
        filters: &[Filter::About],
    },
    Resource {
        path: "tasks",
        tag: "job search",
        record: named::<crate::db::tasks::Task>,
        write: named::<crate::domain::tasks::TaskWrite>,
        noun: "task",
        required: &["title"],
        filters: &[Filter::Opportunity, Filter::Done],
    },
];

pub struct CareerPaths;

fn json(schema: impl Into<RefOr<Schema>>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

fn typed(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(kind)
}

fn response(description: &str, schema: Option<RefOr<Schema>>) -> Response {
    let builder = ResponseBuilder::new().description(description);
    match schema {
        Some(schema) => builder.content("application/json", json(schema)).build(),
        None => builder.build(),
    }
}

fn error(description: &str) -> Response {
    response(description, Some(schema_ref("ErrorBody")))
}

/// The answers an operation may give besides its success, as the server gives them.
#[derive(Clone, Copy, Default)]
struct Errors {
    /// It reads a JSON body (400 `invalid_json`, 413, 422).
    json_body: bool,
    /// It reads a multipart body (400 `bad_request`, 413, 422).
    multipart: bool,
    /// It has path or query parameters (400 `bad_request` when they cannot be read).
    parameters: bool,
    /// Its path names a record (404).
    record: bool,
    /// It changes something (403 for a session cookie without the CSRF header).
    changes: bool,
}

fn with_errors(mut operation: OperationBuilder, errors: Errors) -> OperationBuilder {
    if errors.json_body {
        operation = operation.response(
            "400",
            error(
                "The body is not a JSON object, or has an unknown field or a value of the wrong type \
                 (`invalid_json`); or a parameter cannot be read (`bad_request`)",
            ),
        );
    } else if errors.multipart {
        operation = operation
            .response("400", error("The body is not a readable multipart form, or a parameter cannot be read"));
    } else if errors.parameters {
        operation = operation.response("400", error("A parameter cannot be read (`bad_request`)"));
    }
    let mut unauthorized = error("No token, or a token that is not valid (`unauthorized`, `invalid_token`)");
    unauthorized.headers.insert(
        "WWW-Authenticate".into(),
        HeaderBuilder::new().schema(typed(Type::String)).description(Some("`Bearer realm=\"careerlog\"`")).build(),
    );
    operation = operation.response("401", unauthorized);
    if errors.changes {
        operation = operation.response(
            "403",
            error("Signed in with the session cookie, without the `X-CSRF-Token` header (`csrf_failed`)"),
        );
    }
    if errors.record {
        operation = operation.response("404", error("No such record of yours (`not_found`)"));
    }
    if errors.json_body || errors.multipart {
        operation =
            operation.response("413", error("The body is larger than the server accepts (`payload_too_large`)"));
    }
    if errors.json_body || errors.multipart {
        operation = operation.response(
            "422",
            response(
                "Some fields are invalid (`validation_failed`); `fields` says which and why",
                Some(schema_ref("ValidationFailed")),
            ),
        );
    }
    operation
}

fn query(name: &str, schema: impl Into<RefOr<Schema>>, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn uuid() -> ObjectBuilder {
    typed(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
}

fn id_parameter(name: &str, what: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(format!("The id of {what}; anything that is not one of yours answers 404.")))
        .schema(Some(uuid()))
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
    typed(Type::Object)
        .property("items", Array::new(schema_ref(schema)))
        .property("page", typed(Type::Integer).minimum(Some(1)))
        .property("per_page", typed(Type::Integer).minimum(Some(1)).maximum(Some(API_PER_PAGE_MAX)))
        .property("total", typed(Type::Integer).minimum(Some(0)))
        .required("items")
        .required("page")
        .required("per_page")
        .required("total")
        .into()
}

/// The create body of a resource: its PATCH schema with the fields a new record needs required
/// (and then neither `null` nor empty), plus the cross-field rule JSON Schema can state.
fn create_schema(openapi: &OpenApi, resource: &Resource) -> Schema {
    let components = openapi.components.as_ref().expect("the document has components");
    let write_name = (resource.write)().0;
    let Some(RefOr::T(Schema::Object(write))) = components.schemas.get(&write_name) else {
        panic!("{write_name} is an object schema in the document");
    };
    let mut create = write.clone();
    create.required = resource.required.iter().map(|field| (*field).to_owned()).collect();
    for field in resource.required {
        let property = create.properties.get_mut(*field);
        let property = property.unwrap_or_else(|| panic!("{write_name} has the field {field}"));
        // A field whose type is a schema of its own (a `$ref`, say) is only required.
        let RefOr::T(Schema::Object(property)) = property else { continue };
        if let SchemaType::Array(types) = &property.schema_type {
            let types: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
            property.schema_type =
                if types.len() == 1 { SchemaType::Type(types[0].clone()) } else { SchemaType::Array(types) };
        }
        if let Some(values) = &mut property.enum_values {
            values.retain(|v| !v.is_null());
        }
        if property.schema_type == SchemaType::Type(Type::String) && property.enum_values.is_none() {
            property.min_length.get_or_insert(1);
        }
    }
    let needed = resource.required.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    let rules = write.description.as_deref().map(|d| format!("\n\n{d}")).unwrap_or_default();
    create.description = Some(format!(
        "A new {}: {needed} needed, the other fields may be left out (their defaults are described with \
         them).{rules}",
        resource.noun
    ));
    match cross_field_rule(resource.path) {
        Some(rule) => AllOfBuilder::new().item(Schema::Object(create)).item(rule).into(),
        None => Schema::Object(create),
    }
}

/// A rule between the fields of a new record, where JSON Schema can state it.
fn cross_field_rule(path: &str) -> Option<Schema> {
    let boolean = |value: bool| typed(Type::Boolean).enum_values(Some([value]));
    match path {
        "experiences" => Some(
            AnyOfBuilder::new()
                .description(Some(
                    "A role you are in now has `current: true` and no `end_date`; one that ended has its \
                     `end_date` (not before `start_date`).",
                ))
                .item(
                    typed(Type::Object)
                        .property("current", boolean(true))
                        .property("end_date", typed(Type::Null))
                        .required("current"),
                )
                .item(
                    typed(Type::Object)
                        .property(
                            "current",
                            ObjectBuilder::new()
                                .schema_type(SchemaType::from_iter([Type::Boolean, Type::Null]))
                                .enum_values(Some([serde_json::Value::Bool(false), serde_json::Value::Null])),
                        )
                        .property("end_date", typed(Type::String).min_length(Some(1)))
                        .required("end_date"),
                )
                .into(),
        ),
        "opportunities" => Some(
            AnyOfBuilder::new()
                .description(Some("A salary needs its `currency`; `salary_max` may not be below `salary_min`."))
                .item(
                    typed(Type::Object)
                        .property("salary_min", typed(Type::Null))
                        .property("salary_max", typed(Type::Null)),
                )
                .item(
                    typed(Type::Object)
                        .property("currency", typed(Type::String).pattern(Some(r"^[A-Za-z]{3}$")))
                        .required("currency"),
                )
                .into(),
        ),
        _ => None,
    }
}

fn list_operation(resource: &Resource) -> Operation {
    let path = resource.path;
    let mut list = OperationBuilder::new()
        .tag(resource.tag)
        .summary(Some(format!("List your {path}")))
        .operation_id(Some(format!("list_{path}")))
        .parameter(query(
            "page",
            typed(Type::Integer).minimum(Some(1)),
            "Page number, from 1 (the default). Read leniently: a value that is not a whole number \
             reads as 1, and one out of range as the nearest page.",
        ))
        .parameter(query(
            "per_page",
            typed(Type::Integer).minimum(Some(1)).maximum(Some(API_PER_PAGE_MAX)),
            "Records per page (default 25). Read leniently, like `page`.",
        ))
        .response("200", response("One page of the list", Some(page_of(&(resource.record)().0))));
    for filter in resource.filters {
        list = match filter {
            Filter::Label => list.parameter(query(
                "label",
                typed(Type::String),
                "Only records carrying this label (by name, any case).",
            )),
            Filter::Status => list
                .parameter(query("status", crate::domain::schema::status(), "Only opportunities in this status."))
                .response(
                    "422",
                    response("An unknown status (`validation_failed`)", Some(schema_ref("ValidationFailed"))),
                ),
            Filter::Opportunity => list.parameter(query(
                "opportunity",
                uuid(),
                "Only those of this opportunity (its id); an id that is not one of yours matches nothing.",
            )),
            Filter::Done => list
                .parameter(query("done", typed(Type::Boolean), "Only those done (`true`) or still open (`false`)."))
                .response(
                    "422",
                    response(
                        "`done` neither true nor false (`validation_failed`)",
                        Some(schema_ref("ValidationFailed")),
                    ),
                ),
            Filter::About => list.parameter(query(
                "about",
                uuid(),
                "Only the notes about this opportunity, contact or interview (its id); an id that is not one \
                 of yours matches nothing.",
            )),
        };
    }
    with_errors(list, Errors { parameters: true, ..Errors::default() }).build()
}

impl Modify for CareerPaths {
    fn modify(&self, openapi: &mut OpenApi) {
        for resource in &RESOURCES {
            let schemas = &mut openapi.components.get_or_insert_with(Default::default).schemas;
            let ((schema, record), (write, write_body)) = ((resource.record)(), (resource.write)());
            schemas.insert(schema.clone(), record);
            schemas.insert(write.clone(), write_body);
            let (path, tag, schema, noun) = (resource.path, resource.tag, schema.as_str(), resource.noun);
            let create_name = write.replace("Write", "Create");
            let create_body = create_schema(openapi, resource);
            openapi
                .components
                .get_or_insert_with(Default::default)
                .schemas
                .insert(create_name.clone(), create_body.into());

            let collection = format!("/{path}");
            let item = format!("/{path}/{{id}}");
            let id = || id_parameter("id", &format!("the {noun}"));
            let location = HeaderBuilder::new()
                .schema(typed(Type::String).format(Some(SchemaFormat::Custom("uri-reference".into()))))
                .description(Some("The new record's address in the API."))
                .build();
            let mut created = response(&format!("The new {noun}; `Location` is its address"), Some(schema_ref(schema)));
            created.headers.insert("Location".into(), location);
            let create = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Create a {noun}")))
                .operation_id(Some(format!("create_{path}")))
                .request_body(body(&create_name))
                .response("201", created);
            let create = with_errors(create, Errors { json_body: true, changes: true, ..Errors::default() });
            let get = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Get a {noun}")))
                .operation_id(Some(format!("get_{path}")))
                .parameter(id())
                .response("200", response(&format!("The {noun}"), Some(schema_ref(schema))));
            let get = with_errors(get, Errors { parameters: true, record: true, ..Errors::default() });
            let patch = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Change a {noun}: only the fields sent change; `null` clears an optional one")))
                .operation_id(Some(format!("update_{path}")))
                .parameter(id())
                .request_body(body(&write))
                .response("200", response(&format!("The changed {noun}"), Some(schema_ref(schema))));
            let patch = with_errors(
                patch,
                Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
            );
            let delete = OperationBuilder::new()
                .tag(tag)
                .summary(Some(format!("Delete a {noun}")))
                .operation_id(Some(format!("delete_{path}")))
                .parameter(id())
                .response("204", response("Deleted", None));
            let delete =
                with_errors(delete, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
            openapi.paths.add_path_operation(&collection, vec![HttpMethod::Get], list_operation(resource));
            openapi.paths.add_path_operation(&collection, vec![HttpMethod::Post], create.build());
            openapi.paths.add_path_operation(&item, vec![HttpMethod::Get], get.build());
            openapi.paths.add_path_operation(&item, vec![HttpMethod::Patch], patch.build());
            openapi.paths.add_path_operation(&item, vec![HttpMethod::Delete], delete.build());
        }
        journal_images(openapi);
        account_paths(openapi);
        job_search_paths(openapi);
        from_url_paths(openapi);
        offer_and_document_paths(openapi);
        ai_prep_paths(openapi);
        import_paths(openapi);
        ai_label_paths(openapi);
        search_paths(openapi);
        user_data_paths(openapi);
    }
}

fn journal_images(openapi: &mut OpenApi) {
    let upload = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "multipart/form-data",
            json(
                typed(Type::Object)
                    .property(
                        "image",
                        typed(Type::String)
                            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                            .description(Some("A JPEG, PNG, WebP or GIF image (re-encoded; metadata removed).")),
                    )
                    .property(
                        "alt_text",
                        typed(Type::String).description(Some(
                            "A description for people who cannot see it: one line (line breaks and control \
                             characters become spaces), of which the first 1000 characters are kept.",
                        )),
                    )
                    .required("image"),
            ),
        )
        .build();
    let add_image = OperationBuilder::new()
        .tag("journal")
        .summary(Some("Attach an image to a journal entry"))
        .operation_id(Some("add_journal_image"))
        .parameter(id_parameter("id", "the journal entry"))
        .request_body(Some(upload.clone()))
        .response("201", response("The stored image", Some(schema_ref("ImageRef"))));
    let add_image = with_errors(
        add_image,
        Errors { multipart: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    let remove_image = OperationBuilder::new()
        .tag("journal")
        .summary(Some("Remove an image from a journal entry"))
        .operation_id(Some("remove_journal_image"))
        .parameter(id_parameter("id", "the journal entry"))
        .parameter(id_parameter("image_id", "the image"))
        .response("204", response("Removed", None));
    let remove_image =
        with_errors(remove_image, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
    let add_draft = OperationBuilder::new()
        .tag("journal")
        .summary(Some("Upload an image for an entry not saved yet"))
        .description(Some(
            "The image waits as a draft, visible to you only. The entry you then create or change with a link to it \
             in its `body` (the `url` answered, `/files/{id}`) takes it; a draft no entry takes is removed after a \
             day. At most 30 drafts wait at once (422).",
        ))
        .operation_id(Some("add_journal_draft_image"))
        .request_body(Some(upload.clone()))
        .response("201", response("The stored image", Some(schema_ref("ImageRef"))));
    let add_draft = with_errors(add_draft, Errors { multipart: true, changes: true, ..Errors::default() });
    openapi.paths.add_path_operation("/journal/images", vec![HttpMethod::Post], add_draft.build());
    openapi.paths.add_path_operation("/journal/{id}/images", vec![HttpMethod::Post], add_image.build());
    openapi.paths.add_path_operation("/journal/{id}/images/{image_id}", vec![HttpMethod::Delete], remove_image.build());
}

/// The profile and the interview-prep texts: one of each per account, read and changed.
fn account_paths(openapi: &mut OpenApi) {
    let singletons = [
        ("/profile", "profile", "profile", "Profile", "ProfileWrite", "Your profile"),
        (
            "/interview-prep",
            "job search",
            "interview_prep",
            "InterviewPrep",
            "PrepWrite",
            "Your resume text and LinkedIn summary for interview preparation",
        ),
    ];
    for (path, tag, name, schema, write, summary) in singletons {
        let get = OperationBuilder::new()
            .tag(tag)
            .summary(Some(summary))
            .operation_id(Some(format!("get_{name}")))
            .response("200", response(summary, Some(schema_ref(schema))));
        let patch = OperationBuilder::new()
            .tag(tag)
            .summary(Some(format!("Change {}: only the fields sent change", summary.to_lowercase())))
            .operation_id(Some(format!("update_{name}")))
            .request_body(body(write))
            .response("200", response("What is kept now", Some(schema_ref(schema))));
        let get = with_errors(get, Errors::default());
        let patch = with_errors(patch, Errors { json_body: true, changes: true, ..Errors::default() });
        openapi.paths.add_path_operation(path, vec![HttpMethod::Get], get.build());
        openapi.paths.add_path_operation(path, vec![HttpMethod::Patch], patch.build());
    }

    // The account's preferences (its GET is `web::api::me`).
    let preferences = OperationBuilder::new()
        .tag("account")
        .summary(Some("Change your preferences: only the fields sent change"))
        .description(Some(
            "The time zone times are shown in and the currency salaries are in when none is given. `null` (or \
             `\"\"`) clears one.",
        ))
        .operation_id(Some("update_me"))
        .request_body(body("PreferencesWrite"))
        .response("200", response("The account as it is now", Some(schema_ref("Me"))));
    let preferences = with_errors(preferences, Errors { json_body: true, changes: true, ..Errors::default() });
    openapi.paths.add_path_operation("/me", vec![HttpMethod::Patch], preferences.build());

    // The document itself needs no token.
    let mut document = OperationBuilder::new()
        .tag("meta")
        .summary(Some("This OpenAPI document"))
        .operation_id(Some("get_openapi_document"))
        .response("200", response("The OpenAPI 3.1 document", Some(typed(Type::Object).into())))
        .build();
    document.security = Some(Vec::new());
    openapi.paths.add_path_operation("/openapi.json", vec![HttpMethod::Get], document);
}

/// The search box's answer over the API.
fn search_paths(openapi: &mut OpenApi) {
    let words = typed(Type::String);
    let page = typed(Type::Integer).minimum(Some(1));
    let search = OperationBuilder::new()
        .tag("search")
        .summary(Some("Find your own records by their words, best matches first"))
        .description(Some(
            "Every word must be in the record (its title or text); the last may be the start of a word. Punctuation, \
             quotes and operators only separate words. A title match ranks above a match in the text. Pages hold 20 \
             records; a query without a word finds nothing.",
        ))
        .operation_id(Some("search"))
        .parameter(query("q", words, "The words to find."))
        .parameter(query(
            "page",
            page,
            "Page number, from 1 (the default), at most 50. Read leniently: a value that is not a whole number reads \
         as 1, and one out of range as the nearest page.",
        ))
        .response("200", response("The records found", Some(schema_ref("SearchResults"))));
    let search = with_errors(search, Errors { parameters: true, ..Errors::default() });
    openapi.paths.add_path_operation("/search", vec![HttpMethod::Get], search.build());
}

/// Resume import: upload a resume, read its review, apply the rows kept, or discard it.
fn import_paths(openapi: &mut OpenApi) {
    let tag = "resume import";
    let upload = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "multipart/form-data",
            json(
                typed(Type::Object)
                    .property(
                        "file",
                        typed(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).description(
                            Some("A resume: PDF, Word (.docx), plain text or Markdown, at most 5 MB. It is not kept."),
                        ),
                    )
                    .property(
                        "read_by",
                        typed(Type::String).enum_values(Some(["parser", "ai"])).description(Some(
                            "`parser` (the default): Careerlog reads it, nothing leaves the server. `ai`: its text, and \
                             nothing else, goes to the instance's AI provider.",
                        )),
                    )
                    .required("file"),
            ),
        )
        .build();
    let start = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Upload a resume to import"))
        .description(Some(
            "Reads the file into rows to review (a record each, plus contact details, profile links and languages for \
             the profile). Nothing is added to your record until you apply. The review waits, encrypted, for 24 hours \
             at most; at most 5 wait at once (a new one replaces the oldest). A file that cannot be read answers 422 \
             with the reason on `file`: too large, not the type it claims, encrypted, too many pages, a zip bomb, no \
             text.",
        ))
        .operation_id(Some("start_import"))
        .request_body(Some(upload))
        .response("201", response("The import to review", Some(schema_ref("ImportReview"))))
        .response(
            "429",
            error("With `ai`: your AI runs this hour or your monthly allowance are used up (`rate_limited`)"),
        )
        .response("502", error("With `ai`: the AI provider failed; nothing was kept (`upstream_failed`)"))
        .response("503", error("With `ai`: this instance has no AI provider configured (`not_configured`)"));
    let start = with_errors(start, Errors { multipart: true, changes: true, ..Errors::default() });
    let get = OperationBuilder::new()
        .tag(tag)
        .summary(Some("An import awaiting review"))
        .operation_id(Some("get_import"))
        .parameter(id_parameter("id", "the import"))
        .response("200", response("The import to review", Some(schema_ref("ImportReview"))));
    let get = with_errors(get, Errors { parameters: true, record: true, ..Errors::default() });
    let discard = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Discard an import"))
        .description(Some("Its text and rows are deleted now."))
        .operation_id(Some("discard_import"))
        .parameter(id_parameter("id", "the import"))
        .response("204", response("Discarded", None));
    let discard = with_errors(discard, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
    let apply = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Apply an import: create the rows kept"))
        .description(Some(
            "Creates a record for each row named, with its `fields` changes laid over the parsed ones (`null` clears \
             one), exactly as the record's own create would; kept contact details fill only empty profile fields, and \
             kept links and languages join the profile's. Every row is checked first: if any has a mistake nothing is \
             written, and 422 names each as `{row id}.{field}`. The import is then gone.",
        ))
        .operation_id(Some("apply_import"))
        .parameter(id_parameter("id", "the import"))
        .request_body(body("ApplyWrite"))
        .response("201", response("What was created", Some(schema_ref("Applied"))));
    let apply = with_errors(
        apply,
        Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    openapi.paths.add_path_operation("/imports", vec![HttpMethod::Post], start.build());
    openapi.paths.add_path_operation("/imports/{id}", vec![HttpMethod::Get], get.build());
    openapi.paths.add_path_operation("/imports/{id}", vec![HttpMethod::Delete], discard.build());
    openapi.paths.add_path_operation("/imports/{id}/apply", vec![HttpMethod::Post], apply.build());
    let documents = [
        (
            "/resume.json",
            "export_json_resume",
            "Your resume as a JSON Resume document",
            "JSON Resume (schema v1.0.0): your profile's contact details, links and languages, and every record \
             marked \"on my resume\" (achievements as awards). `POST /imports` reads such a file back.",
            "application/json",
            "resume.json",
        ),
        (
            "/resume.docx",
            "export_docx_resume",
            "Your resume as a Word document",
            "A one-column Word document that applicant tracking systems read well: real headings and bulleted \
             lists, working links, no tables or text boxes. The same records as the JSON Resume export.",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "resume.docx",
        ),
        (
            "/resume.pdf",
            "export_pdf_resume",
            "Your resume as a PDF",
            "A printable A4 PDF with selectable text and working links, made on the server. The same records as \
             the JSON Resume export.",
            "application/pdf",
            "resume.pdf",
        ),
    ];
    for (path, id, summary, description, content_type, file_name) in documents {
        let export = OperationBuilder::new()
            .tag(tag)
            .summary(Some(summary))
            .description(Some(description))
            .operation_id(Some(id))
            .parameter(query(
                "label",
                typed(Type::String).max_length(Some(200)),
                "Only the records on your resume that carry this label (any of your labels, by name).",
            ))
            .response(
                "200",
                ResponseBuilder::new()
                    .description(format!("The document, as a download ({file_name})"))
                    .content(
                        content_type,
                        if content_type == "application/json" {
                            json(typed(Type::Object))
                        } else {
                            ContentBuilder::new()
                                .schema(Some(
                                    typed(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
                                ))
                                .build()
                        },
                    )
                    .build(),
            )
            .response(
                "422",
                response(
                    "`label` names none of your labels (`validation_failed`)",
                    Some(schema_ref("ValidationFailed")),
                ),
            );
        let export = with_errors(export, Errors { parameters: true, ..Errors::default() });
        openapi.paths.add_path_operation(path, vec![HttpMethod::Get], export.build());
    }
}

/// AI interview preparation for one interview: run it, read what it wrote, delete it.
fn ai_prep_paths(openapi: &mut OpenApi) {
    let tag = "interview preparation";
    let path = "/interviews/{id}/prep";
    let run = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Prepare for the interview with AI"))
        .description(Some(
            "Runs the instance's AI provider on exactly this material: the opportunity's company, role and job \
             description; the round's name and kind; your resume text and LinkedIn summary (`/interview-prep`); the \
             debriefs of earlier rounds for the same opportunity; and the achievements and journal entries named (by \
             default your latest 20 achievements and no journal entry). Waits for the end, keeps the document \
             (replacing an earlier one for this interview) and answers it: likely questions, a story bank whose \
             stories link to the records they come from, questions to ask and gaps to prepare. An empty body `{}` \
             takes the defaults.",
        ))
        .operation_id(Some("run_interview_prep"))
        .parameter(id_parameter("id", "the interview"))
        .request_body(body("PrepRunWrite"))
        .response("201", response("What the preparation wrote, as kept", Some(schema_ref("PrepDocument"))))
        .response(
            "429",
            error("Your AI runs this hour or your monthly allowance are used up (`rate_limited`, with Retry-After)"),
        )
        .response("502", error("The AI provider failed; nothing was kept (`upstream_failed`)"))
        .response("503", error("This instance has no AI provider configured (`not_configured`)"));
    let run = with_errors(
        run,
        Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    let get = OperationBuilder::new()
        .tag(tag)
        .summary(Some("The AI preparation kept for the interview"))
        .operation_id(Some("get_interview_prep"))
        .parameter(id_parameter("id", "the interview"))
        .response("200", response("The preparation", Some(schema_ref("PrepDocument"))));
    let mut get = with_errors(get, Errors { parameters: true, record: true, ..Errors::default() }).build();
    if let Some(RefOr::T(not_found)) = get.responses.responses.get_mut("404") {
        not_found.description = "No preparation kept yet, or no such interview of yours (`not_found`)".into();
    }
    let delete = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Delete the AI preparation kept for the interview"))
        .operation_id(Some("delete_interview_prep"))
        .parameter(id_parameter("id", "the interview"))
        .response("204", response("Deleted", None));
    let delete = with_errors(delete, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
    openapi.paths.add_path_operation(path, vec![HttpMethod::Post], run.build());
    openapi.paths.add_path_operation(path, vec![HttpMethod::Get], get);
    openapi.paths.add_path_operation(path, vec![HttpMethod::Delete], delete.build());
}

/// Labels by AI: suggestions for a category or one record (nothing created or applied), and
/// bulk linking (applied, with undo).
fn ai_label_paths(openapi: &mut OpenApi) {
    let tag = "labels";
    let ai_errors = |operation: OperationBuilder, nothing: &str| {
        operation
            .response(
                "429",
                error(
                    "Your AI runs this hour or your monthly allowance are used up (`rate_limited`, with Retry-After)",
                ),
            )
            .response("502", error(&format!("The AI provider failed; {nothing} (`upstream_failed`)")))
            .response("503", error("This instance has no AI provider configured (`not_configured`)"))
    };
    let suggest = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Suggest new labels in a category with AI; none is created"))
        .description(Some(
            "Runs the instance's AI provider on exactly this: your 15 most recent experiences (role, company, \
             location, dates, the first 600 characters of the description), 15 projects (name, role, type, \
             description), your skill names, the names of your labels, and the category. Answers the suggested \
             names you do not have yet, each with a reason. Create the ones you keep with `POST /labels`.",
        ))
        .operation_id(Some("suggest_labels"))
        .request_body(body("LabelSuggestionsWrite"))
        .response("200", response("The suggestions", Some(schema_ref("LabelSuggestions"))));
    let suggest = with_errors(
        ai_errors(suggest, "nothing was created"),
        Errors { json_body: true, changes: true, ..Errors::default() },
    );
    let link_one = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Suggest which of your labels fit one record, with AI; none is applied"))
        .description(Some(
            "Sends the names of your labels and the record's own text fields (its id and kind). Answers labels you \
             have that are not on the record yet, each with a reason; a name the model invents is dropped. Apply \
             the ones you keep by changing the record's `labels`. 404 when the record is not yours; 422 when you \
             have no labels.",
        ))
        .operation_id(Some("suggest_label_links"))
        .request_body(body("LinkSuggestionsWrite"))
        .response("200", response("The suggestions", Some(schema_ref("RecordLinkSuggestions"))));
    let link_one = with_errors(
        ai_errors(link_one, "nothing was applied"),
        Errors { json_body: true, record: true, changes: true, ..Errors::default() },
    );
    let link_bulk = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Link your labels across your records with AI, applied at once"))
        .description(Some(
            "Sends the names of your labels and the text of your 40 most recently changed experiences, skills, \
             projects, achievements, education, certifications and journal entries; adds every suggested link \
             that is new (at most 20 labels on a record) and answers the batch. `DELETE \
             /labels/link-batches/{id}` undoes it for 7 days. No body is needed. 422 when you have no labels or \
             no records.",
        ))
        .operation_id(Some("link_labels_in_bulk"))
        .response("201", response("The links added, as one batch", Some(schema_ref("LinkBatch"))));
    let link_bulk =
        with_errors(ai_errors(link_bulk, "nothing was applied"), Errors { changes: true, ..Errors::default() })
            .response(
                "422",
                response(
                    "You have no labels, or no records to link (`validation_failed`)",
                    Some(schema_ref("ValidationFailed")),
                ),
            );
    let undo = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Undo a bulk linking batch"))
        .description(Some(
            "Takes off exactly the links the batch added (a link you added yourself stays), then forgets the batch.",
        ))
        .operation_id(Some("undo_label_link_batch"))
        .parameter(id_parameter("id", "the batch"))
        .response("204", response("Undone", None));
    let undo = with_errors(undo, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
    openapi.paths.add_path_operation("/labels/suggestions", vec![HttpMethod::Post], suggest.build());
    openapi.paths.add_path_operation("/labels/link-suggestions", vec![HttpMethod::Post], link_one.build());
    openapi.paths.add_path_operation("/labels/link-batches", vec![HttpMethod::Post], link_bulk.build());
    openapi.paths.add_path_operation("/labels/link-batches/{id}", vec![HttpMethod::Delete], undo.build());
}

/// The job search's routes beyond create/read/update/delete: the timeline, connected contacts
/// and interviewers.
fn job_search_paths(openapi: &mut OpenApi) {
    let tag = "job search";
    let timeline = OperationBuilder::new()
        .tag(tag)
        .summary(Some("An opportunity's activity timeline, newest first"))
        .operation_id(Some("get_timeline"))
        .parameter(id_parameter("id", "the opportunity"))
        .response("200", response("The timeline", Some(Array::new(schema_ref("Event")).into())));
    let timeline = with_errors(timeline, Errors { parameters: true, record: true, ..Errors::default() });
    let add_entry = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Add an email, call, follow-up or note to the timeline"))
        .operation_id(Some("add_timeline_entry"))
        .parameter(id_parameter("id", "the opportunity"))
        .request_body(body("TimelineEntryWrite"))
        .response("201", response("The timeline with the entry", Some(Array::new(schema_ref("Event")).into())));
    let add_entry = with_errors(
        add_entry,
        Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    openapi.paths.add_path_operation("/opportunities/{id}/timeline", vec![HttpMethod::Get], timeline.build());
    openapi.paths.add_path_operation("/opportunities/{id}/timeline", vec![HttpMethod::Post], add_entry.build());
    let done = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Mark the next action done"))
        .description(Some(
            "The next action is the opportunity's first open task (soonest due first): it is marked done and goes on \
             the timeline, and the next open task, if any, becomes the next action. Without an open task nothing \
             changes. Tasks themselves are under `/tasks`.",
        ))
        .operation_id(Some("complete_next_action"))
        .parameter(id_parameter("id", "the opportunity"))
        .response("200", response("The opportunity as it is now", Some(schema_ref("Opportunity"))));
    let done = with_errors(done, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
    let snooze = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Put the next action off"))
        .description(Some(
            "The first open task's due date becomes `days` from today in the user's time zone. 422 when the \
             opportunity has no open task.",
        ))
        .operation_id(Some("snooze_next_action"))
        .parameter(id_parameter("id", "the opportunity"))
        .request_body(body("SnoozeWrite"))
        .response("200", response("The opportunity as it is now", Some(schema_ref("Opportunity"))));
    let snooze = with_errors(
        snooze,
        Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    openapi.paths.add_path_operation("/opportunities/{id}/next-action/done", vec![HttpMethod::Post], done.build());
    openapi.paths.add_path_operation("/opportunities/{id}/next-action/snooze", vec![HttpMethod::Post], snooze.build());
    let snooze_task = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Put a task off"))
        .description(Some(
            "Its due date becomes `days` from today in the user's time zone. 422 when the task is done already.",
        ))
        .operation_id(Some("snooze_task"))
        .parameter(id_parameter("id", "the task"))
        .request_body(body("SnoozeWrite"))
        .response("200", response("The task as it is now", Some(schema_ref("Task"))));
    let snooze_task = with_errors(
        snooze_task,
        Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    openapi.paths.add_path_operation("/tasks/{id}/snooze", vec![HttpMethod::Post], snooze_task.build());
    for (path, segment, what, record) in [
        ("opportunities", "contacts", "a contact with an opportunity", "the opportunity"),
        ("interviews", "interviewers", "an interviewer", "the interview"),
    ] {
        let item = format!("/{path}/{{id}}/{segment}/{{contact_id}}");
        let errors = Errors { parameters: true, record: true, changes: true, ..Errors::default() };
        let connect = OperationBuilder::new()
            .tag(tag)
            .summary(Some(format!("Connect {what}")))
            .operation_id(Some(format!("connect_{path}_{segment}")))
            .parameter(id_parameter("id", record))
            .parameter(id_parameter("contact_id", "the contact"))
            .response("204", response("Connected (again is harmless)", None));
        let disconnect = OperationBuilder::new()
            .tag(tag)
            .summary(Some(format!("Disconnect {what}")))
            .operation_id(Some(format!("disconnect_{path}_{segment}")))
            .parameter(id_parameter("id", record))
            .parameter(id_parameter("contact_id", "the contact"))
            .response("204", response("Disconnected", None));
        let mut disconnect = with_errors(disconnect, errors).build();
        if let Some(RefOr::T(not_found)) = disconnect.responses.responses.get_mut("404") {
            not_found.description = "Not connected, or no such record of yours (`not_found`)".into();
        }
        openapi.paths.add_path_operation(&item, vec![HttpMethod::Put], with_errors(connect, errors).build());
        openapi.paths.add_path_operation(&item, vec![HttpMethod::Delete], disconnect);
    }
}

/// Save a job from its posting URL (issue 19, item 1).
fn from_url_paths(openapi: &mut OpenApi) {
    let (name, schema) = named::<crate::domain::job_posting::OpportunityFromUrlWrite>();
    openapi.components.get_or_insert_with(Default::default).schemas.insert(name.clone(), schema);
    let codes = crate::domain::job_posting::PostingProblem::ALL
        .iter()
        .map(|problem| format!("`{}`", problem.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let location = HeaderBuilder::new()
        .schema(typed(Type::String).format(Some(SchemaFormat::Custom("uri-reference".into()))))
        .description(Some("The new record's address in the API."))
        .build();
    let mut created = response(
        "The new opportunity, as `POST /opportunities` answers; `Location` is its address",
        Some(schema_ref("Opportunity")),
    );
    created.headers.insert("Location".into(), location);
    let operation = OperationBuilder::new()
        .tag("job search")
        .summary(Some("Save a job from its posting URL"))
        .description(Some(
            "Fetches the page (http or https only; public internet addresses only, unless the instance allows \
             private ones for development; at most 10 seconds, 5 redirects and 3 MB; HTML only), reads the \
             schema.org `JobPosting` in its JSON-LD (else its OpenGraph tags, title and main text) and saves an \
             opportunity with status `saved` and the URL as its `posting_url`: company, role, location, work mode, \
             a yearly salary with its currency, the description as plain text (a salary by the hour or month goes \
             at the top of the description). At most 60 pages an hour per account, with the page's form and the \
             bookmarklet.",
        ))
        .operation_id(Some("create_opportunity_from_url"))
        .request_body(body(&name))
        .response("201", created);
    let mut operation = with_errors(operation, Errors { json_body: true, changes: true, ..Errors::default() })
        .response("429", error("More than 60 pages read in the last hour (`rate_limited`, with Retry-After)"))
        .build();
    operation.responses.responses.insert(
        "422".into(),
        RefOr::T(error(&format!(
            "No `url` (`validation_failed`), or no opportunity could be made of the page, with a message saying why \
             (also in `fields.url`): {codes}"
        ))),
    );
    openapi.paths.add_path_operation("/opportunities/from-url", vec![HttpMethod::Post], operation);
}

/// An opportunity's offer (one at a time) and its documents (issue 19, item 4).
fn offer_and_document_paths(openapi: &mut OpenApi) {
    let tag = "job search";
    let opportunity = || id_parameter("id", "the opportunity");
    let get_offer = OperationBuilder::new()
        .tag(tag)
        .summary(Some("An opportunity's offer"))
        .operation_id(Some("get_offer"))
        .parameter(opportunity())
        .response("200", response("The offer", Some(schema_ref("Offer"))));
    let mut get_offer = with_errors(get_offer, Errors { parameters: true, record: true, ..Errors::default() }).build();
    let put_offer = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Record the opportunity's offer, or replace the one recorded"))
        .description(Some(
            "The whole offer: a field left out is empty (`base_period` is then `year`). A `base_amount` needs its \
             `base_currency`, and at least one detail must be given (422). Recording an offer moves an opportunity \
             that is saved, applied, screening or interviewing to `offer`; the timeline gets an entry either way.",
        ))
        .operation_id(Some("put_offer"))
        .parameter(opportunity())
        .request_body(body("OfferWrite"))
        .response("200", response("The offer as saved", Some(schema_ref("Offer"))));
    let put_offer = with_errors(
        put_offer,
        Errors { json_body: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    let delete_offer = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Remove the opportunity's offer"))
        .operation_id(Some("delete_offer"))
        .parameter(opportunity())
        .response("204", response("Removed", None));
    let mut delete_offer =
        with_errors(delete_offer, Errors { parameters: true, record: true, changes: true, ..Errors::default() })
            .build();
    for operation in [&mut get_offer, &mut delete_offer] {
        if let Some(RefOr::T(not_found)) = operation.responses.responses.get_mut("404") {
            not_found.description = "No such opportunity of yours, or it has no offer (`not_found`)".into();
        }
    }
    openapi.paths.add_path_operation("/opportunities/{id}/offer", vec![HttpMethod::Get], get_offer);
    openapi.paths.add_path_operation("/opportunities/{id}/offer", vec![HttpMethod::Put], put_offer.build());
    openapi.paths.add_path_operation("/opportunities/{id}/offer", vec![HttpMethod::Delete], delete_offer);

    let list = OperationBuilder::new()
        .tag(tag)
        .summary(Some("The files attached to an opportunity, oldest first"))
        .operation_id(Some("list_documents"))
        .parameter(opportunity())
        .response("200", response("Its documents", Some(Array::new(schema_ref("Document")).into())));
    let list = with_errors(list, Errors { parameters: true, record: true, ..Errors::default() });
    let kinds = crate::domain::offers::DocumentKind::ALL.iter().map(|k| k.as_str());
    let upload = RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content(
            "multipart/form-data",
            json(
                typed(Type::Object)
                    .property(
                        "file",
                        typed(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))).description(
                            Some(
                                "A PDF, Word (.docx), OpenDocument text (.odt), plain text (UTF-8), PNG or JPEG file \
                                 of at most 10 MB (or the instance's upload limit, when lower); what it is comes from \
                                 its content, not its name. Anything else answers 422.",
                            ),
                        ),
                    )
                    .property("kind", crate::domain::schema::choice(kinds, false, false, "What the file is."))
                    .property(
                        "note",
                        typed(Type::String)
                            .max_length(Some(500))
                            .pattern(Some(crate::domain::schema::LINE))
                            .description(Some("An optional line about it.")),
                    )
                    .required("file")
                    .required("kind"),
            ),
        )
        .build();
    let add = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Attach a file to an opportunity"))
        .description(Some("An opportunity holds at most 50 files (422 beyond)."))
        .operation_id(Some("add_document"))
        .parameter(opportunity())
        .request_body(Some(upload))
        .response("201", response("The stored document", Some(schema_ref("Document"))));
    let add = with_errors(
        add,
        Errors { multipart: true, parameters: true, record: true, changes: true, ..Errors::default() },
    );
    let file = ContentBuilder::new()
        .schema(Some(typed(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))))
        .build();
    let download = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Download a document"))
        .operation_id(Some("download_document"))
        .parameter(opportunity())
        .parameter(id_parameter("document_id", "the document"))
        .response(
            "200",
            ResponseBuilder::new()
                .description(
                    "The file as it was uploaded (`Content-Disposition: attachment` with its safe name); its type is \
                     in the document's `content_type`",
                )
                .content("application/octet-stream", file)
                .build(),
        );
    let download = with_errors(download, Errors { parameters: true, record: true, ..Errors::default() });
    let remove = OperationBuilder::new()
        .tag(tag)
        .summary(Some("Delete a document and its file"))
        .operation_id(Some("delete_document"))
        .parameter(opportunity())
        .parameter(id_parameter("document_id", "the document"))
        .response("204", response("Deleted", None));
    let remove = with_errors(remove, Errors { parameters: true, record: true, changes: true, ..Errors::default() });
    openapi.paths.add_path_operation("/opportunities/{id}/documents", vec![HttpMethod::Get], list.build());
    openapi.paths.add_path_operation("/opportunities/{id}/documents", vec![HttpMethod::Post], add.build());
    let item = "/opportunities/{id}/documents/{document_id}";
    openapi.paths.add_path_operation(item, vec![HttpMethod::Get], download.build());
    openapi.paths.add_path_operation(item, vec![HttpMethod::Delete], remove.build());
}

/// The full export (issue 14, item 3).
fn user_data_paths(openapi: &mut OpenApi) {
    let zip = utoipa::openapi::ContentBuilder::new()
        .schema(Some(typed(Type::String).content_media_type("application/zip")))
        .build();
    let export = OperationBuilder::new()
        .tag("your data")
        .summary(Some("Everything you have here, as one ZIP"))
        .description(Some(
            "A ZIP streamed as it is written: `README.txt` (what is where, and what is left out and why), \
             `export.json` (one key per table, each an array of row objects), `csv/<table>.csv` (the same rows, one \
             file a table, with a header row; text starting with `=`, `+`, `-`, `@` or a tab begins with `'` so \
             spreadsheets show it rather than run it) and `files/` (your uploaded files). Every record, label and \
             link, note, timeline event, interview, contact, prep text, your profile and preferences, your public \
             pages' daily figures, AI run history and API token names. Secrets (password and token hashes, session \
             ids) are never in it.",
        ))
        .operation_id(Some("export_everything"))
        .response(
            "200",
            ResponseBuilder::new()
                .description("The ZIP, as a download (`Content-Disposition: attachment`)")
                .content("application/zip", zip)
                .build(),
        );
    let export = with_errors(export, Errors::default()).response(
        "429",
        error("More than 20 exports in the last hour, from the API and the page together (`rate_limited`)"),
    );
    openapi.paths.add_path_operation("/export", vec![HttpMethod::Get], export.build());
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use crate::domain::schema;

    /// Every text field a request may send states its rule (a choice, a format or a pattern),
    /// and the patterns written out in field attributes are the ones `domain::schema` names.
    #[test]
    fn every_text_field_of_a_request_states_its_rule() {
        let doc = serde_json::to_value(crate::web::api::ApiDoc::openapi()).unwrap();
        let built = [
            schema::partial_date(),
            schema::partial_date_or_null(),
            schema::day(),
            schema::day_or_null(),
            schema::interview_start(),
            schema::web_link_input(),
        ];
        let mut known: Vec<String> =
            [schema::LINE, schema::LINE_NEEDED, schema::TEXT, schema::TEXT_NEEDED, schema::LABEL_NAME]
                .iter()
                .map(|p| (*p).to_owned())
                .chain(built.iter().filter_map(|s| s.pattern.clone()))
                .collect();
        // Shapes of their own: a colour, a currency code, a phone number, a username.
        known.extend(
            [r"^#?[0-9A-Fa-f]{6}$", r"^[A-Za-z]{3}$", r"^[0-9 +().-]*$", r"^[A-Za-z](-?[A-Za-z0-9])+$"]
                .map(String::from),
        );
        let mut checked = 0;
        for (name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            if !(name.ends_with("Write") || name.ends_with("Create")) {
                continue;
            }
            let object = if schema["allOf"].is_array() { &schema["allOf"][0] } else { schema };
            for (field, property) in object["properties"].as_object().unwrap() {
                let types = &property["type"];
                let is_text = types == "string" || types.as_array().is_some_and(|t| t.iter().any(|t| t == "string"));
                if !is_text {
                    continue;
                }
                checked += 1;
                let stated =
                    property["enum"].is_array() || property["format"].is_string() || property["pattern"].is_string();
                assert!(stated, "{name}.{field} states no rule: {property}");
                if let Some(pattern) = property["pattern"].as_str() {
                    assert!(known.iter().any(|k| k == pattern), "{name}.{field}: unknown pattern {pattern}");
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }
}
