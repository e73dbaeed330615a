//! The integrator API: the business's server creates sessions and reads linked accounts.

use axum::extract::{Path, State};
use finlink_protocol::{
    Account, AccountHolder, AccountHolderKind, CreateSessionRequest, List, Permission, Session,
    SessionStatus,
};
use serde::Deserialize;

use super::access::{
    Lifetimes, new_client_secret, own_linked_account, own_session, require_secret_key,
};
use super::views;
use crate::accounts::view as account_view;
use crate::app::{AppState, Shared};
use crate::error::ApiError;
use crate::http::extract::{Bearer, Json, Query};
use crate::secrets;
use crate::store::account_holder_key;
use crate::store::{AccountRecord, SessionRecord};

/// `POST /v1/financial_connections/sessions`
pub async fn create_session(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Json(request): Json<CreateSessionRequest>,
) -> Result<axum::Json<Session>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let request = validate(&state, request)?;
    let now = state.clock.now();
    let id = secrets::new_id("fcsess");
    let client_secret = new_client_secret(&id);
    let record = SessionRecord {
        id,
        secret_hash: secrets::hash(&client_secret),
        created: now,
        last_active: now,
        status: SessionStatus::Open,
        consent_given: false,
        business_name: caller.business_name,
        integrator_id: caller.integrator_id,
        request,
        authorization_id: None,
    };
    let lifetimes = Lifetimes::of(&state);
    let stored = record.clone();
    state
        .store
        .transaction(move |tx| stored.insert(tx).map_err(ApiError::from))
        .await?;
    Ok(axum::Json(views::session(
        &record,
        Vec::new(),
        lifetimes,
        now,
        Some(client_secret),
    )))
}

/// Checks what a create request asks for; returns it normalised (permissions deduplicated).
fn validate(
    state: &AppState,
    mut request: CreateSessionRequest,
) -> Result<CreateSessionRequest, ApiError> {
    if request.permissions.is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "permissions".to_owned(),
        });
    }
    request.permissions.sort();
    request.permissions.dedup();
    request.prefetch.sort();
    request.prefetch.dedup();
    if let Some(feature) = request
        .prefetch
        .iter()
        .find(|feature| !request.permissions.contains(&feature.permission()))
    {
        return Err(ApiError::invalid(
            "prefetch",
            format!(
                "prefetching {feature:?} needs the '{}' permission.",
                feature.permission().as_str()
            ),
        ));
    }
    if let Some(holder) = &request.account_holder {
        validate_account_holder(holder)?;
    }
    if let Some(filters) = &request.filters {
        let country_code =
            |code: &String| code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
        if let Some(countries) = &filters.countries
            && (countries.is_empty() || !countries.iter().all(country_code))
        {
            return Err(ApiError::invalid(
                "filters[countries]",
                "use two-letter upper-case ISO 3166-1 codes, e.g. \"US\".",
            ));
        }
        if filters
            .account_subcategories
            .as_ref()
            .is_some_and(Vec::is_empty)
        {
            return Err(ApiError::invalid(
                "filters[account_subcategories]",
                "list at least one subcategory, or leave it out.",
            ));
        }
        if let Some(institution) = &filters.institution
            && state.directory.get(institution).is_none()
        {
            return Err(ApiError::invalid(
                "filters[institution]",
                format!("no institution '{institution}'."),
            ));
        }
    }
    if let Some(return_url) = &request.return_url {
        validate_return_url(return_url)?;
    }
    validate_verification(&mut request)?;
    Ok(request)
}

/// `verification_method` and `microdeposit_type` only with `payment_method`, where they take
/// their defaults (`automatic`, and `amounts` unless `instant`); no `microdeposit_type` with
/// `instant`, which never sends deposits.
fn validate_verification(request: &mut CreateSessionRequest) -> Result<(), ApiError> {
    if !request.permissions.contains(&Permission::PaymentMethod) {
        if request.verification_method.is_some() {
            return Err(ApiError::invalid(
                "verification_method",
                "only sessions with the 'payment_method' permission verify accounts.",
            ));
        }
        if request.microdeposit_type.is_some() {
            return Err(ApiError::invalid(
                "microdeposit_type",
                "only sessions with the 'payment_method' permission send microdeposits.",
            ));
        }
        return Ok(());
    }
    let method = request.verification_method.unwrap_or_default();
    request.verification_method = Some(method);
    if method.allows_manual_entry() {
        request.microdeposit_type = Some(request.microdeposit_type.unwrap_or_default());
    } else if request.microdeposit_type.is_some() {
        return Err(ApiError::invalid(
            "microdeposit_type",
            "a session with verification_method 'instant' sends no microdeposits.",
        ));
    }
    Ok(())
}

fn validate_account_holder(holder: &AccountHolder) -> Result<(), ApiError> {
    match holder.kind {
        AccountHolderKind::Customer if holder.customer.as_deref().is_none_or(str::is_empty) => {
            Err(ApiError::ParameterMissing {
                param: "account_holder[customer]".to_owned(),
            })
        }
        AccountHolderKind::Account if holder.account.as_deref().is_none_or(str::is_empty) => {
            Err(ApiError::ParameterMissing {
                param: "account_holder[account]".to_owned(),
            })
        }
        _ if holder
            .email
            .as_deref()
            .is_some_and(|email| !plausible_email(email)) =>
        {
            Err(ApiError::invalid(
                "account_holder[email]",
                "not an email address.",
            ))
        }
        _ => Ok(()),
    }
}

fn plausible_email(email: &str) -> bool {
    email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

/// A return URL is https, http only on loopback (development), or an app's custom scheme;
/// never a scheme that runs code or reads files.
fn validate_return_url(text: &str) -> Result<(), ApiError> {
    let invalid = |reason: &str| ApiError::invalid("return_url", reason);
    let url = url::Url::parse(text)
        .map_err(|error| invalid(&format!("not an absolute URL ({error}).")))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" => match url.host() {
            Some(url::Host::Domain("localhost")) => Ok(()),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Ok(()),
            Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Ok(()),
            _ => Err(invalid(
                "http is only allowed for loopback hosts; use https.",
            )),
        },
        "javascript" | "data" | "file" | "blob" | "vbscript" | "about" => {
            Err(invalid("this scheme is not allowed."))
        }
        _ => Ok(()),
    }
}

/// `GET /v1/financial_connections/sessions/{id}`
pub async fn retrieve_session(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Session>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let now = state.clock.now();
    let lifetimes = Lifetimes::of(&state);
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let session = state
        .store
        .transaction(move |tx| {
            let session = own_session(tx, &caller, id)?;
            let accounts = AccountRecord::linked_for_session(tx, &session.id)?
                .iter()
                .map(|account| account_view::load(tx, account, cooldown, &links))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, ApiError>(views::session(&session, accounts, lifetimes, now, None))
        })
        .await?;
    Ok(axum::Json(session))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListAccountsQuery {
    session: Option<String>,
    #[serde(rename = "account_holder[customer]")]
    customer: Option<String>,
    #[serde(rename = "account_holder[account]")]
    account: Option<String>,
    limit: Option<usize>,
    starting_after: Option<String>,
}

/// `GET /v1/financial_connections/accounts?session=...` or `?account_holder[customer]=...`
pub async fn list_accounts(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Query(query): Query<ListAccountsQuery>,
) -> Result<axum::Json<List<Account>>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let limit = query.limit.unwrap_or(10);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 100."));
    }
    let holder_key = match (&query.customer, &query.account) {
        (Some(customer), None) => Some(account_holder_key(&AccountHolder {
            kind: AccountHolderKind::Customer,
            customer: Some(customer.clone()),
            account: None,
            email: None,
        })),
        (None, Some(account)) => Some(account_holder_key(&AccountHolder {
            kind: AccountHolderKind::Account,
            customer: None,
            account: Some(account.clone()),
            email: None,
        })),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "account_holder",
                "give a customer or an account, not both.",
            ));
        }
    }
    .flatten();
    let session_id = query.session.clone();
    if session_id.is_some() == holder_key.is_some() {
        return Err(ApiError::ParameterMissing {
            param: "session or account_holder".to_owned(),
        });
    }
    let starting_after = query.starting_after.clone();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let accounts = state
        .store
        .transaction(move |tx| {
            let records = match (&session_id, &holder_key) {
                // Another integrator's session is missing, like one that never was.
                (Some(session_id), _) => {
                    let session = own_session(tx, &caller, session_id.clone())?;
                    AccountRecord::linked_for_session(tx, &session.id)?
                }
                (None, Some(key)) => {
                    AccountRecord::linked_for_account_holder(tx, &caller.integrator_id, key)?
                }
                (None, None) => Vec::new(),
            };
            let views_of = records
                .iter()
                .map(|record| account_view::load(tx, record, cooldown, &links))
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, ApiError>(views_of)
        })
        .await?;
    let start = match &starting_after {
        Some(after) => accounts
            .iter()
            .position(|account| &account.id == after)
            .map(|index| index + 1)
            .ok_or_else(|| {
                ApiError::invalid(
                    "starting_after",
                    format!("no account '{after}' in this list."),
                )
            })?,
        None => 0,
    };
    let rest = accounts.len().saturating_sub(start);
    let data: Vec<Account> = accounts.into_iter().skip(start).take(limit).collect();
    Ok(axum::Json(List {
        has_more: rest > data.len(),
        data,
        url: "/v1/financial_connections/accounts".to_owned(),
    }))
}

/// `GET /v1/financial_connections/accounts/{id}`
pub async fn retrieve_account(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Account>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let account = state
        .store
        .transaction(move |tx| {
            let record = own_linked_account(tx, &caller, id)?;
            Ok::<_, ApiError>(account_view::load(tx, &record, cooldown, &links)?)
        })
        .await?;
    Ok(axum::Json(account))
}
