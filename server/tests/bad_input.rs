//! Every endpoint answers bad input with the error object and the right status, and a failed
//! request changes nothing.

mod common;

use common::{SECRET_KEY, TestServer, expect_error, expect_status};
use reqwest::{Method, StatusCode};
use serde_json::json;

const SESSIONS: &str = "/v1/financial_connections/sessions";

#[tokio::test]
async fn the_integrator_api_needs_the_secret_key() {
    let server = TestServer::start().await;
    let response = server
        .http
        .post(server.url(SESSIONS))
        .json(&json!({ "permissions": ["balances"] }))
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_missing",
    )
    .await;
    let response = server
        .http
        .post(server.url(SESSIONS))
        .bearer_auth("sk_test_wrong")
        .json(&json!({ "permissions": ["balances"] }))
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_invalid",
    )
    .await;
}

#[tokio::test]
async fn the_link_api_refuses_the_secret_key_and_unknown_or_forged_client_secrets() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    for bad in [
        SECRET_KEY.to_owned(),
        "fcsess_nothing_secret_x".to_owned(),
        format!("{secret}x"),
        secret[..secret.len() - 1].to_owned(),
    ] {
        let response = server.get_link(&bad, "/v1/link/session").await;
        expect_error(
            response,
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "client_secret_invalid",
        )
        .await;
    }
    let response = server
        .http
        .get(server.url("/v1/link/session"))
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "client_secret_invalid",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_wrong_types_and_unknown_fields_are_invalid_requests() {
    let server = TestServer::start().await;
    let cases = [
        ("{", "body_malformed"),
        (r#"{"permissions": "balances"}"#, "body_malformed"),
        (r#"{"permissions": ["money"]}"#, "body_malformed"),
        (
            r#"{"permissions": ["balances"], "colour": "red"}"#,
            "body_malformed",
        ),
        (r#"{}"#, "body_malformed"),
        (r#"{"permissions": []}"#, "parameter_missing"),
        (
            r#"{"permissions": ["balances"], "prefetch": ["transactions"]}"#,
            "parameter_invalid",
        ),
        (
            r#"{"permissions": ["balances"], "return_url": "javascript:alert(1)"}"#,
            "parameter_invalid",
        ),
        (
            r#"{"permissions": ["balances"], "return_url": "http://shop.example/back"}"#,
            "parameter_invalid",
        ),
        (
            r#"{"permissions": ["balances"], "account_holder": {"type": "customer"}}"#,
            "parameter_missing",
        ),
        (
            r#"{"permissions": ["balances"], "filters": {"institution": "ins_nope"}}"#,
            "parameter_invalid",
        ),
        (
            r#"{"permissions": ["balances"], "filters": {"countries": ["usa"]}}"#,
            "parameter_invalid",
        ),
    ];
    for (body, code) in cases {
        let response = server
            .integrator(Method::POST, SESSIONS)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        let error = expect_error(
            response,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            code,
        )
        .await;
        assert!(
            !error["message"].as_str().unwrap_or_default().is_empty(),
            "{body}"
        );
    }
    let response = server
        .integrator(Method::POST, SESSIONS)
        .body(r#"{"permissions":["balances"]}"#)
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "body_malformed",
    )
    .await;
}

#[tokio::test]
async fn a_return_url_may_be_https_an_app_scheme_or_loopback_http() {
    let server = TestServer::start().await;
    for url in [
        "https://shop.example/done",
        "shopapp://finlink/done",
        "http://127.0.0.1:3000/done",
        "http://localhost/done",
    ] {
        let session = server
            .create_session(json!({ "permissions": ["balances"], "return_url": url }))
            .await;
        assert_eq!(session["return_url"], url);
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let server = TestServer::start().await;
    let huge = format!(
        r#"{{"permissions":["balances"],"return_url":"https://x.example/{}"}}"#,
        "a".repeat(100_000)
    );
    let response = server
        .integrator(Method::POST, SESSIONS)
        .header("content-type", "application/json")
        .body(huge.clone())
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request_error",
        "body_too_large",
    )
    .await;
    let secret = server.consented_secret().await;
    let authorization = server
        .start_authorization(&secret, "ins_sandbox_credentials")
        .await;
    let id = authorization["id"].as_str().expect("id");
    let response = server
        .link(
            &secret,
            Method::POST,
            &format!("/v1/link/authorizations/{id}/attach"),
        )
        .header("Idempotency-Key", "big")
        .body(huge)
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request_error",
        "body_too_large",
    )
    .await;
}

#[tokio::test]
async fn a_wrong_method_or_path_answers_with_the_error_object() {
    let server = TestServer::start().await;
    let response = server
        .integrator(Method::DELETE, SESSIONS)
        .send()
        .await
        .expect("sent");
    expect_error(
        response,
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        "method_not_allowed",
    )
    .await;
    let response = server
        .integrator(Method::GET, "/v1/financial_connections/nothing")
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
    let response = server
        .integrator(
            Method::GET,
            "/v1/financial_connections/sessions/fcsess_missing",
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
}

#[tokio::test]
async fn link_endpoints_refuse_bad_bodies_and_keep_the_authorization_as_it_was() {
    let server = TestServer::start().await;
    let secret = server.consented_secret().await;
    let authorization = server
        .start_authorization(&secret, "ins_sandbox_credentials")
        .await;
    let id = authorization["id"].as_str().expect("id");
    let path = format!("/v1/link/authorizations/{id}/credentials");
    let bad_bodies = [
        json!({ "username": "jenny" }),
        json!({ "username": 5, "password": "x" }),
        json!({ "username": "j", "password": "p", "pin": 1 }),
    ];
    for body in bad_bodies {
        let response = server.post_link(&secret, &path, body).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "body_malformed",
        )
        .await;
    }
    let response = server
        .post_link(
            &secret,
            &path,
            json!({ "username": " ", "password": "pass_good" }),
        )
        .await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_missing",
    )
    .await;
    let response = server
        .post_link(
            &secret,
            &format!("/v1/link/authorizations/{id}/mfa"),
            json!({ "answer": "123456" }),
        )
        .await;
    expect_error(
        response,
        StatusCode::CONFLICT,
        "invalid_request_error",
        "authorization_state_invalid",
    )
    .await;
    let unchanged = expect_status(
        server
            .get_link(&secret, &format!("/v1/link/authorizations/{id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unchanged["status"], "awaiting_credentials");
    assert_eq!(unchanged["attempts_remaining"], 5, "no attempt was spent");
    let response = server
        .post_link(
            &secret,
            "/v1/link/authorizations",
            json!({ "institution": "ins_nope" }),
        )
        .await;
    expect_error(
        response,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
    let response = server
        .get_link(&secret, "/v1/link/institutions?limit=0")
        .await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    let response = server
        .get_link(&secret, "/v1/link/institutions?limit=abc")
        .await;
    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_api_answers_are_not_cached() {
    let server = TestServer::start().await;
    let response = server
        .integrator(Method::POST, SESSIONS)
        .json(&json!({ "permissions": ["balances"] }))
        .send()
        .await
        .expect("sent");
    assert!(
        response
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|id| id.starts_with("req_"))
    );
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
}
