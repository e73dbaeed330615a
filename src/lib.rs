//! The finlink widget: the bank-account linking flow, compiled to WebAssembly with Leptos.
//!
//! The widget page (`index.html`, served at `/link/`) runs `src/main.rs`, which calls [`start`]:
//! it mounts the widget into `<main id="finlink">` with the client secret from the URL fragment.
//! The hosted verification page (`verify.html`, served at `/link/verify/`) is a bundle of its
//! own, `src/bin/verify.rs` calling [`verify::start`], so that the widget does not carry it.
//! Other pages can call [`mount`]. Rust web applications that *embed* finlink (a business's
//! page, not the widget page) use [`embed`]: `collect`, `mount` and the `FinlinkCollect`
//! component, which open the widget from finlink's origin in an iframe as `finlink.js` does.
//!
//! Layout (DESIGN §1): [`flow`] is the sans-IO state machine, [`api`] the link API client,
//! [`ui`] the Leptos views and their driver, [`host`] the page's URL and, later, its channels to
//! the loader and to native web views. [`verify`] is the hosted microdeposit verification page
//! (`/link/verify/#verification_secret=...`).

pub mod api;
pub mod embed;
pub mod flow;
pub mod host;
pub mod ui;
pub mod verify;

use leptos::mount::{UnmountHandle, mount_to};
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;

/// The `id` of the element the widget page mounts into.
pub const MOUNT_ID: &str = "finlink";

/// What the widget needs to run.
#[derive(Clone, PartialEq, Eq)]
pub struct Options {
    /// The origin of the link API, such as `https://link.example.com`, without a trailing slash.
    pub api_base: String,
    /// The session's client secret. Never logged, never put in a URL sent to a server.
    pub client_secret: String,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("api_base", &self.api_base)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// A mounted widget. Dropping it removes the widget from the page; [`Handle::forget`] keeps it
/// for the life of the page.
#[must_use = "dropping the handle unmounts the widget"]
pub struct Handle(UnmountHandle<AnyViewState>);

impl Handle {
    /// Keeps the widget mounted for the life of the page.
    pub fn forget(self) {
        self.0.forget();
    }
}

/// Mounts the widget into `element` and starts the flow.
pub fn mount(element: web_sys::HtmlElement, options: Options) -> Handle {
    Handle(mount_to(element, move || {
        view! { <ui::App options /> }.into_any()
    }))
}

/// The widget page's entry point (`src/main.rs`): mounts the widget into `<main id="finlink">`
/// with the client secret of the page's URL fragment. Does nothing on a page without one.
pub fn start() {
    let Some(element) = page_root() else {
        return;
    };
    let params = host::page_params();
    let options = Options {
        api_base: host::page_origin().unwrap_or_default(),
        client_secret: params.client_secret.unwrap_or_default(),
    };
    mount(element, options).forget();
}

/// The page's `<main id="finlink">`, emptied: whatever the page showed before the module ran
/// (a notice for browsers without WebAssembly) makes way for what mounts there.
fn page_root() -> Option<web_sys::HtmlElement> {
    use wasm_bindgen::JsCast;

    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(MOUNT_ID))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())?;
    element.set_text_content(None);
    Some(element)
}
