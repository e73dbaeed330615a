// The sandbox institutions that cannot be linked (docs/sandbox.md): the three Down Banks and
// Invalid Payment Accounts, from the demo shop through the loader. The person sees why, and
// the host gets the right events and a cancelled session with no accounts when they close.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Shop } from "./demo-shop.js";
import { launchBrowser, startServer } from "./harness.js";

const TIMEOUT = { timeout: 90_000 };

describe("institutions that cannot be linked", () => {
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

  async function assertCancelledWithoutAccounts(shop, events) {
    const outcome = await shop.outcome();
    assert.equal(outcome.error, undefined);
    assert.match(outcome.session.id, /^fcsess_/);
    assert.deepEqual(outcome.session.accounts, []);
    await shop.assertClosedAndFocusReturned();
    await shop.page.getByText("No account was linked.").waitFor();
    assert.deepEqual(await shop.eventNames(), events);
  }

  for (const down of [
    { name: "Down Bank (Scheduled)", why: "Down for scheduled maintenance. Try again later." },
    {
      name: "Down Bank (Unscheduled)",
      why: "Not responding right now. Try again later, or pick another bank.",
    },
  ]) {
    test(`${down.name} is listed with why, and cannot be picked`, TIMEOUT, async (t) => {
      const shop = await Shop.open(browser, server, t.fullName);
      try {
        await shop.start();
        await shop.consent();
        await shop.search("Down Bank", down.name);
        const bank = shop.bank(down.name);
        assert.equal(await bank.getAttribute("aria-disabled"), "true");
        // The reason is part of the button's description, so screen readers say it too.
        await bank.getByText(down.why).waitFor();
        // A person clicking it anyway (aria-disabled buttons still get clicks) stays here.
        await bank.click({ force: true });
        await shop.page.waitForTimeout(300);
        await shop.heading("Select your bank").waitFor();
        assert.equal(await shop.heading(/^Log in/).count(), 0, "no login for a bank that is down");
        await shop.shot("still at the bank list");

        await shop.closeWidget();
        await assertCancelledWithoutAccounts(shop, [
          "open",
          "consent_acquired",
          "search_initiated",
          "cancel",
        ]);
        shop.assertNoProblems();
      } finally {
        await shop.close();
      }
    });
  }

  test("Down Bank (Error): the failure says what happened, then Close", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.search("Down Bank (Error)");
      await shop.pick("Down Bank (Error)");
      // Listed as up; the bank fails when asked.
      await shop.heading("Log in to Down Bank (Error)").waitFor();
      await shop.logIn("pass_good");
      await shop.heading("Something went wrong").waitFor();
      await shop.widget.getByRole("alert").waitFor();
      await shop.button("Try again").waitFor();
      await shop.button("Pick another bank").waitFor();
      await shop.shot("bank error");

      // The failure's own Close (besides the one in the dialog's header).
      await shop.widget.getByRole("button").filter({ hasText: /^Close$/ }).click();
      await assertCancelledWithoutAccounts(shop, [
        "open",
        "consent_acquired",
        "search_initiated",
        "institution_selected",
        "error",
        "cancel",
      ]);
      const events = await shop.events();
      assert.deepEqual(events[4].metadata, { error_code: "institution_error" });
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("Down Bank (Error), then another bank: the flow goes on", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.search("Down Bank (Error)");
      await shop.pick("Down Bank (Error)");
      await shop.logIn("pass_good");
      await shop.heading("Something went wrong").waitFor();
      await shop.button("Pick another bank").click();
      await shop.heading("Select your bank").waitFor();
      await shop.pick("Sandbox Bank (Credentials)");
      await shop.logIn("pass_good");
      await shop.heading("Select accounts").waitFor();
      await shop.widget.getByRole("checkbox", { name: "Everyday Checking" }).check();
      await shop.button("Link accounts").click();
      await shop.button("Done").click();
      const outcome = await shop.outcome();
      assert.equal(outcome.session.accounts.length, 1);
      assert.deepEqual(await shop.eventNames(), [
        "open",
        "consent_acquired",
        "search_initiated",
        "institution_selected",
        "error",
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

  test("Invalid Payment Accounts: every account is shown disabled, with why", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.search("Invalid Payment Accounts");
      await shop.pick("Invalid Payment Accounts");
      await shop.logIn("pass_good");
      await shop.heading("Select accounts").waitFor();

      const list = shop.widget.getByRole("list", { name: "Accounts at Invalid Payment Accounts" });
      for (const [name, why] of [
        ["Platinum Credit Card", "This account can't be used for payments."],
        ["Home Mortgage", "This account can't be used for payments."],
        ["Closed Checking", "This account is closed or inactive."],
      ]) {
        const account = list.getByRole("checkbox", { name });
        assert.equal(await account.isDisabled(), true, `${name} cannot be picked`);
        assert.equal(await account.isChecked(), false);
        await list.getByRole("listitem").filter({ hasText: name }).getByText(why).waitFor();
      }
      await shop.shot("nothing can be linked");

      await shop.button("Link accounts").click();
      await shop.widget.getByRole("alert").getByText("Select at least one account.").waitFor();
      await shop.shot("select at least one");

      await shop.closeWidget();
      await assertCancelledWithoutAccounts(shop, [
        "open",
        "consent_acquired",
        "search_initiated",
        "institution_selected",
        "institution_authorized",
        "cancel",
      ]);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});
