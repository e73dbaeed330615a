// The real finlink-server on free loopback ports and the integrator API: what every end-to-end
// test shares, whichever browser client drives it (playwright-core in harness.js, WebDriver in
// engines/).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = resolve(here, "..");

/** The server binary: FINLINK_SERVER, else the release build, else the debug build. */
export function serverBinary() {
  const candidates = [
    process.env.FINLINK_SERVER,
    join(repo, "target/release/finlink-server"),
    join(repo, "target/debug/finlink-server"),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(`no finlink-server binary (tried ${candidates.join(", ")}): run \`make server\` first`);
  }
  return found;
}

/** The widget page for a session, as a mobile web view opens it: the secret in the fragment. */
export function widgetPage(server, clientSecret) {
  return `${server.url}/link/#client_secret=${encodeURIComponent(clientSecret)}`;
}

/** The built Leptos checkout of examples/leptos-host: FINLINK_LEPTOS_HOST_DIR, else where
 * `make example-leptos` puts it. */
export function leptosHostDir() {
  return process.env.FINLINK_LEPTOS_HOST_DIR || join(repo, "target/examples/leptos-host");
}

/** The built widget: FINLINK_WIDGET_DIR, else dist/ (`make widget`). */
export function widgetDir() {
  const dir = process.env.FINLINK_WIDGET_DIR || join(repo, "dist");
  if (!existsSync(join(dir, "index.html"))) {
    throw new Error(`no built widget in ${dir}: run \`make widget\` first`);
  }
  return dir;
}

/** A port nobody listens on right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts finlink-server with a fresh SQLite file on free ports and waits until it answers;
 * `institutions` is a FedACH directory file to load instead of the generated one;
 * `sessionIdleSeconds` shortens how long a session lasts without activity; `allowedOrigins`
 * are the host pages' origins that may embed the widget (default: both demo shops').
 * Two businesses use the server, each with its own key and demo shop on its own origin: the
 * demo shop (`demoUrl`, `secretKey`) and Harbor Books (`shopB`, `shopBSecretKey`).
 * Returns { url, demoUrl, secretKey, shopB, shopBSecretKey, shopBName, stop }.
 */
export async function startServer({ businessName, institutions, sessionIdleSeconds, allowedOrigins } = {}) {
  const [port, demoPort, shopBPort] = [await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "finlink-e2e-"));
  const secretKey = "sk_test_e2e_" + Math.random().toString(36).slice(2);
  const shopBSecretKey = "sk_test_e2e_books_" + Math.random().toString(36).slice(2);
  const args = [
    "--listen", `127.0.0.1:${port}`,
    "--demo-listen", `127.0.0.1:${demoPort}`,
    "--second-demo-listen", `127.0.0.1:${shopBPort}`,
    "--database", join(dir, "finlink.sqlite"),
    "--widget-dir", widgetDir(),
  ];
  if (businessName) args.push("--business-name", businessName);
  if (institutions) args.push("--institutions", institutions);
  if (sessionIdleSeconds) args.push("--session-idle-seconds", String(sessionIdleSeconds));
  for (const origin of allowedOrigins ?? []) args.push("--allowed-origin", origin);
  const child = spawn(serverBinary(), args, {
    env: {
      ...process.env,
      FINLINK_SECRET_KEY: secretKey,
      FINLINK_INTEGRATORS: `harbor_books:${shopBSecretKey}:${SHOP_B_NAME}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => { output += chunk; });
  child.stderr.on("data", (chunk) => { output += chunk; });
  const exited = new Promise((resolveExit) => child.once("exit", resolveExit));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`finlink-server exited with ${child.exitCode}:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/finlink.js`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`finlink-server did not answer within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    demoUrl: `http://127.0.0.1:${demoPort}`,
    secretKey,
    shopB: `http://127.0.0.1:${shopBPort}`,
    shopBSecretKey,
    shopBName: SHOP_B_NAME,
    stop,
    output: () => output,
  };
}

/** The second demo shop's business. */
export const SHOP_B_NAME = "Harbor Books";

/** `POST /v1/financial_connections/sessions` with the secret key, as a business's server does. */
export function createSession(server, body) {
  return integratorApi(server, "POST", "/v1/financial_connections/sessions", body);
}

/**
 * A call of the integrator API with the server's secret key (or `secretKey`, e.g.
 * `server.shopBSecretKey`); its JSON, or an error.
 */
export async function integratorApi(server, method, path, body, secretKey = server.secretKey) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${secretKey}`,
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${path} failed: HTTP ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}
