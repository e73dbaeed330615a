//! Lower-casing beyond Latin, as `char::to_lowercase` does it, from a table a tenth its size.
//!
//! The standard library's table maps each upper-case letter on its own (about 11 KB in the
//! widget's WebAssembly); most letters, though, lie in runs that are lowered by adding one
//! same difference, every letter or every other one ("Ā" to "ı" alternate upper and lower).
//! [`RUNS`] lists those runs, so that names and queries fold exactly as before. A test checks
//! every character against `char::to_lowercase`, and prints the table anew when a Rust
//! release brings a new Unicode version.

/// Runs of characters lowered by adding the same difference, by first character: each is
/// `(first << 11 | length << 1 | (step - 1), difference)`, a run being `length` characters
/// from `first` on, `step` (1 or 2) apart. Characters outside every run are their own lower
/// case, but for "İ" (see [`push_lowercase`]).
#[rustfmt::skip]
const RUNS: &[(u32, i32)] = &[
    (0x00020834, 32), (0x0006002e, 32), (0x0006c00e, 32), (0x00080031, 1), (0x00099007, 1),
    (0x0009c811, 1), (0x000a502f, 1), (0x000bc002, -121), (0x000bc807, 1), (0x000c0802, 210),
    (0x000c1005, 1), (0x000c3002, 206), (0x000c3802, 1), (0x000c4804, 205), (0x000c5802, 1),
    (0x000c7002, 79), (0x000c7802, 202), (0x000c8002, 203), (0x000c8802, 1), (0x000c9802, 205),
    (0x000ca002, 207), (0x000cb002, 211), (0x000cb802, 209), (0x000cc002, 1), (0x000ce002, 211),
    (0x000ce802, 213), (0x000cf802, 214), (0x000d0007, 1), (0x000d3002, 218), (0x000d3802, 1),
    (0x000d4802, 218), (0x000d6002, 1), (0x000d7002, 218), (0x000d7802, 1), (0x000d8804, 217),
    (0x000d9805, 1), (0x000db802, 219), (0x000dc002, 1), (0x000de002, 1), (0x000e2002, 2),
    (0x000e2802, 1), (0x000e3802, 2), (0x000e4002, 1), (0x000e5002, 2), (0x000e5813, 1),
    (0x000ef013, 1), (0x000f8802, 2), (0x000f9005, 1), (0x000fb002, -97), (0x000fb802, -56),
    (0x000fc029, 1), (0x00110002, -130), (0x00111013, 1), (0x0011d002, 10795), (0x0011d802, 1),
    (0x0011e802, -163), (0x0011f002, 10792), (0x00120802, 1), (0x00121802, -195), (0x00122002, 69),
    (0x00122802, 71), (0x0012300b, 1), (0x001b8005, 1), (0x001bb002, 1), (0x001bf802, 116),
    (0x001c3002, 38), (0x001c4006, 37), (0x001c6002, 64), (0x001c7004, 63), (0x001c8822, 32),
    (0x001d1812, 32), (0x001e7802, 8), (0x001ec019, 1), (0x001fa002, -60), (0x001fb802, 1),
    (0x001fc802, -7), (0x001fd002, 1), (0x001fe806, -130), (0x00200020, 80), (0x00208040, 32),
    (0x00230023, 1), (0x00245037, 1), (0x00260002, 15), (0x0026080f, 1), (0x00268061, 1),
    (0x0029884c, 48), (0x0085004c, 7264), (0x00863802, 7264), (0x00866802, 7264),
    (0x009d00a0, 38864), (0x009f800c, 8), (0x00e44802, 1), (0x00e48056, -3008), (0x00e5e806, -3008),
    (0x00f00097, 1), (0x00f4f002, -7615), (0x00f50061, 1), (0x00f84010, -8), (0x00f8c00c, -8),
    (0x00f94010, -8), (0x00f9c010, -8), (0x00fa400c, -8), (0x00fac809, -8), (0x00fb4010, -8),
    (0x00fc4010, -8), (0x00fcc010, -8), (0x00fd4010, -8), (0x00fdc004, -8), (0x00fdd004, -74),
    (0x00fde002, -9), (0x00fe4008, -86), (0x00fe6002, -9), (0x00fec004, -8), (0x00fed004, -100),
    (0x00ff4004, -8), (0x00ff5004, -112), (0x00ff6002, -7), (0x00ffc004, -128), (0x00ffd004, -126),
    (0x00ffe002, -9), (0x01093002, -7517), (0x01095002, -8383), (0x01095802, -8262),
    (0x01099002, 28), (0x010b0020, 16), (0x010c1802, 1), (0x0125b034, 26), (0x01600060, 48),
    (0x01630002, 1), (0x01631002, -10743), (0x01631802, -3814), (0x01632002, -10727),
    (0x01633807, 1), (0x01636802, -10780), (0x01637002, -10749), (0x01637802, -10783),
    (0x01638002, -10782), (0x01639002, 1), (0x0163a802, 1), (0x0163f004, -10815), (0x01640065, 1),
    (0x01675805, 1), (0x01679002, 1), (0x0532002f, 1), (0x0534001d, 1), (0x0539100f, 1),
    (0x0539903f, 1), (0x053bc805, 1), (0x053be802, -35332), (0x053bf00b, 1), (0x053c5802, 1),
    (0x053c6802, -42280), (0x053c8005, 1), (0x053cb015, 1), (0x053d5002, -42308),
    (0x053d5802, -42319), (0x053d6002, -42315), (0x053d6802, -42305), (0x053d7002, -42308),
    (0x053d8002, -42258), (0x053d8802, -42282), (0x053d9002, -42261), (0x053d9802, 928),
    (0x053da011, 1), (0x053e2002, -48), (0x053e2802, -42307), (0x053e3002, -35384), (0x053e3805, 1),
    (0x053e5802, -42343), (0x053e6011, 1), (0x053ee002, -42561), (0x053fa802, 1), (0x07f90834, 32),
    (0x08200050, 40), (0x08258048, 40), (0x082b8016, 39), (0x082be01e, 39), (0x082c600e, 39),
    (0x082ca004, 39), (0x08640066, 64), (0x086a802c, 32), (0x08c50040, 32), (0x0b720040, 32),
    (0x0b750032, 27), (0x0f480044, 34),
];

/// The one character whose lower case is two: "İ" is "i" and a combining dot above.
const DOTTED_CAPITAL_I: char = '\u{130}';

/// Appends the lower case of `c` to `out`, as `out.extend(c.to_lowercase())` would.
pub(crate) fn push_lowercase(out: &mut String, c: char) {
    if c == DOTTED_CAPITAL_I {
        out.push_str("i\u{307}");
    } else {
        out.push(lowercase(c));
    }
}

fn lowercase(c: char) -> char {
    let code = u32::from(c);
    let after = RUNS.partition_point(|&(packed, _)| packed >> 11 <= code);
    let Some(&(packed, difference)) = after.checked_sub(1).and_then(|run| RUNS.get(run)) else {
        return c;
    };
    let offset = code - (packed >> 11);
    let length = (packed >> 1) & 0x3ff;
    let step = (packed & 1) + 1;
    if offset % step == 0 && offset / step < length {
        char::from_u32(code.wrapping_add_signed(difference)).unwrap_or(c)
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::{RUNS, push_lowercase};

    /// [`RUNS`] as this Rust's `char::to_lowercase` has it, greedily grouped.
    fn runs() -> Vec<(u32, i32)> {
        let mut runs: Vec<(u32, u32, u32, i64)> = Vec::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let mut lower = c.to_lowercase();
            let (Some(lower), None) = (lower.next(), lower.next()) else {
                continue;
            };
            if lower == c {
                continue;
            }
            let difference = i64::from(u32::from(lower)) - i64::from(u32::from(c));
            let code = u32::from(c);
            if let Some(last) = runs.last_mut() {
                let (first, length, step, last_difference) = *last;
                let end = first + (length - 1) * step;
                if last_difference == difference && length < 1023 {
                    if length == 1 && (code - end == 1 || code - end == 2) {
                        *last = (first, 2, code - end, difference);
                        continue;
                    }
                    if length > 1 && code - end == step {
                        last.1 += 1;
                        continue;
                    }
                }
            }
            runs.push((code, 1, 1, difference));
        }
        runs.into_iter()
            .map(|(first, length, step, difference)| {
                let difference = i32::try_from(difference).expect("a difference fits an i32");
                ((first << 11) | (length << 1) | (step - 1), difference)
            })
            .collect()
    }

    #[test]
    fn the_table_is_this_unicode_version() {
        let expected = runs();
        let source: Vec<String> = expected
            .iter()
            .map(|(packed, difference)| format!("({packed:#010x}, {difference}),"))
            .collect();
        assert!(
            RUNS == expected.as_slice(),
            "RUNS should be:\n{}",
            source.join(" ")
        );
    }

    #[test]
    fn every_character_lowers_as_the_standard_library_lowers_it() {
        let mut ours = String::new();
        let mut standard = String::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            ours.clear();
            standard.clear();
            push_lowercase(&mut ours, c);
            standard.extend(c.to_lowercase());
            assert_eq!(ours, standard, "U+{:04X}", u32::from(c));
        }
    }
}
