//! Rate limits (review M1, M2, M4, M5): how often one citizen may submit, amend, upload, ask to
//! sign or read their data store, and how often one client address may use the anonymous check
//! API. Each is a GCRA limit (the `governor` crate) per key: a burst, then a steady rate; past
//! it, 429 `rate-limited` with `Retry-After`. On PostgreSQL the counts are shared by the
//! instances (the same GCRA in one statement on the `rate_limits` table), after a first check in
//! this process's memory that keeps refused floods off the database; on SQLite (one instance)
//! they live in memory only.
//!
//! Limits are configuration (`eform serve --rate-limit submit=30/h`, `… off`); the defaults are
//! generous for a person and tight for a script.

use crate::reply::error;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use form_core::Text;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::time::Duration;

/// What is limited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// New dossiers, per citizen.
    Submit,
    /// Amendments, per citizen.
    Amend,
    /// File uploads, per user.
    Upload,
    /// Signing requests, per citizen.
    Sign,
    /// Data-store reads and writes, per citizen.
    Datastore,
    /// The anonymous check API, per client address.
    Check,
    /// Sign-ins started and finished (`/auth/login`, `/auth/callback`), per client address.
    Login,
    /// Drafts saved on the portal, per citizen (the runtime saves a few seconds after typing
    /// stops).
    Draft,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Submit,
        Kind::Amend,
        Kind::Upload,
        Kind::Sign,
        Kind::Datastore,
        Kind::Check,
        Kind::Login,
        Kind::Draft,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Submit => "submit",
            Kind::Amend => "amend",
            Kind::Upload => "upload",
            Kind::Sign => "sign",
            Kind::Datastore => "datastore",
            Kind::Check => "check",
            Kind::Login => "login",
            Kind::Draft => "draft",
        }
    }

    /// The default: `(burst, per period)`.
    fn default_rate(self) -> Rate {
        let (count, period) = match self {
            Kind::Submit => (30, HOUR),
            Kind::Amend => (30, HOUR),
            Kind::Upload => (120, HOUR),
            Kind::Sign => (30, HOUR),
            Kind::Datastore => (120, MINUTE),
            Kind::Check => (60, MINUTE),
            Kind::Login => (30, MINUTE),
            Kind::Draft => (600, HOUR),
        };
        Rate { count, period }
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// `count` requests per `period`, all of them at once at most.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub period: Duration,
}

/// The limits of a deployment: a rate per kind, or none (off).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rates(pub BTreeMap<Kind, Option<Rate>>);

impl Default for Rates {
    fn default() -> Self {
        Rates(
            Kind::ALL
                .iter()
                .map(|k| (*k, Some(k.default_rate())))
                .collect(),
        )
    }
}

impl Rates {
    /// No limits at all.
    pub fn off() -> Rates {
        Rates(Kind::ALL.iter().map(|k| (*k, None)).collect())
    }

    /// Applies one setting: `off`, `KIND=off`, or `KIND=N/s|m|h` (e.g. `submit=30/h`).
    pub fn set(&mut self, setting: &str) -> Result<(), String> {
        if setting == "off" {
            *self = Rates::off();
            return Ok(());
        }
        let (kind, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("{setting}: expected KIND=N/PERIOD or KIND=off"))?;
        let kind = Kind::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!("{kind}: not one of {}", names.join(", "))
            })?;
        let rate = if value == "off" {
            None
        } else {
            let (n, per) = value
                .split_once('/')
                .ok_or_else(|| format!("{value}: expected N/s, N/m or N/h"))?;
            let count: u32 = n
                .parse()
                .ok()
                .filter(|c| *c > 0)
                .ok_or_else(|| format!("{n}: a count above 0"))?;
            let period = match per {
                "s" => Duration::from_secs(1),
                "m" => MINUTE,
                "h" => HOUR,
                _ => return Err(format!("{per}: the period is s, m or h")),
            };
            Some(Rate { count, period })
        };
        self.0.insert(kind, rate);
        Ok(())
    }
}

/// The limiters of a running portal.
pub struct Limits {
    limiters: BTreeMap<Kind, DefaultKeyedRateLimiter<String>>,
    rates: BTreeMap<Kind, Rate>,
    /// The database the instances share the counts in (PostgreSQL), if any.
    shared: Option<crate::db::Db>,
}

impl Limits {
    /// Limits counted in this process only.
    pub fn new(rates: &Rates) -> Limits {
        Self::shared(rates, None)
    }

    /// Limits counted in `db` too, for every instance.
    pub fn shared(rates: &Rates, db: Option<crate::db::Db>) -> Limits {
        let shared = db;
        let limiters = rates
            .0
            .iter()
            .filter_map(|(kind, rate)| {
                let rate = (*rate)?;
                let burst = NonZeroU32::new(rate.count)?;
                let quota = Quota::with_period(rate.period / rate.count)?.allow_burst(burst);
                Some((*kind, DefaultKeyedRateLimiter::keyed(quota)))
            })
            .collect();
        let rates = rates
            .0
            .iter()
            .filter_map(|(k, r)| Some((*k, (*r)?)))
            .collect();
        Limits {
            limiters,
            rates,
            shared,
        }
    }

    /// Counts one request of `kind` by `key`; 429 with `Retry-After` past the limit. When the
    /// shared count cannot be read the request goes on (logged): a rate limit is no reason to
    /// refuse a citizen while the database hiccups.
    #[allow(clippy::result_large_err)]
    pub async fn check(&self, kind: Kind, key: &str) -> Result<(), Response> {
        let (Some(limiter), Some(rate)) = (self.limiters.get(&kind), self.rates.get(&kind)) else {
            return Ok(());
        };
        let refused = |wait: Duration| {
            metrics::counter!("eform_rate_limited_total", "kind" => kind.name()).increment(1);
            limited(wait)
        };
        if let Err(not_until) = limiter.check_key(&key.to_owned()) {
            return Err(refused(
                not_until.wait_time_from(DefaultClock::default().now()),
            ));
        }
        let Some(db) = &self.shared else {
            return Ok(());
        };
        let period = i64::try_from(rate.period.as_millis()).unwrap_or(i64::MAX);
        let interval = (period / i64::from(rate.count)).max(1);
        let shared_key = format!("{}:{key}", kind.name());
        match db
            .rate_limit(
                &shared_key,
                crate::clock::now_ms(),
                interval,
                period - interval,
            )
            .await
        {
            Ok(None) => Ok(()),
            Ok(Some(wait_ms)) => Err(refused(Duration::from_millis(
                u64::try_from(wait_ms).unwrap_or(1),
            ))),
            Err(e) => {
                tracing::warn!(error = %e, kind = kind.name(), "the shared rate limit could not be read");
                Ok(())
            }
        }
    }

    /// Forgets keys whose limits have refilled (run now and then: the maps stay small).
    pub fn forget_idle(&self) {
        for l in self.limiters.values() {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// 429 `rate-limited`, to try again after `wait` (whole seconds, at least 1).
fn limited(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let seconds = seconds.max(1);
    let mut res = error(
        StatusCode::TOO_MANY_REQUESTS,
        "rate-limited",
        Text::new(
            format!(
                "Bạn gửi quá nhiều yêu cầu; vui lòng thử lại sau {seconds} giây. Dữ liệu đã nhập vẫn được giữ."
            ),
            format!(
                "Too many requests; please try again in {seconds} s. What you entered is kept."
            ),
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings() {
        let mut r = Rates::default();
        r.set("submit=5/m").unwrap();
        assert_eq!(
            r.0[&Kind::Submit],
            Some(Rate {
                count: 5,
                period: MINUTE
            })
        );
        r.set("check=off").unwrap();
        assert_eq!(r.0[&Kind::Check], None);
        for bad in [
            "submit",
            "nope=1/h",
            "submit=0/h",
            "submit=3/d",
            "submit=x/h",
        ] {
            assert!(r.set(bad).is_err(), "{bad}");
        }
        r.set("off").unwrap();
        assert!(r.0.values().all(Option::is_none));
    }

    #[test]
    fn a_burst_then_429_with_retry_after_per_key() {
        let mut rates = Rates::off();
        rates.set("submit=3/h").unwrap();
        let limits = Limits::new(&rates);
        // The answer's status and Retry-After (the 429 itself is a large value).
        let check = |kind, key| {
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(limits.check(kind, key))
                .map_err(Box::new)
        };
        for _ in 0..3 {
            assert!(check(Kind::Submit, "an").is_ok());
        }
        let refused = check(Kind::Submit, "an").unwrap_err();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = refused.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=1200).contains(&wait), "{wait}");
        // Another key, another kind: not held back.
        assert!(check(Kind::Submit, "binh").is_ok());
        assert!(check(Kind::Amend, "an").is_ok());
    }
}
