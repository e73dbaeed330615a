//! Linked accounts after the flow: how the integrator sees them, how they are linked (and
//! relinked without duplicates), and how they are disconnected.

pub mod disconnect;
pub mod linking;
pub mod verification;
pub mod view;
