// The demo shop's page script: asks its own backend for a session, hands the client secret to
// finlink's loader, then shows each linked account's balance, owners and latest transactions
// as the shop's backend reads them (with a Refresh button), the webhooks the backend received,
// and the events the widget sent. An account entered by hand shows its microdeposit
// verification, with a "Verify deposits" link to finlink's hosted page while it is pending.
// The page talks only to the shop's backend: it never sees the secret key, credentials or
// account numbers. Everything is shown as text, never HTML.
"use strict";
(function () {
  const button = document.getElementById("link-bank");
  const result = document.getElementById("result");
  const linked = document.getElementById("linked");
  const accounts = document.getElementById("accounts");
  const events = document.getElementById("events");
  const webhookStatus = document.getElementById("webhook-status");
  const webhooks = document.getElementById("webhooks");
  const verificationMethod = document.getElementById("verification-method");
  const microdepositType = document.getElementById("microdeposit-type");
  const emailField = document.getElementById("email");
  const inboxLink = document.getElementById("inbox-link");
  // The business this shop is (the page serves Demo Shop and Harbor Books alike).
  const shopName = document.body.dataset.shopName || document.title;

  // The inbox shows the emails to the address in the field.
  function syncInbox() {
    inboxLink.href = "/inbox?to=" + encodeURIComponent(emailField.value.trim());
  }
  emailField.addEventListener("input", syncInbox);
  syncInbox();

  // An instant-only session sends no deposits: their kind does not apply.
  function syncChoices() {
    microdepositType.disabled = verificationMethod.value === "instant";
  }
  verificationMethod.addEventListener("change", syncChoices);
  syncChoices();

  // For tests and the curious: the widget's events and the outcome of the last run, as
  // received, and the webhooks the shop's server showed last.
  const record = { events: [], outcome: null, webhooks: [] };
  window.demoShop = record;

  // The page is in English; numbers and dates follow.
  const LOCALE = "en-US";
  const dateFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium" });
  const dateTimeFormat = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
  const timeFormat = new Intl.DateTimeFormat(LOCALE, { timeStyle: "medium" });
  const FEATURE_NAMES = { balance: "balance", ownership: "owners", transactions: "transactions" };
  /** While a refresh is pending, how often and how long the page asks again. */
  const FOLLOW_EVERY_MS = 500;
  const FOLLOW_TRIES = 120;

  function show(text) {
    result.textContent = text;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** An element with text content and attributes; never HTML. */
  function element(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const name of Object.keys(attributes || {})) node.setAttribute(name, attributes[name]);
    return node;
  }

  function item(list, text) {
    list.appendChild(element("li", text));
  }

  function at(seconds, format) {
    return format.format(new Date(seconds * 1000));
  }

  /** Minor units in a currency, e.g. (-450, "usd") → "-$4.50". */
  function money(amount, currency) {
    const code = String(currency).toUpperCase();
    try {
      const format = new Intl.NumberFormat(LOCALE, { style: "currency", currency: code });
      const digits = format.resolvedOptions().maximumFractionDigits;
      return format.format(amount / Math.pow(10, digits));
    } catch (_) {
      return (amount / 100).toFixed(2) + " " + code;
    }
  }

  function amounts(list) {
    return list.map((entry) => money(entry.amount, entry.currency)).join(", ");
  }

  function onEvent(event) {
    record.events.push(event);
    const details = Object.keys(event.metadata).map(function (key) {
      return key + "=" + String(event.metadata[key]);
    });
    item(events, [event.name].concat(details).join(" "));
  }

  // ---- Linked accounts -------------------------------------------------------------------

  /** The accounts on the page, by id: { id, name, data, refresh, status, token, following }. */
  const views = new Map();
  let counter = 0;

  function addAccount(account) {
    counter += 1;
    const titleId = "account-" + counter;
    const name = account.display_name + " ending in " + account.last4;
    const li = element("li", undefined, { class: "account" });
    const article = element("article", undefined, { "aria-labelledby": titleId });
    article.appendChild(
      element("h3", account.institution_name + ": " + account.display_name + " •••• " + account.last4, {
        id: titleId,
      }),
    );
    const data = element("div");
    data.appendChild(element("p", "Fetching data from the bank…", { class: "note" }));
    // Visible text "Refresh", and which account it refreshes for screen readers.
    const refresh = element("button", "Refresh", { type: "button" });
    refresh.appendChild(element("span", " " + name, { class: "visually-hidden" }));
    const status = element("p", "", { role: "status", class: "note" });
    article.append(data, refresh, status);
    li.appendChild(article);
    accounts.appendChild(li);
    const view = {
      id: account.id,
      displayName: account.display_name,
      data,
      refresh,
      status,
      token: null,
      following: false,
      busy: false,
    };
    refresh.addEventListener("click", () => refreshAccount(view));
    views.set(account.id, view);
    return view;
  }

  function section(parent, title) {
    parent.appendChild(element("h4", title));
  }

  function note(parent, text) {
    parent.appendChild(element("p", text, { class: "note" }));
  }

  function lastRefresh(summary, feature) {
    return summary.refreshes.find((refresh) => refresh.feature === feature) || null;
  }

  /** What is not there yet, in words: not shared, being fetched, or not fetched. */
  function missing(summary, feature, none) {
    if (summary.shares.indexOf(feature) < 0) return `Not shared with ${shopName}.`;
    const refresh = lastRefresh(summary, feature);
    if (!refresh || refresh.status === "pending") return "Fetching from the bank…";
    if (refresh.status === "failed") return "The bank could not provide this data.";
    return none;
  }

  /** The microdeposit verification of an account entered by hand, in words, with the link. */
  function renderVerification(parts, view, verification) {
    section(parts, "Verification");
    if (verification.status === "verified") {
      note(parts, "Verified: this account can be used for payments.");
      return;
    }
    if (verification.status === "failed") {
      note(parts, verification.failure_reason === "expired"
        ? "Failed: the deposits were not verified in time. Link the account again."
        : "Failed: too many wrong answers. Link the account again.");
      return;
    }
    const attempts = verification.attempts_remaining;
    note(parts,
      "Pending: small deposits were sent to this account. " +
      attempts + (attempts === 1 ? " attempt" : " attempts") + " left; verify by " +
      at(verification.expires_at, dateFormat) + ".");
    if (verification.hosted_verification_url) {
      const link = element("a", "Verify deposits", {
        href: verification.hosted_verification_url,
        target: "_blank",
        rel: "noopener noreferrer",
      });
      link.appendChild(
        element("span", " for " + view.displayName + " (opens in a new tab)", { class: "visually-hidden" }),
      );
      const paragraph = element("p");
      paragraph.appendChild(link);
      parts.appendChild(paragraph);
    }
  }

  function render(view, summary) {
    const parts = document.createDocumentFragment();
    if (summary.status !== "active") {
      note(parts, summary.status === "disconnected"
        ? "This account is disconnected: its data is no longer refreshed."
        : "The shop lost access to this account at the bank. Link it again to refresh its data.");
    }
    if (summary.verification) renderVerification(parts, view, summary.verification);

    section(parts, "Balance");
    if (summary.balance) {
      const list = element("dl");
      list.append(element("dt", "Current"), element("dd", amounts(summary.balance.current)));
      if (summary.balance.available) {
        list.append(element("dt", "Available"), element("dd", amounts(summary.balance.available)));
      }
      list.append(element("dt", "As of"), element("dd", at(summary.balance.as_of, dateTimeFormat)));
      parts.appendChild(list);
    } else {
      note(parts, missing(summary, "balance", "No balance yet."));
    }

    section(parts, "Owners");
    if (summary.owners && summary.owners.length) {
      const list = element("ul", undefined, { "aria-label": "Owners of " + view.displayName });
      for (const owner of summary.owners) {
        const li = element("li", owner.name);
        const contact = [owner.address, owner.email, owner.phone].filter(Boolean).join(" · ");
        if (contact) {
          li.appendChild(element("br"));
          li.appendChild(element("span", contact, { class: "note" }));
        }
        list.appendChild(li);
      }
      parts.appendChild(list);
    } else {
      note(parts, missing(summary, "ownership", "The bank lists no owners for this account."));
    }

    section(parts, "Latest transactions");
    if (summary.transactions && summary.transactions.length) {
      const list = element("ul", undefined, { "aria-label": "Latest transactions of " + view.displayName });
      for (const transaction of summary.transactions) {
        const text = [
          at(transaction.transacted_at, dateFormat),
          transaction.description,
          money(transaction.amount, transaction.currency),
        ];
        if (transaction.status !== "posted") text.push(transaction.status);
        item(list, text.join(" · "));
      }
      parts.appendChild(list);
    } else {
      note(parts, missing(summary, "transactions", "No transactions."));
    }

    const ended = summary.refreshes.filter((refresh) => refresh.status !== "pending");
    if (ended.length) {
      const latest = Math.max.apply(null, ended.map((refresh) => refresh.last_attempted_at));
      note(parts, "Data from the bank as of " + at(latest, dateTimeFormat) + ".");
    }
    view.data.replaceChildren(parts);
  }

  async function fetchSummary(id) {
    const response = await fetch("/api/accounts/" + encodeURIComponent(id));
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || "Could not load this account.");
    return body;
  }

  /** What a finished refresh says: done, or which data the bank could not give. */
  function finished(summary) {
    const failed = summary.refreshes
      .filter((refresh) => refresh.status === "failed")
      .map((refresh) => FEATURE_NAMES[refresh.feature] || refresh.feature);
    return failed.length
      ? "The bank could not refresh: " + failed.join(", ") + "."
      : "Refreshed at " + at(Date.now() / 1000, timeFormat) + ".";
  }

  /**
   * Shows the account, and again while a refresh is pending, until it ends; `done` gets the
   * final summary. A newer call takes over from an older one.
   */
  async function follow(view, done) {
    const token = {};
    view.token = token;
    view.following = true;
    try {
      for (let tries = 0; ; tries++) {
        let summary;
        try {
          summary = await fetchSummary(view.id);
        } catch (error) {
          if (view.token === token) view.status.textContent = error.message;
          return;
        }
        if (view.token !== token) return;
        render(view, summary);
        if (!summary.refreshing) {
          if (done) done(summary);
          return;
        }
        if (tries >= FOLLOW_TRIES) {
          view.status.textContent = "The bank is taking a while; the data will update when it answers.";
          return;
        }
        await sleep(FOLLOW_EVERY_MS);
        if (view.token !== token) return;
      }
    } finally {
      if (view.token === token) view.following = false;
    }
  }

  async function refreshAccount(view) {
    // Busy, not disabled: a disabled button loses focus.
    if (view.busy) return;
    view.busy = true;
    view.refresh.setAttribute("aria-busy", "true");
    view.status.textContent = "Refreshing…";
    try {
      const response = await fetch("/api/accounts/" + encodeURIComponent(view.id) + "/refresh", {
        method: "POST",
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        let text = "Refresh refused: " + (body.error || "try again later.");
        if (body.next_refresh_available_at) {
          text += " You can refresh again at " + at(body.next_refresh_available_at, timeFormat) + ".";
        }
        view.status.textContent = text;
        return;
      }
      render(view, body);
      await follow(view, (summary) => {
        view.status.textContent = finished(summary);
      });
    } catch (_) {
      view.status.textContent = "Could not reach the shop's server. Check your connection and try again.";
    } finally {
      view.busy = false;
      view.refresh.removeAttribute("aria-busy");
    }
  }

  // ---- Webhooks --------------------------------------------------------------------------

  let shownWebhooks = "";

  function showWebhooks(body) {
    record.webhooks = body.events;
    webhookStatus.textContent =
      body.endpoint.status === "registered"
        ? "The shop's server receives finlink's webhooks at " + body.endpoint.url +
          " and verifies each signature: " + body.verified + " verified, " +
          body.duplicates + " duplicates dropped, " + body.refused + " refused."
        : "The shop's server is registering its webhook endpoint with finlink…";
    const key = body.events.map((event) => event.id).join(",");
    if (key === shownWebhooks) return;
    const before = new Set(shownWebhooks.split(","));
    shownWebhooks = key;
    webhooks.replaceChildren();
    for (const event of body.events) {
      const text = [event.type];
      if (event.account_name) text.push(event.account_name);
      text.push(event.summary, "received " + at(event.received_at, timeFormat));
      item(webhooks, text.join(" · "));
      // News about an account on the page: show its data as it is now.
      const view = event.account && views.get(event.account);
      if (view && !before.has(event.id) && !view.following) follow(view);
    }
  }

  async function pollWebhooks() {
    try {
      const response = await fetch("/api/events");
      if (response.ok) showWebhooks(await response.json());
    } catch (_) {
      // The next look may work.
    }
    setTimeout(pollWebhooks, document.hidden ? 5000 : 1000);
  }

  // ---- Linking ---------------------------------------------------------------------------

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
    for (const view of views.values()) view.token = null;
    views.clear();
    accounts.replaceChildren();
    linked.hidden = true;
    show("");
    let clientSecret;
    try {
      const single = document.getElementById("single-account").checked;
      const response = await fetch("/api/sessions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          account_selection: single ? "single" : "multiple",
          verification_method: verificationMethod.value,
          microdeposit_type: microdepositType.disabled ? undefined : microdepositType.value,
          email: emailField.value.trim() || undefined,
        }),
      });
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
    const added = linkedAccounts.map(addAccount);
    linked.hidden = false;
    for (const view of added) follow(view);
  }

  pollWebhooks();
})();
