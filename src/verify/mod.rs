//! The hosted microdeposit verification page (`/link/verify/#verification_secret=...`): a
//! top-level page on finlink's origin where a person types the deposits finlink sent to an
//! account they entered by hand. A WebAssembly bundle of its own (`verify.html`, whose program
//! `src/bin/verify.rs` calls [`start`]), so that the link widget does not carry it.
//!
//! Built like the widget, in small: [`machine`] is the sans-IO state machine
//! (`step(state, event) -> (state, effects)`), [`VerificationPage`] renders its state and
//! sends the person's events, and one driver runs the effects against
//! `GET`/`POST /v1/link/verification` with the verification secret as bearer token.

mod driver;
pub mod machine;
mod view;

#[cfg(test)]
mod tests;

pub use driver::VerificationApp;
pub use view::VerificationPage;

use leptos::mount::mount_to;
use leptos::prelude::*;

use crate::api::VerificationClient;

/// The page's title in the browser's tab and history.
pub const PAGE_TITLE: &str = "Verify your bank account · finlink";

/// The verification page's entry point (`src/bin/verify.rs`): mounts the page into
/// `<main id="finlink">` with the secret of the URL fragment, after removing the fragment from
/// the address bar. Without a secret the page says that its link is not valid.
pub fn start() {
    let Some(element) = crate::page_root() else {
        return;
    };
    let secret = crate::host::page_params()
        .verification_secret
        .unwrap_or_default();
    forget_fragment();
    mount(
        element,
        &crate::host::page_origin().unwrap_or_default(),
        &secret,
    )
    .forget();
}

/// Mounts the verification page into `element`, calling the link API at `api_base` with the
/// verification `secret` (empty when the page's link had none: the page says the link is not
/// valid).
pub fn mount(element: web_sys::HtmlElement, api_base: &str, secret: &str) -> crate::Handle {
    let client = VerificationClient::new(api_base, secret);
    let has_secret = !secret.is_empty();
    if let Some(document) = web_sys::window().and_then(|window| window.document()) {
        document.set_title(PAGE_TITLE);
    }
    crate::Handle(mount_to(element, move || {
        view! { <VerificationApp client has_secret /> }.into_any()
    }))
}

/// Removes the fragment (which holds the secret) from the address bar without reloading, so
/// that it does not stay on screen or in the history entry.
fn forget_fragment() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(path), Ok(query)) = (location.pathname(), location.search()) else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{query}")),
        );
    }
}
