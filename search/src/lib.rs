//! Institution search.
