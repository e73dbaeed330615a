//! Failure and the end of the flow.

use super::*;
use crate::flow::ReturningUserEvent;
use crate::flow::state::offers_another_account;

pub(super) fn failed(
    session: Option<Session>,
    error: Failure,
    retry: Option<Retry>,
    event: Event,
) -> Next {
    match (event, retry, session) {
        (Event::Retry, Some(Retry { effect, resume }), _) => (*resume, vec![effect]),
        (Event::Back, _, Some(session)) if !error.ends_session() && session.consent_given => {
            bank_list_or_form(session)
        }
        // A failure on the saved-accounts path can always be left for the normal flow.
        (Event::ReturningUser(ReturningUserEvent::AnotherAccountChosen), _, Some(session))
            if offers_another_account(&session, &error) =>
        {
            another_account(&session)
        }
        (
            event @ (Event::Retry
            | Event::Back
            | Event::ConsentGiven
            | Event::QueryChanged(_)
            | Event::InstitutionChosen(_)
            | Event::ContinueToBank
            | Event::CredentialsSubmitted { .. }
            | Event::MfaAnswered(_)
            | Event::AccountToggled(_)
            | Event::AccountsConfirmed { .. }
            | Event::Cancel
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
            | Event::ReturningUser(_)),
            retry,
            session,
        ) => ignored(
            State::Failed {
                session,
                error,
                retry,
            },
            &event,
        ),
    }
}

pub(super) fn cancelling(session: Session, event: Event) -> Next {
    match event {
        Event::SessionCancelled(result) => finish(Outcome::Cancelled(result), None),
        // The server could not be told (offline, say): the host still learns which session
        // ended and what it had linked when it loaded.
        Event::ApiFailed {
            request: Request::CancelSession,
            ..
        } => {
            let result = LinkResult {
                session: session.id.clone(),
                status: SessionStatus::Cancelled,
                accounts: session.accounts.clone(),
            };
            finish(Outcome::Cancelled(Some(result)), None)
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
        | Event::Completed(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)
        | Event::ManualEntryChosen
        | Event::ManualInputChanged(_)
        | Event::ManualDetailsSubmitted { .. }
        | Event::ManualAccountCreated(_)
        | Event::ReturningUser(_)) => ignored(State::Cancelling { session }, &event),
    }
}
