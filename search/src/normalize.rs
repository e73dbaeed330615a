//! Text folding: the one form in which names and queries are compared.

/// Folds `text` into lower-case words of letters and digits separated by single spaces.
///
/// People type bank names without capitals, accents or punctuation, and directories spell
/// them every way ("BANK OF AMERICA, N.A.", "Bank of America NA"), so both sides are folded
/// the same way before they are compared:
///
/// - letters are lower-cased; Latin-1 and Latin Extended-A accents are dropped ("é" → "e",
///   "ß" → "ss", "Ł" → "l"), as are combining accents;
/// - apostrophes join ("People's" → "peoples"), so that typing either spelling finds it;
/// - dots between single letters join initialisms ("N.A." → "na", "U.S." → "us");
/// - "&" is the word "and" ("M&T" → "m and t"), as people type it either way;
/// - every other non-alphanumeric character separates words.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut separate = false;
    scan(text, |event| match event {
        Event::Text { c, .. } => {
            if separate && !out.is_empty() {
                out.push(' ');
            }
            separate = false;
            push_folded(&mut out, c);
        }
        Event::And { .. } => {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("and");
            separate = true;
        }
        Event::Separate => separate = true,
    });
    out
}

/// What [`scan`] finds, in order: the letters and digits of words, with their byte range in
/// the text, and where words end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// A letter or digit, to be folded with [`push_folded`].
    Text { c: char, at: std::ops::Range<usize> },
    /// An "&": the word "and" on its own.
    And { at: std::ops::Range<usize> },
    /// The current word ends (more than once in a row at times).
    Separate,
}

/// Walks `text` as [`normalize`] reads it; [`normalize`] and the highlighting of matches
/// share it, so that both split words alike.
pub(crate) fn scan(text: &str, mut on: impl FnMut(Event)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // Letters or digits since the last separator or dot, to recognise initialisms.
    let mut segment = 0usize;
    for (i, &(offset, c)) in chars.iter().enumerate() {
        let at = offset..offset + c.len_utf8();
        match classify(c) {
            Class::Text => {
                segment += 1;
                on(Event::Text { c, at });
            }
            Class::Join => {}
            Class::And => {
                on(Event::And { at });
                segment = 0;
            }
            Class::Dot => {
                if !(segment == 1 && is_single_char_segment(&chars, i + 1)) {
                    on(Event::Separate);
                }
                segment = 0;
            }
            Class::Separator => {
                on(Event::Separate);
                segment = 0;
            }
        }
    }
}

/// How a character takes part in words.
enum Class {
    /// A letter or digit: part of a word.
    Text,
    /// Dropped without splitting the word (apostrophes, combining accents).
    Join,
    /// Joins initialisms, separates otherwise.
    Dot,
    /// "&": the word "and" on its own.
    And,
    /// Ends the word.
    Separator,
}

fn classify(c: char) -> Class {
    match c {
        '.' => Class::Dot,
        '&' => Class::And,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{0300}'..='\u{036F}' => Class::Join,
        c if c.is_alphanumeric() => Class::Text,
        _ => Class::Separator,
    }
}

/// Whether exactly one letter or digit starts at `start` (as the "A" of "N.A.").
fn is_single_char_segment(chars: &[(usize, char)], start: usize) -> bool {
    let is_text = |i: usize| {
        chars
            .get(i)
            .is_some_and(|&(_, c)| matches!(classify(c), Class::Text))
    };
    is_text(start) && !is_text(start + 1)
}

pub(crate) fn push_folded(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if let Some(folded) = fold_latin(c) {
        out.push_str(folded);
    } else {
        crate::lowercase::push_lowercase(out, c);
    }
}

/// The unaccented lower-case spelling of a Latin-1 or Latin Extended-A letter.
fn fold_latin(c: char) -> Option<&'static str> {
    Some(match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć'..='č' => "c",
        'Ð' | 'ð' | 'Ď'..='đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => "e",
        'Ĝ'..='ģ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' => "k",
        'Ĺ'..='ł' => "l",
        'Ñ' | 'ñ' | 'Ń'..='ŋ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' | 'ſ' => "s",
        'ß' => "ss",
        'Ţ'..='ŧ' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => "y",
        'Ź'..='ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn lower_cases_and_separates_words_with_single_spaces() {
        assert_eq!(normalize("  WELLS   Fargo\tBank "), "wells fargo bank");
    }

    #[test]
    fn punctuation_separates_words() {
        assert_eq!(normalize("Bank of America, N.A."), "bank of america na");
        assert_eq!(normalize("BMO HARRIS BANK,N.A."), "bmo harris bank na");
        assert_eq!(normalize("Winston-Salem (Main)"), "winston salem main");
        assert_eq!(normalize("Sandbox Bank (OAuth)"), "sandbox bank oauth");
    }

    #[test]
    fn an_ampersand_is_the_word_and() {
        assert_eq!(normalize("Bank & Trust"), "bank and trust");
        assert_eq!(normalize("M&T BANK"), "m and t bank");
        assert_eq!(normalize("& Co"), "and co");
        assert_eq!(normalize("BK&&TR"), "bk and and tr");
    }

    #[test]
    fn initialisms_with_dots_become_one_word() {
        assert_eq!(normalize("U.S. Bank"), "us bank");
        assert_eq!(normalize("J.P. Morgan"), "jp morgan");
        assert_eq!(normalize("CITIBANK N.A"), "citibank na");
    }

    #[test]
    fn a_dot_after_a_longer_word_separates() {
        assert_eq!(normalize("ST.LOUIS"), "st louis");
        assert_eq!(normalize("A. Smith"), "a smith");
        assert_eq!(normalize("Bank Inc."), "bank inc");
    }

    #[test]
    fn apostrophes_join_the_word() {
        assert_eq!(normalize("People's Bank"), "peoples bank");
        assert_eq!(normalize("People\u{2019}s Bank"), "peoples bank");
    }

    #[test]
    fn latin_accents_are_dropped() {
        assert_eq!(normalize("Crédit Agricole"), "credit agricole");
        assert_eq!(normalize("ÅNGSTRÖM Façade"), "angstrom facade");
        assert_eq!(normalize("Straße Œuvre Ærø"), "strasse oeuvre aero");
        assert_eq!(normalize("Łódź Čeština Ÿ"), "lodz cestina y");
    }

    #[test]
    fn combining_accents_are_dropped() {
        assert_eq!(normalize("Cre\u{0301}dit"), "credit");
    }

    #[test]
    fn other_scripts_are_kept_lower_cased() {
        assert_eq!(normalize("ΤΡΆΠΕΖΑ"), "τράπεζα");
    }

    #[test]
    fn digits_are_words() {
        assert_eq!(normalize("1st Source Bank"), "1st source bank");
        assert_eq!(normalize("011-000-015"), "011 000 015");
    }

    #[test]
    fn nothing_but_punctuation_is_empty() {
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" .,- "), "");
    }
}
