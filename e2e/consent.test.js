// The widget's first step against the real server: a session created through the integrator
// API opens the consent screen, directly (as a mobile web view loads it) and through the loader
// on another origin (as a business's page does).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { createSession, launchBrowser, startServer, watchedPage } from "./harness.js";

describe("consent", () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the widget page shows the business and what it asks to see", async () => {
    const session = await createSession(server, { permissions: ["payment_method", "balances"] });
    assert.match(session.client_secret, /\S/);

    const { page, context, problems } = await watchedPage(browser);
    try {
      const response = await page.goto(
        `${server.url}/link/#client_secret=${encodeURIComponent(session.client_secret)}`,
      );
      assert.equal(response.status(), 200);
      assert.match(response.headers()["content-security-policy"] ?? "", /script-src 'self' 'wasm-unsafe-eval'/);

      const dialog = page.getByRole("dialog", { name: "Demo Shop" });
      await dialog.getByRole("heading", { level: 1, name: "Demo Shop", exact: true }).waitFor();

      const asked = dialog.getByRole("list", { name: "Data Demo Shop will see" });
      await asked.getByText("Account details", { exact: true }).waitFor();
      await asked.getByText("Your account and routing numbers", { exact: false }).waitFor();
      await asked.getByText("Balances", { exact: true }).waitFor();
      await asked.getByText("Your current and available balances.", { exact: true }).waitFor();
      assert.equal(await asked.getByRole("listitem").count(), 2, "only the permissions asked for");
      assert.equal(await dialog.getByText("Transactions", { exact: true }).count(), 0);

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("an unknown client secret says the link is not valid, with nothing to retry", async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await page.goto(`${server.url}/link/#client_secret=fcsess_unknown_secret_nope`);
      const alert = page.getByRole("alert");
      await alert.getByText("This link is not valid", { exact: false }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
    } finally {
      await context.close();
    }
  });

  test("the loader opens the widget from another origin and resolves once when closed", async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      // The demo shop is a business's page on its own origin; its backend creates the session.
      await page.goto(server.demoUrl);
      await page.getByRole("button", { name: "Link bank account" }).click();

      const frame = page.frameLocator('iframe[title="Link your bank account"]');
      await frame.getByRole("heading", { level: 1, name: "Demo Shop", exact: true }).waitFor();
      await frame.getByText("Transactions", { exact: true }).waitFor();

      // A result forged by the host page itself (wrong origin and source) is ignored.
      await page.evaluate(() => {
        const forged = { source: "finlink", kind: "result", session: { id: "forged", accounts: [] }, error: null };
        window.postMessage(forged, "*");
      });
      await page.waitForTimeout(100);
      assert.equal(await page.locator("iframe").count(), 1, "still open after a forged result");

      await page.getByRole("button", { name: "Close" }).click();
      await page.getByText("The bank-linking window was closed", { exact: false }).waitFor();
      assert.equal(await page.locator("iframe").count(), 0, "the modal is gone");

      const result = await page.evaluate(() => window.Finlink.collect({}));
      assert.equal(result.session, null);
      assert.equal(result.error.code, "parameter_missing");

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
