// Linking from the demo shop (another origin than finlink) through the loader, with the sandbox
// banks: OAuth in the bank's popup, credentials with each kind of second factor, a wrong
// password then the right one, a session that links a single account, and the credentials
// flow by keyboard alone. Each test checks what the host page gets: the accounts, and the
// events in order.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { ACCOUNT_FIELDS, Shop, accountSummary } from "./demo-shop.js";
import { launchBrowser, startServer } from "./harness.js";

const OAUTH_BANK = "Sandbox Bank (OAuth)";
const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const TIMEOUT = { timeout: 90_000 };

describe("linking from the demo shop", () => {
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

  /** Ticks Everyday Checking, links, checks the success screen, presses Done. */
  async function linkEverydayChecking(shop, bank) {
    await shop.heading("Select accounts").waitFor();
    const list = shop.widget.getByRole("list", { name: `Accounts at ${bank}` });
    // The credit card cannot carry payments, which the shop asks for: shown, but disabled.
    const card = list.getByRole("checkbox", { name: "Rewards Credit Card" });
    assert.equal(await card.isDisabled(), true);
    await list.getByText("This account can't be used for payments.").waitFor();
    await shop.shot("select accounts");

    await list.getByRole("checkbox", { name: "Everyday Checking" }).check();
    await shop.button("Link accounts").click();
    await shop.heading("Accounts linked").waitFor();
    const linked = shop.widget.getByRole("list", { name: "Linked accounts" });
    await linked.getByText("Everyday Checking").waitFor();
    await shop.widget.getByText("1 account is now linked to Demo Shop.").waitFor();
    await shop.shot("accounts linked");
    await shop.button("Done").click();
  }

  /** The host's result: one account, only the fields a host may see. */
  async function assertLinkedEverydayChecking(shop, bank) {
    const outcome = await shop.outcome();
    assert.equal(outcome.error, undefined);
    assert.match(outcome.session.id, /^fcsess_/);
    assert.deepEqual(accountSummary(outcome), ["Everyday Checking 6789"]);
    const [account] = outcome.session.accounts;
    assert.deepEqual(Object.keys(account).sort(), ACCOUNT_FIELDS);
    assert.equal(account.institution_name, bank);
    assert.equal(account.subcategory, "checking");
    assert.equal(account.category, "cash");
    assert.equal(account.status, "active");

    await shop.assertClosedAndFocusReturned();
    // The shop lists what it got, as text.
    const accounts = shop.page.getByRole("list", { name: "Linked accounts" });
    await accounts.getByText(`${bank}: Everyday Checking •••• 6789`).waitFor();
    await shop.shot("the shop lists the account");
  }

  test("Sandbox Bank (OAuth): authorize in the bank's popup", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.pick(OAUTH_BANK);
      await shop.heading(`You'll continue at ${OAUTH_BANK}`).waitFor();
      await shop.shot("oauth handoff");

      const popupOpened = shop.page.waitForEvent("popup");
      await shop.button("Continue").click();
      const popup = await popupOpened;
      await shop.heading(`Finish at ${OAUTH_BANK}`).waitFor();
      await shop.shot("waiting for the bank");

      // The bank's own page, in the popup: its name, the accounts ticked, Authorize.
      await popup.getByRole("heading", { name: OAUTH_BANK }).waitFor();
      await popup.screenshot({ path: `${shop.dir}/popup-bank-consent.png` });
      // Back at finlink's callback, the popup closes itself (maybe before the click returns);
      // the widget goes on.
      const closed = popup.waitForEvent("close");
      await popup
        .getByRole("button", { name: "Authorize" })
        .click()
        .catch((error) => {
          if (!popup.isClosed()) throw error;
        });
      await closed;

      await linkEverydayChecking(shop, OAUTH_BANK);
      await assertLinkedEverydayChecking(shop, OAUTH_BANK);
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "consent_acquired",
        "institution_selected",
        "flow_launched_in_browser",
        "institution_authorized",
        "accounts_selected",
        "success",
      ]);
      const events = await shop.events();
      assert.deepEqual(events[2].metadata, {
        institution_id: "ins_sandbox_oauth",
        institution_name: OAUTH_BANK,
      });
      assert.deepEqual(events[5].metadata, { account_count: 1 });
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  for (const mfa of [
    {
      kind: "code",
      password: "pass_mfa_code",
      heading: "Enter your code",
      answer: (shop) => shop.widget.getByRole("textbox", { name: "Code", exact: true }).fill("123456"),
    },
    {
      kind: "question",
      password: "pass_mfa_question",
      heading: "Answer your security question",
      answer: (shop) => shop.widget.getByLabel("What is your favourite colour?").fill("Blue"),
    },
    {
      kind: "selection",
      password: "pass_mfa_selection",
      heading: "Confirm it's you",
      answer: (shop) => shop.widget.getByRole("radio", { name: "Yes" }).check(),
    },
  ]) {
    test(`Sandbox Bank (Credentials) with a second factor by ${mfa.kind}`, TIMEOUT, async (t) => {
      const shop = await Shop.open(browser, server, t.fullName);
      try {
        await shop.start();
        await shop.consent();
        await shop.pick(CREDENTIALS_BANK);
        await shop.heading(`Log in to ${CREDENTIALS_BANK}`).waitFor();
        await shop.logIn(mfa.password);

        await shop.heading(mfa.heading).waitFor();
        await mfa.answer(shop);
        await shop.shot(`mfa ${mfa.kind}`);
        await shop.button("Verify").click();

        await linkEverydayChecking(shop, CREDENTIALS_BANK);
        await assertLinkedEverydayChecking(shop, CREDENTIALS_BANK);
        assert.deepEqual(await shop.eventNames(), [
          "open",
          "consent_acquired",
          "institution_selected",
          "institution_authorized",
          "accounts_selected",
          "success",
        ]);
        shop.assertNoProblems();
      } finally {
        await shop.close();
      }
    });
  }

  test("a wrong password, then the right one, keeps the username", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("not_the_password", "wrong-then-right");

      const alert = shop.widget.getByRole("alert");
      await alert.getByText("You have 4 attempts left.").waitFor();
      await shop.shot("wrong password");
      assert.equal(await shop.widget.getByLabel("Username").inputValue(), "wrong-then-right");
      assert.equal(await shop.widget.getByLabel("Password").inputValue(), "", "never kept");

      await shop.widget.getByLabel("Password").fill("pass_good");
      await shop.button("Log in").click();
      await linkEverydayChecking(shop, CREDENTIALS_BANK);
      await assertLinkedEverydayChecking(shop, CREDENTIALS_BANK);
      // A refused password is part of the login, not a failure of the flow: no error event.
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "consent_acquired",
        "institution_selected",
        "institution_authorized",
        "accounts_selected",
        "success",
      ]);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("a single-account session: choosing another account replaces the choice", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      // The shop asks for one account (`account_selection: "single"`).
      await shop.page.getByRole("checkbox", { name: "Link one account only" }).check();
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");

      await shop.heading("Select an account").waitFor();
      const group = shop.widget.getByRole("group", { name: `Accounts at ${CREDENTIALS_BANK}` });
      assert.equal(await group.getByRole("checkbox").count(), 0, "radios, not checkboxes");
      const checking = group.getByRole("radio", { name: "Everyday Checking" });
      const savings = group.getByRole("radio", { name: "High-Yield Savings" });
      const card = group.getByRole("radio", { name: "Rewards Credit Card" });
      assert.equal(await card.isDisabled(), true);
      await group.getByText("This account can't be used for payments.").waitFor();

      await checking.check();
      await shop.shot("one account chosen");
      await savings.check();
      assert.equal(await savings.isChecked(), true);
      assert.equal(await checking.isChecked(), false, "the first choice is replaced");
      // Arrow keys move the choice within the group, as in any radio group.
      await savings.focus();
      await shop.page.keyboard.press("ArrowUp");
      assert.equal(await checking.isChecked(), true);
      assert.equal(await savings.isChecked(), false);
      await shop.page.keyboard.press("ArrowDown");
      assert.equal(await savings.isChecked(), true);
      await shop.shot("another account chosen");

      await shop.button("Link account").click();
      await shop.heading("Accounts linked").waitFor();
      await shop.widget.getByText("1 account is now linked to Demo Shop.").waitFor();
      await shop.shot("accounts linked");
      await shop.button("Done").click();

      const outcome = await shop.outcome();
      assert.deepEqual(accountSummary(outcome), ["High-Yield Savings 4321"]);
      await shop.assertClosedAndFocusReturned();
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "consent_acquired",
        "institution_selected",
        "institution_authorized",
        "accounts_selected",
        "success",
      ]);
      const events = await shop.events();
      assert.deepEqual(events[4].metadata, { account_count: 1 });
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("by keyboard alone: search, credentials, MFA, accounts, Done", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    const keys = shop.page.keyboard;
    try {
      // From the top of the shop's page, to its button, and Enter.
      await shop.tabTo(shop.page.getByRole("button", { name: "Link bank account" }));
      await keys.press("Enter");
      await shop.heading("Demo Shop uses finlink to connect your bank account").waitFor();
      await shop.shot("consent");

      await shop.tabTo(shop.button("Continue"));
      await keys.press("Enter");
      // The search field has the focus: type, then Arrow Down to the first result.
      const search = shop.widget.getByLabel("Search for your bank");
      await search.waitFor();
      assert.ok(await Shop.hasFocus(search), "the search field has the focus");
      await keys.type("sandbox bank cred");
      const bank = shop.bank(CREDENTIALS_BANK);
      await bank.waitFor();
      await shop.shot("search");
      await keys.press("ArrowDown");
      // The field keeps the focus; the first result becomes its active option.
      assert.ok(await Shop.hasFocus(search), "the search field keeps the focus");
      assert.equal(await bank.getAttribute("aria-selected"), "true", "Arrow Down activates the first result");
      assert.equal(await search.getAttribute("aria-activedescendant"), await bank.getAttribute("id"));
      await keys.press("Enter");

      const username = shop.widget.getByLabel("Username");
      await username.waitFor();
      assert.ok(await Shop.hasFocus(username), "the username field has the focus");
      await keys.type("keyboard-user");
      await keys.press("Tab");
      await keys.type("pass_mfa_question");
      await shop.shot("credentials");
      await keys.press("Enter");

      const answer = shop.widget.getByLabel("What is your favourite colour?");
      await answer.waitFor();
      assert.ok(await Shop.hasFocus(answer), "the answer field has the focus");
      await keys.type("blue");
      await shop.shot("mfa");
      await keys.press("Enter");

      await shop.heading("Select accounts").waitFor();
      await shop.tabTo(shop.widget.getByRole("checkbox", { name: "High-Yield Savings" }));
      await keys.press("Space");
      await shop.shot("select accounts");
      await shop.tabTo(shop.button("Link accounts"));
      await keys.press("Enter");

      await shop.heading("Accounts linked").waitFor();
      await shop.shot("accounts linked");
      await shop.tabTo(shop.button("Done"));
      await keys.press("Enter");

      const outcome = await shop.outcome();
      assert.deepEqual(accountSummary(outcome), ["High-Yield Savings 4321"]);
      await shop.assertClosedAndFocusReturned();
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "consent_acquired",
        "search_initiated",
        "institution_selected",
        "institution_authorized",
        "accounts_selected",
        "success",
      ]);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});
