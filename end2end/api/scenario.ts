// A client author's first session with Kanri's REST API, written against
// the types openapi-typescript generates from /api/v1/openapi.json (the
// test regenerates them and type-checks this file first, so a document that
// drifts from what a client needs fails to compile here).

import createClient from "openapi-fetch";
import type { components, paths } from "./generated/kanri";

type Issue = components["schemas"]["IssueResource"];
type Problem = components["schemas"]["Problem"];

/** What each step answered, for the test to check. */
export interface Transcript {
  created: { status: number; etag: string | null; issue: Issue };
  read: { status: number; etag: string | null; issue: Issue };
  patched: { status: number; etag: string | null; issue: Issue };
  patchedAgain: { status: number; etag: string | null; issue: Issue };
  stale: { status: number; etag: string | null; problem: Problem; current: Issue };
  staleAgain: { status: number; etag: string | null; problem: Problem };
  missingIfMatch: { status: number; problem: Problem };
  invalid: { status: number; problem: Problem };
}

function fail(step: string, status: number, body: unknown): never {
  throw new Error(`${step}: unexpected ${status} ${JSON.stringify(body)}`);
}

export async function scenario(baseUrl: string, token: string, project: string): Promise<Transcript> {
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

  // Create.
  const created = await api.POST("/api/v1/projects/{key}/issues", {
    params: { path: { key: project }, header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { title: "Typed from the document", priority: "low", labels: ["generated"], points: 0.5 },
  });
  if (!created.data) fail("create", created.response.status, created.error);
  const key = created.data.key;

  // Read: the ETag is the version a change is based on.
  const read = await api.GET("/api/v1/issues/{key}", { params: { path: { key } } });
  if (!read.data) fail("read", read.response.status, read.error);
  const seen = read.response.headers.get("ETag") ?? "";

  // Change it based on that version, once per key.
  const patchKey = crypto.randomUUID();
  const patch = () =>
    api.PATCH("/api/v1/issues/{key}", {
      params: { path: { key }, header: { "If-Match": seen, "Idempotency-Key": patchKey } },
      body: { priority: "high" },
    });
  const patched = await patch();
  if (!patched.data) fail("patch", patched.response.status, patched.error);
  const patchedAgain = await patch();
  if (!patchedAgain.data) fail("patch again", patchedAgain.response.status, patchedAgain.error);

  // Another change of the same field based on the version seen before:
  // 412 with the issue as it is now; the same key gets the same answer.
  const staleKey = crypto.randomUUID();
  const stalePatch = () =>
    api.PATCH("/api/v1/issues/{key}", {
      params: { path: { key }, header: { "If-Match": seen, "Idempotency-Key": staleKey } },
      body: { priority: "lowest" },
    });
  const stale = await stalePatch();
  if (!stale.error) fail("stale patch", stale.response.status, stale.data);
  const current = stale.error.conflict?.current;
  if (!current || !("key" in current)) fail("stale patch", stale.response.status, stale.error);
  const staleAgain = await stalePatch();
  if (!staleAgain.error) fail("stale patch again", staleAgain.response.status, staleAgain.data);

  // The rules the document states hold: If-Match is required (428) and a
  // body that breaks the document is refused whatever the version (422).
  const missing = await api.PATCH("/api/v1/issues/{key}", {
    // @ts-expect-error the document makes If-Match required
    params: { path: { key }, header: {} },
    body: { priority: "high" },
  });
  if (!missing.error) fail("no If-Match", missing.response.status, missing.data);
  const invalid = await api.PATCH("/api/v1/issues/{key}", {
    params: { path: { key }, header: { "If-Match": '"999999"' } },
    // 21 labels where the document allows 20, based on a version that does not exist.
    body: { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) },
  });
  if (!invalid.error) fail("invalid body", invalid.response.status, invalid.data);

  const tag = (r: Response) => r.headers.get("ETag");
  return {
    created: { status: created.response.status, etag: tag(created.response), issue: created.data },
    read: { status: read.response.status, etag: seen, issue: read.data },
    patched: { status: patched.response.status, etag: tag(patched.response), issue: patched.data.issue },
    patchedAgain: {
      status: patchedAgain.response.status,
      etag: tag(patchedAgain.response),
      issue: patchedAgain.data.issue,
    },
    stale: { status: stale.response.status, etag: tag(stale.response), problem: stale.error, current },
    staleAgain: { status: staleAgain.response.status, etag: tag(staleAgain.response), problem: staleAgain.error },
    missingIfMatch: { status: missing.response.status, problem: missing.error },
    invalid: { status: invalid.response.status, problem: invalid.error },
  };
}
