import { createServer, type IncomingMessage } from "node:http";
import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { test, expect, uniqueKey, hydrated, projectWithIssues, execute } from "./fixtures";

type Hit = { headers: IncomingMessage["headers"]; body: string };

/** A receiver on 127.0.0.1 that records every delivery and answers 204. */
async function receiver(): Promise<{ url: string; hits: Hit[]; close: () => void }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, hits, close: () => server.close() };
}

test("an admin registers a webhook in settings; deliveries arrive signed and show in its log until it is deleted", async ({ page, request }) => {
  const key = uniqueKey("WH");
  await projectWithIssues(request, key, ["Before the hook"]);
  const hook = await receiver();
  try {
    await page.goto(`/p/${key}/settings`);
    await hydrated(page);
    const panel = page.getByTestId("webhooks");
    await panel.getByLabel("Webhook URL").fill(hook.url);
    await panel.getByLabel("Event types").fill("issue_created");
    await panel.getByRole("button", { name: "Add webhook" }).click();
    const secret = await page.getByTestId("webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    const row = panel.getByTestId("webhook");
    await expect(row).toContainText(hook.url);
    await expect(row).toContainText("issue_created");

    await execute(request, key, { type: "create_issue", title: "Hooked", issue_type: "task", priority: "medium", reporter: "alice" });
    await execute(request, key, { type: "move_issue", issue: 2, to: 2, after: null }, "alice", 1);
    await expect.poll(() => hook.hits.length, { timeout: 10_000 }).toBe(1);
    const [hit] = hook.hits;
    const body = JSON.parse(hit.body);
    expect(body.event.type).toBe("issue_created");
    expect(body.event.data.title).toBe("Hooked");
    const [t, v1] = String(hit.headers["kanri-signature"]).replace("t=", "").split(",v1=");
    expect(createHmac("sha256", secret).update(`${t}.${hit.body}`).digest("hex")).toBe(v1);

    // The delivery log in settings.
    await expect(async () => {
      await panel.getByRole("button", { name: "Refresh deliveries" }).click();
      await expect(row.getByTestId("delivery")).toHaveAttribute("data-state", "delivered", { timeout: 1000 });
    }).toPass({ timeout: 10_000 });
    await expect(row.getByTestId("delivery")).toContainText(`#${body.event.seq} issue_created`);

    // Deleted: nothing more arrives.
    await panel.getByRole("button", { name: `Delete ${hook.url}` }).click();
    await expect(panel.getByTestId("webhook")).toHaveCount(0);
    await execute(request, key, { type: "create_issue", title: "Unheard", issue_type: "task", priority: "medium", reporter: "alice" });
    await page.waitForTimeout(1000);
    expect(hook.hits.length).toBe(1);
  } finally {
    hook.close();
  }
});
