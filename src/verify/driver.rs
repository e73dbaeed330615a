//! Runs the verification page: the only code that changes its state. It runs each effect and
//! feeds the answer back as an event.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::VerificationPage;
use super::machine::{self, Effect, Event, INVALID_LINK_TEXT, Request, State};
use crate::api::{ApiError, VerificationClient};
use crate::flow::Failure;
use finlink_protocol::ErrorCode;

/// The page with its driver, calling the link API with `client`'s verification secret.
#[component]
pub fn VerificationApp(client: VerificationClient, has_secret: bool) -> impl IntoView {
    let (initial, effects) = machine::start(has_secret);
    let driver = Driver {
        state: RwSignal::new(initial),
        announcement: RwSignal::new(String::new()),
        client: StoredValue::new(client),
    };
    driver.perform(effects);
    let send = Callback::new(move |event| driver.dispatch(event));
    view! {
        <VerificationPage state=driver.state send announcement=driver.announcement />
    }
}

#[derive(Clone, Copy)]
struct Driver {
    state: RwSignal<State>,
    /// The text of the `aria-live` region.
    announcement: RwSignal<String>,
    client: StoredValue<VerificationClient>,
}

impl Driver {
    fn dispatch(self, event: Event) {
        // The page was unmounted while a request was under way: nothing left to update.
        let Some(current) = self.state.try_get_untracked() else {
            return;
        };
        let (next, effects) = machine::step(current, event);
        self.state.set(next);
        self.perform(effects);
    }

    fn perform(self, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(self, effect: Effect) {
        let Some(client) = self.client.try_get_value() else {
            return;
        };
        match effect {
            Effect::Load => spawn_local(async move {
                let event = match client.verification().await {
                    Ok(verification) => Event::Loaded(Box::new(verification)),
                    Err(error) => failed(Request::Load, &error),
                };
                self.dispatch(event);
            }),
            Effect::Submit(answer) => spawn_local(async move {
                let event = match client.verify(&answer).await {
                    Ok(verification) => Event::Answered(Box::new(verification)),
                    Err(error) => failed(Request::Answer, &error),
                };
                self.dispatch(event);
            }),
            Effect::Announce(text) => self.announce(&text),
            Effect::Ignored { .. } => {}
        }
    }

    /// Puts `text` into the live region. The same text twice gets a trailing no-break space,
    /// so that screen readers read it again.
    fn announce(self, text: &str) {
        self.announcement.update(|current| {
            *current = if current == text {
                format!("{text}\u{a0}")
            } else {
                text.to_owned()
            };
        });
    }
}

/// The page's view of an API failure, in words for the person.
fn failed(request: Request, error: &ApiError) -> Event {
    let failure = match error {
        ApiError::Network(_) => Failure::new(
            None,
            "We couldn't reach finlink. Check your connection and try again.",
        ),
        ApiError::MissingClientSecret => Failure::new(
            Some(ErrorCode::VerificationSecretInvalid),
            INVALID_LINK_TEXT,
        ),
        ApiError::Api { error, .. } => Failure::from_api(error),
        ApiError::Status { .. } | ApiError::Decode(_) => Failure::new(
            None,
            "Something went wrong at finlink. Try again in a moment.",
        ),
    };
    Event::RequestFailed {
        request,
        failure,
        retryable: error.is_retryable(),
    }
}
