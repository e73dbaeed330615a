//! `<FinlinkCollect>`: the widget inside a Leptos view.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{CollectError, CollectOptions, FlowEvent, FlowGuard, Session, mount};

/// Renders the finlink widget inside a `<div class="finlink-collect">` of your view (size it
/// in your CSS: the widget's iframe fills it) and calls `on_exit` once with the result.
/// Removing the component from the view ends the flow (`on_exit` is then not called).
///
/// ```no_run
/// use finlink::embed::{CollectError, FinlinkCollect, FlowEvent, Session};
/// use leptos::prelude::*;
///
/// #[component]
/// fn Checkout(client_secret: String) -> impl IntoView {
///     let (linked, set_linked) = signal(None::<Result<Session, CollectError>>);
///     view! {
///         <Show when=move || linked.with(Option::is_none)>
///             <FinlinkCollect
///                 widget_origin="https://link.example.com"
///                 client_secret=client_secret.clone()
///                 on_event=move |event: FlowEvent| leptos::logging::log!("{}", event.name)
///                 on_exit=move |result| set_linked.set(Some(result))
///             />
///         </Show>
///     }
/// }
/// ```
#[component]
pub fn FinlinkCollect(
    /// finlink's origin, such as `https://link.example.com`.
    #[prop(into)]
    widget_origin: String,
    /// The client secret of the session your server created.
    #[prop(into)]
    client_secret: String,
    /// Each step, in real time.
    #[prop(optional, into)]
    on_event: Option<Callback<FlowEvent>>,
    /// The result, once: the session, or why there is none.
    #[prop(into)]
    on_exit: Callback<Result<Session, CollectError>>,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let flow = StoredValue::<Option<FlowGuard>, LocalStorage>::new_local(None);
    container.on_load(move |element| {
        let mut options = CollectOptions::new(widget_origin, client_secret);
        if let Some(on_event) = on_event {
            options = options.on_event(move |event| {
                on_event.try_run(event);
            });
        }
        match mount(&element, options) {
            Ok(mounted) => {
                let (guard, result) = mounted.split();
                flow.set_value(Some(guard));
                spawn_local(async move {
                    // Dropped with the component: nobody is there to tell.
                    let Ok(outcome) = result.await else {
                        return;
                    };
                    flow.try_update_value(|guard| guard.take());
                    on_exit.try_run(outcome);
                });
            }
            Err(error) => {
                on_exit.try_run(Err(error));
            }
        }
    });
    on_cleanup(move || {
        flow.try_update_value(|guard| guard.take());
    });
    view! { <div class="finlink-collect" node_ref=container></div> }
}
