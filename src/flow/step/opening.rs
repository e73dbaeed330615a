//! Loading the session and consent.

use super::*;

pub(super) fn loading(event: Event) -> Next {
    match event {
        Event::SessionLoaded(session) => session_loaded(*session),
        Event::ApiFailed {
            request: Request::LoadSession,
            error,
            retryable,
        } => {
            let retry = retryable.then(|| Retry {
                effect: Effect::LoadSession,
                resume: Box::new(State::Loading),
            });
            fail(None, error, retry)
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
        | Event::ReturningUser(_)) => ignored(State::Loading, &event),
    }
}

/// Where a loaded session resumes: the server says which step, so a reload asks nothing twice.
pub(super) fn session_loaded(session: LinkSession) -> Next {
    let ended = |message: &str, code| fail(None, Failure::new(Some(code), message), None);
    match session.status {
        SessionStatus::Open => {}
        SessionStatus::Completed => {
            return ended(
                "This link was already used. Go back and start again.",
                finlink_protocol::ErrorCode::SessionCompleted,
            );
        }
        SessionStatus::Cancelled => {
            return ended(
                "This link was cancelled. Go back and start again.",
                finlink_protocol::ErrorCode::SessionCancelled,
            );
        }
        SessionStatus::Expired => {
            return ended(
                "This link has expired. Go back and start again.",
                finlink_protocol::ErrorCode::SessionExpired,
            );
        }
    }
    let resume = session.resume.clone();
    let session: Session = Session::from(session);
    let at_start = matches!(resume, ResumeAt::Consent | ResumeAt::SelectInstitution)
        && session.accounts.is_empty();
    let (state, mut effects) = match resume {
        // The session's email has saved accounts: offered before anything else, or resumed
        // at them once the code was right.
        _ if at_start && session.returning_user.is_some() => returning_user_start(session),
        ResumeAt::Consent => consent_screen(session),
        ResumeAt::SelectInstitution => bank_list_or_form(session),
        ResumeAt::Authorization { authorization } => {
            let institution = Box::new(authorization.institution.clone());
            authorization_changed(session, institution, None, *authorization)
        }
        ResumeAt::SelectAccounts { authorization } => {
            let effect = Effect::LoadAccounts {
                authorization: authorization.id.clone(),
            };
            let institution = Box::new(authorization.institution);
            (
                State::LoadingAccounts {
                    session,
                    institution,
                    authorization: authorization.id,
                },
                vec![effect],
            )
        }
    };
    effects.insert(0, Effect::Emit(HostEvent::Open));
    (state, effects)
}

/// The normal flow from its first step: consent, or the bank list once consent is given.
pub(super) fn normal_start(session: Session) -> Next {
    if session.consent_given {
        bank_list_or_form(session)
    } else {
        consent_screen(session)
    }
}

/// The consent screen. The directory file is asked for while the person reads it (the
/// driver fetches it once this screen is painted), so the bank list can answer locally from
/// its first keystroke; the search step's own ask then gets the same file.
fn consent_screen(session: Session) -> Next {
    (
        State::Consent {
            session,
            submitting: false,
        },
        vec![Effect::LoadDirectory],
    )
}

pub(super) fn consent(session: Session, submitting: bool, event: Event) -> Next {
    match event {
        Event::ConsentGiven if !submitting => {
            let permissions = session.permissions.clone();
            (
                State::Consent {
                    session,
                    submitting: true,
                },
                vec![Effect::GiveConsent { permissions }],
            )
        }
        Event::ConsentRecorded(updated) if submitting => {
            let (state, mut effects) = bank_list_or_form(Session::from(*updated));
            effects.insert(0, Effect::Emit(HostEvent::ConsentAcquired));
            (state, effects)
        }
        Event::ApiFailed {
            request: Request::GiveConsent,
            error,
            retryable,
        } if submitting => {
            let permissions = session.permissions.clone();
            let resume = State::Consent {
                session: session.clone(),
                submitting: true,
            };
            fail_retrying(
                session,
                error,
                retryable,
                Effect::GiveConsent { permissions },
                resume,
            )
        }
        event @ (Event::ConsentGiven
        | Event::ConsentRecorded(_)
        | Event::ApiFailed { .. }
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
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(
            State::Consent {
                session,
                submitting,
            },
            &event,
        ),
    }
}
