//! Institution search, shared by the widget (compiled to WebAssembly) and the server.
//!
//! Both sides must agree on what a query finds, so the index, the text folding, the ranking
//! and the directory file live here, in plain Rust with no dependencies: the widget pays only
//! for this code.
//!
//! - [`normalize`] folds case, punctuation and common accents, so "Crédit Agricole" and
//!   "credit agricole" are the same text, and "&" is "and"; [`canonical`] also expands
//!   abbreviations.
//! - [`Index`] holds the names, aliases and routing numbers of a directory and answers
//!   queries: every query word must start some word of the name (or of an alias), where a
//!   word also stands for its abbreviations and expansions ("natl" and "national", "fcu" and
//!   "federal credit union", "1st" and "first"); a numeric query also matches routing numbers.
//!   Ranking is one ordered key per match (see `rank`): exact name, exact alias, exact routing
//!   number, name prefix, word prefixes, routing number prefix; then weight.
//! - [`display_name`] turns a directory's upper-case name into the one people read
//!   ("JPMORGAN CHASE BANK, NA" → "JPMorgan Chase Bank, N.A.").
//! - [`format`] is the compact directory file the server sends and the widget decodes;
//!   [`Catalog`] is a decoded file with its index.
//! - [`routing`] checks ABA routing numbers.
//! - [`highlight`] says which parts of a name a query matched, for the widget to emphasise.

mod abbreviations;
mod catalog;
mod display;
pub mod format;
mod highlight;
mod index;
mod lowercase;
mod matching;
mod normalize;
mod order;
mod rank;
pub mod routing;

pub use catalog::Catalog;
pub use display::display_name;
pub use highlight::highlight;
pub use index::{Index, IndexEntry};
pub use normalize::normalize;

/// `text` [normalized](normalize) with its abbreviations expanded ("1ST NATL BK" → "first
/// national bank"): the form in which two spellings of one name are equal. Search compares
/// exact names this way; a caller can use it to spot two records of one institution.
pub fn canonical(text: &str) -> String {
    let normalized = normalize(text);
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    abbreviations::Abbreviations::new()
        .canonical(&words)
        .join(" ")
}
