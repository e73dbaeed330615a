//! Whether an entry matches a query, and how closely.

use crate::abbreviations::Abbreviations;
use crate::normalize;

/// Shortest numeric query that searches routing numbers: fewer digits match far too many.
const MIN_ROUTING_DIGITS: usize = 3;
/// Length of an ABA routing number.
pub(crate) const ROUTING_DIGITS: usize = 9;

/// How an entry matches a query, best first; the order is the first ranking criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MatchKind {
    /// The whole name is the query ("wells fargo" for "Wells Fargo"), abbreviations aside
    /// ("1st natl bank" for "First National Bank").
    ExactName,
    /// One of its aliases is the query ("bofa" for "Bank of America, N.A.").
    ExactAlias,
    /// All nine digits of one of its routing numbers.
    ExactRoutingNumber,
    /// The name (or an alias) starts with the query ("wells f" for "Wells Fargo Bank").
    NamePrefix,
    /// Each query word starts a different word of the name, or of an alias ("far wel" for
    /// "Wells Fargo"); a word of the name also stands for its abbreviations and expansions.
    WordPrefixes,
    /// One of its routing numbers starts with the (numeric) query.
    RoutingNumberPrefix,
}

impl MatchKind {
    /// The kind just better than this one, if any.
    pub(crate) fn better(self) -> Option<MatchKind> {
        use MatchKind::*;
        match self {
            ExactName => None,
            ExactAlias => Some(ExactName),
            ExactRoutingNumber => Some(ExactAlias),
            NamePrefix => Some(ExactRoutingNumber),
            WordPrefixes => Some(NamePrefix),
            RoutingNumberPrefix => Some(WordPrefixes),
        }
    }
}

/// What an entry offers to a query, prepared once at index time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate<'a> {
    /// The normalized name.
    pub(crate) name: &'a str,
    /// The name with its abbreviations expanded, when that differs from `name`.
    pub(crate) canonical: Option<&'a str>,
    /// The name's words, then the other spellings of them (see `Abbreviations::equivalents`).
    pub(crate) words: &'a str,
    /// Normalized aliases.
    pub(crate) aliases: &'a [Box<str>],
    /// Whether one of its routing numbers starts with the query's digits (the index finds
    /// those in its sorted list of routing numbers, see [`Query::routing_range`]).
    pub(crate) routing: bool,
}

/// A routing number typed in part or in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RoutingPrefix {
    value: u32,
    digits: usize,
    /// 10 to the power of the digits not typed.
    divisor: u32,
}

impl RoutingPrefix {
    fn new(value: u32, digits: usize) -> RoutingPrefix {
        let untyped = u32::try_from(ROUTING_DIGITS.saturating_sub(digits)).unwrap_or(0);
        RoutingPrefix {
            value,
            digits,
            divisor: 10u32.pow(untyped),
        }
    }

    /// The nine-digit numbers that start with this prefix.
    fn range(&self) -> std::ops::Range<u32> {
        self.value.saturating_mul(self.divisor)..(self.value + 1).saturating_mul(self.divisor)
    }
}

/// A query, folded and split once rather than once per entry.
#[derive(Debug)]
pub(crate) struct Query {
    /// The normalized query.
    text: String,
    /// The query with its abbreviations expanded, when that differs from `text`.
    canonical: Option<String>,
    /// Its words, longest first: the order in which [`words_match`] assigns them.
    words: Vec<String>,
    /// [`Starts`] of the query's words, and of its canonical form: a candidate lacking some
    /// of both cannot match by name.
    starts: Starts,
    canonical_starts: Option<Starts>,
    /// The query's digits, when it is a plausible routing number or prefix of one.
    routing_prefix: Option<RoutingPrefix>,
}

impl Query {
    pub(crate) fn parse(raw: &str, abbreviations: &Abbreviations) -> Query {
        let text = normalize(raw);
        let split: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
        let canonical = abbreviations.canonical(&split).join(" ");
        let mut words: Vec<String> = split.iter().map(|w| (*w).to_owned()).collect();
        crate::order::sort_by_key(&mut words, |w| std::cmp::Reverse(w.len()));
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        let routing_prefix = (digits.bytes().all(|b| b.is_ascii_digit())
            && (MIN_ROUTING_DIGITS..=ROUTING_DIGITS).contains(&digits.len()))
        .then(|| {
            digits
                .parse()
                .ok()
                .map(|value| RoutingPrefix::new(value, digits.len()))
        })
        .flatten();
        let canonical = (canonical != text).then_some(canonical);
        Query {
            starts: Starts::of(&text),
            canonical_starts: canonical.as_deref().map(Starts::of),
            canonical,
            text,
            words,
            routing_prefix,
        }
    }

    /// The normalized query.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The query with its abbreviations expanded, when that differs from [`Query::text`].
    pub(crate) fn canonical(&self) -> Option<&str> {
        self.canonical.as_deref()
    }

    /// A blank query (nothing but spaces and punctuation) asks for the featured entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether a candidate whose words (name, equivalents and aliases) have these [`Starts`]
    /// can match by name or alias at all.
    pub(crate) fn may_match(&self, candidate: &Starts) -> bool {
        candidate.contains(&self.starts)
            || self
                .canonical_starts
                .as_ref()
                .is_some_and(|starts| candidate.contains(starts))
    }

    /// The nine-digit routing numbers the query's digits start, when it is 3 to 9 digits.
    pub(crate) fn routing_range(&self) -> Option<std::ops::Range<u32>> {
        self.routing_prefix.as_ref().map(RoutingPrefix::range)
    }

    /// How `candidate` matches, if at all; `by_name` says whether to try its name and
    /// aliases (see [`Query::may_match`]).
    ///
    /// `used` is scratch space kept between calls, to avoid allocating per entry.
    #[cfg(test)]
    pub(crate) fn match_kind(
        &self,
        candidate: &Candidate<'_>,
        by_name: bool,
        used: &mut Vec<bool>,
    ) -> Option<MatchKind> {
        self.match_kind_up_to(candidate, by_name, MatchKind::RoutingNumberPrefix, used)
    }

    /// Like [`Query::match_kind`], but only for matches at least as good as `worst`: the
    /// checks run best kind first and stop there, so that a search which already holds
    /// enough good matches skips the costlier word comparisons.
    pub(crate) fn match_kind_up_to(
        &self,
        candidate: &Candidate<'_>,
        by_name: bool,
        worst: MatchKind,
        used: &mut Vec<bool>,
    ) -> Option<MatchKind> {
        use MatchKind::{
            ExactAlias, ExactName, ExactRoutingNumber, NamePrefix, RoutingNumberPrefix,
            WordPrefixes,
        };
        let name = candidate.name;
        let name_canonical = candidate.canonical.unwrap_or(name);
        let query_canonical = self.canonical.as_deref().unwrap_or(&self.text);
        let aliases = candidate.aliases;
        if by_name && (name == self.text || name_canonical == query_canonical) {
            return Some(ExactName);
        }
        if worst < ExactAlias {
            return None;
        }
        if by_name && aliases.iter().any(|alias| **alias == self.text) {
            return Some(ExactAlias);
        }
        if worst < ExactRoutingNumber {
            return None;
        }
        let full_number = self
            .routing_prefix
            .is_some_and(|prefix| prefix.digits == ROUTING_DIGITS);
        if candidate.routing && full_number {
            return Some(ExactRoutingNumber);
        }
        if worst < NamePrefix {
            return None;
        }
        // Words are separated by single spaces, so a string prefix is also a word match.
        if by_name
            && (name.starts_with(&self.text)
                || name_canonical.starts_with(query_canonical)
                || aliases.iter().any(|alias| alias.starts_with(&self.text)))
        {
            return Some(NamePrefix);
        }
        if worst < WordPrefixes {
            return None;
        }
        if by_name
            && (words_match(&self.words, candidate.words, used)
                || aliases
                    .iter()
                    .any(|alias| words_match(&self.words, alias, used)))
        {
            return Some(WordPrefixes);
        }
        if worst < RoutingNumberPrefix {
            return None;
        }
        (candidate.routing && !full_number).then_some(RoutingNumberPrefix)
    }
}

/// How the words of a normalized text start: sets of their first character, first two and
/// first three characters, one bit each (hashed).
///
/// Every query word starts some word of a matching name, so the name's starts include the
/// query's: three ANDs rule out most names before any string comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Starts {
    initials: u64,
    pairs: u128,
    triples: u128,
}

impl Starts {
    pub(crate) fn of(normalized: &str) -> Starts {
        let mut starts = Starts::default();
        for word in normalized.split(' ') {
            let mut chars = word.chars();
            let Some(first) = chars.next() else {
                continue;
            };
            starts.initials |= 1 << initial_bit(first);
            let Some(second) = chars.next() else {
                continue;
            };
            let pair = initial_bit(first) * 37 + initial_bit(second);
            starts.pairs |= 1 << (pair % 128);
            if let Some(third) = chars.next() {
                starts.triples |= 1 << ((pair * 37 + initial_bit(third)) % 127);
            }
        }
        starts
    }

    /// The starts of both texts' words.
    pub(crate) fn union(self, other: Starts) -> Starts {
        Starts {
            initials: self.initials | other.initials,
            pairs: self.pairs | other.pairs,
            triples: self.triples | other.triples,
        }
    }

    /// Whether every start of `other` is one of these.
    pub(crate) fn contains(&self, other: &Starts) -> bool {
        self.initials & other.initials == other.initials
            && self.pairs & other.pairs == other.pairs
            && self.triples & other.triples == other.triples
    }
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
    use super::{Candidate, MatchKind, Query, Starts};
    use crate::abbreviations::Abbreviations;

    fn kind_with(
        query: &str,
        name: &str,
        aliases: &[&str],
        routing_numbers: &[u32],
    ) -> Option<MatchKind> {
        let table = Abbreviations::new();
        let name = crate::normalize(name);
        let words: Vec<&str> = name.split(' ').collect();
        let canonical_words = table.canonical(&words);
        let canonical = canonical_words.join(" ");
        let mut all = name.clone();
        for extra in table.equivalents(&words, &canonical_words) {
            all.push(' ');
            all.push_str(extra);
        }
        let aliases: Vec<Box<str>> = aliases.iter().map(|a| crate::normalize(a).into()).collect();
        let query = Query::parse(query, &table);
        let range = query.routing_range();
        let routing = routing_numbers
            .iter()
            .any(|number| range.as_ref().is_some_and(|range| range.contains(number)));
        let candidate = Candidate {
            name: &name,
            canonical: (canonical != name).then_some(canonical.as_str()),
            words: &all,
            aliases: &aliases,
            routing,
        };
        let starts = aliases
            .iter()
            .fold(Starts::of(&all), |s, a| s.union(Starts::of(a)));
        query.match_kind(&candidate, query.may_match(&starts), &mut Vec::new())
    }

    fn kind(query: &str, name: &str) -> Option<MatchKind> {
        kind_with(query, name, &[], &[])
    }

    #[test]
    fn the_whole_name_is_an_exact_match() {
        assert_eq!(
            kind("wells fargo", "Wells Fargo"),
            Some(MatchKind::ExactName)
        );
        assert_eq!(
            kind("WELLS-FARGO!", "Wells Fargo"),
            Some(MatchKind::ExactName)
        );
    }

    #[test]
    fn the_whole_name_spelled_with_other_abbreviations_is_an_exact_match() {
        assert_eq!(
            kind("first national bank", "1ST NATL BK"),
            Some(MatchKind::ExactName)
        );
        assert_eq!(
            kind("navy fcu", "Navy Federal Credit Union"),
            Some(MatchKind::ExactName)
        );
    }

    #[test]
    fn the_start_of_the_name_is_a_prefix_match() {
        assert_eq!(
            kind("wells f", "Wells Fargo Bank"),
            Some(MatchKind::NamePrefix)
        );
        assert_eq!(kind("wel", "Wells Fargo Bank"), Some(MatchKind::NamePrefix));
        assert_eq!(
            kind("bank of am", "BK OF AMERICA"),
            Some(MatchKind::NamePrefix)
        );
        assert_eq!(
            kind("1st nat", "First National Bank"),
            Some(MatchKind::NamePrefix)
        );
    }

    #[test]
    fn word_prefixes_in_any_order_match() {
        assert_eq!(
            kind("wel far", "Wells Fargo"),
            Some(MatchKind::WordPrefixes)
        );
        assert_eq!(
            kind("fargo wells", "Wells Fargo"),
            Some(MatchKind::WordPrefixes)
        );
        assert_eq!(
            kind("bank", "Sandbox Bank (OAuth)"),
            Some(MatchKind::WordPrefixes)
        );
    }

    #[test]
    fn abbreviations_and_expansions_match_each_other_both_ways() {
        let pairs = [
            ("chase national association", "JPMORGAN CHASE BANK, NA"),
            ("chase na", "JPMorgan Chase Bank, National Association"),
            ("navy federal credit", "NAVY FCU"),
            ("navy fcu", "Navy Federal Credit Union"),
            ("akron credit union", "AKRON MUNICIPAL EMP CR UN"),
            ("akron cu", "AKRON MUNICIPAL EMP CR UN"),
            ("teachers cu", "TEACHERS C U"),
            ("lake bk", "Lake Bank"),
            ("lake bank", "LAKE BK"),
            ("first natl", "FIRST NATIONAL BANK"),
            ("national bank", "1ST NATL BK"),
            ("1st source", "FIRST SOURCE BANK"),
            ("first source", "1ST SOURCE BANK"),
            ("saint louis", "BANK OF ST LOUIS"),
            ("state bank", "1ST ST BK"),
            ("st louis", "SAINT LOUIS COMMUNITY CU"),
            ("m and t", "M & T BANK"),
            ("m&t", "M AND T BANK"),
            ("bank and trust", "CITIZENS BK & TR CO"),
            ("savings loan", "MT WASHINGTON S&L"),
            ("iron mountain", "IRON MT-KINGSFORD COMMUNITY FCU"),
        ];
        for (query, name) in pairs {
            assert!(kind(query, name).is_some(), "{query:?} finds {name:?}");
        }
    }

    #[test]
    fn every_query_word_must_match() {
        assert_eq!(kind("wells chase", "Wells Fargo"), None);
    }

    #[test]
    fn query_words_match_the_start_of_a_word_only() {
        assert_eq!(kind("argo", "Wells Fargo"), None);
    }

    #[test]
    fn each_query_word_takes_a_different_name_word() {
        assert_eq!(kind("first first", "First Bank"), None);
        assert_eq!(
            kind("first fir", "First Bank of Firestone"),
            Some(MatchKind::WordPrefixes)
        );
        assert_eq!(
            kind("f fi", "First Fidelity"),
            Some(MatchKind::WordPrefixes)
        );
    }

    #[test]
    fn aliases_match_exactly_by_prefix_or_by_words() {
        let chase = |query| kind_with(query, "JPMORGAN CHASE", &["chase", "jp morgan"], &[]);
        assert_eq!(chase("chase"), Some(MatchKind::ExactAlias));
        assert_eq!(chase("Chase"), Some(MatchKind::ExactAlias));
        assert_eq!(chase("jp mor"), Some(MatchKind::NamePrefix));
        assert_eq!(chase("jp"), Some(MatchKind::NamePrefix));
        assert_eq!(chase("morgan jp"), Some(MatchKind::WordPrefixes));
        assert_eq!(chase("jpmorgan chase"), Some(MatchKind::ExactName));
        assert_eq!(chase("wells"), None);
    }

    #[test]
    fn three_to_nine_digits_match_routing_numbers_by_prefix() {
        let any = |query, numbers: &[u32]| kind_with(query, "Any Bank", &[], numbers);
        assert_eq!(
            any("011", &[11_000_015]),
            Some(MatchKind::RoutingNumberPrefix)
        );
        assert_eq!(
            any("011000015", &[21_000_021, 11_000_015]),
            Some(MatchKind::ExactRoutingNumber)
        );
        assert_eq!(
            any("011 000", &[11_000_015]),
            Some(MatchKind::RoutingNumberPrefix)
        );
        assert_eq!(
            any("011-000-015", &[11_000_015]),
            Some(MatchKind::ExactRoutingNumber)
        );
        assert_eq!(any("012", &[11_000_015]), None);
        assert_eq!(any("11", &[110_000_000]), None);
    }

    #[test]
    fn too_few_or_too_many_digits_do_not_search_routing_numbers() {
        let any = |query| kind_with(query, "Any Bank", &[], &[11_000_015]);
        assert_eq!(any("01"), None);
        assert_eq!(any("0110000150"), None);
    }

    #[test]
    fn digits_also_match_names() {
        assert_eq!(
            kind_with("1st", "1st Source Bank", &[], &[71_000_013]),
            Some(MatchKind::NamePrefix)
        );
        assert_eq!(
            kind_with("071", "Bank 0712", &[], &[71_000_013]),
            Some(MatchKind::WordPrefixes)
        );
    }

    #[test]
    fn starts_are_the_first_one_two_and_three_characters_of_the_words() {
        assert_eq!(Starts::of("wells fargo"), Starts::of("fargo wells"));
        assert_eq!(Starts::of("wells fargo"), Starts::of("wel far"));
        assert_ne!(Starts::of("wells fargo"), Starts::of("we fa"));
        assert_ne!(Starts::of("wells fargo"), Starts::of("wide fargo"));
        assert!(!Starts::of("first bank").contains(&Starts::of("fif")));
        assert!(Starts::of("wells fargo bank").contains(&Starts::of("wel b")));
        assert!(!Starts::of("wells fargo bank").contains(&Starts::of("wel c")));
        assert!(!Starts::of("wells fargo bank").contains(&Starts::of("wi")));
        assert_eq!(Starts::of(""), Starts::default());
        assert_ne!(Starts::of("école 1st"), Starts::default());
    }

    #[test]
    fn a_query_in_other_abbreviations_than_the_name_is_not_ruled_out() {
        assert_eq!(
            kind("co op bank", "COOPERATIVE BANK"),
            Some(MatchKind::ExactName)
        );
        assert_eq!(
            kind("fnb", "FIRST NATIONAL BANK"),
            Some(MatchKind::ExactName)
        );
    }

    #[test]
    fn a_blank_query_is_empty() {
        let table = Abbreviations::new();
        assert!(Query::parse("  - ", &table).is_empty());
        assert!(!Query::parse("a", &table).is_empty());
    }
}
