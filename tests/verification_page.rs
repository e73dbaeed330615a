//! Browser tests of the hosted verification page (wasm-bindgen-test): the page mounts on a
//! state the test controls, shows what the person needs, takes the deposits typed into its
//! fields, and shows each outcome in plain words.
//! `make test-browser`, or `cargo test --target wasm32-unknown-unknown -p finlink`.
#![cfg(target_arch = "wasm32")]

mod common;

use std::sync::{Arc, Mutex};

use common::{MARKUP, all, find, focused, normalize, tick, type_into};
use finlink::flow::Failure;
use finlink::verify::VerificationPage;
use finlink::verify::machine::{Answer, AnswerForm, Event, Field, Problem, State};
use finlink_protocol::{
    BankAccountType, LinkVerification, MicrodepositType, VerificationFailure, VerificationStatus,
};
use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn verification(kind: MicrodepositType, attempts_remaining: u32) -> Box<LinkVerification> {
    Box::new(LinkVerification {
        business_name: "Acme Bikes".to_owned(),
        institution_name: "Sandbox Community Bank".to_owned(),
        account_type: BankAccountType::Savings,
        last4: "6789".to_owned(),
        status: VerificationStatus::Pending,
        microdeposit_type: kind,
        failure_reason: None,
        attempts_remaining,
        arrival_date: 1_800_000_000,
        expires_at: 1_800_864_000,
        error: None,
    })
}

fn answering(
    kind: MicrodepositType,
    attempts_remaining: u32,
    typed: Answer,
    problem: Option<Problem>,
    submitting: bool,
    refusals: u32,
) -> State {
    State::Answering {
        verification: verification(kind, attempts_remaining),
        form: AnswerForm {
            typed,
            problem,
            submitting,
            refusals,
        },
    }
}

fn fresh(kind: MicrodepositType) -> State {
    answering(kind, 3, Answer::empty(kind), None, false, 0)
}

fn amounts(first: &str, second: &str) -> Answer {
    Answer::Amounts([first.to_owned(), second.to_owned()])
}

/// The page mounted on a state the test controls, recording the events it sends.
struct Page {
    root: web_sys::HtmlElement,
    state: RwSignal<State>,
    announcement: RwSignal<String>,
    events: Arc<Mutex<Vec<Event>>>,
    _handle: UnmountHandle<AnyViewState>,
}

impl Page {
    async fn new(state: State) -> Self {
        let root = common::container();
        let state = RwSignal::new(state);
        let announcement = RwSignal::new(String::new());
        let events = Arc::new(Mutex::new(Vec::new()));
        let recorded = events.clone();
        let send = Callback::new(move |event: Event| recorded.lock().unwrap().push(event));
        let handle = mount_to(root.clone(), move || {
            view! { <VerificationPage state send announcement /> }.into_any()
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

    fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap())
    }

    fn text(&self) -> String {
        normalize(&self.root.text_content().unwrap_or_default())
    }

    fn get(&self, selector: &str) -> web_sys::HtmlElement {
        find(&self.root, selector)
            .unwrap_or_else(|| panic!("no element matches {selector:?} in {}", self.text()))
    }

    fn heading(&self) -> web_sys::HtmlElement {
        self.get("h1")
    }

    fn button(&self, name: &str) -> Option<web_sys::HtmlElement> {
        all(&self.root, "button")
            .into_iter()
            .find(|button| normalize(&button.text_content().unwrap_or_default()).contains(name))
    }

    /// The input a `<label>` with exactly this text is for.
    fn field(&self, label: &str) -> web_sys::HtmlInputElement {
        let label_element = all(&self.root, "label")
            .into_iter()
            .find(|element| normalize(&element.text_content().unwrap_or_default()) == label)
            .unwrap_or_else(|| panic!("no label {label:?} in {}", self.text()));
        let id = label_element.get_attribute("for").expect("a label's `for`");
        self.by_id(&id)
            .unwrap_or_else(|| panic!("label {label:?} is for {id:?}, which is missing"))
            .unchecked_into()
    }

    /// The element of this page with this `id` (another test's page may still be in the
    /// document after a failure).
    fn by_id(&self, id: &str) -> Option<web_sys::HtmlElement> {
        find(&self.root, &format!("[id='{id}']"))
    }

    /// The texts an element's `aria-describedby` points to.
    fn description(&self, element: &web_sys::HtmlElement) -> String {
        element
            .get_attribute("aria-describedby")
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|id| self.by_id(id))
            .map(|element| normalize(&element.text_content().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Enter in a field: the form is submitted as a browser submits it.
    fn press_enter_in(&self, field: &web_sys::HtmlInputElement) {
        field
            .form()
            .expect("the field is in a form")
            .request_submit()
            .unwrap();
    }

    fn live_region(&self) -> String {
        self.get("[aria-live=polite]")
            .text_content()
            .unwrap_or_default()
    }
}

fn has_focus(element: &web_sys::HtmlElement) -> bool {
    focused().is_some_and(|focused| focused == *element)
}

#[wasm_bindgen_test]
async fn the_amounts_form_says_who_sent_what_where_and_asks_for_two_amounts_in_cents() {
    let page = Page::new(fresh(MicrodepositType::Amounts)).await;
    let heading = page.heading();
    assert_eq!(
        normalize(&heading.text_content().unwrap()),
        "Verify your bank account"
    );
    assert!(
        has_focus(&heading),
        "the new screen's heading has the focus"
    );
    let section = page.get("section");
    let title_id = section.get_attribute("aria-labelledby").unwrap();
    assert_eq!(
        heading.id(),
        title_id,
        "the page's region is named by its heading"
    );

    let text = page.text();
    for expected in [
        "Sandbox Community Bank",
        "Savings account ending in 6789",
        "Acme Bikes sent two small deposits",
        "You have 3 attempts left.",
        "Secured by finlink",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    for label in ["First deposit, in cents", "Second deposit, in cents"] {
        let field = page.field(label);
        assert_eq!(field.get_attribute("inputmode").as_deref(), Some("numeric"));
        assert_eq!(field.value(), "");
        assert!(
            page.description(field.unchecked_ref())
                .contains("for $0.32, enter 32"),
            "the fields say what to type"
        );
    }
    assert!(page.button("Verify").is_some());
    assert!(
        text.contains("The two deposits"),
        "the fields are grouped: {text}"
    );
}

#[wasm_bindgen_test]
async fn typed_amounts_are_sent_with_enter_or_the_verify_button() {
    let page = Page::new(fresh(MicrodepositType::Amounts)).await;
    let first = page.field("First deposit, in cents");
    let second = page.field("Second deposit, in cents");
    first.focus().unwrap();
    type_into(&first, "32");
    second.focus().unwrap();
    type_into(&second, "45");
    page.press_enter_in(&second);
    assert_eq!(
        page.take_events(),
        vec![Event::Submitted(amounts("32", "45"))]
    );

    page.button("Verify").unwrap().click();
    assert_eq!(
        page.take_events(),
        vec![Event::Submitted(amounts("32", "45"))]
    );

    page.state.set(answering(
        MicrodepositType::Amounts,
        3,
        amounts("32", "45"),
        None,
        true,
        0,
    ));
    tick().await;
    let busy = page.button("Verifying").expect("a busy Verify button");
    assert_eq!(busy.get_attribute("aria-disabled").as_deref(), Some("true"));
    assert_eq!(
        first.value(),
        "32",
        "what was typed stays while it is checked"
    );
}

#[wasm_bindgen_test]
async fn a_wrong_answer_clears_the_fields_says_so_and_puts_the_focus_on_the_first() {
    let page = Page::new(answering(
        MicrodepositType::Amounts,
        3,
        amounts("12", "34"),
        None,
        true,
        0,
    ))
    .await;
    let first = page.field("First deposit, in cents");
    let second = page.field("Second deposit, in cents");
    assert_eq!((first.value(), second.value()), ("12".into(), "34".into()));

    page.state.set(answering(
        MicrodepositType::Amounts,
        2,
        amounts("", ""),
        Some(Problem {
            message: "Those amounts don't match the deposits we sent.".to_owned(),
            field: Some(Field::FirstAmount),
        }),
        false,
        1,
    ));
    tick().await;
    assert_eq!(
        (first.value(), second.value()),
        (String::new(), String::new())
    );
    assert!(
        has_focus(first.unchecked_ref()),
        "the focus is on the first field"
    );
    let text = page.text();
    assert!(
        text.contains("Those amounts don't match the deposits we sent."),
        "{text}"
    );
    assert!(text.contains("You have 2 attempts left."), "{text}");
    assert!(!text.contains("3 attempts"), "{text}");
    assert_eq!(first.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(
        page.description(first.unchecked_ref())
            .contains("Those amounts don't match"),
        "the field is described by the error"
    );

    // A second wrong answer, with the same words, moves the focus back again.
    second.focus().unwrap();
    page.state.set(answering(
        MicrodepositType::Amounts,
        1,
        amounts("", ""),
        Some(Problem {
            message: "Those amounts don't match the deposits we sent.".to_owned(),
            field: Some(Field::FirstAmount),
        }),
        false,
        2,
    ));
    tick().await;
    assert!(has_focus(first.unchecked_ref()));
    assert!(page.text().contains("You have 1 attempt left."));
}

#[wasm_bindgen_test]
async fn an_amount_typed_wrong_puts_the_focus_on_that_field_and_keeps_what_was_typed() {
    let page = Page::new(fresh(MicrodepositType::Amounts)).await;
    page.state.set(answering(
        MicrodepositType::Amounts,
        3,
        amounts("32", "450"),
        Some(Problem {
            message: "Enter the second deposit in cents, a number from 1 to 99.".to_owned(),
            field: Some(Field::SecondAmount),
        }),
        false,
        1,
    ));
    tick().await;
    let second = page.field("Second deposit, in cents");
    assert!(has_focus(second.unchecked_ref()));
    assert_eq!(page.field("First deposit, in cents").value(), "32");
    assert_eq!(second.value(), "450");
    assert!(page.text().contains("You have 3 attempts left."));
}

#[wasm_bindgen_test]
async fn without_an_answer_from_finlink_what_was_typed_stays_to_send_again() {
    let page = Page::new(answering(
        MicrodepositType::Amounts,
        3,
        amounts("32", "45"),
        None,
        true,
        0,
    ))
    .await;
    page.state.set(answering(
        MicrodepositType::Amounts,
        3,
        amounts("32", "45"),
        Some(Problem {
            message: "We couldn't reach finlink. Check your connection and try again.".to_owned(),
            field: None,
        }),
        false,
        1,
    ));
    tick().await;
    assert!(page.text().contains("We couldn't reach finlink."));
    let first = page.field("First deposit, in cents");
    assert_eq!(first.value(), "32");
    assert_eq!(
        first.get_attribute("aria-invalid"),
        None,
        "what was typed is not at fault"
    );
    assert_eq!(page.field("Second deposit, in cents").value(), "45");
    page.button("Verify").unwrap().click();
    assert_eq!(
        page.take_events(),
        vec![Event::Submitted(amounts("32", "45"))]
    );
}

#[wasm_bindgen_test]
async fn the_code_form_explains_the_sm_prefix_and_sends_what_was_typed() {
    let page = Page::new(fresh(MicrodepositType::DescriptorCode)).await;
    let text = page.text();
    assert!(text.contains("a deposit of $0.01"), "{text}");
    assert!(page.button("Verify").is_some());
    let code = page.field("Code from the deposit");
    assert!(
        page.description(code.unchecked_ref())
            .contains("The code starts with SM"),
        "the hint is tied to the field"
    );
    assert!(
        find(&page.root, "input[inputmode=numeric]").is_none(),
        "letters too"
    );
    code.focus().unwrap();
    type_into(&code, "sm11aa");
    page.press_enter_in(&code);
    assert_eq!(
        page.take_events(),
        vec![Event::Submitted(Answer::Code("sm11aa".to_owned()))]
    );

    page.state.set(answering(
        MicrodepositType::DescriptorCode,
        2,
        Answer::Code(String::new()),
        Some(Problem {
            message: "That code doesn't match the one we sent.".to_owned(),
            field: Some(Field::Code),
        }),
        false,
        1,
    ));
    tick().await;
    assert_eq!(code.value(), "");
    assert!(has_focus(code.unchecked_ref()));
    assert!(page.text().contains("You have 2 attempts left."));
}

#[wasm_bindgen_test]
async fn a_verified_account_says_the_page_can_be_closed() {
    let page = Page::new(fresh(MicrodepositType::Amounts)).await;
    let mut verified = verification(MicrodepositType::Amounts, 3);
    verified.status = VerificationStatus::Verified;
    page.state.set(State::Verified {
        verification: verified,
    });
    page.announcement
        .set("Your account is verified. You can close this page.".to_owned());
    tick().await;
    let heading = page.heading();
    assert_eq!(
        normalize(&heading.text_content().unwrap()),
        "Account verified"
    );
    assert!(has_focus(&heading));
    let text = page.text();
    assert!(
        text.contains("Your account is verified. You can close this page."),
        "{text}"
    );
    assert!(text.contains("Savings account ending in 6789"), "{text}");
    assert!(find(&page.root, "form").is_none(), "nothing left to type");
    assert_eq!(
        page.live_region(),
        "Your account is verified. You can close this page."
    );
}

#[wasm_bindgen_test]
async fn too_many_wrong_answers_and_expiry_say_where_to_add_the_account_again() {
    for (reason, why) in [
        (
            VerificationFailure::TooManyAttempts,
            "The deposits were entered wrong too many times.",
        ),
        (
            VerificationFailure::Expired,
            "The time to verify it has run out: deposits must be entered within 10 days.",
        ),
    ] {
        let mut failed = verification(MicrodepositType::Amounts, 0);
        failed.status = VerificationStatus::Failed;
        failed.failure_reason = Some(reason);
        let page = Page::new(State::Failed {
            verification: failed,
            reason,
        })
        .await;
        let heading = page.heading();
        assert_eq!(
            normalize(&heading.text_content().unwrap()),
            "We couldn't verify your account"
        );
        assert!(has_focus(&heading));
        let text = page.text();
        assert!(
            text.contains("This account can no longer be verified; add it again at Acme Bikes."),
            "{text}"
        );
        assert!(text.contains(why), "{text}");
        assert!(page.button("Verify").is_none());
    }
}

#[wasm_bindgen_test]
async fn a_link_that_opens_nothing_says_it_is_not_valid() {
    let page = Page::new(State::InvalidLink).await;
    let heading = page.heading();
    assert_eq!(
        normalize(&heading.text_content().unwrap()),
        "This link is not valid"
    );
    assert!(has_focus(&heading));
    assert!(page.text().contains("Check that you opened the whole link"));
    assert!(find(&page.root, "form").is_none());
    assert!(
        !page.text().contains("Acme Bikes"),
        "nothing of any account"
    );
}

#[wasm_bindgen_test]
async fn a_page_that_could_not_load_offers_try_again() {
    let page = Page::new(State::Loading).await;
    assert!(
        find(&page.root, "[role=status]").is_some(),
        "loading is a status"
    );
    page.state.set(State::Unavailable {
        failure: Failure::new(
            None,
            "We couldn't reach finlink. Check your connection and try again.",
        ),
        retry: true,
    });
    tick().await;
    assert!(page.text().contains("We couldn't reach finlink."));
    page.button("Try again").expect("Try again").click();
    assert_eq!(page.take_events(), vec![Event::Retry]);

    page.state.set(State::Unavailable {
        failure: Failure::new(None, "Something went wrong at finlink."),
        retry: false,
    });
    tick().await;
    assert!(page.text().contains("Something went wrong at finlink."));
    assert!(
        page.button("Try again").is_none(),
        "no button that cannot help"
    );
}

#[wasm_bindgen_test]
async fn names_from_the_api_are_text_never_markup() {
    let mut hostile = verification(MicrodepositType::Amounts, 3);
    hostile.business_name = MARKUP.to_owned();
    hostile.institution_name = MARKUP.to_owned();
    let page = Page::new(State::Answering {
        verification: hostile,
        form: AnswerForm {
            typed: Answer::empty(MicrodepositType::Amounts),
            problem: None,
            submitting: false,
            refusals: 0,
        },
    })
    .await;
    assert!(find(&page.root, "img").is_none());
    assert!(page.text().contains(MARKUP));
}
