//! The retry rules of docs/reference.md §5: what is retried, how long to wait, and `Retry-After`.

use std::time::{Duration, SystemTime};

/// How many times and how patiently one delivery is attempted: the `[defaults]` keys of the
/// config (overridable per webhook) that the config reads straight into this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub max_elapsed: Duration,
    /// One attempt, connect and response body included.
    pub timeout: Duration,
}

/// The documented defaults (docs/reference.md §2).
impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            timeout: Duration::from_secs(15),
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `attempt` (1-based): `initial × 2^(attempt-1)`, capped at
    /// `max_backoff`, then scaled by `jitter` in [0.8, 1.2] so many clients do not retry in step.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        base.mul_f64(jitter.clamp(0.8, 1.2))
    }
}

/// Draws the jitter factor, uniform in [0.8, 1.2].
pub fn jitter_factor(random: &mut fastrand::Rng) -> f64 {
    0.8 + random.f64() * 0.4
}

/// Statuses that may succeed later: timeouts, "too early", rate limits and server errors.
/// Everything else (400, 401, 403, 404, 410, …) will not fix itself.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || (500..=599).contains(&status)
}

/// Reads `Retry-After` as delay-seconds or an HTTP date; a date in the past means now.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The docs/reference.md §2 defaults: 5 attempts, 1 s doubling to 30 s, 2 m budget, 15 s timeout.
    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let policy = policy();
        let waits: Vec<u64> = (1..=7)
            .map(|attempt| policy.backoff(attempt, 1.0).as_secs())
            .collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(policy.backoff(3, 0.8), Duration::from_millis(3200));
        assert_eq!(policy.backoff(3, 1.2), Duration::from_millis(4800));
        assert_eq!(policy.backoff(3, 5.0), Duration::from_millis(4800));
        assert_eq!(policy.backoff(u32::MAX, 1.0), Duration::from_secs(30));
    }

    #[test]
    fn jitter_stays_in_range() {
        let mut random = fastrand::Rng::with_seed(7);
        for _ in 0..1000 {
            let factor = jitter_factor(&mut random);
            assert!((0.8..=1.2).contains(&factor), "{factor}");
        }
    }

    /// Staying in range is not enough (a constant 1.0 does): clients only stop retrying in
    /// step if the factor is spread over the whole range, about evenly.
    #[test]
    fn jitter_is_spread_over_the_whole_range() {
        let mut random = fastrand::Rng::with_seed(7);
        let factors: Vec<f64> = (0..1000).map(|_| jitter_factor(&mut random)).collect();
        // Ten equal slices of [0.8, 1.2]: each gets about 100 of the 1000 draws.
        let mut slices = [0usize; 10];
        for factor in &factors {
            let slice = ((factor - 0.8) / 0.04).floor().clamp(0.0, 9.0) as usize;
            slices[slice] += 1;
        }
        assert!(slices.iter().all(|&count| count >= 60), "{slices:?}");
        let lowest = factors.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = factors.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert!(lowest < 0.81 && highest > 1.19, "{lowest}..{highest}");
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 425, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 301, 400, 401, 403, 404, 410, 422] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
