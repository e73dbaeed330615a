// Stands in for a mobile app's native side, for trying the widget's web-view mode in a desktop
// browser (and for the end-to-end tests). A real app does the same in Swift, Kotlin or React
// Native: it loads `https://<finlink>/link/#client_secret=...` in its web view, injects ONE of
// the three bridges before the page's scripts run, and handles three message types:
//
//   { source: "finlink", version: 1, type: "event",    name, metadata }
//   { source: "finlink", version: 1, type: "result",   session: { id, accounts } } or { ..., error }
//   { source: "finlink", version: 1, type: "open_url", url }
//
// `open_url` goes to the system browser (never the web view): here, a new window. The bank
// comes back to the session's return_url (an app link in a real app; here `/app/return`,
// which tells this page); the app then reloads the widget page with the same client secret,
// and the widget resumes from the server's state.
//
// Usage, before the widget page's own scripts run (an app's user script; Playwright's
// addInitScript): finlinkNativeStandIn({ bridge: "ios" | "android" | "react-native",
// appOrigin: "https://app.example", receive(message) {...} }).
(function (w) {
  "use strict";

  // The reader of the schema: anything else is refused, with the reason, and never acted on.
  function read(text) {
    var message;
    try {
      message = JSON.parse(text);
    } catch (_) {
      return { refused: "not JSON" };
    }
    if (!message || typeof message !== "object" || message.source !== "finlink") {
      return { refused: "not a finlink message" };
    }
    if (message.version !== 1) return { refused: "unknown version " + message.version };
    switch (message.type) {
      case "event":
        if (typeof message.name !== "string" || !message.metadata || typeof message.metadata !== "object") {
          return { refused: "event without name or metadata" };
        }
        return { message: message };
      case "result":
        if (message.session && Array.isArray(message.session.accounts)) return { message: message };
        if (message.error && typeof message.error.code === "string") return { message: message };
        return { refused: "result without session or error" };
      case "open_url":
        if (typeof message.url !== "string" || !/^https?:\/\//i.test(message.url)) {
          return { refused: "open_url without an http(s) URL" };
        }
        return { message: message };
      default:
        return { refused: "unknown type" };
    }
  }

  w.finlinkNativeStandIn = function (options) {
    var receive = options.receive || function () {};
    var systemBrowser = null;

    function deliver(text) {
      var read_ = read(text);
      if (read_.refused) {
        // Logged without the message: it may carry account names.
        console.warn("finlink bridge: refused a message: " + read_.refused);
        receive({ refused: read_.refused });
        return;
      }
      var message = read_.message;
      receive(message);
      if (message.type === "open_url") {
        // The system browser: a separate window, not this web view.
        systemBrowser = w.open(message.url, "_blank");
      }
    }

    // Back from the bank: the return_url page (another origin, the app's) says so. Only that
    // origin and the window this page opened are heard.
    w.addEventListener("message", function (event) {
      if (event.origin !== options.appOrigin || !systemBrowser || event.source !== systemBrowser) return;
      if (!event.data || event.data.type !== "finlink_returned") return;
      systemBrowser = null;
      w.location.reload(); // the same URL: the same client secret; the widget resumes
    });

    switch (options.bridge) {
      case "ios": // WKScriptMessageHandler: gets the object
        w.webkit = { messageHandlers: { finlink: { postMessage: function (object) {
          deliver(JSON.stringify(object));
        } } } };
        break;
      case "android": // addJavascriptInterface: gets the JSON text
        w.FinlinkAndroid = { postMessage: function (text) { deliver(String(text)); } };
        break;
      case "react-native": // react-native-webview: gets the JSON text
        w.ReactNativeWebView = { postMessage: function (text) { deliver(String(text)); } };
        break;
      default:
        throw new Error("unknown bridge " + options.bridge);
    }
    return { deliver: deliver };
  };
})(window);
