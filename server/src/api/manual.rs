//! Accounts entered by hand and their microdeposit verification:
//! `POST /v1/link/manual_accounts` (the widget, with the client secret),
//! `GET`/`POST /v1/link/verification` (the hosted verification page, with the verification
//! secret of its link), and the sandbox clock helper
//! `POST /v1/test_helpers/financial_connections/accounts/{id}/verification/advance_clock`
//! (the integrator's secret key). The rules live in `accounts::verification`.

use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use finlink_protocol::{
    Account, AccountSelection, AccountSubcategory, BankAccountType, EventType, LinkVerification,
    ManualAccountRequest, OAuthReturn, Permission, VerifyMicrodepositsRequest,
};
use rusqlite::Transaction;
use serde::Deserialize;

use super::access::{own_linked_account, require_secret_key};
use super::link::{idempotency, json_response, link_result, remember, replayed, with_session};
use crate::accounts::verification::{self, VerificationLinks};
use crate::accounts::view as account_view;
use crate::app::{AppState, Shared};
use crate::connector::{self, BankAccount, BankOwner};
use crate::error::ApiError;
use crate::http::extract::{Bearer, IdempotencyKey, Json, RawBody, parse_json};
use crate::secrets;
use crate::store::{
    AccountAccess, AccountRecord, AuthorizationProgress, AuthorizationRecord, SessionRecord,
};

/// Sandbox account numbers with a documented outcome (docs/sandbox.md); any other valid
/// number succeeds.
const SANDBOX_ACCOUNT_CLOSED: &str = "4000000001";
const SANDBOX_ACCOUNT_NOT_FOUND: &str = "4000000002";
const SANDBOX_MICRODEPOSITS_FAIL: &str = "4000000003";

/// The bank's name for a routing number, after checking the details the person typed, each
/// refusal naming its field.
fn check_details(
    state: &AppState,
    request: &ManualAccountRequest,
) -> Result<(String, String), ApiError> {
    if !finlink_search::routing::is_valid(&request.routing_number) {
        return Err(ApiError::RoutingNumberInvalid);
    }
    let institution = state
        .directory
        .by_routing_number(&request.routing_number)
        .ok_or(ApiError::RoutingNumberUnknown)?;
    let number = &request.account_number;
    if !ManualAccountRequest::ACCOUNT_NUMBER_DIGITS.contains(&number.len())
        || !number.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ApiError::AccountNumberInvalid);
    }
    if request.account_number_confirmation != *number {
        return Err(ApiError::AccountNumbersMismatch);
    }
    let name = request.account_holder_name.trim();
    if name.is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "account_holder_name".to_owned(),
        });
    }
    if name.chars().count() > ManualAccountRequest::HOLDER_NAME_MAX_CHARS {
        return Err(ApiError::invalid(
            "account_holder_name",
            format!(
                "at most {} characters.",
                ManualAccountRequest::HOLDER_NAME_MAX_CHARS
            ),
        ));
    }
    Ok((institution.id.clone(), institution.name.clone()))
}

/// What the sandbox bank says about an account number.
fn sandbox_outcome(account_number: &str) -> Result<(), ApiError> {
    match account_number {
        SANDBOX_ACCOUNT_CLOSED => Err(ApiError::BankAccountClosed),
        SANDBOX_ACCOUNT_NOT_FOUND => Err(ApiError::BankAccountNotFound),
        SANDBOX_MICRODEPOSITS_FAIL => Err(ApiError::MicrodepositsFailed),
        _ => Ok(()),
    }
}

fn subcategory(account_type: BankAccountType) -> AccountSubcategory {
    match account_type {
        BankAccountType::Checking => AccountSubcategory::Checking,
        BankAccountType::Savings => AccountSubcategory::Savings,
    }
}

fn display_name(account_type: BankAccountType) -> &'static str {
    match account_type {
        BankAccountType::Checking => "Checking",
        BankAccountType::Savings => "Savings",
    }
}

/// Refuses manual entry where the session does not allow it, or where the account could not
/// be linked anyway (one account already linked in a `single` session, a subcategory the
/// session filters out).
fn check_session_allows(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    account_type: BankAccountType,
) -> Result<(), ApiError> {
    if !session.consent_given {
        return Err(ApiError::ConsentRequired);
    }
    let allowed = session
        .request
        .permissions
        .contains(&Permission::PaymentMethod)
        && session
            .request
            .verification_method
            .is_some_and(|method| method.allows_manual_entry());
    if !allowed {
        return Err(ApiError::ManualEntryNotAllowed);
    }
    if session.request.account_selection == AccountSelection::Single
        && !AccountRecord::linked_for_session(tx, &session.id)?.is_empty()
    {
        return Err(ApiError::TooManyAccountsSelected);
    }
    let filtered_out = session
        .request
        .filters
        .as_ref()
        .and_then(|filters| filters.account_subcategories.as_ref())
        .is_some_and(|allowed| !allowed.contains(&subcategory(account_type)));
    if filtered_out {
        return Err(ApiError::invalid(
            "account_type",
            "this business does not accept this kind of account.",
        ));
    }
    Ok(())
}

/// `POST /v1/link/manual_accounts` with `Idempotency-Key`: the account the person typed in,
/// linked to the session pending verification by microdeposits. A retry with the same key and
/// body gets the first answer; with another body, an `idempotency_error`. Nothing is stored
/// when the details are refused.
pub async fn create(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    IdempotencyKey(key): IdempotencyKey,
    OriginalUri(uri): OriginalUri,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let (key, fingerprint) = idempotency(key, uri.path(), &body)?;
    let request: ManualAccountRequest = parse_json(&body)?;
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let shared = state.clone();
    let (status, json, events) = with_session(&state, bearer, move |tx, session| {
        if let Some((status, json)) = replayed(tx, &session.id, &key, &fingerprint)? {
            return Ok((status, json, false));
        }
        check_session_allows(tx, &session, request.account_type)?;
        let (institution_id, institution_name) = check_details(&shared, &request)?;
        sandbox_outcome(&request.account_number)?;
        let microdeposit_type = session.request.microdeposit_type.unwrap_or_default();
        let authorization = AuthorizationRecord {
            id: secrets::new_id("fcauth"),
            session_id: session.id.clone(),
            institution_id: institution_id.clone(),
            progress: AuthorizationProgress::ManualEntry,
            oauth_return: OAuthReturn::Popup,
            created: now,
            updated: now,
        };
        authorization.insert(tx)?;
        let id = secrets::new_id("fca");
        let number = request.account_number.clone();
        // 4 to 17 digits, checked above.
        let last4 = connector::last4_of(&number).unwrap_or_else(|| number.clone());
        let account = AccountRecord {
            bank: BankAccount {
                bank_account_id: format!("manual_{id}"),
                display_name: display_name(request.account_type).to_owned(),
                subcategory: subcategory(request.account_type),
                last4,
                open: true,
                // Not until the person verifies the deposits.
                supports_ach: false,
                routing_number: Some(request.routing_number.clone()),
                account_number: Some(number),
                balance: None,
                owners: vec![BankOwner {
                    name: request.account_holder_name.trim().to_owned(),
                    address: None,
                    email: None,
                    phone: None,
                }],
            },
            id,
            session_id: session.id.clone(),
            authorization_id: authorization.id.clone(),
            institution_id,
            institution_name,
            linked: true,
            created: now,
            position: 0,
            permissions: vec![Permission::PaymentMethod],
            access: AccountAccess::Active,
            disconnected_at: None,
            merged_into: None,
            balance: None,
            ownership_id: None,
            next_transaction_refresh_at: None,
            verification: Some(verification::start(
                request.account_type,
                microdeposit_type,
                now,
            )),
        };
        account.insert(tx)?;
        verification::emit(
            tx,
            EventType::AccountCreated,
            &account,
            now,
            cooldown,
            &links,
        )?;
        let result = link_result(tx, &session, &links)?;
        let json = remember(tx, &session.id, key, fingerprint, &result, now)?;
        Ok((StatusCode::OK.as_u16(), json, true))
    })
    .await?;
    if events {
        state.webhooks.wake.notify_one();
    }
    Ok(json_response(status, json))
}

/// The account a verification secret opens, with its session; every refusal is the same
/// `verification_secret_invalid` (a wrong, tampered or other account's secret, or an account
/// disconnected since).
fn open_verification(
    tx: &Transaction<'_>,
    links: &VerificationLinks,
    bearer: Option<&str>,
) -> Result<(AccountRecord, SessionRecord), ApiError> {
    let account_id = bearer
        .and_then(|secret| links.account_id(secret))
        .ok_or(ApiError::VerificationSecretInvalid)?;
    let account = AccountRecord::find_linked(tx, &account_id)?
        .filter(|account| {
            account.verification.is_some() && account.access != AccountAccess::Disconnected
        })
        .ok_or(ApiError::VerificationSecretInvalid)?;
    let session =
        SessionRecord::find(tx, &account.session_id)?.ok_or(ApiError::VerificationSecretInvalid)?;
    Ok((account, session))
}

/// What the hosted page shows.
fn link_verification(
    account: &AccountRecord,
    session: &SessionRecord,
    error: Option<ApiError>,
) -> Result<LinkVerification, ApiError> {
    let stored = account
        .verification
        .as_ref()
        .ok_or(ApiError::VerificationSecretInvalid)?;
    Ok(LinkVerification {
        business_name: session.business_name.clone(),
        institution_name: account.institution_name.clone(),
        account_type: stored.account_type,
        last4: account.bank.last4.clone(),
        status: stored.status,
        microdeposit_type: stored.microdeposit_type,
        failure_reason: stored.failure_reason,
        attempts_remaining: stored.attempts_remaining,
        arrival_date: stored.arrival_date,
        expires_at: stored.expires_at,
        error: error.map(|error| error.to_protocol()),
    })
}

/// Fails the account's verification if its time ran out, with its event; whether it did.
fn expire_now(
    tx: &Transaction<'_>,
    state: &AppState,
    account: &mut AccountRecord,
) -> Result<bool, ApiError> {
    Ok(verification::expire(
        tx,
        account,
        state.clock.now(),
        state.timing.refresh_cooldown_seconds,
        &state.verification_links,
    )?)
}

/// `GET /v1/link/verification`: where the verification stands.
pub async fn show(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
) -> Result<axum::Json<LinkVerification>, ApiError> {
    let shared = state.clone();
    let (view, events) = state
        .store
        .transaction(move |tx| {
            let (mut account, session) =
                open_verification(tx, &shared.verification_links, bearer.as_deref())?;
            let events = expire_now(tx, &shared, &mut account)?;
            Ok::<_, ApiError>((link_verification(&account, &session, None)?, events))
        })
        .await?;
    if events {
        state.webhooks.wake.notify_one();
    }
    Ok(axum::Json(view))
}

/// `POST /v1/link/verification`: the deposits as the person read them. A wrong answer uses up
/// an attempt and is answered with `error` set; an answer of the wrong shape uses none.
pub async fn verify(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<VerifyMicrodepositsRequest>,
) -> Result<axum::Json<LinkVerification>, ApiError> {
    let shared = state.clone();
    // A refusal after an expiry was recorded still commits the expiry and its event.
    let (answered, events) = state
        .store
        .transaction(move |tx| {
            let (mut account, session) =
                open_verification(tx, &shared.verification_links, bearer.as_deref())?;
            let mut events = expire_now(tx, &shared, &mut account)?;
            let answered = answer(tx, &shared, &mut account, &session, request, &mut events)?;
            Ok::<_, ApiError>((answered, events))
        })
        .await?;
    if events {
        state.webhooks.wake.notify_one();
    }
    answered.map(axum::Json)
}

/// Applies an answer in `tx`: the refusal to return (after the transaction commits), or the
/// verification as it now stands.
fn answer(
    tx: &Transaction<'_>,
    state: &AppState,
    account: &mut AccountRecord,
    session: &SessionRecord,
    request: VerifyMicrodepositsRequest,
    events: &mut bool,
) -> Result<Result<LinkVerification, ApiError>, ApiError> {
    let Some(stored) = account.verification.as_ref() else {
        return Err(ApiError::VerificationSecretInvalid);
    };
    if let Some(refusal) = verification::settled_error(stored) {
        return Ok(Err(refusal));
    }
    let parsed = match verification::parse_answer(stored.microdeposit_type, request) {
        Ok(parsed) => parsed,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let Some(outcome) = verification::answer(account, &parsed) else {
        return Err(ApiError::internal("a pending verification took no answer"));
    };
    account.update(tx)?;
    verification::emit(
        tx,
        outcome.event(),
        account,
        state.clock.now(),
        state.timing.refresh_cooldown_seconds,
        &state.verification_links,
    )?;
    *events = true;
    let error = match outcome {
        verification::Outcome::Verified => None,
        verification::Outcome::Wrong | verification::Outcome::TooManyAttempts => {
            Some(ApiError::MicrodepositsMismatch {
                attempts_remaining: account
                    .verification
                    .as_ref()
                    .map_or(0, |stored| stored.attempts_remaining),
            })
        }
    };
    Ok(link_verification(account, session, error))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    seconds: i64,
}

/// The longest jump the clock helper takes: ten years.
const MAX_ADVANCE_SECONDS: i64 = 10 * 365 * 86_400;

/// `POST /v1/test_helpers/financial_connections/accounts/{id}/verification/advance_clock`:
/// moves this one verification `seconds` into the future (864000 expires a new one), and
/// answers the account.
pub async fn advance_clock(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Json(request): Json<AdvanceClock>,
) -> Result<axum::Json<Account>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    if !(1..=MAX_ADVANCE_SECONDS).contains(&request.seconds) {
        return Err(ApiError::invalid(
            "seconds",
            format!("a number of seconds from 1 to {MAX_ADVANCE_SECONDS}."),
        ));
    }
    let shared = state.clone();
    let (view, events) = state
        .store
        .transaction(move |tx| {
            let mut account = own_linked_account(tx, &caller, id.clone())?;
            let stored = account
                .verification
                .as_mut()
                .ok_or(ApiError::ResourceMissing {
                    kind: "verification",
                    id: id.clone(),
                })?;
            stored.clock_offset = stored.clock_offset.saturating_add(request.seconds);
            // Expiring stores the account; otherwise it is stored here, with its new clock.
            let events = expire_now(tx, &shared, &mut account)?;
            if !events {
                account.update(tx)?;
            }
            let view = account_view::load(
                tx,
                &account,
                shared.timing.refresh_cooldown_seconds,
                &shared.verification_links,
            )?;
            Ok::<_, ApiError>((view, events))
        })
        .await?;
    if events {
        state.webhooks.wake.notify_one();
    }
    Ok(axum::Json(view))
}
