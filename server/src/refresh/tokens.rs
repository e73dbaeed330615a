//! The bank grant behind linked accounts: a valid access token when a refresh needs one,
//! renewed with the refresh token when it expired (and the rotated refresh token saved, since
//! the old one is spent), and revocation when finlink gives the grant up.
//!
//! Several accounts share one grant, so renewals of one grant run one at a time: two at once
//! would present the same refresh token twice, which a bank that detects reuse (as the
//! sandbox does) answers by revoking the whole grant. The lock is per process; several server
//! instances would need a database lock instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::app::{AppState, Shared};
use crate::connector::{BankTokens, ConnectorError};
use crate::store::{AuthorizationProgress, AuthorizationRecord, StoreError};

/// An access token this close to its expiry is renewed first.
const EXPIRY_MARGIN_SECONDS: i64 = 60;

/// Why no access token could be had.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// finlink holds no tokens for this grant any more (given up).
    #[error("the grant was given up")]
    GivenUp,
    /// The bank refused the refresh token (revoked, expired or spent): access is lost.
    #[error("the bank refused the refresh token")]
    Refused,
    #[error("the bank could not renew the token: {0}")]
    Bank(#[from] ConnectorError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One lock per grant (authorization id), created on demand and dropped once unused.
#[derive(Default)]
pub struct GrantLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl GrantLocks {
    fn get(&self, authorization_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(PoisonError::into_inner);
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        Arc::clone(locks.entry(authorization_id.to_owned()).or_default())
    }
}

async fn load(
    state: &AppState,
    authorization_id: &str,
) -> Result<Option<(AuthorizationRecord, BankTokens)>, StoreError> {
    let id = authorization_id.to_owned();
    let record = state
        .store
        .transaction(move |tx| AuthorizationRecord::find(tx, &id))
        .await?;
    Ok(record.and_then(|record| match &record.progress {
        AuthorizationProgress::Authorized { tokens } => {
            let tokens = tokens.clone();
            Some((record, tokens))
        }
        _ => None,
    }))
}

/// An access token of the grant, renewed if it expires within a minute, or if `refused` is
/// the token the bank just refused (unless another task renewed it meanwhile).
pub async fn access_token(
    state: &AppState,
    authorization_id: &str,
    refused: Option<&str>,
) -> Result<String, TokenError> {
    let lock = state.refresher.grant_locks.get(authorization_id);
    let _renewing = lock.lock().await;
    let (record, tokens) = load(state, authorization_id)
        .await?
        .ok_or(TokenError::GivenUp)?;
    let now = state.clock.now();
    let fresh = tokens.expires_at_unix > now.saturating_add(EXPIRY_MARGIN_SECONDS);
    if fresh && refused != Some(tokens.access_token.as_str()) {
        return Ok(tokens.access_token);
    }
    let refresh_token = tokens.refresh_token.as_deref().ok_or(TokenError::Refused)?;
    let bank = state.bank(&record.institution_id);
    let renewed = match state.connector.refresh(&bank, refresh_token).await {
        Ok(renewed) => renewed,
        Err(ConnectorError::InvalidGrant) => return Err(TokenError::Refused),
        Err(error) => return Err(TokenError::Bank(error)),
    };
    let access_token = renewed.access_token.clone();
    let id = record.id.clone();
    state
        .store
        .transaction(move |tx| {
            if let Some(mut current) = AuthorizationRecord::find(tx, &id)?
                && matches!(current.progress, AuthorizationProgress::Authorized { .. })
            {
                current.progress = AuthorizationProgress::Authorized { tokens: renewed };
                current.updated = now;
                current.update(tx)?;
            }
            Ok::<_, StoreError>(())
        })
        .await?;
    Ok(access_token)
}

/// Gives a grant up: erases its tokens, then revokes them at the bank (RFC 7009; the refresh
/// token, which revokes the grant behind it). A bank that cannot be reached keeps the grant
/// until it expires there, but finlink no longer holds anything that could use it.
pub async fn give_up(state: &AppState, authorization_id: &str) -> Result<(), StoreError> {
    let lock = state.refresher.grant_locks.get(authorization_id);
    let _renewing = lock.lock().await;
    let id = authorization_id.to_owned();
    let now = state.clock.now();
    let taken = state
        .store
        .transaction(move |tx| {
            let Some(mut record) = AuthorizationRecord::find(tx, &id)? else {
                return Ok::<_, StoreError>(None);
            };
            let AuthorizationProgress::Authorized { tokens } = record.progress.clone() else {
                return Ok(None);
            };
            record.progress = AuthorizationProgress::Revoked;
            record.updated = now;
            record.update(tx)?;
            Ok(Some((record.institution_id, tokens)))
        })
        .await?;
    let Some((institution_id, tokens)) = taken else {
        return Ok(());
    };
    let token = tokens.refresh_token.unwrap_or(tokens.access_token);
    if let Err(error) = state
        .connector
        .revoke(&state.bank(&institution_id), &token)
        .await
    {
        tracing::warn!(authorization = %authorization_id, %error, "the bank did not confirm the revocation");
    }
    Ok(())
}

/// `give_up` in the background: a slow or stalled bank never holds up the request that let
/// the grant go.
pub fn give_up_later(state: &Shared, authorization_id: String) {
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = give_up(&state, &authorization_id).await {
            tracing::error!(authorization = %authorization_id, %error, "cannot give up a bank grant");
        }
    });
}
