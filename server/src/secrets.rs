//! Random capabilities and their storage form.
//!
//! Client secrets, OAuth `state` values and idempotency fingerprints are high-entropy random
//! strings, so a plain SHA-256 is the right storage hash (no password stretching needed); the
//! stored hash is compared in constant time with `subtle`, so a response's timing says nothing
//! about how much of a guess was right.

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random token of `len` alphanumeric characters (about 5.95 bits each) from the OS-seeded
/// thread RNG.
pub fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// An object id such as `fcsess_3kTq...`: a prefix that says what it is, and 24 random characters.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(24))
}

/// The SHA-256 of a secret, as stored.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new test-mode secret key for an integrator the operator did not give one.
pub fn new_secret_key() -> String {
    ["sk_test_", &random_token(32)].concat()
}

/// Whether `secret` hashes to `stored`, in time independent of where they differ.
pub fn verify(secret: &str, stored: &[u8]) -> bool {
    same_hash(&hash(secret), stored)
}

/// Whether two hashes are equal, in time independent of where they differ: for a secret
/// hashed once and checked against several stored hashes.
pub fn same_hash(hashed: &[u8], stored: &[u8]) -> bool {
    hashed.ct_eq(stored).into()
}

/// Hex of a SHA-256, for fingerprints of request bodies.
pub fn fingerprint(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`: digests and MACs as they travel in headers, links and ids.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_verifies_against_its_hash_and_nothing_else() {
        let secret = random_token(32);
        let stored = hash(&secret);
        assert!(verify(&secret, &stored));
        assert!(!verify("guess", &stored));
        assert!(!verify(&secret, &stored[..16]));
    }

    #[test]
    fn ids_carry_their_prefix_and_differ() {
        let (a, b) = (new_id("fcsess"), new_id("fcsess"));
        assert!(a.starts_with("fcsess_") && a.len() == 31);
        assert_ne!(a, b);
    }
}
