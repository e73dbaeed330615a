// finlink under strict content security policies: a business's page that allows finlink's
// origin only for its script and its frame (docs/deployment.md) links a bank with not one
// violation, in its own document or in the widget's; and the widget page refuses to be framed
// by a page on an origin the operator did not allow (frame-ancestors).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Shop, WIDGET_FRAME, accountSummary } from "./demo-shop.js";
import { createSession, freePort, launchBrowser, startServer } from "./harness.js";
import { startHostPage } from "./host-page.js";

const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const CONSENT = "Demo Shop uses finlink to connect your bank account";
const TIMEOUT = { timeout: 120_000 };

describe("content security policy", () => {
  let server;
  let allowed; // a host page on the origin the operator allowed
  let other; // the same page on an origin nobody allowed
  let browser;

  before(async () => {
    const [allowedPort, otherPort] = [await freePort(), await freePort()];
    server = await startServer({ allowedOrigins: [`http://127.0.0.1:${allowedPort}`] });
    const newClientSecret = async () =>
      (await createSession(server, { permissions: ["payment_method", "balances"] })).client_secret;
    allowed = await startHostPage({ port: allowedPort, finlinkUrl: server.url, newClientSecret });
    other = await startHostPage({ port: otherPort, finlinkUrl: server.url, newClientSecret });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await allowed?.stop();
    await other?.stop();
    await server?.stop();
  });

  /**
   * A page whose every document (the host's and the widget's iframe) reports its CSP
   * violations through `securitypolicyviolation`, and which records console errors.
   */
  async function policedPage(name) {
    const context = await browser.newContext();
    const violations = [];
    await context.exposeBinding("reportViolation", ({ frame }, violation) => {
      violations.push({ frame: frame.url(), ...violation });
    });
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        window.reportViolation({ directive: event.violatedDirective, blocked: event.blockedURI });
      });
    });
    const page = await context.newPage();
    const console = [];
    page.on("console", (message) => {
      if (message.type() === "error" && !message.location()?.url?.endsWith("/favicon.ico")) {
        console.push(message.text());
      }
    });
    page.on("pageerror", (error) => console.push(`page error: ${error.message}`));
    const shop = new Shop(page, context, console, name);
    return { shop, page, context, violations, console };
  }

  /** An inline script added to `frame`'s document: what the policies must refuse. */
  function injectInlineScript(frame) {
    return frame.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.inlineScriptRan = true";
      document.head.appendChild(script);
      return window.inlineScriptRan === true;
    });
  }

  async function waitFor(condition, what, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test("a host page under a strict policy links a bank with no violation report", TIMEOUT, async (t) => {
    const { shop, page, context, violations, console } = await policedPage(t.fullName);
    try {
      await page.goto(allowed.url);
      await page.getByRole("button", { name: "Pay by bank" }).click();
      await shop.heading(CONSENT).waitFor();

      // The watchers work: an inline script is refused, and reported, in both documents.
      const widgetFrame = page.frames().find((frame) => frame.url().startsWith(`${server.url}/link/`));
      assert.ok(widgetFrame, "the widget's frame is open");
      assert.equal(await injectInlineScript(page.mainFrame()), false, "host: inline script refused");
      assert.equal(await injectInlineScript(widgetFrame), false, "widget: inline script refused");
      await waitFor(() => violations.length === 2, "both violations");
      assert.deepEqual(
        violations.map((v) => [new URL(v.frame).origin, v.directive]).sort(),
        [[allowed.origin, "script-src-elem"], [server.url, "script-src-elem"]].sort(),
      );
      await waitFor(() => allowed.reports.length === 1, "the host's report-uri report");
      assert.equal(allowed.reports[0]["csp-report"]["violated-directive"], "script-src-elem");
      violations.length = 0;
      allowed.reports.length = 0;
      console.length = 0;

      // The whole flow, from the page's own button to its result.
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.linkAccount();
      await page.getByRole("status").getByText("Linked 1 account(s)").waitFor();
      const result = await page.evaluate(() => window.hostResult);
      assert.deepEqual(accountSummary(result), ["Everyday Checking 6789"]);
      await page.locator(WIDGET_FRAME).waitFor({ state: "detached" });

      // Reports are sent asynchronously: give stragglers time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(violations, [], "no securitypolicyviolation in either document");
      assert.deepEqual(allowed.reports, [], "no report to the host's report-uri");
      assert.deepEqual(console, [], "no console error");
    } finally {
      await context.close();
    }
  });

  test("the widget refuses to be framed by a page on an origin the operator did not allow", TIMEOUT, async (t) => {
    const { shop, page, context } = await policedPage(t.fullName);
    try {
      const requested = [];
      page.on("request", (request) => requested.push(request.url()));
      const refused = page.waitForEvent("console", {
        predicate: (message) => /frame-ancestors/.test(message.text()),
      });
      await page.goto(other.url);
      await page.getByRole("button", { name: "Pay by bank" }).click();
      const message = (await refused).text();
      // Chromium: "Framing '<finlink>/' violates the following Content Security Policy
      // directive: "frame-ancestors <allowed>". The request has been blocked."
      assert.ok(message.includes(`'${server.url}/'`), message);
      assert.ok(message.includes(`"frame-ancestors ${allowed.origin}"`), message);
      assert.ok(requested.includes(`${server.url}/link/`), "the browser asked for the page");
      // ... and ran nothing of it: no script, no WebAssembly, no API call, no widget.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const fromFinlink = requested.filter((url) => url.startsWith(`${server.url}/`));
      assert.deepEqual(fromFinlink, [`${server.url}/finlink.js`, `${server.url}/link/`]);
      assert.equal(await shop.heading(CONSENT).count(), 0);

      // The loader's own Close still gets the person out.
      await page.getByRole("button", { name: "Close", exact: true }).click();
      await page.getByRole("status").getByText("Not linked: widget_closed").waitFor();
      assert.equal(await page.locator("iframe").count(), 0);
    } finally {
      await context.close();
    }
  });
});
