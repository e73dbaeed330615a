//! The Rust host API (`finlink::embed`) in a real browser: what an integrator's own
//! wasm-bindgen-test can check of their integration without a finlink server.
//!
//! The test page's origin plays finlink's origin. The iframe that `mount` opens loads
//! `{origin}/link/#...` from the test runner, which has no widget there: the document it gets
//! is empty, but it is a real document of the widget origin inside the real iframe. The tests
//! then speak for the widget by running a script *inside that iframe* (so `event.source` is the
//! iframe and `event.origin` the widget origin, exactly what the widget's messages carry), and
//! check what a page of another origin, or another window of the same origin, cannot do. The
//! widget's own side of the messages is tested in `src/host/channel.rs` and end to end in
//! `e2e/` (against the real server, the loader and the built widget).
//!
//! To test your own integration the same way, copy this file and replace `origin()` with your
//! finlink server's URL: then the iframe shows the real widget, and only the "speak for the
//! widget" steps need the real person's clicks (the end-to-end tests in `e2e/` show how).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use finlink::embed::{
    CollectError, CollectOptions, FRAME_TITLE, FinlinkCollect, FlowEvent, MountedFlow, Session,
    collect, mount,
};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SECRET: &str = "fcsess_test_secret_a/b+c";

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// The test page's origin, standing in for finlink's.
fn origin() -> String {
    window().location().origin().expect("origin")
}

/// A fresh element in the page to mount into.
fn container() -> web_sys::HtmlElement {
    let document = window().document().expect("document");
    let element: web_sys::HtmlElement = document
        .create_element("div")
        .expect("div")
        .unchecked_into();
    document
        .body()
        .expect("body")
        .append_child(&element)
        .expect("added");
    element
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        window()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .expect("timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("slept");
}

/// Waits until the iframe shows the widget URL's document (not its first about:blank).
async fn loaded(frame: &web_sys::HtmlIFrameElement) {
    let widget_page = format!("{}/link/", origin());
    for _ in 0..250 {
        let ready = frame
            .content_window()
            .and_then(|window| window.location().href().ok())
            .is_some_and(|href| href.starts_with(&widget_page))
            && frame
                .content_document()
                .and_then(|document| document.document_element())
                .is_some();
        if ready {
            return;
        }
        sleep(20).await;
    }
    panic!("the iframe never loaded {widget_page}");
}

/// The element matching `selector` in `root`, once the component rendered it.
async fn rendered(root: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    for _ in 0..100 {
        leptos::task::tick().await;
        if let Ok(Some(element)) = root.query_selector(selector) {
            return element;
        }
        sleep(10).await;
    }
    panic!("{selector} never rendered");
}

/// Runs `script` inside the iframe's document: what the widget page would post, it posts.
fn run_in_frame(frame: &web_sys::HtmlIFrameElement, script: &str) {
    let document = frame
        .content_document()
        .expect("same-origin stand-in document");
    let element = document.create_element("script").expect("script");
    element.set_text_content(Some(script));
    document
        .document_element()
        .expect("root")
        .append_child(&element)
        .expect("ran");
}

/// A script that posts `message` (the widget's schema, src/host/channel.rs) to the parent.
fn post_script(message: &str) -> String {
    format!("parent.postMessage({message}, {:?});", origin())
}

const OPEN_EVENT: &str =
    r#"{ source: "finlink", version: 1, type: "event", name: "open", metadata: {} }"#;
const LINKED: &str = r#"{ source: "finlink", version: 1, type: "result", session: {
    id: "fcsess_1", accounts: [{ id: "fca_1", display_name: "Everyday Checking",
    institution_name: "Sandbox Bank (OAuth)", category: "cash", subcategory: "checking",
    last4: "6789", status: "active" }] } }"#;

fn options() -> CollectOptions {
    CollectOptions::new(origin(), SECRET)
}

#[wasm_bindgen_test]
async fn mount_opens_the_widget_page_of_finlinks_origin_with_the_host_origin_in_the_fragment() {
    let element = container();
    let flow = mount(&element, options()).expect("opens");
    let frame = flow.iframe().clone();
    assert_eq!(
        element.child_element_count(),
        1,
        "one iframe, inside the element"
    );
    assert_eq!(frame.title(), FRAME_TITLE);
    let origin = origin();
    assert_eq!(
        frame.src(),
        format!(
            "{origin}/link/#client_secret=fcsess_test_secret_a%2Fb%2Bc&host_origin={}",
            js_sys::encode_uri_component(&origin)
        )
    );
    flow.destroy();
    assert!(!frame.is_connected(), "destroy removes the iframe");
    assert_eq!(element.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn the_widgets_result_resolves_once_with_the_session_and_removes_the_iframe() {
    let element = container();
    let events = Rc::new(RefCell::new(Vec::<FlowEvent>::new()));
    let heard = Rc::clone(&events);
    let flow = mount(
        &element,
        options().on_event(move |event| heard.borrow_mut().push(event)),
    )
    .expect("opens");
    let frame = flow.iframe().clone();
    loaded(&frame).await;
    run_in_frame(
        &frame,
        &[OPEN_EVENT, LINKED, LINKED].map(post_script).concat(),
    );

    let session: Session = flow.finished().await.expect("a session");
    assert_eq!(session.id.as_deref(), Some("fcsess_1"));
    assert_eq!(session.accounts.len(), 1);
    assert_eq!(session.accounts[0].display_name, "Everyday Checking");
    assert_eq!(session.accounts[0].last4, "6789");
    let names: Vec<String> = events.borrow().iter().map(|e| e.name.clone()).collect();
    assert_eq!(names, ["open"]);
    assert!(
        !frame.is_connected(),
        "the iframe is removed with the result"
    );
    // The flow ended: another may open.
    mount(&element, options()).expect("opens again").destroy();
}

#[wasm_bindgen_test]
async fn messages_from_another_window_or_another_origin_are_ignored() {
    let element = container();
    let events = Rc::new(RefCell::new(0));
    let heard = Rc::clone(&events);
    let flow = mount(
        &element,
        options().on_event(move |_| *heard.borrow_mut() += 1),
    )
    .expect("opens");
    let frame = flow.iframe().clone();
    loaded(&frame).await;

    // What reaches this window, whoever sent it: to know the messages below were delivered.
    let delivered = Rc::new(RefCell::new(0));
    let count = Rc::clone(&delivered);
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |_: web_sys::MessageEvent| *count.borrow_mut() += 1,
    );
    window()
        .add_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .expect("listening");

    // The right origin, the wrong window: the page itself, and a second same-origin frame.
    js_sys::eval(&format!("window.postMessage({LINKED}, {:?});", origin())).expect("posted");
    let other: web_sys::HtmlIFrameElement = window()
        .document()
        .expect("document")
        .create_element("iframe")
        .expect("iframe")
        .unchecked_into();
    element.append_child(&other).expect("added");
    run_in_frame(&other, &[OPEN_EVENT, LINKED].map(post_script).concat());

    // The widget's iframe itself, once it shows a page of another origin (an opaque one).
    run_in_frame(
        &frame,
        &format!(
            "location.href = 'data:text/html,<script>parent.postMessage({}, \"*\")<\\/script>';",
            LINKED.replace('\n', " ")
        ),
    );
    for _ in 0..250 {
        if *delivered.borrow() >= 4 {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(*delivered.borrow(), 4, "all four messages reached the page");
    sleep(50).await;
    window()
        .remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref())
        .expect("removed");
    other.remove();

    assert!(
        frame.is_connected(),
        "still open: no message was taken for the widget's"
    );
    assert_eq!(*events.borrow(), 0, "no event was relayed");
    flow.destroy();
}

#[wasm_bindgen_test]
async fn one_flow_at_a_time_and_clear_errors_for_what_the_page_got_wrong() {
    let element = container();
    let flow: MountedFlow = mount(&element, options()).expect("opens");
    assert!(matches!(
        mount(&element, options()),
        Err(CollectError::AlreadyOpen)
    ));
    assert_eq!(collect(options()).await, Err(CollectError::AlreadyOpen));
    assert_eq!(
        element.child_element_count(),
        1,
        "still the first flow's iframe only"
    );
    flow.destroy();

    assert!(matches!(
        mount(&element, CollectOptions::new(origin(), "")),
        Err(CollectError::ClientSecretMissing)
    ));
    assert!(matches!(
        mount(&element, CollectOptions::new("link.example.com", SECRET)),
        Err(CollectError::WidgetOriginInvalid(_))
    ));
    assert_eq!(element.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn collect_shows_a_modal_and_puts_the_page_back_when_the_widget_answers() {
    let page_content = container();
    let before = window()
        .document()
        .and_then(|d| d.body())
        .expect("body")
        .child_element_count();
    let result = Rc::new(RefCell::new(None));
    let done = Rc::clone(&result);
    wasm_bindgen_futures::spawn_local(async move {
        *done.borrow_mut() = Some(collect(options()).await);
    });
    sleep(0).await;
    let document = window().document().expect("document");
    let frame: web_sys::HtmlIFrameElement = document
        .query_selector("[data-finlink=overlay] iframe")
        .expect("query")
        .expect("the modal's iframe")
        .unchecked_into();
    assert!(
        page_content.has_attribute("inert"),
        "the page behind is inert"
    );
    loaded(&frame).await;
    run_in_frame(
        &frame,
        &post_script(
            r#"{ source: "finlink", version: 1, type: "result",
                 error: { type: "invalid_request_error", code: "session_expired",
                          message: "This session expired." } }"#,
        ),
    );
    for _ in 0..100 {
        if result.borrow().is_some() {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(
        result.borrow_mut().take(),
        Some(Err(CollectError::Flow {
            error_type: "invalid_request_error".to_owned(),
            code: "session_expired".to_owned(),
            message: "This session expired.".to_owned(),
        }))
    );
    assert!(!page_content.has_attribute("inert"), "the page is back");
    assert_eq!(
        document.body().expect("body").child_element_count(),
        before,
        "the modal is gone"
    );
    page_content.remove();
}

#[wasm_bindgen_test]
async fn the_component_renders_the_widget_and_calls_on_exit_with_the_result() {
    let element = container();
    let exits = RwSignal::new(Vec::<Result<Session, CollectError>>::new());
    let handle = leptos::mount::mount_to(element.clone(), move || {
        view! {
            <FinlinkCollect
                widget_origin=origin()
                client_secret=SECRET
                on_exit=move |result| exits.update(|all| all.push(result))
            />
        }
    });
    let frame: web_sys::HtmlIFrameElement = rendered(&element, ".finlink-collect > iframe")
        .await
        .unchecked_into();
    loaded(&frame).await;
    run_in_frame(&frame, &post_script(LINKED));
    for _ in 0..100 {
        if !exits.with_untracked(Vec::is_empty) {
            break;
        }
        sleep(20).await;
    }
    let exits = exits.get_untracked();
    assert_eq!(exits.len(), 1);
    assert_eq!(
        exits[0]
            .as_ref()
            .map(|session| session.accounts[0].last4.as_str()),
        Ok("6789")
    );
    assert!(!frame.is_connected());
    drop(handle);

    // Unmounting the component while the flow is open ends it.
    let handle = leptos::mount::mount_to(element.clone(), move || {
        view! { <FinlinkCollect widget_origin=origin() client_secret=SECRET on_exit=|_| {} /> }
    });
    let frame = rendered(&element, ".finlink-collect > iframe").await;
    drop(handle);
    assert!(!frame.is_connected(), "the iframe goes with the component");
    mount(&element, options())
        .expect("no flow left open")
        .destroy();
}
