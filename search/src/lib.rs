//! Institution search, shared by the widget (compiled to WebAssembly) and the server.
//!
//! Both sides must agree on what a query finds, so the index, the text folding and the ranking
//! live here, in plain Rust with no dependencies: the widget pays only for this code.
//!
//! - [`normalize`] folds case, punctuation and common accents, so "Crédit Agricole" and
//!   "credit agricole" are the same text.
//! - [`Index`] holds the names (and routing numbers) of a directory and answers queries: every
//!   query word must start some word of the name; a numeric query also matches routing numbers.
//! - Ranking is one ordered key per match (see `rank`), so that deeper ranking can be added
//!   without touching matching.

mod index;
mod matching;
mod normalize;
mod rank;

pub use index::{Index, IndexEntry};
pub use normalize::normalize;
