//! Ranking: one totally ordered key per match, smallest first.
//!
//! Deeper ranking (typo tolerance, per-word weights, a person's history) adds fields to
//! [`Rank`] in the order they should count; matching does not change.

use std::cmp::Reverse;

use crate::matching::MatchKind;

/// Where a match sorts: how it matched, then weight descending, then name, then position.
///
/// The position makes the order total, so results never depend on the order of the scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Rank<'a> {
    pub(crate) kind: MatchKind,
    pub(crate) weight: Reverse<u32>,
    /// The normalized name, so that case and accents do not change the order.
    pub(crate) name: &'a str,
    pub(crate) position: usize,
}

/// The best `limit` ranks offered so far, best first.
///
/// When entries are offered in the order of their rank key without the kind (weight
/// descending, then name, then position), a full list can only take a match of a strictly
/// better kind than its worst: [`TopK::admits`] says which, so that matching can stop early.
#[derive(Debug)]
pub(crate) struct TopK<'a> {
    limit: usize,
    kept: Vec<Rank<'a>>,
}

impl<'a> TopK<'a> {
    pub(crate) fn new(limit: usize) -> TopK<'a> {
        TopK {
            limit,
            kept: Vec::with_capacity(limit.min(64) + 1),
        }
    }

    /// The worst kind of match that can still enter, if any can (see [`TopK`]).
    pub(crate) fn admits(&self) -> Option<MatchKind> {
        if self.kept.len() < self.limit {
            Some(MatchKind::RoutingNumberPrefix)
        } else {
            self.kept.last().and_then(|worst| worst.kind.better())
        }
    }

    /// Keeps `rank` if it is among the best `limit` so far.
    pub(crate) fn offer(&mut self, rank: Rank<'a>) {
        if self.limit == 0 {
            return;
        }
        if self.kept.len() == self.limit && self.kept.last().is_some_and(|worst| *worst <= rank) {
            return;
        }
        let at = self.kept.partition_point(|kept| *kept < rank);
        self.kept.insert(at, rank);
        self.kept.truncate(self.limit);
    }

    /// The positions kept, best first.
    pub(crate) fn positions(self) -> Vec<usize> {
        self.kept.into_iter().map(|rank| rank.position).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Reverse;

    use super::{Rank, TopK};
    use crate::matching::MatchKind;

    fn rank(kind: MatchKind, weight: u32, name: &str, position: usize) -> Rank<'_> {
        Rank {
            kind,
            weight: Reverse(weight),
            name,
            position,
        }
    }

    fn best(ranks: Vec<Rank<'_>>, limit: usize) -> Vec<usize> {
        let mut top = TopK::new(limit);
        for rank in ranks {
            top.offer(rank);
        }
        top.positions()
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

    #[test]
    fn a_full_list_admits_only_better_kinds_than_its_worst() {
        let mut top = TopK::new(2);
        assert_eq!(top.admits(), Some(MatchKind::RoutingNumberPrefix));
        top.offer(rank(MatchKind::NamePrefix, 9, "a", 0));
        assert_eq!(top.admits(), Some(MatchKind::RoutingNumberPrefix));
        top.offer(rank(MatchKind::WordPrefixes, 8, "b", 1));
        assert_eq!(top.admits(), Some(MatchKind::NamePrefix));
        top.offer(rank(MatchKind::ExactName, 1, "c", 2));
        assert_eq!(top.admits(), Some(MatchKind::ExactRoutingNumber));
        top.offer(rank(MatchKind::ExactName, 0, "d", 3));
        assert_eq!(top.admits(), None);
        assert_eq!(top.positions(), vec![2, 3]);
    }
}
