//! Saved accounts: saving what a completed session linked at a bank, offering it to a later
//! session of the same email (at any business) once the code is typed, linking it there with
//! that business's permissions, and forgetting it.
//!
//! A saved account keeps the bank grant it was linked with. Linked at another business, it
//! becomes a new account of that business's session that reaches the bank through the same
//! grant, so its data can be read and refreshed there; the business it was saved from sees
//! nothing of it. The grant lives while some linked, connected account uses it or some saved
//! account reaches its bank through it: disconnecting at one business leaves another's access
//! working, and leaves the saved account usable at the next business. Forgetting the saved
//! accounts gives up (revokes at the bank, erases the tokens) each grant nothing uses any
//! more. Once the bank refused the grant, the saved account is offered as inactive.

use finlink_protocol::{
    OneTimeCodeStatus, ReturningUser, ReturningUserDeclined, SandboxEmail, SaveAccountsRequest,
    SavedAccount, SavedAccountsForgotten, SavedAccountsReceipt, SessionStatus, Timestamp,
    UnselectableReason, email_hint, normalize_email, normalize_phone,
};
use rusqlite::Transaction;

use super::{Macs, session_email};
use crate::accounts::linking::{self, Linked};
use crate::connector::BankAccount;
use crate::error::ApiError;
use crate::secrets;
use crate::store::saved::{
    self as store_saved, OneTimeCodeRecord, SandboxEmailRecord, SavedAccountRecord,
    SavedPersonRecord,
};
use crate::store::{
    AccountAccess, AccountRecord, AuthorizationProgress, AuthorizationRecord, SessionRecord,
    StoreError,
};

/// How long the sandbox inbox keeps its emails.
const INBOX_SECONDS: i64 = crate::store::saved::KEPT_SECONDS;

/// `LinkSession.returning_user`: the session's email has saved accounts, a code can reach
/// the person (only through the sandbox inbox so far: `None` without it), and the person did
/// not decline them in this session.
pub fn returning_user(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    sandbox_inbox: bool,
    now: Timestamp,
) -> Result<Option<ReturningUser>, ApiError> {
    if !sandbox_inbox || store_saved::declined(tx, &session.id)? {
        return Ok(None);
    }
    let Some(email) = session_email(session) else {
        return Ok(None);
    };
    let macs = Macs::load(tx, now)?;
    let Some(person) = SavedPersonRecord::find_by_email_mac(tx, &macs.email(&email)?)? else {
        return Ok(None);
    };
    let verified = OneTimeCodeRecord::find(tx, &session.id)?
        .is_some_and(|record| record.status == OneTimeCodeStatus::Verified);
    Ok(Some(ReturningUser {
        email_hint: person.email_hint,
        verified,
    }))
}

/// Whether a linked account was linked at a bank whose grant finlink still holds (not
/// entered by hand, not disconnected).
fn linked_at_a_bank(tx: &Transaction<'_>, account: &AccountRecord) -> Result<bool, StoreError> {
    if account.verification.is_some() || account.access == AccountAccess::Disconnected {
        return Ok(false);
    }
    grant_held(tx, &account.authorization_id)
}

/// Whether finlink holds the bank grant of this authorization (it authorized, and was not
/// given up).
fn grant_held(tx: &Transaction<'_>, authorization_id: &str) -> Result<bool, StoreError> {
    Ok(matches!(
        AuthorizationRecord::find(tx, authorization_id)?,
        Some(AuthorizationRecord {
            progress: AuthorizationProgress::Authorized { .. },
            ..
        })
    ))
}

/// `POST /v1/link/returning_user/save`, for a completed session: saves the accounts it linked
/// at a bank under the email the business gave for the person (`account_holder.email`; no
/// other), merged with those saved before under it. The phone is set only when given.
pub fn save(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    request: SaveAccountsRequest,
    now: Timestamp,
) -> Result<SavedAccountsReceipt, ApiError> {
    if session.status != SessionStatus::Completed {
        return Err(ApiError::NothingToSave);
    }
    let email = normalize_email(&request.email).ok_or(ApiError::EmailInvalid)?;
    let phone = match request.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(normalize_phone(text).ok_or(ApiError::PhoneInvalid)?),
    };
    let mut accounts: Vec<AccountRecord> = Vec::new();
    for account in AccountRecord::linked_for_session(tx, &session.id)? {
        let repeated = accounts.iter().any(|saved| {
            saved.institution_id == account.institution_id
                && saved.bank.bank_account_id == account.bank.bank_account_id
        });
        if !repeated && linked_at_a_bank(tx, &account)? {
            accounts.push(account);
        }
    }
    if accounts.is_empty() {
        return Err(ApiError::NothingToSave);
    }
    // Only under the email the business gave: else anyone could put their own bank account
    // among the saved accounts of someone else's email.
    let given = session_email(session).ok_or_else(|| ApiError::EmailNotGiven {
        business_name: session.business_name.clone(),
    })?;
    if email != given {
        return Err(ApiError::EmailNotTheSessions {
            business_name: session.business_name.clone(),
        });
    }
    let macs = Macs::load(tx, now)?;
    let email_mac = macs.email(&email)?;
    let phone_mac = phone
        .as_deref()
        .map(|phone| macs.phone(phone))
        .transpose()?;
    let person = match SavedPersonRecord::find_by_email_mac(tx, &email_mac)? {
        Some(mut person) => {
            if phone_mac.is_some() {
                person.phone_mac = phone_mac;
            }
            person.updated = now;
            person.update(tx)?;
            person
        }
        None => {
            let person = SavedPersonRecord {
                id: secrets::new_id("fcsp"),
                email_mac,
                phone_mac,
                email_hint: email_hint(&email),
                created: now,
                updated: now,
            };
            person.insert(tx)?;
            person
        }
    };
    let saved_accounts = u32::try_from(accounts.len()).unwrap_or(u32::MAX);
    for account in accounts {
        SavedAccountRecord {
            id: secrets::new_id("fcsa"),
            person_id: person.id.clone(),
            institution_id: account.institution_id.clone(),
            institution_name: account.institution_name.clone(),
            bank: account.bank.clone(),
            authorization_id: account.authorization_id.clone(),
            source_account_id: account.id.clone(),
            created: now,
            updated: now,
        }
        .upsert(tx)?;
    }
    // Only what this call saved: the person's total would tell whether the email had saved
    // accounts before.
    Ok(SavedAccountsReceipt {
        email_hint: person.email_hint,
        saved_accounts,
    })
}

/// `POST /v1/link/returning_user/decline`: the person chose "Use another account". The
/// session never offers saved accounts again, and a code it verified no longer counts. Answered
/// alike whether or not the email has saved accounts; declining again changes nothing.
pub fn decline(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    now: Timestamp,
) -> Result<ReturningUserDeclined, ApiError> {
    let declined_at = store_saved::record_decline(tx, &session.id, now)?;
    Ok(ReturningUserDeclined { declined_at })
}

/// Refuses the code requests of a session that declined its saved accounts:
/// `returning_user_unavailable`, as for a session without them.
pub fn check_not_declined(tx: &Transaction<'_>, session: &SessionRecord) -> Result<(), ApiError> {
    if store_saved::declined(tx, &session.id)? {
        return Err(ApiError::ReturningUserUnavailable);
    }
    Ok(())
}

/// The person whose code this session verified; `one_time_code_required` before that and once
/// the session declined them, `returning_user_unavailable` once they forgot their accounts.
fn verified_person(
    tx: &Transaction<'_>,
    session: &SessionRecord,
) -> Result<SavedPersonRecord, ApiError> {
    if store_saved::declined(tx, &session.id)? {
        return Err(ApiError::OneTimeCodeRequired);
    }
    let record = OneTimeCodeRecord::find(tx, &session.id)?
        .filter(|record| record.status == OneTimeCodeStatus::Verified)
        .ok_or(ApiError::OneTimeCodeRequired)?;
    SavedPersonRecord::find_by_email_mac(tx, &record.email_mac)?
        .ok_or(ApiError::ReturningUserUnavailable)
}

/// How a saved account reaches its bank now: through the grant the store's one rule picks
/// (`store::saved::REACH`, which also decides whether a grant is still in use), with the
/// latest data of the linked account it follows, or what the bank said when it was saved.
struct Reach {
    authorization_id: String,
    bank: BankAccount,
    /// finlink still holds the grant and the bank did not refuse it.
    usable: bool,
}

fn reach(tx: &Transaction<'_>, saved: &SavedAccountRecord) -> Result<Reach, StoreError> {
    let reached = saved.reached(tx)?;
    let followed = match &reached.followed_account_id {
        Some(id) => AccountRecord::find(tx, id)?,
        None => None,
    };
    let (bank, refused) = match followed {
        Some(account) => (account.bank, account.access == AccountAccess::Inactive),
        None => (saved.bank.clone(), false),
    };
    let held = grant_held(tx, &reached.authorization_id)?;
    Ok(Reach {
        authorization_id: reached.authorization_id,
        bank,
        usable: held && !refused,
    })
}

/// The account step's rules: why a bank account cannot be picked in a session, if it cannot.
pub type SelectionRules = fn(&BankAccount, &SessionRecord) -> Option<UnselectableReason>;

fn unselectable(
    reach: &Reach,
    session: &SessionRecord,
    rules: SelectionRules,
) -> Option<UnselectableReason> {
    if !reach.usable {
        return Some(UnselectableReason::Inactive);
    }
    rules(&reach.bank, session)
}

/// `GET /v1/link/returning_user/accounts`: the saved accounts, each selectable or not in this
/// session, like the account step's.
pub fn list(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    rules: SelectionRules,
) -> Result<Vec<SavedAccount>, ApiError> {
    let person = verified_person(tx, session)?;
    let mut listed = Vec::new();
    for saved in SavedAccountRecord::for_person(tx, &person.id)? {
        let reach = reach(tx, &saved)?;
        listed.push(SavedAccount {
            unselectable_reason: unselectable(&reach, session, rules),
            id: saved.id,
            display_name: reach.bank.display_name.clone(),
            institution_name: saved.institution_name,
            category: reach.bank.subcategory.category(),
            subcategory: reach.bank.subcategory,
            last4: reach.bank.last4.clone(),
        });
    }
    Ok(listed)
}

/// `POST /v1/link/returning_user/attach`: links the chosen saved accounts to this session
/// with its permissions, each a new account of this session (or, as any link, the account
/// this business already has for the same account holder and bank account).
pub fn attach(
    tx: &Transaction<'_>,
    session: &SessionRecord,
    chosen: Vec<String>,
    rules: SelectionRules,
    now: Timestamp,
) -> Result<Vec<Linked>, ApiError> {
    let person = verified_person(tx, session)?;
    if !session.consent_given {
        return Err(ApiError::ConsentRequired);
    }
    let saved = SavedAccountRecord::for_person(tx, &person.id)?;
    let already = AccountRecord::linked_for_session(tx, &session.id)?;
    let linked_here = |account: &SavedAccountRecord| {
        already.iter().find(|linked| {
            linked.institution_id == account.institution_id
                && linked.bank.bank_account_id == account.bank.bank_account_id
        })
    };
    let chosen = linking::checked_selection(tx, session, chosen, |id| {
        saved
            .iter()
            .any(|account| account.id == id && linked_here(account).is_none())
    })?;
    let mut picked = Vec::with_capacity(chosen.len());
    for id in &chosen {
        let account = saved
            .iter()
            .find(|account| &account.id == id)
            .ok_or_else(|| ApiError::invalid("accounts", format!("no saved account '{id}'.")))?;
        let reach = reach(tx, account)?;
        if let Some(reason) = unselectable(&reach, session, rules) {
            return Err(ApiError::AccountNotSelectable {
                id: id.clone(),
                reason,
            });
        }
        picked.push((account, reach, linked_here(account)));
    }
    let mut linked = Vec::with_capacity(picked.len());
    for (position, (saved, reach, linked_here)) in picked.into_iter().enumerate() {
        if let Some(existing) = linked_here {
            linked.push(Linked::AlreadyLinked(existing.clone()));
            continue;
        }
        let offered = AccountRecord {
            id: secrets::new_id("fca"),
            session_id: session.id.clone(),
            authorization_id: reach.authorization_id,
            institution_id: saved.institution_id.clone(),
            institution_name: saved.institution_name.clone(),
            bank: reach.bank,
            linked: false,
            created: now,
            position: i64::try_from(position).unwrap_or(i64::MAX),
            permissions: Vec::new(),
            access: AccountAccess::Active,
            disconnected_at: None,
            merged_into: None,
            balance: None,
            ownership_id: None,
            next_transaction_refresh_at: None,
            verification: None,
        };
        offered.insert(tx)?;
        linked.push(linking::link(tx, session, offered)?);
    }
    Ok(linked)
}

/// What forgetting did.
#[derive(Debug)]
pub struct Forgotten {
    pub answer: SavedAccountsForgotten,
    /// The grants no linked or saved account uses any more: give them up at the bank once
    /// committed.
    pub released_grants: Vec<String>,
}

/// `POST /v1/link/returning_user/forget`: deletes the person's saved accounts and email
/// record. Accounts linked at businesses stay linked; the grants the saved accounts reached
/// their banks through are released once nothing else uses them.
pub fn forget(tx: &Transaction<'_>, session: &SessionRecord) -> Result<Forgotten, ApiError> {
    let person = verified_person(tx, session)?;
    let mut reached = Vec::new();
    for saved in SavedAccountRecord::for_person(tx, &person.id)? {
        reached.push(reach(tx, &saved)?.authorization_id);
    }
    reached.sort();
    reached.dedup();
    let forgotten_accounts = SavedPersonRecord::delete(tx, &person.id)?;
    let mut released_grants = Vec::new();
    for grant in reached {
        if !AccountRecord::grant_in_use(tx, &grant)? {
            released_grants.push(grant);
        }
    }
    Ok(Forgotten {
        answer: SavedAccountsForgotten { forgotten_accounts },
        released_grants,
    })
}

/// The sandbox inbox of `to` (the last hour, newest first): the emails sent for sessions of
/// `integrator_id`, the calling integrator.
pub fn inbox(
    tx: &Transaction<'_>,
    to: &str,
    now: Timestamp,
    integrator_id: &str,
) -> Result<Vec<SandboxEmail>, ApiError> {
    let to = normalize_email(to).ok_or_else(|| ApiError::invalid("to", "not an email."))?;
    let since = now.saturating_sub(INBOX_SECONDS);
    Ok(
        SandboxEmailRecord::sent_to_since(tx, &to, since, integrator_id)?
            .into_iter()
            .map(|email| SandboxEmail {
                id: email.id,
                to: email.to,
                subject: email.subject,
                body: email.body,
                one_time_code: email.one_time_code,
                created: email.created,
            })
            .collect(),
    )
}
