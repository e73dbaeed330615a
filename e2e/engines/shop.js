// A person at the demo shop (a business's page on its own origin) linking a bank through the
// loader, driven over WebDriver so that the same steps run in every engine. Elements are found
// as a person finds them: by role and accessible name, by label, by visible text; clicks and
// keys are WebDriver's own (trusted input, hit-tested like a real pointer).
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { Key, error as webdriverError } from "selenium-webdriver";

import { repo } from "../server.js";

export const WIDGET_FRAME = 'iframe[title="Link your bank account"]';
const WAIT_MS = 20_000;
const POLL_MS = 50;
/** Where screenshots go (git-ignored): one folder per engine and test, one file per step. */
const SCREENSHOTS = join(repo, "e2e/screenshots/engines");

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 80);
}

/**
 * Runs in the page: the visible elements of `role` whose accessible name contains `name`
 * (ignoring case, as Playwright's getByRole does), or is `name` with `exact` (after collapsing
 * white space), inside the element `within` (a role and its exact name) when given. A small subset of WAI-ARIA's role mapping and name
 * computation: native roles, role attributes, aria-labelledby, aria-label, labels, text.
 */
function queryByRole(role, name, exact, level, withinRole, withinName) {
  const SELECTORS = {
    alert: '[role="alert"]',
    article: 'article, [role="article"]',
    button: 'button, [role="button"], input[type="button"], input[type="submit"]',
    checkbox: 'input[type="checkbox"], [role="checkbox"]',
    dialog: 'dialog, [role="dialog"]',
    heading: 'h1, h2, h3, h4, h5, h6, [role="heading"]',
    combobox: '[role="combobox"], select',
    link: 'a[href], [role="link"]',
    list: 'ul:not([role]), ol:not([role]), [role="list"]',
    listbox: '[role="listbox"], select',
    option: '[role="option"], option',
    radio: 'input[type="radio"], [role="radio"]',
    textbox:
      'input:not([type]), input[type="text"], input[type="search"], input[type="email"], ' +
      'input[type="tel"], input[type="url"], textarea, [role="textbox"], [role="searchbox"]',
    field: "input, textarea, select",
  };
  const squash = (text) => text.replace(/\s+/g, " ").trim();
  const hidden = (element) => {
    for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
      if (node.getAttribute("aria-hidden") === "true" || node.hidden) return true;
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden") return true;
    }
    return false;
  };
  const textOf = (node) => {
    if (node.nodeType === 3) return node.textContent;
    if (node.nodeType !== 1 || hidden(node)) return "";
    if (node.getAttribute("aria-label")) return " " + node.getAttribute("aria-label") + " ";
    if (node.tagName === "INPUT" || node.tagName === "TEXTAREA" || node.tagName === "SELECT") return "";
    let text = "";
    for (const child of node.childNodes) text += textOf(child);
    const display = getComputedStyle(node).display;
    return display === "inline" ? text : ` ${text} `;
  };
  const nameOf = (element) => {
    const labelledBy = element.getAttribute("aria-labelledby");
    if (labelledBy) {
      return squash(
        labelledBy
          .split(/\s+/)
          .map((id) => document.getElementById(id))
          .filter(Boolean)
          .map((node) => textOf(node))
          .join(" "),
      );
    }
    if (element.getAttribute("aria-label")) return squash(element.getAttribute("aria-label"));
    if (element.labels && element.labels.length) {
      return squash([...element.labels].map((label) => textOf(label)).join(" "));
    }
    if (element.tagName === "INPUT" && (element.type === "button" || element.type === "submit")) {
      return squash(element.value);
    }
    if (["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName)) {
      return squash(element.getAttribute("title") || element.getAttribute("placeholder") || "");
    }
    let text = "";
    for (const child of element.childNodes) text += textOf(child);
    return squash(text);
  };
  const matches = (element, wanted, wantedExact) => {
    if (wanted === null) return true;
    const actual = nameOf(element);
    return wantedExact ? actual === wanted : actual.toLowerCase().includes(wanted.toLowerCase());
  };
  const levelOf = (element) => {
    const aria = element.getAttribute("aria-level");
    if (aria) return Number(aria);
    const match = /^H([1-6])$/.exec(element.tagName);
    return match ? Number(match[1]) : 2;
  };
  const visible = (element) => element.getClientRects().length > 0 && !hidden(element);
  let roots = [document];
  if (withinRole) {
    roots = [...document.querySelectorAll(SELECTORS[withinRole])].filter(
      (element) => visible(element) && matches(element, withinName, true),
    );
  }
  const found = [];
  for (const root of roots) {
    for (const element of root.querySelectorAll(SELECTORS[role])) {
      if (!visible(element) || found.includes(element)) continue;
      if (level !== null && levelOf(element) !== level) continue;
      if (matches(element, name, exact)) found.push(element);
    }
  }
  return found;
}

/**
 * Runs in the page, asynchronously: whether `element`, scrolled into view, stayed in place for
 * two frames and a pointer at its centre reaches it or its label (not something laid over it).
 * WebDriver computes where to click before it clicks; an element still moving is missed.
 */
function settled(element, done) {
  element.scrollIntoView({ block: "nearest", inline: "nearest" });
  const box = () => {
    const r = element.getBoundingClientRect();
    return [r.x, r.y, r.width, r.height].join();
  };
  const before = box();
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      if (!element.isConnected || box() !== before) return done(false);
      const r = element.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      const labels = element.labels ? [...element.labels] : [];
      done(hit !== null && (element.contains(hit) || labels.some((label) => label.contains(hit))));
    }),
  );
}

/** Runs in the page: what it shows now (headings, buttons, status), for a failure message. */
function shown() {
  const texts = (selector) =>
    [...document.querySelectorAll(selector)]
      .filter((element) => element.getClientRects().length > 0)
      .map((element) => (element.innerText || element.textContent || "").replace(/\s+/g, " ").trim())
      .filter(Boolean);
  return JSON.stringify({
    headings: texts("h1, h2"),
    buttons: texts("button"),
    status: texts('[role="status"], [role="alert"], [aria-live]'),
  });
}

/** Where a locator looks: the shop's page, the widget's frame, or the bank's popup window. */
const SHOP = "shop";
const WIDGET = "widget";

/** Retries what fails because the page moved under it (re-rendered, covered, not yet there). */
function transient(error) {
  return (
    error instanceof webdriverError.StaleElementReferenceError ||
    error instanceof webdriverError.ElementClickInterceptedError ||
    error instanceof webdriverError.ElementNotInteractableError ||
    error instanceof webdriverError.NoSuchElementError
  );
}

export class Shop {
  /**
   * Opens the demo shop in `browser` (from browsers.js) and waits for its button. The shop is
   * reached as localhost, finlink as 127.0.0.1: another site, not only another origin, so the
   * widget is a third-party iframe, with the storage partitioning and cross-site rules each
   * engine applies to those.
   */
  static async open(browser, server, name) {
    const shop = new Shop(browser, name);
    const shopUrl = new URL(server.demoUrl);
    shopUrl.hostname = "localhost";
    await browser.driver.get(shopUrl.href);
    shop.shopWindow = await browser.driver.getWindowHandle();
    await shop.find(SHOP, "button", "Link bank account");
    return shop;
  }

  constructor(browser, name) {
    this.browser = browser;
    this.driver = browser.driver;
    this.where = SHOP;
    this.dir = join(SCREENSHOTS, browser.engine.name, slug(name));
    this.shots = 0;
    rmSync(this.dir, { recursive: true, force: true }); // only this run's screenshots
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * Saves a screenshot of the window WebDriver is in (the shop with the widget over it, or the
   * bank's popup), to compare how the engines render each step.
   */
  async shot(step) {
    // After the page's next two frames, so that the screenshot shows what the last step did.
    await this.driver.executeAsyncScript(
      "const done = arguments[arguments.length - 1];" +
        "requestAnimationFrame(() => requestAnimationFrame(() => done()));",
    );
    // From the top-level page: geckodriver cannot take one from inside a cross-site frame.
    if (this.where === WIDGET) await this.enter(SHOP);
    this.shots += 1;
    const file = `${String(this.shots).padStart(2, "0")}-${slug(step)}.png`;
    writeFileSync(join(this.dir, file), await this.driver.takeScreenshot(), "base64");
  }

  /** Switches WebDriver's context to the shop's page or the widget's frame. */
  async enter(where) {
    if (where === this.where) return;
    await this.driver.switchTo().window(this.shopWindow);
    await this.driver.switchTo().defaultContent();
    if (where === WIDGET) {
      const frame = await this.driver.findElement({ css: WIDGET_FRAME });
      await this.driver.switchTo().frame(frame);
    }
    this.where = where;
  }

  /** Polls `attempt` until it returns something other than undefined/null/false. */
  async until(description, attempt, timeout = WAIT_MS) {
    const deadline = Date.now() + timeout;
    let last = null;
    for (;;) {
      try {
        const value = await attempt();
        if (value !== undefined && value !== null && value !== false) return value;
      } catch (error) {
        if (!transient(error)) throw error;
        last = error;
      }
      if (Date.now() > deadline) {
        const detail = last ? ` (last: ${last.name}: ${last.message})` : "";
        const page = await this.describe();
        throw new Error(
          `${this.browser.engine.label}: timed out after ${timeout} ms waiting for ${description}${detail}; ` +
            `the ${this.where} shows ${page}`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** What the page WebDriver is in shows, or why that cannot be read. */
  async describe() {
    try {
      return String(await this.driver.executeScript(shown));
    } catch (error) {
      return `nothing readable (${error.name}: ${error.message})`;
    }
  }

  /** The visible elements of `role` named `name` in `where`, now. */
  async query(where, role, name, { exact = false, level = null, within = null } = {}) {
    if (where !== null) await this.enter(where);
    // A document being replaced answers a script with null (seen in Firefox): nothing found yet.
    const found = await this.driver.executeScript(
      queryByRole,
      role,
      name,
      exact,
      level,
      within ? within.role : null,
      within ? within.name : null,
    );
    return Array.isArray(found) ? found : [];
  }

  /** Waits for the first visible element of `role` named `name`. */
  async find(where, role, name, options = {}) {
    return this.until(`${role} "${name}" in the ${where}`, async () => {
      const [element] = await this.query(where, role, name, options);
      return element;
    });
  }

  /** Waits for the element, then clicks it (again, if it moved or was covered meanwhile). */
  async click(where, role, name, options = {}) {
    await this.until(`to click ${role} "${name}" in the ${where}`, async () => {
      const [element] = await this.query(where, role, name, options);
      if (!element || !(await this.driver.executeAsyncScript(settled, element))) return false;
      await element.click();
      return true;
    });
  }

  /** Whether the page of `where` shows `text` (in its rendered text). */
  async waitForText(where, text) {
    await this.until(`the text "${text}" in the ${where}`, async () => {
      await this.enter(where);
      const shown = await this.driver.executeScript("return document.body.innerText");
      return shown.replace(/\s+/g, " ").includes(text);
    });
  }

  // --- in the widget ------------------------------------------------------------------------

  heading(name) {
    return this.find(WIDGET, "heading", name, { level: 1 });
  }

  button(name) {
    return this.click(WIDGET, "button", name);
  }

  /** Types `text` into the field labelled `label`, after clearing it. */
  async fill(label, text) {
    await this.until(`to fill the field "${label}"`, async () => {
      const [field] = await this.query(WIDGET, "field", label);
      if (!field) return false;
      await field.clear();
      await field.sendKeys(text);
      return true;
    });
  }

  /** The value of the field labelled `label`. */
  async valueOf(label) {
    const field = await this.find(WIDGET, "field", label);
    return field.getAttribute("value");
  }

  /** Presses "Link bank account" and waits for the consent screen. */
  async start() {
    await this.click(SHOP, "button", "Link bank account");
    await this.heading("Demo Shop uses finlink to connect your bank account");
    await this.shot("consent");
  }

  /** Continue on the consent screen, to the bank list. */
  async consent() {
    await this.button("Continue");
    await this.heading("Select your bank");
    await this.shot("select your bank");
  }

  /** Picks a bank from the list of banks shown. */
  async pick(bank) {
    await this.click(WIDGET, "option", bank, { within: { role: "listbox", name: "Banks" } });
  }

  /** Username and password, then "Log in". */
  async logIn(password, username = "jenny") {
    await this.fill("Username", username);
    await this.fill("Password", password);
    await this.shot(`credentials ${password}`);
    await this.button("Log in");
  }

  /** Ticks the account's checkbox in the list of accounts at `bank`. */
  async tick(bank, account) {
    const list = { role: "list", name: `Accounts at ${bank}` };
    await this.click(WIDGET, "checkbox", account, { within: list });
    await this.until(`"${account}" to be ticked`, async () => {
      const [box] = await this.query(WIDGET, "checkbox", account, { within: list });
      return box && (await box.isSelected());
    });
  }

  /** Whether the checkbox of `account` at `bank` is disabled. */
  async accountDisabled(bank, account) {
    const box = await this.find(WIDGET, "checkbox", account, { within: { role: "list", name: `Accounts at ${bank}` } });
    return !(await box.isEnabled());
  }

  /** Presses a key (selenium-webdriver's Key) where the keyboard focus is. */
  async press(key) {
    try {
      await this.driver.actions().sendKeys(key).perform();
    } catch (error) {
      // A key that closes the widget (Escape) removes the frame WebDriver is in between the
      // key's down and up; geckodriver then reports the frame gone. The key did its work:
      // what it did is for the test to check.
      if (!(error instanceof webdriverError.NoSuchWindowError) || this.where !== WIDGET) throw error;
      this.where = null;
    }
  }

  // --- the bank's popup ---------------------------------------------------------------------

  /** Waits for a second window (the bank's popup) and switches WebDriver to it. */
  async enterPopup() {
    const popup = await this.until("the bank's popup window", async () => {
      const handles = await this.driver.getAllWindowHandles();
      return handles.find((handle) => handle !== this.shopWindow);
    });
    await this.driver.switchTo().window(popup);
    this.where = "popup";
    return popup;
  }

  /** Clicks in the popup, which may close itself as a result (then the click may fail). */
  async clickInPopup(role, name) {
    const [element] = await this.until(`${role} "${name}" in the popup`, async () => {
      const found = await this.query(null, role, name);
      return found.length ? found : null;
    });
    try {
      await element.click();
    } catch (error) {
      if (!(await this.popupClosed())) throw error;
    }
  }

  async popupClosed() {
    const handles = await this.driver.getAllWindowHandles();
    return handles.length === 1 && handles[0] === this.shopWindow;
  }

  async waitForPopupClosed() {
    await this.until("the bank's popup to close", () => this.popupClosed());
  }

  // --- the shop, the host page --------------------------------------------------------------

  /** The loader's promise, once it resolved (the shop records it). */
  async outcome() {
    return this.until("the loader's result in the shop", async () => {
      await this.enter(SHOP);
      return this.driver.executeScript("return window.demoShop ? window.demoShop.outcome : null");
    });
  }

  async events() {
    await this.enter(SHOP);
    return this.driver.executeScript("return window.demoShop.events");
  }

  async eventNames() {
    return (await this.events()).map((event) => event.name);
  }

  /** After the flow: the iframe is gone and focus is back on the shop's button. */
  async assertClosedAndFocusReturned() {
    await this.enter(SHOP);
    await this.until("the widget's iframe to go", async () => {
      const frames = await this.driver.findElements({ css: WIDGET_FRAME });
      return frames.length === 0;
    });
    const focused = await this.driver.executeScript(
      "return document.activeElement ? document.activeElement.id : null",
    );
    assert.equal(focused, "link-bank", "focus returns to the button that opened the widget");
  }

  /** The shop's list of linked accounts shows `text`. */
  async assertShopLists(text) {
    await this.until(`the shop to list "${text}"`, async () => {
      const [list] = await this.query(SHOP, "list", "Linked accounts");
      if (!list) return false;
      return (await list.getText()).includes(text);
    });
  }
}

export { Key };
