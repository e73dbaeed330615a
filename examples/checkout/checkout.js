// A business's checkout page with the loader. Its session's return_url is this page with
// `?finlink_return=1`: when the bank's window was blocked, the whole page went to the bank and
// comes back here, and the page opens the flow again with the same client secret (its server
// keeps the person's session), which resumes where the person was.
(function (w, d) {
  "use strict";
  var result = d.getElementById("result");

  async function secret(fresh) {
    var response = await fetch("/api/session", { method: fresh ? "POST" : "GET" });
    if (!response.ok) throw new Error("no session");
    return (await response.json()).client_secret;
  }

  async function link(fresh) {
    var outcome = await Finlink.collect({ clientSecret: await secret(fresh) });
    w.checkoutResult = outcome;
    result.textContent = outcome.error
      ? "Not linked: " + outcome.error.code
      : "Linked " + outcome.session.accounts.length + " account(s)";
  }

  d.getElementById("pay").addEventListener("click", function () { link(true); });
  if (new URLSearchParams(w.location.search).get("finlink_return") === "1") {
    link(false); // back from the bank: resume
  }
})(window, document);
