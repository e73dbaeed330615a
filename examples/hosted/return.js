// The business's return_url page in hosted mode: finlink sends the person here at the end with
// `?finlink_session=fcsess_...&finlink_outcome=success|cancelled|error`. The business's server
// confirms the outcome with GET /v1/financial_connections/sessions/{id} before trusting it.
(function (d) {
  "use strict";
  var query = new URLSearchParams(d.location.search);
  var outcome = query.get("finlink_outcome");
  var session = query.get("finlink_session");
  var text = {
    success: "Your bank account is linked.",
    cancelled: "You didn't link a bank account.",
    error: "We couldn't link your bank account.",
  }[outcome];
  d.getElementById("status").textContent = text
    ? text + " (session " + session + ")"
    : "Unknown outcome.";
})(document);
