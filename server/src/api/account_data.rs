//! The data behind permissions that is not part of the account object: its owners
//! (`ownership`) and its account numbers (`payment_method`). Both only for the integrator's
//! secret key; account numbers never appear in anything a browser receives.

use axum::extract::{Path, State};
use finlink_protocol::{AccountNumbers, AccountOwner, List, Permission, VerificationStatus};
use serde::Deserialize;

use super::access::{Caller, own_linked_account, require_secret_key};
use super::pages::{page_limit, paginate};
use crate::accounts::view::payable;
use crate::app::Shared;
use crate::error::ApiError;
use crate::http::extract::{Bearer, Query};
use crate::refresh::check_access;
use crate::store::{AccountRecord, OwnershipRecord};

/// A linked account of the caller's, by the id the integrator knows (another integrator's
/// is missing).
pub(super) fn find_account(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    id: &str,
) -> Result<AccountRecord, ApiError> {
    own_linked_account(tx, caller, id.to_owned())
}

/// Refuses data the account was not linked with permission for.
pub(super) fn require_permission(
    account: &AccountRecord,
    permission: Permission,
) -> Result<(), ApiError> {
    if account.permissions.contains(&permission) {
        Ok(())
    } else {
        Err(ApiError::PermissionMissing { permission })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OwnersQuery {
    /// An ownership of the account (`fcaowns_...`); the latest by default.
    ownership: Option<String>,
    limit: Option<usize>,
    starting_after: Option<String>,
}

/// `GET /v1/financial_connections/accounts/{id}/owners`: the owners fetched by the latest
/// ownership refresh (or by `ownership`); an empty list before the first one.
pub async fn owners(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
    Query(query): Query<OwnersQuery>,
) -> Result<axum::Json<List<AccountOwner>>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let limit = page_limit(query.limit)?;
    let owners = state
        .store
        .transaction(move |tx| {
            let account = find_account(tx, &caller, &id)?;
            require_permission(&account, Permission::Ownership)?;
            let Some(ownership_id) = query.ownership.or(account.ownership_id) else {
                return Ok(Vec::new());
            };
            let ownership = OwnershipRecord::find(tx, &ownership_id)?
                .filter(|ownership| ownership.account_id == account.id)
                .ok_or(ApiError::ResourceMissing {
                    kind: "ownership",
                    id: ownership_id,
                })?;
            Ok::<_, ApiError>(
                ownership
                    .owners
                    .into_iter()
                    .map(|owner| AccountOwner {
                        id: owner.id,
                        name: owner.name,
                        email: owner.email,
                        phone: owner.phone,
                        raw_address: owner.raw_address,
                        ownership: ownership.id.clone(),
                        refreshed_at: ownership.created,
                    })
                    .collect(),
            )
        })
        .await?;
    let path = "/v1/financial_connections/accounts/owners";
    paginate(
        owners,
        |owner| &owner.id,
        query.starting_after.as_deref(),
        limit,
        path,
    )
    .map(axum::Json)
}

/// `GET /v1/financial_connections/accounts/{id}/account_numbers`: the routing and account
/// numbers of an open cash account that supports ACH, with the `payment_method` permission,
/// while finlink's access to it stands; for an account entered by hand, once verified.
pub async fn account_numbers(
    State(state): State<Shared>,
    Bearer(bearer): Bearer,
    Path(id): Path<String>,
) -> Result<axum::Json<AccountNumbers>, ApiError> {
    let caller = require_secret_key(&state, bearer.as_deref())?;
    let numbers = state
        .store
        .transaction(move |tx| numbers_of(&find_account(tx, &caller, &id)?))
        .await?;
    Ok(axum::Json(numbers))
}

/// The numbers of an account, if the integrator may have them: the `payment_method`
/// permission, access not lost, and an open cash account that supports ACH with both numbers.
fn numbers_of(account: &AccountRecord) -> Result<AccountNumbers, ApiError> {
    require_permission(account, Permission::PaymentMethod)?;
    check_access(account)?;
    if account
        .verification
        .as_ref()
        .is_some_and(|verification| verification.status != VerificationStatus::Verified)
    {
        return Err(ApiError::AccountNotVerified {
            id: account.id.clone(),
        });
    }
    let unavailable = || ApiError::AccountNumbersUnavailable {
        id: account.id.clone(),
    };
    let bank = &account.bank;
    if !payable(bank) {
        return Err(unavailable());
    }
    let (Some(routing_number), Some(account_number)) =
        (bank.routing_number.clone(), bank.account_number.clone())
    else {
        return Err(unavailable());
    };
    Ok(AccountNumbers {
        account: account.id.clone(),
        routing_number,
        account_number,
        account_type: bank.subcategory,
        supported_networks: vec!["ach".to_owned()],
    })
}

#[cfg(test)]
mod tests {
    use finlink_protocol::{AccountSubcategory, ErrorCode};

    use super::*;
    use crate::connector::BankAccount;
    use crate::store::AccountAccess;

    fn account(subcategory: AccountSubcategory, open: bool, ach: bool) -> AccountRecord {
        AccountRecord {
            id: "fca_1".into(),
            session_id: "fcsess_1".into(),
            authorization_id: "fcauth_1".into(),
            institution_id: "ins_1".into(),
            institution_name: "Bank".into(),
            bank: BankAccount {
                bank_account_id: "acc_1".into(),
                display_name: "Account".into(),
                subcategory,
                last4: "6789".into(),
                open,
                supports_ach: ach,
                routing_number: Some("110000000".into()),
                account_number: Some("000123456789".into()),
                balance: None,
                owners: Vec::new(),
            },
            linked: true,
            created: 0,
            position: 0,
            permissions: vec![Permission::PaymentMethod],
            access: AccountAccess::Active,
            disconnected_at: None,
            merged_into: None,
            balance: None,
            ownership_id: None,
            next_transaction_refresh_at: None,
            verification: None,
        }
    }

    fn code(result: Result<AccountNumbers, ApiError>) -> ErrorCode {
        result
            .err()
            .map_or(ErrorCode::Unknown, |error| error.code())
    }

    #[test]
    fn only_open_cash_accounts_that_support_ach_have_numbers() {
        let checking = account(AccountSubcategory::Checking, true, true);
        assert_eq!(numbers_of(&checking).unwrap().routing_number, "110000000");
        for (subcategory, open, ach) in [
            (AccountSubcategory::CreditCard, true, false),
            (AccountSubcategory::Mortgage, true, true),
            (AccountSubcategory::Checking, false, true),
            (AccountSubcategory::Savings, true, false),
        ] {
            assert_eq!(
                code(numbers_of(&account(subcategory, open, ach))),
                ErrorCode::AccountNumbersUnavailable,
                "{subcategory:?} open={open} ach={ach}"
            );
        }
        let mut without_number = checking.clone();
        without_number.bank.account_number = None;
        assert_eq!(
            code(numbers_of(&without_number)),
            ErrorCode::AccountNumbersUnavailable
        );
    }

    #[test]
    fn the_permission_comes_first_then_the_access() {
        let mut checking = account(AccountSubcategory::Checking, true, true);
        checking.access = AccountAccess::Inactive;
        assert_eq!(code(numbers_of(&checking)), ErrorCode::AccountInactive);
        checking.permissions = vec![Permission::Balances];
        assert_eq!(code(numbers_of(&checking)), ErrorCode::PermissionMissing);
    }
}
