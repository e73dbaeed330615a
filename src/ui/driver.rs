use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{ConsentView, Dialog, FailedView, LoadingView};
use crate::Options;
use crate::api::{self, ApiError};
use crate::flow::{self, Effect, Event, Failure, State};

/// The widget: the flow state, its driver, and the view of the current step.
#[component]
pub fn App(options: Options) -> impl IntoView {
    let (initial, effects) = flow::start();
    let driver = Driver {
        state: RwSignal::new(initial),
        options: StoredValue::new(options),
    };
    for effect in effects {
        driver.run(effect);
    }
    let retry = Callback::new(move |()| driver.dispatch(Event::Retry));
    view! {
        <Dialog>
            {move || match driver.state.get() {
                State::Loading => view! { <LoadingView /> }.into_any(),
                State::Consent { session } => view! { <ConsentView session=*session /> }.into_any(),
                State::Failed { error, retry: true } => {
                    view! { <FailedView message=error.message on_retry=retry /> }.into_any()
                }
                State::Failed { error, retry: false } => {
                    view! { <FailedView message=error.message /> }.into_any()
                }
            }}
        </Dialog>
    }
}

/// Runs the flow: the only code that changes its state.
#[derive(Clone, Copy)]
struct Driver {
    state: RwSignal<State>,
    options: StoredValue<Options>,
}

impl Driver {
    fn dispatch(self, event: Event) {
        // The widget was unmounted while a request was under way: nothing left to update.
        let Some(current) = self.state.try_get_untracked() else {
            return;
        };
        let (next, effects) = flow::step(current, event);
        self.state.set(next);
        for effect in effects {
            self.run(effect);
        }
    }

    fn run(self, effect: Effect) {
        match effect {
            Effect::LoadSession => {
                let Some(Options {
                    api_base,
                    client_secret,
                }) = self.options.try_get_value()
                else {
                    return;
                };
                spawn_local(async move {
                    let event = match api::fetch_link_session(&api_base, &client_secret).await {
                        Ok(session) => Event::SessionLoaded(Box::new(session)),
                        Err(error) => failed(&error),
                    };
                    self.dispatch(event);
                });
            }
            Effect::Ignored { .. } => {}
        }
    }
}

/// The flow's view of an API failure, in words for the person.
fn failed(error: &ApiError) -> Event {
    use finlink_protocol::ErrorCode;
    let message = match error {
        ApiError::Network(_) => {
            "We couldn't reach finlink. Check your connection and try again.".to_owned()
        }
        ApiError::MissingClientSecret => {
            "This page was opened without a session. Go back and start again.".to_owned()
        }
        ApiError::Api { error, .. } => match error.code {
            ErrorCode::ClientSecretInvalid => {
                "This link is not valid. Go back and start again.".to_owned()
            }
            ErrorCode::SessionExpired => {
                "This link has expired. Go back and start again.".to_owned()
            }
            ErrorCode::SessionCompleted => {
                "This link was already used. Go back and start again.".to_owned()
            }
            ErrorCode::SessionCancelled => {
                "This link was cancelled. Go back and start again.".to_owned()
            }
            _ => error.message.clone(),
        },
        ApiError::Status { .. } | ApiError::Decode(_) => {
            "finlink answered in a way this page does not understand. Try again later.".to_owned()
        }
    };
    Event::ApiFailed {
        error: Failure {
            code: error.code(),
            message,
        },
        retryable: error.is_retryable(),
    }
}
