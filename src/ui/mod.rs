//! Leptos components: the dialog shell and one view per step (DESIGN §1).
//!
//! Views render the flow [`State`](crate::flow::State) and report what the person does as
//! [`Event`]s through a callback; they hold no logic of the flow. The one [`driver`] runs the
//! flow's effects and feeds the results back as events.
//!
//! Every step component takes the same two props: `state`, the flow state as a signal, and
//! `send`, where the person's events go. A step reads the parts of the state it shows through
//! memos, so typing into a field or ticking a box never rebuilds the field or the box.
//! Text from the API is always rendered as text, never as markup.

mod accounts;
mod consent;
mod dialog;
mod driver;
mod institutions;
mod login;
mod manual;
mod returning;
mod status;

pub use accounts::{AccountsStep, SuccessStep, account_kind, unselectable_text};
pub use consent::{ConsentStep, permission_text};
pub use dialog::{Dialog, Screen, footer_and_status};
pub use driver::{App, new_idempotency_key};
pub use institutions::InstitutionsStep;
pub use login::{CredentialsStep, MfaStep, OAuthStep, form_value};
pub use manual::{ManualEntryStep, field_id, pending_verification_text};
pub use returning::{
    CODE_FIELD_ID, CodeStep, ReturningUserOfferStep, SaveAccountsOffer, SavedAccountsStep,
};
pub use status::{FailedStep, ProgressStep};

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The `id` of the current step's heading, which names the dialog.
pub const TITLE_ID: &str = "finlink-title";

/// A part of the flow state, for fine-grained updates: what reads it re-renders only when the
/// part changes. `None` when the state is not the step that `pick` knows.
pub(crate) fn part<S, T>(
    state: Signal<S>,
    pick: impl Fn(&S) -> Option<T> + Send + Sync + 'static,
) -> Memo<Option<T>>
where
    S: Send + Sync + 'static,
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| state.with(|state| pick(state)))
}

/// Moves the focus to this element once it is in the page: a new step's heading or first field.
pub fn focus_on_load<E>(node: NodeRef<E>)
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    node.on_load(|element| {
        if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    });
}

/// Moves the focus to this element in the first frame the page paints, if the element is still
/// there then: for the page's first screen ("Loading…"). Focusing lays the page out at once,
/// and the page's style sheet may still be on its way; a layout without styles is thrown away,
/// and usually the session is here, and the next screen shown, before anything is painted.
pub fn focus_when_painted<E>(node: NodeRef<E>)
where
    E: ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    node.on_load(|element| {
        let Some(element) = element.dyn_ref::<web_sys::HtmlElement>().cloned() else {
            return;
        };
        request_animation_frame(move || {
            if element.is_connected() {
                let _ = element.focus();
            }
        });
    });
}

/// Runs `then` once the page as it is now has been painted: for work that must not hold back
/// the screen just put in place, such as fetching and decoding the directory file while the
/// consent screen shows. A frame's animation callbacks run before that frame is painted, in
/// the same task as its painting; a task queued from them runs after it.
pub fn after_next_paint(then: impl FnOnce() + 'static) {
    request_animation_frame(move || set_timeout(then, std::time::Duration::ZERO));
}

/// A URL from the API that is safe as a link target: `https:` (or `http:`) only, never
/// `javascript:` or `data:`.
pub fn safe_url(url: &str) -> Option<&str> {
    let scheme = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (scheme.starts_with("https://") || scheme.starts_with("http://")).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::safe_url;

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            safe_url("https://bank.example/a"),
            Some("https://bank.example/a")
        );
        assert_eq!(safe_url("HTTP://bank.example"), Some("HTTP://bank.example"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url(" https://x"), None);
        assert_eq!(safe_url("data:text/html,hi"), None);
        assert_eq!(safe_url(""), None);
        assert_eq!(safe_url("é"), None);
    }
}
