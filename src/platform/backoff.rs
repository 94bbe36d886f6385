//! How long to wait before a retry: jittered exponential backoff and `Retry-After`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::config::RetryPolicy;

/// Delays of one request's retries.
///
/// The jitter keeps many clients (or many concurrent requests of one client) that failed
/// together from retrying together. It comes from a small seeded generator so that a seed
/// reproduces a run.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: RetryPolicy,
    state: u64,
}

impl Backoff {
    /// Delays for `policy`, jittered from `salt` mixed into the policy's seed (requests use
    /// distinct salts so they do not share a sequence).
    pub fn new(policy: RetryPolicy, salt: u64) -> Self {
        Self { policy, state: policy.seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) }
    }

    /// The wait before retry number `retry` (1 for the first retry).
    ///
    /// A server's `Retry-After` wins over the computed delay, capped by the policy so that
    /// a broken answer cannot stall the run. Otherwise the delay is "equal jitter": half of
    /// the exponential step for sure, the other half at random.
    pub fn delay(&mut self, retry: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.policy.max_retry_after);
        }
        let doublings = retry.saturating_sub(1).min(30);
        let step = self.policy.base_delay.saturating_mul(1 << doublings).min(self.policy.max_delay);
        let half = step / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(self.next() % nanos.saturating_add(1))
    }

    /// SplitMix64: tiny, fast and well spread, enough for jitter.
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Reads a `Retry-After` header: whole seconds, or an HTTP date (`Sun, 06 Nov 1994
/// 08:49:37 GMT`) measured from `now`. A date in the past means "now"; anything else
/// unreadable is ignored.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = UNIX_EPOCH + Duration::from_secs(parse_http_date(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Seconds since the epoch of an IMF-fixdate, the only date form servers must send.
fn parse_http_date(value: &str) -> Option<u64> {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [_weekday, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|name| name == month)? as i64 + 1;
    let day: i64 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let mut clock = time.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    if clock.next().is_some() || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60
    {
        return None;
    }

    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    u64::try_from(seconds).ok()
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(30),
            seed: 7,
        }
    }

    #[test]
    fn delays_grow_exponentially_within_their_jitter_band() {
        let mut backoff = Backoff::new(policy(), 1);
        for (retry, step_ms) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1600), (6, 2000)] {
            let delay = backoff.delay(retry, None);
            let step = Duration::from_millis(step_ms);
            assert!(delay >= step / 2 && delay <= step, "retry {retry}: {delay:?}");
        }
        assert!(backoff.delay(60, None) <= Duration::from_secs(2));
    }

    #[test]
    fn equal_seeds_repeat_and_salts_differ() {
        let run = |salt| {
            let mut backoff = Backoff::new(policy(), salt);
            (1..6).map(|retry| backoff.delay(retry, None)).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn retry_after_wins_but_is_capped() {
        let mut backoff = Backoff::new(policy(), 1);
        assert_eq!(backoff.delay(1, Some(Duration::from_secs(3))), Duration::from_secs(3));
        assert_eq!(backoff.delay(1, Some(Duration::from_secs(3600))), Duration::from_secs(30));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(parse_retry_after(" 2 ", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + Duration::from_secs(60)),
            Some(Duration::ZERO)
        );
        for junk in [
            "soon",
            "-1",
            "1.5",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "",
        ] {
            assert_eq!(parse_retry_after(junk, now), None, "{junk}");
        }
    }

    #[test]
    fn civil_dates_count_from_the_epoch() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
    }
}
