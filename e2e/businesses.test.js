// Two businesses on one finlink deployment, as a person sees them: the second demo shop,
// Harbor Books, runs on its own origin with its own key and opens the widget under its own
// name; each shop has an Email field and an Inbox link to its own inbox page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { axeViolations, settled } from "./axe.js";
import { WIDGET_FRAME } from "./demo-shop.js";
import { launchBrowser, startServer, watchedPage } from "./harness.js";

const TIMEOUT = { timeout: 60_000 };

/** axe finds nothing on the page, at the desktop width and at 320 px, where nothing overflows. */
async function accessible(page, what) {
  assert.deepEqual(await axeViolations(page.mainFrame(), { iframes: false }), [], `${what}: axe`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  await settled(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 320, `${what} is ${overflow} px wide at 320 px`);
  assert.deepEqual(await axeViolations(page.mainFrame(), { iframes: false }), [], `${what}: axe at 320 px`);
  await page.setViewportSize(size);
}

describe("several businesses", () => {
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

  test("Harbor Books, on its own origin, opens the widget under its own name", TIMEOUT, async () => {
    assert.notEqual(new URL(server.shopB).origin, new URL(server.demoUrl).origin);
    const { page, context, problems } = await watchedPage(browser);
    try {
      await page.goto(server.shopB);
      await page.getByRole("heading", { level: 1, name: server.shopBName }).waitFor();
      const email = page.getByRole("textbox", { name: "Email" });
      assert.equal(await email.inputValue(), "jenny.rosen@example.com");

      await page.getByRole("button", { name: "Link bank account" }).click();
      const widget = page.frameLocator(WIDGET_FRAME);
      await widget
        .getByRole("heading", { level: 1, name: `${server.shopBName} uses finlink to connect your bank account` })
        .waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("each shop's Inbox link opens its inbox page for the email in its field", TIMEOUT, async () => {
    for (const shop of [server.demoUrl, server.shopB]) {
      const { page, context, problems } = await watchedPage(browser);
      try {
        await page.goto(shop);
        await accessible(page, `the shop page ${shop}`);
        await page.getByRole("textbox", { name: "Email" }).fill("nobody@example.com");
        await page.getByRole("link", { name: "Inbox" }).click();
        await page.getByRole("heading", { level: 1, name: "Inbox" }).waitFor();
        assert.equal(new URL(page.url()).origin, new URL(shop).origin);
        assert.equal(new URL(page.url()).searchParams.get("to"), "nobody@example.com");
        await page.getByRole("status").getByText("No emails to nobody@example.com in the last hour.").waitFor();
        assert.equal(await page.getByRole("textbox", { name: "Email" }).inputValue(), "nobody@example.com");
        await accessible(page, `the inbox of ${shop}`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    }
  });
});
