//! Finding the bank: a search field that is a combobox over the list of banks (the WAI-ARIA
//! combobox pattern with a listbox popup, "list autocomplete with manual selection").
//!
//! The keyboard focus stays in the field. Arrow Down and Arrow Up move the active option
//! (`aria-activedescendant`), clamped: Down stops at the last bank, Up from the first goes back
//! to the field alone. Enter picks the active bank. Escape clears a query; with nothing typed
//! it is the dialog's, which closes. The part of each name that the query matched is
//! emphasised with `<mark>`, from `finlink_search::highlight`, as text nodes.

use std::ops::Range;

use finlink_protocol::{Institution, InstitutionStatus};
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::{TITLE_ID, focus_on_load, part};
use crate::flow::{Event, Results, State};

const SEARCH_ID: &str = "finlink-search";
const LISTBOX_ID: &str = "finlink-results";
const LABEL_ID: &str = "finlink-results-label";

/// The `id` of the option at `index` of the list.
fn option_id(index: usize) -> String {
    format!("finlink-option-{index}")
}

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

/// `name` cut into its parts, each with whether the query matched it (to be emphasised).
/// Ranges that are out of order, overlapping or not on character boundaries are skipped.
pub fn emphasis<'a>(name: &'a str, matched: &[Range<usize>]) -> Vec<(&'a str, bool)> {
    let mut parts = Vec::new();
    let mut at = 0;
    for range in matched {
        let (Some(before), Some(part)) = (name.get(at..range.start), name.get(range.clone()))
        else {
            continue;
        };
        if !before.is_empty() {
            parts.push((before, false));
        }
        if !part.is_empty() {
            parts.push((part, true));
        }
        at = range.end;
    }
    if let Some(rest) = name.get(at..).filter(|rest| !rest.is_empty()) {
        parts.push((rest, false));
    }
    parts
}

/// Where the active option goes on Arrow Down (`down`) or Arrow Up among `count` options;
/// `None` is the field alone.
pub fn next_active(active: Option<usize>, count: usize, down: bool) -> Option<usize> {
    if count == 0 {
        return None;
    }
    match (active, down) {
        (None, true) => Some(0),
        (Some(index), true) => Some((index + 1).min(count - 1)),
        (None, false) | (Some(0), false) => None,
        (Some(index), false) => Some(index.min(count) - 1),
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
        State::SelectInstitution { results, .. } => Some(results.clone()),
        _ => None,
    });
    // The banks listed as options: the featured ones, the results, or the previous results
    // while the server is asked.
    let shown = part(state, |state| match state {
        State::SelectInstitution {
            results, featured, ..
        } => Some(match results {
            Results::Featured => featured.clone(),
            Results::Searching { previous } => previous.clone(),
            Results::Found(found) => found.clone(),
            Results::NoResults | Results::Failed(_) => Vec::new(),
        }),
        _ => None,
    });
    let count = Memo::new(move |_| shown.with(|shown| shown.as_ref().map_or(0, Vec::len)));
    // The active option, by institution id: it stays active while the list still holds it.
    let active_id = RwSignal::new(None::<String>);
    let active = Memo::new(move |_| {
        let id = active_id.get()?;
        shown.with(|shown| shown.as_ref()?.iter().position(|i| i.id == id))
    });
    let field = NodeRef::<html::Input>::new();
    focus_on_load(field);
    let change_search = move |_| {
        if let Some(field) = field.get_untracked() {
            let _ = field.focus();
            field.select();
        }
    };

    let on_keydown = move |event: KeyboardEvent| match event.key().as_str() {
        key @ ("ArrowDown" | "Down" | "ArrowUp" | "Up") => {
            event.prevent_default();
            let down = key.ends_with("Down");
            let next = next_active(active.get_untracked(), count.get_untracked(), down);
            let id = next.and_then(|index| {
                shown.with_untracked(|shown| Some(shown.as_ref()?.get(index)?.id.clone()))
            });
            active_id.set(id);
            if let Some(index) = next {
                scroll_into_view(&option_id(index));
            }
        }
        "Enter" => {
            event.prevent_default();
            let chosen = active.get_untracked().and_then(|index| {
                shown.with_untracked(|shown| shown.as_ref()?.get(index).cloned())
            });
            if let Some(institution) = chosen {
                send.run(Event::InstitutionChosen(Box::new(institution)));
            }
        }
        "Escape" | "Esc" if !query.get_untracked().unwrap_or_default().is_empty() => {
            // Clears the query; the dialog does not close.
            event.prevent_default();
            event.stop_propagation();
            active_id.set(None);
            send.run(Event::QueryChanged(String::new()));
        }
        _ => {}
    };

    let on_input = move |event| {
        active_id.set(None);
        send.run(Event::QueryChanged(event_target_value(&event)));
    };

    let status = move || {
        Some(match results.get()? {
            Results::Featured | Results::Found(_) => ().into_any(),
            Results::Searching { previous } if previous.is_empty() => view! {
                <p class="fl-searching" role="status">
                    <span class="fl-spinner fl-spinner-small" aria-hidden="true"></span>
                    "Searching…"
                </p>
            }
            .into_any(),
            Results::Searching { .. } => ().into_any(),
            Results::NoResults => view! {
                <div class="fl-empty">
                    <p>"No banks match “" {move || query.get().unwrap_or_default()} "”."</p>
                    <p class="fl-hint">"Check the spelling, or search by the bank's full name or routing number."</p>
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
    let featured = move || matches!(results.get(), Some(Results::Featured));
    let busy = move || matches!(results.get(), Some(Results::Searching { .. })).then_some("true");

    let expanded = move || if count.get() == 0 { "false" } else { "true" };
    let options = move || {
        let institutions = shown.get().unwrap_or_default();
        // The emphasis follows the query even when the banks listed stay the same.
        let typed = query.get().unwrap_or_default();
        institutions
            .into_iter()
            .enumerate()
            .map(|(index, institution)| {
                view! { <BankOption index institution query=typed.clone() active send /> }
            })
            .collect_view()
    };

    // Manual entry, where the session allows it: whatever the list shows, even nothing.
    let manual_entry = state.with_untracked(State::offers_manual_entry).then(|| {
        view! {
            <div class="fl-manual-entry">
                <p class="fl-hint">"Can't find your bank, or can't log in to it?"</p>
                <button
                    type="button"
                    class="fl-button fl-button-secondary"
                    on:click=move |_| send.run(Event::ManualEntryChosen)
                >
                    "Enter bank details manually"
                </button>
            </div>
        }
    });

    view! {
        <div class="fl-step fl-institutions">
            <h1 id=TITLE_ID class="fl-title" tabindex="-1">"Select your bank"</h1>
            <label class="fl-label" for=SEARCH_ID>"Search for your bank"</label>
            <input
                id=SEARCH_ID
                class="fl-input fl-search"
                type="text"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=LISTBOX_ID
                aria-expanded=expanded
                aria-activedescendant=move || active.get().map(option_id)
                autocomplete="off"
                autocapitalize="off"
                spellcheck="false"
                enterkeyhint="search"
                placeholder="Bank name or routing number"
                node_ref=field
                prop:value=move || query.get().unwrap_or_default()
                on:input=on_input
                on:keydown=on_keydown
            />
            {move || featured().then(|| view! {
                <h2 class="fl-subtitle" id=LABEL_ID>"Popular banks"</h2>
            })}
            <ul
                id=LISTBOX_ID
                class="fl-results"
                role="listbox"
                aria-label="Banks"
                aria-busy=busy
                hidden=move || count.get() == 0
            >
                {options}
            </ul>
            {status}
            {manual_entry}
        </div>
    }
}

/// One bank of the list: its name with the matched part emphasised, and its website, or why
/// it cannot be picked when it is down.
#[component]
fn BankOption(
    index: usize,
    institution: Institution,
    query: String,
    active: Memo<Option<usize>>,
    send: Callback<Event>,
) -> impl IntoView {
    let status = status_text(institution.status);
    let status_id = format!("finlink-status-{index}");
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
    let matched = finlink_search::highlight(&institution.name, &query);
    let name = emphasis(&institution.name, &matched)
        .into_iter()
        .map(|(text, marked)| {
            let text = text.to_owned();
            if marked {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view();
    let choose = move |_| send.run(Event::InstitutionChosen(Box::new(institution.clone())));
    view! {
        <li
            id=option_id(index)
            role="option"
            class="fl-institution"
            class:fl-institution-down=status.is_some()
            class:fl-institution-active=move || active.get() == Some(index)
            aria-selected=move || if active.get() == Some(index) { "true" } else { "false" }
            aria-disabled=status.map(|_| "true")
            aria-describedby=described_by
            // The field keeps the focus when the list is clicked.
            on:mousedown=|event| event.prevent_default()
            on:click=choose
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
                    None => view! { <span class="fl-institution-detail">{detail}</span> }.into_any(),
                }}
            </span>
        </li>
    }
}

/// Scrolls the option with this `id` into view, if the list is taller than the dialog.
fn scroll_into_view(id: &str) {
    if let Some(option) = document().get_element_by_id(id) {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        option.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

#[cfg(test)]
mod tests {
    use super::{emphasis, next_active};

    #[test]
    fn the_matched_parts_of_a_name_are_cut_out_for_emphasis() {
        let name = "Wells Fargo Bank, N.A.";
        let matched = finlink_search::highlight(name, "wel far");
        assert_eq!(
            emphasis(name, &matched),
            [
                ("Wel", true),
                ("ls ", false),
                ("Far", true),
                ("go Bank, N.A.", false)
            ]
        );
        assert_eq!(emphasis(name, &[]), [(name, false)]);
        assert_eq!(
            emphasis("Bank", &finlink_search::highlight("Bank", "bank")),
            [("Bank", true)]
        );
        // Ranges that do not fit the name are left out, never a panic.
        assert_eq!(emphasis("Crédit", &[0..3, 2..9]), [("Crédit", false)]);
        assert_eq!(
            emphasis("Bank", &[0..2, 1..3]),
            [("Ba", true), ("nk", false)]
        );
    }

    #[test]
    fn arrows_move_the_active_option_and_stop_at_either_end() {
        assert_eq!(next_active(None, 3, true), Some(0));
        assert_eq!(next_active(Some(0), 3, true), Some(1));
        assert_eq!(
            next_active(Some(2), 3, true),
            Some(2),
            "Down stops at the last"
        );
        assert_eq!(next_active(Some(2), 3, false), Some(1));
        assert_eq!(
            next_active(Some(0), 3, false),
            None,
            "Up from the first is the field"
        );
        assert_eq!(next_active(None, 3, false), None);
        assert_eq!(
            next_active(None, 0, true),
            None,
            "no options, nothing to move to"
        );
        assert_eq!(
            next_active(Some(7), 3, false),
            Some(2),
            "an active option past a shorter list"
        );
    }
}
