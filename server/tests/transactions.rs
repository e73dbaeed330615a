//! Transactions over HTTP: cursor pagination walks every transaction exactly once, newest
//! first; `transacted_at` and `transaction_refresh[after]` filter; malformed cursors and
//! cursors of another account are refused clearly; subscriptions refresh daily on the app clock.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{CREDENTIALS_BANK, TestServer, expect_error, expect_status};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn link_with_transactions(server: &TestServer, names: &[&str]) -> Vec<String> {
    let linked = server
        .link_accounts(
            json!({ "permissions": ["transactions"], "prefetch": ["transactions"] }),
            CREDENTIALS_BANK,
            names,
        )
        .await;
    let ids: Vec<String> = (0..names.len()).map(|index| linked.id(index)).collect();
    for id in &ids {
        let done = server.refreshed(id, "transaction").await;
        assert_eq!(done["transaction_refresh"]["status"], "succeeded");
    }
    ids
}

async fn page(server: &TestServer, query: &str) -> Value {
    expect_status(
        server
            .get(&format!("/v1/financial_connections/transactions?{query}"))
            .await,
        StatusCode::OK,
    )
    .await
}

/// Every transaction of the account, walked page by page with `limit`.
async fn walk(server: &TestServer, account: &str, limit: usize) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(after) => format!("account={account}&limit={limit}&starting_after={after}"),
            None => format!("account={account}&limit={limit}"),
        };
        let list = page(server, &query).await;
        let data = list["data"].as_array().expect("data").clone();
        assert!(data.len() <= limit);
        let has_more = list["has_more"].as_bool().expect("has_more");
        cursor = data
            .last()
            .and_then(|last| last["id"].as_str())
            .map(str::to_owned);
        all.extend(data);
        if !has_more {
            return all;
        }
        assert!(all.len() < 10_000, "the walk ends");
    }
}

#[tokio::test]
async fn pagination_walks_every_transaction_exactly_once_newest_first() {
    let server = TestServer::start().await;
    let ids = link_with_transactions(&server, &["Everyday Checking"]).await;
    let account = &ids[0];
    let whole = walk(&server, account, 100).await;
    assert!(whole.len() > 20, "a 90-day history: {}", whole.len());
    for limit in [1, 7, 10] {
        let walked = walk(&server, account, limit).await;
        let walked_ids: Vec<&str> = walked.iter().filter_map(|t| t["id"].as_str()).collect();
        let unique: HashSet<&str> = walked_ids.iter().copied().collect();
        assert_eq!(
            unique.len(),
            walked_ids.len(),
            "no transaction twice (limit {limit})"
        );
        let whole_ids: Vec<&str> = whole.iter().filter_map(|t| t["id"].as_str()).collect();
        assert_eq!(
            walked_ids, whole_ids,
            "every transaction, same order (limit {limit})"
        );
    }
    let times: Vec<i64> = whole
        .iter()
        .filter_map(|t| t["transacted_at"].as_i64())
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first"
    );
    let statuses: HashSet<&str> = whole.iter().filter_map(|t| t["status"].as_str()).collect();
    assert!(statuses.contains("pending") && statuses.contains("posted"));
    let pending = whole
        .iter()
        .find(|t| t["status"] == "pending")
        .expect("pending");
    assert_eq!(pending["status_transitions"]["posted_at"], Value::Null);
    let posted = whole
        .iter()
        .find(|t| t["status"] == "posted")
        .expect("posted");
    assert!(posted["status_transitions"]["posted_at"].is_i64());
    let one = expect_status(
        server
            .get(&format!(
                "/v1/financial_connections/transactions/{}",
                posted["id"].as_str().expect("id")
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(&one, posted);
}

#[tokio::test]
async fn transacted_at_bounds_split_the_history_without_overlap() {
    let server = TestServer::start().await;
    let ids = link_with_transactions(&server, &["Everyday Checking"]).await;
    let account = &ids[0];
    let whole = walk(&server, account, 100).await;
    let pivot = whole[whole.len() / 2]["transacted_at"]
        .as_i64()
        .expect("time");
    let count = |query: String| {
        let server = &server;
        async move {
            let list = page(server, &format!("account={account}&limit=100&{query}")).await;
            assert_eq!(list["has_more"], false);
            list["data"].as_array().expect("data").clone()
        }
    };
    let from = count(format!("transacted_at[gte]={pivot}")).await;
    let before = count(format!("transacted_at[lt]={pivot}")).await;
    assert_eq!(from.len() + before.len(), whole.len());
    assert!(
        from.iter()
            .all(|t| t["transacted_at"].as_i64() >= Some(pivot))
    );
    assert!(
        before
            .iter()
            .all(|t| t["transacted_at"].as_i64() < Some(pivot))
    );
    let after = count(format!("transacted_at[gt]={pivot}")).await;
    let until = count(format!("transacted_at[lte]={pivot}")).await;
    assert_eq!(after.len() + until.len(), whole.len());
    let exactly = count(format!(
        "transacted_at[gte]={pivot}&transacted_at[lte]={pivot}"
    ))
    .await;
    assert!(!exactly.is_empty());
    assert!(exactly.iter().all(|t| t["transacted_at"] == pivot));
    let empty = count(format!(
        "transacted_at[gt]={pivot}&transacted_at[lt]={pivot}"
    ))
    .await;
    assert!(empty.is_empty());
    let query = "transacted_at[gte]=yesterday".to_owned();
    let bad = server
        .get(&format!(
            "/v1/financial_connections/transactions?account={account}&{query}"
        ))
        .await;
    expect_error(
        bad,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
}

#[tokio::test]
async fn transaction_refresh_after_lists_only_what_later_refreshes_changed() {
    let server = TestServer::start().await;
    let ids = link_with_transactions(&server, &["Everyday Checking"]).await;
    let account = &ids[0];
    let first = server.account(account).await["transaction_refresh"]["id"]
        .as_str()
        .expect("refresh id")
        .to_owned();
    let whole = walk(&server, account, 100).await;
    assert!(
        whole
            .iter()
            .all(|t| t["transaction_refresh"] == first.as_str())
    );
    server.clock.advance(60);
    expect_status(
        server.refresh(account, &["transactions"]).await,
        StatusCode::OK,
    )
    .await;
    let second = server.refreshed(account, "transaction").await["transaction_refresh"]["id"]
        .as_str()
        .expect("refresh id")
        .to_owned();
    assert_ne!(first, second);
    let unchanged = page(
        &server,
        &format!("account={account}&transaction_refresh[after]={first}"),
    )
    .await;
    assert_eq!(
        unchanged["data"],
        json!([]),
        "the bank's history did not change"
    );
    assert_eq!(
        walk(&server, account, 100).await.len(),
        whole.len(),
        "a refresh never duplicates"
    );
}

#[tokio::test]
async fn malformed_cursors_and_cursors_of_another_account_are_refused_clearly() {
    let server = TestServer::start().await;
    let ids = link_with_transactions(&server, &["Everyday Checking", "High-Yield Savings"]).await;
    let (checking, savings) = (&ids[0], &ids[1]);
    let savings_transaction = page(&server, &format!("account={savings}&limit=1")).await["data"][0]
        ["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let savings_refresh = server.account(savings).await["transaction_refresh"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let cases = [
        (
            "starting_after=garbage",
            "starting_after",
            "is not a transaction id",
        ),
        (
            "starting_after=fctxn_",
            "starting_after",
            "is not a transaction id",
        ),
        (
            "starting_after=fctxn_DoesNotExist000000000000",
            "starting_after",
            "no transaction",
        ),
        (
            &format!("starting_after={savings_transaction}") as &str,
            "starting_after",
            "belongs to another account",
        ),
        (
            "transaction_refresh[after]=fctxn_abc",
            "transaction_refresh[after]",
            "is not a transaction refresh id",
        ),
        (
            &format!("transaction_refresh[after]={savings_refresh}"),
            "transaction_refresh[after]",
            "no transaction refresh",
        ),
        ("limit=0", "limit", "between 1 and 100"),
        ("limit=101", "limit", "between 1 and 100"),
    ];
    for (query, param, says) in cases {
        let response = server
            .get(&format!(
                "/v1/financial_connections/transactions?account={checking}&{query}"
            ))
            .await;
        let error = expect_error(
            response,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
        )
        .await;
        assert_eq!(error["param"], param, "{query}");
        assert!(
            error["message"].as_str().is_some_and(|m| m.contains(says)),
            "{query}: {error}"
        );
    }
    let missing = server.get("/v1/financial_connections/transactions").await;
    let error = expect_error(
        missing,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;
    assert_eq!(error["param"], "account");
    let unknown = server
        .get("/v1/financial_connections/transactions?account=fca_nope")
        .await;
    expect_error(
        unknown,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
}

#[tokio::test]
async fn a_subscription_refreshes_transactions_daily_until_unsubscribed() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            json!({ "permissions": ["transactions"] }),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let id = linked.id(0);
    let path = |action: &str| format!("/v1/financial_connections/accounts/{id}/{action}");
    let subscribed = expect_status(
        server
            .post(&path("subscribe"), json!({ "features": ["transactions"] }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(subscribed["subscriptions"], json!(["transactions"]));
    let first = server.refreshed(&id, "transaction").await["transaction_refresh"]["id"].clone();
    assert!(first.is_string(), "subscribing refreshes at once");

    server.clock.advance(24 * 60 * 60);
    let daily = server
        .account_when(&id, "the daily refresh", |account| {
            account["transaction_refresh"]["id"] != first
                && account["transaction_refresh"]["status"] == "succeeded"
        })
        .await;
    let second = daily["transaction_refresh"]["id"].clone();

    let unsubscribed = expect_status(
        server
            .post(
                &path("unsubscribe"),
                json!({ "features": ["transactions"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unsubscribed["subscriptions"], json!([]));
    server.clock.advance(24 * 60 * 60);
    // The scheduler looks every 20 ms: ten looks are plenty to see it does nothing.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.account(&id).await["transaction_refresh"]["id"],
        second
    );
}

#[tokio::test]
async fn subscriptions_take_transactions_only_and_need_the_permission() {
    let server = TestServer::start().await;
    let linked = server
        .link_accounts(
            json!({ "permissions": ["balances"] }),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let id = linked.id(0);
    let subscribe = format!("/v1/financial_connections/accounts/{id}/subscribe");
    let error = expect_error(
        server
            .post(&subscribe, json!({ "features": ["balance"] }))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    assert_eq!(error["param"], "features");
    expect_error(
        server
            .post(&subscribe, json!({ "features": ["transactions"] }))
            .await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "permission_missing",
    )
    .await;
}
