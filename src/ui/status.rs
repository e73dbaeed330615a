use leptos::html;
use leptos::prelude::*;

use super::returning::another_account_button;
use super::{TITLE_ID, focus_on_load, focus_when_painted, part};
use crate::flow::{Event, State, manual_entry_only};

/// What the flow is busy with, for the steps that only wait: loading, connecting, linking.
fn progress_text(state: &State) -> Option<(String, bool)> {
    let (text, busy) = match state {
        State::Loading => ("Loading…".to_owned(), true),
        State::StartingAuthorization { institution, .. } => {
            (format!("Connecting to {}…", institution.name), true)
        }
        State::LoadingAccounts { institution, .. } => (
            format!("Getting your accounts from {}…", institution.name),
            true,
        ),
        State::Linking { selected, .. } if selected.len() == 1 => {
            ("Linking your account…".to_owned(), true)
        }
        State::Linking { .. } => ("Linking your accounts…".to_owned(), true),
        State::Completing { .. } => ("Adding your account…".to_owned(), true),
        State::SendingCode { .. } => ("Sending your code…".to_owned(), true),
        State::LoadingSavedAccounts { .. } => ("Getting your saved accounts…".to_owned(), true),
        State::LinkingSavedAccounts { chosen, .. } if chosen.len() == 1 => {
            ("Linking your account…".to_owned(), true)
        }
        State::LinkingSavedAccounts { .. } => ("Linking your accounts…".to_owned(), true),
        State::ForgettingSavedAccounts { .. } => {
            ("Forgetting your saved accounts…".to_owned(), true)
        }
        State::Cancelling { .. } => ("Closing…".to_owned(), true),
        State::Finished => ("You can close this window.".to_owned(), false),
        State::Consent { .. }
        | State::SelectInstitution { .. }
        | State::OAuth { .. }
        | State::Credentials { .. }
        | State::Mfa { .. }
        | State::SelectAccounts { .. }
        | State::ManualEntry { .. }
        | State::ReturningUserOffer { .. }
        | State::AwaitingCode { .. }
        | State::SelectSavedAccounts { .. }
        | State::SavedAccountsConsent { .. }
        | State::Success { .. }
        | State::Failed { .. } => return None,
    };
    Some((text, busy))
}

/// The steps that wait for an answer: a spinner and what is going on.
#[component]
pub fn ProgressStep(#[prop(into)] state: Signal<State>) -> impl IntoView {
    let Some((text, busy)) = state.with_untracked(progress_text) else {
        return ().into_any();
    };
    let heading = NodeRef::<html::H1>::new();
    if state.with_untracked(|state| matches!(state, State::Loading)) {
        focus_when_painted(heading);
    } else {
        focus_on_load(heading);
    }
    view! {
        <div class="fl-step fl-status" role="status">
            {busy.then(|| view! { <span class="fl-spinner" aria-hidden="true"></span> })}
            <h1 id=TITLE_ID class="fl-title fl-title-small" tabindex="-1" node_ref=heading>
                {text}
            </h1>
        </div>
    }
    .into_any()
}

/// The flow cannot go on: what happened, and what the person can do.
#[component]
pub fn FailedStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let failed = part(state, |state| match state {
        State::Failed {
            session,
            error,
            retry,
        } => Some((
            error.message.clone(),
            retry.is_some(),
            state.can_go_back(),
            state.offers_manual_entry(),
            session.as_deref().is_some_and(manual_entry_only),
        )),
        _ => None,
    });
    // On the saved-accounts path: the normal flow, always reachable.
    let offers_another_account = Memo::new(move |_| state.with(State::offers_another_account));
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    let message = move || failed.get().map(|(message, ..)| message);
    let can_retry = move || failed.get().is_some_and(|(_, retry, ..)| retry);
    let can_go_back = move || failed.get().is_some_and(|(_, _, back, ..)| back);
    let offers_manual_entry = move || failed.get().is_some_and(|(_, _, _, manual, _)| manual);
    // Back leads to the bank list, or to the form for a session that has no bank list.
    let back_text = move || {
        if failed.get().is_some_and(|(.., form_only)| form_only) {
            "Enter bank details again"
        } else {
            "Pick another bank"
        }
    };
    view! {
        <div class="fl-step fl-failed">
            <span class="fl-failed-mark" aria-hidden="true"></span>
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                "Something went wrong"
            </h1>
            <p class="fl-message" role="alert">{message}</p>
            {move || can_retry().then(|| view! {
                <button type="button" class="fl-button" on:click=move |_| send.run(Event::Retry)>
                    "Try again"
                </button>
            })}
            {move || can_go_back().then(|| view! {
                <button
                    type="button"
                    class="fl-button fl-button-secondary"
                    on:click=move |_| send.run(Event::Back)
                >
                    {back_text}
                </button>
            })}
            {move || offers_manual_entry().then(|| view! {
                <button
                    type="button"
                    class="fl-button fl-button-secondary"
                    on:click=move |_| send.run(Event::ManualEntryChosen)
                >
                    "Enter bank details manually"
                </button>
            })}
            {move || offers_another_account.get().then(|| another_account_button(send))}
            <button
                type="button"
                class="fl-button fl-button-text"
                on:click=move |_| send.run(Event::Cancel)
            >
                "Close"
            </button>
        </div>
    }
}
