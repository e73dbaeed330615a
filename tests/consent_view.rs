//! Browser tests of the UI wiring (wasm-bindgen-test in headless Chromium):
//! `cargo test --target wasm32-unknown-unknown -p finlink`.
#![cfg(target_arch = "wasm32")]

use finlink::ui::{ConsentView, FailedView, permission_text};
use finlink_protocol::{LinkSession, Permission, ResumeAt, SessionStatus};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn session(permissions: Vec<Permission>) -> LinkSession {
    LinkSession {
        id: "fcsess_test".to_owned(),
        business_name: "Acme Bikes".to_owned(),
        permissions,
        filters: None,
        status: SessionStatus::Open,
        consent_given: false,
        resume: ResumeAt::Consent,
        accounts: Vec::new(),
        expires_at: 1_700_000_000,
        terms_url: "https://link.example/terms".to_owned(),
        privacy_url: "https://link.example/privacy".to_owned(),
    }
}

/// A fresh element in the page to mount one view into.
fn container() -> web_sys::HtmlElement {
    let document = document();
    let element = document
        .create_element("div")
        .unwrap()
        .unchecked_into::<web_sys::HtmlElement>();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

/// Elements under `root` matching `selector`, by their visible text.
fn texts(root: &web_sys::HtmlElement, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|node| {
            node.text_content()
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Headings, whether by tag or by role.
fn headings(root: &web_sys::HtmlElement) -> Vec<String> {
    texts(root, "h1, h2, h3, h4, h5, h6, [role=heading]")
}

#[wasm_bindgen_test]
async fn consent_shows_the_business_and_each_permission_in_plain_words() {
    let root = container();
    let permissions = vec![
        Permission::PaymentMethod,
        Permission::Balances,
        Permission::Transactions,
    ];
    let handle = mount_to(root.clone(), move || {
        view! { <ConsentView session=session(permissions) /> }
    });
    leptos::task::tick().await;

    let headings = headings(&root);
    assert_eq!(
        headings.first().map(String::as_str),
        Some("Acme Bikes"),
        "{headings:?}"
    );

    let lists = root
        .query_selector("ul[aria-label='Data Acme Bikes will see']")
        .unwrap();
    let list = lists.expect("a list labelled with what the business will see");
    let items = texts(list.unchecked_ref(), "li");
    assert_eq!(items.len(), 3, "{items:?}");
    for (item, permission) in items.iter().zip([
        Permission::PaymentMethod,
        Permission::Balances,
        Permission::Transactions,
    ]) {
        let (title, detail) = permission_text(permission);
        assert!(
            item.contains(title) && item.contains(detail),
            "{item:?} explains {permission:?}"
        );
    }
    // Only what was asked for is shown.
    let (ownership, _) = permission_text(Permission::Ownership);
    assert!(!root.text_content().unwrap_or_default().contains(ownership));

    drop(handle);
    assert!(
        headings_of_page_lack("Acme Bikes"),
        "unmounting removes the view"
    );
}

fn headings_of_page_lack(text: &str) -> bool {
    !headings(&document().body().unwrap())
        .iter()
        .any(|heading| heading == text)
}

#[wasm_bindgen_test]
async fn failure_offers_retry_only_when_it_can_help() {
    let root = container();
    let retries = RwSignal::new(0);
    let on_retry = Callback::new(move |()| retries.update(|count| *count += 1));
    let _handle = mount_to(root.clone(), move || {
        view! { <FailedView message="We couldn't reach finlink.".to_owned() on_retry /> }
    });
    leptos::task::tick().await;

    let alert = texts(&root, "[role=alert]");
    assert_eq!(alert, vec!["We couldn't reach finlink.".to_owned()]);
    let button = root
        .query_selector("button")
        .unwrap()
        .expect("a retry button");
    assert_eq!(
        button.text_content().unwrap_or_default().trim(),
        "Try again"
    );
    button.unchecked_ref::<web_sys::HtmlElement>().click();
    leptos::task::tick().await;
    assert_eq!(retries.get_untracked(), 1);

    let final_root = container();
    let _final = mount_to(final_root.clone(), move || {
        view! { <FailedView message="This link has expired.".to_owned() /> }
    });
    leptos::task::tick().await;
    assert!(
        final_root.query_selector("button").unwrap().is_none(),
        "nothing to retry"
    );
}
