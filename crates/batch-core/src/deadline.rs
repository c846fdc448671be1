//! When a run must be finished by, as a person says it — "18:00", "+6h", "2026-12-03T18:00:00+01:00" — and how
//! long a job may wait in the queue ("6h", "90m"): read into Unix seconds and minutes.

/// A deadline or a duration that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    /// Not a time, a delay or a date and time.
    #[error(
        "\"{0}\" is not a deadline: give a time of day (18:00, your local time), a delay (+6h, +90m, +2d) or a date and time (2026-12-03T18:00:00Z, or with an offset such as +01:00)"
    )]
    Unreadable(String),
    /// Already past.
    #[error("the deadline {0} has already passed; give a later one")]
    Past(String),
    /// Not a duration.
    #[error("\"{0}\" is not a duration: give minutes or hours, such as 90m or 6h")]
    Duration(String),
}

/// Seconds in `text` when it is a number followed by `m`, `h` or `d` ("90m", "6h", "2d").
fn seconds_of(text: &str) -> Option<i64> {
    let text = text.trim();
    let unit = match text.chars().last()? {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let number: f64 = text[..text.len() - 1].trim().parse().ok()?;
    (number.is_finite() && number > 0.0).then(|| (number * f64::from(unit)).round() as i64)
}

/// Minutes of a duration such as "90m", "6h" or "1.5h".
pub fn duration_minutes(text: &str) -> Result<u64, DeadlineError> {
    seconds_of(text).map(|s| (s as u64).div_ceil(60)).ok_or_else(|| DeadlineError::Duration(text.to_string()))
}

/// The offset of a zone suffix (`Z`, `+01:00`, `-0530`) in seconds.
fn zone_offset(zone: &str) -> Option<i64> {
    if zone.is_empty() || zone == "Z" || zone == "z" {
        return Some(0);
    }
    let (sign, rest) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    Some(sign * (hours * 3600 + minutes * 60))
}

/// The Unix time `text` names, from `now` (Unix seconds) and the local zone's offset from UTC in seconds:
/// "18:00" is the next 18:00 local (today, or tomorrow when it has passed), "+6h" is six hours from now, and a
/// date and time is taken in its own zone (UTC when it has none). A deadline already past is refused.
pub fn resolve_deadline(text: &str, now: i64, local_offset: i64) -> Result<i64, DeadlineError> {
    let trimmed = text.trim();
    let unreadable = || DeadlineError::Unreadable(text.to_string());
    let at = if let Some(delay) = trimmed.strip_prefix('+') {
        now + seconds_of(delay).ok_or_else(unreadable)?
    } else if trimmed.len() == 5 && trimmed.as_bytes()[2] == b':' {
        let (hours, minutes): (i64, i64) =
            (trimmed[..2].parse().map_err(|_| unreadable())?, trimmed[3..].parse().map_err(|_| unreadable())?);
        if hours > 23 || minutes > 59 {
            return Err(unreadable());
        }
        let local_now = now + local_offset;
        let today = local_now.div_euclid(86_400) * 86_400 + hours * 3600 + minutes * 60 - local_offset;
        if today > now { today } else { today + 86_400 }
    } else {
        let normal = trimmed.replacen(' ', "T", 1);
        let base = crate::clock::unix_from_rfc3339(&normal).ok_or_else(unreadable)?;
        let zone = normal.get(19..).unwrap_or("");
        let zone = zone.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
        base - zone_offset(zone).ok_or_else(unreadable)?
    };
    if at <= now {
        return Err(DeadlineError::Past(crate::clock::rfc3339_from_unix(at)));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03T10:30:00Z.
    const NOW: i64 = 1_796_293_800;

    #[test]
    fn a_time_of_day_is_the_next_one_in_the_local_zone() {
        let at = |text, offset| resolve_deadline(text, NOW, offset).map(crate::clock::rfc3339_from_unix);
        assert_eq!(at("18:00", 0).unwrap(), "2026-12-03T18:00:00Z");
        // At UTC+01:00 it is 11:30: 18:00 local is 17:00 UTC.
        assert_eq!(at("18:00", 3600).unwrap(), "2026-12-03T17:00:00Z");
        // 09:00 has passed today: tomorrow's.
        assert_eq!(at("09:00", 0).unwrap(), "2026-12-04T09:00:00Z");
        assert!(at("25:00", 0).is_err());
    }

    #[test]
    fn delays_and_dates_with_their_zones() {
        let at = |text| resolve_deadline(text, NOW, 7200).map(crate::clock::rfc3339_from_unix);
        assert_eq!(at("+6h").unwrap(), "2026-12-03T16:30:00Z");
        assert_eq!(at("+90m").unwrap(), "2026-12-03T12:00:00Z");
        assert_eq!(at("2026-12-03T18:00:00Z").unwrap(), "2026-12-03T18:00:00Z");
        assert_eq!(at("2026-12-03T18:00:00+01:00").unwrap(), "2026-12-03T17:00:00Z");
        assert_eq!(at("2026-12-03 18:00:00-0530").unwrap(), "2026-12-03T23:30:00Z");
        assert!(matches!(at("2026-12-02T18:00:00Z"), Err(DeadlineError::Past(_))));
        let error = at("teatime").unwrap_err().to_string();
        assert!(error.contains("18:00") && error.contains("+6h"), "{error}");
    }

    #[test]
    fn durations_in_minutes() {
        assert_eq!(duration_minutes("90m"), Ok(90));
        assert_eq!(duration_minutes("6h"), Ok(360));
        assert_eq!(duration_minutes("1.5h"), Ok(90));
        assert!(duration_minutes("soon").is_err() && duration_minutes("-2h").is_err());
    }
}
