//! Several businesses on one deployment, over real HTTP with a real SQLite file: each
//! integrator's key reaches only its own sessions, accounts, account data, webhook endpoints
//! and events (another's are missing, lists never hold them); webhooks about one business's
//! accounts go only to its endpoints; relinking by `account_holder` never crosses businesses;
//! a database from before there were several businesses keeps its records under the first.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode as AxumStatus;
use common::{CREDENTIALS_BANK, SECRET_KEY, START_TIME, eventually, expect_error, expect_status};
use finlink_server::config::Integrator;
use finlink_server::{Config, Database, ManualClock, RunningServer};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

/// The first business: the key of `Config::for_tests`, "Demo Shop".
const SHOP_KEY: &str = SECRET_KEY;
/// The second business.
const BOOKS_KEY: &str = "sk_test_harbor_books_0123456789abcdef";
const BOOKS_NAME: &str = "Harbor Books";

fn books() -> Integrator {
    Integrator::new("harbor_books", BOOKS_KEY, BOOKS_NAME)
}

/// A deployment on a SQLite file in a temporary directory.
struct Deployment {
    server: Option<RunningServer>,
    base: String,
    http: reqwest::Client,
    database: PathBuf,
    _dir: tempfile::TempDir,
}

async fn start_on(database: &Path, integrators: Vec<Integrator>) -> RunningServer {
    let mut config = Config::for_tests(SHOP_KEY);
    config.database = Database::File(database.to_path_buf());
    config.integrators = integrators;
    finlink_server::start(config, Arc::new(ManualClock::starting_at(START_TIME)))
        .await
        .expect("server starts")
}

impl Deployment {
    /// Demo Shop and Harbor Books.
    async fn start() -> Self {
        Self::start_with(vec![
            Integrator::new("default", SHOP_KEY, "Demo Shop"),
            books(),
        ])
        .await
    }

    async fn start_with(integrators: Vec<Integrator>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("finlink.sqlite");
        let server = start_on(&database, integrators).await;
        Self {
            base: server.base_url(),
            server: Some(server),
            http: reqwest::Client::new(),
            database,
            _dir: dir,
        }
    }

    async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }

    /// Stops and starts again on the same file with `integrators`.
    async fn restart_with(&mut self, integrators: Vec<Integrator>) {
        self.stop().await;
        let server = start_on(&self.database, integrators).await;
        self.base = server.base_url();
        self.server = Some(server);
    }

    /// A request of the business whose key is `key`.
    fn as_business(&self, key: &str, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key)
    }

    async fn get(&self, key: &str, path: &str) -> reqwest::Response {
        self.as_business(key, Method::GET, path)
            .send()
            .await
            .expect("sent")
    }

    async fn post(&self, key: &str, path: &str, body: Value) -> reqwest::Response {
        self.as_business(key, Method::POST, path)
            .json(&body)
            .send()
            .await
            .expect("sent")
    }

    async fn link_post(&self, secret: &str, path: &str, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(secret)
            .header("Idempotency-Key", format!("key-{path}"))
            .json(&body)
            .send()
            .await
            .expect("sent");
        expect_status(response, StatusCode::OK).await
    }

    /// The business whose key is `key` creates a session for its customer `customer` with
    /// `permissions`; the person consents, logs in at the credentials bank and links the
    /// accounts named `names`. Answers the session id and the linked accounts, in that order.
    async fn link(
        &self,
        key: &str,
        customer: &str,
        permissions: &[&str],
        names: &[&str],
    ) -> (String, Vec<Value>) {
        let session = expect_status(
            self.post(
                key,
                "/v1/financial_connections/sessions",
                json!({
                    "permissions": permissions,
                    "account_holder": { "type": "customer", "customer": customer },
                }),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let secret = session["client_secret"]
            .as_str()
            .expect("secret")
            .to_owned();
        let session_id = session["id"].as_str().expect("id").to_owned();
        self.link_post(
            &secret,
            "/v1/link/consent",
            json!({ "permissions": session["permissions"] }),
        )
        .await;
        let started = self
            .link_post(
                &secret,
                "/v1/link/authorizations",
                json!({ "institution": CREDENTIALS_BANK }),
            )
            .await;
        let authorization = started["id"].as_str().expect("id").to_owned();
        let authorized = self
            .link_post(
                &secret,
                &format!("/v1/link/authorizations/{authorization}/credentials"),
                json!({ "username": "jenny", "password": "pass_good" }),
            )
            .await;
        assert_eq!(authorized["status"], "authorized", "{authorized}");
        let offered = expect_status(
            self.http
                .get(format!(
                    "{}/v1/link/authorizations/{authorization}/accounts",
                    self.base
                ))
                .bearer_auth(&secret)
                .send()
                .await
                .expect("sent"),
            StatusCode::OK,
        )
        .await;
        let chosen: Vec<Value> = names
            .iter()
            .map(|name| {
                offered["data"]
                    .as_array()
                    .expect("data")
                    .iter()
                    .find(|account| account["display_name"] == *name)
                    .map(|account| account["id"].clone())
                    .unwrap_or_else(|| panic!("{name} not offered"))
            })
            .collect();
        self.link_post(
            &secret,
            &format!("/v1/link/authorizations/{authorization}/attach"),
            json!({ "accounts": chosen }),
        )
        .await;
        self.link_post(&secret, "/v1/link/complete", json!({}))
            .await;
        let session = expect_status(
            self.get(
                key,
                &format!("/v1/financial_connections/sessions/{session_id}"),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        let linked = session["accounts"]["data"]
            .as_array()
            .expect("data")
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
        (session_id, accounts)
    }
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(id_of)
        .collect()
}

async fn missing(response: reqwest::Response) {
    expect_error(
        response,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
}

#[tokio::test]
async fn another_business_can_neither_read_nor_change_a_business_s_sessions_and_accounts() {
    let deployment = Deployment::start().await;
    let all = ["payment_method", "balances", "ownership", "transactions"];
    let (session_id, accounts) = deployment
        .link(SHOP_KEY, "cus_demo", &all, &["Everyday Checking"])
        .await;
    let account = id_of(&accounts[0]);
    // The shop reads its transactions once, so that there is one to ask for.
    expect_status(
        deployment
            .post(
                SHOP_KEY,
                &format!("/v1/financial_connections/accounts/{account}/refresh"),
                json!({ "features": ["transactions", "ownership"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let transactions = eventually("the shop's transactions", || async {
        let list = expect_status(
            deployment
                .get(
                    SHOP_KEY,
                    &format!("/v1/financial_connections/transactions?account={account}"),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        (!ids(&list).is_empty()).then_some(list)
    })
    .await;
    let transaction = ids(&transactions)[0].clone();

    let reads = [
        format!("/v1/financial_connections/sessions/{session_id}"),
        format!("/v1/financial_connections/accounts?session={session_id}"),
        format!("/v1/financial_connections/accounts/{account}"),
        format!("/v1/financial_connections/accounts/{account}/owners"),
        format!("/v1/financial_connections/accounts/{account}/account_numbers"),
        format!("/v1/financial_connections/transactions?account={account}"),
        format!("/v1/financial_connections/transactions/{transaction}"),
    ];
    for path in &reads {
        missing(deployment.get(BOOKS_KEY, path).await).await;
        // The shop itself reads every one of them.
        expect_status(deployment.get(SHOP_KEY, path).await, StatusCode::OK).await;
    }
    let changes = [
        ("refresh", json!({ "features": ["balance"] })),
        ("subscribe", json!({ "features": ["transactions"] })),
        ("unsubscribe", json!({ "features": ["transactions"] })),
        ("disconnect", json!({})),
    ];
    for (action, body) in changes {
        missing(
            deployment
                .post(
                    BOOKS_KEY,
                    &format!("/v1/financial_connections/accounts/{account}/{action}"),
                    body,
                )
                .await,
        )
        .await;
    }
    missing(
        deployment
            .post(
                BOOKS_KEY,
                &format!(
                    "/v1/test_helpers/financial_connections/accounts/{account}/verification/advance_clock"
                ),
                json!({ "seconds": 60 }),
            )
            .await,
    )
    .await;
    // Harbor Books' own customer cus_demo has no accounts.
    let theirs = expect_status(
        deployment
            .get(
                BOOKS_KEY,
                "/v1/financial_connections/accounts?account_holder[customer]=cus_demo",
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&theirs), Vec::<String>::new());
    // Nothing Harbor Books tried changed the shop's account.
    let after = expect_status(
        deployment
            .get(
                SHOP_KEY,
                &format!("/v1/financial_connections/accounts/{account}"),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["status"], "active", "{after}");
    assert!(after["transaction_refresh"].is_object(), "{after}");
    let ours = expect_status(
        deployment
            .get(
                SHOP_KEY,
                "/v1/financial_connections/accounts?account_holder[customer]=cus_demo",
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&ours), vec![account]);
}

#[tokio::test]
async fn the_same_customer_id_at_two_businesses_is_two_customers() {
    let deployment = Deployment::start().await;
    let (_, shop_first) = deployment
        .link(SHOP_KEY, "cus_demo", &["balances"], &["Everyday Checking"])
        .await;
    let (_, books_first) = deployment
        .link(BOOKS_KEY, "cus_demo", &["balances"], &["Everyday Checking"])
        .await;
    let shop_account = id_of(&shop_first[0]);
    let books_account = id_of(&books_first[0]);
    assert_ne!(shop_account, books_account, "not merged across businesses");
    // Within one business, linking the same bank account again still updates it.
    let (_, shop_again) = deployment
        .link(SHOP_KEY, "cus_demo", &["ownership"], &["Everyday Checking"])
        .await;
    assert_eq!(id_of(&shop_again[0]), shop_account);
    assert_eq!(
        shop_again[0]["permissions"],
        json!(["balances", "ownership"])
    );
    let (_, books_again) = deployment
        .link(BOOKS_KEY, "cus_demo", &["balances"], &["Everyday Checking"])
        .await;
    assert_eq!(id_of(&books_again[0]), books_account);
    assert_eq!(books_again[0]["permissions"], json!(["balances"]));
    for (key, account) in [(SHOP_KEY, &shop_account), (BOOKS_KEY, &books_account)] {
        let list = expect_status(
            deployment
                .get(
                    key,
                    "/v1/financial_connections/accounts?account_holder[customer]=cus_demo",
                )
                .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(&ids(&list), &vec![account.clone()]);
    }
    // Harbor Books disconnecting its account leaves the shop's as it was.
    let disconnected = expect_status(
        deployment
            .post(
                BOOKS_KEY,
                &format!("/v1/financial_connections/accounts/{books_account}/disconnect"),
                json!({}),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(disconnected["status"], "disconnected");
    let refreshed = expect_status(
        deployment
            .post(
                SHOP_KEY,
                &format!("/v1/financial_connections/accounts/{shop_account}/refresh"),
                json!({ "features": ["balance"] }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(refreshed["status"], "active", "{refreshed}");
}

/// A webhook receiver on 127.0.0.1 that records the event bodies POSTed to `/{name}`.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(String, Value)>>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    UrlPath(name): UrlPath<String>,
    body: Bytes,
) -> AxumStatus {
    let event = serde_json::from_slice(&body).unwrap_or(Value::Null);
    receiver.received.lock().expect("lock").push((name, event));
    AxumStatus::OK
}

impl Receiver {
    async fn start() -> (Self, String) {
        let receiver = Self::default();
        let app = axum::Router::new()
            .route("/{name}", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, base)
    }

    /// The account ids of the events that reached `/{name}`.
    fn accounts_at(&self, name: &str) -> Vec<String> {
        self.received
            .lock()
            .expect("lock")
            .iter()
            .filter(|(at, _)| at == name)
            .map(|(_, event)| {
                event["data"]["object"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }
}

#[tokio::test]
async fn each_business_gets_the_webhooks_and_events_of_its_own_accounts_only() {
    let deployment = Deployment::start().await;
    let (receiver, base) = Receiver::start().await;
    let mut endpoints = Vec::new();
    for (key, name) in [(SHOP_KEY, "shop"), (BOOKS_KEY, "books")] {
        let endpoint = expect_status(
            deployment
                .post(
                    key,
                    "/v1/webhook_endpoints",
                    json!({ "url": format!("{base}/{name}"), "enabled_events": ["*"] }),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        endpoints.push(id_of(&endpoint));
    }
    let (_, shop_accounts) = deployment
        .link(SHOP_KEY, "cus_demo", &["balances"], &["Everyday Checking"])
        .await;
    let (_, books_accounts) = deployment
        .link(
            BOOKS_KEY,
            "cus_demo",
            &["balances"],
            &["High-Yield Savings"],
        )
        .await;
    let shop_account = id_of(&shop_accounts[0]);
    let books_account = id_of(&books_accounts[0]);
    eventually("both accounts' created events", || async {
        (receiver.accounts_at("shop").contains(&shop_account)
            && receiver.accounts_at("books").contains(&books_account))
        .then_some(())
    })
    .await;
    assert!(
        receiver
            .accounts_at("shop")
            .iter()
            .all(|account| account == &shop_account),
        "{:?}",
        receiver.accounts_at("shop")
    );
    assert!(
        receiver
            .accounts_at("books")
            .iter()
            .all(|account| account == &books_account),
        "{:?}",
        receiver.accounts_at("books")
    );

    // The events API lists each business's own.
    let mut shop_events = Vec::new();
    for (key, own, theirs) in [
        (SHOP_KEY, &shop_account, &books_account),
        (BOOKS_KEY, &books_account, &shop_account),
    ] {
        let events = expect_status(deployment.get(key, "/v1/events").await, StatusCode::OK).await;
        let about: Vec<&str> = events["data"]
            .as_array()
            .expect("data")
            .iter()
            .filter_map(|event| event["data"]["object"]["id"].as_str())
            .collect();
        assert!(about.contains(&own.as_str()), "{events}");
        assert!(!about.contains(&theirs.as_str()), "{events}");
        if key == SHOP_KEY {
            shop_events = ids(&events);
        }
    }
    let shop_event = &shop_events[0];
    missing(
        deployment
            .get(BOOKS_KEY, &format!("/v1/events/{shop_event}"))
            .await,
    )
    .await;
    expect_status(
        deployment
            .get(SHOP_KEY, &format!("/v1/events/{shop_event}"))
            .await,
        StatusCode::OK,
    )
    .await;
    expect_error(
        deployment
            .get(
                BOOKS_KEY,
                &format!("/v1/events?starting_after={shop_event}"),
            )
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;

    // And each its own webhook endpoints.
    let (shop_endpoint, books_endpoint) = (&endpoints[0], &endpoints[1]);
    let listed = expect_status(
        deployment.get(BOOKS_KEY, "/v1/webhook_endpoints").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(&ids(&listed), &vec![books_endpoint.clone()]);
    missing(
        deployment
            .get(BOOKS_KEY, &format!("/v1/webhook_endpoints/{shop_endpoint}"))
            .await,
    )
    .await;
    missing(
        deployment
            .as_business(
                BOOKS_KEY,
                Method::DELETE,
                &format!("/v1/webhook_endpoints/{shop_endpoint}"),
            )
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let still = expect_status(
        deployment
            .get(SHOP_KEY, &format!("/v1/webhook_endpoints/{shop_endpoint}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(still["url"], format!("{base}/shop"));
}

#[tokio::test]
async fn a_database_from_before_several_businesses_keeps_its_records_under_the_first() {
    let mut deployment =
        Deployment::start_with(vec![Integrator::new("default", SHOP_KEY, "Demo Shop")]).await;
    let (session_id, accounts) = deployment
        .link(SHOP_KEY, "cus_demo", &["balances"], &["Everyday Checking"])
        .await;
    let account = id_of(&accounts[0]);
    let endpoint = id_of(
        &expect_status(
            deployment
                .post(
                    SHOP_KEY,
                    "/v1/webhook_endpoints",
                    json!({ "url": "http://127.0.0.1:9/hooks", "enabled_events": ["*"] }),
                )
                .await,
            StatusCode::OK,
        )
        .await,
    );
    deployment.stop().await;
    // Back to the schema before integrators (version 8 added them, 9 came after): the file of
    // a server that never knew of several businesses.
    {
        let connection = rusqlite::Connection::open(&deployment.database).expect("open");
        let version: i64 = connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .expect("version");
        assert_eq!(version, 9, "this test rewinds migrations 8 and 9");
        connection
            .execute_batch(
                "DROP TABLE returning_user_declines;
                 DROP INDEX sessions_by_integrator;
                 DROP INDEX events_by_integrator;
                 ALTER TABLE sessions DROP COLUMN integrator_id;
                 ALTER TABLE webhook_endpoints DROP COLUMN integrator_id;
                 ALTER TABLE events DROP COLUMN integrator_id;
                 PRAGMA user_version = 7;",
            )
            .expect("rewound");
    }
    // The operator now configures a second business; the shop stays first.
    deployment
        .restart_with(vec![
            Integrator::new("default", SHOP_KEY, "Demo Shop"),
            books(),
        ])
        .await;
    for path in [
        format!("/v1/financial_connections/sessions/{session_id}"),
        format!("/v1/financial_connections/accounts/{account}"),
        format!("/v1/webhook_endpoints/{endpoint}"),
    ] {
        expect_status(deployment.get(SHOP_KEY, &path).await, StatusCode::OK).await;
        missing(deployment.get(BOOKS_KEY, &path).await).await;
    }
    let events = expect_status(deployment.get(SHOP_KEY, "/v1/events").await, StatusCode::OK).await;
    assert!(!ids(&events).is_empty(), "{events}");
    let none = expect_status(
        deployment.get(BOOKS_KEY, "/v1/events").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&none), Vec::<String>::new());
    // New sessions of each business are its own.
    let (_, theirs) = deployment
        .link(BOOKS_KEY, "cus_demo", &["balances"], &["Everyday Checking"])
        .await;
    assert_ne!(id_of(&theirs[0]), account);
    deployment.stop().await;
}

#[tokio::test]
async fn a_session_shows_the_business_whose_key_created_it() {
    let deployment = Deployment::start().await;
    for (key, name) in [(SHOP_KEY, "Demo Shop"), (BOOKS_KEY, BOOKS_NAME)] {
        let session = expect_status(
            deployment
                .post(
                    key,
                    "/v1/financial_connections/sessions",
                    json!({ "permissions": ["balances"] }),
                )
                .await,
            StatusCode::OK,
        )
        .await;
        let secret = session["client_secret"].as_str().expect("secret");
        let link = expect_status(
            deployment
                .http
                .get(format!("{}/v1/link/session", deployment.base))
                .bearer_auth(secret)
                .send()
                .await
                .expect("sent"),
            StatusCode::OK,
        )
        .await;
        assert_eq!(link["business_name"], name);
    }
    expect_error(
        deployment
            .get("sk_test_nobody_0123456789abcdef", "/v1/events")
            .await,
        StatusCode::UNAUTHORIZED,
        "authentication_error",
        "secret_key_invalid",
    )
    .await;
}

#[tokio::test]
async fn a_deployment_refuses_to_start_with_an_integrator_id_or_key_given_twice() {
    for (integrators, why) in [
        (
            vec![
                Integrator::new("default", SHOP_KEY, "Demo Shop"),
                Integrator::new("default", BOOKS_KEY, BOOKS_NAME),
            ],
            "two integrators have the id \"default\"",
        ),
        (
            vec![
                Integrator::new("default", SHOP_KEY, "Demo Shop"),
                Integrator::new("harbor_books", SHOP_KEY, BOOKS_NAME),
            ],
            "two integrators have the same secret key",
        ),
        (vec![], "no integrator is configured"),
    ] {
        let mut config = Config::for_tests(SHOP_KEY);
        config.integrators = integrators;
        match finlink_server::start(config, Arc::new(ManualClock::starting_at(START_TIME))).await {
            Ok(_) => panic!("started, though {why}"),
            Err(error) => assert!(error.to_string().contains(why), "{error}"),
        }
    }
}

#[tokio::test]
async fn the_second_demo_shop_is_another_business_on_its_own_origin_with_an_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(SHOP_KEY).with_integrator(books());
    config.database = Database::File(dir.path().join("finlink.sqlite"));
    config.demo_listen = Some(([127, 0, 0, 1], 0).into());
    config.second_demo_listen = Some(([127, 0, 0, 1], 0).into());
    let server = finlink_server::start(config, Arc::new(ManualClock::starting_at(START_TIME)))
        .await
        .expect("server starts");
    let first = server.demo_address.expect("demo shop");
    let second = server.second_demo_address.expect("second shop");
    assert_ne!(first, second);
    // Both shops may embed the widget.
    let origins: Vec<String> = server
        .allowed_origins
        .iter()
        .map(ToString::to_string)
        .collect();
    for shop in [first, second] {
        assert!(origins.contains(&format!("http://{shop}")), "{origins:?}");
    }
    let http = reqwest::Client::new();
    let shop = format!("http://{second}");
    let page = http
        .get(format!("{shop}/"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("page");
    assert!(page.contains("<h1>Harbor Books</h1>"), "{page}");
    assert!(
        page.contains(r#"<label for="email">Email</label>"#),
        "{page}"
    );
    assert!(
        page.contains(r#"value="jenny.rosen@example.com""#),
        "{page}"
    );
    assert!(page.contains(">Inbox</a>"), "{page}");

    // The shop's backend creates the session with its own key and the email typed.
    let created = expect_status(
        http.post(format!("{shop}/api/sessions"))
            .json(&json!({ "email": "Reader@Example.com" }))
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    let secret = created["client_secret"].as_str().expect("secret");
    let link = expect_status(
        http.get(format!("{}/v1/link/session", server.base_url()))
            .bearer_auth(secret)
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(link["business_name"], BOOKS_NAME);
    assert_eq!(link["email"], "Reader@Example.com");
    // Not the first shop's: its key does not reach the session.
    let session_id = secret.split("_secret_").next().expect("id");
    let url = format!(
        "{}/v1/financial_connections/sessions/{session_id}",
        server.base_url()
    );
    missing(
        http.get(&url)
            .bearer_auth(SHOP_KEY)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    expect_status(
        http.get(&url)
            .bearer_auth(BOOKS_KEY)
            .send()
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    // An email the server refuses is said so on the page.
    let refused = http
        .post(format!("{shop}/api/sessions"))
        .json(&json!({ "email": "not an email" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused: Value = refused.json().await.expect("JSON");
    assert_eq!(
        refused["error"],
        "Enter a valid email address, or leave Email empty."
    );

    // The inbox page lists what the sandbox sent to the address, as text (none yet).
    let inbox = http
        .get(format!("{shop}/inbox?to=reader%40example.com"))
        .send()
        .await
        .expect("sent");
    assert_eq!(inbox.status(), StatusCode::OK);
    let inbox = inbox.text().await.expect("page");
    assert!(inbox.contains("<h1>Inbox</h1>"), "{inbox}");
    assert!(
        inbox.contains("No emails to reader@example.com in the last hour."),
        "{inbox}"
    );
    server.stop().await;
}
