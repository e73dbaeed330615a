//! After linking: relinking the same bank account for the same account holder updates the
//! account instead of duplicating it; disconnecting revokes the bank grant and stops data
//! access, while the data fetched before stays readable.

mod common;

use common::{CREDENTIALS_BANK, TestServer, eventually, expect_error, expect_status};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn session(customer: &str, permissions: &[&str], prefetch: &[&str]) -> Value {
    json!({
        "account_holder": { "type": "customer", "customer": customer },
        "permissions": permissions,
        "prefetch": prefetch,
    })
}

async fn holder_accounts(server: &TestServer, customer: &str) -> Vec<Value> {
    expect_status(
        server
            .get(&format!(
                "/v1/financial_connections/accounts?account_holder[customer]={customer}"
            ))
            .await,
        StatusCode::OK,
    )
    .await["data"]
        .as_array()
        .expect("data")
        .clone()
}

#[tokio::test]
async fn relinking_the_same_bank_account_updates_it_with_the_wider_permissions() {
    let server = TestServer::start().await;
    let first = server
        .link_accounts(
            session("cus_relink", &["balances"], &[]),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let id = first.id(0);
    let second = server
        .link_accounts(
            session("cus_relink", &["ownership", "transactions"], &["ownership"]),
            CREDENTIALS_BANK,
            &["Everyday Checking", "High-Yield Savings"],
        )
        .await;
    assert_eq!(second.id(0), id, "the same account, not a duplicate");
    assert_ne!(second.id(1), id);
    assert_eq!(
        second.accounts[0]["permissions"],
        json!(["balances", "ownership", "transactions"])
    );
    assert_eq!(
        second.accounts[1]["permissions"],
        json!(["ownership", "transactions"])
    );
    let accounts = holder_accounts(&server, "cus_relink").await;
    let ids: Vec<&str> = accounts.iter().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids, vec![id.as_str(), second.id(1).as_str()]);
    // The first session still lists its account; the wider permissions apply at once.
    let first_session = expect_status(
        server
            .get(&format!(
                "/v1/financial_connections/sessions/{}",
                first.session_id
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first_session["accounts"]["data"][0]["id"], id.as_str());
    let account = server.refreshed(&id, "ownership").await;
    assert_eq!(account["ownership_refresh"]["status"], "succeeded");
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    assert_eq!(
        server.refreshed(&id, "balance").await["balance_refresh"]["status"],
        "succeeded",
        "the new grant opens the data"
    );
    // The grant of the first link is no longer used by any account: finlink gave it up.
    // Only the new grant stays alive at the bank.
    live_grants_become(&server, 1).await;
}

#[tokio::test]
async fn without_an_account_holder_or_for_another_one_linking_again_creates_an_account() {
    let server = TestServer::start().await;
    let anonymous = json!({ "permissions": ["balances"] });
    let a = server
        .link_accounts(anonymous.clone(), CREDENTIALS_BANK, &["Everyday Checking"])
        .await;
    let b = server
        .link_accounts(anonymous, CREDENTIALS_BANK, &["Everyday Checking"])
        .await;
    assert_ne!(a.id(0), b.id(0));
    let c = server
        .link_accounts(
            session("cus_one", &["balances"], &[]),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let d = server
        .link_accounts(
            session("cus_two", &["balances"], &[]),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    assert_ne!(c.id(0), d.id(0));
}

#[tokio::test]
async fn disconnecting_revokes_the_grant_and_stops_data_access_but_keeps_fetched_data() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            session(
                "cus_disconnect",
                &["payment_method", "balances", "transactions"],
                &["balance", "transactions"],
            ),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let id = linked.id(0);
    let before = server
        .account_when(&id, "the prefetch", |account| {
            account["balance_refresh"]["status"] == "succeeded"
                && account["transaction_refresh"]["status"] == "succeeded"
        })
        .await;
    let transactions = format!("/v1/financial_connections/transactions?account={id}&limit=100");
    let listed = expect_status(server.get(&transactions).await, StatusCode::OK).await;
    assert_eq!(server.sandbox().live_grants(CREDENTIALS_BANK), 1);

    let disconnect = format!("/v1/financial_connections/accounts/{id}/disconnect");
    let disconnected =
        expect_status(server.post(&disconnect, json!({})).await, StatusCode::OK).await;
    assert_eq!(disconnected["status"], "disconnected");
    // The grant is revoked at the bank.
    live_grants_become(&server, 0).await;

    server.clock.advance(60);
    for feature in ["balance", "transactions"] {
        expect_error(
            server.refresh(&id, &[feature]).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "account_disconnected",
        )
        .await;
    }
    expect_error(
        server
            .get(&format!(
                "/v1/financial_connections/accounts/{id}/account_numbers"
            ))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "account_disconnected",
    )
    .await;
    expect_error(
        server
            .post(
                &format!("/v1/financial_connections/accounts/{id}/subscribe"),
                json!({ "features": ["transactions"] }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "account_disconnected",
    )
    .await;

    // What was fetched stays readable, unchanged.
    let after = server.account(&id).await;
    assert_eq!(after["balance"], before["balance"]);
    assert_eq!(after["permissions"], before["permissions"]);
    assert_eq!(
        expect_status(server.get(&transactions).await, StatusCode::OK).await,
        listed
    );
    // Disconnecting again changes nothing.
    let again = expect_status(server.post(&disconnect, json!({})).await, StatusCode::OK).await;
    assert_eq!(again["status"], "disconnected");
}

#[tokio::test]
async fn a_grant_shared_by_two_accounts_is_revoked_only_with_the_last_one() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            session("cus_shared", &["balances"], &[]),
            CREDENTIALS_BANK,
            &["Everyday Checking", "High-Yield Savings"],
        )
        .await;
    let (checking, savings) = (linked.id(0), linked.id(1));
    let disconnect = |id: &str| format!("/v1/financial_connections/accounts/{id}/disconnect");
    expect_status(
        server.post(&disconnect(&checking), json!({})).await,
        StatusCode::OK,
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(server.sandbox().live_grants(CREDENTIALS_BANK), 1);
    expect_status(server.refresh(&savings, &["balance"]).await, StatusCode::OK).await;
    assert_eq!(
        server.refreshed(&savings, "balance").await["balance_refresh"]["status"],
        "succeeded",
        "the other account still refreshes"
    );
    expect_status(
        server.post(&disconnect(&savings), json!({})).await,
        StatusCode::OK,
    )
    .await;
    live_grants_become(&server, 0).await;
}

#[tokio::test]
async fn relinking_a_disconnected_account_reactivates_it() {
    let server = TestServer::start().await;
    let first = server
        .link_accounts(
            session("cus_back", &["balances"], &[]),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let id = first.id(0);
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
    let again = server
        .link_accounts(
            session("cus_back", &["balances"], &["balance"]),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    assert_eq!(again.id(0), id);
    let account = server.refreshed(&id, "balance").await;
    assert_eq!(account["status"], "active");
    assert_eq!(account["balance_refresh"]["status"], "succeeded");
}

#[tokio::test]
async fn a_disconnect_while_a_refresh_is_pending_fails_the_refresh() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            session("cus_pending", &["balances"], &[]),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let id = linked.id(0);
    server.sandbox().set_fault(
        CREDENTIALS_BANK,
        Some(finlink_server::sandbox::BankFault::Stall),
    );
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    let disconnected = expect_status(
        server
            .post(
                &format!("/v1/financial_connections/accounts/{id}/disconnect"),
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(disconnected["balance_refresh"]["status"], "failed");
    server.sandbox().set_fault(CREDENTIALS_BANK, None);
    // The stalled bank call ends later; its data is dropped.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let account = server.account(&id).await;
    assert_eq!(account["balance_refresh"]["status"], "failed");
    assert_eq!(account["balance"], Value::Null);
}

/// Waits until the sandbox bank holds `count` live grants.
async fn live_grants_become(server: &TestServer, count: usize) {
    eventually(&format!("{count} live grants at the bank"), || async {
        (server.sandbox().live_grants(CREDENTIALS_BANK) == count).then_some(())
    })
    .await;
}
