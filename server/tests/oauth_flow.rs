//! OAuth at the sandbox bank's own page, as a person's browser goes through it: the link API
//! hands out the bank's URL, the person decides at the bank, the bank redirects to finlink's
//! callback, and the callback refuses anything that does not belong to that login.

mod common;

use common::{TestServer, expect_status};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// What the bank's consent page offers: its form's request id and the accounts' values.
struct BankPage {
    form_action: String,
    request: String,
    accounts: Vec<(String, String)>,
}

/// The value of the first `attribute="..."` after `from` in `html`.
fn attribute_after<'a>(html: &'a str, from: usize, attribute: &str) -> Option<&'a str> {
    let needle = format!("{attribute}=\"");
    let start = html[from..].find(&needle)? + from + needle.len();
    let end = html[start..].find('"')? + start;
    Some(&html[start..end])
}

/// The text a person sees in an HTML fragment: tags dropped.
fn visible_text(fragment: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for character in fragment.chars() {
        match character {
            '<' => in_tag = true,
            '>' => in_tag = false,
            other if !in_tag => text.push(other),
            _ => {}
        }
    }
    text
}

async fn open_bank_page(server: &TestServer, oauth_url: &str) -> BankPage {
    let response = server.http.get(oauth_url).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.expect("html");
    assert!(
        html.contains(">Authorize</button>") && html.contains(">Deny</button>"),
        "the bank offers both choices"
    );
    let request_at = html.find("name=\"request\"").expect("request field");
    let request = attribute_after(&html, request_at, "value")
        .expect("request value")
        .to_owned();
    let mut accounts = Vec::new();
    let mut cursor = 0;
    while let Some(found) = html[cursor..].find("name=\"account\"") {
        let at = cursor + found;
        let value = attribute_after(&html, at, "value")
            .expect("account value")
            .to_owned();
        let label_at = html[at..]
            .find("<label")
            .map(|offset| at + offset)
            .expect("label");
        let label_end = html[label_at..].find("</label>").expect("label end") + label_at;
        accounts.push((value, visible_text(&html[label_at..label_end])));
        cursor = at + 1;
    }
    let form_action = url::Url::parse(oauth_url)
        .and_then(|base| base.join("authorize"))
        .expect("action")
        .to_string();
    BankPage {
        form_action,
        request,
        accounts,
    }
}

/// Submits the bank's form; returns the redirect target (finlink's callback URL).
async fn decide(
    server: &TestServer,
    page: &BankPage,
    decision: &str,
    accounts: &[&str],
) -> url::Url {
    let mut form: Vec<(&str, &str)> =
        vec![("request", page.request.as_str()), ("decision", decision)];
    form.extend(accounts.iter().map(|account| ("account", *account)));
    let response = server
        .http
        .post(&page.form_action)
        .form(&form)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the bank redirects back"
    );
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .expect("location");
    url::Url::parse(location).expect("absolute callback URL")
}

fn query_param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn with_param(url: &url::Url, name: &str, value: Option<&str>) -> url::Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut changed = url.clone();
    {
        let mut query = changed.query_pairs_mut();
        query.clear();
        for (key, current) in &pairs {
            query.append_pair(key, current);
        }
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    changed
}

async fn follow_callback(server: &TestServer, callback: &url::Url) -> (StatusCode, String) {
    let response = server
        .http
        .get(callback.as_str())
        .send()
        .await
        .expect("sent");
    (response.status(), response.text().await.expect("page"))
}

async fn authorization(server: &TestServer, secret: &str, id: &str) -> Value {
    expect_status(
        server
            .get_link(secret, &format!("/v1/link/authorizations/{id}"))
            .await,
        StatusCode::OK,
    )
    .await
}

struct Started {
    secret: String,
    id: String,
    oauth_url: String,
}

async fn start_oauth(server: &TestServer) -> Started {
    let secret = server.consented_secret().await;
    let started = server
        .start_authorization(&secret, "ins_sandbox_oauth")
        .await;
    assert_eq!(started["status"], "awaiting_oauth");
    let oauth_url = started["oauth_url"].as_str().expect("oauth_url").to_owned();
    Started {
        secret,
        id: started["id"].as_str().expect("id").to_owned(),
        oauth_url,
    }
}

#[tokio::test]
async fn the_bank_url_carries_pkce_and_a_state_but_no_secret() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let url = url::Url::parse(&started.oauth_url).expect("url");
    assert_eq!(
        query_param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(query_param(&url, "code_challenge").is_some_and(|challenge| challenge.len() == 43));
    assert!(query_param(&url, "state").is_some_and(|state| state.starts_with(&started.id)));
    assert_eq!(
        query_param(&url, "redirect_uri"),
        Some(server.url("/oauth/callback"))
    );
    assert!(
        !started.oauth_url.contains(&started.secret),
        "the client secret never travels to the bank"
    );
}

#[tokio::test]
async fn authorizing_at_the_bank_shares_only_the_ticked_accounts() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let page = open_bank_page(&server, &started.oauth_url).await;
    let names: Vec<&str> = page
        .accounts
        .iter()
        .map(|(_, name)| name.as_str())
        .collect();
    assert!(
        names.iter().any(|name| name.contains("Everyday Checking")),
        "{names:?}"
    );
    let checking = page
        .accounts
        .iter()
        .find(|(_, name)| name.contains("Everyday Checking"))
        .expect("checking")
        .0
        .clone();
    let callback = decide(&server, &page, "authorize", &[&checking]).await;
    assert!(
        callback
            .as_str()
            .starts_with(&server.url("/oauth/callback"))
    );
    assert!(query_param(&callback, "iss").is_some());

    let (status, html) = follow_callback(&server, &callback).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("You&#39;re connected") || html.contains("You're connected"),
        "{html}"
    );
    assert_eq!(
        authorization(&server, &started.secret, &started.id).await["status"],
        "authorized"
    );

    let listed = expect_status(
        server
            .get_link(
                &started.secret,
                &format!("/v1/link/authorizations/{}/accounts", started.id),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let offered = listed["data"].as_array().expect("data");
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0]["display_name"], "Everyday Checking");
    let session = expect_status(
        server.get_link(&started.secret, "/v1/link/session").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(session["resume"]["step"], "select_accounts");
}

#[tokio::test]
async fn denying_at_the_bank_fails_the_authorization_and_the_person_can_start_again() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let page = open_bank_page(&server, &started.oauth_url).await;
    let callback = decide(&server, &page, "deny", &[]).await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    let (status, _) = follow_callback(&server, &callback).await;
    assert!(status.is_client_error());
    let failed = authorization(&server, &started.secret, &started.id).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["error"]["code"], "oauth_denied");
    let again = server
        .start_authorization(&started.secret, "ins_sandbox_oauth")
        .await;
    assert_eq!(again["status"], "awaiting_oauth");
}

#[tokio::test]
async fn a_wrong_or_missing_state_changes_nothing_and_the_real_answer_still_completes() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let page = open_bank_page(&server, &started.oauth_url).await;
    let ids: Vec<&str> = page.accounts.iter().map(|(id, _)| id.as_str()).collect();
    let callback = decide(&server, &page, "authorize", &ids).await;
    let state = query_param(&callback, "state").expect("state");

    let forged = with_param(&callback, "state", Some(&format!("{}.forged", started.id)));
    let missing = with_param(&callback, "state", None);
    let mangled = with_param(&callback, "state", Some(&state[..state.len() - 1]));
    for wrong in [forged, missing, mangled] {
        let (status, html) = follow_callback(&server, &wrong).await;
        assert!(status.is_client_error(), "{html}");
        assert!(html.contains("start again"), "{html}");
        assert_eq!(
            authorization(&server, &started.secret, &started.id).await["status"],
            "awaiting_oauth"
        );
    }
    let (status, _) = follow_callback(&server, &callback).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        authorization(&server, &started.secret, &started.id).await["status"],
        "authorized"
    );
}

#[tokio::test]
async fn a_replayed_callback_is_refused_and_leaves_the_authorization_authorized() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let page = open_bank_page(&server, &started.oauth_url).await;
    let ids: Vec<&str> = page.accounts.iter().map(|(id, _)| id.as_str()).collect();
    let callback = decide(&server, &page, "authorize", &ids).await;
    assert_eq!(follow_callback(&server, &callback).await.0, StatusCode::OK);
    let (status, _) = follow_callback(&server, &callback).await;
    assert!(status.is_client_error());
    assert_eq!(
        authorization(&server, &started.secret, &started.id).await["status"],
        "authorized"
    );
}

#[tokio::test]
async fn an_issuer_other_than_the_banks_is_refused_as_a_mix_up() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let page = open_bank_page(&server, &started.oauth_url).await;
    let ids: Vec<&str> = page.accounts.iter().map(|(id, _)| id.as_str()).collect();
    let callback = decide(&server, &page, "authorize", &ids).await;
    let other_bank = server.url("/sandbox/banks/ins_sandbox_credentials");
    for iss in [Some(other_bank.as_str()), None] {
        let session_secret = &started.secret;
        let restarted = server
            .start_authorization(session_secret, "ins_sandbox_oauth")
            .await;
        let restarted_url = restarted["oauth_url"].as_str().expect("url");
        let restarted_page = open_bank_page(&server, restarted_url).await;
        let fresh = decide(
            &server,
            &restarted_page,
            "authorize",
            &ids_of(&restarted_page),
        )
        .await;
        let tampered = with_param(&fresh, "iss", iss);
        let (status, html) = follow_callback(&server, &tampered).await;
        assert!(status.is_client_error(), "{html}");
        let refused = authorization(
            &server,
            session_secret,
            restarted["id"].as_str().expect("id"),
        )
        .await;
        assert_eq!(refused["status"], "failed");
        assert_eq!(refused["error"]["code"], "oauth_issuer_mismatch");
    }
    // The first authorization was abandoned by the restarts: its callback no longer counts.
    let (status, _) = follow_callback(&server, &callback).await;
    assert!(status.is_client_error());
}

fn ids_of(page: &BankPage) -> Vec<&str> {
    page.accounts.iter().map(|(id, _)| id.as_str()).collect()
}

#[tokio::test]
async fn a_code_replayed_into_another_login_is_refused_by_the_bank() {
    let server = TestServer::start().await;
    let first = start_oauth(&server).await;
    let page = open_bank_page(&server, &first.oauth_url).await;
    let used = decide(&server, &page, "authorize", &ids_of(&page)).await;
    assert_eq!(follow_callback(&server, &used).await.0, StatusCode::OK);
    let old_code = query_param(&used, "code").expect("code");

    let second = server
        .start_authorization(&first.secret, "ins_sandbox_oauth")
        .await;
    let second_page = open_bank_page(&server, second["oauth_url"].as_str().expect("url")).await;
    let fresh = decide(&server, &second_page, "authorize", &ids_of(&second_page)).await;
    let replayed = with_param(&fresh, "code", Some(&old_code));
    let (status, _) = follow_callback(&server, &replayed).await;
    assert!(status.is_client_error());
    let refused = authorization(&server, &first.secret, second["id"].as_str().expect("id")).await;
    assert_eq!(refused["status"], "failed");
    assert_eq!(refused["error"]["code"], "oauth_code_invalid");
}

#[tokio::test]
async fn the_oauth_bank_links_end_to_end_with_attach_and_complete() {
    let server = TestServer::start().await;
    let started = start_oauth(&server).await;
    let page = open_bank_page(&server, &started.oauth_url).await;
    let callback = decide(&server, &page, "authorize", &ids_of(&page)).await;
    assert_eq!(follow_callback(&server, &callback).await.0, StatusCode::OK);
    let listed = expect_status(
        server
            .get_link(
                &started.secret,
                &format!("/v1/link/authorizations/{}/accounts", started.id),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    let selectable: Vec<&str> = listed["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter(|account| account["unselectable_reason"].is_null())
        .filter_map(|account| account["id"].as_str())
        .collect();
    assert_eq!(
        selectable.len(),
        2,
        "checking and savings can carry payments, the card cannot"
    );
    let response = server
        .link(
            &started.secret,
            reqwest::Method::POST,
            &format!("/v1/link/authorizations/{}/attach", started.id),
        )
        .header("Idempotency-Key", "oauth-attach")
        .json(&json!({ "accounts": selectable }))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        expect_status(response, StatusCode::OK).await["accounts"]
            .as_array()
            .expect("accounts")
            .len(),
        2
    );
    let done = expect_status(
        server
            .post_link(&started.secret, "/v1/link/complete", json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["status"], "completed");
}
