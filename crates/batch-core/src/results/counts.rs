//! Rows counted by how they ended, and the words every face reports them in.

use serde::{Deserialize, Serialize};

/// Counts of rows by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusCounts {
    /// Rows that succeeded.
    pub succeeded: u64,
    /// Rows that failed.
    pub failed: u64,
    /// Rows with no output.
    pub missing: u64,
    /// Rows answered, but not in the answer's shape.
    #[serde(default)]
    pub invalid: u64,
    /// Rows whose answer was cut off at the token limit.
    #[serde(default)]
    pub truncated: u64,
    /// Rows answered with nothing.
    #[serde(default)]
    pub empty: u64,
}

impl StatusCounts {
    /// "7 succeeded, 2 failed, 1 missing", then ", 3 invalid", ", 1 truncated", ", 1 empty" for the answer
    /// checks that caught any row; `number` writes each count (plainly, or with thousands separators).
    pub fn text(&self, number: impl Fn(u64) -> String) -> String {
        let mut text = format!(
            "{} succeeded, {} failed, {} missing",
            number(self.succeeded),
            number(self.failed),
            number(self.missing)
        );
        for (n, what) in [(self.invalid, "invalid"), (self.truncated, "truncated"), (self.empty, "empty")] {
            if n > 0 {
                text.push_str(&format!(", {} {what}", number(n)));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_checks_are_said_only_when_they_caught_rows() {
        let plain = StatusCounts { succeeded: 7, failed: 2, missing: 1, ..StatusCounts::default() };
        assert_eq!(plain.text(|n| n.to_string()), "7 succeeded, 2 failed, 1 missing");
        let checked = StatusCounts { succeeded: 1_200, invalid: 3, empty: 1, ..plain };
        let thousands = |n: u64| if n >= 1000 { format!("{},{:03}", n / 1000, n % 1000) } else { n.to_string() };
        assert_eq!(checked.text(thousands), "1,200 succeeded, 2 failed, 1 missing, 3 invalid, 1 empty");
    }
}
