// The Rust host API (`finlink::embed`) in a real Leptos application: the checkout of
// examples/leptos-host, built to WebAssembly by Trunk (`make example-leptos`) and served by
// examples/server.mjs on its own origin under a strict CSP, links bank accounts through the
// real server and the built widget by a person's clicks: `collect` (a modal) with its event
// log, the cancel outcome, `<FinlinkCollect/>` inside the page, and OAuth in the bank's popup.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { startExampleHost } from "../examples/server.mjs";
import { axeViolations, settled } from "./axe.js";
import { SHOP_BUSINESS, Shop, WIDGET_FRAME } from "./demo-shop.js";
import { freePort, launchBrowser, leptosHostDir, startServer, watchedPage } from "./harness.js";

const OAUTH_BANK = "Sandbox Bank (OAuth)";
const CREDENTIALS_BANK = "Sandbox Bank (Credentials)";
const CONSENT = `${SHOP_BUSINESS} uses finlink to connect your bank account`;
const MODAL = "Pay by bank";
const INLINE = "Link on this page";
const TIMEOUT = { timeout: 120_000 };
const LEPTOS_DIR = leptosHostDir();
const WIDE = { width: 1280, height: 720 };
const NARROW = { width: 320, height: 640 };

/** A person at the Leptos checkout; the widget helpers of the demo-shop tests apply to it. */
class Checkout extends Shop {
  static async open(browser, app, name) {
    const { page, context, problems } = await watchedPage(browser);
    await page.setViewportSize(WIDE);
    // Every CSP violation the page sees, recorded before its own scripts run.
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const checkout = new Checkout(page, context, problems, name);
    const response = await page.goto(`${app.url}/leptos/`);
    checkout.policy = response.headers()["content-security-policy"] ?? "";
    await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor();
    return checkout;
  }

  section(name) {
    return this.page.getByRole("region", { name });
  }

  /** The section's button that starts linking. */
  linkButton(section) {
    const name = section === MODAL ? "Link bank account" : "Link bank account here";
    return this.section(section).getByRole("button", { name, exact: true });
  }

  /** Presses the section's button and waits for the widget's consent screen. */
  async startIn(section) {
    await this.linkButton(section).click();
    await this.heading(CONSENT).waitFor();
    await this.shot(`${section} consent`);
  }

  /** Waits until the section's status line says `text`. */
  async statusIs(section, text) {
    await this.section(section).getByRole("status").getByText(text, { exact: true }).waitFor();
  }

  /** The section's list of linked accounts, as the page shows them. */
  linkedAccounts(section) {
    return this.section(section)
      .getByRole("list", { name: "Linked accounts" })
      .getByRole("listitem")
      .allTextContents();
  }

  /** The event names in the section's log, once it shows `expected` (or the last read). */
  async loggedEvents(section, expected) {
    const items = this.section(section).getByRole("log", { name: "Events" }).getByRole("listitem");
    const deadline = Date.now() + 10_000;
    for (;;) {
      const names = await items.allTextContents();
      if (JSON.stringify(names) === JSON.stringify(expected) || Date.now() > deadline) return names;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The id of the element with the keyboard focus on the checkout page. */
  focusedId() {
    return this.page.evaluate(() => document.activeElement && document.activeElement.id);
  }

  /** The checkout as it is now: axe finds nothing, and at 320 px nothing overflows sideways. */
  async assertAccessible(step) {
    const wide = await axeViolations(this.page, { iframes: false });
    await this.page.setViewportSize(NARROW);
    await settled(this.page);
    const narrow = await axeViolations(this.page, { iframes: false });
    const sideways = await this.page.evaluate(() => {
      const root = document.documentElement;
      return root.scrollWidth > root.clientWidth ? [`${root.scrollWidth} px wide in ${root.clientWidth} px`] : [];
    });
    await this.shot(`${step} at 320 px`);
    await this.page.setViewportSize(WIDE);
    assert.deepEqual([...wide, ...narrow, ...sideways], [], `${step}: no axe violation, no sideways overflow`);
  }

  async assertNoCspViolations() {
    assert.match(this.policy, /script-src 'self' 'wasm-unsafe-eval'/, "served under a strict CSP");
    assert.doesNotMatch(this.policy, /'unsafe-inline'|'unsafe-eval'/);
    assert.deepEqual(await this.page.evaluate(() => window.cspViolations), []);
  }
}

describe("a Leptos application embeds finlink (finlink::embed)", () => {
  let server;
  let app;
  let browser;

  before(async () => {
    if (!existsSync(join(LEPTOS_DIR, "index.html"))) {
      throw new Error(`no built Leptos checkout in ${LEPTOS_DIR}: run \`make example-leptos\` first`);
    }
    // The checkout's origin must be allowed to embed the widget before finlink starts.
    const appPort = await freePort();
    server = await startServer({ allowedOrigins: [`http://127.0.0.1:${appPort}`] });
    app = await startExampleHost({
      finlinkUrl: server.url,
      secretKey: server.secretKey,
      port: appPort,
      leptosDir: LEPTOS_DIR,
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await server?.stop();
  });

  test("collect: Sandbox Bank (Credentials) links Everyday Checking; the page lists it, logs each event in order, the modal goes and focus returns to the button", TIMEOUT, async (t) => {
    const checkout = await Checkout.open(browser, app, t.fullName);
    try {
      await checkout.startIn(MODAL);
      // A modal: over the page, which is inert meanwhile.
      assert.equal(await checkout.page.locator(`[data-finlink=overlay] > ${WIDGET_FRAME}`).count(), 1);
      assert.equal(await checkout.page.locator("main[inert]").count(), 1);
      await checkout.statusIs(MODAL, "Bank linking is open.");

      await checkout.consent();
      await checkout.pick(CREDENTIALS_BANK);
      await checkout.heading(`Log in to ${CREDENTIALS_BANK}`).waitFor();
      await checkout.logIn("pass_good");
      await checkout.linkAccount();

      await checkout.statusIs(MODAL, "Linked 1 bank account.");
      await checkout.assertClosedAndFocusReturned();
      assert.equal(await checkout.page.locator("[inert]").count(), 0, "the page is usable again");
      assert.deepEqual(await checkout.linkedAccounts(MODAL), [
        `Everyday Checking at ${CREDENTIALS_BANK}, ending in 6789`,
      ]);
      const expected = [
        "open",
        "consent_acquired",
        "institution_selected",
        "institution_authorized",
        "accounts_selected",
        "success",
      ];
      assert.deepEqual(await checkout.loggedEvents(MODAL, expected), expected);
      // The other section saw nothing of it.
      assert.equal(await checkout.section(INLINE).getByRole("listitem").count(), 0);
      await checkout.shot("linked");
      await checkout.assertAccessible("linked");
      await checkout.assertNoCspViolations();
      checkout.assertNoProblems();
    } finally {
      await checkout.close();
    }
  });

  test("collect: closing the widget at consent gives the cancel outcome, no accounts, and a new flow may start", TIMEOUT, async (t) => {
    const checkout = await Checkout.open(browser, app, t.fullName);
    try {
      await checkout.startIn(MODAL);
      await checkout.closeWidget();

      await checkout.statusIs(MODAL, "Bank linking closed: no account was linked.");
      await checkout.assertClosedAndFocusReturned();
      assert.equal(await checkout.section(MODAL).getByRole("list", { name: "Linked accounts" }).count(), 0);
      const expected = ["open", "cancel"];
      assert.deepEqual(await checkout.loggedEvents(MODAL, expected), expected);
      await checkout.shot("closed at consent");

      // Once the flow ended, the same button opens a new one, with a fresh log.
      await checkout.startIn(MODAL);
      assert.deepEqual(await checkout.loggedEvents(MODAL, ["open"]), ["open"]);
      assert.equal(await checkout.page.locator(WIDGET_FRAME).count(), 1, "one iframe");
      await checkout.closeWidget();
      await checkout.statusIs(MODAL, "Bank linking closed: no account was linked.");
      await checkout.assertNoCspViolations();
      checkout.assertNoProblems();
    } finally {
      await checkout.close();
    }
  });

  test("<FinlinkCollect/>: the widget inside the page links Everyday Checking and the page lists it", TIMEOUT, async (t) => {
    const checkout = await Checkout.open(browser, app, t.fullName);
    try {
      await checkout.startIn(INLINE);
      const frame = checkout.section(INLINE).locator(`.finlink-collect > ${WIDGET_FRAME}`);
      assert.equal(await frame.count(), 1, "the iframe is inside the component, in the section");
      assert.equal(await checkout.page.locator("[data-finlink=overlay]").count(), 0, "no modal");
      assert.equal(await checkout.page.locator("[inert]").count(), 0, "the page stays usable");
      const [box, container] = await Promise.all([
        frame.boundingBox(),
        checkout.page.locator(".inline-flow").evaluate((element) => (
          { width: element.clientWidth, height: element.clientHeight })),
      ]);
      assert.equal(Math.round(box.width), container.width, "as wide as its box");
      assert.equal(Math.round(box.height), container.height, "as tall as its box");
      await checkout.assertAccessible("widget inside the page");

      await checkout.consent();
      await checkout.pick(CREDENTIALS_BANK);
      await checkout.logIn("pass_good");
      await checkout.linkAccount();

      await checkout.statusIs(INLINE, "Linked 1 bank account.");
      await checkout.page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
      assert.equal(await checkout.page.locator(".inline-flow").count(), 0, "the component is gone");
      assert.equal(await checkout.focusedId(), "link-inline", "focus returns to the button");
      assert.deepEqual(await checkout.linkedAccounts(INLINE), [
        `Everyday Checking at ${CREDENTIALS_BANK}, ending in 6789`,
      ]);
      const expected = [
        "open",
        "consent_acquired",
        "institution_selected",
        "institution_authorized",
        "accounts_selected",
        "success",
      ];
      assert.deepEqual(await checkout.loggedEvents(INLINE, expected), expected);
      assert.equal(await checkout.section(MODAL).getByRole("listitem").count(), 0);
      await checkout.shot("linked inline");
      await checkout.assertNoCspViolations();
      checkout.assertNoProblems();
    } finally {
      await checkout.close();
    }
  });

  test("collect: Sandbox Bank (OAuth) through the bank's popup links Everyday Checking", TIMEOUT, async (t) => {
    const checkout = await Checkout.open(browser, app, t.fullName);
    try {
      await checkout.startIn(MODAL);
      await checkout.consent();
      await checkout.pick(OAUTH_BANK);
      await checkout.heading(`You'll continue at ${OAUTH_BANK}`).waitFor();
      const opened = checkout.page.waitForEvent("popup");
      await checkout.button("Continue").click();
      const popup = await opened;
      await checkout.heading(`Finish at ${OAUTH_BANK}`).waitFor();
      await checkout.shot("waiting for the bank");

      await popup.getByRole("heading", { name: OAUTH_BANK }).waitFor();
      await popup.screenshot({ path: join(checkout.dir, "popup-bank-consent.png") });
      // Back at finlink's callback, the popup closes itself (maybe before the click returns).
      const closed = popup.waitForEvent("close");
      await popup
        .getByRole("button", { name: "Authorize" })
        .click()
        .catch((error) => {
          if (!popup.isClosed()) throw error;
        });
      await closed;
      await checkout.linkAccount();

      await checkout.statusIs(MODAL, "Linked 1 bank account.");
      await checkout.assertClosedAndFocusReturned();
      assert.deepEqual(await checkout.linkedAccounts(MODAL), [
        `Everyday Checking at ${OAUTH_BANK}, ending in 6789`,
      ]);
      const expected = [
        "open",
        "consent_acquired",
        "institution_selected",
        "flow_launched_in_browser",
        "institution_authorized",
        "accounts_selected",
        "success",
      ];
      assert.deepEqual(await checkout.loggedEvents(MODAL, expected), expected);
      await checkout.shot("linked through OAuth");
      await checkout.assertNoCspViolations();
      checkout.assertNoProblems();
    } finally {
      await checkout.close();
    }
  });
});
