//! The demo shop after linking, over real HTTP: its backend creates a session with `prefetch`,
//! the person links accounts through the link API, and the shop's own routes show each
//! account's balance, owners and latest transactions, refresh it (refused while too soon, then
//! done), and receive finlink's webhooks, verified with the endpoint secret the shop registered
//! for itself at start; forged deliveries are refused. A restarted shop replaces its stale
//! endpoint.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{CREDENTIALS_BANK, START_TIME, eventually, expect_status};
use finlink_server::{Config, Database, ManualClock, RunningServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SECRET_KEY: &str = "sk_test_demo_shop_0123456789";

struct Running {
    server: RunningServer,
    finlink: String,
    shop: String,
    http: reqwest::Client,
}

async fn start_on(database: &Path, demo_port: u16, clock: &ManualClock) -> Running {
    let mut config = Config::for_tests(SECRET_KEY);
    config.database = Database::File(database.to_path_buf());
    config.demo_listen = Some(([127, 0, 0, 1], demo_port).into());
    let server = finlink_server::start(config, Arc::new(clock.clone()))
        .await
        .expect("server starts");
    let finlink = server.base_url();
    let shop = format!("http://{}", server.demo_address.expect("demo shop"));
    Running {
        server,
        finlink,
        shop,
        http: reqwest::Client::new(),
    }
}

impl Running {
    async fn shop_get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.shop))
            .send()
            .await
            .expect("sent")
    }

    async fn shop_post(&self, path: &str) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.shop))
            .send()
            .await
            .expect("sent")
    }

    async fn shop_post_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.shop))
            .json(&body)
            .send()
            .await
            .expect("sent")
    }

    async fn finlink_get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.finlink))
            .bearer_auth(SECRET_KEY)
            .send()
            .await
            .expect("sent");
        expect_status(response, StatusCode::OK).await
    }

    /// The shop's view of webhooks, once its endpoint is registered.
    async fn registered(&self) -> Value {
        eventually("the shop's webhook endpoint", || async {
            let events = expect_status(self.shop_get("/api/events").await, StatusCode::OK).await;
            (events["endpoint"]["status"] == "registered").then_some(events)
        })
        .await
    }

    async fn link(&self, client_secret: &str, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}/v1/link/{path}", self.finlink))
            .bearer_auth(client_secret)
            .header("Idempotency-Key", format!("key-{path}"))
            .json(&body)
            .send()
            .await
            .expect("sent");
        expect_status(response, StatusCode::OK).await
    }

    /// Links `names` at the credentials bank with `client_secret`, as the widget would;
    /// returns the linked accounts by name order.
    async fn link_accounts(&self, client_secret: &str, names: &[&str]) -> Vec<Value> {
        let session = self
            .http
            .get(format!("{}/v1/link/session", self.finlink))
            .bearer_auth(client_secret)
            .send()
            .await
            .expect("sent");
        let session = expect_status(session, StatusCode::OK).await;
        self.link(
            client_secret,
            "consent",
            json!({ "permissions": session["permissions"] }),
        )
        .await;
        let authorization = self
            .link(
                client_secret,
                "authorizations",
                json!({ "institution": CREDENTIALS_BANK }),
            )
            .await;
        let id = authorization["id"].as_str().expect("authorization id");
        let authorized = self
            .link(
                client_secret,
                &format!("authorizations/{id}/credentials"),
                json!({ "username": "jenny", "password": "pass_good" }),
            )
            .await;
        assert_eq!(authorized["status"], "authorized", "{authorized}");
        let offered = self
            .http
            .get(format!(
                "{}/v1/link/authorizations/{id}/accounts",
                self.finlink
            ))
            .bearer_auth(client_secret)
            .send()
            .await
            .expect("sent");
        let offered = expect_status(offered, StatusCode::OK).await;
        let chosen: Vec<&str> = names
            .iter()
            .map(|name| {
                offered["data"]
                    .as_array()
                    .expect("data")
                    .iter()
                    .find(|account| account["display_name"] == *name)
                    .and_then(|account| account["id"].as_str())
                    .unwrap_or_else(|| panic!("{name} offered"))
            })
            .collect();
        self.link(
            client_secret,
            &format!("authorizations/{id}/attach"),
            json!({ "accounts": chosen }),
        )
        .await;
        let done = self.link(client_secret, "complete", json!({})).await;
        let linked = done["accounts"].as_array().expect("accounts").clone();
        names
            .iter()
            .map(|name| {
                linked
                    .iter()
                    .find(|account| account["display_name"] == *name)
                    .unwrap_or_else(|| panic!("{name} linked"))
                    .clone()
            })
            .collect()
    }

    /// A session created by the shop's backend, as its page asks for one.
    async fn shop_session(&self) -> String {
        let created = expect_status(self.shop_post("/api/sessions").await, StatusCode::OK).await;
        let keys: Vec<&String> = created.as_object().expect("object").keys().collect();
        assert_eq!(
            keys,
            ["client_secret"],
            "the page gets the client secret only"
        );
        created["client_secret"]
            .as_str()
            .expect("client secret")
            .to_owned()
    }

    /// The shop's summary of an account once no refresh is pending.
    async fn settled(&self, id: &str) -> Value {
        eventually("the account's refreshes to end", || async {
            let summary = expect_status(
                self.shop_get(&format!("/api/accounts/{id}")).await,
                StatusCode::OK,
            )
            .await;
            (summary["refreshing"] == false).then_some(summary)
        })
        .await
    }

    /// Waits until the shop shows a verified webhook of `kind` about `account`.
    async fn webhook(&self, kind: &str, account: &str) -> Value {
        eventually(&format!("a {kind} webhook"), || async {
            let events = expect_status(self.shop_get("/api/events").await, StatusCode::OK).await;
            events["events"]
                .as_array()
                .expect("events")
                .iter()
                .find(|event| event["type"] == kind && event["account"] == account)
                .cloned()
        })
        .await
    }
}

fn ids(events: &Value) -> Vec<String> {
    events["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn the_shop_shows_balances_owners_and_transactions_refreshes_and_verifies_webhooks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::starting_at(START_TIME);
    let running = start_on(&dir.path().join("finlink.sqlite"), 0, &clock).await;

    // At start, the shop registered an endpoint for its own /webhooks, for every event.
    let webhooks = running.registered().await;
    assert_eq!(
        webhooks["endpoint"]["url"],
        format!("{}/webhooks", running.shop)
    );
    let endpoints = running.finlink_get("/v1/webhook_endpoints").await;
    let endpoints = endpoints["data"].as_array().expect("endpoints");
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    assert_eq!(endpoints[0]["url"], format!("{}/webhooks", running.shop));
    assert_eq!(endpoints[0]["enabled_events"], json!(["*"]));
    assert_eq!(endpoints[0]["id"], webhooks["endpoint"]["id"]);

    // The shop's backend creates the session, with prefetch; the person links two accounts.
    let secret = running.shop_session().await;
    let accounts = running
        .link_accounts(&secret, &["Everyday Checking", "High-Yield Savings"])
        .await;
    let checking = accounts[0]["id"].as_str().expect("id").to_owned();
    let savings = accounts[1]["id"].as_str().expect("id").to_owned();
    let session_id = running
        .finlink_get(&format!("/v1/financial_connections/accounts/{checking}"))
        .await["session"]
        .as_str()
        .expect("session")
        .to_owned();
    let session = running
        .finlink_get(&format!("/v1/financial_connections/sessions/{session_id}"))
        .await;
    assert_eq!(
        session["prefetch"],
        json!(["balance", "ownership", "transactions"])
    );
    assert_eq!(
        session["account_holder"],
        json!({ "type": "customer", "customer": "cus_demo" })
    );

    // The shop's routes show what the prefetch fetched.
    let summary = running.settled(&checking).await;
    assert_eq!(summary["display_name"], "Everyday Checking");
    assert_eq!(summary["last4"], "6789");
    assert_eq!(
        summary["shares"],
        json!(["balance", "ownership", "transactions"])
    );
    assert_eq!(
        summary["balance"]["current"],
        json!([{ "amount": 524312, "currency": "usd" }])
    );
    assert_eq!(
        summary["balance"]["available"],
        json!([{ "amount": 519812, "currency": "usd" }])
    );
    let owners = summary["owners"].as_array().expect("owners");
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["name"], "Jenny Rosen");
    let transactions = summary["transactions"].as_array().expect("transactions");
    assert_eq!(transactions.len(), 5, "the latest five");
    let times: Vec<i64> = transactions
        .iter()
        .map(|transaction| transaction["transacted_at"].as_i64().expect("time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let newest = running
        .finlink_get(&format!(
            "/v1/financial_connections/transactions?account={checking}&limit=5"
        ))
        .await;
    let newest_ids: Vec<&Value> = newest["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|transaction| &transaction["id"])
        .collect();
    let shown_ids: Vec<&Value> = transactions
        .iter()
        .map(|transaction| &transaction["id"])
        .collect();
    assert_eq!(shown_ids, newest_ids);
    for refresh in summary["refreshes"].as_array().expect("refreshes") {
        assert_eq!(refresh["status"], "succeeded", "{refresh}");
    }
    let numbers = running
        .finlink_get(&format!(
            "/v1/financial_connections/accounts/{checking}/account_numbers"
        ))
        .await;
    let text = summary.to_string();
    for hidden in [
        numbers["account_number"].as_str().expect("number"),
        numbers["routing_number"].as_str().expect("routing"),
        SECRET_KEY,
    ] {
        assert!(!text.contains(hidden), "the page never gets {hidden}");
    }
    let savings_summary = running.settled(&savings).await;
    assert_eq!(
        savings_summary["balance"]["current"],
        json!([{ "amount": 1250000, "currency": "usd" }])
    );

    // A refresh right after the prefetch is refused, saying when it will be possible.
    let refused = running
        .shop_post(&format!("/api/accounts/{checking}/refresh"))
        .await;
    let refused = expect_status(refused, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(refused["code"], "refresh_too_soon");
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|message| !message.is_empty())
    );
    let available_at = refused["next_refresh_available_at"]
        .as_i64()
        .expect("next_refresh_available_at");
    assert!(available_at > START_TIME, "{refused}");

    // Once it is, the refresh starts, and the shop shows the new state when it ends.
    clock.advance(available_at - START_TIME);
    let started = running
        .shop_post(&format!("/api/accounts/{checking}/refresh"))
        .await;
    let started = expect_status(started, StatusCode::OK).await;
    assert_eq!(started["id"], checking);
    let refreshed = running.settled(&checking).await;
    let refreshes = refreshed["refreshes"].as_array().expect("refreshes");
    assert_eq!(refreshes.len(), 3);
    for refresh in refreshes {
        assert_eq!(refresh["status"], "succeeded", "{refresh}");
        assert_eq!(refresh["last_attempted_at"], available_at, "{refresh}");
    }
    assert_eq!(refreshed["transactions"].as_array().map(Vec::len), Some(5));

    // finlink's webhooks reached the shop, which verified them and shows them as words.
    let created = running
        .webhook("financial_connections.account.created", &checking)
        .await;
    assert_eq!(created["account_name"], "Everyday Checking •••• 6789");
    assert_eq!(created["summary"], "account linked");
    running
        .webhook("financial_connections.account.created", &savings)
        .await;
    for kind in ["balance", "ownership", "transactions"] {
        let event = running
            .webhook(
                &format!("financial_connections.account.refreshed_{kind}"),
                &checking,
            )
            .await;
        assert!(
            event["summary"]
                .as_str()
                .is_some_and(|summary| summary.ends_with("refresh succeeded")),
            "{event}"
        );
    }
    let events = running.finlink_get("/v1/events?limit=100").await;
    let finlink_ids: Vec<&str> = events["data"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["id"].as_str().expect("id"))
        .collect();
    let received = expect_status(running.shop_get("/api/events").await, StatusCode::OK).await;
    for id in ids(&received) {
        assert!(finlink_ids.contains(&id.as_str()), "{id} is finlink's");
    }
    assert_eq!(received["refused"], 0, "{received}");
    assert_eq!(received["duplicates"], 0, "{received}");
    let verified = received["verified"].as_u64().expect("verified");
    assert!(verified >= 8, "{received}");
    let event_text = received.to_string();
    assert!(
        !event_text.contains("524312"),
        "no account data on the page"
    );

    // Forged deliveries are refused and never shown: no signature, a signature with another
    // secret, a right-looking header over another body.
    let forged_event = json!({
        "id": "evt_forged", "object": "event", "type": "financial_connections.account.disconnected",
        "created": START_TIME, "livemode": false,
        "data": { "object": { "id": checking, "display_name": "Everyday Checking", "last4": "6789",
            "account_holder": { "type": "customer", "customer": "cus_demo" } } }
    })
    .to_string();
    let now = available_at;
    let other_secret = finlink_server::webhooks::signature::header_value(
        "whsec_guess",
        now,
        forged_event.as_bytes(),
    )
    .expect("header");
    for header in [None, Some(other_secret), Some(format!("t={now},v1=00ff"))] {
        let mut request = running
            .http
            .post(format!("{}/webhooks", running.shop))
            .header("Content-Type", "application/json")
            .body(forged_event.clone());
        if let Some(header) = header {
            request = request.header("Finlink-Signature", header);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
    let after = expect_status(running.shop_get("/api/events").await, StatusCode::OK).await;
    assert_eq!(after["refused"], 3, "{after}");
    assert!(!ids(&after).contains(&"evt_forged".to_owned()));

    running.server.stop().await;
}

#[tokio::test]
async fn the_shop_shows_only_its_customers_accounts_and_refuses_what_is_not_an_account() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::starting_at(START_TIME);
    let running = start_on(&dir.path().join("finlink.sqlite"), 0, &clock).await;
    running.registered().await;

    // Another customer's account, linked through a session the shop did not create.
    let response = running
        .http
        .post(format!(
            "{}/v1/financial_connections/sessions",
            running.finlink
        ))
        .bearer_auth(SECRET_KEY)
        .json(&json!({
            "permissions": ["balances", "transactions"],
            "prefetch": ["balance"],
            "account_holder": { "type": "customer", "customer": "cus_someone_else" },
        }))
        .send()
        .await
        .expect("sent");
    let session = expect_status(response, StatusCode::OK).await;
    let secret = session["client_secret"].as_str().expect("secret");
    let theirs = running.link_accounts(secret, &["Everyday Checking"]).await;
    let theirs = theirs[0]["id"].as_str().expect("id");
    eventually("the other customer's created event", || async {
        let events = running.finlink_get("/v1/events").await;
        events["data"]
            .as_array()
            .expect("events")
            .iter()
            .any(|event| event["type"] == "financial_connections.account.created")
            .then_some(())
    })
    .await;

    for path in [
        format!("/api/accounts/{theirs}"),
        "/api/accounts/fca_doesnotexist".to_owned(),
        "/api/accounts/..%2F..%2Fwebhook_endpoints".to_owned(),
        "/api/accounts/fcsess_123".to_owned(),
    ] {
        let response = running.shop_get(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let refresh = running
        .shop_post(&format!("/api/accounts/{theirs}/refresh"))
        .await;
    assert_eq!(refresh.status(), StatusCode::NOT_FOUND);

    // Their events reach the shop's server (its endpoint gets all), but not its page.
    eventually("the delivery of their event", || async {
        let events = expect_status(running.shop_get("/api/events").await, StatusCode::OK).await;
        (events["verified"].as_u64() >= Some(1)).then_some(())
    })
    .await;
    let events = expect_status(running.shop_get("/api/events").await, StatusCode::OK).await;
    assert!(
        events["events"]
            .as_array()
            .expect("events")
            .iter()
            .all(|event| event["account"] != theirs),
        "{events}"
    );

    // The page and its script never carry the secret key.
    for path in ["/", "/shop.js"] {
        let text = running.shop_get(path).await.text().await.expect("text");
        assert!(!text.contains(SECRET_KEY), "{path}");
    }
    let page = running.shop_get("/").await;
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(html.contains("<h2 id=\"webhooks-title\">"));

    running.server.stop().await;
}

/// The session id inside a client secret (`{id}_secret_{random}`).
fn session_of(client_secret: &str) -> &str {
    client_secret
        .split_once("_secret_")
        .map(|(id, _)| id)
        .expect("session id")
}

#[tokio::test]
async fn the_shop_passes_the_verification_choice_on_and_shows_a_pending_verification() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::starting_at(START_TIME);
    let running = start_on(&dir.path().join("finlink.sqlite"), 0, &clock).await;
    running.registered().await;

    // Instant only: the kind of deposits does not apply and is not sent on.
    let created = expect_status(
        running
            .shop_post_json(
                "/api/sessions",
                json!({ "verification_method": "instant", "microdeposit_type": "amounts" }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let secret = created["client_secret"].as_str().expect("secret");
    let session = running
        .finlink_get(&format!(
            "/v1/financial_connections/sessions/{}",
            session_of(secret)
        ))
        .await;
    assert_eq!(session["verification_method"], "instant");
    assert_eq!(session["microdeposit_type"], Value::Null);

    let created = expect_status(
        running
            .shop_post_json(
                "/api/sessions",
                json!({
                    "account_selection": "multiple",
                    "verification_method": "microdeposits",
                    "microdeposit_type": "descriptor_code",
                }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let secret = created["client_secret"].as_str().expect("secret");
    let session = running
        .finlink_get(&format!(
            "/v1/financial_connections/sessions/{}",
            session_of(secret)
        ))
        .await;
    assert_eq!(session["verification_method"], "microdeposits");
    assert_eq!(session["microdeposit_type"], "descriptor_code");

    // The person enters their account by hand, as the widget would.
    let link = |path: &str| {
        running
            .http
            .post(format!("{}{path}", running.finlink))
            .bearer_auth(secret)
    };
    expect_status(
        link("/v1/link/consent")
            .json(&json!({ "permissions": session["permissions"] }))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let result = expect_status(
        link("/v1/link/manual_accounts")
            .header("Idempotency-Key", "shop-manual")
            .json(&common::manual_account_body())
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let id = result["accounts"][0]["id"].as_str().expect("id");
    let summary = running.settled(id).await;
    assert_eq!(summary["verification"]["status"], "pending");
    assert_eq!(
        summary["verification"]["microdeposit_type"],
        "descriptor_code"
    );
    let url = summary["verification"]["hosted_verification_url"]
        .as_str()
        .expect("the link to verify");
    assert!(url.starts_with(&format!(
        "{}/link/verify/#verification_secret=",
        running.finlink
    )));
    assert!(
        !summary.to_string().contains(common::MANUAL_ACCOUNT_NUMBER),
        "no account number reaches the page: {summary}"
    );

    // Verified on the hosted page: the shop hears of it and shows it.
    let verification_secret = common::verification_secret_of(url);
    expect_status(
        running
            .http
            .post(format!("{}/v1/link/verification", running.finlink))
            .bearer_auth(&verification_secret)
            .json(&json!({ "descriptor_code": "SM11AA" }))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let event = running
        .webhook("financial_connections.account.verification_succeeded", id)
        .await;
    assert_eq!(event["summary"], "microdeposits verified");
    let summary = running.settled(id).await;
    assert_eq!(summary["verification"]["status"], "verified");
    assert_eq!(
        summary["verification"]["hosted_verification_url"],
        Value::Null
    );

    // The page offers both choices, labelled.
    let html = running.shop_get("/").await.text().await.expect("html");
    for needle in [
        "<label for=\"verification-method\">",
        "<select id=\"verification-method\">",
        "<label for=\"microdeposit-type\">",
        "<select id=\"microdeposit-type\">",
        "value=\"descriptor_code\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }

    running.server.stop().await;
}

#[tokio::test]
async fn a_restarted_shop_replaces_its_stale_endpoint_and_verifies_with_the_new_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = dir.path().join("finlink.sqlite");
    let clock = ManualClock::starting_at(START_TIME);
    let first = start_on(&database, 0, &clock).await;
    first.registered().await;
    let port = first.server.demo_address.expect("demo").port();
    let endpoints = first.finlink_get("/v1/webhook_endpoints").await;
    let stale = endpoints["data"][0]["id"].as_str().expect("id").to_owned();
    first.server.stop().await;

    // Same database, same shop URL: the old endpoint's secret died with the first process.
    let second = start_on(&database, port, &clock).await;
    second.registered().await;
    let endpoints = second.finlink_get("/v1/webhook_endpoints").await;
    let endpoints = endpoints["data"].as_array().expect("endpoints");
    assert_eq!(
        endpoints.len(),
        1,
        "the stale endpoint is gone: {endpoints:?}"
    );
    assert_ne!(endpoints[0]["id"], stale);
    assert_eq!(endpoints[0]["url"], format!("{}/webhooks", second.shop));

    // Deliveries now verify with the new secret.
    let secret = second.shop_session().await;
    let accounts = second.link_accounts(&secret, &["Everyday Checking"]).await;
    let checking = accounts[0]["id"].as_str().expect("id");
    second
        .webhook("financial_connections.account.created", checking)
        .await;
    let events = expect_status(second.shop_get("/api/events").await, StatusCode::OK).await;
    assert_eq!(events["refused"], 0, "{events}");
    second.server.stop().await;
}
