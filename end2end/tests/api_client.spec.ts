import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { asUser, createProject, origin, uniqueKey } from "./fixtures";
// Only types come from the generated file, so this loads before it exists.
import { scenario } from "../api/scenario";

// A client generated from the live document (openapi-typescript types,
// openapi-fetch calls) compiles and walks create → read → change with
// If-Match → 412 with the current issue → the same answer for the same
// Idempotency-Key. Regenerated on every run, so a drifting document fails.
test("a client generated from the OpenAPI document compiles and passes the change scenario", async () => {
  test.setTimeout(120_000);
  const api = path.join(__dirname, "..", "api");

  const doc = await fetch(`${origin}/api/v1/openapi.json`);
  expect(doc.status).toBe(200);
  const types = astToString(await openapiTS(await doc.json()));
  mkdirSync(path.join(api, "generated"), { recursive: true });
  writeFileSync(path.join(api, "generated", "kanri.ts"), types);
  const tsc = path.join(__dirname, "..", "node_modules", ".bin", "tsc");
  try {
    execFileSync(tsc, ["-p", path.join(api, "tsconfig.json")], { encoding: "utf8" });
  } catch (e) {
    const failed = e as { stdout?: string; stderr?: string };
    throw new Error(`the scenario does not type-check against the document:\n${failed.stdout}${failed.stderr}`);
  }

  const key = uniqueKey("GEN");
  const token = await asUser("alice", async (request) => {
    await createProject(request, `Generated ${key}`, key);
    const res = await request.post("/api/fn/create_api_token", {
      form: { name: `client ${key}`, expires: "", scope: "read-write" },
      headers: { Accept: "application/json" },
    });
    expect(res.ok(), await res.text()).toBeTruthy();
    return (await res.json()).secret as string;
  });

  const t = await scenario(origin, token, key);

  expect(t.created.status).toBe(201);
  expect(t.created.issue).toMatchObject({ key: `${key}-1`, title: "Typed from the document", priority: "low" });
  expect(t.created.etag).toMatch(/^"\d+"$/);
  expect(t.read.status).toBe(200);
  expect(t.read.etag).toBe(t.created.etag);
  expect(t.patched.status).toBe(200);
  expect(t.patched.issue.priority).toBe("high");
  expect(t.patched.etag).not.toBe(t.read.etag);
  // The same Idempotency-Key: the first answer again, nothing written twice.
  expect(t.patchedAgain).toEqual(t.patched);

  expect(t.stale.status).toBe(412);
  expect(t.stale.problem.type).toBe("/api/v1/docs#problem-version-conflict");
  expect(t.stale.problem.conflict?.conflicting_fields).toEqual(["priority"]);
  expect(t.stale.current).toMatchObject({ key: `${key}-1`, priority: "high" });
  // The ETag is the current version (the refused attempt is itself logged).
  expect(t.stale.etag).toBe(`"${t.stale.current.version}"`);
  expect(t.staleAgain).toEqual({ status: 412, etag: t.stale.etag, problem: t.stale.problem });

  expect(t.missingIfMatch.status).toBe(428);
  expect(t.missingIfMatch.problem.type).toBe("/api/v1/docs#problem-precondition-required");
  expect(t.invalid.status).toBe(422);
  expect(t.invalid.problem.errors?.map((e) => e.field)).toEqual(["labels"]);
});
