//! Time as the application sees it: unix milliseconds behind a newtype, read from a clock that
//! tests can move forward to check expiry rules.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

tokio::task_local! {
    /// The time zone of the person a request is answered for, set around each request by the
    /// web layer (from their settings), so every time a page shows is in it.
    pub static VIEWER_TIME_ZONE: Option<jiff::tz::TimeZone>;
}

/// The zone of the person being answered, when they have told us one.
pub fn viewer_time_zone() -> Option<jiff::tz::TimeZone> {
    VIEWER_TIME_ZONE.try_with(Clone::clone).ok().flatten()
}

/// A point in time, as unix milliseconds (how every timestamp is stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn plus(self, duration: Duration) -> Self {
        Timestamp(self.0.saturating_add(duration.as_millis() as i64))
    }
    pub fn minus(self, duration: Duration) -> Self {
        Timestamp(self.0.saturating_sub(duration.as_millis() as i64))
    }
    pub fn to_offset_date_time(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1_000_000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    }
    /// RFC 3339, as the API shows times.
    pub fn rfc3339(self) -> String {
        self.to_offset_date_time().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }
    /// The calendar day (UTC) as `YYYY-MM-DD`.
    pub fn iso_date(self) -> String {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        self.date().format(&format).unwrap_or_default()
    }
    /// The calendar day (UTC).
    pub fn date(self) -> time::Date {
        self.to_offset_date_time().date()
    }
    /// "23 Nov 2026, 15:05 CET": for pages, in the time zone of whoever is reading (see
    /// [`VIEWER_TIME_ZONE`]), or UTC where nobody is (mail, logs).
    pub fn human(self) -> String {
        let zone = viewer_time_zone().unwrap_or(jiff::tz::TimeZone::UTC);
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(instant) => instant.to_zoned(zone).strftime("%-d %b %Y, %H:%M %Z").to_string(),
            Err(_) => String::new(),
        }
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Timestamp(since.as_millis() as i64)
    }
}

/// The real clock plus an offset that only moves forward: for tests of expiry rules.
#[derive(Debug, Default, Clone)]
pub struct AdjustableClock {
    offset_ms: Arc<AtomicI64>,
}

impl AdjustableClock {
    pub fn advance(&self, by: Duration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for AdjustableClock {
    fn now(&self) -> Timestamp {
        Timestamp(SystemClock.now().0 + self.offset_ms.load(Ordering::SeqCst))
    }
}

impl SystemClock {
    pub fn now_millis(&self) -> i64 {
        self.now().0
    }
}
