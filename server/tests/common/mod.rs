//! A real finlink server on 127.0.0.1 with a real SQLite file, and a client that talks to it
//! as the business's server (secret key) and as the widget (client secret) would.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use finlink_server::{Config, Database, ManualClock, RunningServer};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

pub const SECRET_KEY: &str = "sk_test_integration_0123456789abcdef";
/// 2026-11-24T00:00:00Z: tests move the clock by hand.
pub const START_TIME: i64 = 1_795_478_400;

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: ManualClock,
    pub database: PathBuf,
    _dir: Arc<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let database = dir.path().join("finlink.sqlite");
        Self::start_on(dir, database, ManualClock::starting_at(START_TIME)).await
    }

    async fn start_on(dir: Arc<tempfile::TempDir>, database: PathBuf, clock: ManualClock) -> Self {
        let mut config = Config::for_tests(SECRET_KEY);
        config.database = Database::File(database.clone());
        let server = finlink_server::start(config, Arc::new(clock.clone()))
            .await
            .expect("server starts");
        let base = server.base_url();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self {
            server: Some(server),
            base,
            http,
            clock,
            database,
            _dir: dir,
        }
    }

    /// Stops this server and starts a new one on the same database file.
    pub async fn restart(mut self) -> Self {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        Self::start_on(
            Arc::clone(&self._dir),
            self.database.clone(),
            self.clock.clone(),
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request of the business's server.
    pub fn integrator(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(SECRET_KEY)
    }

    /// A request of the widget.
    pub fn link(&self, client_secret: &str, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(client_secret)
    }

    pub async fn create_session(&self, body: Value) -> Value {
        let response = self
            .integrator(Method::POST, "/v1/financial_connections/sessions")
            .json(&body)
            .send()
            .await
            .expect("sent");
        expect_status(response, StatusCode::OK).await
    }

    /// A session asking for payment_method and balances; returns its client secret.
    pub async fn new_secret(&self) -> String {
        let session = self
            .create_session(json!({ "permissions": ["payment_method", "balances"], "account_holder": { "type": "customer", "customer": "cus_1" } }))
            .await;
        session["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned()
    }

    /// A session whose person already consented; returns its client secret.
    pub async fn consented_secret(&self) -> String {
        let secret = self.new_secret().await;
        let response = self
            .link(&secret, Method::POST, "/v1/link/consent")
            .json(&json!({ "permissions": ["payment_method", "balances"] }))
            .send()
            .await
            .expect("sent");
        expect_status(response, StatusCode::OK).await;
        secret
    }

    pub async fn start_authorization(&self, secret: &str, institution: &str) -> Value {
        let response = self
            .link(secret, Method::POST, "/v1/link/authorizations")
            .json(&json!({ "institution": institution }))
            .send()
            .await
            .expect("sent");
        expect_status(response, StatusCode::OK).await
    }

    pub async fn post_link(&self, secret: &str, path: &str, body: Value) -> reqwest::Response {
        self.link(secret, Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("sent")
    }

    pub async fn get_link(&self, secret: &str, path: &str) -> reqwest::Response {
        self.link(secret, Method::GET, path)
            .send()
            .await
            .expect("sent")
    }
}

/// Asserts the status and returns the JSON body.
pub async fn expect_status(response: reqwest::Response, status: StatusCode) -> Value {
    let actual = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(actual, status, "unexpected status; body: {body}");
    body
}

/// Asserts an error response: status, type and code; returns the error object.
pub async fn expect_error(
    response: reqwest::Response,
    status: StatusCode,
    kind: &str,
    code: &str,
) -> Value {
    let body = expect_status(response, status).await;
    let error = &body["error"];
    assert_eq!(error["type"], kind, "error: {error}");
    assert_eq!(error["code"], code, "error: {error}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "error has a message: {error}"
    );
    assert!(
        error["request_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("req_")),
        "error has a request id: {error}"
    );
    body["error"].clone()
}
