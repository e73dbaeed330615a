//! finlink-server: the integrator API, the link API the widget drives, the sandbox banks,
//! the widget's static files and a demo shop, in one process.
//!
//! The layers: `http` turns requests into typed inputs and errors into the error object;
//! `api` holds the handlers of DESIGN §3; `store` is the one storage boundary (SQLite);
//! `connector` is the one boundary to banks, which `sandbox` serves over real HTTP. After
//! linking, `accounts` links, relinks and disconnects accounts and shows them to the
//! integrator, `refresh` fetches their data again in background tasks (and daily for
//! subscriptions), and `webhooks` records events and delivers them.

pub mod accounts;
pub mod api;
pub mod app;
pub mod clock;
pub mod config;
pub mod connector;
pub mod demo;
pub mod directory;
pub mod error;
pub mod html;
pub mod http;
pub mod refresh;
pub mod returning;
pub mod sandbox;
pub mod secrets;
pub mod splitmix;
pub mod statics;
pub mod store;
pub mod webhooks;

pub use app::{RunningServer, StartError, start};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{Config, Database};
