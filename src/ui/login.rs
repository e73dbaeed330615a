use finlink_protocol::MfaChallenge;
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{TITLE_ID, focus_on_load, part, safe_url};
use crate::flow::{CredentialsForm, Event, Failure, Handoff, MfaForm, State};
use crate::host::BankOpensIn;

/// The name the widget gives the bank's window, so "Reopen window" and the fallback link reuse it.
pub const BANK_WINDOW: &str = "finlink_bank";

/// The OAuth hand-off: "You'll continue at {bank}", then waiting while the person is there.
#[component]
pub fn OAuthStep(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
    #[prop(optional)] opens_in: BankOpensIn,
) -> impl IntoView {
    let Some((bank, url, handoff)) = state.with_untracked(|state| match state {
        State::OAuth {
            institution,
            oauth_url,
            handoff,
            ..
        } => Some((institution.name.clone(), oauth_url.clone(), *handoff)),
        _ => None,
    }) else {
        return ().into_any();
    };
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    match handoff {
        Handoff::Ready => view! {
            <div class="fl-step fl-oauth">
                <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                    "You'll continue at " {bank.clone()}
                </h1>
                <p class="fl-lead">
                    {match opens_in {
                        BankOpensIn::Window => "A new window opens where you log in to ",
                        BankOpensIn::Browser => "Your browser opens where you log in to ",
                    }}
                    {bank.clone()}
                    " and choose the accounts to share. Your login details stay with "
                    {bank} "."
                </p>
                <button
                    type="button"
                    class="fl-button"
                    on:click=move |_| send.run(Event::ContinueToBank)
                >
                    "Continue"
                </button>
            </div>
        }
        .into_any(),
        Handoff::Redirecting => view! {
            <div class="fl-step fl-oauth">
                <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                    "Continuing at " {bank.clone()}
                </h1>
                <p class="fl-notice" role="status">
                    "Your browser blocked the bank's window. You'll continue at " {bank.clone()}
                    " in this tab and come back here."
                </p>
                <p class="fl-waiting">
                    <span class="fl-spinner fl-spinner-small" aria-hidden="true"></span>
                    "Opening " {bank}
                </p>
            </div>
        }
        .into_any(),
        Handoff::Waiting { .. } => {
            let blocked = part(state, |state| match state {
                State::OAuth {
                    handoff: Handoff::Waiting { popup_blocked },
                    ..
                } => Some(*popup_blocked),
                _ => None,
            });
            let link = safe_url(&url).map(str::to_owned);
            let bank_name = bank.clone();
            let blocked_notice = move || {
                blocked.get().unwrap_or(false).then(|| {
                    view! {
                        <div class="fl-notice" role="alert">
                            <p>"Your browser blocked the window for " {bank_name.clone()} "."</p>
                            {link.clone().map(|href| view! {
                                <a class="fl-button" href=href target=BANK_WINDOW>
                                    "Open " {bank_name.clone()}
                                </a>
                            })}
                        </div>
                    }
                })
            };
            view! {
                <div class="fl-step fl-oauth">
                    <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                        "Finish at " {bank.clone()}
                    </h1>
                    <p class="fl-lead">
                        "Log in to " {bank.clone()}
                        {match opens_in {
                            BankOpensIn::Window => {
                                " in the window that opened. This page goes on by itself when you're done."
                            }
                            BankOpensIn::Browser => {
                                " in your browser, then come back to this app. It goes on by itself when you're done."
                            }
                        }}
                    </p>
                    <p class="fl-waiting">
                        <span class="fl-spinner fl-spinner-small" aria-hidden="true"></span>
                        "Waiting for " {bank}
                    </p>
                    {blocked_notice}
                    <button
                        type="button"
                        class="fl-button fl-button-secondary"
                        on:click=move |_| send.run(Event::ContinueToBank)
                    >
                        {match opens_in {
                            BankOpensIn::Window => "Reopen window",
                            BankOpensIn::Browser => "Open the browser again",
                        }}
                    </button>
                    <button
                        type="button"
                        class="fl-button fl-button-text"
                        on:click=move |_| send.run(Event::Back)
                    >
                        "Cancel"
                    </button>
                </div>
            }
            .into_any()
        }
    }
}

const ERROR_ID: &str = "finlink-form-error";

/// A form's error and, for the bank's refusals, the attempts left.
fn form_error(error: Option<Failure>, attempts_remaining: u32) -> Option<impl IntoView> {
    let error = error?;
    let attempts = error.code.map(|_| match attempts_remaining {
        1 => "You have 1 attempt left.".to_owned(),
        count => format!("You have {count} attempts left."),
    });
    Some(view! {
        <div class="fl-form-error" id=ERROR_ID role="alert">
            <p class="fl-message">{error.message}</p>
            {attempts.map(|attempts| view! { <p class="fl-attempts">{attempts}</p> })}
        </div>
    })
}

/// The text of a submitted form's field, empty when there is none.
pub fn form_value(event: &SubmitEvent, name: &str) -> String {
    event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::HtmlFormElement>().ok())
        .and_then(|form| web_sys::FormData::new_with_form(&form).ok())
        .and_then(|data| data.get(name).as_string())
        .unwrap_or_default()
}

/// The bank's username and password, typed on finlink's page.
#[component]
pub fn CredentialsStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let Some((bank, business)) = state.with_untracked(|state| match state {
        State::Credentials {
            session,
            institution,
            ..
        } => Some((institution.name.clone(), session.business_name.clone())),
        _ => None,
    }) else {
        return ().into_any();
    };
    let form = part(state, |state| match state {
        State::Credentials { form, .. } => Some(form.clone()),
        _ => None,
    });
    let read =
        move |pick: fn(&CredentialsForm) -> bool| form.with(|f| f.as_ref().is_some_and(pick));
    let has_error = move || read(|form| form.error.is_some());
    let submitting = move || read(|form| form.submitting);
    let username_field = NodeRef::<html::Input>::new();
    let password_field = NodeRef::<html::Input>::new();
    focus_on_load(username_field);
    // After a refused attempt, the password (which is never kept) is typed again.
    Effect::new(move |had_error: Option<bool>| {
        let error = has_error();
        if error
            && had_error == Some(false)
            && let Some(field) = password_field.get_untracked()
        {
            let _ = field.focus();
        }
        error
    });

    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        send.run(Event::CredentialsSubmitted {
            username: form_value(&event, "username"),
            password: form_value(&event, "password"),
        });
    };
    view! {
        <div class="fl-step fl-credentials">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1">"Log in to " {bank.clone()}</h1>
            <p class="fl-lead">
                "Enter the username and password you use for " {bank}
                "'s online banking. " {business} " never sees them."
            </p>
            <form class="fl-form" novalidate on:submit=on_submit>
                {move || form.get().and_then(|form| form_error(form.error, form.attempts_remaining))}
                <label class="fl-label" for="finlink-username">"Username"</label>
                <input
                    id="finlink-username"
                    class="fl-input"
                    name="username"
                    type="text"
                    autocomplete="username"
                    autocapitalize="off"
                    spellcheck="false"
                    required
                    node_ref=username_field
                    aria-invalid=move || has_error().then_some("true")
                    aria-describedby=move || has_error().then_some(ERROR_ID)
                    prop:value=move || form.get().map(|form| form.username).unwrap_or_default()
                />
                <label class="fl-label" for="finlink-password">"Password"</label>
                <input
                    id="finlink-password"
                    class="fl-input"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    node_ref=password_field
                    aria-invalid=move || has_error().then_some("true")
                    aria-describedby=move || has_error().then_some(ERROR_ID)
                    prop:value=move || {
                        // Cleared whenever the form changes: the password is never kept.
                        form.track();
                        ""
                    }
                />
                <button
                    type="submit"
                    class="fl-button"
                    aria-disabled=move || submitting().then_some("true")
                >
                    {move || if submitting() { "Logging in…" } else { "Log in" }}
                </button>
            </form>
        </div>
    }
    .into_any()
}

/// A second factor the bank asks: a code, a question, or a choice.
#[component]
pub fn MfaStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let challenge = part(state, |state| match state {
        State::Mfa { challenge, .. } => Some(challenge.clone()),
        _ => None,
    });
    let form = part(state, |state| match state {
        State::Mfa { form, .. } => Some(form.clone()),
        _ => None,
    });
    let read = move |pick: fn(&MfaForm) -> bool| form.with(|f| f.as_ref().is_some_and(pick));
    let has_error = move || read(|form| form.error.is_some());
    let submitting = move || read(|form| form.submitting);
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        send.run(Event::MfaAnswered(form_value(&event, "answer")));
    };
    let field = NodeRef::<html::Input>::new();
    focus_on_load(field);
    let text_field = move |label: String, one_time_code: bool| {
        view! {
            <label class="fl-label" for="finlink-answer">{label}</label>
            <input
                id="finlink-answer"
                class="fl-input"
                name="answer"
                type="text"
                required
                autocomplete=if one_time_code { "one-time-code" } else { "off" }
                inputmode=one_time_code.then_some("numeric")
                autocapitalize="off"
                spellcheck="false"
                node_ref=field
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=move || has_error().then_some(ERROR_ID)
                prop:value=move || {
                    form.track();
                    ""
                }
            />
        }
        .into_any()
    };
    let fields = move || {
        challenge.get().map(|challenge| match challenge {
            MfaChallenge::Code { message } => (
                "Enter your code",
                view! {
                    <p class="fl-lead">{message}</p>
                    {text_field("Code".to_owned(), true)}
                }
                .into_any(),
            ),
            MfaChallenge::Question { question } => (
                "Answer your security question",
                text_field(question, false),
            ),
            MfaChallenge::Selection { question, options } => {
                let radios = options
                    .into_iter()
                    .enumerate()
                    .map(|(index, option)| {
                        let id = format!("finlink-option-{index}");
                        let input = if index == 0 {
                            view! {
                                <input id=id.clone() type="radio" name="answer" value=option.clone()
                                    node_ref=field />
                            }
                            .into_any()
                        } else {
                            view! {
                                <input id=id.clone() type="radio" name="answer" value=option.clone() />
                            }
                            .into_any()
                        };
                        view! {
                            <div class="fl-choice">
                                {input}
                                <label for=id>{option}</label>
                            </div>
                        }
                    })
                    .collect_view();
                (
                    "Confirm it's you",
                    view! {
                        <fieldset
                            class="fl-fieldset"
                            aria-describedby=move || has_error().then_some(ERROR_ID)
                        >
                            <legend class="fl-label">{question}</legend>
                            {radios}
                        </fieldset>
                    }
                    .into_any(),
                )
            }
        })
    };
    view! {
        <div class="fl-step fl-mfa">
            {move || {
                fields().map(|(title, fields)| view! {
                    <h1 id=TITLE_ID class="fl-title" tabindex="-1">{title}</h1>
                    <form class="fl-form" novalidate on:submit=on_submit>
                        {move || form.get().and_then(|form| form_error(form.error, form.attempts_remaining))}
                        {fields}
                        <button
                            type="submit"
                            class="fl-button"
                            aria-disabled=move || submitting().then_some("true")
                        >
                            {move || if submitting() { "Verifying…" } else { "Verify" }}
                        </button>
                    </form>
                })
            }}
        </div>
    }
}
