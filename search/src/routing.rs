//! ABA routing transit numbers: nine digits whose weighted sum (3, 7, 1, 3, 7, 1, 3, 7, 1)
//! is a multiple of 10.

/// Weights of the nine digits in the ABA checksum.
const WEIGHTS: [u32; 9] = [3, 7, 1, 3, 7, 1, 3, 7, 1];

/// Whether `number` is nine ASCII digits with a valid check digit ("021000021").
pub fn is_valid(number: &str) -> bool {
    number.len() == WEIGHTS.len()
        && number.bytes().all(|b| b.is_ascii_digit())
        && weighted_sum(number.bytes()).is_multiple_of(10)
}

/// The check digit that completes `first_eight` (taken modulo 10^8) into a routing number.
pub fn check_digit(first_eight: u32) -> u32 {
    let body = eight_digits(first_eight);
    (10 - weighted_sum(body.into_iter()) % 10) % 10
}

/// The routing number made of `first_eight` (taken modulo 10^8) and its check digit.
pub fn with_check_digit(first_eight: u32) -> String {
    let body = eight_digits(first_eight);
    let check = (10 - weighted_sum(body.into_iter()) % 10) % 10;
    let mut number = String::with_capacity(WEIGHTS.len());
    number.extend(body.iter().map(|&digit| char::from(digit)));
    number.push(char::from(b'0' + check as u8));
    number
}

/// The ASCII digits of `value` modulo 10^8, zero-padded to eight (without `format!`, which
/// the widget would otherwise link for this alone).
fn eight_digits(value: u32) -> [u8; 8] {
    let mut digits = [b'0'; 8];
    let mut rest = value % 100_000_000;
    for digit in digits.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    digits
}

fn weighted_sum(digits: impl Iterator<Item = u8>) -> u32 {
    digits
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit.saturating_sub(b'0')) * weight)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::{check_digit, is_valid, with_check_digit};

    #[test]
    fn real_routing_numbers_are_valid() {
        assert!(is_valid("011000015"));
        assert!(is_valid("021000021"));
        assert!(is_valid("110000000"));
    }

    #[test]
    fn a_wrong_check_digit_length_or_character_is_invalid() {
        assert!(!is_valid("011000016"));
        assert!(!is_valid("01100001"));
        assert!(!is_valid("0110000150"));
        assert!(!is_valid("01100001A"));
        assert!(!is_valid(""));
    }

    #[test]
    fn the_check_digit_completes_the_first_eight() {
        assert_eq!(check_digit(2_100_002), 1);
        assert_eq!(with_check_digit(1_100_001), "011000015");
        assert_eq!(with_check_digit(11_000_001), "110000013");
        for first_eight in [0, 12_345_678, 99_999_999, 31_000_503] {
            assert!(is_valid(&with_check_digit(first_eight)));
        }
    }
}
