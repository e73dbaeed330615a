//! The verification page's transitions, one row each: the state before, the event, the state
//! after and the effects.

use finlink_protocol::{
    ApiError, BankAccountType, ErrorCode, ErrorType, LinkVerification, MicrodepositType,
    VerificationFailure, VerificationStatus, VerifyMicrodepositsRequest,
};

use super::machine::*;
use crate::flow::Failure;

fn verification(kind: MicrodepositType) -> LinkVerification {
    LinkVerification {
        business_name: "Acme Bikes".to_owned(),
        institution_name: "Sandbox Community Bank".to_owned(),
        account_type: BankAccountType::Checking,
        last4: "6789".to_owned(),
        status: VerificationStatus::Pending,
        microdeposit_type: kind,
        failure_reason: None,
        attempts_remaining: 3,
        arrival_date: 1_800_000_000,
        expires_at: 1_800_864_000,
        error: None,
    }
}

fn amounts() -> Box<LinkVerification> {
    Box::new(verification(MicrodepositType::Amounts))
}

fn code() -> Box<LinkVerification> {
    Box::new(verification(MicrodepositType::DescriptorCode))
}

/// The same verification after a wrong answer: one attempt less, and the server's error.
fn after_wrong(mut verification: Box<LinkVerification>) -> Box<LinkVerification> {
    verification.attempts_remaining -= 1;
    verification.error = Some(ApiError {
        kind: ErrorType::InvalidRequestError,
        code: ErrorCode::MicrodepositsMismatch,
        message: "The amounts do not match.".to_owned(),
        param: None,
        request_id: Some("req_1".to_owned()),
    });
    verification
}

fn with_status(
    mut verification: Box<LinkVerification>,
    status: VerificationStatus,
    reason: Option<VerificationFailure>,
) -> Box<LinkVerification> {
    verification.status = status;
    verification.failure_reason = reason;
    if reason == Some(VerificationFailure::TooManyAttempts) {
        verification.attempts_remaining = 0;
    }
    verification
}

fn typed(first: &str, second: &str) -> Answer {
    Answer::Amounts([first.to_owned(), second.to_owned()])
}

fn form(typed: Answer, problem: Option<Problem>, submitting: bool, refusals: u32) -> AnswerForm {
    AnswerForm {
        typed,
        problem,
        submitting,
        refusals,
    }
}

fn answering(verification: Box<LinkVerification>, form: AnswerForm) -> State {
    State::Answering { verification, form }
}

fn fresh(verification: Box<LinkVerification>) -> State {
    let kind = verification.microdeposit_type;
    answering(verification, form(Answer::empty(kind), None, false, 0))
}

fn problem(message: &str, field: Option<Field>) -> Option<Problem> {
    Some(Problem {
        message: message.to_owned(),
        field,
    })
}

fn failed(request: Request, code: Option<ErrorCode>, message: &str, retryable: bool) -> Event {
    Event::RequestFailed {
        request,
        failure: Failure::new(code, message),
        retryable,
    }
}

fn announce(text: &str) -> Effect {
    Effect::Announce(text.to_owned())
}

fn ignored(state: &'static str, event: &'static str) -> Vec<Effect> {
    vec![Effect::Ignored { state, event }]
}

const OFFLINE: &str = "We couldn't reach finlink. Check your connection and try again.";
const VERIFIED: &str = "Your account is verified. You can close this page.";
const TOO_MANY: &str = "This account can no longer be verified; add it again at Acme Bikes. \
                        The deposits were entered wrong too many times.";
const EXPIRED: &str = "This account can no longer be verified; add it again at Acme Bikes. \
                       The time to verify it has run out: deposits must be entered within 10 days.";

struct Row {
    name: &'static str,
    before: State,
    event: Event,
    after: State,
    effects: Vec<Effect>,
}

fn rows() -> Vec<Row> {
    let submitted_amounts = VerifyMicrodepositsRequest {
        amounts: Some(vec![32, 45]),
        descriptor_code: None,
    };
    vec![
        // Loading the verification.
        Row {
            name: "a pending verification opens the form with its attempts",
            before: State::Loading,
            event: Event::Loaded(amounts()),
            after: fresh(amounts()),
            effects: vec![],
        },
        Row {
            name: "a descriptor-code verification opens the code form",
            before: State::Loading,
            event: Event::Loaded(code()),
            after: answering(code(), form(Answer::Code(String::new()), None, false, 0)),
            effects: vec![],
        },
        Row {
            name: "a link to a verified account says it is verified",
            before: State::Loading,
            event: Event::Loaded(with_status(amounts(), VerificationStatus::Verified, None)),
            after: State::Verified {
                verification: with_status(amounts(), VerificationStatus::Verified, None),
            },
            effects: vec![announce(VERIFIED)],
        },
        Row {
            name: "a link to an expired verification says why it cannot be verified",
            before: State::Loading,
            event: Event::Loaded(with_status(
                amounts(),
                VerificationStatus::Failed,
                Some(VerificationFailure::Expired),
            )),
            after: State::Failed {
                verification: with_status(
                    amounts(),
                    VerificationStatus::Failed,
                    Some(VerificationFailure::Expired),
                ),
                reason: VerificationFailure::Expired,
            },
            effects: vec![announce(EXPIRED)],
        },
        Row {
            name: "a wrong secret is an invalid link",
            before: State::Loading,
            event: failed(
                Request::Load,
                Some(ErrorCode::VerificationSecretInvalid),
                "Invalid.",
                false,
            ),
            after: State::InvalidLink,
            effects: vec![announce("This link is not valid.")],
        },
        Row {
            name: "no answer while loading offers Try again",
            before: State::Loading,
            event: failed(Request::Load, None, OFFLINE, true),
            after: State::Unavailable {
                failure: Failure::new(None, OFFLINE),
                retry: true,
            },
            effects: vec![announce(OFFLINE)],
        },
        Row {
            name: "Try again loads again",
            before: State::Unavailable {
                failure: Failure::new(None, OFFLINE),
                retry: true,
            },
            event: Event::Retry,
            after: State::Loading,
            effects: vec![Effect::Load],
        },
        Row {
            name: "a failure that retrying cannot mend has no Try again",
            before: State::Unavailable {
                failure: Failure::new(Some(ErrorCode::InternalError), "No."),
                retry: false,
            },
            event: Event::Retry,
            after: State::Unavailable {
                failure: Failure::new(Some(ErrorCode::InternalError), "No."),
                retry: false,
            },
            effects: ignored("unavailable", "retry"),
        },
        // Answering.
        Row {
            name: "two amounts in cents are sent",
            before: fresh(amounts()),
            event: Event::Submitted(typed("32", " 45 ")),
            after: answering(amounts(), form(typed("32", " 45 "), None, true, 0)),
            effects: vec![Effect::Submit(submitted_amounts.clone())],
        },
        Row {
            name: "amounts typed as on a statement are read in cents",
            before: fresh(amounts()),
            event: Event::Submitted(typed("$0.32", ".45")),
            after: answering(amounts(), form(typed("$0.32", ".45"), None, true, 0)),
            effects: vec![Effect::Submit(submitted_amounts.clone())],
        },
        Row {
            name: "an amount out of 1 to 99 is refused as typed, without using an attempt",
            before: fresh(amounts()),
            event: Event::Submitted(typed("32", "145")),
            after: answering(
                amounts(),
                form(
                    typed("32", "145"),
                    problem(
                        "Enter the second deposit in cents, a number from 1 to 99.",
                        Some(Field::SecondAmount),
                    ),
                    false,
                    1,
                ),
            ),
            effects: vec![announce(
                "Enter the second deposit in cents, a number from 1 to 99.",
            )],
        },
        Row {
            name: "an empty first amount puts the focus on it",
            before: fresh(amounts()),
            event: Event::Submitted(typed("", "45")),
            after: answering(
                amounts(),
                form(
                    typed("", "45"),
                    problem(
                        "Enter the first deposit in cents, a number from 1 to 99.",
                        Some(Field::FirstAmount),
                    ),
                    false,
                    1,
                ),
            ),
            effects: vec![announce(
                "Enter the first deposit in cents, a number from 1 to 99.",
            )],
        },
        Row {
            name: "a code is sent in capitals",
            before: fresh(code()),
            event: Event::Submitted(Answer::Code(" sm11aa ".to_owned())),
            after: answering(
                code(),
                form(Answer::Code(" sm11aa ".to_owned()), None, true, 0),
            ),
            effects: vec![Effect::Submit(VerifyMicrodepositsRequest {
                amounts: None,
                descriptor_code: Some("SM11AA".to_owned()),
            })],
        },
        Row {
            name: "a code that is not 6 letters and digits is refused as typed",
            before: fresh(code()),
            event: Event::Submitted(Answer::Code("11AA".to_owned())),
            after: answering(
                code(),
                form(
                    Answer::Code("11AA".to_owned()),
                    problem(
                        "Enter the 6 letters and digits of the code. The code starts with SM.",
                        Some(Field::Code),
                    ),
                    false,
                    1,
                ),
            ),
            effects: vec![announce(
                "Enter the 6 letters and digits of the code. The code starts with SM.",
            )],
        },
        Row {
            name: "amounts for a code verification are not an answer",
            before: fresh(code()),
            event: Event::Submitted(typed("32", "45")),
            after: fresh(code()),
            effects: ignored("answering", "submitted"),
        },
        Row {
            name: "a second Verify while the first is checked is ignored",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: Event::Submitted(typed("32", "45")),
            after: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            effects: ignored("answering", "submitted"),
        },
        // What the server answers.
        Row {
            name: "the right amounts verify the account",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: Event::Answered(with_status(amounts(), VerificationStatus::Verified, None)),
            after: State::Verified {
                verification: with_status(amounts(), VerificationStatus::Verified, None),
            },
            effects: vec![announce(VERIFIED)],
        },
        Row {
            name: "wrong amounts clear the fields, say so with the attempts left, focus the first",
            before: answering(amounts(), form(typed("12", "34"), None, true, 0)),
            event: Event::Answered(after_wrong(amounts())),
            after: answering(
                after_wrong(amounts()),
                form(
                    typed("", ""),
                    problem(
                        "Those amounts don't match the deposits we sent.",
                        Some(Field::FirstAmount),
                    ),
                    false,
                    1,
                ),
            ),
            effects: vec![announce(
                "Those amounts don't match the deposits we sent. You have 2 attempts left.",
            )],
        },
        Row {
            name: "a wrong code clears the field and says so with the one attempt left",
            before: answering(
                after_wrong(code()),
                form(Answer::Code("SM22BB".to_owned()), None, true, 1),
            ),
            event: Event::Answered(after_wrong(after_wrong(code()))),
            after: answering(
                after_wrong(after_wrong(code())),
                form(
                    Answer::Code(String::new()),
                    problem(
                        "That code doesn't match the one we sent.",
                        Some(Field::Code),
                    ),
                    false,
                    2,
                ),
            ),
            effects: vec![announce(
                "That code doesn't match the one we sent. You have 1 attempt left.",
            )],
        },
        Row {
            name: "the third wrong answer ends the verification for good",
            before: answering(
                after_wrong(after_wrong(amounts())),
                form(typed("1", "2"), None, true, 2),
            ),
            event: Event::Answered(with_status(
                amounts(),
                VerificationStatus::Failed,
                Some(VerificationFailure::TooManyAttempts),
            )),
            after: State::Failed {
                verification: with_status(
                    amounts(),
                    VerificationStatus::Failed,
                    Some(VerificationFailure::TooManyAttempts),
                ),
                reason: VerificationFailure::TooManyAttempts,
            },
            effects: vec![announce(TOO_MANY)],
        },
        Row {
            name: "an answer after the attempts ran out elsewhere says so",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: failed(
                Request::Answer,
                Some(ErrorCode::VerificationAttemptsExceeded),
                "No more attempts.",
                false,
            ),
            after: State::Failed {
                verification: with_status(
                    amounts(),
                    VerificationStatus::Failed,
                    Some(VerificationFailure::TooManyAttempts),
                ),
                reason: VerificationFailure::TooManyAttempts,
            },
            effects: vec![announce(TOO_MANY)],
        },
        Row {
            name: "an answer after ten days says the verification expired",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: failed(
                Request::Answer,
                Some(ErrorCode::VerificationExpired),
                "Expired.",
                false,
            ),
            after: State::Failed {
                verification: with_status(
                    amounts(),
                    VerificationStatus::Failed,
                    Some(VerificationFailure::Expired),
                ),
                reason: VerificationFailure::Expired,
            },
            effects: vec![announce(EXPIRED)],
        },
        Row {
            name: "an answer to a verification already verified shows it verified",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: failed(
                Request::Answer,
                Some(ErrorCode::VerificationCompleted),
                "Already verified.",
                false,
            ),
            after: State::Verified {
                verification: with_status(amounts(), VerificationStatus::Verified, None),
            },
            effects: vec![announce(VERIFIED)],
        },
        Row {
            name: "no answer keeps what was typed, to send again",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: failed(Request::Answer, None, OFFLINE, true),
            after: answering(
                amounts(),
                form(typed("32", "45"), problem(OFFLINE, None), false, 1),
            ),
            effects: vec![announce(OFFLINE)],
        },
        Row {
            name: "a secret that stopped opening anything is an invalid link",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: failed(
                Request::Answer,
                Some(ErrorCode::VerificationSecretInvalid),
                "Invalid.",
                false,
            ),
            after: State::InvalidLink,
            effects: vec![announce("This link is not valid.")],
        },
        Row {
            name: "an answer the server could not read keeps it and returns to the form",
            before: answering(amounts(), form(typed("32", "45"), None, true, 0)),
            event: failed(
                Request::Answer,
                Some(ErrorCode::ParameterInvalid),
                "Send two amounts.",
                false,
            ),
            after: answering(
                amounts(),
                form(
                    typed("32", "45"),
                    problem("Send two amounts.", Some(Field::FirstAmount)),
                    false,
                    1,
                ),
            ),
            effects: vec![announce("Send two amounts.")],
        },
        // Events that do not apply.
        Row {
            name: "an answer nobody awaits is ignored",
            before: fresh(amounts()),
            event: Event::Answered(with_status(amounts(), VerificationStatus::Verified, None)),
            after: fresh(amounts()),
            effects: ignored("answering", "answered"),
        },
        Row {
            name: "a verified page stays verified",
            before: State::Verified {
                verification: with_status(amounts(), VerificationStatus::Verified, None),
            },
            event: Event::Submitted(typed("32", "45")),
            after: State::Verified {
                verification: with_status(amounts(), VerificationStatus::Verified, None),
            },
            effects: ignored("verified", "submitted"),
        },
        Row {
            name: "an invalid link stays invalid",
            before: State::InvalidLink,
            event: Event::Retry,
            after: State::InvalidLink,
            effects: ignored("invalid_link", "retry"),
        },
    ]
}

#[test]
fn each_transition_of_the_verification_page() {
    let mut failures = Vec::new();
    for row in rows() {
        let (after, effects) = step(row.before, row.event);
        if after != row.after || effects != row.effects {
            failures.push(format!(
                "{}:\n  state   {after:?}\n  wanted  {:?}\n  effects {effects:?}\n  wanted  {:?}",
                row.name, row.after, row.effects
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_page_opened_with_a_secret_loads_it_and_one_without_says_the_link_is_not_valid() {
    assert_eq!(start(true), (State::Loading, vec![Effect::Load]));
    assert_eq!(
        start(false),
        (
            State::InvalidLink,
            vec![announce("This link is not valid.")]
        )
    );
}

#[test]
fn amounts_are_read_in_cents_from_1_to_99() {
    for (text, cents_read) in [
        ("32", Some(32)),
        (" 1 ", Some(1)),
        ("99", Some(99)),
        ("099", Some(99)),
        ("0.45", Some(45)),
        ("$0.45", Some(45)),
        (".4", Some(40)),
        ("0.05", Some(5)),
        ("0", None),
        ("100", None),
        ("0.00", None),
        ("1.32", None),
        ("0.321", None),
        ("-5", None),
        ("3 2", None),
        ("", None),
        ("abc", None),
        ("4.", None),
        ("१२", None),
    ] {
        assert_eq!(cents(text), cents_read, "{text:?}");
    }
}

#[test]
fn the_attempts_left_are_counted_in_words() {
    assert_eq!(attempts_text(3), "You have 3 attempts left.");
    assert_eq!(attempts_text(1), "You have 1 attempt left.");
}
