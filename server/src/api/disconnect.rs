//! `POST /v1/financial_connections/accounts/{id}/disconnect` (see `accounts::disconnect` for
//! what stops and what stays readable).

use axum::extract::{Path, State};
use finlink_protocol::Account;

use super::access::require_secret_key;
use super::account_data::find_account;
use crate::accounts::disconnect::disconnect as disconnect_account;
use crate::app::Shared;
use crate::error::ApiError;
use crate::http::extract::Bearer;
use crate::refresh::tokens;

/// Answers at once; the grant is given up in the background (a slow bank cannot hold the
/// answer up).
pub async fn disconnect(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<Account>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let now = state.clock.now();
    let cooldown = state.timing.refresh_cooldown_seconds;
    let links = state.verification_links.clone();
    let done = state
        .store
        .transaction(move |tx| {
            let account = find_account(tx, &caller, &id)?;
            Ok::<_, ApiError>(disconnect_account(tx, account, now, cooldown, &links)?)
        })
        .await?;
    if done.changed {
        state.webhooks.wake.notify_one();
    }
    if let Some(grant) = done.released_grant {
        tokens::give_up_later(&state, grant);
    }
    Ok(axum::Json(done.account))
}
