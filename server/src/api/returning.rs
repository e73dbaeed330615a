//! Returning users, the link API side (`/v1/link/returning_user/...`, with the client secret)
//! and the sandbox inbox (`GET /v1/test_helpers/sandbox/emails`, with the secret key). The
//! rules live in `crate::returning`.

use axum::extract::{OriginalUri, State};
use axum::response::Response;
use finlink_protocol::{
    AttachSavedAccountsRequest, List, OneTimeCodeChallenge, ReturningUserDeclined, SandboxEmail,
    SaveAccountsRequest, SavedAccount, SavedAccountsForgotten, SavedAccountsReceipt,
    VerifyOneTimeCodeRequest,
};
use serde::Deserialize;

use super::access::{Lifetimes, open_or_completed_session, require_secret_key};
use super::link::{attach_idempotently, with_session};
use super::views;
use crate::app::Shared;
use crate::error::ApiError;
use crate::http::extract::{Bearer, IdempotencyKey, Json, Query, RawBody, parse_json};
use crate::refresh::tokens;
use crate::returning::{codes, saved};

/// `POST /v1/link/returning_user/save`: the one call a completed session may make.
pub async fn save(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<SaveAccountsRequest>,
) -> Result<axum::Json<SavedAccountsReceipt>, ApiError> {
    let lifetimes = Lifetimes::of(&state);
    let now = state.clock.now();
    let receipt = state
        .store
        .transaction(move |tx| {
            let session = open_or_completed_session(tx, bearer.as_deref(), lifetimes, now)?;
            saved::save(tx, &session, request, now)
        })
        .await?;
    Ok(axum::Json(receipt))
}

/// The body of `POST .../code` and `POST .../decline`: nothing (an empty body is accepted too).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParameters {}

/// Refuses a body that is neither empty nor `{}`.
fn no_parameters(body: &[u8]) -> Result<(), ApiError> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        let NoParameters {} = parse_json(body)?;
    }
    Ok(())
}

/// `POST /v1/link/returning_user/code`
pub async fn send_code(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    RawBody(body): RawBody,
) -> Result<axum::Json<OneTimeCodeChallenge>, ApiError> {
    no_parameters(&body)?;
    let now = state.clock.now();
    let sandbox_inbox = state.sandbox_inbox;
    let challenge = with_session(&state, bearer, move |tx, session| {
        codes::send(tx, &session, sandbox_inbox, now)
    })
    .await?;
    Ok(axum::Json(challenge))
}

/// `POST /v1/link/returning_user/verify`: a wrong or expired code is answered `200` with the
/// challenge's `error`.
pub async fn verify(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<VerifyOneTimeCodeRequest>,
) -> Result<axum::Json<OneTimeCodeChallenge>, ApiError> {
    let now = state.clock.now();
    let sandbox_inbox = state.sandbox_inbox;
    let challenge = with_session(&state, bearer, move |tx, session| {
        codes::verify(tx, &session, &request.code, sandbox_inbox, now)
    })
    .await?;
    Ok(axum::Json(challenge))
}

/// `GET /v1/link/returning_user/accounts`
pub async fn accounts(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
) -> Result<axum::Json<List<SavedAccount>>, ApiError> {
    let listed = with_session(&state, bearer, |tx, session| {
        saved::list(tx, &session, views::unselectable_reason)
    })
    .await?;
    Ok(axum::Json(List::complete(
        listed,
        "/v1/link/returning_user/accounts",
    )))
}

/// `POST /v1/link/returning_user/attach` with `Idempotency-Key`: a retry with the same key and
/// body gets the first answer; with another body, an `idempotency_error`.
pub async fn attach(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    IdempotencyKey(key): IdempotencyKey,
    OriginalUri(uri): OriginalUri,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    attach_idempotently(
        &state,
        bearer,
        key,
        uri.path(),
        &body,
        move |tx, session, request: AttachSavedAccountsRequest| {
            saved::attach(
                tx,
                session,
                request.accounts,
                views::unselectable_reason,
                now,
            )
        },
    )
    .await
}

/// `POST /v1/link/returning_user/forget`: answers at once; the grants nothing uses any more
/// are given up in the background.
pub async fn forget(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
) -> Result<axum::Json<SavedAccountsForgotten>, ApiError> {
    let forgotten = with_session(&state, bearer, |tx, session| saved::forget(tx, &session)).await?;
    for grant in forgotten.released_grants {
        tokens::give_up_later(&state, grant);
    }
    Ok(axum::Json(forgotten.answer))
}

/// `POST /v1/link/returning_user/decline`: the person chose "Use another account"; the
/// session no longer offers saved accounts. Idempotent.
pub async fn decline(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    RawBody(body): RawBody,
) -> Result<axum::Json<ReturningUserDeclined>, ApiError> {
    no_parameters(&body)?;
    let now = state.clock.now();
    let declined = with_session(&state, bearer, move |tx, session| {
        saved::decline(tx, &session, now)
    })
    .await?;
    Ok(axum::Json(declined))
}

/// The query of the sandbox inbox: `to`, the address whose emails to list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    to: Option<String>,
}

/// `GET /v1/test_helpers/sandbox/emails?to=`: the emails the sandbox "sent" to this address
/// in the last hour for the calling integrator's sessions, newest first. Without the sandbox
/// inbox (`Config::sandbox_inbox`) the route does not exist.
pub async fn sandbox_emails(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    OriginalUri(uri): OriginalUri,
    Query(query): Query<InboxQuery>,
) -> Result<axum::Json<List<SandboxEmail>>, ApiError> {
    if !state.sandbox_inbox {
        return Err(ApiError::RouteNotFound {
            path: uri.path().to_owned(),
        });
    }
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let to = query.to.ok_or(ApiError::ParameterMissing {
        param: "to".to_owned(),
    })?;
    let now = state.clock.now();
    let emails = state
        .store
        .transaction(move |tx| saved::inbox(tx, &to, now, &caller.integrator_id))
        .await?;
    Ok(axum::Json(List::complete(
        emails,
        "/v1/test_helpers/sandbox/emails",
    )))
}
