use std::collections::BTreeSet;

use finlink_protocol::{AccountSelection, AccountSubcategory, LinkedAccount, UnselectableReason};
use leptos::html;
use leptos::prelude::*;

use super::{
    SaveAccountsOffer, TITLE_ID, focus_on_load, new_idempotency_key, part,
    pending_verification_text,
};
use crate::flow::{Event, Failure, State, pending_verification};

/// An account's type, as the person calls it.
pub fn account_kind(subcategory: AccountSubcategory) -> &'static str {
    match subcategory {
        AccountSubcategory::Checking => "Checking",
        AccountSubcategory::Savings => "Savings",
        AccountSubcategory::CreditCard => "Credit card",
        AccountSubcategory::LineOfCredit => "Line of credit",
        AccountSubcategory::Mortgage => "Mortgage",
        AccountSubcategory::Other => "Account",
    }
}

/// Why an account cannot be picked, in words for the person.
pub fn unselectable_text(reason: UnselectableReason) -> &'static str {
    match reason {
        UnselectableReason::Inactive => "This account is closed or inactive.",
        UnselectableReason::UnsupportedForPayments => "This account can't be used for payments.",
        UnselectableReason::FilteredOut => "This type of account isn't accepted here.",
    }
}

/// "Checking ••••6789", with the dots hidden from screen readers.
fn account_line(subcategory: AccountSubcategory, last4: &str) -> impl IntoView + use<> {
    let kind = account_kind(subcategory);
    view! {
        {kind}
        <span aria-hidden="true">" ••••" {last4.to_owned()}</span>
        <span class="fl-sr-only">" ending in " {last4.to_owned()}</span>
    }
}

/// An account to pick: its id, what its label shows, and why it cannot be picked, if so.
pub(super) struct AccountChoice {
    pub id: String,
    pub label: AnyView,
    pub reason: Option<UnselectableReason>,
}

/// The last confirmation's error, then the accounts to pick, as the account step and the saved
/// accounts step show them: a radio group in a fieldset when the session links one account,
/// otherwise a checkbox each; those that cannot be picked disabled, with the reason. `name`
/// starts the ids of the inputs and names the radio group; `list_label` names the list.
pub(super) fn account_picker(
    choices: Vec<AccountChoice>,
    single: bool,
    name: &'static str,
    list_label: String,
    selected: Memo<Option<BTreeSet<String>>>,
    error: Memo<Option<Failure>>,
    toggle: Callback<String>,
) -> AnyView {
    let (input_type, input_class) = if single {
        ("radio", "fl-radio")
    } else {
        ("checkbox", "fl-checkbox")
    };
    let items = choices
        .into_iter()
        .map(|AccountChoice { id, label, reason }| {
            let input_id = [name, "-", &id].concat();
            let reason_id = [name, "-reason-", &id].concat();
            let reason = reason.map(unselectable_text);
            let checked = {
                let id = id.clone();
                move || selected.with(|selected| selected.as_ref().is_some_and(|s| s.contains(&id)))
            };
            view! {
                <li class="fl-account" class:fl-account-disabled=reason.is_some()>
                    <input
                        id=input_id.clone()
                        class=input_class
                        type=input_type
                        name=single.then_some(name)
                        value=id.clone()
                        disabled=reason.is_some()
                        aria-describedby=reason.map(|_| reason_id.clone())
                        prop:checked=checked
                        on:change=move |_| toggle.run(id.clone())
                    />
                    <label class="fl-account-label" for=input_id>{label}</label>
                    {reason.map(|reason| view! {
                        <span class="fl-account-reason" id=reason_id>{reason}</span>
                    })}
                </li>
            }
        })
        .collect_view();
    let choices = if single {
        view! {
            <fieldset class="fl-account-choices">
                <legend class="fl-sr-only">{list_label}</legend>
                <ul class="fl-account-list">{items}</ul>
            </fieldset>
        }
        .into_any()
    } else {
        view! { <ul class="fl-account-list" aria-label=list_label>{items}</ul> }.into_any()
    };
    view! {
        {move || error.get().map(|error| view! {
            <p class="fl-message" role="alert">{error.message}</p>
        })}
        {choices}
    }
    .into_any()
}

/// Picking the accounts to link: each with its name, type and last four digits; those that
/// cannot be linked are shown disabled, with the reason. A session that links one account
/// offers a radio group in a fieldset; otherwise each account has its checkbox.
#[component]
pub fn AccountsStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let Some((business, bank, accounts, single)) = state.with_untracked(|state| match state {
        State::SelectAccounts {
            session,
            institution,
            accounts,
            ..
        } => Some((
            session.business_name.clone(),
            institution.name.clone(),
            accounts.clone(),
            session.account_selection == AccountSelection::Single,
        )),
        _ => None,
    }) else {
        return ().into_any();
    };
    let selected = part(state, |state| match state {
        State::SelectAccounts { selected, .. } => Some(selected.clone()),
        _ => None,
    });
    let error = part(state, |state| match state {
        State::SelectAccounts { error, .. } => error.clone(),
        _ => None,
    });

    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    let choices = accounts
        .into_iter()
        .map(|account| AccountChoice {
            label: view! {
                <span class="fl-account-name">{account.display_name}</span>
                " "
                <span class="fl-account-detail">
                    {account_line(account.subcategory, &account.last4)}
                </span>
            }
            .into_any(),
            id: account.id,
            reason: account.unselectable_reason,
        })
        .collect();
    let picker = account_picker(
        choices,
        single,
        "finlink-account",
        format!("Accounts at {bank}"),
        selected,
        error,
        Callback::new(move |id| send.run(Event::AccountToggled(id))),
    );
    let (title, lead, action) = if single {
        (
            "Select an account",
            "Choose the account at ",
            "Link account",
        )
    } else {
        (
            "Select accounts",
            "Choose the accounts at ",
            "Link accounts",
        )
    };
    view! {
        <div class="fl-step fl-accounts">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>{title}</h1>
            <p class="fl-lead">{lead} {bank} " to link to " {business} "."</p>
            {picker}
            <button
                type="button"
                class="fl-button"
                on:click=move |_| send.run(Event::AccountsConfirmed {
                    idempotency_key: new_idempotency_key(),
                })
            >
                {action}
            </button>
        </div>
    }
    .into_any()
}

/// Linked: the accounts, and Done.
#[component]
pub fn SuccessStep(#[prop(into)] state: Signal<State>, send: Callback<Event>) -> impl IntoView {
    let Some((business, accounts, offers_save)) = state.with_untracked(|state| match state {
        State::Success {
            session,
            result,
            save,
        } => Some((
            session.business_name.clone(),
            result.accounts.clone(),
            save.is_some(),
        )),
        _ => None,
    }) else {
        return ().into_any();
    };
    let heading = NodeRef::<html::H1>::new();
    focus_on_load(heading);
    // Accounts entered by hand await their microdeposits.
    let pending = |account: &LinkedAccount| {
        pending_verification(account).map(|verification| verification.microdeposit_type)
    };
    let any_pending = accounts.iter().any(|account| pending(account).is_some());
    let (title, summary) = match accounts.len() {
        _ if any_pending => (
            "Account added",
            format!("{business} can use it for payments once you confirm the deposits."),
        ),
        1 => (
            "Accounts linked",
            format!("1 account is now linked to {business}."),
        ),
        count => (
            "Accounts linked",
            format!("{count} accounts are now linked to {business}."),
        ),
    };
    let items = accounts
        .into_iter()
        .map(|account| {
            let verification = pending(&account).map(|kind| {
                view! {
                    <p class="fl-verification">
                        <span class="fl-badge">"Verification pending"</span>
                        " "
                        {pending_verification_text(kind, &business)}
                    </p>
                }
            });
            view! {
                <li class="fl-account">
                    <span class="fl-account-label">
                        <span class="fl-account-name">{account.display_name}</span>
                        " "
                        <span class="fl-account-detail">
                            {account.institution_name} " · "
                            {account_line(account.subcategory, &account.last4)}
                        </span>
                    </span>
                    {verification}
                </li>
            }
        })
        .collect_view();
    let saving = part(state, |state| match state {
        State::Success {
            save: Some(save), ..
        } => Some(save.saving),
        _ => None,
    });
    view! {
        <div class="fl-step fl-success">
            <span class="fl-success-mark" aria-hidden="true"></span>
            <h1 id=TITLE_ID class="fl-title" tabindex="-1" node_ref=heading>{title}</h1>
            <p class="fl-lead">{summary}</p>
            <ul class="fl-account-list" aria-label="Linked accounts">{items}</ul>
            {offers_save.then(|| view! { <SaveAccountsOffer state send /> })}
            <button type="button" class="fl-button" on:click=move |_| send.run(Event::Done)>
                {move || if saving.get().unwrap_or(false) { "Saving…" } else { "Done" }}
            </button>
        </div>
    }
    .into_any()
}
