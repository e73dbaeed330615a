//! What the server hosts besides the API: the widget page, the loader, and the demo shop on
//! its own origin whose backend creates sessions like a business's server.

use std::sync::Arc;

use finlink_server::config::AllowedOrigin;
use finlink_server::{Config, SystemClock};
use reqwest::StatusCode;

async fn start_with_widget() -> (finlink_server::RunningServer, tempfile::TempDir) {
    start_with_widget_and(|_| {}).await
}

/// A server with a stand-in widget and the demo shop, after `adjust` changed its config.
async fn start_with_widget_and(
    adjust: impl FnOnce(&mut Config),
) -> (finlink_server::RunningServer, tempfile::TempDir) {
    let widget = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        widget.path().join("index.html"),
        "<!doctype html><title>finlink</title><main id=\"finlink\"></main>",
    )
    .expect("index");
    std::fs::write(widget.path().join("finlink.wasm"), b"\0asm").expect("wasm");
    let mut config = Config::for_tests("sk_test_hosting");
    config.widget_dir = Some(widget.path().to_path_buf());
    config.demo_listen = Some(([127, 0, 0, 1], 0).into());
    adjust(&mut config);
    let server = finlink_server::start(config, Arc::new(SystemClock))
        .await
        .expect("starts");
    (server, widget)
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_widget_page_is_served_under_a_strict_content_security_policy() {
    let (server, _widget) = start_with_widget().await;
    let response = reqwest::get(format!("{}/link/", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let csp = header(&response, "content-security-policy").to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        !csp.contains("'unsafe-inline'") && !csp.contains(" 'unsafe-eval'"),
        "{csp}"
    );
    assert!(
        response
            .text()
            .await
            .expect("page")
            .contains("id=\"finlink\"")
    );

    let wasm = reqwest::get(format!("{}/link/finlink.wasm", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    let deep = reqwest::get(format!("{}/link/resume/anything", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(
        deep.status(),
        StatusCode::OK,
        "unknown widget paths fall back to the page"
    );
}

#[tokio::test]
async fn the_hosted_verification_page_is_its_own_page_under_the_widgets_policies() {
    let (server, widget) = start_with_widget().await;
    std::fs::create_dir(widget.path().join("verify")).expect("verify dir");
    std::fs::write(
        widget.path().join("verify/index.html"),
        "<!doctype html><title>Verify your bank account</title><main id=\"finlink\"></main>",
    )
    .expect("verification page");
    let widget_page = reqwest::get(format!("{}/link/", server.base_url()))
        .await
        .expect("sent");
    let widget_csp = header(&widget_page, "content-security-policy").to_owned();

    for path in ["/link/verify/", "/link/verify"] {
        let response = reqwest::get(format!("{}{path}", server.base_url()))
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.url().path(), "/link/verify/", "{path}");
        assert_eq!(
            header(&response, "content-security-policy"),
            widget_csp,
            "{path}"
        );
        assert_eq!(
            header(&response, "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(
            response
                .text()
                .await
                .expect("page")
                .contains("Verify your bank account"),
            "{path} serves the verification page, not the widget"
        );
    }
}

/// The widget's files as a browser asks for them, with `accept_encoding` (or none).
async fn widget_file(
    server: &finlink_server::RunningServer,
    path: &str,
    accept_encoding: Option<&str>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("{}/link/{path}", server.base_url()));
    if let Some(encodings) = accept_encoding {
        request = request.header("accept-encoding", encodings);
    }
    request.send().await.expect("sent")
}

#[tokio::test]
async fn the_widget_is_sent_in_the_smallest_encoding_the_browser_accepts() {
    let (server, widget) = start_with_widget().await;
    // What the build writes next to each file (scripts/precompress.mjs).
    let plain = b"\0asm, as the page's module".to_vec();
    let gzip = {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&plain).expect("gzip");
        encoder.finish().expect("gzip")
    };
    let brotli = b"brotli copy of the module".to_vec();
    for (name, bytes) in [
        ("finlink_bg.wasm", &plain),
        ("finlink_bg.wasm.gz", &gzip),
        ("finlink_bg.wasm.br", &brotli),
    ] {
        std::fs::write(widget.path().join(name), bytes).expect("file");
    }

    for (accepts, encoding, body) in [
        (Some("gzip, deflate, br, zstd"), "br", &brotli),
        (Some("gzip, deflate"), "gzip", &gzip),
        (None, "", &plain),
    ] {
        let response = widget_file(&server, "finlink_bg.wasm", accepts).await;
        assert_eq!(response.status(), StatusCode::OK, "{accepts:?}");
        assert_eq!(
            header(&response, "content-encoding"),
            encoding,
            "{accepts:?}"
        );
        assert_eq!(
            header(&response, "content-type"),
            "application/wasm",
            "{accepts:?}"
        );
        assert_eq!(header(&response, "vary"), "accept-encoding", "{accepts:?}");
        assert!(
            header(&response, "content-security-policy").contains("frame-ancestors"),
            "{accepts:?}"
        );
        assert_eq!(
            &response.bytes().await.expect("body")[..],
            &body[..],
            "{accepts:?}"
        );
    }

    // A file the build left uncompressed goes as it is, whatever the browser accepts.
    let response = widget_file(&server, "finlink.wasm", Some("gzip, br")).await;
    assert_eq!(header(&response, "content-encoding"), "");
    assert_eq!(&response.bytes().await.expect("body")[..], b"\0asm");
}

/// The `frame-ancestors` sources of a content security policy.
fn frame_ancestors(csp: &str) -> Vec<String> {
    csp.split(';')
        .map(str::trim)
        .find_map(|directive| directive.strip_prefix("frame-ancestors "))
        .map(|sources| sources.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn by_default_only_the_demo_shop_may_embed_the_widget() {
    let (server, _widget) = start_with_widget().await;
    let demo = server.demo_address.expect("demo shop");
    let response = reqwest::get(format!("{}/link/", server.base_url()))
        .await
        .expect("sent");
    let csp = header(&response, "content-security-policy");
    assert_eq!(
        frame_ancestors(csp),
        [
            format!("http://127.0.0.1:{}", demo.port()),
            format!("http://localhost:{}", demo.port())
        ],
        "{csp}"
    );
}

#[tokio::test]
async fn the_operators_allowed_origins_are_the_only_pages_that_may_embed_the_widget() {
    let (server, _widget) = start_with_widget_and(|config| {
        config.allowed_origins = ["https://shop.example", "https://Checkout.Example:8443/"]
            .iter()
            .map(|origin| AllowedOrigin::parse(origin).expect("origin"))
            .collect();
    })
    .await;
    for path in ["/link/", "/link/finlink.wasm", "/link/resume/anything"] {
        let response = reqwest::get(format!("{}{path}", server.base_url()))
            .await
            .expect("sent");
        assert_eq!(
            frame_ancestors(header(&response, "content-security-policy")),
            ["https://shop.example", "https://checkout.example:8443"],
            "{path}"
        );
    }
}

#[tokio::test]
async fn without_allowed_origins_or_demo_shop_no_page_may_embed_the_widget() {
    let (server, _widget) = start_with_widget_and(|config| config.demo_listen = None).await;
    let response = reqwest::get(format!("{}/link/", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(
        frame_ancestors(header(&response, "content-security-policy")),
        ["'none'"]
    );
}

#[tokio::test]
async fn the_widget_page_sends_its_origin_as_referrer_to_banks_and_is_never_sniffed() {
    let (server, _widget) = start_with_widget().await;
    let response = reqwest::get(format!("{}/link/", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(
        header(&response, "referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn the_loader_may_be_loaded_by_any_page_and_is_never_sniffed() {
    let (server, _widget) = start_with_widget().await;
    let response = reqwest::get(format!("{}/finlink.js", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&response, "cross-origin-resource-policy"),
        "cross-origin"
    );
    assert_eq!(header(&response, "referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn api_answers_are_never_sniffed_cached_or_referred() {
    let (server, _widget) = start_with_widget().await;
    let http = reqwest::Client::new();
    let answers = [
        http.get(format!("{}/v1/link/session", server.base_url()))
            .bearer_auth("fcsess_nope_secret_nope")
            .send()
            .await
            .expect("sent"),
        http.get(format!(
            "{}/v1/financial_connections/accounts",
            server.base_url()
        ))
        .bearer_auth("sk_test_hosting")
        .send()
        .await
        .expect("sent"),
    ];
    for response in &answers {
        assert_eq!(header(response, "x-content-type-options"), "nosniff");
        assert_eq!(header(response, "cache-control"), "no-store");
        assert_eq!(header(response, "referrer-policy"), "no-referrer");
        assert_eq!(header(response, "content-security-policy"), "");
    }
    assert_eq!(answers[0].status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_loader_is_served_as_javascript_from_the_widget_origin() {
    let (server, _widget) = start_with_widget().await;
    let response = reqwest::get(format!("{}/finlink.js", server.base_url()))
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, "content-type").starts_with("text/javascript"));
    assert!(response.text().await.expect("js").contains("collect"));
}

#[tokio::test]
async fn the_demo_shop_page_offers_to_link_a_bank_and_its_backend_creates_a_session() {
    let (server, _widget) = start_with_widget().await;
    let shop = format!("http://{}", server.demo_address.expect("demo shop"));
    let page = reqwest::get(format!("{shop}/")).await.expect("sent");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains(">Link bank account</button>"));
    assert!(
        html.contains(&format!("src=\"{}/finlink.js\"", server.base_url())),
        "the loader comes from finlink's origin"
    );

    let created = reqwest::Client::new()
        .post(format!("{shop}/api/sessions"))
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), StatusCode::OK);
    let body: serde_json::Value = created.json().await.expect("json");
    let secret = body["client_secret"].as_str().expect("client secret");
    let session = reqwest::Client::new()
        .get(format!("{}/v1/link/session", server.base_url()))
        .bearer_auth(secret)
        .send()
        .await
        .expect("sent");
    assert_eq!(session.status(), StatusCode::OK);
    let session: serde_json::Value = session.json().await.expect("json");
    assert_eq!(session["business_name"], "Demo Shop");
}

#[tokio::test]
async fn an_operator_directory_in_fedach_format_replaces_the_generated_one() {
    let fedach = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/FedACHdir.txt"
    );
    let mut config = Config::for_tests("sk_test_fedach");
    config.institutions = Some(fedach.into());
    let server = finlink_server::start(config, Arc::new(SystemClock))
        .await
        .expect("starts");
    let http = reqwest::Client::new();
    let created: serde_json::Value = http
        .post(format!(
            "{}/v1/financial_connections/sessions",
            server.base_url()
        ))
        .bearer_auth("sk_test_fedach")
        .json(&serde_json::json!({ "permissions": ["balances"] }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let secret = created["client_secret"].as_str().expect("secret");
    let found: serde_json::Value = http
        .get(format!(
            "{}/v1/link/institutions?query=wells%20fargo&limit=5",
            server.base_url()
        ))
        .bearer_auth(secret)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let names: Vec<&str> = found["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert!(
        names
            .iter()
            .any(|name| name.starts_with("Wells Fargo Bank")),
        "{names:?}"
    );
    let by_routing: serde_json::Value = http
        .get(format!(
            "{}/v1/link/institutions?query=121000248&limit=1",
            server.base_url()
        ))
        .bearer_auth(secret)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(
        by_routing["data"][0]["routing_numbers"]
            .as_array()
            .expect("routing numbers")
            .contains(&serde_json::json!("121000248"))
    );
}
