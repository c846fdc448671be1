//! File names made from what a person typed (job names, run names) that every platform accepts: no characters
//! Windows or macOS refuse, no Windows device names (`CON`, `nul.txt`), no trailing dots or spaces, at most
//! 255 bytes. The rules are `sanitize-filename`'s, with Windows' always on so a folder made on Linux can be
//! copied to any machine.

/// `name` as a file name safe on Linux, macOS and Windows; `fallback` when nothing of it is left.
pub fn portable_file_name(name: &str, fallback: &str) -> String {
    let options = sanitize_filename::Options { windows: true, truncate: true, replacement: "_" };
    let clean = sanitize_filename::sanitize_with_options(name.trim(), options);
    if clean.trim_matches(|c: char| c == '_' || c == '.' || c.is_whitespace()).is_empty() {
        fallback.to_string()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_or_macos_refuse_are_made_safe() {
        assert_eq!(portable_file_name("reviews-20261203101500", "run"), "reviews-20261203101500");
        assert_eq!(portable_file_name("Q3: reviews / final?", "run"), "Q3_ reviews _ final_");
        assert_eq!(portable_file_name("report.", "run"), "report_");
        assert_eq!(portable_file_name("con", "run"), "run");
        assert_eq!(portable_file_name("NUL.txt", "run"), "run");
        assert_eq!(portable_file_name("...", "run"), "run");
        assert_eq!(portable_file_name("tab\there", "run"), "tab_here");
        let long = portable_file_name(&"é".repeat(300), "run");
        assert!(long.len() <= 255 && !long.is_empty(), "{}", long.len());
    }
}
