//! The flow when the bank's login leaves the page: a blocked popup continues in this tab,
//! and a page loaded again (after a reload, or back from the bank through `return_url`)
//! resumes from the server's state, with nothing asked twice.

use super::*;

const RETURN_URL: &str = "https://shop.example/checkout/bank";

/// A session registered with a `return_url`, as a redirected login needs.
fn session_returning(resume: ResumeAt) -> Session {
    Arc::new(LinkSession {
        return_url: Some(RETURN_URL.to_owned()),
        ..link_session(resume)
    })
}

fn oauth_state(session: Session, handoff: Handoff) -> State {
    State::OAuth {
        session,
        institution: Box::new(oauth_bank()),
        authorization: "fcauth_1".to_owned(),
        oauth_url: "https://bank.example/authorize?state=popup".to_owned(),
        handoff,
    }
}

fn waiting() -> Handoff {
    Handoff::Waiting {
        popup_blocked: false,
    }
}

fn redirected_authorization() -> Box<Authorization> {
    Box::new(Authorization {
        id: "fcauth_2".to_owned(),
        institution: oauth_bank(),
        state: AuthorizationState::AwaitingOauth {
            oauth_url: "https://bank.example/authorize?state=redirect".to_owned(),
        },
    })
}

#[test]
fn a_blocked_popup_tells_the_person_and_starts_the_login_again_in_redirect_mode() {
    let session = session_returning(ResumeAt::SelectInstitution);
    let (state, effects) = step(oauth_state(session.clone(), waiting()), Event::PopupBlocked);
    assert_eq!(state, oauth_state(session, Handoff::Redirecting));
    assert_eq!(
        effects,
        vec![
            Effect::Announce(format!(
                "Your browser blocked the bank's window. You'll continue at {} in this tab \
                 and come back here.",
                oauth_bank().name
            )),
            Effect::StartRedirectAuthorization {
                institution: oauth_bank().id,
            },
        ]
    );
}

#[test]
fn without_a_return_url_a_blocked_popup_offers_the_link_instead() {
    let (state, effects) = step(oauth_state(session(), waiting()), Event::PopupBlocked);
    assert_eq!(
        state,
        oauth_state(
            session(),
            Handoff::Waiting {
                popup_blocked: true
            }
        )
    );
    assert!(
        effects
            .iter()
            .all(|effect| !matches!(effect, Effect::StartRedirectAuthorization { .. }))
    );
}

#[test]
fn the_redirected_login_sends_the_page_to_the_bank() {
    let session = session_returning(ResumeAt::SelectInstitution);
    let (state, effects) = step(
        oauth_state(session.clone(), Handoff::Redirecting),
        Event::AuthorizationUpdated(redirected_authorization()),
    );
    assert_eq!(
        state,
        State::OAuth {
            session,
            institution: Box::new(oauth_bank()),
            authorization: "fcauth_2".to_owned(),
            oauth_url: "https://bank.example/authorize?state=redirect".to_owned(),
            handoff: Handoff::Redirecting,
        }
    );
    assert_eq!(
        effects,
        vec![Effect::Redirect {
            url: "https://bank.example/authorize?state=redirect".to_owned()
        }]
    );
}

#[test]
fn a_failed_redirect_start_can_be_retried_in_redirect_mode() {
    let session = session_returning(ResumeAt::SelectInstitution);
    let (state, _) = step(
        oauth_state(session.clone(), Handoff::Redirecting),
        Event::ApiFailed {
            request: Request::StartAuthorization,
            error: network_failure(),
            retryable: true,
        },
    );
    let State::Failed {
        retry: Some(retry), ..
    } = &state
    else {
        panic!("expected a failure with a retry, got {state:?}")
    };
    assert_eq!(
        retry.effect,
        Effect::StartRedirectAuthorization {
            institution: oauth_bank().id
        }
    );
    let (state, effects) = step(state, Event::Retry);
    assert_eq!(state, oauth_state(session, Handoff::Redirecting));
    assert_eq!(
        effects,
        vec![Effect::StartRedirectAuthorization {
            institution: oauth_bank().id
        }]
    );
}

#[test]
fn while_the_page_leaves_for_the_bank_there_is_no_window_to_reopen_and_no_polling() {
    let session = session_returning(ResumeAt::SelectInstitution);
    for event in [
        Event::ContinueToBank,
        Event::TimerFired,
        Event::PopupBlocked,
    ] {
        let before = oauth_state(session.clone(), Handoff::Redirecting);
        let (state, effects) = step(before.clone(), event.clone());
        assert_eq!(state, before, "{event:?}");
        assert!(
            matches!(effects.as_slice(), [Effect::Ignored { .. }]),
            "{event:?}: {effects:?}"
        );
    }
}

#[test]
fn closing_while_the_page_leaves_for_the_bank_cancels_the_session() {
    let session = session_returning(ResumeAt::SelectInstitution);
    let (state, effects) = step(
        oauth_state(session.clone(), Handoff::Redirecting),
        Event::Cancel,
    );
    assert_eq!(state, State::Cancelling { session });
    assert_eq!(
        effects,
        vec![Effect::Emit(HostEvent::Cancel), Effect::CancelSession]
    );
}

#[test]
fn back_from_the_bank_the_page_resumes_at_account_selection() {
    // The page loaded again after the bank authorized: the server says where the flow is.
    let authorized = Authorization {
        id: "fcauth_2".to_owned(),
        institution: oauth_bank(),
        state: AuthorizationState::Authorized,
    };
    let loaded = LinkSession {
        return_url: Some(RETURN_URL.to_owned()),
        ..link_session(ResumeAt::SelectAccounts {
            authorization: Box::new(authorized),
        })
    };
    let (state, effects) = step(State::Loading, Event::SessionLoaded(Box::new(loaded)));
    assert_eq!(state.name(), "loading_accounts");
    assert_eq!(
        effects,
        vec![
            Effect::Emit(HostEvent::Open),
            Effect::LoadAccounts {
                authorization: "fcauth_2".to_owned()
            }
        ]
    );
    let (state, _) = step(
        state,
        Event::AccountsLoaded(vec![account("fca_1", None), account("fca_2", None)]),
    );
    assert_eq!(state.name(), "select_accounts");
    assert_eq!(state.session().map(|s| s.consent_given), Some(true));
}

#[test]
fn a_reload_while_the_bank_still_waits_offers_the_bank_again() {
    // Back in a new tab (or reloaded) before finishing at the bank: the same authorization,
    // its hand-off screen, nothing typed again.
    let pending = Authorization {
        id: "fcauth_2".to_owned(),
        institution: oauth_bank(),
        state: AuthorizationState::AwaitingOauth {
            oauth_url: "https://bank.example/authorize?state=redirect".to_owned(),
        },
    };
    let loaded = link_session(ResumeAt::Authorization {
        authorization: Box::new(pending),
    });
    let (state, _) = step(State::Loading, Event::SessionLoaded(Box::new(loaded)));
    let State::OAuth {
        authorization,
        handoff,
        ..
    } = &state
    else {
        panic!("expected the OAuth hand-off, got {state:?}")
    };
    assert_eq!(authorization, "fcauth_2");
    assert_eq!(*handoff, Handoff::Ready);
}
