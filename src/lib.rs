//! The finlink widget.
