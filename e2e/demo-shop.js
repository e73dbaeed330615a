// A person at the demo shop (a business's page on its own origin) linking a bank through the
// loader, as the end-to-end tests drive it: by the roles, labels and text they see.
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

import { repo, watchedPage } from "./harness.js";

export const WIDGET_FRAME = 'iframe[title="Link your bank account"]';

/** The business name the demo shop's sessions carry. */
export const SHOP_BUSINESS = "Demo Shop";

/** Where screenshots go (git-ignored): one folder per test, one file per step. */
const SCREENSHOTS = join(repo, "e2e/screenshots");

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80);
}

export class Shop {
  /** Opens the demo shop in a fresh browser context. `name` names the screenshot folder. */
  static async open(browser, server, name) {
    const { page, context, problems } = await watchedPage(browser);
    const shop = new Shop(page, context, problems, name);
    await page.goto(server.demoUrl);
    await page.getByRole("button", { name: "Link bank account" }).waitFor();
    return shop;
  }

  constructor(page, context, problems, name) {
    this.page = page;
    this.context = context;
    this.problems = problems;
    this.widget = page.frameLocator(WIDGET_FRAME);
    this.dir = join(SCREENSHOTS, slug(name));
    this.shots = 0;
    rmSync(this.dir, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(this.dir, { recursive: true });
  }

  async close() {
    await this.context.close();
  }

  /** Saves a screenshot of the whole page (the shop and the widget over it). */
  async shot(step) {
    this.shots += 1;
    const file = `${String(this.shots).padStart(2, "0")}-${slug(step)}.png`;
    await this.page.screenshot({ path: join(this.dir, file) });
  }

  heading(name) {
    return this.widget.getByRole("heading", { level: 1, name });
  }

  button(name, options = {}) {
    return this.widget.getByRole("button", { name, ...options });
  }

  /** Presses "Link bank account" and waits for the consent screen. */
  async start() {
    await this.page.getByRole("button", { name: "Link bank account" }).click();
    await this.heading(`${SHOP_BUSINESS} uses finlink to connect your bank account`).waitFor();
    await this.shot("consent");
  }

  /** Continue on the consent screen, to the bank list. */
  async consent() {
    await this.button("Continue").click();
    await this.heading("Select your bank").waitFor();
    await this.shot("select your bank");
  }

  /** A bank of the list: an option of the listbox under the search field. */
  bank(name) {
    return this.widget.getByRole("listbox", { name: "Banks" }).getByRole("option", { name });
  }

  /** Types into the search field and waits for the bank to be listed. */
  async search(query, expected = query) {
    await this.widget.getByLabel("Search for your bank").fill(query);
    await this.bank(expected).first().waitFor();
    await this.shot(`search ${query}`);
  }

  /** Picks a bank from the list shown. */
  async pick(name) {
    await this.bank(name).click();
  }

  /** Username and password, then "Log in". */
  async logIn(password, username = "jenny") {
    await this.widget.getByLabel("Username").fill(username);
    await this.widget.getByLabel("Password").fill(password);
    await this.shot(`credentials ${password}`);
    await this.button("Log in").click();
  }

  /** At account selection: ticks the account named `name`, links it, and presses Done. */
  async linkAccount(name = "Everyday Checking") {
    await this.heading("Select accounts").waitFor();
    await this.widget.getByRole("checkbox", { name }).check();
    await this.button("Link accounts").click();
    await this.heading("Accounts linked").waitFor();
    await this.button("Done").click();
  }

  /** The Close button in the dialog's header (an icon, named by its aria-label). */
  closeButton() {
    return this.widget.getByLabel("Close", { exact: true });
  }

  async closeWidget() {
    await this.closeButton().click();
  }

  /** The loader's promise, once it resolved (the shop records it). */
  async outcome() {
    const handle = await this.page.waitForFunction(() => window.demoShop && window.demoShop.outcome);
    const outcome = await handle.jsonValue();
    await handle.dispose();
    return outcome;
  }

  /** The names of the events the shop received, in order. */
  async eventNames() {
    return this.page.evaluate(() => window.demoShop.events.map((event) => event.name));
  }

  async events() {
    return this.page.evaluate(() => window.demoShop.events);
  }

  /** The shop's card of a linked account: an article named by its heading. */
  account(name) {
    return this.page.getByRole("list", { name: "Linked accounts" }).getByRole("article", { name });
  }

  /** The webhooks the shop's server received and verified, as the page lists them. */
  webhooks() {
    return this.page.getByRole("list", { name: "Webhooks received" });
  }

  /** Waits until the shop's server has registered its webhook endpoint with finlink. */
  async webhooksRegistered() {
    await this.page.getByText("verifies each signature", { exact: false }).waitFor();
  }

  /** After the flow: the iframe is gone and focus is back on the shop's button. */
  async assertClosedAndFocusReturned() {
    await this.page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
    const focused = await this.page.evaluate(() => document.activeElement && document.activeElement.id);
    assert.equal(focused, "link-bank", "focus returns to the button that opened the widget");
  }

  /** Whether `locator` (in the widget) holds the keyboard focus. */
  static async hasFocus(locator) {
    return locator.evaluate((element) => element === element.ownerDocument.activeElement);
  }

  /** Presses Tab (Shift+Tab with `back`) until `locator` has the focus. */
  async tabTo(locator, { back = false, max = 40 } = {}) {
    await locator.waitFor();
    for (let i = 0; i < max; i++) {
      if (await Shop.hasFocus(locator)) return;
      await this.page.keyboard.press(back ? "Shift+Tab" : "Tab");
    }
    throw new Error(`Tab never reached ${locator}`);
  }

  assertNoProblems() {
    assert.deepEqual(this.problems, [], "no page errors, console errors or failed requests");
  }
}

/** The accounts of the result, as the host sees them. */
export function accountSummary(outcome) {
  return outcome.session.accounts.map((account) => `${account.display_name} ${account.last4}`);
}

/** The fields a host may see of an account, and no others (never numbers). */
export const ACCOUNT_FIELDS = [
  "category",
  "display_name",
  "id",
  "institution_name",
  "last4",
  "status",
  "subcategory",
  "verification",
];
