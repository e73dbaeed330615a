use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{
    AccountsStep, CodeStep, ConsentStep, CredentialsStep, FailedStep, InstitutionsStep,
    ManualEntryStep, MfaStep, OAuthStep, ProgressStep, ReturningUserOfferStep, SavedAccountsStep,
    SuccessStep, TITLE_ID,
};
use crate::flow::{Event, Handoff, State};
use crate::host::BankOpensIn;

/// Which step component shows a state. A new screen mounts a new component, which moves the
/// focus to its heading or first field; a change within a screen updates it in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Waiting for an answer: the state's name says which.
    Progress(&'static str),
    Consent,
    Institutions,
    OAuthReady,
    OAuthWaiting,
    Credentials,
    Mfa,
    Accounts,
    ManualEntry,
    ReturningUserOffer,
    Code,
    SavedAccounts,
    SavedAccountsConsent,
    Success,
    Failed,
}

impl Screen {
    pub fn of(state: &State) -> Self {
        match state {
            State::Loading
            | State::StartingAuthorization { .. }
            | State::LoadingAccounts { .. }
            | State::Linking { .. }
            | State::Completing { .. }
            | State::SendingCode { .. }
            | State::LoadingSavedAccounts { .. }
            | State::LinkingSavedAccounts { .. }
            | State::ForgettingSavedAccounts { .. }
            | State::Cancelling { .. }
            | State::Finished => Self::Progress(state.name()),
            State::Consent { .. } => Self::Consent,
            State::SelectInstitution { .. } => Self::Institutions,
            State::OAuth {
                handoff: Handoff::Ready,
                ..
            } => Self::OAuthReady,
            State::OAuth {
                handoff: Handoff::Waiting { .. } | Handoff::Redirecting,
                ..
            } => Self::OAuthWaiting,
            State::Credentials { .. } => Self::Credentials,
            State::Mfa { .. } => Self::Mfa,
            State::SelectAccounts { .. } => Self::Accounts,
            State::ManualEntry { .. } => Self::ManualEntry,
            State::ReturningUserOffer { .. } => Self::ReturningUserOffer,
            State::AwaitingCode { .. } => Self::Code,
            State::SelectSavedAccounts { .. } => Self::SavedAccounts,
            State::SavedAccountsConsent { .. } => Self::SavedAccountsConsent,
            State::Success { .. } => Self::Success,
            State::Failed { .. } => Self::Failed,
        }
    }
}

/// What can take the keyboard focus inside the dialog.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The modal dialog every step renders into (the WAI-ARIA dialog pattern): named by the
/// step's heading, Back and Close in its header, the business and "Secured by finlink" in its
/// footer. Tab and Shift+Tab stay inside; Escape closes. `announcement` is read out by screen
/// readers as it changes.
#[component]
pub fn Dialog(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
    #[prop(into, optional)] announcement: Signal<String>,
    /// Where the bank's login opens, as the hand-off and waiting screens say it.
    #[prop(optional)]
    bank_opens_in: BankOpensIn,
) -> impl IntoView {
    let screen = Memo::new(move |_| state.with(Screen::of));
    let can_go_back = Memo::new(move |_| state.with(State::can_go_back));
    let can_close = Memo::new(move |_| {
        state.with(|state| !matches!(state, State::Cancelling { .. } | State::Finished))
    });
    let business = Memo::new(move |_| {
        state.with(|state| state.session().map(|session| session.business_name.clone()))
    });
    let dialog = NodeRef::<html::Section>::new();
    let on_keydown = move |event: KeyboardEvent| match event.key().as_str() {
        "Escape" | "Esc" => {
            event.prevent_default();
            send.run(Event::Cancel);
        }
        "Tab" => {
            if let Some(dialog) = dialog.get_untracked() {
                keep_focus_inside(&dialog, &event);
            }
        }
        _ => {}
    };
    let step = move || match screen.get() {
        Screen::Progress(_) => view! { <ProgressStep state /> }.into_any(),
        Screen::Consent => view! { <ConsentStep state send /> }.into_any(),
        Screen::Institutions => view! { <InstitutionsStep state send /> }.into_any(),
        Screen::OAuthReady | Screen::OAuthWaiting => {
            view! { <OAuthStep state send opens_in=bank_opens_in /> }.into_any()
        }
        Screen::Credentials => view! { <CredentialsStep state send /> }.into_any(),
        Screen::Mfa => view! { <MfaStep state send /> }.into_any(),
        Screen::Accounts => view! { <AccountsStep state send /> }.into_any(),
        Screen::ManualEntry => view! { <ManualEntryStep state send /> }.into_any(),
        Screen::ReturningUserOffer => view! { <ReturningUserOfferStep state send /> }.into_any(),
        Screen::Code => view! { <CodeStep state send /> }.into_any(),
        Screen::SavedAccounts => view! { <SavedAccountsStep state send /> }.into_any(),
        // The consent screen, with the saved accounts to share.
        Screen::SavedAccountsConsent => view! { <ConsentStep state send /> }.into_any(),
        Screen::Success => view! { <SuccessStep state send /> }.into_any(),
        Screen::Failed => view! { <FailedStep state send /> }.into_any(),
    };
    view! {
        <section
            class="fl-dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby=TITLE_ID
            node_ref=dialog
            on:keydown=on_keydown
        >
            <header class="fl-header">
                <span class="fl-header-start">
                    {move || can_go_back.get().then(|| view! {
                        <button
                            type="button"
                            class="fl-icon-button"
                            aria-label="Back"
                            on:click=move |_| send.run(Event::Back)
                        >
                            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                                <path d="M15 5l-7 7 7 7" />
                            </svg>
                        </button>
                    })}
                </span>
                <span class="fl-brand" aria-hidden="true">
                    <span class="fl-brand-mark"></span>
                    "finlink"
                </span>
                <span class="fl-header-end">
                    {move || can_close.get().then(|| view! {
                        <button
                            type="button"
                            class="fl-icon-button"
                            aria-label="Close"
                            on:click=move |_| send.run(Event::Cancel)
                        >
                            <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                                <path d="M6 6l12 12M18 6L6 18" />
                            </svg>
                        </button>
                    })}
                </span>
            </header>
            <div class="fl-body">{step}</div>
            {footer_and_status(move || business.get(), announcement)}
        </section>
    }
}

/// The bottom of finlink's pages: the business the person deals with, "Secured by finlink",
/// and the `aria-live` region that announces status changes.
pub fn footer_and_status(
    business: impl Fn() -> Option<String> + Send + Sync + 'static,
    announcement: Signal<String>,
) -> impl IntoView {
    view! {
        <footer class="fl-footer">
            {move || business().map(|name| view! {
                <span class="fl-footer-business">{name}</span>
            })}
            <span class="fl-footer-secured">
                <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
                    <path d="M7 11V8a5 5 0 0110 0v3M6 11h12v9H6z" />
                </svg>
                "Secured by finlink"
            </span>
        </footer>
        <div class="fl-sr-only" aria-live="polite" aria-atomic="true">
            {move || announcement.get()}
        </div>
    }
}

/// Tab from the last focusable element goes to the first, Shift+Tab from the first to the
/// last. From an element outside the tab order (a heading that got the focus), the next or
/// previous focusable element in the dialog gets it, wrapping around too.
fn keep_focus_inside(dialog: &web_sys::HtmlElement, event: &KeyboardEvent) {
    let Ok(nodes) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|index| nodes.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|element| element.get_client_rects().length() > 0)
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        event.prevent_default();
        return;
    };
    let backwards = event.shift_key();
    let target = match document().active_element() {
        Some(active) if focusable.iter().any(|element| active == **element) => {
            let at_end = if backwards { first } else { last };
            let wrap_to = if backwards { last } else { first };
            (active == **at_end).then_some(wrap_to)
        }
        Some(active) if dialog.contains(Some(&active)) => {
            // DOCUMENT_POSITION_FOLLOWING: the element comes after the focused one.
            let follows = |element: &&web_sys::HtmlElement| {
                active.compare_document_position(element) & 4 != 0
            };
            let next = if backwards {
                focusable.iter().rev().find(|element| !follows(element))
            } else {
                focusable.iter().find(follows)
            };
            Some(next.unwrap_or(if backwards { last } else { first }))
        }
        Some(_) | None => Some(if backwards { last } else { first }),
    };
    if let Some(target) = target {
        event.prevent_default();
        let _ = target.focus();
    }
}
