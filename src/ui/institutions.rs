use finlink_protocol::{Institution, InstitutionStatus};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{TITLE_ID, focus_on_load, part};
use crate::flow::{Event, Results, State};

const SEARCH_ID: &str = "finlink-search";

/// Why a bank that is down cannot be picked, in words for the person.
pub fn status_text(status: InstitutionStatus) -> Option<&'static str> {
    match status {
        InstitutionStatus::Up => None,
        InstitutionStatus::DownScheduled => {
            Some("Down for scheduled maintenance. Try again later.")
        }
        InstitutionStatus::DownUnscheduled => {
            Some("Not responding right now. Try again later, or pick another bank.")
        }
    }
}

/// Finding the bank: featured banks first, a search field, results as the person types.
#[component]
pub fn InstitutionsStep(
    #[prop(into)] state: Signal<State>,
    send: Callback<Event>,
) -> impl IntoView {
    let query = part(state, |state| match state {
        State::SelectInstitution { query, .. } => Some(query.clone()),
        _ => None,
    });
    let results = part(state, |state| match state {
        State::SelectInstitution {
            results, featured, ..
        } => Some((results.clone(), featured.clone())),
        _ => None,
    });
    let field = NodeRef::<html::Input>::new();
    focus_on_load(field);
    let change_search = move |_| {
        if let Some(field) = field.get_untracked() {
            let _ = field.focus();
            field.select();
        }
    };

    let listing = move || {
        let (results, featured) = results.get()?;
        Some(match results {
            Results::Featured => view! {
                <h2 class="fl-subtitle" id="finlink-results-label">"Popular banks"</h2>
                <InstitutionList institutions=featured send busy=false />
            }
            .into_any(),
            Results::Searching { previous } if previous.is_empty() => view! {
                <p class="fl-searching" role="status">
                    <span class="fl-spinner fl-spinner-small" aria-hidden="true"></span>
                    "Searching…"
                </p>
            }
            .into_any(),
            Results::Searching { previous } => {
                view! { <InstitutionList institutions=previous send busy=true /> }.into_any()
            }
            Results::Found(found) => {
                view! { <InstitutionList institutions=found send busy=false /> }.into_any()
            }
            Results::NoResults => view! {
                <div class="fl-empty">
                    <p>"No banks match “" {move || query.get().unwrap_or_default()} "”."</p>
                    <p class="fl-hint">"Check the spelling, or search by the bank's full name."</p>
                    <button type="button" class="fl-button fl-button-secondary" on:click=change_search>
                        "Change your search"
                    </button>
                </div>
            }
            .into_any(),
            Results::Failed(failure) => view! {
                <p class="fl-message" role="alert">{failure.message}</p>
                <button type="button" class="fl-button fl-button-secondary" on:click=move |_| send.run(Event::Retry)>
                    "Try again"
                </button>
            }
            .into_any(),
        })
    };

    view! {
        <div class="fl-step fl-institutions">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1">"Select your bank"</h1>
            <label class="fl-label" for=SEARCH_ID>"Search for your bank"</label>
            <input
                id=SEARCH_ID
                class="fl-input fl-search"
                type="search"
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                enterkeyhint="search"
                placeholder="Bank name"
                node_ref=field
                prop:value=move || query.get().unwrap_or_default()
                on:input=move |event| send.run(Event::QueryChanged(event_target_value(&event)))
                on:keydown=move |event: KeyboardEvent| {
                    if event.key() == "ArrowDown" {
                        event.prevent_default();
                        focus_result(&event, 0);
                    }
                }
            />
            {listing}
        </div>
    }
}

/// The banks to pick from, each a button; one that is down says why and cannot be picked.
#[component]
fn InstitutionList(
    institutions: Vec<Institution>,
    send: Callback<Event>,
    busy: bool,
) -> impl IntoView {
    let items = institutions
        .into_iter()
        .map(|institution| {
            let status = status_text(institution.status);
            let status_id = format!("finlink-status-{}", institution.id);
            let described_by = status.map(|_| status_id.clone());
            let initial: String = institution.name.chars().take(1).collect();
            let detail = institution
                .url
                .as_deref()
                .map(|url| {
                    url.trim_start_matches("https://")
                        .trim_start_matches("http://")
                        .trim_start_matches("www.")
                        .trim_end_matches('/')
                        .to_owned()
                })
                .unwrap_or_default();
            let name = institution.name.clone();
            let institution = std::sync::Arc::new(institution);
            let choose = {
                let institution = institution.clone();
                move || send.run(Event::InstitutionChosen(Box::new((*institution).clone())))
            };
            let on_click = {
                let choose = choose.clone();
                move |_| choose()
            };
            let on_keydown = move |event: KeyboardEvent| {
                // Enter picks the bank here rather than through the button's click, so that a
                // key press from assistive technology that sends only the keydown works too.
                if event.key() == "Enter" {
                    event.prevent_default();
                    choose();
                }
            };
            view! {
                <li>
                    <button
                        type="button"
                        class="fl-institution"
                        class:fl-institution-down=status.is_some()
                        aria-disabled=status.map(|_| "true")
                        aria-describedby=described_by
                        on:click=on_click
                        on:keydown=on_keydown
                    >
                        <span class="fl-avatar" aria-hidden="true">{initial}</span>
                        <span class="fl-institution-text">
                            <span class="fl-institution-name">{name}</span>
                            " "
                            {match status {
                                Some(why) => view! {
                                    <span class="fl-institution-detail fl-institution-status" id=status_id>
                                        {why}
                                    </span>
                                }
                                .into_any(),
                                None => view! {
                                    <span class="fl-institution-detail">{detail}</span>
                                }
                                .into_any(),
                            }}
                        </span>
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <ul
            class="fl-results"
            aria-label="Banks"
            aria-busy=busy.then_some("true")
            on:keydown=move_between_results
        >
            {items}
        </ul>
    }
}

/// Arrow keys move between the results; Up from the first goes back to the search field.
fn move_between_results(event: KeyboardEvent) {
    let step = match event.key().as_str() {
        "ArrowDown" => 1,
        "ArrowUp" => -1,
        _ => return,
    };
    let Some(list) = event
        .current_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let buttons = result_buttons(&list);
    let active = document().active_element();
    let Some(position) = buttons
        .iter()
        .position(|button| active.as_ref() == Some(button.unchecked_ref()))
    else {
        return;
    };
    event.prevent_default();
    let next = position as i64 + step;
    if next < 0 {
        if let Some(field) = document().get_element_by_id(SEARCH_ID)
            && let Some(field) = field.dyn_ref::<web_sys::HtmlElement>()
        {
            let _ = field.focus();
        }
    } else if let Some(button) = usize::try_from(next)
        .ok()
        .and_then(|next| buttons.get(next))
    {
        let _ = button.focus();
    }
}

/// From the search field: focuses the result at `index`.
fn focus_result(event: &KeyboardEvent, index: usize) {
    let Some(list) = event
        .current_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|field| field.parent_element())
        .and_then(|step| step.query_selector(".fl-results").ok().flatten())
    else {
        return;
    };
    if let Some(button) = result_buttons(&list).get(index) {
        let _ = button.focus();
    }
}

fn result_buttons(list: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(nodes) = list.query_selector_all("button") else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|index| nodes.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}
