// The three browser engines as Debian ships them, each driven through its own WebDriver server
// by one client (selenium-webdriver), so that one test definition runs in all of them
// (DESIGN §7):
//
//   chromium  Chromium (Chrome, Edge), headless, through chromedriver
//   firefox   Firefox ESR, headless, through geckodriver
//   webkit    WebKitGTK's MiniBrowser (the engine of Safari and every iOS web view), through
//             WebKitWebDriver; it has no headless mode and needs an X display (xvfb-run -a)
//
// FINLINK_ENGINE names the engine of a run (chromium when unset). CHROMEDRIVER, GECKODRIVER
// and WEBKITDRIVER may name the driver programs.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { Builder } from "selenium-webdriver";

import { freePort, repo } from "../server.js";
import { chromiumArgs } from "../harness.js";

export const ENGINES = {
  chromium: {
    label: "Chromium",
    driver: () => process.env.CHROMEDRIVER || "/usr/bin/chromedriver",
    driverArgs: (port) => [`--port=${port}`],
    capabilities: () => ({
      browserName: "chrome",
      "goog:chromeOptions": {
        binary: process.env.CHROMIUM || "/usr/bin/chromium",
        args: [...chromiumArgs, "--headless=new", "--window-size=1280,900"],
      },
    }),
  },
  firefox: {
    label: "Firefox",
    // bootstrap.sh installs geckodriver with cargo, into ~/.cargo/bin (on the Makefile's PATH).
    driver: () => process.env.GECKODRIVER || "geckodriver",
    driverArgs: (port) => ["--host", "127.0.0.1", "--port", String(port)],
    capabilities: () => ({
      browserName: "firefox",
      "moz:firefoxOptions": {
        binary: process.env.FIREFOX || "/usr/bin/firefox-esr",
        args: ["-headless", "-width", "1280", "-height", "900"],
        prefs: {
          "app.update.auto": false,
          "browser.shell.checkDefaultBrowser": false,
          "datareporting.policy.dataSubmissionEnabled": false,
          "toolkit.telemetry.reportingpolicy.firstRun": false,
        },
      },
    }),
  },
  webkit: {
    label: "WebKit",
    driver: () => process.env.WEBKITDRIVER || "/usr/bin/WebKitWebDriver",
    driverArgs: (port) => [`--port=${port}`],
    capabilities: () => ({
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { args: ["--automation"] },
    }),
  },
};

/**
 * The engine of this run, from FINLINK_ENGINE; Chromium when unset (as in a plain `node --test`
 * in e2e/; the Makefile always names it).
 */
export function engineFromEnv() {
  const name = process.env.FINLINK_ENGINE || "chromium";
  if (!Object.hasOwn(ENGINES, name)) {
    throw new Error(`FINLINK_ENGINE must name one engine: ${Object.keys(ENGINES).join(", ")} (got ${name})`);
  }
  if (name === "webkit" && !process.env.DISPLAY) {
    throw new Error("WebKit's MiniBrowser needs an X display: run under `xvfb-run -a`");
  }
  return { name, ...ENGINES[name] };
}

/** Starts the engine's WebDriver server on a free loopback port; resolves once it is ready. */
async function startDriver(engine) {
  const port = await freePort();
  const program = engine.driver();
  const child = spawn(program, engine.driverArgs(port), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => { output += chunk; });
  child.stderr.on("data", (chunk) => { output += chunk; });
  const exited = new Promise((resolveExit) => child.once("exit", resolveExit));
  let spawnError = null;
  child.once("error", (error) => { spawnError = error; });

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && !spawnError) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError) throw new Error(`could not start ${program}: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`${program} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${program} did not answer within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop, output: () => output };
}

/**
 * A fresh browser of `engine` (its own driver process and session): { driver, engine,
 * browserName, browserVersion, quit }.
 */
export async function startBrowser(engine) {
  const server = await startDriver(engine);
  let driver;
  try {
    driver = await new Builder()
      .usingServer(server.url)
      .withCapabilities(engine.capabilities())
      .build();
  } catch (error) {
    await server.stop();
    throw new Error(`no ${engine.label} session: ${error.message}\n${server.output()}`);
  }
  const capabilities = await driver.getCapabilities();
  const quit = async () => {
    try {
      await driver.quit();
    } finally {
      await server.stop();
    }
  };
  return {
    driver,
    engine,
    browserName: capabilities.getBrowserName(),
    browserVersion: capabilities.getBrowserVersion(),
    quit,
  };
}

/**
 * Writes what this run tested to target/test-logs/engines/<engine>.json, for the README's
 * support table (scripts/engines.sh).
 */
export function recordEngine(browser, summary) {
  const dir = join(repo, "target/test-logs/engines");
  mkdirSync(dir, { recursive: true });
  const record = {
    engine: browser.engine.name,
    label: browser.engine.label,
    browser_name: browser.browserName,
    browser_version: browser.browserVersion,
    ...summary,
  };
  writeFileSync(join(dir, `${browser.engine.name}.json`), JSON.stringify(record, null, 2) + "\n");
}
