// Starts a page's WebAssembly module (a file, not an inline script: CSP without 'unsafe-inline').
// Its URL names the bindings next to it (`boot.js?bindings=finlink-verify.js` on the hosted
// verification page), else the widget's finlink.js, whose init() runs the program's start.
const bindings = new URL(import.meta.url).searchParams.get("bindings") || "finlink.js";

function fail(error) {
  const root = document.getElementById("finlink");
  if (root) {
    root.textContent = "This page could not start. Reload it to try again.";
    root.setAttribute("role", "alert");
  }
  console.error("finlink: could not start", error);
}

// A file name next to this script, never a URL.
if (/^[\w-]+\.js$/.test(bindings)) {
  import("./" + bindings).then((module) => module.default()).catch(fail);
} else {
  fail(new Error("not a bindings file: " + bindings));
}
