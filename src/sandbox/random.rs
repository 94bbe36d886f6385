//! A small seeded generator for demo data, identifiers and injected faults.
//!
//! SplitMix64: fast, tiny, and the same sequence for the same seed on every platform,
//! which is all repeatable tests need. Not for secrets; API keys come from
//! [`fresh_api_key`], which draws on the process's random hashing seed.

use std::hash::{BuildHasher, Hasher};

/// A deterministic pseudo-random sequence.
#[derive(Debug, Clone)]
pub struct Random {
    state: u64,
}

impl Random {
    /// A sequence that depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A sequence for one purpose, so that e.g. fault draws do not shift the demo data.
    pub fn for_purpose(seed: u64, purpose: &str) -> Self {
        let mut mixed = seed;
        for byte in purpose.bytes() {
            mixed = mixed.rotate_left(8) ^ u64::from(byte);
            mixed = Self::new(mixed).next_u64();
        }
        Self::new(mixed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        // 53 bits fill an f64's mantissa exactly.
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        unit < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// `prefix` and eight hex digits, such as `t_3f9a2c01`.
    pub fn web_id(&mut self, prefix: &str) -> String {
        format!("{prefix}_{:08x}", self.next_u64() as u32)
    }
}

/// A new API key that nobody can predict from the seed.
pub fn fresh_api_key() -> String {
    let state = std::collections::hash_map::RandomState::new();
    let mut parts = [0u64; 2];
    for (index, part) in parts.iter_mut().enumerate() {
        let mut hasher = state.build_hasher();
        hasher.write_usize(index);
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        *part = hasher.finish();
    }
    format!("sbx_{:016x}{:016x}", parts[0], parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Random::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = Random::new(7);
        assert!(a.iter().all(|x| *x == r.next_u64()));
        assert_ne!(Random::for_purpose(7, "faults").next_u64(), Random::new(7).next_u64());
    }

    #[test]
    fn chance_follows_the_probability() {
        let mut r = Random::new(1);
        let hits = (0..10_000).filter(|_| r.chance(0.25)).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
        assert!(!Random::new(3).chance(0.0));
    }

    #[test]
    fn fresh_keys_differ() {
        assert_ne!(fresh_api_key(), fresh_api_key());
    }
}
