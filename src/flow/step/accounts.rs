//! Picking and linking accounts, and success.

use finlink_protocol::{
    AccountSelection, ErrorCode, LinkedAccount, MicrodepositVerification, SaveAccountsRequest,
    VerificationStatus,
};

use crate::flow::{PHONE_INVALID, ReturningUserEvent, SaveError, SaveField, SaveOffer, save_email};

use super::*;

pub(super) fn loading_accounts(
    session: Session,
    institution: Box<Institution>,
    authorization: String,
    event: Event,
) -> Next {
    match event {
        Event::AccountsLoaded(accounts) => {
            let (selected, selectable) = preselect(
                accounts
                    .iter()
                    .map(|account| (account.id.as_str(), account.unselectable_reason.is_none())),
            );
            let single = session.account_selection == AccountSelection::Single;
            let announcement = match selectable {
                0 => "None of the accounts your bank shared can be linked here.".to_owned(),
                count if single => format!("Select the account to link: {count} available."),
                count => format!("Select the accounts to link: {count} available."),
            };
            let state = State::SelectAccounts {
                session,
                institution,
                authorization,
                accounts,
                selected,
                error: None,
            };
            (state, vec![Effect::Announce(announcement)])
        }
        Event::ApiFailed {
            request: Request::LoadAccounts,
            error,
            retryable,
        } => {
            let effect = Effect::LoadAccounts {
                authorization: authorization.clone(),
            };
            let resume = State::LoadingAccounts {
                session: session.clone(),
                institution,
                authorization,
            };
            fail_retrying(session, error, retryable, effect, resume)
        }
        event @ (Event::ApiFailed { .. }
        | Event::ConsentGiven
        | Event::QueryChanged(_)
        | Event::InstitutionChosen(_)
        | Event::ContinueToBank
        | Event::CredentialsSubmitted { .. }
        | Event::MfaAnswered(_)
        | Event::AccountToggled(_)
        | Event::AccountsConfirmed { .. }
        | Event::Back
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(
            State::LoadingAccounts {
                session,
                institution,
                authorization,
            },
            &event,
        ),
    }
}

/// The data of the account-selection and linking steps.
pub(super) struct Picking {
    pub(super) session: Session,
    pub(super) institution: Box<Institution>,
    pub(super) authorization: String,
    pub(super) accounts: Vec<LinkAccount>,
    pub(super) selected: BTreeSet<String>,
}

impl Picking {
    fn selecting(self, error: Option<Failure>) -> State {
        let Self {
            session,
            institution,
            authorization,
            accounts,
            selected,
        } = self;
        State::SelectAccounts {
            session,
            institution,
            authorization,
            accounts,
            selected,
            error,
        }
    }

    fn linking(self, idempotency_key: String) -> State {
        let Self {
            session,
            institution,
            authorization,
            accounts,
            selected,
        } = self;
        State::Linking {
            session,
            institution,
            authorization,
            accounts,
            selected,
            idempotency_key,
        }
    }

    fn attach(&self, idempotency_key: &str) -> Effect {
        Effect::AttachAccounts {
            authorization: self.authorization.clone(),
            accounts: self.selected.iter().cloned().collect(),
            idempotency_key: idempotency_key.to_owned(),
        }
    }
}

pub(super) fn select_accounts(mut picking: Picking, error: Option<Failure>, event: Event) -> Next {
    match event {
        Event::AccountToggled(id) => {
            let selectable = picking
                .accounts
                .iter()
                .any(|account| account.id == id && account.unselectable_reason.is_none());
            if !selectable {
                return ignored(picking.selecting(error), &Event::AccountToggled(id));
            }
            toggle(picking.session.account_selection, &mut picking.selected, id);
            (picking.selecting(None), Vec::new())
        }
        Event::AccountsConfirmed { idempotency_key } => {
            if picking.selected.is_empty() {
                let error = nothing_selected(picking.session.account_selection);
                let announcement = Effect::Announce(error.message.clone());
                return (picking.selecting(Some(error)), vec![announcement]);
            }
            let effects = vec![
                Effect::Emit(HostEvent::AccountsSelected {
                    count: picking.selected.len(),
                }),
                picking.attach(&idempotency_key),
            ];
            (picking.linking(idempotency_key), effects)
        }
        Event::Back => search_from_start(picking.session),
        event @ (Event::ConsentGiven
        | Event::QueryChanged(_)
        | Event::InstitutionChosen(_)
        | Event::ContinueToBank
        | Event::CredentialsSubmitted { .. }
        | Event::MfaAnswered(_)
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(picking.selecting(error), &event),
    }
}

pub(super) fn linking(picking: Picking, idempotency_key: String, event: Event) -> Next {
    match event {
        Event::Linked(_) => (picking.linking(idempotency_key), vec![Effect::Complete]),
        // Linked at the bank: the person may save the accounts with finlink.
        Event::Completed(result) => succeeded(picking.session, result, true),
        Event::ApiFailed {
            request: Request::AttachAccounts,
            error,
            retryable: false,
        } => {
            let announcement = Effect::Announce(error.message.clone());
            (picking.selecting(Some(error)), vec![announcement])
        }
        Event::ApiFailed {
            request: Request::AttachAccounts,
            error,
            retryable: true,
        } => {
            // The same key again: the server links once, whatever happened to the first answer.
            let effect = picking.attach(&idempotency_key);
            let session = picking.session.clone();
            fail_retrying(
                session,
                error,
                true,
                effect,
                picking.linking(idempotency_key),
            )
        }
        Event::ApiFailed {
            request: Request::Complete,
            error,
            retryable,
        } => {
            let session = picking.session.clone();
            fail_retrying(
                session,
                error,
                retryable,
                Effect::Complete,
                picking.linking(idempotency_key),
            )
        }
        event @ (Event::ApiFailed { .. }
        | Event::ConsentGiven
        | Event::QueryChanged(_)
        | Event::InstitutionChosen(_)
        | Event::ContinueToBank
        | Event::CredentialsSubmitted { .. }
        | Event::MfaAnswered(_)
        | Event::AccountToggled(_)
        | Event::AccountsConfirmed { .. }
        | Event::Back
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(picking.linking(idempotency_key), &event),
    }
}

/// The microdeposits `account` awaits, when it was entered by hand and is not verified yet.
pub fn pending_verification(account: &LinkedAccount) -> Option<&MicrodepositVerification> {
    account
        .verification
        .as_ref()
        .filter(|verification| verification.status == VerificationStatus::Pending)
}

/// The session completed: the accounts, told to the host and to screen readers. `offer_save`:
/// they were linked at a bank, so the person may save them with finlink.
pub(super) fn succeeded(session: Session, result: LinkResult, offer_save: bool) -> Next {
    let pending = result
        .accounts
        .iter()
        .any(|account| pending_verification(account).is_some());
    let announcement = match result.accounts.len() {
        _ if pending => "Account added. Its verification is pending.".to_owned(),
        1 => "1 account linked.".to_owned(),
        count => format!("{count} accounts linked."),
    };
    let effects = vec![
        Effect::Emit(HostEvent::Success),
        Effect::Announce(announcement),
    ];
    // Saved under the email the business gave: offered only when there is one to save under.
    let save =
        (offer_save && save_email(session.email.as_deref()).is_some()).then(SaveOffer::default);
    (
        State::Success {
            session,
            result,
            save,
        },
        effects,
    )
}

pub(super) fn success(
    session: Session,
    result: LinkResult,
    save: Option<SaveOffer>,
    event: Event,
) -> Next {
    let saving = save.as_ref().is_some_and(|save| save.saving);
    match (event, save) {
        (Event::Done, Some(mut offer)) if offer.ticked && !saving => {
            let checked = offer.checked_phone().and_then(|phone| {
                let email = save_email(session.email.as_deref()).ok_or_else(|| SaveError {
                    field: None,
                    message: NO_EMAIL_TO_SAVE_UNDER.to_owned(),
                })?;
                Ok((email.to_owned(), phone))
            });
            match checked {
                Ok((email, phone)) => {
                    offer.error = None;
                    offer.saving = true;
                    let effect = Effect::SaveAccounts {
                        request: SaveAccountsRequest { email, phone },
                    };
                    let state = State::Success {
                        session,
                        result,
                        save: Some(offer),
                    };
                    (state, vec![effect])
                }
                Err(error) => {
                    let announcement = Effect::Announce(error.message.clone());
                    offer.error = Some(error);
                    let state = State::Success {
                        session,
                        result,
                        save: Some(offer),
                    };
                    (state, vec![announcement])
                }
            }
        }
        (Event::Done, _) if !saving => finish(Outcome::Linked(result), None),
        (Event::ReturningUser(event), Some(mut offer)) if !saving => {
            let changed = match &event {
                ReturningUserEvent::SaveToggled(ticked) => {
                    offer.ticked = *ticked;
                    offer.error = None;
                    true
                }
                ReturningUserEvent::SavePhoneChanged(text) if offer.ticked => {
                    offer.phone = text.clone();
                    offer.error = None;
                    true
                }
                _ => false,
            };
            let state = State::Success {
                session,
                result,
                save: Some(offer),
            };
            if changed {
                (state, Vec::new())
            } else {
                ignored(state, &Event::ReturningUser(event))
            }
        }
        (Event::ReturningUser(ReturningUserEvent::AccountsSaved(receipt)), Some(_)) if saving => {
            let announcement = format!(
                "Your accounts are saved with finlink for {}.",
                receipt.email_hint
            );
            let (state, mut effects) = finish(Outcome::Linked(result), None);
            effects.insert(0, Effect::Announce(announcement));
            (state, effects)
        }
        (
            Event::ApiFailed {
                request: Request::SaveAccounts,
                error,
                ..
            },
            Some(mut offer),
        ) if saving => {
            let refusal = save_refusal(error);
            let announcement = Effect::Announce(refusal.message.clone());
            offer.saving = false;
            offer.error = Some(refusal);
            let state = State::Success {
                session,
                result,
                save: Some(offer),
            };
            (state, vec![announcement])
        }
        (
            event @ (Event::Done
            | Event::ReturningUser(_)
            | Event::ApiFailed { .. }
            | Event::ConsentGiven
            | Event::QueryChanged(_)
            | Event::InstitutionChosen(_)
            | Event::ContinueToBank
            | Event::CredentialsSubmitted { .. }
            | Event::MfaAnswered(_)
            | Event::AccountToggled(_)
            | Event::AccountsConfirmed { .. }
            | Event::Back
            | Event::Cancel
            | Event::Retry
            | Event::SessionLoaded(_)
            | Event::ConsentRecorded(_)
            | Event::InstitutionsLoaded { .. }
            | Event::DirectoryLoaded(_)
            | Event::AuthorizationUpdated(_)
            | Event::AccountsLoaded(_)
            | Event::Linked(_)
            | Event::Completed(_)
            | Event::SessionCancelled(_)
            | Event::TimerFired
            | Event::PopupBlocked
            | Event::Connectivity(_)
            | Event::ManualEntryChosen
            | Event::ManualInputChanged(_)
            | Event::ManualDetailsSubmitted { .. }
            | Event::ManualAccountCreated(_)),
            save,
        ) => ignored(
            State::Success {
                session,
                result,
                save,
            },
            &event,
        ),
    }
}

/// What the save offer says when the accounts cannot be saved under the business's email.
const NO_EMAIL_TO_SAVE_UNDER: &str =
    "Your accounts can't be saved under this email. Untick the box to finish.";

/// Why the server did not save the accounts, in the person's words, on the field at fault.
fn save_refusal(error: Failure) -> SaveError {
    let (field, message) = match error.code {
        Some(ErrorCode::EmailInvalid) => (None, NO_EMAIL_TO_SAVE_UNDER),
        Some(ErrorCode::PhoneInvalid) => (Some(SaveField::Phone), PHONE_INVALID),
        Some(ErrorCode::NothingToSave) => (
            None,
            "There are no accounts linked at a bank to save. Untick the box to finish.",
        ),
        _ => {
            return SaveError {
                field: None,
                message: error.message,
            };
        }
    };
    SaveError {
        field,
        message: message.to_owned(),
    }
}
