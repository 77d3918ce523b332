"""Schemathesis hooks for fuzz.py (loaded through SCHEMATHESIS_HOOKS).

An Idempotency-Key stands for one request: the server answers a key sent
again with another request with 422 (idempotency-key-reused), as the
document says. Generated keys repeat (`0`, `A`), so every well-formed key is
replaced by a fresh one; malformed keys are left alone for the 400 they get.
The end2end/api client test covers sending the same key twice.
"""

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and WELL_FORMED.match(str(headers[name])):
            headers[name] = str(uuid.uuid4())
