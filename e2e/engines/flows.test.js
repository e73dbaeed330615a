// The main linking flows in one engine, the one FINLINK_ENGINE names (chromium, firefox or
// webkit): the same tests in every engine, from the demo shop (another origin than finlink)
// through the loader's iframe. `make test-e2e-engines` runs this file once per engine.
//
//   FINLINK_ENGINE=firefox node --test engines/flows.test.js
//   FINLINK_ENGINE=webkit xvfb-run -a node --test engines/flows.test.js
import assert from "node:assert/strict";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";

import { ACCOUNT_FIELDS } from "../demo-shop.js";
import { startServer } from "../server.js";
import { engineFromEnv, recordEngine, startBrowser } from "./browsers.js";
import { Key, Shop } from "./shop.js";

const OAUTH_BANK = "Sandbox Bank (OAuth)";
const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const TIMEOUT = { timeout: 120_000 };

const engine = engineFromEnv();

describe(`linking in ${engine.label}`, () => {
  let server;
  let browser;
  let shop;

  before(async () => {
    server = await startServer();
    // What the README's support table names: the engine as this run's WebDriver session
    // reports it.
    const probe = await startBrowser(engine);
    try {
      recordEngine(probe, {});
    } finally {
      await probe.quit();
    }
  });

  after(async () => {
    await server?.stop();
  });

  // A fresh browser for each test: no storage, windows or focus left over from another.
  beforeEach(async (t) => {
    browser = await startBrowser(engine);
    shop = await Shop.open(browser, server, t.name);
  });

  afterEach(async () => {
    await browser?.quit();
    browser = null;
  });

  /** Ticks Everyday Checking (the credit card cannot carry payments), links, then Done. */
  async function linkEverydayChecking(bank) {
    await shop.heading("Select accounts");
    assert.equal(await shop.accountDisabled(bank, "Rewards Credit Card"), true);
    await shop.waitForText("widget", "This account can't be used for payments.");
    await shop.tick(bank, "Everyday Checking");
    await shop.shot("select accounts");
    await shop.button("Link accounts");
    await shop.heading("Accounts linked");
    await shop.waitForText("widget", "1 account is now linked to Demo Shop.");
    await shop.shot("accounts linked");
    await shop.button("Done");
  }

  /** The host got one account, only the fields a host may see, and shows it. */
  async function assertLinkedEverydayChecking(bank) {
    const outcome = await shop.outcome();
    assert.equal(outcome.error, undefined, JSON.stringify(outcome));
    assert.match(outcome.session.id, /^fcsess_/);
    assert.equal(outcome.session.accounts.length, 1);
    const [account] = outcome.session.accounts;
    assert.deepEqual(Object.keys(account).sort(), ACCOUNT_FIELDS);
    assert.equal(account.display_name, "Everyday Checking");
    assert.equal(account.last4, "6789");
    assert.equal(account.institution_name, bank);
    assert.equal(account.subcategory, "checking");
    await shop.assertClosedAndFocusReturned();
    await shop.assertShopLists(`${bank}: Everyday Checking •••• 6789`);
    await shop.shot("the shop lists the account");
  }

  /** The host got a cancelled session: no accounts, no error. */
  async function assertCancelled(events) {
    const outcome = await shop.outcome();
    assert.equal(outcome.error, undefined, JSON.stringify(outcome));
    assert.match(outcome.session.id, /^fcsess_/);
    assert.deepEqual(outcome.session.accounts, []);
    await shop.assertClosedAndFocusReturned();
    assert.deepEqual(await shop.eventNames(), [...events, "cancel"]);
  }

  for (const mfa of [
    {
      kind: "code",
      password: "pass_mfa_code",
      heading: "Enter your code",
      answer: () => shop.fill("Code", "123456"),
    },
    {
      kind: "question",
      password: "pass_mfa_question",
      heading: "Answer your security question",
      answer: () => shop.fill("What is your favourite colour?", "Blue"),
    },
    {
      kind: "selection",
      password: "pass_mfa_selection",
      heading: "Confirm it's you",
      answer: () => shop.click("widget", "radio", "Yes"),
    },
  ]) {
    test(`${CREDENTIALS_BANK} with a second factor by ${mfa.kind}`, TIMEOUT, async () => {
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.heading(`Log in to ${CREDENTIALS_BANK}`);
      await shop.logIn(mfa.password, `${engine.name}-${mfa.kind}`);
      await shop.heading(mfa.heading);
      await mfa.answer();
      await shop.shot(`mfa ${mfa.kind}`);
      await shop.button("Verify");
      await linkEverydayChecking(CREDENTIALS_BANK);
      await assertLinkedEverydayChecking(CREDENTIALS_BANK);
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "consent_acquired",
        "institution_selected",
        "institution_authorized",
        "accounts_selected",
        "success",
      ]);
    });
  }

  test("a wrong password, then the right one, keeps the username", TIMEOUT, async () => {
    await shop.start();
    await shop.consent();
    await shop.pick(CREDENTIALS_BANK);
    await shop.logIn("not_the_password", `${engine.name}-wrong-then-right`);
    const alert = await shop.find("widget", "alert", null);
    await shop.until("the attempts left in the alert", async () =>
      (await alert.getText()).includes("You have 4 attempts left."),
    );
    assert.equal(await shop.valueOf("Username"), `${engine.name}-wrong-then-right`);
    assert.equal(await shop.valueOf("Password"), "", "never kept");
    await shop.shot("wrong password");
    await shop.fill("Password", "pass_good");
    await shop.button("Log in");
    await linkEverydayChecking(CREDENTIALS_BANK);
    await assertLinkedEverydayChecking(CREDENTIALS_BANK);
  });

  test(`${OAUTH_BANK}: authorize in the bank's popup`, TIMEOUT, async () => {
    await shop.start();
    await shop.consent();
    await shop.pick(OAUTH_BANK);
    await shop.heading(`You'll continue at ${OAUTH_BANK}`);
    await shop.shot("oauth handoff");
    await shop.button("Continue");

    // The bank's own page, in the popup: its name, the accounts ticked, Authorize. Back at
    // finlink's callback, the popup closes itself and the widget goes on.
    await shop.enterPopup();
    await shop.find(null, "heading", OAUTH_BANK);
    await shop.shot("the bank's consent page in the popup");
    await shop.clickInPopup("button", "Authorize");
    await shop.waitForPopupClosed();

    await linkEverydayChecking(OAUTH_BANK);
    await assertLinkedEverydayChecking(OAUTH_BANK);
    assert.deepEqual(await shop.eventNames(), [
      "open",
      "consent_acquired",
      "institution_selected",
      "flow_launched_in_browser",
      "institution_authorized",
      "accounts_selected",
      "success",
    ]);
  });

  test("Close at the second factor: the host gets a cancelled session", TIMEOUT, async () => {
    await shop.start();
    await shop.consent();
    await shop.pick(CREDENTIALS_BANK);
    await shop.logIn("pass_mfa_code", `${engine.name}-close`);
    await shop.heading("Enter your code");
    await shop.shot("second factor");
    await shop.click("widget", "button", "Close", { exact: true });
    await assertCancelled(["open", "consent_acquired", "institution_selected"]);
  });

  test("Close while the bank's popup is open: the host gets a cancelled session", TIMEOUT, async () => {
    await shop.start();
    await shop.consent();
    await shop.pick(OAUTH_BANK);
    await shop.button("Continue");
    await shop.enterPopup();
    await shop.find(null, "heading", OAUTH_BANK);
    await shop.heading(`Finish at ${OAUTH_BANK}`);
    await shop.shot("waiting for the bank's popup");
    await shop.click("widget", "button", "Close", { exact: true });
    await assertCancelled(["open", "consent_acquired", "institution_selected", "flow_launched_in_browser"]);
  });

  test("Escape closes the widget", TIMEOUT, async () => {
    await shop.start();
    await shop.consent();
    await shop.pick(CREDENTIALS_BANK);
    await shop.find("widget", "field", "Username");
    await shop.press(Key.ESCAPE);
    await assertCancelled(["open", "consent_acquired", "institution_selected"]);
  });
});
