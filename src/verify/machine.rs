//! The hosted verification page's core (DESIGN §2, in small): a pure function from a state and
//! an event to the next state and the effects to run. No leptos, web-sys or gloo here; the
//! driver runs the effects and feeds their answers back as events.

use finlink_protocol::{
    ErrorCode, LinkVerification, MicrodepositType, VerificationFailure, VerificationStatus,
    VerifyMicrodepositsRequest,
};

use crate::flow::Failure;

/// What the page awaits, with the data it shows inside the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// The verification is being fetched (`GET /v1/link/verification`).
    Loading,
    /// It could not be fetched; with `retry`, Try again fetches it again.
    Unavailable { failure: Failure, retry: bool },
    /// The person types the deposits; `form.submitting` while their answer is checked.
    Answering {
        verification: Box<LinkVerification>,
        form: AnswerForm,
    },
    /// The account is verified: nothing left to do.
    Verified { verification: Box<LinkVerification> },
    /// The verification failed for good: the person enters the account again at the business.
    Failed {
        verification: Box<LinkVerification>,
        reason: VerificationFailure,
    },
    /// The link opens nothing: no secret, or a wrong, tampered or other account's secret.
    InvalidLink,
}

/// The answer form: what is in its fields, and why the last answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerForm {
    pub typed: Answer,
    pub problem: Option<Problem>,
    pub submitting: bool,
    /// How many answers were refused so far: each refusal moves the focus to
    /// `problem.field` again, even when the message is the same.
    pub refusals: u32,
}

impl AnswerForm {
    fn empty(kind: MicrodepositType) -> Self {
        Self {
            typed: Answer::empty(kind),
            problem: None,
            submitting: false,
            refusals: 0,
        }
    }
}

/// What the person typed, as they typed it: two amounts in cents, or the descriptor code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Amounts([String; 2]),
    Code(String),
}

impl Answer {
    /// Empty fields for this kind of deposit.
    pub fn empty(kind: MicrodepositType) -> Self {
        match kind {
            MicrodepositType::Amounts => Self::Amounts([String::new(), String::new()]),
            MicrodepositType::DescriptorCode => Self::Code(String::new()),
        }
    }

    pub fn kind(&self) -> MicrodepositType {
        match self {
            Self::Amounts(_) => MicrodepositType::Amounts,
            Self::Code(_) => MicrodepositType::DescriptorCode,
        }
    }

    /// The request body for what was typed, or what is wrong with it (checked here so that a
    /// typing slip never uses up an attempt).
    pub fn request(&self) -> Result<VerifyMicrodepositsRequest, Problem> {
        match self {
            Self::Amounts([first, second]) => {
                let first = cents(first).ok_or_else(|| Problem {
                    message: "Enter the first deposit in cents, a number from 1 to 99.".to_owned(),
                    field: Some(Field::FirstAmount),
                })?;
                let second = cents(second).ok_or_else(|| Problem {
                    message: "Enter the second deposit in cents, a number from 1 to 99.".to_owned(),
                    field: Some(Field::SecondAmount),
                })?;
                Ok(VerifyMicrodepositsRequest {
                    amounts: Some(vec![first, second]),
                    descriptor_code: None,
                })
            }
            Self::Code(code) => {
                let code = code.trim();
                if code.len() == 6 && code.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
                    Ok(VerifyMicrodepositsRequest {
                        amounts: None,
                        descriptor_code: Some(code.to_ascii_uppercase()),
                    })
                } else {
                    Err(Problem {
                        message: "Enter the 6 letters and digits of the code. The code starts \
                                  with SM."
                            .to_owned(),
                        field: Some(Field::Code),
                    })
                }
            }
        }
    }
}

/// An amount in cents, 1 to 99, as a person may type it from their statement: `32`, `0.32`,
/// `.32` or `$0.32`.
pub fn cents(text: &str) -> Option<u32> {
    let text = text.trim();
    let text = text.strip_prefix('$').unwrap_or(text);
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    let value = match text.split_once('.') {
        Some((dollars, fraction)) => {
            if !(dollars.is_empty() || dollars.bytes().all(|byte| byte == b'0'))
                || !digits(fraction)
                || fraction.len() > 2
            {
                return None;
            }
            let value: u32 = fraction.parse().ok()?;
            if fraction.len() == 1 {
                value * 10
            } else {
                value
            }
        }
        None if digits(text) && text.len() <= 3 => text.parse().ok()?,
        None => return None,
    };
    (1..=99).contains(&value).then_some(value)
}

/// Why an answer was refused, and the field the focus goes back to (none when the answer never
/// reached finlink: what was typed stays and the person sends it again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
    pub field: Option<Field>,
}

/// The fields of the answer form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    FirstAmount,
    SecondAmount,
    Code,
}

/// Everything that can happen on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `GET /v1/link/verification` answered.
    Loaded(Box<LinkVerification>),
    /// The person pressed Verify with these fields.
    Submitted(Answer),
    /// `POST /v1/link/verification` answered (a wrong answer too: see its `error`).
    Answered(Box<LinkVerification>),
    /// A request got an error, or no answer; `retryable` when sending it again may work.
    RequestFailed {
        request: Request,
        failure: Failure,
        retryable: bool,
    },
    /// The person pressed Try again.
    Retry,
}

/// The page's two requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Load,
    Answer,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// `GET /v1/link/verification` → `Loaded`, or `RequestFailed { request: Load }`.
    Load,
    /// `POST /v1/link/verification` → `Answered`, or `RequestFailed { request: Answer }`.
    /// Never resent by itself: each answer may use up an attempt.
    Submit(VerifyMicrodepositsRequest),
    /// Say it to screen readers (`aria-live`).
    Announce(String),
    /// The event did not apply in this state; the state is unchanged.
    Ignored {
        state: &'static str,
        event: &'static str,
    },
}

impl State {
    /// A short name, for `Effect::Ignored`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Loading => "loading",
            Self::Unavailable { .. } => "unavailable",
            Self::Answering { .. } => "answering",
            Self::Verified { .. } => "verified",
            Self::Failed { .. } => "failed",
            Self::InvalidLink => "invalid_link",
        }
    }

    /// The verification, once it is known.
    pub fn verification(&self) -> Option<&LinkVerification> {
        match self {
            Self::Answering { verification, .. }
            | Self::Verified { verification }
            | Self::Failed { verification, .. } => Some(verification),
            Self::Loading | Self::Unavailable { .. } | Self::InvalidLink => None,
        }
    }
}

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Loaded(_) => "loaded",
            Self::Submitted(_) => "submitted",
            Self::Answered(_) => "answered",
            Self::RequestFailed { .. } => "request_failed",
            Self::Retry => "retry",
        }
    }
}

/// The words of each outcome, as the page shows and announces them.
pub const VERIFIED_TEXT: &str = "Your account is verified. You can close this page.";
pub const INVALID_LINK_TEXT: &str = "This link is not valid.";

/// "This account can no longer be verified; add it again at {business}."
pub fn failed_text(business: &str) -> String {
    format!("This account can no longer be verified; add it again at {business}.")
}

/// Why a verification failed, in plain words.
pub fn failure_reason_text(reason: VerificationFailure) -> &'static str {
    match reason {
        VerificationFailure::TooManyAttempts => "The deposits were entered wrong too many times.",
        VerificationFailure::Expired => {
            "The time to verify it has run out: deposits must be entered within 10 days."
        }
    }
}

/// "You have N attempts left."
pub fn attempts_text(attempts_remaining: u32) -> String {
    match attempts_remaining {
        1 => "You have 1 attempt left.".to_owned(),
        count => format!("You have {count} attempts left."),
    }
}

/// Where the page begins: fetching the verification, or, without a secret, nowhere.
pub fn start(has_secret: bool) -> (State, Vec<Effect>) {
    if has_secret {
        (State::Loading, vec![Effect::Load])
    } else {
        invalid_link()
    }
}

/// The page's transition function: pure, total, and exhaustive over its states.
pub fn step(state: State, event: Event) -> (State, Vec<Effect>) {
    match state {
        State::Loading => match event {
            Event::Loaded(verification) => settle(verification),
            Event::RequestFailed {
                request: Request::Load,
                failure,
                retryable,
            } => {
                if failure.code == Some(ErrorCode::VerificationSecretInvalid) {
                    invalid_link()
                } else {
                    let announce = Effect::Announce(failure.message.clone());
                    (
                        State::Unavailable {
                            failure,
                            retry: retryable,
                        },
                        vec![announce],
                    )
                }
            }
            Event::RequestFailed {
                request: Request::Answer,
                ..
            }
            | Event::Submitted(_)
            | Event::Answered(_)
            | Event::Retry => ignored(State::Loading, &event),
        },
        State::Unavailable { failure, retry } => match event {
            Event::Retry if retry => (State::Loading, vec![Effect::Load]),
            Event::Retry
            | Event::Loaded(_)
            | Event::Submitted(_)
            | Event::Answered(_)
            | Event::RequestFailed { .. } => ignored(State::Unavailable { failure, retry }, &event),
        },
        State::Answering { verification, form } => answering(verification, form, event),
        state @ (State::Verified { .. } | State::Failed { .. } | State::InvalidLink) => match event
        {
            Event::Loaded(_)
            | Event::Submitted(_)
            | Event::Answered(_)
            | Event::RequestFailed { .. }
            | Event::Retry => ignored(state, &event),
        },
    }
}

fn answering(
    verification: Box<LinkVerification>,
    form: AnswerForm,
    event: Event,
) -> (State, Vec<Effect>) {
    match event {
        Event::Submitted(answer)
            if !form.submitting && answer.kind() == verification.microdeposit_type =>
        {
            match answer.request() {
                Ok(request) => (
                    State::Answering {
                        verification,
                        form: AnswerForm {
                            typed: answer,
                            problem: None,
                            submitting: true,
                            refusals: form.refusals,
                        },
                    },
                    vec![Effect::Submit(request)],
                ),
                Err(problem) => {
                    let announce = Effect::Announce(problem.message.clone());
                    (
                        State::Answering {
                            verification,
                            form: AnswerForm {
                                typed: answer,
                                problem: Some(problem),
                                submitting: false,
                                refusals: form.refusals + 1,
                            },
                        },
                        vec![announce],
                    )
                }
            }
        }
        Event::Answered(answered) if form.submitting => {
            if answered.status != VerificationStatus::Pending {
                return settle(answered);
            }
            let Some(error) = &answered.error else {
                // Pending and nothing refused: ask again, as if fresh.
                let fresh = AnswerForm::empty(answered.microdeposit_type);
                return (
                    State::Answering {
                        verification: answered,
                        form: AnswerForm {
                            refusals: form.refusals,
                            ..fresh
                        },
                    },
                    Vec::new(),
                );
            };
            let message = match (error.code, answered.microdeposit_type) {
                (ErrorCode::MicrodepositsMismatch, MicrodepositType::Amounts) => {
                    "Those amounts don't match the deposits we sent.".to_owned()
                }
                (ErrorCode::MicrodepositsMismatch, MicrodepositType::DescriptorCode) => {
                    "That code doesn't match the one we sent.".to_owned()
                }
                _ => error.message.clone(),
            };
            let announce = Effect::Announce(format!(
                "{message} {}",
                attempts_text(answered.attempts_remaining)
            ));
            let field = first_field(answered.microdeposit_type);
            (
                State::Answering {
                    form: AnswerForm {
                        typed: Answer::empty(answered.microdeposit_type),
                        problem: Some(Problem {
                            message,
                            field: Some(field),
                        }),
                        submitting: false,
                        refusals: form.refusals + 1,
                    },
                    verification: answered,
                },
                vec![announce],
            )
        }
        Event::RequestFailed {
            request: Request::Answer,
            failure,
            retryable,
        } if form.submitting => refused(verification, form, failure, retryable),
        Event::Submitted(_)
        | Event::Answered(_)
        | Event::RequestFailed { .. }
        | Event::Loaded(_)
        | Event::Retry => ignored(State::Answering { verification, form }, &event),
    }
}

/// An answer the server refused with an error (not a wrong answer, which is a 200).
fn refused(
    mut verification: Box<LinkVerification>,
    form: AnswerForm,
    failure: Failure,
    retryable: bool,
) -> (State, Vec<Effect>) {
    match failure.code {
        Some(ErrorCode::VerificationSecretInvalid) => invalid_link(),
        Some(ErrorCode::VerificationCompleted) => {
            verification.status = VerificationStatus::Verified;
            settle(verification)
        }
        Some(ErrorCode::VerificationAttemptsExceeded) => {
            verification.status = VerificationStatus::Failed;
            verification.failure_reason = Some(VerificationFailure::TooManyAttempts);
            verification.attempts_remaining = 0;
            settle(verification)
        }
        Some(ErrorCode::VerificationExpired) => {
            verification.status = VerificationStatus::Failed;
            verification.failure_reason = Some(VerificationFailure::Expired);
            settle(verification)
        }
        _ => {
            // Nothing was checked (offline, finlink failing, a malformed answer): what was
            // typed stays, to send again; a refused shape puts the focus back on the form.
            let field = (!retryable).then(|| first_field(verification.microdeposit_type));
            let announce = Effect::Announce(failure.message.clone());
            (
                State::Answering {
                    verification,
                    form: AnswerForm {
                        typed: form.typed,
                        problem: Some(Problem {
                            message: failure.message,
                            field,
                        }),
                        submitting: false,
                        refusals: form.refusals + 1,
                    },
                },
                vec![announce],
            )
        }
    }
}

/// The state a verification's status leads to, with its outcome announced.
fn settle(verification: Box<LinkVerification>) -> (State, Vec<Effect>) {
    let (state, text) = match verification.status {
        VerificationStatus::Pending => {
            let form = AnswerForm::empty(verification.microdeposit_type);
            return (State::Answering { verification, form }, Vec::new());
        }
        VerificationStatus::Verified => {
            (State::Verified { verification }, VERIFIED_TEXT.to_owned())
        }
        VerificationStatus::Failed => {
            let reason =
                verification
                    .failure_reason
                    .unwrap_or(if verification.attempts_remaining == 0 {
                        VerificationFailure::TooManyAttempts
                    } else {
                        VerificationFailure::Expired
                    });
            let text = format!(
                "{} {}",
                failed_text(&verification.business_name),
                failure_reason_text(reason)
            );
            (
                State::Failed {
                    verification,
                    reason,
                },
                text,
            )
        }
    };
    (state, vec![Effect::Announce(text)])
}

fn invalid_link() -> (State, Vec<Effect>) {
    (
        State::InvalidLink,
        vec![Effect::Announce(INVALID_LINK_TEXT.to_owned())],
    )
}

fn first_field(kind: MicrodepositType) -> Field {
    match kind {
        MicrodepositType::Amounts => Field::FirstAmount,
        MicrodepositType::DescriptorCode => Field::Code,
    }
}

fn ignored(state: State, event: &Event) -> (State, Vec<Effect>) {
    let effect = Effect::Ignored {
        state: state.name(),
        event: event.name(),
    };
    (state, vec![effect])
}
