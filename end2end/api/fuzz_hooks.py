"""Schemathesis hooks for fuzz.py (loaded through SCHEMATHESIS_HOOKS).

Real resources: generated keys name projects and issues that do not exist,
so requests would stop at 404 before reaching a handler. Where the path or
the query of a case was generated as valid, its keys are replaced by the
ones fuzz.py seeded (KANRI_FUZZ_FOUND), and the values no schema can state
(a cursor the API gave out, a query in the query language, a status of the
project, a report window of at most 92 days) by real ones. Where that part
was generated as invalid it is left alone: the check that invalid input is
refused must see the invalid value. Keys that already name a seeded
resource (e.g. FZ-7 from a link followed in the stateful phase) are kept.

Idempotency keys: an Idempotency-Key stands for one request; the server
answers a key sent again with another request with 422
(idempotency-key-reused), as the document says. Generated keys repeat (`0`,
`A`), so every well-formed key is replaced by a fresh one; malformed keys
are left alone for the 400 they get. The end2end/api client test covers
sending the same key twice.
"""

import datetime
import json
import os
import re
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")
FOUND = json.loads(os.environ.get("KANRI_FUZZ_FOUND", "{}"))
OUR_ISSUE = re.compile(r"^%s-[1-9][0-9]*$" % re.escape(FOUND.get("project", "FZ")))

# Query values by operation id: what a valid request of it looks like here.
QUERY = {
    "issues_list": {"cursor": "cursor", "q": None, "status": "status"},
    "issues_search": {"cursor": "cursor", "q": None, "status": "status"},
    "projects_reports": {"from": None, "to": None},
}
# A report's window ends today when `to` is left out, so `from` is recent.
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
FIXED = {
    "q": "type = task",
    "from": (TODAY - datetime.timedelta(days=30)).isoformat(),
    "to": TODAY.isoformat(),
}


def generated_valid(case, location):
    return not case.meta or not case.meta.is_negative_at(location)


def pin_path(case):
    params = case.path_parameters or {}
    if "key" not in params or not generated_valid(case, ParameterLocation.PATH):
        return
    if case.operation.path.startswith("/api/v1/projects/"):
        params["key"] = FOUND["project"]
    elif case.operation.path.startswith("/api/v1/issues/"):
        if not OUR_ISSUE.match(str(params["key"])):
            params["key"] = FOUND["issue"]


def pin_query(case):
    wanted = QUERY.get(case.operation.definition.raw.get("operationId"))
    if not wanted or case.query is None or not generated_valid(case, ParameterLocation.QUERY):
        return
    for name, found in wanted.items():
        if name in case.query:
            case.query[name] = FOUND[found] if found else FIXED[name]


@schemathesis.hook
def before_call(context, case, kwargs):
    pin_path(case)
    pin_query(case)
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and WELL_FORMED.match(str(headers[name])):
            headers[name] = str(uuid.uuid4())
