//! Rendering typed cells (numbers, dates, booleans) as the text a spreadsheet shows.

/// Formats a floating-point cell the way a spreadsheet displays it in General format: integer-valued numbers
/// without a fraction (`4`, not `4.0`), others with at most 15 significant digits and no trailing zeros.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    if value == 0.0 {
        return "0".to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    // Round to 15 significant digits, as spreadsheets do, then print the shortest text of that value.
    let rounded: f64 = format!("{value:.14e}").parse().unwrap_or(value);
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        return format!("{}", rounded as i64);
    }
    let text = format!("{rounded}");
    if text.len() > 24 { format!("{rounded:e}") } else { text }
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Converts a proleptic Gregorian date to days since 1970-01-01 (the inverse of `civil_from_days`).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Howard Hinnant's algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats days since the Unix epoch as `YYYY-MM-DD`.
pub fn format_unix_days(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Formats seconds (and a sub-second fraction in microseconds) since the Unix epoch as
/// `YYYY-MM-DD HH:MM:SS[.ffffff]`, or just the date at midnight.
pub fn format_unix_micros(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let date = format_unix_days(days);
    if sod == 0 && frac == 0 {
        return date;
    }
    let (h, mi, s) = (sod / 3600, (sod % 3600) / 60, sod % 60);
    if frac == 0 {
        format!("{date} {h:02}:{mi:02}:{s:02}")
    } else {
        let fraction = format!("{frac:06}");
        format!("{date} {h:02}:{mi:02}:{s:02}.{}", fraction.trim_end_matches('0'))
    }
}

/// Formats a duration in days (a spreadsheet duration cell) as `[h]:mm:ss`.
pub fn format_duration_days(days: f64) -> String {
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let total = total.abs();
    format!("{sign}{}:{:02}:{:02}", total / 3600, (total % 3600) / 60, total % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_have_no_fraction() {
        assert_eq!(format_number(4.0), "4");
        assert_eq!(format_number(-12.0), "-12");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(123456789012.0), "123456789012");
    }

    #[test]
    fn fractions_round_to_fifteen_significant_digits() {
        assert_eq!(format_number(0.1 + 0.2), "0.3");
        assert_eq!(format_number(3.25), "3.25");
        assert_eq!(format_number(-0.5), "-0.5");
        assert_eq!(format_number(1.0 / 3.0), "0.333333333333333");
    }

    #[test]
    fn dates_render_as_iso() {
        assert_eq!(format_unix_days(0), "1970-01-01");
        assert_eq!(format_unix_days(19_844), "2024-05-01");
        assert_eq!(format_unix_days(-1), "1969-12-31");
        assert_eq!(format_unix_micros(1_500_000), "1970-01-01 00:00:01.5");
        assert_eq!(format_duration_days(1.5), "36:00:00");
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 59, 60, 19_844, 20_414, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days, "{y}-{m}-{d}");
        }
    }
}
