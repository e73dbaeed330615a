//! Failure and the end of the flow.

use super::*;

pub(super) fn failed(state: State, event: Event) -> Next {
    let State::Failed {
        session,
        error,
        retry,
    } = state
    else {
        return ignored(state, &event);
    };
    match event {
        Event::Retry if retry.is_some() => match retry {
            Some(Retry { effect, resume }) => (*resume, vec![effect]),
            None => ignored(
                State::Failed {
                    session,
                    error,
                    retry: None,
                },
                &Event::Retry,
            ),
        },
        Event::Back
            if !error.ends_session()
                && session
                    .as_ref()
                    .is_some_and(|session| session.consent_given) =>
        {
            match session {
                Some(session) => search_from_start(session),
                None => ignored(
                    State::Failed {
                        session: None,
                        error,
                        retry,
                    },
                    &Event::Back,
                ),
            }
        }
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(State::Cancelling { session }, &event),
    }
}
