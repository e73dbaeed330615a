//! Institution search, measured (not a test): `make bench-search`, or
//! `cargo run --release -p finlink-server --example bench_search -- ../shared/data/FedACHdir.txt`.
//!
//! Starts the server in-process with the directory as `--institutions` loads it, then
//! measures what the issue asks for:
//! - loading: the FedACH file into a directory (parse, display names, well-known
//!   institutions, index), and the index build alone;
//! - the directory file: its bytes, plain and gzipped, as `GET /v1/link/directory` serves
//!   them, and what the widget pays to decode it and index it;
//! - per keystroke: native search time over the decoded file for queries typed letter by
//!   letter (mean, p50, p99, max over every prefix of every query, several rounds), and, for
//!   comparison, the server search endpoint over loopback HTTP.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use finlink_search::{Catalog, Index, format};
use finlink_server::directory::Directory;
use finlink_server::{Config, SystemClock};

/// What people type, letter by letter (one list for every search benchmark).
const QUERIES: &str = include_str!("../../search/bench-queries.txt");

/// The benchmark's queries: the lines of `search/bench-queries.txt` that are not notes.
fn queries() -> impl Iterator<Item = &'static str> {
    QUERIES
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// How many times every keystroke is searched natively.
const ROUNDS: usize = 20;
/// How many results each keystroke asks for (the widget's list).
const LIMIT: usize = 10;
const SECRET_KEY: &str = "sk_test_bench_search_0123456789";

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench_search <FedACHdir.txt>");
        return ExitCode::FAILURE;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench_search: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(path)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench_search: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(path: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    println!("institution search over {}", path.display());
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average at start: {}", load.trim());
    }

    // Loading, as the server does at start.
    let started = Instant::now();
    let directory = Directory::from_fedach_file(&path)?;
    let load = started.elapsed();
    let entries: Vec<_> = directory
        .institutions()
        .iter()
        .map(|i| i.to_record())
        .collect();
    let index_build = median(5, || {
        let started = Instant::now();
        let index = Index::build(entries.iter().map(|r| r.index_entry()));
        std::hint::black_box(index.len());
        started.elapsed()
    });
    println!(
        "directory: {} institutions ({} routing numbers)",
        directory.len(),
        directory
            .institutions()
            .iter()
            .map(|i| i.routing_numbers.len())
            .sum::<usize>()
    );
    println!(
        "  load (parse, display names, well-known, index): {}",
        ms(load)
    );
    println!(
        "  index build alone (median of 5):                {}",
        ms(index_build)
    );

    // The server, as `--institutions` starts it, and the file as the link API serves it.
    let mut config = Config::for_tests(SECRET_KEY);
    config.institutions = Some(path.clone());
    let server = finlink_server::start(config, Arc::new(SystemClock)).await?;
    let base = server.base_url();
    let http = reqwest::Client::new();
    let session: serde_json::Value = http
        .post(format!("{base}/v1/financial_connections/sessions"))
        .bearer_auth(SECRET_KEY)
        .json(&serde_json::json!({ "permissions": ["payment_method"] }))
        .send()
        .await?
        .json()
        .await?;
    let secret = session["client_secret"]
        .as_str()
        .ok_or("no client secret")?
        .to_owned();
    let fetch = |gzip: bool| {
        let mut request = http
            .get(format!("{base}/v1/link/directory"))
            .bearer_auth(&secret);
        if gzip {
            request = request.header(reqwest::header::ACCEPT_ENCODING, "gzip");
        }
        request.send()
    };
    let started = Instant::now();
    let zipped = fetch(true).await?.bytes().await?;
    let first_fetch = started.elapsed();
    let started = Instant::now();
    let again = fetch(true).await?.bytes().await?;
    let second_fetch = started.elapsed();
    let plain = fetch(false).await?.bytes().await?;
    let mut inflated = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..]).read_to_end(&mut inflated)?;
    if inflated != plain || again != zipped {
        return Err("the gzipped file does not inflate to the plain one".into());
    }
    let text = String::from_utf8(plain.to_vec())?;
    println!("directory file (GET /v1/link/directory):");
    println!(
        "  {} bytes, {} gzipped ({:.1} KiB; budget 150 KiB)",
        plain.len(),
        zipped.len(),
        kib(zipped.len())
    );
    println!(
        "  first request (encode + gzip -9 + send): {}; next: {}",
        ms(first_fetch),
        ms(second_fetch)
    );
    let decode = median(5, || {
        let started = Instant::now();
        let records = format::decode(&text).map(|r| r.len()).unwrap_or_default();
        std::hint::black_box(records);
        started.elapsed()
    });
    let decode_and_index = median(5, || {
        let started = Instant::now();
        let catalog = Catalog::decode(&text)
            .map(|c| c.records().len())
            .unwrap_or_default();
        std::hint::black_box(catalog);
        started.elapsed()
    });
    println!(
        "  widget side, native (median of 5): decode {}, decode + index {}",
        ms(decode),
        ms(decode_and_index)
    );

    // Per keystroke, natively, over the decoded file: what the widget runs.
    let catalog = Catalog::decode(&text)?;
    let keystrokes: Vec<String> = queries()
        .flat_map(|query| {
            query
                .char_indices()
                .map(|(at, c)| query[..at + c.len_utf8()].to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut samples = Vec::with_capacity(keystrokes.len() * ROUNDS);
    let mut by_keystroke = vec![Vec::with_capacity(ROUNDS); keystrokes.len()];
    for _ in 0..ROUNDS {
        for (keystroke, times) in keystrokes.iter().zip(by_keystroke.iter_mut()) {
            let started = Instant::now();
            let found = catalog.search(keystroke, LIMIT);
            let elapsed = started.elapsed();
            std::hint::black_box(found.len());
            samples.push(elapsed);
            times.push(elapsed);
        }
    }
    // Each keystroke's median over the rounds: what typing it costs, without the moments
    // another process had the core.
    let mut medians: Vec<(Duration, &String)> = by_keystroke
        .iter_mut()
        .zip(&keystrokes)
        .map(|(times, keystroke)| {
            times.sort();
            (
                times.get(times.len() / 2).copied().unwrap_or_default(),
                keystroke,
            )
        })
        .collect();
    medians.sort();
    let slowest: Vec<String> = medians
        .iter()
        .rev()
        .take(3)
        .map(|(time, keystroke)| format!("{keystroke:?} {}", ms(*time)))
        .collect();
    let mut median_times: Vec<Duration> = medians.iter().map(|(time, _)| *time).collect();
    println!(
        "per keystroke, native ({} queries, {} keystrokes x {ROUNDS} rounds, {LIMIT} results):",
        queries().count(),
        keystrokes.len()
    );
    println!("  every search:          {}", summary(&mut samples));
    println!("  keystroke medians:     {}", summary(&mut median_times));
    println!("  slowest keystrokes:    {}", slowest.join(", "));

    // The same keystrokes against the server search endpoint, over loopback HTTP.
    let mut served = Vec::with_capacity(keystrokes.len());
    for keystroke in &keystrokes {
        let url = reqwest::Url::parse_with_params(
            &format!("{base}/v1/link/institutions"),
            &[("query", keystroke.as_str()), ("limit", "10")],
        )?;
        let started = Instant::now();
        let response = http.get(url).bearer_auth(&secret).send().await?;
        let body = response.bytes().await?;
        served.push(started.elapsed());
        std::hint::black_box(body.len());
    }
    println!("per keystroke, server endpoint over loopback HTTP (1 round):");
    println!("  {}", summary(&mut served));
    server.stop().await;
    Ok(())
}

fn median(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs).map(|_| run()).collect();
    times.sort();
    times.get(runs / 2).copied().unwrap_or_default()
}

fn summary(samples: &mut [Duration]) -> String {
    samples.sort();
    let count = samples.len().max(1);
    let total: Duration = samples.iter().sum();
    let at = |fraction: f64| {
        let index = ((count as f64 * fraction).ceil() as usize).clamp(1, count) - 1;
        samples.get(index).copied().unwrap_or_default()
    };
    format!(
        "mean {}, p50 {}, p99 {}, max {}",
        ms(total / u32::try_from(count).unwrap_or(1)),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(samples.last().copied().unwrap_or_default())
    )
}

fn ms(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}
