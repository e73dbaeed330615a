//! Not a test: the search work of one keystroke in WebAssembly, in headless Chromium, over a
//! real directory file. `make bench-search` runs it in release mode (the widget's profile) with
//! `--features bench-search` and `FINLINK_BENCH_DIRECTORY` naming the file that
//! `e2e/bench-search.js` fetched from `GET /v1/link/directory`; it prints its figures.
//!
//! One keystroke's work, as the widget does it before rendering: the flow's step for the new
//! query, which searches the decoded file and makes the listed institutions, and the emphasis
//! of each listed name (`finlink_search::highlight`). Chromium's `performance.now()` is
//! coarsened to 0.1 ms here, so each keystroke is timed as a batch of repeats.
#![cfg(all(target_arch = "wasm32", feature = "bench-search"))]

use std::sync::Arc;

use finlink::flow::{Directory, Event, LocalDirectory, Results, State, step};
use finlink_protocol::{LinkSession, Permission, ResumeAt, SessionStatus};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DIRECTORY: &str = include_str!(env!("FINLINK_BENCH_DIRECTORY"));

/// What people type, letter by letter (one list for every search benchmark).
const QUERIES: &str = include_str!("../search/bench-queries.txt");

/// The benchmark's queries: the lines of `search/bench-queries.txt` that are not notes.
fn queries() -> impl Iterator<Item = &'static str> {
    QUERIES
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

const ROUNDS: usize = 20;
/// Keystrokes repeated per timing, so that the 0.1 ms clock resolves them.
const REPEATS: usize = 10;

fn now() -> f64 {
    let global = js_sys::global();
    let performance = js_sys::Reflect::get(&global, &JsValue::from_str("performance"))
        .expect("window.performance");
    let now = js_sys::Reflect::get(&performance, &JsValue::from_str("now"))
        .expect("performance.now")
        .unchecked_into::<js_sys::Function>();
    now.call0(&performance)
        .expect("performance.now()")
        .as_f64()
        .expect("a number")
}

fn session() -> Arc<LinkSession> {
    Arc::new(LinkSession {
        id: "fcsess_bench".to_owned(),
        business_name: "Bench".to_owned(),
        permissions: vec![Permission::PaymentMethod],
        filters: None,
        account_selection: Default::default(),
        status: SessionStatus::Open,
        consent_given: true,
        resume: ResumeAt::SelectInstitution,
        return_url: None,
        accounts: Vec::new(),
        expires_at: 1_800_000_000,
        terms_url: "https://link.example/terms".to_owned(),
        privacy_url: "https://link.example/privacy".to_owned(),
    })
}

/// One keystroke: the step to the new query, then the emphasis of every listed name.
fn keystroke(state: &State, typed: &str) -> State {
    let (next, _effects) = step(state.clone(), Event::QueryChanged(typed.to_owned()));
    if let State::SelectInstitution {
        results: Results::Found(found),
        ..
    } = &next
    {
        for institution in found {
            std::hint::black_box(finlink_search::highlight(&institution.name, typed));
        }
    }
    next
}

fn summary(samples: &mut [f64]) -> String {
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    format!(
        "mean {mean:.3} ms, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} samples)",
        at(0.5),
        at(0.99),
        at(1.0),
        samples.len()
    )
}

#[wasm_bindgen_test]
fn per_keystroke_search_time_in_webassembly() {
    let mut decodes = Vec::new();
    let mut local = None;
    for _ in 0..5 {
        let started = now();
        let decoded = LocalDirectory::decode(DIRECTORY).expect("the directory file decodes");
        decodes.push(now() - started);
        local = Some(decoded);
    }
    let local = local.expect("decoded");
    let count = local.catalog().records().len();
    // Each keystroke with the query before it.
    let keystrokes: Vec<(String, String)> = queries()
        .flat_map(|query| {
            query.char_indices().map(|(at, letter)| {
                (
                    query[..at].to_owned(),
                    query[..at + letter.len_utf8()].to_owned(),
                )
            })
        })
        .collect();

    let mut samples = Vec::new();
    for _ in 0..ROUNDS {
        for (previous, typed) in &keystrokes {
            let before = State::SelectInstitution {
                session: session(),
                query: previous.clone(),
                results: Results::Featured,
                featured: Vec::new(),
                directory: Directory::Local(local.clone()),
            };
            let started = now();
            for _ in 0..REPEATS {
                std::hint::black_box(keystroke(&before, typed));
            }
            samples.push((now() - started) / REPEATS as f64);
        }
    }
    decodes.sort_by(f64::total_cmp);
    let profile = if cfg!(debug_assertions) {
        "debug build"
    } else {
        "release build"
    };
    console_log!("institution search in WebAssembly ({profile}), headless Chromium");
    console_log!(
        "  directory file: {} bytes, {count} institutions; decode + index: median {:.1} ms (min {:.1}, max {:.1}, 5 runs)",
        DIRECTORY.len(),
        decodes[2],
        decodes[0],
        decodes[4]
    );
    console_log!(
        "  per keystroke ({} queries, {} keystrokes x {ROUNDS} rounds, mean of {REPEATS} repeats each): {}",
        queries().count(),
        keystrokes.len(),
        summary(&mut samples)
    );
}
