//! The demo shop: a business's page and backend on another origin than finlink, as an
//! integrator would build them. Its backend creates sessions with the secret key over HTTP,
//! exactly like a real business server; its page loads the loader from finlink's origin.
//!
//! After linking, the page shows each account's balance, owners and latest transactions, read
//! by the backend (`accounts`), with a Refresh button; the backend receives finlink's webhooks
//! on its own `/webhooks`, verifies their signatures and shows what arrived (`webhooks`). The
//! page talks only to the shop's backend, which alone holds the secret key.
//!
//! The page lets the person pick how an account may be verified (`verification_method`, and
//! `microdeposit_type` for manual entry); an account entered by hand shows its verification
//! and, while pending, a "Verify deposits" link to finlink's hosted verification page.

mod accounts;
pub mod finlink;
mod inbox;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use finlink_protocol::{
    AccountHolder, AccountHolderKind, AccountSelection, CreateSessionRequest, MicrodepositType,
    VerificationMethod,
};
use serde_json::json;
use tokio::sync::watch;

pub use self::accounts::{AccountSummary, LATEST_TRANSACTIONS};
pub use self::finlink::ClientError;
use self::finlink::Finlink;
pub use self::webhooks::ReceivedEvent;
use crate::clock::Clock;
use crate::html::escape;
use crate::http as edge;

/// The one customer of the demo shop: every session it creates is for them, and the page
/// only ever shows their accounts.
pub const SHOP_CUSTOMER: &str = "cus_demo";

/// The customer's email the page suggests; sent as `account_holder.email`, so that accounts
/// they saved with finlink are offered (the sandbox's emails to it are in the shop's inbox).
pub const DEFAULT_EMAIL: &str = "jenny.rosen@example.com";

/// What the shop's backend needs to know.
pub struct ShopConfig {
    /// The business the shop is, as on its page: "Demo Shop", "Harbor Books".
    pub name: String,
    /// Where finlink is (its API and its loader), without a trailing slash.
    pub finlink_url: String,
    /// The integrator's secret key: only ever in the backend.
    pub secret_key: String,
    /// Where the shop itself is reached, e.g. `http://127.0.0.1:3000`: its webhook endpoint
    /// is `{own_url}/webhooks`.
    pub own_url: String,
    /// The shop's clock, against which webhook signatures' timestamps are checked.
    pub clock: Arc<dyn Clock>,
}

/// The shop's backend: its client of finlink and what it received.
pub struct Shop {
    name: String,
    finlink_url: String,
    own_url: String,
    finlink: Finlink,
    clock: Arc<dyn Clock>,
    inbox: webhooks::Inbox,
}

impl Shop {
    pub fn new(config: ShopConfig) -> Result<Arc<Self>, ClientError> {
        let finlink = Finlink::new(&config.finlink_url, config.secret_key)?;
        Ok(Arc::new(Self {
            name: config.name,
            finlink_url: config.finlink_url.trim_end_matches('/').to_owned(),
            own_url: config.own_url.trim_end_matches('/').to_owned(),
            finlink,
            clock: config.clock,
            inbox: webhooks::Inbox::default(),
        }))
    }
}

/// `http://{address}`, with a wildcard listen address (`0.0.0.0`, `::`) replaced by loopback,
/// which is where finlink (in the same process) reaches the shop.
pub fn own_url(address: SocketAddr) -> String {
    let mut address = address;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    format!("http://{address}")
}

/// Registers the shop's webhook endpoint at finlink in the background, retrying until it is
/// registered or the server stops.
pub async fn receive_webhooks(shop: Arc<Shop>, stopped: watch::Receiver<bool>) {
    webhooks::keep_registered(shop, stopped).await;
}

pub fn router(shop: Arc<Shop>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/shop.js", get(script))
        .route("/inbox", get(inbox::page))
        .route("/api/sessions", post(create_session))
        .route("/api/accounts/{id}", get(accounts::show))
        .route("/api/accounts/{id}/refresh", post(accounts::refresh))
        .route("/api/events", get(webhooks::list))
        .route("/webhooks", post(webhooks::receive))
        .fallback(edge::route_not_found)
        .method_not_allowed_fallback(edge::method_not_allowed)
        .with_state(shop)
}

async fn page(State(shop): State<Arc<Shop>>) -> Response {
    let finlink = escape(&shop.finlink_url);
    let name = escape(&shop.name);
    let email = escape(DEFAULT_EMAIL);
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #1a1f36; background: #f6f8fa; }}
main {{ max-width: 36rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); overflow-wrap: anywhere; }}
button {{ font: inherit; padding: .75rem 1.25rem; border-radius: 8px; border: 0; background: #635bff; color: #fff; cursor: pointer; }}
button:disabled {{ opacity: .6; cursor: default; }}
button[aria-busy="true"] {{ opacity: .75; cursor: progress; }}
button:focus-visible {{ outline: 3px solid #a5b4fc; outline-offset: 2px; }}
h2 {{ font-size: 1rem; margin: 1.5rem 0 .5rem; }}
h3 {{ font-size: 1rem; margin: 0 0 .25rem; }}
h4 {{ font-size: .875rem; margin: 1rem 0 .25rem; }}
ul, ol {{ padding-left: 1.25rem; }}
li {{ margin: .25rem 0; }}
.accounts {{ list-style: none; padding: 0; }}
.account {{ border: 1px solid #d5dbe3; border-radius: 8px; padding: 1rem; margin: 1rem 0; }}
.account dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }}
.account dt {{ color: #4f566b; }}
.account dd {{ margin: 0; font-variant-numeric: tabular-nums; }}
.note, #events, #webhooks {{ font-size: .875rem; color: #4f566b; }}
#events, #webhooks {{ font-family: ui-monospace, monospace; line-height: 1.5; }}
.choice {{ display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; }}
input[type="email"] {{ font: inherit; padding: .375rem .5rem; border-radius: 6px; border: 1px solid #8792a2; max-width: 100%; }}
input[type="email"]:focus-visible {{ outline: 3px solid #a5b4fc; outline-offset: 2px; }}
select {{ font: inherit; padding: .375rem .5rem; border-radius: 6px; border: 1px solid #8792a2; max-width: 100%; }}
select:focus-visible {{ outline: 3px solid #a5b4fc; outline-offset: 2px; }}
a {{ color: #4338ca; }}
a:focus-visible {{ outline: 3px solid #a5b4fc; outline-offset: 2px; }}
.visually-hidden {{ position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }}
[hidden] {{ display: none; }}
@media (max-width: 40rem) {{
  main {{ margin: 0; padding: 1rem; border-radius: 0; box-shadow: none; }}
  .account {{ padding: .75rem; }}
}}
</style>
</head>
<body data-shop-name="{name}">
<main>
<h1>{name}</h1>
<p>Pay by bank: link your bank account to check out.</p>
<p class="choice"><label for="email">Email</label>
<input type="email" id="email" value="{email}" autocomplete="email" spellcheck="false">
<a id="inbox-link" href="/inbox">Inbox</a></p>
<p><label><input type="checkbox" id="single-account"> Link one account only</label></p>
<p class="choice"><label for="verification-method">Verification</label>
<select id="verification-method">
<option value="automatic" selected>Automatic: at the bank, or by hand with microdeposits</option>
<option value="instant">Instant: at the bank only</option>
<option value="microdeposits">Microdeposits: bank details by hand only</option>
</select></p>
<p class="choice"><label for="microdeposit-type">Microdeposits</label>
<select id="microdeposit-type">
<option value="amounts" selected>Two amounts</option>
<option value="descriptor_code">One deposit with a code</option>
</select></p>
<button type="button" id="link-bank">Link bank account</button>
<p id="result" role="status" aria-live="polite"></p>
<section id="linked" aria-labelledby="linked-title" hidden>
<h2 id="linked-title">Linked accounts</h2>
<ul id="accounts" class="accounts" aria-label="Linked accounts"></ul>
</section>
<section aria-labelledby="webhooks-title">
<h2 id="webhooks-title">Webhooks received by the shop's server</h2>
<p id="webhook-status" class="note">Connecting to finlink…</p>
<ol id="webhooks" aria-label="Webhooks received"></ol>
</section>
<section aria-labelledby="events-title">
<h2 id="events-title">Events from the widget</h2>
<ol id="events" aria-label="Events from the widget"></ol>
</section>
</main>
<script src="{finlink}/finlink.js"></script>
<script src="/shop.js"></script>
</body>
</html>"#
    );
    let csp = format!(
        "default-src 'self'; script-src 'self' {0}; style-src 'unsafe-inline'; frame-src {0}; connect-src 'self'",
        shop.finlink_url
    );
    let mut response = Html(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

const SHOP_JS: &str = include_str!("shop.js");

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SHOP_JS,
    )
}

/// What the shop's page asks of a new session: one account or several, and how an account
/// may be verified (finlink's defaults when left out).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSession {
    #[serde(default)]
    account_selection: AccountSelection,
    #[serde(default)]
    verification_method: Option<VerificationMethod>,
    #[serde(default)]
    microdeposit_type: Option<MicrodepositType>,
    /// The customer's email, as typed on the page.
    #[serde(default)]
    email: Option<String>,
}

/// The shop's own backend route: creates a session with the secret key, returns only the
/// client secret to the page. An empty body asks for the default (several accounts).
async fn create_session(State(shop): State<Arc<Shop>>, body: Bytes) -> Response {
    let asked: NewSession = if body.is_empty() {
        NewSession::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(asked) => asked,
            Err(_) => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({ "error": "Could not read the request." })),
                )
                    .into_response();
            }
        }
    };
    let (permissions, prefetch) = accounts::session_permissions();
    let request = CreateSessionRequest {
        account_holder: Some(AccountHolder {
            kind: AccountHolderKind::Customer,
            customer: Some(SHOP_CUSTOMER.to_owned()),
            account: None,
            email: asked
                .email
                .map(|email| email.trim().to_owned())
                .filter(|email| !email.is_empty()),
        }),
        permissions,
        filters: None,
        prefetch,
        return_url: None,
        account_selection: asked.account_selection,
        verification_method: asked.verification_method,
        // An instant-only session sends no deposits, whatever the page's other choice says.
        microdeposit_type: asked
            .microdeposit_type
            .filter(|_| asked.verification_method != Some(VerificationMethod::Instant)),
    };
    match shop.finlink.create_session(&request).await {
        Ok(session) => match session.client_secret {
            Some(client_secret) => Json(json!({ "client_secret": client_secret })).into_response(),
            None => session_failed(),
        },
        Err(finlink::CallError::Refused { error, .. })
            if error.error.param.as_deref() == Some("account_holder[email]") =>
        {
            (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": "Enter a valid email address, or leave Email empty." })),
            )
                .into_response()
        }
        Err(error) => {
            tracing::warn!(%error, "demo shop: session creation failed");
            session_failed()
        }
    }
}

fn session_failed() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        Json(json!({ "error": "Could not start bank linking. Try again." })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shop_is_reached_on_loopback_when_it_listens_everywhere() {
        assert_eq!(
            own_url(SocketAddr::from(([0, 0, 0, 0], 3000))),
            "http://127.0.0.1:3000"
        );
        assert_eq!(
            own_url(SocketAddr::from(([10, 0, 0, 2], 3000))),
            "http://10.0.0.2:3000"
        );
        assert_eq!(own_url("[::]:3000".parse().unwrap()), "http://[::1]:3000");
    }
}
