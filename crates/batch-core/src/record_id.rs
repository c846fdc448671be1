//! Record ids: short, alphanumeric, unique per row and stable for a given prepared run.
//!
//! An id is a three-character run tag (a letter, then two of `A–Z0–9`, derived from the input, templates and
//! model) followed by the 1-based data-row number in eight digits — e.g. `K7Q00000042`, eleven characters.
//! The row is recoverable from the id, so joining needs no lookup table; the tag keeps outputs of another
//! prepared run from being joined to the wrong rows.

use serde::{Deserialize, Serialize};

/// Largest row number an id can carry.
pub const MAX_ROWS: u64 = 99_999_999;
const DIGITS: usize = 8;
const ALPHABET: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Generates and parses the record ids of one prepared run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordIdScheme {
    tag: String,
}

/// FNV-1a, 64-bit: a small, stable hash for fingerprints (not for security).
pub fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl RecordIdScheme {
    /// A scheme whose tag is derived from `fingerprint` (same inputs → same ids).
    pub fn from_fingerprint(fingerprint: u64) -> Self {
        let mut tag = String::with_capacity(3);
        tag.push(ALPHABET[(fingerprint % 26) as usize] as char);
        tag.push(ALPHABET[((fingerprint / 26) % 36) as usize] as char);
        tag.push(ALPHABET[((fingerprint / (26 * 36)) % 36) as usize] as char);
        Self { tag }
    }

    /// A scheme with a known tag (as stored in `plan.json`).
    pub fn with_tag(tag: &str) -> Self {
        Self { tag: tag.to_string() }
    }

    /// The three-character run tag.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The id of 1-based data row `row` (at most [`MAX_ROWS`]).
    pub fn id_for(&self, row: u64) -> String {
        format!("{}{:0width$}", self.tag, row, width = DIGITS)
    }

    /// The row an id of this scheme names, or `None` for an id from elsewhere.
    pub fn row_of(&self, id: &str) -> Option<u64> {
        let digits = id.strip_prefix(self.tag.as_str())?;
        if digits.len() != DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|&r| r >= 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_eleven_alphanumerics() {
        let scheme = RecordIdScheme::from_fingerprint(123_456_789);
        let id = scheme.id_for(42);
        assert_eq!(id.len(), 11);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(id.starts_with(|c: char| c.is_ascii_uppercase()));
        assert_eq!(scheme.row_of(&id), Some(42));
        assert_eq!(scheme.row_of(&scheme.id_for(MAX_ROWS)), Some(MAX_ROWS));
    }

    #[test]
    fn foreign_ids_do_not_parse() {
        let a = RecordIdScheme::from_fingerprint(1);
        let b = RecordIdScheme::from_fingerprint(2);
        assert_ne!(a.tag(), b.tag());
        assert_eq!(a.row_of(&b.id_for(3)), None);
        assert_eq!(a.row_of("3223593EFGH"), None);
        assert_eq!(a.row_of(&format!("{}00000000", a.tag())), None);
    }

    #[test]
    fn same_fingerprint_same_tag() {
        assert_eq!(RecordIdScheme::from_fingerprint(7), RecordIdScheme::from_fingerprint(7));
    }
}
