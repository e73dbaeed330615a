//! The hosted verification page's view: it renders the [`State`] and reports what the person
//! does as [`Event`]s; the driver does the rest. Same shell and look as the widget's dialog
//! (header, body, footer), as a page of its own rather than a modal.

use finlink_protocol::{BankAccountType, LinkVerification, MicrodepositType};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::machine::{
    Answer, AnswerForm, Event, Field, State, VERIFIED_TEXT, attempts_text, failed_text,
    failure_reason_text,
};
use crate::ui::{TITLE_ID, focus_on_load, footer_and_status, form_value, part};

const ERROR_ID: &str = "finlink-verify-error";
const HINT_ID: &str = "finlink-verify-hint";
const FIRST_AMOUNT_ID: &str = "finlink-amount-1";
const SECOND_AMOUNT_ID: &str = "finlink-amount-2";
const CODE_ID: &str = "finlink-code";

/// Which screen shows a state: the answer form, or a screen that only says something. A new
/// screen mounts anew and moves the focus to its heading; a change within the form updates it
/// in place.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Screen {
    Answering,
    Message(Message),
}

/// What a screen that only says something shows: loading, a page that could not load, and
/// where the verification ended.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Message {
    mark: Mark,
    title: &'static str,
    /// The bank, and the account in words.
    account: Option<(String, String)>,
    text: String,
    detail: Option<String>,
    /// Try again, for a page that could not load.
    retry: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Busy,
    Done,
    Problem,
}

impl Screen {
    fn of(state: &State) -> Self {
        let account = |verification: &LinkVerification| {
            Some((
                verification.institution_name.clone(),
                account_text(verification),
            ))
        };
        Self::Message(match state {
            State::Answering { .. } => return Self::Answering,
            State::Loading => Message {
                mark: Mark::Busy,
                title: "Loading…",
                account: None,
                text: String::new(),
                detail: None,
                retry: false,
            },
            State::Unavailable { failure, retry } => Message {
                mark: Mark::Problem,
                title: "This page could not load",
                account: None,
                text: failure.message.clone(),
                detail: None,
                retry: *retry,
            },
            State::Verified { verification } => Message {
                mark: Mark::Done,
                title: "Account verified",
                account: account(verification),
                text: VERIFIED_TEXT.to_owned(),
                detail: Some(format!("{} can now use it.", verification.business_name)),
                retry: false,
            },
            State::Failed {
                verification,
                reason,
            } => Message {
                mark: Mark::Problem,
                title: "We couldn't verify your account",
                account: account(verification),
                text: failed_text(&verification.business_name),
                detail: Some(failure_reason_text(*reason).to_owned()),
                retry: false,
            },
            State::InvalidLink => Message {
                mark: Mark::Problem,
                title: "This link is not valid",
                account: None,
                text: "Check that you opened the whole link you were sent.".to_owned(),
                detail: Some(
                    "If it still doesn't work, contact the business that sent it.".to_owned(),
                ),
                retry: false,
            },
        })
    }
}

/// The page: the widget's shell around the current screen, and the live region that reads
/// `announcement` out as it changes.
#[component]
pub fn VerificationPage(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
    #[prop(into, optional)] announcement: Signal<String>,
) -> impl IntoView {
    let screen = Memo::new(move |_| state.with(Screen::of));
    let business = move || {
        state.with(|state| {
            state
                .verification()
                .map(|verification| verification.business_name.clone())
        })
    };
    let body = move || match screen.get() {
        Screen::Answering => view! { <AnswerScreen state send /> }.into_any(),
        Screen::Message(message) => view! { <MessageScreen message send /> }.into_any(),
    };
    view! {
        <section class="fl-dialog fl-verify" aria-labelledby=TITLE_ID>
            <header class="fl-header">
                <span></span>
                <span class="fl-brand" aria-hidden="true">
                    <span class="fl-brand-mark"></span>
                    "finlink"
                </span>
                <span></span>
            </header>
            <div class="fl-body">{body}</div>
            {footer_and_status(business, announcement)}
        </section>
    }
}

/// "Checking account ending in 6789".
fn account_text(verification: &LinkVerification) -> String {
    let kind = match verification.account_type {
        BankAccountType::Checking => "Checking",
        BankAccountType::Savings => "Savings",
    };
    format!("{kind} account ending in {}", verification.last4)
}

/// The bank and the account the deposits went to.
fn account_summary(bank: String, account: String) -> impl IntoView {
    view! {
        <p class="fl-verify-account">
            <span class="fl-account-name">{bank}</span>
            <span class="fl-account-detail">{account}</span>
        </p>
    }
}

/// What a field shows of what was typed.
fn typed_value(answer: &Answer, field: Field) -> String {
    match (answer, field) {
        (Answer::Amounts([first, _]), Field::FirstAmount) => first.clone(),
        (Answer::Amounts([_, second]), Field::SecondAmount) => second.clone(),
        (Answer::Code(code), Field::Code) => code.clone(),
        (Answer::Amounts(_), Field::Code)
        | (Answer::Code(_), Field::FirstAmount | Field::SecondAmount) => String::new(),
    }
}

/// One field of the answer form, described by the form's hint (and its error, when there is
/// one). It shows the form's `typed` again whenever the form changes: cleared after a wrong
/// answer, kept when the answer never reached finlink.
fn answer_field(
    form: Memo<Option<AnswerForm>>,
    field: Field,
    node: NodeRef<html::Input>,
) -> impl IntoView {
    let (id, label, name, hint) = match field {
        Field::FirstAmount => (FIRST_AMOUNT_ID, "First deposit, in cents", "amount_1", None),
        Field::SecondAmount => (
            SECOND_AMOUNT_ID,
            "Second deposit, in cents",
            "amount_2",
            None,
        ),
        Field::Code => (
            CODE_ID,
            "Code from the deposit",
            "code",
            Some("The code starts with SM and has 6 letters and digits."),
        ),
    };
    let code = field == Field::Code;
    let has_problem =
        move || form.with(|form| form.as_ref().is_some_and(|form| form.problem.is_some()));
    // Invalid only when what was typed is at fault, not when the answer never got through.
    let invalid = move || {
        form.with(|form| {
            form.as_ref()
                .and_then(|form| form.problem.as_ref())
                .is_some_and(|problem| problem.field.is_some())
        })
    };
    view! {
        <label class="fl-label" for=id>{label}</label>
        {hint.map(|hint| view! { <p class="fl-hint" id=HINT_ID>{hint}</p> })}
        <input
            id=id
            class=if code { "fl-input fl-verify-code" } else { "fl-input" }
            name=name
            type="text"
            inputmode=(!code).then_some("numeric")
            autocomplete="off"
            autocapitalize=code.then_some("characters")
            spellcheck="false"
            required
            node_ref=node
            aria-invalid=move || invalid().then_some("true")
            aria-describedby=move || {
                if has_problem() { format!("{ERROR_ID} {HINT_ID}") } else { HINT_ID.to_owned() }
            }
            prop:value=move || {
                form.with(|form| {
                    form.as_ref().map_or_else(String::new, |form| typed_value(&form.typed, field))
                })
            }
        />
    }
}

/// The form for the deposits: two amounts in cents, or the descriptor code.
#[component]
fn AnswerScreen(state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let Some(verification) = state.with_untracked(|state| match state {
        State::Answering { verification, .. } => Some(verification.clone()),
        _ => None,
    }) else {
        return ().into_any();
    };
    let kind = verification.microdeposit_type;
    let form = part(state, |state| match state {
        State::Answering { form, .. } => Some(form.clone()),
        _ => None,
    });
    let attempts = move || {
        state.with(|state| match state {
            State::Answering { verification, .. } => verification.attempts_remaining,
            _ => 0,
        })
    };
    let problem = move || form.with(|form| form.as_ref().and_then(|form| form.problem.clone()));
    let submitting = move || form.with(|form| form.as_ref().is_some_and(|form| form.submitting));

    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    let first_amount = NodeRef::<html::Input>::new();
    let second_amount = NodeRef::<html::Input>::new();
    let code = NodeRef::<html::Input>::new();
    // Each refused answer puts the focus on the field to type again.
    Effect::new(move |previous: Option<u32>| {
        let (refusals, field) = form.with(|form| {
            form.as_ref().map_or((0, None), |form: &AnswerForm| {
                (
                    form.refusals,
                    form.problem.as_ref().and_then(|problem| problem.field),
                )
            })
        });
        if previous.is_some_and(|previous| previous != refusals) {
            let node = match field {
                Some(Field::FirstAmount) => first_amount.get_untracked(),
                Some(Field::SecondAmount) => second_amount.get_untracked(),
                Some(Field::Code) => code.get_untracked(),
                None => None,
            };
            if let Some(node) = node {
                let _ = node.focus();
            }
        }
        refusals
    });

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        let answer = match kind {
            MicrodepositType::Amounts => Answer::Amounts([
                form_value(&event, "amount_1"),
                form_value(&event, "amount_2"),
            ]),
            MicrodepositType::DescriptorCode => Answer::Code(form_value(&event, "code")),
        };
        send.run(Event::Submitted(answer));
    };
    let business = verification.business_name.clone();
    let (lead, fields) = match kind {
        MicrodepositType::Amounts => (
            format!(
                "To confirm this account is yours, {business} sent two small deposits to it. \
                 Find them on your statement or in your banking app and enter their amounts."
            ),
            view! {
                <fieldset class="fl-fieldset fl-verify-amounts">
                    <legend class="fl-label">"The two deposits"</legend>
                    <p class="fl-hint" id=HINT_ID>
                        "Enter each amount in cents: for $0.32, enter 32."
                    </p>
                    {answer_field(form, Field::FirstAmount, first_amount)}
                    {answer_field(form, Field::SecondAmount, second_amount)}
                </fieldset>
            }
            .into_any(),
        ),
        MicrodepositType::DescriptorCode => (
            format!(
                "To confirm this account is yours, {business} sent a deposit of $0.01 to it. \
                 Find it on your statement or in your banking app: its description holds a code."
            ),
            answer_field(form, Field::Code, code).into_any(),
        ),
    };
    view! {
        <div class="fl-step fl-verify-answer">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                "Verify your bank account"
            </h1>
            {account_summary(verification.institution_name.clone(), account_text(&verification))}
            <p class="fl-lead">{lead}</p>
            <form class="fl-form" novalidate on:submit=on_submit>
                {move || problem().map(|problem| view! {
                    <div class="fl-form-error" id=ERROR_ID>
                        <p class="fl-message">{problem.message}</p>
                    </div>
                })}
                {fields}
                <p class="fl-attempts">{move || attempts_text(attempts())}</p>
                <button
                    type="submit"
                    class="fl-button"
                    aria-disabled=move || submitting().then_some("true")
                >
                    {move || if submitting() { "Verifying…" } else { "Verify" }}
                </button>
            </form>
        </div>
    }
    .into_any()
}

/// A screen that only says something, with Try again where that may help.
#[component]
fn MessageScreen(message: Message, send: Callback<Event>) -> impl IntoView {
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    let busy = message.mark == Mark::Busy;
    let (class, mark, title_class) = match message.mark {
        Mark::Busy => ("fl-step fl-status", "fl-spinner", "fl-title fl-title-small"),
        Mark::Done => ("fl-step fl-verify-outcome", "fl-success-mark", "fl-title"),
        Mark::Problem => ("fl-step fl-verify-outcome", "fl-failed-mark", "fl-title"),
    };
    let text = (!message.text.is_empty()).then_some(message.text);
    view! {
        <div class=class role=busy.then_some("status")>
            <span class=mark aria-hidden="true"></span>
            <h1 id=TITLE_ID class=title_class tabindex="-1" node_ref=heading>{message.title}</h1>
            {message.account.map(|(bank, account)| account_summary(bank, account))}
            {text.map(|text| view! { <p class="fl-lead">{text}</p> })}
            {message.detail.map(|detail| view! { <p class="fl-hint">{detail}</p> })}
            {message.retry.then(|| view! {
                <button type="button" class="fl-button" on:click=move |_| send.run(Event::Retry)>
                    "Try again"
                </button>
            })}
        </div>
    }
}
