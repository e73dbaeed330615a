// axe-core on every step of the flow, from the demo shop through the loader (DESIGN §6): each
// screen the person can reach is checked inside the widget's frame against WCAG 2.0 and 2.1,
// levels A and AA, and at 320 px wide nothing may overflow sideways.
//
// The widget's page runs under a strict CSP (`script-src 'self' 'wasm-unsafe-eval'`), which
// rightly refuses an injected <script>. axe's source is evaluated in the frame through the
// browser's DevTools protocol (Playwright's frame.evaluate), which the page's CSP does not
// govern; the product's CSP stays as it is, and the test checks that it does.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { axeViolations, settled } from "./axe.js";
import { SHOP_BUSINESS, Shop, WIDGET_FRAME } from "./demo-shop.js";
import { createSession, launchBrowser, startServer, watchedPage, widgetPage } from "./harness.js";

const NARROW = { width: 320, height: 640 };
const WIDE = { width: 1280, height: 800 };
const TIMEOUT = { timeout: 120_000 };
const OAUTH_BANK = "Sandbox Bank (OAuth)";
const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";

/** The widget's document: the frame of the loader's iframe. */
async function widgetFrame(page) {
  const element = await page.locator(WIDGET_FRAME).elementHandle();
  const frame = await element.contentFrame();
  await element.dispose();
  assert.ok(frame, "the widget's iframe has a document");
  return frame;
}

/** The elements wider than the widget's viewport, as "tag.class (width px)". */
async function overflow(frame) {
  return frame.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return [];
    const limit = root.clientWidth;
    const wide = [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > limit + 0.5)
      .slice(0, 5)
      .map((element) => {
        const name = element.tagName.toLowerCase() + (element.className ? `.${String(element.className).split(" ").join(".")}` : "");
        return `${name} (right edge at ${Math.round(element.getBoundingClientRect().right)} px)`;
      });
    return [`the page is ${root.scrollWidth} px wide in ${root.clientWidth} px`, ...wide];
  });
}

/**
 * Checks the step the widget shows: axe finds nothing at the desktop width, and at 320 px
 * nothing overflows sideways and axe still finds nothing (reflow can hide or clip content).
 */
async function check(shop, step, report) {
  const frame = await widgetFrame(shop.page);
  const wide = await axeViolations(frame);
  await shop.page.setViewportSize(NARROW);
  // Let the layout settle at the new width.
  await settled(frame);
  const width = await frame.evaluate(() => window.innerWidth);
  assert.ok(width <= NARROW.width, `the widget is ${width} px wide in a ${NARROW.width} px window`);
  const narrow = await axeViolations(frame);
  const sideways = await overflow(frame);
  await shop.shot(`${step} at 320 px`);
  await shop.page.setViewportSize(WIDE);
  const problems = [
    ...wide.map((line) => `  ${line}`),
    ...narrow.filter((line) => !wide.includes(line)).map((line) => `  at 320 px: ${line}`),
    ...sideways.map((line) => `  overflows at 320 px: ${line}`),
  ];
  report.push({ step, problems });
}

/** Fails with every step's problems in one readable list. */
function assertClean(report) {
  const failing = report.filter(({ problems }) => problems.length > 0);
  const text = failing.map(({ step, problems }) => `${step}:\n${problems.join("\n")}`).join("\n");
  assert.equal(failing.length, 0, `accessibility problems:\n${text}`);
  assert.ok(report.length > 0, "at least one step was checked");
}

async function openShop(browser, server, name) {
  const shop = await Shop.open(browser, server, name);
  await shop.page.setViewportSize(WIDE);
  return shop;
}

describe("accessibility of every step (axe-core, WCAG 2.1 A and AA, 320 px)", () => {
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

  test("OAuth: consent, search, no results, the hand-off, waiting, accounts, success", TIMEOUT, async (t) => {
    const shop = await openShop(browser, server, t.fullName);
    const report = [];
    try {
      await shop.start();
      // The widget's CSP is the product's, untouched by the test.
      const served = await fetch(await shop.page.locator(WIDGET_FRAME).getAttribute("src"));
      const csp = served.headers.get("content-security-policy") ?? "";
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
      assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
      await check(shop, "consent", report);

      await shop.consent();
      await check(shop, "select your bank (featured)", report);
      await shop.search("Sandbox Bank", OAUTH_BANK);
      await check(shop, "search with results", report);

      await shop.widget.getByLabel("Search for your bank").fill("zzzz no such bank");
      await shop.widget.getByText("No banks match “zzzz no such bank”.").waitFor();
      await check(shop, "no results", report);

      await shop.widget.getByLabel("Search for your bank").fill("Sandbox Bank");
      await shop.pick(OAUTH_BANK);
      await shop.heading(`You'll continue at ${OAUTH_BANK}`).waitFor();
      await check(shop, "OAuth hand-off", report);

      const popupOpened = shop.page.waitForEvent("popup");
      await shop.button("Continue").click();
      const popup = await popupOpened;
      await shop.heading(`Finish at ${OAUTH_BANK}`).waitFor();
      await check(shop, "waiting for the bank", report);

      await popup.getByRole("heading", { name: OAUTH_BANK }).waitFor();
      const closed = popup.waitForEvent("close");
      await popup
        .getByRole("button", { name: "Authorize" })
        .click()
        .catch((error) => {
          if (!popup.isClosed()) throw error;
        });
      await closed;

      await shop.heading("Select accounts").waitFor();
      await check(shop, "select accounts (checkboxes, one disabled with why)", report);
      await shop.button("Link accounts").click();
      await shop.widget.getByRole("alert").getByText("Select at least one account.").waitFor();
      await check(shop, "select accounts with an error", report);

      await shop.widget.getByRole("checkbox", { name: "Everyday Checking" }).check();
      await shop.button("Link accounts").click();
      await shop.heading("Accounts linked").waitFor();
      await check(shop, "success", report);
      await shop.button("Done").click();
      await shop.outcome();

      assertClean(report);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("credentials: the form, a wrong password, each kind of second factor", TIMEOUT, async (t) => {
    const shop = await openShop(browser, server, t.fullName);
    const report = [];
    try {
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.heading(`Log in to ${CREDENTIALS_BANK}`).waitFor();
      await check(shop, "credentials form", report);

      await shop.logIn("not_the_password", "a11y");
      await shop.widget.getByRole("alert").getByText("You have 4 attempts left.").waitFor();
      await check(shop, "wrong password", report);

      const kinds = [
        { password: "pass_mfa_code", heading: "Enter your code" },
        { password: "pass_mfa_question", heading: "Answer your security question" },
        { password: "pass_mfa_selection", heading: "Confirm it's you" },
      ];
      for (const [index, { password, heading }] of kinds.entries()) {
        if (index > 0) {
          // Back to the bank list, and the same bank again: a new login.
          await shop.button("Back").click();
          await shop.heading("Select your bank").waitFor();
          await shop.pick(CREDENTIALS_BANK);
          await shop.heading(`Log in to ${CREDENTIALS_BANK}`).waitFor();
        }
        await shop.logIn(password, "a11y");
        await shop.heading(heading).waitFor();
        await check(shop, `second factor: ${heading}`, report);
      }
      // A wrong answer to the selection, then the right one.
      await shop.widget.getByRole("radio", { name: "No", exact: true }).check();
      await shop.button("Verify").click();
      await shop.widget.getByRole("alert").waitFor();
      await check(shop, "second factor: a wrong answer", report);

      await shop.widget.getByRole("radio", { name: "Yes" }).check();
      await shop.button("Verify").click();
      await shop.heading("Select accounts").waitFor();

      assertClean(report);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("a single-account session: the radio group", TIMEOUT, async (t) => {
    const shop = await openShop(browser, server, t.fullName);
    const report = [];
    try {
      await shop.page.getByRole("checkbox", { name: "Link one account only" }).check();
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.heading("Select an account").waitFor();
      await shop.widget.getByRole("radio", { name: "Everyday Checking" }).check();
      await check(shop, "select an account (radio group)", report);
      assertClean(report);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("failures: a bank error, and a link that is not valid", TIMEOUT, async (t) => {
    const shop = await openShop(browser, server, t.fullName);
    const report = [];
    try {
      await shop.start();
      await shop.consent();
      await shop.search("Down Bank", "Down Bank (Scheduled)");
      await check(shop, "banks that are down, listed with why", report);
      await shop.search("Down Bank (Error)");
      await shop.pick("Down Bank (Error)");
      await shop.logIn("pass_good");
      await shop.heading("Something went wrong").waitFor();
      await check(shop, "failure: the bank's error", report);
      await shop.closeWidget();
      await shop.outcome();

      // A client secret the server does not know: the failure screen without a session.
      const result = shop.page.evaluate(() =>
        window.Finlink.collect({ clientSecret: "fcsess_unknown_secret_nope" }),
      );
      await shop.widget.getByRole("alert").getByText("This link is not valid", { exact: false }).waitFor();
      await check(shop, "failure: a link that is not valid", report);
      await shop.closeWidget();
      assert.equal((await result).error.code, "client_secret_invalid");

      assertClean(report);
      // The browser logs the server's refusal of the unknown secret; nothing else.
      assert.deepEqual(
        shop.problems.filter((problem) => !/status of 401 .*\/v1\/link\/session$/.test(problem)),
        [],
      );
    } finally {
      await shop.close();
    }
  });
});

describe("accessibility of the widget page opened directly (mobile web views)", () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer({ businessName: `${SHOP_BUSINESS}` });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the checker works under the widget's CSP: it finds a planted violation", TIMEOUT, async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await page.goto(`${server.url}/link/#client_secret=fcsess_unknown_secret_nope`);
      await page.getByRole("alert").waitFor();
      assert.deepEqual(await axeViolations(page.mainFrame()), [], "the failure screen is clean");
      // An image without a text alternative, and text too wide for 320 px.
      await page.evaluate(() => {
        const image = document.createElement("img");
        image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
        image.id = "planted";
        const wide = document.createElement("div");
        wide.style.width = "600px";
        wide.textContent = "wide";
        document.body.append(image, wide);
      });
      await page.setViewportSize(NARROW);
      const found = await axeViolations(page.mainFrame());
      assert.ok(found.some((line) => line.startsWith("image-alt (critical)") && line.includes("#planted")), found.join("\n"));
      assert.notDeepEqual(await overflow(page.mainFrame()), []);
    } finally {
      await context.close();
    }
  });

  test("the consent screen at 320 px, as a phone's web view shows it", TIMEOUT, async () => {
    const session = await createSession(server, { permissions: ["payment_method", "balances", "ownership", "transactions"] });
    const { page, context, problems } = await watchedPage(browser);
    try {
      await page.setViewportSize(NARROW);
      await page.goto(widgetPage(server, session.client_secret));
      await page.getByRole("heading", { level: 1, name: `${SHOP_BUSINESS} uses finlink to connect your bank account` }).waitFor();
      const found = await axeViolations(page.mainFrame());
      const sideways = await overflow(page.mainFrame());
      assert.deepEqual([...found, ...sideways], [], "no axe violation and no sideways overflow");
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
