//! The server's one source of "now" and "today". Billing depends on the calendar, so every use
//! of the time goes through a [`Clock`]: the system's in production, a pinned one in tests and
//! demos (`[server] today`, see [`from_settings`]), or one a test moves by hand.

use std::sync::Arc;
use time::{Date, OffsetDateTime};

use crate::server::infra::config::Settings;

/// The time source of the server, replaceable in tests (billing depends on "today").
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock stopped at one instant.
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// A clock that starts at a pinned instant and runs at real speed from there. Tests and demos
/// see the same calendar whatever day they run on, and time still passes within a run (sessions
/// age, a later payment is later than an earlier one, retries come due).
pub struct PinnedClock {
    start: OffsetDateTime,
    started: std::time::Instant,
}

impl PinnedClock {
    pub fn starting_at(start: OffsetDateTime) -> Self {
        PinnedClock { start, started: std::time::Instant::now() }
    }
}

impl Clock for PinnedClock {
    fn now(&self) -> OffsetDateTime {
        let elapsed = time::Duration::try_from(self.started.elapsed()).unwrap_or(time::Duration::ZERO);
        self.start.saturating_add(elapsed)
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// The clock the settings ask for: pinned when `[server] today` is set (refused by the settings
/// in a production configuration), else the system's.
pub fn from_settings(settings: &Settings) -> SharedClock {
    match settings.server.today {
        Some(start) => Arc::new(PinnedClock::starting_at(start)),
        None => Arc::new(SystemClock),
    }
}

pub fn unix_now(clock: &dyn Clock) -> i64 {
    clock.now().unix_timestamp()
}

/// Today's date in UTC, the calendar billing runs on.
pub fn today(clock: &dyn Clock) -> Date {
    clock.now().date()
}

/// A clock that tests move by hand, shared between the test and the server it drives.
pub struct ManualClock(std::sync::Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        ManualClock(std::sync::Mutex::new(start))
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_pinned_clock_starts_where_it_was_pinned_and_runs_forward() {
        let clock = PinnedClock::starting_at(datetime!(2028-02-29 12:00 UTC));
        let first = clock.now();
        assert!(first >= datetime!(2028-02-29 12:00 UTC));
        assert!(first < datetime!(2028-02-29 12:00 UTC) + time::Duration::minutes(1), "{first}");
        assert_eq!(today(&clock), time::macros::date!(2028 - 02 - 29));
        assert!(clock.now() >= first);
    }
}
