// The widget's first step against the real server: a session created through the integrator
// API opens the consent screen, directly (as a mobile web view loads it) and through the loader
// on another origin (as a business's page does).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { WIDGET_FRAME } from "./demo-shop.js";
import { createSession, launchBrowser, startServer, watchedPage } from "./harness.js";

const CONSENT_HEADING = "Demo Shop uses finlink to connect your bank account";

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
      await dialog.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor();

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

  test("the loader opens the widget from another origin and ignores forged results", async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      // The demo shop is a business's page on its own origin; its backend creates the session.
      await page.goto(server.demoUrl);
      await page.getByRole("button", { name: "Link bank account" }).click();

      const frame = page.frameLocator(WIDGET_FRAME);
      await frame.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor();
      await frame.getByText("Transactions", { exact: true }).waitFor();
      assert.equal(
        new URL(await page.locator(WIDGET_FRAME).getAttribute("src")).origin,
        server.url,
        "the widget comes from finlink's origin",
      );
      // The page behind the modal is out of reach.
      assert.equal(await page.locator("main").getAttribute("inert"), "");

      // Results forged by the host page itself (wrong origin and source) are ignored, in the
      // old and the current shape.
      await page.evaluate(() => {
        const session = { id: "forged", accounts: [] };
        window.postMessage({ source: "finlink", version: 1, type: "result", session }, "*");
        window.postMessage({ source: "finlink", kind: "result", session, error: null }, "*");
      });
      await page.waitForTimeout(100);
      assert.equal(await page.locator(WIDGET_FRAME).count(), 1, "still open after a forged result");
      assert.equal(await page.evaluate(() => window.demoShop.outcome), null);

      // A second collect while the first is open is a clear error, and the first goes on.
      const second = await page.evaluate(() => window.Finlink.collect({ clientSecret: "fcsess_x" }));
      assert.equal(second.error.code, "flow_already_open");
      assert.equal(second.session, undefined);
      assert.equal(await page.locator("iframe").count(), 1);

      await frame.getByLabel("Close", { exact: true }).click();
      const outcome = (await page.waitForFunction(() => window.demoShop.outcome)).jsonValue();
      assert.deepEqual((await outcome).session.accounts, []);
      await page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
      assert.equal(await page.locator("main").getAttribute("inert"), null, "the page is back");

      const result = await page.evaluate(() => window.Finlink.collect({}));
      assert.equal(result.session, undefined);
      assert.equal(result.error.code, "parameter_missing");

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the loader's own Close works while the widget has not spoken", async () => {
    const { page, context } = await watchedPage(browser);
    try {
      // A widget that never loads (a network or CSP problem): the loader still offers a way out.
      await page.route(
        (url) => url.origin === server.url && url.pathname.startsWith("/link/"),
        (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><p>...</p>" }),
      );
      await page.goto(server.demoUrl);
      const button = page.getByRole("button", { name: "Link bank account" });
      await button.focus();
      await page.keyboard.press("Enter");
      await page.locator(WIDGET_FRAME).waitFor();
      await page.getByRole("button", { name: "Close" }).click();
      await page.getByText("(widget_closed)", { exact: false }).waitFor();
      assert.equal(await page.locator("iframe").count(), 0, "the modal is gone");
      assert.equal(await page.evaluate(() => document.activeElement.id), "link-bank");

      // By keyboard: from the frame, Tab reaches the loader's Close (the page behind is inert).
      await page.keyboard.press("Enter");
      await page.locator(WIDGET_FRAME).waitFor();
      const closeFocused = () => page.evaluate(() => document.activeElement.getAttribute("aria-label") === "Close");
      for (let i = 0; i < 5 && !(await closeFocused()); i++) await page.keyboard.press("Tab");
      assert.ok(await closeFocused(), "Tab reaches the loader's Close");
      await page.keyboard.press("Enter");
      await page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
      assert.equal(await page.evaluate(() => window.demoShop.outcome.error.code), "widget_closed");
      assert.equal(await page.evaluate(() => document.activeElement.id), "link-bank");
    } finally {
      await context.close();
    }
  });

  test("through the loader, a client secret that is not valid ends in an error", async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await page.goto(server.demoUrl);
      const names = [];
      await page.exposeFunction("recordEvent", (name) => names.push(name));
      const result = page.evaluate(() =>
        window.Finlink.collect({
          clientSecret: "fcsess_unknown_secret_nope",
          onEvent: (event) => window.recordEvent(event.name),
        }),
      );
      const frame = page.frameLocator(WIDGET_FRAME);
      await frame.getByRole("alert").getByText("This link is not valid", { exact: false }).waitFor();
      await frame.getByLabel("Close", { exact: true }).click();
      const { session, error } = await result;
      assert.equal(session, undefined);
      assert.equal(error.type, "authentication_error");
      assert.equal(error.code, "client_secret_invalid");
      assert.match(error.message, /\S/);
      assert.deepEqual(names, ["error"]);
    } finally {
      await context.close();
    }
  });
});
