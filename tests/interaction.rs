//! Browser tests of the keyboard, the focus and the driver (wasm-bindgen-test in headless
//! Chromium). The driver tests run the real widget against a scripted link API: `fetch` and
//! `window.open` are replaced by recording stubs in the test page.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use finlink::Options;
use finlink::flow::{Event, Results, State};
use finlink_protocol::{
    Authorization, AuthorizationState, LinkResult, List, Permission, ResumeAt, SessionStatus,
};
use leptos::prelude::{Set, document};
use serde_json::{Value, json};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn focused_text() -> String {
    focused()
        .map(|element| accessible_name(&element))
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_first_screen_takes_the_focus_once_it_is_painted() {
    let page = Mounted::new(State::Loading).await;
    next_frame().await;
    assert_eq!(focused(), Some(page.get("h1")), "the Loading heading");
    assert_eq!(focused_text(), "Loading…");
}

#[wasm_bindgen_test]
async fn a_step_shown_before_the_first_paint_keeps_the_focus() {
    let page = Mounted::new(State::Loading).await;
    page.state.set(State::Consent {
        session: session(),
        submitting: false,
    });
    tick().await;
    next_frame().await;
    next_frame().await;
    assert_eq!(
        focused(),
        Some(page.get("h1")),
        "the consent heading, not the Loading heading that was there first"
    );
    assert_eq!(
        focused_text(),
        "Acme Bikes uses finlink to connect your bank account"
    );
}

/// Work held back until the screen is painted (the directory file) runs after the next frame,
/// not in it: a frame callback asked for later in the same frame still sees it undone, and it
/// is done right after that frame.
#[wasm_bindgen_test]
async fn work_after_the_next_paint_runs_after_the_frame_not_in_it() {
    use std::cell::Cell;
    use std::rc::Rc;

    let ran = Rc::new(Cell::new(false));
    finlink::ui::after_next_paint({
        let ran = Rc::clone(&ran);
        move || ran.set(true)
    });
    assert!(!ran.get(), "not at once");
    let in_the_frame = Rc::new(Cell::new(None));
    let frame = wasm_bindgen::closure::Closure::once_into_js({
        let (ran, in_the_frame) = (Rc::clone(&ran), Rc::clone(&in_the_frame));
        move || in_the_frame.set(Some(ran.get()))
    });
    web_sys::window()
        .unwrap()
        .request_animation_frame(frame.unchecked_ref())
        .unwrap();
    until("the frame ran", || in_the_frame.get().is_some()).await;
    assert_eq!(
        in_the_frame.get(),
        Some(false),
        "undone while the frame runs"
    );
    sleep(0).await;
    assert!(ran.get(), "done once the frame is over");
}

#[wasm_bindgen_test]
async fn the_focus_moves_to_each_new_step() {
    let page = Mounted::new(State::Consent {
        session: session(),
        submitting: false,
    })
    .await;
    let heading = page.get("h1");
    assert_eq!(
        focused(),
        Some(heading),
        "the consent heading has the focus"
    );

    page.state.set(select_institution(
        "",
        Results::Featured,
        vec![credentials_bank()],
    ));
    tick().await;
    assert_eq!(
        focused().map(|element| element.id()),
        Some(page.field("Search for your bank").id()),
        "the search field has the focus"
    );

    page.state.set(credentials("", None, 5));
    tick().await;
    assert_eq!(
        focused().map(|element| element.id()),
        Some(page.field("Username").id())
    );
}

#[wasm_bindgen_test]
async fn tab_and_shift_tab_wrap_inside_the_dialog() {
    let page = Mounted::new(State::Consent {
        session: session(),
        submitting: false,
    })
    .await;
    let close = page.button("Close");
    let continue_button = page.button("Continue");

    continue_button.focus().unwrap();
    assert!(key(&continue_button, "Tab", false), "Tab is handled");
    assert_eq!(focused_text(), "Close");

    assert!(key(&close, "Tab", true), "Shift+Tab is handled");
    assert_eq!(focused_text(), "Continue");

    // In the middle, Tab is the browser's.
    let terms = page.by_role("link", "Terms").unwrap();
    terms.focus().unwrap();
    assert!(!key(&terms, "Tab", false));

    // From the heading (focused, but not in the tab order), Tab stays inside.
    let heading = page.get("h1");
    heading.focus().unwrap();
    assert!(key(&heading, "Tab", false));
    assert_eq!(focused_text(), "Terms");
    heading.focus().unwrap();
    assert!(key(&heading, "Tab", true));
    assert_eq!(focused_text(), "Close");
    assert!(page.take_events().is_empty());
}

#[wasm_bindgen_test]
async fn escape_closes_from_anywhere_in_the_dialog() {
    let page = Mounted::new(credentials("jenny", None, 5)).await;
    let password = page.field("Password");
    key(&password, "Escape", false);
    assert_eq!(page.take_events(), vec![Event::Cancel]);
    key(&page.get("h1"), "Escape", false);
    assert_eq!(page.take_events(), vec![Event::Cancel]);
}

/// The option the search field's `aria-activedescendant` points at.
fn active_option(search: &web_sys::HtmlInputElement) -> Option<web_sys::HtmlElement> {
    let id = search.get_attribute("aria-activedescendant")?;
    let option: web_sys::HtmlElement = document().get_element_by_id(&id)?.unchecked_into();
    assert_eq!(option.get_attribute("role").as_deref(), Some("option"));
    assert_eq!(
        option.get_attribute("aria-selected").as_deref(),
        Some("true")
    );
    Some(option)
}

#[wasm_bindgen_test]
async fn the_search_field_is_a_combobox_whose_arrows_move_the_active_bank_and_enter_picks_it() {
    let page = Mounted::new(select_institution(
        "sand",
        Results::Found(vec![credentials_bank(), oauth_bank()]),
        Vec::new(),
    ))
    .await;
    let search = page.field("Search for your bank");
    assert_eq!(search.get_attribute("role").as_deref(), Some("combobox"));
    assert_eq!(
        search.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let listbox = document()
        .get_element_by_id(&search.get_attribute("aria-controls").unwrap())
        .unwrap();
    assert_eq!(listbox.get_attribute("role").as_deref(), Some("listbox"));
    let options = all(&listbox, "[role=option]");
    assert_eq!(options.len(), 2);
    assert!(
        options
            .iter()
            .all(|option| option.get_attribute("aria-selected").as_deref() == Some("false"))
    );
    assert!(active_option(&search).is_none());

    search.focus().unwrap();
    assert!(key(&search, "ArrowDown", false), "Arrow Down is handled");
    tick().await;
    let first = active_option(&search).expect("an active option");
    assert!(accessible_name(&first).contains("Sandbox Bank (Credentials)"));
    assert_eq!(
        focused().map(|element| element.id()),
        Some(search.id()),
        "the field keeps the focus"
    );

    key(&search, "ArrowDown", false);
    tick().await;
    let second = active_option(&search).unwrap();
    assert!(accessible_name(&second).contains("Sandbox Bank (OAuth)"));
    assert_eq!(
        first.get_attribute("aria-selected").as_deref(),
        Some("false")
    );
    key(&search, "ArrowDown", false);
    tick().await;
    assert_eq!(
        active_option(&search),
        Some(second),
        "Down stops at the last bank"
    );

    assert!(key(&search, "Enter", false), "Enter is handled");
    assert_eq!(
        page.take_events(),
        vec![Event::InstitutionChosen(Box::new(oauth_bank()))]
    );

    key(&search, "ArrowUp", false);
    tick().await;
    assert_eq!(active_option(&search), Some(first));
    key(&search, "ArrowUp", false);
    tick().await;
    assert!(
        active_option(&search).is_none(),
        "Up from the first is the field alone"
    );
    assert!(key(&search, "Enter", false));
    assert!(
        page.take_events().is_empty(),
        "Enter with no active bank picks nothing"
    );
}

#[wasm_bindgen_test]
async fn escape_in_the_search_field_clears_the_query_then_closes() {
    let page = Mounted::new(select_institution(
        "zzqx",
        Results::NoResults,
        vec![credentials_bank()],
    ))
    .await;
    let search = page.field("Search for your bank");
    assert_eq!(
        search.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(key(&search, "Escape", false));
    assert_eq!(
        page.take_events(),
        vec![Event::QueryChanged(String::new())],
        "the query is cleared, the dialog stays"
    );
    page.state.set(select_institution(
        "",
        Results::Featured,
        vec![credentials_bank()],
    ));
    tick().await;
    key(&search, "Escape", false);
    assert_eq!(page.take_events(), vec![Event::Cancel]);
}

#[wasm_bindgen_test]
async fn the_part_of_each_name_the_query_matched_is_marked_as_text() {
    let markup_bank = finlink_protocol::Institution {
        name: format!("Sandbox {MARKUP}"),
        ..credentials_bank()
    };
    let found = vec![credentials_bank(), markup_bank];
    let page = Mounted::new(select_institution(
        "sandbox cr",
        Results::Found(found.clone()),
        Vec::new(),
    ))
    .await;
    let options = page.all("[role=option]");
    let marks = |option: &web_sys::HtmlElement| -> Vec<String> {
        all(option, "mark")
            .iter()
            .map(|mark| mark.text_content().unwrap_or_default())
            .collect()
    };
    assert_eq!(marks(&options[0]), ["Sandbox", "Cr"]);
    assert_eq!(marks(&options[1]), ["Sandbox"]);
    assert!(
        accessible_name(&options[1]).contains(MARKUP),
        "names are text"
    );
    assert!(page.find("img").is_none(), "never markup");
    assert!(page.all("[role=option] mark").len() == 3);

    // The same banks for a longer query: the emphasis follows the query.
    page.state.set(select_institution(
        "sandbox cre",
        Results::Found(found),
        Vec::new(),
    ));
    tick().await;
    assert_eq!(marks(&page.all("[role=option]")[0]), ["Sandbox", "Cre"]);
}

// ---- The driver, against a scripted link API ----------------------------------------------

const SECRET: &str = "fcsess_test_secret_4f9a";

/// Replaces `fetch` with a stub that answers from `routes` ("METHOD /path" → `{status, body}`
/// or `{status, text}` for a plain-text body,
/// an array of those answered in turn, the last one repeated, or "network" for no answer) and
/// records every request in `window.__calls`; replaces `window.open` with one that records the
/// URL and returns a stand-in for the bank's window (or `null` when `block_popups`). Never the
/// test page's own `window`: the widget closes the bank's window when the flow ends, and
/// Firefox lets a script close a page WebDriver opened, which would end the test run.
fn install_api(routes: Value, block_popups: bool) {
    let install = js_sys::Function::new_with_args(
        "routes, blockPopups",
        r#"
        window.__calls = [];
        window.__opened = [];
        window.open = function (url, name, features) {
            window.__opened.push({ url: url, name: name });
            return blockPopups ? null : { closed: false, focus() {}, close() { this.closed = true; } };
        };
        window.fetch = async function (input, init) {
            const request = input instanceof Request ? input : new Request(input, init);
            const url = new URL(request.url);
            const body = request.method === "GET" ? null : await request.text();
            window.__calls.push({
                method: request.method,
                url: request.url,
                path: url.pathname,
                authorization: request.headers.get("Authorization"),
                idempotencyKey: request.headers.get("Idempotency-Key"),
                body: body,
            });
            const route = request.method + " " + url.pathname;
            let answer = routes[route];
            if (Array.isArray(answer)) {
                answer = answer.length > 1 ? answer.shift() : answer[0];
            }
            if (answer === "network") {
                throw new TypeError("Failed to fetch");
            }
            if (answer === undefined) {
                answer = { status: 404, body: { error: { type: "invalid_request_error",
                    code: "route_not_found", message: "No route " + route, param: null,
                    request_id: null } } };
            }
            if (answer.text !== undefined) {
                return new Response(answer.text, {
                    status: answer.status || 200,
                    headers: { "Content-Type": "text/plain; charset=utf-8" },
                });
            }
            return new Response(JSON.stringify(answer.body), {
                status: answer.status || 200,
                headers: { "Content-Type": "application/json" },
            });
        };
        "#,
    );
    let routes = js_sys::JSON::parse(&routes.to_string()).unwrap();
    install
        .call2(&JsValue::NULL, &routes, &JsValue::from_bool(block_popups))
        .unwrap();
}

/// The requests the widget made so far.
fn calls() -> Vec<Value> {
    let calls = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__calls".into()).unwrap();
    let text = js_sys::JSON::stringify(&calls)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn opened() -> Vec<Value> {
    let opened = js_sys::Reflect::get(&web_sys::window().unwrap(), &"__opened".into()).unwrap();
    let text = js_sys::JSON::stringify(&opened)
        .unwrap()
        .as_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ok(body: impl serde::Serialize) -> Value {
    json!({ "status": 200, "body": body })
}

fn list<T: serde::Serialize>(data: Vec<T>) -> Value {
    ok(List {
        data,
        has_more: false,
        url: "/v1/link/list".to_owned(),
    })
}

fn authorization(institution: finlink_protocol::Institution, state: AuthorizationState) -> Value {
    ok(Authorization {
        id: "fcauth_1".to_owned(),
        institution,
        state,
    })
}

fn result(status: SessionStatus) -> Value {
    ok(LinkResult {
        session: "fcsess_test".to_owned(),
        status,
        accounts: vec![linked("acc_1", "Everyday Checking", "6789")],
    })
}

/// The real widget, mounted on the scripted API.
struct App {
    root: web_sys::HtmlElement,
    _handle: finlink::Handle,
}

impl App {
    async fn mount(client_secret: &str) -> Self {
        let root = container();
        let handle = finlink::mount(
            root.clone(),
            Options {
                api_base: String::new(),
                client_secret: client_secret.to_owned(),
            },
        );
        tick().await;
        Self {
            root,
            _handle: handle,
        }
    }

    fn text(&self) -> String {
        normalize(&self.root.text_content().unwrap_or_default())
    }

    fn heading(&self) -> String {
        find(&self.root, "h1")
            .map(|heading| normalize(&heading.text_content().unwrap_or_default()))
            .unwrap_or_default()
    }

    fn button(&self, name: &str) -> web_sys::HtmlElement {
        all(&self.root, "button, a[href]")
            .into_iter()
            .find(|button| accessible_name(button).contains(name))
            .unwrap_or_else(|| panic!("no button {name:?} in {}", self.text()))
    }

    /// An option of the bank list.
    fn option(&self, name: &str) -> web_sys::HtmlElement {
        all(&self.root, "[role=option]")
            .into_iter()
            .find(|option| accessible_name(option).contains(name))
            .unwrap_or_else(|| panic!("no option {name:?} in {}", self.text()))
    }

    fn input(&self, id: &str) -> web_sys::HtmlInputElement {
        find(&self.root, &format!("#{id}"))
            .unwrap_or_else(|| panic!("no #{id} in {}", self.text()))
            .unchecked_into()
    }

    async fn until_heading(&self, heading: &str) {
        until(&format!("the heading is {heading:?}"), || {
            self.heading() == heading
        })
        .await;
    }
}

fn session_at(resume: ResumeAt) -> Value {
    let mut session = link_session("Acme Bikes", vec![Permission::PaymentMethod]);
    session.consent_given = !matches!(resume, ResumeAt::Consent);
    session.resume = resume;
    ok(session)
}

/// What the page's boot script leaves when it asked for the session early: the request's
/// `url` for `client_secret`, and `session`'s answer, or `None` for no answer at all.
fn ask_early(url: &str, client_secret: &str, session: Option<Value>) {
    let leave = js_sys::Function::new_with_args(
        "key, url, clientSecret, body",
        r#"
        window[key] = {
            url: url,
            clientSecret: clientSecret,
            response: Promise.resolve(body === null ? null : new Response(body, {
                status: 200,
                headers: { "Content-Type": "application/json" },
            })),
        };
        "#,
    );
    let body = session.map_or(JsValue::NULL, |session| session["body"].to_string().into());
    leave
        .call4(
            &JsValue::NULL,
            &finlink::api::EARLY_SESSION.into(),
            &url.into(),
            &client_secret.into(),
            &body,
        )
        .unwrap();
}

/// The session request's URL for the test widget, whose API base is the page itself.
const SESSION_URL: &str = "/v1/link/session";

fn early_bird() -> Value {
    let mut early = link_session("Early Bird Books", vec![Permission::PaymentMethod]);
    early.resume = ResumeAt::Consent;
    ok(early)
}

/// The session requests the widget sent itself.
fn session_requests() -> Vec<Value> {
    calls()
        .into_iter()
        .filter(|call| call["path"] == "/v1/link/session")
        .collect()
}

fn early_session_left() -> bool {
    js_sys::Reflect::has(
        &web_sys::window().unwrap(),
        &finlink::api::EARLY_SESSION.into(),
    )
    .unwrap()
}

#[wasm_bindgen_test]
async fn the_session_the_page_asked_for_early_is_used_and_not_asked_again() {
    install_api(
        json!({ "GET /v1/link/session": session_at(ResumeAt::Consent) }),
        false,
    );
    ask_early(SESSION_URL, SECRET, Some(early_bird()));
    let app = App::mount(SECRET).await;
    app.until_heading("Early Bird Books uses finlink to connect your bank account")
        .await;
    assert_eq!(session_requests(), Vec::<Value>::new());
    assert!(!early_session_left(), "taken once");
}

#[wasm_bindgen_test]
async fn an_early_session_for_another_secret_or_address_or_without_answer_is_not_used() {
    for (url, secret, answer) in [
        (SESSION_URL, "fcsess_someone_else", Some(early_bird())),
        (
            "https://elsewhere.example/v1/link/session",
            SECRET,
            Some(early_bird()),
        ),
        (SESSION_URL, SECRET, None),
    ] {
        install_api(
            json!({ "GET /v1/link/session": session_at(ResumeAt::Consent) }),
            false,
        );
        ask_early(url, secret, answer);
        let app = App::mount(SECRET).await;
        app.until_heading("Acme Bikes uses finlink to connect your bank account")
            .await;
        let asked = session_requests();
        assert_eq!(asked.len(), 1, "{url} {secret}: {asked:?}");
        assert_eq!(asked[0]["authorization"], format!("Bearer {SECRET}"));
        assert!(!early_session_left());
    }
}

#[wasm_bindgen_test]
async fn declining_saved_accounts_is_sent_again_when_no_answer_came() {
    let mut offered = link_session("Acme Bikes", vec![Permission::PaymentMethod]);
    offered.consent_given = false;
    offered.resume = ResumeAt::Consent;
    offered.returning_user = Some(finlink_protocol::ReturningUser {
        email_hint: "j\u{2022}\u{2022}\u{2022}@example.com".to_owned(),
        verified: false,
    });
    install_api(
        json!({
            "GET /v1/link/session": ok(offered),
            "POST /v1/link/returning_user/decline": [
                "network",
                ok(finlink_protocol::ReturningUserDeclined { declined_at: 1_700_000_000 }),
            ],
        }),
        false,
    );
    let app = App::mount(SECRET).await;
    app.until_heading("Welcome back").await;
    app.button("Use another account").click();
    app.until_heading("Acme Bikes uses finlink to connect your bank account")
        .await;
    until_long("the decline sent again", || {
        calls()
            .iter()
            .filter(|call| call["path"] == "/v1/link/returning_user/decline")
            .count()
            == 2
    })
    .await;
    assert_eq!(
        app.heading(),
        "Acme Bikes uses finlink to connect your bank account"
    );
}

#[wasm_bindgen_test]
async fn oauth_opens_the_popup_within_the_click_and_links_an_account() {
    install_api(
        json!({
            "GET /v1/link/session": session_at(ResumeAt::Consent),
            "POST /v1/link/consent": session_at(ResumeAt::SelectInstitution),
            "GET /v1/link/institutions": list(vec![oauth_bank(), credentials_bank()]),
            "POST /v1/link/authorizations": authorization(oauth_bank(),
                AuthorizationState::AwaitingOauth {
                    oauth_url: "https://bank.example/authorize?state=s".to_owned(),
                }),
            "GET /v1/link/authorizations/fcauth_1": [
                authorization(oauth_bank(), AuthorizationState::AwaitingOauth {
                    oauth_url: "https://bank.example/authorize?state=s".to_owned(),
                }),
                authorization(oauth_bank(), AuthorizationState::Authorized),
            ],
            "GET /v1/link/authorizations/fcauth_1/accounts": list(standard_accounts()),
            "POST /v1/link/authorizations/fcauth_1/attach": result(SessionStatus::Open),
            "POST /v1/link/complete": result(SessionStatus::Completed),
        }),
        false,
    );
    let app = App::mount(SECRET).await;
    app.until_heading("Acme Bikes uses finlink to connect your bank account")
        .await;
    app.button("Continue").click();
    app.until_heading("Select your bank").await;
    until("the featured banks", || {
        app.text().contains("Sandbox Bank (OAuth)")
    })
    .await;
    app.option("Sandbox Bank (OAuth)").click();
    app.until_heading("You'll continue at Sandbox Bank (OAuth)")
        .await;

    assert!(opened().is_empty());
    app.button("Continue").click();
    // No await between the click and this: the window opened inside the click's call stack.
    assert_eq!(
        opened(),
        vec![json!({ "url": "https://bank.example/authorize?state=s", "name": "finlink_bank" })]
    );
    app.until_heading("Finish at Sandbox Bank (OAuth)").await;
    // The poll timer asks until the bank authorized (two polls, a second apart).
    until_long("the accounts", || app.heading() == "Select accounts").await;
    let checking = app.input("finlink-account-fca_checking");
    checking.click();
    tick().await;
    assert!(checking.checked());
    app.button("Link accounts").click();
    app.until_heading("Accounts linked").await;
    app.button("Done").click();
    app.until_heading("You can close this window.").await;

    let calls = calls();
    for call in &calls {
        assert_eq!(call["authorization"], json!(format!("Bearer {SECRET}")));
        assert!(!call["url"].as_str().unwrap().contains(SECRET), "{call}");
    }
    // The directory file is asked for once, after the bank list showed; this API has none
    // (404), so the server's search answers.
    let (directory, calls): (Vec<Value>, Vec<Value>) = calls
        .into_iter()
        .partition(|call| call["path"] == "/v1/link/directory");
    assert_eq!(directory.len(), 1, "{directory:?}");
    let routes: Vec<String> = calls
        .iter()
        .map(|call| {
            format!(
                "{} {}",
                call["method"].as_str().unwrap(),
                call["path"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        routes,
        [
            "GET /v1/link/session",
            "POST /v1/link/consent",
            "GET /v1/link/institutions",
            "POST /v1/link/authorizations",
            "GET /v1/link/authorizations/fcauth_1",
            "GET /v1/link/authorizations/fcauth_1",
            "GET /v1/link/authorizations/fcauth_1/accounts",
            "POST /v1/link/authorizations/fcauth_1/attach",
            "POST /v1/link/complete",
        ]
    );
    assert!(
        calls[2]["url"]
            .as_str()
            .unwrap()
            .ends_with("?query=&limit=10"),
        "{}",
        calls[2]
    );
    assert_eq!(
        serde_json::from_str::<Value>(calls[1]["body"].as_str().unwrap()).unwrap(),
        json!({ "permissions": ["payment_method"] })
    );
    assert_eq!(
        serde_json::from_str::<Value>(calls[7]["body"].as_str().unwrap()).unwrap(),
        json!({ "accounts": ["fca_checking"] })
    );
    let key = calls[7]["idempotencyKey"].as_str().unwrap();
    assert!(key.starts_with("fl_") && key.len() == 35, "{key}");
}

/// Like [`until`], for waits that include the one-second poll timer.
async fn until_long(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..100 {
        if ready() {
            return;
        }
        sleep(50).await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn a_blocked_popup_offers_a_link_to_the_bank() {
    let awaiting = authorization(
        oauth_bank(),
        AuthorizationState::AwaitingOauth {
            oauth_url: "https://bank.example/authorize?state=s".to_owned(),
        },
    );
    install_api(
        json!({
            "GET /v1/link/session": session_at(ResumeAt::Authorization {
                authorization: Box::new(Authorization {
                    id: "fcauth_1".to_owned(),
                    institution: oauth_bank(),
                    state: AuthorizationState::AwaitingOauth {
                        oauth_url: "https://bank.example/authorize?state=s".to_owned(),
                    },
                }),
            }),
            "GET /v1/link/authorizations/fcauth_1": awaiting,
        }),
        true,
    );
    let app = App::mount(SECRET).await;
    app.until_heading("You'll continue at Sandbox Bank (OAuth)")
        .await;
    app.button("Continue").click();
    assert_eq!(opened().len(), 1);
    app.until_heading("Finish at Sandbox Bank (OAuth)").await;
    until("the blocked notice", || app.text().contains("blocked")).await;
    let link = app.button("Open Sandbox Bank (OAuth)");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://bank.example/authorize?state=s")
    );
    assert_eq!(
        link.get_attribute("target").as_deref(),
        Some("finlink_bank")
    );
    // Cancel (= Back) leaves the bank for the bank list.
    install_api(
        json!({ "GET /v1/link/institutions": list(vec![oauth_bank()]) }),
        true,
    );
    app.button("Cancel").click();
    app.until_heading("Select your bank").await;
}

#[wasm_bindgen_test]
async fn a_refused_password_keeps_the_username_for_the_next_try() {
    install_api(
        json!({
            "GET /v1/link/session": session_at(ResumeAt::Authorization {
                authorization: Box::new(Authorization {
                    id: "fcauth_1".to_owned(),
                    institution: credentials_bank(),
                    state: AuthorizationState::AwaitingCredentials {
                        error: None,
                        attempts_remaining: 5,
                    },
                }),
            }),
            "POST /v1/link/authorizations/fcauth_1/credentials": authorization(
                credentials_bank(),
                AuthorizationState::AwaitingCredentials {
                    error: Some(finlink_protocol::ApiError {
                        kind: finlink_protocol::ErrorType::InstitutionError,
                        code: finlink_protocol::ErrorCode::InvalidCredentials,
                        message: "The username or password is incorrect.".to_owned(),
                        param: None,
                        request_id: None,
                    }),
                    attempts_remaining: 4,
                },
            ),
        }),
        false,
    );
    let app = App::mount(SECRET).await;
    app.until_heading("Log in to Sandbox Bank (Credentials)")
        .await;
    app.input("finlink-username").set_value("jenny");
    app.input("finlink-password").set_value("nope");
    app.button("Log in").click();
    until("the refusal", || app.text().contains("incorrect")).await;
    assert!(app.text().contains("You have 4 attempts left."));
    assert_eq!(app.input("finlink-username").value(), "jenny");
    assert_eq!(app.input("finlink-password").value(), "");
    let body: Value = serde_json::from_str(calls()[1]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({ "username": "jenny", "password": "nope" }));
}

#[wasm_bindgen_test]
async fn reads_are_resent_when_no_answer_came_but_writes_are_not() {
    install_api(json!({ "GET /v1/link/session": "network" }), false);
    let app = App::mount(SECRET).await;
    until_long("the failure", || app.heading() == "Something went wrong").await;
    assert!(
        app.text().contains("We couldn't reach finlink."),
        "{}",
        app.text()
    );
    assert_eq!(calls().len(), 3, "sent once and resent twice");

    install_api(
        json!({
            "GET /v1/link/session": session_at(ResumeAt::Consent),
            "POST /v1/link/consent": "network",
        }),
        false,
    );
    app.button("Try again").click();
    app.until_heading("Acme Bikes uses finlink to connect your bank account")
        .await;
    app.button("Continue").click();
    app.until_heading("Something went wrong").await;
    // The consent screen also asks for the directory file (a read, once per page); the
    // consent itself, a write, went out once.
    let routes: Vec<Value> = calls().iter().map(|call| call["path"].clone()).collect();
    let (directory, rest): (Vec<Value>, Vec<Value>) = routes
        .into_iter()
        .partition(|path| path == "/v1/link/directory");
    assert!(directory.len() <= 1, "{directory:?}");
    assert_eq!(rest, [json!("/v1/link/session"), json!("/v1/link/consent")]);
    // The retry the failure offers sends consent again, on the person's say.
    assert!(app.text().contains("Try again"));
}

#[wasm_bindgen_test]
async fn without_a_client_secret_the_widget_says_so_and_asks_nothing() {
    install_api(json!({}), false);
    let app = App::mount("").await;
    app.until_heading("Something went wrong").await;
    assert!(
        app.text()
            .contains("This page was opened without a session."),
        "{}",
        app.text()
    );
    assert!(calls().is_empty());
    app.button("Close").click();
    app.until_heading("You can close this window.").await;
}

/// The directory file of these institutions, as `GET /v1/link/directory` serves it.
fn directory_file(institutions: &[finlink_protocol::Institution]) -> Value {
    use finlink_search::format::{Login, Record, Status, encode};
    let records: Vec<Record> = institutions
        .iter()
        .map(|institution| Record {
            id: institution.id.clone(),
            name: institution.name.clone(),
            routing_numbers: institution.routing_numbers.clone(),
            login: match institution.auth_method {
                finlink_protocol::AuthMethod::Oauth => Login::Oauth,
                finlink_protocol::AuthMethod::Credentials => Login::Credentials,
            },
            status: Status::Up,
            featured: institution.featured,
            weight: 1,
            aliases: Vec::new(),
            country: institution.country.clone(),
            url: institution.url.clone(),
        })
        .collect();
    json!({ "status": 200, "text": encode(&records).unwrap() })
}

#[wasm_bindgen_test]
async fn with_the_directory_file_typing_searches_here_and_the_keyboard_picks_a_bank() {
    install_api(
        json!({
            "GET /v1/link/session": session_at(ResumeAt::SelectInstitution),
            // The server would list both banks for any query; the file ranks for real.
            "GET /v1/link/institutions": list(vec![oauth_bank(), credentials_bank()]),
            "GET /v1/link/directory": directory_file(&[oauth_bank(), credentials_bank()]),
            "POST /v1/link/authorizations": authorization(credentials_bank(),
                AuthorizationState::AwaitingCredentials { error: None, attempts_remaining: 5 }),
        }),
        false,
    );
    let app = App::mount(SECRET).await;
    app.until_heading("Select your bank").await;
    let path = |call: &Value| call["path"].as_str().unwrap_or_default().to_owned();
    until("the directory file is asked for", || {
        calls()
            .iter()
            .any(|call| path(call) == "/v1/link/directory")
    })
    .await;
    sleep(50).await;
    let searches_before = calls().len();

    let search = app.input("finlink-search");
    search.focus().unwrap();
    let mut typed = String::new();
    for letter in "sandbox cred".chars() {
        typed.push(letter);
        type_into(&search, &typed);
    }
    tick().await;
    let names: Vec<String> = all(&app.root, "[role=option] .fl-institution-name")
        .iter()
        .map(|name| normalize(&name.text_content().unwrap_or_default()))
        .collect();
    assert_eq!(
        names,
        ["Sandbox Bank (Credentials)"],
        "answered by the file"
    );
    assert_eq!(
        calls().len(),
        searches_before,
        "no request per keystroke: {:?}",
        calls().iter().map(path).collect::<Vec<_>>()
    );

    key(&search, "ArrowDown", false);
    tick().await;
    assert!(key(&search, "Enter", false));
    app.until_heading("Log in to Sandbox Bank (Credentials)")
        .await;
    let calls = calls();
    let start = calls.last().unwrap();
    assert_eq!(path(start), "/v1/link/authorizations");
    let body: Value = serde_json::from_str(start["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["institution"], json!("ins_sandbox_credentials"));
}
