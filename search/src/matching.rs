//! Whether a name (or routing number) matches a query, and how closely.

use crate::normalize;

/// Shortest numeric query that searches routing numbers: fewer digits match far too many.
const MIN_ROUTING_DIGITS: usize = 3;
/// Length of an ABA routing number.
const ROUTING_DIGITS: usize = 9;

/// How an entry matches a query, best first; the order is the first ranking criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MatchKind {
    /// The whole name is the query ("wells fargo" for "Wells Fargo").
    ExactName,
    /// All nine digits of one of its routing numbers.
    ExactRoutingNumber,
    /// The name starts with the query ("wells f" for "Wells Fargo Bank").
    NamePrefix,
    /// Each query word starts a different word of the name ("far wel" for "Wells Fargo").
    WordPrefixes,
    /// One of its routing numbers starts with the (numeric) query.
    RoutingNumberPrefix,
}

/// A query, folded and split once rather than once per entry.
#[derive(Debug)]
pub(crate) struct Query {
    /// The normalized query.
    text: String,
    /// Its words, longest first: the order in which [`words_match`] assigns them.
    words: Vec<String>,
    /// [`initials`] of the query: a name lacking one of them cannot match.
    initials: u64,
    /// The query's digits, when it is a plausible routing number or prefix of one.
    routing_prefix: Option<String>,
}

impl Query {
    pub(crate) fn parse(raw: &str) -> Query {
        let text = normalize(raw);
        let mut words: Vec<String> = text
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect();
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        let routing_prefix = (digits.bytes().all(|b| b.is_ascii_digit())
            && (MIN_ROUTING_DIGITS..=ROUTING_DIGITS).contains(&digits.len()))
        .then_some(digits);
        let initials = initials(&text);
        Query {
            text,
            words,
            initials,
            routing_prefix,
        }
    }

    /// A blank query (nothing but spaces and punctuation) asks for the featured entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// How `name` (normalized, with its [`initials`]) or one of `routing_numbers` matches,
    /// if at all.
    ///
    /// `used` is scratch space kept between calls, to avoid allocating per entry.
    pub(crate) fn match_kind(
        &self,
        name: &str,
        name_initials: u64,
        routing_numbers: &[String],
        used: &mut Vec<bool>,
    ) -> Option<MatchKind> {
        // Most names lack some query word's initial: ruling them out first keeps search fast.
        let by_name = if name_initials & self.initials == self.initials {
            self.name_match(name, used)
        } else {
            None
        };
        let by_routing = self.routing_match(routing_numbers);
        match (by_name, by_routing) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn name_match(&self, name: &str, used: &mut Vec<bool>) -> Option<MatchKind> {
        if name == self.text {
            Some(MatchKind::ExactName)
        } else if name.starts_with(&self.text) {
            // Name words are separated by single spaces, so a string prefix is also a word match.
            Some(MatchKind::NamePrefix)
        } else if words_match(&self.words, name, used) {
            Some(MatchKind::WordPrefixes)
        } else {
            None
        }
    }

    fn routing_match(&self, routing_numbers: &[String]) -> Option<MatchKind> {
        let prefix = self.routing_prefix.as_deref()?;
        routing_numbers
            .iter()
            .filter(|number| number.starts_with(prefix))
            .map(|number| {
                if number.len() == prefix.len() {
                    MatchKind::ExactRoutingNumber
                } else {
                    MatchKind::RoutingNumberPrefix
                }
            })
            .min()
    }
}

/// A set of the first characters of the words of a normalized text, one bit each (letters
/// and digits exactly, other characters shared among the remaining bits).
///
/// Every query word starts some name word, so a name's initials include the query's: one
/// AND rules out most names before any string comparison.
pub(crate) fn initials(normalized: &str) -> u64 {
    normalized
        .split(' ')
        .filter_map(|word| word.chars().next())
        .fold(0, |set, first| set | 1 << initial_bit(first))
}

fn initial_bit(c: char) -> u32 {
    match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + (c as u32 - '0' as u32),
        _ => 36 + c as u32 % 28,
    }
}

/// Whether every query word starts a different word of `name`.
///
/// "Different" matters for "first first" (two words starting "first"). The words a query word
/// can take are the name words it prefixes; those sets are nested or disjoint (a trie), so
/// giving each query word, longest first, the first free name word it prefixes never blocks a
/// shorter query word that had another way to match.
fn words_match(query_words_longest_first: &[String], name: &str, used: &mut Vec<bool>) -> bool {
    if let [only] = query_words_longest_first {
        return name.split(' ').any(|word| word.starts_with(only.as_str()));
    }
    used.clear();
    query_words_longest_first.iter().all(|query_word| {
        let free = name.split(' ').enumerate().find(|(position, word)| {
            !used.get(*position).copied().unwrap_or(false) && word.starts_with(query_word.as_str())
        });
        match free {
            Some((position, _)) => {
                if used.len() <= position {
                    used.resize(position + 1, false);
                }
                if let Some(taken) = used.get_mut(position) {
                    *taken = true;
                }
                true
            }
            None => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{MatchKind, Query, initials};

    fn kind(query: &str, name: &str, routing_numbers: &[&str]) -> Option<MatchKind> {
        let routing: Vec<String> = routing_numbers.iter().map(|s| s.to_string()).collect();
        let name = crate::normalize(name);
        Query::parse(query).match_kind(&name, initials(&name), &routing, &mut Vec::new())
    }

    #[test]
    fn the_whole_name_is_an_exact_match() {
        assert_eq!(
            kind("wells fargo", "Wells Fargo", &[]),
            Some(MatchKind::ExactName)
        );
        assert_eq!(
            kind("WELLS-FARGO!", "Wells Fargo", &[]),
            Some(MatchKind::ExactName)
        );
    }

    #[test]
    fn the_start_of_the_name_is_a_prefix_match() {
        assert_eq!(
            kind("wells f", "Wells Fargo Bank", &[]),
            Some(MatchKind::NamePrefix)
        );
        assert_eq!(
            kind("wel", "Wells Fargo Bank", &[]),
            Some(MatchKind::NamePrefix)
        );
    }

    #[test]
    fn word_prefixes_in_any_order_match() {
        assert_eq!(
            kind("wel far", "Wells Fargo", &[]),
            Some(MatchKind::WordPrefixes)
        );
        assert_eq!(
            kind("fargo wells", "Wells Fargo", &[]),
            Some(MatchKind::WordPrefixes)
        );
        assert_eq!(
            kind("bank", "Sandbox Bank (OAuth)", &[]),
            Some(MatchKind::WordPrefixes)
        );
    }

    #[test]
    fn every_query_word_must_match() {
        assert_eq!(kind("wells chase", "Wells Fargo", &[]), None);
    }

    #[test]
    fn query_words_match_the_start_of_a_word_only() {
        assert_eq!(kind("argo", "Wells Fargo", &[]), None);
    }

    #[test]
    fn each_query_word_takes_a_different_name_word() {
        assert_eq!(kind("first first", "First Bank", &[]), None);
        assert_eq!(
            kind("first fir", "First Bank of Firestone", &[]),
            Some(MatchKind::WordPrefixes)
        );
        assert_eq!(
            kind("f fi", "First Fidelity", &[]),
            Some(MatchKind::WordPrefixes)
        );
    }

    #[test]
    fn three_to_nine_digits_match_routing_numbers_by_prefix() {
        assert_eq!(
            kind("011", "Any Bank", &["011000015"]),
            Some(MatchKind::RoutingNumberPrefix)
        );
        assert_eq!(
            kind("011000015", "Any Bank", &["021000021", "011000015"]),
            Some(MatchKind::ExactRoutingNumber)
        );
        assert_eq!(
            kind("011 000", "Any Bank", &["011000015"]),
            Some(MatchKind::RoutingNumberPrefix)
        );
    }

    #[test]
    fn too_few_or_too_many_digits_do_not_search_routing_numbers() {
        assert_eq!(kind("01", "Any Bank", &["011000015"]), None);
        assert_eq!(kind("0110000150", "Any Bank", &["011000015"]), None);
    }

    #[test]
    fn digits_also_match_names() {
        assert_eq!(
            kind("1st", "1st Source Bank", &["071000013"]),
            Some(MatchKind::NamePrefix)
        );
        assert_eq!(
            kind("071", "Bank 0712", &["071000013"]),
            Some(MatchKind::WordPrefixes)
        );
    }

    #[test]
    fn initials_are_the_first_characters_of_the_words() {
        assert_eq!(initials("wells fargo"), initials("far west"));
        assert_ne!(initials("wells fargo"), initials("wells bank"));
        assert_eq!(initials(""), 0);
        assert_ne!(initials("école 1st"), 0);
    }

    #[test]
    fn a_blank_query_is_empty() {
        assert!(Query::parse("  - ").is_empty());
        assert!(!Query::parse("a").is_empty());
    }
}
