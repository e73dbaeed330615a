// Finding the bank and the banks that cannot be linked, from the demo shop through the loader.
//
// - Search over the real FedACH directory (../shared/data/FedACHdir.txt, loaded with
//   --institutions): once the widget has the directory file, every keystroke is answered in
//   the widget, with no request; what a person types finds the bank they mean, first.
// - The sandbox institutions that cannot be linked (docs/sandbox.md): the three Down Banks and
//   Invalid Payment Accounts. The person sees why, and the host gets the right events and a
//   cancelled session with no accounts when they close.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { SHOP_BUSINESS, Shop } from "./demo-shop.js";
import { launchBrowser, repo, startServer } from "./harness.js";

/** The FedACH participant directory the machines hold next to the repository. */
const FEDACH = join(repo, "../shared/data/FedACHdir.txt");

/**
 * Runs in the widget's frame from its first moment (an init script): notes in
 * `window.consentPaintedAt` when the first frame that shows the consent screen has been painted.
 * Its frame callback is asked for anew in every frame before the widget's own code runs in
 * that frame, so it runs before any callback the widget asks for; a task it queues from there
 * runs once that frame is painted, and before any task the widget queues in the same frame.
 */
function markConsentPainted(heading) {
  if (location.pathname.indexOf("/link/") !== 0) return;
  const frame = () => {
    const shown = Array.from(document.querySelectorAll("h1")).some((h1) => h1.textContent.trim() === heading);
    if (shown) setTimeout(() => (window.consentPaintedAt = performance.now()));
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

describe("search over the FedACH directory, in the widget", () => {
  const present = existsSync(FEDACH);
  let server;
  let browser;

  before(async () => {
    if (!present) return;
    server = await startServer({ institutions: FEDACH });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("typed letter by letter, each query finds the bank meant first, with no request per keystroke", { timeout: 120_000 }, async (t) => {
    if (!present) {
      t.skip(`${FEDACH} is absent: the FedACH search test does not run`);
      return;
    }
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      const searches = [];
      const directory = [];
      shop.page.on("request", (request) => {
        const { pathname, searchParams } = new URL(request.url());
        if (pathname === "/v1/link/institutions") searches.push(searchParams.get("query"));
        if (pathname.startsWith("/v1/link/directory")) directory.push(pathname);
      });
      await shop.context.addInitScript(markConsentPainted, `${SHOP_BUSINESS} uses finlink to connect your bank account`);
      await shop.start();

      // The directory file is asked for once the consent screen is painted, never before: its
      // decoding holds the widget's thread, and the screen must not wait for it.
      const frame = shop.page.frames().find((f) => new URL(f.url()).pathname.startsWith("/link/"));
      await frame.waitForFunction(() =>
        performance
          .getEntriesByType("resource")
          .some((entry) => new URL(entry.name).pathname === "/v1/link/directory"),
      );
      const [consentPainted, directoryAsked] = await frame.evaluate(() => [
        window.consentPaintedAt,
        performance
          .getEntriesByType("resource")
          .find((entry) => new URL(entry.name).pathname === "/v1/link/directory").startTime,
      ]);
      assert.ok(consentPainted !== undefined, "the consent screen was painted");
      assert.ok(
        directoryAsked >= consentPainted,
        `directory asked at ${directoryAsked} ms, before the consent screen was painted at ${consentPainted} ms`,
      );
      await shop.consent();
      await frame.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
      const searchesBefore = searches.length;

      const search = shop.widget.getByRole("combobox", { name: "Search for your bank" });
      const options = shop.widget.getByRole("listbox", { name: "Banks" }).getByRole("option");
      for (const [query, first, marked] of [
        ["chase", "JPMorgan Chase", ["Chase"]],
        ["wells", "Wells Fargo Bank", ["Wells"]],
        ["bank of am", "Bank of America, N.A.", ["Bank", "of", "Am"]],
        ["navy federal", "Navy Federal Credit Union", ["Navy", "Federal"]],
        ["021000021", "JPMorgan Chase", []],
      ]) {
        await search.fill("");
        await shop.widget.getByRole("heading", { name: "Popular banks" }).waitFor();
        await search.pressSequentially(query);
        const option = options.first();
        await options.first().filter({ hasText: first }).waitFor();
        assert.deepEqual(await option.locator("mark").allTextContents(), marked, query);
        await shop.shot(`typed ${query}`);
      }
      assert.deepEqual(
        searches.slice(searchesBefore),
        [],
        "no /v1/link/institutions request once the directory file is here",
      );
      assert.deepEqual(directory, ["/v1/link/directory"], "the file is fetched once");

      // Arrow Down and Enter pick the first bank.
      await search.fill("");
      await search.pressSequentially("navy federal");
      await options.first().filter({ hasText: "Navy Federal Credit Union" }).waitFor();
      await search.press("ArrowDown");
      assert.equal(await options.first().getAttribute("aria-selected"), "true");
      await search.press("Enter");
      await shop.heading(/Navy Federal Credit Union/).waitFor();
      await shop.shot("picked by keyboard");
      // Each query typed after a cleared field starts a search again.
      const events = await shop.eventNames();
      assert.deepEqual(events.slice(0, 3), ["open", "consent_acquired", "search_initiated"]);
      assert.equal(events.at(-1), "institution_selected");
      assert.ok(!events.includes("error"), events.join(", "));
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});

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
