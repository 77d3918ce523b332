//! What the API document adds to what the handlers' attributes say, in one
//! place: every answer an operation can give (with its problem type), the
//! rules of the path parameters, unique operation ids, and the links a
//! client follows from a creation to the read and the changes (ETag
//! included).

use serde_json::{Value, json};
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr};

use super::problem::PROBLEM_JSON;
use super::rules;

pub struct Contract;

impl utoipa::Modify for Contract {
    fn modify(&self, doc: &mut OpenApi) {
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op.as_mut() {
                    name(op);
                    path_rules(path, op);
                    answers(method, op);
                }
            }
        }
        needs_a_field(doc, "IssuePatchBody");
        for (path, method, status, links) in LINKS {
            let op = doc
                .paths
                .paths
                .get_mut(*path)
                .and_then(|item| match *method {
                    "get" => item.get.as_mut(),
                    _ => item.post.as_mut(),
                });
            let Some(RefOr::T(response)) =
                op.and_then(|op| op.responses.responses.get_mut(*status))
            else {
                panic!("a link starts at a documented answer: {method} {path} {status}");
            };
            for (name, target, parameters, description) in *links {
                let mut link = LinkBuilder::new()
                    .operation_id(*target)
                    .description(*description);
                for (parameter, expression) in *parameters {
                    link = link.parameter(*parameter, *expression);
                }
                response.links.insert((*name).into(), link.build().into());
            }
        }
    }
}

/// A patch that changes nothing is refused (422), so the document says a
/// patch names at least one field. Set here, not with the derive's
/// `min_properties`: utoipa-gen 5.5 writes that one as `maxProperties`.
fn needs_a_field(doc: &mut OpenApi, schema: &str) {
    let found = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut(schema));
    let Some(RefOr::T(Schema::Object(object))) = found else {
        panic!("{schema} is a documented object schema");
    };
    object.min_properties = Some(1);
}

/// `{tag}_{function}`: the functions' names repeat across tags (`get`).
fn name(op: &mut Operation) {
    let tag = op.tags.as_ref().and_then(|t| t.first()).cloned();
    if let (Some(tag), Some(id)) = (tag, op.operation_id.as_mut()) {
        *id = format!("{tag}_{id}");
    }
}

/// The path parameters' rules: a key that does not parse is a 404.
fn path_rules(path: &str, op: &mut Operation) {
    let issue_path = path.starts_with("/api/v1/issues/");
    for p in op.parameters.iter_mut().flatten() {
        if !matches!(p.parameter_in, ParameterIn::Path) {
            continue;
        }
        let schema = match p.name.as_str() {
            "key" if issue_path => json!({"type": "string",
                "pattern": "^[A-Z]{2,10}-0*[1-9][0-9]{0,8}$", "examples": ["ABC-12"]}),
            "key" => json!({"type": "string", "pattern": "^[A-Z]{2,10}$", "examples": ["ABC"]}),
            "number" => json!({"type": "integer", "minimum": 1, "maximum": u32::MAX}),
            "id" => json!({"type": "integer", "format": "int64", "minimum": 1}),
            _ => continue,
        };
        p.schema = Some(rules::rule(schema).into());
    }
}

/// A problem answer: `application/problem+json` with the `Problem` schema.
fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        Content::new(Some(Ref::from_schema_name("Problem"))),
    )
}

fn header(description: &str) -> Header {
    let mut h = Header::new(rules::rule(json!({"type": "string"})));
    h.description = Some(description.into());
    h
}

/// Every answer the operation can give besides its successes, from what it
/// takes: a body, query parameters, `If-Match`; and whether it changes anything.
fn answers(method: &str, op: &mut Operation) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |name: &str| params.iter().any(|p| p.name == name);
    let has_query = params
        .iter()
        .any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let body = op.request_body.is_some();
    let changes = method != "get";
    let mut add = |status: &str, response: ResponseBuilder| {
        op.responses
            .responses
            .insert(status.into(), response.build().into());
    };
    add(
        "400",
        problem(
            "malformed-request: the body is not JSON, or If-Match or Idempotency-Key is not well formed",
        ),
    );
    add(
        "401",
        problem("unauthorized: no valid token or session")
            .header("WWW-Authenticate", header("`Bearer realm=\"kanri\"`")),
    );
    add(
        "403",
        problem("forbidden: your role does not allow this, or the token is read-only"),
    );
    add(
        "404",
        problem("not-found: no such resource, or none you may see"),
    );
    if changes {
        add(
            "409",
            problem(
                "rejected: the current state does not allow this (e.g. another sprint is active)",
            ),
        );
    }
    if has("If-Match") {
        add(
            "412",
            problem(
                "version-conflict: others changed the same fields since your version; `conflict` holds \
                 the current resource (its version in the ETag) and their changes. Or version-ahead: \
                 If-Match names a version that does not exist yet",
            )
            .header("ETag", header("The current version, with version-conflict")),
        );
        add("428", problem("precondition-required: If-Match is missing"));
    }
    if body {
        add(
            "413",
            problem("payload-too-large: the body is over the limit"),
        );
        add(
            "415",
            problem("unsupported-media-type: send application/json"),
        );
    }
    if body || has_query || has("Idempotency-Key") {
        add(
            "422",
            problem(
                "invalid-field: a value breaks a rule (each in `errors`) or names something that \
                 does not exist here; or idempotency-key-reused: the key was sent with another request",
            ),
        );
    }
    add(
        "503",
        problem("unavailable: the server could not complete this; nothing was saved, retry"),
    );
    op.responses.responses.remove("4XX");
}

type Parameters = &'static [(&'static str, &'static str)];
/// (name, target operation, parameters, description).
type Links = &'static [(&'static str, &'static str, Parameters, &'static str)];

const ISSUE: Parameters = &[("path.key", "$response.body#/key")];
const ISSUE_AT_VERSION: Parameters = &[
    ("path.key", "$response.body#/key"),
    ("header.If-Match", "$response.header.ETag"),
];
const ISSUE_LINKS: Links = &[
    ("GetIssue", "issues_get", ISSUE, "Read the issue"),
    (
        "PatchIssue",
        "issues_patch",
        ISSUE_AT_VERSION,
        "Change it, based on this version",
    ),
    (
        "TransitionIssue",
        "issues_transition",
        ISSUE_AT_VERSION,
        "Change its status",
    ),
    (
        "MoveIssue",
        "issues_move_issue",
        ISSUE_AT_VERSION,
        "Move it on the board",
    ),
    ("RankIssue", "issues_rank", ISSUE_AT_VERSION, "Re-rank it"),
    (
        "LinkIssue",
        "issues_link",
        ISSUE_AT_VERSION,
        "Link it to another issue",
    ),
    ("AddComment", "activity_add_comment", ISSUE, "Comment on it"),
    ("LogWork", "activity_log_work", ISSUE, "Log work on it"),
];
const COMMENT: Parameters = &[
    ("path.key", "$request.path.key"),
    ("path.number", "$response.body#/number"),
    ("header.If-Match", "$response.header.ETag"),
];
const WORKLOG: Parameters = COMMENT;
const SPRINT: Parameters = &[
    ("path.key", "$request.path.key"),
    ("path.number", "$response.body#/number"),
];
const SPRINT_AT_VERSION: Parameters = &[
    ("path.key", "$request.path.key"),
    ("path.number", "$response.body#/number"),
    ("header.If-Match", "$response.header.ETag"),
];
const SPRINT_CHANGES: Links = &[
    (
        "StartSprint",
        "sprints_start",
        SPRINT_AT_VERSION,
        "Start it, based on this version",
    ),
    (
        "CompleteSprint",
        "sprints_complete",
        SPRINT_AT_VERSION,
        "Complete it",
    ),
];

/// Where each creation (and read) leads: (path, method, status, links).
const LINKS: &[(&str, &str, &str, Links)] = &[
    ("/api/v1/projects/{key}/issues", "post", "201", ISSUE_LINKS),
    ("/api/v1/issues/{key}", "get", "200", ISSUE_LINKS),
    (
        "/api/v1/issues/{key}/comments",
        "post",
        "201",
        &[
            (
                "EditComment",
                "activity_edit_comment",
                COMMENT,
                "Edit it (the ETag is the issue's)",
            ),
            (
                "DeleteComment",
                "activity_delete_comment",
                COMMENT,
                "Delete it",
            ),
        ],
    ),
    (
        "/api/v1/issues/{key}/worklogs",
        "post",
        "201",
        &[
            (
                "EditWorklog",
                "activity_edit_worklog",
                WORKLOG,
                "Edit it (the ETag is the issue's)",
            ),
            (
                "DeleteWorklog",
                "activity_delete_worklog",
                WORKLOG,
                "Delete it",
            ),
        ],
    ),
    (
        "/api/v1/projects/{key}/sprints",
        "post",
        "201",
        &[
            ("GetSprint", "sprints_get", SPRINT, "Read the sprint"),
            (
                "StartSprint",
                "sprints_start",
                SPRINT_AT_VERSION,
                "Start it, based on this version",
            ),
            (
                "CompleteSprint",
                "sprints_complete",
                SPRINT_AT_VERSION,
                "Complete it",
            ),
        ],
    ),
    (
        "/api/v1/projects/{key}/sprints/{number}",
        "get",
        "200",
        SPRINT_CHANGES,
    ),
];

/// utoipa 5 writes a link's fields in snake case (`operation_id`); OpenAPI
/// spells them in camel case. Fixed in the served document.
pub fn spell_links(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(Value::as_object_mut))
        .flat_map(|r| r.values_mut());
    for response in responses {
        let links = response.get_mut("links").and_then(Value::as_object_mut);
        for link in links.into_iter().flat_map(|l| l.values_mut()) {
            let Some(link) = link.as_object_mut() else {
                continue;
            };
            for (snake, camel) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(v) = link.remove(snake) {
                    link.insert(camel.into(), v);
                }
            }
        }
    }
}
