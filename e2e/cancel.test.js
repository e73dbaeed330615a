// Closing the widget at every step, from the demo shop through the loader: the host gets a
// cancelled session (no accounts) once, the events up to `cancel` in order, the iframe goes
// away and focus returns to the shop's button. Closing after success is Done: linked.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Shop, accountSummary } from "./demo-shop.js";
import { launchBrowser, startServer } from "./harness.js";

const TIMEOUT = { timeout: 90_000 };
const OAUTH_BANK = "Sandbox Bank (OAuth)";
const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";

/** Each step, how to get there, and the events the host has received by then. */
const STEPS = [
  {
    step: "consent",
    reach: async () => {},
    events: ["open"],
  },
  {
    step: "select your bank",
    reach: async (shop) => {
      await shop.consent();
    },
    events: ["open", "consent_acquired"],
  },
  {
    step: "search results",
    reach: async (shop) => {
      await shop.consent();
      await shop.search("Chase");
    },
    events: ["open", "consent_acquired", "search_initiated"],
  },
  {
    step: "no results",
    reach: async (shop) => {
      await shop.consent();
      await shop.widget.getByLabel("Search for your bank").fill("zzzz no such bank");
      await shop.widget.getByText("No banks match “zzzz no such bank”.").waitFor();
    },
    events: ["open", "consent_acquired", "search_initiated"],
  },
  {
    step: "OAuth hand-off",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(OAUTH_BANK);
      await shop.heading(`You'll continue at ${OAUTH_BANK}`).waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected"],
  },
  {
    step: "waiting for the bank's popup",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(OAUTH_BANK);
      const popup = shop.page.waitForEvent("popup");
      await shop.button("Continue").click();
      await (await popup).getByRole("heading", { name: OAUTH_BANK }).waitFor();
      await shop.heading(`Finish at ${OAUTH_BANK}`).waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected", "flow_launched_in_browser"],
  },
  {
    step: "credentials",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.heading(`Log in to ${CREDENTIALS_BANK}`).waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected"],
  },
  {
    step: "credentials after a wrong password",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("wrong", "cancel-after-wrong");
      await shop.widget.getByRole("alert").getByText("attempts left").waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected"],
  },
  {
    step: "second factor",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_mfa_code");
      await shop.heading("Enter your code").waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected"],
  },
  {
    step: "second factor by question",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_mfa_question");
      await shop.heading("Answer your security question").waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected"],
  },
  {
    step: "second factor by selection, after a wrong answer",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_mfa_selection");
      await shop.heading("Confirm it's you").waitFor();
      await shop.widget.getByRole("radio", { name: "No", exact: true }).check();
      await shop.button("Verify").click();
      await shop.widget.getByRole("alert").waitFor();
    },
    events: ["open", "consent_acquired", "institution_selected"],
  },
  {
    step: "a failure (the bank's error)",
    reach: async (shop) => {
      await shop.consent();
      await shop.search("Down Bank (Error)");
      await shop.pick("Down Bank (Error)");
      await shop.logIn("pass_good");
      await shop.heading("Something went wrong").waitFor();
    },
    events: ["open", "consent_acquired", "search_initiated", "institution_selected", "error"],
  },
  {
    step: "select an account (a single-account session)",
    single: true,
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.heading("Select an account").waitFor();
      await shop.widget.getByRole("radio", { name: "Everyday Checking" }).check();
    },
    events: ["open", "consent_acquired", "institution_selected", "institution_authorized"],
  },
  {
    step: "select accounts",
    reach: async (shop) => {
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.heading("Select accounts").waitFor();
      await shop.widget.getByRole("checkbox", { name: "Everyday Checking" }).check();
    },
    events: ["open", "consent_acquired", "institution_selected", "institution_authorized"],
  },
];

describe("closing the widget", () => {
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

  async function assertCancelled(shop, events) {
    const outcome = await shop.outcome();
    assert.equal(outcome.error, undefined, JSON.stringify(outcome));
    assert.match(outcome.session.id, /^fcsess_/);
    assert.deepEqual(outcome.session.accounts, []);
    await shop.assertClosedAndFocusReturned();
    await shop.shot("the shop after closing");
    assert.deepEqual(await shop.eventNames(), [...events, "cancel"]);
    // Exactly one resolution: nothing more arrives afterwards.
    await shop.page.waitForTimeout(200);
    assert.deepEqual(await shop.eventNames(), [...events, "cancel"]);
  }

  for (const { step, reach, events, single = false } of STEPS) {
    test(`Close at ${step}`, TIMEOUT, async (t) => {
      const shop = await Shop.open(browser, server, t.fullName);
      try {
        if (single) await shop.page.getByRole("checkbox", { name: "Link one account only" }).check();
        await shop.start();
        await reach(shop);
        await shop.shot(step);
        await shop.closeWidget();
        await assertCancelled(shop, events);
        shop.assertNoProblems();
      } finally {
        await shop.close();
      }
    });
  }

  test("Escape closes the widget", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.widget.getByLabel("Username").waitFor();
      await shop.page.keyboard.press("Escape");
      await assertCancelled(shop, ["open", "consent_acquired", "institution_selected"]);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("Close after linking is Done: the host gets the accounts", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.widget.getByRole("checkbox", { name: "Everyday Checking" }).check();
      await shop.button("Link accounts").click();
      await shop.heading("Accounts linked").waitFor();
      await shop.closeWidget();
      const outcome = await shop.outcome();
      assert.deepEqual(accountSummary(outcome), ["Everyday Checking 6789"]);
      await shop.assertClosedAndFocusReturned();
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
});
