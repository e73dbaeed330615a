// Embedding beyond the loader's popup (DESIGN §5): the widget page loaded directly in a mobile
// web view with each native bridge, hosted redirect mode, a blocked bank window that falls back
// to a full-page redirect, and reloads that resume from the server's state. The business's side
// and the native stand-in are the pages in examples/, served here on their own origin.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { startExampleHost } from "../examples/server.mjs";
import { ACCOUNT_FIELDS } from "./demo-shop.js";
import { createSession, freePort, launchBrowser, repo, startServer, watchedPage, widgetPage } from "./harness.js";

const OAUTH_BANK = "Sandbox Bank (OAuth)";
const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const CONSENT = "Demo Shop uses finlink to connect your bank account";
const BLOCKED =
  `Your browser blocked the bank's window. You'll continue at ${OAUTH_BANK} in this tab and come back here.`;
const WIDGET_FRAME = 'iframe[title="Link your bank account"]';
const TIMEOUT = { timeout: 90_000 };
const STAND_IN = readFileSync(join(repo, "examples/web-view/native-bridge.js"), "utf8");

/** The steps of the widget, wherever it runs (`scope`: a page or the loader's frame). */
function widget(scope) {
  return {
    heading: (name) => scope.getByRole("heading", { level: 1, name }),
    button: (name) => scope.getByRole("button", { name, exact: true }),
    async consent() {
      await this.heading(CONSENT).waitFor();
      await this.button("Continue").click();
      await this.heading("Select your bank").waitFor();
    },
    async pick(bank) {
      await scope.getByRole("listbox", { name: "Banks" }).getByRole("option", { name: bank }).click();
    },
    async linkEverydayChecking(bank) {
      await this.heading("Select accounts").waitFor();
      await scope
        .getByRole("list", { name: `Accounts at ${bank}` })
        .getByRole("checkbox", { name: "Everyday Checking" })
        .check();
      await this.button("Link accounts").click();
      await this.heading("Accounts linked").waitFor();
      await this.button("Done").click();
    },
  };
}

/** Authorizes at the sandbox bank's page; a popup closes itself as the bank is left. */
async function authorizeAt(bankPage) {
  await bankPage.getByRole("heading", { name: OAUTH_BANK }).waitFor();
  await bankPage
    .getByRole("button", { name: "Authorize" })
    .click()
    .catch((error) => {
      if (!bankPage.isClosed()) throw error;
    });
}

describe("embedding: web views, hosted mode, blocked bank windows, resume", () => {
  let server;
  let app;
  let browser;

  before(async () => {
    // The examples' origin must be allowed to embed the widget before finlink starts.
    const appPort = await freePort();
    server = await startServer({ allowedOrigins: [`http://127.0.0.1:${appPort}`] });
    app = await startExampleHost({ finlinkUrl: server.url, secretKey: server.secretKey, port: appPort });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await server?.stop();
  });

  for (const bridge of ["ios", "android", "react-native"]) {
    test(`web view (${bridge}): the bank opens in the system browser, the app reloads, the flow resumes at account selection and the result reaches the app`, TIMEOUT, async () => {
      const { page, context, problems } = await watchedPage(browser);
      try {
        const messages = [];
        await page.exposeFunction("finlinkAppReceived", (message) => { messages.push(message); });
        await page.addInitScript({
          content: `${STAND_IN}
finlinkNativeStandIn({
  bridge: ${JSON.stringify(bridge)},
  appOrigin: ${JSON.stringify(app.url)},
  receive: function (message) { window.finlinkAppReceived(message); },
});`,
        });
        const started = await (await fetch(`${app.url}/app/session`, { method: "POST" })).json();
        await page.goto(started.widget_url);
        const flow = widget(page);
        await flow.consent();
        await flow.pick(OAUTH_BANK);
        await flow.heading(`You'll continue at ${OAUTH_BANK}`).waitFor();
        await page.getByText(`Your browser opens where you log in to ${OAUTH_BANK}`).waitFor();

        const systemBrowser = context.waitForEvent("page");
        const reloaded = page.waitForEvent("load");
        await flow.button("Continue").click();
        const bankPage = await systemBrowser;
        const openUrl = messages.find((message) => message.type === "open_url");
        assert.ok(openUrl, "the app was asked to open the bank's page");
        assert.ok(openUrl.url.startsWith(`${server.url}/sandbox/`), openUrl.url);
        assert.equal(openUrl.url.includes(started.client_secret), false, "no secret in the bank URL");
        assert.equal(bankPage.url(), openUrl.url, "the system browser shows the bank, not the web view");
        await flow.heading(`Finish at ${OAUTH_BANK}`).waitFor();
        await page.getByText(`Log in to ${OAUTH_BANK} in your browser, then come back to this app.`).waitFor();
        await flow.button("Open the browser again").waitFor();
        assert.equal(await flow.button("Reopen window").count(), 0, "no window over this page to reopen");

        // The bank comes back to the session's return_url, which tells the app; it reloads.
        await authorizeAt(bankPage);
        await reloaded;
        await flow.linkEverydayChecking(OAUTH_BANK);

        await waitFor(() => messages.some((message) => message.type === "result"));
        assert.deepEqual(messages.filter((message) => message.refused), [], "every message is of the schema");
        const result = messages.find((message) => message.type === "result");
        assert.equal(result.source, "finlink");
        assert.equal(result.version, 1);
        assert.match(result.session.id, /^fcsess_/);
        assert.deepEqual(
          result.session.accounts.map((account) => `${account.display_name} ${account.last4}`),
          ["Everyday Checking 6789"],
        );
        assert.deepEqual(
          Object.keys(result.session.accounts[0]).sort(),
          ACCOUNT_FIELDS,
        );
        const names = messages.filter((message) => message.type === "event").map((message) => message.name);
        assert.deepEqual(names.slice(0, 4), ["open", "consent_acquired", "institution_selected", "flow_launched_in_browser"]);
        assert.equal(names.filter((name) => name === "open").length, 2, "the page was loaded again");
        assert.equal(names.includes("consent_acquired", 4), false, "consent was not asked twice");
        assert.deepEqual(names.slice(-2), ["accounts_selected", "success"]);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }

  test("hosted mode: the page goes to the bank itself, resumes on return, and ends at return_url with the outcome", TIMEOUT, async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      await page.goto(`${app.url}/hosted/start`);
      assert.ok(page.url().startsWith(`${server.url}/link/?return_url=`), page.url());
      const flow = widget(page);
      await flow.consent();
      await flow.pick(OAUTH_BANK);
      await flow.button("Continue").click();
      await page.waitForURL((url) => url.href.startsWith(`${server.url}/sandbox/`));
      await authorizeAt(page);
      // Back through return_url, which sends the person to the widget page again.
      await flow.linkEverydayChecking(OAUTH_BANK);
      await page.waitForURL(/\/hosted\/return\?finlink_session=fcsess_\w+&finlink_outcome=success$/);
      await page.getByRole("status").getByText("Your bank account is linked.", { exact: false }).waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("hosted mode: a return_url that is not the session's is refused and never followed", TIMEOUT, async () => {
    const session = await createSession(server, {
      permissions: ["balances"],
      return_url: `${app.url}/hosted/return`,
    });
    const { page, context } = await watchedPage(browser);
    try {
      const evil = "https://evil.example/collect";
      await page.goto(
        `${server.url}/link/?return_url=${encodeURIComponent(evil)}#client_secret=${encodeURIComponent(session.client_secret)}`,
      );
      await page.getByRole("alert").getByText("doesn't belong to this session", { exact: false }).waitFor();
      await page.getByLabel("Close", { exact: true }).click();
      await page.waitForTimeout(300);
      assert.ok(page.url().startsWith(`${server.url}/link/`), `stayed on finlink's page: ${page.url()}`);
    } finally {
      await context.close();
    }
  });

  test("a blocked bank window: the whole page goes to the bank, comes back to return_url, and the loader resumes the flow", TIMEOUT, async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      // The widget's frame gets no window, as a popup blocker does; what it says is recorded
      // as it appears (the page leaves right after).
      const said = [];
      await context.exposeBinding("widgetSaid", (_source, text) => { said.push(text); });
      await context.addInitScript(() => {
        if (!location.pathname.startsWith("/link/")) return;
        window.open = () => null;
        new MutationObserver(() => {
          const text = document.body ? document.body.innerText : "";
          if (text.includes("blocked")) window.widgetSaid(text);
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(`${app.url}/checkout.html`);
      await page.getByRole("button", { name: "Pay by bank" }).click();
      const flow = widget(page.frameLocator(WIDGET_FRAME));
      await flow.consent();
      await flow.pick(OAUTH_BANK);
      await flow.button("Continue").click();
      await page.waitForURL((url) => url.href.startsWith(`${server.url}/sandbox/`));
      assert.ok(said.some((text) => text.includes(BLOCKED)), "the person was told what happens");
      await authorizeAt(page);
      await page.waitForURL(`${app.url}/checkout.html?finlink_return=1`);
      await flow.linkEverydayChecking(OAUTH_BANK);
      await page.getByRole("status").getByText("Linked 1 account(s)").waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("closing the widget while the person is at the bank closes the bank's window", TIMEOUT, async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      await page.goto(`${app.url}/checkout.html`);
      await page.getByRole("button", { name: "Pay by bank" }).click();
      const flow = widget(page.frameLocator(WIDGET_FRAME));
      await flow.consent();
      await flow.pick(OAUTH_BANK);
      const opened = page.waitForEvent("popup");
      await flow.button("Continue").click();
      const bankWindow = await opened;
      await bankWindow.getByRole("heading", { name: OAUTH_BANK }).waitFor();
      const closed = bankWindow.waitForEvent("close");
      await page.frameLocator(WIDGET_FRAME).getByLabel("Close", { exact: true }).click();
      await closed;
      assert.equal(bankWindow.isClosed(), true);
      await page.getByRole("status").getByText("Linked 0 account(s)").waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("a reload at each step resumes from the server's state, nothing asked twice", TIMEOUT, async () => {
    const session = await createSession(server, { permissions: ["payment_method", "balances"] });
    const { page, context, problems } = await watchedPage(browser);
    try {
      await page.goto(widgetPage(server, session.client_secret));
      const flow = widget(page);
      await flow.heading(CONSENT).waitFor();
      await page.reload();
      await flow.consent();
      await page.reload();
      await flow.heading("Select your bank").waitFor();
      await flow.pick(CREDENTIALS_BANK);
      await page.getByLabel("Username").waitFor();
      await page.reload();
      await page.getByLabel("Username").fill("jenny");
      await page.getByLabel("Password").fill("pass_good");
      await flow.button("Log in").click();
      await flow.heading("Select accounts").waitFor();
      await page.reload();
      await flow.linkEverydayChecking(CREDENTIALS_BANK);
      await page.reload();
      await page.getByRole("alert").getByText("This link was already used", { exact: false }).waitFor();
      // The only complaint: the link API refusing the completed session.
      assert.deepEqual(
        problems.map((problem) => problem.replace(/\d+\.\d+\.\d+\.\d+:\d+/, "finlink")),
        ["console error: Failed to load resource: the server responded with a status of 400 (Bad Request) http://finlink/v1/link/session"],
      );
    } finally {
      await context.close();
    }
  });
});

async function waitFor(condition, what = "condition", ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
