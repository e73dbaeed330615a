//! Returning users: the offer, the one-time code, the saved accounts, their consent and
//! linking, forgetting them, and saving accounts at success. One row per transition, then
//! whole flows against a scripted link API.

use std::collections::{BTreeSet, VecDeque};

use finlink_protocol::{
    AccountSelection, OneTimeCodeChallenge, OneTimeCodeStatus, SaveAccountsRequest, SavedAccount,
    SavedAccountsForgotten, SavedAccountsReceipt,
};

use super::*;

fn returning(event: ReturningUserEvent) -> Event {
    Event::ReturningUser(event)
}

fn announce(text: &str) -> Effect {
    Effect::Announce(text.to_owned())
}

fn shared(session: LinkSession) -> Session {
    Arc::new(session)
}

fn offer_session() -> Session {
    shared(returning_session(false))
}

fn verified_session() -> Session {
    shared(returning_session(true))
}

fn awaiting(
    challenge: Option<Box<OneTimeCodeChallenge>>,
    code: &str,
    submitting: Option<CodeRequest>,
    error: Option<Failure>,
) -> State {
    State::AwaitingCode {
        session: offer_session(),
        challenge,
        code: code.to_owned(),
        submitting,
        error,
    }
}

fn pending(attempts_remaining: u32) -> Box<OneTimeCodeChallenge> {
    challenge(OneTimeCodeStatus::Pending, attempts_remaining, None)
}

fn select_saved(selected: &[&str], error: Option<Failure>) -> State {
    State::SelectSavedAccounts {
        session: verified_session(),
        accounts: saved_accounts(),
        selected: selected.iter().map(|id| (*id).to_owned()).collect(),
        error,
    }
}

fn chosen() -> Vec<SavedAccount> {
    vec![saved_account("fcsa_1", None)]
}

/// A completed session whose business gave the person's email.
fn session_with_email(email: Option<&str>) -> Session {
    let mut session = link_session(ResumeAt::SelectInstitution);
    session.email = email.map(str::to_owned);
    shared(session)
}

fn success_with(save: Option<SaveOffer>) -> State {
    State::Success {
        session: session_with_email(Some(" Jenny.Rosen@Example.com ")),
        result: link_result(SessionStatus::Completed, &["fca_1"]),
        save,
    }
}

fn ticked(phone: &str) -> SaveOffer {
    SaveOffer {
        ticked: true,
        phone: phone.to_owned(),
        ..SaveOffer::default()
    }
}

fn linked_outcome() -> Effect {
    Effect::Finish(Outcome::Linked(link_result(
        SessionStatus::Completed,
        &["fca_1"],
    )))
}

struct Row {
    name: &'static str,
    before: State,
    event: Event,
    after: State,
    effects: Vec<Effect>,
}

fn rows() -> Vec<Row> {
    let failed_code = Failure::new(
        Some(ErrorCode::OneTimeCodeAttemptsExceeded),
        "Too many wrong codes.",
    );
    let without_saved = {
        let mut session = returning_session(false);
        session.returning_user = None;
        shared(session)
    };
    let consented = {
        let mut session = returning_session(true);
        session.consent_given = true;
        shared(session)
    };
    vec![
        Row {
            name: "a session whose email has saved accounts offers them before consent",
            before: State::Loading,
            event: Event::SessionLoaded(Box::new(returning_session(false))),
            after: State::ReturningUserOffer {
                session: offer_session(),
            },
            effects: vec![
                Effect::Emit(HostEvent::Open),
                Effect::Emit(HostEvent::ReturningUserDetected),
                announce(
                    "Welcome back. You saved bank accounts with finlink. We'll send a code to j•••@example.com.",
                ),
            ],
        },
        Row {
            name: "a reload after the right code resumes at the saved accounts",
            before: State::Loading,
            event: Event::SessionLoaded(Box::new(returning_session(true))),
            after: State::LoadingSavedAccounts {
                session: verified_session(),
            },
            effects: vec![Effect::Emit(HostEvent::Open), Effect::LoadSavedAccounts],
        },
        Row {
            name: "a session that already has consent is not offered saved accounts",
            before: State::Loading,
            event: Event::SessionLoaded(Box::new({
                let mut session = returning_session(false);
                session.consent_given = true;
                session.resume = ResumeAt::SelectInstitution;
                session
            })),
            after: State::SelectInstitution {
                session: shared({
                    let mut session = returning_session(false);
                    session.consent_given = true;
                    session.resume = ResumeAt::SelectInstitution;
                    session
                }),
                query: String::new(),
                results: Results::Searching {
                    previous: Vec::new(),
                },
                featured: Vec::new(),
                directory: Directory::Loading,
            },
            effects: vec![
                Effect::Emit(HostEvent::Open),
                Effect::Search {
                    query: String::new(),
                },
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "continue with saved accounts sends a code",
            before: State::ReturningUserOffer {
                session: offer_session(),
            },
            event: returning(ReturningUserEvent::SavedAccountsChosen),
            after: State::SendingCode {
                session: offer_session(),
            },
            effects: vec![Effect::SendCode],
        },
        Row {
            name: "use another account on the offer goes to consent and declines them for good",
            before: State::ReturningUserOffer {
                session: offer_session(),
            },
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "use another account while the code is sent declines them",
            before: State::SendingCode {
                session: offer_session(),
            },
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "use another account while the saved accounts load declines them",
            before: State::LoadingSavedAccounts {
                session: verified_session(),
            },
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "use another account on the saved accounts declines them",
            before: select_saved(&["fcsa_1"], None),
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "use another account on the saved accounts' consent declines them",
            before: State::SavedAccountsConsent {
                session: verified_session(),
                chosen: chosen(),
                submitting: None,
            },
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "use another account on a failure of the saved path declines them",
            before: State::Failed {
                session: Some(verified_session()),
                error: Failure::new(Some(ErrorCode::InternalError), "finlink failed"),
                retry: None,
            },
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "the recorded decline changes nothing on the normal flow",
            before: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            event: returning(ReturningUserEvent::Declined),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::Ignored {
                state: "consent",
                event: "declined",
            }],
        },
        Row {
            name: "a decline that failed is not shown, even when the session ended",
            before: State::Consent {
                session: without_saved.clone(),
                submitting: true,
            },
            event: Event::ApiFailed {
                request: Request::DeclineSavedAccounts,
                error: Failure::new(Some(ErrorCode::SessionExpired), "expired"),
                retryable: false,
            },
            after: State::Consent {
                session: without_saved.clone(),
                submitting: true,
            },
            effects: vec![Effect::Ignored {
                state: "consent",
                event: "api_failed",
            }],
        },
        Row {
            name: "a sent code shows the code step",
            before: State::SendingCode {
                session: offer_session(),
            },
            event: returning(ReturningUserEvent::CodeSent(pending(5))),
            after: awaiting(Some(pending(5)), "", None, None),
            effects: vec![announce("We sent a code to j•••@example.com.")],
        },
        Row {
            name: "a send refused for too many sends shows next to the code field",
            before: State::SendingCode {
                session: offer_session(),
            },
            event: Event::ApiFailed {
                request: Request::SendCode,
                error: Failure::new(Some(ErrorCode::OneTimeCodeResendLimited), "limited"),
                retryable: true,
            },
            after: awaiting(
                None,
                "",
                None,
                Some(Failure::new(
                    Some(ErrorCode::OneTimeCodeResendLimited),
                    "You can't get another code yet. Wait a little, then send a new code.",
                )),
            ),
            effects: vec![announce(
                "You can't get another code yet. Wait a little, then send a new code.",
            )],
        },
        Row {
            name: "a session without saved accounts after all goes on without them",
            before: State::SendingCode {
                session: offer_session(),
            },
            event: Event::ApiFailed {
                request: Request::SendCode,
                error: Failure::new(Some(ErrorCode::ReturningUserUnavailable), "unavailable"),
                retryable: false,
            },
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![
                announce("Your saved accounts aren't available. Link your account instead."),
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "typing the code keeps it",
            before: awaiting(Some(pending(5)), "12", None, None),
            event: returning(ReturningUserEvent::CodeChanged("123".to_owned())),
            after: awaiting(Some(pending(5)), "123", None, None),
            effects: vec![],
        },
        Row {
            name: "typing clears the refusal of the last code",
            before: awaiting(
                Some(pending(4)),
                "111111",
                None,
                Some(Failure::new(
                    None,
                    "That code isn't right. 4 attempts left.",
                )),
            ),
            event: returning(ReturningUserEvent::CodeChanged("11111".to_owned())),
            after: awaiting(Some(pending(4)), "11111", None, None),
            effects: vec![],
        },
        Row {
            name: "a code that is not six digits is refused here, using no attempt",
            before: awaiting(Some(pending(5)), "12a45", None, None),
            event: returning(ReturningUserEvent::CodeSubmitted),
            after: awaiting(
                Some(pending(5)),
                "12a45",
                None,
                Some(Failure::new(None, "Enter the 6-digit code from the email.")),
            ),
            effects: vec![announce("Enter the 6-digit code from the email.")],
        },
        Row {
            name: "six digits are sent to be checked, trimmed",
            before: awaiting(Some(pending(5)), " 123456 ", None, None),
            event: returning(ReturningUserEvent::CodeSubmitted),
            after: awaiting(
                Some(pending(5)),
                " 123456 ",
                Some(CodeRequest::Verify),
                None,
            ),
            effects: vec![Effect::VerifyCode {
                code: "123456".to_owned(),
            }],
        },
        Row {
            name: "verify is ignored while a code is checked",
            before: awaiting(Some(pending(5)), "123456", Some(CodeRequest::Verify), None),
            event: returning(ReturningUserEvent::CodeSubmitted),
            after: awaiting(Some(pending(5)), "123456", Some(CodeRequest::Verify), None),
            effects: vec![Effect::Ignored {
                state: "awaiting_code",
                event: "code_submitted",
            }],
        },
        Row {
            name: "a wrong code says how many attempts are left",
            before: awaiting(Some(pending(5)), "111111", Some(CodeRequest::Verify), None),
            event: returning(ReturningUserEvent::CodeChecked(challenge(
                OneTimeCodeStatus::Pending,
                4,
                Some(api_error(ErrorCode::OneTimeCodeIncorrect, "wrong")),
            ))),
            after: awaiting(
                Some(challenge(
                    OneTimeCodeStatus::Pending,
                    4,
                    Some(api_error(ErrorCode::OneTimeCodeIncorrect, "wrong")),
                )),
                "111111",
                None,
                Some(Failure::new(
                    Some(ErrorCode::OneTimeCodeIncorrect),
                    "That code isn't right. 4 attempts left.",
                )),
            ),
            effects: vec![announce("That code isn't right. 4 attempts left.")],
        },
        Row {
            name: "an expired code asks for a new one",
            before: awaiting(Some(pending(5)), "123456", Some(CodeRequest::Verify), None),
            event: returning(ReturningUserEvent::CodeChecked(challenge(
                OneTimeCodeStatus::Pending,
                5,
                Some(api_error(ErrorCode::OneTimeCodeExpired, "expired")),
            ))),
            after: awaiting(
                Some(challenge(
                    OneTimeCodeStatus::Pending,
                    5,
                    Some(api_error(ErrorCode::OneTimeCodeExpired, "expired")),
                )),
                "123456",
                None,
                Some(Failure::new(
                    Some(ErrorCode::OneTimeCodeExpired),
                    "This code has expired. Send a new code.",
                )),
            ),
            effects: vec![announce("This code has expired. Send a new code.")],
        },
        Row {
            name: "the fifth wrong code leaves only another account",
            before: awaiting(Some(pending(1)), "111111", Some(CodeRequest::Verify), None),
            event: returning(ReturningUserEvent::CodeChecked(challenge(
                OneTimeCodeStatus::Failed,
                0,
                Some(api_error(ErrorCode::OneTimeCodeAttemptsExceeded, "failed")),
            ))),
            after: awaiting(
                Some(challenge(
                    OneTimeCodeStatus::Failed,
                    0,
                    Some(api_error(ErrorCode::OneTimeCodeAttemptsExceeded, "failed")),
                )),
                "111111",
                None,
                Some(failed_code.clone()),
            ),
            effects: vec![announce("Too many wrong codes.")],
        },
        Row {
            name: "after too many wrong codes no code is sent",
            before: awaiting(
                Some(challenge(OneTimeCodeStatus::Failed, 0, None)),
                "",
                None,
                Some(failed_code.clone()),
            ),
            event: returning(ReturningUserEvent::NewCodeRequested),
            after: awaiting(
                Some(challenge(OneTimeCodeStatus::Failed, 0, None)),
                "",
                None,
                Some(failed_code.clone()),
            ),
            effects: vec![Effect::Ignored {
                state: "awaiting_code",
                event: "new_code_requested",
            }],
        },
        Row {
            name: "the right code is told to the host and loads the saved accounts",
            before: awaiting(Some(pending(4)), "123456", Some(CodeRequest::Verify), None),
            event: returning(ReturningUserEvent::CodeChecked(challenge(
                OneTimeCodeStatus::Verified,
                4,
                None,
            ))),
            after: State::LoadingSavedAccounts {
                session: verified_session(),
            },
            effects: vec![
                Effect::Emit(HostEvent::ReturningUserVerified),
                announce("Code verified."),
                Effect::LoadSavedAccounts,
            ],
        },
        Row {
            name: "send a new code asks for one",
            before: awaiting(Some(pending(4)), "1", None, None),
            event: returning(ReturningUserEvent::NewCodeRequested),
            after: awaiting(Some(pending(4)), "1", Some(CodeRequest::Resend), None),
            effects: vec![Effect::SendCode],
        },
        Row {
            name: "a new code clears the field",
            before: awaiting(Some(pending(4)), "1", Some(CodeRequest::Resend), None),
            event: returning(ReturningUserEvent::CodeSent(pending(4))),
            after: awaiting(Some(pending(4)), "", None, None),
            effects: vec![announce("We sent a new code to j•••@example.com.")],
        },
        Row {
            name: "a new code refused for too many sends shows next to the field",
            before: awaiting(Some(pending(4)), "1", Some(CodeRequest::Resend), None),
            event: Event::ApiFailed {
                request: Request::SendCode,
                error: Failure::new(Some(ErrorCode::OneTimeCodeResendLimited), "limited"),
                retryable: true,
            },
            after: awaiting(
                Some(pending(4)),
                "1",
                None,
                Some(Failure::new(
                    Some(ErrorCode::OneTimeCodeResendLimited),
                    "You can't get another code yet. Wait a little, then send a new code.",
                )),
            ),
            effects: vec![announce(
                "You can't get another code yet. Wait a little, then send a new code.",
            )],
        },
        Row {
            name: "a check that got no answer shows why next to the field",
            before: awaiting(Some(pending(4)), "123456", Some(CodeRequest::Verify), None),
            event: Event::ApiFailed {
                request: Request::VerifyCode,
                error: network_failure(),
                retryable: true,
            },
            after: awaiting(Some(pending(4)), "123456", None, Some(network_failure())),
            effects: vec![announce(&network_failure().message)],
        },
        Row {
            name: "use another account on the code step goes to consent and declines them",
            before: awaiting(Some(pending(4)), "1", None, None),
            event: returning(ReturningUserEvent::AnotherAccountChosen),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![Effect::LoadDirectory, Effect::DeclineSavedAccounts],
        },
        Row {
            name: "saved accounts arrive; two can be linked",
            before: State::LoadingSavedAccounts {
                session: verified_session(),
            },
            event: returning(ReturningUserEvent::SavedAccountsLoaded(saved_accounts())),
            after: select_saved(&[], None),
            effects: vec![announce("Your saved accounts: 2 can be linked.")],
        },
        Row {
            name: "one saved account that can be linked is picked for the person",
            before: State::LoadingSavedAccounts {
                session: verified_session(),
            },
            event: returning(ReturningUserEvent::SavedAccountsLoaded(vec![
                saved_account("fcsa_1", None),
                saved_account("fcsa_closed", Some(UnselectableReason::Inactive)),
            ])),
            after: State::SelectSavedAccounts {
                session: verified_session(),
                accounts: vec![
                    saved_account("fcsa_1", None),
                    saved_account("fcsa_closed", Some(UnselectableReason::Inactive)),
                ],
                selected: BTreeSet::from(["fcsa_1".to_owned()]),
                error: None,
            },
            effects: vec![announce("Your saved accounts: 1 can be linked.")],
        },
        Row {
            name: "saved accounts that failed to load can be retried",
            before: State::LoadingSavedAccounts {
                session: verified_session(),
            },
            event: Event::ApiFailed {
                request: Request::LoadSavedAccounts,
                error: network_failure(),
                retryable: true,
            },
            after: State::Failed {
                session: Some(verified_session()),
                error: network_failure(),
                retry: Some(Retry {
                    effect: Effect::LoadSavedAccounts,
                    resume: Box::new(State::LoadingSavedAccounts {
                        session: verified_session(),
                    }),
                }),
            },
            effects: vec![
                Effect::Emit(HostEvent::Error { error_code: None }),
                announce(&network_failure().message),
            ],
        },
        Row {
            name: "a saved account is ticked",
            before: select_saved(&[], None),
            event: returning(ReturningUserEvent::SavedAccountToggled("fcsa_2".to_owned())),
            after: select_saved(&["fcsa_2"], None),
            effects: vec![],
        },
        Row {
            name: "a closed saved account cannot be ticked",
            before: select_saved(&[], None),
            event: returning(ReturningUserEvent::SavedAccountToggled(
                "fcsa_closed".to_owned(),
            )),
            after: select_saved(&[], None),
            effects: vec![Effect::Ignored {
                state: "select_saved_accounts",
                event: "saved_account_toggled",
            }],
        },
        Row {
            name: "continue without a saved account says to pick one",
            before: select_saved(&[], None),
            event: returning(ReturningUserEvent::SavedAccountsConfirmed),
            after: select_saved(
                &[],
                Some(Failure::new(None, "Select at least one account.")),
            ),
            effects: vec![announce("Select at least one account.")],
        },
        Row {
            name: "continue with saved accounts asks consent for this business",
            before: select_saved(&["fcsa_1"], None),
            event: returning(ReturningUserEvent::SavedAccountsConfirmed),
            after: State::SavedAccountsConsent {
                session: verified_session(),
                chosen: chosen(),
                submitting: None,
            },
            effects: vec![Effect::Emit(HostEvent::AccountsSelected { count: 1 })],
        },
        Row {
            name: "forget my saved accounts forgets them",
            before: select_saved(&["fcsa_1"], None),
            event: returning(ReturningUserEvent::ForgetRequested),
            after: State::ForgettingSavedAccounts {
                session: verified_session(),
            },
            effects: vec![Effect::ForgetSavedAccounts],
        },
        Row {
            name: "forgotten accounts leave the normal flow, without the offer",
            before: State::ForgettingSavedAccounts {
                session: verified_session(),
            },
            event: returning(ReturningUserEvent::Forgotten(SavedAccountsForgotten {
                forgotten_accounts: 3,
            })),
            after: State::Consent {
                session: without_saved.clone(),
                submitting: false,
            },
            effects: vec![
                announce(
                    "Your saved accounts are forgotten. Accounts you already linked stay linked.",
                ),
                Effect::LoadDirectory,
            ],
        },
        Row {
            name: "consent for saved accounts is recorded first",
            before: State::SavedAccountsConsent {
                session: verified_session(),
                chosen: chosen(),
                submitting: None,
            },
            event: returning(ReturningUserEvent::SavedAccountsConsentGiven {
                idempotency_key: "key_1".to_owned(),
            }),
            after: State::SavedAccountsConsent {
                session: verified_session(),
                chosen: chosen(),
                submitting: Some("key_1".to_owned()),
            },
            effects: vec![Effect::GiveConsent {
                permissions: vec![Permission::PaymentMethod, Permission::Balances],
            }],
        },
        Row {
            name: "recorded consent links the saved accounts with the key",
            before: State::SavedAccountsConsent {
                session: verified_session(),
                chosen: chosen(),
                submitting: Some("key_1".to_owned()),
            },
            event: Event::ConsentRecorded(Box::new(LinkSession::clone(&consented))),
            after: State::LinkingSavedAccounts {
                session: consented.clone(),
                chosen: chosen(),
                idempotency_key: "key_1".to_owned(),
            },
            effects: vec![
                Effect::Emit(HostEvent::ConsentAcquired),
                Effect::AttachSavedAccounts {
                    accounts: vec!["fcsa_1".to_owned()],
                    idempotency_key: "key_1".to_owned(),
                },
            ],
        },
        Row {
            name: "a session that has consent links at once",
            before: State::SavedAccountsConsent {
                session: consented.clone(),
                chosen: chosen(),
                submitting: None,
            },
            event: returning(ReturningUserEvent::SavedAccountsConsentGiven {
                idempotency_key: "key_1".to_owned(),
            }),
            after: State::LinkingSavedAccounts {
                session: consented.clone(),
                chosen: chosen(),
                idempotency_key: "key_1".to_owned(),
            },
            effects: vec![Effect::AttachSavedAccounts {
                accounts: vec!["fcsa_1".to_owned()],
                idempotency_key: "key_1".to_owned(),
            }],
        },
        Row {
            name: "linked saved accounts complete the session",
            before: State::LinkingSavedAccounts {
                session: consented.clone(),
                chosen: chosen(),
                idempotency_key: "key_1".to_owned(),
            },
            event: Event::Linked(link_result(SessionStatus::Open, &["fca_new"])),
            after: State::LinkingSavedAccounts {
                session: consented.clone(),
                chosen: chosen(),
                idempotency_key: "key_1".to_owned(),
            },
            effects: vec![Effect::Complete],
        },
        Row {
            name: "saved accounts linked show success without the save offer",
            before: State::LinkingSavedAccounts {
                session: consented.clone(),
                chosen: chosen(),
                idempotency_key: "key_1".to_owned(),
            },
            event: Event::Completed(link_result(SessionStatus::Completed, &["fca_new"])),
            after: State::Success {
                session: consented.clone(),
                result: link_result(SessionStatus::Completed, &["fca_new"]),
                save: None,
            },
            effects: vec![
                Effect::Emit(HostEvent::Success),
                announce("1 account linked."),
            ],
        },
        Row {
            name: "linking saved accounts without an answer retries with the same key",
            before: State::LinkingSavedAccounts {
                session: consented.clone(),
                chosen: chosen(),
                idempotency_key: "key_1".to_owned(),
            },
            event: Event::ApiFailed {
                request: Request::AttachSavedAccounts,
                error: network_failure(),
                retryable: true,
            },
            after: State::Failed {
                session: Some(consented.clone()),
                error: network_failure(),
                retry: Some(Retry {
                    effect: Effect::AttachSavedAccounts {
                        accounts: vec!["fcsa_1".to_owned()],
                        idempotency_key: "key_1".to_owned(),
                    },
                    resume: Box::new(State::LinkingSavedAccounts {
                        session: consented.clone(),
                        chosen: chosen(),
                        idempotency_key: "key_1".to_owned(),
                    }),
                }),
            },
            effects: vec![
                Effect::Emit(HostEvent::Error { error_code: None }),
                announce(&network_failure().message),
            ],
        },
        Row {
            name: "the save offer is ticked",
            before: success_with(Some(SaveOffer::default())),
            event: returning(ReturningUserEvent::SaveToggled(true)),
            after: success_with(Some(ticked(""))),
            effects: vec![],
        },
        Row {
            name: "the phone typed stays and clears its error",
            before: success_with(Some(SaveOffer {
                error: Some(SaveError {
                    field: Some(SaveField::Phone),
                    message: "Enter a phone number like +1 415 555 0100, or leave it empty."
                        .to_owned(),
                }),
                ..ticked("555")
            })),
            event: returning(ReturningUserEvent::SavePhoneChanged("555 0".to_owned())),
            after: success_with(Some(ticked("555 0"))),
            effects: vec![],
        },
        Row {
            name: "done with the offer unticked finishes without saving",
            before: success_with(Some(SaveOffer::default())),
            event: Event::Done,
            after: State::Finished,
            effects: vec![linked_outcome()],
        },
        Row {
            name: "done with a wrong phone shows it next to the field",
            before: success_with(Some(ticked("555"))),
            event: Event::Done,
            after: success_with(Some(SaveOffer {
                error: Some(SaveError {
                    field: Some(SaveField::Phone),
                    message: "Enter a phone number like +1 415 555 0100, or leave it empty."
                        .to_owned(),
                }),
                ..ticked("555")
            })),
            effects: vec![announce(
                "Enter a phone number like +1 415 555 0100, or leave it empty.",
            )],
        },
        Row {
            name: "done saves under the email the business gave and the normalized phone",
            before: success_with(Some(ticked("(415) 555-0100"))),
            event: Event::Done,
            after: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("(415) 555-0100")
            })),
            effects: vec![Effect::SaveAccounts {
                request: SaveAccountsRequest {
                    email: " Jenny.Rosen@Example.com ".to_owned(),
                    phone: Some("+14155550100".to_owned()),
                },
            }],
        },
        Row {
            name: "done without a phone saves under the email alone",
            before: success_with(Some(ticked("  "))),
            event: Event::Done,
            after: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("  ")
            })),
            effects: vec![Effect::SaveAccounts {
                request: SaveAccountsRequest {
                    email: " Jenny.Rosen@Example.com ".to_owned(),
                    phone: None,
                },
            }],
        },
        Row {
            name: "saved accounts finish the flow",
            before: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("")
            })),
            event: returning(ReturningUserEvent::AccountsSaved(SavedAccountsReceipt {
                email_hint: "j•••@example.com".to_owned(),
                saved_accounts: 1,
            })),
            after: State::Finished,
            effects: vec![
                announce("Your accounts are saved with finlink for j•••@example.com."),
                linked_outcome(),
            ],
        },
        Row {
            name: "an email the server refused is said for the whole offer, which can be unticked",
            before: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("")
            })),
            event: Event::ApiFailed {
                request: Request::SaveAccounts,
                error: Failure::new(Some(ErrorCode::EmailInvalid), "bad"),
                retryable: false,
            },
            after: success_with(Some(SaveOffer {
                error: Some(SaveError {
                    field: None,
                    message:
                        "Your accounts can't be saved under this email. Untick the box to finish."
                            .to_owned(),
                }),
                ..ticked("")
            })),
            effects: vec![announce(
                "Your accounts can't be saved under this email. Untick the box to finish.",
            )],
        },
        Row {
            name: "a phone the server refused keeps the field and says why",
            before: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("+44 20 7946 0958")
            })),
            event: Event::ApiFailed {
                request: Request::SaveAccounts,
                error: Failure::new(Some(ErrorCode::PhoneInvalid), "bad"),
                retryable: false,
            },
            after: success_with(Some(SaveOffer {
                error: Some(SaveError {
                    field: Some(SaveField::Phone),
                    message: "Enter a phone number like +1 415 555 0100, or leave it empty."
                        .to_owned(),
                }),
                ..ticked("+44 20 7946 0958")
            })),
            effects: vec![announce(
                "Enter a phone number like +1 415 555 0100, or leave it empty.",
            )],
        },
        Row {
            name: "a save that failed because the session ended stays on success",
            before: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("")
            })),
            event: Event::ApiFailed {
                request: Request::SaveAccounts,
                error: Failure::new(
                    Some(ErrorCode::SessionExpired),
                    "This link has expired. Go back and start again.",
                ),
                retryable: false,
            },
            after: success_with(Some(SaveOffer {
                error: Some(SaveError {
                    field: None,
                    message: "This link has expired. Go back and start again.".to_owned(),
                }),
                ..ticked("")
            })),
            effects: vec![announce("This link has expired. Go back and start again.")],
        },
        Row {
            name: "done is ignored while saving",
            before: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("")
            })),
            event: Event::Done,
            after: success_with(Some(SaveOffer {
                saving: true,
                ..ticked("")
            })),
            effects: vec![Effect::Ignored {
                state: "success",
                event: "done",
            }],
        },
        Row {
            name: "no save offer after manual entry or saved accounts",
            before: success_with(None),
            event: returning(ReturningUserEvent::SaveToggled(true)),
            after: success_with(None),
            effects: vec![Effect::Ignored {
                state: "success",
                event: "save_toggled",
            }],
        },
        Row {
            name: "close on a returning step cancels the session",
            before: State::ReturningUserOffer {
                session: offer_session(),
            },
            event: Event::Cancel,
            after: State::Cancelling {
                session: offer_session(),
            },
            effects: vec![Effect::Emit(HostEvent::Cancel), Effect::CancelSession],
        },
    ]
}

#[test]
fn every_returning_user_transition() {
    for Row {
        name,
        before,
        event,
        after,
        effects,
    } in rows()
    {
        let (actual, actual_effects) = step(before, event);
        assert_eq!(actual, after, "state after: {name}");
        assert_eq!(actual_effects, effects, "effects of: {name}");
    }
}

#[test]
fn the_prefilled_email_is_the_one_the_business_gave() {
    let mut session = link_session(ResumeAt::SelectInstitution);
    session.email = Some("Jenny.Rosen@example.com".to_owned());
    let linking = State::Linking {
        session: shared(session),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        accounts: vec![account("fca_1", None)],
        selected: BTreeSet::from(["fca_1".to_owned()]),
        idempotency_key: "k".to_owned(),
    };
    let (state, _) = step(
        linking,
        Event::Completed(link_result(SessionStatus::Completed, &["fca_1"])),
    );
    let State::Success {
        save: Some(save), ..
    } = state
    else {
        panic!("success with the save offer, got {}", state.name());
    };
    assert!(!save.ticked, "unticked at first");
    assert_eq!(save.phone, "");
}

// ---- Whole flows ---------------------------------------------------------------------------

/// The returning-user API of the sandbox: the right code is `RIGHT_CODE`, 5 attempts per
/// session, the saved accounts above.
struct ScriptedServer {
    attempts_remaining: u32,
    verified: bool,
    forgotten: bool,
    sends: u32,
    attached: Vec<(Vec<String>, String)>,
    saved: Vec<SaveAccountsRequest>,
    /// Answers `SaveAccounts` with this failure once.
    save_failure: Option<Failure>,
    /// Declines recorded (`DeclineSavedAccounts`).
    declines: u32,
    /// Answers `DeclineSavedAccounts` with this failure once.
    decline_failure: Option<Failure>,
}

const RIGHT_CODE: &str = "424242";

impl ScriptedServer {
    fn new() -> Self {
        Self {
            attempts_remaining: 5,
            verified: false,
            forgotten: false,
            sends: 0,
            attached: Vec::new(),
            saved: Vec::new(),
            save_failure: None,
            declines: 0,
            decline_failure: None,
        }
    }

    fn challenge(&self, error: Option<ErrorCode>) -> Box<OneTimeCodeChallenge> {
        let status = if self.verified {
            OneTimeCodeStatus::Verified
        } else if self.attempts_remaining == 0 {
            OneTimeCodeStatus::Failed
        } else {
            OneTimeCodeStatus::Pending
        };
        challenge(
            status,
            self.attempts_remaining,
            error.map(|code| api_error(code, "refused")),
        )
    }

    fn session(&self, resume: ResumeAt) -> LinkSession {
        let mut session = returning_session(self.verified);
        session.consent_given = !matches!(resume, ResumeAt::Consent);
        session.resume = resume;
        if self.forgotten || self.declines > 0 {
            session.returning_user = None;
        }
        session
    }

    fn answer(&mut self, effect: &Effect) -> Option<Event> {
        Some(match effect {
            Effect::LoadSession => Event::SessionLoaded(Box::new(self.session(ResumeAt::Consent))),
            Effect::GiveConsent { .. } => {
                Event::ConsentRecorded(Box::new(self.session(ResumeAt::SelectInstitution)))
            }
            Effect::SendCode => {
                self.sends += 1;
                Event::ReturningUser(ReturningUserEvent::CodeSent(self.challenge(None)))
            }
            Effect::VerifyCode { code } => {
                if self.attempts_remaining == 0 {
                    Event::ReturningUser(ReturningUserEvent::CodeChecked(
                        self.challenge(Some(ErrorCode::OneTimeCodeAttemptsExceeded)),
                    ))
                } else if code == RIGHT_CODE {
                    self.verified = true;
                    Event::ReturningUser(ReturningUserEvent::CodeChecked(self.challenge(None)))
                } else {
                    self.attempts_remaining -= 1;
                    let error = if self.attempts_remaining == 0 {
                        ErrorCode::OneTimeCodeAttemptsExceeded
                    } else {
                        ErrorCode::OneTimeCodeIncorrect
                    };
                    Event::ReturningUser(ReturningUserEvent::CodeChecked(
                        self.challenge(Some(error)),
                    ))
                }
            }
            Effect::LoadSavedAccounts => {
                Event::ReturningUser(ReturningUserEvent::SavedAccountsLoaded(saved_accounts()))
            }
            Effect::AttachSavedAccounts {
                accounts,
                idempotency_key,
            } => {
                self.attached
                    .push((accounts.clone(), idempotency_key.clone()));
                Event::Linked(link_result(SessionStatus::Open, &["fca_new"]))
            }
            Effect::Complete => {
                Event::Completed(link_result(SessionStatus::Completed, &["fca_new"]))
            }
            Effect::ForgetSavedAccounts => {
                self.forgotten = true;
                Event::ReturningUser(ReturningUserEvent::Forgotten(SavedAccountsForgotten {
                    forgotten_accounts: 3,
                }))
            }
            Effect::DeclineSavedAccounts => {
                if let Some(error) = self.decline_failure.take() {
                    return Some(Event::ApiFailed {
                        request: Request::DeclineSavedAccounts,
                        error,
                        retryable: true,
                    });
                }
                self.declines += 1;
                Event::ReturningUser(ReturningUserEvent::Declined)
            }
            Effect::SaveAccounts { request } => {
                if let Some(error) = self.save_failure.take() {
                    return Some(Event::ApiFailed {
                        request: Request::SaveAccounts,
                        error,
                        retryable: true,
                    });
                }
                self.saved.push(request.clone());
                Event::ReturningUser(ReturningUserEvent::AccountsSaved(SavedAccountsReceipt {
                    email_hint: "j•••@example.com".to_owned(),
                    saved_accounts: 1,
                }))
            }
            Effect::CancelSession => {
                Event::SessionCancelled(Some(link_result(SessionStatus::Cancelled, &[])))
            }
            Effect::Search { query } => Event::InstitutionsLoaded {
                query: query.clone(),
                institutions: vec![credentials_bank()],
            },
            Effect::LoadDirectory
            | Effect::StartAuthorization { .. }
            | Effect::StartRedirectAuthorization { .. }
            | Effect::OpenPopup { .. }
            | Effect::Redirect { .. }
            | Effect::SubmitCredentials { .. }
            | Effect::SubmitMfa { .. }
            | Effect::PollAuthorization { .. }
            | Effect::StartTimer { .. }
            | Effect::LoadAccounts { .. }
            | Effect::AttachAccounts { .. }
            | Effect::CreateManualAccount { .. }
            | Effect::Emit(_)
            | Effect::Announce(_)
            | Effect::Finish(_)
            | Effect::Ignored { .. } => return None,
        })
    }
}

/// A widget run against the script, as the driver runs it.
struct Run {
    state: State,
    server: ScriptedServer,
    host_events: Vec<&'static str>,
    announcements: Vec<String>,
    outcomes: Vec<Outcome>,
}

impl Run {
    fn start(server: ScriptedServer) -> Self {
        let (state, effects) = start();
        let mut run = Self {
            state,
            server,
            host_events: Vec::new(),
            announcements: Vec::new(),
            outcomes: Vec::new(),
        };
        run.perform(effects);
        run
    }

    fn person(&mut self, event: Event) -> &mut Self {
        let state = std::mem::replace(&mut self.state, State::Loading);
        let (next, effects) = step(state, event);
        self.state = next;
        self.perform(effects);
        self
    }

    fn returning(&mut self, event: ReturningUserEvent) -> &mut Self {
        self.person(Event::ReturningUser(event))
    }

    fn types_code(&mut self, code: &str) -> &mut Self {
        self.returning(ReturningUserEvent::CodeChanged(code.to_owned()))
            .returning(ReturningUserEvent::CodeSubmitted)
    }

    fn perform(&mut self, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match &effect {
                Effect::Emit(event) => self.host_events.push(event.name()),
                Effect::Finish(outcome) => self.outcomes.push(outcome.clone()),
                Effect::Announce(text) => self.announcements.push(text.clone()),
                _ => {}
            }
            if let Some(answer) = self.server.answer(&effect) {
                let state = std::mem::replace(&mut self.state, State::Loading);
                let (next, more) = step(state, answer);
                self.state = next;
                queue.extend(more);
            }
        }
    }

    fn code_error(&self) -> Option<String> {
        match &self.state {
            State::AwaitingCode { error, .. } => error.as_ref().map(|e| e.message.clone()),
            state => panic!("expected the code step, got {}", state.name()),
        }
    }
}

#[test]
fn a_returning_person_links_saved_accounts_without_a_bank_login() {
    let mut run = Run::start(ScriptedServer::new());
    assert_eq!(run.state.name(), "returning_user_offer");
    run.returning(ReturningUserEvent::SavedAccountsChosen);
    assert_eq!(run.code_error(), None);
    run.types_code("111111");
    assert_eq!(
        run.code_error().as_deref(),
        Some("That code isn't right. 4 attempts left.")
    );
    run.types_code(RIGHT_CODE);
    assert_eq!(run.state.name(), "select_saved_accounts");
    run.returning(ReturningUserEvent::SavedAccountToggled("fcsa_2".to_owned()))
        .returning(ReturningUserEvent::SavedAccountsConfirmed);
    let State::SavedAccountsConsent { chosen, .. } = &run.state else {
        panic!("consent for this business, got {}", run.state.name());
    };
    assert_eq!(chosen.len(), 1);
    assert_eq!(chosen[0].id, "fcsa_2");
    run.returning(ReturningUserEvent::SavedAccountsConsentGiven {
        idempotency_key: "key_1".to_owned(),
    });
    assert_eq!(
        run.server.attached,
        [(vec!["fcsa_2".to_owned()], "key_1".to_owned())]
    );
    let State::Success { save, result, .. } = &run.state else {
        panic!("success, got {}", run.state.name());
    };
    assert_eq!(
        *save, None,
        "saved accounts are not offered for saving again"
    );
    assert_eq!(result.accounts.len(), 1);
    run.person(Event::Done);
    assert_eq!(
        run.host_events,
        [
            "open",
            "returning_user_detected",
            "returning_user_verified",
            "accounts_selected",
            "consent_acquired",
            "success",
        ]
    );
    assert!(matches!(run.outcomes.as_slice(), [Outcome::Linked(_)]));
    assert_eq!(run.server.sends, 1);
}

#[test]
fn use_another_account_goes_to_the_normal_flow_from_every_returning_step() {
    let offer = Run::start(ScriptedServer::new());
    let mut run = offer;
    run.returning(ReturningUserEvent::AnotherAccountChosen);
    assert_eq!(run.state.name(), "consent");
    run.person(Event::ConsentGiven);
    assert_eq!(run.state.name(), "select_institution");
    assert!(!run.host_events.contains(&"returning_user_verified"));

    let mut at_code = Run::start(ScriptedServer::new());
    at_code
        .returning(ReturningUserEvent::SavedAccountsChosen)
        .returning(ReturningUserEvent::AnotherAccountChosen);
    assert_eq!(at_code.state.name(), "consent");

    let mut at_accounts = Run::start(ScriptedServer::new());
    at_accounts
        .returning(ReturningUserEvent::SavedAccountsChosen)
        .types_code(RIGHT_CODE)
        .returning(ReturningUserEvent::AnotherAccountChosen);
    assert_eq!(at_accounts.state.name(), "consent");
}

#[test]
fn five_wrong_codes_leave_only_another_account() {
    let mut run = Run::start(ScriptedServer::new());
    run.returning(ReturningUserEvent::SavedAccountsChosen);
    for left in (1..5).rev() {
        run.types_code("000001");
        let expected = if left == 1 {
            "That code isn't right. 1 attempt left.".to_owned()
        } else {
            format!("That code isn't right. {left} attempts left.")
        };
        assert_eq!(run.code_error(), Some(expected));
    }
    run.types_code("000001");
    assert_eq!(run.code_error().as_deref(), Some("Too many wrong codes."));
    // Neither the right code nor a new one helps now.
    run.types_code(RIGHT_CODE)
        .returning(ReturningUserEvent::NewCodeRequested);
    assert_eq!(run.code_error().as_deref(), Some("Too many wrong codes."));
    assert!(!run.server.verified);
    assert_eq!(run.server.sends, 1);
    run.returning(ReturningUserEvent::AnotherAccountChosen);
    assert_eq!(run.state.name(), "consent");
}

#[test]
fn forgetting_saved_accounts_continues_without_them() {
    let mut run = Run::start(ScriptedServer::new());
    run.returning(ReturningUserEvent::SavedAccountsChosen)
        .types_code(RIGHT_CODE)
        .returning(ReturningUserEvent::ForgetRequested);
    assert!(run.server.forgotten);
    let State::Consent { session, .. } = &run.state else {
        panic!("consent, got {}", run.state.name());
    };
    assert_eq!(session.returning_user, None);
    assert!(
        run.announcements
            .iter()
            .any(|text| text.starts_with("Your saved accounts are forgotten."))
    );
    // A reload no longer offers them.
    let mut reload = Run {
        state: State::Loading,
        server: std::mem::replace(&mut run.server, ScriptedServer::new()),
        host_events: Vec::new(),
        announcements: Vec::new(),
        outcomes: Vec::new(),
    };
    reload.perform(vec![Effect::LoadSession]);
    assert_eq!(reload.state.name(), "consent");
    assert!(!reload.host_events.contains(&"returning_user_detected"));
}

#[test]
fn another_account_is_recorded_so_a_reload_resumes_in_the_normal_flow() {
    // Chosen at the offer, on the code step, and on the saved accounts (verified).
    let at_offer: fn(&mut Run) = |_| {};
    let at_code: fn(&mut Run) = |run| {
        run.returning(ReturningUserEvent::SavedAccountsChosen);
    };
    let at_accounts: fn(&mut Run) = |run| {
        run.returning(ReturningUserEvent::SavedAccountsChosen)
            .types_code(RIGHT_CODE);
    };
    for (name, before) in [
        ("offer", at_offer),
        ("code", at_code),
        ("accounts", at_accounts),
    ] {
        let mut run = Run::start(ScriptedServer::new());
        before(&mut run);
        run.returning(ReturningUserEvent::AnotherAccountChosen);
        assert_eq!(run.state.name(), "consent", "{name}");
        assert_eq!(run.server.declines, 1, "{name}");
        run.person(Event::ConsentGiven);
        assert_eq!(run.state.name(), "select_institution", "{name}");
        let server = std::mem::replace(&mut run.server, ScriptedServer::new());
        let reload = Run::start(server);
        assert_eq!(reload.state.name(), "consent", "{name}: reloaded");
        assert!(
            !reload.host_events.contains(&"returning_user_detected"),
            "{name}: {:?}",
            reload.host_events
        );
    }
}

#[test]
fn a_decline_that_fails_goes_unnoticed_and_a_reload_offers_the_saved_accounts_again() {
    let mut server = ScriptedServer::new();
    server.decline_failure = Some(Failure::new(
        Some(ErrorCode::SessionExpired),
        "This link has expired. Go back and start again.",
    ));
    let mut run = Run::start(server);
    let before = run.announcements.len();
    run.returning(ReturningUserEvent::AnotherAccountChosen);
    assert_eq!(run.state.name(), "consent");
    assert_eq!(run.announcements.len(), before, "{:?}", run.announcements);
    assert!(!run.host_events.contains(&"error"));
    assert_eq!(run.server.declines, 0);
    run.person(Event::ConsentGiven);
    assert_eq!(run.state.name(), "select_institution");
    // The only cost: the next load offers the saved accounts again.
    let server = std::mem::replace(&mut run.server, ScriptedServer::new());
    let mut reload = Run {
        state: State::Loading,
        server,
        host_events: Vec::new(),
        announcements: Vec::new(),
        outcomes: Vec::new(),
    };
    reload.perform(vec![Effect::LoadSession]);
    assert_eq!(reload.server.declines, 0);
    assert_eq!(reload.state.name(), "returning_user_offer");
}

#[test]
fn a_reload_after_the_right_code_resumes_at_the_saved_accounts() {
    let mut run = Run::start(ScriptedServer::new());
    run.returning(ReturningUserEvent::SavedAccountsChosen)
        .types_code(RIGHT_CODE);
    let server = std::mem::replace(&mut run.server, ScriptedServer::new());
    let mut reload = Run::start(server);
    assert_eq!(reload.state.name(), "select_saved_accounts");
    assert!(!reload.host_events.contains(&"returning_user_detected"));
    assert_eq!(reload.server.sends, 1, "no new code on reload");
    reload.returning(ReturningUserEvent::SavedAccountToggled("fcsa_1".to_owned()));
    let State::SelectSavedAccounts { selected, .. } = &reload.state else {
        panic!("saved accounts");
    };
    assert!(selected.contains("fcsa_1"));
}

/// A run at success after linking at a bank, with the email the business gave.
fn at_success(server: ScriptedServer, email: Option<&str>) -> Run {
    let linking = State::Linking {
        session: session_with_email(email),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        accounts: vec![account("fca_1", None)],
        selected: BTreeSet::from(["fca_1".to_owned()]),
        idempotency_key: "k".to_owned(),
    };
    let mut run = Run {
        state: linking,
        server,
        host_events: Vec::new(),
        announcements: Vec::new(),
        outcomes: Vec::new(),
    };
    run.person(Event::Completed(link_result(
        SessionStatus::Completed,
        &["fca_1"],
    )));
    run
}

fn save_offer(run: &Run) -> SaveOffer {
    match &run.state {
        State::Success {
            save: Some(save), ..
        } => save.clone(),
        state => panic!("success with the save offer, got {}", state.name()),
    }
}

#[test]
fn the_save_offer_appears_only_when_the_business_gave_an_email() {
    for email in [
        None,
        Some(""),
        Some("jenny"),
        Some("jenny@localhost"),
        Some("jenny rosen@example.com"),
    ] {
        let run = at_success(ScriptedServer::new(), email);
        assert!(
            matches!(&run.state, State::Success { save: None, .. }),
            "{email:?}: {}",
            run.state.name()
        );
    }
    let run = at_success(ScriptedServer::new(), Some("Jenny.Rosen@example.com"));
    assert_eq!(save_offer(&run), SaveOffer::default(), "unticked at first");
}

#[test]
fn saving_at_success_checks_the_phone_then_saves_under_the_business_email_and_finishes() {
    let mut run = at_success(ScriptedServer::new(), Some("Jenny.Rosen@example.com"));
    run.returning(ReturningUserEvent::SaveToggled(true))
        .returning(ReturningUserEvent::SavePhoneChanged("12".to_owned()))
        .person(Event::Done);
    assert_eq!(
        save_offer(&run).field_error(SaveField::Phone),
        Some("Enter a phone number like +1 415 555 0100, or leave it empty.")
    );
    assert!(run.server.saved.is_empty(), "nothing sent");
    run.returning(ReturningUserEvent::SavePhoneChanged(String::new()))
        .person(Event::Done);
    assert_eq!(
        run.server.saved,
        [SaveAccountsRequest {
            email: "Jenny.Rosen@example.com".to_owned(),
            phone: None,
        }]
    );
    assert!(matches!(run.outcomes.as_slice(), [Outcome::Linked(_)]));
}

#[test]
fn a_failed_save_keeps_the_fields_and_done_retries_or_unticking_finishes() {
    let mut server = ScriptedServer::new();
    server.save_failure = Some(network_failure());
    let mut run = at_success(server, Some("jenny.rosen@example.com"));
    run.returning(ReturningUserEvent::SaveToggled(true))
        .returning(ReturningUserEvent::SavePhoneChanged(
            "+44 20 7946 0958".to_owned(),
        ))
        .person(Event::Done);
    let offer = save_offer(&run);
    assert_eq!(offer.form_error(), Some(network_failure().message.as_str()));
    assert_eq!(offer.phone, "+44 20 7946 0958");
    assert!(run.outcomes.is_empty());
    run.person(Event::Done);
    assert_eq!(
        run.server.saved,
        [SaveAccountsRequest {
            email: "jenny.rosen@example.com".to_owned(),
            phone: Some("+442079460958".to_owned()),
        }]
    );
    assert_eq!(run.outcomes.len(), 1);

    let mut server = ScriptedServer::new();
    server.save_failure = Some(network_failure());
    let mut untick = at_success(server, Some("jenny.rosen@example.com"));
    untick
        .returning(ReturningUserEvent::SaveToggled(true))
        .person(Event::Done)
        .returning(ReturningUserEvent::SaveToggled(false))
        .person(Event::Done);
    assert!(untick.server.saved.is_empty());
    assert!(matches!(untick.outcomes.as_slice(), [Outcome::Linked(_)]));
}

fn api_failed(request: Request, code: ErrorCode, retryable: bool) -> Event {
    Event::ApiFailed {
        request,
        error: Failure::new(Some(code), "refused"),
        retryable,
    }
}

fn consented_session() -> Session {
    let mut session = returning_session(true);
    session.consent_given = true;
    shared(session)
}

fn linking_saved() -> State {
    State::LinkingSavedAccounts {
        session: consented_session(),
        chosen: chosen(),
        idempotency_key: "key_1".to_owned(),
    }
}

/// The state is the normal flow's first step for this session, which no longer offers saved
/// accounts, and the person heard why.
fn assert_normal_flow_without_saved_accounts(state: &State, effects: &[Effect], step_name: &str) {
    assert_eq!(state.name(), step_name);
    let session = state
        .session()
        .map(|session| session.returning_user.clone());
    assert_eq!(session, Some(None), "saved accounts no longer offered");
    assert!(
        matches!(effects.first(), Some(Effect::Announce(text)) if text.contains("Link your account instead")),
        "{effects:?}"
    );
}

#[test]
fn saved_accounts_that_are_gone_when_listed_lead_to_the_normal_flow() {
    for code in [
        ErrorCode::ReturningUserUnavailable,
        ErrorCode::OneTimeCodeRequired,
    ] {
        for retryable in [false, true] {
            let loading = State::LoadingSavedAccounts {
                session: verified_session(),
            };
            let (state, effects) = step(
                loading,
                api_failed(Request::LoadSavedAccounts, code, retryable),
            );
            assert_normal_flow_without_saved_accounts(&state, &effects, "consent");
            assert!(effects.contains(&Effect::LoadDirectory));
        }
    }
}

#[test]
fn saved_accounts_that_are_gone_when_linked_lead_to_the_bank_list() {
    for code in [
        ErrorCode::ReturningUserUnavailable,
        ErrorCode::OneTimeCodeRequired,
    ] {
        let (state, effects) = step(
            linking_saved(),
            api_failed(Request::AttachSavedAccounts, code, false),
        );
        // Consent was given for this business: the normal flow goes on at the bank list.
        assert_normal_flow_without_saved_accounts(&state, &effects, "select_institution");
    }
}

#[test]
fn a_saved_account_no_longer_linkable_goes_back_to_the_list_with_the_error_and_reloads_it() {
    let (state, effects) = step(
        linking_saved(),
        api_failed(
            Request::AttachSavedAccounts,
            ErrorCode::AccountNotSelectable,
            false,
        ),
    );
    let message = "An account you chose can't be linked here any more. Choose again.";
    assert_eq!(
        effects,
        [announce(message), Effect::LoadSavedAccounts],
        "said, and the list fetched again"
    );
    let State::SelectSavedAccounts {
        selected, error, ..
    } = &state
    else {
        panic!("saved accounts, got {}", state.name());
    };
    assert!(selected.is_empty());
    assert_eq!(
        error.as_ref().map(|error| error.message.as_str()),
        Some(message)
    );

    // The list arrives again: the closed account is now said to be so; the error stays.
    let reloaded = vec![
        saved_account("fcsa_1", Some(UnselectableReason::Inactive)),
        saved_account("fcsa_2", None),
    ];
    let (state, _) = step(
        state,
        returning(ReturningUserEvent::SavedAccountsLoaded(reloaded.clone())),
    );
    let State::SelectSavedAccounts {
        accounts,
        selected,
        error,
        ..
    } = &state
    else {
        panic!("saved accounts, got {}", state.name());
    };
    assert_eq!(accounts, &reloaded);
    assert_eq!(selected, &BTreeSet::from(["fcsa_2".to_owned()]));
    assert_eq!(
        error.as_ref().map(|error| error.message.as_str()),
        Some(message)
    );

    // Forgotten meanwhile: the reload leads to the normal flow.
    let (state, effects) = step(
        state,
        api_failed(
            Request::LoadSavedAccounts,
            ErrorCode::ReturningUserUnavailable,
            false,
        ),
    );
    assert_normal_flow_without_saved_accounts(&state, &effects, "select_institution");
}

#[test]
fn a_failure_on_the_saved_path_before_consent_offers_another_account() {
    let failure = Failure::new(Some(ErrorCode::InternalError), "finlink failed");
    let (failed, _) = step(
        State::LoadingSavedAccounts {
            session: verified_session(),
        },
        Event::ApiFailed {
            request: Request::LoadSavedAccounts,
            error: failure,
            retryable: false,
        },
    );
    assert!(matches!(failed, State::Failed { retry: None, .. }));
    assert!(!failed.can_go_back());
    assert!(failed.offers_another_account());
    let (state, effects) = step(failed, returning(ReturningUserEvent::AnotherAccountChosen));
    assert_eq!(state.name(), "consent");
    assert_eq!(
        effects,
        [Effect::LoadDirectory, Effect::DeclineSavedAccounts]
    );

    // After consent, "Pick another bank" leads to the normal flow instead.
    let (failed, _) = step(
        linking_saved(),
        api_failed(
            Request::AttachSavedAccounts,
            ErrorCode::InternalError,
            false,
        ),
    );
    assert!(failed.can_go_back());
    assert!(!failed.offers_another_account());

    // A session that ended offers neither.
    let (ended, _) = step(
        State::LoadingSavedAccounts {
            session: verified_session(),
        },
        api_failed(Request::LoadSavedAccounts, ErrorCode::SessionExpired, false),
    );
    assert!(!ended.offers_another_account());
    let (state, _) = step(ended, returning(ReturningUserEvent::AnotherAccountChosen));
    assert_ne!(state.name(), "consent");
}

#[test]
fn single_selection_saved_accounts_are_a_radio_choice() {
    let mut session = returning_session(true);
    session.account_selection = AccountSelection::Single;
    let state = State::SelectSavedAccounts {
        session: shared(session),
        accounts: saved_accounts(),
        selected: BTreeSet::new(),
        error: None,
    };
    let (state, _) = step(
        state,
        returning(ReturningUserEvent::SavedAccountToggled("fcsa_1".to_owned())),
    );
    let (state, _) = step(
        state,
        returning(ReturningUserEvent::SavedAccountToggled("fcsa_2".to_owned())),
    );
    let State::SelectSavedAccounts { selected, .. } = state else {
        panic!("saved accounts");
    };
    assert_eq!(selected, BTreeSet::from(["fcsa_2".to_owned()]));
}

#[test]
fn codes_of_another_shape_are_refused_without_being_sent() {
    for code in ["", "12345", "1234567", "12 456", "١٢٣٤٥٦", "abcdef"] {
        let (state, effects) = step(
            awaiting(Some(pending(5)), code, None, None),
            returning(ReturningUserEvent::CodeSubmitted),
        );
        assert_eq!(
            effects,
            [announce("Enter the 6-digit code from the email.")],
            "{code:?}"
        );
        assert!(matches!(
            state,
            State::AwaitingCode {
                submitting: None,
                ..
            }
        ));
    }
    let (_, effects) = step(
        awaiting(Some(pending(5)), " 000000 ", None, None),
        returning(ReturningUserEvent::CodeSubmitted),
    );
    assert_eq!(
        effects,
        [Effect::VerifyCode {
            code: "000000".to_owned()
        }]
    );
}
