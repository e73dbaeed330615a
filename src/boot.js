// Starts the widget. A file rather than an inline script, so that the page runs under a CSP
// without 'unsafe-inline'. `init()` fetches finlink_bg.wasm next to finlink.js and runs
// `finlink::start`, which mounts the widget into <main id="finlink">.
import init from "./finlink.js";

init().catch(function (error) {
  const root = document.getElementById("finlink");
  if (root) {
    root.textContent = "This page could not start. Reload it to try again.";
    root.setAttribute("role", "alert");
  }
  console.error("finlink: could not start", error);
});
