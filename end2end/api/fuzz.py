"""Schemathesis against a running Kanri (127.0.0.1 only, throwaway database).

Seeds an account, a token, a project and issues through the public HTTP
surface, then fuzzes every documented operation of /api/v1 within a bounded
number of examples and seconds. Fails on any 5xx and on any answer the
OpenAPI document does not declare (status, content type, headers, schema).

usage: fuzz.py BASE_URL   (e.g. http://127.0.0.1:7123)
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
])


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
    return token["secret"]


CONFIG = """
# Real resources for the path parameters, so generated bodies reach the
# handlers instead of stopping at 404.
[[operations]]
include-path-regex = "^/api/v1/projects/"
parameters = {{ "path.key" = "FZ" }}

[[operations]]
include-path-regex = "^/api/v1/issues/"
parameters = {{ "path.key" = "FZ-{issue}" }}
"""


def main():
    base = sys.argv[1]
    assert base.startswith("http://127.0.0.1:"), "fuzz only the local server"
    wait_until_up(base)
    token = seed(base)
    examples = os.environ.get("KANRI_FUZZ_EXAMPLES", "40")
    seconds = os.environ.get("KANRI_FUZZ_SECONDS", "120")
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "schemathesis.toml")
        with open(config, "w") as f:
            f.write(CONFIG.format(issue=1))
        cmd = [
            os.environ.get("SCHEMATHESIS", "schemathesis"), "--config-file", config,
            "run", base + "/api/v1/openapi.json", "--url", base,
            "-H", "Authorization: Bearer " + token,
            "--checks", CHECKS, "--max-examples", examples, "--max-time", seconds,
            "--seed", "7", "--workers", "1", "--request-timeout", "20",
            "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
            "--no-color",
            # A generated webhook URL would make the server call hosts other
            # than 127.0.0.1; the Rust tests cover webhooks with a local receiver.
            "--exclude-path-regex", "/webhooks",
        ]
        shown = ["Authorization: Bearer …" if c.startswith("Authorization") else c for c in cmd[3:]]
        print("schemathesis", " ".join(shown), flush=True)
        return subprocess.call(cmd, cwd=tmp)


if __name__ == "__main__":
    sys.exit(main())
