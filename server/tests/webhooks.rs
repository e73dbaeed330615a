//! Webhooks end to end: a receiver on 127.0.0.1 gets every event signed with its endpoint's
//! secret (checked here with an independent HMAC), again after failures and timeouts with
//! backoff on the app clock, and after a server restart; `GET /v1/events` lists them.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use common::{CREDENTIALS_BANK, TestServer, eventually, expect_error, expect_status};
use finlink_server::config::Timing;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

/// One POST the receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    path: String,
    signature: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Delivery {
    fn event(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON event")
    }
}

/// A webhook receiver: records every POST, then answers `status` after `delay_ms`.
#[derive(Clone)]
struct Receiver {
    base: String,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
}

async fn receive(
    State(receiver): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AxumStatus {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    receiver.deliveries.lock().expect("lock").push(Delivery {
        path,
        signature: header("finlink-signature"),
        content_type: header("content-type"),
        body: body.to_vec(),
    });
    let delay = receiver.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    AxumStatus::from_u16(receiver.status.load(Ordering::SeqCst)).expect("status")
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let receiver = Receiver {
            base: format!("http://{}", listener.local_addr().expect("address")),
            deliveries: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
            delay_ms: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/{path}", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base)
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Delivery> {
        self.deliveries.lock().expect("lock").clone()
    }

    /// Waits until at least `count` deliveries arrived; returns them all.
    async fn wait_for(&self, count: usize) -> Vec<Delivery> {
        eventually(&format!("{count} deliveries"), || async {
            let received = self.received();
            (received.len() >= count).then_some(received)
        })
        .await
    }

    /// Asserts that nothing more arrives for a while (ten looks of the worker).
    async fn stays_at(&self, count: usize) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(self.received().len(), count, "no delivery meanwhile");
    }
}

/// Checks `Finlink-Signature: t=...,v1=...` as a receiver would, without finlink's code.
fn signed_at(delivery: &Delivery, secret: &str) -> Option<i64> {
    let header = delivery.signature.as_deref()?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=')? {
            ("t", value) => timestamp = value.parse::<i64>().ok(),
            ("v1", value) => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    let timestamp = timestamp?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&delivery.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    signatures.contains(&expected).then_some(timestamp)
}

async fn create_endpoint(server: &TestServer, url: &str, events: &[&str]) -> Value {
    expect_status(
        server
            .post(
                "/v1/webhook_endpoints",
                json!({ "url": url, "enabled_events": events }),
            )
            .await,
        StatusCode::OK,
    )
    .await
}

fn secret_of(endpoint: &Value) -> String {
    endpoint["secret"].as_str().expect("secret").to_owned()
}

async fn link_checking(server: &TestServer, permissions: &[&str]) -> String {
    server
        .link_accounts(
            json!({ "permissions": permissions }),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await
        .id(0)
}

#[tokio::test]
async fn endpoints_are_created_listed_and_deleted_with_the_secret_shown_once() {
    let server = TestServer::start().await;
    let endpoint = create_endpoint(&server, "https://shop.example/hooks", &["*"]).await;
    assert_eq!(endpoint["object"], "webhook_endpoint");
    let id = endpoint["id"].as_str().expect("id");
    assert!(id.starts_with("we_"));
    assert!(secret_of(&endpoint).starts_with("whsec_"));
    assert_eq!(endpoint["enabled_events"], json!(["*"]));

    let retrieved = expect_status(
        server.get(&format!("/v1/webhook_endpoints/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(
        retrieved.get("secret").is_none(),
        "the secret is shown once"
    );
    let list = expect_status(server.get("/v1/webhook_endpoints").await, StatusCode::OK).await;
    assert_eq!(list["data"][0]["id"], id);
    assert!(list["data"][0].get("secret").is_none());

    let deleted = expect_status(
        server
            .integrator(Method::DELETE, &format!("/v1/webhook_endpoints/{id}"))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        deleted,
        json!({ "object": "webhook_endpoint", "id": id, "deleted": true })
    );
    expect_error(
        server.get(&format!("/v1/webhook_endpoints/{id}")).await,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;

    for (body, param) in [
        (
            json!({ "url": "ftp://shop.example", "enabled_events": ["*"] }),
            "url",
        ),
        (
            json!({ "url": "https://u:p@shop.example", "enabled_events": ["*"] }),
            "url",
        ),
        (
            json!({ "url": "https://shop.example", "enabled_events": ["nope"] }),
            "enabled_events",
        ),
    ] {
        let error = expect_error(
            server.post("/v1/webhook_endpoints", body).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
        )
        .await;
        assert_eq!(error["param"], param);
    }
    expect_error(
        server
            .post(
                "/v1/webhook_endpoints",
                json!({ "url": "https://shop.example", "enabled_events": [] }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;
}

#[tokio::test]
async fn linking_delivers_a_signed_account_created_event() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    let endpoint = create_endpoint(
        &server,
        &receiver.url("hooks"),
        &["financial_connections.account.created"],
    )
    .await;
    let secret = secret_of(&endpoint);
    let account = link_checking(&server, &["balances"]).await;

    let delivery = receiver.wait_for(1).await.remove(0);
    assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        signed_at(&delivery, &secret),
        Some(common::START_TIME),
        "signed with the endpoint's secret at the app clock's time: {:?}",
        delivery.signature
    );
    assert_eq!(signed_at(&delivery, "whsec_wrong"), None);
    let event = delivery.event();
    assert_eq!(event["object"], "event");
    assert_eq!(event["type"], "financial_connections.account.created");
    assert!(
        event["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("evt_"))
    );
    assert_eq!(event["data"]["object"]["id"], account.as_str());
    assert_eq!(
        event["data"]["object"]["object"],
        "financial_connections.account"
    );
    assert!(
        !String::from_utf8_lossy(&delivery.body).contains("account_number"),
        "no numbers in events"
    );

    let events = expect_status(server.get("/v1/events").await, StatusCode::OK).await;
    assert_eq!(
        events["data"][0], event,
        "GET /v1/events lists the same event"
    );
    let one = expect_status(
        server
            .get(&format!("/v1/events/{}", event["id"].as_str().expect("id")))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one, event);
    receiver.stays_at(1).await;
}

#[tokio::test]
async fn each_refresh_kind_and_the_disconnect_emit_their_events() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    create_endpoint(&server, &receiver.url("all"), &["*"]).await;
    let id = link_checking(&server, &["balances", "ownership", "transactions"]).await;
    expect_status(
        server
            .refresh(&id, &["balance", "ownership", "transactions"])
            .await,
        StatusCode::OK,
    )
    .await;
    receiver.wait_for(4).await;
    expect_status(
        server
            .post(
                &format!("/v1/financial_connections/accounts/{id}/disconnect"),
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let received = receiver.wait_for(5).await;
    let types: HashSet<String> = received
        .iter()
        .map(|delivery| delivery.event()["type"].as_str().expect("type").to_owned())
        .collect();
    let expected: HashSet<String> = [
        "created",
        "refreshed_balance",
        "refreshed_ownership",
        "refreshed_transactions",
        "disconnected",
    ]
    .iter()
    .map(|suffix| format!("financial_connections.account.{suffix}"))
    .collect();
    assert_eq!(types, expected);
    let ids: HashSet<String> = received
        .iter()
        .map(|delivery| delivery.event()["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 5, "each event has its own id");
    let balance = received
        .iter()
        .map(Delivery::event)
        .find(|event| event["type"] == "financial_connections.account.refreshed_balance")
        .expect("balance event");
    assert_eq!(
        balance["data"]["object"]["balance_refresh"]["status"],
        "succeeded"
    );
    let disconnected = received.last().expect("last").event();
    assert_eq!(disconnected["data"]["object"]["status"], "disconnected");
    let listed = expect_status(
        server
            .get("/v1/events?type=financial_connections.account.refreshed_ownership")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["data"].as_array().expect("data").len(), 1);
    receiver.stays_at(5).await;
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_event_again_with_exponential_backoff() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let endpoint = create_endpoint(&server, &receiver.url("flaky"), &["*"]).await;
    let secret = secret_of(&endpoint);
    link_checking(&server, &["balances"]).await;
    let first = receiver.wait_for(1).await.remove(0);
    receiver.stays_at(1).await;

    server.clock.advance(29);
    receiver.stays_at(1).await;
    server.clock.advance(1);
    let second = receiver.wait_for(2).await.remove(1);
    assert_eq!(second.event()["id"], first.event()["id"], "the same event");
    assert_eq!(second.body, first.body, "the same bytes");
    assert_eq!(signed_at(&second, &secret), Some(common::START_TIME + 30));

    // The next wait is twice as long.
    receiver.answer(200);
    server.clock.advance(59);
    receiver.stays_at(2).await;
    server.clock.advance(1);
    receiver.wait_for(3).await;
    // Delivered: never again.
    server.clock.advance(24 * 60 * 60);
    receiver.stays_at(3).await;
}

#[tokio::test]
async fn a_slow_receiver_times_out_and_is_retried() {
    let timing = Timing {
        webhook_timeout: Duration::from_millis(200),
        ..Timing::for_tests()
    };
    let server = TestServer::start_with_timing(timing).await;
    let receiver = Receiver::start().await;
    receiver.delay_ms.store(2_000, Ordering::SeqCst);
    create_endpoint(&server, &receiver.url("slow"), &["*"]).await;
    link_checking(&server, &["balances"]).await;
    receiver.wait_for(1).await;
    receiver.delay_ms.store(0, Ordering::SeqCst);
    // Past the timeout the attempt counts as failed, and the retry comes after the backoff.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.clock.advance(30);
    let received = receiver.wait_for(2).await;
    assert_eq!(received[0].event()["id"], received[1].event()["id"]);
    server.clock.advance(24 * 60 * 60);
    receiver.stays_at(2).await;
}

#[tokio::test]
async fn undelivered_events_survive_a_restart_and_are_delivered_after_it() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let endpoint = create_endpoint(&server, &receiver.url("down"), &["*"]).await;
    let secret = secret_of(&endpoint);
    let account = link_checking(&server, &["balances"]).await;
    let first = receiver.wait_for(1).await.remove(0);

    let server = server.restart().await;
    receiver.answer(200);
    server.clock.advance(30);
    let again = receiver.wait_for(2).await.remove(1);
    assert_eq!(again.event()["id"], first.event()["id"]);
    assert_eq!(again.event()["data"]["object"]["id"], account.as_str());
    assert!(
        signed_at(&again, &secret).is_some(),
        "the secret survives too"
    );
    let events = expect_status(server.get("/v1/events").await, StatusCode::OK).await;
    assert_eq!(events["data"][0]["id"], first.event()["id"]);
    server.clock.advance(24 * 60 * 60);
    receiver.stays_at(2).await;
}

#[tokio::test]
async fn events_go_only_to_endpoints_that_enabled_them_and_none_after_deletion() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    let created = create_endpoint(
        &server,
        &receiver.url("created"),
        &["financial_connections.account.created"],
    )
    .await;
    create_endpoint(
        &server,
        &receiver.url("disconnected"),
        &["financial_connections.account.disconnected"],
    )
    .await;
    let id = link_checking(&server, &["balances"]).await;
    let received = receiver.wait_for(1).await;
    assert_eq!(received[0].path, "created");
    receiver.stays_at(1).await;

    expect_status(
        server
            .integrator(
                Method::DELETE,
                &format!(
                    "/v1/webhook_endpoints/{}",
                    created["id"].as_str().expect("id")
                ),
            )
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    link_checking(&server, &["balances"]).await;
    expect_status(
        server
            .post(
                &format!("/v1/financial_connections/accounts/{id}/disconnect"),
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let received = receiver.wait_for(2).await;
    assert_eq!(received[1].path, "disconnected");
    receiver.stays_at(2).await;
}

#[tokio::test]
async fn the_events_list_pages_newest_first_and_filters_by_type() {
    let server = TestServer::start().await;
    for _ in 0..3 {
        link_checking(&server, &["balances"]).await;
    }
    let page = expect_status(server.get("/v1/events?limit=2").await, StatusCode::OK).await;
    assert_eq!(page["has_more"], true);
    let last = page["data"][1]["id"].as_str().expect("id");
    let rest = expect_status(
        server
            .get(&format!("/v1/events?limit=2&starting_after={last}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["data"].as_array().expect("data").len(), 1);
    let bad = server.get("/v1/events?type=nope").await;
    expect_error(
        bad,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
}
