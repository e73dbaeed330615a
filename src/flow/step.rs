//! The transition function: the only way the flow state changes.
//!
//! Events that apply in every state (Cancel, connectivity, a session that ended) are handled
//! once in [`step`]; each state then has its own function whose `match` names every other
//! event, so a new event cannot be forgotten anywhere.

use std::collections::BTreeSet;

use finlink_protocol::{
    Authorization, AuthorizationState, Institution, InstitutionStatus, LinkAccount, LinkResult,
    LinkSession, ResumeAt, SessionStatus,
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
        Event::Connectivity(online) => connectivity(state, online),
        Event::ApiFailed { error, .. }
            if error.ends_session()
                && !matches!(state, State::Finished | State::Cancelling { .. }) =>
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
            } => select_institution(session, query, results, featured, event),
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
            State::Success { session, result } => success(session, result, event),
            state @ State::Failed { .. } => failed(state, event),
            State::Cancelling { session } => cancelling(session, event),
            State::Finished => ignored(State::Finished, &event),
        },
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
        | State::Linking { session, .. } => (
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

// ---- Loading and consent ------------------------------------------------------------------

fn loading(event: Event) -> Next {
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(State::Loading, &event),
    }
}

/// Where a loaded session resumes: the server says which step, so a reload asks nothing twice.
fn session_loaded(session: LinkSession) -> Next {
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
    let (state, mut effects) = match resume {
        ResumeAt::Consent => (
            State::Consent {
                session,
                submitting: false,
            },
            Vec::new(),
        ),
        ResumeAt::SelectInstitution => search_from_start(session),
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

fn consent(session: Session, submitting: bool, event: Event) -> Next {
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
            let (state, mut effects) = search_from_start(Session::from(*updated));
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
            State::Consent {
                session,
                submitting,
            },
            &event,
        ),
    }
}

// ---- Finding the bank ---------------------------------------------------------------------

/// The bank list with an empty query: featured institutions, fetched now.
fn search_from_start(session: Session) -> Next {
    let state = State::SelectInstitution {
        session,
        query: String::new(),
        results: Results::Searching {
            previous: Vec::new(),
        },
        featured: Vec::new(),
    };
    (
        state,
        vec![Effect::Search {
            query: String::new(),
        }],
    )
}

fn visible(results: Results, featured: &[Institution]) -> Vec<Institution> {
    match results {
        Results::Featured => featured.to_vec(),
        Results::Searching { previous } => previous,
        Results::Found(found) => found,
        Results::NoResults | Results::Failed(_) => Vec::new(),
    }
}

fn select_institution(
    session: Session,
    query: String,
    results: Results,
    featured: Vec<Institution>,
    event: Event,
) -> Next {
    match event {
        Event::QueryChanged(typed) if typed != query => {
            let mut effects = Vec::new();
            if query.trim().is_empty() && !typed.trim().is_empty() {
                effects.push(Effect::Emit(HostEvent::SearchInitiated));
            }
            let results = if typed.trim().is_empty() && !featured.is_empty() {
                Results::Featured
            } else {
                effects.push(Effect::Search {
                    query: typed.trim().to_owned(),
                });
                Results::Searching {
                    previous: visible(results, &featured),
                }
            };
            (
                State::SelectInstitution {
                    session,
                    query: typed,
                    results,
                    featured,
                },
                effects,
            )
        }
        Event::InstitutionsLoaded {
            query: answered,
            institutions,
        } if answered == query.trim() => {
            if answered.is_empty() {
                let state = State::SelectInstitution {
                    session,
                    query,
                    results: Results::Featured,
                    featured: institutions,
                };
                return (state, Vec::new());
            }
            let announcement = match institutions.len() {
                0 => "No banks match your search.".to_owned(),
                1 => "1 bank found.".to_owned(),
                count => format!("{count} banks found."),
            };
            let results = if institutions.is_empty() {
                Results::NoResults
            } else {
                Results::Found(institutions)
            };
            (
                State::SelectInstitution {
                    session,
                    query,
                    results,
                    featured,
                },
                vec![Effect::Announce(announcement)],
            )
        }
        Event::ApiFailed {
            request: Request::Search,
            error,
            ..
        } if matches!(results, Results::Searching { .. }) => {
            let announcement = Effect::Announce(error.message.clone());
            (
                State::SelectInstitution {
                    session,
                    query,
                    results: Results::Failed(error),
                    featured,
                },
                vec![announcement],
            )
        }
        Event::InstitutionChosen(institution) => match institution.status {
            InstitutionStatus::Up => {
                let effects = vec![
                    Effect::Emit(HostEvent::InstitutionSelected {
                        institution: institution.id.clone(),
                        institution_name: institution.name.clone(),
                    }),
                    Effect::StartAuthorization {
                        institution: institution.id.clone(),
                    },
                ];
                (
                    State::StartingAuthorization {
                        session,
                        institution,
                    },
                    effects,
                )
            }
            InstitutionStatus::DownScheduled | InstitutionStatus::DownUnscheduled => {
                let announcement = format!(
                    "{} is unavailable right now. Pick another bank.",
                    institution.name
                );
                (
                    State::SelectInstitution {
                        session,
                        query,
                        results,
                        featured,
                    },
                    vec![Effect::Announce(announcement)],
                )
            }
        },
        Event::Back => (
            State::Consent {
                session,
                submitting: false,
            },
            Vec::new(),
        ),
        event @ (Event::QueryChanged(_)
        | Event::InstitutionsLoaded { .. }
        | Event::ApiFailed { .. }
        | Event::ConsentGiven
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
            State::SelectInstitution {
                session,
                query,
                results,
                featured,
            },
            &event,
        ),
    }
}

// ---- Logging in at the bank -------------------------------------------------------------

fn starting_authorization(session: Session, institution: Box<Institution>, event: Event) -> Next {
    match event {
        Event::AuthorizationUpdated(authorization) => {
            authorization_changed(session, institution, None, *authorization)
        }
        Event::ApiFailed {
            request: Request::StartAuthorization,
            error,
            retryable,
        } => {
            let effect = Effect::StartAuthorization {
                institution: institution.id.clone(),
            };
            let resume = State::StartingAuthorization {
                session: session.clone(),
                institution,
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
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
            State::StartingAuthorization {
                session,
                institution,
            },
            &event,
        ),
    }
}

/// The next step after the server said where an authorization stands. `username` is what the
/// person typed last, kept for the form.
fn authorization_changed(
    session: Session,
    institution: Box<Institution>,
    username: Option<String>,
    authorization: Authorization,
) -> Next {
    let id = authorization.id;
    match authorization.state {
        AuthorizationState::AwaitingOauth { oauth_url } => {
            let announcement = format!("You'll continue at {}.", institution.name);
            let state = State::OAuth {
                session,
                institution,
                authorization: id,
                oauth_url,
                handoff: Handoff::Ready,
            };
            (state, vec![Effect::Announce(announcement)])
        }
        AuthorizationState::AwaitingCredentials {
            error,
            attempts_remaining,
        } => {
            let error = error.as_ref().map(Failure::from_api);
            let effects = error
                .iter()
                .map(|error| Effect::Announce(error.message.clone()))
                .collect();
            let form = CredentialsForm {
                username: username.unwrap_or_default(),
                error,
                attempts_remaining,
                submitting: false,
            };
            (
                State::Credentials {
                    session,
                    institution,
                    authorization: id,
                    form,
                },
                effects,
            )
        }
        AuthorizationState::AwaitingMfa {
            challenge,
            error,
            attempts_remaining,
        } => {
            let error = error.as_ref().map(Failure::from_api);
            let announcement = error.as_ref().map_or_else(
                || "Your bank asks for one more step.".to_owned(),
                |e| e.message.clone(),
            );
            let form = MfaForm {
                error,
                attempts_remaining,
                submitting: false,
            };
            (
                State::Mfa {
                    session,
                    institution,
                    authorization: id,
                    challenge,
                    form,
                },
                vec![Effect::Announce(announcement)],
            )
        }
        AuthorizationState::Authorized => {
            let effects = vec![
                Effect::Emit(HostEvent::InstitutionAuthorized),
                Effect::LoadAccounts {
                    authorization: id.clone(),
                },
            ];
            (
                State::LoadingAccounts {
                    session,
                    institution,
                    authorization: id,
                },
                effects,
            )
        }
        AuthorizationState::Failed { error } => {
            let effect = Effect::StartAuthorization {
                institution: institution.id.clone(),
            };
            let resume = State::StartingAuthorization {
                session: session.clone(),
                institution,
            };
            fail(
                Some(session),
                Failure::from_api(&error),
                Some(Retry {
                    effect,
                    resume: Box::new(resume),
                }),
            )
        }
    }
}

struct OAuthStep {
    session: Session,
    institution: Box<Institution>,
    authorization: String,
    oauth_url: String,
    handoff: Handoff,
}

impl OAuthStep {
    fn into_state(self) -> State {
        let Self {
            session,
            institution,
            authorization,
            oauth_url,
            handoff,
        } = self;
        State::OAuth {
            session,
            institution,
            authorization,
            oauth_url,
            handoff,
        }
    }
}

fn oauth(mut step: OAuthStep, event: Event) -> Next {
    let poll_timer = Effect::StartTimer {
        after_ms: POLL_INTERVAL_MS,
    };
    match (step.handoff, event) {
        (Handoff::Ready, Event::ContinueToBank) => {
            let effects = vec![
                Effect::OpenPopup {
                    url: step.oauth_url.clone(),
                },
                Effect::Emit(HostEvent::FlowLaunchedInBrowser),
                poll_timer,
            ];
            step.handoff = Handoff::Waiting {
                popup_blocked: false,
            };
            (step.into_state(), effects)
        }
        (Handoff::Waiting { .. }, Event::ContinueToBank) => {
            let effects = vec![Effect::OpenPopup {
                url: step.oauth_url.clone(),
            }];
            step.handoff = Handoff::Waiting {
                popup_blocked: false,
            };
            (step.into_state(), effects)
        }
        (Handoff::Waiting { .. }, Event::PopupBlocked) => {
            step.handoff = Handoff::Waiting {
                popup_blocked: true,
            };
            let announcement =
                "Your browser blocked the bank's window. Use the link to open it.".to_owned();
            (step.into_state(), vec![Effect::Announce(announcement)])
        }
        (Handoff::Waiting { .. }, Event::TimerFired) => {
            let effect = Effect::PollAuthorization {
                authorization: step.authorization.clone(),
            };
            (step.into_state(), vec![effect])
        }
        (handoff, Event::AuthorizationUpdated(authorization))
            if authorization.id == step.authorization =>
        {
            match authorization.state {
                AuthorizationState::AwaitingOauth { .. } => {
                    let effects = if matches!(handoff, Handoff::Waiting { .. }) {
                        vec![poll_timer]
                    } else {
                        Vec::new()
                    };
                    (step.into_state(), effects)
                }
                _ => authorization_changed(step.session, step.institution, None, *authorization),
            }
        }
        (
            Handoff::Waiting { .. },
            Event::ApiFailed {
                request: Request::PollAuthorization,
                error,
                retryable,
            },
        ) => {
            if retryable {
                (step.into_state(), vec![poll_timer])
            } else {
                let effect = Effect::StartAuthorization {
                    institution: step.institution.id.clone(),
                };
                let resume = State::StartingAuthorization {
                    session: step.session.clone(),
                    institution: step.institution,
                };
                fail(
                    Some(step.session),
                    error,
                    Some(Retry {
                        effect,
                        resume: Box::new(resume),
                    }),
                )
            }
        }
        (_, Event::Back) => search_from_start(step.session),
        (
            handoff,
            event @ (Event::PopupBlocked
            | Event::TimerFired
            | Event::AuthorizationUpdated(_)
            | Event::ApiFailed { .. }
            | Event::ConsentGiven
            | Event::QueryChanged(_)
            | Event::InstitutionChosen(_)
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
            | Event::AccountsLoaded(_)
            | Event::Linked(_)
            | Event::Completed(_)
            | Event::SessionCancelled(_)
            | Event::Connectivity(_)),
        ) => {
            step.handoff = handoff;
            ignored(step.into_state(), &event)
        }
    }
}

fn credentials(
    session: Session,
    institution: Box<Institution>,
    authorization: String,
    form: CredentialsForm,
    event: Event,
) -> Next {
    match event {
        Event::CredentialsSubmitted { username, password } if !form.submitting => {
            if username.trim().is_empty() || password.is_empty() {
                let error = Failure::new(None, "Enter your username and password.");
                let announcement = Effect::Announce(error.message.clone());
                let form = CredentialsForm {
                    username,
                    error: Some(error),
                    ..form
                };
                return (
                    State::Credentials {
                        session,
                        institution,
                        authorization,
                        form,
                    },
                    vec![announcement],
                );
            }
            let effect = Effect::SubmitCredentials {
                authorization: authorization.clone(),
                username: username.clone(),
                password,
            };
            let form = CredentialsForm {
                username,
                error: None,
                submitting: true,
                ..form
            };
            (
                State::Credentials {
                    session,
                    institution,
                    authorization,
                    form,
                },
                vec![effect],
            )
        }
        Event::AuthorizationUpdated(updated) if form.submitting && updated.id == authorization => {
            authorization_changed(session, institution, Some(form.username), *updated)
        }
        Event::ApiFailed {
            request: Request::SubmitCredentials,
            error,
            ..
        } if form.submitting => {
            let announcement = Effect::Announce(error.message.clone());
            let form = CredentialsForm {
                error: Some(error),
                submitting: false,
                ..form
            };
            (
                State::Credentials {
                    session,
                    institution,
                    authorization,
                    form,
                },
                vec![announcement],
            )
        }
        Event::Back => search_from_start(session),
        event @ (Event::CredentialsSubmitted { .. }
        | Event::AuthorizationUpdated(_)
        | Event::ApiFailed { .. }
        | Event::ConsentGiven
        | Event::QueryChanged(_)
        | Event::InstitutionChosen(_)
        | Event::ContinueToBank
        | Event::MfaAnswered(_)
        | Event::AccountToggled(_)
        | Event::AccountsConfirmed { .. }
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
            State::Credentials {
                session,
                institution,
                authorization,
                form,
            },
            &event,
        ),
    }
}

fn mfa(
    session: Session,
    institution: Box<Institution>,
    authorization: String,
    challenge: finlink_protocol::MfaChallenge,
    form: MfaForm,
    event: Event,
) -> Next {
    match event {
        Event::MfaAnswered(answer) if !form.submitting => {
            if answer.trim().is_empty() {
                let error = Failure::new(None, "Enter your answer.");
                let announcement = Effect::Announce(error.message.clone());
                let form = MfaForm {
                    error: Some(error),
                    ..form
                };
                return (
                    State::Mfa {
                        session,
                        institution,
                        authorization,
                        challenge,
                        form,
                    },
                    vec![announcement],
                );
            }
            let effect = Effect::SubmitMfa {
                authorization: authorization.clone(),
                answer: answer.trim().to_owned(),
            };
            let form = MfaForm {
                error: None,
                submitting: true,
                ..form
            };
            (
                State::Mfa {
                    session,
                    institution,
                    authorization,
                    challenge,
                    form,
                },
                vec![effect],
            )
        }
        Event::AuthorizationUpdated(updated) if form.submitting && updated.id == authorization => {
            authorization_changed(session, institution, None, *updated)
        }
        Event::ApiFailed {
            request: Request::SubmitMfa,
            error,
            ..
        } if form.submitting => {
            let announcement = Effect::Announce(error.message.clone());
            let form = MfaForm {
                error: Some(error),
                submitting: false,
                ..form
            };
            (
                State::Mfa {
                    session,
                    institution,
                    authorization,
                    challenge,
                    form,
                },
                vec![announcement],
            )
        }
        Event::Back => search_from_start(session),
        event @ (Event::MfaAnswered(_)
        | Event::AuthorizationUpdated(_)
        | Event::ApiFailed { .. }
        | Event::ConsentGiven
        | Event::QueryChanged(_)
        | Event::InstitutionChosen(_)
        | Event::ContinueToBank
        | Event::CredentialsSubmitted { .. }
        | Event::AccountToggled(_)
        | Event::AccountsConfirmed { .. }
        | Event::Cancel
        | Event::Retry
        | Event::Done
        | Event::SessionLoaded(_)
        | Event::ConsentRecorded(_)
        | Event::InstitutionsLoaded { .. }
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
            State::Mfa {
                session,
                institution,
                authorization,
                challenge,
                form,
            },
            &event,
        ),
    }
}

// ---- Picking and linking accounts ---------------------------------------------------------

fn loading_accounts(
    session: Session,
    institution: Box<Institution>,
    authorization: String,
    event: Event,
) -> Next {
    match event {
        Event::AccountsLoaded(accounts) => {
            let selectable: Vec<&LinkAccount> = accounts
                .iter()
                .filter(|account| account.unselectable_reason.is_none())
                .collect();
            // One account that can be linked is picked for the person.
            let selected: BTreeSet<String> = match selectable.as_slice() {
                [only] => BTreeSet::from([only.id.clone()]),
                _ => BTreeSet::new(),
            };
            let announcement = match selectable.len() {
                0 => "None of the accounts your bank shared can be linked here.".to_owned(),
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
        | Event::AuthorizationUpdated(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(
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
struct Picking {
    session: Session,
    institution: Box<Institution>,
    authorization: String,
    accounts: Vec<LinkAccount>,
    selected: BTreeSet<String>,
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

fn select_accounts(mut picking: Picking, error: Option<Failure>, event: Event) -> Next {
    match event {
        Event::AccountToggled(id) => {
            let selectable = picking
                .accounts
                .iter()
                .any(|account| account.id == id && account.unselectable_reason.is_none());
            if !selectable {
                return ignored(picking.selecting(error), &Event::AccountToggled(id));
            }
            if !picking.selected.remove(&id) {
                picking.selected.insert(id);
            }
            (picking.selecting(None), Vec::new())
        }
        Event::AccountsConfirmed { idempotency_key } => {
            if picking.selected.is_empty() {
                let error = Failure::new(None, "Select at least one account.");
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::Linked(_)
        | Event::Completed(_)
        | Event::SessionCancelled(_)
        | Event::ApiFailed { .. }
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(picking.selecting(error), &event),
    }
}

fn linking(picking: Picking, idempotency_key: String, event: Event) -> Next {
    match event {
        Event::Linked(_) => (picking.linking(idempotency_key), vec![Effect::Complete]),
        Event::Completed(result) => {
            let count = result.accounts.len();
            let announcement = if count == 1 {
                "1 account linked.".to_owned()
            } else {
                format!("{count} accounts linked.")
            };
            let effects = vec![
                Effect::Emit(HostEvent::Success),
                Effect::Announce(announcement),
            ];
            (
                State::Success {
                    session: picking.session,
                    result,
                },
                effects,
            )
        }
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
        | Event::AuthorizationUpdated(_)
        | Event::AccountsLoaded(_)
        | Event::SessionCancelled(_)
        | Event::TimerFired
        | Event::PopupBlocked
        | Event::Connectivity(_)) => ignored(picking.linking(idempotency_key), &event),
    }
}

fn success(session: Session, result: LinkResult, event: Event) -> Next {
    match event {
        Event::Done => finish(Outcome::Linked(result), None),
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
        | Event::Connectivity(_)) => ignored(State::Success { session, result }, &event),
    }
}

// ---- Failure and the end ------------------------------------------------------------------

fn failed(state: State, event: Event) -> Next {
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

fn cancelling(session: Session, event: Event) -> Next {
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
