//! The connector against the sandbox banks over real HTTP on 127.0.0.1: OAuth with the bank's
//! consent page driven like a browser, credentials logins with every MFA kind and failure, and
//! the account data of every test institution.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::Router;
use finlink_protocol::{AccountSubcategory, MfaChallenge};
use finlink_server::clock::{Clock, ManualClock};
use finlink_server::connector::{
    BankAccount, BankEndpoints, BankTokens, BankTransactionStatus, Connector, ConnectorError,
    LoginOutcome, OAuthCallback, Pkce, issuer_matches,
};
use finlink_server::directory::Directory;
use finlink_server::sandbox::{self, SandboxState};
use reqwest::StatusCode;
use reqwest::header::LOCATION;

const OAUTH_BANK: &str = "ins_sandbox_oauth";
const CREDENTIALS_BANK: &str = "ins_sandbox_credentials";
/// 2023-11-14T22:13:20Z.
const START: i64 = 1_700_000_000;

static DIRECTORY: LazyLock<Arc<Directory>> = LazyLock::new(|| Arc::new(Directory::sandbox()));

/// A sandbox served on a free loopback port, and a connector to it.
struct Sandbox {
    base: url::Url,
    redirect_uri: String,
    connector: Connector,
    clock: ManualClock,
}

impl Sandbox {
    async fn start() -> Sandbox {
        Self::start_at(START).await
    }

    async fn start_at(now: i64) -> Sandbox {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = url::Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let redirect_uri = format!("{}oauth/callback", base);
        let clock = ManualClock::starting_at(now);
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let state = SandboxState::with_clock(
            Arc::clone(&DIRECTORY),
            base.clone(),
            redirect_uri.clone(),
            Arc::clone(&shared),
        );
        let app = Router::new().nest("/sandbox", sandbox::router(state));
        tokio::spawn(async move { axum::serve(listener, app).await });
        let connector = Connector::new().unwrap().with_clock(shared);
        Sandbox {
            base,
            redirect_uri,
            connector,
            clock,
        }
    }

    fn bank(&self, institution_id: &str) -> BankEndpoints {
        BankEndpoints::sandbox(&self.base, institution_id)
    }

    async fn login(
        &self,
        institution_id: &str,
        password: &str,
    ) -> Result<LoginOutcome, ConnectorError> {
        self.connector
            .login(&self.bank(institution_id), "user_good", password)
            .await
    }

    async fn logged_in(&self, institution_id: &str) -> BankTokens {
        match self.login(institution_id, "pass_good").await.unwrap() {
            LoginOutcome::LoggedIn(tokens) => tokens,
            other => panic!("expected a login, got {other:?}"),
        }
    }

    async fn accounts_of(&self, institution_id: &str) -> Vec<BankAccount> {
        let tokens = self.logged_in(institution_id).await;
        self.connector
            .accounts(&self.bank(institution_id), &tokens.access_token)
            .await
            .unwrap()
    }
}

/// A browser that does not follow redirects, so that the test reads the bank's `Location`.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The attributes of every `<tag …>` of a page (the sandbox writes double-quoted values).
fn tags(html: &str, tag: &str) -> Vec<HashMap<String, String>> {
    let opening = format!("<{tag}");
    html.match_indices(&opening)
        .filter_map(|(start, _)| {
            let rest = &html[start + opening.len()..];
            rest.starts_with([' ', '>'])
                .then(|| &rest[..rest.find('>').unwrap()])
        })
        .map(attributes)
        .collect()
}

fn attributes(tag: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    let mut rest = tag.trim();
    while !rest.is_empty() {
        let name_end = rest.find(['=', ' ']).unwrap_or(rest.len());
        let name = rest[..name_end].to_owned();
        rest = &rest[name_end..];
        if let Some(after) = rest.strip_prefix("=\"") {
            let end = after.find('"').unwrap();
            found.insert(name, unescape(&after[..end]));
            rest = after[end + 1..].trim_start();
        } else {
            found.insert(name, String::new());
            rest = rest.trim_start();
        }
    }
    found
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The text between `<tag …>` and `</tag>` of each such element.
fn texts(html: &str, tag: &str) -> Vec<String> {
    let close = format!("</{tag}>");
    html.split(&format!("<{tag}"))
        .skip(1)
        .filter_map(|part| {
            let body = &part[part.find('>')? + 1..];
            Some(strip_tags(&body[..body.find(&close)?]))
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' => in_tag = false,
            other if !in_tag => text.push(other),
            _ => {}
        }
    }
    unescape(&text)
}

/// The consent page as a browser sees it.
struct ConsentPage {
    url: url::Url,
    html: String,
}

impl ConsentPage {
    async fn open(
        sandbox: &Sandbox,
        institution_id: &str,
        state: &str,
        pkce: &Pkce,
    ) -> ConsentPage {
        let bank = sandbox.bank(institution_id);
        let url =
            sandbox
                .connector
                .authorize_url(&bank, &sandbox.redirect_uri, state, &pkce.challenge);
        let response = browser().get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        ConsentPage {
            url: url::Url::parse(&url).unwrap(),
            html: response.text().await.unwrap(),
        }
    }

    /// `(value, label text)` of each account checkbox, and whether it is checked.
    fn accounts(&self) -> Vec<(String, String, bool)> {
        let labels: Vec<HashMap<String, String>> = tags(&self.html, "label");
        let label_texts = texts(&self.html, "label");
        tags(&self.html, "input")
            .into_iter()
            .filter(|input| input.get("type").map(String::as_str) == Some("checkbox"))
            .map(|input| {
                let id = &input["id"];
                let position = labels
                    .iter()
                    .position(|label| label.get("for") == Some(id))
                    .expect("a label for each checkbox");
                (
                    input["value"].clone(),
                    label_texts[position].clone(),
                    input.contains_key("checked"),
                )
            })
            .collect()
    }

    fn hidden(&self, name: &str) -> String {
        tags(&self.html, "input")
            .into_iter()
            .find(|input| input.get("name").map(String::as_str) == Some(name))
            .map(|input| input["value"].clone())
            .unwrap()
    }

    /// Submits the form with these accounts ticked and the button `decision`.
    async fn submit(&self, ticked: &[&str], decision: &str) -> reqwest::Response {
        let action = tags(&self.html, "form")[0]["action"].clone();
        let request = self.hidden("request");
        let mut form = vec![("request", request.as_str())];
        form.extend(ticked.iter().map(|id| ("account", *id)));
        form.push(("decision", decision));
        browser()
            .post(self.url.join(&action).unwrap())
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

/// The callback the bank's 303 points at.
fn callback(response: &reqwest::Response, redirect_uri: &str) -> OAuthCallback {
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(response.headers()[LOCATION].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(redirect_uri), "{location}");
    OAuthCallback::from_query(location.query().unwrap_or(""))
}

fn assert_error_page(status: StatusCode, response: &reqwest::Response) {
    assert_eq!(response.status(), status);
    assert!(
        response.headers().get(LOCATION).is_none(),
        "an error must never redirect"
    );
}

/// Runs the consent page up to a code for the given accounts.
async fn authorize(sandbox: &Sandbox, pkce: &Pkce, ticked: &[&str]) -> String {
    let page = ConsentPage::open(sandbox, OAUTH_BANK, "state-1", pkce).await;
    let response = page.submit(ticked, "authorize").await;
    callback(&response, &sandbox.redirect_uri)
        .into_code(&sandbox.bank(OAUTH_BANK))
        .unwrap()
}

async fn all_account_ids(sandbox: &Sandbox, pkce: &Pkce) -> Vec<String> {
    let page = ConsentPage::open(sandbox, OAUTH_BANK, "s", pkce).await;
    page.accounts().into_iter().map(|(id, _, _)| id).collect()
}

#[tokio::test]
async fn oauth_consent_page_lists_the_accounts_ticked_with_authorize_and_deny_buttons() {
    let sandbox = Sandbox::start().await;
    let page = ConsentPage::open(&sandbox, OAUTH_BANK, "state-1", &Pkce::generate()).await;
    assert_eq!(texts(&page.html, "h1"), ["Sandbox Bank (OAuth)"]);
    assert!(page.html.contains("<html lang=\"en\">"));
    let accounts = page.accounts();
    let labels: Vec<&str> = accounts
        .iter()
        .map(|(_, label, _)| label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Everyday Checking Checking account ending in 6789",
            "High-Yield Savings Savings account ending in 4321",
            "Rewards Credit Card Credit card ending in 9012"
        ]
    );
    assert!(accounts.iter().all(|(_, _, checked)| *checked));
    let buttons = texts(&page.html, "button");
    assert_eq!(buttons, ["Authorize", "Deny"]);
    let forms = tags(&page.html, "form");
    assert_eq!(forms[0]["method"], "post");
    assert_eq!(texts(&page.html, "legend"), ["Accounts to share"]);
}

#[tokio::test]
async fn oauth_authorization_shares_only_the_ticked_accounts_and_refreshes() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(OAUTH_BANK);
    let pkce = Pkce::generate();
    let page = ConsentPage::open(&sandbox, OAUTH_BANK, "state-1", &pkce).await;
    let ids: Vec<String> = page.accounts().into_iter().map(|(id, _, _)| id).collect();
    let response = page.submit(&[&ids[0], &ids[2]], "authorize").await;

    let callback = callback(&response, &sandbox.redirect_uri);
    assert_eq!(callback.state.as_deref(), Some("state-1"));
    assert_eq!(
        callback.iss.as_deref(),
        Some(format!("{}sandbox/banks/{OAUTH_BANK}", sandbox.base).as_str())
    );
    assert!(issuer_matches(&bank, callback.iss.as_deref()));
    let code = callback.into_code(&bank).unwrap();

    let tokens = sandbox
        .connector
        .exchange_code(&bank, &code, &sandbox.redirect_uri, &pkce.verifier)
        .await
        .unwrap();
    assert_eq!(tokens.expires_at_unix, START + 3600);
    assert!(tokens.refresh_token.is_some());
    let accounts = sandbox
        .connector
        .accounts(&bank, &tokens.access_token)
        .await
        .unwrap();
    let names: Vec<&str> = accounts
        .iter()
        .map(|account| account.display_name.as_str())
        .collect();
    assert_eq!(names, ["Everyday Checking", "Rewards Credit Card"]);

    sandbox.clock.advance(4000);
    let expired = sandbox
        .connector
        .accounts(&bank, &tokens.access_token)
        .await;
    assert!(
        matches!(expired, Err(ConnectorError::InvalidAccessToken)),
        "{expired:?}"
    );
    let refresh_token = tokens.refresh_token.unwrap();
    let refreshed = sandbox
        .connector
        .refresh(&bank, &refresh_token)
        .await
        .unwrap();
    assert_eq!(refreshed.expires_at_unix, START + 4000 + 3600);
    assert_ne!(
        refreshed.refresh_token.as_deref(),
        Some(refresh_token.as_str()),
        "refresh tokens rotate"
    );
    let again = sandbox
        .connector
        .accounts(&bank, &refreshed.access_token)
        .await
        .unwrap();
    let ids = |accounts: &[BankAccount]| {
        accounts
            .iter()
            .map(|a| a.bank_account_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&again),
        ids(&accounts),
        "the refreshed grant shares the same accounts"
    );
    assert_eq!(again[0].balance.as_ref().unwrap().as_of, START + 4000);
}

#[tokio::test]
async fn a_reused_refresh_token_is_refused_and_revokes_the_grant() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(CREDENTIALS_BANK);
    let tokens = sandbox.logged_in(CREDENTIALS_BANK).await;
    let old = tokens.refresh_token.unwrap();
    let fresh = sandbox.connector.refresh(&bank, &old).await.unwrap();
    let reused = sandbox.connector.refresh(&bank, &old).await;
    assert!(
        matches!(reused, Err(ConnectorError::InvalidGrant)),
        "{reused:?}"
    );
    let after = sandbox.connector.accounts(&bank, &fresh.access_token).await;
    assert!(
        matches!(after, Err(ConnectorError::InvalidAccessToken)),
        "{after:?}"
    );
}

#[tokio::test]
async fn deny_at_the_bank_returns_access_denied_with_state_and_issuer() {
    let sandbox = Sandbox::start().await;
    let pkce = Pkce::generate();
    let page = ConsentPage::open(&sandbox, OAUTH_BANK, "state-deny", &pkce).await;
    let response = page.submit(&[], "deny").await;
    let callback = callback(&response, &sandbox.redirect_uri);
    assert_eq!(callback.state.as_deref(), Some("state-deny"));
    assert_eq!(callback.error.as_deref(), Some("access_denied"));
    assert!(callback.code.is_none());
    let result = callback.into_code(&sandbox.bank(OAUTH_BANK));
    assert!(
        matches!(result, Err(ConnectorError::AccessDenied)),
        "{result:?}"
    );
    // The page was answered once: a second answer is refused.
    let again = page.submit(&[], "authorize").await;
    assert_error_page(StatusCode::BAD_REQUEST, &again);
}

#[tokio::test]
async fn authorizing_with_no_account_ticked_shows_an_alert_on_the_page() {
    let sandbox = Sandbox::start().await;
    let pkce = Pkce::generate();
    let page = ConsentPage::open(&sandbox, OAUTH_BANK, "s", &pkce).await;
    let response = page.submit(&[], "authorize").await;
    assert_error_page(StatusCode::UNPROCESSABLE_ENTITY, &response);
    let html = response.text().await.unwrap();
    let alert = tags(&html, "p")
        .into_iter()
        .position(|p| p.get("role").map(String::as_str) == Some("alert"));
    assert!(alert.is_some(), "the error is announced");
    assert!(html.contains("Choose at least one account"));
    // The same page can still be answered.
    let id = page.accounts()[1].0.clone();
    let response = page.submit(&[&id], "authorize").await;
    assert!(callback(&response, &sandbox.redirect_uri).code.is_some());
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_an_invalid_grant() {
    let sandbox = Sandbox::start().await;
    let pkce = Pkce::generate();
    let ids = all_account_ids(&sandbox, &pkce).await;
    let code = authorize(&sandbox, &pkce, &[&ids[0]]).await;
    let other = Pkce::generate();
    let result = sandbox
        .connector
        .exchange_code(
            &sandbox.bank(OAUTH_BANK),
            &code,
            &sandbox.redirect_uri,
            &other.verifier,
        )
        .await;
    assert!(
        matches!(result, Err(ConnectorError::InvalidGrant)),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_replayed_code_is_an_invalid_grant_and_revokes_the_tokens_it_gave() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(OAUTH_BANK);
    let pkce = Pkce::generate();
    let ids = all_account_ids(&sandbox, &pkce).await;
    let code = authorize(&sandbox, &pkce, &[&ids[0]]).await;
    let tokens = sandbox
        .connector
        .exchange_code(&bank, &code, &sandbox.redirect_uri, &pkce.verifier)
        .await
        .unwrap();
    let replay = sandbox
        .connector
        .exchange_code(&bank, &code, &sandbox.redirect_uri, &pkce.verifier)
        .await;
    assert!(
        matches!(replay, Err(ConnectorError::InvalidGrant)),
        "{replay:?}"
    );
    let accounts = sandbox
        .connector
        .accounts(&bank, &tokens.access_token)
        .await;
    assert!(
        matches!(accounts, Err(ConnectorError::InvalidAccessToken)),
        "{accounts:?}"
    );
    let refresh = sandbox
        .connector
        .refresh(&bank, tokens.refresh_token.as_deref().unwrap())
        .await;
    assert!(
        matches!(refresh, Err(ConnectorError::InvalidGrant)),
        "{refresh:?}"
    );
}

#[tokio::test]
async fn a_code_expires_after_a_minute() {
    let sandbox = Sandbox::start().await;
    let pkce = Pkce::generate();
    let ids = all_account_ids(&sandbox, &pkce).await;
    let code = authorize(&sandbox, &pkce, &[&ids[0]]).await;
    sandbox.clock.advance(61);
    let late = sandbox
        .connector
        .exchange_code(
            &sandbox.bank(OAUTH_BANK),
            &code,
            &sandbox.redirect_uri,
            &pkce.verifier,
        )
        .await;
    assert!(
        matches!(late, Err(ConnectorError::InvalidGrant)),
        "{late:?}"
    );
}

#[tokio::test]
async fn a_code_exchanged_with_another_redirect_uri_is_an_invalid_grant() {
    let sandbox = Sandbox::start().await;
    let pkce = Pkce::generate();
    let ids = all_account_ids(&sandbox, &pkce).await;
    let code = authorize(&sandbox, &pkce, &[&ids[0]]).await;
    let other = format!("{}elsewhere", sandbox.base);
    let result = sandbox
        .connector
        .exchange_code(&sandbox.bank(OAUTH_BANK), &code, &other, &pkce.verifier)
        .await;
    assert!(
        matches!(result, Err(ConnectorError::InvalidGrant)),
        "{result:?}"
    );
}

#[tokio::test]
async fn invalid_authorization_requests_get_an_error_page_never_a_redirect() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(OAUTH_BANK);
    let pkce = Pkce::generate();
    let good = url::Url::parse(&sandbox.connector.authorize_url(
        &bank,
        &sandbox.redirect_uri,
        "s",
        &pkce.challenge,
    ))
    .unwrap();
    let with = |changes: &[(&str, Option<&str>)]| {
        let mut pairs: Vec<(String, String)> = good.query_pairs().into_owned().collect();
        for (name, value) in changes {
            pairs.retain(|(key, _)| key != name);
            if let Some(value) = value {
                pairs.push(((*name).to_owned(), (*value).to_owned()));
            }
        }
        let mut url = good.clone();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url
    };
    let cases = [
        with(&[("redirect_uri", Some("https://evil.example/callback"))]),
        with(&[("redirect_uri", Some(&format!("{}/", sandbox.redirect_uri)))]),
        with(&[("client_id", Some("someone_else"))]),
        with(&[("state", None)]),
        with(&[("code_challenge_method", Some("plain"))]),
        with(&[("code_challenge", None)]),
        with(&[("response_type", Some("token"))]),
    ];
    for url in cases {
        let response = browser().get(url.clone()).send().await.unwrap();
        assert_error_page(StatusCode::BAD_REQUEST, &response);
        let html = response.text().await.unwrap();
        assert_eq!(texts(&html, "h1"), ["Sandbox Bank (OAuth)"], "{url}");
        assert!(!html.contains("<form"), "{url}");
    }
    let credentials_bank = sandbox.bank(CREDENTIALS_BANK);
    let url = sandbox.connector.authorize_url(
        &credentials_bank,
        &sandbox.redirect_uri,
        "s",
        &pkce.challenge,
    );
    assert_error_page(
        StatusCode::BAD_REQUEST,
        &browser().get(url).send().await.unwrap(),
    );
}

#[tokio::test]
async fn revoked_tokens_no_longer_open_the_accounts() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(CREDENTIALS_BANK);
    let tokens = sandbox.logged_in(CREDENTIALS_BANK).await;
    sandbox
        .connector
        .revoke(&bank, tokens.refresh_token.as_deref().unwrap())
        .await
        .unwrap();
    let accounts = sandbox
        .connector
        .accounts(&bank, &tokens.access_token)
        .await;
    assert!(
        matches!(accounts, Err(ConnectorError::InvalidAccessToken)),
        "{accounts:?}"
    );
    // RFC 7009: revoking what is already revoked succeeds.
    sandbox
        .connector
        .revoke(&bank, &tokens.access_token)
        .await
        .unwrap();
}

#[tokio::test]
async fn tokens_of_one_bank_do_not_open_another() {
    let sandbox = Sandbox::start().await;
    let tokens = sandbox.logged_in(CREDENTIALS_BANK).await;
    let elsewhere = sandbox
        .connector
        .accounts(&sandbox.bank("ins_ownership_test"), &tokens.access_token)
        .await;
    assert!(
        matches!(elsewhere, Err(ConnectorError::InvalidAccessToken)),
        "{elsewhere:?}"
    );
}

#[tokio::test]
async fn pass_good_logs_in_and_shares_every_standard_account() {
    let sandbox = Sandbox::start().await;
    let accounts = sandbox.accounts_of(CREDENTIALS_BANK).await;
    let summary: Vec<(&str, AccountSubcategory, &str, bool, bool)> = accounts
        .iter()
        .map(|a| {
            (
                a.display_name.as_str(),
                a.subcategory,
                a.last4.as_str(),
                a.supports_ach,
                a.open,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Everyday Checking",
                AccountSubcategory::Checking,
                "6789",
                true,
                true
            ),
            (
                "High-Yield Savings",
                AccountSubcategory::Savings,
                "4321",
                true,
                true
            ),
            (
                "Rewards Credit Card",
                AccountSubcategory::CreditCard,
                "9012",
                false,
                true
            ),
        ]
    );
    let checking = &accounts[0];
    assert_eq!(checking.routing_number.as_deref(), Some("110000013"));
    assert!(
        checking
            .account_number
            .as_deref()
            .unwrap()
            .ends_with("6789")
    );
    let balance = checking.balance.as_ref().unwrap();
    assert_eq!(
        (
            balance.current,
            balance.available,
            balance.currency.as_str()
        ),
        (524_312, Some(519_812), "usd")
    );
    assert_eq!(checking.owners[0].name, "Jenny Rosen");
    assert_eq!(
        checking.owners[0].email.as_deref(),
        Some("jenny.rosen@example.com")
    );
    assert!(accounts[2].routing_number.is_none() && accounts[2].account_number.is_none());
}

async fn expect_mfa(sandbox: &Sandbox, password: &str) -> (String, MfaChallenge, u32) {
    match sandbox.login(CREDENTIALS_BANK, password).await.unwrap() {
        LoginOutcome::MfaRequired {
            mfa_token,
            challenge,
            attempts_remaining,
        } => (mfa_token, challenge, attempts_remaining),
        other => panic!("expected MFA for {password}, got {other:?}"),
    }
}

async fn mfa_right_and_wrong(password: &str, right: &str, wrong: &str) -> MfaChallenge {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(CREDENTIALS_BANK);
    let (token, challenge, attempts) = expect_mfa(&sandbox, password).await;
    assert_eq!(attempts, 3);
    let refused = sandbox.connector.answer_mfa(&bank, &token, wrong).await;
    assert!(
        matches!(
            refused,
            Err(ConnectorError::InvalidMfaAnswer {
                attempts_remaining: 2
            })
        ),
        "{refused:?}"
    );
    let accepted = sandbox
        .connector
        .answer_mfa(&bank, &token, right)
        .await
        .unwrap();
    let LoginOutcome::LoggedIn(tokens) = accepted else {
        panic!("expected a login")
    };
    assert_eq!(
        sandbox
            .connector
            .accounts(&bank, &tokens.access_token)
            .await
            .unwrap()
            .len(),
        3
    );
    let spent = sandbox.connector.answer_mfa(&bank, &token, right).await;
    assert!(
        matches!(spent, Err(ConnectorError::MfaExpired)),
        "an answered challenge is spent: {spent:?}"
    );
    challenge
}

#[tokio::test]
async fn mfa_by_code_accepts_123456_and_refuses_other_codes() {
    let challenge = mfa_right_and_wrong("pass_mfa_code", "123456", "000000").await;
    assert!(matches!(challenge, MfaChallenge::Code { .. }));
}

#[tokio::test]
async fn mfa_by_question_accepts_blue_in_any_case() {
    let challenge = mfa_right_and_wrong("pass_mfa_question", "Blue", "red").await;
    assert!(matches!(challenge, MfaChallenge::Question { .. }));
}

#[tokio::test]
async fn mfa_by_selection_accepts_yes_among_its_options() {
    let challenge = mfa_right_and_wrong("pass_mfa_selection", "Yes", "No").await;
    let MfaChallenge::Selection { options, .. } = challenge else {
        panic!("expected a selection")
    };
    assert!(options.contains(&"Yes".to_owned()) && options.len() >= 2);
}

#[tokio::test]
async fn three_wrong_mfa_answers_void_the_challenge() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(CREDENTIALS_BANK);
    let (token, _, _) = expect_mfa(&sandbox, "pass_mfa_code").await;
    for remaining in [2, 1, 0] {
        let refused = sandbox.connector.answer_mfa(&bank, &token, "999999").await;
        assert!(
            matches!(refused, Err(ConnectorError::InvalidMfaAnswer { attempts_remaining }) if attempts_remaining == remaining),
            "{refused:?}"
        );
    }
    let void = sandbox.connector.answer_mfa(&bank, &token, "123456").await;
    assert!(matches!(void, Err(ConnectorError::MfaExpired)), "{void:?}");
}

#[tokio::test]
async fn an_mfa_challenge_expires_after_five_minutes() {
    let sandbox = Sandbox::start().await;
    let (token, _, _) = expect_mfa(&sandbox, "pass_mfa_question").await;
    sandbox.clock.advance(301);
    let late = sandbox
        .connector
        .answer_mfa(&sandbox.bank(CREDENTIALS_BANK), &token, "blue")
        .await;
    assert!(matches!(late, Err(ConnectorError::MfaExpired)), "{late:?}");
}

#[tokio::test]
async fn wrong_passwords_count_down_then_lock_the_username() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(CREDENTIALS_BANK);
    for remaining in [4, 3, 2, 1] {
        let refused = sandbox.connector.login(&bank, "jenny", "wrong").await;
        assert!(
            matches!(refused, Err(ConnectorError::InvalidCredentials { attempts_remaining }) if attempts_remaining == remaining),
            "{refused:?}"
        );
    }
    let locked = sandbox.connector.login(&bank, "jenny", "wrong").await;
    assert!(
        matches!(locked, Err(ConnectorError::AccountLocked)),
        "{locked:?}"
    );
    let still = sandbox.connector.login(&bank, "jenny", "pass_good").await;
    assert!(
        matches!(still, Err(ConnectorError::AccountLocked)),
        "even the right password: {still:?}"
    );
    assert!(
        sandbox
            .connector
            .login(&bank, "someone_else", "pass_good")
            .await
            .is_ok()
    );
    sandbox.clock.advance(901);
    assert!(
        sandbox
            .connector
            .login(&bank, "jenny", "pass_good")
            .await
            .is_ok(),
        "the lock lifts"
    );
}

#[tokio::test]
async fn an_empty_username_is_rejected_as_a_bad_request() {
    let sandbox = Sandbox::start().await;
    let result = sandbox
        .connector
        .login(&sandbox.bank(CREDENTIALS_BANK), "  ", "pass_good")
        .await;
    assert!(
        matches!(
            result,
            Err(ConnectorError::BankRejected { status: 400, .. })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn pass_error_is_an_institution_error() {
    let sandbox = Sandbox::start().await;
    let result = sandbox.login(CREDENTIALS_BANK, "pass_error").await;
    assert!(
        matches!(result, Err(ConnectorError::InstitutionError)),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_erroring_bank_answers_institution_errors() {
    let sandbox = Sandbox::start().await;
    let result = sandbox.login("ins_down_error", "pass_good").await;
    assert!(
        matches!(result, Err(ConnectorError::InstitutionError)),
        "{result:?}"
    );
    let accounts = sandbox
        .connector
        .accounts(&sandbox.bank("ins_down_error"), "anything")
        .await;
    assert!(
        matches!(accounts, Err(ConnectorError::InstitutionError)),
        "{accounts:?}"
    );
}

#[tokio::test]
async fn down_banks_answer_institution_down() {
    let sandbox = Sandbox::start().await;
    for bank in ["ins_down_scheduled", "ins_down_unscheduled"] {
        let result = sandbox.login(bank, "pass_good").await;
        assert!(
            matches!(result, Err(ConnectorError::InstitutionDown)),
            "{bank}: {result:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_bank_is_not_found() {
    let sandbox = Sandbox::start().await;
    let result = sandbox.login("ins_no_such_bank", "pass_good").await;
    assert!(
        matches!(
            result,
            Err(ConnectorError::BankRejected { status: 404, .. })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_credentials_login_at_an_oauth_bank_is_rejected() {
    let sandbox = Sandbox::start().await;
    let result = sandbox.login(OAUTH_BANK, "pass_good").await;
    assert!(
        matches!(
            result,
            Err(ConnectorError::BankRejected { status: 400, .. })
        ),
        "{result:?}"
    );
}

#[tokio::test]
async fn the_ownership_test_bank_has_single_joint_mismatched_and_missing_owners() {
    let sandbox = Sandbox::start().await;
    let accounts = sandbox.accounts_of("ins_ownership_test").await;
    let owners: Vec<(&str, Vec<&str>)> = accounts
        .iter()
        .map(|a| {
            (
                a.display_name.as_str(),
                a.owners.iter().map(|owner| owner.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        owners,
        [
            ("Individual Checking", vec!["Jenny Rosen"]),
            ("Joint Checking", vec!["Jenny Rosen", "Alex Rosen"]),
            ("Mismatched Owner Checking", vec!["Morgan Blake"]),
            ("Savings Without Owner Data", vec![]),
        ]
    );
}

#[tokio::test]
async fn the_invalid_payment_bank_has_no_account_that_carries_ach() {
    let sandbox = Sandbox::start().await;
    let accounts = sandbox.accounts_of("ins_invalid_payment").await;
    let summary: Vec<(&str, AccountSubcategory, bool, bool)> = accounts
        .iter()
        .map(|a| {
            (
                a.display_name.as_str(),
                a.subcategory,
                a.open,
                a.supports_ach,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Platinum Credit Card",
                AccountSubcategory::CreditCard,
                true,
                false
            ),
            ("Home Mortgage", AccountSubcategory::Mortgage, true, false),
            (
                "Closed Checking",
                AccountSubcategory::Checking,
                false,
                false
            ),
        ]
    );
}

#[tokio::test]
async fn transactions_are_the_same_on_every_call_and_every_start() {
    let first = Sandbox::start().await;
    let second = Sandbox::start().await;
    let mut histories = Vec::new();
    for sandbox in [&first, &first, &second] {
        let bank = sandbox.bank(CREDENTIALS_BANK);
        let tokens = sandbox.logged_in(CREDENTIALS_BANK).await;
        let accounts = sandbox
            .connector
            .accounts(&bank, &tokens.access_token)
            .await
            .unwrap();
        let history = sandbox
            .connector
            .transactions(&bank, &tokens.access_token, &accounts[0].bank_account_id)
            .await
            .unwrap();
        histories.push(history);
    }
    assert_eq!(histories[0], histories[1]);
    assert_eq!(histories[0], histories[2]);
    let history = &histories[0];
    assert!(
        history.len() > 60,
        "90 days of a checking account: {}",
        history.len()
    );
    assert!(
        history
            .windows(2)
            .all(|pair| pair[0].transacted_at >= pair[1].transacted_at),
        "newest first"
    );
    let day_start = START - START.rem_euclid(86_400);
    assert!(
        history
            .iter()
            .all(|t| t.transacted_at < day_start && t.transacted_at >= day_start - 90 * 86_400)
    );
    assert!(
        history
            .iter()
            .any(|t| t.description == "ACME CORP PAYROLL" && t.amount == 245_000)
    );
    let pending = history
        .iter()
        .filter(|t| t.status == BankTransactionStatus::Pending);
    assert!(pending.clone().count() > 0 && pending.clone().all(|t| t.posted_at.is_none()));
    let posted = history
        .iter()
        .filter(|t| t.status == BankTransactionStatus::Posted);
    assert!(
        posted
            .clone()
            .all(|t| t.posted_at.is_some_and(|at| at >= t.transacted_at))
    );
}

#[tokio::test]
async fn transactions_of_an_account_not_shared_are_not_found() {
    let sandbox = Sandbox::start().await;
    let bank = sandbox.bank(OAUTH_BANK);
    let pkce = Pkce::generate();
    let ids = all_account_ids(&sandbox, &pkce).await;
    let code = authorize(&sandbox, &pkce, &[&ids[0]]).await;
    let tokens = sandbox
        .connector
        .exchange_code(&bank, &code, &sandbox.redirect_uri, &pkce.verifier)
        .await
        .unwrap();
    assert!(
        !sandbox
            .connector
            .transactions(&bank, &tokens.access_token, &ids[0])
            .await
            .unwrap()
            .is_empty()
    );
    let hidden = sandbox
        .connector
        .transactions(&bank, &tokens.access_token, &ids[1])
        .await;
    assert!(
        matches!(hidden, Err(ConnectorError::UnknownAccount)),
        "{hidden:?}"
    );
}

#[tokio::test]
async fn a_silent_bank_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = url::Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let connector =
        Connector::with_timeouts(Duration::from_millis(500), Duration::from_millis(300)).unwrap();
    let result = connector
        .login(&BankEndpoints::sandbox(&base, CREDENTIALS_BANK), "u", "p")
        .await;
    assert!(matches!(result, Err(ConnectorError::Timeout)), "{result:?}");
}
