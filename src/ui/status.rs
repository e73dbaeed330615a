use leptos::prelude::*;

use super::TITLE_ID;

/// Shown while the session loads.
#[component]
pub fn LoadingView() -> impl IntoView {
    view! {
        <div class="fl-status" role="status">
            <span class="fl-spinner" aria-hidden="true"></span>
            <h1 id=TITLE_ID class="fl-title fl-title-small">"Loading…"</h1>
        </div>
    }
}

/// Shown when the flow cannot go on; offers to try again when that can help.
#[component]
pub fn FailedView(
    /// What went wrong, in words for the person.
    message: String,
    /// Present when trying again can help.
    #[prop(optional)]
    on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="fl-failed">
            <h1 id=TITLE_ID class="fl-title">"Something went wrong"</h1>
            <p class="fl-message" role="alert">{message}</p>
            {on_retry.map(|retry| view! {
                <button type="button" class="fl-button" on:click=move |_| retry.run(())>
                    "Try again"
                </button>
            })}
        </div>
    }
}
