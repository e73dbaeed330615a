//! Microdeposit verification of accounts entered by hand, through the hosted page's API
//! (`GET`/`POST /v1/link/verification` with the secret of the link) and the sandbox clock
//! helper: right answers in any order or case, wrong answers counting down to a failure that
//! persists across restarts, expiry after ten days (also noticed by the background worker),
//! refusals of other secrets, the three webhooks, and what the business can do with the
//! account before and after.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use common::{
    MANUAL_ACCOUNT_NUMBER, MANUAL_ROUTING_NUMBER, START_TIME, TestServer, eventually, expect_error,
    expect_status, verification_secret_of,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An account entered by hand in a session with these create parameters: its id and the
/// secret of its verification link.
async fn pending(server: &TestServer, extra: Value) -> (String, String) {
    let (_, account) = server.manual_account(extra).await;
    let id = account["id"].as_str().expect("id").to_owned();
    let url = account["verification"]["hosted_verification_url"]
        .as_str()
        .expect("url");
    (id, verification_secret_of(url))
}

async fn show(server: &TestServer, secret: &str) -> Value {
    expect_status(
        server
            .verification(secret, Method::GET)
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await
}

async fn answered(server: &TestServer, secret: &str, answer: Value) -> Value {
    expect_status(
        server.answer_verification(secret, answer).await,
        StatusCode::OK,
    )
    .await
}

async fn advance_clock(server: &TestServer, id: &str, seconds: i64) -> reqwest::Response {
    server
        .post(
            &format!(
                "/v1/test_helpers/financial_connections/accounts/{id}/verification/advance_clock"
            ),
            json!({ "seconds": seconds }),
        )
        .await
}

#[tokio::test]
async fn the_hosted_page_shows_what_to_verify() {
    let server = TestServer::start().await;
    let (_, secret) = pending(&server, json!({})).await;
    let view = show(&server, &secret).await;
    assert_eq!(view["object"], "link_verification");
    assert_eq!(
        view["business_name"],
        finlink_server::config::DEFAULT_BUSINESS_NAME
    );
    assert_eq!(view["institution_name"], "Sandbox Bank (OAuth)");
    assert_eq!(view["account_type"], "checking");
    assert_eq!(view["last4"], "6789");
    assert_eq!(view["status"], "pending");
    assert_eq!(view["microdeposit_type"], "amounts");
    assert_eq!(view["attempts_remaining"], 3);
    assert_eq!(view["arrival_date"], START_TIME);
    assert_eq!(view["expires_at"], START_TIME + 864_000);
    assert_eq!(view["error"], Value::Null);
}

#[tokio::test]
async fn the_right_amounts_in_any_order_verify_the_account_for_payments() {
    let server = TestServer::start().await;
    let (id, secret) = pending(&server, json!({})).await;
    let verified = answered(&server, &secret, json!({ "amounts": [45, 32] })).await;
    assert_eq!(verified["status"], "verified");
    assert_eq!(verified["error"], Value::Null);

    let account = server.account(&id).await;
    assert_eq!(
        account["supported_payment_method_types"],
        json!(["us_bank_account"])
    );
    assert_eq!(account["verification"]["status"], "verified");
    assert_eq!(
        account["verification"]["hosted_verification_url"],
        Value::Null,
        "no link once verified"
    );
    let numbers = expect_status(
        server
            .get(&format!(
                "/v1/financial_connections/accounts/{id}/account_numbers"
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(numbers["routing_number"], MANUAL_ROUTING_NUMBER);
    assert_eq!(numbers["account_number"], MANUAL_ACCOUNT_NUMBER);
    assert_eq!(numbers["account_type"], "checking");

    // Answering again is refused: it is done.
    expect_error(
        server
            .answer_verification(&secret, json!({ "amounts": [32, 45] }))
            .await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "verification_completed",
    )
    .await;
    assert_eq!(show(&server, &secret).await["status"], "verified");
}

#[tokio::test]
async fn the_right_code_in_any_case_verifies_the_account() {
    let server = TestServer::start().await;
    let (id, secret) = pending(
        &server,
        json!({ "verification_method": "microdeposits", "microdeposit_type": "descriptor_code" }),
    )
    .await;
    assert_eq!(
        show(&server, &secret).await["microdeposit_type"],
        "descriptor_code"
    );
    let wrong = answered(&server, &secret, json!({ "descriptor_code": "SM22BB" })).await;
    assert_eq!(wrong["status"], "pending");
    assert_eq!(wrong["attempts_remaining"], 2);
    let verified = answered(&server, &secret, json!({ "descriptor_code": "sm11aa" })).await;
    assert_eq!(verified["status"], "verified");
    assert_eq!(
        server.account(&id).await["supported_payment_method_types"],
        json!(["us_bank_account"])
    );
}

#[tokio::test]
async fn three_wrong_answers_fail_the_verification_for_good() {
    let server = TestServer::start().await;
    let (id, secret) = pending(&server, json!({})).await;
    for remaining in [2, 1] {
        let wrong = answered(&server, &secret, json!({ "amounts": [32, 46] })).await;
        assert_eq!(wrong["status"], "pending");
        assert_eq!(wrong["attempts_remaining"], remaining);
        assert_eq!(wrong["error"]["code"], "microdeposits_mismatch", "{wrong}");
        assert!(
            wrong["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains(&remaining.to_string())),
            "the message says how many attempts are left: {wrong}"
        );
    }
    let failed = answered(&server, &secret, json!({ "amounts": [1, 2] })).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure_reason"], "too_many_attempts");
    assert_eq!(failed["attempts_remaining"], 0);
    // Even the right answer is refused now.
    expect_error(
        server
            .answer_verification(&secret, json!({ "amounts": [32, 45] }))
            .await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "verification_attempts_exceeded",
    )
    .await;
    let account = server.account(&id).await;
    assert_eq!(account["verification"]["status"], "failed");
    assert_eq!(
        account["verification"]["hosted_verification_url"],
        Value::Null
    );
    assert_eq!(account["supported_payment_method_types"], json!([]));
    expect_error(
        server
            .get(&format!(
                "/v1/financial_connections/accounts/{id}/account_numbers"
            ))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "account_numbers_unavailable",
    )
    .await;
}

#[tokio::test]
async fn an_answer_of_the_wrong_shape_uses_no_attempt() {
    let server = TestServer::start().await;
    let (_, secret) = pending(&server, json!({})).await;
    for (answer, param) in [
        (json!({ "amounts": [32] }), "amounts"),
        (json!({ "amounts": [32, 45, 1] }), "amounts"),
        (json!({ "amounts": [0, 45] }), "amounts"),
        (json!({ "amounts": [32, 100] }), "amounts"),
        (json!({}), "amounts"),
        (json!({ "descriptor_code": "SM11AA" }), "descriptor_code"),
    ] {
        let error = expect_error(
            server.answer_verification(&secret, answer.clone()).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
        )
        .await;
        assert_eq!(error["param"], param, "{answer}: {error}");
    }
    assert_eq!(show(&server, &secret).await["attempts_remaining"], 3);

    let (_, code_secret) =
        pending(&server, json!({ "microdeposit_type": "descriptor_code" })).await;
    for (answer, param) in [
        (json!({ "descriptor_code": "SM11A" }), "descriptor_code"),
        (json!({ "descriptor_code": "SM-11A" }), "descriptor_code"),
        (json!({ "amounts": [32, 45] }), "amounts"),
    ] {
        let error = expect_error(
            server
                .answer_verification(&code_secret, answer.clone())
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
        )
        .await;
        assert_eq!(error["param"], param, "{answer}: {error}");
    }
    assert_eq!(show(&server, &code_secret).await["attempts_remaining"], 3);
}

#[tokio::test]
async fn attempts_and_links_survive_a_restart() {
    let server = TestServer::start().await;
    let (_, secret) = pending(&server, json!({})).await;
    answered(&server, &secret, json!({ "amounts": [10, 20] })).await;
    answered(&server, &secret, json!({ "amounts": [10, 20] })).await;
    let server = server.restart().await;
    let view = show(&server, &secret).await;
    assert_eq!(view["attempts_remaining"], 1, "{view}");
    let failed = answered(&server, &secret, json!({ "amounts": [10, 20] })).await;
    assert_eq!(failed["failure_reason"], "too_many_attempts");
    let server = server.restart().await;
    expect_error(
        server
            .answer_verification(&secret, json!({ "amounts": [32, 45] }))
            .await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "verification_attempts_exceeded",
    )
    .await;
}

#[tokio::test]
async fn the_clock_helper_expires_a_verification_after_ten_days() {
    let server = TestServer::start().await;
    let (id, secret) = pending(&server, json!({})).await;
    let account = expect_status(advance_clock(&server, &id, 863_999).await, StatusCode::OK).await;
    assert_eq!(account["id"], id.as_str());
    assert_eq!(account["verification"]["status"], "pending");
    let account = expect_status(advance_clock(&server, &id, 1).await, StatusCode::OK).await;
    assert_eq!(account["verification"]["status"], "failed");
    assert_eq!(account["verification"]["failure_reason"], "expired");
    assert_eq!(
        account["verification"]["hosted_verification_url"],
        Value::Null
    );
    let view = show(&server, &secret).await;
    assert_eq!(view["status"], "failed");
    assert_eq!(view["failure_reason"], "expired");
    expect_error(
        server
            .answer_verification(&secret, json!({ "amounts": [32, 45] }))
            .await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "verification_expired",
    )
    .await;
}

#[tokio::test]
async fn the_clock_helper_is_for_the_business_and_for_verifications_only() {
    let server = TestServer::start().await;
    let (id, secret) = pending(&server, json!({})).await;
    let path =
        format!("/v1/test_helpers/financial_connections/accounts/{id}/verification/advance_clock");
    let as_page = server
        .http
        .post(server.url(&path))
        .bearer_auth(&secret)
        .json(&json!({ "seconds": 864_000 }))
        .send()
        .await
        .expect("sent");
    expect_error(
        as_page,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_invalid",
    )
    .await;
    for seconds in [0, -5] {
        let error = expect_error(
            advance_clock(&server, &id, seconds).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
        )
        .await;
        assert_eq!(error["param"], "seconds");
    }
    let linked = server
        .link_accounts(
            json!({ "permissions": ["payment_method"] }),
            common::CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    expect_error(
        advance_clock(&server, &linked.id(0), 864_000).await,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
    assert_eq!(
        linked.accounts[0]["verification"],
        Value::Null,
        "accounts linked at the bank have no verification"
    );
    assert_eq!(show(&server, &secret).await["status"], "pending");
}

#[tokio::test]
async fn the_background_worker_expires_a_verification_nobody_answers() {
    let server = TestServer::start().await;
    let (id, _) = pending(&server, json!({})).await;
    expect_status(advance_clock(&server, &id, 863_990).await, StatusCode::OK).await;
    server.clock.advance(10);
    let account = server
        .account_when(&id, "the verification to expire", |account| {
            account["verification"]["status"] == "failed"
        })
        .await;
    assert_eq!(account["verification"]["failure_reason"], "expired");
    let events = expect_status(
        server
            .get("/v1/events?type=financial_connections.account.verification_failed")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(events["data"][0]["data"]["object"]["id"], id.as_str());
}

#[tokio::test]
async fn only_the_secret_of_the_link_opens_its_verification() {
    let server = TestServer::start().await;
    let (client_secret, account) = server.manual_account(json!({})).await;
    let secret = verification_secret_of(
        account["verification"]["hosted_verification_url"]
            .as_str()
            .expect("url"),
    );
    let (_, other) = pending(&server, json!({})).await;
    assert_ne!(secret, other);

    let mut tampered = secret.clone();
    let last = tampered.pop().expect("char");
    tampered.push(if last == '0' { '1' } else { '0' });
    // This account's id with the other account's mac, and the reverse.
    let (own_id, own_mac) = secret.rsplit_once('_').expect("mac");
    let (other_id, other_mac) = other.rsplit_once('_').expect("mac");
    let crossed = [
        format!("{own_id}_{other_mac}"),
        format!("{other_id}_{own_mac}"),
    ];
    let refused: Vec<&str> = [tampered.as_str(), client_secret.as_str(), "fcvs_", ""]
        .into_iter()
        .chain(crossed.iter().map(String::as_str))
        .collect();
    for wrong in refused {
        for method in [Method::GET, Method::POST] {
            let mut request = server.verification(wrong, method.clone());
            if method == Method::POST {
                request = request.json(&json!({ "amounts": [32, 45] }));
            }
            expect_error(
                request.send().await.expect("sent"),
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "verification_secret_invalid",
            )
            .await;
        }
    }
    // No attempt was used, and the right secret still works.
    assert_eq!(show(&server, &secret).await["attempts_remaining"], 3);

    // The verification secret opens nothing else: not the session, not the integrator API.
    expect_error(
        server.get_link(&secret, "/v1/link/session").await,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "client_secret_invalid",
    )
    .await;
    let as_key = server
        .http
        .get(server.url("/v1/financial_connections/accounts"))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("sent");
    expect_error(
        as_key,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_invalid",
    )
    .await;
}

#[tokio::test]
async fn a_disconnected_account_cannot_be_verified_any_more() {
    let server = TestServer::start().await;
    let (id, secret) = pending(&server, json!({})).await;
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
    expect_error(
        server
            .answer_verification(&secret, json!({ "amounts": [32, 45] }))
            .await,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "verification_secret_invalid",
    )
    .await;
    let account = server.account(&id).await;
    assert_eq!(account["status"], "disconnected");
    assert_eq!(
        account["verification"]["hosted_verification_url"],
        Value::Null
    );
}

/// A webhook receiver on 127.0.0.1 that records the event types it gets.
#[derive(Clone, Default)]
struct Receiver {
    events: Arc<Mutex<Vec<Value>>>,
}

async fn receive(State(receiver): State<Receiver>, body: Bytes) -> axum::http::StatusCode {
    if let Ok(event) = serde_json::from_slice::<Value>(&body) {
        receiver.events.lock().expect("lock").push(event);
    }
    axum::http::StatusCode::OK
}

impl Receiver {
    async fn start(server: &TestServer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hooks", listener.local_addr().expect("address"));
        let receiver = Receiver::default();
        let app = axum::Router::new()
            .route("/hooks", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        expect_status(
            server
                .post(
                    "/v1/webhook_endpoints",
                    json!({ "url": url, "enabled_events": ["*"] }),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        receiver
    }

    /// Waits for an event of `kind` about account `id`; returns it.
    async fn event(&self, kind: &str, id: &str) -> Value {
        eventually(&format!("{kind} about {id}"), || async {
            self.events
                .lock()
                .expect("lock")
                .iter()
                .find(|event| event["type"] == kind && event["data"]["object"]["id"] == id)
                .cloned()
        })
        .await
    }
}

#[tokio::test]
async fn each_outcome_is_delivered_as_a_webhook() {
    let server = TestServer::start().await;
    let receiver = Receiver::start(&server).await;

    let (verified_id, secret) = pending(&server, json!({})).await;
    receiver
        .event("financial_connections.account.created", &verified_id)
        .await;
    answered(&server, &secret, json!({ "amounts": [1, 2] })).await;
    let attempt = receiver
        .event(
            "financial_connections.account.verification_attempt_failed",
            &verified_id,
        )
        .await;
    assert_eq!(
        attempt["data"]["object"]["verification"]["attempts_remaining"],
        2
    );
    answered(&server, &secret, json!({ "amounts": [32, 45] })).await;
    let succeeded = receiver
        .event(
            "financial_connections.account.verification_succeeded",
            &verified_id,
        )
        .await;
    assert_eq!(
        succeeded["data"]["object"]["supported_payment_method_types"],
        json!(["us_bank_account"])
    );

    let (locked_id, locked) = pending(&server, json!({})).await;
    for _ in 0..3 {
        answered(&server, &locked, json!({ "amounts": [1, 2] })).await;
    }
    let failed = receiver
        .event(
            "financial_connections.account.verification_failed",
            &locked_id,
        )
        .await;
    assert_eq!(
        failed["data"]["object"]["verification"]["failure_reason"],
        "too_many_attempts"
    );

    let (expired_id, _) = pending(&server, json!({})).await;
    expect_status(
        advance_clock(&server, &expired_id, 864_000).await,
        StatusCode::OK,
    )
    .await;
    let expired = receiver
        .event(
            "financial_connections.account.verification_failed",
            &expired_id,
        )
        .await;
    assert_eq!(
        expired["data"]["object"]["verification"]["failure_reason"],
        "expired"
    );
}
