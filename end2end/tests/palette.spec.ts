import { test, expect, uniqueKey, hydrated, projectWithIssues, createProject, userContext, openBoard } from "./fixtures";

test("the command palette goes to issues, moves, assigns, switches project and creates", async ({
  browser,
  request,
}) => {
  const key = uniqueKey("K");
  const other = uniqueKey("O");
  await projectWithIssues(request, key, ["Cache the avatars", "Rotate the keys"]);
  await createProject(request, `Other ${other}`, other);
  const page = await (await userContext(browser, "alice")).newPage();
  await openBoard(page, key);
  const palette = page.getByTestId("palette");
  const command = palette.getByLabel("Command");

  // A bare number inside a project is an issue of it.
  await page.keyboard.press("Control+k");
  await expect(palette).toBeVisible();
  await command.fill("2");
  await expect(palette.getByRole("option").first()).toHaveText(`Go to ${key}-2`);
  await command.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/p/${key}/issues/${key}-2$`));
  await hydrated(page);

  // On an issue: move it and assign it.
  await page.keyboard.press("Control+k");
  await command.fill("move done");
  await expect(palette.getByRole("option")).toHaveText([`Move ${key}-2 to Done`, `Create issue “move done” in ${key}`]);
  await command.press("Enter");
  await expect(palette).toHaveCount(0);
  await expect(page.getByLabel("Status", { exact: true })).toHaveValue("4");
  await page.keyboard.press("Control+k");
  await command.fill("assign to me");
  await palette.getByRole("option", { name: `Assign ${key}-2 to me (alice)` }).click();
  await expect(page.getByTestId("field-assignee")).toContainText("alice");

  // Switch project.
  await page.keyboard.press("Control+k");
  await command.fill(`switch ${other.toLowerCase()}`);
  await command.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/p/${other}/board$`));
  await hydrated(page);

  // `c` creates in the current project and opens the new issue.
  await page.keyboard.press("c");
  await expect(command).toHaveAttribute("placeholder", "Title of the new issue");
  await command.fill("Made from the keyboard");
  await command.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/p/${other}/issues/${other}-1$`));
  await expect(page.getByTestId("issue-title")).toHaveText("Made from the keyboard");
});

test("shortcuts: ? lists them, j and k walk the cards, / opens search", async ({ browser, request }) => {
  const key = uniqueKey("J");
  await projectWithIssues(request, key, ["First", "Second", "Third"]);
  const page = await (await userContext(browser, "alice")).newPage();
  await openBoard(page, key);

  await page.keyboard.press("?");
  await expect(page.getByTestId("shortcuts")).toContainText("Next and previous card or row");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("shortcuts")).toHaveCount(0);

  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-key"));
  await page.keyboard.press("j");
  expect(await focused()).toBe(`${key}-1`);
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  expect(await focused()).toBe(`${key}-3`);
  await page.keyboard.press("k");
  expect(await focused()).toBe(`${key}-2`);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/p/${key}/issues/${key}-2$`));

  await hydrated(page);
  await page.keyboard.press("/");
  await expect(page).toHaveURL(new RegExp(`/p/${key}/search`));
});
