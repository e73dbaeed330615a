// After linking in the demo shop: the shop's page shows what its server read with the secret
// key (the account's balance, owners and latest transactions), the webhooks its server
// received and verified, and a Refresh that finlink refuses right after the prefetch says when
// to come back. All of it as text, on a page that stays usable at 320 px.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Shop } from "./demo-shop.js";
import { launchBrowser, startServer } from "./harness.js";

const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const TIMEOUT = { timeout: 90_000 };

describe("the demo shop after linking", () => {
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

  test("shows the balance, owners, transactions and the webhooks that arrived", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      // The shop's server registered its endpoint with finlink at start.
      await shop.webhooksRegistered();

      await shop.start();
      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.linkAccount();
      await shop.assertClosedAndFocusReturned();

      // The account, as the shop's server read it from finlink (prefetched at linking).
      const account = shop.account("Everyday Checking");
      await account.getByRole("heading", { level: 3, name: `${CREDENTIALS_BANK}: Everyday Checking •••• 6789` }).waitFor();
      await account.getByText("$5,243.12", { exact: true }).waitFor();
      await account.getByText("$5,198.12", { exact: true }).waitFor();
      await account.getByRole("heading", { level: 4, name: "Balance" }).waitFor();
      const owners = account.getByRole("list", { name: "Owners of Everyday Checking" });
      await owners.getByText("Jenny Rosen").waitFor();
      const transactions = account.getByRole("list", { name: "Latest transactions of Everyday Checking" });
      await transactions.getByRole("listitem").first().waitFor();
      assert.equal(await transactions.getByRole("listitem").count(), 5, "the latest five");
      for (const text of await transactions.getByRole("listitem").allTextContents()) {
        assert.match(text, /^[A-Z][a-z]{2} \d{1,2}, \d{4} · .+ · -?\$[\d,]+\.\d{2}( · pending)?$/, text);
      }
      await shop.shot("the shop shows the account's data");

      // Webhooks: the account was created, and the prefetch's refreshes ended; each one
      // verified by the shop's server before it shows it.
      const webhooks = shop.webhooks();
      await webhooks
        .getByText("financial_connections.account.created · Everyday Checking •••• 6789 · account linked", { exact: false })
        .waitFor();
      await webhooks
        .getByText("financial_connections.account.refreshed_balance · Everyday Checking •••• 6789 · balance refresh succeeded", { exact: false })
        .waitFor();
      await shop.page.getByText(/verifies each signature: \d+ verified, 0 duplicates dropped, 0 refused\./).waitFor();
      const received = await shop.page.evaluate(() => window.demoShop.webhooks);
      assert.ok(received.every((event) => /^evt_/.test(event.id)));

      // Right after the prefetch, finlink refuses a refresh; the shop says when to come back.
      const refresh = account.getByRole("button", { name: "Refresh Everyday Checking ending in 6789" });
      await refresh.click();
      await account
        .getByRole("status")
        .getByText(/^Refresh refused: This account was refreshed moments ago\. You can refresh again at \d{1,2}:\d{2}:\d{2}\s[AP]M\.$/)
        .waitFor();
      assert.equal(await refresh.evaluate((button) => button === document.activeElement), true, "focus stays");
      // The browser logs the shop server's 429 as a failed resource: expected here, once.
      const refused = (problem) => /status of 429 .*\/api\/accounts\/fca_\w+\/refresh$/.test(problem);
      assert.equal(shop.problems.filter(refused).length, 1, shop.problems.join("\n"));
      shop.problems.splice(0, shop.problems.length, ...shop.problems.filter((problem) => !refused(problem)));
      await shop.shot("a refresh too soon");

      // Nothing of the page is markup from finlink, and no secret or number reached it.
      const html = await shop.page.content();
      assert.doesNotMatch(html, new RegExp(server.secretKey));
      assert.doesNotMatch(html, /sk_test_|whsec_|110000013/);

      // At 320 px, nothing scrolls sideways and the data is still there.
      await shop.page.setViewportSize({ width: 320, height: 900 });
      const overflow = await shop.page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `no horizontal scrolling at 320 px (${overflow} px too wide)`);
      assert.ok(await refresh.isVisible());
      await shop.shot("at 320 px");
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});
