//! Display names: directory names as a person reads them.
//!
//! Directories often spell names in upper case with the Federal Reserve's abbreviations
//! ("JPMORGAN CHASE BANK, NA"); people read "JPMorgan Chase Bank, N.A.". A name that already
//! has lower-case letters was cased by its source and is kept as it is (spaces aside).

use crate::abbreviations::{abbreviates_one_word, is_initialism};

/// Small words written in lower case inside a name: English, and the Spanish and French of
/// Puerto Rican and foreign banks' names ("Banco de la Nación").
const MINOR_WORDS: &[&str] = &[
    "a", "and", "at", "by", "da", "das", "de", "del", "des", "do", "dos", "du", "e", "for", "in",
    "la", "las", "los", "of", "on", "the", "to", "y",
];

/// Words in upper case that have vowels (words without vowels are kept upper case anyway).
const ACRONYMS: &[&str] = &[
    "aba", "afl", "bbva", "bny", "bok", "cio", "cit", "dba", "ge", "hsa", "ibc", "ibew", "ibm",
    "ira", "nasa", "nea", "seiu", "tiaa", "uaw", "ubs", "umb", "us", "usa", "usaa", "bmo",
];

/// Brands whose casing no rule finds.
const BRANDS: &[(&str, &str)] = &[
    ("bancfirst", "BancFirst"),
    ("bancorpsouth", "BancorpSouth"),
    ("firstbank", "FirstBank"),
    ("jpmorgan", "JPMorgan"),
    ("keybank", "KeyBank"),
    ("suntrust", "SunTrust"),
    ("truist", "Truist"),
];

/// US state and territory codes, except those that are also words or abbreviations in bank
/// names ("CO" company, "DE", "HI", "IN", "LA", "ME", "MT" mount, "OK", "OR").
const STATES: &[&str] = &[
    "ak", "al", "ar", "az", "ca", "ct", "dc", "fl", "ga", "gu", "ia", "id", "il", "ks", "ky", "ma",
    "md", "mi", "mn", "mo", "ms", "nc", "nd", "ne", "nh", "nj", "nm", "nv", "ny", "oh", "pa", "pr",
    "ri", "sc", "sd", "tn", "tx", "ut", "va", "vi", "vt", "wa", "wi", "wv", "wy",
];

/// `name` as people read it: title case, with initialisms ("FCU", "USA"), state codes and
/// "N.A." kept, small words in lower case, single spaces, and a space after each comma.
///
/// Only the case, the spaces and the dots of "N.A." change, so [`crate::normalize`] gives the
/// same text for the display name as for the directory's name, and a search finds both alike.
///
/// ```
/// use finlink_search::display_name;
/// assert_eq!(display_name("JPMORGAN CHASE BANK, NA"), "JPMorgan Chase Bank, N.A.");
/// assert_eq!(display_name("NAVY FEDERAL CREDIT UNION"), "Navy Federal Credit Union");
/// assert_eq!(display_name("1ST NATL BK & TR CO OF ST LOUIS"), "1st Natl Bk & Tr Co of St Louis");
/// assert_eq!(display_name("Sandbox Bank (OAuth)"), "Sandbox Bank (OAuth)");
/// ```
pub fn display_name(name: &str) -> String {
    let tokens = tokens(name);
    if name.chars().any(char::is_lowercase) {
        return tokens
            .iter()
            .map(|token| match token {
                Token::Word(word) => *word,
                Token::Gap(gap) => gap_text(gap),
            })
            .collect::<String>()
            .trim()
            .to_owned();
    }
    let mut out = String::with_capacity(name.len() + 4);
    let mut skip_dot = false;
    for (at, token) in tokens.iter().enumerate() {
        match token {
            Token::Gap(gap) => {
                let mut gap = gap_text(gap);
                if skip_dot {
                    gap = gap.strip_prefix('.').unwrap_or(gap);
                    skip_dot = false;
                }
                let next_is_word = matches!(tokens.get(at + 1), Some(Token::Word(_)));
                let gap = tidy_gap(gap, at == 0, next_is_word);
                out.push_str(&gap);
            }
            Token::Word(word) => {
                let context = Context::at(&tokens, at);
                let (cased, added_dots) = case_word(word, &context);
                out.push_str(&cased);
                skip_dot = added_dots;
            }
        }
    }
    out.trim().to_owned()
}

/// A run of letters and digits (with apostrophes inside, as in "PEOPLE'S"), or what lies
/// between two of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Gap(&'a str),
}

fn tokens(name: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    for (i, &(offset, c)) in chars.iter().enumerate() {
        let apostrophe_inside = c == '\''
            && in_word
            && chars
                .get(i + 1)
                .is_some_and(|&(_, next)| next.is_alphanumeric());
        let wordy = c.is_alphanumeric() || apostrophe_inside;
        if wordy != in_word && offset > start {
            let text = name.get(start..offset).unwrap_or_default();
            tokens.push(if in_word {
                Token::Word(text)
            } else {
                Token::Gap(text)
            });
            start = offset;
        }
        in_word = wordy;
    }
    if start < name.len() {
        let text = name.get(start..).unwrap_or_default();
        tokens.push(if in_word {
            Token::Word(text)
        } else {
            Token::Gap(text)
        });
    }
    tokens
}

/// A gap with its spaces collapsed (and tabs or line breaks as spaces).
fn gap_text(gap: &str) -> &str {
    if gap.chars().all(|c| !c.is_whitespace()) || gap == " " {
        gap
    } else if gap.trim().is_empty() {
        " "
    } else {
        gap
    }
}

/// Spaces in a gap as in running text: one at most, none after "(" or before ")", one after
/// a comma that a word follows.
fn tidy_gap(gap: &str, first: bool, next_is_word: bool) -> String {
    let mut out = String::with_capacity(gap.len() + 1);
    for c in gap.chars() {
        let c = if c.is_whitespace() { ' ' } else { c };
        let previous = out.chars().last();
        if c == ' ' && (previous == Some(' ') || previous == Some('(') || (first && out.is_empty()))
        {
            continue;
        }
        if c == ')' && previous == Some(' ') {
            out.pop();
        }
        out.push(c);
    }
    if next_is_word && out.ends_with(',') {
        out.push(' ');
    }
    out
}

/// Where a word stands, for the rules that depend on its neighbours.
struct Context<'a> {
    first: bool,
    before: &'a str,
    after: &'a str,
    previous_word: Option<&'a str>,
    next_word: Option<&'a str>,
    next_gap_after_word: Option<&'a str>,
}

impl<'a> Context<'a> {
    fn at(tokens: &[Token<'a>], at: usize) -> Context<'a> {
        let gap = |i: Option<usize>| match i.and_then(|i| tokens.get(i)) {
            Some(Token::Gap(gap)) => *gap,
            _ => "",
        };
        let word = |i: Option<usize>| match i.and_then(|i| tokens.get(i)) {
            Some(Token::Word(word)) => Some(*word),
            _ => None,
        };
        let previous_word = word(at.checked_sub(2)).or(word(at.checked_sub(1)));
        let next_word = word(Some(at + 2)).or(word(Some(at + 1)));
        Context {
            first: tokens
                .iter()
                .take(at)
                .all(|token| matches!(token, Token::Gap(_))),
            before: gap(at.checked_sub(1)),
            after: gap(Some(at + 1)),
            previous_word,
            next_word,
            next_gap_after_word: next_word.map(|_| gap(Some(at + 3))),
        }
    }
}

/// The word as displayed, and whether it ends with dots it added ("NA" → "N.A.").
fn case_word(word: &str, context: &Context<'_>) -> (String, bool) {
    let lower = word.to_lowercase();
    let key: String = lower.chars().filter(|&c| c != '\'').collect();
    if key == "na" && !context.after.starts_with(|c: char| c.is_alphanumeric()) {
        return ("N.A.".to_owned(), true);
    }
    // "N.A" without its last dot.
    if key == "a"
        && context.before == "."
        && context.previous_word == Some("N")
        && !context.after.starts_with('.')
        && context.next_word.is_none()
    {
        return ("A.".to_owned(), false);
    }
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return (lower, false);
    }
    if word.chars().any(|c| c.is_ascii_digit()) {
        return (word.to_owned(), false);
    }
    if let Some((_, brand)) = BRANDS.iter().find(|(plain, _)| *plain == key) {
        return ((*brand).to_owned(), false);
    }
    if lower
        .strip_suffix("'s")
        .is_some_and(|base| !base.contains('\''))
    {
        // "CU'S" is the initialism's plural; "AMERICA'S" is a word's possessive.
        let stem = word.get(..word.len().saturating_sub(2)).unwrap_or_default();
        let (cased, _) = case_word(stem, context);
        return (format!("{cased}'s"), false);
    }
    let compound = context.before == "&" || context.after == "&";
    let single_letter = key.chars().count() == 1;
    if is_minor(&key, context) {
        return (lower, false);
    }
    if single_letter
        || ACRONYMS.contains(&key.as_str())
        || STATES.contains(&key.as_str())
        || is_initialism(&key)
        || ((key.ends_with("fcu") || key.ends_with("cu")) && key.len() <= 6)
    {
        return (word.to_owned(), false);
    }
    if abbreviates_one_word(&key) {
        return (title(word), false);
    }
    if !has_vowel(&key) || (compound && key.len() <= 3) {
        return (word.to_owned(), false);
    }
    if let Some(rest) = word.strip_prefix("MC").filter(|rest| rest.len() >= 2) {
        return (format!("Mc{}", title(rest)), false);
    }
    (title(word), false)
}

/// Whether a small word is written in lower case here: never first, never right after an
/// opening parenthesis, and a single letter ("Y", "E", "A") only between longer words.
fn is_minor(key: &str, context: &Context<'_>) -> bool {
    let compound = context.before == "&" || context.after == "&";
    if context.first || compound || !MINOR_WORDS.contains(&key) || context.before.ends_with('(') {
        return false;
    }
    if key.chars().count() == 1 {
        let long = |word: Option<&str>| word.is_some_and(|w| w.chars().count() > 1);
        return context.before.ends_with(' ')
            && context.after == " "
            && long(context.previous_word)
            && long(context.next_word)
            && context.next_gap_after_word != Some(".");
    }
    true
}

fn has_vowel(key: &str) -> bool {
    key.chars().any(|c| "aeiouy".contains(c))
}

/// "PEOPLE'S" → "People's", "O'BRIEN" → "O'Brien", "WINSTON" → "Winston".
fn title(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    let mut previous = None;
    for c in chars {
        // A single letter and an apostrophe start a name of its own: O'Brien, D'Iberville.
        if previous == Some('\'') && out.chars().count() == 2 {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        previous = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[track_caller]
    fn shows(directory: &str, display: &str) {
        assert_eq!(display_name(directory), display, "{directory:?}");
        assert_eq!(
            crate::normalize(&display_name(directory)),
            crate::normalize(directory),
            "search finds the display name as it finds {directory:?}"
        );
    }

    #[test]
    fn upper_case_names_are_title_cased() {
        shows("NAVY FEDERAL CREDIT UNION", "Navy Federal Credit Union");
        shows("WELLS FARGO BANK", "Wells Fargo Bank");
        shows("WINSTON-SALEM SCHOOLS FCU", "Winston-Salem Schools FCU");
    }

    #[test]
    fn national_association_is_n_a_with_dots() {
        shows("JPMORGAN CHASE BANK, NA", "JPMorgan Chase Bank, N.A.");
        shows("BANK OF AMERICA, N.A.", "Bank of America, N.A.");
        shows("BANK OF AMERICA N.A", "Bank of America N.A.");
        shows("BMO HARRIS BANK,N.A.", "BMO Harris Bank, N.A.");
        shows("BMO HARRIS BANK, NA.", "BMO Harris Bank, N.A.");
        shows("US BANK NA (LAMORINDA NB)", "US Bank N.A. (Lamorinda NB)");
        shows("NATIONAL BANK", "National Bank");
    }

    #[test]
    fn initialisms_and_acronyms_stay_upper_case() {
        shows("PNC BANK, NA", "PNC Bank, N.A.");
        shows("USAA FEDERAL SAVINGS BANK", "USAA Federal Savings Bank");
        shows(
            "CAPITAL ONE BANK (USA), N.A.",
            "Capital One Bank (USA), N.A.",
        );
        shows("HSBC BANK USA, NA", "HSBC Bank USA, N.A.");
        shows("ARLINGTON MUNICIPAL F.C.U.", "Arlington Municipal F.C.U.");
        shows(
            "AMERICAN UNITED FAMILY OF CU'S FCU",
            "American United Family of CU's FCU",
        );
        shows("IBEW #968 FCU", "IBEW #968 FCU");
        shows("HOME FSB", "Home FSB");
        shows("BB&T NORTH CAROLINA", "BB&T North Carolina");
        shows("M & T BANK", "M & T Bank");
        shows("1ST S&L ASN", "1st S&L Asn");
        shows("AT&T EMPLOYEES FCU", "AT&T Employees FCU");
    }

    #[test]
    fn word_abbreviations_are_title_cased() {
        shows("1ST NATL BK & TR CO", "1st Natl Bk & Tr Co");
        shows("BANK OF ST LOUIS", "Bank of St Louis");
        shows(
            "MT RAINIER FEDERAL CREDIT UNION",
            "Mt Rainier Federal Credit Union",
        );
        shows(
            "CANANDAIGUA NAT'L BANK & TR. CO.",
            "Canandaigua Nat'l Bank & Tr. Co.",
        );
        shows("AKRON MUNICIPAL EMP CR UN", "Akron Municipal Emp Cr Un");
    }

    #[test]
    fn small_words_are_lower_case_except_first() {
        shows("THE BANK OF THE OZARKS", "The Bank of the Ozarks");
        shows("BANK OF BIRD-IN-HAND", "Bank of Bird-in-Hand");
        shows(
            "BANCO DE LA NACION ARGENTINA",
            "Banco de la Nacion Argentina",
        );
        shows(
            "COOP DE AHORRO Y CREDITO DE MOCA",
            "Coop de Ahorro y Credito de Moca",
        );
        shows(
            "AMERICA'S CREDIT UNION, A FEDERAL CU",
            "America's Credit Union, a Federal CU",
        );
        shows("A H E PLANT NO 3 FCU", "A H E Plant No 3 FCU");
        shows("FIRST BANK IN HOMINY", "First Bank in Hominy");
    }

    #[test]
    fn state_codes_stay_upper_case() {
        shows("BANCO POPULAR DE PR", "Banco Popular de PR");
        shows(
            "MT VERNON NY POSTAL E.F.C.U.",
            "Mt Vernon NY Postal E.F.C.U.",
        );
        shows("COLORADO BANK & TRUST CO", "Colorado Bank & Trust Co");
    }

    #[test]
    fn ordinals_and_numbers() {
        shows("1ST SOURCE BANK", "1st Source Bank");
        shows("74TH ST DFCU", "74th St DFCU");
        shows(
            "US 1364 FEDERAL CREDIT UNION",
            "US 1364 Federal Credit Union",
        );
        shows(
            "DFAS-IN CENTRAL DISBURSING/E1",
            "Dfas-in Central Disbursing/E1",
        );
    }

    #[test]
    fn names_with_apostrophes_and_mc() {
        shows("PEOPLE'S UNITED BANK, N.A.", "People's United Bank, N.A.");
        shows("O'BRIEN STATE BANK", "O'Brien State Bank");
        shows("MT MCKINLEY BANK", "Mt McKinley Bank");
    }

    #[test]
    fn spaces_are_tidied() {
        shows("1ST  COMMUNITY CREDIT UNION ", "1st Community Credit Union");
        shows(
            "ALL AMERICA BANK ( SECONDARY RTN)",
            "All America Bank (Secondary RTN)",
        );
        shows("Sandbox  Bank ", "Sandbox Bank");
    }

    #[test]
    fn names_cased_by_their_source_are_kept() {
        shows("Sandbox Bank (OAuth)", "Sandbox Bank (OAuth)");
        shows("U.S. Bank", "U.S. Bank");
        shows("Banco Crédito Rural", "Banco Crédito Rural");
    }

    #[test]
    fn empty_and_odd_names() {
        shows("", "");
        shows("   ", "");
        shows("&", "&");
        shows("ÉCOLE BANQUE", "École Banque");
    }
}
