//! Ranking: one totally ordered key per match, smallest first.
//!
//! Deeper ranking (typo tolerance, per-word weights, a person's history) adds fields to
//! [`Rank`] in the order they should count; matching does not change.

use std::cmp::Reverse;

use crate::matching::MatchKind;

/// Where a match sorts: how it matched, then weight descending, then name, then position.
///
/// The position makes the order total, so results never depend on the sort algorithm.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Rank<'a> {
    pub(crate) kind: MatchKind,
    pub(crate) weight: Reverse<u32>,
    /// The normalized name, so that case and accents do not change the order.
    pub(crate) name: &'a str,
    pub(crate) position: usize,
}

/// The positions of the `limit` best ranks, best first.
pub(crate) fn best(mut ranks: Vec<Rank<'_>>, limit: usize) -> Vec<usize> {
    if limit == 0 {
        return Vec::new();
    }
    if ranks.len() > limit {
        // Partition first: only the kept ranks need a full sort.
        ranks.select_nth_unstable(limit - 1);
        ranks.truncate(limit);
    }
    ranks.sort_unstable();
    ranks.into_iter().map(|rank| rank.position).collect()
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;

    use super::{Rank, best};
    use crate::matching::MatchKind;

    fn rank(kind: MatchKind, weight: u32, name: &str, position: usize) -> Rank<'_> {
        Rank {
            kind,
            weight: Reverse(weight),
            name,
            position,
        }
    }

    #[test]
    fn match_kind_counts_before_weight() {
        let ranks = vec![
            rank(MatchKind::WordPrefixes, 1000, "b", 0),
            rank(MatchKind::NamePrefix, 1, "c", 1),
            rank(MatchKind::ExactName, 0, "d", 2),
        ];
        assert_eq!(best(ranks, 10), vec![2, 1, 0]);
    }

    #[test]
    fn heavier_first_then_by_name_then_by_position() {
        let ranks = vec![
            rank(MatchKind::WordPrefixes, 5, "b", 0),
            rank(MatchKind::WordPrefixes, 5, "a", 1),
            rank(MatchKind::WordPrefixes, 9, "z", 2),
            rank(MatchKind::WordPrefixes, 5, "a", 3),
        ];
        assert_eq!(best(ranks, 10), vec![2, 1, 3, 0]);
    }

    #[test]
    fn keeps_only_the_best_limit() {
        let ranks = (0..100)
            .map(|i| rank(MatchKind::WordPrefixes, i, "x", i as usize))
            .collect();
        assert_eq!(best(ranks, 3), vec![99, 98, 97]);
        assert_eq!(
            best(vec![rank(MatchKind::ExactName, 1, "x", 0)], 0),
            Vec::<usize>::new()
        );
    }
}
