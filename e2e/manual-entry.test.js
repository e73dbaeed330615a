// Manual entry and microdeposit verification end to end (issue 6, part 2): at the demo shop, a
// session with `verification_method: microdeposits` goes from consent straight to the account
// details form, typed by keyboard; the shop gets the account with a pending verification and
// the link to the hosted verification page; that page (finlink's origin, top level, a new
// browser context as when the person follows the link from an email) takes the deposits:
// verified, wrong (attempts left), too many attempts, expired through the sandbox clock. Also:
// a sandbox account number that the bank refuses, a routing number refused as typed, a link
// that opens nothing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { axeViolations, settled } from "./axe.js";
import { SHOP_BUSINESS, Shop } from "./demo-shop.js";
import { integratorApi, launchBrowser, startServer, watchedPage } from "./harness.js";

const TIMEOUT = { timeout: 120_000 };

/** Sandbox Bank (OAuth)'s routing number in the directory (docs/sandbox.md). */
const ROUTING_NUMBER = "110000000";
const ROUTING_BANK = "Sandbox Bank (OAuth)";
/** Any valid account number succeeds; these have documented outcomes. */
const ACCOUNT_NUMBER = "000123456789";
const ACCOUNT_CLOSED = "4000000001";
/** The sandbox's deposits (docs/sandbox.md). */
const AMOUNTS = ["32", "45"];
const DESCRIPTOR_CODE = "SM11AA";
const TEN_DAYS = 10 * 24 * 60 * 60;

const VERIFIED_TEXT = "Your account is verified. You can close this page.";
const NO_LONGER = `This account can no longer be verified; add it again at ${SHOP_BUSINESS}.`;

// ---- The shop and the widget ----------------------------------------------------------------

/** Opens the demo shop with the session options of its selects. */
async function openShop(browser, server, name, { method = "microdeposits", type = "amounts" } = {}) {
  const shop = await Shop.open(browser, server, name);
  await shop.page.getByLabel(/^Verification( method)?$/).selectOption(method);
  if (method !== "instant") await shop.page.getByLabel(/^Microdeposit(s| type)$/).selectOption(type);
  return shop;
}

/** Link bank account, then Continue on consent: the manual entry form, with no bank search. */
async function startManualEntry(shop) {
  await shop.start();
  await shop.button("Continue").click();
  await shop.heading("Enter your bank details").waitFor();
  assert.equal(await shop.widget.getByLabel("Search for your bank").count(), 0, "no bank search");
  await shop.shot("manual entry form");
}

/** The text of what describes a field (`aria-describedby`): its error, the bank's name. */
function description(field) {
  return field.evaluate((element) =>
    (element.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .map((id) => element.ownerDocument.getElementById(id))
      .filter(Boolean)
      .map((described) => described.textContent.trim())
      .join(" "),
  );
}

/** Waits until a field's description includes `text`. */
async function describedAs(field, text) {
  for (let i = 0; i < 100; i++) {
    if ((await description(field)).includes(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`the field is not described as ${JSON.stringify(text)}: ${JSON.stringify(await description(field))}`);
}

/** Tabs to a field and types into it, as a person at a keyboard does. */
async function typeInto(shop, label, text) {
  await shop.tabTo(shop.widget.getByLabel(label, { exact: true }));
  await shop.page.keyboard.type(text);
}

/**
 * Types the account's details by keyboard and presses Enter. The routing number's bank shows
 * as soon as its nine digits are typed.
 */
async function enterDetails(shop, { routing = ROUTING_NUMBER, account = ACCOUNT_NUMBER, savings = false } = {}) {
  await typeInto(shop, "Routing number", routing);
  await describedAs(shop.widget.getByLabel("Routing number", { exact: true }), ROUTING_BANK);
  await typeInto(shop, "Account number", account);
  await typeInto(shop, "Confirm account number", account);
  // Tab enters the radio group on its checked (or first) radio; the arrow keys choose.
  await shop.tabTo(shop.widget.getByRole("radio", { name: "Checking" }));
  await shop.page.keyboard.press(savings ? "ArrowDown" : "Space");
  await typeInto(shop, "Name on the account", "Jenny Rosen");
  await shop.shot("details typed");
  await shop.page.keyboard.press("Enter");
}

/** After the details went through: "Account added", Done, and the shop's result. */
async function finish(shop) {
  await shop.heading("Account added").waitFor();
  await shop.widget.getByText("Verification pending").waitFor();
  await shop.shot("account added, verification pending");
  await shop.button("Done").click();
  const outcome = await shop.outcome();
  assert.equal(outcome.error ?? null, null, JSON.stringify(outcome.error));
  assert.equal(outcome.session.accounts.length, 1);
  return outcome.session.accounts[0];
}

/** The whole widget part: a pending account and its verification, as the shop received it. */
async function addAccount(browser, server, name, options = {}) {
  const shop = await openShop(browser, server, name, options);
  await startManualEntry(shop);
  await enterDetails(shop, options);
  const account = await finish(shop);
  return { shop, account };
}

// ---- The integrator API ---------------------------------------------------------------------


function account(server, id) {
  return integratorApi(server, "GET", `/v1/financial_connections/accounts/${id}`);
}

/** The sandbox clock: moves this account's verification `seconds` into the future. */
function advanceClock(server, id, seconds) {
  return integratorApi(
    server,
    "POST",
    `/v1/test_helpers/financial_connections/accounts/${id}/verification/advance_clock`,
    { seconds },
  );
}

// ---- The hosted verification page -----------------------------------------------------------

/**
 * The hosted verification page, opened from its link in a browser context of its own (the
 * person follows the link from an email). Screenshots go to the shop's folder, after its own.
 */
class VerificationPage {
  static async open(browser, shop, url) {
    const { page, context, problems } = await watchedPage(browser);
    const requests = [];
    page.on("request", (request) => requests.push(request));
    const hosted = new VerificationPage(page, context, problems, requests, shop);
    await page.goto(url);
    return hosted;
  }

  constructor(page, context, problems, requests, shop) {
    Object.assign(this, { page, context, problems, requests, shop });
  }

  async close() {
    await this.context.close();
  }

  async shot(step) {
    this.shop.shots += 1;
    const file = `${String(this.shop.shots).padStart(2, "0")}-verification-${step.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.png`;
    await this.page.screenshot({ path: join(this.shop.dir, file), fullPage: true });
  }

  heading(name) {
    return this.page.getByRole("heading", { level: 1, name });
  }

  /** Text on the page itself, not in its live region (which repeats what it says). */
  text(text, options) {
    return this.page.locator(".fl-body").getByText(text, options);
  }

  field(label) {
    return this.page.getByLabel(label, { exact: true });
  }

  async focusedId() {
    return this.page.evaluate(() => document.activeElement && document.activeElement.id);
  }

  /** Tab from wherever the focus is to `locator`. */
  async tabTo(locator, max = 20) {
    await locator.waitFor();
    for (let i = 0; i < max; i++) {
      if (await locator.evaluate((element) => element === document.activeElement)) return;
      await this.page.keyboard.press("Tab");
    }
    throw new Error(`Tab never reached ${locator}`);
  }

  /** Types the two amounts by keyboard (Tab between the fields) and presses Enter. */
  async answerAmounts(first, second) {
    await this.tabTo(this.field("First deposit, in cents"));
    await this.page.keyboard.type(first);
    await this.page.keyboard.press("Tab");
    await this.page.keyboard.type(second);
    await this.page.keyboard.press("Enter");
  }

  async answerCode(code) {
    await this.tabTo(this.field("Code from the deposit"));
    await this.page.keyboard.type(code);
    await this.page.keyboard.press("Enter");
  }

  /** The text of the live region, once it says `expected`. */
  async announced(expected) {
    await this.page.waitForFunction(
      (text) => [...document.querySelectorAll("[aria-live]")].some((region) => region.textContent.includes(text)),
      expected,
    );
  }

  /** axe-core finds nothing, at the desktop width and at 320 px, and nothing scrolls sideways. */
  async assertAccessible(step) {
    const found = [];
    for (const viewport of [{ width: 1280, height: 800 }, { width: 320, height: 640 }]) {
      await this.page.setViewportSize(viewport);
      await settled(this.page);
      const violations = await axeViolations(this.page);
      const sideways = await this.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      found.push(...violations.map((line) => `${viewport.width} px: ${line}`));
      if (sideways > 0) found.push(`${viewport.width} px: the page scrolls sideways by ${sideways} px`);
      if (viewport.width === 320) await this.shot(`${step} at 320 px`);
    }
    await this.page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(found, [], `${step}: accessibility problems`);
  }

  /** The secret stayed in the fragment: gone from the address bar, in no URL a server saw. */
  assertSecretKeptOutOfUrls(secret) {
    assert.equal(new URL(this.page.url()).hash, "", "the fragment is gone from the address bar");
    for (const request of this.requests) {
      assert.ok(!request.url().includes(secret), `no request URL carries the secret: ${request.url()}`);
    }
    const calls = this.requests.filter((request) => new URL(request.url()).pathname === "/v1/link/verification");
    assert.ok(calls.length > 0, "the page called the link API");
    for (const call of calls) {
      assert.equal(call.headers().authorization, `Bearer ${secret}`, "the secret goes as the bearer token");
    }
  }

  /** Fails on page errors and failed requests, but for the refusals the test expects. */
  assertNoProblems(expected = []) {
    const left = this.problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
    assert.deepEqual(left, [], "no page errors, console errors or failed requests");
  }
}

function secretOf(url) {
  const secret = new URL(url).hash.replace(/^#verification_secret=/, "");
  assert.match(secret, /^fcvs_/, url);
  return decodeURIComponent(secret);
}

/** The pending verification the shop received, with its link on finlink's origin. */
function assertPending(server, account, type) {
  const verification = account.verification;
  assert.ok(verification, "the account carries its verification");
  assert.equal(verification.status, "pending");
  assert.equal(verification.microdeposit_type, type);
  assert.equal(verification.attempts_remaining, 3);
  assert.equal(verification.expires_at - verification.arrival_date, TEN_DAYS);
  assert.ok(
    verification.hosted_verification_url.startsWith(`${server.url}/link/verify/#verification_secret=fcvs_`),
    verification.hosted_verification_url,
  );
  return verification.hosted_verification_url;
}

// ---- The tests ------------------------------------------------------------------------------

describe("manual entry and microdeposit verification", () => {
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

  test("amounts: details typed in the widget, a wrong answer, then the right one verify the account", TIMEOUT, async (t) => {
    const { shop, account: added } = await addAccount(browser, server, t.fullName);
    try {
      assert.equal(added.display_name, "Checking");
      assert.equal(added.institution_name, ROUTING_BANK);
      assert.equal(added.last4, "6789");
      const url = assertPending(server, added, "amounts");
      const events = await shop.eventNames();
      assert.ok(events.includes("manual_entry_initiated"), events.join(", "));
      assert.ok(!events.includes("search_initiated"), "no bank search");
      const before = await account(server, added.id);
      assert.deepEqual(before.permissions, ["payment_method"]);
      assert.deepEqual(before.supported_payment_method_types, [], "not payable until verified");
      // The shop shows the account pending, with the link to send the person.
      const card = shop.account(`${ROUTING_BANK}: Checking •••• 6789`);
      await card.getByText("Pending: small deposits were sent to this account.", { exact: false }).waitFor();
      assert.equal(await card.getByRole("link", { name: /Verify deposits/ }).getAttribute("href"), url);
      await shop.shot("the shop shows the account pending");

      const hosted = await VerificationPage.open(browser, shop, url);
      try {
        await hosted.heading("Verify your bank account").waitFor();
        assert.equal(await hosted.page.title(), "Verify your bank account · finlink");
        await hosted.text(`${SHOP_BUSINESS} sent two small deposits`).waitFor();
        await hosted.text(ROUTING_BANK, { exact: true }).waitFor();
        await hosted.text("Checking account ending in 6789").waitFor();
        await hosted.text("You have 3 attempts left.").waitFor();
        assert.equal(await hosted.field("First deposit, in cents").getAttribute("inputmode"), "numeric");
        hosted.assertSecretKeptOutOfUrls(secretOf(url));
        await hosted.shot("the form");
        await hosted.assertAccessible("the form");

        // Wrong: said, attempts left, the fields cleared and the focus on the first.
        await hosted.answerAmounts("12", "34");
        await hosted.text("Those amounts don't match the deposits we sent.").waitFor();
        await hosted.text("You have 2 attempts left.").waitFor();
        await hosted.announced("You have 2 attempts left.");
        assert.equal(await hosted.field("First deposit, in cents").inputValue(), "");
        assert.equal(await hosted.field("Second deposit, in cents").inputValue(), "");
        assert.equal(await hosted.focusedId(), "finlink-amount-1", "the focus is on the first amount");
        await hosted.shot("a wrong answer");
        await hosted.assertAccessible("a wrong answer");

        // Right, in the other order: verified.
        await hosted.answerAmounts(AMOUNTS[1], AMOUNTS[0]);
        await hosted.heading("Account verified").waitFor();
        await hosted.text(VERIFIED_TEXT).waitFor();
        await hosted.announced(VERIFIED_TEXT);
        await hosted.shot("verified");
        await hosted.assertAccessible("verified");
        hosted.assertNoProblems();
      } finally {
        await hosted.close();
      }

      // finlink: verified and payable; the shop says so.
      const after = await account(server, added.id);
      assert.equal(after.verification.status, "verified");
      assert.equal(after.verification.attempts_remaining, 2);
      assert.deepEqual(after.supported_payment_method_types, ["us_bank_account"]);
      // The shop's server got the webhooks, and its page shows the account as it is now.
      await card.getByText("Verified: this account can be used for payments.").waitFor();
      assert.equal(await card.getByRole("link", { name: /Verify deposits/ }).count(), 0, "no link left");
      await shop.webhooks().getByText("wrong microdeposits typed", { exact: false }).waitFor();
      await shop.webhooks().getByText("microdeposits verified", { exact: false }).waitFor();
      await shop.shot("the shop shows the account verified");
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("descriptor code: the code SM11AA, typed in lower case, verifies the account", TIMEOUT, async (t) => {
    const { shop, account: added } = await addAccount(browser, server, t.fullName, { type: "descriptor_code", savings: true });
    try {
      assert.equal(added.display_name, "Savings");
      assert.equal(added.subcategory, "savings");
      const url = assertPending(server, added, "descriptor_code");
      const hosted = await VerificationPage.open(browser, shop, url);
      try {
        await hosted.heading("Verify your bank account").waitFor();
        await hosted.text("Savings account ending in 6789").waitFor();
        await hosted.text("The code starts with SM", { exact: false }).waitFor();
        assert.equal(await hosted.page.getByLabel("First deposit, in cents").count(), 0, "one field, for the code");
        await hosted.shot("the code form");
        await hosted.assertAccessible("the code form");

        await hosted.answerCode("SM99ZZ");
        await hosted.text("That code doesn't match the one we sent.").waitFor();
        await hosted.text("You have 2 attempts left.").waitFor();
        assert.equal(await hosted.field("Code from the deposit").inputValue(), "");
        assert.equal(await hosted.focusedId(), "finlink-code");

        // The connection drops as the right code is sent: what was typed stays, to send again.
        await hosted.page.route(
          "**/v1/link/verification",
          (route) => (route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue()),
          { times: 1 },
        );
        await hosted.answerCode(DESCRIPTOR_CODE.toLowerCase());
        await hosted.text("We couldn't reach finlink. Check your connection and try again.").waitFor();
        assert.equal(await hosted.field("Code from the deposit").inputValue(), DESCRIPTOR_CODE.toLowerCase());
        await hosted.text("You have 2 attempts left.").waitFor();
        await hosted.shot("no connection");

        await hosted.page.getByRole("button", { name: "Verify" }).press("Enter");
        await hosted.heading("Account verified").waitFor();
        await hosted.text(VERIFIED_TEXT).waitFor();
        await hosted.shot("verified");
        // The dropped request, as the browser reports it (a failed request and its console line).
        hosted.assertNoProblems([/ERR_INTERNET_DISCONNECTED/]);
        assert.ok(hosted.problems.some((problem) => /\/v1\/link\/verification/.test(problem)), "the answer was dropped");
      } finally {
        await hosted.close();
      }
      assert.equal((await account(server, added.id)).verification.status, "verified");
    } finally {
      await shop.close();
    }
  });

  test("three wrong answers end the verification for good: the link opens that end again", TIMEOUT, async (t) => {
    const { shop, account: added } = await addAccount(browser, server, t.fullName);
    try {
      const url = assertPending(server, added, "amounts");
      const hosted = await VerificationPage.open(browser, shop, url);
      try {
        await hosted.heading("Verify your bank account").waitFor();
        // A typing slip is refused on the page and uses up no attempt.
        await hosted.answerAmounts("32", "450");
        await hosted.text("Enter the second deposit in cents, a number from 1 to 99.").waitFor();
        assert.equal(await hosted.focusedId(), "finlink-amount-2");
        await hosted.text("You have 3 attempts left.").waitFor();
        await hosted.page.keyboard.press("Control+A");
        await hosted.page.keyboard.press("Backspace");
        await hosted.page.keyboard.press("Shift+Tab");
        await hosted.page.keyboard.press("Control+A");
        await hosted.page.keyboard.press("Backspace");

        for (const left of [2, 1]) {
          await hosted.answerAmounts("10", "20");
          await hosted.text(left === 1 ? "You have 1 attempt left." : `You have ${left} attempts left.`).waitFor();
        }
        await hosted.shot("one attempt left");
        await hosted.answerAmounts("10", "20");
        await hosted.heading("We couldn't verify your account").waitFor();
        await hosted.text(NO_LONGER).waitFor();
        await hosted.text("The deposits were entered wrong too many times.").waitFor();
        await hosted.announced(NO_LONGER);
        assert.equal(await hosted.page.getByRole("button", { name: "Verify" }).count(), 0);
        await hosted.shot("too many attempts");
        await hosted.assertAccessible("too many attempts");
        hosted.assertNoProblems();
      } finally {
        await hosted.close();
      }

      // The attempts are counted by finlink, not by the page: the link opens the same end.
      const again = await VerificationPage.open(browser, shop, url);
      try {
        await again.heading("We couldn't verify your account").waitFor();
        await again.text("The deposits were entered wrong too many times.").waitFor();
        again.assertNoProblems();
      } finally {
        await again.close();
      }
      const after = await account(server, added.id);
      assert.equal(after.verification.status, "failed");
      assert.equal(after.verification.failure_reason, "too_many_attempts");
      assert.deepEqual(after.supported_payment_method_types, []);
      const card = shop.account(`${ROUTING_BANK}: Checking •••• 6789`);
      await card.getByText("Failed: too many wrong answers. Link the account again.").waitFor();
      await shop.webhooks().getByText("microdeposit verification failed", { exact: false }).waitFor();
      await shop.shot("the shop shows the verification failed");
    } finally {
      await shop.close();
    }
  });

  test("after ten days on the sandbox clock, the right amounts are refused as expired", TIMEOUT, async (t) => {
    const { shop, account: added } = await addAccount(browser, server, t.fullName);
    try {
      const url = assertPending(server, added, "amounts");
      const hosted = await VerificationPage.open(browser, shop, url);
      try {
        await hosted.heading("Verify your bank account").waitFor();
        // The page is open when the ten days pass.
        const advanced = await advanceClock(server, added.id, TEN_DAYS);
        assert.equal(advanced.id, added.id);
        await hosted.answerAmounts(...AMOUNTS);
        await hosted.heading("We couldn't verify your account").waitFor();
        await hosted.text(NO_LONGER).waitFor();
        await hosted.text("The time to verify it has run out", { exact: false }).waitFor();
        await hosted.shot("expired");
        // finlink refuses the late answer (409), which the browser reports as a failed load.
        hosted.assertNoProblems([/status of 409/]);
      } finally {
        await hosted.close();
      }
      const after = await account(server, added.id);
      assert.equal(after.verification.status, "failed");
      assert.equal(after.verification.failure_reason, "expired");
      assert.equal(after.verification.hosted_verification_url, null);
      const card = shop.account(`${ROUTING_BANK}: Checking •••• 6789`);
      await card.getByText("Failed: the deposits were not verified in time.", { exact: false }).waitFor();
      await shop.shot("the shop shows the verification expired");
    } finally {
      await shop.close();
    }
  });

  test("a link that opens nothing, tampered or missing its secret, says it is not valid", TIMEOUT, async (t) => {
    const { shop, account: added } = await addAccount(browser, server, t.fullName);
    try {
      const url = assertPending(server, added, "amounts");
      const secret = secretOf(url);
      const tampered = `${server.url}/link/verify/#verification_secret=${encodeURIComponent(secret.slice(0, -1) + (secret.endsWith("0") ? "1" : "0"))}`;
      for (const [name, link, expected] of [
        ["tampered", tampered, [/status of 401/]],
        ["missing", `${server.url}/link/verify/#verification_secret=`, []],
      ]) {
        const hosted = await VerificationPage.open(browser, shop, link);
        try {
          await hosted.heading("This link is not valid").waitFor();
          await hosted.announced("This link is not valid.");
          assert.equal(await hosted.text(SHOP_BUSINESS).count(), 0, "nothing of any account");
          await hosted.shot(`${name} link`);
          hosted.assertNoProblems(expected);
        } finally {
          await hosted.close();
        }
      }
      assert.equal((await account(server, added.id)).verification.attempts_remaining, 3, "no attempt used");
    } finally {
      await shop.close();
    }
  });

  test("an account number the sandbox bank says is closed is refused on the form", TIMEOUT, async (t) => {
    const shop = await openShop(browser, server, t.fullName);
    try {
      await startManualEntry(shop);
      await enterDetails(shop, { account: ACCOUNT_CLOSED });
      // Said on the account number's field, which gets the focus back.
      const number = shop.widget.getByLabel("Account number", { exact: true });
      await describedAs(number, "Your bank says this account is closed.");
      assert.equal(await number.getAttribute("aria-invalid"), "true");
      assert.equal(await Shop.hasFocus(number), true, "the focus is on the account number");
      await shop.heading("Enter your bank details").waitFor();
      assert.equal(await shop.widget.getByLabel("Routing number", { exact: true }).inputValue(), ROUTING_NUMBER, "what was typed stays");
      await shop.shot("account closed");
      // The refusal (402) is the browser's failed load; the flow is still open.
      const refused = (problem) => /status of 402/.test(problem);
      shop.problems.splice(0, shop.problems.length, ...shop.problems.filter((problem) => !refused(problem)));
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("a routing number with a wrong check digit is refused as it is typed", TIMEOUT, async (t) => {
    const shop = await openShop(browser, server, t.fullName);
    try {
      await startManualEntry(shop);
      const routing = shop.widget.getByLabel("Routing number", { exact: true });
      await typeInto(shop, "Routing number", "110000001");
      await shop.page.keyboard.press("Tab");
      await describedAs(routing, "This isn't a valid routing number.");
      await shop.widget.getByText("This isn't a valid routing number.", { exact: false }).first().waitFor();
      assert.equal(await routing.getAttribute("aria-invalid"), "true");
      assert.ok(!(await description(routing)).includes(ROUTING_BANK), "no bank for it");
      await shop.shot("bad check digit");

      // Mended: the bank's name shows and the field is fine.
      // (Tab into a field selects its text: End, then mend the last digit.)
      await shop.tabTo(routing, { back: true });
      await shop.page.keyboard.press("End");
      await shop.page.keyboard.press("Backspace");
      await shop.page.keyboard.type("0");
      await describedAs(routing, ROUTING_BANK);
      await shop.widget.getByText(ROUTING_BANK, { exact: true }).first().waitFor();
      assert.notEqual(await routing.getAttribute("aria-invalid"), "true");
      assert.ok(!(await description(routing)).includes("valid routing number"), "the error is gone");
      await shop.shot("valid routing number");
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});
