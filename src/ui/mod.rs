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

/// How many frames [`after_first_paint`] waits for the page's first contentful paint to be
/// recorded, about a second at 60 frames a second, before it runs anyway (a page that never
/// paints text).
const FIRST_PAINT_FRAMES: u8 = 60;

/// Runs `then` once the page's first content is on the screen: for work that must not delay
/// what the person sees first, such as fetching the directory file. A frame's callbacks run
/// before its paint, and the paint reaches the screen later still, so where the browser records
/// paint timing (`first-contentful-paint`) this waits for that record. Where it does not (WebKit
/// in a cross-site frame), a task queued from the first frame's callbacks, which runs once that
/// frame is painted, is the nearest sign.
pub fn after_first_paint(then: impl FnOnce() + 'static) {
    fn when_recorded(frames_left: u8, then: Box<dyn FnOnce()>) {
        request_animation_frame(move || {
            if frames_left == 0 || first_contentful_paint_recorded() {
                then();
            } else {
                when_recorded(frames_left - 1, then);
            }
        });
    }
    if paint_timing_recorded_here() {
        when_recorded(FIRST_PAINT_FRAMES, Box::new(then));
    } else {
        request_animation_frame(move || set_timeout(then, std::time::Duration::ZERO));
    }
}

/// Whether this browser records paint timing for this page (`PerformanceObserver
/// .supportedEntryTypes` names `paint`); read through `Reflect`, so that a browser without
/// `PerformanceObserver` answers no rather than throwing.
fn paint_timing_recorded_here() -> bool {
    use js_sys::{Array, Reflect};

    Reflect::get(&js_sys::global(), &"PerformanceObserver".into())
        .and_then(|observer| Reflect::get(&observer, &"supportedEntryTypes".into()))
        .ok()
        .and_then(|types| types.dyn_into::<Array>().ok())
        .is_some_and(|types| types.includes(&"paint".into(), 0))
}

fn first_contentful_paint_recorded() -> bool {
    window().performance().is_some_and(|timing| {
        timing
            .get_entries_by_name_with_entry_type("first-contentful-paint", "paint")
            .length()
            > 0
    })
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
