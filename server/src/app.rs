//! Building the application from a `Config`, binding its listeners and running them.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::accounts::verification::{self, VerificationLinks};
use crate::api::access::KnownIntegrator;
use crate::clock::Clock;
use crate::config::{AllowedOrigin, Config, Timing};
use crate::connector::{BankEndpoints, Connector, ConnectorError};
use crate::directory::{Directory, DirectoryError};
use crate::http::extract::BODY_LIMIT_BYTES;
use crate::http::{self as edge, request_id};
use crate::refresh::{self, Refresher};
use crate::sandbox::{self, SandboxState};
use crate::store::{Store, StoreError};
use crate::webhooks::{self, Webhooks};
use crate::{api, demo, statics};

/// What every handler shares.
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub directory: Arc<Directory>,
    pub connector: Connector,
    /// The businesses that use this deployment, each with its key's hash.
    pub integrators: Vec<KnownIntegrator>,
    /// Where people and banks reach this server, e.g. `http://127.0.0.1:8080`.
    pub public_url: url::Url,
    pub session_idle_seconds: i64,
    pub session_max_age_seconds: i64,
    pub timing: Timing,
    pub refresher: Refresher,
    pub webhooks: Webhooks,
    /// Makes and checks the links that verify accounts entered by hand.
    pub verification_links: VerificationLinks,
    /// One-time codes go to the sandbox inbox and the test code works (`Config::sandbox_inbox`);
    /// without it returning users are not offered.
    pub sandbox_inbox: bool,
}

pub type Shared = Arc<AppState>;

impl AppState {
    /// The one redirect URI registered with every bank.
    pub fn oauth_redirect_uri(&self) -> String {
        format!("{}/oauth/callback", self.public_base())
    }

    /// The public URL without a trailing slash.
    pub fn public_base(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_owned()
    }

    /// How finlink reaches an institution's bank.
    pub fn bank(&self, institution_id: &str) -> BankEndpoints {
        BankEndpoints::sandbox(&self.public_url, institution_id)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot load the institution directory: {0}")]
    Directory(#[from] DirectoryError),
    #[error("cannot set up the bank connector: {0}")]
    Connector(#[from] ConnectorError),
    #[error("invalid public URL: {0}")]
    PublicUrl(#[from] url::ParseError),
    #[error("cannot set up the webhook client: {0}")]
    Webhooks(#[source] reqwest::Error),
    #[error("cannot set up the demo shop: {0}")]
    DemoShop(#[from] demo::ClientError),
    #[error("no integrator is configured: give at least one secret key")]
    NoIntegrator,
    #[error("two integrators have the id {0:?}: give each its own")]
    DuplicateIntegratorId(String),
    #[error("two integrators have the same secret key ({0:?} and {1:?}): give each its own")]
    DuplicateSecretKey(String, String),
    #[error("the second demo shop needs a second integrator")]
    SecondShopWithoutIntegrator,
}

/// A server that is running: its addresses, and the way to stop it.
pub struct RunningServer {
    pub address: SocketAddr,
    pub demo_address: Option<SocketAddr>,
    /// The second demo shop, "Harbor Books" (the second integrator's), if it runs.
    pub second_demo_address: Option<SocketAddr>,
    /// The origins whose pages may embed the widget (its `frame-ancestors`).
    pub allowed_origins: Vec<AllowedOrigin>,
    pub public_url: url::Url,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<std::io::Result<()>>>,
    state: Shared,
    sandbox: SandboxState,
}

impl RunningServer {
    /// `http://{address}` of the API, the widget and the sandbox.
    pub fn base_url(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_owned()
    }

    /// The sandbox banks this server runs, e.g. to inject a fault into one of them.
    pub fn sandbox(&self) -> &SandboxState {
        &self.sandbox
    }

    /// Stops accepting, lets requests in flight finish, stops the background workers, and
    /// waits. Refreshes under way stay pending and resume at the next start.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.state.refresher.abort_all();
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Waits until the server stops (on its own, only after an I/O error).
    pub async fn wait(self) -> std::io::Result<()> {
        for task in self.tasks {
            task.await.map_err(std::io::Error::other)??;
        }
        Ok(())
    }
}

/// Binds the listeners, opens storage and starts serving.
pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<RunningServer, StartError> {
    check_integrators(&config)?;
    let listener = bind(config.listen).await?;
    let address = listener.local_addr().map_err(|source| StartError::Bind {
        address: config.listen,
        source,
    })?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => url::Url::parse(&format!("http://{address}"))?,
    };
    let directory = Arc::new(match &config.institutions {
        Some(path) => Directory::from_fedach_file(path)?,
        None => Directory::sandbox(),
    });
    let store = Store::open(&config.database)?;
    let now = clock.now();
    let first_integrator = config.integrators[0].id.clone();
    let verification_key = store
        .transaction(move |tx| {
            crate::store::integrators::adopt_unowned(tx, &first_integrator)?;
            crate::store::keys::load_or_create(tx, verification::KEY_NAME, now)
        })
        .await?;
    let public_base = public_url.as_str().trim_end_matches('/').to_owned();
    let state: Shared = Arc::new(AppState {
        store,
        clock: Arc::clone(&clock),
        directory: Arc::clone(&directory),
        connector: Connector::new()?.with_clock(Arc::clone(&clock)),
        integrators: config
            .integrators
            .iter()
            .map(KnownIntegrator::new)
            .collect(),
        public_url: public_url.clone(),
        session_idle_seconds: config.session_idle_seconds,
        session_max_age_seconds: config.session_max_age_seconds,
        timing: config.timing.clone(),
        refresher: Refresher::default(),
        webhooks: Webhooks::new().map_err(StartError::Webhooks)?,
        verification_links: VerificationLinks::new(verification_key, public_base),
        sandbox_inbox: config.sandbox_inbox,
    });
    let sandbox_state = SandboxState::with_clock(
        directory,
        public_url.clone(),
        state.oauth_redirect_uri(),
        clock,
    );
    // The demo shops listen before the widget's headers are set: their origins are the ones
    // allowed to embed the widget when the operator names none.
    let demo_listener = match config.demo_listen {
        Some(address) => Some(bind_local(address).await?),
        None => None,
    };
    let second_demo_listener = match config.second_demo_listen {
        Some(address) => Some(bind_local(address).await?),
        None => None,
    };
    let allowed_origins = allowed_origins(
        &config.allowed_origins,
        [&demo_listener, &second_demo_listener]
            .into_iter()
            .flatten()
            .map(|(_, local)| *local),
    );
    let app = router(
        Arc::clone(&state),
        sandbox_state.clone(),
        config.widget_dir.as_deref(),
        &allowed_origins,
    );

    let (shutdown, stopped) = watch::channel(false);
    let mut tasks = vec![
        serve(listener, app, stopped.clone()),
        background(webhooks::worker::run(Arc::clone(&state), stopped.clone())),
        background(refresh::scheduler::run(Arc::clone(&state), stopped.clone())),
    ];
    refresh::resume_pending(&state).await?;
    let mut demo_address = None;
    let mut second_demo_address = None;
    let shops = [
        (demo_listener, config.integrators.first(), &mut demo_address),
        (
            second_demo_listener,
            config.integrators.get(1),
            &mut second_demo_address,
        ),
    ];
    for (listener, integrator, address) in shops {
        let (Some((listener, local)), Some(integrator)) = (listener, integrator) else {
            continue;
        };
        *address = Some(local);
        let shop = demo::Shop::new(demo::ShopConfig {
            name: integrator.business_name.clone(),
            finlink_url: state.public_base(),
            secret_key: integrator.secret_key.clone(),
            own_url: demo::own_url(local),
            clock: Arc::clone(&state.clock),
        })?;
        tasks.push(serve(
            listener,
            with_request_ids(demo::router(Arc::clone(&shop))),
            stopped.clone(),
        ));
        tasks.push(background(demo::receive_webhooks(shop, stopped.clone())));
    }
    Ok(RunningServer {
        address,
        demo_address,
        second_demo_address,
        allowed_origins,
        public_url,
        shutdown,
        tasks,
        state,
        sandbox: sandbox_state,
    })
}

/// Ids and keys are each given once, and there is at least one integrator (and a second one
/// when the second demo shop runs).
fn check_integrators(config: &Config) -> Result<(), StartError> {
    if config.integrators.is_empty() {
        return Err(StartError::NoIntegrator);
    }
    if config.second_demo_listen.is_some() && config.integrators.len() < 2 {
        return Err(StartError::SecondShopWithoutIntegrator);
    }
    for (index, integrator) in config.integrators.iter().enumerate() {
        for other in &config.integrators[..index] {
            if other.id == integrator.id {
                return Err(StartError::DuplicateIntegratorId(integrator.id.clone()));
            }
            if other.secret_key == integrator.secret_key {
                return Err(StartError::DuplicateSecretKey(
                    other.id.clone(),
                    integrator.id.clone(),
                ));
            }
        }
    }
    Ok(())
}

async fn bind_local(address: SocketAddr) -> Result<(TcpListener, SocketAddr), StartError> {
    let listener = bind(address).await?;
    let local = listener
        .local_addr()
        .map_err(|source| StartError::Bind { address, source })?;
    Ok((listener, local))
}

/// The operator's allowed origins; when there are none, the demo shops' origins if they run.
fn allowed_origins(
    configured: &[AllowedOrigin],
    demos: impl Iterator<Item = SocketAddr>,
) -> Vec<AllowedOrigin> {
    if !configured.is_empty() {
        return configured.to_vec();
    }
    let mut origins = Vec::new();
    for address in demos {
        origins.extend(AllowedOrigin::parse(&demo::own_url(address)));
        // A shop on 127.0.0.1 is also reached as localhost.
        if address.ip().is_loopback() || address.ip().is_unspecified() {
            origins.extend(AllowedOrigin::parse(&format!(
                "http://localhost:{}",
                address.port()
            )));
        }
    }
    origins
}

/// A background worker, as a task the server waits for when it stops.
fn background(
    worker: impl std::future::Future<Output = ()> + Send + 'static,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        worker.await;
        Ok(())
    })
}

async fn bind(address: SocketAddr) -> Result<TcpListener, StartError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| StartError::Bind { address, source })
}

fn serve(
    listener: TcpListener,
    app: Router,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .await
    })
}

/// Every route of the main listener.
pub fn router(
    state: Shared,
    sandbox_state: SandboxState,
    widget_dir: Option<&std::path::Path>,
    allowed_origins: &[AllowedOrigin],
) -> Router {
    // No API response is cached, except the directory file, which sets its own Cache-Control.
    let api = api::router(Arc::clone(&state)).layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    ));
    let app = Router::new()
        .merge(api)
        .nest("/sandbox", sandbox::router(sandbox_state))
        .merge(statics::router(widget_dir, allowed_origins))
        .fallback(edge::route_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    with_request_ids(app)
}

fn with_request_ids(router: Router) -> Router {
    router.layer(middleware::from_fn(request_id::assign))
}
