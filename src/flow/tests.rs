use finlink_protocol::{ErrorCode, LinkSession, Permission, ResumeAt, SessionStatus};

use super::*;

fn session(status: SessionStatus) -> Box<LinkSession> {
    Box::new(LinkSession {
        id: "fcsess_123".to_owned(),
        business_name: "Demo Shop".to_owned(),
        permissions: vec![Permission::PaymentMethod, Permission::Balances],
        filters: None,
        status,
        consent_given: false,
        resume: ResumeAt::Consent,
        accounts: Vec::new(),
        expires_at: 1_700_000_000,
        terms_url: "https://link.example/terms".to_owned(),
        privacy_url: "https://link.example/privacy".to_owned(),
    })
}

fn network_failure() -> Failure {
    Failure {
        code: None,
        message: "Could not reach finlink.".to_owned(),
    }
}

#[test]
fn starts_by_loading_the_session() {
    assert_eq!(start(), (State::Loading, vec![Effect::LoadSession]));
}

#[test]
fn an_open_session_shows_consent() {
    let open = session(SessionStatus::Open);
    let (state, effects) = step(State::Loading, Event::SessionLoaded(open.clone()));
    assert_eq!(state, State::Consent { session: open });
    assert!(effects.is_empty());
}

#[test]
fn an_ended_session_fails_for_good() {
    for (status, code) in [
        (SessionStatus::Completed, ErrorCode::SessionCompleted),
        (SessionStatus::Cancelled, ErrorCode::SessionCancelled),
        (SessionStatus::Expired, ErrorCode::SessionExpired),
    ] {
        let (state, effects) = step(State::Loading, Event::SessionLoaded(session(status)));
        match state {
            State::Failed { error, retry } => {
                assert_eq!(error.code, Some(code));
                assert!(!error.message.is_empty());
                assert!(!retry, "{status:?} cannot be retried");
            }
            other => panic!("{status:?} led to {other:?}"),
        }
        assert!(effects.is_empty());
    }
}

#[test]
fn a_failed_load_can_be_retried_when_retryable() {
    let (state, effects) = step(
        State::Loading,
        Event::ApiFailed {
            error: network_failure(),
            retryable: true,
        },
    );
    assert_eq!(
        state,
        State::Failed {
            error: network_failure(),
            retry: true
        }
    );
    assert!(effects.is_empty());

    let (state, effects) = step(state, Event::Retry);
    assert_eq!(state, State::Loading);
    assert_eq!(effects, vec![Effect::LoadSession]);
}

#[test]
fn a_final_failure_ignores_retry() {
    let failed = State::Failed {
        error: network_failure(),
        retry: false,
    };
    let (state, effects) = step(failed.clone(), Event::Retry);
    assert_eq!(state, failed);
    assert_eq!(
        effects,
        vec![Effect::Ignored {
            state: "failed",
            event: "retry"
        }]
    );
}

#[test]
fn events_that_do_not_apply_leave_the_state_unchanged() {
    let open = session(SessionStatus::Open);
    let consent = State::Consent {
        session: open.clone(),
    };
    let failed = State::Failed {
        error: network_failure(),
        retry: true,
    };
    let cases = [
        (State::Loading, Event::Retry),
        (consent.clone(), Event::SessionLoaded(open.clone())),
        (
            consent.clone(),
            Event::ApiFailed {
                error: network_failure(),
                retryable: true,
            },
        ),
        (consent, Event::Retry),
        (failed.clone(), Event::SessionLoaded(open)),
        (
            failed,
            Event::ApiFailed {
                error: network_failure(),
                retryable: false,
            },
        ),
    ];
    for (state, event) in cases {
        let names = (state.name(), event.name());
        let (next, effects) = step(state.clone(), event);
        assert_eq!(next, state, "{names:?} changed the state");
        assert_eq!(
            effects,
            vec![Effect::Ignored {
                state: names.0,
                event: names.1
            }]
        );
    }
}
