//! A real finlink server on 127.0.0.1 with a real SQLite file, and a client that talks to it
//! as the business's server (secret key) and as the widget (client secret) would.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use finlink_server::config::Timing;
use finlink_server::sandbox::SandboxState;
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
    pub timing: Timing,
    _dir: Arc<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with_timing(Timing::for_tests()).await
    }

    /// A server with other refresh limits or worker pace (kept across `restart`).
    pub async fn start_with_timing(timing: Timing) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let database = dir.path().join("finlink.sqlite");
        Self::start_on(dir, database, ManualClock::starting_at(START_TIME), timing).await
    }

    async fn start_on(
        dir: Arc<tempfile::TempDir>,
        database: PathBuf,
        clock: ManualClock,
        timing: Timing,
    ) -> Self {
        let mut config = Config::for_tests(SECRET_KEY);
        config.database = Database::File(database.clone());
        config.timing = timing.clone();
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
            timing,
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
            self.timing.clone(),
        )
        .await
    }

    /// The sandbox banks of the running server (to inject faults).
    pub fn sandbox(&self) -> &SandboxState {
        self.server.as_ref().expect("running").sandbox()
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
        let session = self.create_session(default_session()).await;
        session["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned()
    }

    /// A session whose person already consented; returns its client secret.
    pub async fn consented_secret(&self) -> String {
        self.consented_secret_for(default_session()).await
    }

    /// A session created with `request` whose person consented to the permissions it asks
    /// for; returns its client secret.
    pub async fn consented_secret_for(&self, request: Value) -> String {
        let session = self.create_session(request).await;
        let secret = session["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_owned();
        expect_status(
            self.post_link(
                &secret,
                "/v1/link/consent",
                json!({ "permissions": session["permissions"] }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        secret
    }

    /// Logs in at the credentials bank `institution` with `pass_good`; returns the authorized
    /// authorization and the accounts it offers.
    pub async fn logged_in(&self, secret: &str, institution: &str) -> (Value, Vec<Value>) {
        let started = self.start_authorization(secret, institution).await;
        let id = started["id"].as_str().expect("id").to_owned();
        let authorized = expect_status(
            self.post_link(
                secret,
                &format!("/v1/link/authorizations/{id}/credentials"),
                json!({ "username": "jenny", "password": "pass_good" }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(authorized["status"], "authorized", "{authorized}");
        let offered = expect_status(
            self.get_link(secret, &format!("/v1/link/authorizations/{id}/accounts"))
                .await,
            StatusCode::OK,
        )
        .await;
        let offered = offered["data"].as_array().expect("data").clone();
        (authorized, offered)
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
/// The session most tests need: payment_method and balances, for a customer.
pub fn default_session() -> Value {
    json!({ "permissions": ["payment_method", "balances"], "account_holder": { "type": "customer", "customer": "cus_1" } })
}

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

/// How long a test waits for something asynchronous (a refresh, a delivery) before failing.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Polls `probe` every 10 ms until it returns `Some`, or panics after `PATIENCE` naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The credentials bank most tests link at.
pub const CREDENTIALS_BANK: &str = "ins_sandbox_credentials";

/// Accounts linked through one session, as the integrator reads them.
pub struct Linked {
    pub session_id: String,
    pub client_secret: String,
    /// The linked accounts (integrator view), in the order asked for.
    pub accounts: Vec<Value>,
}

impl Linked {
    pub fn id(&self, index: usize) -> String {
        self.accounts[index]["id"].as_str().expect("id").to_owned()
    }
}

impl TestServer {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.integrator(Method::GET, path)
            .send()
            .await
            .expect("sent")
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.integrator(Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("sent")
    }

    pub async fn account(&self, id: &str) -> Value {
        expect_status(
            self.get(&format!("/v1/financial_connections/accounts/{id}"))
                .await,
            StatusCode::OK,
        )
        .await
    }

    /// Polls the account until `done` holds; returns it.
    pub async fn account_when(&self, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        eventually(what, || async {
            let account = self.account(id).await;
            done(&account).then_some(account)
        })
        .await
    }

    /// Polls until the `{feature}_refresh` object (balance, ownership, transaction) is no
    /// longer pending; returns the account.
    pub async fn refreshed(&self, id: &str, refresh: &str) -> Value {
        let field = format!("{refresh}_refresh");
        self.account_when(id, &field.clone(), |account| {
            account[&field]["status"]
                .as_str()
                .is_some_and(|status| status != "pending")
        })
        .await
    }

    pub async fn refresh(&self, id: &str, features: &[&str]) -> reqwest::Response {
        self.post(
            &format!("/v1/financial_connections/accounts/{id}/refresh"),
            json!({ "features": features }),
        )
        .await
    }

    /// Creates a session with `request`, consents, logs in at `institution` with `pass_good`,
    /// attaches the accounts named `names` and completes the session.
    pub async fn link_accounts(&self, request: Value, institution: &str, names: &[&str]) -> Linked {
        let session = self.create_session(request).await;
        let secret = session["client_secret"]
            .as_str()
            .expect("secret")
            .to_owned();
        let session_id = session["id"].as_str().expect("id").to_owned();
        expect_status(
            self.post_link(
                &secret,
                "/v1/link/consent",
                json!({ "permissions": session["permissions"] }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let (authorized, offered) = self.logged_in(&secret, institution).await;
        let authorization_id = authorized["id"].as_str().expect("id").to_owned();
        let chosen: Vec<String> = names
            .iter()
            .map(|name| {
                offered
                    .iter()
                    .find(|account| account["display_name"] == *name)
                    .and_then(|account| account["id"].as_str())
                    .unwrap_or_else(|| panic!("no account {name} offered"))
                    .to_owned()
            })
            .collect();
        let attached = self
            .link(
                &secret,
                Method::POST,
                &format!("/v1/link/authorizations/{authorization_id}/attach"),
            )
            .header("Idempotency-Key", format!("attach-{session_id}"))
            .json(&json!({ "accounts": chosen }))
            .send()
            .await
            .expect("sent");
        expect_status(attached, StatusCode::OK).await;
        expect_status(
            self.post_link(&secret, "/v1/link/complete", json!({}))
                .await,
            StatusCode::OK,
        )
        .await;
        let session = expect_status(
            self.get(&format!("/v1/financial_connections/sessions/{session_id}"))
                .await,
            StatusCode::OK,
        )
        .await;
        let linked = session["accounts"]["data"]
            .as_array()
            .expect("accounts")
            .clone();
        let accounts = names
            .iter()
            .map(|name| {
                linked
                    .iter()
                    .find(|account| account["display_name"] == *name)
                    .unwrap_or_else(|| panic!("{name} not linked"))
                    .clone()
            })
            .collect();
        Linked {
            session_id,
            client_secret: secret,
            accounts,
        }
    }
}

/// A routing number in the sandbox directory: Sandbox Bank (OAuth).
pub const MANUAL_ROUTING_NUMBER: &str = "110000000";
/// An account number the sandbox accepts.
pub const MANUAL_ACCOUNT_NUMBER: &str = "000123456789";

/// The account details a person types in by hand: a checking account the sandbox accepts.
pub fn manual_account_body() -> Value {
    json!({
        "routing_number": MANUAL_ROUTING_NUMBER,
        "account_number": MANUAL_ACCOUNT_NUMBER,
        "account_number_confirmation": MANUAL_ACCOUNT_NUMBER,
        "account_type": "checking",
        "account_holder_name": "Jenny Rosen",
    })
}

/// The verification secret in a hosted verification URL's fragment.
pub fn verification_secret_of(url: &str) -> String {
    url.split_once("#verification_secret=")
        .map(|(_, secret)| secret.to_owned())
        .unwrap_or_else(|| panic!("no verification secret in {url}"))
}

impl TestServer {
    /// `POST /v1/link/manual_accounts` with an idempotency key.
    pub async fn post_manual(&self, secret: &str, key: &str, body: Value) -> reqwest::Response {
        self.link(secret, Method::POST, "/v1/link/manual_accounts")
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .expect("sent")
    }

    /// A consented session asking for payment_method with these extra create parameters,
    /// with the account of `manual_account_body` entered by hand; returns the client secret
    /// and the linked account as the widget got it.
    pub async fn manual_account(&self, extra: Value) -> (String, Value) {
        let mut request = json!({ "permissions": ["payment_method"] });
        if let (Some(request), Some(extra)) = (request.as_object_mut(), extra.as_object()) {
            request.extend(extra.clone());
        }
        let secret = self.consented_secret_for(request).await;
        let result = expect_status(
            self.post_manual(&secret, "manual-1", manual_account_body())
                .await,
            StatusCode::OK,
        )
        .await;
        let account = result["accounts"][0].clone();
        (secret, account)
    }

    /// A request of the hosted verification page.
    pub fn verification(&self, verification_secret: &str, method: Method) -> RequestBuilder {
        self.http
            .request(method, self.url("/v1/link/verification"))
            .bearer_auth(verification_secret)
    }

    /// `POST /v1/link/verification` with `answer`.
    pub async fn answer_verification(
        &self,
        verification_secret: &str,
        answer: Value,
    ) -> reqwest::Response {
        self.verification(verification_secret, Method::POST)
            .json(&answer)
            .send()
            .await
            .expect("sent")
    }
}
