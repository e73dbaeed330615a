//! Which parts of a name a query matched, so that the widget can emphasise them.

use std::ops::Range;

use crate::normalize::{Event, normalize, push_folded, scan};

/// A word of a name as [`normalize`] reads it, with where each of its letters came from.
struct Word {
    folded: String,
    /// For each letter: where its folded form ends in `folded`, and its bytes in the name.
    letters: Vec<(usize, Range<usize>)>,
}

impl Word {
    /// The bytes of the name that the first `length` folded bytes of the word came from.
    fn source_of_prefix(&self, length: usize) -> Option<Range<usize>> {
        let mut folded_start = 0;
        let mut span: Option<Range<usize>> = None;
        for (folded_end, at) in &self.letters {
            if folded_start >= length {
                break;
            }
            span = Some(match span {
                None => at.clone(),
                Some(span) => span.start..at.end,
            });
            folded_start = *folded_end;
        }
        span
    }
}

fn words(name: &str) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut open = false;
    scan(name, |event| match event {
        Event::Text { c, at } => {
            if !open {
                words.push(Word {
                    folded: String::new(),
                    letters: Vec::new(),
                });
                open = true;
            }
            if let Some(word) = words.last_mut() {
                push_folded(&mut word.folded, c);
                word.letters.push((word.folded.len(), at));
            }
        }
        Event::And { at } => {
            words.push(Word {
                folded: "and".to_owned(),
                letters: vec![(3, at)],
            });
            open = false;
        }
        Event::Separate => open = false,
    });
    words
}

/// The byte ranges of `name` that `query` matched, in order, for the widget to emphasise
/// ("wel far" in "Wells Fargo Bank": "Wel" and "Far").
///
/// When the name starts with the query, that start is emphasised across words; otherwise the
/// start of each name word that a query word begins (each name word at most once, longest
/// query words first, as search matches them). Matches through an alias, an abbreviation or a
/// routing number emphasise nothing.
///
/// ```
/// use finlink_search::highlight;
/// let name = "Wells Fargo Bank, N.A.";
/// let parts: Vec<&str> = highlight(name, "bank wel")
///     .into_iter()
///     .map(|range| &name[range])
///     .collect();
/// assert_eq!(parts, ["Wel", "Bank"]);
/// ```
pub fn highlight(name: &str, query: &str) -> Vec<Range<usize>> {
    let query = normalize(query);
    if query.is_empty() {
        return Vec::new();
    }
    let words = words(name);
    let joined = words
        .iter()
        .map(|word| word.folded.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let mut ranges = Vec::new();
    if joined.starts_with(&query) {
        let mut remaining = query.len();
        for word in &words {
            if remaining == 0 {
                break;
            }
            ranges.extend(word.source_of_prefix(remaining));
            remaining = remaining.saturating_sub(word.folded.len() + 1);
        }
        return ranges;
    }
    let mut query_words: Vec<&str> = query.split(' ').collect();
    crate::order::sort_by_key(&mut query_words, |word| std::cmp::Reverse(word.len()));
    let mut used = vec![false; words.len()];
    for query_word in query_words {
        let free = words
            .iter()
            .zip(used.iter_mut())
            .find(|(word, used)| !**used && word.folded.starts_with(query_word));
        if let Some((word, used)) = free {
            *used = true;
            ranges.extend(word.source_of_prefix(query_word.len()));
        }
    }
    crate::order::sort_by_key(&mut ranges, |range| range.start);
    ranges
}

#[cfg(test)]
mod tests {
    use super::highlight;

    fn parts<'a>(name: &'a str, query: &str) -> Vec<&'a str> {
        highlight(name, query)
            .into_iter()
            .filter_map(|range| name.get(range))
            .collect()
    }

    #[test]
    fn the_start_of_the_name_is_emphasised_across_words() {
        assert_eq!(parts("Wells Fargo Bank", "wells f"), ["Wells", "F"]);
        assert_eq!(
            parts("Bank of America, N.A.", "BANK OF AM"),
            ["Bank", "of", "Am"]
        );
        assert_eq!(
            parts("Bank of America, N.A.", "bank of america na"),
            ["Bank", "of", "America", "N.A"]
        );
    }

    #[test]
    fn word_prefixes_are_emphasised_in_name_order() {
        assert_eq!(parts("Wells Fargo Bank", "far wel"), ["Wel", "Far"]);
        assert_eq!(
            parts("First Bank of Firestone", "fir first"),
            ["First", "Fir"]
        );
        assert_eq!(parts("Navy Federal Credit Union", "credit"), ["Credit"]);
    }

    #[test]
    fn accents_apostrophes_and_ampersands_map_back_to_the_name() {
        assert_eq!(parts("Banco Crédito Rural", "credi"), ["Crédi"]);
        assert_eq!(parts("People's United Bank", "peoples"), ["People's"]);
        assert_eq!(parts("M & T Bank", "m and t"), ["M", "&", "T"]);
        assert_eq!(parts("Straße Bank", "stras"), ["Straß"]);
    }

    #[test]
    fn what_matched_through_aliases_or_abbreviations_is_not_emphasised() {
        assert!(parts("JPMorgan Chase Bank, N.A.", "bofa").is_empty());
        assert_eq!(parts("1st Natl Bk", "first bk"), ["Bk"]);
        assert!(parts("Any Bank", "").is_empty());
        assert!(parts("Any Bank", "021000021").is_empty());
    }
}
