//! `finlink-server`: runs the API, the widget, the sandbox banks and the demo shop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use finlink_server::config::{
    AllowedOrigin, DEFAULT_BUSINESS_NAME, DEFAULT_INTEGRATOR_ID, DEFAULT_SESSION_IDLE_SECONDS,
    DEFAULT_SESSION_MAX_AGE_SECONDS, Integrator, SECOND_DEMO_BUSINESS_NAME,
    SECOND_DEMO_INTEGRATOR_ID, Timing,
};
use finlink_server::{Config, Database, SystemClock, secrets};

/// Open, self-hostable bank-account linking: the server with its sandbox banks.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address of the API, the widget (/link/), the loader (/finlink.js) and the sandbox banks.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Address of the demo shop (another origin than the widget).
    #[arg(long, default_value = "127.0.0.1:3000")]
    demo_listen: SocketAddr,
    /// Address of the second demo shop, "Harbor Books": another business (the second
    /// integrator) on another origin.
    #[arg(long, default_value = "127.0.0.1:3001")]
    second_demo_listen: SocketAddr,
    /// Do not start the demo shops.
    #[arg(long)]
    no_demo: bool,
    /// The public URL of --listen, when people reach it through a proxy.
    #[arg(long)]
    public_url: Option<url::Url>,
    /// SQLite database file, or :memory:.
    #[arg(long, default_value = "finlink.sqlite")]
    database: String,
    /// A FedACH directory file to load instead of the generated sandbox directory.
    #[arg(long)]
    institutions: Option<PathBuf>,
    /// The built widget (Trunk's dist/), served at /link/.
    #[arg(long)]
    widget_dir: Option<PathBuf>,
    /// An origin whose pages may embed the widget (e.g. https://shop.example); repeat it for
    /// several. Default: the demo shop's origin, or none with --no-demo.
    #[arg(long = "allowed-origin", value_name = "ORIGIN")]
    allowed_origins: Vec<AllowedOrigin>,
    /// The business name of the first integrator, shown on its consent screens.
    #[arg(long, default_value = DEFAULT_BUSINESS_NAME)]
    business_name: String,
    /// The first integrator's secret key; a random sk_test_ key is printed when unset. Its id
    /// is "default"; records stored before there were several integrators are its.
    #[arg(long, env = "FINLINK_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Another business on this deployment, as ID:SECRET_KEY:BUSINESS NAME; repeat it (or
    /// separate them with ';' in FINLINK_INTEGRATORS) for several. Each sees only its own
    /// sessions, accounts, webhook endpoints and events. The second demo shop is the first
    /// of these; a random key named Harbor Books is made for it when none is given.
    #[arg(
        long = "integrator",
        value_name = "ID:SECRET_KEY:BUSINESS NAME",
        env = "FINLINK_INTEGRATORS",
        hide_env_values = true,
        value_delimiter = ';'
    )]
    // Parsed after clap, whose errors would print the value, secret key and all.
    integrators: Vec<String>,
    /// Seconds without activity after which a session expires.
    #[arg(long, default_value_t = DEFAULT_SESSION_IDLE_SECONDS,
          value_parser = clap::value_parser!(i64).range(1..))]
    session_idle_seconds: i64,
    /// Whether one-time codes for returning users go to the sandbox inbox (readable by each
    /// business through GET /v1/test_helpers/sandbox/emails) and the test code 000000 works.
    /// finlink sends no real email yet: with it off, returning users are not offered. Turn it
    /// off when businesses that do not trust each other share this deployment.
    #[arg(
        long,
        env = "FINLINK_SANDBOX_INBOX",
        value_name = "true|false",
        default_value_t = true,
        action = clap::ArgAction::Set
    )]
    sandbox_inbox: bool,
    /// Same as --sandbox-inbox false.
    #[arg(long)]
    no_sandbox_inbox: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let (secret_key, generated) = match cli.secret_key {
        Some(key) => (key, false),
        None => (secrets::new_secret_key(), true),
    };
    let mut integrators = vec![Integrator::new(
        DEFAULT_INTEGRATOR_ID,
        secret_key.clone(),
        cli.business_name,
    )];
    for text in &cli.integrators {
        match Integrator::parse(text) {
            Ok(integrator) => integrators.push(integrator),
            Err(error) => {
                eprintln!("finlink-server: --integrator: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut generated_second = None;
    if !cli.no_demo && integrators.len() < 2 {
        let key = secrets::new_secret_key();
        generated_second = Some(key.clone());
        integrators.push(Integrator::new(
            SECOND_DEMO_INTEGRATOR_ID,
            key,
            SECOND_DEMO_BUSINESS_NAME,
        ));
    }
    let config = Config {
        listen: cli.listen,
        demo_listen: (!cli.no_demo).then_some(cli.demo_listen),
        second_demo_listen: (!cli.no_demo).then_some(cli.second_demo_listen),
        public_url: cli.public_url,
        database: Database::parse(&cli.database),
        institutions: cli.institutions,
        widget_dir: cli.widget_dir,
        allowed_origins: cli.allowed_origins,
        integrators,
        session_idle_seconds: cli.session_idle_seconds,
        session_max_age_seconds: DEFAULT_SESSION_MAX_AGE_SECONDS,
        timing: Timing::default(),
        sandbox_inbox: cli.sandbox_inbox && !cli.no_sandbox_inbox,
    };
    let server = match finlink_server::start(config, Arc::new(SystemClock)).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("finlink-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    let base = server.base_url();
    println!("finlink listening on {base}");
    println!("  integrator API  {base}/v1/financial_connections/");
    println!("  widget          {base}/link/");
    println!("  loader          {base}/finlink.js");
    println!("  sandbox banks   {base}/sandbox/banks/");
    if let Some(demo) = server.demo_address {
        println!("  demo shop       http://{demo}/");
    }
    if let Some(demo) = server.second_demo_address {
        println!("  second shop     http://{demo}/  (the second integrator's)");
    }
    if server.allowed_origins.is_empty() {
        println!("  embeddable by   no page (pass --allowed-origin https://your.shop)");
    } else {
        let origins: Vec<String> = server
            .allowed_origins
            .iter()
            .map(|o| o.to_string())
            .collect();
        println!("  embeddable by   {}", origins.join(" "));
    }
    if generated {
        println!("  secret key      {secret_key}  (set FINLINK_SECRET_KEY to choose one)");
    }
    if let Some(key) = generated_second {
        println!(
            "  second key      {key}  ({SECOND_DEMO_BUSINESS_NAME}; set FINLINK_INTEGRATORS to choose one)"
        );
    }
    tokio::select! {
        result = server.wait() => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("finlink-server: {error}");
                ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
    }
}
