//! The delivery engine: attempts one request until it succeeds, fails for good, or runs out of
//! attempts or time. It knows nothing of the CLI: the transport, clock and observer are given.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use url::Url;

use super::retry::{is_retryable_status, jitter_factor, parse_retry_after, RetryPolicy};
use crate::duration::format_short;

/// Everything that goes on the wire, fixed for every attempt of one delivery.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: Url,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What came back, with the body cut at the read limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportErrorKind {
    Timeout,
    Connect,
    /// The server's certificate was refused: retrying cannot fix that, so it is final.
    Certificate,
    /// The proxy wants credentials or refused them (407): final, like a refused certificate.
    ProxyAuthentication,
    Other,
}

impl TransportErrorKind {
    /// Whether another attempt could go differently.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TransportErrorKind::Certificate | TransportErrorKind::ProxyAuthentication
        )
    }
}

/// A request that got no HTTP status: refused, reset, timed out, TLS failure, bad DNS name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    /// Never contains the URL (credential URLs must not leak into messages).
    pub message: String,
}

pub type AttemptResult = Result<Response, TransportError>;

/// Sends one attempt; must finish within `timeout`, body reading included.
pub trait Transport {
    fn send(&self, request: &Request, timeout: Duration) -> impl Future<Output = AttemptResult>;
}

/// Time as the engine sees it, so tests can run the retry schedule without really sleeping.
pub trait Clock {
    fn now(&self) -> Instant;
    fn wall_time(&self) -> SystemTime;
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()>;
}

/// One finished attempt, as reported to the observer.
#[derive(Debug)]
pub struct AttemptReport<'a> {
    pub number: u32,
    pub started_at: SystemTime,
    pub duration: Duration,
    pub result: &'a AttemptResult,
}

/// Told about each attempt as it ends and each wait before the next, e.g. to update the history.
pub trait Observer {
    fn attempt_finished(&mut self, attempt: &AttemptReport<'_>);
    fn waiting(&mut self, _wait: Duration, _next_attempt: u32, _max_attempts: u32, _reason: &str) {}
}

/// How a delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub delivered: bool,
    /// The last HTTP status received, if any.
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub duration: Duration,
    pub error: Option<String>,
}

/// What a particular service says in its response bodies, beyond the status code.
pub trait ResponseHints {
    /// A wait the service asked for in its body (Discord's `retry_after`), used when there is
    /// no `Retry-After` header.
    fn retry_after_from_body(&self, _status: u16, _body: &[u8]) -> Option<Duration> {
        None
    }

    /// A short readable reason from an error response (Slack's `invalid_blocks`, PagerDuty's
    /// `errors`), added to the failure message.
    fn failure_detail(&self, _status: u16, _body: &[u8]) -> Option<String> {
        None
    }
}

/// The rules of plain HTTP: nothing beyond the status.
pub struct PlainHttp;

impl ResponseHints for PlainHttp {}

pub struct Engine<'a, T: Transport, C: Clock> {
    pub transport: &'a T,
    pub clock: &'a C,
}

impl<T: Transport, C: Clock> Engine<'_, T, C> {
    pub async fn deliver(
        &self,
        request: &dyn Fn() -> Request,
        policy: &RetryPolicy,
        hints: &dyn ResponseHints,
        random: &mut fastrand::Rng,
        observer: &mut dyn Observer,
    ) -> Outcome {
        let start = self.clock.now();
        let mut last_status = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let elapsed = self.clock.now().saturating_duration_since(start);
            // An attempt never runs past the delivery's total budget.
            let attempt_timeout = policy
                .timeout
                .min(policy.max_elapsed.saturating_sub(elapsed));
            let started_at = self.clock.wall_time();
            let attempt_start = self.clock.now();
            // Built per attempt: signatures that include the time stay fresh on late retries.
            let result = self.transport.send(&request(), attempt_timeout).await;
            observer.attempt_finished(&AttemptReport {
                number: attempt,
                started_at,
                duration: self.clock.now().saturating_duration_since(attempt_start),
                result: &result,
            });

            let finish = |delivered: bool, status: Option<u16>, error: Option<String>| Outcome {
                delivered,
                http_status: status,
                attempts: attempt,
                duration: self.clock.now().saturating_duration_since(start),
                error,
            };

            let (problem, requested_wait) = match &result {
                Ok(response) => {
                    last_status = Some(response.status);
                    if (200..300).contains(&response.status) {
                        return finish(true, last_status, None);
                    }
                    let mut problem = describe_status(response);
                    if let Some(detail) = hints.failure_detail(response.status, &response.body) {
                        problem.push_str(&format!(": {detail}"));
                    }
                    if !is_retryable_status(response.status) {
                        return finish(false, last_status, Some(problem));
                    }
                    let wait = response
                        .header("retry-after")
                        .and_then(|value| parse_retry_after(value, self.clock.wall_time()))
                        .or_else(|| hints.retry_after_from_body(response.status, &response.body));
                    (problem, wait)
                }
                Err(error) if error.kind.is_final() => {
                    return finish(false, None, Some(error.message.clone()));
                }
                Err(error) => (error.message.clone(), None),
            };

            if attempt >= policy.max_attempts {
                let plural = if attempt == 1 { "" } else { "s" };
                return finish(
                    false,
                    last_status,
                    Some(format!(
                        "gave up after {attempt} attempt{plural}: {problem}"
                    )),
                );
            }
            let wait =
                requested_wait.unwrap_or_else(|| policy.backoff(attempt, jitter_factor(random)));
            let elapsed = self.clock.now().saturating_duration_since(start);
            if elapsed + wait >= policy.max_elapsed {
                let source = if requested_wait.is_some() {
                    "the server asked to retry in"
                } else {
                    "the next retry is in"
                };
                return finish(
                    false,
                    last_status,
                    Some(format!(
                        "gave up after {attempt} attempt{}: {problem}; {source} {}, which would pass max_elapsed {} ({} used)",
                        if attempt == 1 { "" } else { "s" },
                        format_short(wait),
                        format_short(policy.max_elapsed),
                        format_short(elapsed),
                    )),
                );
            }
            observer.waiting(wait, attempt + 1, policy.max_attempts, &problem);
            self.clock.sleep(wait).await;
        }
    }
}

/// The status, with the redirect target when there is one.
fn describe_status(response: &Response) -> String {
    let mut text = format!("HTTP {}", response.status);
    if (300..400).contains(&response.status) {
        match response.header("location") {
            // The query string of a location may carry a token; the path is enough to act on.
            Some(location) => {
                let shown = location.split('?').next().unwrap_or_default();
                let shown: String = shown.chars().take(300).collect();
                text.push_str(&format!(
                    " redirect to {shown} (redirects are not followed)"
                ));
            }
            None => text.push_str(" redirect (redirects are not followed)"),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    struct FakeClock {
        base: Instant,
        wall_base: SystemTime,
        offset: Cell<Duration>,
        sleeps: RefCell<Vec<Duration>>,
    }

    impl FakeClock {
        fn new() -> FakeClock {
            FakeClock {
                base: Instant::now(),
                wall_base: httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap(),
                offset: Cell::new(Duration::ZERO),
                sleeps: RefCell::new(Vec::new()),
            }
        }
        fn advance(&self, duration: Duration) {
            self.offset.set(self.offset.get() + duration);
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> Instant {
            self.base + self.offset.get()
        }
        fn wall_time(&self) -> SystemTime {
            self.wall_base + self.offset.get()
        }
        fn sleep(&self, duration: Duration) -> impl Future<Output = ()> {
            self.sleeps.borrow_mut().push(duration);
            self.advance(duration);
            std::future::ready(())
        }
    }

    /// Answers from a script; each answer takes `latency` of fake time, capped by the timeout.
    struct FakeTransport<'a> {
        clock: &'a FakeClock,
        answers: RefCell<VecDeque<(Duration, AttemptResult)>>,
        timeouts_seen: RefCell<Vec<Duration>>,
    }

    impl Transport for FakeTransport<'_> {
        fn send(
            &self,
            _request: &Request,
            timeout: Duration,
        ) -> impl Future<Output = AttemptResult> {
            self.timeouts_seen.borrow_mut().push(timeout);
            let (latency, answer) = self
                .answers
                .borrow_mut()
                .pop_front()
                .unwrap_or((Duration::ZERO, Ok(response(200, &[]))));
            let result = if latency > timeout {
                self.clock.advance(timeout);
                Err(TransportError {
                    kind: TransportErrorKind::Timeout,
                    message: "timed out".into(),
                })
            } else {
                self.clock.advance(latency);
                answer
            };
            std::future::ready(result)
        }
    }

    #[derive(Default)]
    struct Recorder {
        attempts: Vec<(u32, Option<u16>)>,
        waits: Vec<(Duration, u32)>,
    }

    impl Observer for Recorder {
        fn attempt_finished(&mut self, attempt: &AttemptReport<'_>) {
            self.attempts.push((
                attempt.number,
                attempt.result.as_ref().ok().map(|r| r.status),
            ));
        }
        fn waiting(&mut self, wait: Duration, next_attempt: u32, _max: u32, _reason: &str) {
            self.waits.push((wait, next_attempt));
        }
    }

    fn response(status: u16, headers: &[(&str, &str)]) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
            truncated: false,
        }
    }

    /// The docs/reference.md §2 defaults: 5 attempts, 1 s doubling to 30 s, 2 m budget, 15 s timeout.
    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    fn run(
        clock: &FakeClock,
        answers: Vec<(Duration, AttemptResult)>,
        policy: RetryPolicy,
        hints: &dyn ResponseHints,
    ) -> (Outcome, Recorder, Vec<Duration>) {
        run_seeded(clock, answers, policy, hints, 1)
    }

    /// Like [`run`], with the random generator (the jitter) seeded with `seed`.
    fn run_seeded(
        clock: &FakeClock,
        answers: Vec<(Duration, AttemptResult)>,
        policy: RetryPolicy,
        hints: &dyn ResponseHints,
        seed: u64,
    ) -> (Outcome, Recorder, Vec<Duration>) {
        let transport = FakeTransport {
            clock,
            answers: RefCell::new(answers.into()),
            timeouts_seen: RefCell::new(Vec::new()),
        };
        let engine = Engine {
            transport: &transport,
            clock,
        };
        let request = Request {
            url: Url::parse("http://127.0.0.1/").unwrap(),
            headers: vec![],
            body: vec![],
        };
        let mut recorder = Recorder::default();
        let mut random = fastrand::Rng::with_seed(seed);
        let outcome = futures::executor::block_on(engine.deliver(
            &|| request.clone(),
            &policy,
            hints,
            &mut random,
            &mut recorder,
        ));
        let timeouts = transport.timeouts_seen.into_inner();
        (outcome, recorder, timeouts)
    }

    const NO_HINTS: PlainHttp = PlainHttp;

    /// Answers 429 bodies with a 1.5 s wait and explains 400s, like a chat service would.
    struct ChattyService;

    impl ResponseHints for ChattyService {
        fn retry_after_from_body(&self, status: u16, _body: &[u8]) -> Option<Duration> {
            (status == 429).then(|| Duration::from_millis(1500))
        }
        fn failure_detail(&self, status: u16, body: &[u8]) -> Option<String> {
            (status == 400).then(|| String::from_utf8_lossy(body).into_owned())
        }
    }

    fn quick(status: u16) -> (Duration, AttemptResult) {
        (Duration::from_millis(10), Ok(response(status, &[])))
    }

    #[test]
    fn retries_server_errors_with_doubling_jittered_backoff() {
        let clock = FakeClock::new();
        let (outcome, recorder, _) = run(
            &clock,
            vec![quick(503), quick(500), quick(502), quick(200)],
            policy(),
            &NO_HINTS,
        );
        assert!(outcome.delivered);
        assert_eq!(outcome.attempts, 4);
        assert_eq!(outcome.http_status, Some(200));
        let sleeps = clock.sleeps.borrow().clone();
        assert_eq!(sleeps.len(), 3);
        for (index, sleep) in sleeps.iter().enumerate() {
            let base = 1u64 << index;
            let low = Duration::from_millis(base * 800);
            let high = Duration::from_millis(base * 1200);
            assert!(*sleep >= low && *sleep <= high, "wait {index} = {sleep:?}");
        }
        assert_eq!(
            recorder.attempts,
            vec![
                (1, Some(503)),
                (2, Some(500)),
                (3, Some(502)),
                (4, Some(200))
            ]
        );
        assert_eq!(
            recorder.waits.iter().map(|w| w.1).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
    }

    /// Many deliveries (one per seed, as many clients would be) that each retry once after a
    /// 503: the 1 s backoff is spread over 0.8-1.2 s, not the same for all of them.
    #[test]
    fn backoff_jitter_spreads_the_retries_of_many_deliveries() {
        let waits: Vec<Duration> = (0..200)
            .map(|seed| {
                let clock = FakeClock::new();
                let (outcome, _, _) = run_seeded(
                    &clock,
                    vec![quick(503), quick(200)],
                    policy(),
                    &NO_HINTS,
                    seed,
                );
                assert!(outcome.delivered);
                let sleeps = clock.sleeps.borrow().clone();
                assert_eq!(sleeps.len(), 1, "seed {seed}");
                sleeps[0]
            })
            .collect();
        let lowest = waits.iter().min().unwrap();
        let highest = waits.iter().max().unwrap();
        assert!(
            *lowest < Duration::from_millis(850) && *highest > Duration::from_millis(1150),
            "waits from {lowest:?} to {highest:?}"
        );
        assert!(
            waits.iter().all(
                |wait| (Duration::from_millis(800)..=Duration::from_millis(1200)).contains(wait)
            ),
            "{waits:?}"
        );
        let distinct: std::collections::BTreeSet<Duration> = waits.iter().copied().collect();
        assert!(
            distinct.len() > 150,
            "only {} different waits",
            distinct.len()
        );
    }

    #[test]
    fn does_not_retry_client_errors_or_redirects() {
        let clock = FakeClock::new();
        let (outcome, _, _) = run(&clock, vec![quick(404)], policy(), &NO_HINTS);
        assert_eq!((outcome.delivered, outcome.attempts), (false, 1));
        assert_eq!(outcome.error.as_deref(), Some("HTTP 404"));

        let clock = FakeClock::new();
        let redirect = (
            Duration::ZERO,
            Ok(response(
                302,
                &[("Location", "https://elsewhere.example/x?token=abc")],
            )),
        );
        let (outcome, _, _) = run(&clock, vec![redirect], policy(), &NO_HINTS);
        assert_eq!(outcome.attempts, 1);
        assert_eq!(
            outcome.error.as_deref(),
            Some("HTTP 302 redirect to https://elsewhere.example/x (redirects are not followed)")
        );
        assert!(clock.sleeps.borrow().is_empty());
    }

    #[test]
    fn gives_up_after_max_attempts() {
        let clock = FakeClock::new();
        let mut policy = policy();
        policy.max_attempts = 3;
        let (outcome, _, _) = run(
            &clock,
            vec![quick(500), quick(500), quick(500), quick(200)],
            policy,
            &NO_HINTS,
        );
        assert!(!outcome.delivered);
        assert_eq!(outcome.attempts, 3);
        assert_eq!(
            outcome.error.as_deref(),
            Some("gave up after 3 attempts: HTTP 500")
        );
        assert_eq!(clock.sleeps.borrow().len(), 2);
    }

    #[test]
    fn retry_after_seconds_and_date_replace_the_backoff() {
        let clock = FakeClock::new();
        let date = httpdate::fmt_http_date(clock.wall_time() + Duration::from_secs(7));
        let answers = vec![
            (Duration::ZERO, Ok(response(429, &[("Retry-After", "3")]))),
            (
                Duration::ZERO,
                Ok(response(503, &[("retry-after", date.as_str())])),
            ),
            quick(200),
        ];
        let (outcome, _, _) = run(&clock, answers, policy(), &NO_HINTS);
        assert!(outcome.delivered);
        // The date was 7 s away when first seen; 3 s of waiting later it is 4 s away.
        assert_eq!(
            *clock.sleeps.borrow(),
            vec![Duration::from_secs(3), Duration::from_secs(4)]
        );
    }

    #[test]
    fn body_hint_is_used_without_a_header() {
        let clock = FakeClock::new();
        let (outcome, _, _) = run(
            &clock,
            vec![quick(429), quick(204)],
            policy(),
            &ChattyService,
        );
        assert!(outcome.delivered);
        assert_eq!(*clock.sleeps.borrow(), vec![Duration::from_millis(1500)]);
    }

    #[test]
    fn failure_detail_joins_the_error() {
        let clock = FakeClock::new();
        let answer = Response {
            status: 400,
            headers: vec![],
            body: b"invalid_blocks".to_vec(),
            truncated: false,
        };
        let (outcome, _, _) = run(
            &clock,
            vec![(Duration::ZERO, Ok(answer))],
            policy(),
            &ChattyService,
        );
        assert_eq!(outcome.error.as_deref(), Some("HTTP 400: invalid_blocks"));
    }

    #[test]
    fn gives_up_at_once_when_retry_after_passes_the_budget() {
        let clock = FakeClock::new();
        let answers = vec![(Duration::ZERO, Ok(response(429, &[("Retry-After", "600")])))];
        let (outcome, recorder, _) = run(&clock, answers, policy(), &NO_HINTS);
        assert!(!outcome.delivered);
        assert_eq!(outcome.attempts, 1);
        assert!(
            clock.sleeps.borrow().is_empty(),
            "must not sleep before giving up"
        );
        assert!(recorder.waits.is_empty());
        assert_eq!(
            outcome.error.as_deref(),
            Some("gave up after 1 attempt: HTTP 429; the server asked to retry in 10m, which would pass max_elapsed 2m (0ms used)")
        );
    }

    #[test]
    fn hanging_endpoint_stays_within_the_budget() {
        let clock = FakeClock::new();
        let mut policy = policy();
        policy.max_attempts = 10;
        policy.max_elapsed = Duration::from_secs(40);
        let hang = || (Duration::from_secs(3600), Ok(response(200, &[])));
        let (outcome, recorder, timeouts) =
            run(&clock, (0..10).map(|_| hang()).collect(), policy, &NO_HINTS);
        assert!(!outcome.delivered);
        assert!(
            outcome.duration <= Duration::from_secs(40),
            "{:?}",
            outcome.duration
        );
        assert_eq!(timeouts[0], Duration::from_secs(15));
        assert!(timeouts.iter().all(|t| *t <= Duration::from_secs(15)));
        assert!(recorder.attempts.len() >= 2);
        assert!(outcome.error.unwrap().contains("timed out"));
    }

    #[test]
    fn certificate_errors_are_final() {
        let clock = FakeClock::new();
        let refused = (
            Duration::ZERO,
            Err(TransportError {
                kind: TransportErrorKind::Certificate,
                message: "TLS certificate refused: UnknownIssuer".into(),
            }),
        );
        let (outcome, _, _) = run(&clock, vec![refused, quick(200)], policy(), &NO_HINTS);
        assert!(!outcome.delivered);
        assert_eq!(outcome.attempts, 1);
        assert!(clock.sleeps.borrow().is_empty());
    }

    #[test]
    fn connection_errors_are_retried() {
        let clock = FakeClock::new();
        let refused = (
            Duration::ZERO,
            Err(TransportError {
                kind: TransportErrorKind::Connect,
                message: "connection refused".into(),
            }),
        );
        let (outcome, _, _) = run(
            &clock,
            vec![refused.clone(), refused, quick(200)],
            policy(),
            &NO_HINTS,
        );
        assert!(outcome.delivered);
        assert_eq!(outcome.attempts, 3);
    }
}
