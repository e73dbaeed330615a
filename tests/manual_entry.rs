//! Browser tests of manual entry: the bank list and a bank's failure offer it where the session
//! allows it; the form checks what is typed as it is typed (the routing number's check digit,
//! the bank's name from the directory file), shows each error next to its field and moves the
//! focus to the first one; the real widget sends the details and shows the pending
//! verification. `make test-browser`, or `cargo test --target wasm32-unknown-unknown -p finlink`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::sync::Arc;

use common::*;
use finlink::Options;
use finlink::flow::{Directory, Effect, Event, LocalDirectory, ManualForm, Results, State, step};
use finlink_protocol::{
    ErrorCode, LinkResult, LinkedAccount, MicrodepositType, MicrodepositVerification, Permission,
    ResumeAt, SessionStatus, VerificationMethod, VerificationStatus,
};
use finlink_search::format::{Login, Record, Status, encode};
use leptos::prelude::{GetUntracked, Set};
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A routing number with a valid check digit, the directory's "Sandbox Bank".
const ROUTING_NUMBER: &str = "110000000";
const CHECK_DIGIT_ERROR: &str =
    "This isn't a valid routing number. Check it on a check or your bank statement.";

fn verifying(method: VerificationMethod) -> Arc<finlink_protocol::LinkSession> {
    let mut session = link_session("Acme Bikes", vec![Permission::PaymentMethod]);
    session.verification_method = Some(method);
    Arc::new(session)
}

/// A directory file with one bank, which has [`ROUTING_NUMBER`].
fn directory() -> LocalDirectory {
    let record = Record {
        id: "ins_sandbox".to_owned(),
        name: "Sandbox Bank".to_owned(),
        routing_numbers: vec![ROUTING_NUMBER.to_owned()],
        login: Login::Credentials,
        status: Status::Up,
        featured: true,
        weight: 1,
        aliases: Vec::new(),
        country: "US".to_owned(),
        url: None,
    };
    LocalDirectory::decode(&encode(&[record]).unwrap()).unwrap()
}

/// The text of [`directory`], as the server sends it.
fn directory_text() -> String {
    let record = Record {
        id: "ins_sandbox".to_owned(),
        name: "Sandbox Bank".to_owned(),
        routing_numbers: vec![ROUTING_NUMBER.to_owned()],
        login: Login::Credentials,
        status: Status::Up,
        featured: true,
        weight: 1,
        aliases: Vec::new(),
        country: "US".to_owned(),
        url: None,
    };
    encode(&[record]).unwrap()
}

fn form_state(method: VerificationMethod) -> State {
    State::ManualEntry {
        session: verifying(method),
        form: Box::new(ManualForm::default()),
        directory: Directory::Local(directory()),
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

/// Types `text` into the field one character at a time, as a keyboard does: each key press
/// adds a character and fires `input`.
async fn type_keys(page: &Mounted, field: &web_sys::HtmlInputElement, text: &str) -> Vec<Effect> {
    field.focus().unwrap();
    let mut effects = Vec::new();
    let mut typed = field.value();
    for character in text.chars() {
        typed.push(character);
        type_into(field, &typed);
        effects.extend(run_flow(page).await);
    }
    effects
}

fn announced(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|effect| match effect {
            Effect::Announce(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
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

fn focused_id() -> String {
    focused().map(|element| element.id()).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_form_has_labelled_numeric_fields_and_starts_at_the_routing_number() {
    let page = Mounted::new(form_state(VerificationMethod::Automatic)).await;
    assert_eq!(page.heading(), "Enter your bank details");
    for label in ["Routing number", "Account number", "Confirm account number"] {
        let field = page.field(label);
        assert_eq!(
            field.get_attribute("inputmode").as_deref(),
            Some("numeric"),
            "{label}"
        );
        assert_eq!(
            field.get_attribute("autocomplete").as_deref(),
            Some("off"),
            "{label}"
        );
        assert_eq!(field.get_attribute("aria-invalid"), None, "{label}");
    }
    let holder = page.field("Name on the account");
    assert_eq!(
        holder.get_attribute("autocomplete").as_deref(),
        Some("name")
    );
    assert_eq!(holder.get_attribute("inputmode"), None);

    let type_group = page.get("fieldset.fl-account-type");
    assert_eq!(
        normalize(
            &page
                .get("fieldset.fl-account-type legend")
                .text_content()
                .unwrap()
        ),
        "Account type"
    );
    let checking = page.field("Checking");
    let savings = page.field("Savings");
    assert!(type_group.contains(Some(checking.as_ref())));
    assert_eq!(checking.type_(), "radio");
    assert!(checking.checked(), "checking is chosen at first");
    savings.click();
    run_flow(&page).await;
    assert!(savings.checked() && !checking.checked());

    assert_eq!(
        focused_id(),
        page.field("Routing number").id(),
        "the first field has the focus"
    );
    assert!(
        page.has_button("Back"),
        "an automatic session goes back to the bank list"
    );
}

#[wasm_bindgen_test]
async fn a_wrong_check_digit_shows_as_typed_and_a_valid_number_shows_the_bank() {
    let page = Mounted::new(form_state(VerificationMethod::Automatic)).await;
    let routing = page.field("Routing number");

    let effects = type_keys(&page, &routing, "11000000").await;
    assert!(
        announced(&effects).is_empty(),
        "nothing is wrong yet: {effects:?}"
    );
    assert_eq!(routing.get_attribute("aria-invalid"), None);

    let effects = type_keys(&page, &routing, "1").await;
    assert_eq!(
        routing.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(description(&routing), CHECK_DIGIT_ERROR);
    assert_eq!(announced(&effects), [CHECK_DIGIT_ERROR]);
    assert!(!page.text().contains("Sandbox Bank"));

    // Backspace, then the right check digit.
    type_into(&routing, "11000000");
    run_flow(&page).await;
    assert_eq!(routing.get_attribute("aria-invalid"), None);
    let effects = type_keys(&page, &routing, "0").await;
    assert_eq!(routing.get_attribute("aria-invalid"), None);
    assert_eq!(description(&routing), "Sandbox Bank");
    assert_eq!(announced(&effects), ["Sandbox Bank"]);
    assert_eq!(
        routing.value(),
        ROUTING_NUMBER,
        "the field keeps what was typed"
    );
}

#[wasm_bindgen_test]
async fn continue_with_errors_marks_each_field_and_moves_the_focus_to_the_first() {
    let page = Mounted::new(form_state(VerificationMethod::Microdeposits)).await;
    assert!(
        !page.has_button("Back"),
        "microdeposits: no bank list to go back to"
    );
    // A click focuses the button it presses.
    let continue_button = page.button("Continue");
    continue_button.focus().unwrap();
    continue_button.click();
    let effects = run_flow(&page).await;
    tick().await;
    assert_eq!(
        announced(&effects),
        ["4 fields need correcting. Enter the routing number."]
    );
    for (label, error) in [
        ("Routing number", "Enter the routing number."),
        ("Account number", "Enter the account number."),
        ("Confirm account number", "Enter the account number again."),
        ("Name on the account", "Enter the name on the account."),
    ] {
        let field = page.field(label);
        assert_eq!(
            field.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{label}"
        );
        assert_eq!(description(&field), error, "{label}");
    }
    assert_eq!(focused_id(), page.field("Routing number").id());

    // Fixed as typed: the routing number's error goes, the others stay.
    let routing = page.field("Routing number");
    type_keys(&page, &routing, ROUTING_NUMBER).await;
    assert_eq!(routing.get_attribute("aria-invalid"), None);
    assert_eq!(description(&routing), "Sandbox Bank");
    let account = page.field("Account number");
    type_keys(&page, &account, "000123456789").await;
    let again = page.field("Confirm account number");
    type_keys(&page, &again, "0001235").await;
    assert_eq!(description(&again), "The account numbers don't match.");

    // Enter in the last field submits the form: the focus goes to the first field still
    // wrong.
    page.field("Name on the account").focus().unwrap();
    let form: web_sys::HtmlFormElement = page.get("form").unchecked_into();
    form.request_submit().unwrap();
    let effects = run_flow(&page).await;
    tick().await;
    assert_eq!(
        announced(&effects),
        ["2 fields need correcting. The account numbers don't match."]
    );
    assert_eq!(focused_id(), again.id());
}

#[wasm_bindgen_test]
async fn a_filled_form_sends_the_details_with_an_idempotency_key() {
    let page = Mounted::new(form_state(VerificationMethod::Automatic)).await;
    type_keys(&page, &page.field("Routing number"), ROUTING_NUMBER).await;
    type_keys(&page, &page.field("Account number"), "000123456789").await;
    type_keys(&page, &page.field("Confirm account number"), "000123456789").await;
    page.field("Savings").click();
    type_keys(&page, &page.field("Name on the account"), "Jenny Rosen").await;
    page.button("Continue").click();
    let effects = run_flow(&page).await;
    let [
        Effect::CreateManualAccount {
            request,
            idempotency_key,
        },
    ] = effects.as_slice()
    else {
        panic!("one request: {effects:?}");
    };
    assert_eq!(request.routing_number, ROUTING_NUMBER);
    assert_eq!(request.account_number, "000123456789");
    assert_eq!(request.account_number_confirmation, "000123456789");
    assert_eq!(
        request.account_type,
        finlink_protocol::BankAccountType::Savings
    );
    assert_eq!(request.account_holder_name, "Jenny Rosen");
    assert!(idempotency_key.len() >= 16, "{idempotency_key}");
    let button = page.button("Adding your account");
    assert_eq!(
        button.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    assert!(
        page.field("Account number").read_only(),
        "what is sent cannot change meanwhile"
    );
}

#[wasm_bindgen_test]
async fn the_bank_list_offers_manual_entry_also_with_no_results_but_not_for_instant() {
    let no_results = |method| State::SelectInstitution {
        session: verifying(method),
        query: "nowhere".to_owned(),
        results: Results::NoResults,
        featured: vec![credentials_bank()],
        directory: Directory::Loading,
    };
    let page = Mounted::new(no_results(VerificationMethod::Automatic)).await;
    assert!(page.text().contains("No banks match"));
    page.button("Enter bank details manually").click();
    assert_eq!(page.take_events(), vec![Event::ManualEntryChosen]);

    let featured = Mounted::new(select_institution(
        "",
        Results::Featured,
        vec![credentials_bank()],
    ))
    .await;
    assert!(
        !featured.has_button("Enter bank details manually"),
        "a session without payment_method has no manual entry"
    );
    let instant = Mounted::new(no_results(VerificationMethod::Instant)).await;
    assert!(!instant.has_button("Enter bank details manually"));
}

#[wasm_bindgen_test]
async fn a_bank_that_failed_offers_manual_entry_where_allowed() {
    let failed = |method, code| State::Failed {
        session: Some(verifying(method)),
        error: failure(Some(code), "The bank is not responding."),
        retry: None,
    };
    let page = Mounted::new(failed(
        VerificationMethod::Automatic,
        ErrorCode::InstitutionDownUnscheduled,
    ))
    .await;
    page.button("Enter bank details manually").click();
    assert_eq!(page.take_events(), vec![Event::ManualEntryChosen]);
    assert!(page.has_button("Pick another bank"));

    let instant = Mounted::new(failed(
        VerificationMethod::Instant,
        ErrorCode::InstitutionDownUnscheduled,
    ))
    .await;
    assert!(!instant.has_button("Enter bank details manually"));
    let wrong_request = Mounted::new(failed(
        VerificationMethod::Automatic,
        ErrorCode::ParameterInvalid,
    ))
    .await;
    assert!(!wrong_request.has_button("Enter bank details manually"));
}

fn pending_account(kind: MicrodepositType) -> LinkedAccount {
    LinkedAccount {
        display_name: "Checking".to_owned(),
        institution_name: "Sandbox Bank".to_owned(),
        verification: Some(MicrodepositVerification {
            status: VerificationStatus::Pending,
            microdeposit_type: kind,
            failure_reason: None,
            attempts_remaining: 3,
            arrival_date: 1_800_000_000,
            expires_at: 1_800_864_000,
            hosted_verification_url: Some(
                "https://link.example/link/verify/#verification_secret=fcvs_1_ab".to_owned(),
            ),
        }),
        ..linked("fca_manual", "Checking", "6789")
    }
}

#[wasm_bindgen_test]
async fn success_says_the_verification_is_pending_in_plain_words() {
    let page = Mounted::new(success(vec![pending_account(MicrodepositType::Amounts)])).await;
    assert_eq!(page.heading(), "Account added");
    let text = page.text();
    assert!(text.contains("Verification pending"), "{text}");
    assert!(
        text.contains("Two small deposits are on their way"),
        "{text}"
    );
    assert!(text.contains("link Acme Bikes will send you"), "{text}");
    assert!(
        !text.contains("verification_secret"),
        "the link is the business's to send"
    );

    let code = Mounted::new(success(vec![pending_account(
        MicrodepositType::DescriptorCode,
    )]))
    .await;
    let text = code.text();
    assert!(text.contains("One small deposit is on its way"), "{text}");
    assert!(text.contains("starts with SM"), "{text}");

    let linked_only =
        Mounted::new(success(vec![linked("acc_1", "Everyday Checking", "6789")])).await;
    assert_eq!(linked_only.heading(), "Accounts linked");
    assert!(!linked_only.text().contains("Verification pending"));
}

// ---- The real widget against a scripted link API ------------------------------------------

/// Replaces `fetch` with a stub answering `routes` (`"METHOD /path"` → `{status, body}`, or an
/// array answered in turn, the last one repeated) and recording each request in
/// `window.__calls`.
fn install_api(routes: Value) {
    let install = js_sys::Function::new_with_args(
        "routes",
        r#"
        window.__calls = [];
        window.fetch = async function (input, init) {
            const request = input instanceof Request ? input : new Request(input, init);
            const url = new URL(request.url);
            const body = request.method === "GET" ? null : await request.text();
            window.__calls.push({
                method: request.method,
                path: url.pathname,
                idempotencyKey: request.headers.get("Idempotency-Key"),
                body: body,
            });
            let answer = routes[request.method + " " + url.pathname];
            if (Array.isArray(answer)) {
                answer = answer.length > 1 ? answer.shift() : answer[0];
            }
            if (answer === undefined) {
                answer = { status: 404, body: { error: { type: "invalid_request_error",
                    code: "route_not_found", message: "No route", param: null,
                    request_id: null } } };
            }
            if (answer.text !== undefined) {
                return new Response(answer.text, { status: answer.status || 200 });
            }
            return new Response(JSON.stringify(answer.body), {
                status: answer.status || 200,
                headers: { "Content-Type": "application/json" },
            });
        };
        "#,
    );
    let routes = js_sys::JSON::parse(&routes.to_string()).unwrap();
    install.call1(&JsValue::NULL, &routes).unwrap();
}

fn calls() -> Vec<Value> {
    let calls = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__calls".into()).unwrap();
    let text = js_sys::JSON::stringify(&calls)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ok(body: impl serde::Serialize) -> Value {
    json!({ "status": 200, "body": body })
}

fn refused(status: u16, code: &str, param: &str) -> Value {
    json!({ "status": status, "body": { "error": { "type": "invalid_request_error",
        "code": code, "message": "Refused.", "param": param, "request_id": "req_1" } } })
}

fn microdeposits_session() -> Value {
    let mut session = link_session("Acme Bikes", vec![Permission::PaymentMethod]);
    session.verification_method = Some(VerificationMethod::Microdeposits);
    session.resume = ResumeAt::SelectInstitution;
    ok(session)
}

fn manual_result(status: SessionStatus) -> Value {
    ok(LinkResult {
        session: "fcsess_test".to_owned(),
        status,
        accounts: vec![pending_account(MicrodepositType::Amounts)],
    })
}

struct Widget {
    root: web_sys::HtmlElement,
    _handle: finlink::Handle,
}

impl Widget {
    async fn mount() -> Self {
        let root = container();
        let handle = finlink::mount(
            root.clone(),
            Options {
                api_base: String::new(),
                client_secret: "fcsess_test_secret".to_owned(),
            },
        );
        tick().await;
        Self {
            root,
            _handle: handle,
        }
    }

    fn heading(&self) -> String {
        find(&self.root, "h1")
            .map(|heading| normalize(&heading.text_content().unwrap_or_default()))
            .unwrap_or_default()
    }

    fn text(&self) -> String {
        normalize(&self.root.text_content().unwrap_or_default())
    }

    fn input(&self, id: &str) -> web_sys::HtmlInputElement {
        find(&self.root, &format!("#{id}"))
            .unwrap_or_else(|| panic!("no #{id} in {}", self.text()))
            .unchecked_into()
    }

    async fn fill(&self, account_number: &str) {
        for (id, value) in [
            ("finlink-routing-number", ROUTING_NUMBER),
            ("finlink-account-number", account_number),
            ("finlink-account-number-confirmation", account_number),
            ("finlink-account-holder-name", "Jenny Rosen"),
        ] {
            type_into(&self.input(id), value);
            tick().await;
        }
    }

    fn submit(&self) {
        all(&self.root, "button[type=submit]")
            .first()
            .unwrap_or_else(|| panic!("no submit button in {}", self.text()))
            .click();
    }
}

#[wasm_bindgen_test]
async fn the_widget_creates_the_account_completes_the_session_and_shows_it_pending() {
    install_api(json!({
        "GET /v1/link/session": microdeposits_session(),
        "POST /v1/link/manual_accounts": manual_result(SessionStatus::Open),
        "POST /v1/link/complete": manual_result(SessionStatus::Completed),
    }));
    let widget = Widget::mount().await;
    until("the form shows", || {
        widget.heading() == "Enter your bank details"
    })
    .await;
    widget.fill("000123456789").await;
    widget.submit();
    until("success shows", || widget.heading() == "Account added").await;
    assert!(
        widget.text().contains("Verification pending"),
        "{}",
        widget.text()
    );

    let calls = calls();
    let create = calls
        .iter()
        .find(|call| call["path"] == "/v1/link/manual_accounts")
        .expect("the details were sent");
    assert_eq!(create["method"], "POST");
    assert!(
        create["idempotencyKey"]
            .as_str()
            .is_some_and(|key| !key.is_empty()),
        "{create}"
    );
    let body: Value = serde_json::from_str(create["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({ "routing_number": ROUTING_NUMBER, "account_number": "000123456789",
                "account_number_confirmation": "000123456789", "account_type": "checking",
                "account_holder_name": "Jenny Rosen" })
    );
    let paths: Vec<&str> = calls
        .iter()
        .filter_map(|call| call["path"].as_str())
        .collect();
    let created = paths
        .iter()
        .position(|path| *path == "/v1/link/manual_accounts");
    let completed = paths.iter().position(|path| *path == "/v1/link/complete");
    assert!(
        created < completed,
        "complete after the account exists: {paths:?}"
    );
    assert!(
        !paths.contains(&"/v1/link/institutions"),
        "no bank list: {paths:?}"
    );
}

#[wasm_bindgen_test]
async fn a_closed_account_is_said_on_its_field_and_fixing_it_goes_through() {
    install_api(json!({
        "GET /v1/link/session": microdeposits_session(),
        "POST /v1/link/manual_accounts": [
            refused(402, "bank_account_closed", "account_number"),
            manual_result(SessionStatus::Open),
        ],
        "POST /v1/link/complete": manual_result(SessionStatus::Completed),
    }));
    let widget = Widget::mount().await;
    until("the form shows", || {
        widget.heading() == "Enter your bank details"
    })
    .await;
    widget.fill("4000000001").await;
    widget.submit();
    let account = widget.input("finlink-account-number");
    until("the account number is marked", || {
        account.get_attribute("aria-invalid").as_deref() == Some("true")
    })
    .await;
    tick().await;
    assert!(
        description(&account).contains("closed"),
        "{}",
        description(&account)
    );
    assert_eq!(
        focused_id(),
        account.id(),
        "the focus goes to the field at fault"
    );
    assert_eq!(account.value(), "4000000001", "what was typed stays");
    assert_eq!(
        widget.input("finlink-account-holder-name").value(),
        "Jenny Rosen"
    );

    type_into(&account, "000123456789");
    tick().await;
    type_into(
        &widget.input("finlink-account-number-confirmation"),
        "000123456789",
    );
    tick().await;
    assert_eq!(account.get_attribute("aria-invalid"), None);
    widget.submit();
    until("success shows", || widget.heading() == "Account added").await;
    let keys: Vec<String> = calls()
        .iter()
        .filter(|call| call["path"] == "/v1/link/manual_accounts")
        .filter_map(|call| call["idempotencyKey"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "new details, a new key");
}

fn authorization(state: finlink_protocol::AuthorizationState) -> Value {
    ok(finlink_protocol::Authorization {
        id: "fcauth_1".to_owned(),
        institution: credentials_bank(),
        state,
    })
}

#[wasm_bindgen_test]
async fn after_the_bank_fails_the_widget_opens_the_form_and_back_returns_to_the_bank_list() {
    use finlink_protocol::{AuthorizationState, List};
    let mut session = link_session("Acme Bikes", vec![Permission::PaymentMethod]);
    session.verification_method = Some(VerificationMethod::Automatic);
    let bank_error = finlink_protocol::ApiError {
        kind: finlink_protocol::ErrorType::InstitutionError,
        code: ErrorCode::InstitutionError,
        message: "Sandbox Bank (Credentials) could not complete the request.".to_owned(),
        param: None,
        request_id: None,
    };
    install_api(json!({
        "GET /v1/link/session": ok(session),
        "GET /v1/link/institutions": ok(List {
            data: vec![credentials_bank()],
            has_more: false,
            url: "/v1/link/institutions".to_owned(),
        }),
        "POST /v1/link/authorizations": authorization(AuthorizationState::AwaitingCredentials {
            error: None,
            attempts_remaining: 5,
        }),
        "POST /v1/link/authorizations/fcauth_1/credentials":
            authorization(AuthorizationState::Failed { error: bank_error }),
        "GET /v1/link/directory": { "status": 200, "text": directory_text() },
    }));
    let widget = Widget::mount().await;
    until("the bank list shows", || {
        widget.heading() == "Select your bank"
    })
    .await;
    let bank = || {
        all(&widget.root, "[role=option]")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no bank in {}", widget.text()))
    };
    until("the featured bank shows", || {
        !all(&widget.root, "[role=option]").is_empty()
    })
    .await;
    bank().click();
    until("the login form shows", || {
        widget.heading().starts_with("Log in to")
    })
    .await;
    type_into(&widget.input("finlink-username"), "jenny");
    type_into(&widget.input("finlink-password"), "pass_error");
    widget.submit();
    until("the failure shows", || {
        widget.heading() == "Something went wrong"
    })
    .await;

    let button = |name: &str| {
        all(&widget.root, "button")
            .into_iter()
            .find(|button| accessible_name(button) == name)
    };
    button("Enter bank details manually")
        .unwrap_or_else(|| panic!("no manual entry in {}", widget.text()))
        .click();
    until("the form shows", || {
        widget.heading() == "Enter your bank details"
    })
    .await;
    assert_eq!(focused_id(), "finlink-routing-number");
    button("Back").expect("Back").click();
    until("the bank list shows again", || {
        widget.heading() == "Select your bank"
    })
    .await;
}
