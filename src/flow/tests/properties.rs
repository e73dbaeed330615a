//! Properties over any sequence of events: the flow never panics, finishes at most once,
//! ignores everything after finishing, and its states stay valid.

use finlink_protocol::{
    OneTimeCodeChallenge, OneTimeCodeStatus, ReturningUser, SavedAccountsForgotten,
    SavedAccountsReceipt,
};
use proptest::prelude::*;

use super::*;

fn any_failure() -> impl Strategy<Value = Failure> {
    prop_oneof![
        Just(network_failure()),
        Just(Failure::new(Some(ErrorCode::SessionExpired), "expired")),
        Just(Failure::new(Some(ErrorCode::InvalidCredentials), "wrong")),
        Just(Failure::new(Some(ErrorCode::InstitutionError), "bank")),
        Just(Failure::new(
            Some(ErrorCode::RoutingNumberUnknown),
            "unknown"
        )),
        Just(Failure::new(Some(ErrorCode::BankAccountClosed), "closed")),
        Just(Failure::new(
            Some(ErrorCode::MicrodepositsFailed),
            "not sent"
        )),
        Just(Failure::new(
            Some(ErrorCode::OneTimeCodeResendLimited),
            "limited"
        )),
        Just(Failure::new(
            Some(ErrorCode::OneTimeCodeAttemptsExceeded),
            "too many"
        )),
        Just(Failure::new(
            Some(ErrorCode::ReturningUserUnavailable),
            "unavailable"
        )),
        Just(Failure::new(
            Some(ErrorCode::OneTimeCodeRequired),
            "required"
        )),
        Just(Failure::new(Some(ErrorCode::EmailInvalid), "email")),
    ]
}

fn any_verification_method() -> impl Strategy<Value = Option<VerificationMethod>> {
    prop_oneof![
        Just(None),
        Just(Some(VerificationMethod::Automatic)),
        Just(Some(VerificationMethod::Instant)),
        Just(Some(VerificationMethod::Microdeposits)),
    ]
}

fn any_manual_input() -> impl Strategy<Value = ManualInput> {
    let routing = prop_oneof![
        Just(ROUTING_NUMBER.to_owned()),
        Just("110000001".to_owned()),
        "[0-9a]{0,10}",
    ];
    prop_oneof![
        routing.prop_map(ManualInput::RoutingNumber),
        prop_oneof![Just("12345".to_owned()), "[0-9]{0,6}"].prop_map(ManualInput::AccountNumber),
        prop_oneof![Just("12345".to_owned()), "[0-9]{0,6}"]
            .prop_map(ManualInput::AccountNumberConfirmation),
        prop_oneof![
            Just(BankAccountType::Checking),
            Just(BankAccountType::Savings)
        ]
        .prop_map(ManualInput::AccountType),
        "[a-z ]{0,3}".prop_map(ManualInput::AccountHolderName),
    ]
}

fn any_returning_user() -> impl Strategy<Value = Option<ReturningUser>> {
    prop_oneof![
        Just(None),
        any::<bool>().prop_map(|verified| Some(ReturningUser {
            email_hint: "j•••@example.com".to_owned(),
            verified,
        })),
    ]
}

fn any_challenge() -> impl Strategy<Value = Box<OneTimeCodeChallenge>> {
    (
        prop_oneof![
            Just(OneTimeCodeStatus::Pending),
            Just(OneTimeCodeStatus::Verified),
            Just(OneTimeCodeStatus::Failed),
        ],
        0u32..6,
        prop_oneof![
            Just(None),
            Just(Some(api_error(ErrorCode::OneTimeCodeIncorrect, "wrong"))),
            Just(Some(api_error(ErrorCode::OneTimeCodeExpired, "expired"))),
        ],
    )
        .prop_map(|(status, attempts_remaining, error)| {
            challenge(status, attempts_remaining, error)
        })
}

fn any_returning_event() -> impl Strategy<Value = ReturningUserEvent> {
    let saved_id = prop_oneof![
        Just("fcsa_1".to_owned()),
        Just("fcsa_2".to_owned()),
        Just("fcsa_closed".to_owned()),
        Just("fcsa_ghost".to_owned())
    ];
    prop_oneof![
        Just(ReturningUserEvent::SavedAccountsChosen),
        Just(ReturningUserEvent::AnotherAccountChosen),
        prop_oneof![Just("123456".to_owned()), "[0-9a ]{0,7}"]
            .prop_map(ReturningUserEvent::CodeChanged),
        Just(ReturningUserEvent::CodeSubmitted),
        Just(ReturningUserEvent::NewCodeRequested),
        saved_id.prop_map(ReturningUserEvent::SavedAccountToggled),
        Just(ReturningUserEvent::SavedAccountsConfirmed),
        "[a-z]{1,3}".prop_map(|idempotency_key| {
            ReturningUserEvent::SavedAccountsConsentGiven { idempotency_key }
        }),
        Just(ReturningUserEvent::ForgetRequested),
        any::<bool>().prop_map(ReturningUserEvent::SaveToggled),
        prop_oneof![Just("(415) 555-0100".to_owned()), "[0-9x]{0,4}"]
            .prop_map(ReturningUserEvent::SavePhoneChanged),
        any_challenge().prop_map(ReturningUserEvent::CodeSent),
        any_challenge().prop_map(ReturningUserEvent::CodeChecked),
        Just(ReturningUserEvent::SavedAccountsLoaded(saved_accounts())),
        Just(ReturningUserEvent::Forgotten(SavedAccountsForgotten {
            forgotten_accounts: 2
        })),
        Just(ReturningUserEvent::Declined),
        Just(ReturningUserEvent::AccountsSaved(SavedAccountsReceipt {
            email_hint: "j•••@example.com".to_owned(),
            saved_accounts: 2
        })),
    ]
}

fn any_request() -> impl Strategy<Value = Request> {
    prop_oneof![
        Just(Request::LoadSession),
        Just(Request::GiveConsent),
        Just(Request::Search),
        Just(Request::StartAuthorization),
        Just(Request::SubmitCredentials),
        Just(Request::SubmitMfa),
        Just(Request::PollAuthorization),
        Just(Request::LoadAccounts),
        Just(Request::AttachAccounts),
        Just(Request::CreateManualAccount),
        Just(Request::Complete),
        Just(Request::CancelSession),
        Just(Request::SendCode),
        Just(Request::VerifyCode),
        Just(Request::LoadSavedAccounts),
        Just(Request::AttachSavedAccounts),
        Just(Request::ForgetSavedAccounts),
        Just(Request::DeclineSavedAccounts),
        Just(Request::SaveAccounts),
    ]
}

fn any_authorization_state() -> impl Strategy<Value = AuthorizationState> {
    prop_oneof![
        Just(AuthorizationState::AwaitingOauth {
            oauth_url: "https://bank.example/a".to_owned()
        }),
        (0u32..6).prop_map(
            |attempts_remaining| AuthorizationState::AwaitingCredentials {
                error: None,
                attempts_remaining
            }
        ),
        Just(AuthorizationState::AwaitingMfa {
            challenge: mfa_code(),
            error: None,
            attempts_remaining: 3
        }),
        Just(AuthorizationState::Authorized),
        Just(AuthorizationState::Failed {
            error: api_error(ErrorCode::AccountLocked, "locked")
        }),
    ]
}

fn any_institution() -> impl Strategy<Value = Institution> {
    prop_oneof![
        Just(credentials_bank()),
        Just(oauth_bank()),
        Just(institution(
            "ins_down",
            AuthMethod::Credentials,
            InstitutionStatus::DownScheduled
        )),
    ]
}

fn any_resume() -> impl Strategy<Value = ResumeAt> {
    prop_oneof![
        Just(ResumeAt::Consent),
        Just(ResumeAt::SelectInstitution),
        any_authorization_state().prop_map(|state| ResumeAt::Authorization {
            authorization: authorization(&oauth_bank(), state)
        }),
        Just(ResumeAt::SelectAccounts {
            authorization: authorization(&credentials_bank(), AuthorizationState::Authorized)
        }),
    ]
}

fn any_event() -> impl Strategy<Value = Event> {
    let account_id = prop_oneof![
        Just("fca_1".to_owned()),
        Just("fca_2".to_owned()),
        Just("fca_card".to_owned()),
        Just("fca_ghost".to_owned())
    ];
    prop_oneof![
        Just(Event::ConsentGiven),
        "[a-z ]{0,4}".prop_map(Event::QueryChanged),
        any_institution().prop_map(|i| Event::InstitutionChosen(Box::new(i))),
        Just(Event::ContinueToBank),
        (
            "[a-z]{0,3}",
            prop_oneof![Just(String::new()), Just("pass_good".to_owned())]
        )
            .prop_map(|(username, password)| Event::CredentialsSubmitted { username, password }),
        "[0-9]{0,6}".prop_map(Event::MfaAnswered),
        account_id.prop_map(Event::AccountToggled),
        "[a-z]{1,3}".prop_map(|idempotency_key| Event::AccountsConfirmed { idempotency_key }),
        Just(Event::Back),
        Just(Event::Cancel),
        Just(Event::Retry),
        Just(Event::Done),
        (
            any_resume(),
            any_verification_method(),
            any_returning_user()
        )
            .prop_map(|(resume, method, returning_user)| {
                let mut session = link_session(resume);
                session.verification_method = method;
                session.email = returning_user
                    .as_ref()
                    .map(|_| "jenny.rosen@example.com".to_owned());
                session.returning_user = returning_user;
                Event::SessionLoaded(Box::new(session))
            }),
        any_returning_event().prop_map(Event::ReturningUser),
        any_verification_method().prop_map(|method| {
            let mut session = link_session(ResumeAt::SelectInstitution);
            session.verification_method = method;
            Event::ConsentRecorded(Box::new(session))
        }),
        Just(Event::ManualEntryChosen),
        any_manual_input().prop_map(Event::ManualInputChanged),
        "[a-z]{1,3}".prop_map(|idempotency_key| Event::ManualDetailsSubmitted { idempotency_key }),
        Just(Event::ManualAccountCreated(manual_result(
            SessionStatus::Open
        ))),
        Just(Event::Completed(manual_result(SessionStatus::Completed))),
        (
            "[a-z ]{0,4}",
            prop::collection::vec(any_institution(), 0..3)
        )
            .prop_map(|(query, institutions)| Event::InstitutionsLoaded {
                query,
                institutions
            }),
        Just(Event::DirectoryLoaded(Some(local_directory()))),
        Just(Event::DirectoryLoaded(Some(routing_directory()))),
        Just(Event::DirectoryLoaded(None)),
        (any_institution(), any_authorization_state())
            .prop_map(|(i, state)| Event::AuthorizationUpdated(authorization(&i, state))),
        Just(Event::AccountsLoaded(vec![
            account("fca_1", None),
            account("fca_2", None),
            account("fca_card", Some(UnselectableReason::UnsupportedForPayments))
        ])),
        Just(Event::Linked(link_result(SessionStatus::Open, &["fca_1"]))),
        Just(Event::Completed(link_result(
            SessionStatus::Completed,
            &["fca_1"]
        ))),
        Just(Event::SessionCancelled(None)),
        (any_request(), any_failure(), any::<bool>()).prop_map(|(request, error, retryable)| {
            Event::ApiFailed {
                request,
                error,
                retryable,
            }
        }),
        Just(Event::TimerFired),
        Just(Event::PopupBlocked),
        any::<bool>().prop_map(Event::Connectivity),
    ]
}

/// What every state must satisfy, whatever led to it.
fn assert_valid(state: &State) {
    match state {
        State::SelectAccounts {
            accounts, selected, ..
        } => {
            for id in selected {
                let account = accounts.iter().find(|account| &account.id == id);
                assert!(
                    account.is_some_and(|account| account.unselectable_reason.is_none()),
                    "selected {id} must be selectable"
                );
            }
        }
        State::Linking { selected, .. } => {
            assert!(!selected.is_empty(), "linking needs a selection")
        }
        State::SelectSavedAccounts {
            accounts, selected, ..
        } => {
            for id in selected {
                let account = accounts.iter().find(|account| &account.id == id);
                assert!(
                    account.is_some_and(|account| account.unselectable_reason.is_none()),
                    "selected saved account {id} must be selectable"
                );
            }
        }
        State::LinkingSavedAccounts { chosen, .. } => {
            assert!(!chosen.is_empty(), "linking saved accounts needs a choice")
        }
        State::AwaitingCode {
            code, submitting, ..
        } => {
            if *submitting == Some(CodeRequest::Verify) {
                assert!(
                    finlink_protocol::one_time_code_well_formed(code.trim()),
                    "only a well-formed code is sent"
                );
            }
        }
        State::Success {
            session,
            save: Some(save),
            ..
        } => {
            assert!(
                crate::flow::save_email(session.email.as_deref()).is_some(),
                "offered only under an email the business gave"
            );
            if save.saving {
                assert!(save.ticked, "saving only what the person ticked");
                assert!(save.checked_phone().is_ok(), "only a valid phone is sent");
            }
        }
        State::Success { save: None, .. } => {}
        State::Failed {
            retry: Some(retry), ..
        } => assert!(!matches!(
            *retry.resume,
            State::Failed { .. } | State::Finished
        )),
        State::ManualEntry { form, session, .. } => {
            assert!(
                offers_manual_entry(session),
                "manual entry only where the session allows it"
            );
            if form.submitting.is_some() {
                assert!(form.errors().is_empty(), "only a valid form is sent");
                assert!(form.retry_key.is_none(), "one key at a time");
            }
        }
        State::Loading
        | State::Consent { .. }
        | State::SelectInstitution { .. }
        | State::StartingAuthorization { .. }
        | State::OAuth { .. }
        | State::Credentials { .. }
        | State::Mfa { .. }
        | State::LoadingAccounts { .. }
        | State::Completing { .. }
        | State::ReturningUserOffer { .. }
        | State::SendingCode { .. }
        | State::LoadingSavedAccounts { .. }
        | State::SavedAccountsConsent { .. }
        | State::ForgettingSavedAccounts { .. }
        | State::Failed { retry: None, .. }
        | State::Cancelling { .. }
        | State::Finished => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_sequence_of_events_keeps_the_flow_valid_and_finishes_at_most_once(events in prop::collection::vec(any_event(), 0..60)) {
        let (mut state, _) = start();
        let mut finishes = 0;
        for event in events {
            let finished_before = matches!(state, State::Finished);
            let (next, effects) = step(state, event);
            finishes += effects.iter().filter(|effect| matches!(effect, Effect::Finish(_))).count();
            if finished_before {
                prop_assert!(matches!(next, State::Finished), "finished is final");
                let quiet = effects.iter().all(|effect| matches!(effect, Effect::Ignored { .. } | Effect::Announce(_)));
                prop_assert!(quiet, "a finished flow does nothing more");
            }
            let finishing = effects.iter().any(|effect| matches!(effect, Effect::Finish(_)));
            prop_assert!(!finishing || matches!(next, State::Finished), "finishing leaves the flow finished");
            assert_valid(&next);
            state = next;
        }
        prop_assert!(finishes <= 1);
    }

    #[test]
    fn an_ignored_event_leaves_the_state_unchanged(events in prop::collection::vec(any_event(), 1..40)) {
        let (mut state, _) = start();
        for event in events {
            let before = state.clone();
            let (next, effects) = step(state, event);
            if matches!(effects.as_slice(), [Effect::Ignored { .. }]) {
                prop_assert_eq!(&next, &before);
            }
            state = next;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The dialog shows Back exactly where Back leads somewhere.
    #[test]
    fn back_is_offered_exactly_where_it_leads_somewhere(events in prop::collection::vec(any_event(), 0..40)) {
        let (mut state, _) = start();
        for event in events {
            let offered = state.can_go_back();
            let (_, effects) = step(state.clone(), Event::Back);
            let ignored = matches!(effects.as_slice(), [Effect::Ignored { .. }]);
            prop_assert_eq!(offered, !ignored, "Back in {}", state.name());
            state = step(state, event).0;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The save offer is made for exactly the emails the server's `normalize_email` accepts.
    #[test]
    fn the_widget_reads_emails_as_the_server_does(text in prop_oneof![
        "[ a-zA-Z0-9@.\t\u{7}é-]{0,12}",
        "[a-zA-Z]{1,4}@[a-zA-Z]{1,4}\\.[a-zA-Z]{1,3}",
        "[a-z]{240,250}@example\\.com",
    ]) {
        let offered = crate::flow::save_email(Some(&text));
        let normalized = finlink_protocol::normalize_email(&text);
        prop_assert_eq!(offered.is_some(), normalized.is_some(), "{:?}", text);
    }
}
