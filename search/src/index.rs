//! The index: a directory's names, folded once, and the two questions asked of it.

use std::cmp::Reverse;

use crate::abbreviations::Abbreviations;
use crate::matching::{Candidate, MatchKind, Query, ROUTING_DIGITS, Starts};
use crate::normalize;
use crate::order;
use crate::rank::{Rank, TopK};

/// One institution as the index needs it; borrowed, since the index copies what it keeps.
#[derive(Debug, Clone, Copy)]
pub struct IndexEntry<'a> {
    /// The display name; matched after [`normalize`], with its abbreviations.
    pub name: &'a str,
    /// ABA routing numbers (nine digits; other characters are ignored), matched by numeric
    /// queries.
    pub routing_numbers: &'a [String],
    /// Other names people know the institution by ("bofa", "navy fed"): data the directory
    /// carries, matched like the name.
    pub aliases: &'a [String],
    /// Popularity: among equally good matches, heavier entries come first.
    pub weight: u32,
    /// Shown, heaviest first, before the person types anything.
    pub featured: bool,
}

/// What the index keeps of an entry.
#[derive(Debug, Clone)]
struct Entry {
    /// The normalized name, then the other spellings of its words (see
    /// `Abbreviations::equivalents`), separated by single spaces.
    words: Box<str>,
    /// How many bytes of `words` are the name.
    name_length: usize,
    /// The name with its abbreviations expanded, when that differs.
    canonical: Option<Box<str>>,
    aliases: Box<[Box<str>]>,
    /// Where the entry was at build time: what searches return.
    position: usize,
    /// How `words` and the aliases start, to rule the entry out quickly (see
    /// `matching::Starts`).
    starts: Starts,
    weight: u32,
}

impl Entry {
    fn new(position: usize, entry: &IndexEntry<'_>, abbreviations: &Abbreviations) -> Entry {
        let name = normalize(entry.name);
        let split: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
        let canonical_words = abbreviations.canonical(&split);
        let mut words = name.clone();
        for extra in abbreviations.equivalents(&split, &canonical_words) {
            words.push(' ');
            words.push_str(extra);
        }
        let canonical = canonical_words.join(" ");
        let aliases: Box<[Box<str>]> = entry
            .aliases
            .iter()
            .map(|alias| normalize(alias))
            .filter(|alias| !alias.is_empty())
            .map(String::into_boxed_str)
            .collect();
        let starts = aliases.iter().fold(Starts::of(&words), |starts, alias| {
            starts.union(Starts::of(alias))
        });
        Entry {
            name_length: name.len(),
            canonical: (canonical != name).then(|| canonical.into_boxed_str()),
            words: words.into_boxed_str(),
            aliases,
            position,
            starts,
            weight: entry.weight,
        }
    }

    fn name(&self) -> &str {
        self.words.get(..self.name_length).unwrap_or_default()
    }

    fn candidate(&self, routing: bool) -> Candidate<'_> {
        Candidate {
            name: self.name(),
            canonical: self.canonical.as_deref(),
            words: &self.words,
            aliases: &self.aliases,
            routing,
        }
    }
}

/// A searchable directory of institutions, identified by their position at build time.
///
/// Positions keep the index independent of how callers store institutions (the server's
/// directory, the widget's decoded file): they map results back to their own records.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// The entries, heaviest first, then by name, then by position: the order in which a
    /// search scans them (see `TopK`), kept in memory in that order.
    entries: Vec<Entry>,
    /// `starts` of each entry, apart: most entries are ruled out by these alone, and a scan
    /// of them alone reads a tenth of the memory.
    starts: Vec<Starts>,
    /// Positions of the featured entries, in the order [`Index::featured`] returns them.
    featured: Vec<usize>,
    /// Every nine-digit routing number with the place of its entry in `entries`, sorted, so
    /// that a typed prefix is a range found by two binary searches.
    routing_numbers: Vec<(u32, u32)>,
    /// Every normalized name, canonical name and alias with the place of its entry, sorted:
    /// once a search holds enough matches that only exact ones can still enter, it looks
    /// them up here instead of scanning on.
    exact: Vec<(Box<str>, u32)>,
    abbreviations: Abbreviations,
}

impl Index {
    /// Builds the index from the directory's entries; position `i` is the `i`-th entry.
    pub fn build<'a>(entries: impl IntoIterator<Item = IndexEntry<'a>>) -> Index {
        let abbreviations = Abbreviations::new();
        let entries = entries.into_iter();
        let mut kept = Vec::with_capacity(entries.size_hint().0);
        let mut numbers: Vec<Vec<u32>> = Vec::with_capacity(entries.size_hint().0);
        let mut featured = Vec::new();
        for (position, entry) in entries.enumerate() {
            if entry.featured {
                featured.push(position);
            }
            kept.push(Entry::new(position, &entry, &abbreviations));
            numbers.push(
                entry
                    .routing_numbers
                    .iter()
                    .filter_map(|number| routing_value(number))
                    .collect(),
            );
        }
        order::sort_by(&mut kept, |a, b| {
            (Reverse(a.weight), a.name(), a.position).cmp(&(
                Reverse(b.weight),
                b.name(),
                b.position,
            ))
        });
        // Featured positions in the same order.
        let mut rank = vec![0usize; kept.len()];
        for (order, entry) in kept.iter().enumerate() {
            if let Some(slot) = rank.get_mut(entry.position) {
                *slot = order;
            }
        }
        order::sort_by_key(&mut featured, |&position| {
            rank.get(position).copied().unwrap_or(usize::MAX)
        });
        let mut routing_numbers: Vec<(u32, u32)> = Vec::new();
        for (position, entry) in numbers.iter().enumerate() {
            let Some(&place) = rank.get(position) else {
                continue;
            };
            let Ok(place) = u32::try_from(place) else {
                continue;
            };
            routing_numbers.extend(entry.iter().map(|&number| (number, place)));
        }
        order::sort_by(&mut routing_numbers, Ord::cmp);
        let mut exact: Vec<(Box<str>, u32)> = Vec::with_capacity(kept.len() * 2);
        for (place, entry) in kept.iter().enumerate() {
            let Ok(place) = u32::try_from(place) else {
                continue;
            };
            exact.push((entry.name().into(), place));
            exact.extend(entry.canonical.iter().map(|c| (c.clone(), place)));
            exact.extend(entry.aliases.iter().map(|a| (a.clone(), place)));
        }
        order::sort_by(&mut exact, Ord::cmp);
        Index {
            starts: kept.iter().map(|entry| entry.starts).collect(),
            entries: kept,
            featured,
            routing_numbers,
            exact,
            abbreviations,
        }
    }

    /// The positions of the best matches for `query`, best first, at most `limit`.
    ///
    /// Every query word must start a different word of the name or of an alias ("wel far"
    /// finds "Wells Fargo"), where a word also stands for its abbreviations and expansions
    /// ("natl" finds "National", "fcu" finds "Federal Credit Union" and back); a query of 3
    /// to 9 digits also matches routing numbers by prefix. Order: exact name (abbreviations
    /// aside), exact alias, exact routing number, name or alias prefix, word prefixes,
    /// routing number prefix; then weight descending, then name. A blank query returns
    /// [`Index::featured`].
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let query = Query::parse(query, &self.abbreviations);
        if query.is_empty() {
            return self.featured(limit);
        }
        if limit == 0 {
            return Vec::new();
        }
        // Places in `entries` of the entries with a routing number the query starts, in scan
        // order.
        let mut routed: Vec<u32> = match query.routing_range() {
            Some(range) => {
                let from = self
                    .routing_numbers
                    .partition_point(|&(number, _)| number < range.start);
                let to = self
                    .routing_numbers
                    .partition_point(|&(number, _)| number < range.end);
                self.routing_numbers
                    .get(from..to)
                    .unwrap_or_default()
                    .iter()
                    .map(|&(_, place)| place)
                    .collect()
            }
            None => Vec::new(),
        };
        order::sort_by(&mut routed, Ord::cmp);
        routed.dedup();
        let mut used = Vec::new();
        let mut top = TopK::new(limit);
        let is_routed = |place: usize| {
            u32::try_from(place).is_ok_and(|place| routed.binary_search(&place).is_ok())
        };
        let mut next_routed = routed.iter().copied().peekable();
        let mut exact_only_from = None;
        for (place, starts) in self.starts.iter().enumerate() {
            let routing = next_routed
                .next_if(|&next| usize::try_from(next).is_ok_and(|next| next == place))
                .is_some();
            if !routing && !query.may_match(starts) {
                continue;
            }
            let Some(worst) = top.admits() else {
                break;
            };
            if worst <= MatchKind::ExactRoutingNumber {
                exact_only_from = Some(place);
                break;
            }
            self.consider(&mut top, &query, place, routing, worst, &mut used);
        }
        if let Some(from) = exact_only_from {
            // Only an exact name, alias or routing number can still enter: look those up.
            let mut places: Vec<usize> = self
                .exact_places(query.text())
                .chain(query.canonical().map_or_else(
                    || self.exact_places(""),
                    |canonical| self.exact_places(canonical),
                ))
                .chain(routed.iter().map(|&place| place as usize))
                .filter(|&place| place >= from)
                .collect();
            order::sort_by(&mut places, Ord::cmp);
            places.dedup();
            for place in places {
                let Some(worst) = top.admits() else {
                    break;
                };
                self.consider(&mut top, &query, place, is_routed(place), worst, &mut used);
            }
        }
        top.positions()
    }

    /// Offers the entry at `place` to `top` if it matches `query` at least as well as
    /// `worst`; `routing` says whether one of its routing numbers starts with the query.
    fn consider<'s>(
        &'s self,
        top: &mut TopK<'s>,
        query: &Query,
        place: usize,
        routing: bool,
        worst: MatchKind,
        used: &mut Vec<bool>,
    ) {
        let by_name = self
            .starts
            .get(place)
            .is_some_and(|starts| query.may_match(starts));
        if !by_name && !routing {
            return;
        }
        let Some(entry) = self.entries.get(place) else {
            return;
        };
        let candidate = entry.candidate(routing);
        if let Some(kind) = query.match_kind_up_to(&candidate, by_name, worst, used) {
            top.offer(Rank {
                kind,
                weight: Reverse(entry.weight),
                name: entry.name(),
                position: entry.position,
            });
        }
    }

    /// The places of the entries whose normalized name, canonical name or alias is `text`.
    fn exact_places<'s>(&'s self, text: &'s str) -> impl Iterator<Item = usize> + 's {
        let from = self.exact.partition_point(|(key, _)| &**key < text);
        self.exact
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(key, _)| !text.is_empty() && &**key == text)
            .map(|&(_, place)| place as usize)
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

/// A routing number's value, when its digits ("011-000-015" has those of "011000015") are
/// the nine of an ABA routing number.
fn routing_value(routing_number: &str) -> Option<u32> {
    let digits: String = routing_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() == ROUTING_DIGITS {
        digits.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Index, IndexEntry};

    struct Bank {
        name: &'static str,
        routing_numbers: Vec<String>,
        aliases: Vec<String>,
        weight: u32,
        featured: bool,
    }

    fn bank(name: &'static str, weight: u32) -> Bank {
        Bank {
            name,
            routing_numbers: Vec::new(),
            aliases: Vec::new(),
            weight,
            featured: false,
        }
    }

    fn index(banks: &[Bank]) -> Index {
        Index::build(banks.iter().map(|b| IndexEntry {
            name: b.name,
            routing_numbers: &b.routing_numbers,
            aliases: &b.aliases,
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
    fn an_exact_routing_number_is_a_direct_hit_above_names() {
        let mut banks = [bank("Bank 011000015", 100), bank("Light Bank", 1)];
        banks[1].routing_numbers = vec!["011-000-015".into()];
        assert_eq!(
            search(&banks, "011000015"),
            ["Light Bank", "Bank 011000015"]
        );
    }

    #[test]
    fn routing_numbers_that_are_not_nine_digits_are_not_searched() {
        let mut banks = [bank("Odd Bank", 1)];
        banks[0].routing_numbers = vec!["0110000159".into(), "12345".into()];
        assert!(search(&banks, "011").is_empty());
        assert!(search(&banks, "123").is_empty());
    }

    #[test]
    fn an_alias_finds_its_institution_before_names_that_merely_start_alike() {
        let mut banks = [
            bank("Chasewood Bank", 1),
            bank("JPMorgan Chase Bank, N.A.", 1),
            bank("Bank of America, N.A.", 1),
        ];
        banks[1].aliases = vec!["Chase".into()];
        banks[2].aliases = vec!["BofA".into(), "Bank of America".into()];
        assert_eq!(
            search(&banks, "chase"),
            ["JPMorgan Chase Bank, N.A.", "Chasewood Bank"]
        );
        assert_eq!(search(&banks, "bofa"), ["Bank of America, N.A."]);
        assert_eq!(search(&banks, "bof"), ["Bank of America, N.A."]);
    }

    #[test]
    fn an_exact_name_beats_an_exact_alias() {
        let mut banks = [bank("Heavy Bank", 100), bank("Union", 1)];
        banks[0].aliases = vec!["union".into()];
        assert_eq!(search(&banks, "union"), ["Union", "Heavy Bank"]);
    }

    #[test]
    fn abbreviations_rank_as_their_expansions() {
        let banks = [
            bank("FIRST NATL BK OF OMAHA", 5),
            bank("FIRST NATIONAL BANK", 1),
            bank("NATIONAL BANK OF FIRST STREET", 500),
        ];
        assert_eq!(
            search(&banks, "1st national bank"),
            [
                "FIRST NATIONAL BANK",
                "FIRST NATL BK OF OMAHA",
                "NATIONAL BANK OF FIRST STREET"
            ]
        );
        assert_eq!(
            search(&banks, "first natl bk of o"),
            ["FIRST NATL BK OF OMAHA"]
        );
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

    /// The ranking by brute force: every entry's match, all sorted. The index's search, with
    /// its early stops and exact lookups, must give the same answer.
    fn exhaustive(index: &Index, query: &str, limit: usize) -> Vec<usize> {
        use crate::matching::Query;
        use crate::rank::Rank;
        use std::cmp::Reverse;
        let query = Query::parse(query, &index.abbreviations);
        if query.is_empty() {
            return index.featured(limit);
        }
        let mut routed = vec![false; index.entries.len()];
        if let Some(range) = query.routing_range() {
            for &(number, place) in &index.routing_numbers {
                if range.contains(&number) {
                    routed[place as usize] = true;
                }
            }
        }
        let mut ranks: Vec<Rank<'_>> = index
            .entries
            .iter()
            .zip(routed)
            .filter_map(|(entry, routing)| {
                let kind = query.match_kind(&entry.candidate(routing), true, &mut Vec::new())?;
                Some(Rank {
                    kind,
                    weight: Reverse(entry.weight),
                    name: entry.name(),
                    position: entry.position,
                })
            })
            .collect();
        ranks.sort();
        ranks.into_iter().take(limit).map(|r| r.position).collect()
    }

    #[test]
    fn search_ranks_as_an_exhaustive_comparison_would() {
        let places = [
            "Springfield",
            "Lake",
            "River",
            "Saint Louis",
            "Omaha",
            "Fargo",
        ];
        let kinds = [
            "Bank",
            "BK",
            "State Bank",
            "ST BK",
            "National Bank",
            "NATL BK",
            "Credit Union",
            "FCU",
            "CU",
            "Bank & Trust",
            "BK & TR CO",
            "Savings Bank",
            "1ST NATL BK",
        ];
        let mut banks = Vec::new();
        let mut seed: u64 = 7;
        let mut next = |below: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % below
        };
        for (i, place) in places.iter().enumerate() {
            for (j, kind) in kinds.iter().enumerate() {
                for prefix in ["", "First ", "1ST ", "Citizens "] {
                    let name: &'static str =
                        Box::leak(format!("{prefix}{place} {kind}").into_boxed_str());
                    let mut b = bank(name, u32::try_from(next(5)).unwrap_or(1));
                    let body = 10_000_000 + (i * 1000 + j * 10) as u32 + next(7) as u32;
                    b.routing_numbers = vec![crate::routing::with_check_digit(body)];
                    if next(9) == 0 {
                        b.aliases = vec![format!("{place} {}", j % 3)];
                    }
                    b.featured = next(11) == 0;
                    banks.push(b);
                }
            }
        }
        // Exact duplicates, to tie on everything but position.
        banks.push(bank("Lake Bank", 3));
        banks.push(bank("LAKE BK", 3));
        let index = index(&banks);
        let mut queries: Vec<String> = Vec::new();
        for b in banks.iter().step_by(7) {
            for (at, c) in b.name.char_indices() {
                queries.push(b.name[..at + c.len_utf8()].to_owned());
            }
        }
        for more in [
            "",
            "b",
            "bk",
            "st",
            "saint",
            "first natl",
            "1st national bank",
            "lake",
            "lake bank",
            "lake bk",
            "0",
            "010",
            "0100",
            "01000",
            "0100010",
            "lake 1",
            "fargo 2",
            "cu",
            "fcu",
            "zz",
            "& tr",
            "bank and trust",
        ] {
            queries.push(more.to_owned());
        }
        for b in banks.iter().step_by(11) {
            queries.extend(b.routing_numbers.iter().cloned());
            queries.extend(b.aliases.iter().cloned());
        }
        for query in &queries {
            for limit in [1, 3, 10] {
                assert_eq!(
                    index.search(query, limit),
                    exhaustive(&index, query, limit),
                    "{query:?}, limit {limit}"
                );
            }
        }
    }

    #[test]
    fn search_ranks_as_an_exhaustive_comparison_would_on_fedach() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/FedACHdir.txt"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("{path} is absent: compared on the made-up directory only");
            return;
        };
        let mut banks: Vec<Bank> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = Default::default();
        for line in text.lines() {
            let (Some(number), Some(name)) = (line.get(0..9), line.get(35..71)) else {
                continue;
            };
            let name = name.trim().to_owned();
            let place = *at.entry(name.clone()).or_insert_with(|| {
                banks.push(bank(Box::leak(name.into_boxed_str()), 0));
                banks.len() - 1
            });
            banks[place].routing_numbers.push(number.to_owned());
            banks[place].weight += 1;
        }
        banks[0].aliases = vec!["fed".to_owned()];
        let index = index(&banks);
        let typed = [
            "chase",
            "wells fargo",
            "bank of am",
            "navy fcu",
            "1st natl bk",
            "first state b",
            "st louis",
            "m&t",
            "021000021",
            "02100",
            "credit union of",
            "farmers & merch",
        ];
        for query in typed {
            for (at, c) in query.char_indices() {
                let prefix = &query[..at + c.len_utf8()];
                assert_eq!(
                    index.search(prefix, 10),
                    exhaustive(&index, prefix, 10),
                    "{prefix:?}"
                );
            }
        }
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let empty = Index::build(std::iter::empty());
        assert!(empty.is_empty());
        assert!(empty.search("bank", 10).is_empty());
        assert!(empty.featured(10).is_empty());
    }
}
