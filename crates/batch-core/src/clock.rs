//! Wall-clock timestamps as RFC 3339 text, without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::sheet::format_unix_days;

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!("{}T{:02}:{:02}:{:02}Z", format_unix_days(days), sod / 3600, (sod % 3600) / 60, sod % 60)
}
