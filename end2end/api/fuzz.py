"""Schemathesis against a running Kanri (127.0.0.1 only, throwaway database).

Seeds an account, a token, a project and issues through the public HTTP
surface, then fuzzes every documented operation of /api/v1 with all of
schemathesis's checks over its examples, coverage, fuzzing and stateful
phases (the stateful one walks the document's links: create, read, change
with the ETag), within a bounded number of examples and seconds. Fails on
any finding: a 5xx, an answer the document does not declare (status, content
type, headers, schema), a request the document allows that is refused, one
it forbids that is accepted, a missing If-Match not refused with 428.

usage: fuzz.py BASE_URL   (e.g. http://127.0.0.1:7123)
env: KANRI_FUZZ_SEED, KANRI_FUZZ_EXAMPLES, KANRI_FUZZ_SECONDS
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

def call(base, method, path, *, form=None, body=None, headers=None):
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Accept"] = "application/json"
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=20) as res:
        return res.headers, json.loads(res.read() or b"null")


def wait_until_up(base):
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.25)
    sys.exit("the server did not come up within 60 s")


def seed(base):
    headers, _ = call(base, "POST", "/auth/sign-up", body={
        "name": "fuzzer", "email": "fuzzer@example.test",
        "display_name": "Fuzzer", "password": "correct horse battery",
    })
    cookie = headers["Set-Cookie"].split(";")[0]
    call(base, "POST", "/api/fn/create_project", headers={"Cookie": cookie},
         form={"name": "Fuzzing", "key": "FZ", "kind": "scrum"})
    _, token = call(base, "POST", "/api/fn/create_api_token", headers={"Cookie": cookie},
                    form={"name": "schemathesis", "expires": ""})
    bearer = {"Authorization": "Bearer " + token["secret"]}
    for title in ("First", "Second", "Third"):
        call(base, "POST", "/api/v1/projects/FZ/issues", headers=bearer, body={"title": title})
    _, project = call(base, "GET", "/api/v1/projects/FZ", headers=bearer)
    _, page = call(base, "GET", "/api/v1/projects/FZ/issues?limit=1", headers=bearer)
    return token["secret"], {
        "status": str(project["statuses"][0]["id"]),
        "cursor": page["next"],
    }


CONFIG = """
# The token, through the document's security scheme (so the checker knows
# which header authenticates and what its absence must get: 401).
[auth.openapi.bearer]
bearer = "{token}"

# Bodies that name other things (a status by name, an assignee, an issue
# key of this project, a sprint) are refused with 422 when no such thing
# exists here: a rule of the state that no schema can state. Deleting a
# worklog takes `by` with `remaining=set|manual` only: a rule across two
# query parameters, which OpenAPI cannot state either.
[[operations]]
include-operation-id = [
  "issues_create", "issues_patch", "issues_transition", "issues_move_issue",
  "issues_rank", "issues_link", "sprints_complete", "activity_delete_worklog",
]
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]

# The one required header is If-Match; without it the answer is RFC 6585's
# 428, as the document says.
[checks.missing_required_header]
expected-statuses = [428]

# A schema-valid change based on a version other than the current one gets
# 412, as the document says (the version is state, not shape).
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]

# A body over the size limit is refused with 413, as the document says.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""


def main():
    base = sys.argv[1]
    assert base.startswith("http://127.0.0.1:"), "fuzz only the local server"
    wait_until_up(base)
    token, found = seed(base)
    examples = os.environ.get("KANRI_FUZZ_EXAMPLES", "40")
    seconds = os.environ.get("KANRI_FUZZ_SECONDS", "150")
    seed_value = os.environ.get("KANRI_FUZZ_SEED", "7")
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "schemathesis.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(token=token))
        env = dict(os.environ)
        # fuzz_hooks.py: real resources in path and query (see there), and
        # a fresh Idempotency-Key per generated request.
        env["KANRI_FUZZ_FOUND"] = json.dumps({"project": "FZ", "issue": "FZ-1", **found})
        env["PYTHONPATH"] = os.path.dirname(os.path.abspath(__file__))
        env["SCHEMATHESIS_HOOKS"] = "fuzz_hooks"
        cmd = [
            os.environ.get("SCHEMATHESIS", "schemathesis"), "--config-file", config,
            "run", base + "/api/v1/openapi.json", "--url", base,
            "--checks", "all", "--max-examples", examples, "--max-time", seconds,
            "--seed", seed_value, "--workers", "1", "--request-timeout", "20",
            "--phases", "examples,coverage,fuzzing,stateful", "--generation-database", "none",
            "--no-color",
            # A generated webhook URL would make the server call hosts other
            # than 127.0.0.1; the Rust tests cover webhooks with a local receiver.
            "--exclude-path-regex", "/webhooks",
        ]
        print("schemathesis", " ".join(cmd[3:]), flush=True)
        return subprocess.call(cmd, cwd=tmp, env=env)


if __name__ == "__main__":
    sys.exit(main())
