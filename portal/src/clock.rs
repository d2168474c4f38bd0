//! Time as the portal records it: milliseconds since the Unix epoch (UTC) in the database;
//! Vietnam time (UTC+7, no daylight saving) for dossier codes and for people.

use form_core::expr::civil_from_days;

/// Vietnam's offset from UTC, in milliseconds.
const VN_OFFSET_MS: i64 = 7 * 3600 * 1000;

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The day in Vietnam at `ms`, as in dossier codes: `yymmdd`.
pub fn yymmdd(ms: i64) -> String {
    let (y, m, d) = civil_from_days((ms + VN_OFFSET_MS).div_euclid(86_400_000));
    format!("{:02}{m:02}{d:02}", y.rem_euclid(100))
}

/// The day in Vietnam at `ms`: `yyyy-mm-dd`.
pub fn day(ms: i64) -> String {
    let (y, m, d) = civil_from_days((ms + VN_OFFSET_MS).div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// RFC 3339 time in Vietnam, to the millisecond: `2026-11-25T23:53:25.123+07:00`.
pub fn rfc3339(ms: i64) -> String {
    let local = ms + VN_OFFSET_MS;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400_000));
    let in_day = local.rem_euclid(86_400_000);
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}+07:00")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnam_time() {
        // 2026-11-25 16:53:25.123 UTC is 23:53 the same day in Vietnam; 17:00 UTC is the next day.
        let ms = 1_795_625_605_123;
        assert_eq!(rfc3339(ms), "2026-11-25T23:53:25.123+07:00");
        assert_eq!(yymmdd(ms), "261125");
        assert_eq!(yymmdd(ms + 7 * 60_000), "261126");
        assert_eq!(day(ms + 7 * 60_000), "2026-11-26");
        assert_eq!(rfc3339(0), "1970-01-01T07:00:00.000+07:00");
    }
}
