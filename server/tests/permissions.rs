//! Each permission opens exactly its data: balances, owners, transactions or account numbers,
//! and nothing else; asking for the rest is a 403 naming the missing permission. `prefetch`
//! fetches the named data right after linking.

mod common;

use common::{CREDENTIALS_BANK, TestServer, expect_error, expect_status};
use reqwest::StatusCode;
use serde_json::{Value, json};

const CHECKING: &str = "Everyday Checking";

async fn link_checking(server: &TestServer, permissions: &[&str], prefetch: &[&str]) -> String {
    let linked = server
        .link_accounts(
            json!({
                "account_holder": { "type": "customer", "customer": "cus_permissions" },
                "permissions": permissions,
                "prefetch": prefetch,
            }),
            CREDENTIALS_BANK,
            &[CHECKING],
        )
        .await;
    linked.id(0)
}

async fn expect_permission_missing(response: reqwest::Response, permission: &str) {
    let error = expect_error(
        response,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "permission_missing",
    )
    .await;
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains(&format!("'{permission}'")),
        "the message names {permission}: {message}"
    );
}

async fn owners(server: &TestServer, id: &str) -> reqwest::Response {
    server
        .get(&format!("/v1/financial_connections/accounts/{id}/owners"))
        .await
}

async fn transactions(server: &TestServer, id: &str) -> reqwest::Response {
    server
        .get(&format!(
            "/v1/financial_connections/transactions?account={id}"
        ))
        .await
}

async fn account_numbers(server: &TestServer, id: &str) -> reqwest::Response {
    server
        .get(&format!(
            "/v1/financial_connections/accounts/{id}/account_numbers"
        ))
        .await
}

/// Refreshing a feature without its permission is refused, naming the permission.
async fn refresh_refused(server: &TestServer, id: &str, feature: &str, permission: &str) {
    expect_permission_missing(server.refresh(id, &[feature]).await, permission).await;
}

#[tokio::test]
async fn balances_open_the_balance_and_nothing_else() {
    let server = TestServer::start().await;
    let id = link_checking(&server, &["balances"], &["balance"]).await;
    let account = server.refreshed(&id, "balance").await;
    assert_eq!(account["permissions"], json!(["balances"]));
    assert_eq!(account["balance_refresh"]["status"], "succeeded");
    assert_eq!(account["balance"]["current"], json!({ "usd": 524_312 }));
    assert_eq!(account["balance"]["available"], json!({ "usd": 519_812 }));
    assert!(account["balance"]["as_of"].is_i64());
    assert_eq!(account["ownership"], Value::Null);
    assert_eq!(account["ownership_refresh"], Value::Null);
    assert_eq!(account["transaction_refresh"], Value::Null);
    expect_permission_missing(owners(&server, &id).await, "ownership").await;
    expect_permission_missing(transactions(&server, &id).await, "transactions").await;
    expect_permission_missing(account_numbers(&server, &id).await, "payment_method").await;
    refresh_refused(&server, &id, "ownership", "ownership").await;
    refresh_refused(&server, &id, "transactions", "transactions").await;
}

#[tokio::test]
async fn ownership_opens_the_owners_and_nothing_else() {
    let server = TestServer::start().await;
    let id = link_checking(&server, &["ownership"], &["ownership"]).await;
    let account = server.refreshed(&id, "ownership").await;
    assert_eq!(account["ownership_refresh"]["status"], "succeeded");
    let ownership = account["ownership"].as_str().expect("ownership id");
    assert!(ownership.starts_with("fcaowns_"));
    assert_eq!(account["balance"], Value::Null);
    assert_eq!(account["balance_refresh"], Value::Null);
    assert_eq!(account["transaction_refresh"], Value::Null);
    let list = expect_status(owners(&server, &id).await, StatusCode::OK).await;
    assert_eq!(list["object"], "list");
    let owner = &list["data"][0];
    assert_eq!(owner["object"], "financial_connections.account_owner");
    assert_eq!(owner["name"], "Jenny Rosen");
    assert_eq!(owner["email"], "jenny.rosen@example.com");
    assert_eq!(owner["phone"], "+14155550100");
    assert_eq!(
        owner["raw_address"],
        "510 Townsend St, San Francisco, CA 94103, US"
    );
    assert_eq!(owner["ownership"], ownership);
    expect_permission_missing(transactions(&server, &id).await, "transactions").await;
    expect_permission_missing(account_numbers(&server, &id).await, "payment_method").await;
    refresh_refused(&server, &id, "balance", "balances").await;
}

#[tokio::test]
async fn transactions_open_the_transactions_and_nothing_else() {
    let server = TestServer::start().await;
    let id = link_checking(&server, &["transactions"], &["transactions"]).await;
    let account = server.refreshed(&id, "transaction").await;
    let refresh = &account["transaction_refresh"];
    assert_eq!(refresh["status"], "succeeded");
    assert!(
        refresh["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("fctxnref_"))
    );
    assert_eq!(account["balance"], Value::Null);
    assert_eq!(account["ownership"], Value::Null);
    let list = expect_status(transactions(&server, &id).await, StatusCode::OK).await;
    let first = &list["data"][0];
    assert_eq!(first["object"], "financial_connections.transaction");
    assert_eq!(first["account"], id.as_str());
    assert_eq!(first["currency"], "usd");
    assert!(first["amount"].is_i64() && first["transacted_at"].is_i64());
    assert_eq!(first["transaction_refresh"], refresh["id"]);
    expect_permission_missing(owners(&server, &id).await, "ownership").await;
    expect_permission_missing(account_numbers(&server, &id).await, "payment_method").await;
    refresh_refused(&server, &id, "balance", "balances").await;
}

#[tokio::test]
async fn payment_method_opens_the_account_numbers_to_the_integrator_and_nothing_else() {
    let server = TestServer::start().await;
    let id = link_checking(&server, &["payment_method"], &[]).await;
    let numbers = expect_status(account_numbers(&server, &id).await, StatusCode::OK).await;
    assert_eq!(numbers["object"], "financial_connections.account_numbers");
    assert_eq!(numbers["account"], id.as_str());
    assert_eq!(numbers["routing_number"], "110000013");
    let account_number = numbers["account_number"].as_str().expect("number");
    assert!(account_number.len() == 12 && account_number.ends_with("6789"));
    assert_eq!(numbers["account_type"], "checking");
    assert_eq!(numbers["supported_networks"], json!(["ach"]));

    let account = server.account(&id).await;
    assert!(
        !account.to_string().contains(account_number),
        "the account object never carries the number"
    );
    assert_eq!(account["balance"], Value::Null);
    expect_permission_missing(owners(&server, &id).await, "ownership").await;
    expect_permission_missing(transactions(&server, &id).await, "transactions").await;
    refresh_refused(&server, &id, "balance", "balances").await;

    let missing = account_numbers(&server, "fca_doesnotexist").await;
    expect_error(
        missing,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
    let anonymous = server
        .http
        .get(server.url(&format!(
            "/v1/financial_connections/accounts/{id}/account_numbers"
        )))
        .send()
        .await
        .expect("sent");
    expect_error(
        anonymous,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_missing",
    )
    .await;
}

#[tokio::test]
async fn account_numbers_never_reach_the_browser() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            json!({ "permissions": ["payment_method"] }),
            CREDENTIALS_BANK,
            &[CHECKING],
        )
        .await;
    let numbers = expect_status(
        account_numbers(&server, &linked.id(0)).await,
        StatusCode::OK,
    )
    .await;
    let account_number = numbers["account_number"].as_str().expect("number");
    // The client secret opens nothing after completion, and never the integrator API.
    let with_client_secret = server
        .link(
            &linked.client_secret,
            reqwest::Method::GET,
            &format!(
                "/v1/financial_connections/accounts/{}/account_numbers",
                linked.id(0)
            ),
        )
        .send()
        .await
        .expect("sent");
    expect_error(
        with_client_secret,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_invalid",
    )
    .await;
    let session = server
        .get(&format!(
            "/v1/financial_connections/sessions/{}",
            linked.session_id
        ))
        .await
        .text()
        .await
        .expect("body");
    assert!(!session.contains(account_number));
}

#[tokio::test]
async fn prefetch_fetches_every_named_feature_right_after_linking() {
    let server = TestServer::start().await;
    let id = link_checking(
        &server,
        &["balances", "ownership", "transactions"],
        &["balance", "ownership", "transactions"],
    )
    .await;
    let account = server
        .account_when(&id, "every prefetch to end", |account| {
            [
                "balance_refresh",
                "ownership_refresh",
                "transaction_refresh",
            ]
            .iter()
            .all(|field| account[*field]["status"] == "succeeded")
        })
        .await;
    assert_eq!(account["balance"]["current"], json!({ "usd": 524_312 }));
    assert!(account["ownership"].is_string());
    let list = expect_status(transactions(&server, &id).await, StatusCode::OK).await;
    assert!(!list["data"].as_array().expect("data").is_empty());
}

#[tokio::test]
async fn without_prefetch_nothing_is_fetched_until_a_refresh() {
    let server = TestServer::start().await;
    let id = link_checking(&server, &["balances", "ownership", "transactions"], &[]).await;
    let account = server.account(&id).await;
    for field in [
        "balance",
        "balance_refresh",
        "ownership",
        "ownership_refresh",
        "transaction_refresh",
    ] {
        assert_eq!(account[field], Value::Null, "{field}");
    }
    let owners = expect_status(owners(&server, &id).await, StatusCode::OK).await;
    assert_eq!(owners["data"], json!([]), "no owners fetched yet");
    let list = expect_status(transactions(&server, &id).await, StatusCode::OK).await;
    assert_eq!(list["data"], json!([]));
}

#[tokio::test]
async fn a_joint_account_lists_every_owner_and_one_without_owner_data_none() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            json!({ "permissions": ["ownership"], "prefetch": ["ownership"] }),
            "ins_ownership_test",
            &["Joint Checking", "Savings Without Owner Data"],
        )
        .await;
    let joint = linked.id(0);
    let without = linked.id(1);
    server.refreshed(&joint, "ownership").await;
    server.refreshed(&without, "ownership").await;
    let names: Vec<Value> =
        expect_status(owners(&server, &joint).await, StatusCode::OK).await["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|owner| owner["name"].clone())
            .collect();
    assert_eq!(names, vec![json!("Jenny Rosen"), json!("Alex Rosen")]);
    let none = expect_status(owners(&server, &without).await, StatusCode::OK).await;
    assert_eq!(none["data"], json!([]));
    // Another account's ownership id is not this account's.
    let joint_ownership = server.account(&joint).await["ownership"]
        .as_str()
        .expect("ownership")
        .to_owned();
    let foreign = server
        .get(&format!(
            "/v1/financial_connections/accounts/{without}/owners?ownership={joint_ownership}"
        ))
        .await;
    expect_error(
        foreign,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
}
