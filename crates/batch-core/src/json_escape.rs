//! JSON string escaping, byte-for-byte identical to serde_json's, eight bytes at a time.
//!
//! Runs of bytes that need no escape — everything but `"`, `\` and control characters below 0x20 — are found
//! with word-wide bit tricks and copied in bulk; that is most of a prompt's text.

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// True when some byte of `word` is `"`, `\` or below 0x20.
#[inline]
fn needs_escape(word: u64) -> bool {
    let has_zero = |v: u64| v.wrapping_sub(LOW) & !v & HIGH;
    let below_space = word.wrapping_sub(LOW * 0x20) & !word & HIGH;
    (below_space | has_zero(word ^ (LOW * b'"' as u64)) | has_zero(word ^ (LOW * b'\\' as u64))) != 0
}

/// Appends the escaped contents of `text` (without the surrounding quotes) to `out`, as serde_json writes them.
pub fn escape_into(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let mut start = 0; // first byte not yet copied
    let mut i = 0;
    while i < bytes.len() {
        if i + 8 <= bytes.len() {
            let word = u64::from_le_bytes(bytes[i..i + 8].try_into().unwrap_or([0; 8]));
            if !needs_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0C => Some(b"\\f"),
            0x00..=0x1F => None,
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        match escape {
            Some(sequence) => out.extend_from_slice(sequence),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xF) as usize]]);
            }
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde(text: &str) -> Vec<u8> {
        let quoted = serde_json::to_vec(text).unwrap();
        quoted[1..quoted.len() - 1].to_vec()
    }

    fn ours(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        escape_into(text, &mut out);
        out
    }

    #[test]
    fn every_ascii_byte_matches_serde_json_at_every_offset() {
        for b in 0u8..0x80 {
            let c = b as char;
            for prefix in 0..10 {
                for suffix in 0..10 {
                    let text = format!("{}{c}{}", "a".repeat(prefix), "é".repeat(suffix));
                    assert_eq!(ours(&text), serde(&text), "byte {b:#04x} at offset {prefix}");
                }
            }
        }
    }

    #[test]
    fn hostile_and_multibyte_text_matches_serde_json() {
        let samples = [
            "",
            "plain text that is longer than a word",
            "\"}]}, \"recordId\": \"X\"}",
            "line\r\nbreak\ttab\u{0}nul\u{1f}\u{7f}del",
            "日本語のレビュー 👍🏽🔥 مرحبا עברית",
            "back\\slash \\n \\u0000",
            "\u{2028}\u{2029} separators",
        ];
        for text in samples {
            assert_eq!(ours(text), serde(text), "{text:?}");
        }
        let long: String = (0..5000).map(|i| char::from_u32(i % 0x2FF + 1).unwrap_or('x')).collect();
        assert_eq!(ours(&long), serde(&long));
    }
}
