//! Returning users over the link API: saving the accounts a completed session linked at a
//! bank, the offer on a later session of the same email, the one-time code (sending, its
//! limits, wrong codes, expiry, the sandbox inbox and the test code, all surviving a restart),
//! listing the saved accounts with this session's rules, linking them to another business's
//! session without a bank login, and forgetting them.

mod common;

use std::sync::Arc;

use common::{CREDENTIALS_BANK, Linked, SECRET_KEY, TestServer, expect_error, expect_status};
use finlink_server::config::Integrator;
use finlink_server::{Config, Database};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const EMAIL: &str = "jenny.rosen@example.com";
const HINT: &str = "j•••@example.com";

fn session_request(customer: &str, email: Option<&str>, permissions: Value) -> Value {
    let mut holder = json!({ "type": "customer", "customer": customer });
    if let Some(email) = email {
        holder["email"] = json!(email);
    }
    json!({ "permissions": permissions, "account_holder": holder })
}

/// Links the credentials bank's checking and savings accounts (balances) for `customer` with
/// `email`, and completes the session.
async fn linked_and_completed(server: &TestServer, customer: &str, email: &str) -> Linked {
    server
        .link_accounts(
            session_request(customer, Some(email), json!(["balances"])),
            CREDENTIALS_BANK,
            &["Everyday Checking", "High-Yield Savings"],
        )
        .await
}

async fn save(server: &TestServer, secret: &str, body: Value) -> reqwest::Response {
    server
        .post_link(secret, "/v1/link/returning_user/save", body)
        .await
}

/// Links and saves the checking and savings accounts under `EMAIL`.
async fn saved_at_first_business(server: &TestServer) -> Linked {
    let linked = linked_and_completed(server, "cus_first", EMAIL).await;
    let receipt = expect_status(
        save(server, &linked.client_secret, json!({ "email": EMAIL })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(receipt["saved_accounts"], 2, "{receipt}");
    linked
}

/// A new session of another customer with `email` and `permissions`: its client secret.
async fn later_session(server: &TestServer, email: Option<&str>, permissions: Value) -> String {
    let session = server
        .create_session(session_request("cus_later", email, permissions))
        .await;
    session["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned()
}

async fn link_session(server: &TestServer, secret: &str) -> Value {
    expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await
}

async fn send_code(server: &TestServer, secret: &str) -> reqwest::Response {
    server
        .post_link(secret, "/v1/link/returning_user/code", json!({}))
        .await
}

async fn verify(server: &TestServer, secret: &str, code: &str) -> reqwest::Response {
    server
        .post_link(
            secret,
            "/v1/link/returning_user/verify",
            json!({ "code": code }),
        )
        .await
}

async fn verified(server: &TestServer, secret: &str, code: &str) -> Value {
    expect_status(verify(server, secret, code).await, StatusCode::OK).await
}

/// The sandbox inbox of `to`, as the business's server reads it.
async fn inbox(server: &TestServer, to: &str) -> Vec<Value> {
    let response = server
        .integrator(Method::GET, "/v1/test_helpers/sandbox/emails")
        .query(&[("to", to)])
        .send()
        .await
        .expect("sent");
    let list = expect_status(response, StatusCode::OK).await;
    list["data"].as_array().expect("data").clone()
}

/// The code of the newest email to `EMAIL`.
async fn latest_code(server: &TestServer) -> String {
    let emails = inbox(server, EMAIL).await;
    emails[0]["one_time_code"]
        .as_str()
        .expect("code")
        .to_owned()
}

async fn saved_accounts(server: &TestServer, secret: &str) -> reqwest::Response {
    server
        .get_link(secret, "/v1/link/returning_user/accounts")
        .await
}

async fn attach(server: &TestServer, secret: &str, key: &str, ids: &[&str]) -> reqwest::Response {
    server
        .link(secret, Method::POST, "/v1/link/returning_user/attach")
        .header("Idempotency-Key", key)
        .json(&json!({ "accounts": ids }))
        .send()
        .await
        .expect("sent")
}

async fn consent(server: &TestServer, secret: &str) {
    let session = link_session(server, secret).await;
    expect_status(
        server
            .post_link(
                secret,
                "/v1/link/consent",
                json!({ "permissions": session["permissions"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
}

fn named<'a>(accounts: &'a [Value], name: &str) -> &'a Value {
    accounts
        .iter()
        .find(|account| account["display_name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {accounts:?}"))
}

#[tokio::test]
async fn accounts_are_saved_only_after_completion_and_only_those_linked_at_a_bank() {
    let server = TestServer::start().await;

    // Linked but not completed: nothing is saved yet.
    let open = server
        .consented_secret_for(session_request(
            "cus_open",
            Some(EMAIL),
            json!(["balances"]),
        ))
        .await;
    server.logged_in(&open, CREDENTIALS_BANK).await;
    expect_error(
        save(&server, &open, json!({ "email": EMAIL })).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "nothing_to_save",
    )
    .await;

    // An account entered by hand is not saved.
    let (manual, _) = server.manual_account(json!({})).await;
    expect_status(
        server
            .post_link(&manual, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        save(&server, &manual, json!({ "email": EMAIL })).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "nothing_to_save",
    )
    .await;

    let linked = linked_and_completed(&server, "cus_1", EMAIL).await;
    let error = expect_error(
        save(&server, &linked.client_secret, json!({ "email": "jenny" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "email_invalid",
    )
    .await;
    assert_eq!(error["param"], "email");
    let error = expect_error(
        save(
            &server,
            &linked.client_secret,
            json!({ "email": EMAIL, "phone": "555-0100" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "phone_invalid",
    )
    .await;
    assert_eq!(error["param"], "phone");

    let receipt = expect_status(
        save(
            &server,
            &linked.client_secret,
            json!({ "email": " Jenny.Rosen@Example.com ", "phone": "(415) 555-0100" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(receipt["object"], "saved_accounts_receipt");
    assert_eq!(receipt["email_hint"], HINT);
    assert_eq!(receipt["saved_accounts"], 2);

    // Saving the same bank account again from another session merges it.
    let again = server
        .link_accounts(
            session_request("cus_2", Some(EMAIL), json!(["balances"])),
            CREDENTIALS_BANK,
            &["Everyday Checking", "Rewards Credit Card"],
        )
        .await;
    let receipt = expect_status(
        save(&server, &again.client_secret, json!({ "email": EMAIL })).await,
        StatusCode::OK,
    )
    .await;
    // The receipt counts what this call saved, not the person's total (which would tell
    // whether the email had saved accounts before).
    assert_eq!(receipt["saved_accounts"], 2);
    let verifying = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &verifying).await, StatusCode::OK).await;
    assert_eq!(
        verified(&server, &verifying, "000000").await["status"],
        "verified"
    );
    let listed = expect_status(saved_accounts(&server, &verifying).await, StatusCode::OK).await;
    assert_eq!(
        listed["data"].as_array().expect("data").len(),
        3,
        "{listed}"
    );

    // The completed session still opens nothing else.
    expect_error(
        server
            .get_link(&linked.client_secret, "/v1/link/session")
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_completed",
    )
    .await;
}

#[tokio::test]
async fn a_cancelled_session_cannot_save() {
    let server = TestServer::start().await;
    let secret = server
        .consented_secret_for(session_request("cus_1", Some(EMAIL), json!(["balances"])))
        .await;
    server.logged_in(&secret, CREDENTIALS_BANK).await;
    expect_status(
        server
            .post_link(&secret, "/v1/link/cancel", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        save(&server, &secret, json!({ "email": EMAIL })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_cancelled",
    )
    .await;
}

#[tokio::test]
async fn a_later_session_with_the_email_is_offered_the_saved_accounts_and_others_are_not() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;

    let later = later_session(
        &server,
        Some("JENNY.ROSEN@example.com"),
        json!(["balances"]),
    )
    .await;
    let session = link_session(&server, &later).await;
    assert_eq!(session["email"], "JENNY.ROSEN@example.com");
    assert_eq!(
        session["returning_user"],
        json!({ "email_hint": HINT, "verified": false })
    );

    let unknown = later_session(&server, Some("someone@example.com"), json!(["balances"])).await;
    assert_eq!(
        link_session(&server, &unknown).await["returning_user"],
        Value::Null
    );
    let without = later_session(&server, None, json!(["balances"])).await;
    let session = link_session(&server, &without).await;
    assert_eq!(session["returning_user"], Value::Null);
    assert_eq!(session["email"], Value::Null);
    expect_error(
        send_code(&server, &without).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "returning_user_unavailable",
    )
    .await;
}

#[tokio::test]
async fn a_code_is_answered_alike_for_known_and_unknown_emails_but_only_sent_to_known_ones() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let known = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    let unknown = later_session(&server, Some("jack@example.com"), json!(["balances"])).await;

    let to_known = expect_status(send_code(&server, &known).await, StatusCode::OK).await;
    // An empty body is accepted too.
    let to_unknown = expect_status(
        server
            .link(&unknown, Method::POST, "/v1/link/returning_user/code")
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    for challenge in [&to_known, &to_unknown] {
        assert_eq!(challenge["object"], "one_time_code_challenge");
        assert_eq!(challenge["status"], "pending");
        assert_eq!(challenge["attempts_remaining"], 5);
        assert_eq!(challenge["expires_at"], common::START_TIME + 600);
        assert_eq!(challenge["resend_available_at"], common::START_TIME + 30);
        assert_eq!(challenge["error"], Value::Null);
    }
    assert_eq!(to_known["email_hint"], HINT);
    assert_eq!(to_unknown["email_hint"], "j•••@example.com");

    let emails = inbox(&server, EMAIL).await;
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    assert_eq!(email["object"], "sandbox_email");
    assert_eq!(email["to"], EMAIL);
    assert_eq!(email["subject"], "Your finlink code");
    let code = email["one_time_code"].as_str().expect("code");
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    let body = email["body"].as_str().expect("body");
    assert!(body.contains(code) && body.contains("10 minutes"), "{body}");
    assert!(
        body.contains("Use this code to link your saved bank accounts at Demo Shop."),
        "{body}"
    );
    assert!(body.contains("If you did not ask for it, ignore this email"));
    assert!(inbox(&server, "jack@example.com").await.is_empty());

    // No code opens the unknown email's session, not even the test code.
    let refused = verified(&server, &unknown, "000000").await;
    assert_eq!(refused["status"], "pending");
    assert_eq!(refused["error"]["code"], "one_time_code_incorrect");
    assert_eq!(refused["attempts_remaining"], 4);
}

#[tokio::test]
async fn a_session_sends_a_new_code_after_thirty_seconds_and_at_most_three() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    let error = expect_error(
        send_code(&server, &secret).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_error",
        "one_time_code_resend_limited",
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains(&(common::START_TIME + 30).to_string())
    );
    server.clock.advance(30);
    let second = expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(second["expires_at"], common::START_TIME + 630);
    server.clock.advance(30);
    let third = expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(third["resend_available_at"], Value::Null, "no more sends");
    server.clock.advance(300);
    expect_error(
        send_code(&server, &secret).await,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limit_error",
        "one_time_code_resend_limited",
    )
    .await;
    assert_eq!(inbox(&server, EMAIL).await.len(), 3);
    // Only the newest code works.
    let emails = inbox(&server, EMAIL).await;
    let oldest = emails[2]["one_time_code"].as_str().unwrap().to_owned();
    let newest = emails[0]["one_time_code"].as_str().unwrap().to_owned();
    if oldest != newest {
        let wrong = verified(&server, &secret, &oldest).await;
        assert_eq!(wrong["error"]["code"], "one_time_code_incorrect");
    }
    assert_eq!(
        verified(&server, &secret, &newest).await["status"],
        "verified"
    );
}

#[tokio::test]
async fn an_email_gets_at_most_five_codes_an_hour_known_or_not() {
    let server = TestServer::start().await;
    for email in [EMAIL, "nobody@example.com"] {
        if email == EMAIL {
            saved_at_first_business(&server).await;
        }
        for _ in 0..5 {
            let secret = later_session(&server, Some(email), json!(["balances"])).await;
            expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
            server.clock.advance(60);
        }
        let sixth = later_session(&server, Some(email), json!(["balances"])).await;
        expect_error(
            send_code(&server, &sixth).await,
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_error",
            "one_time_code_resend_limited",
        )
        .await;
        // An hour after the first send, one more is allowed.
        server.clock.advance(3_600 - 5 * 60);
        let fresh = later_session(&server, Some(email), json!(["balances"])).await;
        expect_status(send_code(&server, &fresh).await, StatusCode::OK).await;
        server.clock.advance(3_600);
    }
}

#[tokio::test]
async fn wrong_codes_count_down_and_five_fail_the_session_for_good() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;

    expect_error(
        verify(&server, &secret, "123456").await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "one_time_code_expired",
    )
    .await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    let right = latest_code(&server).await;
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };

    for shape in ["12345", "1234567", "abcdef", " 123456"] {
        let error = expect_error(
            verify(&server, &secret, shape).await,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "parameter_invalid",
        )
        .await;
        assert_eq!(error["param"], "code");
    }
    let first = verified(&server, &secret, wrong).await;
    assert_eq!(first["status"], "pending");
    assert_eq!(
        first["attempts_remaining"], 4,
        "a wrong shape used no attempt"
    );
    assert_eq!(first["error"]["code"], "one_time_code_incorrect");
    assert_eq!(
        first["error"]["message"],
        "That code isn't right. 4 attempts left."
    );
    for left in [3, 2, 1] {
        let answer = verified(&server, &secret, wrong).await;
        assert_eq!(answer["attempts_remaining"], left);
    }
    let last = verified(&server, &secret, wrong).await;
    assert_eq!(last["status"], "failed");
    assert_eq!(last["attempts_remaining"], 0);
    assert_eq!(last["error"]["code"], "one_time_code_attempts_exceeded");

    expect_error(
        verify(&server, &secret, &right).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "one_time_code_attempts_exceeded",
    )
    .await;
    server.clock.advance(60);
    expect_error(
        send_code(&server, &secret).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "one_time_code_attempts_exceeded",
    )
    .await;
    expect_error(
        saved_accounts(&server, &secret).await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
}

#[tokio::test]
async fn a_code_expires_after_ten_minutes_without_using_an_attempt() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    let code = latest_code(&server).await;
    // Keep the session alive past ten minutes.
    server.clock.advance(300);
    link_session(&server, &secret).await;
    server.clock.advance(300);
    let expired = verified(&server, &secret, &code).await;
    assert_eq!(expired["status"], "pending");
    assert_eq!(expired["attempts_remaining"], 5);
    assert_eq!(expired["error"]["code"], "one_time_code_expired");

    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    let fresh = latest_code(&server).await;
    let answer = verified(&server, &secret, &fresh).await;
    assert_eq!(answer["status"], "verified");
    assert_eq!(answer["error"], Value::Null);
    // A verified session asks for no new code.
    let again = expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(again["status"], "verified");
    assert_eq!(inbox(&server, EMAIL).await.len(), 2);
}

#[tokio::test]
async fn the_test_code_opens_a_known_email_and_the_session_then_resumes_verified() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(
        verified(&server, &secret, "000000").await["status"],
        "verified"
    );
    assert_eq!(
        link_session(&server, &secret).await["returning_user"],
        json!({ "email_hint": HINT, "verified": true })
    );
}

#[tokio::test]
async fn attempts_and_the_lockout_survive_a_restart() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    let right = latest_code(&server).await;
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };
    for _ in 0..3 {
        verified(&server, &secret, wrong).await;
    }
    let server = server.restart().await;
    let answer = verified(&server, &secret, wrong).await;
    assert_eq!(answer["attempts_remaining"], 1);
    let answer = verified(&server, &secret, wrong).await;
    assert_eq!(answer["status"], "failed");
    let server = server.restart().await;
    expect_error(
        verify(&server, &secret, &right).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "one_time_code_attempts_exceeded",
    )
    .await;
    // A code is bound to its session: the failed session's code opens no other session.
    let other = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &other).await, StatusCode::OK).await;
    let new_code = latest_code(&server).await;
    if new_code != right {
        let answer = verified(&server, &other, &right).await;
        assert_eq!(answer["error"]["code"], "one_time_code_incorrect");
    }
    assert_eq!(
        verified(&server, &other, &new_code).await["status"],
        "verified"
    );
}

#[tokio::test]
async fn saved_accounts_are_listed_after_the_code_with_this_sessions_rules() {
    let server = TestServer::start().await;
    let first = server
        .link_accounts(
            session_request("cus_first", Some(EMAIL), json!(["balances"])),
            CREDENTIALS_BANK,
            &[
                "Everyday Checking",
                "High-Yield Savings",
                "Rewards Credit Card",
            ],
        )
        .await;
    expect_status(
        save(&server, &first.client_secret, json!({ "email": EMAIL })).await,
        StatusCode::OK,
    )
    .await;
    let session = server
        .create_session(json!({
            "permissions": ["payment_method", "balances"],
            "account_holder": { "type": "customer", "customer": "cus_later", "email": EMAIL },
            "filters": { "account_subcategories": ["checking", "credit_card"] },
        }))
        .await;
    let secret = session["client_secret"].as_str().unwrap().to_owned();
    expect_error(
        saved_accounts(&server, &secret).await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    expect_error(
        saved_accounts(&server, &secret).await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
    verified(&server, &secret, &latest_code(&server).await).await;
    let list = expect_status(saved_accounts(&server, &secret).await, StatusCode::OK).await;
    let accounts = list["data"].as_array().unwrap().clone();
    assert_eq!(accounts.len(), 3);
    let checking = named(&accounts, "Everyday Checking");
    assert_eq!(checking["object"], "saved_account");
    assert_eq!(checking["institution_name"], "Sandbox Bank (Credentials)");
    assert_eq!(checking["last4"], "6789");
    assert_eq!(checking["subcategory"], "checking");
    assert_eq!(checking["unselectable_reason"], Value::Null);
    assert!(checking["id"].as_str().unwrap().starts_with("fcsa_"));
    assert_ne!(
        checking["id"], first.accounts[0]["id"],
        "never the other business's id"
    );
    assert_eq!(
        named(&accounts, "High-Yield Savings")["unselectable_reason"],
        "filtered_out"
    );
    assert_eq!(
        named(&accounts, "Rewards Credit Card")["unselectable_reason"],
        "unsupported_for_payments"
    );
}

/// A later session (another customer) asking for payment_method, balances and transactions,
/// verified with the code: its client secret and id.
async fn verified_later_session(server: &TestServer) -> (String, String) {
    let session = server
        .create_session(session_request(
            "cus_later",
            Some(EMAIL),
            json!(["payment_method", "balances", "transactions"]),
        ))
        .await;
    let secret = session["client_secret"].as_str().unwrap().to_owned();
    expect_status(send_code(server, &secret).await, StatusCode::OK).await;
    verified(server, &secret, &latest_code(server).await).await;
    (secret, session["id"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn saved_accounts_link_to_another_session_without_a_bank_login_and_its_business_reads_them() {
    let server = TestServer::start().await;
    let first = saved_at_first_business(&server).await;
    let (secret, session_id) = verified_later_session(&server).await;
    let list = expect_status(saved_accounts(&server, &secret).await, StatusCode::OK).await;
    let accounts = list["data"].as_array().unwrap().clone();
    let checking = named(&accounts, "Everyday Checking")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    expect_error(
        attach(&server, &secret, "attach-1", &[&checking]).await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "consent_required",
    )
    .await;
    consent(&server, &secret).await;
    expect_error(
        attach(&server, &secret, "attach-2", &[]).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "no_accounts_selected",
    )
    .await;
    let error = expect_error(
        attach(&server, &secret, "attach-3", &["fcsa_nope"]).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    assert_eq!(error["param"], "accounts");

    let result = expect_status(
        attach(&server, &secret, "attach-4", &[&checking]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["session"], session_id);
    let linked = result["accounts"].as_array().unwrap();
    assert_eq!(linked.len(), 1);
    let id = linked[0]["id"].as_str().unwrap().to_owned();
    assert_ne!(id, first.id(0), "a new account of this session");
    assert_eq!(
        linked[0]["permissions"],
        json!(["payment_method", "balances", "transactions"])
    );
    // The same key and body answers the same; another body is refused.
    let replay = expect_status(
        attach(&server, &secret, "attach-4", &[&checking]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replay, result);
    expect_error(
        attach(&server, &secret, "attach-4", &["fcsa_other"]).await,
        StatusCode::CONFLICT,
        "idempotency_error",
        "idempotency_key_in_use",
    )
    .await;
    expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;

    // The business reads the balance, transactions and account numbers through the grant.
    let account = server.account(&id).await;
    assert_eq!(account["session"], session_id);
    assert_eq!(account["status"], "active");
    assert_eq!(account["last4"], "6789");
    expect_status(
        server.refresh(&id, &["balance", "transactions"]).await,
        StatusCode::OK,
    )
    .await;
    let refreshed = server.refreshed(&id, "balance").await;
    assert_eq!(
        refreshed["balance_refresh"]["status"], "succeeded",
        "{refreshed}"
    );
    assert!(refreshed["balance"]["current"].is_object(), "{refreshed}");
    let refreshed = server.refreshed(&id, "transaction").await;
    assert_eq!(refreshed["transaction_refresh"]["status"], "succeeded");
    let transactions = expect_status(
        server
            .get(&format!(
                "/v1/financial_connections/transactions?account={id}"
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!transactions["data"].as_array().unwrap().is_empty());
    let numbers = expect_status(
        server
            .get(&format!(
                "/v1/financial_connections/accounts/{id}/account_numbers"
            ))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        numbers["account_number"]
            .as_str()
            .unwrap()
            .ends_with("6789")
    );

    // Disconnecting at the first business leaves this one's access working.
    expect_status(
        server
            .post(
                &format!(
                    "/v1/financial_connections/accounts/{}/disconnect",
                    first.id(0)
                ),
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    server.clock.advance(3_600);
    expect_status(server.refresh(&id, &["balance"]).await, StatusCode::OK).await;
    let refreshed = server.refreshed(&id, "balance").await;
    assert_eq!(
        refreshed["balance_refresh"]["status"], "succeeded",
        "{refreshed}"
    );
    assert_eq!(server.account(&id).await["status"], "active");
    // The first business's session lists only its own accounts.
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
    let ids: Vec<&str> = first_session["accounts"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&id.as_str()), "{ids:?}");
}

#[tokio::test]
async fn a_single_account_session_links_one_saved_account() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let session = server
        .create_session(json!({
            "permissions": ["balances"],
            "account_selection": "single",
            "account_holder": { "type": "customer", "customer": "cus_later", "email": EMAIL },
        }))
        .await;
    let secret = session["client_secret"].as_str().unwrap().to_owned();
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    verified(&server, &secret, "000000").await;
    consent(&server, &secret).await;
    let list = expect_status(saved_accounts(&server, &secret).await, StatusCode::OK).await;
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["id"].as_str().unwrap())
        .collect();
    expect_error(
        attach(&server, &secret, "both", &ids).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "too_many_accounts_selected",
    )
    .await;
    expect_status(
        attach(&server, &secret, "one", &ids[..1]).await,
        StatusCode::OK,
    )
    .await;
}

#[tokio::test]
async fn forgetting_removes_the_offer_but_not_the_linked_accounts() {
    let server = TestServer::start().await;
    let first = saved_at_first_business(&server).await;
    let later = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_error(
        server
            .post_link(&later, "/v1/link/returning_user/forget", json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
    expect_status(send_code(&server, &later).await, StatusCode::OK).await;
    verified(&server, &later, &latest_code(&server).await).await;
    let forgotten = expect_status(
        server
            .post_link(&later, "/v1/link/returning_user/forget", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        forgotten,
        json!({ "object": "saved_accounts_forgotten", "forgotten_accounts": 2 })
    );
    assert_eq!(
        link_session(&server, &later).await["returning_user"],
        Value::Null
    );
    expect_error(
        saved_accounts(&server, &later).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "returning_user_unavailable",
    )
    .await;
    let next = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    assert_eq!(
        link_session(&server, &next).await["returning_user"],
        Value::Null
    );
    assert_eq!(server.account(&first.id(0)).await["status"], "active");
}

async fn decline(server: &TestServer, secret: &str) -> reqwest::Response {
    server
        .post_link(secret, "/v1/link/returning_user/decline", json!({}))
        .await
}

#[tokio::test]
async fn a_session_that_declines_is_not_offered_saved_accounts_again_but_others_are() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let declining = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    assert_eq!(
        link_session(&server, &declining).await["returning_user"],
        json!({ "email_hint": HINT, "verified": false })
    );

    let first = expect_status(decline(&server, &declining).await, StatusCode::OK).await;
    assert_eq!(first["object"], "returning_user_declined", "{first}");
    assert!(first["declined_at"].is_i64(), "{first}");
    assert_eq!(
        link_session(&server, &declining).await["returning_user"],
        Value::Null
    );
    // Declining again (a retry, another tab) answers the same and changes nothing.
    let again = expect_status(decline(&server, &declining).await, StatusCode::OK).await;
    assert_eq!(again, first);
    assert_eq!(rows(&server, "returning_user_declines"), 1);
    // The session asks for no code any more, and the decline survives a restart.
    let server = server.restart().await;
    assert_eq!(
        link_session(&server, &declining).await["returning_user"],
        Value::Null
    );
    expect_error(
        send_code(&server, &declining).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "returning_user_unavailable",
    )
    .await;
    assert!(inbox(&server, EMAIL).await.is_empty());
    // The consent of the normal flow does not bring the offer back.
    consent(&server, &declining).await;
    assert_eq!(
        link_session(&server, &declining).await["returning_user"],
        Value::Null
    );

    // Another session of the same email is offered them as before.
    let next = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    assert_eq!(
        link_session(&server, &next).await["returning_user"],
        json!({ "email_hint": HINT, "verified": false })
    );
    expect_status(send_code(&server, &next).await, StatusCode::OK).await;
    assert_eq!(
        verified(&server, &next, &latest_code(&server).await).await["status"],
        "verified"
    );
}

#[tokio::test]
async fn declining_after_the_code_ends_the_verified_session() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let (secret, _) = verified_later_session(&server).await;
    let listed = expect_status(saved_accounts(&server, &secret).await, StatusCode::OK).await;
    let ids: Vec<String> = listed["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|account| account["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{listed}");
    consent(&server, &secret).await;

    expect_status(decline(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(
        link_session(&server, &secret).await["returning_user"],
        Value::Null
    );
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    // Refused as for a session that never typed the code, and nothing is linked.
    expect_error(
        attach(&server, &secret, "decline-attach-1", &ids).await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
    expect_error(
        saved_accounts(&server, &secret).await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
    expect_error(
        server
            .post_link(&secret, "/v1/link/returning_user/forget", json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "invalid_request_error",
        "one_time_code_required",
    )
    .await;
    // Not even the right code opens them again in this session.
    expect_error(
        verify(&server, &secret, "000000").await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "returning_user_unavailable",
    )
    .await;
    assert_eq!(link_session(&server, &secret).await["accounts"], json!([]));
}

#[tokio::test]
async fn declining_needs_an_open_session_and_takes_no_parameters() {
    let server = TestServer::start().await;
    let linked = saved_at_first_business(&server).await;
    expect_error(
        decline(&server, &linked.client_secret).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_completed",
    )
    .await;
    let cancelled = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(
        server
            .post_link(&cancelled, "/v1/link/cancel", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        decline(&server, &cancelled).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "session_cancelled",
    )
    .await;
    expect_error(
        decline(&server, "fcsess_client_secret_nobody_has").await,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "client_secret_invalid",
    )
    .await;

    let open = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_error(
        server
            .post_link(
                &open,
                "/v1/link/returning_user/decline",
                json!({ "forever": true }),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "body_malformed",
    )
    .await;
    // A session without saved accounts declines alike: the answer tells nothing.
    let unknown = later_session(&server, Some("someone@example.com"), json!(["balances"])).await;
    let answer = expect_status(decline(&server, &unknown).await, StatusCode::OK).await;
    assert_eq!(answer["object"], "returning_user_declined");
    assert_eq!(rows(&server, "returning_user_declines"), 1);
}

#[tokio::test]
async fn the_inbox_needs_the_secret_key_and_an_address() {
    let server = TestServer::start().await;
    expect_error(
        server
            .http
            .get(server.url("/v1/test_helpers/sandbox/emails?to=jenny%40example.com"))
            .send()
            .await
            .expect("sent"),
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_missing",
    )
    .await;
    expect_error(
        server.get("/v1/test_helpers/sandbox/emails").await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;
    // Emails are kept an hour.
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(inbox(&server, EMAIL).await.len(), 1);
    server.clock.advance(3_600);
    assert!(inbox(&server, EMAIL).await.is_empty());
}

/// The second business of `two_businesses`.
const HARBOR_KEY: &str = "sk_test_harbor_books_0123456789";

/// A server for two businesses: the default one (`SECRET_KEY`) and Harbor Books (the test
/// server, started again on its database with both).
async fn two_businesses() -> TestServer {
    let mut server = TestServer::start().await;
    if let Some(running) = server.server.take() {
        running.stop().await;
    }
    let mut config = Config::for_tests(SECRET_KEY).with_integrator(Integrator::new(
        "harbor_books",
        HARBOR_KEY,
        "Harbor Books",
    ));
    config.database = Database::File(server.database.clone());
    config.timing = server.timing.clone();
    let running = finlink_server::start(config, Arc::new(server.clock.clone()))
        .await
        .expect("server starts");
    server.base = running.base_url();
    server.server = Some(running);
    server
}

/// A request of Harbor Books' server.
fn harbor(server: &TestServer, method: Method, path: &str) -> reqwest::RequestBuilder {
    server
        .http
        .request(method, server.url(path))
        .bearer_auth(HARBOR_KEY)
}

/// A Harbor Books session for its own `cus_demo`, with the email of the saved accounts, its
/// code verified: its client secret.
async fn verified_harbor_session(server: &TestServer) -> String {
    let response = harbor(server, Method::POST, "/v1/financial_connections/sessions")
        .json(&session_request(
            "cus_demo",
            Some(EMAIL),
            json!(["balances"]),
        ))
        .send()
        .await
        .expect("sent");
    let session = expect_status(response, StatusCode::OK).await;
    let secret = session["client_secret"].as_str().unwrap().to_owned();
    expect_status(send_code(server, &secret).await, StatusCode::OK).await;
    verified(server, &secret, "000000").await;
    secret
}

/// Consents in a verified session and links every saved account it is offered, each of which
/// must be selectable: the ids of the accounts linked.
async fn link_every_saved_account(server: &TestServer, secret: &str, key: &str) -> Vec<String> {
    consent(server, secret).await;
    let list = expect_status(saved_accounts(server, secret).await, StatusCode::OK).await;
    let offered = list["data"].as_array().unwrap().clone();
    for account in &offered {
        assert_eq!(account["unselectable_reason"], Value::Null, "{account}");
    }
    let ids: Vec<&str> = offered
        .iter()
        .map(|account| account["id"].as_str().unwrap())
        .collect();
    let result = expect_status(attach(server, secret, key, &ids).await, StatusCode::OK).await;
    result["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn accounts_saved_at_one_business_link_at_another_which_alone_sees_them() {
    let server = two_businesses().await;
    let first = saved_at_first_business(&server).await;

    // Harbor Books creates a session for its own customer with the same email.
    let response = harbor(&server, Method::POST, "/v1/financial_connections/sessions")
        .json(&session_request(
            "cus_demo",
            Some(EMAIL),
            json!(["balances"]),
        ))
        .send()
        .await
        .expect("sent");
    let session = expect_status(response, StatusCode::OK).await;
    let secret = session["client_secret"].as_str().unwrap().to_owned();
    let session_id = session["id"].as_str().unwrap().to_owned();
    let view = link_session(&server, &secret).await;
    assert_eq!(view["business_name"], "Harbor Books");
    assert_eq!(
        view["returning_user"],
        json!({ "email_hint": HINT, "verified": false })
    );

    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    // The email is in Harbor Books' inbox, not in the first business's.
    let response = harbor(&server, Method::GET, "/v1/test_helpers/sandbox/emails")
        .query(&[("to", EMAIL)])
        .send()
        .await
        .expect("sent");
    let emails = expect_status(response, StatusCode::OK).await;
    let emails = emails["data"].as_array().unwrap().clone();
    assert_eq!(emails.len(), 1);
    // It names the business asking now, not the one the accounts were saved at.
    let body = emails[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Use this code to link your saved bank accounts at Harbor Books."),
        "{body}"
    );
    assert!(inbox(&server, EMAIL).await.is_empty());
    let code = emails[0]["one_time_code"].as_str().unwrap().to_owned();
    assert_eq!(
        verified(&server, &secret, &code).await["status"],
        "verified"
    );

    consent(&server, &secret).await;
    let list = expect_status(saved_accounts(&server, &secret).await, StatusCode::OK).await;
    let ids: Vec<String> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2);
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let result = expect_status(
        attach(&server, &secret, "harbor-attach", &ids).await,
        StatusCode::OK,
    )
    .await;
    let linked: Vec<String> = result["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(linked.len(), 2);
    expect_status(
        server
            .post_link(&secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;

    // Harbor Books reads its new accounts; the first business cannot see them, nor Harbor
    // Books the first business's.
    for id in &linked {
        assert!(
            !first
                .accounts
                .iter()
                .any(|account| account["id"] == id.as_str())
        );
        let response = harbor(
            &server,
            Method::GET,
            &format!("/v1/financial_connections/accounts/{id}"),
        )
        .send()
        .await
        .expect("sent");
        let account = expect_status(response, StatusCode::OK).await;
        assert_eq!(account["session"], session_id);
        expect_error(
            server
                .get(&format!("/v1/financial_connections/accounts/{id}"))
                .await,
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            "resource_missing",
        )
        .await;
    }
    let response = harbor(
        &server,
        Method::GET,
        &format!("/v1/financial_connections/accounts/{}", first.id(0)),
    )
    .send()
    .await
    .expect("sent");
    expect_error(
        response,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
    let response = harbor(
        &server,
        Method::POST,
        &format!("/v1/financial_connections/accounts/{}/refresh", linked[0]),
    )
    .json(&json!({ "features": ["balance"] }))
    .send()
    .await
    .expect("sent");
    expect_status(response, StatusCode::OK).await;
    let refreshed = eventually_refreshed(&server, &linked[0]).await;
    assert_eq!(
        refreshed["balance_refresh"]["status"], "succeeded",
        "{refreshed}"
    );
}

/// Harbor Books polls its account until its balance refresh ends.
async fn eventually_refreshed(server: &TestServer, id: &str) -> Value {
    common::eventually("the balance refresh", || async {
        let response = harbor(
            server,
            Method::GET,
            &format!("/v1/financial_connections/accounts/{id}"),
        )
        .send()
        .await
        .expect("sent");
        let account = expect_status(response, StatusCode::OK).await;
        (account["balance_refresh"]["status"] != "pending").then_some(account)
    })
    .await
}

/// Disconnects `ids` at the first business.
async fn disconnect_all(server: &TestServer, ids: &[String]) {
    for id in ids {
        let path = format!("/v1/financial_connections/accounts/{id}/disconnect");
        let account = expect_status(server.post(&path, json!({})).await, StatusCode::OK).await;
        assert_eq!(account["status"], "disconnected");
    }
}

/// The sandbox bank's live grants once the background work of the last call had its time.
async fn live_grants_settled(server: &TestServer) -> usize {
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    server.sandbox().live_grants(CREDENTIALS_BANK)
}

async fn live_grants_become(server: &TestServer, count: usize) {
    common::eventually(&format!("{count} live grants at the bank"), || async {
        (server.sandbox().live_grants(CREDENTIALS_BANK) == count).then_some(())
    })
    .await;
}

async fn forget(server: &TestServer, secret: &str) -> Value {
    expect_status(
        server
            .post_link(secret, "/v1/link/returning_user/forget", json!({}))
            .await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn saved_accounts_stay_usable_at_another_business_after_the_first_disconnects() {
    let server = two_businesses().await;
    let first = saved_at_first_business(&server).await;
    disconnect_all(&server, &[first.id(0), first.id(1)]).await;
    assert_eq!(
        live_grants_settled(&server).await,
        1,
        "the saved accounts keep the grant"
    );

    let secret = verified_harbor_session(&server).await;
    let linked = link_every_saved_account(&server, &secret, "after-disconnect").await;
    assert_eq!(linked.len(), 2);
    let linked = &linked[0];
    let response = harbor(
        &server,
        Method::POST,
        &format!("/v1/financial_connections/accounts/{linked}/refresh"),
    )
    .json(&json!({ "features": ["balance"] }))
    .send()
    .await
    .expect("sent");
    expect_status(response, StatusCode::OK).await;
    let refreshed = eventually_refreshed(&server, linked).await;
    assert_eq!(
        refreshed["balance_refresh"]["status"], "succeeded",
        "{refreshed}"
    );
    assert_eq!(refreshed["status"], "active");
}

#[tokio::test]
async fn forgetting_after_the_saving_business_disconnected_revokes_the_grant() {
    let server = TestServer::start().await;
    let first = saved_at_first_business(&server).await;
    disconnect_all(&server, &[first.id(0), first.id(1)]).await;
    assert_eq!(live_grants_settled(&server).await, 1);

    let later = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &later).await, StatusCode::OK).await;
    verified(&server, &later, &latest_code(&server).await).await;
    assert_eq!(forget(&server, &later).await["forgotten_accounts"], 2);
    live_grants_become(&server, 0).await;
}

#[tokio::test]
async fn forgetting_while_the_saving_business_uses_the_grant_keeps_its_access() {
    let server = TestServer::start().await;
    let first = saved_at_first_business(&server).await;
    let later = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &later).await, StatusCode::OK).await;
    verified(&server, &later, &latest_code(&server).await).await;
    assert_eq!(forget(&server, &later).await["forgotten_accounts"], 2);
    assert_eq!(live_grants_settled(&server).await, 1);

    server.clock.advance(60);
    expect_status(
        server.refresh(&first.id(0), &["balance"]).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        server.refreshed(&first.id(0), "balance").await["balance_refresh"]["status"],
        "succeeded",
        "the first business still reads the account"
    );
    // With the saved accounts forgotten, the last disconnect gives the grant up.
    disconnect_all(&server, &[first.id(0), first.id(1)]).await;
    live_grants_become(&server, 0).await;
}

#[tokio::test]
async fn accounts_are_saved_only_under_the_email_the_business_gave() {
    let server = TestServer::start().await;
    let linked = linked_and_completed(&server, "cus_1", EMAIL).await;
    // Someone saving their own bank account under another person's email is refused.
    let error = expect_error(
        save(
            &server,
            &linked.client_secret,
            json!({ "email": "victim@example.com" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "email_invalid",
    )
    .await;
    assert_eq!(error["param"], "email");
    assert_eq!(
        error["message"],
        "Accounts are saved under the email Demo Shop gave for you."
    );
    let victim = later_session(&server, Some("victim@example.com"), json!(["balances"])).await;
    assert_eq!(
        link_session(&server, &victim).await["returning_user"],
        Value::Null
    );

    // A session whose business gave no email saves nothing.
    let anonymous = server
        .link_accounts(
            session_request("cus_2", None, json!(["balances"])),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let error = expect_error(
        save(&server, &anonymous.client_secret, json!({ "email": EMAIL })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "email_invalid",
    )
    .await;
    assert_eq!(error["param"], "email");
    assert_eq!(
        link_session(&server, &victim).await["returning_user"],
        Value::Null
    );

    // The email the business gave, however it is spelled, is accepted.
    let receipt = expect_status(
        save(
            &server,
            &linked.client_secret,
            json!({ "email": "JENNY.ROSEN@example.com" }),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(receipt["saved_accounts"], 2);
}

#[tokio::test]
async fn a_new_code_keeps_the_attempts_left() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    let right = latest_code(&server).await;
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };
    for left in [4, 3] {
        let answer = verified(&server, &secret, wrong).await;
        assert_eq!(answer["attempts_remaining"], left, "{answer}");
    }
    server.clock.advance(30);
    let challenge = expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(challenge["attempts_remaining"], 3, "{challenge}");
    assert_eq!(challenge["status"], "pending");
    let fresh = latest_code(&server).await;
    let wrong = if fresh == "111111" {
        "222222"
    } else {
        "111111"
    };
    let answer = verified(&server, &secret, wrong).await;
    assert_eq!(answer["attempts_remaining"], 2, "{answer}");
}

/// The test server, started again on its database without the sandbox inbox.
async fn without_sandbox_inbox(mut server: TestServer) -> TestServer {
    if let Some(running) = server.server.take() {
        running.stop().await;
    }
    let mut config = Config::for_tests(SECRET_KEY);
    config.database = Database::File(server.database.clone());
    config.timing = server.timing.clone();
    config.sandbox_inbox = false;
    let running = finlink_server::start(config, Arc::new(server.clock.clone()))
        .await
        .expect("server starts");
    server.base = running.base_url();
    server.server = Some(running);
    server
}

#[tokio::test]
async fn without_the_sandbox_inbox_returning_users_are_not_offered_and_the_test_code_fails() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    // A code sent while the inbox was on, typed after it is turned off.
    let pending = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &pending).await, StatusCode::OK).await;
    let server = without_sandbox_inbox(server).await;

    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    assert_eq!(
        link_session(&server, &secret).await["returning_user"],
        Value::Null
    );
    expect_error(
        send_code(&server, &secret).await,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "returning_user_unavailable",
    )
    .await;
    let refused = verified(&server, &pending, "000000").await;
    assert_eq!(refused["status"], "pending");
    assert_eq!(refused["error"]["code"], "one_time_code_incorrect");
    assert_eq!(refused["attempts_remaining"], 4);
    let response = server
        .integrator(Method::GET, "/v1/test_helpers/sandbox/emails")
        .query(&[("to", EMAIL)])
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "route_not_found",
    )
    .await;

    // Saving still works.
    let linked = server
        .link_accounts(
            session_request("cus_3", Some(EMAIL), json!(["balances"])),
            CREDENTIALS_BANK,
            &["Everyday Checking"],
        )
        .await;
    let receipt = expect_status(
        save(&server, &linked.client_secret, json!({ "email": EMAIL })).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(receipt["saved_accounts"], 1);
}

/// How many rows `table` holds in the server's database.
fn rows(server: &TestServer, table: &str) -> i64 {
    let connection = rusqlite::Connection::open(&server.database).expect("open");
    connection
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
            row.get(0)
        })
        .expect("count")
}

#[tokio::test]
async fn the_sandbox_inbox_and_the_code_sends_keep_only_the_last_hour() {
    let server = TestServer::start().await;
    saved_at_first_business(&server).await;
    for _ in 0..2 {
        let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
        expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
        server.clock.advance(60);
    }
    assert_eq!(rows(&server, "sandbox_emails"), 2);
    assert_eq!(rows(&server, "one_time_code_sends"), 2);

    // An hour after the second, a send (to anyone) deletes both older rows of each table.
    server.clock.advance(3_600);
    let secret = later_session(&server, Some(EMAIL), json!(["balances"])).await;
    expect_status(send_code(&server, &secret).await, StatusCode::OK).await;
    assert_eq!(rows(&server, "sandbox_emails"), 1);
    assert_eq!(rows(&server, "one_time_code_sends"), 1);
    assert_eq!(inbox(&server, EMAIL).await.len(), 1);
}

/// One rule for which bank grant a saved account reaches its bank through: what reaching a
/// saved account picks is what keeps a grant from being given up, and nothing else does.
mod one_grant_rule {
    use finlink_server::store::saved::SavedAccountRecord;
    use finlink_server::store::{
        AccountRecord, AuthorizationProgress, AuthorizationRecord, Store, StoreError,
    };

    use super::*;

    /// What the store says of the bank grants: the grant each saved account reaches its bank
    /// through (oldest saved first), and, of every grant finlink got, those a saved account uses,
    /// those anything uses (a saved account or a linked, connected account) and those given up.
    #[derive(Debug)]
    struct Grants {
        reached: Vec<String>,
        used_by_saved_accounts: Vec<String>,
        in_use: Vec<String>,
        given_up: Vec<String>,
    }

    /// Reads `Grants` through the server's store, on its SQLite file.
    async fn store_grants(server: &TestServer) -> Grants {
        let store = Store::open(&Database::File(server.database.clone())).expect("store opens");
        store
            .transaction(|tx| {
                let people: Vec<String> = tx
                    .prepare("SELECT id FROM saved_people ORDER BY created, rowid")?
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut reached = Vec::new();
                for person in &people {
                    for saved in SavedAccountRecord::for_person(tx, person)? {
                        reached.push(saved.reached(tx)?.authorization_id);
                    }
                }
                let all: Vec<String> = tx
                    .prepare("SELECT id FROM authorizations ORDER BY id")?
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                let mut grants = Grants {
                    reached,
                    used_by_saved_accounts: Vec::new(),
                    in_use: Vec::new(),
                    given_up: Vec::new(),
                };
                for grant in all {
                    if SavedAccountRecord::grant_in_use(tx, &grant)? {
                        grants.used_by_saved_accounts.push(grant.clone());
                    }
                    if AccountRecord::grant_in_use(tx, &grant)? {
                        grants.in_use.push(grant.clone());
                    }
                    if AuthorizationRecord::find(tx, &grant)?.is_some_and(|record| {
                        matches!(record.progress, AuthorizationProgress::Revoked)
                    }) {
                        grants.given_up.push(grant);
                    }
                }
                Ok::<_, StoreError>(grants)
            })
            .await
            .expect("store reads")
    }

    /// Asserts that every saved account reaches its bank through `grant`, and that of all
    /// grants, the saved accounts count as using exactly that one; returns what the store says.
    async fn saved_accounts_reach(server: &TestServer, grant: &str) -> Grants {
        let grants = store_grants(server).await;
        assert!(!grants.reached.is_empty(), "no saved accounts: {grants:?}");
        assert!(
            grants.reached.iter().all(|reached| reached == grant),
            "saved accounts reach {grant}: {grants:?}"
        );
        assert_eq!(
            grants.used_by_saved_accounts,
            vec![grant.to_owned()],
            "the grants saved accounts use are those they reach: {grants:?}"
        );
        grants
    }

    /// The grant a linked account reads its data with, from the server's database.
    fn grant_of(server: &TestServer, account_id: &str) -> String {
        let connection = rusqlite::Connection::open(&server.database).expect("open");
        connection
            .query_row(
                "SELECT authorization_id FROM accounts WHERE id = ?1",
                [account_id],
                |row| row.get(0),
            )
            .expect("account")
    }

    /// A later session of the default business with `EMAIL`, verified and consented, attaches
    /// every saved account (all selectable); returns the new accounts' ids.
    async fn attach_every_saved_account(server: &TestServer) -> Vec<String> {
        let (secret, _) = verified_later_session(server).await;
        link_every_saved_account(server, &secret, "attach-every-saved").await
    }

    #[tokio::test]
    async fn a_saved_account_reaches_its_bank_through_the_grant_its_account_holds_and_keeps_only_that()
     {
        let server = TestServer::start().await;
        // Saved while its grant is live: it reaches the bank through the grant it was linked with.
        let first = saved_at_first_business(&server).await;
        let original = grant_of(&server, &first.id(0));
        assert_eq!(grant_of(&server, &first.id(1)), original);
        let grants = saved_accounts_reach(&server, &original).await;
        assert_eq!(grants.in_use, vec![original.clone()]);

        // The business it was saved at disconnects: the saved accounts still reach the bank
        // through that grant, which is kept for them.
        disconnect_all(&server, &[first.id(0), first.id(1)]).await;
        assert_eq!(live_grants_settled(&server).await, 1);
        let grants = saved_accounts_reach(&server, &original).await;
        assert_eq!(grants.in_use, vec![original.clone()]);
        assert!(grants.given_up.is_empty(), "{grants:?}");

        // The person links the same accounts there again with a new bank login: the saved
        // accounts follow their accounts to the new grant, and the original one is given up.
        let relinked = linked_and_completed(&server, "cus_first", EMAIL).await;
        assert_eq!(relinked.id(0), first.id(0), "the same account, relinked");
        assert_eq!(relinked.accounts[0]["status"], "active");
        let replacement = grant_of(&server, &first.id(0));
        assert_ne!(replacement, original);
        live_grants_become(&server, 1).await;
        let grants = saved_accounts_reach(&server, &replacement).await;
        assert_eq!(grants.in_use, vec![replacement.clone()]);
        common::eventually("the original grant given up", || async {
            grants_given_up(&server)
                .await
                .contains(&original)
                .then_some(())
        })
        .await;

        // Linked at a later session, they read their data through the grant they reach.
        let attached = attach_every_saved_account(&server).await;
        assert_eq!(attached.len(), 2);
        for id in &attached {
            assert_eq!(grant_of(&server, id), replacement, "{id}");
        }
        expect_status(
            server.refresh(&attached[0], &["balance"]).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            server.refreshed(&attached[0], "balance").await["balance_refresh"]["status"],
            "succeeded"
        );
    }

    /// The grants finlink gave up (revoked at the bank, tokens erased).
    async fn grants_given_up(server: &TestServer) -> Vec<String> {
        store_grants(server).await.given_up
    }

    #[tokio::test]
    async fn a_grant_shared_by_a_saved_and_a_linked_account_is_given_up_only_when_neither_uses_it()
    {
        let server = two_businesses().await;
        let first = saved_at_first_business(&server).await;
        let original = grant_of(&server, &first.id(0));

        // Harbor Books links the saved accounts: its accounts share the grant the saved
        // accounts reach.
        let secret = verified_harbor_session(&server).await;
        let harbor_accounts = link_every_saved_account(&server, &secret, "harbor-shared").await;
        assert_eq!(harbor_accounts.len(), 2);
        for id in &harbor_accounts {
            assert_eq!(grant_of(&server, id), original, "{id}");
        }
        saved_accounts_reach(&server, &original).await;

        // The first business's accounts are relinked with a new login: the saved accounts
        // follow them to the new grant; Harbor Books' accounts keep the original one.
        linked_and_completed(&server, "cus_first", EMAIL).await;
        let replacement = grant_of(&server, &first.id(0));
        assert_ne!(replacement, original);
        let grants = saved_accounts_reach(&server, &replacement).await;
        let mut both = vec![original.clone(), replacement.clone()];
        both.sort();
        assert_eq!(
            grants.in_use, both,
            "Harbor Books still reads with the original"
        );
        assert_eq!(live_grants_settled(&server).await, 2);

        // Harbor Books disconnects: nothing uses the original grant any more.
        for id in &harbor_accounts {
            let response = harbor(
                &server,
                Method::POST,
                &format!("/v1/financial_connections/accounts/{id}/disconnect"),
            )
            .send()
            .await
            .expect("sent");
            expect_status(response, StatusCode::OK).await;
        }
        live_grants_become(&server, 1).await;
        let grants = saved_accounts_reach(&server, &replacement).await;
        assert_eq!(grants.in_use, vec![replacement.clone()]);

        // Forgotten while the first business still reads with the grant: it stays; once that
        // business disconnects too, it is given up.
        let later = later_session(&server, Some(EMAIL), json!(["balances"])).await;
        expect_status(send_code(&server, &later).await, StatusCode::OK).await;
        verified(&server, &later, "000000").await;
        assert_eq!(forget(&server, &later).await["forgotten_accounts"], 2);
        let grants = store_grants(&server).await;
        assert!(grants.reached.is_empty(), "{grants:?}");
        assert!(grants.used_by_saved_accounts.is_empty(), "{grants:?}");
        assert_eq!(grants.in_use, vec![replacement.clone()]);
        assert_eq!(live_grants_settled(&server).await, 1);
        disconnect_all(&server, &[first.id(0), first.id(1)]).await;
        live_grants_become(&server, 0).await;
    }
}
