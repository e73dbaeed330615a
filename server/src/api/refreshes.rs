//! Refreshing an account's data on demand, and subscribing to daily transaction refreshes.

use axum::extract::{Path, State};
use finlink_protocol::{Account, Feature, Permission, RefreshRequest, SubscriptionRequest};

use super::access::require_secret_key;
use super::account_data::{find_account, require_permission};
use crate::accounts::view as account_view;
use crate::app::Shared;
use crate::error::ApiError;
use crate::http::extract::{Bearer, Json};
use crate::refresh::{self, scheduler};

/// The features asked for, each once, at least one.
fn features(mut features: Vec<Feature>) -> Result<Vec<Feature>, ApiError> {
    features.sort();
    features.dedup();
    if features.is_empty() {
        return Err(ApiError::ParameterMissing {
            param: "features".to_owned(),
        });
    }
    Ok(features)
}

/// `POST /v1/financial_connections/accounts/{id}/refresh`: starts refreshes and answers at once
/// with the account, its `*_refresh` objects `pending`. Poll the account or wait for the
/// `financial_connections.account.refreshed_*` event.
pub async fn refresh(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Json(request): Json<RefreshRequest>,
) -> Result<axum::Json<Account>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let features = features(request.features)?;
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let (account, started) = state
        .store
        .transaction(move |tx| {
            let account = find_account(tx, &caller, &id)?;
            let started = refresh::request(tx, &account, &features, now, cooldown)?;
            let view = account_view::load(tx, &account, cooldown, &links)?;
            Ok::<_, ApiError>((view, started))
        })
        .await?;
    refresh::spawn(&state, started);
    Ok(axum::Json(account))
}

/// Only transactions can be subscribed to.
fn subscription_features(features: Vec<Feature>) -> Result<(), ApiError> {
    let features = self::features(features)?;
    if features != [Feature::Transactions] {
        return Err(ApiError::invalid(
            "features",
            "only 'transactions' can be subscribed to.",
        ));
    }
    Ok(())
}

/// `POST /v1/financial_connections/accounts/{id}/subscribe`: refreshes transactions now
/// (unless a refresh is pending) and then daily. Subscribing again changes nothing.
pub async fn subscribe(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Json(request): Json<SubscriptionRequest>,
) -> Result<axum::Json<Account>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    subscription_features(request.features)?;
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let (account, started) = state
        .store
        .transaction(move |tx| {
            let mut account = find_account(tx, &caller, &id)?;
            require_permission(&account, Permission::Transactions)?;
            refresh::check_access(&account)?;
            let mut started = Vec::new();
            if account.next_transaction_refresh_at.is_none() {
                started.extend(refresh::start_unless_pending(
                    tx,
                    &account.id,
                    Feature::Transactions,
                    now,
                )?);
                account.next_transaction_refresh_at =
                    Some(now.saturating_add(scheduler::INTERVAL_SECONDS));
                account.update(tx)?;
            }
            let view = account_view::load(tx, &account, cooldown, &links)?;
            Ok::<_, ApiError>((view, started))
        })
        .await?;
    refresh::spawn(&state, started);
    Ok(axum::Json(account))
}

/// `POST /v1/financial_connections/accounts/{id}/unsubscribe`: no more daily refreshes.
pub async fn unsubscribe(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Json(request): Json<SubscriptionRequest>,
) -> Result<axum::Json<Account>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    subscription_features(request.features)?;
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let account = state
        .store
        .transaction(move |tx| {
            let mut account = find_account(tx, &caller, &id)?;
            require_permission(&account, Permission::Transactions)?;
            if account.next_transaction_refresh_at.take().is_some() {
                account.update(tx)?;
            }
            Ok::<_, ApiError>(account_view::load(tx, &account, cooldown, &links)?)
        })
        .await?;
    Ok(axum::Json(account))
}
