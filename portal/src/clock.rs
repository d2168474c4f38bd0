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

/// Reads what [`rfc3339`] writes (any offset `±hh:mm` or `Z`, optional fraction): ms since
/// the epoch.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut milli = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let frac = s.get(start..i)?;
        milli = format!("{frac:0<3}").get(0..3)?.parse().ok()?;
    }
    let offset = match b.get(i)? {
        b'Z' => 0,
        sign @ (b'+' | b'-') => {
            let o = num(i + 1..i + 3)? * 3_600_000 + num(i + 4..i + 6)? * 60_000;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let days = form_core::expr::days_from_civil(
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    );
    Some(days * 86_400_000 + h * 3_600_000 + min * 60_000 + sec * 1000 + milli - offset)
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
        assert_eq!(parse_rfc3339(&rfc3339(ms)), Some(ms));
        assert_eq!(parse_rfc3339("2026-11-25T16:53:25Z"), Some(ms - 123));
        assert_eq!(parse_rfc3339("2026-11-25"), None);
    }
}
