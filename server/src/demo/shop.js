// The demo shop's page script: asks its own backend for a session, hands the client secret to
// finlink's loader, then lists the linked accounts and the events finlink sent. The shop never
// sees credentials or account numbers. Everything from finlink is shown as text, never HTML.
"use strict";
(function () {
  const button = document.getElementById("link-bank");
  const result = document.getElementById("result");
  const linked = document.getElementById("linked");
  const accounts = document.getElementById("accounts");
  const events = document.getElementById("events");

  // For tests and the curious: the events and the outcome of the last run, as received.
  const record = { events: [], outcome: null };
  window.demoShop = record;

  function show(text) {
    result.textContent = text;
  }

  function item(list, text) {
    const li = document.createElement("li");
    li.textContent = text;
    list.appendChild(li);
  }

  function onEvent(event) {
    record.events.push(event);
    const details = Object.keys(event.metadata).map(function (key) {
      return key + "=" + String(event.metadata[key]);
    });
    item(events, [event.name].concat(details).join(" "));
  }

  // Busy, not disabled: a disabled button loses focus, and focus should come back to it.
  let busy = false;

  button.addEventListener("click", async function () {
    if (busy) return;
    busy = true;
    button.setAttribute("aria-busy", "true");
    try {
      await link();
    } finally {
      busy = false;
      button.removeAttribute("aria-busy");
    }
  });

  async function link() {
    record.events = [];
    record.outcome = null;
    events.replaceChildren();
    accounts.replaceChildren();
    linked.hidden = true;
    show("");
    let clientSecret;
    try {
      const response = await fetch("/api/sessions", { method: "POST" });
      const body = await response.json();
      if (!response.ok) {
        show(body.error || "Could not start bank linking.");
        return;
      }
      clientSecret = body.client_secret;
    } catch (error) {
      show("Could not reach the shop's server. Check your connection and try again.");
      return;
    }
    if (!window.Finlink || typeof window.Finlink.collect !== "function") {
      show("The bank-linking script did not load.");
      return;
    }
    const outcome = await window.Finlink.collect({ clientSecret, onEvent });
    record.outcome = outcome;
    if (outcome.error) {
      show("Linking failed: " + outcome.error.message + " (" + outcome.error.code + ")");
      return;
    }
    const linkedAccounts = outcome.session.accounts;
    if (!linkedAccounts.length) {
      show("No account was linked.");
      return;
    }
    show("Linked " + linkedAccounts.length + (linkedAccounts.length === 1 ? " account." : " accounts."));
    linkedAccounts.forEach(function (account) {
      item(accounts, account.institution_name + ": " + account.display_name + " •••• " + account.last4);
    });
    linked.hidden = false;
  }
})();
