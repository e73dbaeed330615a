//! Manual entry: sessions say how accounts may be verified (`verification_method`,
//! `microdeposit_type`), and `POST /v1/link/manual_accounts` links an account the person typed
//! in, pending verification by microdeposits: every refusal names its field and stores
//! nothing, the sandbox's documented account numbers give their outcomes, and retries with
//! the same `Idempotency-Key` get the first answer.

mod common;

use common::{
    MANUAL_ACCOUNT_NUMBER, START_TIME, TestServer, expect_error, expect_status,
    manual_account_body, verification_secret_of,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn create_refused(server: &TestServer, request: Value, param: &str) {
    let error = expect_error(
        server
            .post("/v1/financial_connections/sessions", request)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    assert_eq!(error["param"], param, "{error}");
}

#[tokio::test]
async fn sessions_asking_for_payment_method_verify_automatically_with_amounts_by_default() {
    let server = TestServer::start().await;
    let session = server
        .create_session(json!({ "permissions": ["payment_method"] }))
        .await;
    assert_eq!(session["verification_method"], "automatic");
    assert_eq!(session["microdeposit_type"], "amounts");
    let id = session["id"].as_str().expect("id");
    let retrieved = expect_status(
        server
            .get(&format!("/v1/financial_connections/sessions/{id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(retrieved["verification_method"], "automatic");
    assert_eq!(retrieved["microdeposit_type"], "amounts");
    let secret = session["client_secret"].as_str().expect("secret");
    let link = expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(link["verification_method"], "automatic");
}

#[tokio::test]
async fn sessions_keep_the_verification_they_ask_for() {
    let server = TestServer::start().await;
    let instant = server
        .create_session(
            json!({ "permissions": ["payment_method"], "verification_method": "instant" }),
        )
        .await;
    assert_eq!(instant["verification_method"], "instant");
    assert_eq!(instant["microdeposit_type"], Value::Null);
    let code = server
        .create_session(json!({
            "permissions": ["payment_method", "balances"],
            "verification_method": "microdeposits",
            "microdeposit_type": "descriptor_code",
        }))
        .await;
    assert_eq!(code["verification_method"], "microdeposits");
    assert_eq!(code["microdeposit_type"], "descriptor_code");
    let secret = code["client_secret"].as_str().expect("secret");
    let link = expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(link["verification_method"], "microdeposits");
}

#[tokio::test]
async fn sessions_without_payment_method_have_no_verification_and_refuse_one() {
    let server = TestServer::start().await;
    let data = server
        .create_session(json!({ "permissions": ["balances"] }))
        .await;
    assert_eq!(data["verification_method"], Value::Null);
    assert_eq!(data["microdeposit_type"], Value::Null);
    let secret = data["client_secret"].as_str().expect("secret");
    let link = expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(link["verification_method"], Value::Null);
    create_refused(
        &server,
        json!({ "permissions": ["balances"], "verification_method": "automatic" }),
        "verification_method",
    )
    .await;
    create_refused(
        &server,
        json!({ "permissions": ["ownership"], "microdeposit_type": "amounts" }),
        "microdeposit_type",
    )
    .await;
    create_refused(
        &server,
        json!({
            "permissions": ["payment_method"],
            "verification_method": "instant",
            "microdeposit_type": "descriptor_code",
        }),
        "microdeposit_type",
    )
    .await;
}

#[tokio::test]
async fn an_account_entered_by_hand_is_linked_pending_verification() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(json!({ "permissions": ["payment_method"] }))
        .await;
    let result = expect_status(
        server
            .post_manual(&secret, "manual-1", manual_account_body())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["status"], "open", "the session stays open: {result}");
    let accounts = result["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 1);
    let account = &accounts[0];
    assert_eq!(account["category"], "cash");
    assert_eq!(account["subcategory"], "checking");
    assert_eq!(account["display_name"], "Checking");
    assert_eq!(account["institution_name"], "Sandbox Bank (OAuth)");
    assert_eq!(account["last4"], "6789");
    assert_eq!(account["status"], "active");
    assert_eq!(account["permissions"], json!(["payment_method"]));
    let verification = &account["verification"];
    assert_eq!(verification["status"], "pending");
    assert_eq!(verification["microdeposit_type"], "amounts");
    assert_eq!(verification["attempts_remaining"], 3);
    assert_eq!(verification["failure_reason"], Value::Null);
    assert_eq!(verification["arrival_date"], START_TIME);
    assert_eq!(verification["expires_at"], START_TIME + 10 * 86_400);
    let url = verification["hosted_verification_url"]
        .as_str()
        .expect("hosted verification URL");
    assert!(
        url.starts_with(&format!(
            "{}/link/verify/#verification_secret=fcvs_",
            server.base
        )),
        "{url}"
    );
    assert!(
        !url.contains(MANUAL_ACCOUNT_NUMBER),
        "no numbers in the link"
    );

    // The host gets it with its verification when the widget completes the session.
    let completed = expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["accounts"][0]["verification"], *verification);

    // The business sees it unpayable and without numbers until verified.
    let id = account["id"].as_str().expect("id");
    let integrator = server.account(id).await;
    assert_eq!(integrator["supported_payment_method_types"], json!([]));
    assert_eq!(integrator["verification"], *verification);
    assert_eq!(integrator["institution_name"], "Sandbox Bank (OAuth)");
    let refused = expect_error(
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
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|message| message.contains("verif")),
        "the message says why: {refused}"
    );

    // And got the account.created event, with the verification.
    let events = expect_status(
        server
            .get("/v1/events?type=financial_connections.account.created")
            .await,
        StatusCode::OK,
    )
    .await;
    let created = events["data"]
        .as_array()
        .expect("events")
        .iter()
        .find(|event| event["data"]["object"]["id"] == id)
        .unwrap_or_else(|| panic!("no account.created event for {id}: {events}"));
    assert_eq!(
        created["data"]["object"]["verification"]["status"],
        "pending"
    );
}

#[tokio::test]
async fn a_savings_account_is_named_savings() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(json!({ "permissions": ["payment_method"], "verification_method": "microdeposits", "microdeposit_type": "descriptor_code" }))
        .await;
    let mut body = manual_account_body();
    body["account_type"] = json!("savings");
    let result = expect_status(
        server.post_manual(&secret, "savings", body).await,
        StatusCode::OK,
    )
    .await;
    let account = &result["accounts"][0];
    assert_eq!(account["subcategory"], "savings");
    assert_eq!(account["display_name"], "Savings");
    assert_eq!(
        account["verification"]["microdeposit_type"],
        "descriptor_code"
    );
}

/// Asserts the session has no linked account, as the widget and the business see it.
async fn nothing_linked(server: &TestServer, secret: &str) {
    let link = expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(link["accounts"], json!([]), "nothing stored: {link}");
    let id = link["id"].as_str().expect("id");
    let accounts = expect_status(
        server
            .get(&format!("/v1/financial_connections/accounts?session={id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(accounts["data"], json!([]), "nothing stored: {accounts}");
}

#[tokio::test]
async fn every_refused_detail_names_its_field_and_stores_nothing() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(json!({ "permissions": ["payment_method"] }))
        .await;
    let long_name = "J".repeat(101);
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "routing_number",
            json!("11000000"),
            "routing_number_invalid",
            "routing_number",
        ),
        (
            "routing_number",
            json!("1100000000"),
            "routing_number_invalid",
            "routing_number",
        ),
        (
            "routing_number",
            json!("11000000a"),
            "routing_number_invalid",
            "routing_number",
        ),
        (
            "routing_number",
            json!("110000001"),
            "routing_number_invalid",
            "routing_number",
        ),
        // A valid check digit, but no bank in the directory has it.
        (
            "routing_number",
            json!("999999992"),
            "routing_number_unknown",
            "routing_number",
        ),
        (
            "account_number",
            json!("123"),
            "account_number_invalid",
            "account_number",
        ),
        (
            "account_number",
            json!("123456789012345678"),
            "account_number_invalid",
            "account_number",
        ),
        (
            "account_number",
            json!("1234-5678"),
            "account_number_invalid",
            "account_number",
        ),
        (
            "account_number_confirmation",
            json!("000123456788"),
            "account_numbers_mismatch",
            "account_number_confirmation",
        ),
        (
            "account_holder_name",
            json!("   "),
            "parameter_missing",
            "account_holder_name",
        ),
        (
            "account_holder_name",
            json!(long_name),
            "parameter_invalid",
            "account_holder_name",
        ),
    ];
    for (field, value, code, param) in cases {
        let mut body = manual_account_body();
        body[field] = value.clone();
        if field == "account_number" {
            body["account_number_confirmation"] = value.clone();
        }
        let error = expect_error(
            server.post_manual(&secret, "same-key", body).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            code,
        )
        .await;
        assert_eq!(error["param"], param, "{field} = {value}: {error}");
    }
    // An account type that is not one is not a request at all.
    let mut body = manual_account_body();
    body["account_type"] = json!("brokerage");
    expect_error(
        server.post_manual(&secret, "same-key", body).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "body_malformed",
    )
    .await;
    nothing_linked(&server, &secret).await;
    // The key was not spent by the refusals: the right details now go through under it.
    expect_status(
        server
            .post_manual(&secret, "same-key", manual_account_body())
            .await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn the_sandbox_account_numbers_give_their_documented_outcomes() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(json!({ "permissions": ["payment_method"] }))
        .await;
    for (number, code) in [
        ("4000000001", "bank_account_closed"),
        ("4000000002", "bank_account_not_found"),
        ("4000000003", "microdeposits_failed"),
    ] {
        let mut body = manual_account_body();
        body["account_number"] = json!(number);
        body["account_number_confirmation"] = json!(number);
        let error = expect_error(
            server.post_manual(&secret, number, body).await,
            StatusCode::PAYMENT_REQUIRED,
            "institution_error",
            code,
        )
        .await;
        assert_eq!(error["param"], "account_number", "{error}");
    }
    nothing_linked(&server, &secret).await;
    let mut body = manual_account_body();
    body["account_number"] = json!("4000000004");
    body["account_number_confirmation"] = json!("4000000004");
    let result = expect_status(
        server.post_manual(&secret, "other", body).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["accounts"][0]["last4"], "0004");
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_first_answer_and_links_once() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(json!({ "permissions": ["payment_method"] }))
        .await;
    let first = expect_status(
        server
            .post_manual(&secret, "retry-me", manual_account_body())
            .await,
        StatusCode::OK,
    )
    .await;
    let again = expect_status(
        server
            .post_manual(&secret, "retry-me", manual_account_body())
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first, again);
    let mut other = manual_account_body();
    other["account_type"] = json!("savings");
    expect_error(
        server.post_manual(&secret, "retry-me", other).await,
        StatusCode::CONFLICT,
        "idempotency_error",
        "idempotency_key_in_use",
    )
    .await;
    let link = expect_status(
        server.get_link(&secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(link["accounts"].as_array().map(Vec::len), Some(1));

    let missing_key = server
        .link(&secret, reqwest::Method::POST, "/v1/link/manual_accounts")
        .json(&manual_account_body())
        .send()
        .await
        .expect("sent");
    let error = expect_error(
        missing_key,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;
    assert_eq!(error["param"], "Idempotency-Key");
}

#[tokio::test]
async fn manual_entry_is_refused_where_the_session_does_not_allow_it() {
    let server = TestServer::start().await;
    for request in [
        json!({ "permissions": ["payment_method"], "verification_method": "instant" }),
        json!({ "permissions": ["balances"] }),
    ] {
        let secret = server.consented_secret_for(request.clone()).await;
        expect_error(
            server
                .post_manual(&secret, "manual", manual_account_body())
                .await,
            StatusCode::FORBIDDEN,
            "invalid_request_error",
            "manual_entry_not_allowed",
        )
        .await;
        nothing_linked(&server, &secret).await;
    }
    // Not before the person consented.
    let secret = server.new_secret().await;
    expect_error(
        server
            .post_manual(&secret, "manual", manual_account_body())
            .await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "consent_required",
    )
    .await;
    // Nor after the session ended.
    let secret = server
        .consented_secret_for(json!({ "permissions": ["payment_method"] }))
        .await;
    expect_status(
        server
            .post_link(&secret, "/v1/link/cancel", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        server
            .post_manual(&secret, "manual", manual_account_body())
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_cancelled",
    )
    .await;
}

#[tokio::test]
async fn a_single_account_session_takes_one_account_entered_by_hand() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(
            json!({ "permissions": ["payment_method"], "account_selection": "single" }),
        )
        .await;
    expect_status(
        server
            .post_manual(&secret, "first", manual_account_body())
            .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        server
            .post_manual(&secret, "second", manual_account_body())
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "too_many_accounts_selected",
    )
    .await;
}

#[tokio::test]
async fn the_link_to_verify_is_a_fragment_the_server_never_sees_in_a_path() {
    let server = TestServer::start().await;
    let (_, account) = server.manual_account(json!({})).await;
    let url = account["verification"]["hosted_verification_url"]
        .as_str()
        .expect("url");
    let secret = verification_secret_of(url);
    let (before_fragment, _) = url.split_once('#').expect("fragment");
    assert_eq!(before_fragment, format!("{}/link/verify/", server.base));
    assert!(secret.starts_with("fcvs_"));
}

#[tokio::test]
async fn a_microdeposits_session_takes_no_bank_login() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(
            json!({ "permissions": ["payment_method"], "verification_method": "microdeposits" }),
        )
        .await;
    let error = expect_error(
        server
            .post_link(
                &secret,
                "/v1/link/authorizations",
                json!({ "institution": common::CREDENTIALS_BANK }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    assert_eq!(error["param"], "institution");
    expect_status(
        server
            .post_manual(&secret, "manual", manual_account_body())
            .await,
        StatusCode::OK,
    )
    .await;
}
