// Shared pieces of the end-to-end tests: the real finlink-server on free loopback ports and the
// integrator API (server.js), and Debian's Chromium driven by playwright-core.
import { chromium } from "playwright-core";

export {
  SHOP_B_NAME, createSession, freePort, integratorApi, leptosHostDir, repo, serverBinary, startServer,
  widgetDir, widgetPage,
} from "./server.js";

/** Flags for Chromium on these machines (DESIGN §7). */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: chromiumArgs,
    headless: true,
  });
}

/**
 * A page that fails the test on anything the browser reports as broken: uncaught errors,
 * console errors (CSP violations show up there), and requests that failed outright.
 */
export async function watchedPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const where = message.location()?.url ?? "";
    // Browsers ask every origin for a favicon; the demo shop (a business's page) has none.
    if (where.endsWith("/favicon.ico")) return;
    problems.push(`console error: ${message.text()} ${where}`.trim());
  });
  // A request the browser aborted because the host page removed the widget's iframe (destroy,
  // close) while it was on its way is not a problem: it is withdrawn when its frame detaches
  // (which the browser reports after the failed request).
  const aborted = [];
  page.on("requestfailed", (request) => {
    const error = request.failure()?.errorText ?? "";
    const problem = `request failed: ${request.url()} ${error}`;
    const frame = request.frame();
    if (error === "net::ERR_ABORTED" && frame.isDetached()) return;
    problems.push(problem);
    if (error === "net::ERR_ABORTED") aborted.push({ frame, problem });
  });
  page.on("framedetached", (frame) => {
    for (const { problem } of aborted.filter((entry) => entry.frame === frame)) {
      const at = problems.indexOf(problem);
      if (at >= 0) problems.splice(at, 1);
    }
  });
  return { page, context, problems };
}
