//! The wildcards of IAM: `*` (any run of characters) and `?` (one character) in actions, resources and
//! `…Like` conditions; ARNs compared component by component.

/// True when `text` matches `pattern`, where `*` matches any run (also empty) and `?` one character.
pub fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |c: char| if ignore_case { c.to_ascii_lowercase() } else { c };
    let p: Vec<char> = pattern.chars().map(fold).collect();
    let t: Vec<char> = text.chars().map(fold).collect();
    // Greedy with one backtrack point: linear for the patterns policies use.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((star_p, star_t)) = star {
            pi = star_p + 1;
            ti = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// An action (`service:Name`) against a pattern: case-insensitive.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    glob(pattern, action, true)
}

/// An ARN against a pattern. With six colon-separated components on both sides each component is
/// matched on its own (the last one, the resource, may contain colons and slashes); otherwise the whole
/// text is matched, so `*` and `arn:aws:s3:::*` work as written.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    let p: Vec<&str> = pattern.splitn(6, ':').collect();
    let a: Vec<&str> = arn.splitn(6, ':').collect();
    if p.len() == 6 && a.len() == 6 {
        p.iter().zip(&a).enumerate().all(|(i, (p, a))| glob(p, a, i == 2))
    } else {
        glob(pattern, arn, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(glob("*", "", false));
        assert!(glob("a*c", "abbbc", false));
        assert!(glob("a*b*c", "axxbyyc", false));
        assert!(!glob("a*b*c", "axxbyy", false));
        assert!(glob("part-00?.jsonl", "part-001.jsonl", false));
        assert!(!glob("part-00?.jsonl", "part-0010.jsonl", false));
        assert!(!glob("ABC", "abc", false));
        assert!(glob("ABC", "abc", true));
    }

    #[test]
    fn actions_ignore_case_and_arns_match_by_component() {
        assert!(action_matches("s3:Get*", "s3:getobject"));
        assert!(action_matches("*", "iam:PassRole"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(arn_matches("arn:aws:s3:::in-bucket/batch/*", "arn:aws:s3:::in-bucket/batch/run-1/part-001.jsonl"));
        assert!(!arn_matches("arn:aws:s3:::in-bucket/batch/*", "arn:aws:s3:::in-bucket"));
        assert!(arn_matches("arn:aws:s3:::*", "arn:aws:s3:::in-bucket"));
        assert!(arn_matches(
            "arn:aws:bedrock:*::foundation-model/*",
            "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0"
        ));
        // A star inside one component does not reach into the next.
        assert!(!arn_matches("arn:aws:iam::*:role/Batch*", "arn:aws:iam::123456789012:user/BatchUser"));
        assert!(arn_matches("arn:aws:iam::*:role/Batch*", "arn:aws:iam::123456789012:role/BatchRole"));
    }
}
