use finlink_protocol::Permission;
use leptos::html;
use leptos::prelude::*;

use super::returning::{another_account_button, saved_account_line};
use super::{TITLE_ID, focus_on_load, new_idempotency_key, part, safe_url};
use crate::flow::{Event, ReturningUserEvent, State};

/// What a permission lets the business see, in plain words: a title and one sentence.
pub fn permission_text(permission: Permission) -> (&'static str, &'static str) {
    match permission {
        Permission::PaymentMethod => (
            "Account details",
            "Your account and routing numbers, to pay from or into this account.",
        ),
        Permission::Balances => ("Balances", "Your current and available balances."),
        Permission::Ownership => (
            "Account owners",
            "The names, addresses, emails and phone numbers of the account's owners.",
        ),
        Permission::Transactions => ("Transactions", "Your pending and posted transactions."),
    }
}

/// The consent step: who asks, for what, and Continue.
#[component]
pub fn ConsentStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    // Also the consent for saved accounts, which lists the accounts to share.
    let Some((session, chosen)) = state.with_untracked(|state| match state {
        State::Consent { session, .. } => Some((session.clone(), None)),
        State::SavedAccountsConsent {
            session, chosen, ..
        } => Some((session.clone(), Some(chosen.clone()))),
        _ => None,
    }) else {
        return ().into_any();
    };
    let submitting = part(state, |state| match state {
        State::Consent { submitting, .. } => Some(*submitting),
        State::SavedAccountsConsent { submitting, .. } => Some(submitting.is_some()),
        _ => None,
    });
    let saved = chosen.is_some();
    let accounts = chosen.map(|chosen| {
        let items = chosen
            .iter()
            .map(|account| {
                view! {
                    <li class="fl-account">
                        <span class="fl-account-label">{saved_account_line(account)}</span>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2 class="fl-subtitle">"Accounts to share"</h2>
            <ul class="fl-account-list" aria-label="Accounts to share">{items}</ul>
        }
    });
    let on_continue = move |_| {
        if saved {
            send.run(Event::ReturningUser(
                ReturningUserEvent::SavedAccountsConsentGiven {
                    idempotency_key: new_idempotency_key(),
                },
            ));
        } else {
            send.run(Event::ConsentGiven);
        }
    };
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);

    let business = session.business_name.clone();
    let list_label = format!("Data {business} will see");
    let items = session
        .permissions
        .iter()
        .map(|&permission| {
            let (title, detail) = permission_text(permission);
            view! {
                <li class="fl-permission">
                    <span class="fl-permission-title">{title}</span>
                    " "
                    <span class="fl-permission-detail">{detail}</span>
                </li>
            }
        })
        .collect_view();
    let link = |url: &str, text: &'static str| match safe_url(url) {
        Some(url) => view! {
            <a href=url.to_owned() target="_blank" rel="noopener noreferrer">{text}</a>
        }
        .into_any(),
        None => text.into_any(),
    };
    let busy = move || submitting.get().unwrap_or(false);
    view! {
        <div class="fl-step fl-consent">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>
                {business.clone()} " uses finlink to connect your bank account"
            </h1>
            <h2 class="fl-subtitle">"What " {business.clone()} " will see"</h2>
            <ul class="fl-permissions" aria-label=list_label>{items}</ul>
            {accounts}
            <ul class="fl-assurances">
                <li>"Your bank login details are never shared with " {business} "."</li>
                <li>"You can disconnect your account at any time."</li>
            </ul>
            <p class="fl-legal">
                "By continuing you agree to finlink's "
                {link(&session.terms_url, "Terms")}
                " and "
                {link(&session.privacy_url, "Privacy Policy")}
                "."
            </p>
            <button
                type="button"
                class="fl-button"
                aria-disabled=move || busy().then_some("true")
                on:click=on_continue
            >
                {move || if busy() { "Continuing…" } else { "Continue" }}
            </button>
            {saved.then(|| another_account_button(send))}
        </div>
    }
    .into_any()
}
