//! Returning users: the person's saved accounts, offered when the session's email has some.
//! A one-time code sent to that email proves it is theirs; they pick saved accounts, consent
//! for this business and its permissions, and the accounts are linked without a bank login.
//! "Use another account" leaves for the normal flow at every step, for good in this session.

use finlink_protocol::{
    ErrorCode, OneTimeCodeChallenge, OneTimeCodeStatus, SavedAccount, one_time_code_well_formed,
};

use super::*;
use crate::flow::{CodeRequest, ReturningUserEvent as Returning};

/// What the code step says once the session may try no more codes.
pub const TOO_MANY_CODES: &str = "Too many wrong codes.";

/// Too many wrong codes, by the code's `challenge` or the `error` the last try got: the code
/// step leaves only "Use another account".
pub fn code_attempts_exhausted(
    challenge: Option<&OneTimeCodeChallenge>,
    error: Option<&Failure>,
) -> bool {
    challenge.is_some_and(|challenge| challenge.status == OneTimeCodeStatus::Failed)
        || error.is_some_and(|error| error.code == Some(ErrorCode::OneTimeCodeAttemptsExceeded))
}

/// Where a session whose email has saved accounts starts: the offer, or the saved accounts
/// themselves when the code was already right in this session (a reload).
pub(super) fn returning_user_start(session: Session) -> Next {
    match &session.returning_user {
        Some(returning) if returning.verified => (
            State::LoadingSavedAccounts { session },
            vec![Effect::LoadSavedAccounts],
        ),
        Some(returning) if !session.consent_given => {
            let announcement = format!(
                "Welcome back. You saved bank accounts with finlink. We'll send a code to {}.",
                returning.email_hint
            );
            (
                State::ReturningUserOffer { session },
                vec![
                    Effect::Emit(HostEvent::ReturningUserDetected),
                    Effect::Announce(announcement),
                ],
            )
        }
        Some(_) | None => normal_start(session),
    }
}

/// The session as it is once the code was right: a reload resumes at the saved accounts.
fn verified_session(session: &Session) -> Session {
    let mut updated = LinkSession::clone(session);
    if let Some(returning) = &mut updated.returning_user {
        returning.verified = true;
    }
    Session::new(updated)
}

/// The code was right: the saved accounts are fetched.
fn verified(session: &Session) -> Next {
    (
        State::LoadingSavedAccounts {
            session: verified_session(session),
        },
        vec![
            Effect::Emit(HostEvent::ReturningUserVerified),
            Effect::Announce("Code verified.".to_owned()),
            Effect::LoadSavedAccounts,
        ],
    )
}

/// The saved accounts cannot be used (the session has no email, or they were forgotten):
/// the normal flow, and the session no longer offers them.
fn without_saved_accounts(session: &Session, announcement: &str) -> Next {
    let (state, mut effects) = normal_start_without_offer(session);
    effects.insert(0, Effect::Announce(announcement.to_owned()));
    (state, effects)
}

/// The normal flow, for the session as it is once it no longer offers saved accounts.
fn normal_start_without_offer(session: &Session) -> Next {
    let mut updated = LinkSession::clone(session);
    updated.returning_user = None;
    normal_start(Session::new(updated))
}

/// "Use another account": the normal flow at once, without the saved accounts, while the
/// server records the decline so that a reload does not offer them again (its answer, or its
/// failure, changes nothing here).
pub(super) fn another_account(session: &Session) -> Next {
    let (state, mut effects) = normal_start_without_offer(session);
    effects.push(Effect::DeclineSavedAccounts);
    (state, effects)
}

/// Why the saved accounts can no longer be used in this session (forgotten, in another tab
/// say, or the code no longer holds), as the announcement on the way to the normal flow; `None`
/// for another failure.
fn saved_accounts_gone(error: &Failure) -> Option<&'static str> {
    match error.code {
        Some(ErrorCode::ReturningUserUnavailable) => {
            Some("Your saved accounts aren't available any more. Link your account instead.")
        }
        Some(ErrorCode::OneTimeCodeRequired) => {
            Some("Your saved accounts can't be used without a new code. Link your account instead.")
        }
        _ => None,
    }
}

/// What the saved accounts say when one chosen can no longer be linked here.
pub const SAVED_ACCOUNT_NOT_SELECTABLE: &str =
    "An account you chose can't be linked here any more. Choose again.";

/// The refusal of a code request, in the person's words.
fn code_failure(error: Failure) -> Failure {
    let message = match error.code {
        Some(ErrorCode::OneTimeCodeIncorrect) => "That code isn't right.",
        Some(ErrorCode::OneTimeCodeExpired) => "This code has expired. Send a new code.",
        Some(ErrorCode::OneTimeCodeAttemptsExceeded) => TOO_MANY_CODES,
        Some(ErrorCode::OneTimeCodeResendLimited) => {
            "You can't get another code yet. Wait a little, then send a new code."
        }
        Some(ErrorCode::ParameterInvalid) => "Enter the 6-digit code from the email.",
        Some(ErrorCode::OneTimeCodeRequired) => "Enter the code we sent to continue.",
        // Anything else (offline, finlink failing) is said as the driver worded it.
        _ => return error,
    };
    Failure::new(error.code, message)
}

/// Why the code typed was refused, from the challenge the server answered.
fn challenge_failure(challenge: &OneTimeCodeChallenge) -> Option<Failure> {
    if challenge.status == OneTimeCodeStatus::Failed {
        return Some(Failure::new(
            Some(ErrorCode::OneTimeCodeAttemptsExceeded),
            TOO_MANY_CODES,
        ));
    }
    let error = challenge.error.as_ref()?;
    Some(match error.code {
        ErrorCode::OneTimeCodeIncorrect => {
            let left = match challenge.attempts_remaining {
                1 => "1 attempt left".to_owned(),
                count => format!("{count} attempts left"),
            };
            Failure::new(Some(error.code), format!("That code isn't right. {left}."))
        }
        _ => code_failure(Failure::from_api(error)),
    })
}

pub(super) fn returning_user_offer(session: Session, event: Event) -> Next {
    match event {
        Event::ReturningUser(Returning::SavedAccountsChosen) => {
            (State::SendingCode { session }, vec![Effect::SendCode])
        }
        Event::ReturningUser(Returning::AnotherAccountChosen) => another_account(&session),
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::ManualAccountCreated(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(State::ReturningUserOffer { session }, &event),
    }
}

pub(super) fn sending_code(session: Session, event: Event) -> Next {
    match event {
        Event::ReturningUser(Returning::CodeSent(challenge)) => code_sent(session, challenge),
        Event::ApiFailed {
            request: Request::SendCode,
            error,
            ..
        } => {
            if error.code == Some(ErrorCode::ReturningUserUnavailable) {
                return without_saved_accounts(
                    &session,
                    "Your saved accounts aren't available. Link your account instead.",
                );
            }
            let error = code_failure(error);
            let announcement = Effect::Announce(error.message.clone());
            let state = State::AwaitingCode {
                session,
                challenge: None,
                code: String::new(),
                submitting: None,
                error: Some(error),
            };
            (state, vec![announcement])
        }
        Event::ReturningUser(Returning::AnotherAccountChosen) => another_account(&session),
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::ManualAccountCreated(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(State::SendingCode { session }, &event),
    }
}

/// A code is on its way (or the session was already verified): the code step.
fn code_sent(session: Session, challenge: Box<OneTimeCodeChallenge>) -> Next {
    if challenge.status == OneTimeCodeStatus::Verified {
        return verified(&session);
    }
    let error = challenge_failure(&challenge);
    let announcement = match &error {
        Some(error) => error.message.clone(),
        None => format!("We sent a code to {}.", challenge.email_hint),
    };
    let state = State::AwaitingCode {
        session,
        challenge: Some(challenge),
        code: String::new(),
        submitting: None,
        error,
    };
    (state, vec![Effect::Announce(announcement)])
}

/// The code step's data, as `State::AwaitingCode` holds it.
pub(super) struct CodeStep {
    pub(super) session: Session,
    pub(super) challenge: Option<Box<OneTimeCodeChallenge>>,
    pub(super) code: String,
    pub(super) submitting: Option<CodeRequest>,
    pub(super) error: Option<Failure>,
}

impl CodeStep {
    fn into_state(self) -> State {
        State::AwaitingCode {
            session: self.session,
            challenge: self.challenge,
            code: self.code,
            submitting: self.submitting,
            error: self.error,
        }
    }

    /// Too many wrong codes: only "Use another account" is left.
    fn failed(&self) -> bool {
        code_attempts_exhausted(self.challenge.as_deref(), self.error.as_ref())
    }

    /// Shows `error` next to the field and says it.
    fn refused(mut self, error: Failure) -> Next {
        let announcement = Effect::Announce(error.message.clone());
        self.error = Some(error);
        (self.into_state(), vec![announcement])
    }
}

pub(super) fn awaiting_code(mut step: CodeStep, event: Event) -> Next {
    let idle = step.submitting.is_none() && !step.failed();
    match event {
        Event::ReturningUser(Returning::CodeChanged(text))
            if idle || step.submitting == Some(CodeRequest::Resend) =>
        {
            step.code = text;
            // A new code typed: the refusal of the last one no longer holds.
            if step
                .error
                .as_ref()
                .is_some_and(|error| error.code != Some(ErrorCode::OneTimeCodeResendLimited))
            {
                step.error = None;
            }
            (step.into_state(), Vec::new())
        }
        Event::ReturningUser(Returning::CodeSubmitted) if idle => {
            let code = step.code.trim().to_owned();
            if !one_time_code_well_formed(&code) {
                let error = Failure::new(None, "Enter the 6-digit code from the email.");
                return step.refused(error);
            }
            step.submitting = Some(CodeRequest::Verify);
            step.error = None;
            (step.into_state(), vec![Effect::VerifyCode { code }])
        }
        Event::ReturningUser(Returning::NewCodeRequested) if idle => {
            step.submitting = Some(CodeRequest::Resend);
            step.error = None;
            (step.into_state(), vec![Effect::SendCode])
        }
        Event::ReturningUser(Returning::CodeSent(challenge))
            if step.submitting == Some(CodeRequest::Resend) =>
        {
            if challenge.status == OneTimeCodeStatus::Verified {
                return verified(&step.session);
            }
            step.submitting = None;
            step.code.clear();
            step.error = challenge_failure(&challenge);
            let announcement = match &step.error {
                Some(error) => error.message.clone(),
                None => format!("We sent a new code to {}.", challenge.email_hint),
            };
            step.challenge = Some(challenge);
            (step.into_state(), vec![Effect::Announce(announcement)])
        }
        Event::ReturningUser(Returning::CodeChecked(challenge))
            if step.submitting == Some(CodeRequest::Verify) =>
        {
            if challenge.status == OneTimeCodeStatus::Verified {
                return verified(&step.session);
            }
            step.submitting = None;
            let error = challenge_failure(&challenge);
            step.challenge = Some(challenge);
            match error {
                Some(error) => step.refused(error),
                None => (step.into_state(), Vec::new()),
            }
        }
        Event::ApiFailed {
            request: request @ (Request::VerifyCode | Request::SendCode),
            error,
            ..
        } if step.submitting
            == Some(if request == Request::VerifyCode {
                CodeRequest::Verify
            } else {
                CodeRequest::Resend
            }) =>
        {
            step.submitting = None;
            if error.code == Some(ErrorCode::ReturningUserUnavailable) {
                return without_saved_accounts(
                    &step.session,
                    "Your saved accounts aren't available. Link your account instead.",
                );
            }
            step.refused(code_failure(error))
        }
        Event::ReturningUser(Returning::AnotherAccountChosen) => another_account(&step.session),
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::ManualAccountCreated(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(step.into_state(), &event),
    }
}

/// The saved accounts arrived: the list to choose from.
fn saved_accounts_loaded(
    session: Session,
    accounts: Vec<SavedAccount>,
    error: Option<Failure>,
) -> Next {
    let (selected, selectable) = preselect(
        accounts
            .iter()
            .map(|account| (account.id.as_str(), account.unselectable_reason.is_none())),
    );
    let announcement = match selectable {
        0 => "None of your saved accounts can be linked here.".to_owned(),
        1 => "Your saved accounts: 1 can be linked.".to_owned(),
        count => format!("Your saved accounts: {count} can be linked."),
    };
    let state = State::SelectSavedAccounts {
        session,
        accounts,
        selected,
        error,
    };
    (state, vec![Effect::Announce(announcement)])
}

pub(super) fn loading_saved_accounts(session: Session, event: Event) -> Next {
    match event {
        Event::ReturningUser(Returning::SavedAccountsLoaded(accounts)) => {
            saved_accounts_loaded(session, accounts, None)
        }
        Event::ApiFailed {
            request: Request::LoadSavedAccounts,
            error,
            retryable,
        } => {
            if let Some(announcement) = saved_accounts_gone(&error) {
                return without_saved_accounts(&session, announcement);
            }
            let resume = State::LoadingSavedAccounts {
                session: session.clone(),
            };
            fail_retrying(session, error, retryable, Effect::LoadSavedAccounts, resume)
        }
        Event::ReturningUser(Returning::AnotherAccountChosen) => another_account(&session),
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::ManualAccountCreated(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(State::LoadingSavedAccounts { session }, &event),
    }
}

pub(super) fn select_saved_accounts(
    session: Session,
    accounts: Vec<SavedAccount>,
    mut selected: BTreeSet<String>,
    error: Option<Failure>,
    event: Event,
) -> Next {
    match event {
        Event::ReturningUser(Returning::SavedAccountToggled(id))
            if accounts
                .iter()
                .any(|account| account.id == id && account.unselectable_reason.is_none()) =>
        {
            toggle(session.account_selection, &mut selected, id);
            let state = State::SelectSavedAccounts {
                session,
                accounts,
                selected,
                error: None,
            };
            (state, Vec::new())
        }
        Event::ReturningUser(Returning::SavedAccountsConfirmed) => {
            if selected.is_empty() {
                let error = nothing_selected(session.account_selection);
                let announcement = Effect::Announce(error.message.clone());
                let state = State::SelectSavedAccounts {
                    session,
                    accounts,
                    selected,
                    error: Some(error),
                };
                return (state, vec![announcement]);
            }
            let chosen: Vec<SavedAccount> = accounts
                .into_iter()
                .filter(|account| selected.contains(&account.id))
                .collect();
            let effects = vec![Effect::Emit(HostEvent::AccountsSelected {
                count: chosen.len(),
            })];
            let state = State::SavedAccountsConsent {
                session,
                chosen,
                submitting: None,
            };
            (state, effects)
        }
        // The list again, after an account chosen could not be linked: the error stays.
        Event::ReturningUser(Returning::SavedAccountsLoaded(accounts)) => {
            saved_accounts_loaded(session, accounts, error)
        }
        Event::ApiFailed {
            request: Request::LoadSavedAccounts,
            error: failure,
            ..
        } => match saved_accounts_gone(&failure) {
            Some(announcement) => without_saved_accounts(&session, announcement),
            // The list shown stays: the person can choose again, or use another account.
            None => {
                let state = State::SelectSavedAccounts {
                    session,
                    accounts,
                    selected,
                    error,
                };
                (state, Vec::new())
            }
        },
        Event::ReturningUser(Returning::ForgetRequested) => (
            State::ForgettingSavedAccounts { session },
            vec![Effect::ForgetSavedAccounts],
        ),
        Event::ReturningUser(Returning::AnotherAccountChosen) => another_account(&session),
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::ManualAccountCreated(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
            State::SelectSavedAccounts {
                session,
                accounts,
                selected,
                error,
            },
            &event,
        ),
    }
}

/// Links the chosen saved accounts with this session's permissions.
fn link_saved(session: Session, chosen: Vec<SavedAccount>, idempotency_key: String) -> Next {
    let effect = attach(&chosen, &idempotency_key);
    let state = State::LinkingSavedAccounts {
        session,
        chosen,
        idempotency_key,
    };
    (state, vec![effect])
}

fn attach(chosen: &[SavedAccount], idempotency_key: &str) -> Effect {
    Effect::AttachSavedAccounts {
        accounts: chosen.iter().map(|account| account.id.clone()).collect(),
        idempotency_key: idempotency_key.to_owned(),
    }
}

pub(super) fn saved_accounts_consent(
    session: Session,
    chosen: Vec<SavedAccount>,
    submitting: Option<String>,
    event: Event,
) -> Next {
    match (event, submitting) {
        (Event::ReturningUser(Returning::SavedAccountsConsentGiven { idempotency_key }), None) => {
            if session.consent_given {
                return link_saved(session, chosen, idempotency_key);
            }
            let permissions = session.permissions.clone();
            let state = State::SavedAccountsConsent {
                session,
                chosen,
                submitting: Some(idempotency_key),
            };
            (state, vec![Effect::GiveConsent { permissions }])
        }
        (Event::ConsentRecorded(updated), Some(idempotency_key)) => {
            let (state, mut effects) = link_saved(Session::from(*updated), chosen, idempotency_key);
            effects.insert(0, Effect::Emit(HostEvent::ConsentAcquired));
            (state, effects)
        }
        (
            Event::ApiFailed {
                request: Request::GiveConsent,
                error,
                retryable,
            },
            Some(idempotency_key),
        ) => {
            let permissions = session.permissions.clone();
            let resume = State::SavedAccountsConsent {
                session: session.clone(),
                chosen,
                submitting: Some(idempotency_key),
            };
            fail_retrying(
                session,
                error,
                retryable,
                Effect::GiveConsent { permissions },
                resume,
            )
        }
        (Event::ReturningUser(Returning::AnotherAccountChosen), None) => another_account(&session),
        (
            event @ (Event::ConsentGiven
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
            | Event::ManualEntryChosen
            | Event::ManualInputChanged(_)
            | Event::ManualDetailsSubmitted { .. }
            | Event::ReturningUser(_)
            | Event::SessionLoaded(_)
            | Event::ConsentRecorded(_)
            | Event::InstitutionsLoaded { .. }
            | Event::DirectoryLoaded(_)
            | Event::AuthorizationUpdated(_)
            | Event::AccountsLoaded(_)
            | Event::Linked(_)
            | Event::ManualAccountCreated(_)
            | Event::Completed(_)
            | Event::SessionCancelled(_)
            | Event::ApiFailed { .. }
            | Event::TimerFired
            | Event::PopupBlocked
            | Event::Connectivity(_)),
            submitting,
        ) => ignored(
            State::SavedAccountsConsent {
                session,
                chosen,
                submitting,
            },
            &event,
        ),
    }
}

pub(super) fn linking_saved_accounts(
    session: Session,
    chosen: Vec<SavedAccount>,
    idempotency_key: String,
    event: Event,
) -> Next {
    let state = |session: Session, chosen: Vec<SavedAccount>, idempotency_key: String| {
        State::LinkingSavedAccounts {
            session,
            chosen,
            idempotency_key,
        }
    };
    match event {
        Event::Linked(_) => (
            state(session, chosen, idempotency_key),
            vec![Effect::Complete],
        ),
        // Saved accounts are not offered for saving again.
        Event::Completed(result) => succeeded(session, result, false),
        Event::ApiFailed {
            request: Request::AttachSavedAccounts,
            error,
            retryable,
        } => {
            if let Some(announcement) = saved_accounts_gone(&error) {
                return without_saved_accounts(&session, announcement);
            }
            if error.code == Some(ErrorCode::AccountNotSelectable) {
                // Back to the list, fetched again to say which accounts can be linked now.
                let error = Failure::new(error.code, SAVED_ACCOUNT_NOT_SELECTABLE);
                let announcement = Effect::Announce(error.message.clone());
                let state = State::SelectSavedAccounts {
                    session,
                    accounts: chosen,
                    selected: BTreeSet::new(),
                    error: Some(error),
                };
                return (state, vec![announcement, Effect::LoadSavedAccounts]);
            }
            // The same key again: the server links once, whatever happened to the first answer.
            let effect = attach(&chosen, &idempotency_key);
            let resume = state(session.clone(), chosen, idempotency_key);
            fail_retrying(session, error, retryable, effect, resume)
        }
        Event::ApiFailed {
            request: Request::Complete,
            error,
            retryable,
        } => {
            let resume = state(session.clone(), chosen, idempotency_key);
            fail_retrying(session, error, retryable, Effect::Complete, resume)
        }
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::ManualAccountCreated(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(state(session, chosen, idempotency_key), &event),
    }
}

pub(super) fn forgetting_saved_accounts(session: Session, event: Event) -> Next {
    match event {
        Event::ReturningUser(Returning::Forgotten(_)) => without_saved_accounts(
            &session,
            "Your saved accounts are forgotten. Accounts you already linked stay linked.",
        ),
        Event::ApiFailed {
            request: Request::ForgetSavedAccounts,
            error,
            retryable,
        } => {
            let resume = State::ForgettingSavedAccounts {
                session: session.clone(),
            };
            fail_retrying(
                session,
                error,
                retryable,
                Effect::ForgetSavedAccounts,
                resume,
            )
        }
        event @ (Event::ConsentGiven
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
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ReturningUser(_)
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::DirectoryLoaded(_)
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::ManualAccountCreated(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(State::ForgettingSavedAccounts { session }, &event),
    }
}
