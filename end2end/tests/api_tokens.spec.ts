import { test, expect, uniqueKey, hydrated, projectWithIssues, origin } from "./fixtures";

test("an API token made in account settings reads the REST API until it is revoked", async ({ page, request, playwright }) => {
  const key = uniqueKey("API");
  await projectWithIssues(request, key, ["Over REST"]);

  // The name in the top bar opens the account settings.
  await page.goto("/");
  await hydrated(page);
  await page.locator(".signed-in").click();
  await expect(page).toHaveURL(/\/account$/);
  await hydrated(page);
  const panel = page.getByTestId("api-tokens");
  const name = `CI ${key}`;
  await panel.getByLabel("Token name").fill(name);
  await panel.getByRole("button", { name: "Create token" }).click();
  const secret = await page.getByTestId("token-secret").inputValue();
  expect(secret).toMatch(/^kanri_[A-Za-z0-9_-]{22}$/);
  const row = panel.getByTestId("api-token").filter({ hasText: name });
  await expect(row).toContainText("never used");
  // Read only unless chosen otherwise.
  await expect(row.getByTestId("token-scope")).toHaveAttribute("data-scope", "read");

  // A client with no cookies, only the token.
  const client = await playwright.request.newContext({
    baseURL: origin,
    extraHTTPHeaders: { Authorization: `Bearer ${secret}` },
  });
  const issue = await client.get(`/api/v1/issues/${key}-1`);
  expect(issue.status()).toBe(200);
  expect((await issue.json()).title).toBe("Over REST");
  expect(issue.headers()["etag"]).toMatch(/^"\d+"$/);

  await page.reload();
  await hydrated(page);
  await expect(row).toContainText("last used");
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toHaveCount(0);
  const refused = await client.get(`/api/v1/issues/${key}-1`);
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  await client.dispose();
});
