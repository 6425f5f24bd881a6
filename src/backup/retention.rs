//! Archive names and the retention policy: keep the newest archive of each of the last N days
//! that have one, and of each of the last M ISO weeks; the newest archive is always kept. Only
//! names this module made are ever considered, so nothing else in a directory or bucket is touched.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use crate::clock::Timestamp;

const PREFIX: &str = "careerlog-";
const SUFFIX: &str = ".tar.gz.age";

/// `careerlog-20261205-023000-123.tar.gz.age`: UTC, sortable by name.
pub fn archive_name(at: Timestamp) -> String {
    let time = utc(at);
    format!("{PREFIX}{}-{:03}{SUFFIX}", time.strftime("%Y%m%d-%H%M%S"), time.subsec_nanosecond() / 1_000_000)
}

fn utc(at: Timestamp) -> DateTime {
    jiff::Timestamp::from_millisecond(at.millis())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(TimeZone::UTC)
        .datetime()
}

/// When an archive named by [`archive_name`] was made; None for any other name.
pub fn archive_time(name: &str) -> Option<DateTime> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (seconds, millis) = stamp.rsplit_once('-')?;
    if millis.len() != 3 || !millis.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = DateTime::strptime("%Y%m%d-%H%M%S", seconds).ok()?;
    time.checked_add(jiff::Span::new().milliseconds(millis.parse::<i64>().ok()?)).ok()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub daily: u32,
    pub weekly: u32,
}

impl Retention {
    /// Of `names` (any names; only archive names count), the archives to remove.
    pub fn to_remove(&self, names: &[String]) -> Vec<String> {
        let mut archives: Vec<(DateTime, &String)> =
            names.iter().filter_map(|name| archive_time(name).map(|time| (time, name))).collect();
        archives.sort_by(|a, b| b.cmp(a));
        let mut keep = vec![false; archives.len()];
        if let Some(newest) = keep.first_mut() {
            *newest = true;
        }
        let mut mark = |period: fn(Date) -> (i16, i16), count: u32| {
            let mut periods_seen = 0u32;
            let mut last: Option<(i16, i16)> = None;
            for (i, (time, _)) in archives.iter().enumerate() {
                let this = period(time.date());
                if last == Some(this) {
                    continue;
                }
                if periods_seen == count {
                    break;
                }
                periods_seen += 1;
                last = Some(this);
                keep[i] = true;
            }
        };
        mark(|date| (date.year(), date.day_of_year()), self.daily);
        mark(
            |date| {
                let week = date.iso_week_date();
                (week.year(), i16::from(week.week()))
            },
            self.weekly,
        );
        archives.iter().zip(keep).filter(|(_, kept)| !kept).map(|((_, name), _)| (*name).clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> String {
        let time: jiff::Timestamp = text.parse().unwrap();
        archive_name(Timestamp(time.as_millisecond()))
    }

    #[test]
    fn names_carry_their_time_and_sort_by_it() {
        let name = at("2026-12-05T02:30:00.123Z");
        assert_eq!(name, "careerlog-20261205-023000-123.tar.gz.age");
        assert_eq!(archive_time(&name).unwrap().to_string(), "2026-12-05T02:30:00.123");
        assert!(at("2026-12-05T02:30:00Z") < at("2026-12-05T02:30:01Z"));
        for other in ["careerlog-20261205-023000.tar.gz.age", "notes.txt", "careerlog-2026-x-123.tar.gz.age"] {
            assert_eq!(archive_time(other), None, "{other}");
        }
    }

    #[test]
    fn keeps_the_newest_of_each_recent_day_and_week() {
        // Two archives a day (03:00 and 15:00) for 40 days, up to Saturday 2026-12-05.
        let mut names: Vec<String> = Vec::new();
        for day in 0..40 {
            let date = jiff::civil::date(2026, 12, 5).checked_sub(jiff::Span::new().days(day)).unwrap();
            for hour in [3, 15] {
                names.push(at(&format!("{date}T{hour:02}:00:00Z")));
            }
        }
        names.push("somebody-elses-file.txt".into());
        let policy = Retention { daily: 7, weekly: 4 };
        let removed = policy.to_remove(&names);
        let kept: Vec<&String> = names.iter().filter(|n| !removed.contains(n)).collect();
        let kept_times: Vec<String> = kept.iter().filter_map(|n| archive_time(n)).map(|t| t.to_string()).collect();
        assert_eq!(
            kept_times,
            [
                "2026-12-05T15:00:00",
                "2026-12-04T15:00:00",
                "2026-12-03T15:00:00",
                "2026-12-02T15:00:00",
                "2026-12-01T15:00:00",
                "2026-11-30T15:00:00",
                "2026-11-29T15:00:00", // the 7th day, and also week 48's newest
                "2026-11-22T15:00:00", // week 47
                "2026-11-15T15:00:00", // week 46
            ]
        );
        assert!(!removed.contains(&"somebody-elses-file.txt".to_owned()), "only our archives are removed");
        assert_eq!(removed.len(), 80 - 9);
    }

    #[test]
    fn the_newest_archive_always_stays() {
        let names = vec![at("2026-12-05T03:00:00Z"), at("2026-12-04T03:00:00Z")];
        assert_eq!(Retention { daily: 0, weekly: 0 }.to_remove(&names), vec![names[1].clone()]);
        assert!(Retention { daily: 1, weekly: 0 }.to_remove(&[]).is_empty());
    }
}
