//! ABA routing transit numbers: the check digit that both the FedACH parser (to reject a
//! corrupt line) and the generator (to make numbers a real form would accept) rely on. One
//! implementation, finlink-search's, which the widget uses too.

pub(super) use finlink_search::routing::{is_valid, with_check_digit};
