//! The finlink wire protocol: every HTTP body of the integrator API and of the link API.
//!
//! One crate holds them so that the widget (compiled to WebAssembly) and the server cannot
//! drift apart: a field renamed here is renamed on both sides at compile time. The crate only
//! depends on `serde`, so it costs the widget almost nothing.

mod account_data;
mod common;
mod error;
mod integrator;
mod link;
mod manual;
mod names;
mod returning;
mod webhooks;

pub use account_data::*;
pub use common::*;
pub use error::*;
pub use integrator::*;
pub use link::*;
pub use manual::*;
pub use returning::*;
pub use webhooks::*;
