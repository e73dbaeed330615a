//! Refreshes through the bank connector: each kind goes from pending to succeeded, or to
//! failed when the bank errors or is down; a refresh while one is pending and a refresh storm
//! are refused clearly; expired access tokens are renewed (and the rotated refresh token
//! kept); a grant the bank forgot makes the account inactive.

mod common;

use common::{CREDENTIALS_BANK, START_TIME, TestServer, expect_error, expect_status};
use finlink_server::sandbox::BankFault;
use reqwest::{Method, StatusCode};
use serde_json::json;

const ALL: [&str; 3] = ["balances", "ownership", "transactions"];
/// (feature as asked, refresh object prefix)
const KINDS: [(&str, &str); 3] = [
    ("balance", "balance"),
    ("ownership", "ownership"),
    ("transactions", "transaction"),
];

async fn link_checking(server: &TestServer) -> String {
    server
        .link_accounts(
            json!({
                "account_holder": { "type": "customer", "customer": "cus_refresh" },
                "permissions": ALL,
            }),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await
        .id(0)
}

#[tokio::test]
async fn each_refresh_kind_goes_from_pending_to_succeeded() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    for (feature, refresh) in KINDS {
        // A stalled bank keeps the refresh pending for as long as the test looks at it.
        server
            .sandbox()
            .set_fault(CREDENTIALS_BANK, Some(BankFault::Stall));
        let started = expect_status(server.refresh(&id, &[feature]).await, StatusCode::OK).await;
        let field = format!("{refresh}_refresh");
        assert_eq!(started[&field]["status"], "pending", "{feature}");
        assert_eq!(started[&field]["last_attempted_at"], START_TIME);
        assert_eq!(started[&field]["next_refresh_available_at"], json!(null));
        server.sandbox().set_fault(CREDENTIALS_BANK, None);
        let done = server.refreshed(&id, refresh).await;
        assert_eq!(done[&field]["status"], "succeeded", "{feature}");
        assert_eq!(
            done[&field]["next_refresh_available_at"],
            START_TIME + 60,
            "{feature}: the cooldown starts when the refresh ends"
        );
    }
    let account = server.account(&id).await;
    assert_eq!(account["balance"]["current"], json!({ "usd": 524_312 }));
    assert!(account["ownership"].is_string());
    assert!(account["transaction_refresh"]["id"].is_string());
}

#[tokio::test]
async fn each_refresh_kind_fails_when_the_bank_errors_or_is_down() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    for fault in [BankFault::Error, BankFault::Down] {
        server.sandbox().set_fault(CREDENTIALS_BANK, Some(fault));
        for (feature, refresh) in KINDS {
            expect_status(server.refresh(&id, &[feature]).await, StatusCode::OK).await;
            let done = server.refreshed(&id, refresh).await;
            assert_eq!(
                done[&format!("{refresh}_refresh")]["status"],
                "failed",
                "{feature} with {fault:?}"
            );
            assert_eq!(done["status"], "active", "a bank outage takes nothing away");
        }
        server.clock.advance(60);
    }
    let account = server.account(&id).await;
    assert_eq!(account["balance"], json!(null), "nothing was fetched");
    // Once the bank is back, the next refresh succeeds.
    server.sandbox().set_fault(CREDENTIALS_BANK, None);
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    let done = server.refreshed(&id, "balance").await;
    assert_eq!(done["balance_refresh"]["status"], "succeeded");
}

#[tokio::test]
async fn a_refresh_storm_is_refused_while_one_is_pending_and_until_the_cooldown_ends() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    server
        .sandbox()
        .set_fault(CREDENTIALS_BANK, Some(BankFault::Stall));
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    let mut storm = tokio::task::JoinSet::new();
    for _ in 0..20 {
        storm.spawn(
            server
                .integrator(
                    Method::POST,
                    &format!("/v1/financial_connections/accounts/{id}/refresh"),
                )
                .json(&json!({ "features": ["balance"] }))
                .send(),
        );
    }
    while let Some(response) = storm.join_next().await {
        let response = response.expect("joined").expect("sent");
        let error = expect_error(
            response,
            StatusCode::CONFLICT,
            "invalid_request_error",
            "refresh_in_progress",
        )
        .await;
        assert_eq!(error["param"], "features");
    }
    // Other kinds are independent.
    expect_status(server.refresh(&id, &["ownership"]).await, StatusCode::OK).await;
    server.sandbox().set_fault(CREDENTIALS_BANK, None);
    server.refreshed(&id, "balance").await;
    server.refreshed(&id, "ownership").await;

    let too_soon = expect_error(
        server.refresh(&id, &["balance"]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_error",
        "refresh_too_soon",
    )
    .await;
    assert!(
        too_soon["message"]
            .as_str()
            .is_some_and(|message| message.contains(&(START_TIME + 60).to_string())),
        "{too_soon}"
    );
    server.clock.advance(59);
    expect_error(
        server.refresh(&id, &["balance"]).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_error",
        "refresh_too_soon",
    )
    .await;
    server.clock.advance(1);
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    let done = server.refreshed(&id, "balance").await;
    assert_eq!(
        done["balance_refresh"]["last_attempted_at"],
        START_TIME + 60
    );
}

#[tokio::test]
async fn malformed_refresh_requests_are_refused() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    expect_error(
        server.refresh(&id, &[]).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;
    let unknown = server
        .post(
            &format!("/v1/financial_connections/accounts/{id}/refresh"),
            json!({ "features": ["numbers"] }),
        )
        .await;
    expect_error(
        unknown,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "body_malformed",
    )
    .await;
    expect_error(
        server.refresh("fca_nope", &["balance"]).await,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_and_the_rotated_refresh_token_kept() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    for round in 0..3 {
        // The sandbox's access tokens live an hour; its refresh tokens rotate on every use,
        // and a spent one presented again revokes the grant.
        server.clock.advance(2 * 60 * 60);
        expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
        let done = server.refreshed(&id, "balance").await;
        assert_eq!(
            done["balance_refresh"]["status"], "succeeded",
            "round {round}"
        );
        assert_eq!(done["status"], "active");
    }
}

#[tokio::test]
async fn a_grant_the_bank_forgot_fails_the_refresh_and_makes_the_account_inactive() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    // A restart empties the sandbox banks' memory: every token finlink holds is revoked.
    let server = server.restart().await;
    expect_status(server.refresh(&id, &["transactions"]).await, StatusCode::OK).await;
    let done = server.refreshed(&id, "transaction").await;
    assert_eq!(done["transaction_refresh"]["status"], "failed");
    assert_eq!(done["status"], "inactive");
    let deactivated = expect_status(
        server
            .get("/v1/events?type=financial_connections.account.deactivated")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(deactivated["data"][0]["data"]["object"]["id"], id.as_str());
    server.clock.advance(60);
    expect_error(
        server.refresh(&id, &["balance"]).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "account_inactive",
    )
    .await;
}

#[tokio::test]
async fn a_refresh_left_pending_by_a_stopped_server_ends_after_the_restart() {
    let server = TestServer::start().await;
    let id = link_checking(&server).await;
    server
        .sandbox()
        .set_fault(CREDENTIALS_BANK, Some(BankFault::Stall));
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    let server = server.restart().await;
    // Resumed at start; the restarted sandbox no longer knows the grant, so it fails.
    let done = server.refreshed(&id, "balance").await;
    assert_eq!(done["balance_refresh"]["status"], "failed");
}

#[tokio::test]
async fn refreshes_of_two_accounts_sharing_one_grant_renew_it_once() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            json!({ "permissions": ALL }),
            CREDENTIALS_BANK,
            &["Everyday Checking", "High-Yield Savings"],
        )
        .await;
    server.clock.advance(2 * 60 * 60);
    let (checking, savings) = (linked.id(0), linked.id(1));
    let (a, b) = tokio::join!(
        server.refresh(&checking, &["balance", "ownership", "transactions"]),
        server.refresh(&savings, &["balance", "ownership", "transactions"]),
    );
    expect_status(a, StatusCode::OK).await;
    expect_status(b, StatusCode::OK).await;
    for id in [&checking, &savings] {
        let done = server
            .account_when(id, "every refresh to end", |account| {
                [
                    "balance_refresh",
                    "ownership_refresh",
                    "transaction_refresh",
                ]
                .iter()
                .all(|field| account[*field]["status"] != "pending")
            })
            .await;
        for field in [
            "balance_refresh",
            "ownership_refresh",
            "transaction_refresh",
        ] {
            assert_eq!(done[field]["status"], "succeeded", "{id} {field}");
        }
    }
}
