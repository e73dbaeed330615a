// The app's return_url page, opened in the "system browser" when the bank is done: tells the
// app (the window that opened this one, with finlink's widget page) and closes. A real app gets
// the same signal from the OS through an app link.
(function (w) {
  "use strict";
  var status = document.getElementById("status");
  var finlink = document.documentElement.getAttribute("data-finlink-origin");
  if (w.opener && finlink) {
    w.opener.postMessage({ type: "finlink_returned" }, finlink);
    status.textContent = "You're done at your bank. Going back to the app.";
    setTimeout(function () { w.close(); }, 50);
  } else {
    status.textContent = "You're done at your bank. Go back to the app to finish.";
  }
})(window);
