// The demo shop's page script: asks its own backend for a session, then hands the client
// secret to finlink's loader. The shop never sees credentials or account numbers.
"use strict";
(function () {
  const button = document.getElementById("link-bank");
  const result = document.getElementById("result");

  function show(text) {
    result.textContent = text;
  }

  button.addEventListener("click", async function () {
    button.disabled = true;
    try {
      const response = await fetch("/api/sessions", { method: "POST" });
      const body = await response.json();
      if (!response.ok) {
        show(body.error || "Could not start bank linking.");
        return;
      }
      if (!window.Finlink || typeof window.Finlink.collect !== "function") {
        show("The bank-linking script did not load.");
        return;
      }
      const outcome = await window.Finlink.collect({ clientSecret: body.client_secret });
      if (outcome.error) {
        show("Linking failed: " + outcome.error.message);
      } else if (outcome.session && outcome.session.accounts && outcome.session.accounts.length) {
        show("Linked: " + outcome.session.accounts.map(function (a) {
          return a.display_name + " •••• " + a.last4;
        }).join(", "));
      } else {
        show("No account was linked.");
      }
    } catch (error) {
      show("Could not reach the shop's server. Check your connection and try again.");
    } finally {
      button.disabled = false;
    }
  });
})();
