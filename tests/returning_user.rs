//! Browser tests of returning users: the offer of saved accounts, the one-time code (Enter
//! verifies, errors next to the field and announced), the saved accounts to pick, their
//! consent, and the save offer on the success screen. `make test-browser`, or
//! `cargo test --target wasm32-unknown-unknown -p finlink --test returning_user`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::sync::Arc;

use common::*;
use finlink::flow::{
    CodeRequest, Effect, Event, Failure, ReturningUserEvent, SaveOffer, State, step,
};
use finlink_protocol::{
    AccountCategory, AccountSelection, AccountSubcategory, ApiError, ErrorCode, ErrorType,
    LinkResult, LinkSession, OneTimeCodeChallenge, OneTimeCodeStatus, Permission, ResumeAt,
    ReturningUser, SaveAccountsRequest, SavedAccount, SessionStatus, UnselectableReason,
};
use leptos::prelude::{GetUntracked, Set};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const HINT: &str = "j•••@example.com";

fn returning_session(verified: bool) -> Arc<LinkSession> {
    let mut session = link_session("Harbor Books", vec![Permission::PaymentMethod]);
    session.consent_given = false;
    session.resume = ResumeAt::Consent;
    session.email = Some("jenny.rosen@example.com".to_owned());
    session.returning_user = Some(ReturningUser {
        email_hint: HINT.to_owned(),
        verified,
    });
    Arc::new(session)
}

fn challenge(status: OneTimeCodeStatus, attempts_remaining: u32) -> Box<OneTimeCodeChallenge> {
    Box::new(OneTimeCodeChallenge {
        email_hint: HINT.to_owned(),
        status,
        attempts_remaining,
        expires_at: 1_700_000_600,
        resend_available_at: Some(1_700_000_030),
        error: None,
    })
}

fn awaiting(code: &str, error: Option<Failure>) -> State {
    State::AwaitingCode {
        session: returning_session(false),
        challenge: Some(challenge(OneTimeCodeStatus::Pending, 5)),
        code: code.to_owned(),
        submitting: None,
        error,
    }
}

fn saved(id: &str, name: &str, last4: &str, reason: Option<UnselectableReason>) -> SavedAccount {
    SavedAccount {
        id: id.to_owned(),
        display_name: name.to_owned(),
        institution_name: "Sandbox Bank (Credentials)".to_owned(),
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
        last4: last4.to_owned(),
        unselectable_reason: reason,
    }
}

fn saved_accounts() -> Vec<SavedAccount> {
    vec![
        saved("fcsa_1", "Everyday Checking", "6789", None),
        saved("fcsa_2", MARKUP, "1111", None),
        saved(
            "fcsa_3",
            "Old Savings",
            "2222",
            Some(UnselectableReason::Inactive),
        ),
    ]
}

fn select_saved(session: Arc<LinkSession>, selected: &[&str]) -> State {
    State::SelectSavedAccounts {
        session,
        accounts: saved_accounts(),
        selected: selected.iter().map(|id| (*id).to_owned()).collect(),
        error: None,
    }
}

/// The email the business gave, with markup in it: it must render as text.
const GIVEN_EMAIL: &str = "jenny<b>.rosen</b>@example.com";

fn success_offering_save(save: SaveOffer) -> State {
    let mut session = LinkSession::clone(&session());
    session.email = Some(GIVEN_EMAIL.to_owned());
    State::Success {
        session: Arc::new(session),
        result: LinkResult {
            session: "fcsess_test".to_owned(),
            status: SessionStatus::Completed,
            accounts: vec![linked("fca_1", "Everyday Checking", "6789")],
        },
        save: Some(save),
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
    for effect in &effects {
        if let Effect::Announce(text) = effect {
            page.announcement.set(text.clone());
        }
    }
    tick().await;
    effects
}

/// The texts an input's `aria-describedby` points at.
fn description(field: &web_sys::HtmlInputElement) -> String {
    field
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|id| leptos::prelude::document().get_element_by_id(id))
        .map(|element| normalize(&element.text_content().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// What the live region says now.
fn live_region(page: &Mounted) -> String {
    page.texts("[aria-live]").join(" ")
}

fn heading_has_focus(page: &Mounted) -> bool {
    focused().is_some_and(|element| element == page.get("h1"))
}

#[wasm_bindgen_test]
async fn the_offer_welcomes_back_and_offers_both_ways() {
    let page = Mounted::new(State::ReturningUserOffer {
        session: returning_session(false),
    })
    .await;
    assert_eq!(page.heading(), "Welcome back");
    assert!(heading_has_focus(&page), "the focus starts at the heading");
    assert!(
        page.text().contains(
            "You saved bank accounts with finlink. We'll send a code to j•••@example.com."
        ),
        "{}",
        page.text()
    );
    page.button("Use another account");
    page.button("Continue with your saved accounts").click();
    assert_eq!(
        page.take_events(),
        [Event::ReturningUser(
            ReturningUserEvent::SavedAccountsChosen
        )]
    );
    page.button("Use another account").click();
    assert_eq!(
        page.take_events(),
        [Event::ReturningUser(
            ReturningUserEvent::AnotherAccountChosen
        )]
    );
}

#[wasm_bindgen_test]
async fn another_account_shows_consent_at_once_and_the_decline_is_never_shown() {
    let page = Mounted::new(State::ReturningUserOffer {
        session: returning_session(false),
    })
    .await;
    page.button("Use another account").click();
    let effects = run_flow(&page).await;
    assert!(
        effects.contains(&Effect::DeclineSavedAccounts),
        "the server records the decline: {effects:?}"
    );
    let consent = "Harbor Books uses finlink to connect your bank account";
    assert_eq!(page.heading(), consent);
    let announced = live_region(&page);
    // Its answer, or even its failure for a session that ended, changes nothing on screen.
    for answer in [
        Event::ReturningUser(ReturningUserEvent::Declined),
        Event::ApiFailed {
            request: finlink::flow::Request::DeclineSavedAccounts,
            error: Failure::new(Some(ErrorCode::SessionExpired), "This link has expired."),
            retryable: false,
        },
    ] {
        let (next, effects) = step(page.state.get_untracked(), answer);
        assert!(
            matches!(effects.as_slice(), [Effect::Ignored { .. }]),
            "{effects:?}"
        );
        page.state.set(next);
        tick().await;
        assert_eq!(page.heading(), consent);
        assert_eq!(live_region(&page), announced);
        assert!(!page.text().contains("expired"), "{}", page.text());
    }
}

#[wasm_bindgen_test]
async fn the_code_field_is_labelled_for_one_time_codes_and_enter_verifies() {
    let page = Mounted::new(awaiting("", None)).await;
    assert_eq!(page.heading(), "Enter your code");
    assert!(heading_has_focus(&page));
    let field = page.field("6-digit code");
    assert_eq!(
        field.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(field.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        description(&field),
        "We sent a code to j•••@example.com. It expires in 10 minutes."
    );
    for name in ["Verify", "Send a new code", "Use another account"] {
        page.button(name);
    }

    field.focus().unwrap();
    type_into(&field, "424242");
    run_flow(&page).await;
    // Enter in the field submits its form, whose submit button is Verify.
    let form: web_sys::HtmlFormElement = field.form().unwrap().unchecked_into();
    let submit = find(&form, "button[type=submit]").unwrap();
    assert_eq!(accessible_name(&submit), "Verify");
    form.request_submit().unwrap();
    let effects = run_flow(&page).await;
    assert_eq!(
        effects,
        [Effect::VerifyCode {
            code: "424242".to_owned()
        }]
    );
    let State::AwaitingCode { submitting, .. } = page.state.get_untracked() else {
        panic!("still the code step");
    };
    assert_eq!(submitting, Some(CodeRequest::Verify));
    assert_eq!(
        page.button("Verifying").text_content().unwrap(),
        "Verifying…"
    );
}

#[wasm_bindgen_test]
async fn a_wrong_code_shows_next_to_the_field_and_is_announced() {
    let page = Mounted::new(awaiting("12", None)).await;
    let field = page.field("6-digit code");
    form_of(&field).request_submit().unwrap();
    run_flow(&page).await;
    assert_eq!(field.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        description(&field),
        "Enter the 6-digit code from the email. | We sent a code to j•••@example.com. It expires in 10 minutes."
    );
    assert_eq!(live_region(&page), "Enter the 6-digit code from the email.");

    // The server's answer to a wrong code.
    type_into(&field, "111111");
    form_of(&field).request_submit().unwrap();
    run_flow(&page).await;
    let mut wrong = challenge(OneTimeCodeStatus::Pending, 4);
    wrong.error = Some(ApiError {
        kind: ErrorType::InvalidRequestError,
        code: ErrorCode::OneTimeCodeIncorrect,
        message: "That code isn't right. 4 attempts left.".to_owned(),
        param: None,
        request_id: None,
    });
    let (next, effects) = step(
        page.state.get_untracked(),
        Event::ReturningUser(ReturningUserEvent::CodeChecked(wrong)),
    );
    page.state.set(next);
    for effect in effects {
        if let Effect::Announce(text) = effect {
            page.announcement.set(text);
        }
    }
    tick().await;
    let field = page.field("6-digit code");
    assert!(description(&field).starts_with("That code isn't right. 4 attempts left."));
    assert_eq!(
        live_region(&page),
        "That code isn't right. 4 attempts left."
    );
}

fn form_of(field: &web_sys::HtmlInputElement) -> web_sys::HtmlFormElement {
    field.form().unwrap().unchecked_into()
}

#[wasm_bindgen_test]
async fn a_resend_limit_shows_next_to_the_code_field() {
    let limited = Failure::new(
        Some(ErrorCode::OneTimeCodeResendLimited),
        "You can't get another code yet. Wait a little, then send a new code.",
    );
    let page = Mounted::new(awaiting("", Some(limited))).await;
    let field = page.field("6-digit code");
    assert!(
        description(&field)
            .starts_with("You can't get another code yet. Wait a little, then send a new code."),
        "{}",
        description(&field)
    );
    page.button("Send a new code").click();
    let effects = run_flow(&page).await;
    assert_eq!(effects, [Effect::SendCode]);
}

#[wasm_bindgen_test]
async fn after_too_many_wrong_codes_only_another_account_is_left() {
    let page = Mounted::new(State::AwaitingCode {
        session: returning_session(false),
        challenge: Some(challenge(OneTimeCodeStatus::Failed, 0)),
        code: String::new(),
        submitting: None,
        error: Some(Failure::new(
            Some(ErrorCode::OneTimeCodeAttemptsExceeded),
            "Too many wrong codes.",
        )),
    })
    .await;
    let alert = page.by_role("alert", "Too many wrong codes.");
    assert!(alert.is_some(), "{}", page.text());
    assert!(page.find("input").is_none(), "no code field");
    assert!(!page.has_button("Verify"));
    assert!(!page.has_button("Send a new code"));
    page.button("Use another account");
}

#[wasm_bindgen_test]
async fn saved_accounts_are_a_named_list_of_checkboxes_with_the_closed_one_disabled() {
    let page = Mounted::new(select_saved(returning_session(true), &["fcsa_1"])).await;
    assert_eq!(page.heading(), "Your saved accounts");
    assert!(heading_has_focus(&page));
    let list = page.by_role("list", "Saved accounts").unwrap();
    assert_eq!(
        list.get_attribute("aria-label").as_deref(),
        Some("Saved accounts")
    );
    let boxes = all(&list, "input[type=checkbox]");
    assert_eq!(boxes.len(), 3);
    let labels = page.texts("label.fl-account-label");
    assert!(
        labels[0].starts_with("Everyday Checking ••••6789"),
        "{labels:?}"
    );
    assert!(labels[0].contains("Sandbox Bank (Credentials)"));
    // API text is text, never markup.
    assert!(labels[1].starts_with(MARKUP), "{labels:?}");
    assert!(page.find("img").is_none());
    let closed: web_sys::HtmlInputElement = boxes[2].clone().unchecked_into();
    assert!(closed.disabled());
    assert_eq!(description(&closed), "This account is closed or inactive.");
    let first: web_sys::HtmlInputElement = boxes[0].clone().unchecked_into();
    assert!(first.checked());

    boxes[1].click();
    page.button("Continue").click();
    page.button("Forget my saved accounts").click();
    assert_eq!(
        page.take_events(),
        [
            Event::ReturningUser(ReturningUserEvent::SavedAccountToggled("fcsa_2".to_owned())),
            Event::ReturningUser(ReturningUserEvent::SavedAccountsConfirmed),
            Event::ReturningUser(ReturningUserEvent::ForgetRequested),
        ]
    );
    page.button("Use another account");
}

#[wasm_bindgen_test]
async fn a_single_account_session_offers_saved_accounts_as_radios() {
    let mut session = LinkSession::clone(&returning_session(true));
    session.account_selection = AccountSelection::Single;
    let page = Mounted::new(select_saved(Arc::new(session), &[])).await;
    assert_eq!(page.all("input[type=radio]").len(), 3);
    assert!(page.all("input[type=checkbox]").is_empty());
    assert_eq!(page.texts("legend"), ["Saved accounts"]);
}

#[wasm_bindgen_test]
async fn consent_for_saved_accounts_lists_the_data_and_the_accounts_to_share() {
    let page = Mounted::new(State::SavedAccountsConsent {
        session: returning_session(true),
        chosen: vec![saved("fcsa_1", "Everyday Checking", "6789", None)],
        submitting: None,
    })
    .await;
    assert_eq!(
        page.heading(),
        "Harbor Books uses finlink to connect your bank account"
    );
    assert!(heading_has_focus(&page));
    let data = page.by_role("list", "Data Harbor Books will see").unwrap();
    assert!(normalize(&data.text_content().unwrap()).contains("Account details"));
    let accounts = page.by_role("list", "Accounts to share").unwrap();
    assert!(normalize(&accounts.text_content().unwrap()).starts_with("Everyday Checking ••••6789"));
    page.button("Continue").click();
    let events = page.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [Event::ReturningUser(ReturningUserEvent::SavedAccountsConsentGiven { idempotency_key })]
                if idempotency_key.starts_with("fl_")
        ),
        "{events:?}"
    );
}

#[wasm_bindgen_test]
async fn the_save_checkbox_starts_unticked_and_reveals_the_business_email_and_the_phone() {
    let page = Mounted::new(success_offering_save(SaveOffer::default())).await;
    let save: web_sys::HtmlInputElement = page.get("#finlink-save-accounts").unchecked_into();
    assert!(!save.checked(), "unticked by default");
    assert_eq!(
        normalize(
            &page
                .get("label[for=finlink-save-accounts]")
                .text_content()
                .unwrap()
        ),
        "Save my accounts with finlink to link them faster next time"
    );
    assert!(
        page.find("input[type=tel]").is_none() && !page.text().contains("We'll save them"),
        "nothing more until ticked"
    );

    save.click();
    run_flow(&page).await;
    assert!(
        page.text()
            .contains("We'll save them for jenny<b>.rosen</b>@example.com."),
        "{}",
        page.text()
    );
    assert!(page.find(".fl-save-offer b").is_none(), "the email is text");
    assert!(
        page.find("input[type=email]").is_none(),
        "the email is the business's, not typed"
    );
    assert!(
        !page
            .texts("label")
            .iter()
            .any(|label| label.as_str() == "Email"),
        "no Email field"
    );
    let phone = page.field("Phone (optional)");
    assert_eq!(phone.value(), "");
    assert_eq!(phone.get_attribute("type").as_deref(), Some("tel"));

    // A wrong phone shows next to it and is announced.
    type_into(&phone, "555");
    run_flow(&page).await;
    page.button("Done").click();
    let effects = run_flow(&page).await;
    assert!(
        effects
            .iter()
            .all(|effect| !matches!(effect, Effect::SaveAccounts { .. }))
    );
    let phone = page.field("Phone (optional)");
    assert_eq!(phone.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        description(&phone),
        "Enter a phone number like +1 415 555 0100, or leave it empty."
    );
    assert_eq!(
        live_region(&page),
        "Enter a phone number like +1 415 555 0100, or leave it empty."
    );

    type_into(&phone, "(415) 555-0100");
    run_flow(&page).await;
    page.button("Done").click();
    let effects = run_flow(&page).await;
    assert_eq!(
        effects,
        [Effect::SaveAccounts {
            request: SaveAccountsRequest {
                email: GIVEN_EMAIL.to_owned(),
                phone: Some("+14155550100".to_owned()),
            }
        }]
    );
}

#[wasm_bindgen_test]
async fn a_failed_save_is_shown_with_the_fields_kept() {
    let page = Mounted::new(success_offering_save(SaveOffer {
        ticked: true,
        phone: "+44 20 7946 0958".to_owned(),
        saving: true,
        ..SaveOffer::default()
    }))
    .await;
    let (next, effects) = step(
        page.state.get_untracked(),
        Event::ApiFailed {
            request: finlink::flow::Request::SaveAccounts,
            error: Failure::new(
                None,
                "We couldn't reach finlink. Check your connection and try again.",
            ),
            retryable: true,
        },
    );
    page.state.set(next);
    for effect in effects {
        if let Effect::Announce(text) = effect {
            page.announcement.set(text);
        }
    }
    tick().await;
    assert!(
        page.by_role("alert", "We couldn't reach finlink").is_some(),
        "{}",
        page.text()
    );
    assert_eq!(page.field("Phone (optional)").value(), "+44 20 7946 0958");
    assert!(page.text().contains("We'll save them for"));
    assert_eq!(
        live_region(&page),
        "We couldn't reach finlink. Check your connection and try again."
    );
    page.button("Done");
}

#[wasm_bindgen_test]
async fn a_failure_on_the_saved_path_offers_another_account() {
    let page = Mounted::new(State::LoadingSavedAccounts {
        session: returning_session(true),
    })
    .await;
    let (next, _) = step(
        page.state.get_untracked(),
        Event::ApiFailed {
            request: finlink::flow::Request::LoadSavedAccounts,
            error: Failure::new(Some(ErrorCode::InternalError), "finlink failed."),
            retryable: false,
        },
    );
    page.state.set(next);
    tick().await;
    assert_eq!(page.heading(), "Something went wrong");
    assert!(!page.has_button("Try again"));
    page.button("Close");
    page.button("Use another account").click();
    let effects = run_flow(&page).await;
    assert!(
        effects.contains(&Effect::DeclineSavedAccounts),
        "{effects:?}"
    );
    assert_ne!(page.heading(), "Something went wrong", "{}", page.text());
    assert!(
        matches!(page.state.get_untracked(), State::Consent { .. }),
        "the normal flow"
    );
}

#[wasm_bindgen_test]
async fn a_saved_account_no_longer_linkable_is_said_and_the_list_shown_again() {
    let mut session = LinkSession::clone(&returning_session(true));
    session.consent_given = true;
    let session = Arc::new(session);
    let page = Mounted::new(State::LinkingSavedAccounts {
        session,
        chosen: vec![saved("fcsa_1", "Everyday Checking", "6789", None)],
        idempotency_key: "fl_1".to_owned(),
    })
    .await;
    let (next, effects) = step(
        page.state.get_untracked(),
        Event::ApiFailed {
            request: finlink::flow::Request::AttachSavedAccounts,
            error: Failure::new(Some(ErrorCode::AccountNotSelectable), "refused"),
            retryable: false,
        },
    );
    assert!(effects.contains(&Effect::LoadSavedAccounts));
    page.state.set(next);
    tick().await;
    assert_eq!(page.heading(), "Your saved accounts");
    let message = "An account you chose can't be linked here any more. Choose again.";
    assert!(page.text().contains(message), "{}", page.text());

    // The list arrives again: the account that closed is disabled, the error stays.
    let reloaded = vec![
        saved(
            "fcsa_1",
            "Everyday Checking",
            "6789",
            Some(UnselectableReason::Inactive),
        ),
        saved("fcsa_2", "Travel Savings", "1111", None),
    ];
    let (next, _) = step(
        page.state.get_untracked(),
        Event::ReturningUser(ReturningUserEvent::SavedAccountsLoaded(reloaded)),
    );
    page.state.set(next);
    tick().await;
    assert!(page.text().contains("Travel Savings"), "{}", page.text());
    assert!(page.text().contains(message), "{}", page.text());
    let inputs = page.all(".fl-saved-accounts input");
    assert_eq!(inputs.len(), 2, "{}", page.text());
    let disabled: Vec<bool> = inputs
        .iter()
        .map(|input| {
            input
                .clone()
                .unchecked_into::<web_sys::HtmlInputElement>()
                .disabled()
        })
        .collect();
    assert_eq!(disabled, [true, false]);
}

#[wasm_bindgen_test]
async fn no_save_offer_after_manual_entry_or_saved_accounts() {
    let page = Mounted::new(success(vec![linked("fca_1", "Everyday Checking", "6789")])).await;
    assert!(page.find("input[type=checkbox]").is_none());
    assert!(!page.text().contains("Save my accounts"));
}
