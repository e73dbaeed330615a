//! The link API driven as the widget drives it, over real HTTP with a real SQLite file.

mod common;

use common::{TestServer, expect_error, expect_status};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn link_credentials_until_authorized(
    server: &TestServer,
    secret: &str,
    institution: &str,
    password: &str,
) -> Value {
    let authorization = server.start_authorization(secret, institution).await;
    assert_eq!(authorization["status"], "awaiting_credentials");
    let id = authorization["id"].as_str().expect("id").to_owned();
    let response = server
        .post_link(
            secret,
            &format!("/v1/link/authorizations/{id}/credentials"),
            json!({ "username": "jenny", "password": password }),
        )
        .await;
    expect_status(response, StatusCode::OK).await
}

async fn answer(server: &TestServer, secret: &str, authorization: &Value, answer: &str) -> Value {
    let id = authorization["id"].as_str().expect("id");
    let response = server
        .post_link(
            secret,
            &format!("/v1/link/authorizations/{id}/mfa"),
            json!({ "answer": answer }),
        )
        .await;
    expect_status(response, StatusCode::OK).await
}

async fn accounts(server: &TestServer, secret: &str, authorization: &Value) -> Vec<Value> {
    let id = authorization["id"].as_str().expect("id");
    let response = server
        .get_link(secret, &format!("/v1/link/authorizations/{id}/accounts"))
        .await;
    let list = expect_status(response, StatusCode::OK).await;
    list["data"].as_array().expect("data").clone()
}

fn account_named<'a>(accounts: &'a [Value], name: &str) -> &'a Value {
    accounts
        .iter()
        .find(|account| account["display_name"] == name)
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

#[tokio::test]
async fn the_link_session_shows_the_business_and_resumes_at_consent() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    let session = expect_status(
        server.get_link(&secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(session["business_name"], "Demo Shop");
    assert_eq!(
        session["permissions"],
        json!(["payment_method", "balances"])
    );
    assert_eq!(session["resume"]["step"], "consent");
    assert_eq!(session["consent_given"], false);
}

#[tokio::test]
async fn consent_must_name_exactly_the_permissions_asked() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    let response = server
        .post_link(
            &secret,
            "/v1/link/consent",
            json!({ "permissions": ["balances"] }),
        )
        .await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    let response = server
        .post_link(
            &secret,
            "/v1/link/consent",
            json!({ "permissions": ["balances", "payment_method"] }),
        )
        .await;
    let session = expect_status(response, StatusCode::OK).await;
    assert_eq!(session["resume"]["step"], "select_institution");
}

#[tokio::test]
async fn no_authorization_starts_before_consent() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    let response = server
        .post_link(
            &secret,
            "/v1/link/authorizations",
            json!({ "institution": "ins_sandbox_credentials" }),
        )
        .await;
    expect_error(
        response,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "consent_required",
    )
    .await;
}

#[tokio::test]
async fn an_empty_search_offers_featured_institutions_and_a_query_finds_the_sandbox_banks() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let featured = expect_status(
        server.get_link(&secret, "/v1/link/institutions").await,
        StatusCode::OK,
    )
    .await;
    let featured = featured["data"].as_array().expect("data").clone();
    assert!(!featured.is_empty() && featured.len() <= 10);
    assert!(
        featured
            .iter()
            .all(|institution| institution["featured"] == true)
    );
    let found = expect_status(
        server
            .get_link(&secret, "/v1/link/institutions?query=sandbox&limit=5")
            .await,
        StatusCode::OK,
    )
    .await;
    let names: Vec<&str> = found["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Sandbox Bank (OAuth)") && names.contains(&"Sandbox Bank (Credentials)"),
        "{names:?}"
    );
    assert!(names.len() <= 5);
}

#[tokio::test]
async fn a_good_password_links_the_chosen_accounts_and_the_integrator_reads_them() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let authorization =
        link_credentials_until_authorized(&server, &secret, "ins_sandbox_credentials", "pass_good")
            .await;
    assert_eq!(authorization["status"], "authorized");
    let offered = accounts(&server, &secret, &authorization).await;
    let checking = account_named(&offered, "Everyday Checking");
    assert_eq!(checking["last4"], "6789");
    assert_eq!(checking["subcategory"], "checking");
    assert_eq!(checking["unselectable_reason"], Value::Null);
    let card = account_named(&offered, "Rewards Credit Card");
    assert_eq!(card["unselectable_reason"], "unsupported_for_payments");

    let checking_id = checking["id"].as_str().expect("id");
    let result = expect_status(
        attach(&server, &secret, &authorization, "attach-1", &[checking_id]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["accounts"][0]["display_name"], "Everyday Checking");
    assert!(
        result["accounts"][0].get("account_number").is_none(),
        "numbers never reach the browser"
    );

    let done = expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["status"], "completed");
    let session_id = done["session"].as_str().expect("session id");

    let response = server
        .integrator(
            Method::GET,
            &format!("/v1/financial_connections/sessions/{session_id}"),
        )
        .send()
        .await
        .expect("sent");
    let session = expect_status(response, StatusCode::OK).await;
    assert_eq!(session["status"], "completed");
    assert!(
        session.get("client_secret").is_none(),
        "the secret is only shown at creation"
    );
    let linked = session["accounts"]["data"].as_array().expect("accounts");
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0]["last4"], "6789");
    assert_eq!(
        linked[0]["supported_payment_method_types"],
        json!(["us_bank_account"])
    );
    assert_eq!(linked[0]["institution_name"], "Sandbox Bank (Credentials)");

    let account_id = linked[0]["id"].as_str().expect("id");
    let response = server
        .integrator(
            Method::GET,
            &format!("/v1/financial_connections/accounts/{account_id}"),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(
        expect_status(response, StatusCode::OK).await["display_name"],
        "Everyday Checking"
    );
    let response = server
        .integrator(
            Method::GET,
            "/v1/financial_connections/accounts?account_holder[customer]=cus_1",
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(
        expect_status(response, StatusCode::OK).await["data"]
            .as_array()
            .expect("data")
            .len(),
        1
    );
}

#[tokio::test]
async fn each_kind_of_mfa_is_asked_and_answered() {
    let cases = [
        ("pass_mfa_code", "code", "123456"),
        ("pass_mfa_question", "question", "blue"),
        ("pass_mfa_selection", "selection", "Yes"),
    ];
    let server = TestServer::start().await;
    for (password, kind, right_answer) in cases {
        let secret = server.consented_secret().await;
        let challenged = link_credentials_until_authorized(
            &server,
            &secret,
            "ins_sandbox_credentials",
            password,
        )
        .await;
        assert_eq!(challenged["status"], "awaiting_mfa", "{password}");
        assert_eq!(challenged["challenge"]["type"], kind);
        if kind == "selection" {
            assert!(
                challenged["challenge"]["options"]
                    .as_array()
                    .is_some_and(|options| options.contains(&json!("Yes")))
            );
        }
        let wrong = answer(&server, &secret, &challenged, "wrong-answer").await;
        assert_eq!(
            wrong["status"], "awaiting_mfa",
            "a wrong answer can be corrected ({password})"
        );
        assert_eq!(wrong["error"]["code"], "invalid_mfa_answer");
        let authorized = answer(&server, &secret, &challenged, right_answer).await;
        assert_eq!(authorized["status"], "authorized", "{password}");
        assert!(!accounts(&server, &secret, &authorized).await.is_empty());
    }
}

#[tokio::test]
async fn a_wrong_password_can_be_retried_until_the_login_locks() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let authorization = server
        .start_authorization(&secret, "ins_sandbox_credentials")
        .await;
    let id = authorization["id"].as_str().expect("id");
    let path = format!("/v1/link/authorizations/{id}/credentials");
    let mut last = Value::Null;
    for expected_remaining in (0..5).rev() {
        let response = server
            .post_link(
                &secret,
                &path,
                json!({ "username": "locky", "password": "nope" }),
            )
            .await;
        last = expect_status(response, StatusCode::OK).await;
        if expected_remaining > 0 {
            assert_eq!(last["status"], "awaiting_credentials");
            assert_eq!(last["error"]["code"], "invalid_credentials");
            assert_eq!(last["attempts_remaining"], expected_remaining);
        }
    }
    assert_eq!(last["status"], "failed");
    assert_eq!(last["error"]["code"], "account_locked");
    let response = server
        .post_link(
            &secret,
            &path,
            json!({ "username": "locky", "password": "pass_good" }),
        )
        .await;
    expect_error(
        response,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "authorization_state_invalid",
    )
    .await;
    // Starting again is always possible.
    let again = server
        .start_authorization(&secret, "ins_sandbox_credentials")
        .await;
    assert_eq!(again["status"], "awaiting_credentials");
}

#[tokio::test]
async fn a_fatal_bank_error_fails_the_authorization_with_an_institution_error() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let failed = link_credentials_until_authorized(
        &server,
        &secret,
        "ins_sandbox_credentials",
        "pass_error",
    )
    .await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["type"], "institution_error");
    let session = expect_status(
        server.get_link(&secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        session["resume"]["step"], "select_institution",
        "a failed login resumes at the bank list"
    );
}

#[tokio::test]
async fn down_banks_are_refused_with_the_matching_error() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    for (institution, code) in [
        ("ins_down_scheduled", "institution_down_scheduled"),
        ("ins_down_unscheduled", "institution_down_unscheduled"),
    ] {
        let response = server
            .post_link(
                &secret,
                "/v1/link/authorizations",
                json!({ "institution": institution }),
            )
            .await;
        expect_error(
            response,
            StatusCode::SERVICE_UNAVAILABLE,
            "institution_error",
            code,
        )
        .await;
    }
    let erroring =
        link_credentials_until_authorized(&server, &secret, "ins_down_error", "pass_good").await;
    assert_eq!(erroring["status"], "failed");
    assert_eq!(erroring["error"]["code"], "institution_error");
}

#[tokio::test]
async fn invalid_payment_accounts_are_offered_but_cannot_be_linked_for_payments() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let authorization =
        link_credentials_until_authorized(&server, &secret, "ins_invalid_payment", "pass_good")
            .await;
    let offered = accounts(&server, &secret, &authorization).await;
    assert!(offered.len() >= 3);
    assert!(
        offered
            .iter()
            .all(|account| !account["unselectable_reason"].is_null()),
        "{offered:?}"
    );
    let id = offered[0]["id"].as_str().expect("id");
    let error = expect_error(
        attach(&server, &secret, &authorization, "k1", &[id]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_request_error",
        "account_not_selectable",
    )
    .await;
    assert_eq!(error["param"], "accounts");
}

#[tokio::test]
async fn attach_is_idempotent_per_key_and_refuses_a_reused_key_with_another_body() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let authorization =
        link_credentials_until_authorized(&server, &secret, "ins_sandbox_credentials", "pass_good")
            .await;
    let offered = accounts(&server, &secret, &authorization).await;
    let checking = account_named(&offered, "Everyday Checking")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let savings = account_named(&offered, "High-Yield Savings")["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let first = expect_status(
        attach(&server, &secret, &authorization, "key-A", &[&checking]).await,
        StatusCode::OK,
    )
    .await;
    let replay = expect_status(
        attach(&server, &secret, &authorization, "key-A", &[&checking]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first, replay);
    assert_eq!(
        replay["accounts"].as_array().expect("accounts").len(),
        1,
        "linked once"
    );

    let response = attach(&server, &secret, &authorization, "key-A", &[&savings]).await;
    expect_error(
        response,
        StatusCode::CONFLICT,
        "idempotency_error",
        "idempotency_key_in_use",
    )
    .await;

    let missing_key = server
        .post_link(
            &secret,
            &format!(
                "/v1/link/authorizations/{}/attach",
                authorization["id"].as_str().expect("id")
            ),
            json!({ "accounts": [savings] }),
        )
        .await;
    expect_error(
        missing_key,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;

    let done = expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["accounts"].as_array().expect("accounts").len(), 1);
}

#[tokio::test]
async fn a_session_completes_once_and_its_secret_then_opens_nothing() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let again = server
        .post_link(&secret, "/v1/link/complete", json!({}))
        .await;
    expect_error(
        again,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_completed",
    )
    .await;
    let read = server.get_link(&secret, "/v1/link/session").await;
    expect_error(
        read,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_completed",
    )
    .await;
}

#[tokio::test]
async fn a_cancelled_session_says_so_to_the_widget_and_the_integrator() {
    let server = TestServer::start().await;
    let session = server
        .create_session(json!({ "permissions": ["balances"] }))
        .await;
    let secret = session["client_secret"].as_str().expect("secret");
    let cancelled = expect_status(
        server.post_link(secret, "/v1/link/cancel", json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["accounts"], json!([]));
    expect_error(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_cancelled",
    )
    .await;
    let id = session["id"].as_str().expect("id");
    let response = server
        .integrator(
            Method::GET,
            &format!("/v1/financial_connections/sessions/{id}"),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(
        expect_status(response, StatusCode::OK).await["status"],
        "cancelled"
    );
}

#[tokio::test]
async fn a_session_expires_after_thirty_idle_minutes_but_activity_keeps_it_open() {
    let server = TestServer::start().await;
    let session = server
        .create_session(json!({ "permissions": ["balances"] }))
        .await;
    let secret = session["client_secret"].as_str().expect("secret");
    server.clock.advance(29 * 60);
    expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    server.clock.advance(29 * 60);
    expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    server.clock.advance(30 * 60);
    expect_error(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_expired",
    )
    .await;
    let id = session["id"].as_str().expect("id");
    let response = server
        .integrator(
            Method::GET,
            &format!("/v1/financial_connections/sessions/{id}"),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(
        expect_status(response, StatusCode::OK).await["status"],
        "expired"
    );
}

#[tokio::test]
async fn a_session_expires_after_four_hours_even_when_active() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    for _ in 0..8 {
        server.clock.advance(29 * 60);
        expect_status(
            server.get_link(&secret, "/v1/link/session").await,
            StatusCode::OK,
        )
        .await;
    }
    server.clock.advance(29 * 60);
    expect_error(
        server.get_link(&secret, "/v1/link/session").await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_expired",
    )
    .await;
}

#[tokio::test]
async fn a_restart_keeps_sessions_authorizations_and_linked_accounts() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let authorization =
        link_credentials_until_authorized(&server, &secret, "ins_sandbox_credentials", "pass_good")
            .await;
    let offered = accounts(&server, &secret, &authorization).await;
    let checking = account_named(&offered, "Everyday Checking")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let attached = expect_status(
        attach(
            &server,
            &secret,
            &authorization,
            "before-restart",
            &[&checking],
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let server = server.restart().await;
    let session = expect_status(
        server.get_link(&secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(session["resume"]["step"], "select_accounts");
    assert_eq!(session["accounts"][0]["display_name"], "Everyday Checking");
    let replay = expect_status(
        attach(
            &server,
            &secret,
            &authorization,
            "before-restart",
            &[&checking],
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replay, attached, "idempotency records survive too");
}

#[tokio::test]
async fn one_sessions_secret_cannot_reach_another_sessions_authorization() {
    let server = TestServer::start().await;
    let alice = server.consented_secret().await;
    let mallory = server.consented_secret().await;
    let authorization = server
        .start_authorization(&alice, "ins_sandbox_credentials")
        .await;
    let id = authorization["id"].as_str().expect("id");
    let response = server
        .get_link(&mallory, &format!("/v1/link/authorizations/{id}"))
        .await;
    expect_error(
        response,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
}

#[tokio::test]
async fn a_generated_sandbox_institution_links_like_the_test_banks() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let found = expect_status(
        server
            .get_link(
                &secret,
                "/v1/link/institutions?query=credit%20union&limit=20",
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let generated = found["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|institution| {
            institution["auth_method"] == "credentials"
                && institution["id"]
                    .as_str()
                    .is_some_and(|id| !id.starts_with("ins_sandbox"))
        })
        .expect("a generated credit union that logs in with credentials")
        .clone();
    let id = generated["id"].as_str().expect("id");
    let authorized = link_credentials_until_authorized(&server, &secret, id, "pass_good").await;
    assert_eq!(authorized["status"], "authorized");
    assert_eq!(authorized["institution"]["name"], generated["name"]);
    let offered = accounts(&server, &secret, &authorized).await;
    assert_eq!(
        account_named(&offered, "Everyday Checking")["institution_name"],
        generated["name"]
    );
}
