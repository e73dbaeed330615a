// Finlink.mount: the flow inside an element of a business's page (no modal), its handle's
// `result` and `destroy()`, and one flow at a time whichever way it was opened.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { Shop, WIDGET_FRAME, accountSummary } from "./demo-shop.js";
import { createSession, freePort, launchBrowser, startServer, watchedPage } from "./harness.js";
import { startHostPage } from "./host-page.js";

const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const CONSENT = "Demo Shop uses finlink to connect your bank account";
const TIMEOUT = { timeout: 120_000 };

describe("Finlink.mount", () => {
  let server;
  let host;
  let browser;

  before(async () => {
    const port = await freePort();
    server = await startServer({ allowedOrigins: [`http://127.0.0.1:${port}`] });
    host = await startHostPage({ port, finlinkUrl: server.url, newClientSecret: clientSecret });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
    await server?.stop();
  });

  async function clientSecret() {
    const session = await createSession(server, { permissions: ["payment_method", "balances"] });
    return session.client_secret;
  }

  /** The host page, with the helpers of the demo-shop tests pointed at its iframe. */
  async function openHost(name) {
    const { page, context, problems } = await watchedPage(browser);
    await page.goto(host.url);
    await page.getByRole("heading", { name: "Checkout" }).waitFor();
    return new Shop(page, context, problems, name);
  }

  /** Mounts into #bank; the handle stays on window.flow, its result on window.flowResult. */
  function mount(page, secret) {
    return page.evaluate((secret) => {
      window.flowResult = undefined;
      window.flow = Finlink.mount(document.getElementById("bank"), { clientSecret: secret });
      window.flow.result.then((result) => { window.flowResult = result; });
    }, secret);
  }

  async function flowResult(page) {
    const handle = await page.waitForFunction(() => window.flowResult);
    const result = await handle.jsonValue();
    await handle.dispose();
    return result;
  }

  /**
   * DevTools' view of the page's event listeners: `count()` gives those on window and
   * document that the page's own scripts added (the loader among them), by type. Listeners
   * of scripts without a URL (the test driver's own) are not the page's.
   */
  async function listenerCounter(page) {
    const cdp = await page.context().newCDPSession(page);
    const scripts = new Map();
    cdp.on("Debugger.scriptParsed", ({ scriptId, url }) => scripts.set(scriptId, url));
    await cdp.send("Debugger.enable"); // reports every script already parsed, too
    return async function count() {
      const counts = {};
      for (const expression of ["window", "document"]) {
        const { result } = await cdp.send("Runtime.evaluate", { expression });
        const { listeners } = await cdp.send("DOMDebugger.getEventListeners", {
          objectId: result.objectId,
        });
        for (const listener of listeners) {
          if (!/^https?:/.test(scripts.get(listener.scriptId) ?? "")) continue;
          const key = `${expression}:${listener.type}`;
          counts[key] = (counts[key] ?? 0) + 1;
        }
        await cdp.send("Runtime.releaseObject", { objectId: result.objectId });
      }
      return counts;
    };
  }

  test("the flow runs inside the element, without a backdrop, and the result arrives on the handle", TIMEOUT, async (t) => {
    const shop = await openHost(t.fullName);
    try {
      await mount(shop.page, await clientSecret());
      await shop.heading(CONSENT).waitFor();
      const frame = shop.page.locator(`#bank > ${WIDGET_FRAME}`);
      assert.equal(await frame.count(), 1, "the iframe is inside the element");
      assert.equal(await shop.page.locator("[data-finlink=overlay]").count(), 0, "no modal backdrop");
      const [box, container] = await Promise.all([
        frame.boundingBox(),
        shop.page.locator("#bank").evaluate((element) => (
          { width: element.clientWidth, height: element.clientHeight })),
      ]);
      assert.equal(Math.round(box.width), container.width, "as wide as the element");
      assert.equal(Math.round(box.height), container.height, "as tall as the element");
      // The page around it stays usable: nothing is made inert.
      assert.equal(await shop.page.locator("[inert]").count(), 0);
      await shop.shot("mounted inline");

      await shop.consent();
      await shop.pick(CREDENTIALS_BANK);
      await shop.logIn("pass_good");
      await shop.linkAccount();

      const result = await flowResult(shop.page);
      assert.equal(result.error, undefined);
      assert.match(result.session.id, /^fcsess_/);
      assert.deepEqual(accountSummary(result), ["Everyday Checking 6789"]);
      await shop.page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
      assert.equal(await shop.page.locator("#bank").evaluate((element) => element.childElementCount), 0);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("mount and destroy ten times leave no iframe and no listener behind", TIMEOUT, async (t) => {
    const shop = await openHost(t.fullName);
    try {
      const listeners = await listenerCounter(shop.page);
      const before = await listeners();
      // The page's own listener (host-page.js) is seen: the count is not blind.
      assert.equal(before["document:securitypolicyviolation"], 1);
      for (let round = 1; round <= 10; round++) {
        await mount(shop.page, await clientSecret());
        await shop.heading(CONSENT).waitFor();
        const open = await listeners();
        assert.equal(open["window:message"] ?? 0, (before["window:message"] ?? 0) + 1,
          `round ${round}: the loader listens for the widget's messages while it is open`);

        await shop.page.evaluate(() => window.flow.destroy());
        assert.equal(await shop.page.locator("iframe").count(), 0, `round ${round}: no iframe left`);
        const result = await flowResult(shop.page);
        assert.equal(result.error.code, "widget_destroyed");
        // A second destroy does nothing.
        await shop.page.evaluate(() => window.flow.destroy());
        assert.deepEqual(await listeners(), before, `round ${round}: no listener left`);
      }

      // collect, the modal, may follow: one iframe, gone again when the person closes it.
      await shop.page.evaluate(async (secret) => {
        window.flowResult = undefined;
        Finlink.collect({ clientSecret: secret }).then((result) => { window.flowResult = result; });
      }, await clientSecret());
      await shop.heading(CONSENT).waitFor();
      assert.equal(await shop.page.locator("iframe").count(), 1);
      await shop.closeWidget();
      const closed = await flowResult(shop.page);
      assert.deepEqual(closed.session.accounts, []);
      assert.equal(await shop.page.locator("iframe").count(), 0);
      assert.deepEqual(await listeners(), before, "collect leaves no listener either");
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("a second mount or collect while a flow is open is refused, and the open flow goes on", TIMEOUT, async (t) => {
    const shop = await openHost(t.fullName);
    try {
      await mount(shop.page, await clientSecret());
      await shop.heading(CONSENT).waitFor();
      const refused = await shop.page.evaluate(async (secret) => {
        const element = document.getElementById("bank");
        const second = await Finlink.mount(element, { clientSecret: secret }).result;
        const modal = await Finlink.collect({ clientSecret: secret });
        return [second.error.code, modal.error.code];
      }, await clientSecret());
      assert.deepEqual(refused, ["flow_already_open", "flow_already_open"]);
      assert.equal(await shop.page.locator("iframe").count(), 1, "still the first flow's iframe only");
      await shop.consent();

      await shop.page.evaluate(() => window.flow.destroy());
      assert.equal((await flowResult(shop.page)).error.code, "widget_destroyed");
      // After the flow ended, a new one may open.
      await mount(shop.page, await clientSecret());
      await shop.heading(CONSENT).waitFor();
      assert.equal(await shop.page.locator("iframe").count(), 1);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });

  test("mount without an element or a client secret resolves with the matching error", TIMEOUT, async (t) => {
    const shop = await openHost(t.fullName);
    try {
      const codes = await shop.page.evaluate(async () => {
        const noElement = await Finlink.mount(null, { clientSecret: "anything" }).result;
        const noSecret = await Finlink.mount(document.getElementById("bank"), {}).result;
        return [noElement.error.code, noSecret.error.code];
      });
      assert.deepEqual(codes, ["parameter_invalid", "parameter_missing"]);
      assert.equal(await shop.page.locator("iframe").count(), 0);
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});
