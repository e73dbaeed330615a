//! Institution search over real HTTP: the directory file the widget searches without a round
//! trip (`GET /v1/link/directory`), its caching, and the server search endpoint that answers
//! as the widget would (`GET /v1/link/institutions`), on the generated sandbox directory and
//! on the real FedACH directory loaded as `--institutions` loads it.

mod common;

use std::io::Read;
use std::sync::Arc;

use common::{SECRET_KEY, TestServer, expect_error, expect_status};
use finlink_search::Catalog;
use finlink_search::format;
use finlink_server::{Config, RunningServer, SystemClock};
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LOCATION, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH, VARY,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const FEDACH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/FedACHdir.txt"
);

/// The directory file's budget for the 10,835 FedACH names, gzipped.
const GZIP_BUDGET: usize = 150 * 1024;

fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(&name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

async fn directory(server: &TestServer, secret: &str, gzip: bool) -> reqwest::Response {
    let mut request = server.link(secret, Method::GET, "/v1/link/directory");
    if gzip {
        request = request.header(ACCEPT_ENCODING, "gzip, deflate, br");
    }
    request.send().await.expect("sent")
}

#[tokio::test]
async fn the_directory_file_needs_the_client_secret() {
    let server = TestServer::start().await;
    let response = server
        .http
        .get(server.url("/v1/link/directory"))
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
async fn the_directory_file_is_gzipped_with_a_strong_etag_and_revalidated_with_304() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;

    let plain = directory(&server, &secret, false).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header(&plain, CONTENT_TYPE), "text/plain; charset=utf-8");
    assert_eq!(header(&plain, CONTENT_ENCODING), "");
    assert_eq!(header(&plain, CACHE_CONTROL), "private, no-cache");
    assert_eq!(header(&plain, VARY), "Accept-Encoding");
    let etag = header(&plain, ETAG);
    let version = etag.trim_matches('"').to_owned();
    assert_eq!(version.len(), 20, "{etag}");
    assert_eq!(
        header(&plain, CONTENT_LOCATION),
        format!("/v1/link/directory/{version}")
    );
    let text = plain.bytes().await.expect("body");

    let zipped = directory(&server, &secret, true).await;
    assert_eq!(zipped.status(), StatusCode::OK);
    assert_eq!(header(&zipped, CONTENT_ENCODING), "gzip");
    assert_eq!(header(&zipped, ETAG), format!("\"{version}-gzip\""));
    let body = zipped.bytes().await.expect("body");
    assert!(
        body.len() * 3 < text.len(),
        "{} of {}",
        body.len(),
        text.len()
    );
    assert_eq!(gunzip(&body), text);

    let records = format::decode(std::str::from_utf8(&text).expect("utf-8")).expect("decodes");
    assert!(records.len() > 6_000, "{}", records.len());
    let first = &records[0];
    assert_eq!(
        (first.id.as_str(), first.name.as_str(), first.featured),
        ("ins_sandbox_oauth", "Sandbox Bank (OAuth)", true)
    );
    let down = records
        .iter()
        .find(|r| r.id == "ins_down_scheduled")
        .expect("down bank");
    assert_eq!(down.status, format::Status::DownScheduled);
    assert_eq!(down.login, format::Login::Credentials);

    // The browser asks again with the tag it holds: not modified, no body.
    for (gzip, tag) in [(true, format!("\"{version}-gzip\"")), (false, etag.clone())] {
        let mut request = server
            .link(&secret, Method::GET, "/v1/link/directory")
            .header(IF_NONE_MATCH, format!("\"stale\", {tag}"));
        if gzip {
            request = request.header(ACCEPT_ENCODING, "gzip");
        }
        let again = request.send().await.expect("sent");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header(&again, ETAG), tag);
        assert_eq!(header(&again, CACHE_CONTROL), "private, no-cache");
        assert!(again.bytes().await.expect("body").is_empty());
    }
    let changed = server
        .link(&secret, Method::GET, "/v1/link/directory")
        .header(IF_NONE_MATCH, "\"stale\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(changed.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_versioned_file_is_cached_for_a_year_and_a_stale_version_is_not_found() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    let current = directory(&server, &secret, true).await;
    let location = header(&current, CONTENT_LOCATION);
    let body = current.bytes().await.expect("body");

    let versioned = server
        .link(&secret, Method::GET, &location)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(versioned.status(), StatusCode::OK);
    assert_eq!(
        header(&versioned, CACHE_CONTROL),
        "private, max-age=31536000, immutable"
    );
    assert_eq!(versioned.bytes().await.expect("body"), body);

    let stale = server
        .get_link(&secret, "/v1/link/directory/0123456789abcdef0123")
        .await;
    expect_error(
        stale,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "resource_missing",
    )
    .await;
}

#[tokio::test]
async fn other_link_api_responses_are_still_never_cached() {
    let server = TestServer::start().await;
    let secret = server.new_secret().await;
    let response = server.get_link(&secret, "/v1/link/institutions").await;
    assert_eq!(header(&response, CACHE_CONTROL), "no-store");
}

/// A server with the FedACH directory, as `--institutions FedACHdir.txt` starts it, and a
/// client secret for it; `None` (with a note) when the file is absent.
async fn fedach_server() -> Option<(RunningServer, String)> {
    if !std::path::Path::new(FEDACH).exists() {
        eprintln!("{FEDACH} is absent: the FedACH test passes without running");
        return None;
    }
    let mut config = Config::for_tests(SECRET_KEY);
    config.institutions = Some(FEDACH.into());
    let server = finlink_server::start(config, Arc::new(SystemClock))
        .await
        .expect("starts with the FedACH directory");
    let created: Value = reqwest::Client::new()
        .post(format!(
            "{}/v1/financial_connections/sessions",
            server.base_url()
        ))
        .bearer_auth(SECRET_KEY)
        .json(&json!({ "permissions": ["payment_method"] }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let secret = created["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    Some((server, secret))
}

async fn server_search(base: &str, secret: &str, query: &str, limit: usize) -> Vec<Value> {
    let url = reqwest::Url::parse_with_params(
        &format!("{base}/v1/link/institutions"),
        &[("query", query), ("limit", &limit.to_string())],
    )
    .expect("url");
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(secret)
        .send()
        .await
        .expect("sent");
    let body = expect_status(response, StatusCode::OK).await;
    body["data"].as_array().expect("data").clone()
}

#[tokio::test]
async fn with_the_fedach_directory_the_file_fits_the_budget_and_searches_as_the_server_does() {
    let Some((server, secret)) = fedach_server().await else {
        return;
    };
    let base = server.base_url();
    let response = reqwest::Client::new()
        .get(format!("{base}/v1/link/directory"))
        .bearer_auth(&secret)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let zipped = response.bytes().await.expect("body");
    assert!(
        zipped.len() <= GZIP_BUDGET,
        "{} bytes gzipped, over the budget of {GZIP_BUDGET}",
        zipped.len()
    );
    let text = String::from_utf8(gunzip(&zipped)).expect("utf-8");
    let catalog = Catalog::decode(&text).expect("decodes");
    assert_eq!(catalog.records().len(), 10_835 + 7);

    // What a person types, and the institution they mean, first: from the server...
    let expected = [
        ("chase", "JPMorgan Chase"),
        ("wells", "Wells Fargo Bank"),
        ("bank of am", "Bank of America, N.A."),
        ("navy federal", "Navy Federal Credit Union"),
        ("021000021", "JPMorgan Chase"),
        ("jpMorgan CHASE", "JPMorgan Chase"),
        ("bofa", "Bank of America, N.A."),
        ("usaa", "USAA Federal Savings Bank"),
        ("navy fed", "Navy Federal Credit Union"),
        ("citi", "Citibank N.A."),
    ];
    for (query, name) in expected {
        let found = server_search(&base, &secret, query, 5).await;
        let first = found.first().and_then(|i| i["name"].as_str());
        assert_eq!(first, Some(name), "{query:?}");
    }
    // ... and from the file, in the same order, letter by letter.
    for query in [
        "",
        "c",
        "ch",
        "cha",
        "chas",
        "chase",
        "wel far",
        "bank of am",
        "navy f",
        "0210",
        "021000021",
        "1st natl bk",
        "first national",
        "fcu",
        "st louis",
        "m&t",
        "zzz",
    ] {
        let served: Vec<String> = server_search(&base, &secret, query, 10)
            .await
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect();
        let local: Vec<String> = catalog
            .search(query, 10)
            .into_iter()
            .map(|record| record.id.clone())
            .collect();
        assert_eq!(served, local, "{query:?}");
    }
    // Before typing: the sandbox banks, then the well-known institutions.
    let featured: Vec<String> = server_search(&base, &secret, "", 10)
        .await
        .iter()
        .filter_map(|i| i["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        featured,
        [
            "Sandbox Bank (OAuth)",
            "Sandbox Bank (Credentials)",
            "JPMorgan Chase",
            "Bank of America, N.A.",
            "Wells Fargo Bank",
            "Citibank N.A.",
            "Capital One, N.A.",
            "US Bank N.A.",
            "PNC Bank, N.A.",
            "Navy Federal Credit Union",
        ]
    );
    server.stop().await;
}
