//! Abbreviations and their expansions, both ways: "NATL" finds "National" and "national"
//! finds "NATL"; "FCU", "F.C.U.", "FED CR UN" and "Federal Credit Union" are one thing.
//!
//! These are facts of the language of US bank names (how the Federal Reserve and the banks
//! abbreviate), so they are code here; names of particular institutions ("bofa", "chase")
//! are data that the directory carries as aliases.
//!
//! Everything works on normalized words (see [`crate::normalize`]).

/// An abbreviation (one or more normalized words) and what it stands for. Several expansions
/// mean the abbreviation is ambiguous ("st": saint, state or street): a name holding it
/// matches all of them, and its canonical form keeps the abbreviation.
const TABLE: &[(&str, &[&str])] = &[
    // Credit unions.
    ("fcu", &["federal credit union"]),
    ("f c u", &["federal credit union"]),
    ("efcu", &["employees federal credit union"]),
    ("e f c u", &["employees federal credit union"]),
    ("dfcu", &["district federal credit union"]),
    ("ecu", &["employees credit union"]),
    ("cu", &["credit union"]),
    ("c u", &["credit union"]),
    ("cr", &["credit"]),
    ("cred", &["credit"]),
    ("cdt", &["credit"]),
    ("un", &["union"]),
    ("fed", &["federal"]),
    // Banks.
    ("na", &["national association"]),
    ("n a", &["national association"]),
    ("natl", &["national"]),
    ("nb", &["national bank"]),
    ("fnb", &["first national bank"]),
    ("bk", &["bank"]),
    ("bks", &["banks"]),
    ("bkg", &["banking"]),
    ("b and t", &["bank and trust"]),
    ("tr", &["trust"]),
    ("fsb", &["federal savings bank"]),
    ("ssb", &["state savings bank"]),
    ("sb", &["savings bank"]),
    ("svgs", &["savings"]),
    ("svg", &["savings"]),
    ("sav", &["savings"]),
    ("s and l", &["savings and loan"]),
    ("ln", &["loan"]),
    ("mtg", &["mortgage"]),
    ("assn", &["association"]),
    ("asn", &["association"]),
    ("assoc", &["association"]),
    ("co", &["company"]),
    ("co op", &["cooperative"]),
    ("coop", &["cooperative"]),
    ("corp", &["corporation"]),
    ("finl", &["financial"]),
    ("merch", &["merchants"]),
    ("intl", &["international"]),
    // Ordinals.
    ("1st", &["first"]),
    ("2nd", &["second"]),
    ("3rd", &["third"]),
    ("4th", &["fourth"]),
    ("5th", &["fifth"]),
    // Places and members.
    ("st", &["saint", "state", "street"]),
    ("mt", &["mount", "mountain"]),
    ("mtn", &["mountain"]),
    ("ft", &["fort"]),
    ("pt", &["point", "port"]),
    ("cty", &["county", "city"]),
    ("cnty", &["county"]),
    ("ctr", &["center"]),
    ("cntr", &["center"]),
    ("comm", &["community", "commerce", "commercial"]),
    ("cmnty", &["community"]),
    ("cmty", &["community"]),
    ("amer", &["american", "america"]),
    ("emp", &["employees"]),
    ("empl", &["employees"]),
    ("emply", &["employees"]),
    ("emps", &["employees"]),
    ("univ", &["university"]),
    ("hosp", &["hospital"]),
    ("dept", &["department"]),
    ("dist", &["district"]),
    ("div", &["division"]),
    ("govt", &["government"]),
    ("mun", &["municipal"]),
    ("muni", &["municipal"]),
    ("tel", &["telephone"]),
];

/// One phrase of [`TABLE`], split into words, and where it belongs.
#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<&'static str>,
    entry: usize,
}

/// Phrases sorted by first word, with a quick test that rules out most words.
#[derive(Debug, Clone, Default)]
struct Phrases {
    sorted: Vec<Phrase>,
    /// A set of hashes of the first words (1024 bits): a word whose bit is unset starts no
    /// phrase, which is the answer for most words of most names.
    firsts: [u64; 16],
}

impl Phrases {
    fn new(mut phrases: Vec<Phrase>) -> Phrases {
        let first = |phrase: &Phrase| phrase.words.first().copied().unwrap_or_default();
        crate::order::sort_by(&mut phrases, |a, b| first(a).cmp(first(b)));
        let mut firsts = [0u64; 16];
        for phrase in &phrases {
            let bit = word_bit(first(phrase));
            if let Some(slot) = firsts.get_mut(bit / 64) {
                *slot |= 1 << (bit % 64);
            }
        }
        Phrases {
            sorted: phrases,
            firsts,
        }
    }

    /// The phrases that `words` starts with.
    fn starting<'p>(&'p self, words: &[&str]) -> impl Iterator<Item = &'p Phrase> {
        let first = words.first().copied().unwrap_or_default();
        let bit = word_bit(first);
        let may = self
            .firsts
            .get(bit / 64)
            .is_some_and(|slot| slot & (1 << (bit % 64)) != 0);
        let sorted = if may { &self.sorted[..] } else { &[] };
        let from = sorted.partition_point(|p| p.words.first().copied().unwrap_or_default() < first);
        sorted
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |p| p.words.first().copied() == Some(first))
            .filter(move |p| words.starts_with(&p.words))
    }

    /// The longest phrase that `words` starts with.
    fn longest(&self, words: &[&str]) -> Option<&Phrase> {
        self.starting(words).max_by_key(|p| p.words.len())
    }
}

/// A hash of `word` (FNV-1a), as a bit of [`Phrases::firsts`].
fn word_bit(word: &str) -> usize {
    let hash = word.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    (hash % 1024) as usize
}

/// [`TABLE`] arranged for lookups by first word, built once per index.
#[derive(Debug, Clone)]
pub(crate) struct Abbreviations {
    /// Abbreviations.
    abbreviations: Phrases,
    /// Expansions: each points to the entry it expands.
    expansions: Phrases,
}

impl Default for Abbreviations {
    fn default() -> Self {
        Self::new()
    }
}

impl Abbreviations {
    pub(crate) fn new() -> Abbreviations {
        let mut abbreviations = Vec::with_capacity(TABLE.len());
        let mut expansions = Vec::with_capacity(TABLE.len());
        for (entry, (abbreviation, expanded)) in TABLE.iter().enumerate() {
            abbreviations.push(Phrase {
                words: abbreviation.split(' ').collect(),
                entry,
            });
            for expansion in *expanded {
                expansions.push(Phrase {
                    words: expansion.split(' ').collect(),
                    entry,
                });
            }
        }
        Abbreviations {
            abbreviations: Phrases::new(abbreviations),
            expansions: Phrases::new(expansions),
        }
    }

    /// The words with every unambiguous abbreviation expanded ("1st natl bk" → "first
    /// national bank"), so that two spellings of one name compare equal.
    pub(crate) fn canonical<'w>(&self, words: &[&'w str]) -> Vec<&'w str> {
        let mut out = Vec::with_capacity(words.len() + 2);
        let mut at = 0;
        while let Some(rest) = words.get(at..).filter(|rest| !rest.is_empty()) {
            let expansion = self.abbreviations.longest(rest).and_then(|phrase| {
                match TABLE.get(phrase.entry).map(|(_, expanded)| *expanded) {
                    Some([only]) => Some((phrase.words.len(), *only)),
                    _ => None,
                }
            });
            match expansion {
                Some((length, expanded)) => {
                    out.extend(expanded.split(' '));
                    at += length;
                }
                None => {
                    out.extend(rest.first().copied());
                    at += 1;
                }
            }
        }
        out
    }

    /// The other spellings of what `words` (a normalized name, whose [`canonical`] form is
    /// `canonical`) says: the expansions of its abbreviations and the one-word abbreviations
    /// of its expanded phrases, each once and none already among `words`.
    ///
    /// [`canonical`]: Abbreviations::canonical
    pub(crate) fn equivalents(&self, words: &[&str], canonical: &[&str]) -> Vec<&'static str> {
        let mut extra: Vec<&'static str> = Vec::new();
        let mut add = |word: &'static str| {
            if !words.contains(&word) && !extra.contains(&word) {
                extra.push(word);
            }
        };
        for at in 0..words.len() {
            let rest = words.get(at..).unwrap_or_default();
            for phrase in self.abbreviations.starting(rest) {
                for expansion in TABLE.get(phrase.entry).map_or(&[][..], |(_, e)| e) {
                    expansion.split(' ').for_each(&mut add);
                }
            }
        }
        for at in 0..canonical.len() {
            let rest = canonical.get(at..).unwrap_or_default();
            for phrase in self.expansions.starting(rest) {
                if let Some((abbreviation, _)) = TABLE.get(phrase.entry)
                    && !abbreviation.contains(' ')
                {
                    add(abbreviation);
                }
            }
        }
        extra
    }
}

/// Whether `word` (normalized) abbreviates exactly one word ("natl", "bk", "st"), rather
/// than being an initialism of several ("fcu", "na"): display names title-case the former.
pub(crate) fn abbreviates_one_word(word: &str) -> bool {
    TABLE.iter().any(|(abbreviation, expanded)| {
        *abbreviation == word && expanded.iter().all(|e| !e.contains(' '))
    })
}

/// Whether `word` (normalized) is an initialism of several words ("fcu", "na", "fsb").
pub(crate) fn is_initialism(word: &str) -> bool {
    TABLE.iter().any(|(abbreviation, expanded)| {
        *abbreviation == word && expanded.iter().any(|e| e.contains(' '))
    })
}

#[cfg(test)]
mod tests {
    use super::{Abbreviations, TABLE, abbreviates_one_word, is_initialism};

    fn canonical(text: &str) -> String {
        let words: Vec<&str> = text.split(' ').collect();
        Abbreviations::new().canonical(&words).join(" ")
    }

    fn equivalents(text: &str) -> Vec<&'static str> {
        let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
        let table = Abbreviations::new();
        table.equivalents(&words, &table.canonical(&words))
    }

    #[test]
    fn the_table_is_normalized_and_each_abbreviation_appears_once() {
        for (abbreviation, expanded) in TABLE {
            assert_eq!(crate::normalize(abbreviation), *abbreviation);
            for expansion in *expanded {
                assert_eq!(crate::normalize(expansion), *expansion);
            }
            let count = TABLE.iter().filter(|(a, _)| a == abbreviation).count();
            assert_eq!(count, 1, "{abbreviation}");
        }
    }

    #[test]
    fn canonical_forms_expand_unambiguous_abbreviations() {
        assert_eq!(canonical("1st natl bk"), "first national bank");
        assert_eq!(canonical("navy fcu"), "navy federal credit union");
        assert_eq!(canonical("navy f c u"), "navy federal credit union");
        assert_eq!(canonical("akron fed cr un"), "akron federal credit union");
        assert_eq!(
            canonical("jpmorgan chase bank na"),
            "jpmorgan chase bank national association"
        );
        assert_eq!(canonical("m and t bank"), "m and t bank");
    }

    #[test]
    fn the_longest_abbreviation_wins() {
        assert_eq!(
            canonical("cape cod co op bank"),
            "cape cod cooperative bank"
        );
        assert_eq!(canonical("bank and trust co"), "bank and trust company");
        assert_eq!(canonical("1st s and l"), "first savings and loan");
    }

    #[test]
    fn ambiguous_abbreviations_stay_in_canonical_forms() {
        assert_eq!(canonical("bank of st louis"), "bank of st louis");
        assert_eq!(canonical("iron mt bank"), "iron mt bank");
    }

    #[test]
    fn equivalents_hold_expansions_of_abbreviations() {
        let found = equivalents("navy fcu");
        assert_eq!(found[..3], ["federal", "credit", "union"]);
        assert!(
            !found.contains(&"fcu"),
            "never a word the name has: {found:?}"
        );
        let found = equivalents("bank of st louis");
        assert_eq!(found[..3], ["saint", "state", "street"]);
    }

    #[test]
    fn equivalents_hold_abbreviations_of_expanded_words() {
        let found = equivalents("first national bank");
        for word in ["1st", "natl", "bk", "fnb"] {
            assert!(found.contains(&word), "{word} in {found:?}");
        }
        let found = equivalents("navy federal credit union");
        for word in ["fed", "cr", "un", "cu", "fcu"] {
            assert!(found.contains(&word), "{word} in {found:?}");
        }
        assert!(equivalents("saint louis bank").contains(&"st"));
    }

    #[test]
    fn equivalents_of_abbreviations_include_their_other_abbreviations() {
        // "fed cr un" → "federal credit union" → "fcu".
        assert!(equivalents("akron fed cr un").contains(&"fcu"));
    }

    #[test]
    fn words_without_equivalents_have_none() {
        assert!(equivalents("wells fargo").is_empty());
        assert!(equivalents("").is_empty());
    }

    #[test]
    fn one_word_abbreviations_and_initialisms() {
        assert!(abbreviates_one_word("natl"));
        assert!(abbreviates_one_word("st"));
        assert!(!abbreviates_one_word("fcu"));
        assert!(is_initialism("fcu"));
        assert!(is_initialism("na"));
        assert!(!is_initialism("bk"));
        assert!(!is_initialism("wells"));
    }
}
