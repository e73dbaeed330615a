//! A sandbox bank's OAuth 2.0 authorization server: the consent page (RFC 6749 §4.1.1, with
//! PKCE S256 required), its answer as a 303 redirect carrying `iss` (RFC 9207), the token
//! endpoint (§4.1.3, §6) and revocation (RFC 7009).

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use finlink_protocol::AuthMethod;

use super::SandboxState;
use super::data::{self, SandboxAccount};
use super::error::{BankError, PageError};
use super::html::{self, ConsentPage};
use super::memory::{
    AUTHORIZATION_REQUEST_SECONDS, AccountScope, CodeRedemption, PendingAuthorization,
};
use crate::connector::SANDBOX_CLIENT_ID;
use crate::directory::DirectoryInstitution;

/// The name the consent page gives the client.
const CLIENT_NAME: &str = "finlink";

/// Form or query parameters, in order, as sent.
type Pairs = Vec<(String, String)>;

fn pairs(raw: &[u8]) -> Pairs {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

/// Parameters that must appear at most once (RFC 6749 §3.1, §3.2): the name of a repeated one
/// is the error.
fn single(pairs: Pairs) -> Result<HashMap<String, String>, String> {
    let mut map = HashMap::with_capacity(pairs.len());
    for (name, value) in pairs {
        if map.contains_key(&name) {
            return Err(name);
        }
        map.insert(name, value);
    }
    Ok(map)
}

/// An OAuth bank that can show pages now, or why not (with the bank's name when known).
fn oauth_bank<'a>(
    state: &'a SandboxState,
    institution_id: &str,
) -> Result<&'a DirectoryInstitution, (Option<&'a str>, PageError)> {
    let institution = state
        .bank(institution_id)
        .map_err(|error| (None, error.into()))?;
    if institution.auth_method != AuthMethod::Oauth {
        return Err((Some(institution.name.as_str()), PageError::NotOAuth));
    }
    Ok(institution)
}

/// `GET /oauth/authorize`: checks the request and shows the consent page with every account
/// ticked. Problems are shown on an error page, never redirected.
pub async fn authorize_page(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let institution = match oauth_bank(&state, &institution_id) {
        Ok(institution) => institution,
        Err((bank_name, error)) => return html::error_page(bank_name, &error),
    };
    let now = state.now();
    let pending =
        match authorization_request(&state, &institution_id, query.as_deref().unwrap_or(""), now) {
            Ok(pending) => pending,
            Err(error) => return html::error_page(Some(&institution.name), &error),
        };
    let request_id = state.inner.memory.begin_authorization(pending, now);
    let accounts = data::accounts(institution);
    ConsentPage {
        bank_name: &institution.name,
        client_name: CLIENT_NAME,
        request_id: &request_id,
        accounts: &accounts,
        checked: &|_| true,
        error: None,
        form_target: state.inner.redirect_origin.as_deref(),
    }
    .render(StatusCode::OK)
}

/// Validates the authorization request: client and redirect URI first (RFC 6749 §4.1.2.1),
/// then the rest.
fn authorization_request(
    state: &SandboxState,
    institution_id: &str,
    query: &str,
    now: i64,
) -> Result<PendingAuthorization, PageError> {
    let mut params = single(pairs(query.as_bytes())).map_err(PageError::RepeatedParameter)?;
    let mut take = |name: &'static str| params.remove(name).filter(|value| !value.is_empty());
    let client_id = take("client_id").ok_or(PageError::MissingParameter("client_id"))?;
    if client_id != SANDBOX_CLIENT_ID {
        return Err(PageError::InvalidClient);
    }
    let redirect_uri = take("redirect_uri").ok_or(PageError::MissingParameter("redirect_uri"))?;
    if redirect_uri != state.inner.redirect_uri {
        return Err(PageError::InvalidRedirectUri);
    }
    match take("response_type").as_deref() {
        None => return Err(PageError::MissingParameter("response_type")),
        Some("code") => {}
        Some(_) => return Err(PageError::UnsupportedResponseType),
    }
    let oauth_state = take("state").ok_or(PageError::MissingParameter("state"))?;
    match take("code_challenge_method").as_deref() {
        None => return Err(PageError::MissingParameter("code_challenge_method")),
        Some("S256") => {}
        Some(_) => return Err(PageError::UnsupportedChallengeMethod),
    }
    let code_challenge =
        take("code_challenge").ok_or(PageError::MissingParameter("code_challenge"))?;
    let well_formed = code_challenge.len() == 43
        && code_challenge
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if !well_formed {
        return Err(PageError::InvalidChallenge);
    }
    Ok(PendingAuthorization {
        institution_id: institution_id.to_owned(),
        client_id,
        redirect_uri,
        state: oauth_state,
        code_challenge,
        expires_at: now + AUTHORIZATION_REQUEST_SECONDS,
    })
}

/// `POST /oauth/authorize`: the person's answer. Deny redirects with `access_denied`;
/// Authorize with no account ticked shows the page again with an alert; otherwise a code for
/// the ticked accounts goes back to the client.
pub async fn authorize_decision(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    body: Bytes,
) -> Response {
    let institution = match oauth_bank(&state, &institution_id) {
        Ok(institution) => institution,
        Err((bank_name, error)) => return html::error_page(bank_name, &error),
    };
    match decide(&state, institution, &body) {
        Ok(response) => response,
        Err(error) => html::error_page(Some(&institution.name), &error),
    }
}

fn decide(
    state: &SandboxState,
    institution: &DirectoryInstitution,
    body: &[u8],
) -> Result<Response, PageError> {
    let now = state.now();
    let mut request_id = None;
    let mut decision = None;
    let mut ticked = Vec::new();
    for (name, value) in pairs(body) {
        let slot = match name.as_str() {
            "account" => {
                ticked.push(value);
                continue;
            }
            "request" => &mut request_id,
            "decision" => &mut decision,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(PageError::RepeatedParameter(name));
        }
    }
    let request_id = request_id.ok_or(PageError::MissingParameter("request"))?;
    let memory = &state.inner.memory;
    if memory
        .pending_authorization(&institution.id, &request_id, now)
        .is_none()
    {
        return Err(PageError::RequestExpired);
    }
    let issuer = state.issuer(&institution.id);
    match decision.as_deref() {
        Some("deny") => {
            let pending = memory
                .take_pending_authorization(&institution.id, &request_id, now)
                .ok_or(PageError::RequestExpired)?;
            redirect(&pending, &[("error", "access_denied")], &issuer)
        }
        Some("authorize") => {
            let accounts = data::accounts(institution);
            if ticked
                .iter()
                .any(|id| !accounts.iter().any(|account| &account.id == id))
            {
                return Err(PageError::UnknownAccount);
            }
            if ticked.is_empty() {
                let page = ConsentPage {
                    bank_name: &institution.name,
                    client_name: CLIENT_NAME,
                    request_id: &request_id,
                    accounts: &accounts,
                    checked: &|_: &SandboxAccount| false,
                    error: Some("Choose at least one account to share, or choose Deny."),
                    form_target: state.inner.redirect_origin.as_deref(),
                };
                return Ok(page.render(StatusCode::UNPROCESSABLE_ENTITY));
            }
            let pending = memory
                .take_pending_authorization(&institution.id, &request_id, now)
                .ok_or(PageError::RequestExpired)?;
            // In the bank's order, once each.
            let scope: Vec<String> = accounts
                .iter()
                .filter(|account| ticked.contains(&account.id))
                .map(|account| account.id.clone())
                .collect();
            let code = memory.issue_code(&pending, AccountScope::Only(scope), now);
            redirect(&pending, &[("code", &code)], &issuer)
        }
        Some(_) => Err(PageError::UnknownDecision),
        None => Err(PageError::MissingParameter("decision")),
    }
}

/// `303 See Other` to the client's redirect URI with the outcome, `state` and `iss`.
fn redirect(
    pending: &PendingAuthorization,
    outcome: &[(&str, &str)],
    issuer: &str,
) -> Result<Response, PageError> {
    let mut url =
        url::Url::parse(&pending.redirect_uri).map_err(|_| PageError::RedirectUriUnusable)?;
    url.query_pairs_mut()
        .extend_pairs(outcome)
        .append_pair("state", &pending.state)
        .append_pair("iss", issuer);
    let location =
        HeaderValue::from_str(url.as_str()).map_err(|_| PageError::RedirectUriUnusable)?;
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
}

/// `POST /oauth/token`: the `authorization_code` and `refresh_token` grants.
pub async fn token(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    body: Bytes,
) -> Result<Response, BankError> {
    state.api_bank(&institution_id).await?;
    let now = state.now();
    let mut params = single(pairs(&body))
        .map_err(|name| BankError::InvalidRequest(format!("{name} is repeated")))?;
    let mut required = |name: &str| {
        params
            .remove(name)
            .filter(|value| !value.is_empty())
            .ok_or_else(|| BankError::InvalidRequest(format!("{name} is missing")))
    };
    let client_id = required("client_id")?;
    if client_id != SANDBOX_CLIENT_ID {
        return Err(BankError::InvalidClient);
    }
    let grant_type = required("grant_type")?;
    let memory = &state.inner.memory;
    let tokens = match grant_type.as_str() {
        "authorization_code" => {
            let code = required("code")?;
            let redirect_uri = required("redirect_uri")?;
            let verifier = required("code_verifier")?;
            let redemption = CodeRedemption {
                code: &code,
                client_id: &client_id,
                redirect_uri: &redirect_uri,
                verifier: &verifier,
            };
            memory.redeem_code(&institution_id, &redemption, now)?
        }
        "refresh_token" => memory.refresh(&institution_id, &required("refresh_token")?, now)?,
        _ => return Err(BankError::UnsupportedGrantType),
    };
    let mut response = Json(tokens.into_wire()).into_response();
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `POST /oauth/revoke` (RFC 7009): revokes the grant behind the token; `200` whether or not
/// the token was known.
pub async fn revoke(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, BankError> {
    state.api_bank(&institution_id).await?;
    let params = single(pairs(&body))
        .map_err(|name| BankError::InvalidRequest(format!("{name} is repeated")))?;
    let present = |name: &str| params.get(name).filter(|value| !value.is_empty());
    let client_id = present("client_id")
        .ok_or_else(|| BankError::InvalidRequest("client_id is missing".into()))?;
    if client_id != SANDBOX_CLIENT_ID {
        return Err(BankError::InvalidClient);
    }
    let token =
        present("token").ok_or_else(|| BankError::InvalidRequest("token is missing".into()))?;
    state
        .inner
        .memory
        .revoke(&institution_id, token, state.now());
    Ok(StatusCode::OK)
}
