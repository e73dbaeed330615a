//! Records as the API shows them: what each caller may see, and nothing more.

use finlink_protocol::{
    Account, AuthorizationState, Institution, LinkAccount, LinkedAccount, List, Permission,
    Session, Timestamp, UnselectableReason,
};

use super::access::Lifetimes;
use crate::accounts::verification::{self, VerificationLinks};
use crate::accounts::view::{account_status, payable};
use crate::app::AppState;
use crate::connector::BankAccount;
use crate::store::{AccountRecord, AuthorizationProgress, AuthorizationRecord, SessionRecord};

pub fn session(
    record: &SessionRecord,
    accounts: Vec<Account>,
    lifetimes: Lifetimes,
    now: Timestamp,
    client_secret: Option<String>,
) -> Session {
    Session {
        id: record.id.clone(),
        created: record.created,
        livemode: false,
        client_secret,
        account_holder: record.request.account_holder.clone(),
        permissions: record.request.permissions.clone(),
        filters: record.request.filters.clone(),
        prefetch: record.request.prefetch.clone(),
        return_url: record.request.return_url.clone(),
        account_selection: record.request.account_selection,
        verification_method: record.request.verification_method,
        microdeposit_type: record.request.microdeposit_type,
        status: lifetimes.status(record, now),
        expires_at: lifetimes.expires_at(record),
        accounts: List::complete(accounts, "/v1/financial_connections/accounts"),
    }
}

/// Why the person cannot pick this account in this session, if they cannot.
pub fn unselectable_reason(
    bank: &BankAccount,
    session: &SessionRecord,
) -> Option<UnselectableReason> {
    if !bank.open {
        return Some(UnselectableReason::Inactive);
    }
    if session
        .request
        .permissions
        .contains(&Permission::PaymentMethod)
        && !payable(bank)
    {
        return Some(UnselectableReason::UnsupportedForPayments);
    }
    let filtered_out = session
        .request
        .filters
        .as_ref()
        .and_then(|filters| filters.account_subcategories.as_ref())
        .is_some_and(|allowed| !allowed.contains(&bank.subcategory));
    filtered_out.then_some(UnselectableReason::FilteredOut)
}

pub fn link_account(record: &AccountRecord, session: &SessionRecord) -> LinkAccount {
    let bank = &record.bank;
    LinkAccount {
        id: record.id.clone(),
        display_name: bank.display_name.clone(),
        institution_name: record.institution_name.clone(),
        category: bank.subcategory.category(),
        subcategory: bank.subcategory,
        last4: bank.last4.clone(),
        status: account_status(record),
        unselectable_reason: unselectable_reason(bank, session),
    }
}

/// The host page's view of a linked account: no numbers, balances or owners.
pub fn linked_account(record: &AccountRecord, links: &VerificationLinks) -> LinkedAccount {
    let bank = &record.bank;
    LinkedAccount {
        id: record.id.clone(),
        display_name: bank.display_name.clone(),
        institution_name: record.institution_name.clone(),
        category: bank.subcategory.category(),
        subcategory: bank.subcategory,
        last4: bank.last4.clone(),
        status: account_status(record),
        permissions: record.permissions.clone(),
        verification: verification::to_protocol(record, links),
    }
}

pub fn institution(state: &AppState, institution_id: &str) -> Institution {
    match state.directory.get(institution_id) {
        Some(found) => found.to_protocol(),
        None => unknown_institution(institution_id),
    }
}

/// An institution that left the directory after an authorization started (a reloaded
/// directory): still shown by id rather than failing the whole request.
fn unknown_institution(id: &str) -> Institution {
    Institution {
        id: id.to_owned(),
        name: id.to_owned(),
        url: None,
        routing_numbers: Vec::new(),
        auth_method: finlink_protocol::AuthMethod::Credentials,
        status: finlink_protocol::InstitutionStatus::Up,
        featured: false,
        country: "US".to_owned(),
    }
}

/// The widget's view of an authorization: what it awaits, never its secrets.
pub fn authorization(
    state: &AppState,
    record: &AuthorizationRecord,
) -> finlink_protocol::Authorization {
    let progress = match &record.progress {
        AuthorizationProgress::AwaitingOauth { oauth_url, .. }
        | AuthorizationProgress::ExchangingCode { oauth_url } => {
            AuthorizationState::AwaitingOauth {
                oauth_url: oauth_url.clone(),
            }
        }
        AuthorizationProgress::AwaitingCredentials {
            attempts_remaining,
            error,
        } => AuthorizationState::AwaitingCredentials {
            error: error.clone(),
            attempts_remaining: *attempts_remaining,
        },
        AuthorizationProgress::AwaitingMfa {
            challenge,
            attempts_remaining,
            error,
            ..
        } => AuthorizationState::AwaitingMfa {
            challenge: challenge.clone(),
            error: error.clone(),
            attempts_remaining: *attempts_remaining,
        },
        AuthorizationProgress::Authorized { .. } => AuthorizationState::Authorized,
        AuthorizationProgress::Revoked => AuthorizationState::Failed {
            error: crate::error::ApiError::AuthorizationStateInvalid {
                detail: "its accounts were disconnected",
            }
            .to_protocol(),
        },
        AuthorizationProgress::Failed { error } => AuthorizationState::Failed {
            error: error.clone(),
        },
        AuthorizationProgress::ManualEntry => AuthorizationState::Failed {
            error: crate::error::ApiError::AuthorizationStateInvalid {
                detail: "its account was entered by hand, not at the bank",
            }
            .to_protocol(),
        },
    };
    finlink_protocol::Authorization {
        id: record.id.clone(),
        institution: institution(state, &record.institution_id),
        state: progress,
    }
}
