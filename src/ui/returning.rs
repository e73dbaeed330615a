//! Returning users: the offer of the person's saved accounts, the one-time code, the saved
//! accounts to pick, and the consent for this business. Errors show next to their field
//! (`aria-invalid`, `aria-describedby`); the flow says them in the live region.

use finlink_protocol::{AccountSelection, SavedAccount};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::accounts::{AccountChoice, account_picker};
use super::{TITLE_ID, account_kind, focus_on_load, part};
use crate::flow::{
    CodeRequest, Event, ReturningUserEvent, SaveField, State, TOO_MANY_CODES,
    code_attempts_exhausted,
};

/// The `id` of the code field.
pub const CODE_FIELD_ID: &str = "finlink-one-time-code";
const CODE_ERROR_ID: &str = "finlink-one-time-code-error";
const CODE_NOTE_ID: &str = "finlink-one-time-code-note";
const CODE_ERROR_AND_NOTE_IDS: &str = "finlink-one-time-code-error finlink-one-time-code-note";

fn send_returning(send: Callback<Event>, event: ReturningUserEvent) {
    send.run(Event::ReturningUser(event));
}

/// "Use another account": the normal flow.
pub(super) fn another_account_button(send: Callback<Event>) -> impl IntoView {
    view! {
        <button
            type="button"
            class="fl-button fl-button-secondary"
            on:click=move |_| send_returning(send, ReturningUserEvent::AnotherAccountChosen)
        >
            "Use another account"
        </button>
    }
}

/// Where the code goes, masked (`j•••@example.com`).
fn email_hint(state: &State) -> String {
    state
        .session()
        .and_then(|session| session.returning_user.as_ref())
        .map(|returning| returning.email_hint.clone())
        .unwrap_or_default()
}

/// "Welcome back": the person saved accounts with finlink.
#[component]
pub fn ReturningUserOfferStep(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
) -> impl IntoView {
    let Some(hint) = state.with_untracked(|state| match state {
        State::ReturningUserOffer { .. } => Some(email_hint(state)),
        _ => None,
    }) else {
        return ().into_any();
    };
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    view! {
        <div class="fl-step fl-returning">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>"Welcome back"</h1>
            <p class="fl-lead">
                "You saved bank accounts with finlink. We'll send a code to " {hint} "."
            </p>
            <button
                type="button"
                class="fl-button"
                on:click=move |_| send_returning(send, ReturningUserEvent::SavedAccountsChosen)
            >
                "Continue with your saved accounts"
            </button>
            {another_account_button(send)}
        </div>
    }
    .into_any()
}

/// What the code step shows: the code typed, the request under way, the error, whether the
/// session may try no more codes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CodeView {
    code: String,
    submitting: Option<CodeRequest>,
    error: Option<String>,
    failed: bool,
}

/// "Enter your code": the six digits sent to the person's email.
#[component]
pub fn CodeStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let Some(hint) = state.with_untracked(|state| match state {
        State::AwaitingCode { .. } => Some(email_hint(state)),
        _ => None,
    }) else {
        return ().into_any();
    };
    let form = part(state, |state| match state {
        State::AwaitingCode {
            challenge,
            code,
            submitting,
            error,
            ..
        } => Some(CodeView {
            code: code.clone(),
            submitting: *submitting,
            error: error.as_ref().map(|error| error.message.clone()),
            failed: code_attempts_exhausted(challenge.as_deref(), error.as_ref()),
        }),
        _ => None,
    });
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    let read = move |pick: fn(&CodeView) -> bool| form.with(|form| form.as_ref().is_some_and(pick));
    let failed = move || read(|form| form.failed);
    let verifying = move || read(|form| form.submitting == Some(CodeRequest::Verify));
    let resending = move || read(|form| form.submitting == Some(CodeRequest::Resend));
    let error = move || form.with(|form| form.as_ref().and_then(|form| form.error.clone()));
    let value = move || form.with(|form| form.as_ref().map(|form| form.code.clone()));
    let described_by = move || {
        if error().is_some() {
            CODE_ERROR_AND_NOTE_IDS
        } else {
            CODE_NOTE_ID
        }
    };
    let on_submit = move |event: SubmitEvent| {
        event.prevent_default();
        send_returning(send, ReturningUserEvent::CodeSubmitted);
    };
    let code_form = move || {
        (!failed()).then(|| {
            view! {
                <form class="fl-form" novalidate on:submit=on_submit>
                    <div class="fl-field">
                        <label class="fl-label" for=CODE_FIELD_ID>"6-digit code"</label>
                        <input
                            id=CODE_FIELD_ID
                            class="fl-input fl-code-input"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            pattern="[0-9]*"
                            maxlength="6"
                            spellcheck="false"
                            required
                            readonly=verifying
                            aria-invalid=move || error().map(|_| "true")
                            aria-describedby=described_by
                            prop:value=value
                            on:input=move |event| {
                                send_returning(
                                    send,
                                    ReturningUserEvent::CodeChanged(event_target_value(&event)),
                                )
                            }
                        />
                        {move || error().map(|error| view! {
                            <p class="fl-field-error" id=CODE_ERROR_ID>{error}</p>
                        })}
                    </div>
                    <button
                        type="submit"
                        class="fl-button"
                        aria-disabled=move || verifying().then_some("true")
                    >
                        {move || if verifying() { "Verifying…" } else { "Verify" }}
                    </button>
                    <button
                        type="button"
                        class="fl-button fl-button-text"
                        aria-disabled=move || resending().then_some("true")
                        on:click=move |_| send_returning(send, ReturningUserEvent::NewCodeRequested)
                    >
                        {move || if resending() { "Sending a new code…" } else { "Send a new code" }}
                    </button>
                </form>
            }
        })
    };
    view! {
        <div class="fl-step fl-code">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>"Enter your code"</h1>
            <p class="fl-lead" id=CODE_NOTE_ID>
                "We sent a code to " {hint} ". It expires in 10 minutes."
            </p>
            {move || failed().then(|| view! {
                <p class="fl-message" role="alert">
                    {TOO_MANY_CODES}
                    " Link your account another way."
                </p>
            })}
            {code_form}
            {another_account_button(send)}
        </div>
    }
    .into_any()
}

/// "{display_name} ••••{last4}", with the dots hidden from screen readers.
pub(super) fn saved_account_line(account: &SavedAccount) -> impl IntoView + use<> {
    let last4 = account.last4.clone();
    view! {
        <span class="fl-account-name">{account.display_name.clone()}</span>
        <span aria-hidden="true">" ••••" {last4.clone()}</span>
        <span class="fl-sr-only">" ending in " {last4}</span>
        " "
        <span class="fl-account-detail">
            {account.institution_name.clone()} " · " {account_kind(account.subcategory)}
        </span>
    }
}

/// "Your saved accounts": the person picks those to link to this business.
#[component]
pub fn SavedAccountsStep(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
) -> impl IntoView {
    let Some((business, single)) = state.with_untracked(|state| match state {
        State::SelectSavedAccounts { session, .. } => Some((
            session.business_name.clone(),
            session.account_selection == AccountSelection::Single,
        )),
        _ => None,
    }) else {
        return ().into_any();
    };
    // The list can arrive again on this screen (after an account chosen could not be linked).
    let accounts = part(state, |state| match state {
        State::SelectSavedAccounts { accounts, .. } => Some(accounts.clone()),
        _ => None,
    });
    let selected = part(state, |state| match state {
        State::SelectSavedAccounts { selected, .. } => Some(selected.clone()),
        _ => None,
    });
    let error = part(state, |state| match state {
        State::SelectSavedAccounts { error, .. } => error.clone(),
        _ => None,
    });
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    let picker = move || {
        let choices = accounts
            .get()
            .unwrap_or_default()
            .iter()
            .map(|account| AccountChoice {
                id: account.id.clone(),
                label: saved_account_line(account).into_any(),
                reason: account.unselectable_reason,
            })
            .collect();
        account_picker(
            choices,
            single,
            "finlink-saved-account",
            "Saved accounts".to_owned(),
            selected,
            error,
            Callback::new(move |id| {
                send_returning(send, ReturningUserEvent::SavedAccountToggled(id))
            }),
        )
    };
    view! {
        <div class="fl-step fl-accounts fl-saved-accounts">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                "Your saved accounts"
            </h1>
            <p class="fl-lead">"Choose the accounts to link to " {business} "."</p>
            {picker}
            <button
                type="button"
                class="fl-button"
                on:click=move |_| send_returning(send, ReturningUserEvent::SavedAccountsConfirmed)
            >
                "Continue"
            </button>
            {another_account_button(send)}
            <button
                type="button"
                class="fl-button fl-button-text fl-link-button"
                on:click=move |_| send_returning(send, ReturningUserEvent::ForgetRequested)
            >
                "Forget my saved accounts"
            </button>
        </div>
    }
    .into_any()
}

const SAVE_PHONE_ID: &str = "finlink-save-phone";
const SAVE_PHONE_ERROR_ID: &str = "finlink-save-phone-error";
const SAVE_ERROR_ID: &str = "finlink-save-error";

/// The success screen's offer to save the accounts with finlink: an unticked checkbox, and
/// once ticked the email the business gave (as text) and an optional phone. Done saves them.
#[component]
pub fn SaveAccountsOffer(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
) -> impl IntoView {
    let offer = part(state, |state| match state {
        State::Success {
            session,
            save: Some(save),
            ..
        } => Some((save.clone(), session.email.clone().unwrap_or_default())),
        _ => None,
    });
    let ticked = move || offer.with(|offer| offer.as_ref().is_some_and(|(offer, _)| offer.ticked));
    let saving = move || offer.with(|offer| offer.as_ref().is_some_and(|(offer, _)| offer.saving));
    let form_error = move || {
        offer.with(|offer| {
            offer
                .as_ref()
                .and_then(|(offer, _)| offer.form_error().map(str::to_owned))
        })
    };
    let phone_error = move || {
        offer.with(|offer| {
            offer
                .as_ref()
                .and_then(|(offer, _)| offer.field_error(SaveField::Phone).map(str::to_owned))
        })
    };
    let phone = move || offer.with(|offer| offer.as_ref().map(|(offer, _)| offer.phone.clone()));
    let email = move || {
        offer.with(|offer| {
            offer
                .as_ref()
                .map(|(_, email)| format!("We'll save them for {}.", email.trim()))
        })
    };
    view! {
        <div class="fl-save-offer">
            <div class="fl-choice">
                <input
                    id="finlink-save-accounts"
                    class="fl-checkbox"
                    type="checkbox"
                    disabled=saving
                    prop:checked=ticked
                    on:change=move |event| {
                        send_returning(send, ReturningUserEvent::SaveToggled(event_target_checked(&event)))
                    }
                />
                <label for="finlink-save-accounts">
                    "Save my accounts with finlink to link them faster next time"
                </label>
            </div>
            {move || ticked().then(|| view! {
                <div class="fl-form">
                    <p class="fl-hint">{email}</p>
                    {move || form_error().map(|message| view! {
                        <p class="fl-message" id=SAVE_ERROR_ID role="alert">{message}</p>
                    })}
                    <div class="fl-field">
                        <label class="fl-label" for=SAVE_PHONE_ID>"Phone (optional)"</label>
                        <input
                            id=SAVE_PHONE_ID
                            class="fl-input"
                            type="tel"
                            inputmode="tel"
                            autocomplete="tel"
                            spellcheck="false"
                            readonly=saving
                            aria-invalid=move || phone_error().map(|_| "true")
                            aria-describedby=move || phone_error().map(|_| SAVE_PHONE_ERROR_ID)
                            prop:value=phone
                            on:input=move |event| {
                                send_returning(
                                    send,
                                    ReturningUserEvent::SavePhoneChanged(event_target_value(&event)),
                                )
                            }
                        />
                        {move || phone_error().map(|error| view! {
                            <p class="fl-field-error" id=SAVE_PHONE_ERROR_ID>{error}</p>
                        })}
                    </div>
                </div>
            })}
        </div>
    }
}
