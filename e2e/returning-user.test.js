// Returning users across two businesses of one deployment: a person links a bank at Demo Shop
// and saves the accounts with finlink at success; at Harbor Books (another business, another
// secret key, another origin) with the same email, the widget offers the saved accounts, a
// one-time code goes to that email (read from Harbor Books' inbox page, as a person reads an
// email), and the accounts link without a bank login. Also: by keyboard alone, wrong codes up
// to the lockout, the sandbox's test code, forgetting the saved accounts, "Use another account"
// kept when the widget opens again, an email with nothing saved, and axe on every new screen.
// Each test uses an email of its own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { axeViolations, settled } from "./axe.js";
import { SHOP_BUSINESS, Shop, WIDGET_FRAME, accountSummary } from "./demo-shop.js";
import { integratorApi, launchBrowser, startServer, watchedPage } from "./harness.js";

const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const SAVE_LABEL = "Save my accounts with finlink to link them faster next time";
/** The sandbox's documented test code (docs/sandbox.md). */
const TEST_CODE = "000000";
const TIMEOUT = { timeout: 180_000 };
const NARROW = { width: 320, height: 640 };
const WIDE = { width: 1280, height: 800 };

/** An email of this test's own, so that no test depends on another's saved accounts. */
function uniqueEmail(label) {
  return `jenny+${label}-${Math.random().toString(36).slice(2, 10)}@example.com`;
}

/** The masked email the widget shows: the first letter, dots, the domain. */
function hintOf(email) {
  const [local, domain] = email.split("@");
  return `${local[0]}•••@${domain}`;
}

/**
 * Opens a shop (Demo Shop at `server.demoUrl`, Harbor Books at `server.shopB`) in a fresh
 * browser context with `email` in its Email field. Records the paths the browser requested and
 * the popups the page opened, so a test can tell that no bank login happened.
 */
async function openShop(browser, url, business, name, email) {
  const { page, context, problems } = await watchedPage(browser);
  const shop = new Shop(page, context, problems, name);
  shop.url = url;
  shop.business = business;
  shop.requested = [];
  shop.popups = [];
  context.on("request", (request) => shop.requested.push(new URL(request.url()).pathname));
  page.on("popup", (popup) => shop.popups.push(popup.url()));
  await page.setViewportSize(WIDE);
  await page.goto(url);
  await page.getByRole("heading", { level: 1, name: business }).waitFor();
  await page.getByRole("button", { name: "Link bank account" }).waitFor();
  await page.getByRole("textbox", { name: "Email" }).fill(email);
  return shop;
}

/** The consent screen's heading for `business`. */
function consentHeading(shop) {
  return shop.heading(`${shop.business} uses finlink to connect your bank account`);
}

/** The step the widget shows (without its live region, which repeats some of its text). */
function screen(shop) {
  return shop.widget.locator(".fl-step");
}

/** The texts of the elements that describe `field` (`aria-describedby`), in the widget. */
async function descriptions(shop, field) {
  const ids = ((await field.getAttribute("aria-describedby")) ?? "").split(/\s+/).filter(Boolean);
  return Promise.all(ids.map((id) => shop.widget.locator(`[id="${id}"]`).innerText()));
}

/** The widget's live region, which announces what changed. */
function liveRegion(shop) {
  return shop.widget.locator('[aria-live="polite"]');
}

/**
 * The newest email in the shop's inbox page for the address in the shop's Email field, opened
 * from the shop's Inbox link in a tab of its own: its text, and the code read from it.
 */
async function readCodeFromInbox(shop) {
  const href = await shop.page.getByRole("link", { name: "Inbox" }).getAttribute("href");
  const inbox = await shop.context.newPage();
  try {
    await inbox.goto(new URL(href, shop.url).href);
    await inbox.getByRole("heading", { level: 1, name: "Inbox" }).waitFor();
    const newest = inbox.getByRole("list", { name: "Emails" }).getByRole("article").first();
    await newest.getByRole("heading", { name: "Your finlink code" }).waitFor();
    const text = await newest.innerText();
    await inbox.screenshot({ path: `${shop.dir}/inbox.png` });
    assert.match(text, /It expires in 10 minutes\./);
    assert.match(text, /If you did not ask for it, ignore this email\./);
    const found = /Your finlink code is (\d{6})\./.exec(text);
    assert.ok(found, `the email gives a 6-digit code:\n${text}`);
    return { code: found[1], text };
  } finally {
    await inbox.close();
  }
}

/** How many emails the shop's inbox page lists for the address in its Email field. */
async function inboxCount(shop) {
  const href = await shop.page.getByRole("link", { name: "Inbox" }).getAttribute("href");
  const inbox = await shop.context.newPage();
  try {
    await inbox.goto(new URL(href, shop.url).href);
    await inbox.getByRole("heading", { level: 1, name: "Inbox" }).waitFor();
    return await inbox.getByRole("list", { name: "Emails" }).getByRole("article").count();
  } finally {
    await inbox.close();
  }
}

/** The widget's document: the frame of the loader's iframe. */
async function widgetFrame(page) {
  const element = await page.locator(WIDGET_FRAME).elementHandle();
  const frame = await element.contentFrame();
  await element.dispose();
  assert.ok(frame, "the widget's iframe has a document");
  return frame;
}

/**
 * axe finds nothing on the step the widget shows, at the desktop width and at 320 px, where
 * nothing overflows sideways; one screenshot at 320 px.
 */
async function assertAccessible(shop, step) {
  const frame = await widgetFrame(shop.page);
  const wide = await axeViolations(frame);
  await shop.page.setViewportSize(NARROW);
  await settled(frame);
  const narrow = await axeViolations(frame);
  const sideways = await frame.evaluate(() => {
    const root = document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
  await shop.shot(`${step} at 320 px`);
  await shop.page.setViewportSize(WIDE);
  await settled(frame);
  assert.deepEqual(wide, [], `${step}: axe`);
  assert.deepEqual(narrow, [], `${step}: axe at 320 px`);
  assert.ok(sideways <= 0, `${step} overflows sideways by ${sideways} px at 320 px`);
}

/**
 * At Demo Shop: links Everyday Checking and High-Yield Savings at the credentials bank (a bank
 * login), ticks "Save my accounts" at success (unticked at first, the email prefilled with the
 * one the shop passed), and Done. `atSuccess(shop)` runs with the box ticked. Returns the
 * accounts Demo Shop got.
 */
async function linkAndSaveAtDemoShop(browser, server, name, email, atSuccess) {
  const shop = await openShop(browser, server.demoUrl, SHOP_BUSINESS, `${name} at demo shop`, email);
  try {
    await shop.page.getByRole("button", { name: "Link bank account" }).click();
    await consentHeading(shop).waitFor();
    assert.equal(await shop.heading("Welcome back").count(), 0, "nothing is saved yet: no offer");
    await shop.consent();
    await shop.pick(CREDENTIALS_BANK);
    await shop.heading(`Log in to ${CREDENTIALS_BANK}`).waitFor();
    await shop.logIn("pass_good");
    await shop.heading("Select accounts").waitFor();
    const list = shop.widget.getByRole("list", { name: `Accounts at ${CREDENTIALS_BANK}` });
    await list.getByRole("checkbox", { name: "Everyday Checking" }).check();
    await list.getByRole("checkbox", { name: "High-Yield Savings" }).check();
    await shop.button("Link accounts").click();
    await shop.heading("Accounts linked").waitFor();

    const save = shop.widget.getByRole("checkbox", { name: SAVE_LABEL });
    assert.equal(await save.isChecked(), false, "saving is offered unticked");
    const saveFor = shop.widget.getByText(`We'll save them for ${email}.`, { exact: true });
    const phone = shop.widget.getByRole("textbox", { name: "Phone (optional)" });
    assert.equal(await phone.count(), 0, "no phone field before the box is ticked");
    await shop.shot("success with the offer to save");
    await save.check();
    await saveFor.waitFor();
    assert.equal(
      await shop.widget.getByRole("textbox", { name: "Email", exact: true }).count(),
      0,
      "the email is the one the shop passed, not a field",
    );
    assert.equal(await phone.inputValue(), "");
    await shop.shot("save ticked");
    if (atSuccess) await atSuccess(shop);
    await shop.button("Done").click();

    const outcome = await shop.outcome();
    assert.equal(outcome.error, undefined);
    assert.deepEqual(accountSummary(outcome).sort(), ["Everyday Checking 6789", "High-Yield Savings 4321"]);
    await shop.assertClosedAndFocusReturned();
    assert.ok(shop.requested.includes("/v1/link/authorizations"), "a bank login");
    assert.ok(shop.requested.includes("/v1/link/returning_user/save"), "Done saved the accounts");
    assert.deepEqual(shop.popups, [], "the credentials bank opens no popup");
    shop.assertNoProblems();
    return outcome.session.accounts;
  } finally {
    await shop.close();
  }
}

/** At Harbor Books: Link bank account, and the offer of the saved accounts. */
async function reachOffer(shop, email) {
  await shop.page.getByRole("button", { name: "Link bank account" }).click();
  await shop.heading("Welcome back").waitFor();
  await screen(shop)
    .getByText(`You saved bank accounts with finlink. We'll send a code to ${hintOf(email)}.`, { exact: true })
    .waitFor();
  await shop.button("Use another account").waitFor();
  await shop.shot("welcome back");
}

/** From the offer to the code screen. */
async function continueToCode(shop, email) {
  await shop.button("Continue with your saved accounts").click();
  await shop.heading("Enter your code").waitFor();
  await screen(shop)
    .getByText(`We sent a code to ${hintOf(email)}. It expires in 10 minutes.`, { exact: true })
    .waitFor();
  const field = shop.widget.getByRole("textbox", { name: "6-digit code" });
  assert.equal(await field.getAttribute("autocomplete"), "one-time-code");
  assert.equal(await field.getAttribute("inputmode"), "numeric");
  await shop.shot("enter your code");
  return field;
}

/** Types `code` and presses Verify. */
async function submitCode(shop, code) {
  await shop.widget.getByRole("textbox", { name: "6-digit code" }).fill(code);
  await shop.button("Verify").click();
}

/**
 * What the shop's backend answers its page for an account (`/api/accounts/{id}`): its status
 * and summary; with `withBalance`, asked again until the balance came from the bank. Asked from
 * another tab of the shop, so that an expected refusal is not one of the shop page's problems.
 */
async function backendSummary(shop, id, { withBalance = false } = {}) {
  if (!shop.probe) {
    shop.probe = await shop.context.newPage();
    await shop.probe.goto(shop.url);
  }
  for (let tries = 0; ; tries++) {
    const answer = await shop.probe.evaluate(async (id) => {
      const response = await fetch(`/api/accounts/${encodeURIComponent(id)}`);
      return { status: response.status, body: await response.json() };
    }, id);
    if (!withBalance || answer.status !== 200 || answer.body.balance || tries >= 60) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The accounts of the webhooks the shop's server received, as its page shows them, once they
 * include the account `id`.
 */
async function webhookAccounts(page, id) {
  const handle = await page.waitForFunction(
    (id) => {
      const accounts = window.demoShop.webhooks.map((event) => event.account).filter(Boolean);
      return accounts.includes(id) && accounts;
    },
    id,
    { timeout: 30_000 },
  );
  const accounts = await handle.jsonValue();
  await handle.dispose();
  return accounts;
}

/** No request of a bank login or of the bank list was made, and no popup opened. */
function assertNoBankLogin(shop) {
  const bankCalls = shop.requested.filter(
    (path) => path.startsWith("/v1/link/authorizations") || path.startsWith("/v1/link/institutions") ||
      path.startsWith("/oauth/") || path.startsWith("/sandbox/banks/"),
  );
  assert.deepEqual(bankCalls, [], "no bank login and no bank list on the returning path");
  assert.ok(shop.requested.includes("/v1/link/returning_user/attach"), "linked from the saved accounts");
  assert.deepEqual(shop.popups, [], "no bank popup");
}

describe("returning users across two businesses", () => {
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

  test("saved at Demo Shop, linked at Harbor Books with the emailed code and no bank login", TIMEOUT, async () => {
    const email = uniqueEmail("two-shops");
    const name = "returning user two-shops";
    const saved = await linkAndSaveAtDemoShop(browser, server, name, email);
    const demoChecking = saved.find((account) => account.display_name === "Everyday Checking");

    const shop = await openShop(browser, server.shopB, server.shopBName, `${name} at harbor books`, email);
    try {
      await reachOffer(shop, email);
      await continueToCode(shop, email);
      const { code, text } = await readCodeFromInbox(shop);
      assert.match(text, new RegExp(`at ${server.shopBName}`), "the email names the business asking");
      await shop.page.bringToFront();
      await submitCode(shop, code);

      await shop.heading("Your saved accounts").waitFor();
      await screen(shop).getByText(`Choose the accounts to link to ${server.shopBName}.`, { exact: true }).waitFor();
      const list = shop.widget.getByRole("list", { name: "Saved accounts" });
      assert.equal(await list.getByRole("listitem").count(), 2, "both saved accounts are listed");
      for (const [account, last4] of [["Everyday Checking", "6789"], ["High-Yield Savings", "4321"]]) {
        const item = (await list.getByRole("listitem").filter({ hasText: account }).innerText()).replace(/\s+/g, " ");
        assert.ok(item.includes(`${account} ••••${last4}`), `the name and last 4 digits: ${item}`);
        assert.ok(item.includes(CREDENTIALS_BANK), `the institution: ${item}`);
      }
      const checking = list.getByRole("checkbox", { name: /Everyday Checking/ });
      assert.equal(await checking.isChecked(), false);
      await checking.check();
      await shop.shot("your saved accounts");
      await shop.button("Continue").click();

      await consentHeading(shop).waitFor();
      const toShare = shop.widget.getByRole("list", { name: "Accounts to share" });
      await toShare.getByText("Everyday Checking").waitFor();
      assert.equal(await toShare.getByText("High-Yield Savings").count(), 0, "only the chosen account");
      await shop.widget.getByRole("list", { name: `Data ${server.shopBName} will see` }).waitFor();
      await shop.shot("consent for harbor books");
      await shop.button("Continue").click();

      await shop.heading("Accounts linked").waitFor();
      assert.equal(
        await shop.widget.getByRole("checkbox", { name: SAVE_LABEL }).count(),
        0,
        "accounts linked from the saved ones are not offered for saving again",
      );
      await shop.shot("accounts linked at harbor books");
      await shop.button("Done").click();

      const outcome = await shop.outcome();
      assert.equal(outcome.error, undefined);
      assert.deepEqual(accountSummary(outcome), ["Everyday Checking 6789"]);
      const [harborAccount] = outcome.session.accounts;
      assert.equal(harborAccount.institution_name, CREDENTIALS_BANK);
      assert.notEqual(harborAccount.id, demoChecking.id, "a new account of Harbor Books' own");
      await shop.assertClosedAndFocusReturned();
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "returning_user_detected",
        "returning_user_verified",
        "accounts_selected",
        "consent_acquired",
        "success",
      ]);
      assertNoBankLogin(shop);

      // Harbor Books' backend reads the account's data from the bank: the same balance and
      // owner Demo Shop's backend reads for its own account at the same bank.
      const card = shop.account(`${CREDENTIALS_BANK}: Everyday Checking •••• 6789`);
      await card.getByRole("definition").first().waitFor();
      await card.getByRole("list", { name: "Owners of Everyday Checking" }).getByText("Jenny Rosen").first().waitFor();
      const harborBalance = await card.getByRole("definition").first().innerText();
      assert.match(harborBalance, /\$/);
      await shop.shot("harbor books shows the balance");

      const demo = await openShop(browser, server.demoUrl, SHOP_BUSINESS, `${name} demo shop backend`, email);
      try {
        const own = await backendSummary(demo, demoChecking.id, { withBalance: true });
        assert.equal(own.status, 200);
        const other = await backendSummary(demo, harborAccount.id);
        assert.equal(other.status, 404, "Demo Shop's backend cannot read Harbor Books' account");

        const harbor = await backendSummary(shop, harborAccount.id, { withBalance: true });
        assert.equal(harbor.status, 200);
        assert.ok(harbor.body.balance.current.length > 0);
        assert.deepEqual(harbor.body.balance.current, own.body.balance.current, "the same bank account's balance");
        assert.equal((await backendSummary(shop, demoChecking.id)).status, 404, "and the other way round");

        // Each shop's server gets the webhooks of its own accounts only.
        const demoWebhooks = await webhookAccounts(demo.page, demoChecking.id);
        assert.ok(!demoWebhooks.includes(harborAccount.id), "Demo Shop gets no webhook of Harbor Books' account");
        const harborWebhooks = await webhookAccounts(shop.page, harborAccount.id);
        for (const account of saved) {
          assert.ok(!harborWebhooks.includes(account.id), "Harbor Books gets no webhook of Demo Shop's accounts");
        }
      } finally {
        await demo.close();
      }

      // Through finlink's integrator API: each business lists only its own customer's accounts.
      const path = "/v1/financial_connections/accounts?account_holder%5Bcustomer%5D=cus_demo&limit=100";
      const accountIds = async (key) =>
        (await integratorApi(server, "GET", path, undefined, key)).data.map((account) => account.id);
      const demoIds = await accountIds(server.secretKey);
      const harborIds = await accountIds(server.shopBSecretKey);
      assert.ok(demoIds.includes(demoChecking.id));
      assert.ok(!demoIds.includes(harborAccount.id), "Demo Shop's list has no Harbor Books account");
      assert.ok(harborIds.includes(harborAccount.id));
      assert.ok(!harborIds.includes(demoChecking.id), "Harbor Books' list has no Demo Shop account");
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("the returning path by keyboard alone", TIMEOUT, async () => {
    const email = uniqueEmail("keyboard");
    const name = "returning user keyboard";
    await linkAndSaveAtDemoShop(browser, server, name, email);

    const shop = await openShop(browser, server.shopB, server.shopBName, `${name} at harbor books`, email);
    const keys = shop.page.keyboard;
    try {
      await shop.tabTo(shop.page.getByRole("button", { name: "Link bank account" }));
      await keys.press("Enter");
      await shop.heading("Welcome back").waitFor();
      await shop.tabTo(shop.button("Continue with your saved accounts"));
      await keys.press("Enter");

      await shop.heading("Enter your code").waitFor();
      const { code } = await readCodeFromInbox(shop);
      await shop.page.bringToFront();
      const field = shop.widget.getByRole("textbox", { name: "6-digit code" });
      await shop.tabTo(field);
      await keys.type(code);
      await shop.shot("code typed");
      await keys.press("Enter");

      await shop.heading("Your saved accounts").waitFor();
      await shop.tabTo(shop.widget.getByRole("checkbox", { name: /High-Yield Savings/ }));
      await keys.press("Space");
      await shop.shot("saved account chosen");
      await shop.tabTo(shop.button("Continue"));
      await keys.press("Enter");

      await consentHeading(shop).waitFor();
      await shop.widget.getByRole("list", { name: "Accounts to share" }).getByText("High-Yield Savings").waitFor();
      await shop.tabTo(shop.button("Continue"));
      await keys.press("Enter");

      await shop.heading("Accounts linked").waitFor();
      await shop.tabTo(shop.button("Done"));
      await keys.press("Enter");

      const outcome = await shop.outcome();
      assert.deepEqual(accountSummary(outcome), ["High-Yield Savings 4321"]);
      await shop.assertClosedAndFocusReturned();
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "returning_user_detected",
        "returning_user_verified",
        "accounts_selected",
        "consent_acquired",
        "success",
      ]);
      assertNoBankLogin(shop);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("five wrong codes lock this session out; a new session for the email still works", TIMEOUT, async () => {
    const email = uniqueEmail("wrong-codes");
    const name = "returning user wrong-codes";
    await linkAndSaveAtDemoShop(browser, server, name, email);

    const shop = await openShop(browser, server.shopB, server.shopBName, `${name} at harbor books`, email);
    try {
      await reachOffer(shop, email);
      const field = await continueToCode(shop, email);
      const { code } = await readCodeFromInbox(shop);
      await shop.page.bringToFront();
      // A code that differs from the one sent in its last digit: wrong for certain.
      const wrong = code.slice(0, 5) + String((Number(code[5]) + 1) % 10);
      for (const left of [4, 3, 2, 1]) {
        await submitCode(shop, wrong);
        const message = `That code isn't right. ${left} ${left === 1 ? "attempt" : "attempts"} left.`;
        await screen(shop).getByText(message, { exact: true }).waitFor();
        await liveRegion(shop).getByText(message).waitFor({ state: "attached" });
        assert.equal(await field.getAttribute("aria-invalid"), "true");
        assert.ok((await descriptions(shop, field)).includes(message), "the error describes the field");
        if (left === 4) await shop.shot("a wrong code");
      }
      await submitCode(shop, wrong);
      await screen(shop).getByRole("alert").getByText("Too many wrong codes.", { exact: false }).waitFor();
      await shop.shot("too many wrong codes");
      // Only "Use another account" is left: no field, no Verify, no new code.
      assert.equal(await field.count(), 0);
      assert.equal(await shop.button("Verify").count(), 0);
      assert.equal(await shop.button("Send a new code").count(), 0);
      await shop.button("Use another account").click();
      await consentHeading(shop).waitFor();
      assert.equal(await shop.button("Use another account").count(), 0, "the normal consent");
      await shop.consent();
      assert.ok(!(await shop.eventNames()).includes("returning_user_verified"));
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }

    // The lockout belongs to that session: a new one at Harbor Books gets the offer, and the
    // code from the email works.
    const again = await openShop(browser, server.shopB, server.shopBName, `${name} a new session`, email);
    try {
      await reachOffer(again, email);
      await continueToCode(again, email);
      const { code } = await readCodeFromInbox(again);
      await again.page.bringToFront();
      await submitCode(again, code);
      await again.heading("Your saved accounts").waitFor();
      assert.ok((await again.eventNames()).includes("returning_user_verified"));
      again.assertNoProblems();
    } finally {
      await again.close();
    }
  });

  test("test code 000000 works; forgetting saved accounts goes on normally, no later offer", TIMEOUT, async () => {
    const email = uniqueEmail("forget");
    const name = "returning user forget";
    await linkAndSaveAtDemoShop(browser, server, name, email);

    const shop = await openShop(browser, server.shopB, server.shopBName, `${name} at harbor books`, email);
    try {
      await reachOffer(shop, email);
      await continueToCode(shop, email);
      await submitCode(shop, TEST_CODE);
      await shop.heading("Your saved accounts").waitFor();
      await shop.button("Forget my saved accounts").click();
      await consentHeading(shop).waitFor();
      await liveRegion(shop)
        .getByText("Your saved accounts are forgotten.", { exact: false })
        .waitFor({ state: "attached" });
      assert.equal(await shop.button("Use another account").count(), 0, "the normal consent");
      await shop.shot("forgotten: the normal consent");
      await shop.consent();
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "returning_user_detected",
        "returning_user_verified",
        "consent_acquired",
      ]);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }

    // Forgotten everywhere: neither business offers them again.
    for (const [url, business] of [[server.shopB, server.shopBName], [server.demoUrl, SHOP_BUSINESS]]) {
      const later = await openShop(browser, url, business, `${name} later at ${business}`, email);
      try {
        await later.page.getByRole("button", { name: "Link bank account" }).click();
        await consentHeading(later).waitFor();
        assert.equal(await later.heading("Welcome back").count(), 0);
        assert.deepEqual(await later.eventNames(), ["open"]);
        later.assertNoProblems();
      } finally {
        await later.close();
      }
    }
  });

  test("use another account is kept: the widget opened again for the session resumes in the normal flow", TIMEOUT, async () => {
    const email = uniqueEmail("declined");
    const name = "returning user declined";
    await linkAndSaveAtDemoShop(browser, server, name, email);

    const shop = await openShop(browser, server.shopB, server.shopBName, `${name} at harbor books`, email);
    try {
      await reachOffer(shop, email);
      await continueToCode(shop, email);
      const declined = shop.context.waitForEvent("requestfinished", {
        predicate: (request) => new URL(request.url()).pathname === "/v1/link/returning_user/decline",
        timeout: 30_000,
      });
      await shop.button("Use another account").click();
      // The normal flow at once; the decline is recorded meanwhile.
      await consentHeading(shop).waitFor();
      assert.equal((await (await declined).response()).status(), 200, "the decline is recorded");
      assert.equal(await shop.button("Use another account").count(), 0, "the normal consent");

      // The widget page opened again for the same session (a reload, a redirect's return, a
      // web view resuming): the normal consent, not "Welcome back".
      const src = await shop.page.locator(WIDGET_FRAME).getAttribute("src");
      const secret = new URLSearchParams(new URL(src).hash.slice(1)).get("client_secret");
      assert.ok(secret, "the widget's page names the session");
      const reopened = `${new URL(src).origin}/link/#client_secret=${encodeURIComponent(secret)}`;
      const again = await shop.context.newPage();
      try {
        await again.goto(reopened);
        await again
          .getByRole("heading", { level: 1, name: `${server.shopBName} uses finlink to connect your bank account` })
          .waitFor();
        assert.equal(await again.getByRole("heading", { name: "Welcome back" }).count(), 0);
        assert.equal(await again.getByRole("button", { name: "Use another account" }).count(), 0);
        await again.screenshot({ path: `${shop.dir}/opened again after declining.png` });
      } finally {
        await again.close();
      }

      // Consent in the normal flow, then once more: the bank list, still no offer.
      await shop.page.bringToFront();
      await shop.consent();
      const third = await shop.context.newPage();
      try {
        await third.goto(reopened);
        await third.getByRole("heading", { level: 1, name: "Select your bank" }).waitFor();
        assert.equal(await third.getByRole("heading", { name: "Welcome back" }).count(), 0);
      } finally {
        await third.close();
      }
      const events = await shop.eventNames();
      assert.ok(!events.includes("returning_user_verified"), `${events}`);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }

    // Declined in that session only: a new session for the email is offered them again.
    const later = await openShop(browser, server.shopB, server.shopBName, `${name} a new session`, email);
    try {
      await reachOffer(later, email);
      later.assertNoProblems();
    } finally {
      await later.close();
    }
  });

  test("an email with nothing saved gets the normal flow, and no email", TIMEOUT, async () => {
    const email = uniqueEmail("nothing-saved");
    const name = "returning user nothing-saved";
    const shop = await openShop(browser, server.shopB, server.shopBName, name, email);
    try {
      await shop.page.getByRole("button", { name: "Link bank account" }).click();
      await consentHeading(shop).waitFor();
      assert.equal(await shop.heading("Welcome back").count(), 0);
      assert.equal(await shop.button("Use another account").count(), 0);
      await shop.consent();
      assert.deepEqual(await shop.eventNames(), ["open", "consent_acquired"]);
      assert.equal(await inboxCount(shop), 0, "no code was sent");
      assert.ok(!shop.requested.some((path) => path.startsWith("/v1/link/returning_user/")));
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("axe and 320 px: the offer, the code, the saved accounts, saving at success", TIMEOUT, async () => {
    const email = uniqueEmail("axe");
    const name = "returning user axe";
    await linkAndSaveAtDemoShop(browser, server, name, email, (shop) =>
      assertAccessible(shop, "success with the save box ticked"),
    );

    const shop = await openShop(browser, server.shopB, server.shopBName, `${name} at harbor books`, email);
    try {
      await reachOffer(shop, email);
      await assertAccessible(shop, "welcome back");
      await continueToCode(shop, email);
      await assertAccessible(shop, "enter your code");
      await submitCode(shop, "123");
      await screen(shop).getByText("Enter the 6-digit code from the email.", { exact: true }).waitFor();
      await assertAccessible(shop, "a code of the wrong shape");
      await submitCode(shop, TEST_CODE);
      await shop.heading("Your saved accounts").waitFor();
      await assertAccessible(shop, "your saved accounts");
      await shop.widget.getByRole("checkbox", { name: /Everyday Checking/ }).check();
      await shop.button("Continue").click();
      await shop.widget.getByRole("list", { name: "Accounts to share" }).waitFor();
      await assertAccessible(shop, "consent with the accounts to share");
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});
