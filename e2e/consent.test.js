// The widget's first step against the real server: a session created through the integrator
// API opens the consent screen, directly (as a mobile web view loads it) and through the loader
// on another origin (as a business's page does).
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { Shop, WIDGET_FRAME } from "./demo-shop.js";
import {
  createSession, launchBrowser, leptosHostDir, repo, startServer, watchedPage, widgetDir, widgetPage,
} from "./harness.js";

const CONSENT_HEADING = "Demo Shop uses finlink to connect your bank account";
const TIMEOUT = { timeout: 60_000 };

/** Holds back the page's requests for `pattern` until the function it returns is called. */
async function holdBack(page, pattern) {
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route(pattern, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

describe("consent", () => {
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

  test("the widget page shows the business and what it asks to see", async () => {
    const session = await createSession(server, { permissions: ["payment_method", "balances"] });
    assert.match(session.client_secret, /\S/);

    const { page, context, problems } = await watchedPage(browser);
    try {
      const response = await page.goto(
        widgetPage(server, session.client_secret),
      );
      assert.equal(response.status(), 200);
      assert.match(response.headers()["content-security-policy"] ?? "", /script-src 'self' 'wasm-unsafe-eval'/);

      const dialog = page.getByRole("dialog", { name: "Demo Shop" });
      await dialog.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor();

      const asked = dialog.getByRole("list", { name: "Data Demo Shop will see" });
      await asked.getByText("Account details", { exact: true }).waitFor();
      await asked.getByText("Your account and routing numbers", { exact: false }).waitFor();
      await asked.getByText("Balances", { exact: true }).waitFor();
      await asked.getByText("Your current and available balances.", { exact: true }).waitFor();
      assert.equal(await asked.getByRole("listitem").count(), 2, "only the permissions asked for");
      assert.equal(await dialog.getByText("Transactions", { exact: true }).count(), 0);

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the widget page and its files arrive compressed, and it asks for its session once", async () => {
    const session = await createSession(server, { permissions: ["payment_method"] });
    const { page, context, problems } = await watchedPage(browser);
    const files = [];
    const sessionRequests = [];
    page.on("response", (response) => {
      const { pathname } = new URL(response.url());
      if (/^\/link\/[\w-]+\.(wasm|js|css)$/.test(pathname)) files.push(response);
    });
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/v1/link/session") sessionRequests.push(request);
    });
    try {
      const document = await page.goto(widgetPage(server, session.client_secret));
      await page.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor();

      const documentAccepts = (await document.request().allHeaders())["accept-encoding"] ?? "";
      assert.equal(document.headers()["content-encoding"], /\bbr\b/.test(documentAccepts) ? "br" : "gzip");
      const names = files.map((response) => new URL(response.url()).pathname).sort();
      assert.deepEqual(names, ["/link/boot.js", "/link/finlink.js", "/link/finlink_bg.wasm", "/link/widget.css"]);
      for (const response of files) {
        const name = new URL(response.url()).pathname.slice("/link/".length);
        const accepted = (await response.request().allHeaders())["accept-encoding"] ?? "";
        const expected = /\bbr\b/.test(accepted) ? "br" : "gzip";
        assert.equal(response.headers()["content-encoding"], expected, `${name}, accepting ${accepted}`);
        const sent = (await response.request().sizes()).responseBodySize;
        const size = statSync(join(widgetDir(), name)).size;
        assert.ok(sent < size, `${name}: ${sent} B sent for a ${size} B file`);
      }
      // The page's boot script asked, while the module loaded; the module took that answer.
      assert.equal(sessionRequests.length, 1);
      assert.equal(sessionRequests[0].headers().authorization, `Bearer ${session.client_secret}`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the shipped modules name no directory of the machine that built them", () => {
    const home = homedir();
    // Cargo's registry and git checkouts, wherever its home is; the repository; the home.
    const traces = ["/registry/src/", "/git/checkouts/", `${repo}/`, ...(home.length > 1 ? [`${home}/`] : [])];
    const example = leptosHostDir();
    const modules = [
      join(widgetDir(), "finlink_bg.wasm"),
      join(widgetDir(), "verify/finlink-verify_bg.wasm"),
      ...(existsSync(join(example, "checkout_bg.wasm")) ? [join(example, "checkout_bg.wasm")] : []),
    ];
    for (const module of modules) {
      const text = readFileSync(module).toString("latin1");
      for (const trace of traces) assert.ok(!text.includes(trace), `${module} holds ${trace}`);
    }
  });

  test("the session is asked for while the widget's module is still on its way", async () => {
    const session = await createSession(server, { permissions: ["payment_method"] });
    const { page, context, problems } = await watchedPage(browser);
    let asked;
    const sessionAsked = new Promise((resolve) => (asked = resolve));
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/v1/link/session") asked(request);
    });
    // The module is held back until the session was asked for (or 10 s went by).
    let heldUntil = null;
    const release = await holdBack(page, "**/link/finlink_bg.wasm");
    Promise.race([
      sessionAsked.then(() => "the session was asked for"),
      new Promise((resolve) => setTimeout(() => resolve("10 s went by"), 10_000)),
    ]).then((reason) => {
      heldUntil ??= reason;
      release();
    });
    try {
      await page.goto(widgetPage(server, session.client_secret));
      await page.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor(TIMEOUT);
      assert.equal(heldUntil, "the session was asked for");
      assert.equal((await sessionAsked).headers().authorization, `Bearer ${session.client_secret}`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the page shows its first screen before its module arrives, then the widget in its place", async () => {
    const session = await createSession(server, { permissions: ["payment_method"] });
    const { page, context, problems } = await watchedPage(browser);
    const release = await holdBack(page, "**/link/finlink_bg.wasm");
    try {
      await page.goto(widgetPage(server, session.client_secret));
      // Painted from the page and its style sheet alone: finlink's frame, saying it loads.
      await page.getByText("Loading…", { exact: true }).waitFor({ state: "visible", ...TIMEOUT });
      assert.ok(await page.getByText("Secured by finlink").isVisible());
      // Assistive technology hears the widget's own screens, not this stand-in.
      const heard = await page.locator("main").ariaSnapshot();
      assert.ok(!/Loading|finlink/.test(heard), heard);

      release();
      await page.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor(TIMEOUT);
      assert.equal(await page.getByRole("dialog").count(), 1);
      assert.equal(await page.getByText("Loading…").count(), 0, "the stand-in is gone");
      assert.deepEqual(problems, []);
    } finally {
      release();
      await context.close();
    }
  });

  test("the hosted verification page shows the same first screen before its module arrives", async () => {
    const { page, context, problems } = await watchedPage(browser);
    const release = await holdBack(page, "**/link/verify/finlink-verify_bg.wasm");
    try {
      await page.goto(`${server.url}/link/verify/#verification_secret=`);
      await page.getByText("Loading…", { exact: true }).waitFor({ state: "visible", ...TIMEOUT });
      assert.ok(!/Loading/.test(await page.locator("main").ariaSnapshot()));

      release();
      await page.getByRole("heading", { level: 1, name: "This link is not valid" }).waitFor(TIMEOUT);
      assert.equal(await page.getByText("Loading…").count(), 0, "the stand-in is gone");
      assert.deepEqual(problems, []);
    } finally {
      release();
      await context.close();
    }
  });

  test("without scripts the page does not claim to be loading", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/link/`);
      await page.locator(".fl-root").waitFor(TIMEOUT);
      // Nothing would replace it: the page's notice says what the page needs instead.
      assert.equal(await page.getByText("Loading…").isVisible(), false);
    } finally {
      await context.close();
    }
  });

  test("an unknown client secret says the link is not valid, with nothing to retry", async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await page.goto(`${server.url}/link/#client_secret=fcsess_unknown_secret_nope`);
      const alert = page.getByRole("alert");
      await alert.getByText("This link is not valid", { exact: false }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
    } finally {
      await context.close();
    }
  });

  test("the loader opens the widget from another origin and ignores forged results", async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      // The demo shop is a business's page on its own origin; its backend creates the session.
      await page.goto(server.demoUrl);
      await page.getByRole("button", { name: "Link bank account" }).click();

      const frame = page.frameLocator(WIDGET_FRAME);
      await frame.getByRole("heading", { level: 1, name: CONSENT_HEADING }).waitFor();
      await frame.getByText("Transactions", { exact: true }).waitFor();
      assert.equal(
        new URL(await page.locator(WIDGET_FRAME).getAttribute("src")).origin,
        server.url,
        "the widget comes from finlink's origin",
      );
      // The page behind the modal is out of reach.
      assert.equal(await page.locator("main").getAttribute("inert"), "");

      // Results forged by the host page itself (wrong origin and source) are ignored, in the
      // old and the current shape.
      await page.evaluate(() => {
        const session = { id: "forged", accounts: [] };
        window.postMessage({ source: "finlink", version: 1, type: "result", session }, "*");
        window.postMessage({ source: "finlink", kind: "result", session, error: null }, "*");
      });
      await page.waitForTimeout(100);
      assert.equal(await page.locator(WIDGET_FRAME).count(), 1, "still open after a forged result");
      assert.equal(await page.evaluate(() => window.demoShop.outcome), null);

      // A second collect while the first is open is a clear error, and the first goes on.
      const second = await page.evaluate(() => window.Finlink.collect({ clientSecret: "fcsess_x" }));
      assert.equal(second.error.code, "flow_already_open");
      assert.equal(second.session, undefined);
      assert.equal(await page.locator("iframe").count(), 1);

      await frame.getByLabel("Close", { exact: true }).click();
      const outcome = (await page.waitForFunction(() => window.demoShop.outcome)).jsonValue();
      assert.deepEqual((await outcome).session.accounts, []);
      await page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
      assert.equal(await page.locator("main").getAttribute("inert"), null, "the page is back");

      const result = await page.evaluate(() => window.Finlink.collect({}));
      assert.equal(result.session, undefined);
      assert.equal(result.error.code, "parameter_missing");

      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the loader's own Close works while the widget has not spoken", async () => {
    const { page, context } = await watchedPage(browser);
    try {
      // A widget that never loads (a network or CSP problem): the loader still offers a way out.
      await page.route(
        (url) => url.origin === server.url && url.pathname.startsWith("/link/"),
        (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html><p>...</p>" }),
      );
      await page.goto(server.demoUrl);
      const button = page.getByRole("button", { name: "Link bank account" });
      await button.focus();
      await page.keyboard.press("Enter");
      await page.locator(WIDGET_FRAME).waitFor();
      await page.getByRole("button", { name: "Close" }).click();
      await page.getByText("(widget_closed)", { exact: false }).waitFor();
      assert.equal(await page.locator("iframe").count(), 0, "the modal is gone");
      assert.equal(await page.evaluate(() => document.activeElement.id), "link-bank");

      // By keyboard: from the frame, Tab reaches the loader's Close (the page behind is inert).
      await page.keyboard.press("Enter");
      await page.locator(WIDGET_FRAME).waitFor();
      const closeFocused = () => page.evaluate(() => document.activeElement.getAttribute("aria-label") === "Close");
      for (let i = 0; i < 5 && !(await closeFocused()); i++) await page.keyboard.press("Tab");
      assert.ok(await closeFocused(), "Tab reaches the loader's Close");
      await page.keyboard.press("Enter");
      await page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
      assert.equal(await page.evaluate(() => window.demoShop.outcome.error.code), "widget_closed");
      assert.equal(await page.evaluate(() => document.activeElement.id), "link-bank");
    } finally {
      await context.close();
    }
  });

  test("through the loader, a client secret that is not valid ends in an error", async () => {
    const { page, context } = await watchedPage(browser);
    try {
      await page.goto(server.demoUrl);
      const names = [];
      await page.exposeFunction("recordEvent", (name) => names.push(name));
      const result = page.evaluate(() =>
        window.Finlink.collect({
          clientSecret: "fcsess_unknown_secret_nope",
          onEvent: (event) => window.recordEvent(event.name),
        }),
      );
      const frame = page.frameLocator(WIDGET_FRAME);
      await frame.getByRole("alert").getByText("This link is not valid", { exact: false }).waitFor();
      await frame.getByLabel("Close", { exact: true }).click();
      const { session, error } = await result;
      assert.equal(session, undefined);
      assert.equal(error.type, "authentication_error");
      assert.equal(error.code, "client_secret_invalid");
      assert.match(error.message, /\S/);
      assert.deepEqual(names, ["error"]);
    } finally {
      await context.close();
    }
  });
});

// A client secret that opens nothing ends in a clear screen and an error outcome, never a
// half-working flow: missing, malformed, expired or already used.
describe("client secrets that cannot be used", () => {
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

  /**
   * Opens the widget from the demo shop's page with `clientSecret`, as the shop's script does,
   * waits for the failure screen's message, closes, and returns the loader's result with the
   * events the host received.
   */
  async function collectFailing(shop, clientSecret, message) {
    const result = shop.page.evaluate(
      (secret) =>
        window.Finlink.collect({
          clientSecret: secret,
          onEvent: (event) => window.demoShop.events.push(event),
        }),
      clientSecret,
    );
    await shop.heading("Something went wrong").waitFor();
    await shop.widget.getByRole("alert").getByText(message).waitFor();
    await shop.shot("the failure screen");
    assert.equal(await shop.button("Try again").count(), 0, "nothing to retry");
    assert.equal(await shop.button("Pick another bank").count(), 0, "no bank to pick");
    await shop.widget.getByRole("button").filter({ hasText: /^Close$/ }).click();
    const outcome = await result;
    await shop.page.locator(WIDGET_FRAME).waitFor({ state: "detached" });
    return { outcome, events: await shop.events() };
  }

  /** The browser reports the server's refusal as a failed load; nothing else may go wrong. */
  function assertOnlyTheRefusal(shop, status) {
    const others = shop.problems.filter(
      (problem) => !new RegExp(`status of ${status} .*/v1/link/session$`).test(problem),
    );
    assert.deepEqual(others, []);
  }

  test("a malformed client secret: the link is not valid", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      const { outcome, events } = await collectFailing(
        shop,
        "this is not a client secret <b>",
        "This link is not valid. Go back and start again.",
      );
      assert.equal(outcome.session, undefined);
      assert.equal(outcome.error.type, "authentication_error");
      assert.equal(outcome.error.code, "client_secret_invalid");
      assert.match(outcome.error.message, /\S/);
      assert.deepEqual(events, [{ name: "error", metadata: { error_code: "client_secret_invalid" } }]);
      assertOnlyTheRefusal(shop, 401);
    } finally {
      await shop.close();
    }
  });

  test("a completed session's client secret: the link was already used", TIMEOUT, async (t) => {
    const session = await createSession(server, { permissions: ["balances"] });
    const completed = await fetch(`${server.url}/v1/link/complete`, {
      method: "POST",
      headers: { Authorization: `Bearer ${session.client_secret}`, "Content-Type": "application/json" },
      body: "{}",
    });
    assert.equal(completed.status, 200);
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      const { outcome, events } = await collectFailing(
        shop,
        session.client_secret,
        "This link was already used. Go back and start again.",
      );
      assert.equal(outcome.error.type, "invalid_request_error");
      assert.equal(outcome.error.code, "session_completed");
      assert.deepEqual(events, [{ name: "error", metadata: { error_code: "session_completed" } }]);
      assertOnlyTheRefusal(shop, 400);
    } finally {
      await shop.close();
    }
  });

  test("an expired session's client secret: the link has expired", TIMEOUT, async (t) => {
    // A server whose sessions expire after one second without activity.
    const quick = await startServer({ sessionIdleSeconds: 1 });
    try {
      const session = await createSession(quick, { permissions: ["balances"] });
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      const shop = await Shop.open(browser, quick, t.fullName);
      try {
        const { outcome, events } = await collectFailing(
          shop,
          session.client_secret,
          "This link has expired. Go back and start again.",
        );
        assert.equal(outcome.error.code, "session_expired");
        assert.deepEqual(events, [{ name: "error", metadata: { error_code: "session_expired" } }]);
        assertOnlyTheRefusal(shop, 400);
      } finally {
        await shop.close();
      }
    } finally {
      await quick.stop();
    }
  });

  test("a missing client secret: the loader refuses, the widget page says so", TIMEOUT, async () => {
    const { page, context, problems } = await watchedPage(browser);
    try {
      await page.goto(server.demoUrl);
      for (const options of [{}, { clientSecret: "" }]) {
        const result = await page.evaluate((given) => window.Finlink.collect(given), options);
        assert.equal(result.session, undefined);
        assert.equal(result.error.code, "parameter_missing", JSON.stringify(options));
        assert.equal(await page.locator("iframe").count(), 0, "no widget opens");
      }
      // A web view that loads the widget page without one.
      await page.goto(`${server.url}/link/`);
      await page.getByRole("heading", { level: 1, name: "Something went wrong" }).waitFor();
      await page
        .getByRole("alert")
        .getByText("This page was opened without a session. Go back and start again.")
        .waitFor();
      assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 0);
      assert.deepEqual(problems, [], "no request is sent without a secret");
    } finally {
      await context.close();
    }
  });
});

// What reaches the page from outside is shown as text: a business name with markup.
describe("names with markup", () => {
  const MARKUP = `<img src=x onerror="window.parent.hacked=1">Bikes & <b>Co</b>`;
  let server;
  let browser;

  before(async () => {
    server = await startServer({ businessName: MARKUP });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("render as text on the consent screen and in the dialog", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    const dialogs = [];
    shop.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      dialog.dismiss();
    });
    try {
      await shop.page.getByRole("button", { name: "Link bank account" }).click();
      await shop.heading(`${MARKUP} uses finlink to connect your bank account`).waitFor();
      await shop.widget.getByRole("list", { name: `Data ${MARKUP} will see` }).waitFor();
      await shop.shot("consent with markup in the name");
      const frame = shop.page.frames().find((f) => f.url().startsWith(`${server.url}/link/`));
      assert.ok(frame, "the widget's frame");
      assert.equal(await frame.locator("img, b").count(), 0, "no element came from the name");
      assert.equal(await shop.page.evaluate(() => window.hacked), undefined);
      assert.deepEqual(dialogs, []);
      await shop.closeWidget();
      await shop.outcome();
      shop.assertNoProblems();
    } finally {
      await shop.close();
    }
  });
});

// The loader listens to finlink's iframe only, and only to messages of the documented shape.
describe("messages the loader ignores", () => {
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

  test("of the wrong shape from the widget, or from another window of finlink's origin", TIMEOUT, async (t) => {
    const shop = await Shop.open(browser, server, t.fullName);
    try {
      await shop.start();
      const widget = shop.page.frames().find((f) => f.url().startsWith(`${server.url}/link/`));
      assert.ok(widget, "the widget's frame");
      const forged = { id: "fcsess_forged", accounts: [{ id: "fca_forged" }] };

      // From the widget's own window (the right origin and source), shapes the loader does
      // not know: another version, no accounts list, no error code, not an object at all.
      await widget.evaluate((session) => {
        const post = (message) => window.parent.postMessage(message, "*");
        post({ source: "finlink", version: 2, type: "result", session });
        post({ source: "finlink", version: 1, type: "result", session: { id: session.id } });
        post({ source: "finlink", version: 1, type: "result", error: { message: "no code" } });
        post({ source: "finlink", version: 1, type: "event", name: 42 });
        post({ source: "other", version: 1, type: "result", session });
        post("result");
        post(null);
      }, forged);

      // From another window of finlink's origin (the right origin, the wrong source): a frame
      // the host page opens on finlink's loader script, shown as text.
      await shop.page.evaluate((url) => {
        const other = document.createElement("iframe");
        other.id = "other-finlink-window";
        other.title = "Another finlink window";
        other.src = url;
        document.body.append(other);
        return new Promise((resolve) => other.addEventListener("load", resolve));
      }, `${server.url}/finlink.js`);
      const other = shop.page.frames().find((f) => f.url() === `${server.url}/finlink.js`);
      assert.ok(other, "the other frame loaded");
      await other.evaluate((session) => {
        window.parent.postMessage({ source: "finlink", version: 1, type: "result", session }, "*");
        window.parent.postMessage(
          { source: "finlink", version: 1, type: "event", name: "success", metadata: {} },
          "*",
        );
      }, forged);

      await shop.page.waitForTimeout(300);
      assert.equal(await shop.page.locator(WIDGET_FRAME).count(), 1, "the widget is still open");
      assert.equal(await shop.page.evaluate(() => window.demoShop.outcome), null, "no result");
      assert.deepEqual(await shop.eventNames(), ["open"], "no forged event reached the host");

      // The real flow still ends as it should.
      await shop.closeWidget();
      const outcome = await shop.outcome();
      assert.notEqual(outcome.session.id, forged.id);
      assert.deepEqual(outcome.session.accounts, []);
      assert.deepEqual(await shop.eventNames(), ["open", "cancel"]);
    } finally {
      await shop.close();
    }
  });
});
