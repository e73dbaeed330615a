//! Browser tests of the account step in a session that links one account
//! (`account_selection: single`): a radio group in a fieldset, driven through the real flow.
//! `make test-browser`, or `cargo test --target wasm32-unknown-unknown -p finlink`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::sync::Arc;

use common::*;
use finlink::flow::{Effect, State, step};
use finlink_protocol::{AccountSelection, Permission};
use leptos::prelude::{GetUntracked, Set};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const CHECKING: &str = "Everyday Checking Checking ••••6789 ending in 6789";
const SAVINGS: &str = "High-Yield Savings Savings ••••4321 ending in 4321";
const CARD: &str = "Rewards Credit Card Credit card ••••9012 ending in 9012";

/// The account step of a single-account session, nothing chosen yet.
fn choosing_one() -> State {
    let mut session = link_session(
        "Acme Bikes",
        vec![Permission::PaymentMethod, Permission::Balances],
    );
    session.account_selection = AccountSelection::Single;
    match select_accounts(standard_accounts(), &[], None) {
        State::SelectAccounts {
            institution,
            authorization,
            accounts,
            selected,
            error,
            ..
        } => State::SelectAccounts {
            session: Arc::new(session),
            institution,
            authorization,
            accounts,
            selected,
            error,
        },
        other => other,
    }
}

/// Feeds the events the page sent through the flow, as the driver does, and lets it render.
async fn run_flow(page: &Mounted) -> Vec<Effect> {
    let mut effects = Vec::new();
    for event in page.take_events() {
        let (next, more) = step(page.state.get_untracked(), event);
        page.state.set(next);
        effects.extend(more);
    }
    tick().await;
    effects
}

#[wasm_bindgen_test]
async fn a_single_account_session_offers_a_radio_group_with_a_legend() {
    let page = Mounted::new(choosing_one()).await;
    assert_eq!(page.heading(), "Select an account");
    assert!(page.all("input[type=checkbox]").is_empty(), "no checkboxes");

    let group = page.get("fieldset");
    let legend = normalize(&find(&group, "legend").unwrap().text_content().unwrap());
    assert_eq!(legend, "Accounts at Sandbox Bank (Credentials)");
    let radios = all(&group, "input[type=radio]");
    assert_eq!(radios.len(), 3, "one radio per account");
    let names: Vec<String> = radios
        .iter()
        .map(|radio| radio.get_attribute("name").unwrap_or_default())
        .collect();
    assert!(
        names
            .iter()
            .all(|name| !name.is_empty() && *name == names[0]),
        "the radios form one group: {names:?}"
    );

    // The account that cannot be linked is a disabled radio, described by why.
    let card = page.field(CARD);
    assert_eq!(card.type_(), "radio");
    assert!(card.disabled());
    let reason_id = card.get_attribute("aria-describedby").unwrap();
    let reason = leptos::prelude::document()
        .get_element_by_id(&reason_id)
        .unwrap();
    assert_eq!(
        reason.text_content().unwrap(),
        "This account can't be used for payments."
    );
    assert!(page.has_button("Link account"));
}

#[wasm_bindgen_test]
async fn choosing_a_second_account_replaces_the_first() {
    let page = Mounted::new(choosing_one()).await;
    let checking = page.field(CHECKING);
    let savings = page.field(SAVINGS);
    assert!(!checking.checked() && !savings.checked());

    checking.click();
    run_flow(&page).await;
    assert!(checking.checked(), "the first choice is checked");
    assert!(!savings.checked());

    savings.click();
    run_flow(&page).await;
    assert!(savings.checked(), "the second choice is checked");
    assert!(!checking.checked(), "and the first is not any more");
    let State::SelectAccounts { selected, .. } = page.state.get_untracked() else {
        panic!("still at account selection")
    };
    assert_eq!(selected.into_iter().collect::<Vec<_>>(), ["fca_savings"]);

    // Link account attaches exactly the one chosen.
    page.button("Link account").click();
    let effects = run_flow(&page).await;
    let attached: Vec<Vec<String>> = effects
        .into_iter()
        .filter_map(|effect| match effect {
            Effect::AttachAccounts { accounts, .. } => Some(accounts),
            _ => None,
        })
        .collect();
    assert_eq!(attached, [["fca_savings".to_owned()]]);
    assert_eq!(page.heading(), "Linking your account…");
}

#[wasm_bindgen_test]
async fn a_multiple_account_session_keeps_its_checkboxes() {
    let page = Mounted::new(select_accounts(standard_accounts(), &[], None)).await;
    assert_eq!(page.heading(), "Select accounts");
    assert!(page.all("input[type=radio]").is_empty(), "no radios");
    let checking = page.field(CHECKING);
    let savings = page.field(SAVINGS);
    assert_eq!(checking.type_(), "checkbox");
    checking.click();
    run_flow(&page).await;
    savings.click();
    run_flow(&page).await;
    assert!(checking.checked() && savings.checked(), "both stay checked");
    assert!(page.has_button("Link accounts"));
}
