//! The index: a directory's names, folded once, and the two questions asked of it.

use std::cmp::Reverse;

use crate::matching::{Query, initials};
use crate::normalize;
use crate::rank::{Rank, best};

/// One institution as the index needs it; borrowed, since the index copies what it keeps.
#[derive(Debug, Clone, Copy)]
pub struct IndexEntry<'a> {
    /// The display name; matched after [`normalize`].
    pub name: &'a str,
    /// ABA routing numbers, matched by numeric queries.
    pub routing_numbers: &'a [String],
    /// Popularity: among equally good matches, heavier entries come first.
    pub weight: u32,
    /// Shown, heaviest first, before the person types anything.
    pub featured: bool,
}

/// What the index keeps of an entry.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    /// The name's word initials, to rule it out quickly (see `matching::initials`).
    initials: u64,
    routing_numbers: Vec<String>,
    weight: u32,
}

/// A searchable directory of institutions, identified by their position at build time.
///
/// Positions keep the index independent of how callers store institutions (the server's
/// directory, the widget's cached list): they map results back to their own records.
#[derive(Debug, Clone, Default)]
pub struct Index {
    entries: Vec<Entry>,
    /// Positions of the featured entries, in the order [`Index::featured`] returns them.
    featured: Vec<usize>,
}

impl Index {
    /// Builds the index from the directory's entries; position `i` is the `i`-th entry.
    pub fn build<'a>(entries: impl IntoIterator<Item = IndexEntry<'a>>) -> Index {
        let mut kept = Vec::new();
        let mut featured = Vec::new();
        for (position, entry) in entries.into_iter().enumerate() {
            if entry.featured {
                featured.push(position);
            }
            let name = normalize(entry.name);
            kept.push(Entry {
                initials: initials(&name),
                name,
                routing_numbers: entry.routing_numbers.iter().map(|n| digits(n)).collect(),
                weight: entry.weight,
            });
        }
        featured.sort_by(|&a, &b| {
            let key = |i: usize| {
                kept.get(i)
                    .map(|e: &Entry| (Reverse(e.weight), e.name.as_str()))
            };
            key(a).cmp(&key(b)).then(a.cmp(&b))
        });
        Index {
            entries: kept,
            featured,
        }
    }

    /// The positions of the best matches for `query`, best first, at most `limit`.
    ///
    /// Every query word must start a different word of the name ("wel far" finds "Wells
    /// Fargo"); a query of 3 to 9 digits also matches routing numbers by prefix. Order: exact
    /// name, exact routing number, name prefix, word prefixes, routing number prefix; then
    /// weight descending, then name. A blank query returns [`Index::featured`].
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let query = Query::parse(query);
        if query.is_empty() {
            return self.featured(limit);
        }
        if limit == 0 {
            return Vec::new();
        }
        let mut used = Vec::new();
        let ranks = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(position, entry)| {
                let kind = query.match_kind(
                    &entry.name,
                    entry.initials,
                    &entry.routing_numbers,
                    &mut used,
                )?;
                Some(Rank {
                    kind,
                    weight: Reverse(entry.weight),
                    name: &entry.name,
                    position,
                })
            })
            .collect();
        best(ranks, limit)
    }

    /// The featured entries, heaviest first (then by name), at most `limit`: what the person
    /// sees before typing.
    pub fn featured(&self, limit: usize) -> Vec<usize> {
        self.featured.iter().take(limit).copied().collect()
    }

    /// How many entries the index holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index holds no entry (every search is then empty).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A routing number's digits, so that "011-000-015" is stored as typed queries find it.
fn digits(routing_number: &str) -> String {
    routing_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Index, IndexEntry};

    struct Bank {
        name: &'static str,
        routing_numbers: Vec<String>,
        weight: u32,
        featured: bool,
    }

    fn bank(name: &'static str, weight: u32) -> Bank {
        Bank {
            name,
            routing_numbers: Vec::new(),
            weight,
            featured: false,
        }
    }

    fn index(banks: &[Bank]) -> Index {
        Index::build(banks.iter().map(|b| IndexEntry {
            name: b.name,
            routing_numbers: &b.routing_numbers,
            weight: b.weight,
            featured: b.featured,
        }))
    }

    fn names(banks: &[Bank], positions: Vec<usize>) -> Vec<&'static str> {
        positions
            .into_iter()
            .filter_map(|i| banks.get(i).map(|b| b.name))
            .collect()
    }

    fn search(banks: &[Bank], query: &str) -> Vec<&'static str> {
        names(banks, index(banks).search(query, 10))
    }

    #[test]
    fn query_words_are_prefixes_of_name_words() {
        let banks = [
            bank("Wells Fargo", 1),
            bank("Wellesley Bank", 1),
            bank("Fargo State Bank", 1),
        ];
        assert_eq!(search(&banks, "wel far"), ["Wells Fargo"]);
    }

    #[test]
    fn case_accents_and_punctuation_do_not_matter() {
        let banks = [
            bank("Banco Crédito Rural", 1),
            bank("Bank of America, N.A.", 1),
        ];
        assert_eq!(search(&banks, "CREDITO"), ["Banco Crédito Rural"]);
        assert_eq!(
            search(&banks, "bank of america na"),
            ["Bank of America, N.A."]
        );
    }

    #[test]
    fn exact_name_then_name_prefix_then_word_prefixes() {
        let banks = [
            bank("First Community Bank of Springfield", 900),
            bank("Community First Bank", 500),
            bank("First Community Bank", 1),
            bank("First Community", 2),
        ];
        assert_eq!(
            search(&banks, "first community"),
            [
                "First Community",
                "First Community Bank of Springfield",
                "First Community Bank",
                "Community First Bank"
            ]
        );
    }

    #[test]
    fn equal_matches_by_weight_descending_then_by_name() {
        let banks = [
            bank("Zeta Savings Bank", 10),
            bank("Beta Savings Bank", 10),
            bank("Alpha Savings Bank", 50),
        ];
        assert_eq!(
            search(&banks, "savings"),
            [
                "Alpha Savings Bank",
                "Beta Savings Bank",
                "Zeta Savings Bank"
            ]
        );
    }

    #[test]
    fn numeric_queries_find_routing_numbers() {
        let mut banks = [
            bank("River Bank", 1),
            bank("Lake Bank", 9),
            bank("Hill Bank", 5),
        ];
        banks[0].routing_numbers = vec!["011000015".into()];
        banks[1].routing_numbers = vec!["021000021".into(), "011000028".into()];
        banks[2].routing_numbers = vec!["011000015".into()];
        assert_eq!(
            search(&banks, "0110"),
            ["Lake Bank", "Hill Bank", "River Bank"]
        );
        assert_eq!(search(&banks, "011000028"), ["Lake Bank"]);
        assert_eq!(search(&banks, "021"), ["Lake Bank"]);
        assert_eq!(search(&banks, "01"), Vec::<&str>::new());
    }

    #[test]
    fn an_exact_routing_number_beats_a_prefix() {
        let mut banks = [bank("Heavy Bank", 100), bank("Light Bank", 1)];
        banks[0].routing_numbers = vec!["0110000159".into()];
        banks[1].routing_numbers = vec!["011000015".into()];
        assert_eq!(search(&banks, "011000015"), ["Light Bank", "Heavy Bank"]);
    }

    #[test]
    fn at_most_limit_results() {
        let banks: Vec<Bank> = (0..50).map(|i| bank("Savings Bank", i)).collect();
        let found = index(&banks).search("bank", 5);
        assert_eq!(found, [49, 48, 47, 46, 45]);
        assert!(index(&banks).search("bank", 0).is_empty());
    }

    #[test]
    fn no_match_is_an_empty_list() {
        let banks = [bank("Wells Fargo", 1)];
        assert!(search(&banks, "chase").is_empty());
    }

    #[test]
    fn an_empty_query_returns_the_featured_entries_heaviest_first() {
        let mut banks = [
            bank("Plain Bank", 1000),
            bank("Small Bank", 1),
            bank("Big Bank", 99),
            bank("Also Small", 1),
        ];
        for b in &mut banks[1..] {
            b.featured = true;
        }
        assert_eq!(search(&banks, ""), ["Big Bank", "Also Small", "Small Bank"]);
        assert_eq!(
            search(&banks, "  ,. "),
            ["Big Bank", "Also Small", "Small Bank"]
        );
        assert_eq!(
            names(&banks, index(&banks).featured(2)),
            ["Big Bank", "Also Small"]
        );
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let empty = Index::build(std::iter::empty());
        assert!(empty.is_empty());
        assert!(empty.search("bank", 10).is_empty());
        assert!(empty.featured(10).is_empty());
    }
}
