//! Browser tests of the step components (wasm-bindgen-test in headless Chromium): each step
//! mounts inside the dialog, renders its state, and sends the person's events.
//! `make test-browser`, or `cargo test --target wasm32-unknown-unknown -p finlink`.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use finlink::flow::{Effect, Event, Handoff, Results, Retry, State};
use finlink::ui::permission_text;
use finlink_protocol::{
    AuthMethod, ErrorCode, Institution, InstitutionStatus, LinkAccount, MfaChallenge, Permission,
    UnselectableReason,
};
use leptos::prelude::{Set, document};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn the_dialog_is_a_labelled_modal_with_close_and_a_footer() {
    let page = Mounted::new(State::Consent {
        session: session(),
        submitting: false,
    })
    .await;
    let dialog = page.get("[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    let title = document().get_element_by_id(&title_id).unwrap();
    assert_eq!(title.tag_name(), "H1");
    assert!(normalize(&title.text_content().unwrap()).contains("Acme Bikes"));

    let footer = normalize(&page.get("footer").text_content().unwrap());
    assert!(footer.contains("Acme Bikes"), "{footer}");
    assert!(footer.contains("Secured by finlink"), "{footer}");
    // Consent is the first step: nothing to go back to.
    assert!(!page.has_button("Back"));
    page.button("Close").click();
    assert_eq!(page.take_events(), vec![Event::Cancel]);
    let live = page.get("[aria-live=polite]");
    page.announcement.set("3 banks found.".to_owned());
    tick().await;
    assert_eq!(live.text_content().unwrap(), "3 banks found.");
}

#[wasm_bindgen_test]
async fn consent_explains_each_permission_and_links_the_terms() {
    let page = Mounted::new(State::Consent {
        session: std::sync::Arc::new(link_session(
            "Acme Bikes",
            vec![
                Permission::PaymentMethod,
                Permission::Balances,
                Permission::Transactions,
            ],
        )),
        submitting: false,
    })
    .await;
    assert!(
        page.heading().starts_with("Acme Bikes"),
        "{}",
        page.heading()
    );
    let list = page.get("ul[aria-label='Data Acme Bikes will see']");
    let items: Vec<String> = all(&list, "li")
        .iter()
        .map(|item| normalize(&item.text_content().unwrap()))
        .collect();
    assert_eq!(items.len(), 3, "{items:?}");
    for (item, permission) in items.iter().zip([
        Permission::PaymentMethod,
        Permission::Balances,
        Permission::Transactions,
    ]) {
        let (title, detail) = permission_text(permission);
        assert!(item.contains(title) && item.contains(detail), "{item:?}");
    }
    let (ownership, _) = permission_text(Permission::Ownership);
    assert!(!page.text().contains(ownership), "only what was asked for");

    let terms = page.by_role("link", "Terms").unwrap();
    assert_eq!(
        terms.get_attribute("href").as_deref(),
        Some("https://link.example/legal/terms")
    );
    let privacy = page.by_role("link", "Privacy Policy").unwrap();
    assert_eq!(
        privacy.get_attribute("href").as_deref(),
        Some("https://link.example/legal/privacy")
    );
    page.button("Continue").click();
    assert_eq!(page.take_events(), vec![Event::ConsentGiven]);

    page.state.set(State::Consent {
        session: session(),
        submitting: true,
    });
    tick().await;
    let busy = page.button("Continuing");
    assert_eq!(busy.get_attribute("aria-disabled").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn a_javascript_url_for_the_terms_is_no_link() {
    let mut session = link_session("Acme Bikes", vec![Permission::Balances]);
    session.terms_url = "javascript:alert(1)".to_owned();
    let page = Mounted::new(State::Consent {
        session: std::sync::Arc::new(session),
        submitting: false,
    })
    .await;
    assert!(page.by_role("link", "Terms").is_none());
    assert!(page.text().contains("Terms"));
    assert!(page.by_role("link", "Privacy Policy").is_some());
}

#[wasm_bindgen_test]
async fn the_bank_list_shows_featured_banks_first_and_a_labelled_search() {
    let page = Mounted::new(select_institution(
        "",
        Results::Featured,
        vec![credentials_bank(), oauth_bank(), down_bank()],
    ))
    .await;
    assert_eq!(page.heading(), "Select your bank");
    let search = page.field("Search for your bank");
    assert_eq!(search.get_attribute("role").as_deref(), Some("combobox"));
    assert!(page.text().contains("Popular banks"));
    let names = page.texts("[role=listbox] [role=option] .fl-institution-name");
    assert_eq!(
        names,
        [
            "Sandbox Bank (Credentials)",
            "Sandbox Bank (OAuth)",
            "Down Bank (Scheduled)"
        ]
    );
    assert!(page.has_button("Back"));

    type_into(&search, "sand");
    assert_eq!(
        page.take_events(),
        vec![Event::QueryChanged("sand".to_owned())]
    );

    page.by_role("option", "Sandbox Bank (OAuth)")
        .unwrap()
        .click();
    assert_eq!(
        page.take_events(),
        vec![Event::InstitutionChosen(Box::new(oauth_bank()))]
    );
}

#[wasm_bindgen_test]
async fn a_bank_that_is_down_says_why_and_is_disabled() {
    let page = Mounted::new(select_institution(
        "down",
        Results::Found(vec![down_bank()]),
        Vec::new(),
    ))
    .await;
    let button = page.by_role("option", "Down Bank (Scheduled)").unwrap();
    assert_eq!(
        button.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    let description = button.get_attribute("aria-describedby").unwrap();
    let why = document().get_element_by_id(&description).unwrap();
    assert!(
        why.text_content()
            .unwrap()
            .contains("scheduled maintenance"),
        "{:?}",
        why.text_content()
    );
}

#[wasm_bindgen_test]
async fn searching_no_results_and_a_failed_search() {
    let page = Mounted::new(select_institution(
        "zz",
        Results::Searching {
            previous: Vec::new(),
        },
        vec![credentials_bank()],
    ))
    .await;
    assert!(
        page.by_role("status", "Searching").is_some(),
        "{}",
        page.text()
    );

    page.state.set(select_institution(
        "zzqx",
        Results::NoResults,
        vec![credentials_bank()],
    ));
    tick().await;
    assert!(
        page.text().contains("No banks match “zzqx”."),
        "{}",
        page.text()
    );
    let search = page.field("Search for your bank");
    assert_eq!(search.value(), "zzqx");
    page.button("Change your search").click();
    assert_eq!(
        focused().map(|element| element.id()),
        Some(search.id()),
        "the search field gets the focus"
    );
    assert!(page.take_events().is_empty());

    page.state.set(select_institution(
        "zzqx",
        Results::Failed(failure(None, "We couldn't reach finlink.")),
        vec![credentials_bank()],
    ));
    tick().await;
    assert!(
        page.by_role("alert", "We couldn't reach finlink.")
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn oauth_hands_off_then_waits_with_reopen_and_cancel() {
    let page = Mounted::new(oauth(Handoff::Ready)).await;
    assert_eq!(page.heading(), "You'll continue at Sandbox Bank (OAuth)");
    page.button("Continue").click();
    assert_eq!(page.take_events(), vec![Event::ContinueToBank]);

    page.state.set(oauth(Handoff::Waiting {
        popup_blocked: false,
    }));
    tick().await;
    assert!(page.text().contains("Waiting for Sandbox Bank (OAuth)"));
    assert!(page.by_role("link", "Open").is_none());
    page.button("Reopen window").click();
    page.button("Cancel").click();
    assert_eq!(page.take_events(), vec![Event::ContinueToBank, Event::Back]);

    page.state.set(oauth(Handoff::Waiting {
        popup_blocked: true,
    }));
    tick().await;
    assert!(
        page.by_role("alert", "blocked").is_some(),
        "{}",
        page.text()
    );
    let link = page.by_role("link", "Open Sandbox Bank (OAuth)").unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://bank.example/authorize?state=s")
    );
}

#[wasm_bindgen_test]
async fn the_credentials_form_has_labels_and_autocomplete_and_sends_both_fields() {
    let page = Mounted::new(credentials("", None, 5)).await;
    assert_eq!(page.heading(), "Log in to Sandbox Bank (Credentials)");
    let username = page.field("Username");
    let password = page.field("Password");
    assert_eq!(username.autocomplete(), "username");
    assert_eq!(password.autocomplete(), "current-password");
    assert_eq!(password.type_(), "password");
    assert!(page.by_role("alert", "").is_none());

    username.set_value("jenny");
    password.set_value("pass_good");
    page.button("Log in").click();
    assert_eq!(
        page.take_events(),
        vec![Event::CredentialsSubmitted {
            username: "jenny".to_owned(),
            password: "pass_good".to_owned(),
        }]
    );
}

#[wasm_bindgen_test]
async fn a_refused_login_keeps_the_username_not_the_password_and_shows_the_attempts_left() {
    let page = Mounted::new(credentials("", None, 5)).await;
    page.field("Password").set_value("wrong");
    page.state.set(credentials(
        "jenny",
        Some(failure(
            Some(ErrorCode::InvalidCredentials),
            "The username or password is incorrect.",
        )),
        4,
    ));
    tick().await;
    let alert = page.by_role("alert", "incorrect").unwrap();
    let alert_text = normalize(&alert.text_content().unwrap());
    assert!(
        alert_text.contains("You have 4 attempts left."),
        "{alert_text}"
    );
    let username = page.field("Username");
    let password = page.field("Password");
    assert_eq!(username.value(), "jenny");
    assert_eq!(password.value(), "");
    assert_eq!(
        password.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        password.get_attribute("aria-describedby"),
        alert.get_attribute("id")
    );

    page.state.set(credentials(
        "jenny",
        Some(failure(Some(ErrorCode::InvalidCredentials), "Incorrect.")),
        1,
    ));
    tick().await;
    assert!(
        page.text().contains("You have 1 attempt left."),
        "{}",
        page.text()
    );
}

#[wasm_bindgen_test]
async fn a_code_challenge_asks_for_a_one_time_code() {
    let page = Mounted::new(mfa(
        MfaChallenge::Code {
            message: "Enter the code we sent to ••• 0100.".to_owned(),
        },
        None,
    ))
    .await;
    assert_eq!(page.heading(), "Enter your code");
    assert!(page.text().contains("Enter the code we sent to ••• 0100."));
    let code = page.field("Code");
    // The attribute, not the `autocomplete` property: Firefox reflects tokens it does not
    // autofill itself, such as one-time-code, as "" (Chromium and WebKit reflect the token).
    assert_eq!(
        code.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(code.get_attribute("inputmode").as_deref(), Some("numeric"));
    code.set_value("123456");
    page.button("Verify").click();
    assert_eq!(
        page.take_events(),
        vec![Event::MfaAnswered("123456".to_owned())]
    );

    page.state.set(mfa(
        MfaChallenge::Code {
            message: "Enter the code we sent to ••• 0100.".to_owned(),
        },
        Some(failure(
            Some(ErrorCode::InvalidMfaAnswer),
            "That answer is not correct.",
        )),
    ));
    tick().await;
    let alert = normalize(
        &page
            .by_role("alert", "not correct")
            .unwrap()
            .text_content()
            .unwrap(),
    );
    assert!(alert.contains("You have 2 attempts left."), "{alert}");
}

#[wasm_bindgen_test]
async fn a_question_is_the_label_of_its_answer() {
    let page = Mounted::new(mfa(
        MfaChallenge::Question {
            question: "What is your favourite colour?".to_owned(),
        },
        None,
    ))
    .await;
    let answer = page.field("What is your favourite colour?");
    answer.set_value("blue");
    page.button("Verify").click();
    assert_eq!(
        page.take_events(),
        vec![Event::MfaAnswered("blue".to_owned())]
    );
}

#[wasm_bindgen_test]
async fn a_selection_is_a_radio_group() {
    let page = Mounted::new(mfa(
        MfaChallenge::Selection {
            question: "Did you just try to sign in from a new device?".to_owned(),
            options: vec!["Yes".to_owned(), "No".to_owned(), "I'm not sure".to_owned()],
        },
        None,
    ))
    .await;
    let group = page.get("fieldset");
    let legend = normalize(&find(&group, "legend").unwrap().text_content().unwrap());
    assert_eq!(legend, "Did you just try to sign in from a new device?");
    let radios = all(&group, "input[type=radio]");
    assert_eq!(radios.len(), 3);
    let labels = page.texts("fieldset label");
    assert_eq!(labels, ["Yes", "No", "I'm not sure"]);
    page.field("Yes").click();
    page.button("Verify").click();
    assert_eq!(
        page.take_events(),
        vec![Event::MfaAnswered("Yes".to_owned())]
    );
}

#[wasm_bindgen_test]
async fn accounts_show_name_type_and_last_four_and_why_some_cannot_be_linked() {
    let page = Mounted::new(select_accounts(
        standard_accounts(),
        &["fca_checking"],
        None,
    ))
    .await;
    assert_eq!(page.heading(), "Select accounts");
    let checking = page.field("Everyday Checking Checking ••••6789 ending in 6789");
    assert!(checking.checked());
    let savings = page.field("High-Yield Savings Savings ••••4321 ending in 4321");
    assert!(!savings.checked());
    let card = page.field("Rewards Credit Card Credit card ••••9012 ending in 9012");
    assert!(card.disabled());
    let reason_id = card.get_attribute("aria-describedby").unwrap();
    let reason = document().get_element_by_id(&reason_id).unwrap();
    assert_eq!(
        reason.text_content().unwrap(),
        "This account can't be used for payments."
    );

    savings.click();
    assert_eq!(
        page.take_events(),
        vec![Event::AccountToggled("fca_savings".to_owned())]
    );
    page.state.set(select_accounts(
        standard_accounts(),
        &["fca_checking", "fca_savings"],
        None,
    ));
    tick().await;
    assert!(savings.checked());

    page.button("Link accounts").click();
    page.button("Link accounts").click();
    let keys: Vec<String> = page
        .take_events()
        .into_iter()
        .map(|event| match event {
            Event::AccountsConfirmed { idempotency_key } => idempotency_key,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "a fresh key per confirmation");
    assert!(
        keys.iter()
            .all(|key| key.len() == 35 && key.starts_with("fl_")),
        "{keys:?}"
    );

    page.state.set(select_accounts(
        standard_accounts(),
        &[],
        Some(failure(None, "Select at least one account.")),
    ));
    tick().await;
    assert!(
        page.by_role("alert", "Select at least one account.")
            .is_some()
    );
}

#[wasm_bindgen_test]
async fn waiting_steps_say_what_is_going_on() {
    let page = Mounted::new(State::Loading).await;
    assert_eq!(page.heading(), "Loading…");
    assert!(page.by_role("status", "Loading").is_some());
    page.state.set(State::StartingAuthorization {
        session: session(),
        institution: Box::new(credentials_bank()),
    });
    tick().await;
    assert_eq!(page.heading(), "Connecting to Sandbox Bank (Credentials)…");
    page.state.set(State::Linking {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        accounts: standard_accounts(),
        selected: Default::default(),
        idempotency_key: "fl_1".to_owned(),
    });
    tick().await;
    assert_eq!(page.heading(), "Linking your accounts…");
    page.state.set(State::Finished);
    tick().await;
    assert_eq!(page.heading(), "You can close this window.");
    assert!(!page.has_button("Close"));
}

#[wasm_bindgen_test]
async fn success_lists_the_linked_accounts_and_done() {
    let page = Mounted::new(success(vec![
        linked("acc_1", "Everyday Checking", "6789"),
        linked("acc_2", "High-Yield Savings", "4321"),
    ]))
    .await;
    assert_eq!(page.heading(), "Accounts linked");
    assert!(
        page.text()
            .contains("2 accounts are now linked to Acme Bikes.")
    );
    let items = page.texts("ul[aria-label='Linked accounts'] li");
    assert_eq!(items.len(), 2);
    assert!(items[0].contains("Everyday Checking") && items[0].contains("6789"));
    page.button("Done").click();
    assert_eq!(page.take_events(), vec![Event::Done]);
}

#[wasm_bindgen_test]
async fn failure_offers_what_the_state_allows() {
    let retry = Retry {
        effect: Effect::LoadSession,
        resume: Box::new(State::Loading),
    };
    let page = Mounted::new(State::Failed {
        session: Some(session()),
        error: failure(None, "We couldn't reach finlink."),
        retry: Some(retry),
    })
    .await;
    assert!(
        page.by_role("alert", "We couldn't reach finlink.")
            .is_some()
    );
    page.button("Try again").click();
    page.button("Pick another bank").click();
    page.button("Close").click();
    assert_eq!(
        page.take_events(),
        vec![Event::Retry, Event::Back, Event::Cancel]
    );

    page.state.set(State::Failed {
        session: None,
        error: failure(Some(ErrorCode::SessionExpired), "This link has expired."),
        retry: None,
    });
    tick().await;
    assert!(page.by_role("alert", "This link has expired.").is_some());
    assert!(!page.has_button("Try again"));
    assert!(!page.has_button("Pick another bank"));
    assert!(page.has_button("Close"));
}

/// Markup in names that come from the API renders as text, everywhere.
#[wasm_bindgen_test]
async fn markup_from_the_api_renders_as_text() {
    let evil = |id: &str| Institution {
        name: MARKUP.to_owned(),
        ..institution(id, "x", AuthMethod::Credentials)
    };
    let evil_session =
        || std::sync::Arc::new(link_session(MARKUP, vec![Permission::PaymentMethod]));
    let evil_account = || LinkAccount {
        display_name: MARKUP.to_owned(),
        ..standard_accounts()[0].clone()
    };
    let states = vec![
        State::Consent {
            session: evil_session(),
            submitting: false,
        },
        State::SelectInstitution {
            session: evil_session(),
            query: MARKUP.to_owned(),
            results: Results::Found(vec![
                evil("ins_1"),
                Institution {
                    status: InstitutionStatus::DownUnscheduled,
                    ..evil("ins_2")
                },
            ]),
            featured: Vec::new(),
            directory: finlink::flow::Directory::Loading,
        },
        State::SelectInstitution {
            session: evil_session(),
            query: MARKUP.to_owned(),
            results: Results::NoResults,
            featured: Vec::new(),
            directory: finlink::flow::Directory::Loading,
        },
        State::OAuth {
            session: evil_session(),
            institution: Box::new(evil("ins_3")),
            authorization: "fcauth_1".to_owned(),
            oauth_url: "https://bank.example/".to_owned(),
            handoff: Handoff::Waiting {
                popup_blocked: true,
            },
        },
        State::Credentials {
            session: evil_session(),
            institution: Box::new(evil("ins_4")),
            authorization: "fcauth_1".to_owned(),
            form: finlink::flow::CredentialsForm {
                username: MARKUP.to_owned(),
                error: Some(failure(Some(ErrorCode::InvalidCredentials), MARKUP)),
                attempts_remaining: 3,
                submitting: false,
            },
        },
        mfa(
            MfaChallenge::Selection {
                question: MARKUP.to_owned(),
                options: vec![MARKUP.to_owned()],
            },
            Some(failure(None, MARKUP)),
        ),
        select_accounts(
            vec![
                evil_account(),
                LinkAccount {
                    id: "fca_x".to_owned(),
                    unselectable_reason: Some(UnselectableReason::Inactive),
                    ..evil_account()
                },
            ],
            &[],
            Some(failure(None, MARKUP)),
        ),
        success(vec![finlink_protocol::LinkedAccount {
            display_name: MARKUP.to_owned(),
            institution_name: MARKUP.to_owned(),
            ..linked("acc_1", "x", "6789")
        }]),
        State::Failed {
            session: Some(evil_session()),
            error: failure(None, MARKUP),
            retry: None,
        },
    ];
    for state in states {
        let name = state.name();
        let page = Mounted::new(state).await;
        assert!(
            page.find("img").is_none(),
            "{name}: markup became an element"
        );
        assert!(
            page.root.text_content().unwrap().contains(MARKUP),
            "{name}: {}",
            page.text()
        );
    }
    // A username from a previous attempt is the field's value, not markup.
    let page = Mounted::new(credentials(MARKUP, None, 5)).await;
    assert_eq!(page.field("Username").value(), MARKUP);
    assert!(page.find("img").is_none());
    let _ = page.root.unchecked_ref::<web_sys::Element>();
}
