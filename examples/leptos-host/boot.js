// Starts the checkout. A file rather than an inline script, so that the page runs under a CSP
// without 'unsafe-inline'. `init()` fetches checkout_bg.wasm next to checkout.js and runs
// `main`, which mounts the checkout into <main id="app">.
import init from "./checkout.js";

init().catch(function (error) {
  const root = document.getElementById("app");
  if (root) {
    root.textContent = "This page could not start. Reload it to try again.";
    root.setAttribute("role", "alert");
  }
  console.error("checkout: could not start", error);
});
