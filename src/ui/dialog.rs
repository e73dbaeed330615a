use leptos::prelude::*;

use super::TITLE_ID;

/// The frame every step renders into: a labelled modal dialog with finlink's header.
#[component]
pub fn Dialog(children: Children) -> impl IntoView {
    view! {
        <section class="fl-dialog" role="dialog" aria-modal="true" aria-labelledby=TITLE_ID>
            <header class="fl-brand" aria-hidden="true">
                <span class="fl-brand-mark"></span>
                <span class="fl-brand-name">"finlink"</span>
            </header>
            <div class="fl-body">{children()}</div>
        </section>
    }
}
