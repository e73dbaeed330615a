//! The transition function: the only way the flow state changes.
//!
//! Events that apply in every state (Cancel, connectivity, a session that ended) are handled
//! once in [`step`]; each state then has its own function whose `match` names every other
//! event, so a new event cannot be forgotten anywhere.

mod accounts;
mod ending;
mod login;
mod manual;
mod opening;
mod returning;
mod search;

pub use accounts::pending_verification;
use accounts::{Picking, linking, loading_accounts, select_accounts, succeeded, success};
use ending::{cancelling, failed};
use login::{OAuthStep, authorization_changed, credentials, mfa, oauth, starting_authorization};
use manual::{ManualStep, bank_list_or_form, completing, manual_entry_chosen, manual_entry_step};
use opening::{consent, loading, normal_start};
use returning::{
    CodeStep, another_account, awaiting_code, forgetting_saved_accounts, linking_saved_accounts,
    loading_saved_accounts, returning_user_offer, returning_user_start, saved_accounts_consent,
    select_saved_accounts, sending_code,
};
pub use returning::{TOO_MANY_CODES, code_attempts_exhausted};
use search::{SearchStep, search_from_start, select_institution};

use std::collections::BTreeSet;

use finlink_protocol::{
    AccountSelection, Authorization, AuthorizationState, Institution, InstitutionStatus,
    LinkAccount, LinkResult, LinkSession, ResumeAt, SessionStatus,
};

use super::Retry;
use super::{
    CredentialsForm, Effect, Event, Failure, Handoff, HostEvent, MfaForm, Outcome, Request,
    Results, Session, State,
};

/// How often the widget asks whether the person finished at the bank.
pub const POLL_INTERVAL_MS: u32 = 1_000;

type Next = (State, Vec<Effect>);

/// The state the flow starts in and the effects that get it going.
pub fn start() -> Next {
    (State::Loading, vec![Effect::LoadSession])
}

pub fn step(state: State, event: Event) -> Next {
    match event {
        Event::Cancel => cancel(state),
        Event::ManualEntryChosen => manual_entry_chosen(state),
        Event::Connectivity(online) => connectivity(state, online),
        // The decline of saved accounts is awaited nowhere: its failure is never shown.
        Event::ApiFailed { request, error, .. }
            if error.ends_session()
                && request != Request::DeclineSavedAccounts
                && !matches!(
                    state,
                    State::Finished | State::Cancelling { .. } | State::Success { .. }
                ) =>
        {
            session_ended(state, error)
        }
        event => match state {
            State::Loading => loading(event),
            State::Consent {
                session,
                submitting,
            } => consent(session, submitting, event),
            State::SelectInstitution {
                session,
                query,
                results,
                featured,
                directory,
            } => select_institution(
                SearchStep {
                    session,
                    query,
                    results,
                    featured,
                    directory,
                },
                event,
            ),
            State::StartingAuthorization {
                session,
                institution,
            } => starting_authorization(session, institution, event),
            State::OAuth {
                session,
                institution,
                authorization,
                oauth_url,
                handoff,
            } => oauth(
                OAuthStep {
                    session,
                    institution,
                    authorization,
                    oauth_url,
                    handoff,
                },
                event,
            ),
            State::Credentials {
                session,
                institution,
                authorization,
                form,
            } => credentials(session, institution, authorization, form, event),
            State::Mfa {
                session,
                institution,
                authorization,
                challenge,
                form,
            } => mfa(session, institution, authorization, challenge, form, event),
            State::LoadingAccounts {
                session,
                institution,
                authorization,
            } => loading_accounts(session, institution, authorization, event),
            State::SelectAccounts {
                session,
                institution,
                authorization,
                accounts,
                selected,
                error,
            } => select_accounts(
                Picking {
                    session,
                    institution,
                    authorization,
                    accounts,
                    selected,
                },
                error,
                event,
            ),
            State::Linking {
                session,
                institution,
                authorization,
                accounts,
                selected,
                idempotency_key,
            } => linking(
                Picking {
                    session,
                    institution,
                    authorization,
                    accounts,
                    selected,
                },
                idempotency_key,
                event,
            ),
            State::ManualEntry {
                session,
                form,
                directory,
            } => manual_entry_step(
                ManualStep {
                    session,
                    form,
                    directory,
                },
                event,
            ),
            State::Completing { session } => completing(session, event),
            State::ReturningUserOffer { session } => returning_user_offer(session, event),
            State::SendingCode { session } => sending_code(session, event),
            State::AwaitingCode {
                session,
                challenge,
                code,
                submitting,
                error,
            } => awaiting_code(
                CodeStep {
                    session,
                    challenge,
                    code,
                    submitting,
                    error,
                },
                event,
            ),
            State::LoadingSavedAccounts { session } => loading_saved_accounts(session, event),
            State::SelectSavedAccounts {
                session,
                accounts,
                selected,
                error,
            } => select_saved_accounts(session, accounts, selected, error, event),
            State::SavedAccountsConsent {
                session,
                chosen,
                submitting,
            } => saved_accounts_consent(session, chosen, submitting, event),
            State::LinkingSavedAccounts {
                session,
                chosen,
                idempotency_key,
            } => linking_saved_accounts(session, chosen, idempotency_key, event),
            State::ForgettingSavedAccounts { session } => forgetting_saved_accounts(session, event),
            State::Success {
                session,
                result,
                save,
            } => success(session, result, save, event),
            State::Failed {
                session,
                error,
                retry,
            } => failed(session, error, retry, event),
            State::Cancelling { session } => cancelling(session, event),
            State::Finished => ignored(State::Finished, &event),
        },
    }
}

// ---- Picking accounts, shared by new and saved accounts ---------------------------------

/// Of accounts offered as `(id, whether it can be linked)`: those picked for the person up
/// front (the one that can be linked, if only one can), and how many can be linked.
fn preselect<'a>(offered: impl Iterator<Item = (&'a str, bool)>) -> (BTreeSet<String>, usize) {
    let mut selectable = offered.filter_map(|(id, usable)| usable.then_some(id));
    let first = selectable.next();
    let count = usize::from(first.is_some()) + selectable.count();
    let selected = match first {
        Some(only) if count == 1 => BTreeSet::from([only.to_owned()]),
        _ => BTreeSet::new(),
    };
    (selected, count)
}

/// The person toggled account `id`, one they may pick.
fn toggle(selection: AccountSelection, selected: &mut BTreeSet<String>, id: String) {
    match selection {
        // A radio group: choosing an account replaces the choice; it stays chosen.
        AccountSelection::Single => *selected = BTreeSet::from([id]),
        AccountSelection::Multiple => {
            if !selected.remove(&id) {
                selected.insert(id);
            }
        }
    }
}

/// What the person is told when they confirm with no account picked.
fn nothing_selected(selection: AccountSelection) -> Failure {
    match selection {
        AccountSelection::Single => Failure::new(None, "Select an account."),
        AccountSelection::Multiple => Failure::new(None, "Select at least one account."),
    }
}

fn ignored(state: State, event: &Event) -> Next {
    let effect = Effect::Ignored {
        state: state.name(),
        event: event.name(),
    };
    (state, vec![effect])
}

// ---- Events that apply everywhere -------------------------------------------------------

/// Close, at any step. After success it is Done; without a usable session the flow just ends.
fn cancel(state: State) -> Next {
    match state {
        State::Success { result, .. } => finish(Outcome::Linked(result), None),
        State::Loading => finish(Outcome::Cancelled(None), Some(HostEvent::Cancel)),
        State::Failed {
            session: None,
            error,
            ..
        } => finish(Outcome::Failed(error), None),
        State::Failed { error, .. } if error.ends_session() => finish(Outcome::Failed(error), None),
        state @ (State::Cancelling { .. } | State::Finished) => ignored(state, &Event::Cancel),
        State::Failed {
            session: Some(session),
            ..
        }
        | State::Consent { session, .. }
        | State::SelectInstitution { session, .. }
        | State::StartingAuthorization { session, .. }
        | State::OAuth { session, .. }
        | State::Credentials { session, .. }
        | State::Mfa { session, .. }
        | State::LoadingAccounts { session, .. }
        | State::SelectAccounts { session, .. }
        | State::Linking { session, .. }
        | State::ManualEntry { session, .. }
        | State::Completing { session }
        | State::ReturningUserOffer { session }
        | State::SendingCode { session }
        | State::AwaitingCode { session, .. }
        | State::LoadingSavedAccounts { session }
        | State::SelectSavedAccounts { session, .. }
        | State::SavedAccountsConsent { session, .. }
        | State::LinkingSavedAccounts { session, .. }
        | State::ForgettingSavedAccounts { session } => (
            State::Cancelling { session },
            vec![Effect::Emit(HostEvent::Cancel), Effect::CancelSession],
        ),
    }
}

fn finish(outcome: Outcome, event: Option<HostEvent>) -> Next {
    let mut effects: Vec<Effect> = event.into_iter().map(Effect::Emit).collect();
    effects.push(Effect::Finish(outcome));
    (State::Finished, effects)
}

fn connectivity(state: State, online: bool) -> Next {
    let message = if online {
        "You're back online."
    } else {
        "You're offline. We'll continue when your connection is back."
    };
    (state, vec![Effect::Announce(message.to_owned())])
}

/// The session itself is over (expired, completed elsewhere, cancelled, or not valid).
fn session_ended(state: State, error: Failure) -> Next {
    let session = state.session().cloned();
    fail(session, error, None)
}

/// A failure screen, told to the host and to screen readers.
fn fail(session: Option<Session>, error: Failure, retry: Option<Retry>) -> Next {
    let effects = vec![
        Effect::Emit(HostEvent::Error {
            error_code: error.code,
        }),
        Effect::Announce(error.message.clone()),
    ];
    (
        State::Failed {
            session,
            error,
            retry,
        },
        effects,
    )
}

/// A failure whose request can be sent again, if the API says so.
fn fail_retrying(
    session: Session,
    error: Failure,
    retryable: bool,
    effect: Effect,
    resume: State,
) -> Next {
    let retry = retryable.then(|| Retry {
        effect,
        resume: Box::new(resume),
    });
    fail(Some(session), error, retry)
}
