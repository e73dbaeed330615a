//! A sandbox bank's account data endpoints, opened by a bearer access token (RFC 6750).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};

use super::SandboxState;
use super::data;
use super::error::BankError;
use crate::connector::wire::{AccountsResponse, TransactionsResponse};

/// The token of an `Authorization: Bearer …` header.
fn bearer(headers: &HeaderMap) -> Result<&str, BankError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or(BankError::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(BankError::InvalidToken)?;
    let token = token.trim();
    if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() {
        Ok(token)
    } else {
        Err(BankError::InvalidToken)
    }
}

/// `GET /accounts`: the accounts the token may see, in the bank's order.
pub async fn accounts(
    State(state): State<SandboxState>,
    Path(institution_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<AccountsResponse>, BankError> {
    let institution = state.api_bank(&institution_id).await?;
    let now = state.now();
    let scope = state
        .inner
        .memory
        .scope_of(&institution.id, bearer(&headers)?, now)?;
    let accounts = data::accounts(institution)
        .iter()
        .filter(|account| scope.allows(&account.id))
        .map(|account| account.to_wire(now))
        .collect();
    Ok(Json(AccountsResponse { accounts }))
}

/// `GET /accounts/{id}/transactions`: the account's history, newest first; `404` for an
/// account the token may not see, as for one that does not exist.
pub async fn transactions(
    State(state): State<SandboxState>,
    Path((institution_id, account_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<TransactionsResponse>, BankError> {
    let institution = state.api_bank(&institution_id).await?;
    let scope = state
        .inner
        .memory
        .scope_of(&institution.id, bearer(&headers)?, state.now())?;
    let account = data::accounts(institution)
        .into_iter()
        .find(|account| account.id == account_id && scope.allows(&account.id))
        .ok_or(BankError::AccountNotFound)?;
    Ok(Json(TransactionsResponse {
        transactions: account.transactions(state.inner.history_end),
    }))
}
