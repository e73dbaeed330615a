// `make bench`: the widget's weight and how fast it opens. A script, not a test: it prints
// figures (and writes them as JSON to target/bench.json) and fails only if it cannot measure.
//
//   node bench.js [--runs 20]
//
// 1. Bytes of the widget page's wasm + JS + CSS (the built dist/), raw, gzip -9 and brotli
//    (quality 11), with node's zlib; bytes of the loader finlink.js, the same way.
// 2. The times from `Finlink.collect` on the demo shop to the widget's first content on the
//    screen (its frame's first-contentful-paint) and to the consent screen being interactive
//    (its Continue button present and enabled, then one frame painted) in headless Chromium,
//    over N runs: cold (a fresh browser context each run: empty HTTP cache), warm (one
//    context, a new page each run), and cold again on an emulated network (40 ms a request,
//    10 Mbit/s down). Medians, with min and max.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

import { createSession, launchBrowser, repo, startServer, widgetDir } from "./harness.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 20;

function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

function add(a, b) {
  return { raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function weigh() {
  const dir = widgetDir();
  const files = readdirSync(dir).filter((name) => /\.(wasm|js|css)$/.test(name)).sort();
  const each = files.map((name) => ({ name, ...sizes(readFileSync(join(dir, name))) }));
  const total = each.reduce(add, { raw: 0, gzip: 0, brotli: 0 });
  const loader = sizes(readFileSync(join(repo, "loader/finlink.js")));
  return { widget: { files: each, total }, loader };
}

// What the widget's frame logs when its consent screen is interactive, and when its first
// content is painted, each followed by the time.
const MARKS = {
  consentReady: "finlink-bench: consent interactive at",
  firstContent: "finlink-bench: first content at",
};

// Runs in every frame before its own scripts (CDP, so the widget's CSP does not apply): in the
// widget's frame, logs when the consent screen's Continue button is there, enabled and
// painted, and when the browser records the frame's first-contentful-paint, on the same clock
// as the host page's (timeOrigin + now). It reports through the
// console, so that the bench never reaches into the widget's frame while it loads: a locator
// or an evaluation there makes Playwright run its own scripts in that frame, on the same main
// thread as the widget, and the time measured would include them.
function watchWidget({ consentReady, firstContent }) {
  if (location.pathname.indexOf("/link/") !== 0) return;
  new PerformanceObserver((list, paints) => {
    const entry = list.getEntriesByName("first-contentful-paint")[0];
    if (!entry) return;
    paints.disconnect();
    console.debug(`${firstContent} ${performance.timeOrigin + entry.startTime}`);
  }).observe({ type: "paint", buffered: true });
  const now = () => performance.timeOrigin + performance.now();
  const ready = () =>
    Array.from(document.querySelectorAll("button")).some(
      (button) => button.textContent.trim() === "Continue" && !button.disabled &&
        button.getAttribute("aria-disabled") !== "true" && button.getClientRects().length > 0,
    );
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => console.debug(`${consentReady} ${now()}`)));
  });
  const start = () => observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  if (document.documentElement) start();
  else document.addEventListener("readystatechange", start, { once: true });
}

// A network like a good mobile or home connection, for the third series: every request waits
// 40 ms for its answer, and bytes come at 10 Mbit/s (5 Mbit/s up), as Chromium emulates them.
const SLOW_NETWORK = {
  offline: false,
  latency: 40,
  downloadThroughput: (10 * 1000 * 1000) / 8,
  uploadThroughput: (5 * 1000 * 1000) / 8,
};

async function openOnce(server, context, network = null) {
  const { client_secret: clientSecret } = await createSession(server, {
    permissions: ["payment_method", "balances"],
  });
  const page = await context.newPage();
  try {
    await page.goto(server.demoUrl);
    await page.waitForFunction(() => window.Finlink);
    if (network) {
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", network);
    }
    const logged = (mark) =>
      page
        .waitForEvent("console", { predicate: (message) => message.text().startsWith(mark), timeout: 30_000 })
        .then((message) => Number(message.text().slice(mark.length)));
    const ready = logged(MARKS.consentReady);
    const painted = logged(MARKS.firstContent);
    const started = await page.evaluate((secret) => {
      const at = performance.timeOrigin + performance.now();
      window.Finlink.collect({ clientSecret: secret });
      return at;
    }, clientSecret);
    const [readyAt, paintedAt] = await Promise.all([ready, painted]);
    // The screen the time was taken of, checked once it is taken.
    const frame = page.frameLocator('iframe[title="Link your bank account"]');
    await frame.getByRole("button", { name: "Continue" }).waitFor({ timeout: 5_000 });
    return { firstContent: paintedAt - started, consent: readyAt - started };
  } finally {
    await page.close();
  }
}

/** Statistics of each time the runs took: `{ firstContent, consent }`. */
function bothStats(runs) {
  return { firstContent: stats(runs.map((run) => run.firstContent)), consent: stats(runs.map((run) => run.consent)) };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

async function time() {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const coldRuns = async (network) => {
      const times = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext();
        await context.addInitScript(watchWidget, MARKS);
        try {
          times.push(await openOnce(server, context, network));
        } finally {
          await context.close();
        }
      }
      return bothStats(times);
    };
    const cold = await coldRuns(null);
    const warm = [];
    const context = await browser.newContext();
    await context.addInitScript(watchWidget, MARKS);
    try {
      await openOnce(server, context); // fills the cache
      for (let i = 0; i < runs; i++) warm.push(await openOnce(server, context));
    } finally {
      await context.close();
    }
    const slow = await coldRuns(SLOW_NETWORK);
    return { cold, warm: bothStats(warm), "cold, 40 ms and 10 Mbit/s": slow };
  } finally {
    await browser.close();
    await server.stop();
  }
}

const weight = weigh();
const timing = await time();

console.log("widget page (dist/):");
for (const file of weight.widget.files) {
  console.log(`  ${file.name.padEnd(24)} ${String(file.raw).padStart(8)} B  gzip ${kb(file.gzip).padStart(9)}  brotli ${kb(file.brotli).padStart(9)}`);
}
const total = weight.widget.total;
console.log(`  ${"total".padEnd(24)} ${String(total.raw).padStart(8)} B  gzip ${kb(total.gzip).padStart(9)}  brotli ${kb(total.brotli).padStart(9)}`);
const loader = weight.loader;
console.log(`loader finlink.js: ${loader.raw} B, gzip ${loader.gzip} B, brotli ${loader.brotli} B`);
const ms = (n) => `${n.toFixed(1)} ms`;
for (const [name, { firstContent, consent }] of Object.entries(timing)) {
  for (const [what, s] of [["first content", firstContent], ["consent interactive", consent]]) {
    console.log(`Finlink.collect → ${what}, ${name}: median ${ms(s.median)} (min ${ms(s.min)}, max ${ms(s.max)}, ${s.runs} runs)`);
  }
}

mkdirSync(join(repo, "target"), { recursive: true });
writeFileSync(join(repo, "target/bench.json"), JSON.stringify({ weight, timing }, null, 2) + "\n");
