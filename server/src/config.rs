//! What an operator can set: addresses, storage, directory, widget files and keys.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the server keeps its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file: records survive a restart.
    File(PathBuf),
    /// A private in-memory database, gone when the server stops (tests, demos).
    Memory,
}

impl Database {
    /// `:memory:` selects the in-memory database, anything else is a file path.
    pub fn parse(text: &str) -> Self {
        if text == ":memory:" {
            Self::Memory
        } else {
            Self::File(PathBuf::from(text))
        }
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// The API, the widget, the loader and the sandbox banks.
    pub listen: SocketAddr,
    /// The demo shop, on another origin than the widget, as a business's page would be.
    pub demo_listen: Option<SocketAddr>,
    /// The URL people and banks reach `listen` at; by default `http://{listen}`.
    pub public_url: Option<url::Url>,
    pub database: Database,
    /// A FedACH directory file to load instead of the generated sandbox directory.
    pub institutions: Option<PathBuf>,
    /// The built widget (Trunk's `dist/`), served at `/link/`.
    pub widget_dir: Option<PathBuf>,
    /// The origins of the pages that may embed the widget (`frame-ancestors`), such as
    /// `https://shop.example`. When empty, the demo shop's origin if it runs, else none: the
    /// widget page then opens only on its own (web views, hosted links).
    pub allowed_origins: Vec<AllowedOrigin>,
    /// The businesses that use this deployment, each with its own secret key; at least one.
    /// Rows stored before there were several belong to the first.
    pub integrators: Vec<Integrator>,
    /// A second demo shop, "Harbor Books", run for the second integrator: another business on
    /// another origin, to show that one business never sees another's data.
    pub second_demo_listen: Option<SocketAddr>,
    /// A session expires after this many seconds without activity.
    pub session_idle_seconds: i64,
    /// ... and at the latest this many seconds after it was created.
    pub session_max_age_seconds: i64,
    /// Refresh limits and the background workers' pace.
    pub timing: Timing,
    /// The sandbox inbox: one-time codes for returning users are "sent" to an inbox that every
    /// integrator of the deployment can read through `GET /v1/test_helpers/sandbox/emails`
    /// (its own sessions' emails), and the test code `000000` is accepted. finlink delivers
    /// no real email yet, so without it returning users are not offered (saving still works).
    /// On a deployment shared by businesses that do not trust each other, turn it off: with it,
    /// one business could open a person's saved accounts knowing only their email.
    pub sandbox_inbox: bool,
}

/// How often data may be refreshed, and how the background workers (webhook deliveries,
/// scheduled refreshes) pace themselves. Durations in seconds are on the app's `Clock`, so
/// tests move them with a manual clock; `Duration`s are real time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// After a refresh of one kind of data ends, the next one may start this much later: a
    /// refresh storm costs the bank at most one call per account and kind per period.
    pub refresh_cooldown_seconds: i64,
    /// How often a worker looks for due work on its own (it also wakes at once when work is
    /// added), in real time.
    pub worker_interval: Duration,
    /// How long a webhook receiver has to answer before the attempt counts as failed.
    pub webhook_timeout: Duration,
    /// Delay before the first retry of a failed delivery; it doubles with every failure...
    pub webhook_retry_base_seconds: i64,
    /// ... up to this delay between two attempts ...
    pub webhook_retry_max_seconds: i64,
    /// ... and a delivery is abandoned after this many attempts.
    pub webhook_max_attempts: u32,
}

impl Default for Timing {
    /// Production pace: a refresh per minute, retries from 30 s up to 6 h apart for about
    /// three days (16 attempts).
    fn default() -> Self {
        Self {
            refresh_cooldown_seconds: 60,
            worker_interval: Duration::from_secs(1),
            webhook_timeout: Duration::from_secs(10),
            webhook_retry_base_seconds: 30,
            webhook_retry_max_seconds: 6 * 60 * 60,
            webhook_max_attempts: 16,
        }
    }
}

impl Timing {
    /// The production limits, with workers that look for work every 20 ms and a 2-second
    /// webhook timeout, so that tests wait briefly.
    pub fn for_tests() -> Self {
        Self {
            worker_interval: Duration::from_millis(20),
            webhook_timeout: Duration::from_secs(2),
            ..Self::default()
        }
    }
}

impl Config {
    /// A configuration for tests and embedding: loopback on free ports, in-memory storage.
    pub fn for_tests(secret_key: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            demo_listen: None,
            public_url: None,
            database: Database::Memory,
            institutions: None,
            widget_dir: None,
            allowed_origins: Vec::new(),
            integrators: vec![Integrator::new(
                DEFAULT_INTEGRATOR_ID,
                secret_key,
                DEFAULT_BUSINESS_NAME,
            )],
            second_demo_listen: None,
            session_idle_seconds: DEFAULT_SESSION_IDLE_SECONDS,
            session_max_age_seconds: DEFAULT_SESSION_MAX_AGE_SECONDS,
            timing: Timing::for_tests(),
            sandbox_inbox: true,
        }
    }
}

impl Config {
    /// Adds another business with its own secret key (tests, embedding).
    pub fn with_integrator(mut self, integrator: Integrator) -> Self {
        self.integrators.push(integrator);
        self
    }
}

/// A business that uses this deployment: what its sessions, accounts, webhook endpoints and
/// events are recorded under (`id`), the key it calls the integrator API with, and the name
/// people see on the consent screen.
#[derive(Clone, PartialEq, Eq)]
pub struct Integrator {
    /// Stable across restarts and key changes: the records of the business are kept under it.
    pub id: String,
    /// `sk_test_...`; never logged.
    pub secret_key: String,
    pub business_name: String,
}

impl std::fmt::Debug for Integrator {
    /// The secret key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integrator")
            .field("id", &self.id)
            .field("business_name", &self.business_name)
            .finish_non_exhaustive()
    }
}

/// Why a text is not an integrator's `ID:SECRET_KEY:BUSINESS NAME`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegratorError {
    #[error(
        "write an integrator as ID:SECRET_KEY:BUSINESS NAME, e.g. harbor:sk_test_...:Harbor Books"
    )]
    Shape,
    #[error("{0:?} is not an integrator id: use letters, digits, '-' and '_' (at most 64)")]
    Id(String),
    #[error("the secret key of {0:?} is too short: use at least 16 characters")]
    SecretKey(String),
    #[error("the business name of {0:?} is empty")]
    BusinessName(String),
}

impl Integrator {
    pub fn new(
        id: impl Into<String>,
        secret_key: impl Into<String>,
        business_name: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            secret_key: secret_key.into(),
            business_name: business_name.into(),
        }
    }

    /// Parses `ID:SECRET_KEY:BUSINESS NAME` (the name may contain ':').
    pub fn parse(text: &str) -> Result<Self, IntegratorError> {
        let mut parts = text.splitn(3, ':');
        let (Some(id), Some(key), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(IntegratorError::Shape);
        };
        let (id, key, name) = (id.trim(), key.trim(), name.trim());
        if id.is_empty()
            || id.len() > 64
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(IntegratorError::Id(id.to_owned()));
        }
        if key.len() < 16 {
            return Err(IntegratorError::SecretKey(id.to_owned()));
        }
        if name.is_empty() {
            return Err(IntegratorError::BusinessName(id.to_owned()));
        }
        Ok(Self::new(id, key, name))
    }
}

impl std::str::FromStr for Integrator {
    type Err = IntegratorError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// An origin allowed to embed the widget: `scheme://host[:port]`, as a browser's
/// `location.origin` spells it (lower case, no default port, no path).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AllowedOrigin(String);

/// Why a text is not an origin that may embed the widget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    #[error("{0:?} is not a URL: write an origin such as https://shop.example")]
    NotAUrl(String),
    #[error("{0:?} is not http or https")]
    NotHttp(String),
    #[error(
        "{0:?} has a path, query or fragment: write the origin alone, such as https://shop.example"
    )]
    NotAnOrigin(String),
}

impl AllowedOrigin {
    /// Parses `https://shop.example` or `http://127.0.0.1:3000` (a trailing `/` is accepted).
    pub fn parse(text: &str) -> Result<Self, OriginError> {
        let url = url::Url::parse(text).map_err(|_| OriginError::NotAUrl(text.to_owned()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(OriginError::NotHttp(text.to_owned()));
        }
        if url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(OriginError::NotAnOrigin(text.to_owned()));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for AllowedOrigin {
    type Err = OriginError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl std::fmt::Display for AllowedOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub const DEFAULT_BUSINESS_NAME: &str = "Demo Shop";
/// The id of the integrator configured by `--secret-key` and `--business-name`.
pub const DEFAULT_INTEGRATOR_ID: &str = "default";
/// The second demo shop's business.
pub const SECOND_DEMO_BUSINESS_NAME: &str = "Harbor Books";
/// The id of the integrator the second demo shop uses when none is configured.
pub const SECOND_DEMO_INTEGRATOR_ID: &str = "harbor_books";
/// 30 minutes of inactivity, as DESIGN §3 says.
pub const DEFAULT_SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// A session never lives longer than 4 hours.
pub const DEFAULT_SESSION_MAX_AGE_SECONDS: i64 = 4 * 60 * 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allowed_origin_is_spelled_as_browsers_spell_location_origin() {
        for (text, origin) in [
            ("https://shop.example", "https://shop.example"),
            ("https://Shop.Example/", "https://shop.example"),
            ("https://shop.example:443", "https://shop.example"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
            ("http://[::1]:3000/", "http://[::1]:3000"),
        ] {
            assert_eq!(
                AllowedOrigin::parse(text).map(|o| o.to_string()),
                Ok(origin.to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn an_integrator_is_written_as_id_key_and_business_name() {
        let integrator = Integrator::parse("harbor:sk_test_0123456789abcdef:Harbor Books: Café")
            .map(|i| (i.id, i.secret_key, i.business_name));
        assert_eq!(
            integrator,
            Ok((
                "harbor".to_owned(),
                "sk_test_0123456789abcdef".to_owned(),
                "Harbor Books: Café".to_owned()
            ))
        );
        assert_eq!(
            Integrator::parse("harbor:sk_test_0123456789abcdef"),
            Err(IntegratorError::Shape)
        );
        assert_eq!(
            Integrator::parse("har bor:sk_test_0123456789abcdef:Harbor"),
            Err(IntegratorError::Id("har bor".to_owned()))
        );
        assert_eq!(
            Integrator::parse("harbor:sk_short:Harbor"),
            Err(IntegratorError::SecretKey("harbor".to_owned()))
        );
        assert_eq!(
            Integrator::parse("harbor:sk_test_0123456789abcdef: "),
            Err(IntegratorError::BusinessName("harbor".to_owned()))
        );
        let printed = format!(
            "{:?}",
            Integrator::new("harbor", "sk_test_0123456789abcdef", "Harbor Books")
        );
        assert!(!printed.contains("sk_test_"), "{printed}");
    }

    #[test]
    fn anything_but_a_bare_http_origin_is_refused_with_its_reason() {
        assert!(matches!(
            AllowedOrigin::parse("shop.example"),
            Err(OriginError::NotAUrl(_))
        ));
        assert!(matches!(
            AllowedOrigin::parse("*"),
            Err(OriginError::NotAUrl(_))
        ));
        for text in ["ftp://shop.example", "data:text/html,hi", "file:///tmp"] {
            assert!(
                matches!(AllowedOrigin::parse(text), Err(OriginError::NotHttp(_))),
                "{text}"
            );
        }
        for text in [
            "https://shop.example/checkout",
            "https://shop.example/?a=1",
            "https://shop.example/#x",
            "https://user@shop.example",
        ] {
            assert!(
                matches!(AllowedOrigin::parse(text), Err(OriginError::NotAnOrigin(_))),
                "{text}"
            );
        }
    }
}
