/*! finlink loader: opens the bank-linking widget in a modal iframe on finlink's origin. */
// The person types credentials only into finlink's own page (the iframe), never into the
// business's page. This script just opens that page and waits for its one result.
//
// Messages from the widget (window.postMessage to this page, checked by origin AND source):
//   { source: "finlink", kind: "event",  name: "...", metadata: {...} }
//   { source: "finlink", kind: "result", session: {...} | null, error: {...} | null }
// The widget learns where to post from `host_origin` in its URL fragment.
(function () {
  "use strict";

  if (window.Finlink) return; // included twice: keep the first copy

  // Where this script came from is where the widget lives.
  var self = document.currentScript;
  var widgetOrigin = null;
  try {
    if (self && self.src) widgetOrigin = new URL(self.src, document.baseURI).origin;
  } catch (_) {
    widgetOrigin = null;
  }

  var open = false;

  function failure(type, code, message, param) {
    return { session: null, error: { type: type, code: code, message: message, param: param || null } };
  }

  function collect(options) {
    return new Promise(function (resolve) {
      options = options || {};
      var clientSecret = options.clientSecret;
      var onEvent = typeof options.onEvent === "function" ? options.onEvent : null;

      if (typeof clientSecret !== "string" || clientSecret === "") {
        resolve(failure("invalid_request_error", "parameter_missing",
          "Finlink.collect needs the clientSecret your server got when it created the session.",
          "clientSecret"));
        return;
      }
      if (!widgetOrigin || widgetOrigin === "null") {
        resolve(failure("invalid_request_error", "loader_origin_unknown",
          "Load finlink.js with a <script src> tag from your finlink server."));
        return;
      }
      if (open) {
        resolve(failure("invalid_request_error", "already_open",
          "A finlink window is already open on this page."));
        return;
      }
      open = true;

      var settled = false;
      var previousFocus = document.activeElement;
      var previousOverflow = document.documentElement.style.overflow;

      var overlay = document.createElement("div");
      overlay.setAttribute("data-finlink", "overlay");
      Object.assign(overlay.style, {
        position: "fixed", inset: "0", zIndex: "2147483647", display: "flex",
        alignItems: "center", justifyContent: "center", background: "rgba(10, 15, 30, 0.55)",
      });

      var frame = document.createElement("iframe");
      frame.title = "Link your bank account";
      frame.src = widgetOrigin + "/link/#client_secret=" + encodeURIComponent(clientSecret) +
        "&host_origin=" + encodeURIComponent(window.location.origin);
      frame.setAttribute("allow", "clipboard-write");
      Object.assign(frame.style, {
        border: "0", width: "100%", height: "100%", maxWidth: "440px", maxHeight: "720px",
        background: "#fff", borderRadius: "12px", boxShadow: "0 12px 48px rgba(0, 0, 0, 0.3)",
      });

      // A way out that works even if the widget never loads.
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "\u00d7";
      close.setAttribute("aria-label", "Close");
      Object.assign(close.style, {
        position: "absolute", top: "12px", right: "12px", width: "40px", height: "40px",
        border: "0", borderRadius: "20px", background: "rgba(255, 255, 255, 0.9)",
        color: "#1a1f36", font: "24px/1 system-ui, sans-serif", cursor: "pointer",
      });

      function finish(result) {
        if (settled) return;
        settled = true;
        open = false;
        window.removeEventListener("message", onMessage);
        document.removeEventListener("keydown", onKey, true);
        if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
        document.documentElement.style.overflow = previousOverflow;
        if (previousFocus && typeof previousFocus.focus === "function") {
          try { previousFocus.focus(); } catch (_) { /* element gone */ }
        }
        resolve(result);
      }

      function onMessage(event) {
        if (event.origin !== widgetOrigin || event.source !== frame.contentWindow) return;
        var data = event.data;
        if (!data || typeof data !== "object" || data.source !== "finlink") return;
        if (data.kind === "event" && typeof data.name === "string") {
          if (onEvent) {
            try {
              onEvent({ name: data.name, metadata: data.metadata || {} });
            } catch (error) {
              setTimeout(function () { throw error; }); // report it, keep linking
            }
          }
        } else if (data.kind === "result") {
          finish({ session: data.session || null, error: data.error || null });
        }
      }

      function onKey(event) {
        if (event.key === "Escape") closeByPerson();
      }

      function closeByPerson() {
        finish(failure("invalid_request_error", "widget_closed",
          "The bank-linking window was closed before linking finished."));
      }

      close.addEventListener("click", closeByPerson);
      window.addEventListener("message", onMessage);
      document.addEventListener("keydown", onKey, true);

      overlay.appendChild(frame);
      overlay.appendChild(close);
      document.documentElement.style.overflow = "hidden";
      document.body.appendChild(overlay);
      frame.focus();
    });
  }

  window.Finlink = Object.freeze({ collect: collect, version: "0.1.0" });
})();
