// The business's side of the embedding examples, in plain Node (no dependencies): it creates
// finlink sessions with its secret key and serves the example pages.
//
//   node examples/server.mjs            FINLINK_URL=http://127.0.0.1:8080 FINLINK_SECRET_KEY=sk_test_...
//
// Pages (on this server's own origin, which finlink must allow: --allowed-origin):
//   /checkout.html        the loader; a blocked bank window falls back to a full-page redirect
//   /hosted/start         hosted mode: sends the person to finlink's page, back to /hosted/return
//   POST /app/session     a session for the web view stand-in (web-view/native-bridge.js): load
//                         its widget_url with the stand-in injected; /app/return is its return_url
//   /leptos/              the Leptos checkout (leptos-host/, built by `make example-leptos` into
//                         target/examples/leptos-host or FINLINK_LEPTOS_HOST_DIR), under a strict
//                         CSP; POST /leptos/api/session gives it a client secret
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";

const here = dirname(fileURLToPath(import.meta.url));

const FILES = {
  "/web-view/native-bridge.js": "web-view/native-bridge.js",
  "/app/return.js": "web-view/return.js",
  "/checkout.js": "checkout/checkout.js",
  "/hosted/return.js": "hosted/return.js",
};

// The Leptos checkout's built files, by extension (names only: no path reaches the disk).
const LEPTOS_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
};

/** The Leptos checkout's policy: no inline script or style, finlink only in a frame. */
function leptosPolicy(finlinkOrigin) {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "connect-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `frame-src ${finlinkOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body, { script, finlinkOrigin, loader } = {}) {
  return `<!doctype html>
<html lang="en"${finlinkOrigin ? ` data-finlink-origin="${escape(finlinkOrigin)}"` : ""}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
${loader ? `<script src="${escape(loader)}"></script>` : ""}
${script ? `<script src="${escape(script)}" defer></script>` : ""}
</head>
<body><main>${body}</main></body>
</html>`;
}

/**
 * Starts the example business on `port` (0: any). `finlinkUrl` is finlink's origin and
 * `secretKey` the business's key. Returns { url, stop, sessions } (`sessions`: each client
 * secret's return_url, for the tests). `leptosDir` holds the built Leptos checkout.
 */
export async function startExampleHost({
  finlinkUrl,
  secretKey,
  port = 0,
  host = "127.0.0.1",
  leptosDir = process.env.FINLINK_LEPTOS_HOST_DIR || join(here, "../target/examples/leptos-host"),
}) {
  // The person's session, by a cookie: as a business's server remembers its checkout.
  const people = new Map();
  let origin = "";

  async function createSession(returnUrl) {
    const response = await fetch(`${finlinkUrl}/v1/financial_connections/sessions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${secretKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        permissions: ["payment_method", "balances"],
        account_holder: { type: "customer", customer: "cus_example" },
        return_url: returnUrl,
      }),
    });
    const session = await response.json();
    if (!response.ok) throw new Error(`session creation failed: ${JSON.stringify(session)}`);
    return session;
  }

  function person(request, response) {
    const cookie = /(?:^|;\s*)example_person=([a-z0-9]+)/.exec(request.headers.cookie || "");
    if (cookie && people.has(cookie[1])) return people.get(cookie[1]);
    const id = randomBytes(12).toString("hex");
    const record = { id };
    people.set(id, record);
    response.setHeader("Set-Cookie", `example_person=${id}; Path=/; HttpOnly; SameSite=Lax`);
    return record;
  }

  function send(response, status, type, body, headers = {}) {
    response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...headers });
    response.end(body);
  }

  function widgetUrl(secret, query = "") {
    return `${finlinkUrl}/link/${query}#client_secret=${encodeURIComponent(secret)}`;
  }

  /** GET /leptos/...: the built Leptos checkout, its page under a strict CSP. */
  function leptosFile(response, path) {
    const name = path === "/leptos/" ? "index.html" : path.slice("/leptos/".length);
    const file = join(leptosDir, name);
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name) || !LEPTOS_TYPES[extname(name)] || !existsSync(file)) {
      const hint = existsSync(leptosDir) ? "Not found" : `Not built: run \`make example-leptos\` (${leptosDir})`;
      return send(response, 404, "text/plain; charset=utf-8", hint);
    }
    const headers = { "X-Content-Type-Options": "nosniff" };
    if (name === "index.html") headers["Content-Security-Policy"] = leptosPolicy(new URL(finlinkUrl).origin);
    return send(response, 200, LEPTOS_TYPES[extname(name)], readFileSync(file), headers);
  }

  async function handle(request, response) {
    const url = new URL(request.url, origin);
    const path = url.pathname;
    if (request.method === "GET" && FILES[path]) {
      return send(response, 200, "text/javascript; charset=utf-8", readFileSync(join(here, FILES[path])));
    }
    if (request.method === "GET" && path === "/leptos") {
      return send(response, 301, "text/plain", "", { Location: "/leptos/" });
    }
    if (request.method === "GET" && path.startsWith("/leptos/")) return leptosFile(response, path);
    // The Leptos checkout's session: the popup flow needs no return_url.
    if (request.method === "POST" && path === "/leptos/api/session") {
      const session = await createSession();
      return send(response, 200, "application/json", JSON.stringify({
        client_secret: session.client_secret,
        finlink_url: new URL(finlinkUrl).origin,
      }));
    }
    const me = person(request, response);
    // The loader page: its return_url is itself, marked so it knows to resume.
    if (path === "/checkout.html") {
      return send(response, 200, "text/html; charset=utf-8", page("Checkout",
        `<h1>Checkout</h1><button type="button" id="pay">Pay by bank</button>
<p id="result" role="status" aria-live="polite"></p>`,
        { script: "/checkout.js", loader: `${finlinkUrl}/finlink.js` }));
    }
    if (path === "/api/session" && request.method === "POST") {
      me.checkout = await createSession(`${origin}/checkout.html?finlink_return=1`);
      return send(response, 200, "application/json", JSON.stringify({ client_secret: me.checkout.client_secret }));
    }
    if (path === "/api/session" && request.method === "GET") {
      if (!me.checkout) return send(response, 404, "application/json", "{}");
      return send(response, 200, "application/json", JSON.stringify({ client_secret: me.checkout.client_secret }));
    }
    // Hosted mode: finlink's page is the whole page; it comes back to /hosted/return.
    if (path === "/hosted/start") {
      const returnUrl = `${origin}/hosted/return`;
      if (!me.hosted || url.searchParams.get("resume") !== "1") me.hosted = await createSession(returnUrl);
      const target = widgetUrl(me.hosted.client_secret, `?return_url=${encodeURIComponent(returnUrl)}`);
      return send(response, 303, "text/plain", "", { Location: target });
    }
    if (path === "/hosted/return") {
      // No outcome: the person is back from the bank mid-flow; finlink's page resumes.
      if (!url.searchParams.has("finlink_outcome")) {
        return send(response, 303, "text/plain", "", { Location: "/hosted/start?resume=1" });
      }
      return send(response, 200, "text/html; charset=utf-8", page("Bank linking",
        `<h1>Bank linking</h1><p id="status" role="status"></p>`, { script: "/hosted/return.js" }));
    }
    // The web view stand-in's session: its return_url is the app's page below.
    if (path === "/app/session" && request.method === "POST") {
      const session = await createSession(`${origin}/app/return`);
      return send(response, 200, "application/json", JSON.stringify({
        client_secret: session.client_secret,
        widget_url: widgetUrl(session.client_secret),
      }));
    }
    if (path === "/app/return") {
      return send(response, 200, "text/html; charset=utf-8", page("Back from your bank",
        `<h1>Back from your bank</h1><p id="status" role="status"></p>`,
        { script: "/app/return.js", finlinkOrigin: new URL(finlinkUrl).origin }));
    }
    return send(response, 404, "text/plain; charset=utf-8", "Not found");
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      console.error(`example host: ${error.message}`);
      if (!response.headersSent) send(response, 502, "text/plain; charset=utf-8", "finlink is unreachable");
    });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  origin = `http://${host}:${server.address().port}`;
  return {
    url: origin,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const finlinkUrl = process.env.FINLINK_URL || "http://127.0.0.1:8080";
  const secretKey = process.env.FINLINK_SECRET_KEY;
  if (!secretKey) {
    console.error("FINLINK_SECRET_KEY is required");
    process.exit(1);
  }
  const { url } = await startExampleHost({ finlinkUrl, secretKey, port: Number(process.env.PORT || 8090) });
  console.log(`examples at ${url}/checkout.html, ${url}/hosted/start, ${url}/leptos/`);
}
