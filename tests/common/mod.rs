//! Fixtures and DOM helpers shared by the browser tests.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use finlink::flow::{CredentialsForm, Directory, Event, Failure, Handoff, MfaForm, Results, State};
use finlink::ui::Dialog;
use finlink_protocol::{
    AccountCategory, AccountStatus, AccountSubcategory, AuthMethod, ErrorCode, Institution,
    InstitutionStatus, LinkAccount, LinkResult, LinkSession, LinkedAccount, MfaChallenge,
    Permission, ResumeAt, SessionStatus, UnselectableReason,
};
use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::JsCast;

pub const MARKUP: &str = "<img src=x onerror=alert(1)>";

pub fn link_session(business_name: &str, permissions: Vec<Permission>) -> LinkSession {
    LinkSession {
        id: "fcsess_test".to_owned(),
        business_name: business_name.to_owned(),
        permissions,
        filters: None,
        account_selection: Default::default(),
        verification_method: None,
        status: SessionStatus::Open,
        consent_given: true,
        resume: ResumeAt::SelectInstitution,
        return_url: None,
        accounts: Vec::new(),
        email: None,
        returning_user: None,
        expires_at: 1_700_000_000,
        terms_url: "https://link.example/legal/terms".to_owned(),
        privacy_url: "https://link.example/legal/privacy".to_owned(),
    }
}

pub fn session() -> Arc<LinkSession> {
    Arc::new(link_session(
        "Acme Bikes",
        vec![Permission::PaymentMethod, Permission::Balances],
    ))
}

pub fn institution(id: &str, name: &str, auth_method: AuthMethod) -> Institution {
    Institution {
        id: id.to_owned(),
        name: name.to_owned(),
        url: Some(format!("https://www.{id}.example/")),
        routing_numbers: Vec::new(),
        auth_method,
        status: InstitutionStatus::Up,
        featured: true,
        country: "US".to_owned(),
    }
}

pub fn credentials_bank() -> Institution {
    institution(
        "ins_sandbox_credentials",
        "Sandbox Bank (Credentials)",
        AuthMethod::Credentials,
    )
}

pub fn oauth_bank() -> Institution {
    institution(
        "ins_sandbox_oauth",
        "Sandbox Bank (OAuth)",
        AuthMethod::Oauth,
    )
}

pub fn down_bank() -> Institution {
    Institution {
        status: InstitutionStatus::DownScheduled,
        ..institution(
            "ins_down_scheduled",
            "Down Bank (Scheduled)",
            AuthMethod::Credentials,
        )
    }
}

pub fn select_institution(query: &str, results: Results, featured: Vec<Institution>) -> State {
    State::SelectInstitution {
        session: session(),
        query: query.to_owned(),
        results,
        featured,
        directory: Directory::Loading,
    }
}

pub fn oauth(handoff: Handoff) -> State {
    State::OAuth {
        session: session(),
        institution: Box::new(oauth_bank()),
        authorization: "fcauth_1".to_owned(),
        oauth_url: "https://bank.example/authorize?state=s".to_owned(),
        handoff,
    }
}

pub fn credentials(username: &str, error: Option<Failure>, attempts_remaining: u32) -> State {
    State::Credentials {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        form: CredentialsForm {
            username: username.to_owned(),
            error,
            attempts_remaining,
            submitting: false,
        },
    }
}

pub fn mfa(challenge: MfaChallenge, error: Option<Failure>) -> State {
    State::Mfa {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        challenge,
        form: MfaForm {
            error,
            attempts_remaining: 2,
            submitting: false,
        },
    }
}

pub fn account(
    id: &str,
    name: &str,
    subcategory: AccountSubcategory,
    last4: &str,
    reason: Option<UnselectableReason>,
) -> LinkAccount {
    LinkAccount {
        id: id.to_owned(),
        display_name: name.to_owned(),
        institution_name: "Sandbox Bank (Credentials)".to_owned(),
        category: subcategory.category(),
        subcategory,
        last4: last4.to_owned(),
        status: AccountStatus::Active,
        unselectable_reason: reason,
    }
}

pub fn standard_accounts() -> Vec<LinkAccount> {
    vec![
        account(
            "fca_checking",
            "Everyday Checking",
            AccountSubcategory::Checking,
            "6789",
            None,
        ),
        account(
            "fca_savings",
            "High-Yield Savings",
            AccountSubcategory::Savings,
            "4321",
            None,
        ),
        account(
            "fca_card",
            "Rewards Credit Card",
            AccountSubcategory::CreditCard,
            "9012",
            Some(UnselectableReason::UnsupportedForPayments),
        ),
    ]
}

pub fn select_accounts(
    accounts: Vec<LinkAccount>,
    selected: &[&str],
    error: Option<Failure>,
) -> State {
    State::SelectAccounts {
        session: session(),
        institution: Box::new(credentials_bank()),
        authorization: "fcauth_1".to_owned(),
        accounts,
        selected: selected
            .iter()
            .map(|id| (*id).to_owned())
            .collect::<BTreeSet<_>>(),
        error,
    }
}

pub fn linked(id: &str, name: &str, last4: &str) -> LinkedAccount {
    LinkedAccount {
        id: id.to_owned(),
        display_name: name.to_owned(),
        institution_name: "Sandbox Bank (Credentials)".to_owned(),
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
        last4: last4.to_owned(),
        status: AccountStatus::Active,
        permissions: vec![Permission::PaymentMethod],
        verification: None,
    }
}

pub fn success(accounts: Vec<LinkedAccount>) -> State {
    State::Success {
        session: session(),
        result: LinkResult {
            session: "fcsess_test".to_owned(),
            status: SessionStatus::Completed,
            accounts,
        },
        save: None,
    }
}

pub fn failure(code: Option<ErrorCode>, message: &str) -> Failure {
    Failure::new(code, message)
}

/// A dialog mounted on a state the test controls, recording the events it sends.
pub struct Mounted {
    pub root: web_sys::HtmlElement,
    pub state: RwSignal<State>,
    pub announcement: RwSignal<String>,
    events: Arc<Mutex<Vec<Event>>>,
    _handle: UnmountHandle<AnyViewState>,
}

impl Mounted {
    /// Mounts the dialog showing `state` and lets it render.
    pub async fn new(state: State) -> Self {
        let root = container();
        let state = RwSignal::new(state);
        let announcement = RwSignal::new(String::new());
        let events = Arc::new(Mutex::new(Vec::new()));
        let recorded = events.clone();
        let send = Callback::new(move |event: Event| recorded.lock().unwrap().push(event));
        let handle = mount_to(root.clone(), move || {
            view! { <Dialog state send announcement /> }.into_any()
        });
        tick().await;
        Self {
            root,
            state,
            announcement,
            events,
            _handle: handle,
        }
    }

    /// The events sent so far, emptied.
    pub fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }

    pub fn text(&self) -> String {
        normalize(&self.root.text_content().unwrap_or_default())
    }

    pub fn find(&self, selector: &str) -> Option<web_sys::HtmlElement> {
        find(&self.root, selector)
    }

    pub fn get(&self, selector: &str) -> web_sys::HtmlElement {
        self.find(selector)
            .unwrap_or_else(|| panic!("no element matches {selector:?} in {}", self.text()))
    }

    pub fn all(&self, selector: &str) -> Vec<web_sys::HtmlElement> {
        all(&self.root, selector)
    }

    pub fn texts(&self, selector: &str) -> Vec<String> {
        self.all(selector)
            .iter()
            .map(|element| normalize(&element.text_content().unwrap_or_default()))
            .collect()
    }

    /// The first element of `role` (an explicit `role` or the tag that has it) whose accessible
    /// name, approximated by `aria-label` or its text, contains `name`.
    pub fn by_role(&self, role: &str, name: &str) -> Option<web_sys::HtmlElement> {
        let selector = match role {
            "button" => "button, [role=button]",
            "link" => "a[href]",
            "heading" => "h1, h2, h3, [role=heading]",
            "checkbox" => "input[type=checkbox]",
            "radio" => "input[type=radio]",
            "alert" => "[role=alert]",
            "status" => "[role=status]",
            "list" => "ul, ol, [role=list]",
            "option" => "[role=option]",
            "listbox" => "[role=listbox]",
            other => panic!("no selector for role {other}"),
        };
        self.all(selector)
            .into_iter()
            .find(|element| accessible_name(element).contains(name))
    }

    pub fn button(&self, name: &str) -> web_sys::HtmlElement {
        self.by_role("button", name)
            .unwrap_or_else(|| panic!("no button {name:?} in {}", self.text()))
    }

    pub fn has_button(&self, name: &str) -> bool {
        self.by_role("button", name).is_some()
    }

    /// The input a `<label>` with this text is for.
    pub fn field(&self, label: &str) -> web_sys::HtmlInputElement {
        let label_element = self
            .all("label, legend")
            .into_iter()
            .find(|element| normalize(&element.text_content().unwrap_or_default()) == label)
            .unwrap_or_else(|| panic!("no label {label:?} in {}", self.text()));
        let id = label_element
            .get_attribute("for")
            .unwrap_or_else(|| panic!("label {label:?} has no `for`"));
        document()
            .get_element_by_id(&id)
            .unwrap_or_else(|| panic!("label {label:?} is for {id:?}, which is missing"))
            .unchecked_into()
    }

    pub fn heading(&self) -> String {
        self.texts("h1").first().cloned().unwrap_or_default()
    }
}

pub async fn tick() {
    leptos::task::tick().await;
    leptos::task::tick().await;
}

/// Waits (up to about two seconds) until `ready` holds.
pub async fn until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ready() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting until {what}");
}

pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

pub fn accessible_name(element: &web_sys::HtmlElement) -> String {
    element
        .get_attribute("aria-label")
        .unwrap_or_else(|| normalize(&element.text_content().unwrap_or_default()))
}

pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn container() -> web_sys::HtmlElement {
    let document = document();
    let element = document
        .create_element("div")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

pub fn find(root: &web_sys::Element, selector: &str) -> Option<web_sys::HtmlElement> {
    root.query_selector(selector)
        .unwrap()
        .map(|element| element.unchecked_into())
}

pub fn all(root: &web_sys::Element, selector: &str) -> Vec<web_sys::HtmlElement> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|index| nodes.item(index))
        .map(|node| node.unchecked_into())
        .collect()
}

/// Waits for the page's next frame (`requestAnimationFrame`).
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// The element that has the keyboard focus.
pub fn focused() -> Option<web_sys::HtmlElement> {
    document()
        .active_element()
        .map(|element| element.unchecked_into())
}

/// Dispatches a `keydown` of `key` at `target`, as a key press would; returns whether the
/// page prevented the default action.
pub fn key(target: &web_sys::HtmlElement, key: &str, shift: bool) -> bool {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
    event.default_prevented()
}

/// Types `value` into a field, as the person would: the value changes and `input` fires.
pub fn type_into(field: &web_sys::HtmlInputElement, value: &str) {
    field.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    field.dispatch_event(&event).unwrap();
}
