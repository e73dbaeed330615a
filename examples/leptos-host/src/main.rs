//! A small checkout written in Leptos that links a bank account through finlink's Rust host
//! API (`finlink::embed`), in the two ways it offers:
//!
//! - "Pay by bank": [`collect`] opens the widget in a modal over the page and returns the
//!   session; its `on_event` writes each step into a log the person sees.
//! - "Link on this page": [`FinlinkCollect`] shows the widget inside the page.
//!
//! Either way the page first asks its own server (`examples/server.mjs`) for a session's
//! client secret: only a server holds the secret key that creates sessions.

mod report;

use finlink::embed::{CollectError, CollectOptions, FinlinkCollect, FlowEvent, Session, collect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_bindgen::JsCast;
use serde::Deserialize;

use report::{Progress, StartError, account_line};

/// The checkout's own server: a new session for this person.
const SESSION_ENDPOINT: &str = "/leptos/api/session";

/// What the checkout's server answers: the session's client secret and finlink's origin.
/// (No `Debug`: the secret is never printed.)
#[derive(Clone, Deserialize)]
struct Started {
    client_secret: String,
    finlink_url: String,
}

async fn start_session() -> Result<Started, StartError> {
    let response = gloo_net::http::Request::post(SESSION_ENDPOINT)
        .send()
        .await
        .map_err(|_| StartError::Unreachable)?;
    if !response.ok() {
        return Err(StartError::Refused(response.status()));
    }
    response
        .json::<Started>()
        .await
        .map_err(|_| StartError::Unreadable)
}

fn main() {
    if !cfg!(target_arch = "wasm32") {
        eprintln!("This checkout runs in a browser: build it with `make example-leptos`.");
        std::process::exit(2);
    }
    let Some(root) = document()
        .get_element_by_id("app")
        .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    else {
        return;
    };
    root.set_text_content(None);
    leptos::mount::mount_to(root, Checkout).forget();
}

#[component]
fn Checkout() -> impl IntoView {
    view! {
        <h1>"Checkout"</h1>
        <p>"Order total: $42.00. Pay from your bank account."</p>
        <PayByBank />
        <LinkOnThisPage />
    }
}

/// [`collect`]: the widget in a modal; focus comes back to the button when it closes.
#[component]
fn PayByBank() -> impl IntoView {
    let events = RwSignal::new(Vec::<String>::new());
    let progress = RwSignal::new(Progress::Idle);
    let link = move |_| {
        if progress.with_untracked(Progress::busy) {
            return;
        }
        events.set(Vec::new());
        progress.set(Progress::Starting);
        spawn_local(async move {
            let finished = match start_session().await {
                Ok(started) => {
                    let options = CollectOptions::new(started.finlink_url, started.client_secret)
                        .on_event(move |event: FlowEvent| {
                            events.update(|names| names.push(event.name));
                        });
                    progress.set(Progress::Open);
                    Progress::finished(collect(options).await)
                }
                Err(error) => Progress::not_started(&error),
            };
            progress.set(finished);
        });
    };
    view! {
        <section aria-labelledby="pay-by-bank">
            <h2 id="pay-by-bank">"Pay by bank"</h2>
            <p>"Your bank opens in a window over this page."</p>
            <button type="button" id="link-bank" on:click=link>
                "Link bank account"
            </button>
            <Report events progress />
        </section>
    }
}

/// [`FinlinkCollect`]: the widget inside the page, shown while the flow is open.
#[component]
fn LinkOnThisPage() -> impl IntoView {
    let events = RwSignal::new(Vec::<String>::new());
    let progress = RwSignal::new(Progress::Idle);
    let open = RwSignal::new(None::<Started>);
    let button = NodeRef::<leptos::html::Button>::new();
    let start = move |_| {
        if progress.with_untracked(Progress::busy) {
            return;
        }
        events.set(Vec::new());
        progress.set(Progress::Starting);
        spawn_local(async move {
            match start_session().await {
                Ok(started) => {
                    open.set(Some(started));
                    progress.set(Progress::Open);
                }
                Err(error) => progress.set(Progress::not_started(&error)),
            }
        });
    };
    let on_event = move |event: FlowEvent| events.update(|names| names.push(event.name));
    let on_exit = move |result: Result<Session, CollectError>| {
        open.set(None);
        progress.set(Progress::finished(result));
        // The widget had the focus, and it is gone: back to where the person started.
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    };
    view! {
        <section aria-labelledby="link-on-this-page">
            <h2 id="link-on-this-page">"Link on this page"</h2>
            <p>"Your bank opens inside the page, below this button."</p>
            <button type="button" id="link-inline" node_ref=button on:click=start>
                "Link bank account here"
            </button>
            {move || {
                open.get()
                    .map(|started| {
                        view! {
                            <div class="inline-flow">
                                <FinlinkCollect
                                    widget_origin=started.finlink_url
                                    client_secret=started.client_secret
                                    on_event=on_event
                                    on_exit=on_exit
                                />
                            </div>
                        }
                    })
            }}
            <Report events progress />
        </section>
    }
}

/// The outcome, the linked accounts and the events of one way of linking.
#[component]
fn Report(events: RwSignal<Vec<String>>, progress: RwSignal<Progress>) -> impl IntoView {
    view! {
        <p role="status" aria-live="polite">
            {move || progress.with(Progress::status)}
        </p>
        <Show when=move || progress.with(|progress| !progress.accounts().is_empty())>
            <ul aria-label="Linked accounts">
                {move || {
                    progress
                        .with(|progress| {
                            progress
                                .accounts()
                                .iter()
                                .map(|account| view! { <li>{account_line(account)}</li> })
                                .collect_view()
                        })
                }}
            </ul>
        </Show>
        <h3>"Events"</h3>
        <div role="log" aria-label="Events" class="events">
            <ol>
                {move || {
                    events
                        .get()
                        .into_iter()
                        .map(|name| view! { <li>{name}</li> })
                        .collect_view()
                }}
            </ol>
        </div>
    }
}
