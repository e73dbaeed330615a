//! Logging in at the bank: OAuth, credentials, second factors.

use super::*;

pub(super) fn starting_authorization(
    session: Session,
    institution: Box<Institution>,
    event: Event,
) -> Next {
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
        | Event::DirectoryLoaded(_)
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
pub(super) fn authorization_changed(
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

pub(super) struct OAuthStep {
    pub(super) session: Session,
    pub(super) institution: Box<Institution>,
    pub(super) authorization: String,
    pub(super) oauth_url: String,
    pub(super) handoff: Handoff,
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

pub(super) fn oauth(mut step: OAuthStep, event: Event) -> Next {
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
        // With somewhere to come back to, the login continues at the bank in this tab.
        (Handoff::Waiting { .. }, Event::PopupBlocked) if step.session.return_url.is_some() => {
            step.handoff = Handoff::Redirecting;
            let announcement = format!(
                "Your browser blocked the bank's window. You'll continue at {} in this tab and come back here.",
                step.institution.name
            );
            let effects = vec![
                Effect::Announce(announcement),
                Effect::StartRedirectAuthorization {
                    institution: step.institution.id.clone(),
                },
            ];
            (step.into_state(), effects)
        }
        (Handoff::Redirecting, Event::AuthorizationUpdated(authorization)) => {
            match authorization.state {
                AuthorizationState::AwaitingOauth { oauth_url } => {
                    let effects = vec![Effect::Redirect {
                        url: oauth_url.clone(),
                    }];
                    step.authorization = authorization.id;
                    step.oauth_url = oauth_url;
                    (step.into_state(), effects)
                }
                _ => authorization_changed(step.session, step.institution, None, *authorization),
            }
        }
        (
            Handoff::Redirecting,
            Event::ApiFailed {
                request: Request::StartAuthorization,
                error,
                retryable,
            },
        ) => {
            let effect = Effect::StartRedirectAuthorization {
                institution: step.institution.id.clone(),
            };
            let session = step.session.clone();
            fail_retrying(session, error, retryable, effect, step.into_state())
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
        // The page is leaving for the bank; nothing to reopen.
        (Handoff::Redirecting, event @ Event::ContinueToBank) => ignored(step.into_state(), &event),
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
            | Event::DirectoryLoaded(_)
            | Event::AccountsLoaded(_)
            | Event::Linked(_)
            | Event::Completed(_)
            | Event::SessionCancelled(_)
            | Event::Connectivity(_)
            | Event::ManualEntryChosen
            | Event::ManualInputChanged(_)
            | Event::ManualDetailsSubmitted { .. }
            | Event::ManualAccountCreated(_)
            | Event::ReturningUser(_)),
        ) => {
            step.handoff = handoff;
            ignored(step.into_state(), &event)
        }
    }
}

pub(super) fn credentials(
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
        | Event::DirectoryLoaded(_)
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

pub(super) fn mfa(
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
        | Event::DirectoryLoaded(_)
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
