//! OAuth logins started in redirect mode (a web view's system browser, the hosted page, a
//! blocked popup): the bank comes back to finlink's callback, which sends the person to the
//! session's `return_url` exactly as registered, never to a URL anyone else chose.

mod common;

use common::{TestServer, default_session, expect_error, expect_status};
use reqwest::StatusCode;
use serde_json::{Value, json};

const RETURN_URL: &str = "https://shop.example/checkout/bank?step=2";

/// The value of the first `attribute="..."` after `from` in `html`.
fn attribute_after<'a>(html: &'a str, from: usize, attribute: &str) -> Option<&'a str> {
    let needle = format!("{attribute}=\"");
    let start = html[from..].find(&needle)? + from + needle.len();
    let end = html[start..].find('"')? + start;
    Some(&html[start..end])
}

/// A consented session created with `return_url` (if any); returns its client secret.
async fn consented(server: &TestServer, return_url: Option<&str>) -> String {
    let mut body = default_session();
    if let Some(url) = return_url {
        body["return_url"] = json!(url);
    }
    server.consented_secret_for(body).await
}

async fn start(server: &TestServer, secret: &str, oauth_return: &str) -> reqwest::Response {
    server
        .post_link(
            secret,
            "/v1/link/authorizations",
            json!({ "institution": "ins_sandbox_oauth", "oauth_return": oauth_return }),
        )
        .await
}

/// Goes through the bank's page with `decision` and returns finlink's callback URL.
async fn at_the_bank(server: &TestServer, oauth_url: &str, decision: &str) -> url::Url {
    let html = server
        .http
        .get(oauth_url)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("html");
    let request_at = html.find("name=\"request\"").expect("request field");
    let request = attribute_after(&html, request_at, "value").expect("request value");
    let account_at = html.find("name=\"account\"").expect("an account");
    let account = attribute_after(&html, account_at, "value").expect("account value");
    let action = url::Url::parse(oauth_url)
        .and_then(|base| base.join("authorize"))
        .expect("action");
    let response = server
        .http
        .post(action)
        .form(&[
            ("request", request),
            ("decision", decision),
            ("account", account),
        ])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().expect("location");
    url::Url::parse(location).expect("callback URL")
}

/// Where the callback sends the person back to: its `<meta refresh>` target and its link,
/// which must agree. `None` when the page sends nowhere.
async fn sent_back_to(response: reqwest::Response) -> Option<String> {
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("location").is_none(),
        "never a 3xx: the bank's form-action would block it"
    );
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let html = response.text().await.expect("page");
    let refresh_at = html.find("http-equiv=\"refresh\"")?;
    let content = attribute_after(&html, refresh_at, "content").expect("content");
    let target = content
        .strip_prefix("0;url=")
        .expect("refresh at once")
        .replace("&amp;", "&");
    let link_at = html
        .find("<a ")
        .expect("a link for when refresh does not happen");
    let href = attribute_after(&html, link_at, "href")
        .expect("href")
        .replace("&amp;", "&");
    assert_eq!(href, target);
    Some(target)
}

async fn session(server: &TestServer, secret: &str) -> Value {
    expect_status(
        server.get_link(secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn a_redirected_login_comes_back_to_the_return_url_exactly_and_resumes_at_account_selection()
{
    let server = TestServer::start().await;
    let secret = consented(&server, Some(RETURN_URL)).await;
    assert_eq!(session(&server, &secret).await["return_url"], RETURN_URL);
    let started = expect_status(start(&server, &secret, "redirect").await, StatusCode::OK).await;
    let oauth_url = started["oauth_url"].as_str().expect("oauth_url");
    let callback = at_the_bank(&server, oauth_url, "authorize").await;

    let response = server.http.get(callback).send().await.expect("sent");
    assert_eq!(sent_back_to(response).await.as_deref(), Some(RETURN_URL));
    assert_eq!(
        session(&server, &secret).await["resume"]["step"],
        "select_accounts"
    );
}

#[tokio::test]
async fn a_denied_redirected_login_also_returns_and_the_widget_shows_the_failure() {
    let server = TestServer::start().await;
    let secret = consented(&server, Some(RETURN_URL)).await;
    let started = expect_status(start(&server, &secret, "redirect").await, StatusCode::OK).await;
    let callback = at_the_bank(&server, started["oauth_url"].as_str().expect("url"), "deny").await;

    let response = server.http.get(callback).send().await.expect("sent");
    assert_eq!(sent_back_to(response).await.as_deref(), Some(RETURN_URL));
    let id = started["id"].as_str().expect("id");
    let authorization = expect_status(
        server
            .get_link(&secret, &format!("/v1/link/authorizations/{id}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(authorization["status"], "failed");
    assert_eq!(authorization["error"]["code"], "oauth_denied");
    // Back on the page, the person picks a bank again.
    assert_eq!(
        session(&server, &secret).await["resume"]["step"],
        "select_institution"
    );
}

#[tokio::test]
async fn a_popup_login_shows_the_closing_page_even_when_the_session_has_a_return_url() {
    let server = TestServer::start().await;
    let secret = consented(&server, Some(RETURN_URL)).await;
    let started = expect_status(start(&server, &secret, "popup").await, StatusCode::OK).await;
    let callback = at_the_bank(
        &server,
        started["oauth_url"].as_str().expect("url"),
        "authorize",
    )
    .await;

    let response = server.http.get(callback).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.expect("page");
    assert!(page.contains("/oauth/return.js"), "{page}");
    assert!(!page.contains("refresh"), "{page}");
    assert!(!page.contains(RETURN_URL), "{page}");
}

#[tokio::test]
async fn a_wrong_state_gets_an_error_page_and_no_redirect() {
    let server = TestServer::start().await;
    let secret = consented(&server, Some(RETURN_URL)).await;
    let started = expect_status(start(&server, &secret, "redirect").await, StatusCode::OK).await;
    let callback = at_the_bank(
        &server,
        started["oauth_url"].as_str().expect("url"),
        "authorize",
    )
    .await;
    let id = started["id"].as_str().expect("id");

    for forged in [
        format!("{id}.not-the-state"),
        "fcauth_unknown.x".to_owned(),
        String::new(),
    ] {
        let mut url = callback.clone();
        let pairs: Vec<(String, String)> = callback
            .query_pairs()
            .filter(|(key, _)| key != "state")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(&pairs)
            .append_pair("state", &forged);
        let response = server.http.get(url).send().await.expect("sent");
        assert!(
            response.status().is_client_error(),
            "state {forged:?}: {}",
            response.status()
        );
        assert!(
            response.headers().get("location").is_none(),
            "state {forged:?}"
        );
        let page = response.text().await.expect("page");
        assert!(page.contains("We couldn"), "{page}");
    }
    // The real state still works once, then a replay is refused without a redirect.
    let response = server
        .http
        .get(callback.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(sent_back_to(response).await.as_deref(), Some(RETURN_URL));
    let replay = server.http.get(callback).send().await.expect("sent");
    assert!(replay.status().is_client_error(), "{}", replay.status());
    let page = replay.text().await.expect("page");
    assert!(
        !page.contains("refresh") && !page.contains("shop.example"),
        "{page}"
    );
}

#[tokio::test]
async fn a_redirected_login_needs_a_session_with_a_return_url() {
    let server = TestServer::start().await;
    let secret = consented(&server, None).await;
    expect_error(
        start(&server, &secret, "redirect").await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        "parameter_invalid",
    )
    .await;
    // Credentials logins never leave the page: no return_url needed.
    let credentials = server
        .post_link(
            &secret,
            "/v1/link/authorizations",
            json!({ "institution": "ins_sandbox_credentials", "oauth_return": "redirect" }),
        )
        .await;
    expect_status(credentials, StatusCode::OK).await;
}

#[tokio::test]
async fn an_unknown_return_mode_is_refused() {
    let server = TestServer::start().await;
    let secret = consented(&server, Some(RETURN_URL)).await;
    let response = start(&server, &secret, "https://evil.example/").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
