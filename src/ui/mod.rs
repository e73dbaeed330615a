//! Leptos components: the dialog shell and one view per step (DESIGN §1).
//!
//! Views render a [`State`] and report what the person does through callbacks; they hold no
//! logic. The one [`driver`] runs the flow's effects and feeds the results back as events.

mod consent;
mod dialog;
mod driver;
mod status;

pub use consent::{ConsentView, permission_text};
pub use dialog::Dialog;
pub use driver::App;
pub use status::{FailedView, LoadingView};

/// The `id` of the current step's heading, which names the dialog.
pub const TITLE_ID: &str = "finlink-title";
