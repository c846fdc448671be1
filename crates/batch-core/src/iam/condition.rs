//! Condition operators: String, Arn, Bool, Null, Numeric, Date and IpAddress families, their `…IfExists`
//! forms, `ForAnyValue:`/`ForAllValues:`, several values and keys. What cannot be decided — an operator
//! this engine does not evaluate, or a context key the check does not know — is `Unknown`, never true.

use std::collections::HashMap;
use std::net::IpAddr;

use super::document::Condition;
use super::wildcard::{arn_matches, glob};

/// A three-valued answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided; the reason.
    Unknown(String),
}

/// The request context: the values of the keys a check knows. A key set with no values is known to be
/// absent from the request; a key not set at all is unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
}

impl Context {
    /// An empty context (every key unknown).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (case-insensitive) to `values`; no values means "known to be absent".
    pub fn with(mut self, key: &str, values: &[&str]) -> Self {
        self.values.insert(key.to_ascii_lowercase(), values.iter().map(|v| v.to_string()).collect());
        self
    }

    /// The values of `key`: `None` when unknown, an empty slice when absent.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values.get(&key.to_ascii_lowercase()).map(Vec::as_slice)
    }

    /// Every key and its values, sorted by key.
    pub fn entries(&self) -> Vec<(String, Vec<String>)> {
        let mut entries: Vec<_> = self.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        entries.sort();
        entries
    }

    /// Replaces `${key}` policy variables from the context; `None` when a variable is unknown or absent.
    pub fn substitute(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}')? + start;
            let name = &rest[start + 2..end];
            match name {
                "*" | "?" | "$" => out.push_str(name),
                _ => out.push_str(self.get(name)?.first()?),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Operator families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    StringIgnoreCase,
    StringLike,
    Arn,
    Numeric(Compare),
    Date(Compare),
    Bool,
    Ip,
}

/// Numeric and date comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

/// `(family, negated)` of a base operator name.
fn operator(name: &str) -> Option<(Family, bool)> {
    use Compare::*;
    Some(match name {
        "StringEquals" => (Family::String, false),
        "StringNotEquals" => (Family::String, true),
        "StringEqualsIgnoreCase" => (Family::StringIgnoreCase, false),
        "StringNotEqualsIgnoreCase" => (Family::StringIgnoreCase, true),
        "StringLike" => (Family::StringLike, false),
        "StringNotLike" => (Family::StringLike, true),
        "ArnEquals" | "ArnLike" => (Family::Arn, false),
        "ArnNotEquals" | "ArnNotLike" => (Family::Arn, true),
        "NumericEquals" => (Family::Numeric(Equals), false),
        "NumericNotEquals" => (Family::Numeric(Equals), true),
        "NumericLessThan" => (Family::Numeric(LessThan), false),
        "NumericLessThanEquals" => (Family::Numeric(LessThanEquals), false),
        "NumericGreaterThan" => (Family::Numeric(GreaterThan), false),
        "NumericGreaterThanEquals" => (Family::Numeric(GreaterThanEquals), false),
        "DateEquals" => (Family::Date(Equals), false),
        "DateNotEquals" => (Family::Date(Equals), true),
        "DateLessThan" => (Family::Date(LessThan), false),
        "DateLessThanEquals" => (Family::Date(LessThanEquals), false),
        "DateGreaterThan" => (Family::Date(GreaterThan), false),
        "DateGreaterThanEquals" => (Family::Date(GreaterThanEquals), false),
        "Bool" => (Family::Bool, false),
        "IpAddress" => (Family::Ip, false),
        "NotIpAddress" => (Family::Ip, true),
        _ => return None,
    })
}

/// Seconds since the epoch of an ISO 8601 date-time (`2026-01-02`, `2026-01-02T03:04:05Z`) or of a number.
fn epoch_seconds(text: &str) -> Option<f64> {
    if let Ok(n) = text.parse::<f64>() {
        return Some(n);
    }
    let (date, time) = text.split_once('T').unwrap_or((text, "00:00:00Z"));
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.trim_end_matches('Z');
    let time = time.split(['+']).next()?.split('.').next()?;
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, min, s) =
        (t.next().flatten().unwrap_or(0), t.next().flatten().unwrap_or(0), t.next().flatten().unwrap_or(0));
    let days = crate::sheet::cell_text::days_from_civil(y, m, day);
    Some((days * 86_400 + h * 3600 + min * 60 + s) as f64)
}

fn in_cidr(ip: &str, cidr: &str) -> Option<bool> {
    let ip: IpAddr = ip.parse().ok()?;
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, if cidr.contains(':') { "128" } else { "32" }));
    let net: IpAddr = net.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) if bits <= 32 => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            Some(u32::from(a) & mask == u32::from(b) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) if bits <= 128 => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            Some(u128::from(a) & mask == u128::from(b) & mask)
        }
        _ => Some(false),
    }
}

/// Whether one request value matches one policy value under a family (`None`: cannot be decided).
fn matches(family: Family, request: &str, policy: &str) -> Option<bool> {
    let order = |c: Compare, r: f64, p: f64| match c {
        Compare::Equals => r == p,
        Compare::LessThan => r < p,
        Compare::LessThanEquals => r <= p,
        Compare::GreaterThan => r > p,
        Compare::GreaterThanEquals => r >= p,
    };
    Some(match family {
        Family::String => request == policy,
        Family::StringIgnoreCase => request.eq_ignore_ascii_case(policy),
        Family::StringLike => glob(policy, request, false),
        Family::Arn => arn_matches(policy, request),
        Family::Numeric(c) => order(c, request.parse().ok()?, policy.parse().ok()?),
        Family::Date(c) => order(c, epoch_seconds(request)?, epoch_seconds(policy)?),
        Family::Bool => request.eq_ignore_ascii_case(policy),
        Family::Ip => in_cidr(request, policy)?,
    })
}

/// Evaluates one condition test against the context.
pub fn test(condition: &Condition, context: &Context) -> Truth {
    let unknown = |why: String| Truth::Unknown(why);
    let (qualifier, rest) = match condition.operator.split_once(':') {
        Some((q @ ("ForAnyValue" | "ForAllValues"), rest)) => (Some(q), rest),
        Some(_) => return unknown(format!("condition operator {} is not evaluated here", condition.operator)),
        None => (None, condition.operator.as_str()),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let Some(request) = context.get(&condition.key) else {
        return unknown(format!("the value of {} in the real request is not known to this check", condition.key));
    };
    if base == "Null" {
        let wanted_null = condition.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        return if request.is_empty() == wanted_null { Truth::True } else { Truth::False };
    }
    let Some((family, negated)) = operator(base) else {
        return unknown(format!("condition operator {} is not evaluated here", condition.operator));
    };
    if request.is_empty() {
        // A key missing from the request: IfExists and negated operators hold, others do not.
        return match qualifier {
            _ if if_exists => Truth::True,
            Some("ForAllValues") => Truth::True,
            Some(_) => Truth::False,
            None if negated => Truth::True,
            None => Truth::False,
        };
    }
    let mut policy_values = Vec::new();
    for value in &condition.values {
        match context.substitute(value) {
            Some(v) => policy_values.push(v),
            None => return unknown(format!("the policy variable in {value:?} is not known to this check")),
        }
    }
    // One request value against the policy's values: any match for positive operators, none for negated.
    let one = |value: &str| -> Option<bool> {
        let mut any = false;
        for p in &policy_values {
            any |= matches(family, value, p)?;
        }
        Some(if negated { !any } else { any })
    };
    let mut results = Vec::new();
    for value in request {
        match one(value) {
            Some(r) => results.push(r),
            None => {
                return unknown(format!("{} values of {} could not be compared", condition.operator, condition.key));
            }
        }
    }
    let holds = match qualifier {
        Some("ForAllValues") => results.iter().all(|&r| r),
        _ => results.iter().any(|&r| r),
    };
    if holds { Truth::True } else { Truth::False }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(operator: &str, key: &str, values: &[&str]) -> Condition {
        Condition { operator: operator.into(), key: key.into(), values: values.iter().map(|v| v.to_string()).collect() }
    }

    #[test]
    fn every_operator_family() {
        let ctx = Context::new()
            .with("aws:SourceAccount", &["111122223333"])
            .with("aws:SourceArn", &["arn:aws:bedrock:us-east-1:111122223333:model-invocation-job/abc123def456"])
            .with("aws:SecureTransport", &["true"])
            .with("s3:max-keys", &["500"])
            .with("aws:CurrentTime", &["2026-11-22T10:00:00Z"])
            .with("aws:SourceIp", &["10.1.2.3"])
            .with("aws:PrincipalTag/team", &[])
            .with("aws:TagKeys", &["team", "cost"]);
        let t = |op, key, values: &[&str]| test(&cond(op, key, values), &ctx);
        assert_eq!(t("StringEquals", "aws:SourceAccount", &["999", "111122223333"]), Truth::True);
        assert_eq!(t("StringNotEquals", "aws:SourceAccount", &["111122223333"]), Truth::False);
        assert_eq!(t("StringEqualsIgnoreCase", "AWS:SOURCEACCOUNT", &["111122223333"]), Truth::True);
        assert_eq!(
            t("StringLike", "aws:SourceArn", &["arn:aws:bedrock:*:111122223333:model-invocation-job/*"]),
            Truth::True
        );
        assert_eq!(
            t("ArnLike", "aws:SourceArn", &["arn:aws:bedrock:us-east-1:111122223333:model-invocation-job/*"]),
            Truth::True
        );
        assert_eq!(t("ArnNotLike", "aws:SourceArn", &["arn:aws:bedrock:us-west-2:*:*"]), Truth::True);
        assert_eq!(
            t("ArnEquals", "aws:SourceArn", &["arn:aws:bedrock:us-east-1:444455556666:model-invocation-job/*"]),
            Truth::False
        );
        assert_eq!(t("Bool", "aws:SecureTransport", &["True"]), Truth::True);
        assert_eq!(t("NumericLessThanEquals", "s3:max-keys", &["500"]), Truth::True);
        assert_eq!(t("NumericGreaterThan", "s3:max-keys", &["500"]), Truth::False);
        assert_eq!(t("DateLessThan", "aws:CurrentTime", &["2027-01-01T00:00:00Z"]), Truth::True);
        assert_eq!(t("DateGreaterThan", "aws:CurrentTime", &["2026-11-23"]), Truth::False);
        assert_eq!(t("IpAddress", "aws:SourceIp", &["10.0.0.0/8"]), Truth::True);
        assert_eq!(t("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]), Truth::False);
        // Absent keys: Null, IfExists and negated operators.
        assert_eq!(t("Null", "aws:PrincipalTag/team", &["true"]), Truth::True);
        assert_eq!(t("Null", "aws:SourceAccount", &["true"]), Truth::False);
        assert_eq!(t("StringEqualsIfExists", "aws:PrincipalTag/team", &["x"]), Truth::True);
        assert_eq!(t("StringEquals", "aws:PrincipalTag/team", &["x"]), Truth::False);
        assert_eq!(t("StringNotEquals", "aws:PrincipalTag/team", &["x"]), Truth::True);
        // Multi-valued keys.
        assert_eq!(t("ForAnyValue:StringEquals", "aws:TagKeys", &["cost"]), Truth::True);
        assert_eq!(t("ForAllValues:StringEquals", "aws:TagKeys", &["team"]), Truth::False);
        assert_eq!(t("ForAllValues:StringEquals", "aws:TagKeys", &["team", "cost", "owner"]), Truth::True);
        // What the engine cannot decide is unknown, never true.
        assert!(matches!(t("StringEquals", "aws:PrincipalOrgID", &["o-1"]), Truth::Unknown(_)));
        assert!(matches!(t("BinaryEquals", "aws:SourceAccount", &["AAAA"]), Truth::Unknown(_)));
        assert!(matches!(t("NumericEquals", "aws:SourceAccount", &["not-a-number"]), Truth::Unknown(_)));
        assert!(matches!(t("StringEquals", "aws:SourceAccount", &["${aws:username}"]), Truth::Unknown(_)));
        assert!(matches!(t("Sometimes:StringEquals", "aws:SourceAccount", &["1"]), Truth::Unknown(_)));
    }

    #[test]
    fn dates_from_text_and_epochs() {
        assert_eq!(epoch_seconds("1970-01-02"), Some(86_400.0));
        assert_eq!(epoch_seconds("2026-11-22T10:00:00Z"), Some(1_795_341_600.0));
        assert_eq!(epoch_seconds("1795341600"), Some(1_795_341_600.0));
        assert_eq!(epoch_seconds("yesterday"), None);
    }
}
