//! Entering the account's details by hand, for a session whose `verification_method` allows
//! it: the form checks what is typed as it is typed, the server creates the account pending
//! its microdeposit verification, and the session completes as after linking at a bank.

use finlink_protocol::ErrorCode;

use super::*;
use crate::flow::{
    Directory, LocalDirectory, ManualField, ManualForm, ManualInput, Refusal, manual_entry_only,
    offers_manual_entry,
};

/// The manual entry step's data, as `State::ManualEntry` holds it.
pub(super) struct ManualStep {
    pub(super) session: Session,
    pub(super) form: Box<ManualForm>,
    pub(super) directory: Directory,
}

impl ManualStep {
    fn into_state(self) -> State {
        State::ManualEntry {
            session: self.session,
            form: self.form,
            directory: self.directory,
        }
    }

    /// Names the bank of the routing number typed, if it is valid and the directory file
    /// knows it.
    fn name_bank(&mut self) {
        self.form.bank_name = match &self.directory {
            Directory::Local(local) => bank_name(local, &self.form.routing_number),
            Directory::Loading | Directory::Server => None,
        };
    }

    /// The bank's name, said when it newly shows.
    fn bank_announcement(&self, before: Option<&str>) -> Option<Effect> {
        let name = self.form.bank_name.as_deref()?;
        (before != Some(name)).then(|| Effect::Announce(name.to_owned()))
    }
}

/// The bank whose routing number this is, from the directory file: only for nine digits
/// with a valid check digit.
fn bank_name(local: &LocalDirectory, routing_number: &str) -> Option<String> {
    if !finlink_search::routing::is_valid(routing_number) {
        return None;
    }
    local
        .catalog()
        .records()
        .iter()
        .find(|record| record.routing_numbers.iter().any(|n| n == routing_number))
        .map(|record| record.name.clone())
}

/// The manual entry form, empty, told to the host. `directory` is where the bank list's
/// directory file stands; when it is not here yet it is asked for (the driver answers with
/// the file it already has, if any).
pub(super) fn manual_entry(session: Session, directory: Directory) -> Next {
    let mut effects = vec![Effect::Emit(HostEvent::ManualEntryInitiated)];
    if directory == Directory::Loading {
        effects.push(Effect::LoadDirectory);
    }
    let state = State::ManualEntry {
        session,
        form: Box::default(),
        directory,
    };
    (state, effects)
}

/// Where the person picks their account: the bank list, or for a session that offers nothing
/// but manual entry (`microdeposits`), the manual entry form.
pub(super) fn bank_list_or_form(session: Session) -> Next {
    if manual_entry_only(&session) {
        manual_entry(session, Directory::Loading)
    } else {
        search_from_start(session)
    }
}

/// "Enter bank details manually" where the state offers it; ignored elsewhere.
pub(super) fn manual_entry_chosen(state: State) -> Next {
    if !state.offers_manual_entry() {
        return ignored(state, &Event::ManualEntryChosen);
    }
    match state {
        State::SelectInstitution {
            session, directory, ..
        } => manual_entry(session, directory),
        State::Failed {
            session: Some(session),
            ..
        } if offers_manual_entry(&session) => manual_entry(session, Directory::Loading),
        state => ignored(state, &Event::ManualEntryChosen),
    }
}

/// The server's refusal of the details, in the person's words, on the field at fault.
fn refusal(error: Failure) -> Refusal {
    let (field, message) = match error.code {
        Some(ErrorCode::RoutingNumberInvalid) => (
            Some(ManualField::RoutingNumber),
            "This isn't a valid routing number. Check it on a check or your bank statement.",
        ),
        Some(ErrorCode::RoutingNumberUnknown) => (
            Some(ManualField::RoutingNumber),
            "We couldn't find a bank with this routing number. Check it and try again.",
        ),
        Some(ErrorCode::AccountNumberInvalid) => (
            Some(ManualField::AccountNumber),
            "An account number has 4 to 17 digits.",
        ),
        Some(ErrorCode::AccountNumbersMismatch) => (
            Some(ManualField::AccountNumberConfirmation),
            "The account numbers don't match.",
        ),
        Some(ErrorCode::BankAccountClosed) => (
            Some(ManualField::AccountNumber),
            "Your bank says this account is closed. Check the account number, or use another account.",
        ),
        Some(ErrorCode::BankAccountNotFound) => (
            Some(ManualField::AccountNumber),
            "Your bank has no account with this number. Check the account number and the routing number.",
        ),
        Some(ErrorCode::MicrodepositsFailed) => (
            None,
            "We couldn't send deposits to this account. Check the details, or use another account.",
        ),
        Some(ErrorCode::ManualEntryNotAllowed) => (
            None,
            "This business doesn't accept bank details entered by hand. Close this window and link your bank instead.",
        ),
        // Anything else (offline, finlink failing) is said as the driver worded it.
        _ => {
            return Refusal {
                field: None,
                failure: error,
            };
        }
    };
    Refusal {
        field,
        failure: Failure::new(error.code, message),
    }
}

/// What is said when the person presses Continue on a form with errors.
fn refused_announcement(errors: &[(ManualField, String)]) -> String {
    match errors {
        [(_, only)] => only.clone(),
        errors => format!(
            "{} fields need correcting. {}",
            errors.len(),
            errors.first().map_or("", |(_, first)| first.as_str())
        ),
    }
}

pub(super) fn manual_entry_step(mut step: ManualStep, event: Event) -> Next {
    let submitting = step.form.submitting.is_some();
    match event {
        Event::ManualInputChanged(input) if !submitting => {
            let field = input.field();
            let error_before = field.and_then(|field| step.form.error(field));
            let bank_before = step.form.bank_name.clone();
            let routing_number_changed = matches!(input, ManualInput::RoutingNumber(_));
            let form = &mut step.form;
            match input {
                ManualInput::RoutingNumber(text) => form.routing_number = text,
                ManualInput::AccountNumber(text) => form.account_number = text,
                ManualInput::AccountNumberConfirmation(text) => {
                    form.account_number_confirmation = text;
                }
                ManualInput::AccountType(kind) => form.account_type = kind,
                ManualInput::AccountHolderName(text) => form.account_holder_name = text,
            }
            // A change makes a new request: a refusal of the old details no longer holds.
            form.retry_key = None;
            if form
                .refusal
                .as_ref()
                .is_some_and(|refusal| refusal.field.is_none() || refusal.field == field)
            {
                form.refusal = None;
            }
            // The directory is looked up only when the routing number changes, not on every
            // key press in another field.
            if routing_number_changed {
                step.name_bank();
            }
            let mut effects = Vec::new();
            // A new error is said as it appears, once; the field shows it until it is fixed.
            if let Some(error) = field.and_then(|field| step.form.error(field))
                && error_before.as_ref() != Some(&error)
            {
                effects.push(Effect::Announce(error));
            }
            effects.extend(step.bank_announcement(bank_before.as_deref()));
            (step.into_state(), effects)
        }
        Event::ManualDetailsSubmitted { idempotency_key } if !submitting => {
            step.form.checked = true;
            let errors = step.form.errors();
            if !errors.is_empty() {
                step.form.refusals += 1;
                let announcement = Effect::Announce(refused_announcement(&errors));
                return (step.into_state(), vec![announcement]);
            }
            let key = step.form.retry_key.take().unwrap_or(idempotency_key);
            step.form.refusal = None;
            step.form.submitting = Some(key.clone());
            let effect = Effect::CreateManualAccount {
                request: step.form.request(),
                idempotency_key: key,
            };
            (step.into_state(), vec![effect])
        }
        Event::ManualAccountCreated(_) if submitting => (
            State::Completing {
                session: step.session,
            },
            vec![Effect::Complete],
        ),
        Event::ApiFailed {
            request: Request::CreateManualAccount,
            error,
            retryable,
        } if submitting => {
            let key = step.form.submitting.take();
            step.form.retry_key = if retryable { key } else { None };
            step.form.refusals += 1;
            let refusal = refusal(error);
            let announcement = Effect::Announce(refusal.failure.message.clone());
            step.form.refusal = Some(refusal);
            (step.into_state(), vec![announcement])
        }
        Event::DirectoryLoaded(answer) => {
            step.directory = match (answer, step.directory) {
                (Some(local), _) => Directory::Local(local),
                (None, Directory::Local(local)) => Directory::Local(local),
                (None, Directory::Loading | Directory::Server) => Directory::Server,
            };
            let bank_before = step.form.bank_name.clone();
            step.name_bank();
            let effects = step
                .bank_announcement(bank_before.as_deref())
                .into_iter()
                .collect();
            (step.into_state(), effects)
        }
        Event::Back if !manual_entry_only(&step.session) && !submitting => {
            search_from_start(step.session)
        }
        event @ (Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ApiFailed { .. }
        | Event::Back
        | Event::ManualEntryChosen
        | Event::ConsentGiven
        | Event::QueryChanged(_)
        | Event::InstitutionChosen(_)
        | Event::ContinueToBank
        | Event::CredentialsSubmitted { .. }
        | Event::MfaAnswered(_)
        | Event::AccountToggled(_)
        | Event::AccountsConfirmed { .. }
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ReturningUser(_)) => ignored(step.into_state(), &event),
    }
}

/// The account entered by hand exists; the session is being completed.
pub(super) fn completing(session: Session, event: Event) -> Next {
    match event {
        Event::Completed(result) => succeeded(session, result, false),
        Event::ApiFailed {
            request: Request::Complete,
            error,
            retryable,
        } => {
            let resume = State::Completing {
                session: session.clone(),
            };
            fail_retrying(session, error, retryable, Effect::Complete, resume)
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
        | Event::Linked(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(State::Completing { session }, &event),
    }
}
