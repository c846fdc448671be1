//! Token estimates before a job runs: about four ASCII characters per token, one token per other character.
//!
//! A deliberately simple, model-independent heuristic (the real counts come back in `manifest.json.out`):
//! English prose averages ~4 characters per token; CJK, emoji and other non-ASCII text is closer to one token
//! per character, so it is counted that way to avoid under-estimating cost.

/// Estimated tokens for `text`: ⌈ASCII bytes / 4⌉ + non-ASCII characters.
pub fn estimate_tokens(text: &str) -> u64 {
    // One pass: ASCII bytes, and leading bytes of non-ASCII characters (every non-ASCII character has exactly
    // one byte of the form 11xxxxxx); continuation bytes (10xxxxxx) count for neither.
    let (mut ascii, mut other) = (0u64, 0u64);
    for &b in text.as_bytes() {
        ascii += u64::from(b < 0x80);
        other += u64::from(b >= 0xC0);
    }
    ascii.div_ceil(4) + other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_is_four_chars_per_token() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
    }

    #[test]
    fn non_ascii_counts_one_per_character() {
        assert_eq!(estimate_tokens("日本語"), 3);
        assert_eq!(estimate_tokens("ab😀"), 2);
        assert_eq!(estimate_tokens("مرحبا"), 5);
    }
}
