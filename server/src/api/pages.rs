//! Stripe-style pages of a list: `limit` (1 to 100, 10 by default) and `starting_after` (the
//! id of the last object of the previous page), with `has_more`.

use finlink_protocol::List;

use crate::error::ApiError;

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;

/// The page size asked for, checked.
pub fn page_limit(limit: Option<usize>) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}."),
        ))
    }
}

/// One page of a list already in memory (short lists: owners, webhook endpoints).
pub fn paginate<T>(
    all: Vec<T>,
    id_of: impl Fn(&T) -> &str,
    starting_after: Option<&str>,
    limit: usize,
    url: &str,
) -> Result<List<T>, ApiError> {
    let start = match starting_after {
        Some(after) => all
            .iter()
            .position(|item| id_of(item) == after)
            .map(|index| index + 1)
            .ok_or_else(|| {
                ApiError::invalid(
                    "starting_after",
                    format!("no object '{after}' in this list."),
                )
            })?,
        None => 0,
    };
    let rest = all.len().saturating_sub(start);
    let data: Vec<T> = all.into_iter().skip(start).take(limit).collect();
    Ok(List {
        has_more: rest > data.len(),
        data,
        url: url.to_owned(),
    })
}

/// The first `limit` of `fetched` (fetched with `limit + 1` to learn whether more follow).
pub fn page_of<T>(mut fetched: Vec<T>, limit: usize, url: &str) -> List<T> {
    let has_more = fetched.len() > limit;
    fetched.truncate(limit);
    List {
        data: fetched,
        has_more,
        url: url.to_owned(),
    }
}
