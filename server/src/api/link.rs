//! The link API: everything the widget needs to take a person from consent to linked accounts.
//!
//! Requests that talk to a bank run in three steps: a transaction that checks the session and
//! the authorization, the bank call outside any transaction, and a transaction that records
//! the outcome. A bank that is down or a dropped connection leaves the authorization as it was.

use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use finlink_protocol::{
    AnswerMfaRequest, AttachAccountsRequest, AuthMethod, Authorization, ConsentRequest,
    Institution, InstitutionStatus, LinkAccount, LinkResult, LinkSession, List, OAuthReturn,
    ResumeAt, SessionStatus, StartAuthorizationRequest, SubmitCredentialsRequest,
    VerificationMethod,
};
use serde::Deserialize;

use super::access::{Lifetimes, open_session};
use super::views;
use crate::accounts::linking;
use crate::accounts::verification::VerificationLinks;
use crate::app::{AppState, Shared};
use crate::connector::{BankTokens, ConnectorError, LoginOutcome, Pkce};
use crate::directory::DirectoryInstitution;
use crate::error::ApiError;
use crate::http::extract::{Bearer, IdempotencyKey, Json, Query, RawBody, parse_json};
use crate::secrets;
use crate::store::{
    AccountAccess, AccountRecord, AuthorizationProgress, AuthorizationRecord, IdempotencyRecord,
    SessionRecord,
};

/// Attempts a credentials bank allows before it locks the login.
const CREDENTIAL_ATTEMPTS: u32 = 5;

/// Opens the session of the request's client secret in a transaction and runs `work` in it.
pub(super) async fn with_session<T: Send + 'static>(
    state: &Shared,
    bearer: Option<String>,
    work: impl FnOnce(&rusqlite::Transaction<'_>, SessionRecord) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let lifetimes = Lifetimes::of(state);
    let now = state.clock.now();
    state
        .store
        .transaction(move |tx| {
            let session = open_session(tx, bearer.as_deref(), lifetimes, now)?;
            work(tx, session)
        })
        .await
}

/// `GET /v1/link/session`
pub async fn session(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
) -> Result<axum::Json<LinkSession>, ApiError> {
    let shared = state.clone();
    let view = with_session(&state, bearer, move |tx, session| {
        link_session(&shared, tx, &session)
    })
    .await?;
    Ok(axum::Json(view))
}

fn link_session(
    state: &AppState,
    tx: &rusqlite::Transaction<'_>,
    session: &SessionRecord,
) -> Result<LinkSession, ApiError> {
    let resume = if !session.consent_given {
        ResumeAt::Consent
    } else {
        match &session.authorization_id {
            None => ResumeAt::SelectInstitution,
            Some(id) => match AuthorizationRecord::find(tx, id)? {
                None
                | Some(AuthorizationRecord {
                    progress: AuthorizationProgress::Failed { .. },
                    ..
                }) => ResumeAt::SelectInstitution,
                Some(
                    record @ AuthorizationRecord {
                        progress: AuthorizationProgress::Authorized { .. },
                        ..
                    },
                ) => ResumeAt::SelectAccounts {
                    authorization: Box::new(views::authorization(state, &record)),
                },
                Some(record) => ResumeAt::Authorization {
                    authorization: Box::new(views::authorization(state, &record)),
                },
            },
        }
    };
    let accounts = AccountRecord::linked_for_session(tx, &session.id)?;
    let lifetimes = Lifetimes::of(state);
    Ok(LinkSession {
        id: session.id.clone(),
        business_name: session.business_name.clone(),
        permissions: session.request.permissions.clone(),
        filters: session.request.filters.clone(),
        account_selection: session.request.account_selection,
        verification_method: session.request.verification_method,
        status: session.status,
        consent_given: session.consent_given,
        resume,
        return_url: session.request.return_url.clone(),
        accounts: accounts
            .iter()
            .map(|account| views::linked_account(account, &state.verification_links))
            .collect(),
        email: session
            .request
            .account_holder
            .as_ref()
            .and_then(|holder| holder.email.clone()),
        returning_user: crate::returning::saved::returning_user(
            tx,
            session,
            state.sandbox_inbox,
            state.clock.now(),
        )?,
        expires_at: lifetimes.expires_at(session),
        terms_url: format!("{}/legal/terms", state.public_base()),
        privacy_url: format!("{}/legal/privacy", state.public_base()),
    })
}

/// `POST /v1/link/consent`: the person accepted exactly the permissions the session asks.
pub async fn consent(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<ConsentRequest>,
) -> Result<axum::Json<LinkSession>, ApiError> {
    let shared = state.clone();
    let view = with_session(&state, bearer, move |tx, mut session| {
        let mut shown = request.permissions;
        shown.sort();
        shown.dedup();
        if shown != session.request.permissions {
            return Err(ApiError::invalid(
                "permissions",
                "must be exactly the permissions this session asks for.",
            ));
        }
        session.consent_given = true;
        session.update(tx)?;
        link_session(&shared, tx, &session)
    })
    .await?;
    Ok(axum::Json(view))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstitutionQuery {
    #[serde(default)]
    query: String,
    limit: Option<usize>,
}

/// `GET /v1/link/institutions?query=...&limit=...`: featured institutions for an empty query.
///
/// The server side of institution search, for a widget that has not (yet) loaded the
/// directory file (`GET /v1/link/directory`): the same `finlink-search` index and ranking, so
/// both answer a query alike.
pub async fn institutions(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Query(query): Query<InstitutionQuery>,
) -> Result<axum::Json<List<Institution>>, ApiError> {
    let limit = query.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 50."));
    }
    if query.query.chars().count() > 100 {
        return Err(ApiError::invalid("query", "at most 100 characters."));
    }
    let session = with_session(&state, bearer, |_, session| Ok(session)).await?;
    let countries = session
        .request
        .filters
        .as_ref()
        .and_then(|filters| filters.countries.clone());
    // Over-fetch when a country filter will drop some results.
    let wanted = if countries.is_some() {
        limit * 10
    } else {
        limit
    };
    let data: Vec<Institution> = state
        .directory
        .search(&query.query, wanted)
        .into_iter()
        .filter(|found| {
            countries
                .as_ref()
                .is_none_or(|allowed| allowed.contains(&found.country))
        })
        .take(limit)
        .map(DirectoryInstitution::to_protocol)
        .collect();
    Ok(axum::Json(List::complete(data, "/v1/link/institutions")))
}

/// `GET /v1/link/institutions/{id}`
pub async fn institution(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Institution>, ApiError> {
    with_session(&state, bearer, |_, _| Ok(())).await?;
    let found = state.directory.get(&id).ok_or(ApiError::ResourceMissing {
        kind: "institution",
        id,
    })?;
    Ok(axum::Json(found.to_protocol()))
}

/// `POST /v1/link/authorizations`: start logging in at an institution. Any earlier
/// authorization of the session is abandoned, so "start again" is always possible.
pub async fn start_authorization(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<StartAuthorizationRequest>,
) -> Result<axum::Json<Authorization>, ApiError> {
    let institution = state
        .directory
        .get(&request.institution)
        .ok_or_else(|| ApiError::ResourceMissing {
            kind: "institution",
            id: request.institution.clone(),
        })?
        .clone();
    match institution.status {
        InstitutionStatus::Up => {}
        InstitutionStatus::DownScheduled => {
            return Err(ApiError::InstitutionDownScheduled {
                name: institution.name,
            });
        }
        InstitutionStatus::DownUnscheduled => {
            return Err(ApiError::InstitutionDownUnscheduled {
                name: institution.name,
            });
        }
    }
    let id = secrets::new_id("fcauth");
    let progress = match institution.auth_method {
        AuthMethod::Oauth => {
            let oauth_state = format!("{id}.{}", secrets::random_token(32));
            let pkce = Pkce::generate();
            let oauth_url = state.connector.authorize_url(
                &state.bank(&institution.id),
                &state.oauth_redirect_uri(),
                &oauth_state,
                &pkce.challenge,
            );
            AuthorizationProgress::AwaitingOauth {
                oauth_url,
                state_hash: secrets::hash(&oauth_state),
                pkce_verifier: pkce.verifier,
            }
        }
        AuthMethod::Credentials => AuthorizationProgress::AwaitingCredentials {
            attempts_remaining: CREDENTIAL_ATTEMPTS,
            error: None,
        },
    };
    let now = state.clock.now();
    let shared = state.clone();
    let record = with_session(&state, bearer, move |tx, mut session| {
        if !session.consent_given {
            return Err(ApiError::ConsentRequired);
        }
        if session.request.verification_method == Some(VerificationMethod::Microdeposits) {
            return Err(ApiError::invalid(
                "institution",
                "this session takes bank details entered by hand only.",
            ));
        }
        let required = session
            .request
            .filters
            .as_ref()
            .and_then(|filters| filters.institution.as_deref());
        if required.is_some_and(|required| required != institution.id) {
            return Err(ApiError::invalid(
                "institution",
                "this session is limited to another institution.",
            ));
        }
        // A redirected login comes back to the session's return_url: there must be one.
        if institution.auth_method == AuthMethod::Oauth
            && request.oauth_return == OAuthReturn::Redirect
            && session.request.return_url.is_none()
        {
            return Err(ApiError::invalid(
                "oauth_return",
                "this session has no return_url to come back to from the bank; create it with one.",
            ));
        }
        let record = AuthorizationRecord {
            id,
            session_id: session.id.clone(),
            institution_id: institution.id.clone(),
            progress,
            oauth_return: request.oauth_return,
            created: now,
            updated: now,
        };
        record.insert(tx)?;
        session.authorization_id = Some(record.id.clone());
        session.update(tx)?;
        Ok(record)
    })
    .await?;
    Ok(axum::Json(views::authorization(&shared, &record)))
}

/// Finds an authorization of this session, or says it does not exist (whoever owns it).
fn find_authorization(
    tx: &rusqlite::Transaction<'_>,
    session: &SessionRecord,
    id: &str,
) -> Result<AuthorizationRecord, ApiError> {
    AuthorizationRecord::find(tx, id)?
        .filter(|record| record.session_id == session.id)
        .ok_or_else(|| ApiError::ResourceMissing {
            kind: "authorization",
            id: id.to_owned(),
        })
}

/// Loads an authorization of this session that awaits the step `pick` recognises, with what
/// that step needs from it; in any other state the request is refused and nothing changes.
async fn authorization_awaiting<T: Send + 'static>(
    state: &Shared,
    bearer: Option<String>,
    id: String,
    detail: &'static str,
    pick: fn(&AuthorizationProgress) -> Option<T>,
) -> Result<(AuthorizationRecord, T), ApiError> {
    with_session(state, bearer, move |tx, session| {
        let record = find_authorization(tx, &session, &id)?;
        match pick(&record.progress) {
            Some(needed) => Ok((record, needed)),
            None => Err(ApiError::AuthorizationStateInvalid { detail }),
        }
    })
    .await
}

/// `GET /v1/link/authorizations/{id}`: the widget polls this while the person is at the bank.
pub async fn authorization(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Authorization>, ApiError> {
    let record = with_session(&state, bearer, move |tx, session| {
        find_authorization(tx, &session, &id)
    })
    .await?;
    Ok(axum::Json(views::authorization(&state, &record)))
}

/// `POST /v1/link/authorizations/{id}/credentials`
pub async fn submit_credentials(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Json(request): Json<SubmitCredentialsRequest>,
) -> Result<axum::Json<Authorization>, ApiError> {
    if request.username.trim().is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "username".to_owned(),
        });
    }
    if request.password.is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "password".to_owned(),
        });
    }
    let (record, attempts) = authorization_awaiting(
        &state,
        bearer.clone(),
        id,
        "it is not waiting for a username and password",
        |progress| match progress {
            AuthorizationProgress::AwaitingCredentials {
                attempts_remaining, ..
            } => Some(*attempts_remaining),
            _ => None,
        },
    )
    .await?;
    let bank = state.bank(&record.institution_id);
    let outcome = state
        .connector
        .login(&bank, request.username.trim(), &request.password)
        .await;
    let next = match outcome {
        Err(ConnectorError::InvalidCredentials { attempts_remaining }) => {
            let attempts_remaining = attempts_remaining.min(attempts.saturating_sub(1));
            let error = ApiError::InvalidCredentials { attempts_remaining };
            if attempts_remaining == 0 {
                AuthorizationProgress::Failed {
                    error: ApiError::AccountLocked.to_protocol(),
                }
            } else {
                AuthorizationProgress::AwaitingCredentials {
                    attempts_remaining,
                    error: Some(error.to_protocol()),
                }
            }
        }
        other => after_login(&state, &record, other).await?,
    };
    finish_step(&state, bearer, record, next).await
}

/// `POST /v1/link/authorizations/{id}/mfa`
pub async fn answer_mfa(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Json(request): Json<AnswerMfaRequest>,
) -> Result<axum::Json<Authorization>, ApiError> {
    if request.answer.trim().is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "answer".to_owned(),
        });
    }
    let (record, (mfa_token, challenge)) = authorization_awaiting(
        &state,
        bearer.clone(),
        id,
        "it is not waiting for a second factor",
        |progress| match progress {
            AuthorizationProgress::AwaitingMfa {
                mfa_token,
                challenge,
                ..
            } => Some((mfa_token.clone(), challenge.clone())),
            _ => None,
        },
    )
    .await?;
    let bank = state.bank(&record.institution_id);
    let outcome = state
        .connector
        .answer_mfa(&bank, &mfa_token, request.answer.trim())
        .await;
    let next = match outcome {
        Err(ConnectorError::InvalidMfaAnswer { attempts_remaining }) if attempts_remaining > 0 => {
            AuthorizationProgress::AwaitingMfa {
                mfa_token,
                challenge,
                attempts_remaining,
                error: Some(ApiError::InvalidMfaAnswer { attempts_remaining }.to_protocol()),
            }
        }
        other => after_login(&state, &record, other).await?,
    };
    finish_step(&state, bearer, record, next).await
}

/// The next progress after a bank answered a login or an MFA answer. Transport failures and
/// outages are returned as errors so the authorization stays as it was and can be retried.
async fn after_login(
    state: &AppState,
    record: &AuthorizationRecord,
    outcome: Result<LoginOutcome, ConnectorError>,
) -> Result<AuthorizationProgress, ApiError> {
    let name = institution_name(state, &record.institution_id);
    match outcome {
        Ok(LoginOutcome::LoggedIn(tokens)) => Ok(AuthorizationProgress::Authorized { tokens }),
        Ok(LoginOutcome::MfaRequired {
            mfa_token,
            challenge,
            attempts_remaining,
        }) => Ok(AuthorizationProgress::AwaitingMfa {
            mfa_token,
            challenge,
            attempts_remaining,
            error: None,
        }),
        Err(error) => match bank_error(error, name) {
            Retryable(error) => Err(error),
            Final(error) => Ok(AuthorizationProgress::Failed {
                error: error.to_protocol(),
            }),
        },
    }
}

/// A bank failure, sorted by what the person can do about it.
enum BankFailure {
    /// Nothing changed: the same step can be tried again.
    Retryable(ApiError),
    /// This authorization is over: start a new one.
    Final(ApiError),
}
use BankFailure::{Final, Retryable};

fn bank_error(error: ConnectorError, name: String) -> BankFailure {
    match error {
        ConnectorError::InvalidCredentials { attempts_remaining } => {
            Final(ApiError::InvalidCredentials { attempts_remaining })
        }
        ConnectorError::InvalidMfaAnswer { attempts_remaining } => {
            Final(ApiError::InvalidMfaAnswer { attempts_remaining })
        }
        ConnectorError::AccountLocked => Final(ApiError::AccountLocked),
        ConnectorError::MfaExpired | ConnectorError::InvalidGrant => {
            Final(ApiError::OauthCodeInvalid)
        }
        ConnectorError::AccessDenied => Final(ApiError::OauthDenied),
        ConnectorError::InstitutionError => Final(ApiError::InstitutionError { name }),
        ConnectorError::InstitutionDown => Retryable(ApiError::InstitutionDownUnscheduled { name }),
        other => {
            tracing::warn!(error = %other, "bank unreachable");
            Retryable(ApiError::InstitutionUnavailable { name })
        }
    }
}

/// The institution's name for messages; its id if it left the directory.
pub(super) fn institution_name(state: &AppState, institution_id: &str) -> String {
    state
        .directory
        .get(institution_id)
        .map_or_else(|| institution_id.to_owned(), |found| found.name.clone())
}

/// Records a step's outcome; once authorized, fetches and stores the accounts the bank shares.
async fn finish_step(
    state: &Shared,
    bearer: Option<String>,
    mut record: AuthorizationRecord,
    next: AuthorizationProgress,
) -> Result<axum::Json<Authorization>, ApiError> {
    let accounts = match &next {
        AuthorizationProgress::Authorized { tokens } => {
            Some(fetch_accounts(state, &record, tokens).await?)
        }
        _ => None,
    };
    let expected_updated = record.updated;
    record.progress = next;
    record.updated = state.clock.now();
    let shared = state.clone();
    let record = with_session(state, bearer, move |tx, session| {
        let current = find_authorization(tx, &session, &record.id)?;
        if current.updated != expected_updated
            || session.authorization_id.as_deref() != Some(record.id.as_str())
        {
            return Err(ApiError::AuthorizationStateInvalid {
                detail: "another request changed it meanwhile",
            });
        }
        record.update(tx)?;
        if let Some(accounts) = accounts {
            store_offered_accounts(tx, &shared, &record, accounts)?;
        }
        Ok(record)
    })
    .await?;
    Ok(axum::Json(views::authorization(state, &record)))
}

/// Asks the bank for the accounts the person shared.
pub(super) async fn fetch_accounts(
    state: &AppState,
    record: &AuthorizationRecord,
    tokens: &BankTokens,
) -> Result<Vec<crate::connector::BankAccount>, ApiError> {
    let bank = state.bank(&record.institution_id);
    state
        .connector
        .accounts(&bank, &tokens.access_token)
        .await
        .map_err(
            |error| match bank_error(error, institution_name(state, &record.institution_id)) {
                Retryable(error) | Final(error) => error,
            },
        )
}

/// Stores the accounts a bank shared as offered (not yet linked) accounts of the session.
pub(super) fn store_offered_accounts(
    tx: &rusqlite::Transaction<'_>,
    state: &AppState,
    record: &AuthorizationRecord,
    accounts: Vec<crate::connector::BankAccount>,
) -> Result<(), ApiError> {
    let institution_name = institution_name(state, &record.institution_id);
    for (position, bank) in accounts.into_iter().enumerate() {
        AccountRecord {
            id: secrets::new_id("fca"),
            session_id: record.session_id.clone(),
            authorization_id: record.id.clone(),
            institution_id: record.institution_id.clone(),
            institution_name: institution_name.clone(),
            bank,
            linked: false,
            created: record.updated,
            position: i64::try_from(position).unwrap_or(i64::MAX),
            permissions: Vec::new(),
            access: AccountAccess::Active,
            disconnected_at: None,
            merged_into: None,
            balance: None,
            ownership_id: None,
            next_transaction_refresh_at: None,
            verification: None,
        }
        .insert(tx)?;
    }
    Ok(())
}

/// `GET /v1/link/authorizations/{id}/accounts`: what the bank shared, each marked selectable or not.
pub async fn authorization_accounts(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<List<LinkAccount>>, ApiError> {
    let accounts = with_session(&state, bearer, move |tx, session| {
        let record = find_authorization(tx, &session, &id)?;
        if !matches!(record.progress, AuthorizationProgress::Authorized { .. }) {
            return Err(ApiError::AuthorizationStateInvalid {
                detail: "the bank has not authorized it yet",
            });
        }
        let accounts = AccountRecord::for_authorization(tx, &record.id)?;
        Ok(accounts
            .iter()
            .map(|account| views::link_account(account, &session))
            .collect())
    })
    .await?;
    Ok(axum::Json(List::complete(
        accounts,
        "/v1/link/authorizations/accounts",
    )))
}

/// `POST /v1/link/authorizations/{id}/attach` with `Idempotency-Key`: link the chosen
/// accounts. A retry with the same key and body gets the first answer; with another body, an
/// `idempotency_error`.
pub async fn attach_accounts(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    IdempotencyKey(key): IdempotencyKey,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    attach_idempotently(
        &state,
        bearer,
        key,
        uri.path(),
        &body,
        move |tx, session, request: AttachAccountsRequest| {
            choose_offered(tx, session, &id, request.accounts)
        },
    )
    .await
}

/// The accounts of authorization `id` the person chose, checked and linked.
fn choose_offered(
    tx: &rusqlite::Transaction<'_>,
    session: &SessionRecord,
    id: &str,
    accounts: Vec<String>,
) -> Result<Vec<linking::Linked>, ApiError> {
    let record = find_authorization(tx, session, id)?;
    if !matches!(record.progress, AuthorizationProgress::Authorized { .. }) {
        return Err(ApiError::AuthorizationStateInvalid {
            detail: "the bank has not authorized it yet",
        });
    }
    let offered = AccountRecord::for_authorization(tx, &record.id)?;
    let chosen = linking::checked_selection(tx, session, accounts, |id| {
        offered
            .iter()
            .any(|account| account.id == id && !account.linked)
    })?;
    let mut linked = Vec::with_capacity(chosen.len());
    for account_id in &chosen {
        let account = offered
            .iter()
            .find(|account| &account.id == account_id)
            .ok_or_else(|| ApiError::ResourceMissing {
                kind: "account",
                id: account_id.clone(),
            })?;
        if let Some(reason) = views::unselectable_reason(&account.bank, session) {
            return Err(ApiError::AccountNotSelectable {
                id: account_id.clone(),
                reason,
            });
        }
        linked.push(linking::link(tx, session, account.clone())?);
    }
    Ok(linked)
}

/// Links accounts to the session with `Idempotency-Key`, whichever step `choose` picks them
/// in (the bank's accounts, or saved accounts): a retry with the same key and body gets the
/// first answer, another body an `idempotency_error`; otherwise the chosen accounts' follow-up
/// work starts and the answer is the session's linked accounts.
pub(super) async fn attach_idempotently<R>(
    state: &Shared,
    bearer: Option<String>,
    key: Option<String>,
    path: &str,
    body: &[u8],
    choose: impl FnOnce(
        &rusqlite::Transaction<'_>,
        &SessionRecord,
        R,
    ) -> Result<Vec<linking::Linked>, ApiError>
    + Send
    + 'static,
) -> Result<Response, ApiError>
where
    R: serde::de::DeserializeOwned + Send + 'static,
{
    let (key, fingerprint) = idempotency(key, path, body)?;
    let request: R = parse_json(body)?;
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let (status, json, follow_up) = with_session(state, bearer, move |tx, session| {
        if let Some((status, json)) = replayed(tx, &session.id, &key, &fingerprint)? {
            return Ok((status, json, linking::FollowUp::default()));
        }
        let linked = choose(tx, &session, request)?;
        let follow_up = linking::follow_up(tx, &session, &linked, now, cooldown, &links)?;
        let result = link_result(tx, &session, &links)?;
        let json = remember(tx, &session.id, key, fingerprint, &result, now)?;
        Ok((StatusCode::OK.as_u16(), json, follow_up))
    })
    .await?;
    linking::start(state, follow_up);
    Ok(json_response(status, json))
}

/// `POST /v1/link/complete`: the person is done; the session ends with its linked accounts.
pub async fn complete(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
) -> Result<axum::Json<LinkResult>, ApiError> {
    end_session(&state, bearer, SessionStatus::Completed).await
}

/// `POST /v1/link/cancel`: the person closed the flow.
pub async fn cancel(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
) -> Result<axum::Json<LinkResult>, ApiError> {
    end_session(&state, bearer, SessionStatus::Cancelled).await
}

async fn end_session(
    state: &Shared,
    bearer: Option<String>,
    status: SessionStatus,
) -> Result<axum::Json<LinkResult>, ApiError> {
    let links = state.verification_links.clone();
    let result = with_session(state, bearer, move |tx, mut session| {
        session.status = status;
        session.update(tx)?;
        link_result(tx, &session, &links)
    })
    .await?;
    Ok(axum::Json(result))
}

/// The session as the widget sees it after attaching, entering or ending: its status and
/// every account linked through it so far.
pub(super) fn link_result(
    tx: &rusqlite::Transaction<'_>,
    session: &SessionRecord,
    links: &VerificationLinks,
) -> Result<LinkResult, ApiError> {
    let linked = AccountRecord::linked_for_session(tx, &session.id)?;
    Ok(LinkResult {
        session: session.id.clone(),
        status: session.status,
        accounts: linked
            .iter()
            .map(|account| views::linked_account(account, links))
            .collect(),
    })
}

/// The `Idempotency-Key` a request must carry, and the fingerprint of its path and body that
/// a retry with the same key must match.
pub(super) fn idempotency(
    key: Option<String>,
    path: &str,
    body: &[u8],
) -> Result<(String, String), ApiError> {
    let key = key.ok_or(ApiError::ParameterMissing {
        param: "Idempotency-Key".to_owned(),
    })?;
    let fingerprint = secrets::fingerprint(&[path.as_bytes(), b"\n", body].concat());
    Ok((key, fingerprint))
}

/// The stored answer (status, JSON) to a request seen before with this `Idempotency-Key`;
/// the same key with another body (`fingerprint`) is refused.
pub(super) fn replayed(
    tx: &rusqlite::Transaction<'_>,
    session_id: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<(u16, String)>, ApiError> {
    match IdempotencyRecord::find(tx, session_id, key)? {
        Some(previous) if previous.fingerprint == fingerprint => {
            Ok(Some((previous.status, previous.response_json)))
        }
        Some(_) => Err(ApiError::IdempotencyKeyInUse),
        None => Ok(None),
    }
}

/// Keeps `result` as the answer to the request with this `Idempotency-Key`, and returns it
/// as JSON.
pub(super) fn remember(
    tx: &rusqlite::Transaction<'_>,
    session_id: &str,
    key: String,
    fingerprint: String,
    result: &LinkResult,
    now: i64,
) -> Result<String, ApiError> {
    let json = serde_json::to_string(result).map_err(ApiError::internal)?;
    IdempotencyRecord {
        session_id: session_id.to_owned(),
        key,
        fingerprint,
        status: StatusCode::OK.as_u16(),
        response_json: json.clone(),
        created: now,
    }
    .insert(tx)?;
    Ok(json)
}

/// A JSON body kept as text (an idempotent answer), with its status.
pub(super) fn json_response(status: u16, json: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json,
    )
        .into_response()
}
