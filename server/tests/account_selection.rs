//! `account_selection`: a session lets the person link one account or several, over real HTTP
//! with a real SQLite file.

mod common;

use common::{TestServer, expect_error, expect_status};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PERMISSIONS: [&str; 2] = ["payment_method", "balances"];

/// Creates a session with `extra` fields, consents, and logs in at the credentials bank.
/// Returns the client secret, the authorization and the accounts offered.
async fn authorized(server: &TestServer, extra: Value) -> (String, Value, Vec<Value>) {
    let mut body = json!({ "permissions": PERMISSIONS });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let secret = server.consented_secret_for(body).await;
    let (authorization, offered) = server.logged_in(&secret, "ins_sandbox_credentials").await;
    (secret, authorization, offered)
}

fn id_of<'a>(accounts: &'a [Value], name: &str) -> &'a str {
    accounts
        .iter()
        .find(|account| account["display_name"] == name)
        .and_then(|account| account["id"].as_str())
        .unwrap_or_else(|| panic!("no account {name} in {accounts:?}"))
}

async fn attach(
    server: &TestServer,
    secret: &str,
    authorization: &Value,
    key: &str,
    ids: &[&str],
) -> reqwest::Response {
    let id = authorization["id"].as_str().expect("id");
    server
        .link(
            secret,
            Method::POST,
            &format!("/v1/link/authorizations/{id}/attach"),
        )
        .header("Idempotency-Key", key)
        .json(&json!({ "accounts": ids }))
        .send()
        .await
        .expect("sent")
}

async fn link_session(server: &TestServer, secret: &str) -> Value {
    expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn a_session_lets_the_person_link_several_accounts_unless_it_says_otherwise() {
    let server = TestServer::start().await;
    let session = server
        .create_session(json!({ "permissions": PERMISSIONS }))
        .await;
    assert_eq!(session["account_selection"], "multiple");
    let secret = session["client_secret"].as_str().expect("client_secret");
    assert_eq!(
        link_session(&server, secret).await["account_selection"],
        "multiple"
    );

    let (secret, authorization, offered) = authorized(&server, json!({})).await;
    let both = [
        id_of(&offered, "Everyday Checking"),
        id_of(&offered, "High-Yield Savings"),
    ];
    let result = expect_status(
        attach(&server, &secret, &authorization, "both", &both).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["accounts"].as_array().expect("accounts").len(), 2);
}

#[tokio::test]
async fn a_single_account_session_refuses_two_accounts_and_links_one() {
    let server = TestServer::start().await;
    let (secret, authorization, offered) =
        authorized(&server, json!({ "account_selection": "single" })).await;
    let session = link_session(&server, &secret).await;
    assert_eq!(session["account_selection"], "single");

    let checking = id_of(&offered, "Everyday Checking");
    let savings = id_of(&offered, "High-Yield Savings");
    let error = expect_error(
        attach(
            &server,
            &secret,
            &authorization,
            "two",
            &[checking, savings],
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "too_many_accounts_selected",
    )
    .await;
    assert_eq!(error["param"], "accounts");

    // The refusal linked nothing: one account goes through.
    let result = expect_status(
        attach(&server, &secret, &authorization, "one", &[savings]).await,
        StatusCode::OK,
    )
    .await;
    let linked = result["accounts"].as_array().expect("accounts");
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["display_name"], "High-Yield Savings");

    // A second account afterwards, under another key, would make two.
    expect_error(
        attach(&server, &secret, &authorization, "another", &[checking]).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "too_many_accounts_selected",
    )
    .await;
    // The first attach again, under its key, answers as before.
    let again = expect_status(
        attach(&server, &secret, &authorization, "one", &[savings]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again, result);

    let done = expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let session_id = done["session"].as_str().expect("session id");
    let session = expect_status(
        server
            .integrator(
                Method::GET,
                &format!("/v1/financial_connections/sessions/{session_id}"),
            )
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(session["account_selection"], "single");
    let accounts = session["accounts"]["data"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["display_name"], "High-Yield Savings");
}

#[tokio::test]
async fn the_account_selection_is_kept_in_the_database_across_a_restart() {
    let server = TestServer::start().await;
    let session = server
        .create_session(json!({ "permissions": PERMISSIONS, "account_selection": "single" }))
        .await;
    let secret = session["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_owned();
    let server = server.restart().await;
    assert_eq!(
        link_session(&server, &secret).await["account_selection"],
        "single"
    );
}

#[tokio::test]
async fn an_account_selection_other_than_single_or_multiple_is_refused() {
    let server = TestServer::start().await;
    for value in [json!("one"), json!(1), json!(null)] {
        let response = server
            .integrator(Method::POST, "/v1/financial_connections/sessions")
            .json(&json!({ "permissions": PERMISSIONS, "account_selection": value }))
            .send()
            .await
            .expect("sent");
        let body = expect_status(response, StatusCode::BAD_REQUEST).await;
        assert_eq!(body["error"]["type"], "invalid_request_error", "{value}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains("account_selection")),
            "the message names the field: {body}"
        );
    }
}
