//! The demo shop: a business's page and backend on another origin than finlink, as an
//! integrator would build them. Its backend creates sessions with the secret key over HTTP,
//! exactly like a real business server; its page loads the loader from finlink's origin.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::html::escape;
use crate::http as edge;

/// The shop's backend configuration: where finlink is, and its secret key.
pub struct Shop {
    finlink_url: String,
    secret_key: String,
    http: reqwest::Client,
}

impl Shop {
    pub fn new(finlink_url: String, secret_key: String) -> Arc<Self> {
        Arc::new(Self {
            finlink_url,
            secret_key,
            http: reqwest::Client::new(),
        })
    }
}

pub fn router(shop: Arc<Shop>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/shop.js", get(script))
        .route("/api/sessions", post(create_session))
        .fallback(edge::route_not_found)
        .method_not_allowed_fallback(edge::method_not_allowed)
        .with_state(shop)
}

async fn page(State(shop): State<Arc<Shop>>) -> Response {
    let finlink = escape(&shop.finlink_url);
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Shop</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0; color: #1a1f36; background: #f6f8fa; }}
main {{ max-width: 36rem; margin: 3rem auto; padding: 2rem; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
button {{ font: inherit; padding: .75rem 1.25rem; border-radius: 8px; border: 0; background: #635bff; color: #fff; cursor: pointer; }}
button:disabled {{ opacity: .6; cursor: default; }}
button:focus-visible {{ outline: 3px solid #a5b4fc; outline-offset: 2px; }}
h2 {{ font-size: 1rem; margin: 1.5rem 0 .5rem; }}
ul, ol {{ padding-left: 1.25rem; }}
#events {{ font: .875rem/1.5 ui-monospace, monospace; color: #5b6275; }}
[hidden] {{ display: none; }}
</style>
</head>
<body>
<main>
<h1>Demo Shop</h1>
<p>Pay by bank: link your bank account to check out.</p>
<button type="button" id="link-bank">Link bank account</button>
<p id="result" role="status" aria-live="polite"></p>
<section id="linked" aria-labelledby="linked-title" hidden>
<h2 id="linked-title">Linked accounts</h2>
<ul id="accounts" aria-label="Linked accounts"></ul>
</section>
<section aria-labelledby="events-title">
<h2 id="events-title">Events from finlink</h2>
<ol id="events" aria-label="Events from finlink"></ol>
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

/// The shop's own backend route: creates a session with the secret key, returns only the
/// client secret to the page.
async fn create_session(State(shop): State<Arc<Shop>>) -> Response {
    let request = json!({
        "account_holder": { "type": "customer", "customer": "cus_demo" },
        "permissions": ["payment_method", "balances", "ownership", "transactions"],
    });
    let sent = shop
        .http
        .post(format!(
            "{}/v1/financial_connections/sessions",
            shop.finlink_url
        ))
        .bearer_auth(&shop.secret_key)
        .json(&request)
        .send()
        .await;
    let session = match sent {
        Ok(response) if response.status().is_success() => {
            response.json::<finlink_protocol::Session>().await.ok()
        }
        Ok(response) => {
            tracing::warn!(
                status = response.status().as_u16(),
                "demo shop: session creation refused"
            );
            None
        }
        Err(error) => {
            tracing::warn!(%error, "demo shop: finlink unreachable");
            None
        }
    };
    match session.and_then(|session| session.client_secret) {
        Some(client_secret) => Json(json!({ "client_secret": client_secret })).into_response(),
        None => (
            StatusCode::BAD_GATEWAY,
            Json(json!({ "error": "Could not start bank linking. Try again." })),
        )
            .into_response(),
    }
}
