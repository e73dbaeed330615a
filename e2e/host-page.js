// A business's page on its own origin, served by a real HTTP server on 127.0.0.1, that embeds
// finlink the way docs/deployment.md says: the loader from finlink's origin, under a strict
// content security policy whose violation reports the server collects.
import { createServer } from "node:http";

/** The host page's policy: nothing inline, finlink's origin only where the guide says. */
export function hostPolicy(finlinkUrl) {
  return [
    "default-src 'self'",
    `script-src 'self' ${finlinkUrl}`,
    `frame-src ${finlinkUrl}`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "report-uri /csp-reports",
  ].join("; ");
}

const PAGE = (finlinkUrl) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Checkout</title>
<link rel="stylesheet" href="/host.css">
<script src="/watch.js"></script>
<script src="${finlinkUrl}/finlink.js"></script>
<script src="/host.js" defer></script>
</head>
<body>
<main>
<h1>Checkout</h1>
<p>Pay by bank.</p>
<button type="button" id="pay">Pay by bank</button>
<p id="result" role="status" aria-live="polite"></p>
<section id="bank" aria-label="Bank linking"></section>
</main>
</body>
</html>`;

// Loaded before the loader: the violations this document sees, for the test to read.
const WATCH_JS = `window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push({ directive: event.violatedDirective, blocked: event.blockedURI });
});
`;

// "Pay by bank": the page asks its own server for a client secret, then opens the modal.
const HOST_JS = `document.getElementById("pay").addEventListener("click", async function () {
  const response = await fetch("/session", { method: "POST" });
  const { client_secret } = await response.json();
  const result = await Finlink.collect({ clientSecret: client_secret });
  window.hostResult = result;
  document.getElementById("result").textContent = result.error
    ? "Not linked: " + result.error.code
    : "Linked " + result.session.accounts.length + " account(s)";
});
`;

const HOST_CSS = `body { font: 16px system-ui, sans-serif; margin: 1rem; }
#bank { height: 640px; max-width: 480px; border: 1px solid #ccd; }
`;

/**
 * Serves the host page on `port` (127.0.0.1). `finlinkUrl` is finlink's origin;
 * `newClientSecret()` is the page's backend creating a session (POST /session). Returns
 * { url, origin, reports, stop }: `reports` holds the CSP reports browsers posted to it.
 */
export async function startHostPage({ port, finlinkUrl, newClientSecret }) {
  const reports = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url, "http://host").pathname;
    if (request.method === "POST" && path === "/csp-reports") {
      let body = "";
      request.on("data", (chunk) => { body += chunk; });
      request.on("end", () => {
        try {
          reports.push(JSON.parse(body));
        } catch {
          reports.push({ unreadable: body });
        }
        response.writeHead(204).end();
      });
      return;
    }
    if (request.method === "POST" && path === "/session") {
      request.resume();
      newClientSecret().then(
        (secret) => {
          response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
          response.end(JSON.stringify({ client_secret: secret }));
        },
        (error) => {
          response.writeHead(502, { "Content-Type": "application/json" });
          response.end(JSON.stringify({ error: String(error) }));
        },
      );
      return;
    }
    const common = {
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    };
    if (path === "/") {
      response.writeHead(200, {
        ...common,
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": hostPolicy(finlinkUrl),
        // What docs/deployment.md asks of a host page: popups keep their opener, and the
        // widget still gets a referrer policy that lets bank OAuth work.
        "Cross-Origin-Opener-Policy": "same-origin-allow-popups",
        "Referrer-Policy": "strict-origin-when-cross-origin",
      });
      response.end(PAGE(finlinkUrl));
    } else if (path === "/watch.js") {
      response.writeHead(200, { ...common, "Content-Type": "text/javascript" });
      response.end(WATCH_JS);
    } else if (path === "/host.js") {
      response.writeHead(200, { ...common, "Content-Type": "text/javascript" });
      response.end(HOST_JS);
    } else if (path === "/host.css") {
      response.writeHead(200, { ...common, "Content-Type": "text/css" });
      response.end(HOST_CSS);
    } else {
      response.writeHead(404, { ...common, "Content-Type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    reports,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
