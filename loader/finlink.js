/*! finlink.js: opens finlink's bank-linking widget in an iframe on finlink's origin. */
// The person types credentials only into finlink's own page (the iframe), never into the
// business's page. This script opens that page (`collect`: in a modal; `mount`: inside an
// element), relays its events and waits for its result.
//
// The widget posts to this page, with this page's origin as target (`host_origin` in the
// iframe's URL fragment); every message is checked for finlink's origin AND the iframe's window:
//   { source: "finlink", version: 1, type: "event",  name, metadata }
//   { source: "finlink", version: 1, type: "result", session: { id, accounts } }
//   { source: "finlink", version: 1, type: "result", error: { type, code, message } }
//   { source: "finlink", version: 1, type: "navigate", url }  (bank window blocked: go there)
(function (w, d) {
  "use strict";

  if (w.Finlink) return; // included twice: keep the first copy

  // Where this script came from is where the widget lives.
  var widgetOrigin = null;
  try {
    widgetOrigin = new URL(d.currentScript.src, d.baseURI).origin;
  } catch (_) { /* not loaded by <script src> */ }

  var busy = false;

  function failure(type, code, message) {
    return { error: { type: type, code: code, message: message } };
  }

  function isObject(value) {
    return value !== null && typeof value === "object";
  }

  // Opens the widget: in a modal over the page (`container` null), or filling `container`.
  // Returns { result: Promise, destroy() }; the promise resolves exactly once, never rejects.
  function open(options, container) {
    var resolve, result = new Promise(function (r) { resolve = r; });
    var handle = { result: result, destroy: function () {} };
    options = options || {};
    var clientSecret = options.clientSecret;
    var onEvent = options.onEvent;

    function refuse(code, message) {
      resolve(failure("invalid_request_error", code, message));
      return handle;
    }
    if (typeof clientSecret !== "string" || !clientSecret) {
      return refuse("parameter_missing",
        "Finlink needs the clientSecret your server got when it created the session.");
    }
    if (container !== null && !(container && container.nodeType === 1)) {
      return refuse("parameter_invalid", "Finlink.mount needs the element to render the flow in.");
    }
    if (!widgetOrigin || !/^https?:/.test(widgetOrigin)) {
      return refuse("loader_origin_unknown",
        "Load finlink.js with a <script src> tag from your finlink server.");
    }
    if (busy) {
      return refuse("flow_already_open",
        "A bank-linking flow is open; wait for its result or destroy it.");
    }
    busy = true;

    var modal = !container;
    var settled = false;
    var heard = false; // the widget has spoken: from then on it owns closing
    var previousFocus = d.activeElement;
    var root = d.documentElement;
    var previousOverflow = root.style.overflow;
    var body = d.body || root;
    var inerted = [];

    var frame = d.createElement("iframe");
    frame.title = "Link your bank account";
    // No sandbox: the widget opens the bank's OAuth page in a popup.
    frame.setAttribute("allow", "clipboard-write");
    // The fragment never reaches a server, so the client secret stays out of access logs.
    frame.src = widgetOrigin + "/link/#client_secret=" + encodeURIComponent(clientSecret) +
      "&host_origin=" + encodeURIComponent(w.location.origin);
    frame.style.cssText = "display:block;border:0;width:100%;height:100%;background:#fff" +
      (modal ? ";max-width:440px;max-height:720px;border-radius:12px;" +
        "box-shadow:0 12px 48px rgba(0,0,0,.3)" : "");

    var overlay = frame, close;
    if (modal) {
      overlay = d.createElement("div");
      overlay.setAttribute("data-finlink", "overlay");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;display:flex;" +
        "align-items:center;justify-content:center;background:rgba(10,15,30,.55)";
      // A way out while the widget loads, or if it never does; the widget has its own Close.
      close = d.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Close");
      close.style.cssText = "position:absolute;top:12px;right:12px;width:40px;height:40px;" +
        "border:0;border-radius:20px;background:rgba(255,255,255,.9);color:#1a1f36;" +
        "font:24px/1 system-ui,sans-serif;cursor:pointer";
      close.addEventListener("click", closeEarly);
      d.addEventListener("keydown", onKey, true);
      overlay.appendChild(frame);
      overlay.appendChild(close);
    }

    function finish(outcome) {
      if (settled) return;
      settled = true;
      busy = false;
      w.removeEventListener("message", onMessage);
      d.removeEventListener("keydown", onKey, true);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
      if (modal) {
        root.style.overflow = previousOverflow;
        inerted.forEach(function (element) { element.removeAttribute("inert"); });
        if (previousFocus && previousFocus.focus) {
          try { previousFocus.focus(); } catch (_) { /* element gone */ }
        }
      }
      resolve(outcome);
    }

    function onMessage(event) {
      if (event.origin !== widgetOrigin || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!isObject(data) || data.source !== "finlink" || data.version !== 1) return;
      if (data.type === "event" && typeof data.name === "string") {
        hear();
        if (typeof onEvent === "function") {
          try {
            onEvent({ name: data.name, metadata: isObject(data.metadata) ? data.metadata : {} });
          } catch (error) {
            setTimeout(function () { throw error; }); // report it, keep linking
          }
        }
      } else if (data.type === "result") {
        var s = data.session, e = data.error;
        if (isObject(s) && Array.isArray(s.accounts)) {
          finish({ session: { id: s.id, accounts: s.accounts } });
        } else if (isObject(e) && typeof e.code === "string") {
          finish(failure(e.type, e.code, e.message));
        }
      } else if (data.type === "navigate" && typeof data.url === "string") {
        // --- popup-blocked fallback: the bank's window was blocked, so the whole page goes
        // to the bank; it comes back to the session's return_url, where the page calls
        // collect/mount again with the same clientSecret and the flow resumes. Only the
        // widget (origin and source checked above) asks, and only for an http(s) URL.
        if (/^https?:\/\//i.test(data.url)) w.location.assign(data.url);
        // --- end of the popup-blocked fallback
      }
    }

    function hear() {
      if (heard) return;
      heard = true;
      if (close && close.parentNode) close.parentNode.removeChild(close);
      d.removeEventListener("keydown", onKey, true);
    }

    function onKey(event) {
      if (event.key === "Escape") closeEarly();
    }

    function closeEarly() {
      finish(failure("invalid_request_error", "widget_closed",
        "The bank-linking window was closed before it finished loading."));
    }

    w.addEventListener("message", onMessage);
    handle.destroy = function () {
      finish(failure("invalid_request_error", "widget_destroyed",
        "The flow was destroyed by the page before it finished."));
    };
    if (modal) {
      // The page behind the modal is out of reach of Tab and of screen readers.
      Array.prototype.forEach.call(body.children, function (element) {
        if (!element.hasAttribute("inert")) {
          element.setAttribute("inert", "");
          inerted.push(element);
        }
      });
      root.style.overflow = "hidden";
      body.appendChild(overlay);
      frame.focus();
    } else {
      container.appendChild(frame);
    }
    return handle;
  }

  function collect(options) {
    return open(options, null).result;
  }

  function mount(element, options) {
    return open(options, element || 0);
  }

  w.Finlink = Object.freeze({ collect: collect, mount: mount, version: "1" });
})(window, document);
