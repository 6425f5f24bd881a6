//! What `/metrics` reports, in Prometheus' text format: requests by method, route template and
//! status, their latency as histograms per route template, the database pool, and background
//! job runs. Per instance (Prometheus scrapes each one); held in memory, reset at restart, as
//! counters are meant to be.
//!
//! Labels are only ever route templates (`/opportunities/{id}`), never paths: no record id, no
//! username, nothing a user typed reaches a metric.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// By route template: found without allocating once a route has been seen.
    routes: BTreeMap<String, RouteFigures>,
    jobs: BTreeMap<(&'static str, &'static str), u64>,
}

#[derive(Default)]
struct RouteFigures {
    answers: BTreeMap<(&'static str, u16), u64>,
    latency: Histogram,
}

#[derive(Default, Clone)]
struct Histogram {
    /// Observations at or under each bucket's bound (not cumulative; summed when written).
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The database pool as it stands when scraped.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// A method as a label: the usual ones by name, anything else as `other` (so a client cannot
/// grow the label set).
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

impl Metrics {
    /// One answered request. `route` is the matched route template, or `None` for a request
    /// no route matched (counted together as `unmatched`).
    pub fn observe_request(&self, method: &str, route: Option<&str>, status: u16, seconds: f64) {
        let route = route.unwrap_or("unmatched");
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if !inner.routes.contains_key(route) {
            inner.routes.insert(route.to_owned(), RouteFigures::default());
        }
        let figures = inner.routes.get_mut(route).expect("inserted above");
        *figures.answers.entry((method_label(method), status)).or_default() += 1;
        let histogram = &mut figures.latency;
        if let Some(slot) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            histogram.buckets[slot] += 1;
        }
        histogram.sum += seconds.max(0.0);
        histogram.count += 1;
    }

    /// One run of a background job, and whether it went through.
    pub fn job_run(&self, job: &'static str, ok: bool) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.jobs.entry((job, if ok { "ok" } else { "failed" })).or_default() += 1;
    }

    /// Everything, in Prometheus' text exposition format (version 0.0.4).
    pub fn render(&self, pool: PoolStats) -> String {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str(
            "# HELP careerlog_http_requests_total HTTP requests answered, by method, route template and status.\n",
        );
        out.push_str("# TYPE careerlog_http_requests_total counter\n");
        for (route, figures) in &inner.routes {
            let route = escape(route);
            for ((method, status), count) in &figures.answers {
                let _ = writeln!(
                    out,
                    "careerlog_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP careerlog_http_request_duration_seconds Time to answer a request, by route template.\n");
        out.push_str("# TYPE careerlog_http_request_duration_seconds histogram\n");
        for (route, histogram) in inner.routes.iter().map(|(route, figures)| (route, &figures.latency)) {
            let route = escape(route);
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "careerlog_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "careerlog_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(out, "careerlog_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", histogram.sum);
            let _ =
                writeln!(out, "careerlog_http_request_duration_seconds_count{{route=\"{route}\"}} {}", histogram.count);
        }
        out.push_str("# HELP careerlog_db_pool_connections Database connections of this instance, by state.\n");
        out.push_str("# TYPE careerlog_db_pool_connections gauge\n");
        let _ = writeln!(out, "careerlog_db_pool_connections{{state=\"idle\"}} {}", pool.idle);
        let _ =
            writeln!(out, "careerlog_db_pool_connections{{state=\"in_use\"}} {}", pool.open.saturating_sub(pool.idle));
        out.push_str("# HELP careerlog_db_pool_max_connections The most connections this instance opens.\n");
        out.push_str("# TYPE careerlog_db_pool_max_connections gauge\n");
        let _ = writeln!(out, "careerlog_db_pool_max_connections {}", pool.max);
        out.push_str("# HELP careerlog_job_runs_total Background job runs on this instance, by job and outcome.\n");
        out.push_str("# TYPE careerlog_job_runs_total counter\n");
        for ((job, outcome), count) in &inner.jobs {
            let _ = writeln!(out, "careerlog_job_runs_total{{job=\"{job}\",outcome=\"{outcome}\"}} {count}");
        }
        out
    }
}

/// The mail outbox's gauges, read from the database when scraped (the outbox is shared by every
/// instance, so each reports the same figures): mail waiting to be sent (tried again by
/// itself), and mail the outbox gave up on (Administration → Mail).
pub fn render_mail_outbox(queued: i64, given_up: i64) -> String {
    let mut out = String::new();
    let help = "Mail waiting in the outbox to be sent or tried again.";
    write_sample(&mut out, "careerlog_mail_outbox_depth", "gauge", help, queued);
    let help = "Mail the outbox gave up on, waiting for an administrator.";
    write_sample(&mut out, "careerlog_mail_outbox_failed", "gauge", help, given_up);
    out
}

/// One unlabelled sample in the text format, with its HELP and TYPE lines (`kind`: `counter` or
/// `gauge`).
pub fn write_sample(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "{name} {value}");
}

/// A label value as the text format wants it.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_timed_in_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.observe_request("GET", Some("/opportunities/{id}"), 200, 0.003);
        metrics.observe_request("GET", Some("/opportunities/{id}"), 200, 0.2);
        metrics.observe_request("BREW", None, 404, 30.0);
        metrics.job_run("housekeeping", true);
        let text = metrics.render(PoolStats { open: 3, idle: 1, max: 10 });
        assert!(
            text.contains(r#"careerlog_http_requests_total{method="GET",route="/opportunities/{id}",status="200"} 2"#)
        );
        assert!(text.contains(r#"careerlog_http_requests_total{method="other",route="unmatched",status="404"} 1"#));
        assert!(text
            .contains(r#"careerlog_http_request_duration_seconds_bucket{route="/opportunities/{id}",le="0.005"} 1"#));
        assert!(
            text.contains(r#"careerlog_http_request_duration_seconds_bucket{route="/opportunities/{id}",le="0.25"} 2"#)
        );
        assert!(text.contains(r#"careerlog_http_request_duration_seconds_bucket{route="unmatched",le="10"} 0"#));
        assert!(text.contains(r#"careerlog_http_request_duration_seconds_bucket{route="unmatched",le="+Inf"} 1"#));
        assert!(text.contains(r#"careerlog_db_pool_connections{state="in_use"} 2"#));
        assert!(text.contains(r#"careerlog_job_runs_total{job="housekeeping",outcome="ok"} 1"#));
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }

    #[test]
    fn the_mail_outbox_is_two_gauges() {
        let text = render_mail_outbox(3, 1);
        assert!(text.contains("# TYPE careerlog_mail_outbox_depth gauge\ncareerlog_mail_outbox_depth 3\n"));
        assert!(text.contains("# TYPE careerlog_mail_outbox_failed gauge\ncareerlog_mail_outbox_failed 1\n"));
    }
}
