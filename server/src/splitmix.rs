//! SplitMix64: the one deterministic generator behind the sandbox's generated data (the
//! institution directory, account histories). Its output is fixed forever, unlike `rand`'s
//! `StdRng`, whose algorithm may change between versions and would change documented data.

/// A SplitMix64 state; the sequence is fixed by the seed.
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (0 when `bound` is 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64().checked_rem(bound).unwrap_or(0)
    }

    /// One of `words` (the empty string if there are none).
    pub fn pick(&mut self, words: &[&'static str]) -> &'static str {
        let index = usize::try_from(self.below(words.len() as u64)).unwrap_or(0);
        words.get(index).copied().unwrap_or_default()
    }

    /// In `low..=high` (with `low <= high`).
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from(high.saturating_sub(low))
            .unwrap_or(0)
            .saturating_add(1);
        low.saturating_add(i64::try_from(self.below(span)).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::SplitMix64;

    #[test]
    fn the_sequence_is_fixed_by_the_seed() {
        let mut rng = SplitMix64(0);
        // Reference outputs of SplitMix64 seeded with 0.
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn between_stays_in_bounds() {
        let mut rng = SplitMix64(7);
        assert!((0..1000).all(|_| (3..=5).contains(&rng.between(3, 5))));
    }
}
