use finlink_protocol::{LinkSession, Permission};
use leptos::prelude::*;

use super::TITLE_ID;

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

/// The consent step: who asks, and for what.
#[component]
pub fn ConsentView(session: LinkSession) -> impl IntoView {
    let LinkSession {
        business_name,
        permissions,
        terms_url,
        privacy_url,
        ..
    } = session;
    let list_label = format!("Data {business_name} will see");
    let items = permissions
        .into_iter()
        .map(|permission| {
            let (title, detail) = permission_text(permission);
            view! {
                <li class="fl-permission">
                    <span class="fl-permission-title">{title}</span>
                    <span class="fl-permission-detail">{detail}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="fl-consent">
            <h1 id=TITLE_ID class="fl-title">{business_name.clone()}</h1>
            <p class="fl-lead">
                {business_name.clone()} " uses finlink to connect to your bank account."
            </p>
            <h2 class="fl-subtitle">"What " {business_name.clone()} " will see"</h2>
            <ul class="fl-permissions" aria-label=list_label>{items}</ul>
            <ul class="fl-assurances">
                <li>"Your bank login details are never shared with " {business_name} "."</li>
                <li>"You can disconnect your account at any time."</li>
            </ul>
            <p class="fl-legal">
                "By continuing you agree to finlink's "
                <a href=terms_url target="_blank" rel="noopener noreferrer">"Terms"</a>
                " and "
                <a href=privacy_url target="_blank" rel="noopener noreferrer">"Privacy Policy"</a>
                "."
            </p>
        </div>
    }
}
