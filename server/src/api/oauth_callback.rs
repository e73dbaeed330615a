//! `GET /oauth/callback`: where a bank sends the person back after OAuth.
//!
//! The checks run in the order that keeps an attacker from learning or spending anything:
//! the `state` must open an authorization that awaits OAuth (else nothing changes); the
//! `iss` must be that bank's (RFC 9207 mix-up defence); only then is the code exchanged,
//! server-side, with the PKCE verifier. The page shown is plain text in HTML, escaped.

use super::access::Lifetimes;
use super::link::{fetch_accounts, institution_name, store_offered_accounts};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use finlink_protocol::{OAuthReturn, SessionStatus};

use crate::app::Shared;
use crate::connector::{ConnectorError, OAuthCallback};
use crate::error::ApiError;
use crate::html::escape;
use crate::secrets;
use crate::store::{AuthorizationProgress, AuthorizationRecord, SessionRecord};

pub async fn callback(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let callback = OAuthCallback::from_query(query.as_deref().unwrap_or_default());
    let Returned { back, outcome } = handle(&state, callback).await;
    match (back, outcome) {
        // A login started in redirect mode (a web view's system browser, the hosted page, a
        // blocked popup): back to the integrator's page, exactly as registered; the widget
        // loads again there and resumes from the server's state, success or failure alike.
        (Some(return_url), outcome) => {
            if let Err(error) = &outcome {
                tracing::info!(code = ?error.code(), "the bank login ended without accounts");
            }
            redirect(&return_url)
        }
        (None, Ok(institution)) => page(
            StatusCode::OK,
            "You're connected",
            &format!("{institution} shared your accounts. You can close this window and continue."),
        ),
        (None, Err(error)) => page(
            error.status(),
            "We couldn't connect your bank",
            &error.to_string(),
        ),
    }
}

/// What the callback found: the institution's name once the bank authorized, and where to
/// send the person back to when the login was started in redirect mode.
struct Returned {
    /// The session's `return_url`; only once the `state` proved the authorization's.
    back: Option<String>,
    outcome: Result<String, ApiError>,
}

impl Returned {
    fn refused(error: ApiError) -> Self {
        Self {
            back: None,
            outcome: Err(error),
        }
    }
}

async fn handle(state: &Shared, mut callback: OAuthCallback) -> Returned {
    let Some(oauth_state) = callback.state.take() else {
        return Returned::refused(ApiError::OauthStateInvalid);
    };
    let Some((authorization_id, _)) = oauth_state.split_once('.') else {
        return Returned::refused(ApiError::OauthStateInvalid);
    };
    let authorization_id = authorization_id.to_owned();
    let lifetimes = Lifetimes::of(state);
    let now = state.clock.now();
    let shared = state.clone();
    // Spend the state in its own transaction: a replay of this callback finds nothing to
    // continue. A refusal is recorded too (the inner `Err`), so the widget shows it.
    let spent = state
        .store
        .transaction(move |tx| {
            let mut record = AuthorizationRecord::find(tx, &authorization_id)?
                .ok_or(ApiError::OauthStateInvalid)?;
            let AuthorizationProgress::AwaitingOauth {
                oauth_url,
                state_hash,
                pkce_verifier,
            } = record.progress.clone()
            else {
                return Err(ApiError::OauthStateInvalid);
            };
            if !secrets::verify(&oauth_state, &state_hash) {
                return Err(ApiError::OauthStateInvalid);
            }
            let session =
                SessionRecord::find(tx, &record.session_id)?.ok_or(ApiError::OauthStateInvalid)?;
            // A login the person abandoned by starting another one must not complete.
            if session.authorization_id.as_deref() != Some(record.id.as_str()) {
                return Err(ApiError::OauthStateInvalid);
            }
            let back = match record.oauth_return {
                OAuthReturn::Redirect => session.request.return_url.clone(),
                OAuthReturn::Popup => None,
            };
            let ended = match lifetimes.status(&session, now) {
                SessionStatus::Open => None,
                SessionStatus::Expired => Some(ApiError::SessionExpired),
                SessionStatus::Completed => Some(ApiError::SessionCompleted),
                SessionStatus::Cancelled => Some(ApiError::SessionCancelled),
            };
            if let Some(ended) = ended {
                return Ok((back, Err(ended)));
            }
            // The issuer first (a mixed-up answer says nothing trustworthy), then the bank's
            // error, then the code.
            let bank = shared.bank(&record.institution_id);
            let code = callback
                .into_code(&bank)
                .map_err(|error| refusal(error, &shared, &record));
            record.updated = now;
            record.progress = match &code {
                Err(error) => AuthorizationProgress::Failed {
                    error: error.to_protocol(),
                },
                Ok(_) => AuthorizationProgress::ExchangingCode { oauth_url },
            };
            record.update(tx)?;
            Ok((back, code.map(|code| (record, code, pkce_verifier))))
        })
        .await;
    match spent {
        Err(error) => Returned::refused(error),
        Ok((back, Err(error))) => Returned {
            back,
            outcome: Err(error),
        },
        Ok((back, Ok((record, code, verifier)))) => Returned {
            back,
            outcome: exchange(state, record, &code, &verifier).await,
        },
    }
}

/// Back to the integrator's `return_url`: a page that goes there at once (`<meta refresh>`,
/// with a link for when it does not). Not a `303`: browsers apply the bank page's CSP
/// `form-action` to every redirect after its form is posted, and the integrator's origin is
/// not among the bank's. The callback's own URL carried the bank's code: no referrer goes with
/// the person, and nothing is cached.
fn redirect(return_url: &str) -> Response {
    let target = escape(return_url);
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0;url={target}\">\
         <title>Back from your bank</title></head><body><main><h1>Back from your bank</h1>\
         <p role=\"status\">Taking you back to finish linking your account.</p>\
         <p><a href=\"{target}\">Continue</a></p></main></body></html>"
    );
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CALLBACK_CSP),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    (StatusCode::OK, headers, Html(body)).into_response()
}

/// Why the bank's answer cannot be used, as the person sees it.
fn refusal(error: ConnectorError, state: &Shared, record: &AuthorizationRecord) -> ApiError {
    match error {
        ConnectorError::IssuerMismatch => ApiError::OauthIssuerMismatch,
        ConnectorError::AccessDenied => ApiError::OauthDenied,
        ConnectorError::MissingCode => ApiError::OauthCodeInvalid,
        other => {
            tracing::warn!(error = %other, "the bank refused the authorization");
            ApiError::InstitutionError {
                name: institution_name(state, &record.institution_id),
            }
        }
    }
}

/// Exchanges the code, fetches the shared accounts and records the outcome.
async fn exchange(
    state: &Shared,
    mut record: AuthorizationRecord,
    code: &str,
    verifier: &str,
) -> Result<String, ApiError> {
    let bank = state.bank(&record.institution_id);
    let name = institution_name(state, &record.institution_id);
    let outcome = match state
        .connector
        .exchange_code(&bank, code, &state.oauth_redirect_uri(), verifier)
        .await
    {
        Ok(tokens) => match fetch_accounts(state, &record, &tokens).await {
            Ok(accounts) => Ok((tokens, accounts)),
            Err(error) => Err(error),
        },
        Err(ConnectorError::InvalidGrant) => Err(ApiError::OauthCodeInvalid),
        Err(ConnectorError::AccessDenied) => Err(ApiError::OauthDenied),
        Err(ConnectorError::InstitutionError) => {
            Err(ApiError::InstitutionError { name: name.clone() })
        }
        Err(other) => {
            tracing::warn!(error = %other, "token exchange failed");
            Err(ApiError::InstitutionUnavailable { name: name.clone() })
        }
    };
    record.updated = state.clock.now();
    let shared = state.clone();
    state
        .store
        .transaction(move |tx| match outcome {
            Ok((tokens, accounts)) => {
                record.progress = AuthorizationProgress::Authorized { tokens };
                record.update(tx)?;
                store_offered_accounts(tx, &shared, &record, accounts)?;
                Ok::<_, ApiError>(Ok(name))
            }
            Err(error) => {
                record.progress = AuthorizationProgress::Failed {
                    error: error.to_protocol(),
                };
                record.update(tx)?;
                Ok(Err(error))
            }
        })
        .await?
}

/// A minimal page of the finlink origin: a heading and a message, escaped. In the popup the
/// widget opened, `return.js` closes the window: the widget is polling and goes on by itself.
fn page(status: StatusCode, heading: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading}</title></head><body><main><h1>{heading}</h1><p role=\"status\">{message}</p></main>\
         <script src=\"/oauth/return.js\"></script></body></html>",
        heading = escape(heading),
        message = escape(message),
    );
    let headers = [(header::CONTENT_SECURITY_POLICY, CALLBACK_CSP)];
    (status, headers, Html(body)).into_response()
}

const CALLBACK_CSP: &str =
    "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'";

/// `GET /oauth/return.js`: closes the bank's popup once the bank sent the person back.
pub async fn return_script() -> impl IntoResponse {
    let script = "\"use strict\";\n// Back from the bank: the widget that opened this window polls and goes on by itself.\nif (window.opener) { window.close(); }\n";
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        script,
    )
}
