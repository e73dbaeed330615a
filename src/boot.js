// Starts a page's WebAssembly module (a file, not an inline script: CSP without 'unsafe-inline').
// Its URL names the bindings next to it (`boot.js?bindings=finlink-verify.js` on the hosted
// verification page), else the widget's finlink.js, whose init() runs the program's start.
const bindings = new URL(import.meta.url).searchParams.get("bindings") || "finlink.js";

// The widget's first request, its session, goes now, while the module downloads and compiles;
// the module takes the answer for the same client secret (src/api/early.rs), else asks itself.
// The secret travels in the Authorization header, as the module sends it, never in a URL.
const clientSecret = new URLSearchParams(location.hash.slice(1)).get("client_secret");
if (bindings === "finlink.js" && clientSecret) {
  const url = location.origin + "/v1/link/session";
  window.finlinkEarlySession = {
    url,
    clientSecret,
    // No answer is null: the module then asks itself, with its own retries and errors.
    response: fetch(url, {
      headers: { Authorization: `Bearer ${clientSecret}`, Accept: "application/json" },
    }).catch(() => null),
  };
}

// The page loads this script `async`, so it may run before the page is parsed: whatever goes
// into #finlink waits for the whole page.
const parsed = document.readyState === "loading"
  ? new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }))
  : Promise.resolve();

function fail(error) {
  console.error("finlink: could not start", error);
  parsed.then(() => {
    const root = document.getElementById("finlink");
    if (root) {
      root.textContent = "This page could not start. Reload it to try again.";
      root.setAttribute("role", "alert");
    }
  });
}

// A file name next to this script, never a URL. The bindings load (and the module, which the
// page preloads) while the page is parsed; the module starts, and mounts, once both are done.
if (/^[\w-]+\.js$/.test(bindings)) {
  Promise.all([import("./" + bindings), parsed]).then(([module]) => module.default()).catch(fail);
} else {
  fail(new Error("not a bindings file: " + bindings));
}
